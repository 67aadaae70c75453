"""Starting the desktop app and living through a session: sign in, work, lock, sign out.

:class:`DeskApp` is the one object that knows the order of things:

1. The sign-in dialog (online through the server, or an offline unlock with the same password).
2. The main window over the user's cache at once, its status bar showing what the cache knows;
   after the first paint :class:`~rm_desk.sync.service.SyncService` is built and runs in the
   background, its events bridged to the window (the engine and the HTTP client load then, not
   while the user waits for Today).
3. Lock (user menu, or the policy's idle minutes): the window hides behind the unlock dialog; sign
   out: sync stops, the session ends on the server when reachable, back to the sign-in dialog;
   language: the window is rebuilt in the chosen language over the same session.

The demo (:func:`run_demo`) starts the reference server in-process on a loopback port with its own
data, signs in as a demo RM and opens the window; with a screenshot folder it renders every screen
to PNG in both languages instead and exits.
"""

from __future__ import annotations

import contextlib
import logging
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

# httpx imports its command line (click, rich, pygments) whenever they are installed, as they are
# beside the reference server: about 0.1 s of every start for a tool RM Desk never runs. A None
# entry makes that import fail, and httpx then leaves its ``httpx`` command out.
sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]

from rm_desk.config import Config, load_config, save_user_setting  # noqa: E402
from rm_desk.domain.enums import SyncPhase  # noqa: E402
from rm_desk.errors import RmDeskError  # noqa: E402
from rm_desk.local_store import KeyVault, MemoryVault, default_vault  # noqa: E402
from rm_desk.local_store.engine import utc_now  # noqa: E402
from rm_desk.paths import AppPaths  # noqa: E402
from rm_desk.session import MemoryTokenStore, SignedIn, sign_in_online, sign_out  # noqa: E402
from rm_desk.sync.events import StatusChanged  # noqa: E402
from rm_desk.sync.status import read_status  # noqa: E402

# isort: split
# Qt after the Qt-free modules: once PySide6 is loaded, its import hook reads the source of every
# module imported (inspect.getsource, to look for "PySide6"), about 5 % of a cold start's CPU.
from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication, QDialog, QWidget  # noqa: E402

from rm_desk.views import i18n  # noqa: E402
from rm_desk.views.bridge import SyncBridge  # noqa: E402
from rm_desk.views.main_window import MainWindow  # noqa: E402
from rm_desk.views.runner import TaskRunner  # noqa: E402
from rm_desk.views.status_bar import SyncStatusBar  # noqa: E402
from rm_desk.views.workbench import Navigator, SyncSlot, Workbench  # noqa: E402

if TYPE_CHECKING:
    # The service (the engine, the HTTP client) loads after the first paint: see start_session.
    from rm_desk.sync.service import SyncService

log = logging.getLogger(__name__)

STYLE_SHEET = Path(__file__).parent / "resources" / "style.qss"
DEMO_PASSWORD = "rmdesk-demo"  # the reference server's seeded demo users (API.md §4)
SYNC_START_FALLBACK_MS = 2000
"""Sync starts at the window's first paint, or after this long if no paint comes (minimised)."""


def make_application(argv: Sequence[str] = ()) -> QApplication:
    """The QApplication with RM Desk's names and style sheet (fonts come with the language)."""
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication([*argv] or ["rm-desk"])
    app.setApplicationName("RM Desk")
    app.setOrganizationName("RMDesk")
    app.setApplicationDisplayName(QCoreApplication.translate("DeskApp", "RM Desk"))
    if STYLE_SHEET.exists():
        app.setStyleSheet(STYLE_SHEET.read_text(encoding="utf-8"))
    return app


