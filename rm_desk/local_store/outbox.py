"""What sync reads and writes in the outbox, the conflict inbox and the sync journal.

Every function runs inside the caller's transaction (``store.read()`` / ``store.write()``), so the
sync engine decides what commits together: marking a batch ``sending`` before the request, and one
batch result with its records, conflicts and journal entries after it.

Op states (:class:`~rm_desk.domain.enums.OpState`), as the outbox keeps them::

    queued ──► sending ──► (applied: the row is deleted)
      ▲  │        │──────► rejected   kept with code, message and field errors for the user
      │  ▼        └──────► conflict   kept, not sent: holds the user's values the inbox decides on
      held                           (queued again, with a new op_id, when a merge resends)

``held``: a queued op that depends on a create the server rejected (or that is held itself); it
goes back to ``queued`` when that create is discarded. An op that is ``sending`` is never changed:
the server may hold it under its ``op_id``, so it is sent again exactly as it is.

Values are JSON text in the table and plain Python values here; records come back in their wire
form (:func:`~rm_desk.local_store.rows.decode_row`).
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Collection, Generator, Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, TypeVar

import orjson
from sqlalchemy import Connection, delete, func, insert, select, update

from rm_desk.domain.enums import ConflictKind, OpKind, OpState
from rm_desk.local_store import schema
from rm_desk.local_store.rows import decode_row, encode_value, merge_fields
from rm_desk.local_store.writes import SEARCHED_ENTITIES, derived_columns

PENDING_STATES: frozenset[OpState] = frozenset(
    {OpState.QUEUED, OpState.SENDING, OpState.HELD, OpState.CONFLICT, OpState.REJECTED}
)
"""Ops whose values are laid over the server copy: every state but applied (applied ops are
deleted)."""

UNSENT_STATES: frozenset[OpState] = frozenset({OpState.QUEUED, OpState.SENDING, OpState.HELD})
"""Ops still on their way to the server: what the status calls pending."""

_EMPTY: Mapping[str, Any] = MappingProxyType({})
_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class StoredOp:
    """One outbox row, decoded."""

    seq: int
    op_id: str
    entity: str
    record_id: str
    op: OpKind
    base_rev: int | None
    fields: Mapping[str, Any]
    snapshot: Mapping[str, Any] | None
    """Update: the values of its fields before the edit (its merge base). Delete: the whole
    record as it was."""
    state: OpState
    attempts: int
    created_at: str
    updated_at: str
    error_code: str | None
    error_message: str | None
    field_errors: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class StoredConflict:
    """One row of the conflict inbox, decoded; ``field`` is a merge field name."""

    id: int
    entity: str
    record_id: str
    op_id: str | None
    kind: ConflictKind
    field: str | None
    base: Any
    mine: Any
    theirs: Any
    server_rev: int | None
    created_at: str
    resolved_at: str | None
    resolution: str | None


def _dumps(value: Any) -> str:
    # Names from table metadata are SQLAlchemy's str subclass: orjson takes them only when told.
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


def _loads(text: str | None) -> Any:
    return None if text is None else orjson.loads(text)


def _op(row: Mapping[Any, Any]) -> StoredOp:
    snapshot = _loads(row["snapshot"])
    return StoredOp(
        seq=row["seq"],
        op_id=row["op_id"],
        entity=row["entity"],
        record_id=row["record_id"],
        op=OpKind(row["op"]),
        base_rev=row["base_rev"],
        fields=MappingProxyType(orjson.loads(row["fields"])),
        snapshot=MappingProxyType(snapshot) if isinstance(snapshot, dict) else None,
        state=OpState(row["state"]),
        attempts=row["attempts"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        error_code=row["error_code"],
        error_message=row["error_message"],
        field_errors=MappingProxyType(_loads(row["field_errors"]) or {}),
    )


def new_op_id() -> str:
    """A fresh idempotency key."""
    return str(uuid.uuid4())


# --- reading ops ---------------------------------------------------------------------------------


_OPS_IN_STATES_SQL = "SELECT * FROM outbox WHERE state IN ({}) ORDER BY seq"
_CREATED_IN_STATES_SQL = "SELECT record_id FROM outbox WHERE op = 'create' AND state IN ({})"


def _states_sql(template: str, states: Collection[OpState]) -> tuple[str, tuple[str, ...]]:
    values = tuple(sorted(s.value for s in states))
    return template.format(", ".join("?" for _ in values)), values


def ops_in_states(conn: Connection, states: Collection[OpState]) -> list[StoredOp]:
    """Ops in any of ``states``, in ``seq`` order."""
    with contextlib.closing(iter_ops_in_states(conn, states)) as ops:
        return list(ops)


def iter_ops_in_states(conn: Connection, states: Collection[OpState]) -> Generator[StoredOp]:
    """Ops in any of ``states``, in ``seq`` order, read and decoded as they are taken (the push
    plans a batch from the first few hundred of a long outbox). Close it (``contextlib.closing``)
    before writing with the same connection.

    Written out in SQL: an idle round and each batch of a push ask, and building the select cost
    more than running it.
    """
    sql, params = _states_sql(_OPS_IN_STATES_SQL, states)
    result = conn.exec_driver_sql(sql, params).mappings()
    try:
        while rows := result.fetchmany(_FETCH):
            for row in rows:
                yield _op(row)
    finally:
        result.close()


_FETCH = 250


_ANY_IN_STATES_SQL = "SELECT 1 FROM outbox WHERE state IN ({}) LIMIT 1"
_HELD_PROFILES_SQL = (
    "SELECT DISTINCT record_id FROM outbox WHERE state = ? AND entity = 'customer' AND op = ?"
)


def any_in_states(conn: Connection, states: Collection[OpState]) -> bool:
    """Whether any op is in one of ``states``: one step down ``ix_outbox_state_seq``, written
    out in SQL (building a select cost more than running it, and an idle round asks twice)."""
    sql, params = _states_sql(_ANY_IN_STATES_SQL, states)
    return conn.exec_driver_sql(sql, params).first() is not None


def customers_with_held_ops(conn: Connection) -> list[str]:
    """Ids of customers with an update op kept in state ``conflict`` (one that may hold the soft
    profile for the inbox; :func:`~rm_desk.local_store.writes.rebase_held_profiles`)."""
    params = (OpState.CONFLICT.value, OpKind.UPDATE.value)
    return [str(row[0]) for row in conn.exec_driver_sql(_HELD_PROFILES_SQL, params)]


def op_by_id(conn: Connection, op_id: str) -> StoredOp | None:
    ob = schema.outbox
    row = conn.execute(select(ob).where(ob.c.op_id == op_id)).mappings().first()
    return None if row is None else _op(row)


def op_by_seq(conn: Connection, seq: int) -> StoredOp | None:
    ob = schema.outbox
    row = conn.execute(select(ob).where(ob.c.seq == seq)).mappings().first()
    return None if row is None else _op(row)


def ops_of_record(
    conn: Connection,
    entity: str,
    record_id: str,
    states: Collection[OpState] = PENDING_STATES,
) -> list[StoredOp]:
    """The record's ops in any of ``states``, in ``seq`` order."""
    ob = schema.outbox
    rows = conn.execute(
        select(ob)
        .where(
            ob.c.entity == entity,
            ob.c.record_id == record_id,
            ob.c.state.in_([s.value for s in states]),
        )
        .order_by(ob.c.seq)
    ).mappings()
    return [_op(row) for row in rows]


