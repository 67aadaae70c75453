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

A client pulls page after page, and between two pages it parses and applies the last one. The
server uses that time: after answering a full page it builds the next page of the same feed on
a background thread (read-ahead), so the next request finds it ready. A page built ahead is only
answered if no rev was handed out since its snapshot (every change of a feed takes a rev, see
:mod:`crm_server.revs`), so it is exactly the page the request would have built; the cursor and
``server_time`` are made when it is answered. One page is built ahead at a time; a request whose
page is still waiting its turn builds it itself. A page built ahead in the snapshot of the page
before it (no rev handed out in between) takes what remains after it from that page, rather than
counting the rest of the feed again.

The answer (``Page``) also gives the cursor and ``has_more`` apart from the body, so the route
can give the next page's address in a ``Link`` header without reading the JSON back.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from concurrent.futures import CancelledError, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

import orjson
from sqlalchemy import Connection

from crm_server.compression import gzip_compressor
from crm_server.cursor import decode_cursor, encode_cursor
from crm_server.database import Database
from crm_server.scope import Principal
from crm_server.settings import Settings
from crm_server.timestamps import to_wire

Entry = tuple[int, bytes]
"""A change of the feed: its rev and its JSON bytes."""

_BY_REV = itemgetter(0)

_AHEAD_KEPT = 8
"""Pages built ahead and not yet asked for that are kept (the oldest is dropped first)."""

_Key = tuple[str, str, int, int, bool]
"""What a page depends on besides the database: book column, book, cursor rev, limit, and
whether it is compressed."""

_Known = tuple[int, int]
"""What a page tells the read-ahead of the next: the last rev handed out when it was read, and
how many changes of the feed came after it then."""

_OPENING = b'{"changes":[\n'
_SEPARATOR = b",\n"
"""Entries are written one per line (a raw line feed can only be whitespace in JSON), so a client
can decode a page a slice of lines at a time; any JSON reader still reads it whole."""


@dataclass(frozen=True, slots=True)
class Page:
    """An answer of ``GET /changes``.

    Attributes:
        body: The JSON answer, gzip-compressed if ``gzip``.
        gzip: Whether ``body`` is compressed (``Content-Encoding: gzip``).
        cursor: The answer's ``cursor``, where the next page starts.
        has_more: The answer's ``has_more``: whether the feed has more changes now.
    """

    body: bytes
    gzip: bool
    cursor: str
    has_more: bool


@dataclass(frozen=True, slots=True)
class _Built:
    """A page without its cursor and server time, and the snapshot it was read in.

    Attributes:
        head: The answer up to its changes, ``{"changes":[entry,…],``, in pieces; with
            ``compressor``, what the compressor made of them so far.
        compressor: The gzip stream ``head`` went into, to be finished with the rest of the
            answer; ``None`` if ``head`` is plain JSON.
        count: How many entries.
        last: The last entry's rev (the rev after which the page starts, when empty).
        remaining: How many changes of the feed come after ``last``.
        snapshot_rev: The last rev handed out when the page was read.
    """

    head: list[bytes]
    compressor: Any
    count: int
    last: int
    remaining: int
    snapshot_rev: int


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
        self._lock = threading.Lock()
        self._ahead: OrderedDict[_Key, Future[_Built]] = OrderedDict()
        self._executor: ThreadPoolExecutor | None = None
        self._closed = False

    @property
    def epoch(self) -> str:
        """The database's epoch (fixed for the life of a database, so it is read once)."""
        if self._epoch is None:
            self._epoch = self.db.epoch()
        return self._epoch

    def page(
        self, principal: Principal, cursor: str | None, limit: int, *, gzip: bool = False
    ) -> Page:
        """Build one page of the user's feed.

        Args:
            principal: The signed-in user.
            cursor: The cursor of the previous page, or ``None`` to start from the beginning.
            limit: Most changes to answer (already checked against the maximum).
            gzip: Whether the client takes gzip. A page built ahead is then compressed ahead
                too; any other page is left to the gzip middleware.

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
        book_column, book = _book(principal)
        built = self._built_ahead((book_column, book, after, limit, gzip))
        if built is None:
            built = _build(self.db, book_column, book, after, limit, False)
        if built.count == limit and built.remaining > 0 and self.settings.feed_read_ahead:
            self._read_ahead(
                (book_column, book, built.last, limit, gzip), (built.snapshot_rev, built.remaining)
            )
        next_cursor = encode_cursor(
            built.last, issued=now, user_id=principal.user_id, epoch=self.epoch
        )
        has_more = built.remaining > 0
        rest = {
            "cursor": next_cursor,
            "has_more": has_more,
            "estimated_remaining": built.remaining,
            "server_time": to_wire(now),
        }
        # The head, then the rest of the answer without its opening brace.
        tail = orjson.dumps(rest)[1:]
        if built.compressor is None:
            body = b"".join([*built.head, tail])
        else:
            body = b"".join(
                [*built.head, built.compressor.compress(tail), built.compressor.flush()]
            )
        return Page(body, built.compressor is not None, next_cursor, has_more)

    def settle(self, timeout: float = 10.0) -> int:
        """Wait until no page is being built ahead (tests); how many pages are built and kept."""
        with self._lock:
            futures = list(self._ahead.values())
        wait(futures, timeout)
        return sum(1 for future in futures if future.done() and not future.cancelled())

    def close(self) -> None:
        """Stop building pages ahead: drop the waiting ones, wait for the one being built."""
        with self._lock:
            self._closed = True
            executor, self._executor = self._executor, None
            self._ahead.clear()
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)

    def _read_ahead(self, key: _Key, known: _Known) -> None:
        """Start building the page of ``key`` in the background; ``known`` is what the page
        before it knew of the feed."""
        with self._lock:
            if self._closed or key in self._ahead:
                return
            if self._executor is None:
                self._executor = ThreadPoolExecutor(1, thread_name_prefix="feed-read-ahead")
            self._ahead[key] = self._executor.submit(_build, self.db, *key, known)
            while len(self._ahead) > _AHEAD_KEPT:
                _, dropped = self._ahead.popitem(last=False)
                dropped.cancel()

    def _built_ahead(self, key: _Key) -> _Built | None:
        """The page of ``key`` built ahead, if there is one and nothing has changed since."""
        with self._lock:
            future = self._ahead.pop(key, None)
        if future is None or future.cancel():
            # Not built ahead, or still waiting its turn: building it here is quicker.
            return None
        try:
            built = future.result()
        except CancelledError:
            return None
        except Exception:
            # The request builds the page itself, and fails there if it must.
            return None
        with self.db.read() as conn:
            if _last_rev(conn) != built.snapshot_rev:
                return None
        return built


def _build(
    db: Database,
    book_column: str,
    book: str,
    after: int,
    limit: int,
    gzip: bool,
    known: _Known | None = None,
) -> _Built:
    """Read one page of a book's feed, and what remains after it, in one snapshot; with
    ``gzip``, start compressing it. ``known`` is what the page that ended at ``after`` knew."""
    with db.read() as conn:
        snapshot_rev = _last_rev(conn)
        changes, count, last = _changes(conn, book_column, book, after, limit)
        if count < limit:
            remaining = 0
        elif known is not None and known[0] == snapshot_rev:
            # Nothing changed since the page before was read, so what remains after this
            # page is what remained after that one less this page: no need to count again
            # (counting the rest of a large feed cost a page as much as compressing it).
            remaining = known[1] - count
        else:
            remaining = _count_after(conn, book_column, book, last)
    head = [_OPENING, changes, b"\n],"]
    compressor = None
    if gzip:
        compressor = gzip_compressor()
        head = [compressor.compress(piece) for piece in head]
    return _Built(head, compressor, count, last, remaining, snapshot_rev)


def _last_rev(conn: Connection) -> int:
    """The last rev handed out, as the connection's snapshot sees it."""
    ((rev,),) = _fetch(conn, f"SELECT rev FROM rev_counter WHERE id = {_mark(conn)}", (1,))
    return int(rev)


