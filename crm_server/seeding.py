"""Filling an empty database from the synthetic bank (:class:`~crm_server.synth.records.SeedData`).

Records go in with ``executemany`` in chunks, several chunks per transaction, each chunk taking a
block of revs in generation order (parents before children), with each record's feed entry
(``record.change``). Full C2 values go to ``pii``, older transactions to ``history``. Users get a
scrypt hash of their password each, with their own salt, computed in threads while the rest is
generated, and are written last: a database with users is a seeded one
(:meth:`~crm_server.database.Database.has_users`), so a seeding that fails part way leaves none,
and the server refuses such a database with words instead of serving part of a bank.
All of it goes through one connection of :meth:`~crm_server.database.Database.bulk_load`
(on SQLite, no ``fsync`` until the end).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from itertools import islice
from typing import Any, TypeVar

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

_CHUNK = 10_000
_CHUNKS_PER_TRANSACTION = 20
_T = TypeVar("_T")


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
    """
    # scrypt lets go of the GIL, so the users' hashes (a tenth of a second each) run side by side,
    # and beside the generator: they are written last, once the records are in.
    with ThreadPoolExecutor(os.cpu_count() or 1) as pool:
        hashed = pool.map(lambda user: _user_row(user, password, kdf_cost), data.users)
        with database.bulk_load() as conn:
            records = _in_transactions(conn, data.records, _insert_records)
            values = _in_transactions(conn, data.pii, _insert_pii)
            older = _in_transactions(conn, data.history, _insert_history)
            users = list(hashed)
            # The users last: a database with users counts as seeded (Database.has_users).
            with conn.begin():
                conn.execute(insert(app_user), users)
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


def _user_row(user: SeedUser, password: str, kdf_cost: int) -> dict[str, Any]:
    return {
        "id": user.id,
        "name": user.name,
        "role": user.role,
        "team_id": user.team_id,
        "branch_id": user.branch_id,
        "permissions": orjson.dumps(list(user.permissions)).decode(),
        "password_hash": hash_password(password, cost=kdf_cost),
    }


def _in_transactions(
    conn: Connection,
    items: Iterator[_T],
    write: Callable[[Connection, list[_T]], None],
) -> int:
    total = 0
    chunks = _chunks(items, _CHUNK)
    while True:
        written = 0
        with conn.begin():
            for chunk in islice(chunks, _CHUNKS_PER_TRANSACTION):
                write(conn, chunk)
                written += len(chunk)
        total += written
        if written < _CHUNK * _CHUNKS_PER_TRANSACTION:
            return total


def _insert_records(conn: Connection, chunk: list[SeedRecord]) -> None:
    first = take_revs(conn, len(chunk))
    rows = []
    for rev, item in enumerate(chunk, start=first):
        data = _wire_bytes(item.data)
        change = feed_entry(item.entity, item.id, rev, False, data)
        row = (item.entity, item.id, rev, item.rm_id, item.team_id, item.customer_id)
        rows.append((*row, False, data.decode(), "{}", change))
    _bulk_insert(
        conn,
        record,
        (
            *("entity", "id", "rev", "rm_id", "team_id", "customer_id"),
            *("deleted", "data", "field_revs", "change"),
        ),
        rows,
    )


def _insert_pii(conn: Connection, chunk: list[SeedPii]) -> None:
    _bulk_insert(
        conn,
        pii,
        ("record_id", "field", "customer_id", "value"),
        [(item.record_id, item.field, item.customer_id, item.value) for item in chunk],
    )


def _insert_history(conn: Connection, chunk: list[SeedRecord]) -> None:
    _bulk_insert(
        conn,
        history,
        ("id", "customer_id", "ts", "data"),
        [
            (item.id, item.customer_id or "", str(item.data.get("ts", "")), wire_json(item.data))
            for item in chunk
        ],
    )


def _bulk_insert(
    conn: Connection, table: Table, columns: Sequence[str], rows: list[tuple[Any, ...]]
) -> None:
    """``executemany`` straight on the driver: plain tuples, no per-row work in SQLAlchemy
    (two to three times faster for a million records)."""
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    sql = (
        f"INSERT INTO {table.name} ({', '.join(columns)}) "
        f"VALUES ({', '.join([mark] * len(columns))})"
    )
    conn.exec_driver_sql(sql, rows)


def _chunks(items: Iterable[_T], size: int) -> Iterator[list[_T]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk
