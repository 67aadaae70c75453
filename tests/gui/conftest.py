"""GUI tests: real widgets offscreen over a real encrypted cache synced from the real server.

Once per session a small synthetic bank (:data:`SCALE` customers, seed 1, "today" 2026-11-20) is
generated, served on loopback, and synced into one template cache per user (``rm001``, an RM, and
``lead01``, a team lead). Each test gets its own copy of a template (its own key in its own test
vault), so tests may write without affecting each other, and a :class:`Workbench` over it with an
inline task runner and a fixed clock. Tests that need the bank online start ``live_bank``.

The inline runner runs a task on the GUI thread, so by itself it cannot tell a view that hands its
write to the runner from one that writes on the GUI thread. Tests that care use
:class:`WorkerThreadRunner` (each task on a thread of its own, the test still waiting for it) and
:class:`StoreWrites` (which thread ran each INSERT, UPDATE or DELETE of the cache)::

    bench = make_bench(runner=WorkerThreadRunner())
    with StoreWrites() as writes:
        qtbot.mouseClick(screen.done_button, Qt.MouseButton.LeftButton)
    assert writes.gui_thread_statements() == [] and writes.off_gui_thread_to(bench.store)
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import shutil
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

from crm_server.runner import RunningServer, prepare_database, start_server
from crm_server.settings import Settings
from rm_desk.local_store import Store, open_store
from rm_desk.local_store.keys import key_name_for
from rm_desk.sync.client import ApiClient, MeInfo
from rm_desk.sync.engine import SyncEngine
from rm_desk.views.bridge import SyncBridge
from rm_desk.views.runner import Failed, InlineTaskRunner
from rm_desk.views.workbench import Navigator, Workbench
from tests.conftest import FakeClock, PersistentTestVault

SCALE = 200
FAST_KDF = 2**8
PASSWORD = "rmdesk-demo"
USERS = ("rm001", "lead01")
NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")

T = TypeVar("T")


class WorkerThreadRunner(InlineTaskRunner):
    """Runs each task on a thread of its own and waits for it; delivers on the calling thread.

    As synchronous as :class:`InlineTaskRunner` (a test reads like the user's story), but the
    work runs where the app's :class:`~rm_desk.views.runner.TaskRunner` runs it: not on the GUI
    thread. Together with :class:`StoreWrites` a test can so tell a view that hands its writes to
    the runner from one that writes on the GUI thread.
    """

    def submit(
        self,
        work: Callable[[], T],
        done: Callable[[T], None] | None = None,
        failed: Failed | None = None,
    ) -> None:
        outcome: list[Any] = []
        errors: list[BaseException] = []

        def run() -> None:
            try:
                outcome.append(work())
            except Exception as error:
                errors.append(error)

        worker = threading.Thread(target=run, name="test-task-runner")
        worker.start()
        worker.join(60)
        assert not worker.is_alive(), "a task ran for more than a minute"
        if errors:
            self._deliver(None, errors[0], done, failed)
        else:
            self._deliver(outcome[0], None, done, failed)


@dataclass
class StoreWrites:
    """Every INSERT, UPDATE and DELETE any SQLAlchemy engine runs while in the ``with`` block,
    split by whether the GUI (main) thread ran it.

    Attributes:
        on_gui_thread: ``(engine, statement verb and table)`` of each write the GUI thread ran.
        off_gui_thread: The same for every other thread (the task runner, the server).
    """

    on_gui_thread: list[tuple[Engine, str]] = field(default_factory=list)
    off_gui_thread: list[tuple[Engine, str]] = field(default_factory=list)

    def __enter__(self) -> StoreWrites:
        event.listen(Engine, "before_cursor_execute", self._seen)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        event.remove(Engine, "before_cursor_execute", self._seen)

    def off_gui_thread_to(self, store: Store) -> list[str]:
        """The writes to ``store`` that ran off the GUI thread."""
        return [what for engine, what in self.off_gui_thread if engine is store.engine]

    def gui_thread_statements(self) -> list[str]:
        """What the GUI thread wrote, to any database."""
        return [what for _, what in self.on_gui_thread]

    def _seen(
        self,
        conn: Connection,
        cursor: Any,
        statement: str,
        parameters: Any,
        context: Any,
        executemany: bool,
    ) -> None:
        words = statement.split()
        if not words or words[0].upper() not in _WRITES:
            return
        seen = (conn.engine, " ".join(words[:3]))
        if threading.current_thread() is threading.main_thread():
            self.on_gui_thread.append(seen)
        else:
            self.off_gui_thread.append(seen)


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
