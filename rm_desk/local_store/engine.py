"""Opening the encrypted cache: SQLCipher 4 through SQLAlchemy.

:func:`open_store` is the only way in. It finds the key (:mod:`.keys`), proves the key opens the
file *before* anything is written to it, builds an engine whose every new connection is keyed and
checked, and brings the schema up to date (:mod:`.migrate`).

Each connection, before it is handed out, gets in this order::

    PRAGMA key = "x'<64 hex>'"        raw key, checked to be hex before it is formatted in
    PRAGMA cipher_compatibility = 4
    PRAGMA cipher_version             must answer, or this is plain SQLite: refuse to run
    SELECT count(*) FROM sqlite_master  proves the key; a wrong key fails here, writing nothing
    PRAGMA temp_store = MEMORY        no plaintext temp files
    PRAGMA secure_delete = ON
    PRAGMA foreign_keys = ON
    PRAGMA journal_mode = WAL
    PRAGMA synchronous = FULL         an acknowledged edit and its outbox row survive power loss
    PRAGMA busy_timeout = 5000

and each setting is read back and checked. A wrong or missing key raises :class:`CacheLocked` and
never deletes, truncates or recreates the file. A damaged file is moved to the quarantine folder by
:meth:`Store.check_integrity` and reported as :class:`CacheCorrupt`.
"""

from __future__ import annotations

import contextlib
import logging
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, exc
from sqlalchemy.pool import QueuePool
from sqlcipher3 import dbapi2 as sqlcipher

from rm_desk.errors import CacheCorrupt, CacheLocked, InsecureStore, StoreError
from rm_desk.local_store.keys import (
    KeyStorage,
    KeyVault,
    KeyVaultError,
    check_raw_key,
    key_name_for,
    new_raw_key,
)

log = logging.getLogger(__name__)

# The driver binds str, int, float and bytes directly but looks up an adapter for anything else,
# and a failed lookup (None, bool) costs about 3 µs a value: a fifth of a bulk ingest's time. These
# two adapters make the lookup succeed at once; what is stored does not change (NULL, 0/1).
sqlcipher.register_adapter(type(None), lambda _: None)
sqlcipher.register_adapter(bool, int)

Clock = Callable[[], datetime]

CACHE_SIZE_KIB = 65536  # page cache per connection; decrypting a page again is the cost to avoid
BUSY_TIMEOUT_MS = 5000

_REQUIRED_PRAGMAS: tuple[tuple[str, str, str], ...] = (
    # (pragma, value to set, value it must read back as)
    ("temp_store", "MEMORY", "2"),
    ("secure_delete", "ON", "1"),
    ("foreign_keys", "ON", "1"),
    ("journal_mode", "WAL", "wal"),
    ("synchronous", "FULL", "2"),
)

LOCKED_MESSAGE = (
    "The local cache cannot be opened with the key this computer holds for it. "
    "Nothing was changed or deleted. Sign in again online, or ask IT for help."
)
KEY_MISSING_MESSAGE = (
    "The key of the local cache is missing from this computer's credential store. "
    "Nothing was changed or deleted. Sign in again online, or ask IT for help."
)
KEYRING_UNREADABLE_MESSAGE = (
    "The system credential store could not be read, so the local cache stays locked. "
    "Nothing was changed or deleted. Unlock the credential store or ask IT for help."
)
MEMORY_ONLY_NOTICE = (
    "This computer has no secure credential store, so the cache key is kept in memory only. "
    "The local cache will be deleted when RM Desk closes, and working offline after a restart "
    "is not possible."
)


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class IntegrityReport:
    """What the integrity checks found on a fresh connection."""

    ok: bool
    cipher_errors: tuple[str, ...]
    sqlite_errors: tuple[str, ...]


