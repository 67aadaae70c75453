"""The Customers screen: the whole book as a table, filtered, sorted, saved and exported.

The table (:class:`~rm_desk.views.customer_table.CustomerTableModel`) reads keyset pages as the
user scrolls, so a book of 100,000 customers opens as fast as one of 200; a click on a sortable
header re-queries in SQL. The filter bar
(:class:`~rm_desk.views.customer_filters.CustomerFilterBar`) narrows by tier, risk level, tag, RM
(team leads only) and AUM range, and keeps the user's saved filters. Enter or a double
click opens the customer's 360 view through the navigator.

"Export CSV…" needs the ``export.csv`` permission; without it the button stays visible but
disabled, with a tooltip saying why, so the user knows the feature exists and whom to ask. The
export runs off the GUI thread (:mod:`rm_desk.views.csv_export`) and covers every matching
customer, not just the rows loaded so far.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from rm_desk.domain.enums import CustomerRiskLevel, Tier
from rm_desk.errors import RmDeskError
from rm_desk.local_store.customer_list import employee_names
from rm_desk.local_store.queries import CustomerFilter
from rm_desk.logs import log_failure
from rm_desk.views.csv_export import ExportRequest, ExportResult, export_customers
from rm_desk.views.customer_filters import CustomerFilterBar
from rm_desk.views.customer_table import (
    PAGE_SIZE,
    SORTS,
    Column,
    CustomerTableModel,
    risk_label,
    tier_label,
)
from rm_desk.views.error_words import error_words
from rm_desk.views.formatting import BANK_ZONE, number
from rm_desk.views.screen import Screen
from rm_desk.views.watermark import Watermark
from rm_desk.views.workbench import Permission, Workbench

log = logging.getLogger(__name__)

PathChooser = Callable[[QWidget, str], Path | None]
"""Asks where to save an export, given a suggested file name; ``None`` when the user cancels."""


def _choose_export_path(parent: QWidget, suggested: str) -> Path | None:
    chosen, _ = QFileDialog.getSaveFileName(
        parent,
        QCoreApplication.translate("CustomersScreen", "Export customers"),
        str(Path.home() / suggested),
        QCoreApplication.translate("CustomersScreen", "CSV files (*.csv)"),
    )
    if not chosen:
        return None
    path = Path(chosen)
    return path if path.suffix.lower() == ".csv" else path.with_name(f"{path.name}.csv")


class CustomersScreen(Screen):
    """The customer list with its filter bar and export (see the module docstring)."""

    def __init__(
        self, bench: Workbench, parent: QWidget | None = None, *, page_size: int = PAGE_SIZE
    ) -> None:
        """Create the screen; ``page_size`` is the rows read per scroll step (tests use fewer)."""
        super().__init__(bench, parent)
        self.setObjectName("customers")
        self.choose_export_path: PathChooser = _choose_export_path

        self.filter_bar = CustomerFilterBar(bench, self)
        self.model = CustomerTableModel(
            bench.store,
            show_rm=bench.is_team_lead,
            today=bench.today,
            page_size=page_size,
            parent=self,
        )
        self.table = QTableView(self)
        self.table.setObjectName("customer_table")
        self.table.setAccessibleName(self.tr("Customers"))
        self.table.setModel(self.model)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table; arrows move in it
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        # Uniform row heights: the view never measures rows it has not painted.
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header = self.table.horizontalHeader()
        header.setSectionsClickable(True)
        header.setSortIndicatorShown(True)
        header.setSortIndicator(self.model.column_of(Column.NAME), Qt.SortOrder.AscendingOrder)
        header.setStretchLastSection(True)
        header.sortIndicatorChanged.connect(self._on_sort_clicked)
        self._size_columns()

        self.count_label = QLabel(self)
        self.count_label.setObjectName("customer_count")
        self.notice = QLabel(self)
        self.notice.setObjectName("customer_notice")
        self.notice.setWordWrap(True)
        self.export_button = QPushButton(self.tr("Export CSV…"), self)
        self.export_button.setObjectName("export_csv")
        if bench.may(Permission.EXPORT_CSV):
            self.export_button.setToolTip(
                self.tr("Save every customer matching the filters to a CSV file.")
            )
        else:
            self.export_button.setEnabled(False)
            self.export_button.setToolTip(
                self.tr(
                    "Exporting customer lists needs the export permission, "
                    "which your account does not have. Ask your team lead."
                )
            )

        status = QHBoxLayout()
        status.addWidget(self.count_label)
        status.addWidget(self.notice, 1)
        status.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.filter_bar)
        layout.addLayout(status)
        layout.addWidget(self.table, 1)
        # The export sits above the table: Tab reaches it first (it was created after the table).
        QWidget.setTabOrder(self.export_button, self.table)

        self.filter_bar.filter_changed.connect(self._on_filter_changed)
        self.filter_bar.problem.connect(self._show_problem)
        self.model.count_changed.connect(self._show_count)
        self.table.activated.connect(self._open_customer)
        self.export_button.clicked.connect(self.export_csv)
        self.watermark = Watermark(self, bench.user.id, bench.device_id, bench.clock)

    def title(self) -> str:
        return self.tr("Customers")

    def refresh(self) -> None:
        """Re-read the filter choices and the list, keeping the filter, sort and rows read."""
        self.filter_bar.refresh()
        shown = self.filter_bar.current()
        if shown != self.model.filters:
            # A chosen tag or RM left the cache with this change: show what the bar now says.
            self.model.set_query(filters=shown)
        else:
            self.model.reload()

    # ---- list ----------------------------------------------------------------------------------

    def _size_columns(self) -> None:
        widths = {
            # Most company names whole (twelve characters); longer ones show in the tooltip.
            Column.NAME: max(120, self.table.fontMetrics().horizontalAdvance("客" * 12) + 16),
            Column.TIER: 90,
            Column.RISK: 110,
            Column.AUM: 120,
            Column.MOBILE: 120,
            Column.RM: 100,
            Column.LAST_CONTACT: 120,
            Column.NEXT_REVIEW: 120,
        }
        for column, width in widths.items():
            section = self.model.column_of(column)
            if section >= 0:
                self.table.setColumnWidth(section, width)

    def _on_filter_changed(self, filters: CustomerFilter) -> None:
        self.notice.clear()
        self.model.set_query(filters=filters)

    def _on_sort_clicked(self, section: int, order: Qt.SortOrder) -> None:
        columns = self.model.columns
        if 0 <= section < len(columns) and columns[section] in SORTS:
            self.model.sort(section, order)
            return
        # Tier, risk, mobile, RM and tags have no SQL order: put the indicator back.
        sort, descending = self.model.sort_order
        current = next(column for column, value in SORTS.items() if value is sort)
        header = self.table.horizontalHeader()
        header.blockSignals(True)
        header.setSortIndicator(
            self.model.column_of(current),
            Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder,
        )
        header.blockSignals(False)

    def _show_count(self, count: int) -> None:
        if count == 0:
            self.count_label.setText(self.tr("No customers match these filters."))
        else:
            self.count_label.setText(self.tr("Customers: {count}").format(count=number(count)))

    def _open_customer(self, index: QModelIndex) -> None:
        if index.isValid():
            self.bench.navigator.open_customer(self.model.customer_id(index.row()))

    def _show_problem(self, title: str, message: str) -> None:
        self.notice.setText(self.tr("{title}: {message}").format(title=title, message=message))

    # ---- export --------------------------------------------------------------------------------

    def export_csv(self) -> None:
        """Ask for a file; export every customer matching the filters to it, off the GUI thread."""
        if not self.bench.may(Permission.EXPORT_CSV):
            return  # the button is disabled; this guards a shortcut or a direct call
        now = self.bench.clock()
        suggested = self.tr("customers-{stamp}.csv").format(
            stamp=f"{now.astimezone(BANK_ZONE):%Y%m%d-%H%M}"
        )
        path = self.choose_export_path(self, suggested)
        if path is None:
            return
        with self.bench.store.read() as conn:
            rm_names = employee_names(conn) if Column.RM in self.model.columns else {}
        sort, descending = self.model.sort_order
        request = ExportRequest(
            path=path,
            filters=self.model.filters,
            sort=sort,
            descending=descending,
            columns=self.model.columns,
            headers=tuple(
                str(self.model.headerData(section, Qt.Orientation.Horizontal))
                for section in range(self.model.columnCount())
            ),
            tier_labels={tier.value: tier_label(tier) for tier in Tier},
            risk_labels={level.value: risk_label(level) for level in CustomerRiskLevel},
            rm_names=rm_names,
            user_id=self.bench.user.id,
            device_id=self.bench.device_id,
            now=now,
        )
        store = self.bench.store
        self.export_button.setEnabled(False)
        self.notice.setText(self.tr("Exporting…"))
        self.bench.runner.submit(
            lambda: export_customers(store, request), self._export_done, self._export_failed
        )

    def _export_done(self, result: ExportResult) -> None:
        self.export_button.setEnabled(True)
        self.notice.setText(
            self.tr("Exported 1 customer to {file}.").format(file=result.path.name)
            if result.rows == 1
            else self.tr("Exported {count} customers to {file}.").format(
                count=number(result.rows), file=result.path.name
            )
        )

    def _export_failed(self, error: BaseException) -> None:
        self.export_button.setEnabled(True)
        if not isinstance(error, RmDeskError):
            log_failure(log, "customer export failed", error)  # a bug: its words stay hidden
        self._show_problem(*error_words(error))


__all__ = ["CustomersScreen", "PathChooser"]
