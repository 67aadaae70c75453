"""The bulk path: applying a page of the server's change feed to the cache.

Sync calls :func:`apply_page` once per feed page; the page's records and its cursor commit in one
transaction, so a crash leaves either the whole page and its cursor or neither. Records go in by
the DB-API ``executemany`` of one prepared ``INSERT … ON CONFLICT DO UPDATE`` per entity — no ORM
objects, no per-row round trips through SQLAlchemy's parameter processing.

Per page, in order (1 and 2 by :func:`prepare_changes`, which needs no database):

1. Collapse the page to the last change per record (the feed is in ``rev`` order).
2. Check each record's shape against its table (types, required fields). A record that fails is
   *quarantined*: left out, with a journal entry naming entity and id only; the rest of the page is
   applied. One bad record never stalls sync.
3. Upsert. A record with local changes the server has not acknowledged is *rebased*: its ``base``
   becomes the server copy just received and the visible row is that copy with the pending fields
   laid over it, so the user keeps seeing their edit. A record deleted locally stays deleted.
4. Delete. ``reason = "out_of_scope"`` on a customer purges the customer and all its children (the
   records left the user's book); other deletes remove the one record.
5. Refresh the search index of every customer the page touched.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy import Connection, Integer, Table, delete, insert, select
from sqlalchemy.sql import bindparam

from rm_desk.domain.entities import ENTITY_TYPES, masked_field_checks
from rm_desk.domain.enums import Entity, OpKind, OpState
from rm_desk.domain.fields import READ_ONLY_ENTITIES
from rm_desk.local_store import schema
from rm_desk.local_store.engine import Store
from rm_desk.local_store.rows import (
    DERIVED_COLUMNS,
    JSON_COLUMNS,
    boolean_columns,
    merge_fields,
    wire_columns,
)
from rm_desk.local_store.sync_state import set_state

PENDING_STATES = tuple(
    s.value
    for s in (OpState.QUEUED, OpState.SENDING, OpState.CONFLICT, OpState.REJECTED, OpState.HELD)
)
SEARCH_SOURCES = frozenset({"customer", "account", "customer_tag"})


@dataclass(frozen=True, slots=True)
class QuarantinedRecord:
    entity: str
    record_id: str
    reason: str  # which field failed and how; never the value


@dataclass(frozen=True, slots=True)
class IngestResult:
    """What one page did to the cache."""

    upserted: int = 0
    deleted: int = 0
    purged: int = 0
    rebased: int = 0
    quarantined: tuple[QuarantinedRecord, ...] = field(default_factory=tuple)


@dataclass(frozen=True, slots=True)
class _EntitySpec:
    table: Table
    columns: tuple[str, ...]  # wire columns after id and rev
    editable: frozenset[str]
    upsert_sql: str
    upsert_rebased_sql: str

    build: Callable[[str, int, Mapping[str, Any]], tuple[Any, ...] | str]
    """The row to upsert, or why the record cannot be stored (the field, never its value)."""


def _compile_builder(
    entity: str,
    columns: tuple[str, ...],
    kinds: Mapping[str, str],
    required: frozenset[str],
    masked: Mapping[str, Callable[[str], bool]],
) -> Callable[[str, int, Mapping[str, Any]], tuple[Any, ...] | str]:
    """Generate the straight-line check-and-convert function of one entity.

    A generic loop over columns costs a few microseconds per record in the interpreter, which a
    million-record initial sync multiplies into a minute; generated code reads each field once and
    checks it inline. It checks, per column in table order: presence of required fields, the JSON
    type (text, integer, boolean, list or object), and that C2 fields arrive masked. Unknown keys
    are ignored (a newer server may send more).
    """
    checks = {
        "text": ("type(v) is not str", "expected text"),
        "int": ("type(v) is not int", "expected an integer"),
        "bool": ("type(v) is not bool", "expected true or false"),
        "json": ("type(v) is not list and type(v) is not dict", "expected a list or an object"),
    }
    namespace: dict[str, Any] = {"dumps": orjson.dumps}
    lines = ["def build(record_id, rev, data):", "    get = data.get"]
    names = []
    for index, column in enumerate(columns):
        local = f"f{index}"
        names.append(local)
        condition, message = checks[kinds[column]]
        lines.append(f"    v = {local} = get({column!r})")
        if column in required:
            lines.append(f"    if v is None: return {column + ': missing'!r}")
            lines.append(f"    if {condition}: return {column + ': ' + message!r}")
        else:
            lines.append(
                f"    if v is not None and {condition}: return {column + ': ' + message!r}"
            )
        if column in masked:
            namespace[f"m{index}"] = _accepted_values(masked[column])
            lines.append(
                f"    if v is not None and not m{index}(v): return {column + ': not masked'!r}"
            )
        if kinds[column] == "json":
            lines.append(f"    if v is not None: {local} = dumps(v).decode()")
    derived = ""
    if entity == "visit":
        # the main customer, for the index: the first of customer_ids
        lines.append("    ids = get('customer_ids')")
        derived = ", ids[0] if type(ids) is list and ids else None"
    elif entity == "customer":
        derived = ", None"  # name_pinyin, recomputed by refresh_search for every touched customer
    lines.append(f"    return (record_id, rev, {', '.join(names)}{derived})")
    exec("\n".join(lines), namespace)  # generated from the table's own column names only
    builder: Callable[[str, int, Mapping[str, Any]], tuple[Any, ...] | str] = namespace["build"]
    return builder


_MAX_ACCEPTED_VALUES = 8192


def _accepted_values(check: Callable[[str], bool]) -> Callable[[str], bool]:
    """``check``, remembering the values it accepted (only those: an unmasked value is C2 data).

    Masked values repeat across a feed — a counterparty's masked name in thousands of
    transactions, a branch's address summary in every customer — and a masking check runs
    regular expressions over the text. The memory is cleared when full.
    """
    accepted: set[str] = set()

    def cached(value: str) -> bool:
        if value in accepted:
            return True
        if not check(value):
            return False
        if len(accepted) >= _MAX_ACCEPTED_VALUES:
            accepted.clear()
        accepted.add(value)
        return True

    return cached


def _derived_names(table: Table) -> tuple[str, ...]:
    # Generated columns (aum_num, tier_order) are SQLite's; name_pinyin is filled by the search
    # refresh.
    generated = {c.name for c in table.columns if c.computed is not None}
    return tuple(n for n in sorted(DERIVED_COLUMNS.get(table.name, ())) if n not in generated)


def _build_spec(table: Table) -> _EntitySpec:
    columns = tuple(c for c in wire_columns(table) if c not in ("id", "rev"))
    json_columns = JSON_COLUMNS.get(table.name, frozenset())
    bool_columns = boolean_columns(table)
    int_columns = frozenset(
        c.name for c in table.columns if isinstance(c.type, Integer) and c.name in columns
    )
    text_columns = frozenset(columns) - json_columns - bool_columns - int_columns
    required = frozenset(
        c.name
        for c in table.columns
        if not c.nullable and c.name in columns and c.server_default is None
    )
    editable = table.name not in READ_ONLY_ENTITIES
    all_columns = ("id", "rev", *columns, *_derived_names(table))
    quoted = ", ".join(f'"{c}"' for c in all_columns)
    marks = ", ".join("?" for _ in all_columns)
    updates = ", ".join(f'"{c}" = excluded."{c}"' for c in all_columns[1:])
    base_update = ', "base" = NULL' if editable else ""
    upsert = (
        f'INSERT INTO "{table.name}" ({quoted}) VALUES ({marks}) '
        f'ON CONFLICT ("id") DO UPDATE SET {updates}{base_update}'
    )
    rebased = (
        f'INSERT INTO "{table.name}" ({quoted}, "base") VALUES ({marks}, ?) '
        f'ON CONFLICT ("id") DO UPDATE SET {updates}, "base" = excluded."base"'
    )
    kinds = {
        **{c: "text" for c in text_columns},
        **{c: "int" for c in int_columns},
        **{c: "bool" for c in bool_columns},
        **{c: "json" for c in json_columns},
    }
    masked = masked_field_checks(ENTITY_TYPES[Entity(table.name)])
    return _EntitySpec(
        table=table,
        columns=columns,
        editable=merge_fields(table.name) if editable else frozenset(),
        upsert_sql=upsert,
        upsert_rebased_sql=rebased,
        build=_compile_builder(table.name, columns, kinds, required, masked),
    )


_SPECS: dict[str, _EntitySpec] = {name: _build_spec(t) for name, t in schema.ENTITY_TABLES.items()}


@dataclass(frozen=True, slots=True)
class PreparedChanges:
    """A page's changes checked and turned into rows, before any database is involved.

    Made by :func:`prepare_changes`, which is pure: sync makes it on the thread that fetched the
    page, while the thread applying pages writes the page before (SQLite's work releases the
    interpreter lock, so the two overlap on two cores). Steps 1 and 2 of the module docstring.
    """

    upserts: Mapping[str, Sequence[tuple[str, int, Mapping[str, Any], tuple[Any, ...]]]]
    """entity → (id, rev, the server's data, the row to upsert), in feed order"""
    deletes: Mapping[str, Sequence[str]]
    scope_exits: Sequence[str]
    quarantined: Sequence[QuarantinedRecord]


def prepare_changes(changes: Sequence[Mapping[str, Any]]) -> PreparedChanges:
    """Collapse, check and convert feed changes (steps 1 and 2 of the module docstring)."""
    latest: dict[tuple[str, str], Mapping[str, Any]] = {}
    quarantined: list[QuarantinedRecord] = []
    for change in changes:
        entity, record_id = change.get("entity"), change.get("id")
        if not isinstance(entity, str) or not isinstance(record_id, str):
            quarantined.append(QuarantinedRecord(str(entity), str(record_id), "entity or id"))
            continue
        latest[(entity, record_id)] = change

    upserts: dict[str, list[tuple[str, int, Mapping[str, Any], tuple[Any, ...]]]] = {}
    deletes: dict[str, list[str]] = {}
    scope_exits: list[str] = []
    for (entity, record_id), change in latest.items():
        spec = _SPECS.get(entity)
        if spec is None:
            quarantined.append(QuarantinedRecord(entity, record_id, "unknown entity"))
            continue
        op, rev = change.get("op"), change.get("rev")
        if type(rev) is not int:
            quarantined.append(QuarantinedRecord(entity, record_id, "rev: expected an integer"))
        elif op == "upsert":
            data = change.get("data")
            row = (
                spec.build(record_id, rev, data)
                if isinstance(data, dict)
                else "data: not an object"
            )
            if isinstance(row, str):
                quarantined.append(QuarantinedRecord(entity, record_id, row))
            else:
                assert isinstance(data, dict)
                upserts.setdefault(entity, []).append((record_id, rev, data, row))
        elif op == "delete":
            if entity == "customer" and change.get("reason") == "out_of_scope":
                scope_exits.append(record_id)
            else:
                deletes.setdefault(entity, []).append(record_id)
        else:
            quarantined.append(QuarantinedRecord(entity, record_id, "op: unknown"))
    return PreparedChanges(upserts, deletes, scope_exits, quarantined)


def apply_page(
    store: Store,
    changes: Sequence[Mapping[str, Any]] | PreparedChanges,
    cursor: str | None,
    *,
    server_time: str | None = None,
) -> IngestResult:
    """Apply one feed page (its changes, or what :func:`prepare_changes` made of them) and store
    its cursor, in one transaction."""
    with store.write() as conn:
        result = apply_changes(conn, changes, now=store.clock().isoformat())
        if cursor is not None:
            set_state(conn, "cursor", cursor)
        if server_time is not None:
            set_state(conn, "last_server_time", server_time)
    return result


def apply_changes(
    conn: Connection,
    changes: Sequence[Mapping[str, Any]] | PreparedChanges,
    *,
    now: str,
) -> IngestResult:
    """Apply feed changes inside the caller's transaction. See the module docstring."""
    prepared = changes if isinstance(changes, PreparedChanges) else prepare_changes(changes)
    upserts, deletes = prepared.upserts, prepared.deletes
    scope_exits, quarantined = prepared.scope_exits, prepared.quarantined

    touched: set[str] = set()
    rebased = 0
    upserted = 0
    pending = _pending_fields(
        conn, {entity: records for entity, records in upserts.items() if _SPECS[entity].editable}
    )
    for entity, records in upserts.items():
        spec = _SPECS[entity]
        local_of = pending.get(entity)
        rebased_rows: list[tuple[Any, ...]] = []
        if local_of is None:  # the usual case: nothing of this entity waits to be pushed
            plain = [record[3] for record in records]
        else:
            plain = []
            for record_id, rev, data, row in records:
                local = local_of.get(record_id)
                if local is None:
                    plain.append(row)
                    continue
                if local is _DELETED:
                    continue  # deleted here, not yet on the server: the push settles it
                base = {name: data.get(name) for name in sorted(spec.editable) if name in data}
                visible = spec.build(record_id, rev, {**data, **local})
                if isinstance(visible, str):  # a pending value the server's rules now refuse
                    visible = row
                rebased_rows.append((*visible, orjson.dumps(base).decode()))
        if plain:
            conn.exec_driver_sql(spec.upsert_sql, plain)
        if rebased_rows:
            conn.exec_driver_sql(spec.upsert_rebased_sql, rebased_rows)
        upserted += len(plain) + len(rebased_rows)
        rebased += len(rebased_rows)
        if entity in SEARCH_SOURCES:
            touched.update(_customer_ids_of(entity, records))

    deleted = 0
    for entity, ids in deletes.items():
        table = schema.ENTITY_TABLES[entity]
        if entity == "customer":
            touched.update(ids)
        elif entity in SEARCH_SOURCES:
            touched.update(_owners(conn, table, ids))
        deleted += _delete_ids(conn, table, ids)

    purged = _purge_customers(conn, scope_exits, now) if scope_exits else 0
    touched.update(scope_exits)

    for record in quarantined:
        conn.execute(
            insert(schema.sync_journal).values(
                ts=now,
                kind="quarantine",
                entity=record.entity,
                record_id=record.record_id,
                message="A record from the server was set aside because it failed validation.",
                detail=orjson.dumps({"reason": record.reason}).decode(),
            )
        )

    if touched:
        from rm_desk.local_store.search import refresh_search

        refresh_search(conn, touched)
    return IngestResult(
        upserted=upserted,
        deleted=deleted,
        purged=purged,
        rebased=rebased,
        quarantined=tuple(quarantined),
    )


_DELETED: dict[str, Any] = {}
_FEW_RECORDS = 400  # up to this many, a page's pending ops are looked up by record id
_PENDING_SQL = (
    "SELECT entity, record_id, op, fields FROM outbox WHERE state IN ({states}){few} ORDER BY seq"
)


def _pending_fields(
    conn: Connection, records: Mapping[str, Sequence[tuple[str, int, Any, Any]]]
) -> dict[str, dict[str, dict[str, Any]]]:
    """Fields of unacknowledged local ops per entity and record (``_DELETED`` for a pending
    delete), for the records of ``records`` (entity → its upserts, record id first).

    One query for the whole page, written out rather than built with SQLAlchemy: a page of an
    initial sync has nothing pending, and building a select per entity per page cost more than
    the query.
    """
    count = sum(len(batch) for batch in records.values())
    if not count:
        return {}
    params: list[str] = list(PENDING_STATES)
    few = ""
    if count <= _FEW_RECORDS:
        # A push settles a batch's answers (up to 200) together, while the rest of a long outbox
        # waits: reading every pending op for each batch made draining it quadratic. Entity and
        # id together go down ix_outbox_record.
        terms = []
        for entity, batch in records.items():
            ids = {record[0] for record in batch}
            terms.append(f"(entity = ? AND record_id IN ({', '.join('?' for _ in ids)}))")
            params += (entity, *ids)
        few = f" AND ({' OR '.join(terms)})"
    sql = _PENDING_SQL.format(states=", ".join("?" for _ in PENDING_STATES), few=few)
    rows = conn.exec_driver_sql(sql, tuple(params)).all()
    if not rows:
        return {}
    wanted: dict[str, set[str]] = {}
    pending: dict[str, dict[str, dict[str, Any]]] = {}
    for entity, record_id, op, fields in rows:
        if entity not in records:
            continue
        ids_of = wanted.get(entity)
        if ids_of is None:
            ids_of = wanted[entity] = {record[0] for record in records[entity]}
        if record_id not in ids_of:
            continue
        of_entity = pending.setdefault(entity, {})
        if op == OpKind.DELETE.value:
            of_entity[record_id] = _DELETED
        elif of_entity.get(record_id) is not _DELETED:
            of_entity.setdefault(record_id, {}).update(orjson.loads(fields))
    return pending


def _customer_ids_of(
    entity: str, records: Iterable[tuple[str, int, Mapping[str, Any], tuple[Any, ...]]]
) -> set[str]:
    if entity == "customer":
        return {record[0] for record in records}
    return {str(record[2]["customer_id"]) for record in records if record[2].get("customer_id")}


def _owners(conn: Connection, table: Table, ids: Sequence[str]) -> set[str]:
    owners: set[str] = set()
    for chunk in _chunks(ids):
        owners.update(
            conn.execute(select(table.c.customer_id).where(table.c.id.in_(chunk))).scalars()
        )
    return owners


def _delete_ids(conn: Connection, table: Table, ids: Sequence[str]) -> int:
    stmt = delete(table).where(table.c.id == bindparam("record_id"))
    result = conn.execute(stmt, [{"record_id": i} for i in ids])
    return int(result.rowcount or 0)


def _purge_customers(conn: Connection, customer_ids: Sequence[str], now: str) -> int:
    """Remove customers that left the user's book, with every child record, and journal it."""
    purged = 0
    for chunk in _chunks(customer_ids):
        for child in schema.CUSTOMER_CHILDREN:
            conn.execute(delete(child).where(child.c.customer_id.in_(chunk)))
        rel = schema.relationship
        conn.execute(delete(rel).where(rel.c.from_customer_id.in_(chunk)))
        result = conn.execute(delete(schema.customer).where(schema.customer.c.id.in_(chunk)))
        purged += int(result.rowcount or 0)
    conn.execute(
        insert(schema.sync_journal),
        [
            {
                "ts": now,
                "kind": "purge",
                "entity": "customer",
                "record_id": customer_id,
                "message": "A customer left your book; the cached copy was removed.",
                "detail": None,
            }
            for customer_id in customer_ids
        ],
    )
    return purged


def _chunks(items: Sequence[str], size: int = 500) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
