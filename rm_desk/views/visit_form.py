"""Log a visit, with a follow-up task (Ctrl+L): :class:`VisitForm`.

The RM's most frequent write, so it is built for few clicks: from a 360 view the customer is
already chosen; channel, purpose and outcome are one click each (radio buttons, arrow keys move
within a row); the start is now and the end half an hour later; "+1d", "+3d" and "+7d" add a
follow-up task due that many days on; Ctrl+Enter saves, Esc cancels (asking first when something
was typed). Opened without a customer, the form starts with a customer field that is the global
search (:class:`CustomerPicker`, the same search box and results as Ctrl+K).

Saving writes only the cache: the visit and its follow-up task are created, with their outbox
ops, in one transaction (:func:`~rm_desk.local_store.writes.record_edits`) on the task runner,
so the form works offline and sync sends both later. Input is checked first
(:func:`problems`) in the user's language and nothing is written while anything is wrong; a
failed save keeps every field as the user left it and shows the error's own words.

What goes to the bank is built by :func:`visit_edits` from a frozen :class:`VisitDraft`: the
wire codes of the enums, RFC 3339 UTC timestamps (through the entities' own ``to_wire``, the
form the server parses) and client UUIDs. The notes are C2: they are written to the encrypted
cache and nowhere else (never a log line, a title or an error message).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from itertools import pairwise
from typing import Any

from PySide6.QtCore import QCoreApplication, QDate, QDateTime, Qt, QTime, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractButton,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDateTimeEdit,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from rm_desk.domain import entities as e
from rm_desk.domain.enums import (
    Entity,
    OpKind,
    TaskKind,
    TaskPriority,
    TaskStatus,
    Tier,
    VisitChannel,
    VisitOutcome,
    VisitPurpose,
)
from rm_desk.domain.fields import RecordRole, editable_fields
from rm_desk.domain.masking import mask_name
from rm_desk.local_store.queries import customer_heading, utc_text
from rm_desk.local_store.writes import Edit, EditResult, new_record_id, record_edits
from rm_desk.views.customer360.labels import label, label_of
from rm_desk.views.error_banner import ErrorBanner
from rm_desk.views.search import SearchBox
from rm_desk.views.watermark import Watermark
from rm_desk.views.workbench import Workbench

DEFAULT_MINUTES = 30
"""A visit's length until the user says otherwise."""
QUICK_DUE_DAYS = (1, 3, 7)
"""The follow-up's quick due buttons: +1d, +3d, +7d."""
DUE_TIME = time(18, 0)
"""A follow-up is due at the end of the business day of its due date (bank time)."""
DATETIME_FORMAT = "yyyy-MM-dd HH:mm"
DATE_FORMAT = "yyyy-MM-dd"


@dataclass(frozen=True, slots=True)
class VisitDraft:
    """What the form holds, in domain types (times aware, in any zone)."""

    customer_id: str | None
    channel: VisitChannel
    purpose: VisitPurpose | None
    start_at: datetime
    end_at: datetime | None
    location_text: str
    notes: str
    outcome: VisitOutcome | None
    next_steps: str
    follow_up: bool
    task_title: str
    task_due: date | None
    task_priority: TaskPriority


class Problem:
    """Which field a validation message is about (the form focuses the first)."""

    CUSTOMER = "customer"
    PURPOSE = "purpose"
    END = "end"
    TASK_DUE = "task_due"


def problems(draft: VisitDraft, today: date) -> list[tuple[str, str]]:
    """What is wrong with a draft, as ``(field, message)`` in the user's language; empty when
    it may be saved."""
    translate = QCoreApplication.translate
    found: list[tuple[str, str]] = []
    if not draft.customer_id:
        found.append((Problem.CUSTOMER, translate("VisitForm", "Choose the customer you met.")))
    if draft.purpose is None:
        found.append((Problem.PURPOSE, translate("VisitForm", "Choose the purpose of the visit.")))
    if draft.end_at is not None and draft.end_at < draft.start_at:
        found.append(
            (
                Problem.END,
                translate("VisitForm", "The visit ends before it starts; check the end time."),
            )
        )
    if draft.follow_up and (draft.task_due is None or draft.task_due < today):
        found.append(
            (
                Problem.TASK_DUE,
                translate(
                    "VisitForm", "The follow-up cannot be due before today; choose a later day."
                ),
            )
        )
    return found


