"""The database, chosen by URL alone: SQLite for demo and tests, PostgreSQL for shared servers.

:class:`Database` hands out two kinds of transaction:

- :meth:`Database.read` sees one consistent snapshot for all its statements (a feed page is
  several queries that must agree): a deferred transaction on SQLite (WAL), ``REPEATABLE READ``
  on PostgreSQL.
- :meth:`Database.write` may write: ``BEGIN IMMEDIATE`` on SQLite, so two writers never deadlock
  upgrading a read lock; ``READ COMMITTED`` on PostgreSQL, where writers of records serialise on
  the row of ``rev_counter`` instead (see :mod:`crm_server.revs`).

SQLite runs in WAL mode with a busy timeout, so readers never wait for the writer, and reads the
database file through a memory map. Python's
``sqlite3`` is put in autocommit mode and the ``BEGIN`` is sent here, which is how SQLAlchemy
recommends getting real transactions, savepoints and ``BEGIN IMMEDIATE`` out of it.

The WAL is copied back into the database file (a checkpoint, with its ``fsync``) by a thread of
the :class:`Database`, at most once a second after writes, not by the commit that happens to
make the WAL pass SQLite's 1,000 pages: that was every second batch of 200 mutations, and it
made the batch wait 30–80 ms for the disk. The commits' own automatic checkpoint stays as a
backstop, at a size the thread keeps the WAL well under.
"""

from __future__ import annotations

import logging
import secrets
import sqlite3
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, Table, create_engine, event, insert, inspect, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.pool import ConnectionPoolEntry
from sqlalchemy.sql.dml import Insert

from crm_server import schema

_WRITE = "crm_server_write"
_SQLITE_BUSY_TIMEOUT_S = 30
_SQLITE_MMAP_BYTES = 1 << 30
_SQLITE_BULK_CACHE_KIB = 128 * 1024
_SQLITE_AUTOCHECKPOINT_PAGES = 16_384  # 64 MiB of WAL: a backstop for the checkpoint thread
_CHECKPOINT_EVERY_S = 1.0
_RESTART_FRAMES = 4_096  # 16 MiB of WAL
_RESTART_WAIT_MS = 100

_log = logging.getLogger(__name__)


class DatabaseUrlError(ValueError):
    """A database URL this server cannot run on (an in-memory SQLite database, say)."""


