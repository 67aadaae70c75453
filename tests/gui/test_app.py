"""A session of the app: the window over a signed-in cache, sync in the background, the user menu.

Signed in for real against the reference server on loopback; the dialogs of lock and sign-in are
replaced by stand-ins that answer at once (their own behaviour is tested in test_sign_in.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication, QDialog

from rm_desk import app as desk_app
from rm_desk.config import Config
from rm_desk.local_store import MemoryVault
from rm_desk.paths import AppPaths
from rm_desk.session import MemoryTokenStore, SignedIn, sign_in_online
from rm_desk.views import i18n, sign_in
from rm_desk.views.status_bar import SyncStatusBar
from rm_desk.views.workbench import ScreenId
from tests.gui.conftest import PASSWORD, LiveBank

FAST_KDF = 2**8


class _Answer:
    """A stand-in dialog that ends with a fixed answer when shown."""

    answer = QDialog.DialogCode.Accepted
    shown = 0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.signed_in: SignedIn | None = None

    def exec(self) -> int:
        type(self).shown += 1
        return int(type(self).answer)


@pytest.fixture
def desk(live_bank: LiveBank, tmp_path: Path, qtbot: Any) -> Iterator[desk_app.DeskApp]:
    qt_app = QApplication.instance()
    assert isinstance(qt_app, QApplication)
    paths = AppPaths(tmp_path / "data", tmp_path / "config", tmp_path / "logs").ensure()
    config = Config(server_url=live_bank.url)
    vault = MemoryVault()
    signed = sign_in_online(
        config,
        paths,
        "rm001",
        PASSWORD,
        vault=vault,
        clock=live_bank.clock,
        tokens=MemoryTokenStore(),
        kdf_cost=FAST_KDF,
    )
    desk = desk_app.DeskApp(qt_app, config, paths, vault, clock=live_bank.clock)
    desk.start_session(signed)
    yield desk
    desk.shutdown()
    i18n.install_language(qt_app, "en")


def test_the_window_opens_on_today_and_sync_fills_the_cache_in_the_background(
    qtbot: Any, desk: desk_app.DeskApp
) -> None:
    window = desk.window
    assert window is not None and window.isVisible()
    assert window.stack.currentWidget() is window.screen(ScreenId.TODAY)
    assert desk.bridge is not None
    qtbot.waitUntil(
        lambda: (
            desk.bridge is not None
            and desk.bridge.last_status is not None
            and desk.bridge.last_status.last_success is not None
        ),
        timeout=60_000,
    )
    assert desk.bridge.last_status.online is True
    with desk.signed.store.read() as conn:  # type: ignore[union-attr]
        customers = conn.exec_driver_sql("SELECT count(*) FROM customer").scalar_one()
    assert customers > 0


def test_switching_to_chinese_rebuilds_the_window_and_keeps_the_session(
    qtbot: Any, desk: desk_app.DeskApp
) -> None:
    before = desk.window
    assert before is not None
    signed = desk.signed
    before.language_requested.emit("zh")
    after = desk.window
    assert after is not None and after is not before
    assert after.navigation.item(0).text() == "今日"
    assert desk.signed is signed is not None
    # Switched before the first window painted: sync starts once the new one has.
    bar = after.statusBar()
    assert isinstance(bar, SyncStatusBar)
    qtbot.waitUntil(lambda: desk.sync is not None and bar.sync_now.isEnabled(), timeout=1500)


def test_lock_hides_the_window_until_the_password_is_given_again(
    qtbot: Any, desk: desk_app.DeskApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Unlocked(_Answer):
        answer = QDialog.DialogCode.Accepted
        shown = 0

    monkeypatch.setattr(sign_in, "UnlockDialog", Unlocked)
    window = desk.window
    assert window is not None
    window.lock_requested.emit()
    assert Unlocked.shown == 1
    assert window.isVisible()
    assert desk.signed is not None


def test_signing_out_from_the_lock_ends_the_session_and_asks_to_sign_in_again(
    qtbot: Any, desk: desk_app.DeskApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    class SignOut(_Answer):
        answer = sign_in.UnlockDialog.SIGN_OUT
        shown = 0

    class Cancelled(_Answer):
        answer = QDialog.DialogCode.Rejected
        shown = 0

    monkeypatch.setattr(sign_in, "UnlockDialog", SignOut)
    monkeypatch.setattr(sign_in, "SignInDialog", Cancelled)
    quits: list[int] = []
    monkeypatch.setattr(QApplication, "quit", lambda *args: quits.append(1))
    window = desk.window
    assert window is not None
    window.lock_requested.emit()
    assert SignOut.shown == 1 and Cancelled.shown == 1
    assert desk.window is None and desk.sync is None and desk.signed is None
    assert quits == [1]
    desk.runner.wait()
