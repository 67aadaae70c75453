"""The stores the benchmarks run against: the real encrypted cache and plain-SQLite twins.

:func:`encrypted_store` is the app's own :func:`~rm_desk.local_store.engine.open_store`. A plain
twin (:func:`plain_store`) is the same :class:`~rm_desk.local_store.engine.Store` around an engine
that differs only in having no key: the same pool, the same per-connection settings (engine.py's
own ``_configure``, so the two cannot drift apart), the same ``begin`` hook so :meth:`Store.write`
takes the write lock with ``BEGIN IMMEDIATE``, and the same schema through the same migrations.
Whatever runs on both runs the same SQL; the difference is the cost of encryption, plus that of a
different SQLite release where the plain driver is the standard library's.

The standard library's SQLite may be too old for the schema (FTS5 ``contentless_delete`` needs
3.43); SQLCipher's own library without a key is then the plain twin, and the fairer one anyway.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import ModuleType
from typing import Any

from sqlalchemy import Engine
from sqlcipher3 import dbapi2 as sqlcipher

from rm_desk.local_store import engine as store_engine
from rm_desk.local_store.engine import Store, open_store
from rm_desk.local_store.migrate import upgrade_to_head
from tests.conftest import PersistentTestVault
from tests.factories import TS


def fixed_clock() -> datetime:
    return TS


@dataclass(frozen=True, slots=True)
class PlainDriver:
    """A DB-API module used without a key, and how to name it in a report."""

    label: str
    module: ModuleType


def _sqlcipher_sqlite_version() -> str:
    conn = sqlcipher.connect(":memory:")
    try:
        return str(conn.execute("SELECT sqlite_version()").fetchone()[0])
    finally:
        conn.close()


STDLIB_SQLITE = PlainDriver(f"stdlib sqlite3 {sqlite3.sqlite_version}", sqlite3)
UNKEYED_SQLCIPHER = PlainDriver(
    f"SQLCipher's SQLite {_sqlcipher_sqlite_version()} without a key", sqlcipher
)


def encrypted_store(folder: Path) -> Store:
    """The real thing: a new encrypted cache in ``folder``, keyed from an in-memory 'keyring'."""
    return open_store(folder / "cache.db", PersistentTestVault(), clock=fixed_clock)


def plain_store(folder: Path, driver: PlainDriver) -> Store:
    """An unencrypted twin of :func:`encrypted_store` in ``folder``.

    Raises:
        sqlalchemy.exc.DBAPIError: the driver's SQLite cannot create the schema (too old for a
            feature the migrations use); the engine has been disposed.
    """
    db_path = folder / "plain.db"
    engine = _plain_engine(db_path, driver.module)
    try:
        upgrade_to_head(engine)
    except BaseException:
        engine.dispose()
        raise
    return Store(
        path=db_path,
        engine=engine,
        key="0" * 64,  # used only by integrity checks and quarantine, which benchmarks never call
        key_name="plain",
        vault=PersistentTestVault(),  # "OS keyring" storage: close() keeps the files
        quarantine_dir=folder / "quarantine",
        clock=fixed_clock,
    )


def _plain_engine(db_path: Path, module: ModuleType) -> Engine:
    def connect() -> Any:
        conn = module.connect(str(db_path), isolation_level=None, check_same_thread=False)
        try:
            # The encrypted store's own settings, read back and checked the same way.
            store_engine._configure(conn)
        except BaseException:
            conn.close()
            raise
        return conn

    return store_engine.engine_over(connect, module)
