"""Reading and writing rows of the ``record`` table, for mutations, dev edits and reassignment.

Every change goes through here with a rev from :func:`crm_server.revs.take_revs` taken in the same
transaction. Moving a record to another book re-stamps its rev (so it appears in the new owner's
feed after any cursor) and leaves a ``scope_exit`` for the book it left (so the old owner's feed
says ``out_of_scope``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy import Connection, insert, select, update

from crm_server.schema import record, scope_exit


@dataclass(slots=True)
class StoredRecord:
    """One row of ``record``, with ``data`` and ``field_revs`` decoded."""

    entity: str
    id: str
    rev: int
    rm_id: str | None
    team_id: str | None
    customer_id: str | None
    deleted: bool
    data: dict[str, Any]
    field_revs: dict[str, int] = field(default_factory=dict)

    def answer(self) -> dict[str, Any] | None:
        """The record as answered to a client: its wire form with ``rev``; ``None`` if deleted."""
        if self.deleted:
            return None
        return {**self.data, "rev": self.rev}


def load_record(conn: Connection, entity: str, record_id: str) -> StoredRecord | None:
    """Read one record, or ``None`` if there is none with this entity and id."""
    row = conn.execute(
        select(record).where(record.c.entity == entity, record.c.id == record_id)
    ).first()
    if row is None:
        return None
    return StoredRecord(
        entity=row.entity,
        id=row.id,
        rev=row.rev,
        rm_id=row.rm_id,
        team_id=row.team_id,
        customer_id=row.customer_id,
        deleted=bool(row.deleted),
        data=orjson.loads(row.data),
        field_revs=orjson.loads(row.field_revs),
    )


def insert_record(conn: Connection, stored: StoredRecord) -> None:
    """Write a new record."""
    conn.execute(insert(record).values(**_columns(stored), entity=stored.entity, id=stored.id))


def save_record(conn: Connection, stored: StoredRecord) -> None:
    """Write back a changed record (its rev must be a new one)."""
    conn.execute(
        update(record)
        .where(record.c.entity == stored.entity, record.c.id == stored.id)
        .values(**_columns(stored))
    )


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
    """Record that a record left ``old_book`` for ``new_book``, if any feed must hear of it.

    The old RM hears ``out_of_scope`` when the RM changes; the old team's lead too when the team
    changes. Nothing is written when neither changes.
    """
    old_rm, old_team = old_book
    new_rm, new_team = new_book
    rm_left = old_rm if old_rm is not None and old_rm != new_rm else None
    team_left = old_team if old_team is not None and old_team != new_team else None
    if rm_left is None and team_left is None:
        return
    conn.execute(
        insert(scope_exit).values(
            rev=rev, rm_id=rm_left, team_id=team_left, entity=entity, id=record_id
        )
    )


def _columns(stored: StoredRecord) -> dict[str, Any]:
    return {
        "rev": stored.rev,
        "rm_id": stored.rm_id,
        "team_id": stored.team_id,
        "customer_id": stored.customer_id,
        "deleted": stored.deleted,
        "data": orjson.dumps(stored.data).decode(),
        "field_revs": orjson.dumps(stored.field_revs).decode(),
    }
