"""The Visits screen: the user's visit records, newest first, narrowed to this week or month.

An RM sees their own visits; a team lead sees their team's, with an RM column. Visit notes are
C2 free text and stay in the cache: the list shows when, whom, how, why and with what outcome,
and a double-click (or Enter) opens the customer's Interactions tab, where the notes live.
Logging a visit is the visit form's job (Ctrl+L), not this list's.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QObject, QSortFilterProxyModel, Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from rm_desk.local_store.lists import Member, Period, VisitRow, period_bounds, scope_members
from rm_desk.local_store.lists import visit_rows as read_visit_rows
from rm_desk.views import formatting
from rm_desk.views.customer360.labels import label
from rm_desk.views.row_table import (
    SORT_ROLE,
    Line,
    RowTableModel,
    fit_columns,
    show_read_only_rows,
)
from rm_desk.views.screen import Screen, screen_heading
from rm_desk.views.workbench import Workbench

ROLE_CUSTOMER_ID = Qt.ItemDataRole.UserRole + 1
"""The main customer's id of a visit row."""
ROLE_SORT = SORT_ROLE
"""A value that sorts the column as people expect (timestamps as text, not as displayed)."""


class VisitTableModel(RowTableModel[VisitRow]):
    """Visits as a read-only table; the RM column only when ``show_rm``."""

    DATE, CUSTOMER, CHANNEL, PURPOSE, OUTCOME, RM = range(6)

    def __init__(self, *, show_rm: bool = False, parent: QObject | None = None) -> None:
        super().__init__(6 if show_rm else 5, parent=parent)
        self._rm_names: dict[str, str] = {}

    def show_visits(self, rows: tuple[VisitRow, ...], rm_names: dict[str, str]) -> None:
        """Replace every row: a new period or a changed cache is a new list, hence a reset."""
        self._rm_names = rm_names
        self.set_rows(rows)

    def headers(self) -> tuple[str, ...]:
        return (
            self.tr("Date"),
            self.tr("Customer"),
            self.tr("Channel"),
            self.tr("Purpose"),
            self.tr("Outcome"),
            self.tr("RM"),
        )

    def cells(self, row: VisitRow) -> tuple[str, ...]:
        name = row.customer_name or row.customer_id
        if row.other_customers:
            name = self.tr("{name} and {count} more").format(name=name, count=row.other_customers)
        return (
            formatting.moment(row.start_at),
            name,
            label(row.channel),
            label(row.purpose),
            label(row.outcome),
            self._rm_names.get(row.rm_id, row.rm_id),
        )

    def sort_value(self, line: Line[VisitRow], column: int) -> object:
        if column == self.DATE:
            return line.row.start_at.isoformat()
        return line.cells[column]

    def role_data(self, line: Line[VisitRow], column: int, role: int) -> object:
        return line.row.customer_id if role == ROLE_CUSTOMER_ID else None


class VisitListScreen(Screen):
    """The Visits screen of the left navigation (see the module docstring)."""

    def __init__(self, bench: Workbench, parent: QWidget | None = None) -> None:
        super().__init__(bench, parent)
        self.setObjectName("visitListScreen")
        self._period = Period.MONTH
        self._members: tuple[Member, ...] = ()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        header = QHBoxLayout()
        header.addWidget(screen_heading(self.title(), self))
        header.addSpacing(16)

        self.period_buttons = QButtonGroup(self)
        self.period_buttons.setExclusive(True)
        for period, text in (
            (Period.WEEK, self.tr("This week")),
            (Period.MONTH, self.tr("This month")),
            (Period.ALL, self.tr("All")),
        ):
            button = QPushButton(text, self)
            button.setCheckable(True)
            button.setChecked(period is self._period)
            button.setProperty("period", period.value)
            button.setAccessibleName(self.tr("Show visits: {period}").format(period=text))
            self.period_buttons.addButton(button)
            header.addWidget(button)
        self.period_buttons.buttonClicked.connect(self._on_period_button)
        header.addStretch(1)
        self.count_label = QLabel(self)
        self.count_label.setObjectName("visitCount")
        header.addWidget(self.count_label)
        layout.addLayout(header)

        self.model = VisitTableModel(show_rm=bench.is_team_lead, parent=self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(ROLE_SORT)
        self.table = QTableView(self)
        self.table.setObjectName("visitTable")
        self.table.setAccessibleName(self.tr("Visits"))
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(VisitTableModel.DATE, Qt.SortOrder.DescendingOrder)
        show_read_only_rows(self.table)
        self.table.setToolTip(self.tr("Double-click a visit to open the customer's interactions"))
        self.table.activated.connect(self._open)
        layout.addWidget(self.table, 1)

        self.empty_label = QLabel(self.tr("No visits in this period."), self)
        self.empty_label.setObjectName("emptyState")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.hide()
        layout.addWidget(self.empty_label, 1)

    def title(self) -> str:
        return self.tr("Visits")

    @property
    def period(self) -> Period:
        return self._period

    def set_period(self, period: Period) -> None:
        """Show the visits of ``period`` (also what the period buttons do)."""
        self._period = period
        for button in self.period_buttons.buttons():
            button.setChecked(button.property("period") == period.value)
        self.refresh()

    def refresh(self) -> None:
        bench = self.bench
        start, end = period_bounds(self._period, bench.today(), bench.zone)
        with bench.store.read() as conn:
            if not self._members:
                self._members = scope_members(
                    conn,
                    user_id=bench.user.id,
                    team_id=bench.user.team_id,
                    team_lead=bench.is_team_lead,
                )
            rows = read_visit_rows(conn, rm_ids=[m.id for m in self._members], start=start, end=end)
        self.model.show_visits(rows, {m.id: m.name for m in self._members})
        fit_columns(self.table)
        self.count_label.setText(self.tr("Visits shown: {count}").format(count=len(rows)))
        self.table.setVisible(bool(rows))
        self.empty_label.setVisible(not rows)

    def _on_period_button(self, button: QPushButton) -> None:
        self.set_period(Period(button.property("period")))

    def _open(self, index: QModelIndex) -> None:
        customer_id = index.data(ROLE_CUSTOMER_ID)
        if customer_id:
            self.bench.navigator.open_customer(customer_id, "interactions")


__all__ = ["ROLE_CUSTOMER_ID", "ROLE_SORT", "VisitListScreen", "VisitTableModel"]