def op_counts(conn: Connection) -> dict[OpState, int]:
    """How many ops are in each state (states with none are left out)."""
    ob = schema.outbox
    rows = conn.execute(select(ob.c.state, func.count()).group_by(ob.c.state)).tuples()
    return {OpState(state): int(count) for state, count in rows}


def created_ids_in_states(conn: Connection, states: Collection[OpState]) -> set[str]:
    """Record ids of create ops in any of ``states``."""
    sql, params = _states_sql(_CREATED_IN_STATES_SQL, states)
    return {str(row[0]) for row in conn.exec_driver_sql(sql, params)}


# --- op transitions ------------------------------------------------------------------------------


def mark_sending(conn: Connection, seqs: Sequence[int], now: str) -> None:
    """Mark ops as on their way (one more attempt each), before the request leaves."""
    params: tuple[Any, ...] = (OpState.SENDING.value, now)
    for chunk in _chunks(seqs):
        conn.exec_driver_sql(_in_list(_MARK_SENDING_SQL, len(chunk)), (*params, *chunk))


def set_state(conn: Connection, seqs: Sequence[int], state: OpState, now: str) -> None:
    """Move ops to ``state`` without touching their body (held and queued again)."""
    for chunk in _chunks(seqs):
        conn.exec_driver_sql(_in_list(_SET_STATE_SQL, len(chunk)), (state.value, now, *chunk))


def delete_ops(conn: Connection, seqs: Sequence[int]) -> None:
    for chunk in _chunks(seqs):
        conn.exec_driver_sql(_in_list(_DELETE_OPS_SQL, len(chunk)), tuple(chunk))


