"""The cache side of a replacement sync: the whole feed again, then away with what did not come.

When the server answers ``410 cursor_expired`` (API.md §2), the client reads the feed again from no
cursor into the cache it has, and afterwards deletes every record the feed did not send, except
records with local changes still pending (their ops settle them with the server) and records
created here and not yet on the server (``rev`` 0). Nothing the user changed is lost.

:func:`begin_replacement` holds one connection for the whole run: the ids received are remembered
in a temporary table on it (in memory, ``temp_store = MEMORY``), which costs far less than a Python
set at a million records and lets the final sweep be one ``DELETE`` per entity. Each page commits
on its own, like a normal pull, but the feed cursor is only written with the sweep: a replacement
cut short leaves the expired cursor in place, so the next sync starts the replacement again rather
than continuing from the middle and never sweeping.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, exc

from rm_desk.local_store import schema
from rm_desk.local_store.engine import Store, convert_errors
from rm_desk.local_store.ingest import IngestResult, apply_changes
from rm_desk.local_store.outbox import PENDING_STATES, journal
from rm_desk.local_store.search import refresh_search
from rm_desk.local_store.sync_state import CURSOR, LAST_SERVER_TIME, set_state

_SEEN = "_replace_seen"
SWEEP_MESSAGE = "A full sync removed cached records the server no longer sends."


class Replacement:
    """A replacement sync in progress; made by :func:`begin_replacement`."""

    def __init__(self, store: Store, conn: Connection) -> None:
        self._store = store
        self._conn = conn
        self.received = 0

    def apply_page(
        self, changes: Sequence[Mapping[str, Any]], *, server_time: str | None = None
    ) -> IngestResult:
        """Apply one page of the full feed and remember the ids it sent, in one transaction."""
        seen = [
            (change["entity"], change["id"])
            for change in changes
            if change.get("op") == "upsert"
            and isinstance(change.get("entity"), str)
            and isinstance(change.get("id"), str)
        ]
        with convert_errors(), self._conn.begin():
            result = apply_changes(self._conn, changes, now=self._store.clock().isoformat())
            if seen:
                self._conn.exec_driver_sql(
                    f"INSERT OR IGNORE INTO temp.{_SEEN} (entity, id) VALUES (?, ?)", seen
                )
            if server_time is not None:
                set_state(self._conn, LAST_SERVER_TIME, server_time)
        self.received += len(seen)
        return result

    def finish(self, cursor: str) -> int:
        """Delete what the feed did not send (sparing pending local changes), store the cursor.

        Returns:
            How many cached records were removed.
        """
        now = self._store.clock().isoformat()
        pending = [state.value for state in PENDING_STATES]
        marks = ", ".join("?" for _ in pending)
        swept: dict[str, int] = {}
        with convert_errors(), self._conn.begin():
            # The search documents to refresh: customers removed, and those whose accounts or
            # tags (which the documents index) are removed.
            touched: set[str] = set()
            for entity, owner in (
                ("customer", "id"),
                ("account", "customer_id"),
                ("customer_tag", "customer_id"),
            ):
                touched.update(
                    str(row[0])
                    for row in self._conn.exec_driver_sql(
                        f'SELECT "{owner}" FROM "{entity}" WHERE {_unseen_where(marks)}',
                        (entity, entity, *pending),
                    )
                    if row[0] is not None
                )
            for name, table in schema.ENTITY_TABLES.items():
                result = self._conn.exec_driver_sql(
                    f'DELETE FROM "{table.name}" WHERE {_unseen_where(marks)}',
                    (name, name, *pending),
                )
                if result.rowcount:
                    swept[str(name)] = int(result.rowcount)
            if touched:
                refresh_search(self._conn, touched)
            set_state(self._conn, CURSOR, cursor)
            journal(
                self._conn,
                ts=now,
                kind="replacement",
                message=SWEEP_MESSAGE,
                detail={"received": self.received, "removed": swept},
            )
        return sum(swept.values())


def _unseen_where(marks: str) -> str:
    # Parameters: the entity twice, then the pending op states.
    return (
        "rev > 0"
        f" AND id NOT IN (SELECT id FROM temp.{_SEEN} WHERE entity = ?)"
        " AND id NOT IN (SELECT record_id FROM outbox WHERE entity = ?"
        f" AND state IN ({marks}))"
    )


@contextlib.contextmanager
def begin_replacement(store: Store) -> Iterator[Replacement]:
    """Start a replacement sync on a connection of its own (see the module docstring)."""
    with convert_errors(), store.engine.connect().execution_options(rm_desk_write=True) as conn:
        with conn.begin():
            conn.exec_driver_sql(
                f"CREATE TEMP TABLE IF NOT EXISTS {_SEEN} "
                "(entity TEXT NOT NULL, id TEXT NOT NULL, PRIMARY KEY (entity, id)) WITHOUT ROWID"
            )
            conn.exec_driver_sql(f"DELETE FROM temp.{_SEEN}")
        try:
            yield Replacement(store, conn)
        finally:
            # The table dies with the connection anyway; dropping it only frees memory sooner,
            # and must not hide the error that ended the run.
            with contextlib.suppress(exc.SQLAlchemyError), conn.begin():
                conn.exec_driver_sql(f"DROP TABLE IF EXISTS temp.{_SEEN}")
