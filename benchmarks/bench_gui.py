"""Benchmarks of the window: cold start, search as you type, opening a 360 view, sync stalls.

====================  =============================================  =============================
benchmark             what is timed                                  baseline, in the same run
====================  =============================================  =============================
gui_cold_start        a new process running what ``rm-desk`` runs,   a new process showing an
                      from its launch to the first paint of the      empty QMainWindow (Python +
                      Today screen over a cache of 50,000 customers  Qt start-up, the floor)
                      (goal ≤ 1.5 s); median of 5
gui_cold_start.cpu    the same launch's process CPU time             the floor's
gui_cold_start        whether ``pyqtgraph`` was imported by then     —
.pyqtgraph            (goal 0: charts load it on first use)
gui_search_keystroke  one keystroke in the global search to its      ``search_customers`` of the
                      results popup painted, at 100,000 customers    same query in one read (the
                      (goal p95 ≤ 50 ms; includes the debounce)      store's share)
gui_search_paint      ``SearchBox.run_query`` to the popup painted   the same baseline
                      (the same, without the debounce)
gui_open_360          ``MainWindow.open_customer`` of a customer     ``customer_360`` of the same
                      with 2,000 transactions to the view painted    customer in one read
                      (goal p95 ≤ 150 ms)
gui_sync_stall        the longest gap between the ticks of a 10 ms   the same gap with the window
                      timer while the first sync of an empty cache   idle for as long
                      (the bench bank, 20,000 customers) runs in
                      the background, the window showing Today
                      (goal ≤ 100 ms)
====================  =============================================  =============================

The cold start runs in child processes (``python -c`` of :data:`COLD_START_CHILD`), taking turns
with the baseline. The child does what ``rm_desk.app.run_app`` does (the app's folders and config,
``make_application`` with the style sheet, the language), with the sign-in dialog's work done at
once: the offline unlock it runs when the user presses Enter (``session.unlock_offline``: the
cache opened with its key from the "keyring", the scrypt check at the config's cost), then
``DeskApp.start_session`` (window and sync). The user's typing is not timed; the unlock's KDF is.
The app's modules are compiled to bytecode first, as an installed app's are.

The other three run in this process with a QApplication on the offscreen platform, the screens'
own code and a real threaded :class:`~rm_desk.views.runner.TaskRunner`. "Painted" is the first
``QEvent.Paint`` the watched widget (or a child of it) receives after the action; the clock stops
there.

The sync benchmark's server runs in a process of its own (like ``bench_sync``'s), so that its work
does not share this interpreter's lock with the window measured: the real app never hosts the
bank's server. Its bank is ``bench_sync``'s 20,000 customers rather than the full bench scale
(50,000), which takes minutes to generate. ``--quick`` divides every size by 100. It learns that
the sync is over from the service's status events (reading ``service.status()`` would query the
cache on the GUI thread every turn, which the app's window never does); its note counts the gaps
over 50 ms in both windows and gives what helps attribute them: the GUI thread's own CPU time and
the garbage collections of the process during the sync (each holds the interpreter lock).
"""

from __future__ import annotations

import compileall
import contextlib
import gc
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from benchmarks import feeds
from benchmarks.harness import Better, Context, Result, Skip, percentile
from benchmarks.stores import fixed_clock
from rm_desk.local_store.engine import Store, open_store, utc_now
from rm_desk.local_store.keys import key_name_for
from tests.conftest import PersistentTestVault

ROOT = Path(__file__).resolve().parents[1]
COLD_START_GOAL_S = 1.5
KEYSTROKE_GOAL_P95_MS = 50.0
OPEN_360_GOAL_P95_MS = 150.0
STALL_GOAL_MS = 100.0
COLD_START_SERVER = "http://127.0.0.1:9"  # nothing listens: the start is an offline one
TICK_MS = 10
BIG_CUSTOMER_ID = "c-9000000"
KEY_ENV = "RM_DESK_BENCH_CACHE_KEY"
PAINT_TIMEOUT_S = 3.0
USER = "rm001"  # every task of factories.book is assigned to rm001
SYNC_USER = "lead01"
PASSWORD = "rmdesk-demo"
KDF_COST = 2**10


