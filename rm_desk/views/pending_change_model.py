"""The table of changes on their way to the bank (queued, sending, held), for the Sync issues
screen.

:class:`PendingChangeModel` is a :class:`~rm_desk.views.row_table.RowTableModel` of immutable
:class:`PendingChange` rows: the outbox op as sync lists it
(:class:`~rm_desk.sync.events.PendingOp`) and whose record it is. A refresh updates it in place
(gone rows removed, new ones appended, the rest updated, each known by its op id) rather than
resetting it, so the selection survives a sync.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import IntEnum

from PySide6.QtCore import QObject, Qt

from rm_desk.domain.enums import OpKind
from rm_desk.local_store.worklist import RecordContext
from rm_desk.sync.events import PendingOp
from rm_desk.views import formatting
from rm_desk.views.free_text import masked_free_text
from rm_desk.views.row_table import Line, RowTableModel
from rm_desk.views.worklist_words import entity_label, field_label, op_label, op_state_label

OP_ID_ROLE = Qt.ItemDataRole.UserRole + 1
"""The op's id (str)."""
STATE_ROLE = Qt.ItemDataRole.UserRole + 2
"""The op's :class:`~rm_desk.domain.enums.OpState` code (str)."""
CUSTOMER_ID_ROLE = Qt.ItemDataRole.UserRole + 3
"""The customer the changed record belongs to (str), or None."""


@dataclass(frozen=True, slots=True)
class PendingChange:
    """One change waiting to reach the bank, and whose record it is."""

    op: PendingOp
    context: RecordContext | None


class Column(IntEnum):
    CHANGE = 0
    CUSTOMER = 1
    STATE = 2
    ATTEMPTS = 3
    SINCE = 4


class PendingChangeModel(RowTableModel[PendingChange]):
    """Changes not yet acknowledged by the bank, in outbox order."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(len(Column), numeric_columns=(Column.ATTEMPTS,), parent=parent)

    def show_changes(self, rows: Iterable[PendingChange]) -> None:
        """Show ``rows`` in place of the list shown: remove the changes that went, update the
        rest, append the new."""
        self.update_rows(rows, key=lambda row: row.op.op_id)

    def headers(self) -> tuple[str, ...]:
        return (
            self.tr("Change"),
            self.tr("Customer"),
            self.tr("State"),
            self.tr("Tries"),
            self.tr("Saved"),
        )

    def cells(self, row: PendingChange) -> tuple[str, ...]:
        op, context = row.op, row.context
        what = entity_label(op.entity)
        if context is not None and context.title:
            what = self.tr("{kind}: {title}").format(
                kind=what, title=masked_free_text(context.title)
            )
        change = self.tr("{op} · {what}").format(op=op_label(op.op), what=what)
        if op.op is OpKind.UPDATE and op.fields:
            # Which fields are on their way: an RM with two edits of one record tells them apart.
            names = ", ".join(dict.fromkeys(field_label(name) for name in op.fields))
            change = self.tr("{change} — {fields}").format(change=change, fields=names)
        return (
            change,
            (context.customer_name if context else None) or "—",
            op_state_label(op.state),
            formatting.number(op.attempts),
            formatting.moment(formatting.parse_moment(op.created_at)),
        )

    def role_data(self, line: Line[PendingChange], column: int, role: int) -> object:
        row = line.row
        if role == OP_ID_ROLE:
            return row.op.op_id
        if role == STATE_ROLE:
            return row.op.state.value
        if role == CUSTOMER_ID_ROLE:
            return row.context.customer_id if row.context else None
        return None


__all__ = [
    "CUSTOMER_ID_ROLE",
    "OP_ID_ROLE",
    "STATE_ROLE",
    "Column",
    "PendingChange",
    "PendingChangeModel",
]
