"""The sign-in dialog at start, and the unlock dialog of the user menu's "Lock".

:class:`SignInDialog` asks for the server (from the config; read-only when IT locked it), the user
name and the password, and signs in through :func:`rm_desk.session.sign_in_online` on the task
runner, never on the GUI thread. When the server cannot be reached and this user signed in online
on this computer before, it says so and offers "Work offline", which unlocks the cache with the
same password (:func:`rm_desk.session.unlock_offline`). After ``accept()`` its :attr:`signed_in`
holds the :class:`~rm_desk.session.SignedIn` the window is built from::

    dialog = SignInDialog(config, paths, vault=vault, runner=runner, clock=utc_now)
    if dialog.exec() == QDialog.DialogCode.Accepted:
        signed = dialog.signed_in

:class:`UnlockDialog` covers a locked window: it shows who is signed in and checks the password
locally (:func:`rm_desk.session.check_unlock`: the verifier in the cache, throttled, audited). It
cannot be closed with Esc; it ends with ``Accepted`` (unlocked) or :attr:`UnlockDialog.SIGN_OUT`
(the user chose to sign out, or must: too many wrong passwords). The caller signs out.

:class:`ReauthDialog` is for an open window whose session the bank ended (sync stopped, the status
bar offers "Sign in again"): it shows who is signed in, asks for the password and signs the same
user in online again through :func:`rm_desk.session.sign_in_again` on the task runner. It ends with
``Accepted`` once the new session is stored (the caller then runs "Sync now"); Esc or "Cancel"
leave everything as it was. A sign-in that finishes after the user cancelled still stores its
session (it is the same user's), and sync picks it up at the next "Sync now".

Errors are shown in the dialog in words (their ``title`` and ``message`` translated in the
``"errors"`` context), never ``repr``; the typed user name is kept and the password field keeps
the focus.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent, QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from rm_desk.config import Config, save_user_setting
from rm_desk.errors import RmDeskError
from rm_desk.local_store.keys import KeyVault
from rm_desk.local_store.unlock import UnlockCheck, UnlockOutcome
from rm_desk.logs import log_failure
from rm_desk.paths import AppPaths
from rm_desk.session import (
    SignedIn,
    WrongPassword,
    can_unlock_offline,
    check_unlock,
    sign_in_again,
    sign_in_online,
    sign_out,
    unlock_offline,
)
from rm_desk.sync.errors import SyncError
from rm_desk.views.error_words import error_words
from rm_desk.views.runner import TaskRunner

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
SignInCall = Callable[..., SignedIn]
"""``(config, paths, username, password, *, vault, clock) -> SignedIn``, as
:func:`~rm_desk.session.sign_in_online` and :func:`~rm_desk.session.unlock_offline`."""


class SignInDialog(QDialog):
    """Sign in online, or unlock offline when the server cannot be reached.

    Args:
        config: The settings; ``server_url`` fills the server field.
        paths: The app's directories (user caches, the user settings file).
        vault: Where cache keys are kept.
        runner: Runs the sign-in off the GUI thread.
        clock: Now, in UTC.
        sign_in: Signs in online; :func:`~rm_desk.session.sign_in_online` by default.
        unlock: Unlocks offline; :func:`~rm_desk.session.unlock_offline` by default.
        can_unlock: Whether a user may unlock offline here;
            :func:`~rm_desk.session.can_unlock_offline` by default.
        username: The user name to fill in (the last one used).
        parent: The parent widget.

    Attributes:
        signed_in: The result after ``accept()``; ``None`` before.
    """

    def __init__(
        self,
        config: Config,
        paths: AppPaths,
        *,
        vault: KeyVault,
        runner: TaskRunner,
        clock: Clock,
        sign_in: SignInCall = sign_in_online,
        unlock: SignInCall = unlock_offline,
        can_unlock: Callable[[AppPaths, str, KeyVault], bool] = can_unlock_offline,
        username: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.signed_in: SignedIn | None = None
        self._config = config
        self._paths = paths
        self._vault = vault
        self._runner = runner
        self._clock = clock
        self._sign_in = sign_in
        self._unlock = unlock
        self._can_unlock = can_unlock
        self._busy = False
        self._cancelled = False

        self.setWindowTitle(self.tr("RM Desk — Sign in"))
        self.setModal(True)
        self.setMinimumWidth(420)

        heading = QLabel(self.tr("Sign in to RM Desk"))
        heading.setObjectName("heading")
        font = heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        heading.setFont(font)

        self.server = QLineEdit(config.server_url)
        self.server.setAccessibleName(self.tr("Server address"))
        if config.is_locked("server_url"):
            self.server.setReadOnly(True)
            self.server.setToolTip(self.tr("Set by IT on this computer"))
        self.user = QLineEdit(username)
        self.user.setAccessibleName(self.tr("User name"))
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName(self.tr("Password"))

        form = QFormLayout()
        form.addRow(self.tr("&Server:"), self.server)
        form.addRow(self.tr("&User name:"), self.user)
        form.addRow(self.tr("&Password:"), self.password)

        self.message = QLabel()
        self.message.setObjectName("message")
        self.message.setWordWrap(True)
        self.message.setAccessibleName(self.tr("Sign-in message"))
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.hide()

        self.progress = QProgressBar()
        self.progress.setRange(0, 0)  # busy: no known end
        self.progress.setTextVisible(False)
        self.progress.setAccessibleName(self.tr("Signing in"))
        self.progress.hide()

        buttons = QDialogButtonBox()
        self.sign_in_button = QPushButton(self.tr("Sign in"))
        self.sign_in_button.setDefault(True)
        self.offline_button = QPushButton(self.tr("Work offline"))
        self.offline_button.hide()
        self.cancel_button = QPushButton(self.tr("Cancel"))
        buttons.addButton(self.sign_in_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.offline_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.cancel_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.sign_in_button.clicked.connect(self._start_sign_in)
        self.offline_button.clicked.connect(self._start_offline)
        self.cancel_button.clicked.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.progress)
        layout.addWidget(buttons)

        self.setTabOrder(self.server, self.user)
        self.setTabOrder(self.user, self.password)
        self.setTabOrder(self.password, self.sign_in_button)
        self.user.textEdited.connect(self._forget_offline_offer)
        self.server.textEdited.connect(self._forget_offline_offer)
        (self.password if username else self.user).setFocus()

    # --- signing in ----------------------------------------------------------------------------

    def _start_sign_in(self) -> None:
        if not self._ready():
            return
        config = self._config_to_use()
        username, password = self.user.text().strip(), self.password.text()
        paths, vault, clock = self._paths, self._vault, self._clock
        self._set_busy(True, self.tr("Signing in…"))
        self._runner.submit(
            lambda: self._sign_in(config, paths, username, password, vault=vault, clock=clock),
            self._finished,
            self._sign_in_failed,
        )

    def _start_offline(self) -> None:
        if not self._ready():
            return
        config = self._config_to_use()
        username, password = self.user.text().strip(), self.password.text()
        paths, vault, clock = self._paths, self._vault, self._clock
        self._set_busy(True, self.tr("Opening the data on this computer…"))
        self._runner.submit(
            lambda: self._unlock(config, paths, username, password, vault=vault, clock=clock),
            self._finished,
            self._offline_failed,
        )

    def _ready(self) -> bool:
        if self._busy:
            return False
        if not self.user.text().strip():
            self._show(self.tr("Enter your user name."))
            self.user.setFocus()
            return False
        if not self.password.text():
            self._show(self.tr("Enter your password."))
            self.password.setFocus()
            return False
        return True

    def _config_to_use(self) -> Config:
        typed = self.server.text().strip()
        if self._config.is_locked("server_url") or typed == self._config.server_url:
            return self._config
        return replace(self._config, server_url=typed)

    def _finished(self, signed: SignedIn) -> None:
        if self._cancelled:
            # The user closed the dialog while this ran: end the session just made.
            self._runner.submit(
                lambda: sign_out(signed),
                None,
                lambda error: log_failure(log, "sign-out of a cancelled sign-in failed", error),
            )
            return
        self._set_busy(False)
        self.signed_in = signed
        self.password.clear()
        self._keep_server(signed)
        self.accept()

    def _keep_server(self, signed: SignedIn) -> None:
        """Remember a server address the user typed, for next time."""
        if signed.mode != "online" or signed.server_url == self._config.server_url:
            return
        try:
            save_user_setting(self._paths, "server_url", signed.server_url)
        except RmDeskError as error:
            log.warning("server address not saved: %s", type(error).__name__)

    def _sign_in_failed(self, error: BaseException) -> None:
        if self._cancelled:
            return
        self._set_busy(False)
        unreachable = isinstance(error, SyncError) and error.retryable
        if unreachable and self._can_unlock(self._paths, self.user.text(), self._vault):
            self._show(
                self.tr(
                    "The bank's server cannot be reached. You can work offline with the data on "
                    "this computer; your changes are sent when the connection is back."
                )
            )
            self.offline_button.show()
            self.offline_button.setDefault(True)
            self.sign_in_button.setText(self.tr("Try again"))
            self.sign_in_button.setDefault(False)
            self.password.setFocus()
            return
        self._show_error(error)

    def _offline_failed(self, error: BaseException) -> None:
        if self._cancelled:
            return
        self._set_busy(False)
        if isinstance(error, WrongPassword):
            self._show(
                self.tr(
                    "The password is wrong. Attempts left before offline sign-in is blocked: "
                    "{count}."
                ).format(count=error.attempts_left)
            )
            self._focus_password()
            return
        self._show_error(error)

    def _show_error(self, error: BaseException) -> None:
        if not isinstance(error, RmDeskError):
            log_failure(log, "sign-in failed", error)
        title, message = error_words(error)
        self._show(self.tr("{title}: {message}").format(title=title, message=message))
        self._focus_password()

    def _forget_offline_offer(self) -> None:
        if self.offline_button.isVisible():
            self.offline_button.hide()
            self.sign_in_button.setText(self.tr("Sign in"))
            self.sign_in_button.setDefault(True)

    # --- state ---------------------------------------------------------------------------------

    def _show(self, text: str) -> None:
        self.message.setText(text)
        self.message.show()

    def _focus_password(self) -> None:
        self.password.setFocus()
        self.password.selectAll()

    def _set_busy(self, busy: bool, text: str = "") -> None:
        self._busy = busy
        for widget in (self.server, self.user, self.password):
            widget.setEnabled(not busy)
        self.sign_in_button.setEnabled(not busy)
        self.offline_button.setEnabled(not busy)
        self.progress.setVisible(busy)
        if busy:
            self._show(text)
        elif not self.message.text():
            self.message.hide()

    @property
    def busy(self) -> bool:
        return self._busy

    def reject(self) -> None:
        # Closing while a sign-in runs: its result, when it comes, is signed out again.
        self._cancelled = self._busy
        super().reject()


class PasswordForm(QWidget):
    """Who is signed in and their password: the part the lock and "Sign in again" share.

    A bold heading, a sentence naming the user, the password field and a message line under it.

    Args:
        heading: The heading (what happened).
        who: The sentence naming the signed-in user and what to do.
        message_name: The accessible name of the message line.
        parent: The dialog.

    Attributes:
        password: The password field (echo off).
        message: The line that shows what went wrong, hidden until there is something to say.
    """

    def __init__(
        self, heading: str, who: str, *, message_name: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        title = QLabel(heading, self)
        title.setObjectName("heading")
        font = title.font()
        font.setBold(True)
        title.setFont(font)
        sentence = QLabel(who, self)
        sentence.setObjectName("who")
        sentence.setWordWrap(True)

        self.password = QLineEdit(self)
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName(self.tr("Password"))
        form = QFormLayout()
        form.addRow(self.tr("&Password:"), self.password)

        self.message = QLabel(self)
        self.message.setObjectName("message")
        self.message.setWordWrap(True)
        self.message.setAccessibleName(message_name)
        self.message.hide()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(title)
        layout.addWidget(sentence)
        layout.addLayout(form)
        layout.addWidget(self.message)
        self.setFocusProxy(self.password)

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.show()

    def show_error(self, error: BaseException, what_failed: str) -> None:
        """Show ``error`` in its own words (its title and message); log it when unexpected.

        Args:
            error: What went wrong.
            what_failed: For the log only (English, no user data): ``"unlock check failed"``.
        """
        if not isinstance(error, RmDeskError):
            log_failure(log, what_failed, error)
        title, message = error_words(error)
        self.show_message(self.tr("{title}: {message}").format(title=title, message=message))


class UnlockDialog(QDialog):
    """Unlock a locked window with the password, checked against the local verifier.

    Args:
        signed_in: The session of the locked window.
        runner: Runs the check (a slow KDF) off the GUI thread.
        clock: Now, in UTC.
        check: The check; :func:`~rm_desk.session.check_unlock` by default.
        parent: The parent widget.
    """

    SIGN_OUT = 2
    """The dialog's result when the user signs out instead of unlocking."""

    def __init__(
        self,
        signed_in: SignedIn,
        *,
        runner: TaskRunner,
        clock: Clock,
        check: Callable[[SignedIn, str, datetime], UnlockCheck] = check_unlock,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._signed_in = signed_in
        self._runner = runner
        self._clock = clock
        self._check = check
        self._busy = False

        self.setWindowTitle(self.tr("RM Desk — Locked"))
        self.setModal(True)
        self.setMinimumWidth(380)

        self.form = PasswordForm(
            self.tr("RM Desk is locked"),
            self.tr("Signed in as {name} ({user_id}). Enter your password to continue.").format(
                name=signed_in.user.name, user_id=signed_in.user.id
            ),
            message_name=self.tr("Unlock message"),
            parent=self,
        )
        self.password, self.message = self.form.password, self.form.message

        buttons = QDialogButtonBox()
        self.unlock_button = QPushButton(self.tr("Unlock"))
        self.unlock_button.setDefault(True)
        self.sign_out_button = QPushButton(self.tr("Sign out"))
        buttons.addButton(self.unlock_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.sign_out_button, QDialogButtonBox.ButtonRole.DestructiveRole)
        self.unlock_button.clicked.connect(self._start_check)
        self.sign_out_button.clicked.connect(lambda: self.done(self.SIGN_OUT))

        layout = QVBoxLayout(self)
        layout.addWidget(self.form)
        layout.addWidget(buttons)
        self.password.setFocus()

    def _start_check(self) -> None:
        if self._busy:
            return
        password = self.password.text()
        if not password:
            self._show(self.tr("Enter your password."))
            return
        signed, now = self._signed_in, self._clock()
        self._set_busy(True)
        self._runner.submit(lambda: self._check(signed, password, now), self._checked, self._failed)

    def _checked(self, check: UnlockCheck) -> None:
        self._set_busy(False)
        outcome = check.outcome
        if outcome is UnlockOutcome.VERIFIED:
            self.password.clear()
            self.accept()
            return
        self.password.selectAll()
        self.password.setFocus()
        if outcome is UnlockOutcome.WRONG:
            self._show(
                self.tr("The password is wrong. Attempts left: {count}.").format(
                    count=check.attempts_left
                )
            )
        elif outcome is UnlockOutcome.THROTTLED:
            self._show(
                self.tr("The password was wrong a moment ago. Try again in {seconds} s.").format(
                    seconds=max(1, math.ceil(check.retry_after_s))
                )
            )
        else:  # LOCKED_OUT or NOT_SET_UP: only signing in online again helps
            self._show(
                self.tr(
                    "RM Desk cannot unlock with this password any more. Sign out, then sign in "
                    "online to continue. Your unsent changes are kept."
                )
            )
            self.password.clear()
            self.password.setEnabled(False)
            self.unlock_button.setEnabled(False)
            self.sign_out_button.setDefault(True)
            self.sign_out_button.setFocus()

    def _failed(self, error: BaseException) -> None:
        self._set_busy(False)
        self.form.show_error(error, "unlock check failed")

    def _show(self, text: str) -> None:
        self.form.show_message(text)

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.unlock_button.setEnabled(not busy)
        self.password.setEnabled(not busy)

    # A lock that Esc or the window's close button dismissed would be no lock at all.
    def reject(self) -> None:
        pass

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            event.ignore()
            return
        super().keyPressEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        event.ignore()


class ReauthDialog(QDialog):
    """Sign the user of an open window in online again after the bank ended their session.

    Args:
        signed_in: The open session whose server session ended.
        runner: Runs the sign-in (network and a slow KDF) off the GUI thread.
        clock: Now, in UTC.
        sign_in_again: Signs in again; :func:`~rm_desk.session.sign_in_again` by default.
        parent: The parent widget.
    """

    def __init__(
        self,
        signed_in: SignedIn,
        *,
        runner: TaskRunner,
        clock: Clock,
        sign_in_again: Callable[..., None] = sign_in_again,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._signed_in = signed_in
        self._runner = runner
        self._clock = clock
        self._sign_in_again = sign_in_again
        self._busy = False
        self._cancelled = False

        self.setWindowTitle(self.tr("RM Desk — Sign in again"))
        self.setModal(True)
        self.setMinimumWidth(420)

        self.form = PasswordForm(
            self.tr("Your session has ended"),
            self.tr(
                "The bank's server ended the session of {name} ({user_id}), so sync has stopped. "
                "Enter your password to sign in again; your unsent changes are kept."
            ).format(name=signed_in.user.name, user_id=signed_in.user.id),
            message_name=self.tr("Sign-in message"),
            parent=self,
        )
        self.password, self.message = self.form.password, self.form.message
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.progress = QProgressBar()
        self.progress.setRange(0, 0)  # busy: no known end
        self.progress.setTextVisible(False)
        self.progress.setAccessibleName(self.tr("Signing in"))
        self.progress.hide()

        buttons = QDialogButtonBox()
        self.sign_in_button = QPushButton(self.tr("Sign in"))
        self.sign_in_button.setDefault(True)
        self.cancel_button = QPushButton(self.tr("Cancel"))
        buttons.addButton(self.sign_in_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.cancel_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.sign_in_button.clicked.connect(self._start)
        self.cancel_button.clicked.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.form)
        layout.addWidget(self.progress)
        layout.addWidget(buttons)
        self.password.setFocus()

    @property
    def busy(self) -> bool:
        return self._busy

    def _start(self) -> None:
        if self._busy:
            return
        password = self.password.text()
        if not password:
            self._show(self.tr("Enter your password."))
            self.password.setFocus()
            return
        signed, clock = self._signed_in, self._clock
        self._set_busy(True)
        self._show(self.tr("Signing in…"))
        self._runner.submit(
            lambda: self._sign_in_again(signed, password, clock=clock),
            self._finished,
            self._failed,
        )

    def _finished(self, _: object) -> None:
        if self._cancelled:
            return
        self._set_busy(False)
        self.password.clear()
        self.accept()

    def _failed(self, error: BaseException) -> None:
        if self._cancelled:
            return
        self._set_busy(False)
        self.form.show_error(error, "signing in again failed")
        self.password.setFocus()
        self.password.selectAll()

    def _show(self, text: str) -> None:
        self.form.show_message(text)

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.password.setEnabled(not busy)
        self.sign_in_button.setEnabled(not busy)
        self.progress.setVisible(busy)

    def reject(self) -> None:
        # Closing while the sign-in runs: its outcome, when it comes, is not shown (see the
        # module docstring).
        self._cancelled = self._busy
        super().reject()


__all__ = ["PasswordForm", "ReauthDialog", "SignInDialog", "UnlockDialog"]
