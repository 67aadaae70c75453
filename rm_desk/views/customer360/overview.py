"""The Overview tab: key figures, AUM by category, the 12-month AUM line, next best actions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from rm_desk.domain.enums import (
    AccountStatus,
    AccountType,
    AlertStatus,
    ProductCategory,
    TaskStatus,
    Tier,
)
from rm_desk.domain.masking import last4
from rm_desk.domain.suitability import (
    SuitabilityCheck,
    assessment_expires_on,
    check_suitability,
)
from rm_desk.views.aum_chart import AumLineChart, last_complete_months
from rm_desk.views.customer360.data import CustomerData
from rm_desk.views.customer360.labels import label
from rm_desk.views.customer360.models import ROW_ROLE, WARNING, Column, RowsModel
from rm_desk.views.customer360.tab import CustomerTab
from rm_desk.views.formatting import day, money, percent, relative_age
from rm_desk.views.free_text import masked_free_text
from rm_desk.views.workbench import Workbench

MATURITY_HORIZON_DAYS = 30
"""Maturities within this many days become next best actions."""
ASSESSMENT_WARNING_DAYS = 30
"""An assessment expiring within this many days is worth renewing now (rule A08)."""
CONTACT_DAYS = {Tier.PRIVATE: 30, Tier.DIAMOND: 30, Tier.PLATINUM: 60, Tier.GOLD: 90}
"""Days without contact after which a customer is due a call (rule A11)."""
MAX_ACTIONS = 8
REVIEW_HORIZON_DAYS = 7
"""A scheduled review this close becomes a next best action."""

_DEPOSIT_ACCOUNTS = (AccountType.CURRENT, AccountType.TIME_DEPOSIT)
_INVESTMENT_ACCOUNTS = {
    AccountType.WEALTH: ProductCategory.WEALTH,
    AccountType.FUND: ProductCategory.FUND,
    AccountType.INSURANCE: ProductCategory.INSURANCE,
}


@dataclass(frozen=True, slots=True)
class CategoryShare:
    category: ProductCategory
    amount: Decimal
    share: float  # of the total, 0 to 1


def aum_by_category(data: CustomerData) -> tuple[CategoryShare, ...]:
    """Assets by product category, largest first.

    Deposits are the balances of current and time-deposit accounts; investments are holdings'
    market values by their product's category, or, for an investment account without cached
    holdings, its balance under the account's kind. Loans and cards are liabilities, not assets;
    closed accounts hold nothing.
    """
    totals: dict[ProductCategory, Decimal] = {}
    held_accounts = {h.account_id for h in data.view.holdings}
    for account in data.view.accounts:
        if account.status is AccountStatus.CLOSED:
            continue
        if account.type in _DEPOSIT_ACCOUNTS:
            category: ProductCategory | None = ProductCategory.DEPOSIT
        elif account.id not in held_accounts:
            category = _INVESTMENT_ACCOUNTS.get(account.type)
        else:
            category = None
        if category is not None and account.balance:
            totals[category] = totals.get(category, Decimal(0)) + account.balance
    for holding in data.view.holdings:
        product = data.products.get(holding.product_id)
        category = product.category if product is not None else ProductCategory.WEALTH
        totals[category] = totals.get(category, Decimal(0)) + holding.market_value
    total = sum(totals.values(), Decimal(0))
    rows = [
        CategoryShare(category, amount, float(amount / total) if total else 0.0)
        for category, amount in totals.items()
        if amount > 0
    ]
    return tuple(sorted(rows, key=lambda r: (-r.amount, r.category.value)))


@dataclass(frozen=True, slots=True)
class NextAction:
    """One line of "next best actions": what to do, and the tab that shows the details."""

    text: str
    tab: str
    urgent: bool = False


class _ShareBarDelegate(QStyledItemDelegate):
    """Paints the share column as a bar behind its percentage."""

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        row = index.data(ROW_ROLE)
        if isinstance(row, CategoryShare):
            rect: QRect = option.rect.adjusted(4, 6, -4, -6)  # type: ignore[attr-defined]
            painter.save()
            painter.fillRect(
                rect.x(), rect.y(), int(rect.width() * row.share), rect.height(), QColor("#bfdbfe")
            )
            painter.restore()
        super().paint(painter, option, index)


class OverviewTab(CustomerTab):
    """Key figures, AUM by category and over 12 months, and what to do next."""

    tab_id = "overview"

    def __init__(self, bench: Workbench, parent: QWidget | None = None) -> None:
        super().__init__(bench, parent)
        self._figures: dict[str, QLabel] = {}
        figures = QGridLayout()
        names = {
            "aum": self.tr("AUM"),
            "aum_mtd_avg": self.tr("Month-to-date average"),
            "since": self.tr("Customer since"),
            "last_contact": self.tr("Last contact"),
            "next_review": self.tr("Next review"),
        }
        for column, (key, name) in enumerate(names.items()):
            caption = QLabel(name, self)
            caption.setStyleSheet("color: #6b7280;")
            value = QLabel("—", self)
            value.setObjectName(f"figure_{key}")
            value.setStyleSheet("font-size: 15px; font-weight: 600;")
            figures.addWidget(caption, 0, column)
            figures.addWidget(value, 1, column)
            self._figures[key] = value

        self.categories = RowsModel(
            [
                Column(self.tr("Category"), lambda r: label(r.category)),
                Column(self.tr("Amount"), lambda r: money(r.amount), numeric=True),
                Column(self.tr("Share"), lambda r: percent(r.share), numeric=True),
            ],
            lambda r: r.category.value,
            self,
        )
        self.category_table = QTableView(self)
        self.category_table.setObjectName("aum_by_category")
        self.category_table.setModel(self.categories)
        self.category_table.setTabKeyNavigation(False)  # Tab leaves the table; arrows move in it
        self.category_table.setItemDelegateForColumn(2, _ShareBarDelegate(self.category_table))
        self.category_table.verticalHeader().hide()
        self.category_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.category_table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.category_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.category_table.setAccessibleName(self.tr("AUM by category"))

        self.chart = AumLineChart(self)
        self.chart.setAccessibleName(self.tr("Monthly average AUM, last 12 months"))

        by_category = QGroupBox(self.tr("AUM by category"), self)
        QVBoxLayout(by_category).addWidget(self.category_table)
        trend = QGroupBox(self.tr("Monthly average AUM, last 12 months"), self)
        QVBoxLayout(trend).addWidget(self.chart)
        charts = QHBoxLayout()
        charts.addWidget(by_category, 1)
        charts.addWidget(trend, 1)

        self.actions_box = QGroupBox(self.tr("Next best actions"), self)
        self._actions_layout = QVBoxLayout(self.actions_box)
        self._action_buttons: list[QPushButton] = []

        layout = QVBoxLayout(self)
        layout.addLayout(figures)
        line = QFrame(self)
        line.setFrameShape(QFrame.Shape.HLine)
        layout.addWidget(line)
        layout.addLayout(charts, 1)
        layout.addWidget(self.actions_box, 0)

    def title(self) -> str:
        return self.tr("Overview")

    def show_data(self, data: CustomerData) -> None:
        c = data.customer
        now = self.bench.clock()
        self._figures["aum"].setText(money(c.aum))
        self._figures["aum_mtd_avg"].setText(money(c.aum_mtd_avg))
        self._figures["since"].setText(day(c.relationship_since))
        self._figures["last_contact"].setText(
            relative_age(c.last_contact_at, now) if c.last_contact_at else self.tr("Never")
        )
        self._figures["last_contact"].setToolTip(
            day(c.last_contact_at.astimezone(self.bench.zone).date()) if c.last_contact_at else ""
        )
        self._figures["next_review"].setText(
            day(c.next_review_at.astimezone(self.bench.zone).date()) if c.next_review_at else "—"
        )
        self.categories.set_rows(aum_by_category(data))
        self.chart.set_series(
            c.aum_12m,
            last_complete_months(data.today, len(c.aum_12m) or 12),
            self.tr("No monthly history yet"),
        )
        self._show_actions(self.next_actions(data))

    def action_buttons(self) -> list[QPushButton]:
        return list(self._action_buttons)

    # --- next best actions -----------------------------------------------------------------------

    def next_actions(self, data: CustomerData) -> list[NextAction]:
        """What the RM should do next for this customer, most pressing first."""
        actions: list[NextAction] = []
        for make in self._action_rules():
            actions.extend(make(data))
        actions.sort(key=lambda a: not a.urgent)  # stable: the rules' order within each group
        return actions[:MAX_ACTIONS]

    def _action_rules(self) -> tuple[Callable[[CustomerData], list[NextAction]], ...]:
        return (
            self._assessment_actions,
            self._alert_actions,
            self._task_actions,
            self._maturity_actions,
            self._suitability_actions,
            self._contact_actions,
        )

    def _assessment_actions(self, data: CustomerData) -> list[NextAction]:
        c = data.customer
        if c.risk_level is None or c.risk_assessed_on is None:
            text = self.tr("No risk assessment on file: invite the customer to take one")
            return [NextAction(text, "accounts", urgent=True)]
        expires = assessment_expires_on(c.risk_assessed_on)
        if data.today > expires:
            text = self.tr(
                "Risk assessment expired on {date}: no investment sales until it is renewed"
            ).format(date=day(expires))
            return [NextAction(text, "accounts", urgent=True)]
        if expires - data.today <= timedelta(days=ASSESSMENT_WARNING_DAYS):
            text = self.tr("Risk assessment expires on {date}: invite a renewal").format(
                date=day(expires)
            )
            return [NextAction(text, "accounts")]
        return []

    def _alert_actions(self, data: CustomerData) -> list[NextAction]:
        open_alerts = [
            a for a in data.view.alerts if a.status in (AlertStatus.NEW, AlertStatus.ACKNOWLEDGED)
        ]
        return [
            NextAction(
                self.tr("Alert {rule}: {message}").format(
                    rule=a.rule_id, message=masked_free_text(a.message)
                ),
                "tasks",
                urgent=a.status is AlertStatus.NEW,
            )
            for a in open_alerts[:3]
        ]

    def _task_actions(self, data: CustomerData) -> list[NextAction]:
        now = self.bench.clock()
        overdue = [
            t
            for t in data.view.tasks
            if t.status in (TaskStatus.NOT_STARTED, TaskStatus.IN_PROGRESS)
            and t.due_at is not None
            and t.due_at < now
        ]
        if not overdue:
            return []
        if len(overdue) == 1:
            text = self.tr("1 overdue task: {title}").format(
                title=masked_free_text(overdue[0].title)
            )
        else:
            text = self.tr("{count} overdue tasks, the oldest: {title}").format(
                count=len(overdue), title=masked_free_text(overdue[0].title)
            )
        return [NextAction(text, "tasks", urgent=True)]

    def _maturity_actions(self, data: CustomerData) -> list[NextAction]:
        horizon = data.today + timedelta(days=MATURITY_HORIZON_DAYS)
        actions: list[NextAction] = []
        for account in data.view.accounts:
            matures = account.maturity_date
            if (
                account.type is AccountType.TIME_DEPOSIT
                and matures is not None
                and data.today <= matures <= horizon
                and account.balance > 0
            ):
                text = self.tr(
                    "Time deposit ending {last4} matures on {date} ({amount}): discuss renewal"
                ).format(
                    last4=last4(account.number_masked) or "—",
                    date=day(matures, with_year=False),
                    amount=money(account.balance),
                )
                actions.append(NextAction(text, "accounts"))
        for holding in data.view.holdings:
            matures = holding.maturity_or_next_open
            if matures is not None and data.today <= matures <= horizon:
                product = data.products.get(holding.product_id)
                text = self.tr("{product} matures on {date} ({amount}): discuss renewal").format(
                    product=product.name if product else holding.product_id,
                    date=day(matures, with_year=False),
                    amount=money(holding.market_value),
                )
                actions.append(NextAction(text, "accounts"))
        return actions

    def _suitability_actions(self, data: CustomerData) -> list[NextAction]:
        actions: list[NextAction] = []
        for holding in data.view.holdings:
            product = data.products.get(holding.product_id)
            if product is None:
                continue
            result = check_suitability(data.customer, product, data.today)
            if SuitabilityCheck.PRODUCT_ABOVE_LEVEL in result.failed:
                text = self.tr(
                    "{product} ({level}) is above the customer's risk level: review the holding"
                ).format(product=product.name, level=product.risk_level.value)
                actions.append(NextAction(text, "accounts"))
        return actions

    def _contact_actions(self, data: CustomerData) -> list[NextAction]:
        c = data.customer
        limit = CONTACT_DAYS.get(c.tier, 365)
        now = self.bench.clock()
        actions: list[NextAction] = []
        if c.next_review_at is not None:
            review = c.next_review_at.astimezone(self.bench.zone).date()
            if review <= data.today + timedelta(days=REVIEW_HORIZON_DAYS):
                text = self.tr("Portfolio review due on {date}: book it").format(
                    date=day(review, with_year=False)
                )
                actions.append(NextAction(text, "interactions", urgent=review < data.today))
        if c.last_contact_at is None:
            text = self.tr("Never contacted: introduce yourself")
            return [*actions, NextAction(text, "interactions")]
        days = (now - c.last_contact_at).days
        if days >= limit:
            text = self.tr("No contact for {days} days: plan a call or visit").format(days=days)
            actions.append(NextAction(text, "interactions"))
        return actions

    def _show_actions(self, actions: list[NextAction]) -> None:
        for button in self._action_buttons:
            self._actions_layout.removeWidget(button)
            button.deleteLater()
        self._action_buttons = []
        while self._actions_layout.count():
            item = self._actions_layout.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        if not actions:
            self._actions_layout.addWidget(QLabel(self.tr("Nothing pressing."), self.actions_box))
        for action in actions:
            button = QPushButton(("● " if action.urgent else "→ ") + action.text, self.actions_box)
            button.setObjectName(f"action_{action.tab}")
            button.setFlat(True)
            button.setCursor(Qt.CursorShape.PointingHandCursor)
            button.setStyleSheet(
                "QPushButton { text-align: left; padding: 2px 4px; }"
                + (f"QPushButton {{ color: {WARNING.name()}; }}" if action.urgent else "")
            )
            button.setToolTip(self.tr("Open the tab with the details"))
            button.clicked.connect(lambda _=False, tab=action.tab: self.tab_requested.emit(tab))
            self._actions_layout.addWidget(button)
            self._action_buttons.append(button)
        self._actions_layout.addStretch(1)


__all__ = ["CategoryShare", "NextAction", "OverviewTab", "aum_by_category"]
