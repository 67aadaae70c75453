"""Fixtures of the fault tests: one small bank per test module, served on loopback with ``--dev``.

The bank (:data:`SCALE` customers, 15 RMs of about 20 customers each, seed 1) is generated once per
session, with the KPI series cut to the current month (:func:`small_bank`); each module copies it
and serves the copy with a fake clock the tests move by hand and no rate limit (every call of a
module falls into the same fake minute). The seeds of a module share the server, so each schedule
signs in as one of the 15 RMs and puts back what it changed.

``RM_DESK_SOAK=1`` runs the long variants (2,000 fault schedules, more kills);
``RM_DESK_FAULT_SCHEDULES=<n>`` runs the first *n* schedules; ``RM_DESK_FAULT_SEED`` runs only the
schedules named (``137``, ``130-140`` or ``3,17,137``), to replay a failure.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from crm_server.runner import prepare_database, start_server
from crm_server.settings import Settings
from crm_server.synth.generate import generate
from crm_server.synth.records import SeedData
from rm_desk.local_store import Store, open_store
from rm_desk.local_store.keys import key_name_for
from rm_desk.sync.client import ApiClient
from rm_desk.sync.engine import SyncEngine
from tests.conftest import FakeClock, PersistentTestVault
from tests.e2e.conftest import FAST_KDF, PASSWORD, Bank
from tests.faults.proxy import Fault, FaultProxy

SCALE = 300
BANK_NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
RMS = tuple(f"rm{n:03d}" for n in range(1, 16))

SOAK = os.environ.get("RM_DESK_SOAK", "") not in ("", "0")
SEED_VARIABLE = "RM_DESK_FAULT_SEED"


COUNT_VARIABLE = "RM_DESK_FAULT_SCHEDULES"


def chosen_seeds(default: int, soak: int) -> list[int]:
    """The seeds to run: those named in ``RM_DESK_FAULT_SEED``, else the first
    ``RM_DESK_FAULT_SCHEDULES``, else the default or (``RM_DESK_SOAK=1``) soak count."""
    named = os.environ.get(SEED_VARIABLE, "").strip()
    if not named:
        count = os.environ.get(COUNT_VARIABLE, "").strip()
        return list(range(int(count) if count else soak if SOAK else default))
    seeds: list[int] = []
    for part in named.split(","):
        first, _, last = part.strip().partition("-")
        seeds.extend(range(int(first), int(last or first) + 1))
    return seeds


def small_bank() -> SeedData:
    """The generator's bank with the KPIs of the current month only.

    Thirteen months of daily KPIs are two thirds of an RM's feed: read-only records no fault test
    edits, that would only make each of the thousands of full pulls three times longer.
    """
    bank = generate(SCALE, 1)
    month = BANK_NOW.strftime("%Y-%m-01")
    return replace(
        bank,
        records=(r for r in bank.records if r.entity != "kpi" or r.data["date"] >= month),
    )


@pytest.fixture(scope="session")
def fault_bank_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("fault-bank") / "crm.db"
    database, _ = prepare_database(
        Settings(db_url=f"sqlite:///{path}", kdf_cost=FAST_KDF), small_bank()
    )
    database.dispose()
    return path


@contextlib.contextmanager
def scratch_folder(tmp_path_factory: pytest.TempPathFactory, name: str) -> Iterator[Path]:
    """A folder in memory (``/dev/shm``) where the machine has one, else under pytest's tmp.

    The fault schedules test the network, not the disk: on this project's 2-core test machine
    half their time went to waiting for ``fsync`` of the caches and the server's database. The
    kill tests keep their caches on disk (``tmp_path``).
    """
    memory = Path("/dev/shm")
    if not (memory.is_dir() and os.access(memory, os.W_OK)):
        yield tmp_path_factory.mktemp(name)
        return
    path = Path(tempfile.mkdtemp(prefix=f"rm-desk-{name}-", dir=memory))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


@dataclass
class FaultBank:
    """The module's server, the clock it shares with the clients of the test process, an empty
    cache to copy, and a scratch folder (:func:`scratch_folder`) for the schedules' caches."""

    bank: Bank
    clock: FakeClock
    empty_cache: Path
    empty_key: str
    scratch: Path
    templates: dict[str, Path] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)  # of the scope checks, per user
    _proxy: FaultProxy | None = None
    ops_applied: int | None = None  # the server's count after the last schedule checked

    def proxy(self, schedule: Iterator[Fault]) -> FaultProxy:
        """The module's fault proxy, following ``schedule`` from now on."""
        if self._proxy is None:
            self._proxy = FaultProxy(self.bank.server.port, schedule, delay=0.02)
            self._proxy.__enter__()
        self._proxy.restart_schedule(schedule)
        return self._proxy

    def close(self) -> None:
        if self._proxy is not None:
            self._proxy.__exit__(None, None, None)

    def applied_so_far(self) -> int:
        """``ops_applied`` of ``/dev/stats`` now: as the last check left it, or asked.

        Counting the server's ops costs as much as a sync round; nothing applies ops between two
        schedules (putting data back goes through ``/dev/edit``), so a check's count carries over
        to the next schedule. A schedule that ended without its check clears it.
        """
        if self.ops_applied is None:
            self.ops_applied = int(self.bank.dev("stats")["ops_applied"])
        return self.ops_applied

    def fresh_cache(self, path: Path) -> Store:
        """A new, empty encrypted cache at ``path``, with a vault of its own.

        A copy of one made by :func:`open_store` at the start of the module, under the same key:
        making the schema costs a tenth of a second, as much as a whole fault schedule's pull.
        """
        shutil.copyfile(self.empty_cache, path)
        vault = PersistentTestVault()
        vault.save(key_name_for(path), self.empty_key)
        return open_store(path, vault, clock=self.clock)

    def scope(self, user: str) -> dict[str, dict[str, dict[str, Any]]]:
        """Everything ``user`` may see now, per entity and id, from the server's full feed read
        from no cursor (as :meth:`Bank.scope`, signing in only when the last token ran out)."""
        for _ in range(2):
            token = self.tokens.get(user)
            if token is None:
                token = self.tokens[user] = self._sign_in(user)
            records: dict[str, dict[str, dict[str, Any]]] = {}
            cursor: str | None = None
            while True:
                params: dict[str, Any] = {"limit": 10000}
                if cursor is not None:
                    params["cursor"] = cursor
                response = self.bank.http.get(
                    "/changes", params=params, headers={"Authorization": f"Bearer {token}"}
                )
                if response.status_code == 401:
                    del self.tokens[user]  # the fake clock moved past the token's life
                    break
                assert response.status_code == 200, response.text
                answer = response.json()
                for change in answer["changes"]:
                    entity = records.setdefault(change["entity"], {})
                    if change["op"] == "upsert":
                        entity[change["id"]] = {**change["data"], "rev": change["rev"]}
                    else:
                        entity.pop(change["id"], None)
                cursor = answer["cursor"]
                if not answer["has_more"]:
                    return records
        raise AssertionError(f"the server refused a fresh token of {user}")

    def _sign_in(self, user: str) -> str:
        response = self.bank.http.post(
            "/auth/token",
            json={
                "username": user,
                "password": PASSWORD,
                "device_id": f"scope-check-{user}",
                "device_name": "scope check",
            },
        )
        assert response.status_code == 200, response.text
        return str(response.json()["access_token"])

    def synced_cache(self, user: str, path: Path) -> Store:
        """A cache at ``path`` holding ``user``'s book as it was when the module first needed it.

        A copy of a template synced once per user through a clean network (the first complete
        sync costs a third of a small schedule): opened, it catches up with a few changes made
        since (what other schedules changed and put back), through the schedule's faults.
        """
        template = self.templates.get(user)
        if template is None:
            template = self.scratch / f"template-{user}.db"
            with self.fresh_cache(template) as store:
                client = ApiClient(
                    self.bank.url,
                    device_id=f"template-{user}",
                    device_name="test",
                    clock=self.clock,
                )
                try:
                    client.login(user, PASSWORD)
                    SyncEngine(store, client).run_round()
                finally:
                    client.close()
            self.templates[user] = template
        shutil.copyfile(template, path)
        vault = PersistentTestVault()
        vault.save(key_name_for(path), self.empty_key)
        return open_store(path, vault, clock=self.clock)


@pytest.fixture(scope="module")
def fault_bank(
    tmp_path_factory: pytest.TempPathFactory, fault_bank_file: Path
) -> Iterator[FaultBank]:
    with scratch_folder(tmp_path_factory, "faults") as folder:
        yield from _serve(folder, fault_bank_file)


def _serve(folder: Path, bank_file: Path) -> Iterator[FaultBank]:
    shutil.copyfile(bank_file, folder / "crm.db")
    clock = FakeClock(BANK_NOW)
    settings = Settings(
        db_url=f"sqlite:///{folder / 'crm.db'}",
        dev=True,
        clock=clock,
        kdf_cost=FAST_KDF,
        rate_limit_per_minute=None,
    )
    vault = PersistentTestVault()
    open_store(folder / "empty-cache.db", vault).close()
    (key,) = vault.keys.values()
    server = start_server(settings)
    bank = Bank(server, httpx.Client(base_url=server.api_url, timeout=30), settings)
    fault_bank = FaultBank(bank, clock, folder / "empty-cache.db", key, folder)
    try:
        yield fault_bank
    finally:
        fault_bank.close()
        bank.http.close()
        server.stop()
