"""The Today screen: the RM's morning queue, worked through without leaving it.

Sections, each with its count in the header and friendly words when empty: overdue tasks, tasks
due today, new alerts grouped by rule (one expandable group per rule), this week's maturities and
this week's visits. Every item names the customer (a link to the 360 view, on the tab the item is
about), says what it is and when or how much, and carries its inline actions: "Mark done" on a
task, "Acknowledge" and "Dismiss" on an alert when the RM may decide alerts.

The whole screen is one read of the cache (:func:`~rm_desk.local_store.worklist.today_view`).
Actions write through :mod:`rm_desk.local_store.worklist` (the one write path, with its outbox op)
on the task runner, since a write may wait for the sync worker's transaction; the screen then
re-reads and tells the bridge and sync that the cache changed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from rm_desk.domain.enums import AccountType, AlertStatus, Entity, TaskPriority
from rm_desk.local_store.worklist import (
    AlertGroup,
    AlertRow,
    MaturityRow,
    TaskRow,
    TodayView,
    VisitRow,
    decide_alert,
    mark_task_done,
    may_decide_alerts,
    today_view,
)
from rm_desk.views import formatting
from rm_desk.views.customer360.labels import label, label_of
from rm_desk.views.error_banner import ErrorBanner
from rm_desk.views.screen import Screen
from rm_desk.views.workbench import Workbench
from rm_desk.views.worklist_words import rule_name

# Tabs of the 360 view an item opens on ("" is Overview).
TAB_OVERVIEW = ""
TAB_ACCOUNTS = "accounts"
TAB_TASKS = "tasks"
TAB_INTERACTIONS = "interactions"

PRIORITY_COLOURS = {
    TaskPriority.URGENT: "#b3261e",
    TaskPriority.HIGH: "#c25e00",
    TaskPriority.NORMAL: "#1f4e79",
    TaskPriority.LOW: "#6b7785",
}

_STYLE = """
QLabel#screenTitle { font-size: 20px; font-weight: 600; color: #1f2d3a; }
QLabel#screenSubtitle { color: #5b6875; }
QLabel#sectionHeader { font-size: 15px; font-weight: 600; color: #1f4e79; }
QFrame#section { background: white; border: 1px solid #e1e6ec; border-radius: 6px; }
QLabel#emptyState { color: #6b7785; font-style: italic; }
QLabel#muted { color: #6b7785; }
QPushButton#customerLink { border: none; color: #1f4e79; text-align: left; padding: 0;
    font-weight: 600; }