def default_task_title(purpose: VisitPurpose | None) -> str:
    """The follow-up's title when the user typed none: ``Follow up: Portfolio review``."""
    if purpose is None:
        return QCoreApplication.translate("VisitForm", "Follow up on the visit")
    return QCoreApplication.translate("VisitForm", "Follow up: {purpose}").format(
        purpose=label(purpose)
    )


def visit_edits(
    draft: VisitDraft,
    *,
    user_id: str,
    now: datetime,
    zone: tzinfo,
    visit_id: str,
    task_id: str,
) -> list[Edit]:
    """The creates that log a draft: the visit, then its follow-up task when asked for.

    The records are built as entities and turned into wire form by their own ``to_wire`` (the
    codes and RFC 3339 UTC text the server parses), then cut to the fields a creator may send;
    what the server stamps itself (``rm_id``, ``assigner_id``, ``created_at``) goes to the
    cached rows only, so they display fully until the bank's copies replace them.

    Raises:
        ValueError: the draft has :func:`problems` (callers check first).
    """
    if draft.customer_id is None or draft.purpose is None:
        raise ValueError("the draft is not complete")
    stamp = utc_text(now)
    with_task = draft.follow_up and draft.task_due is not None
    visit = e.Visit(
        id=visit_id,
        rev=0,
        customer_ids=(draft.customer_id,),
        rm_id=user_id,
        channel=draft.channel,
        purpose=draft.purpose,
        start_at=draft.start_at,
        end_at=draft.end_at,
        location_text=draft.location_text.strip() or None,
        notes=draft.notes.strip() or None,
        outcome=draft.outcome,
        next_steps=draft.next_steps.strip() or None,
        linked_task_ids=(task_id,) if with_task else (),
    )
    edits = [
        Edit(
            Entity.VISIT.value,
            visit_id,
            OpKind.CREATE,
            _creatable(Entity.VISIT, visit.to_wire()),
            stamped={"rm_id": user_id, "created_at": stamp},
        )
    ]
    if with_task and draft.task_due is not None:
        task = e.Task(
            id=task_id,
            rev=0,
            title=draft.task_title.strip() or default_task_title(draft.purpose),
            kind=TaskKind.MANUAL,
            customer_id=draft.customer_id,
            related_entity=Entity.VISIT,
            related_id=visit_id,
            priority=draft.task_priority,
            status=TaskStatus.NOT_STARTED,
            due_at=datetime.combine(draft.task_due, DUE_TIME, zone),
            assignee_id=user_id,
        )
        edits.append(
            Edit(
                Entity.TASK.value,
                task_id,
                OpKind.CREATE,
                _creatable(Entity.TASK, task.to_wire()),
                stamped={"assigner_id": user_id, "created_at": stamp},
            )
        )
    return edits


def _creatable(entity: Entity, wire: dict[str, Any]) -> dict[str, Any]:
    """The fields of a record's wire form a creator may send, empty ones left out."""
    allowed = editable_fields(entity, RecordRole.CREATOR)
    return {
        name: value
        for name, value in wire.items()
        if name in allowed and value is not None and value != []
    }


class CustomerPicker(SearchBox):
    """The global search box, choosing a customer for the form (``customer_picked``) instead of
    opening a 360 view; Ctrl+K still means the window's own search box."""

    def __init__(self, bench: Workbench, parent: QWidget | None = None) -> None:
        super().__init__(bench, parent, global_search=False)
        self.setObjectName("visitCustomerPicker")

    def _retranslate(self) -> None:
        super()._retranslate()
        self.setPlaceholderText(self.tr("Find the customer: name, pinyin, last 4 digits…"))
        self.setAccessibleName(self.tr("Customer"))


