"""The Household and relationships tab: members with their roles, and the customer's links to
other customers and companies; a click on a customer in the user's book opens their 360 view."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QModelIndex
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from rm_desk.domain.enums import HouseholdRole, RelationshipKind, RelationshipStatus
from rm_desk.domain.masking import mask_name
from rm_desk.views.customer360.data import CustomerData
from rm_desk.views.customer360.labels import label
from rm_desk.views.customer360.models import MUTED, ROW_ROLE, Column, RowsModel
from rm_desk.views.customer360.tab import CustomerTab
from rm_desk.views.workbench import Workbench

LINK = QColor("#1d4ed8")


@dataclass(frozen=True, slots=True)
class MemberRow:
    customer_id: str
    name: str | None  # None: not in the user's book
    role: HouseholdRole
    is_minor: bool
    is_self: bool

    @property
    def openable(self) -> bool:
        return self.name is not None and not self.is_self


@dataclass(frozen=True, slots=True)
class RelationRow:
    id: str
    kind: RelationshipKind
    outgoing: bool  # this customer is the "from" side
    other_id: str | None  # another customer, or None for a company
    other_name: str | None  # the customer's name when cached, or the company's
    status: RelationshipStatus
    source: str | None

    @property
    def openable(self) -> bool:
        return self.other_id is not None and self.other_name is not None


def _shown_name(name: str, is_minor: bool) -> str:
    # Children's data is sensitive personal information (PIPL): their names stay masked.
    return mask_name(name) if is_minor else name


class HouseholdTab(CustomerTab):
    """Household members and relationships, with click-through to related customers."""

    tab_id = "household"

    def __init__(self, bench: Workbench, parent: QWidget | None = None) -> None:
        super().__init__(bench, parent)
        not_in_book = self.tr("Not in your book")
        self.members = RowsModel(
            [
                Column(
                    self.tr("Name"),
                    lambda r: _shown_name(r.name, r.is_minor) if r.name else not_in_book,
                    color=lambda r: LINK if r.openable else (None if r.is_self else MUTED),
                    tooltip=lambda r: self.tr("Open this customer") if r.openable else None,
                    bold=lambda r: r.is_self,
                ),
                Column(self.tr("Role"), lambda r: label(r.role)),
                Column(self.tr("Minor"), lambda r: self.tr("Minor") if r.is_minor else ""),
                Column(self.tr("Customer id"), lambda r: r.customer_id),
                Column(self.tr("Note"), lambda r: self.tr("This customer") if r.is_self else ""),
            ],
            lambda r: r.customer_id,
            self,
        )
        self.relations = RowsModel(
            [
                Column(self.tr("Relationship"), lambda r: label(r.kind)),
                Column(
                    self.tr("With"),
                    lambda r: r.other_name or not_in_book,
                    color=lambda r: LINK if r.openable else (None if r.other_id is None else MUTED),
                    tooltip=lambda r: self.tr("Open this customer") if r.openable else None,
                ),
                Column(
                    self.tr("Direction"),
                    lambda r: (
                        self.tr("This customer → them")
                        if r.outgoing
                        else self.tr("Them → this customer")
                    ),
                ),
                Column(self.tr("Status"), lambda r: label(r.status)),
                Column(self.tr("Source"), self._source_text),
            ],
            lambda r: r.id,
            self,
        )
        self.household_name = QLabel(self)
        self.household_name.setObjectName("household_name")
        self.members_table = self._table("household_members", self.members)
        self.members_table.setAccessibleName(self.tr("Household members"))
        self.relations_table = self._table("relationships", self.relations)
        self.relations_table.setAccessibleName(self.tr("Relationships"))
        self.members_table.clicked.connect(self._member_clicked)
        self.relations_table.clicked.connect(self._relation_clicked)

        members_box = QGroupBox(self.tr("Household"), self)
        members_layout = QVBoxLayout(members_box)
        members_layout.addWidget(self.household_name)
        members_layout.addWidget(self.members_table)
        relations_box = QGroupBox(self.tr("Relationships"), self)
        QVBoxLayout(relations_box).addWidget(self.relations_table)
        hint = QLabel(self.tr("Click a customer of your book to open their 360 view."), self)
        hint.setStyleSheet(f"color: {MUTED.name()};")
        layout = QVBoxLayout(self)
        layout.addWidget(members_box)
        layout.addWidget(relations_box)
        layout.addWidget(hint)

    def _table(self, name: str, model: RowsModel) -> QTableView:
        table = QTableView(self)
        table.setObjectName(name)
        table.setModel(model)
        table.setTabKeyNavigation(False)  # Tab leaves the table; arrows move in it
        table.verticalHeader().hide()
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        table.horizontalHeader().setStretchLastSection(True)
        table.setMouseTracking(True)
        return table

    def title(self) -> str:
        return self.tr("Household & relationships")

    def show_data(self, data: CustomerData) -> None:
        view = data.view
        me = view.customer
        household = view.household
        if household is None:
            self.household_name.setText(self.tr("Not part of a household on file."))
            self.members.set_rows([])
        else:
            self.household_name.setText(
                self.tr("Household: {name}").format(name=household.name or household.id)
            )
            rows = []
            for member in household.members:
                is_self = member.customer_id == me.id
                name = me.name if is_self else data.names.get(member.customer_id)
                rows.append(
                    MemberRow(member.customer_id, name, member.role, member.is_minor, is_self)
                )
            self.members.set_rows(rows)
        minors = {m.customer_id for m in household.members if m.is_minor} if household else set()
        relations = []
        for rel in view.relationships:
            outgoing = rel.from_customer_id == me.id
            other = rel.to_customer_id if outgoing else rel.from_customer_id
            name = data.names.get(other) if other else rel.to_company_name
            if other in minors and name is not None:
                name = _shown_name(name, is_minor=True)
            relations.append(
                RelationRow(rel.id, rel.kind, outgoing, other, name, rel.status, rel.source)
            )
        self.relations.set_rows(relations)

    def _source_text(self, row: RelationRow) -> str:
        if row.source == "household_registry":
            return self.tr("Household registry")
        if row.source in (None, "", "rm"):
            return self.tr("Proposed by an RM") if row.source == "rm" else "—"
        return row.source

    def _member_clicked(self, index: QModelIndex) -> None:
        row = index.data(ROW_ROLE)
        if isinstance(row, MemberRow) and row.openable:
            self.bench.navigator.open_customer(row.customer_id)

    def _relation_clicked(self, index: QModelIndex) -> None:
        row = index.data(ROW_ROLE)
        if isinstance(row, RelationRow) and row.openable and row.other_id is not None:
            self.bench.navigator.open_customer(row.other_id)


__all__ = ["HouseholdTab", "MemberRow", "RelationRow"]