QPushButton#customerLink:hover { text-decoration: underline; }
QToolButton#ruleGroup { border: none; font-weight: 600; color: #24313f; padding: 2px 0; }
"""


def alert_tab(alert: AlertRow) -> str:
    """The 360 tab an alert is about: its task, its account or holding, else the overview."""
    if alert.object_entity is Entity.TASK:
        return TAB_TASKS
    if alert.object_entity in (Entity.ACCOUNT, Entity.HOLDING):
        return TAB_ACCOUNTS
    return TAB_OVERVIEW


class TodayScreen(Screen):
    """Overdue and due tasks, new alerts by rule, this week's maturities and visits."""

    def __init__(self, bench: Workbench, parent: QWidget | None = None) -> None:
        super().__init__(bench, parent)
        self.setObjectName("todayScreen")
        self.setStyleSheet(_STYLE)
        self.resize(1200, 800)
        self._view: TodayView | None = None
        self._collapsed_rules: set[str] = set()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 12)
        layout.setSpacing(10)
        heading = QHBoxLayout()
        self._title = QLabel(self)
        self._title.setObjectName("screenTitle")
        self._date = QLabel(self)
        self._date.setObjectName("screenSubtitle")
        self._summary = QLabel(self)
        self._summary.setObjectName("screenSubtitle")
        heading.addWidget(self._title)
        heading.addSpacing(12)
        heading.addWidget(self._date, 0, Qt.AlignmentFlag.AlignBottom)
        heading.addStretch(1)
        heading.addWidget(self._summary, 0, Qt.AlignmentFlag.AlignBottom)
        layout.addLayout(heading)

        self.errors = ErrorBanner(self)
        layout.addWidget(self.errors)

        self._scroll = QScrollArea(self)
        self._scroll.setWidgetResizable(True)
        self._scroll.setFrameShape(QFrame.Shape.NoFrame)
        layout.addWidget(self._scroll, 1)
        self._retranslate()

    def title(self) -> str:
        return self.tr("Today")

    def view(self) -> TodayView | None:
        """What the screen shows now (``None`` before the first refresh)."""
        return self._view

    # ---- reading -------------------------------------------------------------------------------

    def refresh(self) -> None:
        today = self.bench.today()
        with self.bench.store.read() as conn:
            view = today_view(conn, user_id=self.bench.user.id, today=today, zone=self.bench.zone)
        self._view = view
        self._retranslate()
        self._date.setText(formatting.day(today))
        self._summary.setText(
            self.tr("{overdue} overdue · {due} due today · {alerts} new alerts").format(
                overdue=formatting.number(len(view.overdue)),
                due=formatting.number(len(view.due_today)),
                alerts=formatting.number(view.alert_count),
            )
        )
        self._render(view, today)

    def _retranslate(self) -> None:
        self._title.setText(self.title())

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.LanguageChange and self._view is not None:
            self.refresh()

    # ---- building the sections -----------------------------------------------------------------

    def _render(self, view: TodayView, today: date) -> None:
        position = self._scroll.verticalScrollBar().value()
        content = QWidget()
        content.setObjectName("todayContent")
        column = QVBoxLayout(content)
        column.setContentsMargins(0, 0, 8, 0)
        column.setSpacing(14)

        column.addWidget(
            self._section(
                "overdue",
                self.tr("Overdue tasks ({count})").format(count=len(view.overdue)),
                self.tr("Nothing is overdue. Well done."),
                [self._task_row(task, today) for task in view.overdue],
            )
        )
        column.addWidget(
            self._section(
                "due_today",
                self.tr("Due today ({count})").format(count=len(view.due_today)),
                self.tr("No tasks are due today."),
                [self._task_row(task, today) for task in view.due_today],
            )
        )
        column.addWidget(self._alerts_section(view.alert_groups, view.alert_count))
        column.addWidget(
            self._section(
                "maturities",
                self.tr("Maturing this week ({count})").format(count=len(view.maturities)),
                self.tr("Nothing of your customers matures this week."),
                [self._maturity_row(item) for item in view.maturities],
            )
        )
        column.addWidget(
            self._section(
                "visits",
                self.tr("Visits this week ({count})").format(count=len(view.visits)),
                self.tr("No visits are planned this week."),
                [self._visit_row(visit) for visit in view.visits],
            )
        )
        column.addStretch(1)
        previous = self._scroll.takeWidget()
        if previous is not None:
            # Later, not now: this may run inside a click of one of its buttons.
            previous.deleteLater()
        self._scroll.setWidget(content)
        self._scroll.verticalScrollBar().setValue(position)

    def _frame(self, key: str, header: str) -> tuple[QFrame, QVBoxLayout]:
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

    def _section(self, key: str, header: str, empty: str, rows: list[list[QWidget]]) -> QFrame:
        frame, body = self._frame(key, header)
        if not rows:
            body.addWidget(self._empty(empty))
        else:
            body.addLayout(_grid(rows))
        return frame

    def _empty(self, words: str) -> QLabel:
        label = QLabel(words)
        label.setObjectName("emptyState")
        return label

    def _alerts_section(self, groups: tuple[AlertGroup, ...], total: int) -> QFrame:
        frame, body = self._frame("alerts", self.tr("New alerts ({count})").format(count=total))
        if not groups:
            body.addWidget(self._empty(self.tr("No new alerts.")))
            return frame
        for group in groups:
            toggle = QToolButton(frame)
            toggle.setObjectName("ruleGroup")
            toggle.setProperty("rule", group.rule_id)
            toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            toggle.setCheckable(True)
            toggle.setText(
                self.tr("{rule} {name} ({count})").format(
                    rule=group.rule_id, name=rule_name(group.rule_id), count=len(group.alerts)
                )
            )
            rows = QWidget(frame)
            rows.setProperty("rule", group.rule_id)
            grid = _grid([self._alert_row(alert) for alert in group.alerts])
            grid.setContentsMargins(20, 0, 0, 4)
            rows.setLayout(grid)
            expanded = group.rule_id not in self._collapsed_rules
            toggle.setChecked(expanded)
            toggle.setArrowType(Qt.ArrowType.DownArrow if expanded else Qt.ArrowType.RightArrow)
            rows.setVisible(expanded)
            toggle.toggled.connect(
                lambda on, rule=group.rule_id, box=rows, button=toggle: self._toggle_rule(
                    rule, on, box, button
                )
            )
            body.addWidget(toggle)
            body.addWidget(rows)
        return frame

    def _toggle_rule(self, rule: str, expanded: bool, rows: QWidget, button: QToolButton) -> None:
        if expanded:
            self._collapsed_rules.discard(rule)
        else:
            self._collapsed_rules.add(rule)
        rows.setVisible(expanded)
        button.setArrowType(Qt.ArrowType.DownArrow if expanded else Qt.ArrowType.RightArrow)

    # ---- rows ----------------------------------------------------------------------------------

    def _customer_link(self, customer_id: str | None, name: str | None, tab: str) -> QWidget:
        shown = name or self.tr("Unknown customer")
        if not customer_id:
            return QLabel(shown)
        link = QPushButton(shown)
        link.setObjectName("customerLink")
        link.setProperty("customer_id", customer_id)
        link.setProperty("tab", tab)
        link.setCursor(Qt.CursorShape.PointingHandCursor)
        link.setFlat(True)
        link.setAccessibleName(self.tr("Open {name}").format(name=shown))
        link.clicked.connect(lambda: self.bench.navigator.open_customer(customer_id, tab))
        return link

    def _task_row(self, task: TaskRow, today: date) -> list[QWidget]:
        priority = QLabel(label(task.priority))
        priority.setStyleSheet(f"color: {PRIORITY_COLOURS[task.priority]}; font-weight: 600;")
        what = QLabel(task.title)
        what.setWordWrap(True)
        due = QLabel(self._due_words(task, today))
        due.setObjectName("muted")
        done = QPushButton(self.tr("Mark done"))
        done.setObjectName("markDone")
        done.setProperty("task_id", task.id)
        done.setAccessibleName(self.tr("Mark the task done"))
        done.clicked.connect(lambda: self._mark_done(task.id, done))
        return [
            priority,
            self._customer_link(task.customer_id, task.customer_name, TAB_TASKS),
            what,
            due,
            _actions(done),
        ]

    def _due_words(self, task: TaskRow, today: date) -> str:
        if task.due_at is None:
            return self.tr("No due date")
        local = task.due_at.astimezone(self.bench.zone)
        if local.date() == today:
            return self.tr("Due today {time}").format(time=f"{local:%H:%M}")
        if local.date() < today:
            return self.tr("Overdue since {day}").format(
                day=formatting.day(local.date(), with_year=local.year != today.year)
            )
        return self.tr("Due {day}").format(day=formatting.day(local.date()))

    def _alert_row(self, alert: AlertRow) -> list[QWidget]:
        severity = QLabel(label(alert.severity))
        severity.setStyleSheet(f"color: {PRIORITY_COLOURS[alert.severity]}; font-weight: 600;")
        message = QLabel(alert.message)
        message.setWordWrap(True)
        message.setTextFormat(Qt.TextFormat.PlainText)
        when = QLabel(formatting.moment(alert.triggered_at))
        when.setObjectName("muted")
        buttons: list[QPushButton] = []
        if may_decide_alerts():
            acknowledge = QPushButton(self.tr("Acknowledge"))
            acknowledge.setObjectName("acknowledgeAlert")
            acknowledge.setProperty("alert_id", alert.id)
            dismiss = QPushButton(self.tr("Dismiss"))
            dismiss.setObjectName("dismissAlert")
            dismiss.setProperty("alert_id", alert.id)
            acknowledge.clicked.connect(
                lambda: self._decide(alert.id, AlertStatus.ACKNOWLEDGED, acknowledge)
            )
            dismiss.clicked.connect(lambda: self._decide(alert.id, AlertStatus.DISMISSED, dismiss))
            buttons = [acknowledge, dismiss]
        return [
            severity,
            self._customer_link(alert.customer_id, alert.customer_name, alert_tab(alert)),
            message,
            when,
            _actions(*buttons),
        ]

    def _maturity_row(self, item: MaturityRow) -> list[QWidget]:
        kind_words = (
            label_of(AccountType, item.account_type)
            if item.account_type is not None
            else self.tr("Holding")
        )
        kind = QLabel(kind_words)
        kind.setObjectName("muted")
        what = QLabel(item.product_name or kind_words)
        what.setWordWrap(True)
        when = QLabel(
            self.tr("Matures {day} · {amount}").format(
                day=formatting.day(item.matures_on, with_year=False),
                amount=formatting.money(item.amount),
            )
        )
        when.setObjectName("muted")
        return [
            kind,
            self._customer_link(item.customer_id, item.customer_name, TAB_ACCOUNTS),
            what,
            when,
            _actions(),
        ]

    def _visit_row(self, visit: VisitRow) -> list[QWidget]:
        channel = QLabel(label(visit.channel))
        channel.setObjectName("muted")
        purpose = QLabel(label(visit.purpose))
        when = QLabel(formatting.moment(visit.start_at))
        when.setObjectName("muted")
        return [
            channel,
            self._customer_link(visit.customer_id, visit.customer_name, TAB_INTERACTIONS),
            purpose,
            when,
            _actions(),
        ]

    # ---- actions -------------------------------------------------------------------------------

    def _mark_done(self, task_id: str, button: QPushButton) -> None:
        store, user_id = self.bench.store, self.bench.user.id
        self._run(lambda: mark_task_done(store, task_id, user_id=user_id), button)

    def _decide(self, alert_id: str, decision: AlertStatus, button: QPushButton) -> None:
        store = self.bench.store
        self._run(lambda: decide_alert(store, alert_id, decision), button)

    def _run(self, write: Callable[[], object], button: QPushButton) -> None:
        """Write off the GUI thread (it may wait for sync's transaction), then re-read."""
        button.setEnabled(False)  # one click, one change
        self.bench.runner.submit(write, self._written, self._failed)

    def _written(self, _result: object) -> None:
        self.errors.hide()
        self.bench.bridge.local_write()
        if self.bench.sync is not None:
            self.bench.sync.notify_local_write()
        self.refresh()

    def _failed(self, error: BaseException) -> None:
        self.errors.show_error(error)
        self.refresh()  # the row may have gone, or its button must work again


def _actions(*buttons: QPushButton) -> QWidget:
    box = QWidget()
    row = QHBoxLayout(box)
    row.setContentsMargins(0, 0, 0, 0)
    row.setSpacing(6)
    row.addStretch(1)
    for button in buttons:
        row.addWidget(button)
    return box


def _grid(rows: list[list[QWidget]]) -> QGridLayout:
    """Rows of (badge, customer, what, when, actions) in aligned columns."""
    grid = QGridLayout()
    grid.setHorizontalSpacing(16)
    grid.setVerticalSpacing(6)
    for number, cells in enumerate(rows):
        for column, cell in enumerate(cells):
            if column == 2:
                cell.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
            grid.addWidget(cell, number, column)
    grid.setColumnMinimumWidth(0, 70)
    grid.setColumnMinimumWidth(1, 110)
    grid.setColumnStretch(2, 1)
    return grid


__all__ = ["TAB_ACCOUNTS", "TAB_INTERACTIONS", "TAB_OVERVIEW", "TAB_TASKS", "TodayScreen"]
