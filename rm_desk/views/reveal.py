"""A masked C2 value with its "Reveal" button: :class:`MaskedValue`.

The cache holds masked values only (``138****5678``). Revealing one field:

1. the user needs ``pii.reveal`` (without it the button is disabled, its tooltip says why) and a
   connection (without one a message says so and nothing changes);
2. a dialog asks for the reason (a short list, plus free text; "Other" needs the text);
3. ``bench.online.reveal`` runs off the GUI thread; the bank's server checks and audits it;
4. on success one local audit event ``reveal`` is appended (customer, field, reason; never the
   value) in the same task, off the GUI thread like every write, so a value shows only once its
   reveal is accounted for here too; then the full value shows in this one label for
   :data:`REVEAL_MS`, and the masked value comes back (sooner when the widget is hidden or shows
   another record);
5. a failure (not allowed, offline, not found …) is shown with its title and message and nothing is
   audited locally: the server already recorded the refused attempt with its outcome, and a reveal
   that showed nothing on this device leaves nothing to account for here.

Copying (context menu, Ctrl+C) always copies the masked value, even while the full one shows: the
label is not selectable, so Qt's own copy cannot reach the full text.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from PySide6.QtCore import QCoreApplication, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QGuiApplication, QHideEvent, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from rm_desk.domain.enums import Entity
from rm_desk.errors import RmDeskError
from rm_desk.local_store.audit import append_audit
from rm_desk.local_store.queries import utc_text
from rm_desk.views.workbench import Permission, Workbench

REVEAL_MS = 30_000
"""How long a revealed value stays on screen."""

REVEAL_ACTION = "reveal"
"""The audit event's action."""

MAX_DETAILS = 400  # the server takes reasons of up to 500 characters; leave room for the code


class RevealField(StrEnum):
    """The fields the bank's reveal endpoint answers for (API.md §4)."""

    MOBILE = "mobile"
    ID_NO = "id_no"
    ADDRESS = "address"
    ACCOUNT_NUMBER = "account_number"


@dataclass(frozen=True, slots=True)
class RevealTarget:
    """One masked value of one record: what a reveal asks for."""

    customer_id: str
    field: RevealField
    masked: str
    account_id: str | None = None


class RevealReasonDialog(QDialog):
    """Asks why the full value is needed; :meth:`reason` is what the bank's audit records."""

    # Codes, not labels, go to the audit, so a reason reads the same whatever the UI language.
    REASONS: tuple[str, ...] = ("contact", "verification", "servicing", "compliance", "other")

    def __init__(self, field_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reveal_reason_dialog")
        self.setWindowTitle(self.tr("Reveal {field}").format(field=field_name))
        labels = {
            "contact": self.tr("Contacting the customer"),
            "verification": self.tr("Verifying the customer's identity"),
            "servicing": self.tr("Servicing an account or transaction"),
            "compliance": self.tr("KYC or compliance review"),
            "other": self.tr("Other (describe below)"),
        }
        self.choice = QComboBox(self)
        self.choice.setAccessibleName(self.tr("Reason"))
        self.choice.addItem(self.tr("Choose a reason…"), None)
        for code in self.REASONS:
            self.choice.addItem(labels[code], code)
        self.details = QLineEdit(self)
        self.details.setAccessibleName(self.tr("Details"))
        self.details.setMaxLength(MAX_DETAILS)
        self.details.setPlaceholderText(self.tr("Details (required for Other)"))
        note = QLabel(
            self.tr(
                "The full value is shown for 30 seconds. The reveal and its reason are recorded "
                "for the bank's audit."
            ),
            self,
        )
        note.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Reveal"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow(self.tr("Reason"), self.choice)
        form.addRow(self.tr("Details"), self.details)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.buttons)
        self.choice.currentIndexChanged.connect(self._update)
        self.details.textChanged.connect(self._update)
        self._update()

    def reason(self) -> str:
        """``code`` or ``code: details``; empty while the form is incomplete."""
        code = self.choice.currentData()
        if code is None:
            return ""
        details = self.details.text().strip()
        if code == "other" and not details:
            return ""
        return f"{code}: {details}" if details else str(code)

    def _update(self) -> None:
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(bool(self.reason()))


