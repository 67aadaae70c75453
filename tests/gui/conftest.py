"""GUI tests: real widgets offscreen over a real encrypted cache synced from the real server.

Once per session a small synthetic bank (:data:`SCALE` customers, seed 1, "today" 2026-11-20) is
generated, served on loopback, and synced into one template cache per user (``rm001``, an RM, and
``lead01``, a team lead). Each test gets its own copy of a template (its own key in its own test
vault), so tests may write without affecting each other, and a :class:`Workbench` over it with an
inline task runner and a fixed clock. Tests that need the bank online start ``live_bank``.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from crm_server.runner import RunningServer, prepare_database, start_server
from crm_server.settings import Settings
from rm_desk.local_store import Store, open_store
from rm_desk.local_store.keys import key_name_for
from rm_desk.sync.client import ApiClient, MeInfo
from rm_desk.sync.engine import SyncEngine
from rm_desk.views.bridge import SyncBridge
from rm_desk.views.runner import InlineTaskRunner
from rm_desk.views.workbench import Navigator, Workbench
from tests.conftest import FakeClock, PersistentTestVault

SCALE = 200
FAST_KDF = 2**8
PASSWORD = "rmdesk-demo"
USERS = ("rm001", "lead01")
NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Template:
    """A synced cache file of one user and what ``GET /me`` said of them."""

    path: Path
    key: str
    me: MeInfo


@pytest.fixture(scope="session")
def gui_bank_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("gui-bank") / "crm.db"
    database, _ = prepare_database(
        Settings(db_url=f"sqlite:///{path}", scale=SCALE, seed=1, kdf_cost=FAST_KDF)
    )
    database.dispose()
    return path


def _serve(db: Path, folder: Path, clock: Callable[[], datetime]) -> RunningServer:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(db, folder / "crm.db")
    settings = Settings(
        db_url=f"sqlite:///{folder / 'crm.db'}", dev=True, clock=clock, kdf_cost=FAST_KDF
    )
    return start_server(settings)


@pytest.fixture(scope="session")
def templates(gui_bank_db: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Template]:
    folder = tmp_path_factory.mktemp("gui-templates")
    clock = FakeClock(NOW)
    vault = PersistentTestVault()
    made: dict[str, Template] = {}
    with _serve(gui_bank_db, folder / "bank", clock) as server:
        for user in USERS:
            path = folder / f"cache-{user}.db"
            store = open_store(path, vault, clock=clock)
            try:
                with ApiClient(
                    server.url, device_id=f"gui-{user}", device_name="gui tests", clock=clock
                ) as client:
                    client.login(user, PASSWORD)
                    me = client.me()
                    SyncEngine(store, client).run_round()
            finally:
                store.close()
            key = vault.load(key_name_for(path))
            assert key is not None
            made[user] = Template(path, key, me)
    return made


@pytest.fixture
def open_cache(
    templates: dict[str, Template], tmp_path: Path, vault: PersistentTestVault
) -> Iterator[Callable[[str], Store]]:
    """Opens a private copy of a user's synced cache."""
    opened: list[Store] = []

    def open_for(user: str = "rm001") -> Store:
        template = templates[user]
        path = tmp_path / f"cache-{user}-{len(opened)}.db"
        shutil.copyfile(template.path, path)
        vault.save(key_name_for(path), template.key)
        store = open_store(path, vault, clock=FakeClock(NOW))
        opened.append(store)
        return store

    yield open_for
    for store in opened:
        store.close()


@pytest.fixture
def make_bench(
    qtbot: Any, templates: dict[str, Template], open_cache: Callable[[str], Store]
) -> Callable[..., Workbench]:
    """Builds a :class:`Workbench` over a private cache copy of ``user``.

    Keyword arguments replace the Workbench's fields (``permissions``, ``online`` …).
    """

    def make(user: str = "rm001", **overrides: Any) -> Workbench:
        me = templates[user].me
        bench = Workbench(
            store=open_cache(user),
            user=me.user,
            permissions=me.permissions,
            device_id=f"gui-{user}",
            policy=me.policy,
            bridge=SyncBridge(),
            runner=InlineTaskRunner(),
            navigator=Navigator(),
            clock=lambda: NOW,
        )
        return replace(bench, **overrides) if overrides else bench

    return make


@pytest.fixture
def bench(make_bench: Callable[..., Workbench]) -> Workbench:
    """An RM's (``rm001``) workbench over a copy of their synced cache, offline."""
    return make_bench()


@dataclass
class LiveBank:
    """The reference server for this test, and a signed-in client to call it with."""

    server: RunningServer
    clock: FakeClock

    @property
    def url(self) -> str:
        return self.server.url

    def client(self, user: str = "rm001") -> ApiClient:
        client = ApiClient(
            self.url, device_id=f"gui-{user}", device_name="gui tests", clock=self.clock
        )
        client.login(user, PASSWORD)
        return client


@pytest.fixture
def live_bank(gui_bank_db: Path, tmp_path: Path) -> Iterator[LiveBank]:
    clock = FakeClock(NOW)
    server = _serve(gui_bank_db, tmp_path / "live-bank", clock)
    try:
        yield LiveBank(server, clock)
    finally:
        server.stop()
