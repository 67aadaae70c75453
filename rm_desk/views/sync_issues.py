"""The Sync issues screen: conflicts to decide, changes the bank refused, and changes waiting to
be sent.

- **Conflicts**: one card each, naming the record (kind, customer, field) and showing the value
  before, the user's and the bank's, with "Keep mine" and "Take theirs": one click decides it
  (DOMAIN.md: at most two per conflict). Values show as the cache holds them (C2 fields masked);
  a number that would still read as an unmasked mobile, ID or card in free text is masked here.
- **Refused changes**: the bank's reason (and which fields it named), with "Discard", which
  shows the bank's copy again.
- **Waiting to send**: a table of the outbox (queued, sending, held).

Everything goes through :class:`~rm_desk.sync.service.SyncService` when the window runs sync;
without it (tests, screenshots, a window that never signed in online) the same plain functions of
:mod:`rm_desk.sync.issues` work over the cache directly (:class:`StoreIssues`). Decisions are
writes, so they run on the task runner; their errors are shown with their own words.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from rm_desk.domain.enums import (
    AlertStatus,
    ConflictKind,
    OpportunityStage,
    ProductCategory,
    TaskPriority,
    TaskStatus,
    VisitChannel,
    VisitOutcome,
    VisitPurpose,
)
from rm_desk.local_store.engine import Store
from rm_desk.local_store.worklist import RecordContext, record_contexts
from rm_desk.sync import issues
from rm_desk.sync.events import Choice, ConflictEntry, PendingOp
from rm_desk.views import formatting
from rm_desk.views.customer360.labels import label_of
from rm_desk.views.error_banner import ErrorBanner
from rm_desk.views.error_words import translate_words
from rm_desk.views.free_text import masked_free_text as mask_free_text
from rm_desk.views.pending_change_model import Column as PendingColumn
from rm_desk.views.pending_change_model import PendingChange, PendingChangeModel
from rm_desk.views.screen import Screen, screen_heading
from rm_desk.views.workbench import Workbench
from rm_desk.views.worklist_words import entity_label, field_label, op_label

_STYLE = """
QLabel#sectionHeader { font-size: 15px; font-weight: 600; color: #1f4e79; }
QFrame#section { background: white; border: 1px solid #e1e6ec; border-radius: 6px; }
QFrame#issueCard { background: #f8fafc; border: 1px solid #e6ebf0; border-radius: 4px; }
QLabel#issueTitle { font-weight: 600; color: #24313f; }
QTableView::item { padding: 2px 8px; }
QLabel#emptyState { color: #6b7785; font-style: italic; }
QLabel#muted { color: #6b7785; }
QLabel#reason { color: #8a1c14; }
"""

# Fields whose values are codes, and the enum that names them (per entity where they differ).
_CODED_FIELDS: Mapping[tuple[str, str], type[Any]] = {
    ("opportunity", "stage"): OpportunityStage,
    ("opportunity", "category"): ProductCategory,
    ("task", "status"): TaskStatus,
    ("task", "priority"): TaskPriority,
    ("alert", "status"): AlertStatus,
    ("visit", "channel"): VisitChannel,
    ("visit", "purpose"): VisitPurpose,
    ("visit", "outcome"): VisitOutcome,
}
_TIMESTAMP_FIELDS = frozenset({"due_at", "start_at", "end_at"})
_DATE_FIELDS = frozenset({"expected_close"})
_MONEY_FIELDS = frozenset({"amount"})


class IssueSource(Protocol):
    """What the screen asks of sync (SyncService has exactly these)."""

    def list_pending_ops(self) -> tuple[PendingOp, ...]: ...

    def list_conflicts(self) -> tuple[ConflictEntry, ...]: ...

    def list_rejected_ops(self) -> tuple[PendingOp, ...]: ...

    def resolve_conflict(self, conflict_id: int, choice: Choice) -> None: ...

    def discard_rejected(self, op_id: str) -> None: ...


class StoreIssues:
    """The sync issues of a cache without a running sync: :mod:`rm_desk.sync.issues` over it.

    Decisions are audited with the user and device, as SyncService does; what they queue goes
    out at the next sync.
    """

    def __init__(self, store: Store, user_id: str, device_id: str) -> None:
        self._store = store
        self._user_id = user_id
        self._device_id = device_id

    def list_pending_ops(self) -> tuple[PendingOp, ...]:
        return issues.list_pending_ops(self._store)

    def list_conflicts(self) -> tuple[ConflictEntry, ...]:
        return issues.list_conflicts(self._store)

    def list_rejected_ops(self) -> tuple[PendingOp, ...]:
        return issues.list_rejected_ops(self._store)

    def resolve_conflict(self, conflict_id: int, choice: Choice) -> None:
        issues.resolve_conflict(
            self._store, conflict_id, choice, user_id=self._user_id, device_id=self._device_id
        )

    def discard_rejected(self, op_id: str) -> None:
        issues.discard_rejected(
            self._store, op_id, user_id=self._user_id, device_id=self._device_id
        )


class SyncIssuesScreen(Screen):
    """Conflicts, refused changes and changes waiting to be sent; see the module docstring."""

    def __init__(self, bench: Workbench, parent: QWidget | None = None) -> None:
        super().__init__(bench, parent)
        self.setObjectName("syncIssuesScreen")
        self.setStyleSheet(_STYLE)
        self.resize(1200, 800)
        self.source: IssueSource = (
            bench.sync
            if bench.sync is not None
            else StoreIssues(bench.store, bench.user.id, bench.device_id)
        )
        self.conflicts: tuple[ConflictEntry, ...] = ()
        self.rejected: tuple[PendingOp, ...] = ()
        self.pending = PendingChangeModel(self)
        self._refreshed = False

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 12)
        layout.setSpacing(10)
        heading = QHBoxLayout()
        self._title = screen_heading(self.title(), self)
        self._summary = QLabel(self)
        self._summary.setObjectName("screenSubtitle")
        heading.addWidget(self._title)
        heading.addStretch(1)
        heading.addWidget(self._summary, 0, Qt.AlignmentFlag.AlignBottom)
        layout.addLayout(heading)
        self.errors = ErrorBanner(self)
        layout.addWidget(self.errors)

        # One page that scrolls as a whole: each section is as tall as what it holds, so an
        # empty one is a heading and a line of words, and a long one grows the page instead of
        # squeezing the others.
        self._scroll = QScrollArea(self)
        self._scroll.setWidgetResizable(True)
        self._scroll.setFrameShape(QFrame.Shape.NoFrame)
        layout.addWidget(self._scroll, 1)

        self._pending_frame = QFrame(self)
        self._pending_frame.setObjectName("section")
        self._pending_frame.setProperty("section", "pending")
        self._pending_frame.hide()  # placed on the page by the first refresh
        pending_layout = QVBoxLayout(self._pending_frame)
        pending_layout.setContentsMargins(16, 12, 16, 12)
        pending_layout.setSpacing(8)
        self._pending_header = QLabel(self._pending_frame)
        self._pending_header.setObjectName("sectionHeader")
        self._pending_header.setProperty("section", "pending")
        pending_layout.addWidget(self._pending_header)
        self.pending_table = QTableView(self._pending_frame)
        self.pending_table.setModel(self.pending)
        self.pending_table.setTabKeyNavigation(False)  # Tab leaves the table; arrows move in it
        self.pending_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.pending_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.pending_table.verticalHeader().setVisible(False)
        self.pending_table.setAlternatingRowColors(True)
        self.pending_table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.pending_table.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        header = self.pending_table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(PendingColumn.CHANGE, QHeaderView.ResizeMode.Stretch)
        self._pending_empty = self._empty("")
        pending_layout.addWidget(self.pending_table)
        pending_layout.addWidget(self._pending_empty)
        self._retranslate()

    def title(self) -> str:
        return self.tr("Sync issues")

    # ---- reading -------------------------------------------------------------------------------

    def refresh(self) -> None:
        self.conflicts = self.source.list_conflicts()
        self.rejected = self.source.list_rejected_ops()
        pending = self.source.list_pending_ops()
        refs = [(c.entity, c.record_id) for c in self.conflicts]
        refs += [(op.entity, op.record_id) for op in self.rejected + pending]
        with self.bench.store.read() as conn:
            contexts = record_contexts(conn, refs)
        self.pending.show_changes(
            PendingChange(op, contexts.get((op.entity, op.record_id))) for op in pending
        )
        self._refreshed = True
        self._retranslate()
        self._render(contexts)

    def _retranslate(self) -> None:
        self._title.setText(self.title())
        count = self.pending.rowCount()
        self._pending_header.setText(self.tr("Waiting to send ({count})").format(count=count))
        self._pending_empty.setText(self.tr("Every change you made has reached the bank."))
        self._pending_empty.setVisible(count == 0)
        self.pending_table.setVisible(count > 0)
        self._fit_pending_table()
        self._summary.setText(
            self.tr("{conflicts} to decide · {rejected} refused · {pending} waiting").format(
                conflicts=len(self.conflicts), rejected=len(self.rejected), pending=count
            )
        )

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.LanguageChange and self._refreshed:
            self.refresh()

    def _render(self, contexts: Mapping[tuple[str, str], RecordContext]) -> None:
        content = QWidget()
        column = QVBoxLayout(content)
        column.setContentsMargins(0, 0, 8, 0)
        column.setSpacing(14)

        frame, body = self._section(
            "conflicts", self.tr("Conflicts to decide ({count})").format(count=len(self.conflicts))
        )
        if not self.conflicts:
            body.addWidget(self._empty(self.tr("No conflicts: your changes and the bank's agree.")))
        for entry in self.conflicts:
            body.addWidget(
                self._conflict_card(entry, contexts.get((entry.entity, entry.record_id)))
            )
        column.addWidget(frame)

        frame, body = self._section(
            "rejected",
            self.tr("Changes the bank refused ({count})").format(count=len(self.rejected)),
        )
        if not self.rejected:
            body.addWidget(self._empty(self.tr("The bank accepted every change it received.")))
        for op in self.rejected:
            body.addWidget(self._rejected_card(op, contexts.get((op.entity, op.record_id))))
        column.addWidget(frame)
        column.addWidget(self._pending_frame)  # moved onto the new page before the old one goes
        self._pending_frame.show()
        column.addStretch(1)

        previous = self._scroll.takeWidget()
        if previous is not None:
            previous.deleteLater()  # later: this may run inside a click of one of its buttons
        self._scroll.setWidget(content)

    # ---- building blocks -----------------------------------------------------------------------

    def _section(self, key: str, header: str) -> tuple[QFrame, QVBoxLayout]:
        frame = QFrame()
        frame.setObjectName("section")
        frame.setProperty("section", key)
        body = QVBoxLayout(frame)
        body.setContentsMargins(16, 12, 16, 12)
        body.setSpacing(8)
        title = QLabel(header, frame)
        title.setObjectName("sectionHeader")
        title.setProperty("section", key)
        body.addWidget(title)
        return frame, body

    def _empty(self, words: str) -> QLabel:
        label = QLabel(words)
        label.setObjectName("emptyState")
        label.setWordWrap(True)
        return label

    def _fit_pending_table(self) -> None:
        # The page scrolls, not the table: show every waiting change, no more rows than there are.
        table = self.pending_table
        rows = sum(table.rowHeight(row) for row in range(self.pending.rowCount()))
        table.setFixedHeight(
            table.horizontalHeader().sizeHint().height() + rows + 2 * table.frameWidth()
        )

    def _record_words(self, entity: str, context: RecordContext | None) -> str:
        kind = entity_label(entity)
        if context is not None and context.title:
            kind = self.tr("{kind}: {title}").format(kind=kind, title=mask_free_text(context.title))
        name = context.customer_name if context is not None else None
        if name:
            return self.tr("{kind} · {customer}").format(kind=kind, customer=name)
        return kind

    def _conflict_card(self, entry: ConflictEntry, context: RecordContext | None) -> QFrame:
        card = QFrame()
        card.setObjectName("issueCard")
        card.setProperty("conflict_id", entry.id)
        layout = QVBoxLayout(card)
        layout.setContentsMargins(12, 10, 12, 10)
        heading = QLabel(
            self.tr("{record} — {field}").format(
                record=self._record_words(entry.entity, context), field=field_label(entry.field)
            )
        )
        heading.setObjectName("issueTitle")
        heading.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(heading)

        if entry.kind is ConflictKind.FIELDS:
            grid = QGridLayout()
            grid.setHorizontalSpacing(24)
            for number, (title, value) in enumerate(
                (
                    (self.tr("Before"), entry.base),
                    (self.tr("Yours"), entry.mine),
                    (self.tr("The bank's"), entry.theirs),
                )
            ):
                caption = QLabel(title)
                caption.setObjectName("muted")
                shown = QLabel(self.value_words(entry.entity, entry.field, value))
                shown.setTextFormat(Qt.TextFormat.PlainText)
                shown.setWordWrap(True)
                grid.addWidget(caption, 0, number)
                grid.addWidget(shown, 1, number)
                grid.setColumnStretch(number, 1)
            layout.addLayout(grid)
        else:
            explanation = (
                self.tr(
                    "The bank deleted this record after you changed it. Keep mine adds it again"
                    " with your changes; take theirs lets it go."
                )
                if entry.kind is ConflictKind.DELETED
                else self.tr(
                    "You deleted this record, and the bank changed it since. Keep mine deletes"
                    " it anyway; take theirs keeps the bank's copy."
                )
            )
            words = QLabel(explanation)
            words.setWordWrap(True)
            layout.addWidget(words)

        buttons = QHBoxLayout()
        buttons.addStretch(1)
        mine = QPushButton(self.tr("Keep mine"))
        mine.setObjectName("keepMine")
        mine.setProperty("conflict_id", entry.id)
        theirs = QPushButton(self.tr("Take theirs"))
        theirs.setObjectName("takeTheirs")
        theirs.setProperty("conflict_id", entry.id)
        mine.clicked.connect(lambda: self._decide(entry.id, Choice.MINE, (mine, theirs)))
        theirs.clicked.connect(lambda: self._decide(entry.id, Choice.THEIRS, (mine, theirs)))
        buttons.addWidget(mine)
        buttons.addWidget(theirs)
        layout.addLayout(buttons)
        return card

    def _rejected_card(self, op: PendingOp, context: RecordContext | None) -> QFrame:
        card = QFrame()
        card.setObjectName("issueCard")
        card.setProperty("op_id", op.op_id)
        layout = QHBoxLayout(card)
        layout.setContentsMargins(12, 10, 12, 10)
        text = QVBoxLayout()
        heading = QLabel(
            self.tr("{op} · {record}").format(
                op=op_label(op.op), record=self._record_words(op.entity, context)
            )
        )
        heading.setObjectName("issueTitle")
        heading.setTextFormat(Qt.TextFormat.PlainText)
        text.addWidget(heading)
        reason = QLabel(translate_words(op.error_message) or self.tr("The bank gave no reason."))
        reason.setObjectName("reason")
        reason.setWordWrap(True)
        reason.setTextFormat(Qt.TextFormat.PlainText)
        text.addWidget(reason)
        for name, problem in op.field_errors.items():
            detail = QLabel(
                self.tr("{field}: {problem}").format(
                    field=field_label(name), problem=translate_words(problem)
                )
            )
            detail.setObjectName("muted")
            detail.setTextFormat(Qt.TextFormat.PlainText)
            text.addWidget(detail)
        layout.addLayout(text, 1)
        discard = QPushButton(self.tr("Discard"))
        discard.setObjectName("discardRejected")
        discard.setProperty("op_id", op.op_id)
        discard.setToolTip(self.tr("Drop this change and show the bank's copy again"))
        discard.clicked.connect(lambda: self._discard(op.op_id, discard))
        layout.addWidget(discard, 0, Qt.AlignmentFlag.AlignTop)
        return card

    def value_words(self, entity: str, field: str | None, value: Any) -> str:
        """A conflict's value for people: codes named, times and money formatted, numbers that
        would disclose a mobile, ID or card masked."""
        return mask_free_text(self._plain_value(entity, field, value))

    def _plain_value(self, entity: str, field: str | None, value: Any) -> str:
        if value is None:
            return self.tr("(empty)")
        if isinstance(value, bool):
            return self.tr("Yes") if value else self.tr("No")
        if isinstance(value, Mapping):
            if not value:
                return self.tr("(empty)")
            return "\n".join(
                self.tr("{field}: {value}").format(
                    field=field_label(f"{field}.{key}" if field else str(key)),
                    value=self._plain_value(entity, None, item),
                )
                for key, item in value.items()
            )
        if isinstance(value, list | tuple):
            return ", ".join(self._plain_value(entity, None, item) for item in value)
        text = str(value)
        wire = (field or "").split(".", 1)[0]
        coded = _CODED_FIELDS.get((entity, wire))
        if coded is not None:
            return label_of(coded, text)
        if wire in _TIMESTAMP_FIELDS:
            return formatting.moment(formatting.parse_moment(text))
        if wire in _DATE_FIELDS:
            try:
                return formatting.day(date.fromisoformat(text))
            except ValueError:
                return text
        if wire in _MONEY_FIELDS:
            try:
                return formatting.money(Decimal(text))
            except InvalidOperation:
                return text
        return text

    # ---- decisions -----------------------------------------------------------------------------

    def _decide(self, conflict_id: int, choice: Choice, buttons: Iterable[QPushButton]) -> None:
        for button in buttons:
            button.setEnabled(False)  # one click decides
        source = self.source
        self._run(lambda: source.resolve_conflict(conflict_id, choice))

    def _discard(self, op_id: str, button: QPushButton) -> None:
        button.setEnabled(False)
        source = self.source
        self._run(lambda: source.discard_rejected(op_id))

    def _run(self, decision: Callable[[], None]) -> None:
        self.bench.runner.submit(decision, self._decided, self._failed)

    def _decided(self, _result: object) -> None:
        self.errors.hide()
        # SyncService tells its listeners itself; without it, the other views learn here.
        self.bench.bridge.local_write()
        self.refresh()

    def _failed(self, error: BaseException) -> None:
        self.errors.show_error(error)
        self.refresh()


__all__ = ["IssueSource", "StoreIssues", "SyncIssuesScreen", "mask_free_text"]