def _changes(
    conn: Connection, book_column: str, book: str, after: int, limit: int
) -> tuple[bytes, int, int]:
    """The first ``limit`` entries after ``after`` of the three sources, in rev order.

    Returns:
        The entries joined with commas, how many there are, and the last one's rev (``after``
        when there are none).
    """
    mark = _mark(conn)
    in_book = f"{book_column} = {mark} AND rev > {mark}"
    # The rev a page of the book alone would end at (from the index alone): a change of the
    # other sources after it cannot be on the page, so they are read only up to it. Bank-wide
    # records are mostly written together (the bank's KPIs after every book), and reading all
    # of them after the cursor cost a page more than building the rest of it.
    book_end = _fetch(
        conn,
        f"SELECT rev FROM record WHERE {in_book} ORDER BY rev LIMIT 1 OFFSET {mark}",
        (book, after, limit - 1),
    )
    before, bound = ("", ()) if not book_end else (f" AND rev < {mark}", (book_end[0][0],))
    bank_wide = _fetch(
        conn,
        f"SELECT rev, change FROM record WHERE team_id IS NULL AND rm_id IS NULL "
        f"AND rev > {mark}{before} ORDER BY rev LIMIT {mark}",
        (after, *bound, limit),
    )
    exits = [
        (rev, _out_of_scope(entity, record_id, rev))
        for rev, entity, record_id in _fetch(
            conn,
            f"SELECT rev, entity, id FROM scope_exit WHERE {in_book}{before} "
            f"ORDER BY rev LIMIT {mark}",
            (book, after, *bound, limit),
        )
    ]
    if bank_wide or exits:
        book_rows: list[Entry] = _fetch(
            conn,
            f"SELECT rev, change FROM record WHERE {in_book} ORDER BY rev LIMIT {mark}",
            (book, after, limit),
        )
        # Sorted runs, so the sort is a merge; bytes are never compared (revs are unique).
        entries = sorted(book_rows + bank_wide + exits, key=_BY_REV)[:limit]
        last = entries[-1][0] if entries else after
        return _SEPARATOR.join([entry for _, entry in entries]), len(entries), last
    # The page is the book's alone (the usual case past the first page): the database joins
    # the entries, and not one row reaches Python.
    ((count, last, joined),) = _fetch(
        conn, _joined_book_sql(conn, in_book, mark), (book, after, limit)
    )
    return joined or b"", int(count), (int(last) if count else after)


def _joined_book_sql(conn: Connection, in_book: str, mark: str) -> str:
    """A query of the count, last rev and entries of a page of the book, one per line."""
    page = f"SELECT rev, change FROM record WHERE {in_book} ORDER BY rev LIMIT {mark}"
    if conn.dialect.name == "postgresql":
        joined = "string_agg(change, E',\\n'::bytea ORDER BY rev)"
    else:
        # SQLite before 3.44 has no ORDER BY in an aggregate; it aggregates the rows of a
        # subquery with a LIMIT in the order the subquery gives them (test_feed checks it).
        joined = "CAST(group_concat(change, ',' || char(10)) AS BLOB)"
    return f"SELECT count(*), max(rev), {joined} FROM ({page}) AS page"


def _count_after(conn: Connection, book_column: str, book: str, rev: int) -> int:
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