class VisitForm(QDialog):
    """The visit form (module docstring).

    Signals:
        saved(visit_id, task_id): The visit (and its follow-up, ``task_id`` ``""`` without one)
            is in the cache and the outbox; the form closes.
    """

    saved = Signal(str, str)

    def __init__(
        self, bench: Workbench, customer_id: str | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.bench = bench
        self.setObjectName("visitForm")
        self.setModal(True)
        self.visit_id = new_record_id()
        self.task_id = new_record_id()
        self.discard_prompt: QMessageBox | None = None
        self._customer_id: str | None = None
        self._saving = False
        self._end_touched = False
        self._closing = False

        self.banner = ErrorBanner(self)
        self.problems_label = QLabel(self)
        self.problems_label.setObjectName("visitProblems")
        self.problems_label.setWordWrap(True)
        self.problems_label.setTextFormat(Qt.TextFormat.PlainText)
        self.problems_label.setStyleSheet("color: #b42318;")
        self.problems_label.hide()

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.customer_label = QLabel(self)
        self.customer_label.setObjectName("visitCustomer")
        self.customer_label.setTextFormat(Qt.TextFormat.PlainText)
        self.picker: CustomerPicker | None = None
        customer_row = QVBoxLayout()
        customer_row.setContentsMargins(0, 0, 0, 0)
        customer_row.addWidget(self.customer_label)
        if customer_id is None:
            self.picker = CustomerPicker(bench, self)
            self.picker.customer_picked.connect(self.set_customer)
            customer_row.addWidget(self.picker)
        self._customer_caption = QLabel(self.tr("Customer"), self)
        form.addRow(self._customer_caption, customer_row)

        self.channels = self._choices(
            [(label(c), c) for c in VisitChannel], self.tr("Channel"), "visitChannel"
        )
        self.channels.buttons()[0].setChecked(True)
        form.addRow(self.tr("Channel"), self._row_of(self.channels))
        self.purposes = self._choices(
            [(label(p), p) for p in VisitPurpose], self.tr("Purpose"), "visitPurpose"
        )
        form.addRow(self.tr("Purpose"), self._row_of(self.purposes, wrap_after=4))

        now = self._now_minute()
        self.start = QDateTimeEdit(self)
        self.start.setObjectName("visitStart")
        self.start.setAccessibleName(self.tr("Start"))
        self.start.setDisplayFormat(DATETIME_FORMAT)
        self.start.setCalendarPopup(True)
        self._set_moment(self.start, now)
        self.end = QDateTimeEdit(self)
        self.end.setObjectName("visitEnd")
        self.end.setAccessibleName(self.tr("End"))
        self.end.setDisplayFormat(DATETIME_FORMAT)
        self.end.setCalendarPopup(True)
        self._set_moment(self.end, now + timedelta(minutes=DEFAULT_MINUTES))
        self.duration = QLabel(self)
        self.duration.setObjectName("visitDuration")
        self._duration = timedelta(minutes=DEFAULT_MINUTES)
        self.start.dateTimeChanged.connect(self._start_changed)
        self.end.dateTimeChanged.connect(self._end_changed)
        times = QHBoxLayout()
        times.addWidget(self.start)
        times.addWidget(QLabel("–", self))  # a dash between two times, the same in every language
        times.addWidget(self.end)
        times.addWidget(self.duration, 1)
        form.addRow(self.tr("When"), times)

        self.location = QLineEdit(self)
        self.location.setObjectName("visitLocation")
        self.location.setAccessibleName(self.tr("Location"))
        self.location.setPlaceholderText(self.tr("Where you met (no GPS), e.g. customer's office"))
        form.addRow(self.tr("Location"), self.location)

        self.outcomes = self._choices(
            [(label(o), o) for o in VisitOutcome], self.tr("Outcome"), "visitOutcome"
        )
        form.addRow(self.tr("Outcome"), self._row_of(self.outcomes))

        self.notes = QPlainTextEdit(self)
        self.notes.setObjectName("visitNotes")
        self.notes.setAccessibleName(self.tr("Notes"))
        self.notes.setPlaceholderText(self.tr("What was discussed"))
        self.notes.setTabChangesFocus(True)
        self.notes.setMinimumHeight(90)
        form.addRow(self.tr("Notes"), self.notes)

        self.next_steps = QLineEdit(self)
        self.next_steps.setObjectName("visitNextSteps")
        self.next_steps.setAccessibleName(self.tr("Next steps"))
        form.addRow(self.tr("Next steps"), self.next_steps)

        self.follow_up = QCheckBox(self.tr("Add a follow-up task"), self)
        self.follow_up.setObjectName("visitFollowUp")
        self.follow_up.setAccessibleName(self.tr("Add a follow-up task"))
        self.quick_due: dict[int, QPushButton] = {}
        due_row = QHBoxLayout()
        due_row.addWidget(self.follow_up)
        for days in QUICK_DUE_DAYS:
            button = QPushButton(self.tr("+{days}d").format(days=days), self)
            button.setObjectName(f"visitDuePlus{days}")
            button.setAccessibleName(
                self.tr("Follow up in {days} days").format(days=days)
                if days != 1
                else self.tr("Follow up tomorrow")
            )
            button.setAutoDefault(False)
            button.clicked.connect(lambda _=False, d=days: self.set_due_in(d))
            due_row.addWidget(button)
            self.quick_due[days] = button
        self.task_due = QDateEdit(self)
        self.task_due.setObjectName("visitTaskDue")
        self.task_due.setAccessibleName(self.tr("Follow-up due"))
        self.task_due.setDisplayFormat(DATE_FORMAT)
        self.task_due.setCalendarPopup(True)
        self.task_due.setDate(self._qdate(self.bench.today() + timedelta(days=3)))
        self.task_due.dateChanged.connect(lambda _d: self.follow_up.setChecked(True))
        due_row.addWidget(self.task_due)
        self.task_priority = QComboBox(self)
        self.task_priority.setObjectName("visitTaskPriority")
        self.task_priority.setAccessibleName(self.tr("Follow-up priority"))
        for priority in TaskPriority:
            self.task_priority.addItem(label(priority), priority.value)
        self.task_priority.setCurrentIndex(list(TaskPriority).index(TaskPriority.NORMAL))
        due_row.addWidget(self.task_priority)
        due_row.addStretch(1)
        form.addRow(self.tr("Follow-up"), due_row)
        self.task_title = QLineEdit(self)
        self.task_title.setObjectName("visitTaskTitle")
        self.task_title.setAccessibleName(self.tr("Follow-up task"))
        self.task_title.textEdited.connect(lambda _t: self.follow_up.setChecked(True))
        form.addRow(self.tr("Task"), self.task_title)
        self.purposes.buttonToggled.connect(self._update_task_placeholder)

        self.save_button = QPushButton(self.tr("Save (Ctrl+Enter)"), self)
        self.save_button.setObjectName("visitSave")
        self.save_button.setAccessibleName(self.tr("Save the visit"))
        self.save_button.setAutoDefault(False)
        self.save_button.clicked.connect(self.save)
        self.cancel_button = QPushButton(self.tr("Cancel"), self)
        self.cancel_button.setObjectName("visitCancel")
        self.cancel_button.setAccessibleName(self.tr("Cancel"))
        self.cancel_button.setAutoDefault(False)
        self.cancel_button.clicked.connect(self.reject)
        self.offline_note = QLabel(
            self.tr("Saved on this computer first; sent to the bank at the next sync."), self
        )
        self.offline_note.setObjectName("visitOfflineNote")
        self.offline_note.setStyleSheet("color: #6b7280;")
        buttons = QHBoxLayout()
        buttons.addWidget(self.offline_note, 1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.save_button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(self.problems_label)
        layout.addLayout(form)
        layout.addLayout(buttons)

        # Enter and Return on the keypad are both "Enter" to a user.
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
            shortcut.activated.connect(self.save)

        self._watermark = Watermark(self, bench.user.id, bench.device_id, bench.clock)
        self._update_duration()
        self._update_task_placeholder()
        self._set_tab_order()
        self.setWindowTitle(self.tr("Log a visit — RM Desk"))
        if customer_id is not None:
            self.set_customer(customer_id)
        else:
            self.customer_label.hide()
        self.resize(760, self.sizeHint().height())

    # --- building ------------------------------------------------------------------------------

    def _choices(
        self, items: list[tuple[str, Any]], group_name: str, object_name: str
    ) -> QButtonGroup:
        group = QButtonGroup(self)
        group.setExclusive(True)
        for text, code in items:
            button = QRadioButton(text, self)
            button.setObjectName(f"{object_name}_{code.value}")
            button.setAccessibleName(
                self.tr("{group}: {choice}").format(group=group_name, choice=text)
            )
            button.setProperty("code", code.value)
            group.addButton(button)
        return group

    def _row_of(self, group: QButtonGroup, wrap_after: int = 0) -> QVBoxLayout:
        rows = QVBoxLayout()
        rows.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        for n, button in enumerate(group.buttons()):
            if wrap_after and n and n % wrap_after == 0:
                row.addStretch(1)
                rows.addLayout(row)
                row = QHBoxLayout()
            row.addWidget(button)
        row.addStretch(1)
        rows.addLayout(row)
        return rows

    def _set_tab_order(self) -> None:
        """Top to bottom as the form reads; each row of choices is one stop (arrows move in it)."""
        chain: list[QWidget] = []
        if self.picker is not None:
            chain.append(self.picker)
        for group in (self.channels, self.purposes):
            chain.append(group.buttons()[0])
        chain += [self.start, self.end, self.location, self.outcomes.buttons()[0], self.notes]
        chain += [self.next_steps, self.follow_up, *self.quick_due.values()]
        chain += [self.task_due, self.task_priority, self.task_title]
        chain += [self.cancel_button, self.save_button]
        for first, second in pairwise(chain):
            QWidget.setTabOrder(first, second)

    # --- the customer --------------------------------------------------------------------------

    @property
    def customer_id(self) -> str | None:
        return self._customer_id

    def set_customer(self, customer_id: str) -> bool:
        """Log the visit for this customer; False when it is not in the cache."""
        with self.bench.store.read() as conn:  # one indexed row
            row = customer_heading(conn, customer_id)
        if row is None:
            self._show_problems(
                [(Problem.CUSTOMER, self.tr("This customer is not in your book on this computer."))]
            )
            return False
        self._customer_id = customer_id
        # The name as the 360 header shows it (the form carries the watermark); the title
        # masks it, as every window title does.
        self.customer_label.setText(
            self.tr("{name} · {tier}").format(name=row.name, tier=label_of(Tier, row.tier))
        )
        self.customer_label.show()
        self.setWindowTitle(
            self.tr("Log a visit: {customer} — RM Desk").format(customer=mask_name(row.name))
        )
        if self.picker is not None:
            self.picker.setPlaceholderText(self.tr("Choose another customer…"))
        if self.problems_label.isVisible():
            self._show_problems(problems(self.draft(), self.bench.today()), focus=False)
        return True

    # --- reading the form ----------------------------------------------------------------------

    def draft(self) -> VisitDraft:
        """What the form holds now."""
        zone = self.bench.zone
        return VisitDraft(
            customer_id=self._customer_id,
            channel=VisitChannel(self._checked(self.channels) or VisitChannel.ONSITE.value),
            purpose=_maybe(VisitPurpose, self._checked(self.purposes)),
            start_at=self._moment(self.start, zone),
            end_at=self._moment(self.end, zone),
            location_text=self.location.text(),
            notes=self.notes.toPlainText(),
            outcome=_maybe(VisitOutcome, self._checked(self.outcomes)),
            next_steps=self.next_steps.text(),
            follow_up=self.follow_up.isChecked(),
            task_title=self.task_title.text(),
            task_due=_py_date(self.task_due.date()) if self.follow_up.isChecked() else None,
            task_priority=TaskPriority(self.task_priority.currentData()),
        )

    def has_input(self) -> bool:
        """Whether closing would lose something the user typed or chose."""
        typed = (self.location, self.next_steps, self.task_title)
        return (
            any(w.text().strip() for w in typed)
            or bool(self.notes.toPlainText().strip())
            or self.purposes.checkedButton() is not None
            or self.outcomes.checkedButton() is not None
            or self.follow_up.isChecked()
        )

    @staticmethod
    def _checked(group: QButtonGroup) -> str | None:
        button = group.checkedButton()
        return None if button is None else str(button.property("code"))

    # --- the follow-up -------------------------------------------------------------------------

    def set_due_in(self, days: int) -> None:
        """A quick due button: the follow-up is due ``days`` after today, and wanted."""
        self.task_due.setDate(self._qdate(self.bench.today() + timedelta(days=days)))
        self.follow_up.setChecked(True)

    def _update_task_placeholder(self, *_args: object) -> None:
        purpose = _maybe(VisitPurpose, self._checked(self.purposes))
        self.task_title.setPlaceholderText(default_task_title(purpose))

    # --- times ---------------------------------------------------------------------------------

    def _now_minute(self) -> datetime:
        now = self.bench.clock().astimezone(self.bench.zone)
        return now.replace(second=0, microsecond=0)

    @staticmethod
    def _qdate(value: date) -> QDate:
        return QDate(value.year, value.month, value.day)

    def _set_moment(self, edit: QDateTimeEdit, value: datetime) -> None:
        # The edit shows the bank's wall time; its own time spec is never used.
        local = value.astimezone(self.bench.zone)
        edit.setDateTime(QDateTime(self._qdate(local.date()), QTime(local.hour, local.minute)))

    @staticmethod
    def _moment(edit: QDateTimeEdit, zone: tzinfo) -> datetime:
        clock = edit.time()
        wall = datetime.combine(_py_date(edit.date()), time(clock.hour(), clock.minute()))
        return wall.replace(second=0, microsecond=0, tzinfo=zone)

    def _start_changed(self, _value: QDateTime) -> None:
        if not self._end_touched:
            # The end follows the start until the user sets it: the length stays.
            zone = self.bench.zone
            self.end.blockSignals(True)
            self._set_moment(self.end, self._moment(self.start, zone) + self._duration)
            self.end.blockSignals(False)
        self._update_duration()

    def _end_changed(self, _value: QDateTime) -> None:
        self._end_touched = True
        self._update_duration()

    def _update_duration(self) -> None:
        zone = self.bench.zone
        length = self._moment(self.end, zone) - self._moment(self.start, zone)
        if length < timedelta(0):
            self.duration.setText(self.tr("ends before it starts"))
            return
        self._duration = length
        minutes = int(length.total_seconds() // 60)
        if minutes < 60:
            self.duration.setText(self.tr("{minutes} min").format(minutes=minutes))
        else:
            self.duration.setText(
                self.tr("{hours} h {minutes} min").format(hours=minutes // 60, minutes=minutes % 60)
            )

    # --- saving --------------------------------------------------------------------------------

    def save(self) -> bool:
        """Check the form and, when it is fine, write it through the runner.

        Returns:
            Whether the save was started (False: problems are shown, nothing was written).
        """
        if self._saving:
            return False
        draft = self.draft()
        found = problems(draft, self.bench.today())
        if found:
            self._show_problems(found)
            return False
        self.problems_label.hide()
        edits = visit_edits(
            draft,
            user_id=self.bench.user.id,
            now=self.bench.clock(),
            zone=self.bench.zone,
            visit_id=self.visit_id,
            task_id=self.task_id,
        )
        store = self.bench.store
        self._saving = True
        self.save_button.setEnabled(False)
        self.bench.runner.submit(lambda: record_edits(store, edits), self._written, self._failed)
        return True

    def _show_problems(self, found: list[tuple[str, str]], *, focus: bool = True) -> None:
        if not found:
            self.problems_label.hide()
            return
        self.problems_label.setText("\n".join(message for _field, message in found))
        self.problems_label.show()
        if focus:
            first = found[0][0]
            target: QWidget | None = {
                Problem.CUSTOMER: self.picker,
                Problem.PURPOSE: self.purposes.buttons()[0],
                Problem.END: self.end,
                Problem.TASK_DUE: self.task_due,
            }.get(first)
            if target is not None:
                target.setFocus(Qt.FocusReason.OtherFocusReason)

    def _written(self, results: list[EditResult]) -> None:
        self._saving = False
        self.banner.hide()
        self.bench.bridge.local_write()
        if self.bench.sync is not None:
            self.bench.sync.notify_local_write()
        task_id = self.task_id if len(results) > 1 else ""
        self.saved.emit(self.visit_id, task_id)
        self._closing = True
        self.accept()

    def _failed(self, error: BaseException) -> None:
        # Everything typed stays where it is; the user may fix the cause and save again.
        self._saving = False
        self.save_button.setEnabled(True)
        self.banner.show_error(error)

    # --- closing -------------------------------------------------------------------------------

    def reject(self) -> None:
        """Esc, Cancel or the window's close: ask first when something would be lost."""
        if self._saving:
            return
        if self._closing or not self.has_input():
            self._closing = True
            super().reject()
            return
        self._ask_to_discard()

    def discard(self) -> None:
        """Close without saving and without asking (the caller decided)."""
        self._closing = True
        QDialog.reject(self)

    def _ask_to_discard(self) -> None:
        if self.discard_prompt is not None and self.discard_prompt.isVisible():
            return
        prompt = QMessageBox(self)
        prompt.setObjectName("visitDiscardPrompt")
        prompt.setIcon(QMessageBox.Icon.Question)
        prompt.setWindowTitle(self.tr("Discard this visit?"))
        prompt.setText(self.tr("This visit is not saved. Discard what you entered?"))
        discard = prompt.addButton(self.tr("Discard"), QMessageBox.ButtonRole.DestructiveRole)
        keep = prompt.addButton(self.tr("Keep editing"), QMessageBox.ButtonRole.RejectRole)
        prompt.setDefaultButton(keep)
        prompt.setEscapeButton(keep)

        def answered(button: QAbstractButton) -> None:
            if button is discard:
                self.discard()

        prompt.buttonClicked.connect(answered)
        self.discard_prompt = prompt
        prompt.open()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._closing:
            super().closeEvent(event)
            return
        event.ignore()
        self.reject()


def _py_date(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


def _maybe(kind: Any, code: str | None) -> Any:
    return None if code is None else kind(code)


__all__ = [
    "CustomerPicker",
    "VisitDraft",
    "VisitForm",
    "default_task_title",
    "problems",
    "visit_edits",
]
