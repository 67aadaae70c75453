"""Reading and writing rows of the ``record`` table, for mutations, dev edits and reassignment.

Every change goes through here with a rev from :func:`crm_server.revs.take_revs` taken in the same
transaction. Moving a record to another book re-stamps its rev (so it appears in the new owner's
feed after any cursor) and leaves a ``scope_exit`` for the book it left (so the old owner's feed
says ``out_of_scope``).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from typing import Any

import orjson
from sqlalchemy import Connection, and_, bindparam, insert, or_, select, update

from crm_server.bulk import BulkStatement
from crm_server.schema import record, scope_exit

RecordKey = tuple[str, str]
"""A record's ``(entity, id)``."""


class StoredRecord:
    """One row of ``record``, with ``data`` and ``field_revs`` decoded when first used.

    A batch of mutations reads every customer its ops link to, mostly to learn the customer's
    book; decoding each one's JSON up front cost more than the rest of the lookup.
    """

    __slots__ = (
        "_data",
        "_field_revs",
        "_raw_data",
        "_raw_field_revs",
        "customer_id",
        "deleted",
        "entity",
        "id",
        "rev",
        "rm_id",
        "team_id",
    )

    def __init__(
        self,
        *,
        entity: str,
        id: str,
        rev: int,
        rm_id: str | None,
        team_id: str | None,
        customer_id: str | None,
        deleted: bool,
        data: dict[str, Any] | None = None,
        field_revs: dict[str, int] | None = None,
        raw_data: str | bytes | None = None,
        raw_field_revs: str | bytes | None = None,
    ) -> None:
        self.entity = entity
        self.id = id
        self.rev = rev
        self.rm_id = rm_id
        self.team_id = team_id
        self.customer_id = customer_id
        self.deleted = deleted
        self._data = data
        self._raw_data = raw_data if data is None else None
        if data is None and raw_data is None:
            self._data = {}
        self._field_revs = field_revs
        self._raw_field_revs = raw_field_revs if field_revs is None else None
        if field_revs is None and raw_field_revs is None:
            self._field_revs = {}

    @property
    def data(self) -> dict[str, Any]:
        """The record's wire form without ``rev`` (decoded on first use; changes stick)."""
        if self._data is None:
            self._data = orjson.loads(self._raw_data or b"{}")
            self._raw_data = None
        return self._data

    @property
    def field_revs(self) -> dict[str, int]:
        """The rev at which each field last changed (decoded on first use; changes stick)."""
        if self._field_revs is None:
            self._field_revs = orjson.loads(self._raw_field_revs or b"{}")
            self._raw_field_revs = None
        return self._field_revs

    def answer(self) -> dict[str, Any] | None:
        """The record as answered to a client: its wire form with ``rev``; ``None`` if deleted."""
        if self.deleted:
            return None
        return {**self.data, "rev": self.rev}


def load_record(conn: Connection, entity: str, record_id: str) -> StoredRecord | None:
    """Read one record, or ``None`` if there is none with this entity and id."""
    row = conn.execute(
        select(*_STORED_COLUMNS).where(record.c.entity == entity, record.c.id == record_id)
    ).first()
    return None if row is None else _stored(*row)


def load_records(conn: Connection, keys: Collection[RecordKey]) -> dict[RecordKey, StoredRecord]:
    """Read many records in one query; keys with no record are left out of the answer."""
    if not keys:
        return {}
    by_entity: dict[str, set[str]] = {}
    for entity, record_id in keys:
        by_entity.setdefault(entity, set()).add(record_id)
    # One primary-key lookup per key: an entity's ids are matched with that entity only (a
    # batch names visits, customers and opportunities; ids crossed with every entity tripled
    # the lookups).
    rows = conn.execute(
        select(*_STORED_COLUMNS).where(
            or_(
                *(
                    and_(record.c.entity == entity, record.c.id.in_(sorted(ids)))
                    for entity, ids in sorted(by_entity.items())
                )
            )
        )
    )
    # Fetched at once and unpacked as tuples: reading the columns of each row by name, one
    # fetch at a time, cost a batch of 200 visits more than running the query.
    stored = (_stored(*row) for row in rows.tuples().all())
    return {(item.entity, item.id): item for item in stored}


def _stored(
    entity: str,
    record_id: str,
    rev: int,
    rm_id: str | None,
    team_id: str | None,
    customer_id: str | None,
    deleted: bool,
    data: str | bytes,
    field_revs: str | bytes,
) -> StoredRecord:
    """A :class:`StoredRecord` from a row of ``_STORED_COLUMNS``."""
    return StoredRecord(
        entity=entity,
        id=record_id,
        rev=rev,
        rm_id=rm_id,
        team_id=team_id,
        customer_id=customer_id,
        deleted=bool(deleted),
        raw_data=data,
        raw_field_revs=field_revs,
    )


