"""The Tasks tab: the customer's tasks, open ones first, overdue in red."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from rm_desk.domain import entities as e
from rm_desk.domain.enums import TaskPriority
from rm_desk.views.customer360.data import CustomerData
from rm_desk.views.customer360.labels import label
from rm_desk.views.customer360.models import MUTED, WARNING, Column, RowsModel
from rm_desk.views.customer360.tab import CustomerTab, unsent_text, unsent_tooltip
from rm_desk.views.formatting import moment, number
from rm_desk.views.free_text import masked_free_text
from rm_desk.views.workbench import Workbench

_NEVER = datetime.max.replace(tzinfo=UTC)


def ordered_tasks(tasks: tuple[e.Task, ...]) -> list[e.Task]:
    """Open tasks first (soonest due first, undated last), then closed ones, latest first."""
    open_tasks = sorted(
        (t for t in tasks if t.status.is_open), key=lambda t: (t.due_at or _NEVER, t.id)
    )
    closed = sorted(
        (t for t in tasks if not t.status.is_open),
        key=lambda t: (t.completed_at or t.due_at or _NEVER, t.id),
        reverse=True,
    )
    return open_tasks + closed


class TasksTab(CustomerTab):
    """The customer's tasks."""

    tab_id = "tasks"

    def __init__(self, bench: Workbench, parent: QWidget | None = None) -> None:
        super().__init__(bench, parent)
        self._unsent: frozenset[str] = frozenset()
        self._staff_name: Callable[[str | None], str] = lambda employee_id: employee_id or "—"
        self.model = RowsModel(
            [
                Column(
                    self.tr("Task"),
                    lambda t: unsent_text(masked_free_text(t.title), t.id in self._unsent),
                    tooltip=lambda t: unsent_tooltip(t.id in self._unsent),
                    bold=lambda t: t.status.is_open,
                    color=lambda t: None if t.status.is_open else MUTED,
                ),
                Column(
                    self.tr("Priority"),
                    lambda t: label(t.priority),
                    color=lambda t: WARNING if t.priority >= TaskPriority.HIGH else None,
                ),
                Column(self.tr("Status"), lambda t: label(t.status)),
                Column(self.tr("Due"), lambda t: moment(t.due_at), color=self._due_color),
                Column(self.tr("Assignee"), lambda t: self._staff_name(t.assignee_id)),
                Column(self.tr("Rule"), lambda t: t.source_rule or "—"),
            ],
            lambda t: t.id,
            self,
        )
        self.summary = QLabel(self)
        self.summary.setObjectName("tasks_summary")
        self.table = QTableView(self)
        self.table.setObjectName("tasks_table")
        self.table.setAccessibleName(self.tr("Tasks"))
        self.table.setModel(self.model)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table; arrows move in it
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.table)

    def title(self) -> str:
        return self.tr("Tasks")

    def show_data(self, data: CustomerData) -> None:
        self._unsent = data.unsent
        self._staff_name = data.staff_name
        tasks = ordered_tasks(data.view.tasks)
        self.model.set_rows(tasks)
        open_count = sum(1 for t in tasks if t.status.is_open)
        overdue = sum(1 for t in tasks if self._is_overdue(t))
        self.summary.setText(
            self.tr("{open} open, {overdue} overdue, {total} in all").format(
                open=number(open_count), overdue=number(overdue), total=number(len(tasks))
            )
            if tasks
            else self.tr("No tasks for this customer.")
        )

    def _is_overdue(self, task: e.Task) -> bool:
        return task.status.is_open and task.due_at is not None and task.due_at < self.bench.clock()

    def _due_color(self, task: e.Task) -> QColor | None:
        return WARNING if self._is_overdue(task) else None


__all__ = ["TasksTab", "ordered_tasks"]