def run(ctx: Context) -> list[Result]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    return ctx.run_each(
        {
            "gui_cold_start": cold_start,
            "gui_search_keystroke": search_keystroke,
            "gui_open_360": open_360,
            "gui_sync_stall": sync_stall,
        }
    )


# ---- shared steps -------------------------------------------------------------------------------


def _require_window() -> None:
    """Skip while the window or one of its screens is not written yet."""
    import importlib

    try:
        from rm_desk.views.main_window import SCREEN_CLASSES

        for module, _ in (*SCREEN_CLASSES.values(), ("rm_desk.views.customer360.view", "")):
            importlib.import_module(module)
    except ImportError as error:
        raise Skip(f"the window cannot be built yet ({error})") from None


def _cache(folder: Path, changes: Sequence[feeds.Change]) -> tuple[Store, str]:
    """A new encrypted cache in ``folder`` holding ``changes``, and its key."""
    from benchmarks.bench_store import _load

    vault = PersistentTestVault()
    store = open_store(folder / "cache.db", vault, clock=fixed_clock)
    try:
        _load(store, changes)
    except BaseException:
        store.close()
        raise
    key = vault.load(key_name_for(folder / "cache.db"))
    assert key is not None
    return store, key


def _app() -> Any:
    from PySide6.QtWidgets import QApplication

    from rm_desk.views import i18n

    app = QApplication.instance() or QApplication([])
    i18n.install_language(app, "en")
    return app


def _bench(store: Store, user_id: str = USER, *, sync: Any = None, bridge: Any = None) -> Any:
    """A Workbench as the app builds it after sign-in, with a real threaded runner."""
    from rm_desk.domain.enums import Role
    from rm_desk.sync.identity import Policy, User
    from rm_desk.views.bridge import SyncBridge
    from rm_desk.views.runner import TaskRunner
    from rm_desk.views.workbench import Navigator, Workbench

    role = Role.TEAM_LEAD if user_id.startswith("lead") else Role.RM
    return Workbench(
        store=store,
        user=User(id=user_id, name="Bench", role=role, team_id="tm-01", branch_id="br-01"),
        permissions=frozenset({"pii.reveal", "team.view", "export.csv"}),
        device_id="bench-gui",
        policy=Policy(idle_lock_minutes=10_000),
        bridge=bridge or SyncBridge(),
        runner=TaskRunner(),
        navigator=Navigator(),
        sync=sync,
        clock=fixed_clock,
    )


@contextlib.contextmanager
def _window(bench: Any) -> Iterator[Any]:
    from PySide6.QtCore import QCoreApplication

    from rm_desk.views.main_window import MainWindow

    window = MainWindow(bench)
    window.resize(1440, 900)
    window.show()
    _spin(0.3)
    try:
        yield window
    finally:
        window.close()
        bench.runner.wait(10_000)
        window.deleteLater()
        QCoreApplication.processEvents()


def _spin(seconds: float) -> None:
    """Run the event loop for ``seconds`` (timers fire, paints happen)."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()


class _PaintWatch:
    """Stops the clock at the first paint of a widget or one of its children after :meth:`arm`."""

    def __init__(self) -> None:
        from PySide6.QtCore import QEvent, QEventLoop, QObject, QTimer

        watch = self
        self.painted_at: float | None = None
        self._loop = QEventLoop()
        self._timeout = QTimer()
        self._timeout.setSingleShot(True)
        self._timeout.timeout.connect(self._loop.quit)
        self._watched: list[Any] = []

        class _Filter(QObject):
            def eventFilter(self, watched: Any, event: Any) -> bool:
                if event.type() == QEvent.Type.Paint and watch.painted_at is None:
                    watch.painted_at = time.perf_counter()
                    QTimer.singleShot(0, watch._loop.quit)
                return False

        self._filter = _Filter()

    def watch(self, widget: Any) -> None:
        from PySide6.QtWidgets import QWidget

        for target in (widget, *widget.findChildren(QWidget)):
            if target not in self._watched:
                target.installEventFilter(self._filter)
                self._watched.append(target)

    def arm(self) -> None:
        self.painted_at = None

    def wait(self) -> float | None:
        """The perf_counter of the paint, or ``None`` when nothing painted in time."""
        if self.painted_at is None:
            self._timeout.start(int(PAINT_TIMEOUT_S * 1000))
            self._loop.exec()
            self._timeout.stop()
        return self.painted_at


def _timed_read_ms(store: Store, call: Callable[[Any], object]) -> float:
    started = time.perf_counter()
    with store.read() as conn:
        call(conn)
    return (time.perf_counter() - started) * 1000


# ---- gui_cold_start -----------------------------------------------------------------------------

COLD_START_CHILD = r"""
import json, os, sys, time
from pathlib import Path
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
mode = sys.argv[1]
painted = []
def watcher(app):
    from PySide6.QtCore import QEvent, QObject, QTimer
    class Watch(QObject):
        def eventFilter(self, watched, event):
            if event.type() == QEvent.Type.Paint and not painted:
                painted.append((time.time(), time.process_time()))
                QTimer.singleShot(0, app.quit)
            return False
    return Watch(app)