class Store:
    """An open encrypted cache.

    Use :meth:`read` for queries and :meth:`write` for changes; both yield a SQLAlchemy Core
    connection inside a transaction. Writes take the write lock at ``BEGIN`` (``IMMEDIATE``), so a
    reader on the GUI thread never waits for a lock upgrade and a writer never fails half-way with
    a busy error.
    """

    def __init__(
        self,
        *,
        path: Path,
        engine: Engine,
        key: str,
        key_name: str,
        vault: KeyVault,
        quarantine_dir: Path,
        clock: Clock,
    ) -> None:
        self.path = path
        self.engine = engine
        self._key = key
        self._key_name = key_name
        self._vault = vault
        self.quarantine_dir = quarantine_dir
        self.clock = clock
        self._closed = False

    @property
    def key_storage(self) -> KeyStorage:
        return self._vault.storage

    @property
    def notice(self) -> str | None:
        """A message the user must see about how this cache is protected, or ``None``."""
        return MEMORY_ONLY_NOTICE if self.key_storage is KeyStorage.MEMORY_ONLY else None

    @contextlib.contextmanager
    def read(self) -> Iterator[Connection]:
        with convert_errors(), self.engine.connect() as conn, conn.begin():
            yield conn

    @contextlib.contextmanager
    def write(self) -> Iterator[Connection]:
        with (
            convert_errors(),
            self.engine.connect().execution_options(rm_desk_write=True) as conn,
            conn.begin(),
        ):
            yield conn

    def checkpoint(self) -> None:
        """Fold the WAL back into the main file and truncate it."""
        with convert_errors(), self.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")

    def check_integrity(self) -> IntegrityReport:
        """Check every page on a fresh connection; quarantine the file if any check fails.

        Runs ``PRAGMA cipher_integrity_check`` (the HMAC of every page) and
        ``PRAGMA integrity_check`` (the b-trees) on a connection that is not from the pool, so
        nothing cached in memory hides damage on disk.

        Raises:
            CacheCorrupt: the checks failed; the files were moved to the quarantine folder.
        """
        cipher_errors: tuple[str, ...]
        sqlite_errors: tuple[str, ...]
        try:
            raw = _raw_connect(self.path, self._key)
            try:
                cipher_errors = tuple(
                    str(row[0]) for row in raw.execute("PRAGMA cipher_integrity_check")
                )
                sqlite_rows = [str(row[0]) for row in raw.execute("PRAGMA integrity_check")]
                sqlite_errors = tuple(r for r in sqlite_rows if r != "ok")
            finally:
                raw.close()
        except (sqlcipher.DatabaseError, CacheLocked) as error:
            cipher_errors, sqlite_errors = (), (type(error).__name__,)
        report = IntegrityReport(
            ok=not cipher_errors and not sqlite_errors,
            cipher_errors=cipher_errors,
            sqlite_errors=sqlite_errors,
        )
        if not report.ok:
            target = self.quarantine()
            raise CacheCorrupt(
                "The local cache is damaged. It was moved aside and will be rebuilt from the "
                "bank's server at the next sign-in. Changes not yet sent may need to be "
                "re-entered; "
                "IT can recover them from the quarantined copy.",
                quarantined_to=str(target),
            )
        return report

    def quarantine(self) -> Path:
        """Move the cache files aside (never delete them) and keep their key for IT."""
        self.engine.dispose()
        self._closed = True
        self.quarantine_dir.mkdir(parents=True, exist_ok=True)
        stamp = self.clock().strftime("%Y%m%dT%H%M%SZ")
        target = self.quarantine_dir / f"{self.path.stem}-{stamp}{self.path.suffix}"
        for suffix in ("", "-wal", "-shm"):
            source = Path(str(self.path) + suffix)
            if source.exists():
                shutil.move(str(source), str(target) + suffix)
        if self.key_storage is KeyStorage.OS_KEYRING:
            with contextlib.suppress(KeyVaultError):
                self._vault.save(key_name_for(target), self._key)
        log.error("cache quarantined after a failed integrity check")
        return target

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        with contextlib.suppress(exc.SQLAlchemyError):
            self.checkpoint()
        self.engine.dispose()
        if self.key_storage is KeyStorage.MEMORY_ONLY:
            remove_cache_files(self.path)
            self._vault.delete(self._key_name)

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def open_store(
    db_path: Path,
    vault: KeyVault,
    *,
    quarantine_dir: Path | None = None,
    clock: Clock = utc_now,
    migrate: bool = True,
) -> Store:
    """Open (or create) the encrypted cache at ``db_path``.

    With a :class:`~.keys.MemoryVault` the cache is ephemeral: it is kept at a separate
    ``*-ephemeral.db`` path, leftovers of a crashed earlier run (whose key died with it) are removed
    first, and the files are deleted on :meth:`Store.close`.

    Raises:
        CacheLocked: the file exists and its key is missing, unreadable or wrong. The file is left
            byte-for-byte unchanged.
        InsecureStore: the SQLite library in use is not SQLCipher, or a required setting would not
            take.
    """
    if vault.storage is KeyStorage.MEMORY_ONLY:
        db_path = db_path.with_name(f"{db_path.stem}-ephemeral{db_path.suffix}")
    db_path.parent.mkdir(parents=True, exist_ok=True)
    key_name = key_name_for(db_path)

    if vault.storage is KeyStorage.MEMORY_ONLY and vault.load(key_name) is None:
        remove_cache_files(db_path)

    if db_path.exists():
        try:
            stored = vault.load(key_name)
        except KeyVaultError:
            raise CacheLocked(KEYRING_UNREADABLE_MESSAGE) from None
        if stored is None:
            raise CacheLocked(KEY_MISSING_MESSAGE)
        key = check_raw_key(stored)
        _prove_key(db_path, key)
    else:
        key = new_raw_key()
        try:
            vault.save(key_name, key)
        except KeyVaultError:
            raise StoreError(
                "The cache key could not be saved in the system credential store. "
                "Unlock the credential store or ask IT for help."
            ) from None

    engine = _make_engine(db_path, key)
    store = Store(
        path=db_path,
        engine=engine,
        key=key,
        key_name=key_name,
        vault=vault,
        quarantine_dir=quarantine_dir or db_path.parent / "quarantine",
        clock=clock,
    )
    if migrate:
        from rm_desk.local_store.migrate import ensure_search_index, upgrade_to_head

        try:
            with convert_errors():
                upgrade_to_head(store.engine)
                ensure_search_index(store.engine)
        except BaseException:
            store.engine.dispose()
            raise
    return store