def insert_record(conn: Connection, stored: StoredRecord) -> None:
    """Write a new record."""
    insert_records(conn, [stored])


def save_record(conn: Connection, stored: StoredRecord) -> None:
    """Write back a changed record (its rev must be a new one)."""
    save_records(conn, [stored])


def insert_records(conn: Connection, new: Iterable[StoredRecord]) -> None:
    """Write new records, in one ``executemany``."""
    _INSERT.execute(conn, [(stored.entity, stored.id, *_columns(stored)) for stored in new])


def save_records(conn: Connection, changed: Iterable[StoredRecord]) -> None:
    """Write back changed records (each with a new rev), in one ``executemany``."""
    _UPDATE.execute(conn, [(*_columns(stored), stored.entity, stored.id) for stored in changed])


def feed_entry(entity: str, record_id: str, rev: int, deleted: bool, data: bytes) -> bytes:
    """A record's entry of the change feed as JSON bytes (API.md §2), ``data`` its stored JSON.

    Stored in ``record.change`` with every write, so the feed joins entries without touching
    them. A tombstone is the ``delete`` entry with ``reason: deleted``.
    """
    head = b'{"entity":%b,"id":%b,"rev":%d,"op":' % (
        orjson.dumps(entity),
        orjson.dumps(record_id),
        rev,
    )
    if deleted:
        return head + b'"delete","reason":"deleted"}'
    return head + b'"upsert","data":' + data + b"}"


def apply_fields(stored: StoredRecord, values: Mapping[str, Any], rev: int) -> list[str]:
    """Set the fields whose value differs, stamping their field rev; return the changed names.

    The record's ``rev`` becomes ``rev`` only if something changed.
    """
    changed = [name for name, value in values.items() if stored.data.get(name) != value]
    for name in changed:
        stored.data[name] = values[name]
        stored.field_revs[name] = rev
    if changed:
        stored.rev = rev
    return changed


def write_scope_exit(
    conn: Connection,
    *,
    rev: int,
    entity: str,
    record_id: str,
    old_book: tuple[str | None, str | None],
    new_book: tuple[str | None, str | None],
) -> None:
    """Record that a record left ``old_book`` for ``new_book``, if any feed must hear of it."""
    row = scope_exit_row(
        rev=rev, entity=entity, record_id=record_id, old_book=old_book, new_book=new_book
    )
    if row is not None:
        conn.execute(insert(scope_exit).values(**row))


def scope_exit_row(
    *,
    rev: int,
    entity: str,
    record_id: str,
    old_book: tuple[str | None, str | None],
    new_book: tuple[str | None, str | None],
) -> dict[str, Any] | None:
    """The ``scope_exit`` row of a record that left ``old_book`` for ``new_book``, if any.

    The old RM hears ``out_of_scope`` when the RM changes; the old team's lead too when the team
    changes. There is no row when neither changes.
    """
    old_rm, old_team = old_book
    new_rm, new_team = new_book
    rm_left = old_rm if old_rm is not None and old_rm != new_rm else None
    team_left = old_team if old_team is not None and old_team != new_team else None
    if rm_left is None and team_left is None:
        return None
    return {"rev": rev, "rm_id": rm_left, "team_id": team_left, "entity": entity, "id": record_id}


_STORED_COLUMNS = (
    record.c.entity,
    record.c.id,
    record.c.rev,
    record.c.rm_id,
    record.c.team_id,
    record.c.customer_id,
    record.c.deleted,
    record.c.data,
    record.c.field_revs,
)
"""Every column but ``change``, which only the feed reads."""

_WRITTEN = ("rev", "rm_id", "team_id", "customer_id", "deleted", "data", "field_revs", "change")

_INSERT = BulkStatement(
    insert(record).values({name: bindparam(name) for name in ("entity", "id", *_WRITTEN)}),
    ("entity", "id", *_WRITTEN),
)
"""Write a new record: its key, then :func:`_columns`."""

_UPDATE = BulkStatement(
    update(record)
    .where(record.c.entity == bindparam("key_entity"), record.c.id == bindparam("key_id"))
    .values({name: bindparam(name) for name in _WRITTEN}),
    (*_WRITTEN, "key_entity", "key_id"),
)
"""Write back every column of a record but its key: :func:`_columns`, then the key."""


def _columns(stored: StoredRecord) -> tuple[Any, ...]:
    """The values of a record's columns but its key, in the order of ``_WRITTEN``."""
    data = orjson.dumps(stored.data)
    return (
        stored.rev,
        stored.rm_id,
        stored.team_id,
        stored.customer_id,
        stored.deleted,
        data.decode(),
        orjson.dumps(stored.field_revs).decode(),
        feed_entry(stored.entity, stored.id, stored.rev, stored.deleted, data),
    )