# Written out in SQL: each batch of a push runs these with a few hundred values, and SQLAlchemy's
# expansion of an IN list that long cost more than the statement.
_MARK_SENDING_SQL = (
    "UPDATE outbox SET state = ?, attempts = attempts + 1, updated_at = ? WHERE seq IN ({})"
)
_SET_STATE_SQL = "UPDATE outbox SET state = ?, updated_at = ? WHERE seq IN ({})"
_DELETE_OPS_SQL = "DELETE FROM outbox WHERE seq IN ({})"


def _in_list(template: str, count: int) -> str:
    return template.format(", ".join("?" * count))


def reject_op(
    conn: Connection,
    seq: int,
    *,
    code: str,
    message: str,
    field_errors: Mapping[str, str],
    now: str,
) -> None:
    """Keep a refused op, with the server's words, for the sync issues list."""
    ob = schema.outbox
    conn.execute(
        update(ob)
        .where(ob.c.seq == seq)
        .values(
            state=OpState.REJECTED.value,
            error_code=code,
            error_message=message,
            field_errors=_dumps(dict(field_errors)) if field_errors else None,
            updated_at=now,
        )
    )


def rewrite_op(
    conn: Connection,
    seq: int,
    *,
    op_id: str,
    op: OpKind,
    state: OpState,
    base_rev: int | None,
    fields: Mapping[str, Any],
    snapshot: Mapping[str, Any] | None,
    now: str,
) -> None:
    """Give an op a new body after a merge, keeping its place (``seq``) in the outbox.

    A new body needs a new ``op_id``: the server keeps the answer of the old one, and the same key
    with another body is ``idempotency_mismatch``.
    """
    ob = schema.outbox
    conn.execute(
        update(ob)
        .where(ob.c.seq == seq)
        .values(
            op_id=op_id,
            op=op.value,
            state=state.value,
            base_rev=base_rev,
            fields=_dumps(dict(fields)),
            snapshot=None if snapshot is None else _dumps(dict(snapshot)),
            error_code=None,
            error_message=None,
            field_errors=None,
            updated_at=now,
        )
    )


def rebase_op(
    conn: Connection,
    seq: int,
    *,
    base_rev: int | None,
    snapshot: Mapping[str, Any] | None,
    now: str,
) -> None:
    """Give an op an older merge base: its ``snapshot`` and, unless it is ``sending``, its
    ``base_rev``.

    The snapshot never goes to the server, so it may change in any state; ``base_rev`` is part of
    the body, which an op that is ``sending`` keeps exactly (the server may hold it under its
    ``op_id``).
    """
    ob = schema.outbox
    values: dict[str, Any] = {
        "snapshot": None if snapshot is None else _dumps(dict(snapshot)),
        "updated_at": now,
    }
    conn.execute(
        update(ob)
        .where(ob.c.seq == seq, ob.c.state != OpState.SENDING.value)
        .values(base_rev=base_rev, **values)
    )
    conn.execute(
        update(ob).where(ob.c.seq == seq, ob.c.state == OpState.SENDING.value).values(**values)
    )


def add_op(
    conn: Connection,
    *,
    entity: str,
    record_id: str,
    op: OpKind,
    state: OpState,
    base_rev: int | None,
    fields: Mapping[str, Any],
    snapshot: Mapping[str, Any] | None,
    now: str,
    op_id: str | None = None,
) -> str:
    """Append an op (with a new ``op_id`` unless one is given); returns its ``op_id``."""
    op_id = op_id or new_op_id()
    conn.execute(
        insert(schema.outbox).values(
            op_id=op_id,
            entity=entity,
            record_id=record_id,
            op=op.value,
            base_rev=base_rev,
            fields=_dumps(dict(fields)),
            snapshot=None if snapshot is None else _dumps(dict(snapshot)),
            state=state.value,
            created_at=now,
            updated_at=now,
        )
    )
    return op_id


def fill_base_revs(conn: Connection, created: Mapping[tuple[str, str], int], now: str) -> None:
    """Give the later unsent ops of records the server made just now (entity and id to the
    server's rev) their ``base_rev``.

    An edit of a record whose create was on its way could not know the server's revision;
    ops already ``sending`` keep their body whatever happens. One read of the ops waiting for a
    rev, not one ``UPDATE`` per create: a batch of creates has, as a rule, none waiting.
    """
    if not created:
        return
    waiting = conn.exec_driver_sql(
        _WAITING_FOR_REV_SQL, (OpKind.CREATE.value, OpState.QUEUED.value, OpState.HELD.value)
    ).all()
    for seq, entity, record_id in waiting:
        rev = created.get((entity, record_id))
        if rev is not None:
            conn.exec_driver_sql(_FILL_BASE_REV_SQL, (rev, now, seq))