if mode == "floor":
    from PySide6.QtWidgets import QApplication, QLabel, QMainWindow
    app = QApplication([])
    watch = watcher(app)
    window = QMainWindow()
    window.setCentralWidget(QLabel("RM Desk"))
    window.centralWidget().installEventFilter(watch)
    window.resize(1440, 900)
    window.show()
else:
    # What ``rm-desk`` runs (rm_desk.app.run_app), with the sign-in dialog's work done at once:
    # the offline unlock it runs when the user presses Enter (the server is unreachable here).
    from rm_desk import app as desk_app
    from rm_desk.config import load_config
    from rm_desk.local_store.keys import KeyStorage
    from rm_desk.paths import AppPaths
    from rm_desk.views import i18n
    from rm_desk.views.workbench import ScreenId

    class Vault:  # the OS keyring of the real app, holding the cache's key
        storage = KeyStorage.OS_KEYRING
        def load(self, name):
            return os.environ["RM_DESK_BENCH_CACHE_KEY"]
        def save(self, name, key):
            pass
        def delete(self, name):
            pass

    paths = AppPaths.from_environment().ensure()
    config = load_config(paths)
    app = desk_app.make_application(["rm-desk"])
    watch = watcher(app)
    i18n.install_language(app, config.language)
    vault = Vault()
    desk = desk_app.DeskApp(app, config, paths, vault)
    from rm_desk.session import MemoryTokenStore, unlock_offline
    from rm_desk.local_store.engine import utc_now
    signed = unlock_offline(config, paths, "rm001", "rmdesk-demo", vault=vault, clock=utc_now,
                            tokens=MemoryTokenStore())
    window = desk.start_session(signed)
    window.screen(ScreenId.TODAY).installEventFilter(watch)
from PySide6.QtCore import QTimer
QTimer.singleShot(30_000, app.quit)
app.exec()
print(json.dumps({"painted_at": painted[0][0] if painted else None,
                  "cpu_s": painted[0][1] if painted else None,
                  "pyqtgraph": "pyqtgraph" in sys.modules}))