class MaskedValue(QWidget):
    """A masked value, its "Reveal" button, and the 30-second reveal (module docstring).

    Signals:
        revealed(str): The full value of the named field is now shown (the value is not sent).
        concealed(): The masked value is back.
    """

    revealed = Signal(str)
    concealed = Signal()

    def __init__(
        self,
        bench: Workbench,
        parent: QWidget | None = None,
        *,
        field_name: str = "",
        reveal_ms: int = REVEAL_MS,
    ) -> None:
        super().__init__(parent)
        self.bench = bench
        self._field_name = field_name
        self._target: RevealTarget | None = None
        self._revealed = False
        self._dialog: RevealReasonDialog | None = None
        self._notice: QMessageBox | None = None

        self.value_label = QLabel("—", self)
        self.value_label.setObjectName("masked_value")
        # Not selectable: Qt's own selection and copy would reach the full text while revealed.
        self.value_label.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        self.value_label.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.value_label.customContextMenuRequested.connect(self._context_menu)
        self.value_label.setAccessibleName(field_name)
        # Never squeezed below its text: a cut-off masked value reads like a different number.
        self.value_label.setSizePolicy(QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Preferred)
        self.button = QToolButton(self)
        self.button.setObjectName("reveal_button")
        self.button.setText(self.tr("Reveal"))
        self.button.setAutoRaise(True)
        self.button.setStyleSheet("QToolButton:enabled { color: #1d4ed8; }")
        self.button.setAccessibleName(self.tr("Reveal {field}").format(field=field_name))
        self.button.clicked.connect(self.request_reveal)

        self.copy_action = QAction(self.tr("Copy"), self)
        self.copy_action.setShortcut(QKeySequence.StandardKey.Copy)
        self.copy_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.copy_action.triggered.connect(self.copy_to_clipboard)
        self.addAction(self.copy_action)
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(reveal_ms)
        self._timer.timeout.connect(self.conceal)

        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.value_label)
        layout.addWidget(self.button)
        self._update_button()

    # --- what is shown ---------------------------------------------------------------------------

    def set_target(self, target: RevealTarget | None) -> None:
        """Show another record's masked value (a revealed one is concealed first)."""
        self.conceal()
        self._target = target
        self.value_label.setText(target.masked if target is not None and target.masked else "—")
        self._update_button()

    def target(self) -> RevealTarget | None:
        return self._target

    def masked_text(self) -> str:
        return self._target.masked if self._target is not None else ""

    def is_revealed(self) -> bool:
        return self._revealed

    def copy_to_clipboard(self) -> None:
        """Copy the masked value, whatever is shown."""
        QGuiApplication.clipboard().setText(self.masked_text())

    def conceal(self) -> None:
        """Put the masked value back (timer, hide, another record)."""
        self._timer.stop()
        if not self._revealed:
            return
        self._revealed = False
        self.value_label.setText(self.masked_text() or "—")
        self.value_label.setStyleSheet("")
        self.button.setText(self.tr("Reveal"))
        self.concealed.emit()

    def hideEvent(self, event: QHideEvent) -> None:
        # Navigating away must not leave a full value behind on a hidden page.
        self.conceal()
        super().hideEvent(event)

    # --- the reveal flow -------------------------------------------------------------------------

    def request_reveal(self) -> None:
        """The button: check the connection, then ask for the reason (non-blocking dialog)."""
        if self._revealed:
            self.conceal()  # the button reads "Hide" while the full value shows
            return
        if self._target is None or not self.bench.may(Permission.PII_REVEAL):
            return
        if not (self.bench.is_online() and self.bench.online is not None):
            self._tell(
                self.tr("Reveal needs a connection"),
                self.tr(
                    "Full values are fetched from the bank's server for each reveal, and RM Desk "
                    "is offline now. The masked value stays; try again when connected."
                ),
            )
            return
        dialog = RevealReasonDialog(self._field_name, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self.reveal_with_reason(dialog.reason()))
        dialog.finished.connect(self._dialog_closed)
        self._dialog = dialog
        dialog.open()

    def reason_dialog(self) -> RevealReasonDialog | None:
        """The open reason dialog, if any (tests and the main window's focus handling)."""
        return self._dialog

    def notice(self) -> QMessageBox | None:
        """The last message shown (offline, refused), if still open."""
        return self._notice

    def reveal_with_reason(self, reason: str) -> None:
        """Ask the bank for the full value, off the GUI thread."""
        target, online = self._target, self.bench.online
        if target is None or online is None or not reason.strip():
            return
        self.button.setEnabled(False)
        audit = self._audit_writer(target, reason)

        def reveal() -> str:
            value = online.reveal(
                target.customer_id, target.field.value, reason, account_id=target.account_id
            )
            audit()
            return value

        self.bench.runner.submit(reveal, lambda value: self._arrived(target, value), self._failed)

    def _arrived(self, target: RevealTarget, value: str) -> None:
        self._update_button()
        if target != self._target:
            return  # the user moved on to another record meanwhile: show nothing
        self._revealed = True
        self.value_label.setText(value)
        self.value_label.setStyleSheet("font-weight: 600;")
        self.button.setText(self.tr("Hide"))
        self._timer.start()
        self.revealed.emit(target.field.value)

    def _failed(self, error: BaseException) -> None:
        self._update_button()
        if isinstance(error, RmDeskError):
            title = QCoreApplication.translate("errors", error.title)
            message = QCoreApplication.translate("errors", error.message)
        else:
            title = self.tr("Reveal failed")
            message = self.tr("The full value could not be fetched. Please try again later.")
        self._tell(title, message)

    def _audit_writer(self, target: RevealTarget, reason: str) -> Callable[[], None]:
        """The local audit of one reveal, to run off the GUI thread (it reads no widget)."""
        bench = self.bench
        is_account = target.field is RevealField.ACCOUNT_NUMBER

        def write() -> None:
            with bench.store.write() as conn:
                append_audit(
                    conn,
                    ts=utc_text(bench.clock()),
                    action=REVEAL_ACTION,
                    user_id=bench.user.id,
                    device_id=bench.device_id,
                    entity=Entity.ACCOUNT.value if is_account else Entity.CUSTOMER.value,
                    record_id=target.account_id if is_account else target.customer_id,
                    field=target.field.value,
                    reason=reason,
                    detail={"customer_id": target.customer_id},
                )

        return write

    # --- helpers ---------------------------------------------------------------------------------

    def _update_button(self) -> None:
        allowed = self.bench.may(Permission.PII_REVEAL)
        has_value = self._target is not None and bool(self._target.masked)
        self.button.setEnabled(allowed and has_value)
        if not allowed:
            self.button.setToolTip(
                self.tr(
                    "You do not have the permission to reveal personal data (pii.reveal). Ask "
                    "your team lead if you need it."
                )
            )
        elif not has_value:
            self.button.setToolTip(self.tr("There is no value on file to reveal."))
        else:
            self.button.setToolTip(
                self.tr("Show the full value for 30 seconds; asks for a reason and is audited.")
            )

    def _dialog_closed(self) -> None:
        self._dialog = None

    def _context_menu(self, position: QPoint) -> None:
        menu = QMenu(self)
        menu.addAction(self.copy_action)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.popup(self.value_label.mapToGlobal(position))

    def _tell(self, title: str, message: str) -> None:
        box = QMessageBox(QMessageBox.Icon.Information, title, message, parent=self)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.finished.connect(self._notice_closed)
        self._notice = box
        box.open()

    def _notice_closed(self) -> None:
        self._notice = None


__all__ = ["REVEAL_MS", "MaskedValue", "RevealField", "RevealReasonDialog", "RevealTarget"]
