"""The Opportunities tab: stage, amount, expected close and the suitability seen on save."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

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
from rm_desk.domain.enums import OpportunityStage
from rm_desk.domain.suitability import SuitabilityCheck, SuitabilityFlag
from rm_desk.views.customer360.data import CustomerData
from rm_desk.views.customer360.labels import label, label_of
from rm_desk.views.customer360.models import GOOD, MUTED, WARNING, Column, RowsModel
from rm_desk.views.customer360.tab import CustomerTab
from rm_desk.views.formatting import day, money, number
from rm_desk.views.workbench import Workbench

_CLOSED = (OpportunityStage.WON, OpportunityStage.LOST)


class OpportunitiesTab(CustomerTab):
    """The customer's opportunities, open ones first."""

    tab_id = "opportunities"

    def __init__(self, bench: Workbench, parent: QWidget | None = None) -> None:
        super().__init__(bench, parent)
        self._products: Mapping[str, e.Product] = {}
        self._staff_name: Callable[[str | None], str] = lambda employee_id: employee_id or "—"
        self.model = RowsModel(
            [
                Column(self.tr("Product"), self._product_text),
                Column(
                    self.tr("Stage"),
                    lambda o: self.tr("{stage} ({probability}%)").format(
                        stage=label(o.stage), probability=o.stage.probability
                    ),
                    color=lambda o: MUTED if o.stage in _CLOSED else None,
                ),
                Column(self.tr("Amount"), lambda o: money(o.amount), numeric=True),
                Column(
                    self.tr("Expected close"),
                    lambda o: day(o.expected_close),
                    color=self._close_color,
                ),
                Column(
                    self.tr("Suitability"),
                    self._suitability_text,
                    tooltip=self._suitability_tooltip,
                    color=self._suitability_color,
                ),
                Column(self.tr("Source"), lambda o: o.source or "—"),
                Column(self.tr("Owner"), lambda o: self._staff_name(o.owner_id)),
            ],
            lambda o: o.id,
            self,
        )
        self.summary = QLabel(self)
        self.summary.setObjectName("opportunities_summary")
        self.table = QTableView(self)
        self.table.setObjectName("opportunities_table")
        self.table.setAccessibleName(self.tr("Opportunities"))
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
        return self.tr("Opportunities")

    def show_data(self, data: CustomerData) -> None:
        self._products = data.products
        self._staff_name = data.staff_name
        rows = sorted(
            data.view.opportunities,
            key=lambda o: (o.stage in _CLOSED, o.expected_close is None, o.expected_close, o.id),
        )
        self.model.set_rows(rows)
        open_rows = [o for o in rows if o.stage not in _CLOSED]
        weighted = sum(
            ((o.amount or Decimal(0)) * o.stage.probability / 100 for o in open_rows),
            start=Decimal(0),
        )
        self.summary.setText(
            self.tr("{open} open, weighted pipeline {amount}").format(
                open=number(len(open_rows)), amount=money(weighted)
            )
            if rows
            else self.tr("No opportunities for this customer.")
        )

    def _close_color(self, opportunity: e.Opportunity) -> QColor | None:
        late = (
            opportunity.stage not in _CLOSED
            and opportunity.expected_close is not None
            and opportunity.expected_close < self.bench.today()
        )
        return WARNING if late else None

    def _product_text(self, opportunity: e.Opportunity) -> str:
        product = self._products.get(opportunity.product_id or "")
        if product is not None:
            return product.name
        return label(opportunity.category) if opportunity.category else "—"

    @staticmethod
    def _snapshot(opportunity: e.Opportunity) -> Mapping[str, Any] | None:
        return opportunity.suitability_snapshot

    def _suitability_text(self, opportunity: e.Opportunity) -> str:
        snapshot = self._snapshot(opportunity)
        if not snapshot:
            return self.tr("Not checked")
        if snapshot.get("result") == "suitable":
            return self.tr("✓ Suitable")
        reasons = snapshot.get("reasons") or ()
        first = label_of(SuitabilityCheck, reasons[0]) if reasons else self.tr("Blocked")
        return self.tr("✗ {reason}").format(reason=first)

    def _suitability_tooltip(self, opportunity: e.Opportunity) -> str | None:
        snapshot = self._snapshot(opportunity)
        if not snapshot:
            return None
        lines = [
            self.tr("Checked on {date}: customer {customer}, product {product}").format(
                date=snapshot.get("checked_on") or "—",
                customer=snapshot.get("customer_level") or "—",
                product=snapshot.get("product_level") or "—",
            )
        ]
        lines += [label_of(SuitabilityCheck, r) for r in snapshot.get("reasons") or ()]
        lines += [label_of(SuitabilityFlag, f) for f in snapshot.get("flags") or ()]
        return "\n".join(lines)

    def _suitability_color(self, opportunity: e.Opportunity) -> QColor | None:
        snapshot = self._snapshot(opportunity)
        if not snapshot:
            return None
        return GOOD if snapshot.get("result") == "suitable" else WARNING


__all__ = ["OpportunitiesTab"]
