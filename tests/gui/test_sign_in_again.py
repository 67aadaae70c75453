"""Signing in again without closing the window, once the bank ended the session.

The status bar offers "Sign in again" when sync stopped for an ended session; the dialog signs the
same user in against the real reference server; the app resumes sync with the new session.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog

from rm_desk import app as desk_app
from rm_desk.config import Config
from rm_desk.domain.enums import SyncPhase
from rm_desk.local_store import MemoryVault
from rm_desk.paths import AppPaths
from rm_desk.session import (
    MemoryTokenStore,
    SignedIn,
    sign_in_again,
    sign_in_online,
    sign_out,
    token_name_for,
)
from rm_desk.sync.client import ApiClient
from rm_desk.sync.errors import SessionExpired
from rm_desk.sync.events import StatusChanged, SyncStatus
from rm_desk.sync.service import SyncService
from rm_desk.views import i18n, sign_in
from rm_desk.views.runner import InlineTaskRunner, TaskRunner
from rm_desk.views.sign_in import ReauthDialog
from rm_desk.views.status_bar import SyncStatusBar
from rm_desk.views.workbench import Workbench
from tests.gui.conftest import FAST_KDF, NOW, PASSWORD, LiveBank

ENDED = SyncStatus(
    SyncPhase.ERROR, None, None, None, 2, 0, 0, "Signed out", "Sign in.", None, session_ended=True
)
"""What sync reports after an offline unlock: no session to resume."""
REVOKED = replace(ENDED, online=True, code="invalid_grant")
"""What sync reports when the server refused the stored session."""
SYNCED = SyncStatus(SyncPhase.IDLE, True, NOW, NOW, 0, 0, 0)


def _no_server() -> ApiClient:
    raise SessionExpired()


@pytest.fixture
def bar(qtbot: Any, make_bench: Callable[..., Workbench]) -> SyncStatusBar:
    bench = make_bench()
    bench = replace(bench, sync=SyncService(bench.store, _no_server))
    status_bar = SyncStatusBar(bench)
    qtbot.addWidget(status_bar)
    status_bar.show()
    return status_bar


def _show(qtbot: Any, bar: SyncStatusBar, status: SyncStatus) -> None:
    bar._bench.bridge.on_event(StatusChanged(status))
    qtbot.waitUntil(lambda: bar._status == status, timeout=2000)


# --- the status bar ----------------------------------------------------------------------------


def test_an_ended_session_shows_sign_in_again_which_goes_once_a_round_succeeds(
    qtbot: Any, bar: SyncStatusBar
) -> None:
    assert not bar.sign_in_again.isVisible()
    _show(qtbot, bar, ENDED)
    assert bar.sign_in_again.isVisible() and bar.sign_in_again.text() == "Sign in again"
    assert bar.connection.text() == "Session ended — sign in to sync"
    with qtbot.waitSignal(bar.sign_in_again_requested, timeout=2000):
        qtbot.mouseClick(bar.sign_in_again, Qt.MouseButton.LeftButton)

    _show(qtbot, bar, replace(ENDED, phase=SyncPhase.PULLING))
    assert not bar.sign_in_again.isVisible()
    _show(qtbot, bar, SYNCED)
    assert not bar.sign_in_again.isVisible()
    assert bar.connection.text() == "Online"


def test_a_session_the_server_refused_also_offers_sign_in_again(
    qtbot: Any, bar: SyncStatusBar
) -> None:
    _show(qtbot, bar, REVOKED)
    assert bar.sign_in_again.isVisible()
    assert bar.connection.toolTip() == "Signed out: Sign in."


@pytest.mark.parametrize(
    "status",
    [
        replace(REVOKED, title="Device revoked", code="device_revoked", session_ended=False),
        replace(REVOKED, title="Not allowed", code="forbidden", session_ended=False),
        replace(ENDED, phase=SyncPhase.OFFLINE, online=False, title="Offline", session_ended=False),
    ],
    ids=["device revoked", "forbidden", "offline"],
)
def test_problems_signing_in_cannot_fix_offer_no_sign_in(
    qtbot: Any, bar: SyncStatusBar, status: SyncStatus
) -> None:
    _show(qtbot, bar, status)
    assert not bar.sign_in_again.isVisible()
    assert bar.connection.text() != "Session ended — sign in to sync"
    assert status.title is not None and bar.connection.toolTip().startswith(status.title)


# --- the dialog, against the real server --------------------------------------------------------


@pytest.fixture
def tokens() -> MemoryTokenStore:
    return MemoryTokenStore()


@pytest.fixture
def ended(live_bank: LiveBank, tmp_path: Path, tokens: MemoryTokenStore) -> Iterator[SignedIn]:
    """rm001 signed in, then the bank ended the session on the server."""
    signed = _sign_in(live_bank, tmp_path, tokens)
    _end_on_the_server(live_bank, signed, tokens)
    yield signed
    sign_out(signed, wait_s=1.0)


def _sign_in(live_bank: LiveBank, tmp_path: Path, tokens: MemoryTokenStore) -> SignedIn:
    paths = AppPaths(tmp_path / "data", tmp_path / "config", tmp_path / "logs").ensure()
    return sign_in_online(
        Config(server_url=live_bank.url),
        paths,
        "rm001",
        PASSWORD,
        vault=MemoryVault(),
        clock=live_bank.clock,
        tokens=tokens,
        kdf_cost=FAST_KDF,
    )


def _end_on_the_server(live_bank: LiveBank, signed: SignedIn, tokens: MemoryTokenStore) -> None:
    token = tokens.load(token_name_for(live_bank.url, signed.user.id))
    assert token is not None
    with ApiClient(
        live_bank.url, device_id=signed.device_id, device_name="bank", clock=live_bank.clock
    ) as client:
        client.resume(token)
        client.logout()
    with pytest.raises(SessionExpired):
        signed.connect()


def _dialog(qtbot: Any, signed: SignedIn, live_bank: LiveBank, **kwargs: Any) -> ReauthDialog:
    kwargs.setdefault("runner", InlineTaskRunner())
    dialog = ReauthDialog(signed, clock=live_bank.clock, **kwargs)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def _enter(qtbot: Any, dialog: ReauthDialog, password: str) -> None:
    qtbot.keyClicks(dialog.password, password)
    qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)


def test_the_dialog_signs_the_same_user_in_again_and_the_session_resumes(
    qtbot: Any, ended: SignedIn, live_bank: LiveBank
) -> None:
    dialog = _dialog(qtbot, ended, live_bank)
    who = dialog.findChild(type(dialog.message), "who")
    assert who is not None and "rm001" in who.text()
    _enter(qtbot, dialog, PASSWORD)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.password.text() == ""
    with ended.connect() as client:
        assert client.me().user.id == "rm001"


def test_a_wrong_password_is_shown_in_words_and_nothing_changes(
    qtbot: Any, ended: SignedIn, live_bank: LiveBank
) -> None:
    dialog = _dialog(qtbot, ended, live_bank)
    _enter(qtbot, dialog, "not-my-password")
    assert dialog.isVisible() and dialog.result() == 0
    assert dialog.message.text() == "Sign-in failed: The username or password is wrong."
    assert dialog.password.hasSelectedText() and dialog.sign_in_button.isEnabled()
    with pytest.raises(SessionExpired):
        ended.connect()


def test_an_empty_password_is_asked_for_without_calling_the_server(
    qtbot: Any, ended: SignedIn, live_bank: LiveBank
) -> None:
    calls: list[Any] = []
    dialog = _dialog(qtbot, ended, live_bank, sign_in_again=lambda *a, **k: calls.append(a))
    qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
    assert dialog.message.text() == "Enter your password."
    assert calls == []


def test_esc_cancels_and_leaves_the_session_ended(
    qtbot: Any, ended: SignedIn, live_bank: LiveBank
) -> None:
    dialog = _dialog(qtbot, ended, live_bank)
    qtbot.keyClicks(dialog.password, PASSWORD)
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert dialog.result() == QDialog.DialogCode.Rejected
    with pytest.raises(SessionExpired):
        ended.connect()


def test_signing_in_again_runs_off_the_gui_thread_and_shows_it_is_busy(
    qtbot: Any, ended: SignedIn, live_bank: LiveBank
) -> None:
    release = threading.Event()
    threads: list[int] = []

    def slow(*args: Any, **kwargs: Any) -> None:
        threads.append(threading.get_ident())
        release.wait(10)
        sign_in_again(*args, **kwargs)

    runner = TaskRunner()
    dialog = _dialog(qtbot, ended, live_bank, runner=runner, sign_in_again=slow)
    _enter(qtbot, dialog, PASSWORD)
    assert dialog.busy and dialog.progress.isVisible() and not dialog.password.isEnabled()
    assert dialog.message.text() == "Signing in…"
    release.set()
    qtbot.waitUntil(lambda: dialog.result() == QDialog.DialogCode.Accepted, timeout=20_000)
    assert threads and threads[0] != threading.get_ident()
    assert runner.wait()


def test_the_dialog_speaks_chinese(
    qtbot: Any, ended: SignedIn, live_bank: LiveBank, qapp: QApplication
) -> None:
    i18n.install_language(qapp, "zh")
    try:
        dialog = _dialog(qtbot, ended, live_bank)
        assert dialog.windowTitle() == "RM Desk — 重新登录"
        assert dialog.sign_in_button.text() == "登录"
        _enter(qtbot, dialog, "not-my-password")
        assert dialog.message.text().startswith("登录失败：")
    finally:
        i18n.install_language(qapp, "en")


# --- the app ------------------------------------------------------------------------------------


class _Reauth:
    """Stands in for the dialog: signs in again with the right password when shown."""

    answer = QDialog.DialogCode.Accepted
    shown = 0

    def __init__(self, signed: SignedIn, *, clock: Any, **kwargs: Any) -> None:
        self._signed, self._clock = signed, clock

    def exec(self) -> int:
        type(self).shown += 1
        if type(self).answer == QDialog.DialogCode.Accepted:
            sign_in_again(self._signed, PASSWORD, clock=self._clock)
        return int(type(self).answer)


@pytest.fixture
def desk(
    live_bank: LiveBank, tmp_path: Path, tokens: MemoryTokenStore, qtbot: Any
) -> Iterator[desk_app.DeskApp]:
    """The app over a session the bank ended before sync's first round."""
    qt_app = QApplication.instance()
    assert isinstance(qt_app, QApplication)
    signed = _sign_in(live_bank, tmp_path, tokens)
    _end_on_the_server(live_bank, signed, tokens)
    paths = AppPaths(tmp_path / "data", tmp_path / "config", tmp_path / "logs")
    config = Config(server_url=live_bank.url)
    desk = desk_app.DeskApp(qt_app, config, paths, MemoryVault(), clock=live_bank.clock)
    desk.start_session(signed)
    yield desk
    desk.shutdown()
    i18n.install_language(qt_app, "en")


