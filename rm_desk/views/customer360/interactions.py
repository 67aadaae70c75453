"""The Interactions tab: the customer's visits, calls and complaints as a timeline, newest first."""

from __future__ import annotations

import re
from collections.abc import Callable

from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from rm_desk.domain import entities as e
from rm_desk.domain.enums import VisitChannel, VisitOutcome, VisitPurpose
from rm_desk.views.customer360.data import CustomerData
from rm_desk.views.customer360.labels import label
from rm_desk.views.customer360.models import GOOD, WARNING, Column, RowsModel
from rm_desk.views.customer360.tab import CustomerTab, unsent_text, unsent_tooltip
from rm_desk.views.formatting import moment, number
from rm_desk.views.free_text import masked_free_text
from rm_desk.views.workbench import Workbench


def scrub_numbers(text: str) -> str:
    """Mask any mobile, ID or card number an RM typed into free text, on one line for a cell."""
    return re.sub(r"\s+", " ", masked_free_text(text)).strip()


FILTERS = ("all", "meetings", "calls", "complaints")


def matches(visit: e.Visit, kind: str) -> bool:
    """Whether a visit belongs under a filter of :data:`FILTERS`."""
    if kind == "calls":
        return visit.channel in (VisitChannel.PHONE, VisitChannel.WECHAT, VisitChannel.VIDEO)
    if kind == "meetings":
        return visit.channel in (VisitChannel.ONSITE, VisitChannel.BRANCH, VisitChannel.EVENT)
    if kind == "complaints":
        return visit.purpose is VisitPurpose.COMPLAINT
    return True


class InteractionsTab(CustomerTab):
    """Visits, calls and complaints of one customer."""

    tab_id = "interactions"

    def __init__(self, bench: Workbench, parent: QWidget | None = None) -> None:
        super().__init__(bench, parent)
        self._visits: tuple[e.Visit, ...] = ()
        self._unsent: frozenset[str] = frozenset()
        self._staff_name: Callable[[str | None], str] = lambda employee_id: employee_id or "—"
        self.model = RowsModel(
            [
                Column(
                    self.tr("When"),
                    lambda v: unsent_text(moment(v.start_at), v.id in self._unsent),
                    tooltip=lambda v: unsent_tooltip(v.id in self._unsent),
                ),
                Column(
                    self.tr("How"),
                    lambda v: label(v.channel),
                    bold=lambda v: v.purpose is VisitPurpose.COMPLAINT,
                ),
                Column(
                    self.tr("Purpose"),
                    lambda v: label(v.purpose),
                    color=lambda v: WARNING if v.purpose is VisitPurpose.COMPLAINT else None,
                ),
                Column(
                    self.tr("Outcome"),
                    lambda v: label(v.outcome),
                    color=self._outcome_color,
                ),
                Column(self.tr("By"), lambda v: self._staff_name(v.rm_id)),
                Column(
                    self.tr("Notes"),
                    lambda v: scrub_numbers(v.notes or ""),
                    tooltip=self._notes_tooltip,
                ),
            ],
            lambda v: v.id,
            self,
        )
        self.filter = QComboBox(self)
        self.filter.setObjectName("interaction_filter")
        self.filter.setAccessibleName(self.tr("Show"))
        names = {
            "all": self.tr("All interactions"),
            "meetings": self.tr("Meetings and events"),
            "calls": self.tr("Calls and messages"),
            "complaints": self.tr("Complaints"),
        }
        for kind in FILTERS:
            self.filter.addItem(names[kind], kind)
        self.filter.currentIndexChanged.connect(self._apply_filter)
        self.count = QLabel(self)
        self.count.setObjectName("interaction_count")
        self.table = QTableView(self)
        self.table.setObjectName("interactions_table")
        self.table.setAccessibleName(self.tr("Interactions"))
        self.table.setModel(self.model)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table; arrows move in it
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setWordWrap(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        bar = QHBoxLayout()
        bar.addWidget(self.filter)
        bar.addWidget(self.count, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.table)

    def title(self) -> str:
        return self.tr("Interactions")

    def show_data(self, data: CustomerData) -> None:
        self._visits = data.view.visits  # newest first (visits_of)
        self._unsent = data.unsent
        self._staff_name = data.staff_name
        self._apply_filter()

    def _apply_filter(self) -> None:
        kind = self.filter.currentData() or "all"
        shown = [v for v in self._visits if matches(v, kind)]
        self.model.set_rows(shown)
        self.count.setText(
            self.tr("{shown} of 1 interaction").format(shown=number(len(shown)))
            if len(self._visits) == 1
            else self.tr("{shown} of {total} interactions").format(
                shown=number(len(shown)), total=number(len(self._visits))
            )
        )

    def _notes_tooltip(self, visit: e.Visit) -> str | None:
        notes = scrub_numbers(visit.notes or "")
        steps = scrub_numbers(visit.next_steps or "")
        if steps:
            return self.tr("{notes}\nNext steps: {steps}").format(notes=notes, steps=steps)
        return notes or None

    def _outcome_color(self, visit: e.Visit) -> object:
        if visit.outcome is VisitOutcome.POSITIVE:
            return GOOD
        if visit.outcome is VisitOutcome.NEGATIVE:
            return WARNING
        return None


__all__ = ["FILTERS", "InteractionsTab", "matches", "scrub_numbers"]
