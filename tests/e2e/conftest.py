"""End to end: the sync engine against the real reference server on loopback.

One small synthetic bank (:data:`SCALE` customers, seed 1, "today" 2026-11-20) is generated once
per session into a SQLite file; each test copies it and starts its own server with the ``/dev``
calls on and the tests' fake clock, and opens its own encrypted cache signed in as ``rm001``.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, select

from crm_server.runner import RunningServer, prepare_database, start_server
from crm_server.schema import client_audit_event
from crm_server.settings import Settings
from rm_desk.local_store import Store, open_store
from rm_desk.sync.client import ApiClient
from rm_desk.sync.engine import SyncEngine
from tests.conftest import FakeClock, PersistentTestVault

SCALE = 200
FAST_KDF = 2**8
PASSWORD = "rmdesk-demo"


@dataclass
class Bank:
    """The running reference server and its back-office (``/dev``) calls."""

    server: RunningServer
    http: httpx.Client
    settings: Settings

    @property
    def url(self) -> str:
        return self.server.url

    def dev(self, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        if body is None:
            response = self.http.get(f"/dev/{path}")
        else:
            response = self.http.post(f"/dev/{path}", json=body)
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result

    def edit(self, entity: str, record_id: str, **fields: Any) -> dict[str, Any]:
        return self.dev("edit", {"entity": entity, "id": record_id, "fields": fields})

    def applied_count(self, op_id: str) -> int:
        return int(self.dev(f"ops/{op_id}")["applied_count"])

    def client_audit(self) -> list[dict[str, Any]]:
        """The clients' audit events the server stored (``POST /audit``), in the order stored,
        read from its database file (no ``/dev`` call shows them)."""
        engine = create_engine(self.settings.db_url)
        try:
            with engine.connect() as conn:
                table = client_audit_event
                rows = conn.execute(select(table).order_by(table.c.id)).mappings()
                return [dict(row) for row in rows]
        finally:
            engine.dispose()

    def scope(self, user: str = "rm001") -> dict[str, dict[str, dict[str, Any]]]:
        """Everything ``user`` may see now, per entity and id, from a fresh full feed."""
        token = self.http.post(
            "/auth/token",
            json={
                "username": user,
                "password": PASSWORD,
                "device_id": f"scope-check-{user}",
                "device_name": "scope check",
            },
        ).json()["access_token"]
        records: dict[str, dict[str, dict[str, Any]]] = {}
        cursor: str | None = None
        while True:
            params: dict[str, Any] = {"limit": 10000}
            if cursor is not None:
                params["cursor"] = cursor
            response = self.http.get(
                "/changes", params=params, headers={"Authorization": f"Bearer {token}"}
            )
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


@pytest.fixture(scope="session")
def seeded_bank(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("bank") / "crm.db"
    database, _ = prepare_database(
        Settings(db_url=f"sqlite:///{path}", scale=SCALE, seed=1, kdf_cost=FAST_KDF)
    )
    database.dispose()
    return path


@pytest.fixture
def start_bank(tmp_path: Path, seeded_bank: Path, clock: FakeClock) -> Iterator[Any]:
    started: list[Bank] = []

    def start(**overrides: Any) -> Bank:
        folder = tmp_path / f"bank{len(started)}"
        folder.mkdir()
        shutil.copyfile(seeded_bank, folder / "crm.db")
        settings = Settings(
            db_url=f"sqlite:///{folder / 'crm.db'}",
            dev=True,
            clock=clock,
            kdf_cost=FAST_KDF,
        )
        settings = replace(settings, **overrides)
        server = start_server(settings)
        bank = Bank(server, httpx.Client(base_url=server.api_url, timeout=30), settings)
        started.append(bank)
        return bank

    yield start
    for bank in started:
        bank.http.close()
        bank.server.stop()


@pytest.fixture
def bank(start_bank: Any) -> Bank:
    result: Bank = start_bank()
    return result


@dataclass
class Desk:
    """One RM's workbench: the encrypted cache and a signed-in client."""

    store: Store
    client: ApiClient

    def engine(self) -> SyncEngine:
        return SyncEngine(self.store, self.client)

    def sync(self) -> Any:
        return self.engine().run_round()


def open_desk(
    bank: Bank,
    data_dir: Path,
    vault: PersistentTestVault,
    clock: FakeClock,
    *,
    user: str = "rm001",
    transport: httpx.BaseTransport | None = None,
) -> Desk:
    store = open_store(data_dir / f"cache-{user}.db", vault, clock=clock)
    client = ApiClient(
        bank.url,
        transport=transport,
        device_id=f"desk-{user}",
        device_name="e2e laptop",
        clock=clock,
    )
    client.login(user, PASSWORD)
    return Desk(store, client)


@pytest.fixture
def desk(
    bank: Bank, data_dir: Path, vault: PersistentTestVault, clock: FakeClock
) -> Iterator[Desk]:
    opened = open_desk(bank, data_dir, vault, clock)
    yield opened
    opened.client.close()
    opened.store.close()
