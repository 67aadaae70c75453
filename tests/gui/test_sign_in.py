"""The sign-in dialog against the real server, offline unlock when it is gone, and the lock."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from rm_desk.config import Config, load_config
from rm_desk.paths import AppPaths
from rm_desk.session import (
    MemoryTokenStore,
    SignedIn,
    sign_in_online,
    sign_out,
    token_name_for,
    unlock_offline,
)
from rm_desk.views.runner import InlineTaskRunner, TaskRunner
from rm_desk.views.sign_in import SignInDialog, UnlockDialog
from tests.conftest import PersistentTestVault
from tests.gui.conftest import FAST_KDF, PASSWORD, LiveBank, StoreWrites, WorkerThreadRunner


@pytest.fixture
def paths(tmp_path: Path) -> AppPaths:
    return AppPaths(tmp_path / "data", tmp_path / "config", tmp_path / "logs").ensure()


@pytest.fixture
def tokens() -> MemoryTokenStore:
    return MemoryTokenStore()


@pytest.fixture
def signed_sessions() -> Iterator[list[SignedIn]]:
    """Sessions a test made; signed out at its end so no cache stays open."""
    made: list[SignedIn] = []
    yield made
    for signed in made:
        sign_out(signed, wait_s=1.0)


@pytest.fixture
def make_dialog(
    qtbot: Any,
    paths: AppPaths,
    vault: PersistentTestVault,
    tokens: MemoryTokenStore,
    live_bank: LiveBank,
    signed_sessions: list[SignedIn],
) -> Callable[..., SignInDialog]:
    def make(config: Config | None = None, **kwargs: Any) -> SignInDialog:
        calls: dict[str, Any] = {
            "runner": InlineTaskRunner(),
            "sign_in": partial(sign_in_online, tokens=tokens, kdf_cost=FAST_KDF),
            "unlock": partial(unlock_offline, tokens=tokens),
        }
        dialog = SignInDialog(
            config or Config(server_url=live_bank.url),
            paths,
            vault=vault,
            clock=live_bank.clock,
            **(calls | kwargs),
        )
        qtbot.addWidget(dialog)

        def keep() -> None:
            if dialog.signed_in is not None:
                signed_sessions.append(dialog.signed_in)

        dialog.accepted.connect(keep)
        dialog.show()
        qtbot.waitExposed(dialog)
        return dialog

    return make


def sign_in(qtbot: Any, dialog: SignInDialog, user: str, password: str) -> None:
    dialog.user.clear()
    qtbot.keyClicks(dialog.user, user)
    dialog.password.clear()
    qtbot.keyClicks(dialog.password, password)
    qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)


def test_signing_in_online_accepts_with_the_users_session(
    qtbot: Any, make_dialog: Callable[..., SignInDialog], live_bank: LiveBank
) -> None:
    dialog = make_dialog(runner=WorkerThreadRunner())
    assert dialog.server.text() == live_bank.url
    with StoreWrites() as writes:
        sign_in(qtbot, dialog, "rm001", PASSWORD)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.signed_in is not None
    # the cache was opened and written by the task runner, never on the GUI thread
    assert writes.gui_thread_statements() == []
    assert writes.off_gui_thread_to(dialog.signed_in.store)
    assert dialog.signed_in.mode == "online"
    assert dialog.signed_in.user.id == "rm001"
    assert dialog.password.text() == ""  # not left lying in the widget


def test_a_wrong_password_is_shown_in_words_and_keeps_the_user_name(
    qtbot: Any, make_dialog: Callable[..., SignInDialog]
) -> None:
    dialog = make_dialog()
    sign_in(qtbot, dialog, "rm001", "not-my-password")
    assert dialog.isVisible() and dialog.signed_in is None
    assert dialog.message.text() == "Sign-in failed: The username or password is wrong."
    assert dialog.user.text() == "rm001"
    assert dialog.focusWidget() is dialog.password
    assert not dialog.offline_button.isVisible()
    assert not dialog.busy and dialog.sign_in_button.isEnabled()


def test_an_empty_password_is_asked_for_without_calling_the_server(
    qtbot: Any, make_dialog: Callable[..., SignInDialog]
) -> None:
    calls: list[Any] = []
    dialog = make_dialog(sign_in=lambda *a, **k: calls.append(a))
    qtbot.keyClicks(dialog.user, "rm001")
    qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
    assert dialog.message.text() == "Enter your password."
    assert calls == []


def test_with_the_server_down_a_known_user_is_offered_offline_work(
    qtbot: Any, make_dialog: Callable[..., SignInDialog], live_bank: LiveBank
) -> None:
    first = make_dialog()
    sign_in(qtbot, first, "rm001", PASSWORD)
    assert first.signed_in is not None
    sign_out(first.signed_in, wait_s=1.0)
    live_bank.server.stop()

    dialog = make_dialog(username="rm001")
    qtbot.keyClicks(dialog.password, PASSWORD)
    qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible()
    assert "cannot be reached" in dialog.message.text()
    assert "work offline" in dialog.message.text()
    assert dialog.offline_button.isVisible() and dialog.offline_button.isDefault()

    qtbot.mouseClick(dialog.offline_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.signed_in is not None and dialog.signed_in.mode == "offline"
    assert dialog.signed_in.user.id == "rm001"


def test_offline_with_a_wrong_password_says_how_many_attempts_are_left(
    qtbot: Any, make_dialog: Callable[..., SignInDialog], live_bank: LiveBank
) -> None:
    first = make_dialog()
    sign_in(qtbot, first, "rm001", PASSWORD)
    assert first.signed_in is not None
    sign_out(first.signed_in, wait_s=1.0)
    live_bank.server.stop()

    dialog = make_dialog(username="rm001")
    qtbot.keyClicks(dialog.password, "not-my-password")
    qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.offline_button, Qt.MouseButton.LeftButton)
    assert dialog.signed_in is None
    assert dialog.message.text() == (
        "The password is wrong. Attempts left before offline sign-in is blocked: 4."
    )
    assert dialog.focusWidget() is dialog.password


def test_with_the_server_down_a_new_user_is_told_to_connect(
    qtbot: Any, make_dialog: Callable[..., SignInDialog], live_bank: LiveBank
) -> None:
    live_bank.server.stop()
    dialog = make_dialog()
    sign_in(qtbot, dialog, "rm001", PASSWORD)
    assert dialog.signed_in is None
    assert dialog.message.text().startswith("Offline: RM Desk cannot reach the bank's server.")
    assert not dialog.offline_button.isVisible()


def test_a_server_locked_by_it_cannot_be_edited(
    make_dialog: Callable[..., SignInDialog], paths: AppPaths, tmp_path: Path, live_bank: LiveBank
) -> None:
    machine = tmp_path / "machine.toml"
    machine.write_text(f'server_url = "{live_bank.url}"\nlocked = ["server_url"]\n')
    dialog = make_dialog(load_config(paths, {}, machine_config=machine))
    assert dialog.server.isReadOnly()
    assert dialog.server.text() == live_bank.url


def test_esc_closes_the_sign_in_dialog(
    qtbot: Any, make_dialog: Callable[..., SignInDialog]
) -> None:
    dialog = make_dialog()
    qtbot.keyClick(dialog.user, Qt.Key.Key_Escape)
    assert dialog.result() == QDialog.DialogCode.Rejected
    assert not dialog.isVisible()


def test_fields_have_accessible_names(make_dialog: Callable[..., SignInDialog]) -> None:
    dialog = make_dialog()
    names = [w.accessibleName() for w in (dialog.server, dialog.user, dialog.password)]
    assert names == ["Server address", "User name", "Password"]


# --- the lock ----------------------------------------------------------------------------------


@pytest.fixture
def locked(
    qtbot: Any,
    paths: AppPaths,
    vault: PersistentTestVault,
    tokens: MemoryTokenStore,
    live_bank: LiveBank,
    signed_sessions: list[SignedIn],
) -> UnlockDialog:
    signed = sign_in_online(
        Config(server_url=live_bank.url),
        paths,
        "rm001",
        PASSWORD,
        vault=vault,
        clock=live_bank.clock,
        tokens=tokens,
        kdf_cost=FAST_KDF,
    )
    signed_sessions.append(signed)
    dialog = UnlockDialog(signed, runner=WorkerThreadRunner(), clock=live_bank.clock)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def unlock_with(qtbot: Any, dialog: UnlockDialog, password: str) -> None:
    dialog.password.clear()
    qtbot.keyClicks(dialog.password, password)
    qtbot.mouseClick(dialog.unlock_button, Qt.MouseButton.LeftButton)


def test_the_lock_shows_who_is_signed_in_and_unlocks_with_the_password(
    qtbot: Any, locked: UnlockDialog
) -> None:
    who = locked.findChild(type(locked.message), "who")
    assert who is not None and "(rm001)" in who.text()
    unlock_with(qtbot, locked, PASSWORD)
    assert locked.result() == QDialog.DialogCode.Accepted


def test_the_lock_refuses_a_wrong_password_then_throttles(
    qtbot: Any, locked: UnlockDialog, live_bank: LiveBank, signed_sessions: list[SignedIn]
) -> None:
    with StoreWrites() as writes:
        unlock_with(qtbot, locked, "not-my-password")
    assert locked.isVisible()
    assert locked.message.text() == "The password is wrong. Attempts left: 4."
    # the slow check and its audit ran on the task runner, not on the GUI thread
    assert writes.gui_thread_statements() == []
    assert writes.off_gui_thread_to(signed_sessions[-1].store)
    unlock_with(qtbot, locked, PASSWORD)  # at once: too soon
    assert locked.message.text() == "The password was wrong a moment ago. Try again in 1 s."
    assert locked.isVisible()
    live_bank.clock.advance(seconds=2)
    unlock_with(qtbot, locked, PASSWORD)
    assert locked.result() == QDialog.DialogCode.Accepted


def test_the_lock_ignores_esc_and_offers_sign_out_after_too_many_failures(
    qtbot: Any, locked: UnlockDialog, live_bank: LiveBank
) -> None:
    qtbot.keyClick(locked.password, Qt.Key.Key_Escape)
    locked.close()
    assert locked.isVisible()
    for _ in range(5):
        unlock_with(qtbot, locked, "not-my-password")
        live_bank.clock.advance(minutes=1)
    assert "Sign out, then sign in online" in locked.message.text()
    assert not locked.unlock_button.isEnabled()
    qtbot.mouseClick(locked.sign_out_button, Qt.MouseButton.LeftButton)
    assert locked.result() == UnlockDialog.SIGN_OUT


def test_sign_in_runs_off_the_gui_thread_and_shows_it_is_busy(
    qtbot: Any, make_dialog: Callable[..., SignInDialog], tokens: MemoryTokenStore
) -> None:
    gui_thread = threading.get_ident()
    release = threading.Event()
    worker_threads: list[int] = []

    def slow_sign_in(*args: Any, **kwargs: Any) -> SignedIn:
        worker_threads.append(threading.get_ident())
        release.wait(10)
        return sign_in_online(*args, **kwargs, tokens=tokens, kdf_cost=FAST_KDF)

    runner = TaskRunner()
    dialog = make_dialog(sign_in=slow_sign_in, runner=runner)
    sign_in(qtbot, dialog, "rm001", PASSWORD)
    assert dialog.busy and dialog.progress.isVisible()
    assert not dialog.sign_in_button.isEnabled() and not dialog.password.isEnabled()
    assert dialog.message.text() == "Signing in…"
    release.set()
    qtbot.waitUntil(lambda: dialog.result() == QDialog.DialogCode.Accepted, timeout=20_000)
    assert worker_threads and worker_threads[0] != gui_thread
    assert runner.wait()


def test_closing_the_dialog_during_sign_in_ends_the_late_session(
    qtbot: Any,
    make_dialog: Callable[..., SignInDialog],
    tokens: MemoryTokenStore,
    live_bank: LiveBank,
) -> None:
    release = threading.Event()
    made: list[SignedIn] = []

    def slow_sign_in(*args: Any, **kwargs: Any) -> SignedIn:
        release.wait(10)
        signed = sign_in_online(*args, **kwargs, tokens=tokens, kdf_cost=FAST_KDF)
        made.append(signed)
        return signed

    runner = TaskRunner()
    dialog = make_dialog(sign_in=slow_sign_in, runner=runner)
    sign_in(qtbot, dialog, "rm001", PASSWORD)
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert dialog.result() == QDialog.DialogCode.Rejected
    release.set()
    token_name = token_name_for(live_bank.url, "rm001")
    qtbot.waitUntil(lambda: bool(made) and tokens.load(token_name) is None, timeout=20_000)
    assert runner.wait()
    assert dialog.signed_in is None
