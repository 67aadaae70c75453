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

A page is built without touching a record: each record's feed entry is stored, as JSON bytes, in
``record.change`` when the record is written (:func:`~crm_server.record_store.feed_entry`), and
the page joins the stored entries of its rows. They are read straight from the driver's cursor,
``(rev, change)`` pairs, since making SQLAlchemy rows of them cost more than the rest of the
page. ``data`` holds C2 fields masked only: the seed contract masks them, and clients cannot
write unmasked ones (``from_wire`` refuses them).
"""

from __future__ import annotations

from operator import itemgetter
from typing import Any

import orjson
from sqlalchemy import Connection

from crm_server.cursor import decode_cursor, encode_cursor
from crm_server.database import Database
from crm_server.scope import Principal
from crm_server.settings import Settings
from crm_server.timestamps import to_wire

Entry = tuple[int, bytes]
"""A change of the feed: its rev and its JSON bytes."""

_BY_REV = itemgetter(0)


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
            changes, count, last = _changes(conn, principal, after, limit)
            remaining = _count_after(conn, principal, last) if count == limit else 0
        rest = {
            "cursor": encode_cursor(last, issued=now, user_id=principal.user_id, epoch=self.epoch),
            "has_more": remaining > 0,
            "estimated_remaining": remaining,
            "server_time": to_wire(now),
        }
        # {"changes":[entry,…], then the rest of the answer without its opening brace.
        return b'{"changes":[' + changes + b"]," + orjson.dumps(rest)[1:]


def _changes(
    conn: Connection, principal: Principal, after: int, limit: int
) -> tuple[bytes, int, int]:
    """The first ``limit`` entries after ``after`` of the three sources, in rev order.

    Returns:
        The entries joined with commas, how many there are, and the last one's rev (``after``
        when there are none).
    """
    book_column, book = _book(principal)
    mark = _mark(conn)
    in_book = f"{book_column} = {mark} AND rev > {mark}"
    bank_wide = _fetch(
        conn,
        f"SELECT rev, change FROM record WHERE team_id IS NULL AND rm_id IS NULL "
        f"AND rev > {mark} ORDER BY rev LIMIT {mark}",
        (after, limit),
    )
    exits = [
        (rev, _out_of_scope(entity, record_id, rev))
        for rev, entity, record_id in _fetch(
            conn,
            f"SELECT rev, entity, id FROM scope_exit WHERE {in_book} ORDER BY rev LIMIT {mark}",
            (book, after, limit),
        )
    ]
    others = sorted(bank_wide + exits, key=_BY_REV)
    if others:
        # The rev a page of the book alone would end at: do the other sources come before it?
        book_end = _fetch(
            conn,
            f"SELECT rev FROM record WHERE {in_book} ORDER BY rev LIMIT 1 OFFSET {mark}",
            (book, after, limit - 1),
        )
        if not book_end or others[0][0] < book_end[0][0]:
            book_rows: list[Entry] = _fetch(
                conn,
                f"SELECT rev, change FROM record WHERE {in_book} ORDER BY rev LIMIT {mark}",
                (book, after, limit),
            )
            # Sorted runs, so the sort is a merge; bytes are never compared (revs are unique).
            entries = sorted(book_rows + others, key=_BY_REV)[:limit]
            last = entries[-1][0] if entries else after
            return b",".join([entry for _, entry in entries]), len(entries), last
    # The page is the book's alone (the usual case past the first page): the database joins
    # the entries, and not one row reaches Python.
    ((count, last, joined),) = _fetch(
        conn, _joined_book_sql(conn, in_book, mark), (book, after, limit)
    )
    return joined or b"", int(count), (int(last) if count else after)


def _joined_book_sql(conn: Connection, in_book: str, mark: str) -> str:
    """A query of the count, last rev and comma-joined entries of a page of the book."""
    page = f"SELECT rev, change FROM record WHERE {in_book} ORDER BY rev LIMIT {mark}"
    if conn.dialect.name == "postgresql":
        joined = "string_agg(change, ','::bytea ORDER BY rev)"
    else:
        # SQLite before 3.44 has no ORDER BY in an aggregate; it aggregates the rows of a
        # subquery with a LIMIT in the order the subquery gives them (test_feed checks it).
        joined = "CAST(group_concat(change, ',') AS BLOB)"
    return f"SELECT count(*), max(rev), {joined} FROM ({page}) AS page"


def _count_after(conn: Connection, principal: Principal, rev: int) -> int:
    book_column, book = _book(principal)
    mark = _mark(conn)
    ((count,),) = _fetch(
        conn,
        f"SELECT (SELECT count(*) FROM record WHERE {book_column} = {mark} AND rev > {mark})"
        f" + (SELECT count(*) FROM record WHERE team_id IS NULL AND rm_id IS NULL"
        f" AND rev > {mark})"
        f" + (SELECT count(*) FROM scope_exit WHERE {book_column} = {mark} AND rev > {mark})",
        (book, rev, rev, book, rev),
    )
    return int(count)


def _book(principal: Principal) -> tuple[str, str]:
    """The column that holds the user's book, and its value (see :mod:`crm_server.scope`)."""
    if principal.is_team_lead:
        return "team_id", principal.team_id
    return "rm_id", principal.user_id


def _mark(conn: Connection) -> str:
    """The driver's placeholder: ``?`` for sqlite3, ``%s`` for psycopg."""
    return "?" if conn.dialect.paramstyle == "qmark" else "%s"


def _fetch(conn: Connection, sql: str, params: tuple[Any, ...]) -> list[Any]:
    """All rows of a query as the driver's tuples, in the connection's transaction."""
    cursor = conn.connection.cursor()
    try:
        cursor.execute(sql, params)
        return list(cursor.fetchall())
    finally:
        cursor.close()


def _out_of_scope(entity: str, record_id: str, rev: int) -> bytes:
    return orjson.dumps(
        {"entity": entity, "id": record_id, "rev": rev, "op": "delete", "reason": "out_of_scope"}
    )
