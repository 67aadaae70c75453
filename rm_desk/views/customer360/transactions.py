"""The Transactions tab: the cached window newest first, paged from the cache as the user scrolls,
and older history from the bank's server on demand when connected."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QCoreApplication, QModelIndex, QObject, QPersistentModelIndex
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from rm_desk.domain import entities as e
from rm_desk.domain.enums import TxnDirection
from rm_desk.errors import RmDeskError
from rm_desk.local_store.queries import (
    TRANSACTIONS_FIRST_PAGE,
    TransactionKey,
    TransactionPage,
    transaction_page,
    utc_text,
)
from rm_desk.views.customer360.data import CustomerData
from rm_desk.views.customer360.labels import label
from rm_desk.views.customer360.models import GOOD, MUTED, Column, RowsModel
from rm_desk.views.customer360.tab import CustomerTab
from rm_desk.views.formatting import moment, money, number
from rm_desk.views.workbench import Workbench

OLDER_PAGE = 200
"""Transactions fetched from the server per "Load older" click."""


@dataclass(frozen=True, slots=True)
class TxnRow:
    txn: e.Transaction
    online: bool  # fetched from the server, older than the cached window; not kept locally


@dataclass(frozen=True, slots=True)
class OlderPage:
    rows: tuple[e.Transaction, ...]
    has_more: bool
    next_before: str | None


Index = QModelIndex | QPersistentModelIndex


class TransactionsModel(RowsModel):
    """Transactions newest first; fetches the next cached page when the view scrolls to the end."""

    def __init__(self, columns: Sequence[Column], parent: QObject | None = None) -> None:
        super().__init__(columns, lambda r: r.txn.id, parent)
        self._next_key: TransactionKey | None = None
        self._fetch: Callable[[TransactionKey], TransactionPage] | None = None

    def start(
        self,
        first: TransactionPage,
        fetch: Callable[[TransactionKey], TransactionPage],
    ) -> None:
        """Show the first cached page; ``fetch`` reads the page after a key."""
        self._fetch = fetch
        self._next_key = first.next_key
        self.set_rows([TxnRow(t, online=False) for t in first.rows])

    def has_more_cached(self) -> bool:
        return self._next_key is not None and self._fetch is not None

    def canFetchMore(self, parent: Index) -> bool:
        return not parent.isValid() and self.has_more_cached()

    def fetchMore(self, parent: Index) -> None:
        if parent.isValid() or self._next_key is None or self._fetch is None:
            return
        page = self._fetch(self._next_key)
        self._next_key = page.next_key
        self.append_rows([TxnRow(t, online=False) for t in page.rows])

    def append_online(self, rows: Sequence[e.Transaction]) -> int:
        """Append server rows not shown yet; return how many were new."""
        shown = {r.txn.id for r in self.rows()}
        fresh = [TxnRow(t, online=True) for t in rows if t.id not in shown]
        self.append_rows(fresh)
        return len(fresh)

    def oldest(self) -> e.Transaction | None:
        rows = self.rows()
        return rows[-1].txn if rows else None


def _parse_older(records: Sequence[Mapping[str, Any]]) -> tuple[e.Transaction, ...]:
    # The history endpoint sends records without a revision (they are not feed records).
    return tuple(e.Transaction.from_wire({"rev": 0, **record}) for record in records)


class TransactionsTab(CustomerTab):
    """The customer's transactions."""

    tab_id = "transactions"

    def __init__(self, bench: Workbench, parent: QWidget | None = None) -> None:
        super().__init__(bench, parent)
        self._data: CustomerData | None = None
        self._accounts: dict[str, e.Account] = {}
        self._older_before: str | None = None
        self._older_exhausted = False
        self._loading = False
        self.model = TransactionsModel(
            [
                Column(self.tr("Time"), lambda r: moment(r.txn.ts)),
                Column(self.tr("Type"), lambda r: label(r.txn.type)),
                Column(
                    self.tr("Amount"),
                    self._amount_text,
                    numeric=True,
                    color=self._amount_color,
                ),
                Column(self.tr("Account"), self._account_text),
                Column(self.tr("Channel"), lambda r: label(r.txn.channel)),
                Column(
                    self.tr("Counterparty"),
                    lambda r: r.txn.counterparty_masked or "—",
                ),
                Column(self.tr("Other bank"), lambda r: self.tr("Yes") if r.txn.other_bank else ""),
                Column(
                    self.tr("Source"),
                    lambda r: self.tr("Bank server") if r.online else "",
                    tooltip=lambda r: (
                        self.tr(
                            "Older than the cached window; fetched from the bank's server and not "
                            "kept on this computer."
                        )
                        if r.online
                        else None
                    ),
                    color=lambda r: MUTED,
                ),
            ],
            self,
        )
        self.table = QTableView(self)
        self.table.setObjectName("transactions_table")
        self.table.setAccessibleName(self.tr("Transactions"))
        self.table.setModel(self.model)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table; arrows move in it
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)

        self.summary = QLabel(self)
        self.summary.setObjectName("transactions_summary")
        self.load_older = QPushButton(self.tr("Load older"), self)
        self.load_older.setObjectName("load_older")
        self.load_older.setToolTip(
            self.tr("Fetch history older than the cached window from the bank's server.")
        )
        self.load_older.clicked.connect(self.request_older)
        self.older_note = QLabel(self)
        self.older_note.setObjectName("older_note")
        self.older_note.setWordWrap(True)
        bar = QHBoxLayout()
        bar.addWidget(self.summary, 1)
        bar.addWidget(self.older_note, 1)
        bar.addWidget(self.load_older)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.table)
        # "Load older" sits above the table: Tab reaches it first (it was created after the table).
        QWidget.setTabOrder(self.load_older, self.table)

    def title(self) -> str:
        return self.tr("Transactions")

    def show_data(self, data: CustomerData) -> None:
        self._data = data
        self._accounts = {a.id: a for a in data.view.accounts}
        self._older_before = None
        self._older_exhausted = False
        self._loading = False
        view = data.view
        first = TransactionPage(
            rows=view.transactions,
            next_key=self._first_next_key(view.transactions, view.transaction_count),
        )
        customer_id = view.customer.id
        self.model.start(first, lambda key: self._read_page(customer_id, key))
        self._update_bar()

    def _first_next_key(self, rows: tuple[e.Transaction, ...], count: int) -> TransactionKey | None:
        # customer_360 gives the first page without its key; rebuild it the way the query does.
        if len(rows) >= count or not rows or len(rows) < TRANSACTIONS_FIRST_PAGE:
            return None
        last = rows[-1]
        return TransactionKey(ts=utc_text(last.ts), transaction_id=last.id)

    def _read_page(self, customer_id: str, key: TransactionKey) -> TransactionPage:
        with self.bench.store.read() as conn:
            return transaction_page(conn, customer_id, after=key)

    # --- older history ---------------------------------------------------------------------------

    def can_load_older(self) -> bool:
        return self.bench.is_online() and self.bench.online is not None

    def request_older(self) -> None:
        """Fetch the page before the oldest shown transaction from the bank's server."""
        online, data = self.bench.online, self._data
        if online is None or data is None or self._loading or not self.can_load_older():
            self._update_bar()
            return
        # The server's page starts below the oldest row shown, so the cached window must be
        # fully shown first or rows between would be skipped.
        while self.model.has_more_cached():
            self.model.fetchMore(QModelIndex())
        before = self._older_before
        if before is None:
            oldest = self.model.oldest()
            before = utc_text(oldest.ts) if oldest is not None else utc_text(self.bench.clock())
        customer_id = data.view.customer.id
        self._loading = True
        self._update_bar()

        def work() -> OlderPage:
            page = online.older_transactions(customer_id, before=before, limit=OLDER_PAGE)
            return OlderPage(_parse_older(page.transactions), page.has_more, page.next_before)

        self.bench.runner.submit(
            work, lambda page: self._older_arrived(customer_id, page), self._older_failed
        )

    def _older_arrived(self, customer_id: str, page: OlderPage) -> None:
        self._loading = False
        if self._data is None or self._data.view.customer.id != customer_id:
            return  # another customer is shown now
        self.model.append_online(page.rows)
        self._older_exhausted = not page.has_more
        self._older_before = page.next_before
        if self._older_before is None and page.rows:
            self._older_before = utc_text(page.rows[-1].ts)
        self._update_bar()

    def _older_failed(self, error: BaseException) -> None:
        self._loading = False
        self._update_bar()
        if isinstance(error, RmDeskError):
            message = QCoreApplication.translate("errors", error.message)
        else:
            message = self.tr("Older history could not be fetched. Please try again later.")
        self.older_note.setText(message)

    def _update_bar(self) -> None:
        data = self._data
        count = data.view.transaction_count if data is not None else 0
        cached = sum(1 for r in self.model.rows() if not r.online)
        online_rows = len(self.model.rows()) - cached
        if count == 1:
            text = self.tr("Showing {shown} of 1 cached transaction (last 90 days)").format(
                shown=number(cached)
            )
        else:
            text = self.tr("Showing {shown} of {count} cached transactions (last 90 days)").format(
                shown=number(cached), count=number(count)
            )
        if online_rows:
            text = self.tr("{cached} · {older} older from the bank's server").format(
                cached=text, older=number(online_rows)
            )
        self.summary.setText(text)
        online = self.can_load_older()
        self.load_older.setVisible(online)
        self.load_older.setEnabled(online and not self._loading and not self._older_exhausted)
        if not online:
            self.older_note.setText(self.tr("Older history needs a connection to the bank."))
        elif self._loading:
            self.older_note.setText(self.tr("Loading older history…"))
        elif self._older_exhausted:
            self.older_note.setText(self.tr("No older history at the bank."))
        else:
            self.older_note.setText("")

    # --- cells -----------------------------------------------------------------------------------

    def _amount_text(self, row: TxnRow) -> str:
        sign = "+" if row.txn.direction is TxnDirection.IN else "-"
        return sign + money(row.txn.amount, exact=True)

    def _amount_color(self, row: TxnRow) -> QColor | None:
        return GOOD if row.txn.direction is TxnDirection.IN else None

    def _account_text(self, row: TxnRow) -> str:
        account = self._accounts.get(row.txn.account_id)
        if account is None:
            return "—"
        return self.tr("{type} {number}").format(
            type=label(account.type), number=account.number_masked or ""
        )


__all__ = ["OlderPage", "TransactionsModel", "TransactionsTab", "TxnRow"]