def build_workbench(
    signed: SignedIn,
    *,
    runner: TaskRunner,
    sync: SyncService | SyncSlot | None,
    bridge: SyncBridge,
    clock: Callable[[], datetime] = utc_now,
) -> Workbench:
    """The :class:`Workbench` of a signed-in session; ``sync``: the service or where it arrives."""
    slot = sync if isinstance(sync, SyncSlot) else SyncSlot(sync)
    return Workbench(
        store=signed.store,
        user=signed.user,
        permissions=signed.permissions,
        device_id=signed.device_id,
        policy=signed.policy,
        bridge=bridge,
        runner=runner,
        navigator=Navigator(),
        online=signed.online,
        sync_slot=slot,
        clock=clock,
    )


class DeskApp(QObject):
    """One run of the desktop app (see the module docstring)."""

    def __init__(
        self,
        app: QApplication,
        config: Config,
        paths: AppPaths,
        vault: KeyVault,
        *,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        super().__init__()
        self._app = app
        self._config = config
        self._paths = paths
        self._vault = vault
        self._clock = clock
        self._language = config.language
        self.runner = TaskRunner(self)
        self.signed: SignedIn | None = None
        self.sync: SyncService | None = None
        self.bridge: SyncBridge | None = None
        self.bench: Workbench | None = None
        self.window: MainWindow | None = None
        self._unsubscribe: Callable[[], None] | None = None
        self._sync_starter: _FirstPaint | None = None

    # --- sign-in -------------------------------------------------------------------------------

    def sign_in(self) -> bool:
        """Show the sign-in dialog; opens the window and returns True once signed in."""
        from rm_desk.views.sign_in import SignInDialog

        dialog = SignInDialog(
            self._config, self._paths, vault=self._vault, runner=self.runner, clock=self._clock
        )
        if dialog.exec() != QDialog.DialogCode.Accepted or dialog.signed_in is None:
            return False
        self.start_session(dialog.signed_in)
        return True

    def start_session(self, signed: SignedIn, *, start_sync: bool = True) -> MainWindow:
        """Open the window over a signed-in session, with sync in the background.

        Args:
            signed: The session.
            start_sync: Build the sync service after the first paint and start it; otherwise
                build it at once and leave it stopped (screenshots, over a synced cache).
        """
        self.signed = signed
        self.bridge = SyncBridge(self)
        # The status bar shows what the cache knows (pending changes, last sync) from the start:
        # what the service reports before its first round, read without loading the service.
        self.bridge.on_event(
            StatusChanged(read_status(signed.store, phase=SyncPhase.IDLE, online=None))
        )
        slot = SyncSlot(coming=True)
        self.bench = build_workbench(
            signed, runner=self.runner, sync=slot, bridge=self.bridge, clock=self._clock
        )
        if not start_sync:
            self._build_sync(signed, slot)
        window = self._open_window()
        if start_sync:
            self._start_sync_after_first_paint(window, signed, slot)
        return window

    def _build_sync(self, signed: SignedIn, slot: SyncSlot) -> SyncService:
        from rm_desk.sync.scheduler import ScheduleSettings
        from rm_desk.sync.service import SyncService

        assert self.bridge is not None
        sync = SyncService(
            signed.store,
            signed.connect,
            user_id=signed.user.id,
            device_id=signed.device_id,
            settings=ScheduleSettings(interval=float(self._config.sync_interval_s)),
        )
        self.sync = sync
        self._unsubscribe = sync.subscribe(self.bridge.on_event)
        slot.fill(sync)
        return sync

    def _start_sync_after_first_paint(
        self, window: QWidget, signed: SignedIn, slot: SyncSlot
    ) -> None:
        # Building the service imports the engine and the HTTP client, and its first round (a
        # request, applying what came) shares the interpreter lock with the GUI thread: done
        # before Today is on screen, they stretch the cold start the user waits through; a moment
        # later they cost nobody.
        # The watcher belongs to this object, not the window, so closing the window (which may
        # come first) never deletes it under a pending call.
        def start() -> None:
            if starter.started:
                return
            starter.started = True
            starter.unwatch()
            starter.deleteLater()
            if self._sync_starter is starter:
                self._sync_starter = None
            if self.signed is signed and self.sync is None:  # not signed out or closed since
                self._build_sync(signed, slot).start()

        starter = _FirstPaint(start, self)
        starter.watch(window)
        self._sync_starter = starter
        QTimer.singleShot(SYNC_START_FALLBACK_MS, starter, start)

    def _open_window(self) -> MainWindow:
        assert self.bench is not None
        window = MainWindow(self.bench, language=self._language)
        window.lock_requested.connect(self.lock)
        window.sign_out_requested.connect(self.end_session)
        window.language_requested.connect(self.switch_language)
        status_bar = window.statusBar()
        if isinstance(status_bar, SyncStatusBar):
            status_bar.sign_in_again_requested.connect(self.sign_in_again)
        window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        window.destroyed.connect(self._on_window_closed)
        self.window = window
        window.show()
        return window

    # --- the user menu -------------------------------------------------------------------------

    def lock(self) -> None:
        """Hide the window behind the unlock dialog until the password is given again."""
        from rm_desk.views.sign_in import UnlockDialog

        if self.window is None or self.signed is None:
            return
        self.window.idle.pause()
        self.window.hide()
        dialog = UnlockDialog(self.signed, runner=self.runner, clock=self._clock)
        unlocked = dialog.exec() == QDialog.DialogCode.Accepted
        if unlocked and self.window is not None:
            self.window.show()
            self.window.idle.restart()
        else:
            self.end_session()

    def sign_in_again(self) -> None:
        """The bank ended the session: ask for the password, then resume sync at once."""
        from rm_desk.views.sign_in import ReauthDialog

        if self.signed is None or self.window is None:
            return
        dialog = ReauthDialog(
            self.signed, runner=self.runner, clock=self._clock, parent=self.window
        )
        if dialog.exec() == QDialog.DialogCode.Accepted and self.sync is not None:
            self.sync.sync_now()

    def switch_language(self, language: str) -> None:
        """Rebuild the window in another language; the session and sync carry on."""
        try:
            save_user_setting(self._paths, "language", language)
        except RmDeskError as error:
            log.warning("language not saved: %s", error.title)
        self._language = language
        i18n.switch_language(self._app, language)
        old = self.window
        if old is not None:
            old.destroyed.disconnect(self._on_window_closed)
            old.close()
        window = self._open_window()
        if self._sync_starter is not None:  # switched before the first window painted
            self._sync_starter.watch(window)

    def end_session(self) -> None:
        """Sign out: stop sync, end the session, close the window, ask to sign in again."""
        self.shutdown(wait_for_server=False)
        if not self.sign_in():
            self._app.quit()

    def _on_window_closed(self) -> None:
        self.window = None
        self.shutdown()
        self._app.quit()

    def shutdown(self, *, wait_for_server: bool = True) -> None:
        """Stop sync and close the session (its cache and unsent changes stay).

        Args:
            wait_for_server: Sign out on this thread (at exit, with the window gone); otherwise
                the sign-out's few seconds with the server run on a pool thread.
        """
        window, self.window = self.window, None
        if window is not None:
            with contextlib.suppress(RuntimeError, TypeError):  # never connected: nothing to undo
                window.destroyed.disconnect(self._on_window_closed)
            window.close()
        self._sync_starter = None
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        if self.sync is not None:
            self.sync.stop()
            self.sync = None
        signed, self.signed = self.signed, None
        if signed is None:
            self.runner.wait()
        elif wait_for_server:
            self.runner.wait()
            sign_out(signed)
        else:
            self.runner.submit(lambda: sign_out(signed))


class _FirstPaint(QObject):
    """Calls ``then`` once, on the next turn of the event loop after a watched widget painted."""

    def __init__(self, then: Callable[[], None], parent: QObject) -> None:
        super().__init__(parent)
        self.started = False
        self._then = then
        self._watched: list[QWidget] = []

    def watch(self, widget: QWidget) -> None:
        widget.installEventFilter(self)
        self._watched.append(widget)

    def unwatch(self) -> None:
        for widget in self._watched:
            with contextlib.suppress(RuntimeError):  # the window is already gone
                widget.removeEventFilter(self)
        self._watched.clear()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if event.type() == QEvent.Type.Paint and not self.started:
            QTimer.singleShot(0, self, self._then)
        return False


def run_app(argv: Sequence[str] = ()) -> int:
    """``rm-desk``: sign in and work; returns the exit status."""
    paths = AppPaths.from_environment().ensure()
    config = load_config(paths)
    app = make_application(argv)
    i18n.install_language(app, config.language)
    desk = DeskApp(app, config, paths, default_vault())
    if not desk.sign_in():
        desk.shutdown()
        return 0
    status = app.exec()
    desk.shutdown()
    return status


def run_demo(
    user: str,
    scale: str,
    *,
    screenshot_dir: Path | None = None,
    languages: Sequence[str] = ("en", "zh"),
    argv: Sequence[str] = (),
) -> int:
    """``rm-desk --demo``: the reference server in-process, signed in as ``user``.

    Args:
        user: A seeded demo user (``rm001``…, ``lead01``…).
        scale: ``demo`` (about 6,000 customers) or a number of customers.
        screenshot_dir: Render every screen to PNG there, in each of ``languages``, and exit.
        languages: The languages of the screenshots.
        argv: Qt's command line.
    """
    from crm_server.runner import start_server
    from crm_server.settings import Settings
    from crm_server.synth.records import Scale
    from rm_desk.sync.engine import SyncEngine

    size: Scale | int = Scale.DEMO if scale == "demo" else int(scale)
    with tempfile.TemporaryDirectory(prefix="rm-desk-demo-") as scratch:
        folder = Path(scratch)
        paths = AppPaths(folder / "data", folder / "config", folder / "logs").ensure()
        settings = Settings(db_url=f"sqlite:///{folder / 'crm.db'}", dev=True, scale=size)
        print(f"RM Desk demo: starting the reference server with a synthetic bank ({scale}) …")
        with start_server(settings) as server:
            config = replace(load_config(paths, environ={}), server_url=server.url)
            app = make_application(argv)
            i18n.install_language(app, languages[0] if screenshot_dir else config.language)
            # The demo's cache and session live in memory: nothing of it is left in the keyring.
            vault = MemoryVault()
            print(f"RM Desk demo: signing in as {user} at {server.url}")
            signed = sign_in_online(
                config,
                paths,
                user,
                DEMO_PASSWORD,
                vault=vault,
                clock=utc_now,
                tokens=MemoryTokenStore(),
            )
            desk = DeskApp(app, config, paths, vault)
            if screenshot_dir is None:
                desk.start_session(signed)
                status = app.exec()
                desk.shutdown()
                return status
            print("RM Desk demo: syncing the book before taking screenshots …")
            with signed.connect() as client:
                SyncEngine(signed.store, client).run_round()
            try:
                return _screenshots(app, desk, signed, screenshot_dir, languages)
            finally:
                desk.shutdown()


def _screenshots(
    app: QApplication,
    desk: DeskApp,
    signed: SignedIn,
    directory: Path,
    languages: Sequence[str],
) -> int:
    from rm_desk.views.screenshots import capture_all

    directory.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    desk.start_session(signed, start_sync=False)
    assert desk.sync is not None and desk.bridge is not None
    # The book was synced just before: the screens show the connection as it was then.
    desk.bridge.on_event(StatusChanged(replace(desk.sync.status(), online=True)))
    for language in languages:
        if desk._language != language:
            desk.switch_language(language)
        window = desk.window
        assert window is not None
        window.show()
        app.processEvents()
        written += capture_all(window, directory, language)
    for path in written:
        print(f"  {path}")
    print(f"RM Desk demo: {len(written)} screenshots in {directory}")
    return 0


__all__ = ["DeskApp", "build_workbench", "make_application", "run_app", "run_demo"]
