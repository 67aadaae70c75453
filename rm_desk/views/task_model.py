"""The model of the Tasks screen: the user's open tasks as a table, and the proxy that sorts and
filters them by bucket and priority.

:class:`TaskTableModel` holds immutable :class:`~rm_desk.local_store.worklist.TaskRow` values.
A refresh changes it in place (rows that went are removed, new ones appended, changed ones
updated) rather than resetting it, so the selection and the scroll position survive a task marked
done or a sync. The order of the model does not matter: :class:`TaskFilterProxy` sorts (by due,
first) and filters; the list is one user's open tasks, small enough for a proxy.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, tzinfo
from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QColor

from rm_desk.domain.enums import TaskBucket, TaskPriority
from rm_desk.local_store.worklist import TaskRow
from rm_desk.views import formatting
from rm_desk.views.customer360.labels import label
from rm_desk.views.worklist_words import bucket_label

TASK_ID_ROLE = Qt.ItemDataRole.UserRole + 1
"""The task's id (str)."""
CUSTOMER_ID_ROLE = Qt.ItemDataRole.UserRole + 2
"""The customer's id (str), or None for a task without a customer."""
BUCKET_ROLE = Qt.ItemDataRole.UserRole + 3
"""The :class:`TaskBucket` code (str): overdue, today, later."""
PRIORITY_ROLE = Qt.ItemDataRole.UserRole + 4
"""The :class:`TaskPriority` code (str)."""
SORT_ROLE = Qt.ItemDataRole.UserRole + 5
"""What the column sorts by: text or a number, never None."""

_PRIORITY_RANK = {
    TaskPriority.URGENT: 0,
    TaskPriority.HIGH: 1,
    TaskPriority.NORMAL: 2,
    TaskPriority.LOW: 3,
}
_BUCKET_RANK = {TaskBucket.OVERDUE: 0, TaskBucket.TODAY: 1, TaskBucket.LATER: 2}
_PRIORITY_COLOURS = {
    TaskPriority.URGENT: QColor("#b3261e"),
    TaskPriority.HIGH: QColor("#c25e00"),
}
_OVERDUE_COLOUR = QColor("#b3261e")
_NO_DUE = "~"  # sorts after every RFC 3339 timestamp: undated tasks come last


class Column(IntEnum):
    DUE = 0
    BUCKET = 1
    PRIORITY = 2
    CUSTOMER = 3
    TASK = 4
    STATUS = 5


class TaskTableModel(QAbstractTableModel):
    """Open tasks, one row each; see the module docstring."""

    def __init__(self, zone: tzinfo, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._zone = zone
        self._today: date | None = None
        self._rows: list[TaskRow] = []

    # ---- contents ------------------------------------------------------------------------------

    def rows(self) -> tuple[TaskRow, ...]:
        return tuple(self._rows)

    def set_rows(self, rows: Iterable[TaskRow], today: date) -> None:
        """Show ``rows``: remove the tasks that went, update the changed, append the new."""
        fresh = {row.id: row for row in rows}
        self._today = today
        for position in range(len(self._rows) - 1, -1, -1):
            if self._rows[position].id not in fresh:
                self.beginRemoveRows(QModelIndex(), position, position)
                del self._rows[position]
                self.endRemoveRows()
        last = self.columnCount() - 1
        for position, old in enumerate(self._rows):
            new = fresh.pop(old.id)
            # Always refreshed: the due words depend on today, which may have moved on.
            self._rows[position] = new
            self.dataChanged.emit(self.index(position, 0), self.index(position, last))
        if fresh:
            start = len(self._rows)
            self.beginInsertRows(QModelIndex(), start, start + len(fresh) - 1)
            self._rows.extend(fresh.values())
            self.endInsertRows()

    def row_at(self, row: int) -> TaskRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    # ---- QAbstractTableModel -------------------------------------------------------------------

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
            Column.DUE: self.tr("Due"),
            Column.BUCKET: self.tr("When"),
            Column.PRIORITY: self.tr("Priority"),
            Column.CUSTOMER: self.tr("Customer"),
            Column.TASK: self.tr("Task"),
            Column.STATUS: self.tr("Status"),
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
        if role == Qt.ItemDataRole.ToolTipRole and column is Column.TASK:
            return row.title
        if role == Qt.ItemDataRole.ForegroundRole:
            if column in (Column.DUE, Column.BUCKET) and row.bucket is TaskBucket.OVERDUE:
                return _OVERDUE_COLOUR
            if column is Column.PRIORITY:
                return _PRIORITY_COLOURS.get(row.priority)
            return None
        if role == TASK_ID_ROLE:
            return row.id
        if role == CUSTOMER_ID_ROLE:
            return row.customer_id
        if role == BUCKET_ROLE:
            return row.bucket.value
        if role == PRIORITY_ROLE:
            return row.priority.value
        if role == SORT_ROLE:
            return self._sort_key(row, column)
        return None

    def _display(self, row: TaskRow, column: Column) -> str:
        if column is Column.DUE:
            if row.due_at is None:
                return self.tr("No due date")
            local = row.due_at.astimezone(self._zone)
            if local.date() == self._today:
                return self.tr("Today {time}").format(time=f"{local:%H:%M}")
            return formatting.day(local.date())
        if column is Column.BUCKET:
            return bucket_label(row.bucket)
        if column is Column.PRIORITY:
            return label(row.priority)
        if column is Column.CUSTOMER:
            return row.customer_name or "—"
        if column is Column.TASK:
            return row.title
        return label(row.status)

    def _sort_key(self, row: TaskRow, column: Column) -> str | int:
        due = _due_key(row)
        if column is Column.DUE:
            return due
        if column is Column.BUCKET:
            return f"{_BUCKET_RANK[row.bucket]}{due}"
        if column is Column.PRIORITY:
            return f"{_PRIORITY_RANK[row.priority]}{due}"
        if column is Column.CUSTOMER:
            return f"{row.customer_name or ''}\x00{due}"
        if column is Column.TASK:
            return row.title
        return f"{row.status.value}\x00{due}"


def _due_key(row: TaskRow) -> str:
    """A task's due time as text that sorts in time order, undated tasks last."""
    return row.due_at.astimezone(UTC).isoformat() if row.due_at is not None else _NO_DUE


class TaskFilterProxy(QSortFilterProxyModel):
    """Sorts by :data:`SORT_ROLE` and keeps the tasks of the chosen buckets and priorities."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)
        self.setDynamicSortFilter(True)
        self._buckets: frozenset[str] = frozenset()  # empty: every bucket
        self._priorities: frozenset[str] = frozenset()  # empty: every priority

    def set_buckets(self, buckets: Sequence[TaskBucket]) -> None:
        self.beginFilterChange()
        self._buckets = frozenset(bucket.value for bucket in buckets)
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def set_priorities(self, priorities: Sequence[TaskPriority]) -> None:
        self.beginFilterChange()
        self._priorities = frozenset(priority.value for priority in priorities)
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(
        self, source_row: int, source_parent: QModelIndex | QPersistentModelIndex
    ) -> bool:
        model = self.sourceModel()
        index = model.index(source_row, 0, source_parent)
        if self._buckets and model.data(index, BUCKET_ROLE) not in self._buckets:
            return False
        return not self._priorities or model.data(index, PRIORITY_ROLE) in self._priorities


__all__ = [
    "BUCKET_ROLE",
    "CUSTOMER_ID_ROLE",
    "PRIORITY_ROLE",
    "SORT_ROLE",
    "TASK_ID_ROLE",
    "Column",
    "TaskFilterProxy",
    "TaskTableModel",
]