class Database:
    """One database: its engine and its two kinds of transaction.

    Args:
        url: SQLAlchemy URL, ``sqlite:///path/to/file.db`` or
            ``postgresql+psycopg://user@host/db``.

    Raises:
        DatabaseUrlError: the URL names an in-memory SQLite database, which cannot be shared by
            the server's worker threads.
    """

    def __init__(self, url: str) -> None:
        parsed = make_url(url)
        self.dialect = parsed.get_backend_name()
        if self.dialect == "sqlite":
            if parsed.database in (None, "", ":memory:") or "mode=memory" in str(parsed):
                raise DatabaseUrlError("an in-memory SQLite database cannot be shared; use a file")
            self.engine: Engine = create_engine(
                parsed,
                connect_args={"check_same_thread": False, "timeout": _SQLITE_BUSY_TIMEOUT_S},
                pool_size=8,
                max_overflow=32,
                hide_parameters=True,
            )
            event.listen(self.engine, "connect", _sqlite_on_connect)
            event.listen(self.engine, "begin", _sqlite_on_begin)
            self._checkpoints: _Checkpoints | None = _Checkpoints(self.engine)
        else:
            self.engine = create_engine(
                parsed, pool_size=10, max_overflow=30, pool_pre_ping=True, hide_parameters=True
            )
            self._checkpoints = None

    @property
    def is_sqlite(self) -> bool:
        """Whether this is a SQLite database."""
        return self.dialect == "sqlite"

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A read-only transaction over one consistent snapshot; committed at the end."""
        with self.engine.connect() as conn:
            if not self.is_sqlite:
                conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                yield conn

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """A writing transaction: committed when the block ends, rolled back if it raises."""
        with self.engine.connect() as conn:
            conn.execution_options(**{_WRITE: True})
            with conn.begin():
                yield conn
        if self._checkpoints is not None:
            self._checkpoints.due()

    @contextmanager
    def bulk_load(self) -> Iterator[Connection]:
        """One connection for filling a new database, with transactions begun by the caller
        (``with conn.begin():``, each a writing transaction as in :meth:`write`).

        On SQLite, commits skip ``fsync`` (``synchronous=OFF``) and the page cache is larger
        while the connection is lent out; both are put back at the end, and a checkpoint then
        writes everything to the database file with ``fsync`` (``synchronous=NORMAL``). This is
        only for seeding a new database (see :mod:`crm_server.seeding`): ``synchronous=OFF``
        loses nothing when the process fails, only when the operating system or the power does,
        which may leave a damaged file. Such a file holds a freshly generated synthetic bank and
        no one's work: delete it and start again. PostgreSQL gets no special treatment.
        """
        with self.engine.connect() as conn:
            conn.execution_options(**{_WRITE: True})
            if not self.is_sqlite:
                yield conn
                return
            driver = conn.connection.dbapi_connection
            assert driver is not None  # a connection being used has its driver connection
            driver.execute("PRAGMA synchronous=OFF")
            driver.execute(f"PRAGMA cache_size=-{_SQLITE_BULK_CACHE_KIB}")
            try:
                yield conn
            finally:
                driver.execute("PRAGMA synchronous=NORMAL")
                driver.execute("PRAGMA cache_size=-2000")  # SQLite's default, 2 MB
                driver.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def create_schema(self) -> None:
        """Create missing tables and the first rows (the rev counter, the database's epoch).

        Raises:
            DatabaseUrlError: the database was made by an older server whose ``record`` table
                has no ``change`` column (its records carry no stored feed entries).
        """
        schema.metadata.create_all(self.engine)
        columns = {column["name"] for column in inspect(self.engine).get_columns("record")}
        if "change" not in columns:
            raise DatabaseUrlError(
                "this database was made by an older crm-server; start with a new one"
            )
        with self.write() as conn:
            if conn.execute(select(schema.rev_counter.c.id)).first() is None:
                conn.execute(insert(schema.rev_counter).values(id=1, rev=0))
            if conn.execute(select(schema.server_meta.c.key)).first() is None:
                conn.execute(
                    insert(schema.server_meta).values(key="epoch", value=secrets.token_hex(8))
                )

    def epoch(self) -> str:
        """The random id of this database, so cursors of another database are refused."""
        with self.read() as conn:
            value = conn.execute(
                select(schema.server_meta.c.value).where(schema.server_meta.c.key == "epoch")
            ).scalar_one()
        return str(value)

    def has_users(self) -> bool:
        """Whether the database has been seeded (it has at least one user)."""
        with self.read() as conn:
            return conn.execute(select(schema.app_user.c.id).limit(1)).first() is not None

    def has_records(self) -> bool:
        """Whether the database holds any record (of the feed)."""
        with self.read() as conn:
            return conn.execute(select(schema.record.c.id).limit(1)).first() is not None

    def upsert(
        self,
        table: Table,
        values: Mapping[str, Any],
        *,
        keys: Sequence[str],
        update: Mapping[str, Any],
    ) -> Insert:
        """An ``INSERT … ON CONFLICT (keys) DO UPDATE SET update`` in this database's dialect.

        Args:
            table: The table.
            values: The row to insert.
            keys: The columns of the unique key the conflict is on.
            update: What to set when the row exists (values or column expressions).
        """
        dialect_insert = sqlite.insert if self.is_sqlite else postgresql.insert
        return (
            dialect_insert(table)
            .values(**values)
            .on_conflict_do_update(index_elements=list(keys), set_=dict(update))
        )

    def dispose(self) -> None:
        """Stop the checkpoint thread (after a last checkpoint) and close every pooled
        connection."""
        if self._checkpoints is not None:
            self._checkpoints.stop()
        self.engine.dispose()


class _Checkpoints:
    """The thread that checkpoints a SQLite database's WAL after writes (see the module
    docstring): started by the first write, it waits for one, lets writes gather for
    ``_CHECKPOINT_EVERY_S`` and runs a ``PASSIVE`` checkpoint, which never blocks a reader or
    the writer (pages a reader still needs stay in the WAL for the next one)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._due = threading.Event()
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def due(self) -> None:
        """Note that a write committed: a checkpoint is due within ``_CHECKPOINT_EVERY_S``."""
        if self._thread is None:
            with self._lock:
                if self._thread is None and not self._stopping.is_set():
                    self._thread = threading.Thread(
                        target=self._run, name="sqlite-checkpoints", daemon=True
                    )
                    self._thread.start()
        self._due.set()

    def stop(self) -> None:
        """Checkpoint what is due and end the thread; a later write starts a new one."""
        with self._lock:
            thread, self._thread = self._thread, None
            if thread is None:
                return
            self._stopping.set()
            self._due.set()
        thread.join()
        self._stopping.clear()

    def _run(self) -> None:
        while True:
            self._due.wait()
            self._stopping.wait(_CHECKPOINT_EVERY_S)
            self._due.clear()
            self._checkpoint()
            if self._stopping.is_set():
                return

    def _checkpoint(self) -> None:
        try:
            raw = self._engine.raw_connection()
            try:
                driver = raw.driver_connection
                assert driver is not None  # a pooled connection lent out has its driver
                # Copying without holding anyone up. While writes keep coming, though, such a
                # checkpoint seldom gets to the end of the WAL with no write under way, and only
                # then does the next write start the WAL over: past _RESTART_FRAMES a second one
                # keeps new writers out until it has copied the rest and the WAL starts over,
                # giving up after a moment if a reader still needs the old pages.
                _, frames, _ = driver.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
                if frames >= _RESTART_FRAMES:
                    driver.execute(f"PRAGMA busy_timeout={_RESTART_WAIT_MS}")
                    try:
                        driver.execute("PRAGMA wal_checkpoint(RESTART)")
                    finally:
                        driver.execute(f"PRAGMA busy_timeout={_SQLITE_BUSY_TIMEOUT_S * 1000}")
            finally:
                raw.close()
        except sqlite3.Error as error:
            # The next write is due another one; a commit's own checkpoint is the backstop.
            _log.warning("WAL checkpoint failed: %s", error)


def _sqlite_on_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
    # Autocommit at the driver level: the "begin" listener below sends BEGIN itself.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={_SQLITE_BUSY_TIMEOUT_S * 1000}")
        cursor.execute(f"PRAGMA wal_autocheckpoint={_SQLITE_AUTOCHECKPOINT_PAGES}")
        # Reads through a memory map, not a read() per page: a third faster for feed pages. The
        # pages are the operating system's cache, shared by every connection.
        cursor.execute(f"PRAGMA mmap_size={_SQLITE_MMAP_BYTES}")
    finally:
        cursor.close()


def _sqlite_on_begin(conn: Connection) -> None:
    mode = "IMMEDIATE" if conn.get_execution_options().get(_WRITE) else "DEFERRED"
    conn.exec_driver_sql(f"BEGIN {mode}")