_WAITING_FOR_REV_SQL = (
    "SELECT seq, entity, record_id FROM outbox "
    "WHERE base_rev IS NULL AND op != ? AND state IN (?, ?)"
)
_FILL_BASE_REV_SQL = "UPDATE outbox SET base_rev = ?, updated_at = ? WHERE seq = ?"


def delete_record_ops(conn: Connection, entity: str, record_id: str) -> list[StoredOp]:
    """Remove every op of a record (a discarded create takes its later edits with it)."""
    ops = ops_of_record(conn, entity, record_id, frozenset(OpState))
    delete_ops(conn, [op.seq for op in ops])
    return ops


# --- conflicts -----------------------------------------------------------------------------------


def _conflict(row: Mapping[Any, Any]) -> StoredConflict:
    return StoredConflict(
        id=row["id"],
        entity=row["entity"],
        record_id=row["record_id"],
        op_id=row["op_id"],
        kind=ConflictKind(row["kind"]),
        field=row["field"],
        base=_loads(row["base_value"]),
        mine=_loads(row["mine_value"]),
        theirs=_loads(row["theirs_value"]),
        server_rev=row["server_rev"],
        created_at=row["created_at"],
        resolved_at=row["resolved_at"],
        resolution=row["resolution"],
    )


def add_conflict(
    conn: Connection,
    *,
    entity: str,
    record_id: str,
    op_id: str | None,
    kind: ConflictKind,
    field: str | None,
    base: Any,
    mine: Any,
    theirs: Any,
    server_rev: int | None,
    now: str,
) -> int:
    """Put one decision in front of the user; returns the conflict's id."""
    result = conn.execute(
        insert(schema.conflict).values(
            entity=entity,
            record_id=record_id,
            op_id=op_id,
            kind=kind.value,
            field=field,
            base_value=_dumps(base),
            mine_value=_dumps(mine),
            theirs_value=_dumps(theirs),
            server_rev=server_rev,
            created_at=now,
        )
    )
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def open_conflicts(conn: Connection) -> list[StoredConflict]:
    """Conflicts waiting for the user, oldest first."""
    table = schema.conflict
    rows = conn.execute(
        select(table).where(table.c.resolved_at.is_(None)).order_by(table.c.id)
    ).mappings()
    return [_conflict(row) for row in rows]


def open_conflicts_of_op(conn: Connection, op_id: str) -> list[StoredConflict]:
    table = schema.conflict
    rows = conn.execute(
        select(table)
        .where(table.c.resolved_at.is_(None), table.c.op_id == op_id)
        .order_by(table.c.id)
    ).mappings()
    return [_conflict(row) for row in rows]


def conflict_by_id(conn: Connection, conflict_id: int) -> StoredConflict | None:
    table = schema.conflict
    row = conn.execute(select(table).where(table.c.id == conflict_id)).mappings().first()
    return None if row is None else _conflict(row)


def close_conflict(conn: Connection, conflict_id: int, resolution: str, now: str) -> None:
    table = schema.conflict
    conn.execute(
        update(table)
        .where(table.c.id == conflict_id)
        .values(resolved_at=now, resolution=resolution)
    )


def count_open_conflicts(conn: Connection) -> int:
    table = schema.conflict
    count = conn.execute(
        select(func.count()).select_from(table).where(table.c.resolved_at.is_(None))
    ).scalar_one()
    return int(count)


# --- journal -------------------------------------------------------------------------------------


def journal(
    conn: Connection,
    *,
    ts: str,
    kind: str,
    message: str,
    entity: str | None = None,
    record_id: str | None = None,
    op_id: str | None = None,
    detail: Mapping[str, Any] | None = None,
) -> None:
    """Note what sync decided on its own. ``message`` is fixed text; values go in ``detail``,
    which stays inside the encrypted cache."""
    conn.execute(
        insert(schema.sync_journal).values(
            ts=ts,
            kind=kind,
            entity=entity,
            record_id=record_id,
            op_id=op_id,
            message=message,
            detail=None if detail is None else _dumps(dict(detail)),
        )
    )


def journal_entries(conn: Connection, kind: str | None = None) -> list[dict[str, Any]]:
    """Journal entries (optionally of one kind), oldest first, ``detail`` decoded."""
    table = schema.sync_journal
    query = select(table).order_by(table.c.id)
    if kind is not None:
        query = query.where(table.c.kind == kind)
    return [
        {**dict(row), "detail": _loads(row["detail"])} for row in conn.execute(query).mappings()
    ]


