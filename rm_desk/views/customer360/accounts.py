"""The Accounts & holdings tab: accounts with masked numbers and maturities, holdings with the
product's risk level and a suitability mark (✓ / ✗ with the reason)."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QItemSelection
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from rm_desk.domain import entities as e
from rm_desk.domain.enums import AccountStatus, AccountType
from rm_desk.domain.suitability import Suitability, check_suitability
from rm_desk.views.customer360.data import CustomerData
from rm_desk.views.customer360.labels import label
from rm_desk.views.customer360.models import GOOD, MUTED, WARNING, Column, RowsModel
from rm_desk.views.customer360.tab import CustomerTab
from rm_desk.views.formatting import day, money, percent
from rm_desk.views.reveal import MaskedValue, RevealField, RevealTarget
from rm_desk.views.workbench import Workbench


@dataclass(frozen=True, slots=True)
class AccountRow:
    account: e.Account
    product: e.Product | None


@dataclass(frozen=True, slots=True)
class HoldingRow:
    holding: e.Holding
    product: e.Product | None
    suitability: Suitability | None  # None when the product is not cached


def _table(parent: QWidget, name: str, model: RowsModel) -> QTableView:
    table = QTableView(parent)
    table.setObjectName(name)
    table.setModel(model)
    table.setTabKeyNavigation(False)  # Tab leaves the table; arrows move in it
    table.verticalHeader().hide()
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setAlternatingRowColors(True)
    table.horizontalHeader().setStretchLastSection(True)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    return table


class AccountsTab(CustomerTab):
    """Accounts and holdings of one customer."""

    tab_id = "accounts"

    def __init__(self, bench: Workbench, parent: QWidget | None = None) -> None:
        super().__init__(bench, parent)
        self._data: CustomerData | None = None
        self.accounts = RowsModel(
            [
                Column(self.tr("Type"), lambda r: label(r.account.type)),
                Column(self.tr("Number"), lambda r: r.account.number_masked or "—"),
                Column(self.tr("Product"), lambda r: r.product.name if r.product else "—"),
                Column(self.tr("Balance"), self._balance_text, numeric=True),
                Column(self.tr("Available"), lambda r: money(r.account.available), numeric=True),
                Column(self.tr("Rate"), lambda r: percent(r.account.rate, decimals=2)),
                Column(
                    self.tr("Maturity / next payment"),
                    self._due_text,
                    color=self._due_color,
                ),
                Column(
                    self.tr("Status"),
                    lambda r: label(r.account.status),
                    color=lambda r: MUTED if r.account.status is not AccountStatus.ACTIVE else None,
                ),
                Column(self.tr("As of"), lambda r: day(r.account.as_of)),
            ],
            lambda r: r.account.id,
            self,
        )
        self.holdings = RowsModel(
            [
                Column(
                    self.tr("Product"),
                    lambda r: r.product.name if r.product else r.holding.product_id,
                ),
                Column(
                    self.tr("Category"), lambda r: label(r.product.category) if r.product else "—"
                ),
                Column(
                    self.tr("Product risk"),
                    lambda r: (
                        r.holding.product_risk_level.value
                        if r.holding.product_risk_level
                        else (r.product.risk_level.value if r.product else "—")
                    ),
                ),
                Column(
                    self.tr("Suitability"),
                    self._suitability_text,
                    tooltip=self._suitability_tooltip,
                    color=self._suitability_color,
                    bold=lambda r: r.suitability is not None and not r.suitability.suitable,
                ),
                Column(
                    self.tr("Market value"), lambda r: money(r.holding.market_value), numeric=True
                ),
                Column(self.tr("Cost"), lambda r: money(r.holding.cost), numeric=True),
                Column(
                    self.tr("Maturity / next open"),
                    lambda r: day(r.holding.maturity_or_next_open),
                ),
                Column(self.tr("As of"), lambda r: day(r.holding.as_of)),
            ],
            lambda r: r.holding.id,
            self,
        )
        self.accounts_table = _table(self, "accounts_table", self.accounts)
        self.accounts_table.setAccessibleName(self.tr("Accounts"))
        self.holdings_table = _table(self, "holdings_table", self.holdings)
        self.holdings_table.setAccessibleName(self.tr("Holdings"))

        self.account_number = MaskedValue(bench, self, field_name=self.tr("account number"))
        self.account_number.setObjectName("account_number_value")
        self.selected_caption = QLabel(self.tr("Select an account to reveal its number."), self)
        reveal_row = QHBoxLayout()
        reveal_row.addWidget(self.selected_caption)
        reveal_row.addWidget(self.account_number)
        reveal_row.addStretch(1)

        self.customer_level = QLabel(self)
        self.customer_level.setObjectName("customer_level")
        accounts_box = QGroupBox(self.tr("Accounts"), self)
        accounts_layout = QVBoxLayout(accounts_box)
        accounts_layout.addWidget(self.accounts_table)
        accounts_layout.addLayout(reveal_row)
        holdings_box = QGroupBox(self.tr("Holdings"), self)
        holdings_layout = QVBoxLayout(holdings_box)
        holdings_layout.addWidget(self.customer_level)
        holdings_layout.addWidget(self.holdings_table)
        layout = QVBoxLayout(self)
        layout.addWidget(accounts_box, 3)
        layout.addWidget(holdings_box, 2)
        # The reveal row sits between the tables: Tab reaches it before the holdings.
        QWidget.setTabOrder(self.accounts_table, self.account_number.button)
        QWidget.setTabOrder(self.account_number.button, self.holdings_table)
        self.accounts_table.selectionModel().selectionChanged.connect(self._account_selected)

    def title(self) -> str:
        return self.tr("Accounts & holdings")

    def show_data(self, data: CustomerData) -> None:
        self._data = data
        view = data.view
        self.accounts.set_rows(
            [AccountRow(a, data.products.get(a.product_id or "")) for a in view.accounts]
        )
        held = data.held_categories()
        rows = []
        for holding in view.holdings:
            product = data.products.get(holding.product_id)
            result = (
                check_suitability(data.customer, product, data.today, held_categories=held)
                if product is not None
                else None
            )
            rows.append(HoldingRow(holding, product, result))
        self.holdings.set_rows(rows)
        c = data.customer
        level = c.risk_level.value if c.risk_level else self.tr("not assessed")
        self.customer_level.setText(
            self.tr("Customer risk level: {level}. Marks check each product against it.").format(
                level=level
            )
        )
        self.account_number.set_target(None)
        self.selected_caption.setText(self.tr("Select an account to reveal its number."))

    # --- cells -----------------------------------------------------------------------------------

    def _balance_text(self, row: AccountRow) -> str:
        account = row.account
        if account.type is AccountType.LOAN and account.loan_outstanding is not None:
            return money(account.loan_outstanding)
        return money(account.balance)

    def _due_text(self, row: AccountRow) -> str:
        account = row.account
        if account.maturity_date is None and account.next_payment_date is not None:
            return self.tr("{date}: {amount}").format(
                date=day(account.next_payment_date), amount=money(account.next_payment_amount)
            )
        return day(account.maturity_date) if account.maturity_date else "—"

    def _due_color(self, row: AccountRow) -> QColor | None:
        if self._data is None:
            return None
        due = row.account.maturity_date or row.account.next_payment_date
        if due is not None and 0 <= (due - self._data.today).days <= 30:
            return WARNING
        return None

    def _suitability_text(self, row: HoldingRow) -> str:
        result = row.suitability
        if result is None:
            return "—"
        if result.suitable:
            return self.tr("✓ Suitable")
        return self.tr("✗ {reason}").format(reason=label(result.failed[0]))

    def _suitability_tooltip(self, row: HoldingRow) -> str | None:
        result = row.suitability
        if result is None:
            return self.tr("The product is not in the cache.")
        lines = [label(check) for check in result.failed] + [label(f) for f in result.flags]
        level = result.customer_level.value if result.customer_level else "—"
        head = self.tr("Customer {customer} · product {product}").format(
            customer=level, product=result.product_level.value
        )
        return "\n".join([head, *lines])

    def _suitability_color(self, row: HoldingRow) -> QColor | None:
        if row.suitability is None:
            return None
        return GOOD if row.suitability.suitable else WARNING

    # --- the reveal of the selected account's number ---------------------------------------------

    def _account_selected(self, selected: QItemSelection, _deselected: QItemSelection) -> None:
        indexes = selected.indexes()
        if not indexes or self._data is None:
            self.account_number.set_target(None)
            return
        row = self.accounts.row_at(indexes[0].row())
        account = row.account
        self.selected_caption.setText(
            self.tr("{type} account number:").format(type=label(account.type))
        )
        self.account_number.set_target(
            RevealTarget(
                customer_id=account.customer_id,
                field=RevealField.ACCOUNT_NUMBER,
                masked=account.number_masked or "",
                account_id=account.id,
            )
        )

    def select_account(self, account_id: str) -> bool:
        """Select an account's row (tests, next best actions); False when it is not shown."""
        for n, row in enumerate(self.accounts.rows()):
            if row.account.id == account_id:
                self.accounts_table.selectRow(n)
                return True
        return False


__all__ = ["AccountRow", "AccountsTab", "HoldingRow"]