def _status_bar(desk: desk_app.DeskApp) -> SyncStatusBar:
    assert desk.window is not None
    bar = desk.window.statusBar()
    assert isinstance(bar, SyncStatusBar)
    return bar


def test_sign_in_again_from_the_status_bar_resumes_sync_in_the_same_window(
    qtbot: Any, desk: desk_app.DeskApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    class SignsIn(_Reauth):
        answer = QDialog.DialogCode.Accepted
        shown = 0

    monkeypatch.setattr(sign_in, "ReauthDialog", SignsIn)
    window, bar = desk.window, _status_bar(desk)
    qtbot.waitUntil(bar.sign_in_again.isVisible, timeout=30_000)
    assert desk.bridge is not None and desk.bridge.last_status is not None
    assert desk.bridge.last_status.code == "invalid_grant"

    qtbot.mouseClick(bar.sign_in_again, Qt.MouseButton.LeftButton)

    assert SignsIn.shown == 1
    qtbot.waitUntil(
        lambda: (
            desk.bridge is not None
            and desk.bridge.last_status is not None
            and desk.bridge.last_status.last_success is not None
        ),
        timeout=60_000,
    )
    qtbot.waitUntil(lambda: not bar.sign_in_again.isVisible(), timeout=5000)
    assert desk.window is window and window.isVisible()
    assert bar.connection.text() == "Online"


def test_cancelling_sign_in_again_leaves_sync_stopped_and_the_button_shown(
    qtbot: Any, desk: desk_app.DeskApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Cancels(_Reauth):
        answer = QDialog.DialogCode.Rejected
        shown = 0

    monkeypatch.setattr(sign_in, "ReauthDialog", Cancels)
    bar = _status_bar(desk)
    qtbot.waitUntil(bar.sign_in_again.isVisible, timeout=30_000)
    assert desk.sync is not None
    asked: list[int] = []
    monkeypatch.setattr(desk.sync, "sync_now", lambda: asked.append(1))

    bar.sign_in_again_requested.emit()

    assert Cancels.shown == 1 and asked == []
    assert bar.sign_in_again.isVisible() and desk.signed is not None


def test_the_rebuilt_window_of_another_language_still_offers_sign_in_again(
    qtbot: Any, desk: desk_app.DeskApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Cancels(_Reauth):
        answer = QDialog.DialogCode.Rejected
        shown = 0

    monkeypatch.setattr(sign_in, "ReauthDialog", Cancels)
    desk.switch_language("zh")
    bar = _status_bar(desk)
    qtbot.waitUntil(bar.sign_in_again.isVisible, timeout=30_000)
    assert bar.sign_in_again.text() == "重新登录"
    assert bar.connection.text() == "会话已结束 — 请登录后同步"
    bar.sign_in_again_requested.emit()
    assert Cancels.shown == 1