# --- records -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CachedRecord:
    """A cached record: the visible values and, while it has local changes, the server copy."""

    entity: str
    id: str
    rev: int
    visible: Mapping[str, Any]
    """The row in its wire form, local changes included."""
    base: Mapping[str, Any] | None
    """The server copy of the editable fields, or ``None`` when the row is the server copy."""

    @property
    def server_copy(self) -> dict[str, Any]:
        """The record as the server last sent it (as far as the cache knows)."""
        return {**self.visible, **(self.base or _EMPTY)}


def load_record(conn: Connection, entity: str, record_id: str) -> CachedRecord | None:
    table = schema.ENTITY_TABLES[entity]
    row = conn.execute(select(table).where(table.c.id == record_id)).mappings().first()
    if row is None:
        return None
    base = row.get("base")
    return CachedRecord(
        entity=entity,
        id=record_id,
        rev=int(row["rev"]),
        visible=MappingProxyType({str(k): v for k, v in decode_row(table, row).items()}),
        base=MappingProxyType(orjson.loads(base)) if base else None,
    )


def record_revs(conn: Connection, entity: str, record_ids: Sequence[str]) -> dict[str, int]:
    """The cached rev of each of ``record_ids`` that is in the cache."""
    table = schema.ENTITY_TABLES[entity]
    template = f'SELECT id, rev FROM "{table.name}" WHERE id IN ({{}})'
    revs: dict[str, int] = {}
    for chunk in _chunks(record_ids):
        rows = conn.exec_driver_sql(_in_list(template, len(chunk)), tuple(chunk))
        revs.update((str(record_id), int(rev)) for record_id, rev in rows)
    return revs


def delete_record(conn: Connection, entity: str, record_id: str) -> bool:
    """Remove a record from the cache; ``True`` if there was one."""
    table = schema.ENTITY_TABLES[entity]
    owner = _owner(conn, entity, record_id)
    result = conn.execute(delete(table).where(table.c.id == record_id))
    _refresh_search(conn, entity, owner)
    return bool(result.rowcount)


def insert_local_record(
    conn: Connection, entity: str, record_id: str, values: Mapping[str, Any]
) -> None:
    """Write a record the server does not have yet (``rev`` 0, no base)."""
    table = schema.ENTITY_TABLES[entity]
    columns = {c.name for c in table.columns} - {"id", "rev", "base"}
    row = {name: encode_value(table, name, v) for name, v in values.items() if name in columns}
    row.update(derived_columns(entity, values))
    conn.execute(insert(table).values(id=record_id, rev=0, base=None, **row))
    _refresh_search(conn, entity, values.get("customer_id"))


def refresh_visible(conn: Connection, entity: str, record_id: str) -> None:
    """Lay the record's remaining local changes over its server copy again.

    After the outbox changed without a server answer (a discarded rejection, a decided conflict),
    the row must show the server copy plus whatever is still pending, in ``seq`` order, and keep
    its ``base`` exactly while something is.
    """
    record = load_record(conn, entity, record_id)
    if record is None or record.rev == 0:
        return  # gone, or a local create: no server copy to lay anything over
    pending: dict[str, Any] = {}
    for op in ops_of_record(conn, entity, record_id):
        if op.op is not OpKind.DELETE:
            pending.update(op.fields)
    server = record.server_copy
    editable = merge_fields(entity)
    values = {name: pending.get(name, server.get(name)) for name in editable if name in server}
    table = schema.ENTITY_TABLES[entity]
    row = {name: encode_value(table, name, value) for name, value in values.items()}
    row.update(derived_columns(entity, values))
    base = {name: server.get(name) for name in sorted(editable) if name in server}
    row["base"] = _dumps(base) if pending else None
    conn.execute(update(table).where(table.c.id == record_id).values(**row))
    _refresh_search(conn, entity, server.get("customer_id"))


def _owner(conn: Connection, entity: str, record_id: str) -> Any:
    if entity not in SEARCHED_ENTITIES:
        return None
    table = schema.ENTITY_TABLES[entity]
    return conn.execute(select(table.c.customer_id).where(table.c.id == record_id)).scalar()


def _refresh_search(conn: Connection, entity: str, customer_id: Any) -> None:
    if entity in SEARCHED_ENTITIES and isinstance(customer_id, str):
        from rm_desk.local_store.search import refresh_search

        refresh_search(conn, [customer_id])


def _chunks(items: Sequence[_T], size: int = 500) -> Iterable[Sequence[_T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
