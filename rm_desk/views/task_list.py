"""The Tasks screen: the user's open tasks, filtered by bucket (overdue / due today / later) and
priority, sorted by due; a double-click (or Enter) opens the customer's Tasks tab, "Mark done"
closes the selected task.

One short read per refresh (:func:`~rm_desk.local_store.worklist.open_tasks`); the model is
updated in place (:class:`~rm_desk.views.task_model.TaskTableModel`), so marking a task done
keeps the user's place in the list. The write goes through
:func:`~rm_desk.local_store.worklist.mark_task_done` on the task runner, like every write.
"""

from __future__ import annotations

from collections import Counter

from PySide6.QtCore import QEvent, QModelIndex, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from rm_desk.domain.enums import TaskBucket, TaskPriority
from rm_desk.local_store.worklist import TaskRow, mark_task_done, open_tasks
from rm_desk.views import formatting
from rm_desk.views.customer360.labels import label
from rm_desk.views.error_banner import ErrorBanner
from rm_desk.views.screen import Screen, screen_heading
from rm_desk.views.task_model import (
    CUSTOMER_ID_ROLE,
    TASK_ID_ROLE,
    Column,
    TaskFilterProxy,
    TaskTableModel,
)
from rm_desk.views.workbench import Workbench
from rm_desk.views.worklist_words import bucket_label

TAB_TASKS = "tasks"

_STYLE = """
QTableView::item { padding: 2px 8px; }
QLabel#emptyState { color: #6b7785; font-style: italic; padding: 24px; }
QPushButton#bucketFilter { padding: 4px 12px; border: 1px solid #c8d3de; border-radius: 12px;
    background: white; }
QPushButton#bucketFilter:checked { background: #dbe7f3; border-color: #1f4e79; color: #1f4e79; }
"""

_PRIORITY_CHOICES = (TaskPriority.URGENT, TaskPriority.HIGH, TaskPriority.NORMAL, TaskPriority.LOW)


class TaskListScreen(Screen):
    """The user's open tasks; see the module docstring."""

    def __init__(self, bench: Workbench, parent: QWidget | None = None) -> None:
        super().__init__(bench, parent)
        self.setObjectName("taskListScreen")
        self.setStyleSheet(_STYLE)
        self.resize(1200, 800)
        self.model = TaskTableModel(bench.zone, self)
        self.proxy = TaskFilterProxy(self)
        self.proxy.setSourceModel(self.model)

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

        bar = QHBoxLayout()
        bar.setSpacing(6)
        self._bucket_group = QButtonGroup(self)
        self._bucket_group.setExclusive(True)
        self.bucket_buttons: dict[TaskBucket | None, QPushButton] = {}
        for bucket in (None, TaskBucket.OVERDUE, TaskBucket.TODAY, TaskBucket.LATER):
            button = QPushButton(self)
            button.setObjectName("bucketFilter")
            button.setCheckable(True)
            button.setProperty("bucket", bucket.value if bucket else "")
            self._bucket_group.addButton(button)
            self.bucket_buttons[bucket] = button
            bar.addWidget(button)
        self.bucket_buttons[None].setChecked(True)
        self._bucket_group.buttonClicked.connect(self._apply_filters)
        bar.addSpacing(16)
        self.priority_filter = QComboBox(self)
        self.priority_filter.currentIndexChanged.connect(self._apply_filters)
        bar.addWidget(self.priority_filter)
        bar.addStretch(1)
        self.open_button = QPushButton(self)
        self.open_button.clicked.connect(self._open_selected)
        self.done_button = QPushButton(self)
        self.done_button.setObjectName("markDone")
        self.done_button.setDefault(False)
        self.done_button.clicked.connect(self._mark_selected_done)
        bar.addWidget(self.open_button)
        bar.addWidget(self.done_button)
        layout.addLayout(bar)

        self.errors = ErrorBanner(self)
        layout.addWidget(self.errors)

        self.table = QTableView(self)
        self.table.setAccessibleName(self.tr("Open tasks"))
        self.table.setModel(self.proxy)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table; arrows move in it
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(Column.DUE, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(Column.TASK, QHeaderView.ResizeMode.Stretch)
        self.table.doubleClicked.connect(self._open_index)
        self.table.selectionModel().selectionChanged.connect(self._update_actions)
        enter = QShortcut(QKeySequence(Qt.Key.Key_Return), self.table)
        enter.setContext(Qt.ShortcutContext.WidgetShortcut)
        enter.activated.connect(self._open_selected)
        layout.addWidget(self.table, 1)
        self.empty = QLabel(self)
        self.empty.setObjectName("emptyState")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.empty, 1)
        self.empty.hide()
        self.proxy.rowsInserted.connect(self._update_empty)
        self.proxy.rowsRemoved.connect(self._update_empty)
        self.proxy.modelReset.connect(self._update_empty)
        self.proxy.layoutChanged.connect(self._update_empty)

        self._counts: Counter[TaskBucket] = Counter()
        self._retranslate()
        self._update_actions()

    def title(self) -> str:
        return self.tr("Tasks")

    # ---- reading -------------------------------------------------------------------------------

    def refresh(self) -> None:
        today = self.bench.today()
        with self.bench.store.read() as conn:
            rows = open_tasks(
                conn, assignee_id=self.bench.user.id, today=today, zone=self.bench.zone
            )
        self.model.show_tasks(rows, today)
        self._counts = Counter(row.bucket for row in rows)
        self._retranslate()
        self._update_empty()
        self._update_actions()

    def _retranslate(self) -> None:
        self._title.setText(self.title())
        total = sum(self._counts.values())
        self._summary.setText(
            self.tr("1 open task")
            if total == 1
            else self.tr("{count} open tasks").format(count=formatting.number(total))
        )
        self.bucket_buttons[None].setText(
            self.tr("All ({count})").format(count=formatting.number(total))
        )
        for bucket in (TaskBucket.OVERDUE, TaskBucket.TODAY, TaskBucket.LATER):
            self.bucket_buttons[bucket].setText(
                self.tr("{bucket} ({count})").format(
                    bucket=bucket_label(bucket), count=formatting.number(self._counts[bucket])
                )
            )
        chosen = self.priority_filter.currentData()
        self.priority_filter.blockSignals(True)  # re-labelling is not a new choice
        self.priority_filter.clear()
        self.priority_filter.addItem(self.tr("All priorities"), "")
        for priority in _PRIORITY_CHOICES:
            self.priority_filter.addItem(label(priority), priority.value)
        self.priority_filter.setCurrentIndex(max(0, self.priority_filter.findData(chosen or "")))
        self.priority_filter.blockSignals(False)
        self.priority_filter.setAccessibleName(self.tr("Priority"))
        self.open_button.setText(self.tr("Open customer"))
        self.done_button.setText(self.tr("Mark done"))

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()

    # ---- filters -------------------------------------------------------------------------------

    def show_bucket(self, bucket: TaskBucket | None) -> None:
        """Show one bucket (``None``: all), as clicking its filter does."""
        self.bucket_buttons[bucket].setChecked(True)
        self._apply_filters()

    def _apply_filters(self) -> None:
        bucket = next((b for b, button in self.bucket_buttons.items() if button.isChecked()), None)
        self.proxy.set_buckets([bucket] if bucket is not None else [])
        priority = self.priority_filter.currentData()
        self.proxy.set_priorities([TaskPriority(priority)] if priority else [])
        self._update_empty()
        self._update_actions()

    def _update_empty(self) -> None:
        empty = self.proxy.rowCount() == 0
        if sum(self._counts.values()) == 0:
            self.empty.setText(self.tr("You have no open tasks."))
        else:
            self.empty.setText(self.tr("No tasks match these filters."))
        self.empty.setVisible(empty)
        self.table.setVisible(not empty)

    # ---- actions -------------------------------------------------------------------------------

    def selected_task(self) -> TaskRow | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        return self.model.row_at(self.proxy.mapToSource(rows[0]).row())

    def _update_actions(self) -> None:
        selected = self.selected_task() is not None
        self.done_button.setEnabled(selected)
        self.open_button.setEnabled(selected)

    def _open_index(self, index: QModelIndex) -> None:
        customer_id = index.data(CUSTOMER_ID_ROLE)
        if customer_id:
            self.bench.navigator.open_customer(customer_id, TAB_TASKS)

    def _open_selected(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if rows:
            self._open_index(rows[0])

    def _mark_selected_done(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return
        task_id = rows[0].data(TASK_ID_ROLE)
        store, user_id = self.bench.store, self.bench.user.id
        self.done_button.setEnabled(False)  # one click, one change
        self.bench.runner.submit(
            lambda: mark_task_done(store, task_id, user_id=user_id), self._written, self._failed
        )

    def _written(self, _result: object) -> None:
        self.errors.hide()
        self.bench.bridge.local_write()
        if self.bench.sync is not None:
            self.bench.sync.notify_local_write()
        self.refresh()

    def _failed(self, error: BaseException) -> None:
        self.errors.show_error(error)
        self.refresh()


__all__ = ["TaskListScreen"]
