"""The Opportunities screen: the open pipeline by stage, with totals per stage.

Each stage carries its win probability (线索 10 % … 待成交 80 %), so the totals show both the
amount in a stage and what it is worth weighted by that probability. Rows come in funnel order
and sort by any column; won and lost opportunities are shown on request. A double-click (or
Enter) opens the customer's Opportunities tab; a prospect without a customer record has none.
An RM sees their own opportunities, a team lead their team's with an Owner column.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from PySide6.QtCore import QCoreApplication, QModelIndex, QObject, QSortFilterProxyModel, Qt
from PySide6.QtGui import QFont, QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from rm_desk.domain.enums import OpportunityStage
from rm_desk.local_store.lists import (
    STAGE_ORDER,
    Member,
    OpportunityRow,
    StageTotal,
    opportunity_rows,
    scope_members,
    stage_totals,
)
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
"""The customer id of an opportunity row (``None`` for a prospect)."""
ROLE_SORT = SORT_ROLE
"""A value that sorts the column as people expect: stages in funnel order, amounts as numbers."""


def stage_with_probability(stage: OpportunityStage) -> str:
    """The stage and its win probability: ``Lead · 10%`` / ``线索 · 10%``."""
    return QCoreApplication.translate("OpportunityListScreen", "{stage} · {probability}%").format(
        stage=label(stage), probability=stage.probability
    )


def _number(amount: Decimal | None) -> float:
    return float(amount) if amount is not None else -1.0  # no amount sorts below any amount


class OpportunityTableModel(RowTableModel[OpportunityRow]):
    """Opportunities as a read-only table; the Owner column only when ``show_owner``."""

    STAGE, CUSTOMER, PRODUCT, AMOUNT, WEIGHTED, CLOSE, OWNER = range(7)

    def __init__(self, *, show_owner: bool = False, parent: QObject | None = None) -> None:
        super().__init__(
            7 if show_owner else 6, numeric_columns=(self.AMOUNT, self.WEIGHTED), parent=parent
        )
        self._owner_names: dict[str, str] = {}

    def show_opportunities(
        self, rows: tuple[OpportunityRow, ...], owner_names: dict[str, str]
    ) -> None:
        """Replace every row (a reload of the whole list, hence a reset)."""
        self._owner_names = owner_names
        self.set_rows(rows)

    def opportunity_at(self, row: int) -> OpportunityRow:
        found = self.row_at(row)
        if found is None:
            raise IndexError(row)
        return found

    def headers(self) -> tuple[str, ...]:
        return (
            self.tr("Stage"),
            self.tr("Customer"),
            self.tr("Product"),
            self.tr("Amount"),
            self.tr("Weighted"),
            self.tr("Expected close"),
            self.tr("Owner"),
        )

    def cells(self, row: OpportunityRow) -> tuple[str, ...]:
        if row.customer_id is not None:
            customer = row.customer_name or row.customer_id
        else:
            customer = self.tr("Prospect: {description}").format(description=row.lead_stub or "—")
        return (
            stage_with_probability(row.stage),
            customer,
            row.product_name or label(row.category),
            formatting.money(row.amount),
            formatting.money(row.weighted_amount),
            formatting.day(row.expected_close),
            self._owner_names.get(row.owner_id, row.owner_id),
        )

    def role_data(self, line: Line[OpportunityRow], column: int, role: int) -> object:
        if role == ROLE_CUSTOMER_ID:
            return line.row.customer_id
        if (
            role == Qt.ItemDataRole.ToolTipRole
            and line.row.customer_id is None
            and column == self.CUSTOMER
        ):
            return self.tr("A prospect, not yet a customer of the bank")
        return None

    def sort_value(self, line: Line[OpportunityRow], column: int) -> object:
        row = line.row
        if column == self.STAGE:
            return STAGE_ORDER.index(row.stage)
        if column == self.AMOUNT:
            return _number(row.amount)
        if column == self.WEIGHTED:
            return _number(row.weighted_amount)
        if column == self.CLOSE:
            return row.expected_close.isoformat() if row.expected_close else "9999"
        return line.cells[column]


@dataclass(frozen=True, slots=True)
class _TotalRow:
    """A stage's total, or (``is_sum``) the pipeline's."""

    total: StageTotal
    is_sum: bool = False


class StageTotalsModel(RowTableModel[_TotalRow]):
    """Count, amount and weighted amount per stage, and a last row with the pipeline's total."""

    STAGE, COUNT, AMOUNT, WEIGHTED = range(4)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(4, numeric_columns=(self.COUNT, self.AMOUNT, self.WEIGHTED), parent=parent)

    def set_totals(self, totals: tuple[StageTotal, ...]) -> None:
        rows = [_TotalRow(total) for total in totals]
        self.set_rows([*rows, _TotalRow(_sum(totals), is_sum=True)] if rows else [])

    def totals(self) -> tuple[StageTotal, ...]:
        return tuple(row.total for row in self.rows() if not row.is_sum)

    def headers(self) -> tuple[str, ...]:
        return (self.tr("Stage"), self.tr("Count"), self.tr("Amount"), self.tr("Weighted"))

    def cells(self, row: _TotalRow) -> tuple[str, ...]:
        total = row.total
        return (
            self.tr("Total") if row.is_sum else stage_with_probability(total.stage),
            formatting.number(total.count),
            formatting.money(total.amount),
            formatting.money(total.weighted_amount),
        )

    def role_data(self, line: Line[_TotalRow], column: int, role: int) -> object:
        if role == Qt.ItemDataRole.FontRole and line.row.is_sum:
            font = QFont(QGuiApplication.font())
            font.setBold(True)
            return font
        return None


