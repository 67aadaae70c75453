"""The model of the Tasks screen: the user's open tasks as a table, and the proxy that sorts and
filters them by bucket and priority.

:class:`TaskTableModel` holds immutable :class:`~rm_desk.local_store.worklist.TaskRow` values
(a :class:`~rm_desk.views.row_table.RowTableModel`). A refresh changes it in place (rows that
went are removed, new ones appended, changed ones updated) rather than resetting it, so the
selection and the scroll position survive a task marked done or a sync. The order of the model
does not matter: :class:`TaskFilterProxy` sorts (by due, first) and filters; the list is one
user's open tasks, small enough for a proxy.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, tzinfo
from enum import IntEnum

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QColor

from rm_desk.domain.enums import TaskBucket, TaskPriority
from rm_desk.local_store.worklist import TaskRow
from rm_desk.views import formatting
from rm_desk.views.customer360.labels import label
from rm_desk.views.free_text import masked_free_text
from rm_desk.views.row_table import SORT_ROLE, Line, RowTableModel
from rm_desk.views.worklist_words import bucket_label

TASK_ID_ROLE = Qt.ItemDataRole.UserRole + 1
"""The task's id (str)."""
CUSTOMER_ID_ROLE = Qt.ItemDataRole.UserRole + 2
"""The customer's id (str), or None for a task without a customer."""
BUCKET_ROLE = Qt.ItemDataRole.UserRole + 3
"""The :class:`TaskBucket` code (str): overdue, today, later."""
PRIORITY_ROLE = Qt.ItemDataRole.UserRole + 4
"""The :class:`TaskPriority` code (str)."""

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


class TaskTableModel(RowTableModel[TaskRow]):
    """Open tasks, one row each; see the module docstring."""

    def __init__(self, zone: tzinfo, parent: QObject | None = None) -> None:
        super().__init__(len(Column), parent=parent)
        self._zone = zone
        self._today: date | None = None

    def show_tasks(self, rows: Iterable[TaskRow], today: date) -> None:
        """Show ``rows``: remove the tasks that went, update the changed, append the new.

        A task whose due words changed because ``today`` moved on counts as changed.
        """
        self._today = today
        self.update_rows(rows, key=_task_id)

    def headers(self) -> tuple[str, ...]:
        return (
            self.tr("Due"),
            self.tr("When"),
            self.tr("Priority"),
            self.tr("Customer"),
            self.tr("Task"),
            self.tr("Status"),
        )

    def cells(self, row: TaskRow) -> tuple[str, ...]:
        return (
            self._due_words(row),
            bucket_label(row.bucket),
            label(row.priority),
            row.customer_name or "—",
            masked_free_text(row.title),
            label(row.status),
        )

    def _due_words(self, row: TaskRow) -> str:
        if row.due_at is None:
            return self.tr("No due date")
        local = row.due_at.astimezone(self._zone)
        if local.date() == self._today:
            return self.tr("Today {time}").format(time=f"{local:%H:%M}")
        return formatting.day(local.date())

    def role_data(self, line: Line[TaskRow], column: int, role: int) -> object:
        row = line.row
        if role == Qt.ItemDataRole.ToolTipRole and column == Column.TASK:
            return line.cells[Column.TASK]
        if role == Qt.ItemDataRole.ForegroundRole:
            if column in (Column.DUE, Column.BUCKET) and row.bucket is TaskBucket.OVERDUE:
                return _OVERDUE_COLOUR
            if column == Column.PRIORITY:
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
        return None

    def sort_value(self, line: Line[TaskRow], column: int) -> str:
        row = line.row
        due = _due_key(row)
        if column == Column.DUE:
            return due
        if column == Column.BUCKET:
            return f"{_BUCKET_RANK[row.bucket]}{due}"
        if column == Column.PRIORITY:
            return f"{_PRIORITY_RANK[row.priority]}{due}"
        if column == Column.CUSTOMER:
            return f"{row.customer_name or ''}\x00{due}"
        if column == Column.TASK:
            return row.title
        return f"{row.status.value}\x00{due}"


def _task_id(row: TaskRow) -> str:
    return row.id


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
