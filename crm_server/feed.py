"""The change feed, ``GET /changes`` (API.md §2).

A page merges three ``rev``-ordered sources, each read through its own index in one snapshot:

1. the user's book: ``rm_id`` = the RM, or ``team_id`` = the lead's team (which includes the
   team's KPIs);
2. bank-wide records (no ``rm_id``, no ``team_id``);
3. the user's scope exits (``scope_exit``), answered as ``delete`` with ``reason: out_of_scope``.

Revs are unique across records and scope exits, so the cursor (the last rev of the page) never
splits a rev between pages. A record that enters the user's book (a reassigned customer and its
children) was re-stamped with new revs when it moved, so it appears after any older cursor.
Tombstones (``deleted``) appear as ``delete`` with ``reason: deleted``.

Each upsert's ``data`` is the stored JSON text, spliced into the answer with
:class:`orjson.Fragment` rather than parsed and written again. It holds C2 fields masked only:
the seed contract masks them, and clients cannot write unmasked ones (``from_wire`` refuses them).
"""

from __future__ import annotations

import heapq
from collections.abc import Generator
from itertools import islice
from typing import Any

import orjson
from sqlalchemy import Connection, Select, and_, func, select

from crm_server.cursor import decode_cursor, encode_cursor
from crm_server.database import Database
from crm_server.schema import record, scope_exit
from crm_server.scope import Principal
from crm_server.settings import Settings
from crm_server.timestamps import to_wire

_UPSERT = "upsert"
_FETCH_BATCH = 1000
_DELETE = "delete"


class Feed:
    """Answers feed pages for signed-in users.

    Args:
        database: The records.
        settings: Page sizes, the cursor horizon and the clock.
    """

    def __init__(self, database: Database, settings: Settings) -> None:
        self.db = database
        self.settings = settings
        self._epoch: str | None = None

    @property
    def epoch(self) -> str:
        """The database's epoch (fixed for the life of a database, so it is read once)."""
        if self._epoch is None:
            self._epoch = self.db.epoch()
        return self._epoch

    def page(self, principal: Principal, cursor: str | None, limit: int) -> bytes:
        """Build one page of the user's feed as JSON bytes.

        Args:
            principal: The signed-in user.
            cursor: The cursor of the previous page, or ``None`` to start from the beginning.
            limit: Most changes to answer (already checked against the maximum).

        Raises:
            ProblemError: 400 for a malformed or foreign cursor, 410 ``cursor_expired``.
        """
        now = self.settings.clock()
        after = 0
        if cursor is not None:
            after = decode_cursor(
                cursor,
                user_id=principal.user_id,
                epoch=self.epoch,
                now=now,
                horizon=self.settings.cursor_horizon,
            ).rev
        with self.db.read() as conn:
            sources = self._sources(conn, principal, after, limit + 1)
            try:
                rows = list(islice(heapq.merge(*sources, key=_rev), limit + 1))
            finally:
                # A half-read cursor keeps its SQLite read snapshot open after the transaction
                # ends, on a connection back in the pool: the next request there would see old
                # data (a token just issued as unknown). So every source ends here.
                for source in sources:
                    source.close()
            has_more = len(rows) > limit
            rows = rows[:limit]
            last = rows[-1][2] if rows else after
            remaining = self._count_after(conn, principal, last) if has_more else 0
        changes = [_change(row) for row in rows]
        answer = {
            "changes": changes,
            "cursor": encode_cursor(last, issued=now, user_id=principal.user_id, epoch=self.epoch),
            "has_more": has_more,
            "estimated_remaining": remaining,
            "server_time": to_wire(now),
        }
        return orjson.dumps(answer)

    def _sources(
        self, conn: Connection, principal: Principal, after: int, limit: int
    ) -> list[Generator[tuple[Any, ...], None, None]]:
        columns = (record.c.entity, record.c.id, record.c.rev, record.c.deleted, record.c.data)
        book = select(*columns).where(_book_filter(principal), record.c.rev > after)
        bank_wide = select(*columns).where(_bank_wide_filter(), record.c.rev > after)
        exits = select(scope_exit.c.entity, scope_exit.c.id, scope_exit.c.rev).where(
            _exit_filter(principal), scope_exit.c.rev > after
        )
        return [
            _record_rows(conn, book.order_by(record.c.rev).limit(limit)),
            _record_rows(conn, bank_wide.order_by(record.c.rev).limit(limit)),
            _exit_rows(conn, exits.order_by(scope_exit.c.rev).limit(limit)),
        ]

    def _count_after(self, conn: Connection, principal: Principal, rev: int) -> int:
        counts = (
            select(func.count())
            .select_from(record)
            .where(_book_filter(principal), record.c.rev > rev),
            select(func.count()).select_from(record).where(_bank_wide_filter(), record.c.rev > rev),
            select(func.count())
            .select_from(scope_exit)
            .where(_exit_filter(principal), scope_exit.c.rev > rev),
        )
        return sum(int(conn.execute(count).scalar_one()) for count in counts)


def _book_filter(principal: Principal) -> Any:
    if principal.is_team_lead:
        return record.c.team_id == principal.team_id
    return record.c.rm_id == principal.user_id


def _bank_wide_filter() -> Any:
    return and_(record.c.team_id.is_(None), record.c.rm_id.is_(None))


def _exit_filter(principal: Principal) -> Any:
    if principal.is_team_lead:
        return scope_exit.c.team_id == principal.team_id
    return scope_exit.c.rm_id == principal.user_id


def _record_rows(conn: Connection, query: Select[Any]) -> Generator[tuple[Any, ...], None, None]:
    # Lazy (the merge may need few rows of a source) but fetched in batches, not row by row;
    # closing the generator closes the cursor.
    with conn.execute(query) as result:
        for batch in result.tuples().partitions(_FETCH_BATCH):
            for entity, record_id, rev, deleted, data in batch:
                yield (_UPSERT, entity, rev, record_id, deleted, data)


def _exit_rows(conn: Connection, query: Select[Any]) -> Generator[tuple[Any, ...], None, None]:
    with conn.execute(query) as result:
        for batch in result.tuples().partitions(_FETCH_BATCH):
            for entity, record_id, rev in batch:
                yield (_DELETE, entity, rev, record_id, True, None)


def _rev(row: tuple[Any, ...]) -> int:
    return int(row[2])


def _change(row: tuple[Any, ...]) -> dict[str, Any]:
    kind, entity, rev, record_id, deleted, data = row
    if kind == _DELETE:
        return {
            "entity": entity,
            "id": record_id,
            "rev": rev,
            "op": _DELETE,
            "reason": "out_of_scope",
        }
    if deleted:
        return {"entity": entity, "id": record_id, "rev": rev, "op": _DELETE, "reason": "deleted"}
    return {
        "entity": entity,
        "id": record_id,
        "rev": rev,
        "op": _UPSERT,
        "data": orjson.Fragment(data),
    }