sys.stdout.flush()
os._exit(0)
"""


def _signed_in_before(folder: Path, changes: Sequence[feeds.Change]) -> str:
    """A cache of ``changes`` where ``rm001`` signed in online before, as ``rm-desk`` leaves it.

    The app's folders are under ``folder`` (the child finds them through ``RM_DESK_*_DIR``): the
    user index, the cache at the user's own path, and in it what an online sign-in keeps for the
    offline unlock (device id, server, ``GET /me``, the password verifier at the config's cost).
    Returns the cache's key.
    """
    from rm_desk.config import Config
    from rm_desk.domain.enums import Role
    from rm_desk.local_store.sync_state import DEVICE_ID, set_state
    from rm_desk.local_store.unlock import note_online_sign_in, remember_me, remember_password
    from rm_desk.local_store.users import remember_user
    from rm_desk.paths import user_cache_db
    from rm_desk.session import SERVER_URL

    paths = _app_paths(folder).ensure()
    db_path = user_cache_db(paths, USER)
    store, key = _cache(db_path.parent, changes)
    try:
        with store.write() as conn:
            set_state(conn, DEVICE_ID, "bench-gui")
            set_state(conn, SERVER_URL, COLD_START_SERVER)
            remember_password(conn, USER, PASSWORD, cost=Config().unlock_kdf_cost)
            remember_me(
                conn,
                {
                    "user": {
                        "id": USER,
                        "name": "Bench",
                        "role": Role.RM.value,
                        "team_id": "tm-01",
                        "branch_id": "br-01",
                    },
                    "permissions": ["pii.reveal", "export.csv"],
                    "policy": {},
                },
            )
            # Now, not the feed's fixed time: the child unlocks offline by the real clock, and
            # the bank's offline lease counts from the last online sign-in.
            note_online_sign_in(conn, utc_now())
    finally:
        store.close()
    if db_path.parent / "cache.db" != db_path:
        for suffix in ("", "-wal", "-shm"):
            source = Path(f"{db_path.parent / 'cache.db'}{suffix}")
            if source.exists():
                source.rename(f"{db_path}{suffix}")
    remember_user(paths, USER, USER)
    return key


def _app_paths(folder: Path) -> Any:
    from rm_desk.paths import AppPaths

    return AppPaths(folder / "data", folder / "config", folder / "logs")


def _cold_start_once(mode: str, folder: Path, key: str) -> tuple[float, float, bool]:
    paths = _app_paths(folder)
    env = {
        **os.environ,
        KEY_ENV: key,
        "QT_QPA_PLATFORM": "offscreen",
        "RM_DESK_DATA_DIR": str(paths.data_dir),
        "RM_DESK_CONFIG_DIR": str(paths.config_dir),
        "RM_DESK_LOG_DIR": str(paths.log_dir),
        "RM_DESK_SERVER_URL": COLD_START_SERVER,
        "RM_DESK_LANGUAGE": "en",
    }
    launched = time.time()
    completed = subprocess.run(
        [sys.executable, "-c", COLD_START_CHILD, mode],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"the {mode} child failed: {completed.stderr[-2000:]}")
    answer = json.loads(completed.stdout.strip().splitlines()[-1])
    if answer["painted_at"] is None:
        raise RuntimeError(f"the {mode} child never painted")
    return answer["painted_at"] - launched, answer["cpu_s"], bool(answer["pyqtgraph"])


def cold_start(ctx: Context) -> list[Result]:
    _require_window()
    customers = ctx.size(50_000)
    ctx.log(f"gui_cold_start: generating and caching {customers:,} customers")
    # An installed app starts from bytecode (pip compiles it); a checkout run with
    # PYTHONDONTWRITEBYTECODE would compile every module of the app from source at each launch.
    compileall.compile_dir(ROOT / "rm_desk", quiet=1)
    with ctx.temp_dir("gui-cold") as folder:
        key = _signed_in_before(folder, feeds.mixed_feed(customers * feeds.RECORDS_PER_CUSTOMER))
        gc.collect()
        app_s: list[float] = []
        app_cpu: list[float] = []
        floor_s: list[float] = []
        floor_cpu: list[float] = []
        loaded: list[bool] = []
        if not ctx.quick:  # warms the OS file cache, as a second start of the day would
            _cold_start_once("app", folder, key)
        for _ in range(1 if ctx.quick else 5):
            seconds, cpu, pyqtgraph = _cold_start_once("app", folder, key)
            app_s.append(seconds)
            app_cpu.append(cpu)
            loaded.append(pyqtgraph)
            seconds, cpu, _ = _cold_start_once("floor", folder, key)
            floor_s.append(seconds)
            floor_cpu.append(cpu)
    note = (
        f"{customers:,} customers cached; launches (s): app "
        f"{', '.join(f'{s:.2f}' for s in app_s)}, floor {', '.join(f'{s:.2f}' for s in floor_s)}"
        + ("" if ctx.quick else "; one warm-up launch first (the OS file cache warm)")
    )
    return [
        Result(
            "gui_cold_start",
            statistics.median(app_s),
            "s",
            goal=f"≤ {COLD_START_GOAL_S:g} s",
            better=Better.LOWER,
            baseline_name="empty QMainWindow",
            baseline_value=statistics.median(floor_s),
            goal_limit=COLD_START_GOAL_S,
            note=note,
        ),
        Result(
            "gui_cold_start.cpu",
            statistics.median(app_cpu),
            "s",
            better=Better.LOWER,
            baseline_name="empty QMainWindow",
            baseline_value=statistics.median(floor_cpu),
            note="CPU time of the app's process until Today painted (steadier than the wall "
            "clock on a busy machine)",
        ),
        Result(
            "gui_cold_start.pyqtgraph",
            float(any(loaded)),
            "imported",
            goal="0 (imported on first chart)",
            better=Better.LOWER,
            goal_limit=0,
            note="1 means pyqtgraph was in sys.modules when Today first painted",
        ),
    ]


# ---- gui_search_keystroke -----------------------------------------------------------------------


def search_keystroke(ctx: Context) -> list[Result]:
    _require_window()
    from rm_desk.local_store.search import search_customers

    customers = ctx.size(100_000)
    ctx.log(f"gui_search_keystroke: caching {customers:,} customers")
    changes = list(feeds.search_book(customers))
    queries = [
        q
        for q in feeds.search_queries([c["data"] for c in changes if c["entity"] == "customer"])
        if len(q.text) >= 2
    ]
    if ctx.quick:
        queries = queries[:25]
    app = _app()
    keystroke: list[float] = []
    paint: list[float] = []
    store_ms: list[float] = []
    missed = 0
    with ctx.temp_dir("gui-search") as folder:
        store, _ = _cache(folder, changes)
        del changes
        gc.collect()
        try:
            with _window(_bench(store)) as window:
                box = window.search_box
                popup = box.popup()
                watch = _PaintWatch()
                box.run_query(queries[0].text)  # builds the popup's children
                _spin(0.2)
                watch.watch(popup)
                for query in queries:
                    # Type all but the last character and let that search land, close the popup
                    # so the next paint is the new results', then time the last keystroke.
                    box.setFocus()
                    box.run_query(query.text[:-1])
                    _spin(0.01)
                    box.close_popup()
                    app.processEvents()
                    watch.arm()
                    started = time.perf_counter()
                    _type(box, query.text[-1])
                    painted = watch.wait()
                    if painted is None:
                        missed += 1
                    else:
                        keystroke.append((painted - started) * 1000)

                    box.close_popup()
                    app.processEvents()
                    watch.arm()
                    started = time.perf_counter()
                    box.run_query(query.text)
                    painted = watch.wait()
                    if painted is not None:
                        paint.append((painted - started) * 1000)
                    box.close_popup()

                    store_ms.append(
                        _timed_read_ms(store, lambda c, t=query.text: search_customers(c, t))
                    )
        finally:
            store.close()
    if not keystroke:
        raise RuntimeError("no keystroke ever painted search results")
    from rm_desk.views.search import DEBOUNCE_MS

    note = (
        f"{len(queries)} queries of 2+ characters over {customers:,} customers; the popup is "
        f"closed before each timed keystroke; SearchBox debounces {DEBOUNCE_MS} ms, which the "
        f"keystroke number includes; {missed} keystrokes painted nothing within "
        f"{PAINT_TIMEOUT_S:g} s"
    )
    baseline = "search_customers"
    return [
        Result(
            "gui_search_keystroke",
            percentile(keystroke, 95),
            "ms p95",
            goal=f"p95 ≤ {KEYSTROKE_GOAL_P95_MS:g} ms",
            better=Better.LOWER,
            baseline_name=baseline,
            baseline_value=percentile(store_ms, 95),
            goal_limit=KEYSTROKE_GOAL_P95_MS,
            note=note,
        ),
        Result(
            "gui_search_paint",
            percentile(paint, 95),
            "ms p95",
            better=Better.LOWER,
            baseline_name=baseline,
            baseline_value=percentile(store_ms, 95),
            note="run_query (no debounce) to the popup painted",
        ),
    ]


def _type(widget: Any, character: str) -> None:
    """One keystroke typing ``character`` (QTest.keyClicks knows only ASCII; 伟 is typed too)."""
    from PySide6.QtCore import QCoreApplication, QEvent, Qt
    from PySide6.QtGui import QKeyEvent

    key = ord(character.upper()) if character.isascii() and character.isalnum() else 0
    for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
        event = QKeyEvent(
            kind, key or Qt.Key.Key_unknown, Qt.KeyboardModifier.NoModifier, character
        )
        QCoreApplication.sendEvent(widget, event)


# ---- gui_open_360 -------------------------------------------------------------------------------


def open_360(ctx: Context) -> list[Result]:
    _require_window()
    from rm_desk.local_store.queries import customer_360

    transactions = ctx.size(2_000)
    book = ctx.size(3_000)
    runs = ctx.size(100, minimum=10)
    changes = [
        *feeds.products(),
        *feeds.mixed_feed(book * feeds.RECORDS_PER_CUSTOMER),
        *feeds.big_customer(BIG_CUSTOMER_ID, transactions=transactions),
    ]
    _app()
    opened: list[float] = []
    store_ms: list[float] = []
    with ctx.temp_dir("gui-360") as folder:
        store, _ = _cache(folder, changes)
        del changes
        gc.collect()
        try:
            with _window(_bench(store)) as window:
                window.open_customer(BIG_CUSTOMER_ID)  # builds the view and its tabs
                _spin(0.3)
                page = window.stack.currentWidget()
                watch = _PaintWatch()
                watch.watch(page)
                for number in range(5 + runs):
                    window.go_back()
                    _spin(0.02)
                    watch.arm()
                    started = time.perf_counter()
                    if not window.open_customer(BIG_CUSTOMER_ID):
                        raise RuntimeError("the big customer is not in the cache")
                    painted = watch.wait()
                    if painted is None:
                        raise RuntimeError("the 360 view never painted")
                    if number >= 5:
                        opened.append((painted - started) * 1000)
                        store_ms.append(
                            _timed_read_ms(store, lambda c: customer_360(c, BIG_CUSTOMER_ID))
                        )
        finally:
            store.close()
    note = (
        f"{transactions:,} transactions, 10 accounts, 20 visits in a book of {book:,} customers; "
        f"{runs} opens after 5 warm-ups, from the screen it was opened from (Back in between)"
    )
    return [
        Result(
            "gui_open_360",
            percentile(opened, 95),
            "ms p95",
            goal=f"p95 ≤ {OPEN_360_GOAL_P95_MS:g} ms",
            better=Better.LOWER,
            baseline_name="customer_360",
            baseline_value=percentile(store_ms, 95),
            goal_limit=OPEN_360_GOAL_P95_MS,
            note=note,
        )
    ]


# ---- gui_sync_stall -----------------------------------------------------------------------------


STALL_COUNTED_MS = 50.0  # the note counts the gaps longer than this


class _Ticks:
    """The gaps between the ticks of a 10 ms timer: how long the event loop was kept away."""

    def __init__(self) -> None:
        from PySide6.QtCore import Qt, QTimer

        self.gaps: list[float] = []
        self._last: float | None = None
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self._tick)

    def _tick(self) -> None:
        now = time.perf_counter()
        if self._last is not None:
            self.gaps.append((now - self._last) * 1000)
        self._last = now

    def start(self) -> None:
        self.gaps.clear()
        self._last = None
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()


class _Collections:
    """The garbage collections of the whole process while entered, on any thread: generation and
    milliseconds each. A collection holds the interpreter lock from start to end, so the window
    cannot run a line of Python meanwhile."""

    def __init__(self) -> None:
        self.pauses: list[tuple[int, float]] = []
        self._started: dict[int, float] = {}

    def _callback(self, phase: str, info: dict[str, int]) -> None:
        import threading

        now = time.perf_counter()
        thread = threading.get_ident()
        if phase == "start":
            self._started[thread] = now
        elif thread in self._started:
            self.pauses.append((info["generation"], (now - self._started.pop(thread)) * 1000))

    def __enter__(self) -> _Collections:
        gc.callbacks.append(self._callback)
        return self

    def __exit__(self, *exc_info: object) -> None:
        gc.callbacks.remove(self._callback)

    def summary(self) -> str:
        parts = []
        for generation in (2, 1, 0):
            of = [ms for gen, ms in self.pauses if gen == generation]
            longest = f", longest {max(of):.0f} ms" if of else ""
            parts.append(f"gen {generation} ×{len(of):,}{longest}")
        return "; ".join(parts)


class _FirstSuccess:
    """Whether the service's first round succeeded (or failed for good), from its status events.

    Asking ``service.status()`` instead would read the cache on the GUI thread at every check,
    work the app's window never does during a sync: its stalls would be the benchmark's.
    """

    def __init__(self, service: Any) -> None:
        from rm_desk.sync.events import StatusChanged

        self._latest: Any = None

        def seen(event: object) -> None:  # on the sync thread
            if isinstance(event, StatusChanged):
                self._latest = event.status

        self.unsubscribe: Callable[[], None] = service.subscribe(seen)

    def wait(self, *, timeout_s: float) -> bool:
        """Run the event loop until the first round succeeded (or failed for good)."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            _spin(0.1)
            status = self._latest
            if status is None:
                continue
            if status.last_success is not None and status.pending_count == 0:
                return True
            if status.wipe:
                return False
        return False


def _start_bank(db_path: Path, customers: int) -> tuple[subprocess.Popen[str], str]:
    from crm_server.runner import prepare_database
    from crm_server.settings import Settings

    db_url = f"sqlite:///{db_path}"
    database, _ = prepare_database(
        Settings(db_url=db_url, scale=customers, seed=1, kdf_cost=KDF_COST)
    )
    database.dispose()
    command = [sys.executable, "-m", "crm_server", "--db", db_url, "--port", "0"]
    process = subprocess.Popen(
        [*command, "--rate-limit", "0"], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    line = process.stdout.readline().strip()
    if not line.startswith("listening on "):
        process.kill()
        raise RuntimeError(f"the server did not start: {line!r}")
    return process, line.removeprefix("listening on ")


def sync_stall(ctx: Context) -> list[Result]:
    _require_window()
    from rm_desk.sync.client import ApiClient
    from rm_desk.sync.service import SyncService
    from rm_desk.views.bridge import SyncBridge

    customers = ctx.size(20_000)
    _app()
    ctx.log(f"gui_sync_stall: generating a bank of {customers:,} customers")
    with ctx.temp_dir("gui-sync") as folder:
        process, url = _start_bank(folder / "crm.db", customers)
        vault = PersistentTestVault()
        store = open_store(folder / "cache.db", vault, clock=fixed_clock)
        try:
            clients: list[ApiClient] = []

            def connect() -> ApiClient:
                client = ApiClient(
                    url, device_id="bench-gui-sync", device_name="benchmark", clock=fixed_clock
                )
                client.login(SYNC_USER, PASSWORD)
                clients.append(client)
                return client

            bridge = SyncBridge()
            service = SyncService(store, connect, user_id=SYNC_USER, device_id="bench-gui-sync")
            unsubscribe = service.subscribe(bridge.on_event)
            bench = _bench(store, SYNC_USER, sync=service, bridge=bridge)
            ticks = _Ticks()
            first = _FirstSuccess(service)
            with _window(bench), _Collections() as collections:
                ticks.start()
                started = time.perf_counter()
                gui_cpu = time.thread_time()
                service.start()
                done = first.wait(timeout_s=1800)
                seconds = time.perf_counter() - started
                _spin(0.5)  # the coalesced refresh after the last page
                ticks.stop()
                gui_cpu = time.thread_time() - gui_cpu
                service.stop()
                first.unsubscribe()
                unsubscribe()
                syncing = list(ticks.gaps)
                during_sync = collections.summary()
                ticks.start()
                _spin(min(seconds, 10.0))
                ticks.stop()
                idle = list(ticks.gaps)
            for client in clients:
                client.close()
        finally:
            store.close()
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
    if not done:
        raise RuntimeError("the initial sync did not finish")

    def stalls(gaps: list[float]) -> int:
        return sum(1 for gap in gaps if gap > STALL_COUNTED_MS)

    note = (
        f"first sync of {customers:,} customers' bank as {SYNC_USER} in {seconds:.1f} s with the "
        f"window on Today; {len(syncing):,} ticks, p99 gap {percentile(syncing, 99):.1f} ms, "
        f"{stalls(syncing)} gaps > {STALL_COUNTED_MS:g} ms (idle window: {stalls(idle)}); the "
        f"GUI thread's own CPU time {gui_cpu:.2f} s; garbage collections during the sync (any "
        f"thread, each holding the interpreter lock) {during_sync}; the baseline is "
        f"{min(seconds, 10.0):.1f} s of the idle window after it"
    )
    return [
        Result(
            "gui_sync_stall",
            max(syncing),
            "ms max gap",
            goal=f"≤ {STALL_GOAL_MS:g} ms",
            better=Better.LOWER,
            baseline_name="idle window",
            baseline_value=max(idle),
            goal_limit=STALL_GOAL_MS,
            note=note,
        )
    ]
