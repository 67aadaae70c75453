"""Older transactions, ``GET /customers/{id}/transactions?before=&limit=`` (API.md §4).

The cache keeps ``transaction_window_days`` of transactions; this call pages through the ones
older than that, newest first. ``before`` (an RFC 3339 timestamp, exclusive) starts a page; the
answer's ``next_before`` starts the next one. A page never ends inside a group of transactions
with the same timestamp (it is completed, so it may hold a few more than ``limit``), so paging by
timestamp skips nothing.
"""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import Connection, Select, select

from crm_server.database import Database
from crm_server.problems import Code, ProblemError
from crm_server.record_store import load_record
from crm_server.schema import history
from crm_server.scope import Principal
from rm_desk.domain.enums import Entity


class History:
    """Pages through a customer's older transactions.

    Args:
        database: Where the history lives.
    """

    def __init__(self, database: Database) -> None:
        self.db = database

    def page(self, principal: Principal, customer_id: str, before: str | None, limit: int) -> bytes:
        """One page as JSON bytes: ``{transactions, has_more, next_before}``.

        Args:
            principal: The signed-in user.
            customer_id: The customer, who must be in the user's book.
            before: Wire timestamp (``YYYY-MM-DDTHH:MM:SSZ``); only older transactions.
            limit: Page size.

        Raises:
            ProblemError: 404 for a customer outside the user's book.
        """
        with self.db.read() as conn:
            customer = load_record(conn, Entity.CUSTOMER.value, customer_id)
            if (
                customer is None
                or customer.deleted
                or not principal.may_see(customer.rm_id, customer.team_id)
            ):
                raise ProblemError(404, Code.NOT_FOUND, "There is no such customer in your book.")
            query = _older(customer_id, before)
            rows = list(conn.execute(query.limit(limit)).tuples())
            has_more = False
            if len(rows) == limit and rows:
                boundary, last_id = rows[-1][0], rows[-1][1]
                rows += _rest_of_group(conn, customer_id, boundary, last_id)
                has_more = conn.execute(_older(customer_id, boundary).limit(1)).first() is not None
        answer = {
            "transactions": [orjson.Fragment(data) for _, _, data in rows],
            "has_more": has_more,
            "next_before": rows[-1][0] if has_more else None,
        }
        return orjson.dumps(answer)


def _older(customer_id: str, before: str | None) -> Select[Any]:
    query = select(history.c.ts, history.c.id, history.c.data).where(
        history.c.customer_id == customer_id
    )
    if before is not None:
        query = query.where(history.c.ts < before)
    return query.order_by(history.c.ts.desc(), history.c.id.desc())


def _rest_of_group(
    conn: Connection, customer_id: str, ts: str, after_id: str
) -> list[tuple[str, str, str]]:
    rows = conn.execute(
        select(history.c.ts, history.c.id, history.c.data)
        .where(history.c.customer_id == customer_id, history.c.ts == ts, history.c.id < after_id)
        .order_by(history.c.id.desc())
    ).tuples()
    return [(row_ts, row_id, data) for row_ts, row_id, data in rows]
