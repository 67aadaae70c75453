"""The customer list as a Qt model: keyset pages fetched as the view scrolls.

A branch's book can hold 100,000 customers, so :class:`CustomerTableModel` never reads them all.
Changing the query (filters, sort) reads one ``COUNT`` and the first page; the view then asks
:meth:`~CustomerTableModel.canFetchMore` / :meth:`~CustomerTableModel.fetchMore` as the user
scrolls, and each call reads the next keyset page
(:func:`~rm_desk.local_store.queries.customer_page`) plus the tags of its rows, inserted with
``beginInsertRows``. Sorting is a new query ordered in SQL:
a proxy would need every row in memory.

Rows are immutable (:class:`ListedCustomer`) and their cell texts are formatted once, when the page
is read, so painting a screenful while scrolling costs nothing but lookups. Values are shown as the
cache holds them: mobiles masked, names as the bank sent them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor

from rm_desk.domain.enums import CustomerRiskLevel, Tier
from rm_desk.local_store.customer_list import customer_count, employee_names, tags_of
from rm_desk.local_store.engine import Store
from rm_desk.local_store.queries import (
    CustomerFilter,
    CustomerListRow,
    CustomerSort,
    PageKey,
    customer_page,
)
from rm_desk.views.customer360.labels import label_of
from rm_desk.views.formatting import BANK_ZONE, current_language, day, money, parse_moment

PAGE_SIZE = 200
"""Rows per keyset page: a few screenfuls, read in a few milliseconds."""

RELOAD_LIMIT = 1000
"""At most this many rows are re-read when the cache changes under a scrolled list."""

CUSTOMER_ID_ROLE = int(Qt.ItemDataRole.UserRole) + 1
"""The row's customer id (any column)."""

OVERDUE_COLOR = QColor(200, 40, 40)

Index = QModelIndex | QPersistentModelIndex


class Column(StrEnum):
    """The columns of the list, in their order; :attr:`RM` only for team leads."""

    NAME = "name"
    TIER = "tier"
    RISK = "risk"
    AUM = "aum"
    MOBILE = "mobile"
    RM = "rm"
    LAST_CONTACT = "last_contact"
    NEXT_REVIEW = "next_review"
    TAGS = "tags"


SORTS: Mapping[Column, CustomerSort] = {
    Column.NAME: CustomerSort.NAME,
    Column.TIER: CustomerSort.TIER,
    Column.RISK: CustomerSort.RISK,
    Column.RM: CustomerSort.RM,
    Column.AUM: CustomerSort.AUM,
    Column.LAST_CONTACT: CustomerSort.LAST_CONTACT,
    Column.NEXT_REVIEW: CustomerSort.NEXT_REVIEW,
}
"""The columns a header click sorts by (in SQL); the others keep the current order."""


def tier_label(tier: str) -> str:
    """A tier code for people (普通/金卡/白金/钻石/私行), the words the 360 view uses."""
    return label_of(Tier, tier)


def risk_label(level: str | None) -> str:
    """A customer risk level for people: the bank's code and its name (C3 稳健型)."""
    if level is None:
        return "—"
    labels: dict[str, str] = {
        CustomerRiskLevel.C1: QCoreApplication.translate("CustomerLabels", "C1 Conservative"),
        CustomerRiskLevel.C2: QCoreApplication.translate("CustomerLabels", "C2 Cautious"),
        CustomerRiskLevel.C3: QCoreApplication.translate("CustomerLabels", "C3 Balanced"),
        CustomerRiskLevel.C4: QCoreApplication.translate("CustomerLabels", "C4 Growth"),
        CustomerRiskLevel.C5: QCoreApplication.translate("CustomerLabels", "C5 Aggressive"),
    }
    return labels.get(level, level)


def local_day(text: str | None) -> date | None:
    """The bank-local day of a cached timestamp (or plain ISO date)."""
    if not text:
        return None
    if len(text) == 10:
        return date.fromisoformat(text)
    moment = parse_moment(text)
    return moment.astimezone(BANK_ZONE).date() if moment is not None else None


@dataclass(frozen=True, slots=True)
class ListedCustomer:
    """One row of the list: the cached list row, its tags and its cell texts."""

    row: CustomerListRow
    tags: tuple[str, ...]
    cells: tuple[str, ...]
    review_overdue: bool


