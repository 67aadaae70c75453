"""The table of changes on their way to the bank (queued, sending, held), for the Sync issues
screen.

:class:`PendingChangeModel` holds immutable :class:`PendingChange` rows: the outbox op as sync
lists it (:class:`~rm_desk.sync.events.PendingOp`) and whose record it is. A refresh updates it in
place (gone rows removed, new ones appended, the rest updated) rather than resetting it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from rm_desk.local_store.worklist import RecordContext
from rm_desk.sync.events import PendingOp
from rm_desk.views import formatting
from rm_desk.views.worklist_words import entity_label, op_label, op_state_label

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


class PendingChangeModel(QAbstractTableModel):
    """Changes not yet acknowledged by the bank, in outbox order."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[PendingChange] = []

    def rows(self) -> tuple[PendingChange, ...]:
        return tuple(self._rows)

    def set_rows(self, rows: Iterable[PendingChange]) -> None:
        """Show ``rows``: remove the changes that went, update the rest, append the new."""
        fresh = {row.op.op_id: row for row in rows}
        for position in range(len(self._rows) - 1, -1, -1):
            if self._rows[position].op.op_id not in fresh:
                self.beginRemoveRows(QModelIndex(), position, position)
                del self._rows[position]
                self.endRemoveRows()
        last = len(Column) - 1
        for position, old in enumerate(self._rows):
            new = fresh.pop(old.op.op_id)
            if new != old:
                self._rows[position] = new
                self.dataChanged.emit(self.index(position, 0), self.index(position, last))
        if fresh:
            start = len(self._rows)
            self.beginInsertRows(QModelIndex(), start, start + len(fresh) - 1)
            self._rows.extend(fresh.values())
            self.endInsertRows()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(Column)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        if not 0 <= section < len(Column):
            return None
        titles = {
            Column.CHANGE: self.tr("Change"),
            Column.CUSTOMER: self.tr("Customer"),
            Column.STATE: self.tr("State"),
            Column.ATTEMPTS: self.tr("Tries"),
            Column.SINCE: self.tr("Saved"),
        }
        return titles[Column(section)]

    def data(
        self,
        index: QModelIndex | QPersistentModelIndex,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        column = Column(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, column)
        if role == Qt.ItemDataRole.TextAlignmentRole and column is Column.ATTEMPTS:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == OP_ID_ROLE:
            return row.op.op_id
        if role == STATE_ROLE:
            return row.op.state.value
        if role == CUSTOMER_ID_ROLE:
            return row.context.customer_id if row.context else None
        return None

    def _display(self, row: PendingChange, column: Column) -> str:
        op = row.op
        if column is Column.CHANGE:
            what = entity_label(op.entity)
            if row.context is not None and row.context.title:
                what = self.tr("{kind}: {title}").format(kind=what, title=row.context.title)
            return self.tr("{op} · {what}").format(op=op_label(op.op), what=what)
        if column is Column.CUSTOMER:
            name = row.context.customer_name if row.context else None
            return name or "—"
        if column is Column.STATE:
            return op_state_label(op.state)
        if column is Column.ATTEMPTS:
            return formatting.number(op.attempts)
        return formatting.moment(formatting.parse_moment(op.created_at))


__all__ = [
    "CUSTOMER_ID_ROLE",
    "OP_ID_ROLE",
    "STATE_ROLE",
    "Column",
    "PendingChange",
    "PendingChangeModel",
]