def _sum(totals: tuple[StageTotal, ...]) -> StageTotal:
    return StageTotal(
        stage=OpportunityStage.LEAD,  # unused: the total row names no stage
        count=sum(t.count for t in totals),
        amount=sum((t.amount for t in totals), Decimal(0)),
        weighted_amount=sum((t.weighted_amount for t in totals), Decimal(0)),
    )


class OpportunityListScreen(Screen):
    """The Opportunities screen of the left navigation (see the module docstring)."""

    def __init__(self, bench: Workbench, parent: QWidget | None = None) -> None:
        super().__init__(bench, parent)
        self.setObjectName("opportunityListScreen")
        self._members: tuple[Member, ...] = ()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        header = QHBoxLayout()
        header.addWidget(screen_heading(self.title(), self))
        header.addSpacing(16)
        self.closed_box = QCheckBox(self.tr("Show won and lost"), self)
        self.closed_box.setAccessibleName(self.tr("Show won and lost opportunities"))
        self.closed_box.toggled.connect(self.refresh)
        header.addWidget(self.closed_box)
        header.addStretch(1)
        self.count_label = QLabel(self)
        self.count_label.setObjectName("opportunityCount")
        header.addWidget(self.count_label)
        layout.addLayout(header)

        self.model = OpportunityTableModel(show_owner=bench.is_team_lead, parent=self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(ROLE_SORT)
        self.table = QTableView(self)
        self.table.setObjectName("opportunityTable")
        self.table.setAccessibleName(self.tr("Opportunities"))
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(OpportunityTableModel.STAGE, Qt.SortOrder.AscendingOrder)
        show_read_only_rows(self.table)
        self.table.setToolTip(
            self.tr("Double-click an opportunity to open the customer's opportunities")
        )
        self.table.activated.connect(self._open)
        layout.addWidget(self.table, 1)

        self.empty_label = QLabel(self.tr("No open opportunities."), self)
        self.empty_label.setObjectName("emptyState")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.hide()
        layout.addWidget(self.empty_label, 1)

        totals_heading = QLabel(self.tr("Totals by stage"), self)
        totals_heading.setObjectName("sectionHeading")
        layout.addWidget(totals_heading)
        self.totals_model = StageTotalsModel(self)
        self.totals_table = QTableView(self)
        self.totals_table.setObjectName("stageTotalsTable")
        self.totals_table.setAccessibleName(self.tr("Totals by stage"))
        self.totals_table.setModel(self.totals_model)
        show_read_only_rows(self.totals_table)
        self.totals_table.horizontalHeader().setStretchLastSection(False)
        self.totals_table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.totals_table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.totals_table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.totals_table.setAlternatingRowColors(False)
        self.totals_table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        layout.addWidget(self.totals_table)

    def title(self) -> str:
        return self.tr("Opportunities")

    def refresh(self) -> None:
        bench = self.bench
        with bench.store.read() as conn:
            if not self._members:
                self._members = scope_members(
                    conn,
                    user_id=bench.user.id,
                    team_id=bench.user.team_id,
                    team_lead=bench.is_team_lead,
                )
            rows = opportunity_rows(
                conn,
                owner_ids=[m.id for m in self._members],
                include_closed=self.closed_box.isChecked(),
            )
        self.model.show_opportunities(rows, {m.id: m.name for m in self._members})
        self.totals_model.set_totals(stage_totals(rows))
        fit_columns(self.table)
        fit_columns(self.totals_table, last_too=True)
        self._fit_totals()
        self.count_label.setText(self.tr("Opportunities shown: {count}").format(count=len(rows)))
        self.table.setVisible(bool(rows))
        self.empty_label.setVisible(not rows)

    def _fit_totals(self) -> None:
        # The totals are a handful of rows and four columns: show them whole, never scrolled,
        # and no wider than their numbers.
        table = self.totals_table
        frame = 2 * table.frameWidth() + 2
        header = table.horizontalHeader()
        height = header.sizeHint().height()
        height += sum(table.rowHeight(r) for r in range(self.totals_model.rowCount()))
        width = sum(header.sectionSize(c) for c in range(header.count()))
        table.setFixedSize(width + frame, height + frame)

    def _open(self, index: QModelIndex) -> None:
        customer_id = index.data(ROLE_CUSTOMER_ID)
        if customer_id:
            self.bench.navigator.open_customer(customer_id, "opportunities")


__all__ = [
    "ROLE_CUSTOMER_ID",
    "ROLE_SORT",
    "OpportunityListScreen",
    "OpportunityTableModel",
    "StageTotalsModel",
    "stage_with_probability",
]