class CustomerTableModel(QAbstractTableModel):
    """The customer list over the cache, a keyset page at a time (see the module docstring).

    Signals:
        count_changed(int): How many customers match the current query (after each new query).
    """

    count_changed = Signal(int)

    def __init__(
        self,
        store: Store,
        *,
        show_rm: bool,
        today: Callable[[], date],
        page_size: int = PAGE_SIZE,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._store = store
        self._today = today
        self._page_size = page_size
        self._columns = tuple(c for c in Column if show_rm or c is not Column.RM)
        self._filters = CustomerFilter()
        self._sort = CustomerSort.NAME
        self._descending = False
        self._rows: list[ListedCustomer] = []
        self._next: PageKey | None = None
        self._complete = True
        self._total = 0
        self._rm_names: dict[str, str] = {}

    # ---- the query ---------------------------------------------------------------------------

    @property
    def columns(self) -> tuple[Column, ...]:
        return self._columns

    @property
    def filters(self) -> CustomerFilter:
        return self._filters

    @property
    def sort_order(self) -> tuple[CustomerSort, bool]:
        """The current sort and whether it is descending."""
        return self._sort, self._descending

    @property
    def total_count(self) -> int:
        """How many customers match the query, loaded or not."""
        return self._total

    def column_of(self, column: Column) -> int:
        """The section of ``column``, or -1 when this list does not show it."""
        return self._columns.index(column) if column in self._columns else -1

    def set_query(
        self,
        filters: CustomerFilter | None = None,
        sort: CustomerSort | None = None,
        descending: bool | None = None,
    ) -> None:
        """Show another query (filters, sort); arguments left out keep their current value.

        Reads the count and the first page: a new list, so a model reset, not row inserts.
        """
        if filters is not None:
            self._filters = filters
        if sort is not None:
            self._sort = sort
        if descending is not None:
            self._descending = descending
        self._reload(self._page_size)

    def reload(self) -> None:
        """Re-read the current query after the cache changed, keeping up to as many rows."""
        self._reload(min(max(len(self._rows), self._page_size), RELOAD_LIMIT))

    def _reload(self, limit: int) -> None:
        self.beginResetModel()
        try:
            with self._store.read() as conn:
                self._total = customer_count(conn, self._filters)
                if Column.RM in self._columns:
                    self._rm_names = employee_names(conn)
                self._rows = []
                self._next = None
                self._complete = False
                self._rows.extend(self._read_page(conn, limit))
        finally:
            self.endResetModel()
        self.count_changed.emit(self._total)

    # ---- paging ------------------------------------------------------------------------------

    def fetch_page(self) -> int:
        """Read the next page into the model; the number of rows added (0 at the end).

        Public so benchmarks and tests can page without a view.
        """
        if self._complete:
            return 0
        with self._store.read() as conn:
            page = self._read_page(conn, self._page_size)
        if not page:
            return 0
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(page) - 1)
        self._rows.extend(page)
        self.endInsertRows()
        return len(page)

    def _read_page(self, conn: Any, limit: int) -> list[ListedCustomer]:
        page = customer_page(
            conn,
            sort=self._sort,
            descending=self._descending,
            filters=self._filters,
            after=self._next,
            limit=limit,
            matching=self._total,
        )
        self._next = page.next_key
        self._complete = page.next_key is None
        tags = tags_of(conn, [row.id for row in page.rows])
        return [self._listed(row, tags.get(row.id, ())) for row in page.rows]

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and not self._complete

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if not parent.isValid():
            self.fetch_page()

    # ---- cells -------------------------------------------------------------------------------

    def _listed(self, row: CustomerListRow, tags: tuple[str, ...]) -> ListedCustomer:
        language = current_language()
        review = local_day(row.next_review_at)
        last = local_day(row.last_contact_at)
        texts = {
            Column.NAME: row.name,
            Column.TIER: tier_label(row.tier),
            Column.RISK: risk_label(row.risk_level),
            Column.AUM: money(row.aum, language),
            Column.MOBILE: row.mobile_masked or "—",
            Column.RM: self._rm_names.get(row.primary_rm_id or "", row.primary_rm_id or "—"),
            Column.LAST_CONTACT: day(last, language),
            Column.NEXT_REVIEW: day(review, language),
            Column.TAGS: tag_list(tags, language),
        }
        return ListedCustomer(
            row=row,
            tags=tags,
            cells=tuple(texts[column] for column in self._columns),
            review_overdue=review is not None and review < self._today(),
        )

    def customer_id(self, row: int) -> str:
        return self._rows[row].row.id

    def listed(self, row: int) -> ListedCustomer:
        return self._rows[row]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        item = self._rows[index.row()]
        column = self._columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return item.cells[index.column()]
        if role == CUSTOMER_ID_ROLE:
            return item.row.id
        if role == Qt.ItemDataRole.TextAlignmentRole and column is Column.AUM:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and column is Column.NEXT_REVIEW:
            return OVERDUE_COLOR if item.review_overdue else None
        if role == Qt.ItemDataRole.ToolTipRole:
            if column in (Column.NAME, Column.TAGS):
                # Long company names and tag lists are cut off in their column: show them whole.
                return item.cells[index.column()] or None
            if column is Column.TIER and item.row.tier_watch:
                return self.tr("On tier watch: the tier may change at the next review.")
            if column is Column.NEXT_REVIEW and item.review_overdue:
                return self.tr("The review is overdue.")
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self._columns):
            return None
        column = self._columns[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._header(column)
        if role == Qt.ItemDataRole.TextAlignmentRole and column is Column.AUM:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _header(self, column: Column) -> str:
        headers = {
            Column.NAME: self.tr("Name"),
            Column.TIER: self.tr("Tier"),
            Column.RISK: self.tr("Risk level"),
            Column.AUM: self.tr("AUM"),
            Column.MOBILE: self.tr("Mobile"),
            Column.RM: self.tr("RM"),
            Column.LAST_CONTACT: self.tr("Last contact"),
            Column.NEXT_REVIEW: self.tr("Next review"),
            Column.TAGS: self.tr("Tags"),
        }
        return headers[column]

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemNeverHasChildren
        )

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Re-query in SQL by the clicked column; columns without a SQL order are ignored."""
        if not 0 <= column < len(self._columns):
            return
        sort = SORTS.get(self._columns[column])
        if sort is None:
            return
        self.set_query(sort=sort, descending=order == Qt.SortOrder.DescendingOrder)


def tag_list(tags: Sequence[str], language: str | None = None) -> str:
    """Tag names as one cell: ``到期客户、高净值客户`` / ``A, B``."""
    separator = "、" if (language or current_language()) == "zh" else ", "
    return separator.join(tags)


__all__ = [
    "CUSTOMER_ID_ROLE",
    "PAGE_SIZE",
    "SORTS",
    "Column",
    "CustomerTableModel",
    "ListedCustomer",
    "local_day",
    "risk_label",
    "tag_list",
    "tier_label",
]
