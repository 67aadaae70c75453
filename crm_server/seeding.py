"""Filling an empty database from the synthetic bank (:class:`~crm_server.synth.records.SeedData`).

Records go in with ``executemany`` in chunks, each chunk taking a block of revs in generation
order (parents before children), with each record's feed entry (``record.change``). Full C2
values go to ``pii``, older transactions to ``history``. Users get a scrypt hash of their
password each, with their own salt, computed in threads while the rest is generated, and are
written last: a database with users is a seeded one
(:meth:`~crm_server.database.Database.has_users`), so a seeding that fails part way leaves none,
and the server refuses such a database with words instead of serving part of a bank.
Writes go through a connection of :meth:`~crm_server.database.Database.bulk_load` (on SQLite,
no ``fsync`` until the end).

Generating the bank costs more than writing it, and the server has more than one core. When the
bank comes from the generator (its :class:`~crm_server.synth.records.Recipe` is known) and is
large enough to pay for starting a process, a second Python process (``python -m
crm_server.seeding``, told the database URL and the recipe on its standard input) generates and
writes the PII and the history, while this one generates and writes the records. Both are
deterministic by the recipe (the generator replays each RM's book from the RM's own random
streams), the revs are handed out by this process alone, in generation order, and each table is
written by one process in order, so the bank is the same as from one process. Each chunk is
generated and encoded before its transaction begins, so neither process holds SQLite's write
lock while it computes; on PostgreSQL the two write side by side.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from itertools import islice
from pathlib import Path
from typing import IO, Any, TypeVar

import orjson
from sqlalchemy import Connection, Table, insert

from crm_server.database import Database
from crm_server.passwords import hash_password
from crm_server.record_store import feed_entry
from crm_server.revs import take_revs
from crm_server.schema import app_user, history, pii, record
from crm_server.synth.records import SeedData, SeedPii, SeedRecord, SeedUser

DEMO_PASSWORD = "rmdesk-demo"
"""The password of every seeded user (API.md §4)."""

SIDE_PROCESS_MIN_CUSTOMERS = 2_000
"""Smallest generated bank whose PII and history are written by a second process: starting it
(an interpreter, the generator's imports and its network) takes about a second."""

_CHUNK = 10_000
_T = TypeVar("_T")
_R = TypeVar("_R")
_ROOT = Path(__file__).resolve().parents[1]

_RecordRow = tuple[str, str, str | None, str | None, str | None, bytes]
"""A record ready to insert but for its rev: entity, id, rm_id, team_id, customer_id, data."""


class SeedingError(RuntimeError):
    """The process that writes the PII and the history failed."""


@dataclass(frozen=True, slots=True)
class SeedCounts:
    """How much the seeding wrote."""

    users: int
    records: int
    pii: int
    history: int


def seed_database(
    database: Database, data: SeedData, *, kdf_cost: int, password: str = DEMO_PASSWORD
) -> SeedCounts:
    """Write a synthetic bank into a database whose schema exists and holds no users.

    Args:
        database: The database to fill.
        data: What the generator made.
        kdf_cost: scrypt cost for the users' password hashes.
        password: The password every seeded user gets.

    Returns:
        The counts written.

    Raises:
        SeedingError: the second process failed (nothing of the users is written then).
    """
    side = _SideProcess.start(database, data, password, kdf_cost)
    # scrypt lets go of the GIL, so the users' hashes (a twentieth of a second each) run side by
    # side, and beside the generator: they are written last, once the records are in. The
    # second process, which has less to do, hashes them when it has one.
    with ThreadPoolExecutor(1 if side else (os.cpu_count() or 1)) as pool:
        hashed = pool.map(
            lambda user: hash_password(password, cost=kdf_cost), [] if side else data.users
        )
        try:
            with database.bulk_load() as conn:
                with _indexes_built_after(conn, record):
                    records = _write_all(conn, data.records, _record_rows, _insert_records)
                if side is None:
                    values, older = _write_pii_and_history(conn, data.pii, data.history)
                    hashes = list(hashed)
                else:
                    values, older, hashes = side.result()
                users = [
                    _user_row(user, digest) for user, digest in zip(data.users, hashes, strict=True)
                ]
                # The users last: a database with users counts as seeded (Database.has_users).
                with conn.begin():
                    conn.execute(insert(app_user), users)
        finally:
            if side is not None:
                side.stop()
    return SeedCounts(users=len(data.users), records=records, pii=values, history=older)


def wire_json(data: Mapping[str, Any]) -> str:
    """A seed record's wire form as stored JSON text (without ``rev``: the row holds it)."""
    return _wire_bytes(data).decode()


def _wire_bytes(data: Mapping[str, Any]) -> bytes:
    # The generator's records have no "rev"; copying each of them to drop it cost more than
    # encoding it (a million records at the bench scale).
    if "rev" in data:
        data = {key: value for key, value in data.items() if key != "rev"}
    return orjson.dumps(data, default=_plain)


def _plain(value: object) -> object:
    if isinstance(value, Mapping):
        return dict(value)
    raise TypeError(f"not JSON: {type(value).__name__}")


def _user_row(user: SeedUser, password_hash: str) -> dict[str, Any]:
    return {
        "id": user.id,
        "name": user.name,
        "role": user.role,
        "team_id": user.team_id,
        "branch_id": user.branch_id,
        "permissions": orjson.dumps(list(user.permissions)).decode(),
        "password_hash": password_hash,
    }


def _write_all(
    conn: Connection,
    items: Iterable[_T],
    prepare: Callable[[list[_T]], list[_R]],
    write: Callable[[Connection, list[_R]], None],
) -> int:
    """Write ``items`` a chunk a transaction; each chunk is generated and prepared before its
    transaction begins. Returns how many were written."""
    total = 0
    for chunk in _chunks(items, _CHUNK):
        rows = prepare(chunk)
        with conn.begin():
            write(conn, rows)
        total += len(rows)
    return total


def _write_pii_and_history(
    conn: Connection, values: Iterable[SeedPii], older: Iterable[SeedRecord]
) -> tuple[int, int]:
    written = _write_all(conn, values, _pii_rows, _insert_pii)
    with _indexes_built_after(conn, history):
        return written, _write_all(conn, older, _history_rows, _insert_history)


@contextmanager
def _indexes_built_after(conn: Connection, table: Table) -> Iterator[None]:
    """Drop the secondary indexes of ``table`` for the block and build them again after it.

    Building an index over a million rows at once (one sort) costs a fraction of keeping it up
    to date row by row: the index on ``record.customer_id`` alone took a tenth of the seeding.
    The primary key stays, so a duplicate id still fails where it is written. Only for a new
    database: readers would find the indexes missing meanwhile (nothing reads a database being
    seeded, and one whose seeding failed is refused), and a failure leaves them missing.
    """
    indexes = sorted(table.indexes, key=lambda index: str(index.name))
    with conn.begin():
        for index in indexes:
            index.drop(conn)
    yield
    with conn.begin():
        for index in indexes:
            index.create(conn)


def _record_rows(chunk: list[SeedRecord]) -> list[_RecordRow]:
    return [
        (item.entity, item.id, item.rm_id, item.team_id, item.customer_id, _wire_bytes(item.data))
        for item in chunk
    ]


def _insert_records(conn: Connection, rows: list[_RecordRow]) -> None:
    first = take_revs(conn, len(rows))
    _bulk_insert(
        conn,
        record,
        (
            *("entity", "id", "rev", "rm_id", "team_id", "customer_id"),
            *("deleted", "data", "field_revs", "change"),
        ),
        [
            (
                *(entity, record_id, rev, rm_id, team_id, customer_id),
                *(False, data.decode(), "{}", feed_entry(entity, record_id, rev, False, data)),
            )
            for rev, (entity, record_id, rm_id, team_id, customer_id, data) in enumerate(
                rows, start=first
            )
        ],
    )


def _pii_rows(chunk: list[SeedPii]) -> list[tuple[str, str, str, str]]:
    return [(item.record_id, item.field, item.customer_id, item.value) for item in chunk]


def _insert_pii(conn: Connection, rows: list[tuple[str, str, str, str]]) -> None:
    _bulk_insert(conn, pii, ("record_id", "field", "customer_id", "value"), rows)


def _history_rows(chunk: list[SeedRecord]) -> list[tuple[str, str, str, str]]:
    return [
        (item.id, item.customer_id or "", str(item.data.get("ts", "")), wire_json(item.data))
        for item in chunk
    ]


def _insert_history(conn: Connection, rows: list[tuple[str, str, str, str]]) -> None:
    _bulk_insert(conn, history, ("id", "customer_id", "ts", "data"), rows)


def _bulk_insert(
    conn: Connection, table: Table, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> None:
    """``executemany`` straight on the driver: plain tuples, no per-row work in SQLAlchemy
    (two to three times faster for a million records)."""
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    sql = (
        f"INSERT INTO {table.name} ({', '.join(columns)}) "
        f"VALUES ({', '.join([mark] * len(columns))})"
    )
    conn.exec_driver_sql(sql, list(rows))


def _chunks(items: Iterable[_T], size: int) -> Iterator[list[_T]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


# ---- the second process -------------------------------------------------------------------------


class _SideProcess:
    """``python -m crm_server.seeding`` writing a generated bank's PII and history."""

    def __init__(self, process: subprocess.Popen[bytes], output: IO[bytes]) -> None:
        self._process = process
        self._output = output

    @classmethod
    def start(
        cls, database: Database, data: SeedData, password: str, kdf_cost: int
    ) -> _SideProcess | None:
        """Start the process, or ``None`` where this process writes everything itself: data
        not from the generator, a small bank, or an interpreter that cannot run a module (a
        frozen app)."""
        recipe = data.recipe
        if recipe is None or recipe.customers < SIDE_PROCESS_MIN_CUSTOMERS:
            return None
        if getattr(sys, "frozen", False) or not sys.executable:
            return None
        task = {
            "url": database.engine.url.render_as_string(hide_password=False),
            "customers": recipe.customers,
            "seed": recipe.seed,
            "today": recipe.today.isoformat(),
            "users": len(data.users),
            "password": password,
            "kdf_cost": kdf_cost,
        }
        # The child finds this checkout's crm_server first, however this process was started.
        path = os.pathsep.join(filter(None, (str(_ROOT), os.environ.get("PYTHONPATH"))))
        output = tempfile.TemporaryFile()  # noqa: SIM115 -- closed by stop()
        process = subprocess.Popen(
            [sys.executable, "-m", "crm_server.seeding"],
            stdin=subprocess.PIPE,
            stdout=output,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONPATH": path},
        )
        assert process.stdin is not None
        # The URL goes through a pipe, not the command line, which other users can read.
        with process.stdin:
            process.stdin.write(json.dumps(task).encode())
        return cls(process, output)

    def result(self) -> tuple[int, int, list[str]]:
        """Wait for the process; the PII and history rows it wrote, and the users' password
        hashes.

        Raises:
            SeedingError: it failed.
        """
        status = self._process.wait()
        self._output.seek(0)
        lines = self._output.read().decode(errors="replace").strip().splitlines()
        if status == 0 and lines:
            try:
                done = json.loads(lines[-1])
                return int(done["pii"]), int(done["history"]), [str(h) for h in done["hashes"]]
            except (ValueError, KeyError, TypeError):
                pass
        # Its last lines say what went wrong (the engine hides statement parameters).
        raise SeedingError(
            f"the process writing PII and history ended with status {status}: "
            + " | ".join(lines[-3:])
        )

    def stop(self) -> None:
        """End the process if it still runs (this one failed first), and let go of it."""
        if self._process.poll() is None:
            self._process.kill()
            self._process.wait()
        self._output.close()


def _side_main() -> int:
    """The second process: write the PII and history of the recipe read from standard input,
    hash the users' password, then print the counts and the hashes as JSON."""
    from crm_server.synth.generate import generate  # the generator only where it is needed

    task = json.loads(sys.stdin.read())
    data = generate(task["customers"], task["seed"], date.fromisoformat(task["today"]))
    database = Database(task["url"])
    try:
        with database.bulk_load() as conn:
            values, older = _write_pii_and_history(conn, data.pii, data.history)
    finally:
        database.dispose()
    hashes = [hash_password(task["password"], cost=task["kdf_cost"]) for _ in range(task["users"])]
    print(json.dumps({"pii": values, "history": older, "hashes": hashes}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(_side_main())
