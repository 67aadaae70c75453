"""The Visits screen: the user's visit records, newest first, narrowed to this week or month.

An RM sees their own visits; a team lead sees their team's, with an RM column. Visit notes are
C2 free text and stay in the cache: the list shows when, whom, how, why and with what outcome,
and a double-click (or Enter) opens the customer's Interactions tab, where the notes live.
Logging a visit is the visit form's job (Ctrl+L), not this list's.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QHBoxLayout,
    QHeaderView,
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
from rm_desk.views.screen import Screen
from rm_desk.views.workbench import Workbench

ROLE_CUSTOMER_ID = Qt.ItemDataRole.UserRole + 1
"""The main customer's id of a visit row."""
ROLE_SORT = Qt.ItemDataRole.UserRole + 2
"""A value that sorts the column as people expect (timestamps as text, not as displayed)."""

_Index = QModelIndex | QPersistentModelIndex
COLUMN_PADDING = 24


@dataclass(frozen=True, slots=True)
class _Line:
    """A visit row with its cells already in words (computed once per load, not per paint)."""

    row: VisitRow
    cells: tuple[str, ...]


class VisitTableModel(QAbstractTableModel):
    """Visits as a read-only table; the RM column only when ``show_rm``."""

    DATE, CUSTOMER, CHANNEL, PURPOSE, OUTCOME, RM = range(6)

    def __init__(self, *, show_rm: bool = False, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._show_rm = show_rm
        self._lines: tuple[_Line, ...] = ()

    def set_rows(self, rows: tuple[VisitRow, ...], rm_names: dict[str, str]) -> None:
        """Replace every row: a new period or a changed cache is a new list, hence a reset."""
        self.beginResetModel()
        self._lines = tuple(_Line(row, self._cells(row, rm_names)) for row in rows)
        self.endResetModel()

    def visit_at(self, row: int) -> VisitRow:
        return self._lines[row].row

    def _cells(self, row: VisitRow, rm_names: dict[str, str]) -> tuple[str, ...]:
        name = row.customer_name or row.customer_id
        if row.other_customers:
            name = self.tr("{name} and {count} more").format(name=name, count=row.other_customers)
        return (
            formatting.moment(row.start_at),
            name,
            label(row.channel),
            label(row.purpose),
            label(row.outcome),
            rm_names.get(row.rm_id, row.rm_id),
        )

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._lines)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid():
            return 0
        return 6 if self._show_rm else 5

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self._lines):
            return None
        line = self._lines[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return line.cells[column]
        if role == ROLE_SORT:
            if column == self.DATE:
                return line.row.start_at.isoformat()
            return line.cells[column]
        if role == ROLE_CUSTOMER_ID:
            return line.row.customer_id
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        headers = (
            self.tr("Date"),
            self.tr("Customer"),
            self.tr("Channel"),
            self.tr("Purpose"),
            self.tr("Outcome"),
            self.tr("RM"),
        )
        return headers[section] if 0 <= section < self.columnCount() else None


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
        heading = QLabel(self.title(), self)
        heading.setObjectName("screenHeading")
        font = heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        heading.setFont(font)
        header.addWidget(heading)
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
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        horizontal = self.table.horizontalHeader()
        horizontal.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        horizontal.setStretchLastSection(True)
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
        self.model.set_rows(rows, {m.id: m.name for m in self._members})
        self.table.resizeColumnsToContents()
        _breathe(self.table)
        self.count_label.setText(self.tr("Visits shown: {count}").format(count=len(rows)))
        self.table.setVisible(bool(rows))
        self.empty_label.setVisible(not rows)

    def _on_period_button(self, button: QPushButton) -> None:
        self.set_period(Period(button.property("period")))

    def _open(self, index: QModelIndex) -> None:
        customer_id = index.data(ROLE_CUSTOMER_ID)
        if customer_id:
            self.bench.navigator.open_customer(customer_id, "interactions")


def _breathe(table: QTableView) -> None:
    # Fitted columns touch their text; a little air makes the table readable.
    header = table.horizontalHeader()
    for column in range(header.count() - 1):
        header.resizeSection(column, header.sectionSize(column) + COLUMN_PADDING)


__all__ = ["ROLE_CUSTOMER_ID", "ROLE_SORT", "VisitListScreen", "VisitTableModel"]