def remove_cache_files(db_path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(str(db_path) + suffix).unlink(missing_ok=True)


def _apply_key(conn: Any, key: str) -> None:
    # SQLCipher's own log goes to stderr; failures reach the user through our errors instead.
    conn.execute("PRAGMA cipher_log_level = NONE")
    conn.execute(f"PRAGMA key = \"x'{check_raw_key(key)}'\"")
    conn.execute("PRAGMA cipher_compatibility = 4")
    version = conn.execute("PRAGMA cipher_version").fetchone()
    if not version or not version[0]:
        raise InsecureStore(
            "The database library on this computer does not encrypt. RM Desk will not store "
            "customer data without encryption; ask IT to reinstall RM Desk."
        )


def _raw_connect(db_path: Path, key: str) -> Any:
    """A keyed DB-API connection that has proven its key by reading the schema."""
    conn = sqlcipher.connect(str(db_path), isolation_level=None, check_same_thread=False)
    try:
        _apply_key(conn, key)
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlcipher.DatabaseError:
        conn.close()
        raise CacheLocked(LOCKED_MESSAGE) from None
    except BaseException:
        conn.close()
        raise
    return conn


def _prove_key(db_path: Path, key: str) -> None:
    # Read-only URI: a wrong key cannot make SQLite write a single byte to the file.
    uri = f"{db_path.resolve().as_uri()}?mode=ro"
    conn = sqlcipher.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
    try:
        _apply_key(conn, key)
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlcipher.DatabaseError:
        raise CacheLocked(LOCKED_MESSAGE) from None
    finally:
        conn.close()


def _configure(conn: Any) -> None:
    for pragma, value, expected in _REQUIRED_PRAGMAS:
        conn.execute(f"PRAGMA {pragma} = {value}")
        actual = conn.execute(f"PRAGMA {pragma}").fetchone()
        if actual is None or str(actual[0]).lower() != expected:
            raise InsecureStore(
                "The local cache could not be given its required safety settings. "
                "Ask IT to reinstall RM Desk."
            )
    conn.execute(f"PRAGMA cache_size = -{CACHE_SIZE_KIB}")
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")


def _make_engine(db_path: Path, key: str) -> Engine:
    def connect() -> Any:
        conn = _raw_connect(db_path, key)
        try:
            _configure(conn)
        except BaseException:
            conn.close()
            raise
        return conn

    return engine_over(connect, sqlcipher)


def engine_over(connect: Callable[[], Any], module: Any) -> Engine:
    """The store's engine around a connection factory of a DB-API ``module``.

    Pooled, with parameters hidden from errors and logs, and the store's transaction discipline:
    the driver's own transaction handling is off (``isolation_level=None``) and SQLAlchemy's begin
    emits ``BEGIN`` for reads and ``BEGIN IMMEDIATE`` for writes (``rm_desk_write``). Public so the
    benchmarks can build a plain-SQLite twin that differs from the store only by the key.
    """
    engine = create_engine(
        "sqlite+pysqlite://",
        creator=connect,
        module=module,
        poolclass=QueuePool,
        pool_size=4,
        max_overflow=4,
        hide_parameters=True,  # bound values can be customer data: never in errors or logs
    )

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        if conn.get_execution_options().get("rm_desk_write"):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")

    return engine


_CORRUPT_HINTS = ("malformed", "not a database", "hmac", "corrupt")


@contextlib.contextmanager
def convert_errors() -> Iterator[None]:
    """Turn database errors into the app's own errors, with words for people.

    SQLAlchemy's messages contain SQL (and, without ``hide_parameters``, values); none of that
    reaches the user or the log. The original is kept as ``__cause__`` for a debugger only.
    """
    try:
        yield
    except exc.DBAPIError as error:
        text = str(error.orig).lower() if error.orig is not None else ""
        if any(hint in text for hint in _CORRUPT_HINTS):
            raise CacheCorrupt(
                "The local cache is damaged. RM Desk will check it and rebuild it from the "
                "bank's server."
            ) from error
        if "locked" in text or "busy" in text:
            raise StoreError(
                "The local cache is busy. Try again in a moment.", title="Cache busy"
            ) from error
        raise StoreError(
            "The local cache could not complete the operation. Try again; if it keeps "
            "happening, ask IT to run the RM Desk check-up."
        ) from error
