"""The one write path for a user's edits: the record and its outbox row, in one transaction.

:func:`record_edit` is how every change an RM makes enters the cache. Inside one ``BEGIN IMMEDIATE``
transaction it:

1. checks the entity and the fields against what the app may write (:mod:`rm_desk.domain.fields`);
2. on the first local change of a server record, snapshots the server copy of its editable fields
   into ``base`` (the "base" of the three-way merge);
3. writes the visible row;
4. appends the outbox row, or coalesces with the record's op that has not been sent yet.

Either all of it commits or none of it does: a crash between the row and its outbox entry cannot
leave an edit that never reaches the bank, nor an op with no record. :func:`record_edits` does the
same for several edits at once (a visit and its follow-up task): all of them commit, or none.

A customer's soft profile is written whole, so an edit of one key carries every other key as the
row shows it — and a key waiting in the conflict inbox shows the user's value, which the bank must
not get before the user decides. While keys wait, only the keys an edit changes are the user's;
every other key goes out with the value it follows (the bank's, or the user's in a pending op), as
if untouched (:func:`_hold_back_undecided`). The ops holding the waiting values carry the whole
profile (ops are laid over the server copy whole field by whole field), rebuilt from the waiting
keys and the bank's copy whenever either changes (:func:`rebase_held_profiles`).

An update op keeps, in its ``snapshot``, the values its fields had just before the edit (what the
user saw and changed): the base of *this* op in the three-way merge, which stays right even when a
pull rebases the record's ``base`` on a newer server copy before the op is sent. A delete op keeps
the whole record there, to restore it. Where the value shown comes from an op that will not reach
the bank before this one (kept for the conflict inbox, or refused), the op takes that op's base and
no newer ``base_rev`` instead (:func:`_base_behind_unsent`; docs/sync.md).

Coalescing (only with an op still ``queued``; an op that is ``sending`` may already be on the server
under its ``op_id`` and is never changed):

====================  ==================  =========================================================
queued op             new edit            result
====================  ==================  =========================================================
create                update              the create carries the new field values
create                delete              both vanish: the server never heard of the record
update                update              one update with the union of fields, newest values
update                delete              the update becomes the delete
====================  ==================  =========================================================
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import orjson
from sqlalchemy import Connection, Table, delete, insert, select, update

from rm_desk.domain.enums import Entity, OpKind, OpState
from rm_desk.domain.fields import (
    CREATABLE_ENTITIES,
    DELETABLE_ENTITIES,
    FIXED_ON_CREATE,
    READ_ONLY_ENTITIES,
    RecordRole,
    editable_fields,
)
from rm_desk.errors import WriteRejected
from rm_desk.local_store import schema
from rm_desk.local_store.engine import Store
from rm_desk.local_store.rows import decode_row, encode_value, merge_fields
from rm_desk.local_store.search import refresh_search

SEARCHED_ENTITIES = frozenset({"customer_tag"})  # editable entities the search index reads

_UNSENT = OpState.QUEUED.value
_SOFT_PROFILE = "soft_profile"
_ABSENT: Any = object()


@dataclass(frozen=True, slots=True)
class EditResult:
    """What :func:`record_edit` did."""

    op_id: str | None  # None when the edit cancelled an unsent create
    coalesced: bool


def new_record_id() -> str:
    """A client-generated id for a record created offline (API.md: no remapping after create)."""
    return str(uuid.uuid4())


@dataclass(frozen=True, slots=True)
class Edit:
    """One user edit for :func:`record_edits`; the arguments of :func:`record_edit`, as a value."""

    entity: str
    record_id: str
    op: OpKind
    fields: Mapping[str, Any] | None = None
    role: RecordRole | None = None
    stamped: Mapping[str, Any] | None = None


def record_edit(
    store: Store,
    entity: str,
    record_id: str,
    op: OpKind,
    fields: Mapping[str, Any] | None = None,
    *,
    role: RecordRole | None = None,
    stamped: Mapping[str, Any] | None = None,
) -> EditResult:
    """Write one user edit and its outbox op atomically.

    Args:
        store: the open cache.
        entity: the entity name (``"visit"``, ``"task"``, …).
        record_id: the record's id; for a create, a new UUID from :func:`new_record_id`.
        op: create, update or delete.
        fields: the changed fields in their wire form (money as decimal strings, timestamps as
            RFC 3339 text, lists and objects as Python values).
        role: the user's part in the record; only tasks need it (assignee or assigner edit
            different fields). Creates are always ``CREATOR``; other updates ``EDITOR``.
        stamped: for a create, values the server stamps itself (``rm_id``, ``owner_id``,
            ``assigner_id``, ``created_at``): written to the cached row so it displays fully until
            the server's copy replaces it, and never sent.

    Raises:
        WriteRejected: the entity is read-only, a field may not be edited, or the record is not in
            the cache. Nothing was written.
    """
    edit = Edit(entity, record_id, op, fields, role, stamped)
    (result,) = record_edits(store, [edit])
    return result


def record_edits(store: Store, edits: Sequence[Edit]) -> list[EditResult]:
    """Write several user edits and their outbox ops in one transaction: all of them or none.

    Each edit is checked and applied exactly as :func:`record_edit` does, in the order given, so a
    later edit sees (and may coalesce with) an earlier one of the same record. A form that saves a
    visit together with its follow-up task uses this, so a crash or a refused field never leaves
    one without the other.

    Returns:
        One :class:`EditResult` per edit, in the same order.

    Raises:
        WriteRejected: any of the edits was refused. Nothing at all was written.
    """
    prepared = []
    for edit in edits:
        changes = dict(edit.fields or {})
        table = _editable_table(edit.entity, edit.op)
        if edit.op is not OpKind.DELETE:
            _check_fields(Entity(edit.entity), changes, edit.op, edit.role)
        prepared.append((edit, table, changes))
    now = store.clock().isoformat()
    with store.write() as conn:
        return [_write_one(conn, edit, table, changes, now) for edit, table, changes in prepared]


def _write_one(
    conn: Connection, edit: Edit, table: Table, changes: dict[str, Any], now: str
) -> EditResult:
    entity, record_id, op = edit.entity, edit.record_id, edit.op
    if op is OpKind.CREATE:
        result = _create(conn, table, entity, record_id, changes, dict(edit.stamped or {}), now)
        owner = changes.get("customer_id")
    else:
        current = conn.execute(select(table).where(table.c.id == record_id)).mappings().first()
        if current is None:
            raise WriteRejected(
                "This record is no longer in your book, so the change could not be saved."
            )
        row = dict(current)
        owner = row.get("customer_id")
        if op is OpKind.UPDATE:
            result = _update(conn, table, entity, row, changes, now)
        else:
            result = _delete(conn, table, entity, row, now)
    if entity in SEARCHED_ENTITIES and isinstance(owner, str):
        refresh_search(conn, [owner])  # a tag the RM adds is found by Ctrl+K at once
    return result


def _editable_table(entity: str, op: OpKind) -> Table:
    table = schema.ENTITY_TABLES.get(entity)
    if table is None or entity in READ_ONLY_ENTITIES:
        raise WriteRejected("This kind of record is kept by the bank and cannot be changed here.")
    if op is OpKind.CREATE and entity not in CREATABLE_ENTITIES:
        raise WriteRejected("This kind of record cannot be created here.")
    if op is OpKind.DELETE and entity not in DELETABLE_ENTITIES:
        raise WriteRejected("This kind of record cannot be deleted here.")
    return table


def _check_fields(
    entity: Entity, changes: Mapping[str, Any], op: OpKind, role: RecordRole | None
) -> None:
    if op is OpKind.CREATE:
        allowed = editable_fields(entity, RecordRole.CREATOR)
        fixed = FIXED_ON_CREATE.get(entity, {})
        if any(name in changes and changes[name] != value for name, value in fixed.items()):
            raise WriteRejected("This record can only be added as your own proposal.")
    else:
        allowed = editable_fields(entity, role or RecordRole.EDITOR)
    if set(changes) - allowed:
        raise WriteRejected("Some of these fields are kept by the bank and cannot be changed here.")
    if op is OpKind.UPDATE and not changes:
        raise WriteRejected("There is nothing to save.")


def _create(
    conn: Connection,
    table: Table,
    entity: str,
    record_id: str,
    changes: dict[str, Any],
    stamped: dict[str, Any],
    now: str,
) -> EditResult:
    if conn.execute(select(table.c.id).where(table.c.id == record_id)).first() is not None:
        raise WriteRejected("A record with this id already exists.")
    if set(stamped) & set(changes) or not set(stamped) <= {c.name for c in table.columns}:
        raise WriteRejected("This record could not be saved.")
    changes = {**changes, **FIXED_ON_CREATE.get(Entity(entity), {})}
    row = {**stamped, **changes}
    values = {name: encode_value(table, name, value) for name, value in row.items()}
    values.update(derived_columns(entity, changes))
    conn.execute(insert(table).values(id=record_id, rev=0, **values))
    op_id = _append_op(conn, entity, record_id, OpKind.CREATE, None, changes, None, now)
    return EditResult(op_id=op_id, coalesced=False)


def _update(
    conn: Connection,
    table: Table,
    entity: str,
    row: dict[str, Any],
    changes: dict[str, Any],
    now: str,
) -> EditResult:
    record_id = row["id"]
    values = {name: encode_value(table, name, value) for name, value in changes.items()}
    values.update(derived_columns(entity, changes))
    visible = decode_row(table, row)
    if row.get("base") is None and row["rev"] > 0:
        # First local change since the last server copy: keep that copy as the merge base.
        base_fields = merge_fields(entity)
        values["base"] = orjson.dumps(
            {name: visible.get(name) for name in sorted(base_fields) if name in visible}
        ).decode()
    conn.execute(update(table).where(table.c.id == record_id).values(**values))
    before = {name: visible.get(name) for name in changes}
    undecided = _hold_back_undecided(conn, entity, row, changes, before)
    base_rev, before = _base_behind_unsent(conn, entity, record_id, row["rev"], undecided.before)
    if undecided.stale_rev is not None and undecided.stale_rev < base_rev:
        base_rev = undecided.stale_rev
    result = queue_update(conn, entity, record_id, base_rev, undecided.sent, before, now)
    _end_undecided_chains(conn, entity, record_id, changes, now)
    if undecided.held:
        rebase_held_profiles(conn, record_id, now, last=True, chosen=undecided.chosen)
    return result


@dataclass(frozen=True, slots=True)
class _HeldProfile:
    """A customer's soft profile as its ops in state ``conflict`` should show it."""

    holders: Sequence[Mapping[Any, Any]]
    """The outbox rows in state ``conflict`` that carry the profile, in ``seq`` order."""
    waiting: dict[str, dict[str, Any]]
    """Per holder ``op_id``: its keys waiting in the inbox and the user's value of each."""
    following: dict[str, Any]
    """The server copy's profile with the keys the user changed in the other pending ops."""
    shown: dict[str, Any]
    """``following`` with the waiting keys at the user's values: what the row shows."""
    row_profile: Any
    """The profile the row shows now."""


def _held_profile(
    conn: Connection, record_id: str, chosen: Mapping[str, Any] | None = None
) -> _HeldProfile | None:
    """How a customer's soft profile stands while keys of it wait in the conflict inbox, or
    ``None`` when no op in state ``conflict`` carries it.

    Such an op (the *holder*) keeps the user's values of the waiting keys visible; every other
    key follows the bank, as under any pending edit: the server copy, with the keys the user
    changed in pending ops (an op's profile against its snapshot) laid over it in outbox order.
    ``chosen`` gives waiting keys a newer value of the user's (an edit of the key made since).
    """
    ob = schema.outbox
    rows = (
        conn.execute(
            select(ob)
            .where(
                ob.c.entity == Entity.CUSTOMER.value,
                ob.c.record_id == record_id,
                ob.c.op == OpKind.UPDATE.value,
            )
            .order_by(ob.c.seq)
        )
        .mappings()
        .all()
    )
    holders = [
        r for r in rows if r["state"] == OpState.CONFLICT.value and _SOFT_PROFILE in _fields(r)
    ]
    if not holders:
        return None
    customers = schema.ENTITY_TABLES[Entity.CUSTOMER.value]
    record = conn.execute(select(customers).where(customers.c.id == record_id)).mappings().first()
    if record is None:
        return None
    row_profile = decode_row(customers, record).get(_SOFT_PROFILE)
    server: Any = row_profile
    if record["base"]:
        server = orjson.loads(record["base"]).get(_SOFT_PROFILE, row_profile)
    following = dict(server) if isinstance(server, Mapping) else {}
    for op in rows:
        if op["state"] == OpState.CONFLICT.value:
            continue
        profile = _fields(op).get(_SOFT_PROFILE)
        if not isinstance(profile, Mapping):
            continue
        snapshot = orjson.loads(op["snapshot"]) if op["snapshot"] else {}
        base = snapshot.get(_SOFT_PROFILE) if isinstance(snapshot, Mapping) else None
        if not isinstance(base, Mapping):
            base = {}
        for key in {*profile, *base}:
            value = profile.get(key, _ABSENT)
            if value != base.get(key, _ABSENT):
                _set_key(following, key, value)
    c = schema.conflict
    prefix = _SOFT_PROFILE + "."
    keys_of: dict[str, list[str]] = {}
    for op_id, field in conn.execute(
        select(c.c.op_id, c.c.field).where(
            c.c.entity == Entity.CUSTOMER.value,
            c.c.record_id == record_id,
            c.c.resolved_at.is_(None),
            c.c.field.startswith(prefix, autoescape=True),
        )
    ).tuples():
        if op_id is not None and field is not None:
            keys_of.setdefault(op_id, []).append(field.removeprefix(prefix))
    waiting: dict[str, dict[str, Any]] = {}
    shown = dict(following)
    for holder in holders:
        held = _fields(holder)[_SOFT_PROFILE]
        held = held if isinstance(held, Mapping) else {}
        own = waiting.setdefault(holder["op_id"], {})
        for key in keys_of.get(holder["op_id"], ()):
            value = held.get(key, _ABSENT)
            if chosen is not None and key in chosen:
                value = chosen[key]
            own[key] = value
            _set_key(shown, key, value)
    return _HeldProfile(holders, waiting, following, shown, row_profile)


def _fields(op: Mapping[Any, Any]) -> dict[str, Any]:
    fields: dict[str, Any] = orjson.loads(op["fields"])
    return fields


def _set_key(profile: dict[str, Any], key: str, value: Any) -> None:
    if value is _ABSENT:
        profile.pop(key, None)
    else:
        profile[key] = value


@dataclass(frozen=True, slots=True)
class _Undecided:
    """What :func:`_hold_back_undecided` made of an edit."""

    sent: dict[str, Any]
    before: dict[str, Any]
    held: bool = False
    """Whether ops in state ``conflict`` carry the customer's soft profile."""
    chosen: Mapping[str, Any] | None = None
    """Waiting keys the edit changed, with their new values."""
    stale_rev: int | None = None
    """A ``base_rev`` the op must not be newer than: the edit changed a key the row showed with
    a holder's old copy of the bank's value."""


def _hold_back_undecided(
    conn: Connection,
    entity: str,
    row: Mapping[str, Any],
    changes: dict[str, Any],
    before: dict[str, Any],
) -> _Undecided:
    """The soft profile an edit sends while keys of it wait in the conflict inbox.

    The profile is written whole, but only the keys the edit changes (against the profile
    shown) are the user's: every other key goes with the value it follows (the bank's, or the
    user's in a pending op), in the op and in its snapshot alike, so the op neither sends it as
    a change nor counts it as one. So a waiting key the edit leaves alone goes out with the
    bank's value (the undecided value must not reach the bank before the user decides), and a
    key the bank changed since the conflict, which the holder may still show with its older
    value, is not sent back over the bank's. A key the edit changes is the user's new choice and
    goes as it is, with the value the user saw as its base; when that was a holder's older copy,
    the op's ``base_rev`` is no newer than the holder's, so the bank reports its change.
    """
    profile = changes.get(_SOFT_PROFILE)
    if entity != Entity.CUSTOMER.value or not isinstance(profile, Mapping):
        return _Undecided(changes, before)
    held = _held_profile(conn, row["id"])
    if held is None:
        return _Undecided(changes, before)
    shown = before.get(_SOFT_PROFILE)
    shown = shown if isinstance(shown, Mapping) else {}
    waiting = {key for keys in held.waiting.values() for key in keys}
    sent, seen = dict(held.following), dict(held.following)
    chosen: dict[str, Any] = {}
    stale = False
    for key in {*profile, *shown}:
        new, old = profile.get(key, _ABSENT), shown.get(key, _ABSENT)
        if new == old:
            continue
        _set_key(sent, key, new)
        _set_key(seen, key, old)
        if key in waiting:
            chosen[key] = new
        elif old != held.following.get(key, _ABSENT):
            stale = True
    revs = [h["base_rev"] for h in held.holders if h["base_rev"] is not None]
    return _Undecided(
        {**changes, _SOFT_PROFILE: sent},
        {**before, _SOFT_PROFILE: seen},
        held=True,
        chosen=MappingProxyType(chosen),
        stale_rev=min(revs) if stale and revs else None,
    )


def rebase_held_profiles(
    conn: Connection,
    record_id: str,
    now: str,
    *,
    last: bool = False,
    chosen: Mapping[str, Any] | None = None,
) -> bool:
    """Lay a customer's soft profile in the ops that hold keys of it for the conflict inbox
    again: the waiting keys at the user's values, every other key following the bank.

    Ops are laid over the server copy whole field by whole field, so each holder carries the
    whole profile; rebuilt from what the user wrote per key (and not from the profile as it
    stood), it shows a bank change of another key that a pull or an answer brought, rather
    than keep the bank's values from when the conflict happened over it. Called after an edit
    of the profile, a decision in the inbox, and the push's answers and pulls.

    Args:
        last: move the holders after every other op of the record (after an edit: laid last,
            they keep the waiting values visible once the edit's op is settled).
        chosen: waiting keys with a newer value of the user's (an edit of the key).

    Returns:
        Whether anything changed.
    """
    held = _held_profile(conn, record_id, chosen)
    if held is None:
        return False
    ob = schema.outbox
    changed = False
    for holder in held.holders:
        fields = _fields(holder)
        if fields[_SOFT_PROFILE] == held.shown and not last:
            continue
        fields[_SOFT_PROFILE] = held.shown
        body = orjson.dumps(fields).decode()
        changed = True
        if last:
            moved = {name: value for name, value in holder.items() if name != "seq"}
            moved.update(fields=body, updated_at=now)
            conn.execute(delete(ob).where(ob.c.seq == holder["seq"]))
            conn.execute(insert(ob).values(**moved))
        else:
            conn.execute(update(ob).where(ob.c.seq == holder["seq"]).values(fields=body))
    if held.row_profile != held.shown:
        customers = schema.ENTITY_TABLES[Entity.CUSTOMER.value]
        value = encode_value(customers, _SOFT_PROFILE, held.shown)
        conn.execute(
            update(customers).where(customers.c.id == record_id).values(soft_profile=value)
        )
        changed = True
    return changed


_NOT_GOING = (OpState.CONFLICT.value, OpState.REJECTED.value)


def _base_behind_unsent(
    conn: Connection,
    entity: str,
    record_id: str,
    rev: int,
    before: dict[str, Any],
) -> tuple[int, dict[str, Any]]:
    """The base of an edit made over values of the user's that will not reach the bank first.

    The row shows the newest pending value of each field. When that comes from an op that is not
    on its way — kept in state ``conflict`` for the inbox, or refused — the bank never got it: the
    edit's base for the field is that op's base (what the bank had when the user first changed
    it), and its ``base_rev`` is no newer than that op's. Taken from the row instead, a bank
    change that came in while the user's value covered it on screen would not be reported, and
    the edit would overwrite a value the user never saw. A soft-profile key counts alone: only
    keys that op changed (and the edit still bases on its value) take its base.

    Returns:
        The ``base_rev`` and the ``before`` (the op's snapshot) to queue the edit with.
    """
    ob = schema.outbox
    ops = (
        conn.execute(
            select(ob.c.state, ob.c.base_rev, ob.c.fields, ob.c.snapshot, ob.c.op_id)
            .where(ob.c.entity == entity, ob.c.record_id == record_id, ob.c.op == "update")
            .order_by(ob.c.seq.desc())
        )
        .tuples()
        .all()
    )
    base_rev, before = rev, dict(before)
    for name in list(before):
        newest = next(
            (
                (state, op_rev, fields, orjson.loads(snapshot or "{}"), op_id)
                for state, op_rev, raw, snapshot, op_id in ops
                if name in (fields := orjson.loads(raw))
            ),
            None,
        )
        if newest is None or newest[0] not in _NOT_GOING or name not in newest[3]:
            continue
        state, op_rev, fields, snapshot, op_id = newest
        profile = name == _SOFT_PROFILE and entity == Entity.CUSTOMER.value
        if profile and state == OpState.CONFLICT.value:
            before[name], held_rev = _waiting_keys_behind(conn, before[name], ops)
            if held_rev is not None and held_rev < base_rev:
                base_rev = held_rev
            continue
        if state == OpState.CONFLICT.value:
            snapshot = _chain_base(conn, op_id, snapshot)
        if profile:
            inherited = _keys_behind(before[name], fields[name], snapshot[name])
            if inherited is None:
                continue
            before[name] = inherited
        else:
            before[name] = snapshot[name]
        if op_rev is not None and op_rev < base_rev:
            base_rev = op_rev
    return base_rev, before


REPLACED_BY_LATER_EDIT = "replaced_by_later_edit"
REPLACED_BY_LATER_EDIT_MESSAGE = (
    "A value waiting in the conflict inbox or refused by the bank was replaced by a later edit of"
    " the same field."
)


def _end_undecided_chains(
    conn: Connection, entity: str, record_id: str, changes: Mapping[str, Any], now: str
) -> None:
    """Take the fields an edit changes out of the updates that keep older values of the user's
    visible without sending them: kept for the conflict inbox (the conflicts stay there, to be
    decided) or refused by the bank (the refusal stays in the sync issues list for its other
    fields; with none left, the later value has replaced it).

    Such an op shows the user's value on screen, and an edit over it belongs to the same chain
    of edits the bank has not taken: its base is where the chain began (:func:`_chain_base`,
    :func:`_base_behind_unsent`). The edit is the user's later word on the field, and the chain
    ends with it: once its op is settled, the row shows what became of it (the bank's value,
    the value a rule chose, or a conflict of its own), never the older value again. Kept on
    screen, that value made the next edit take the chain's start for its base, though the
    user's later value had reached the bank since; when the bank then wrote the start value
    again, the merge took it for unchanged and sent the edit over it (model-bank soak seeds
    82355115943305619243141119731467059386, twice, and 20261123, over a refused amount). A soft
    profile is held per key instead (:func:`rebase_held_profiles`).
    """
    from rm_desk.local_store.outbox import journal  # outbox reads this module's columns

    names = {
        name for name in changes if not (name == _SOFT_PROFILE and entity == Entity.CUSTOMER.value)
    }
    if not names:
        return
    ob, c = schema.outbox, schema.conflict
    ops = conn.execute(
        select(ob.c.seq, ob.c.op_id, ob.c.state, ob.c.fields, ob.c.snapshot).where(
            ob.c.entity == entity,
            ob.c.record_id == record_id,
            ob.c.op == OpKind.UPDATE.value,
            ob.c.state.in_(_NOT_GOING),
        )
    ).tuples()
    for seq, op_id, state, raw, snapshot in ops.all():
        fields = orjson.loads(raw)
        ended = names & set(fields)
        if state == OpState.CONFLICT.value:
            ended &= {
                field
                for (field,) in conn.execute(
                    select(c.c.field).where(
                        c.c.op_id == op_id, c.c.resolved_at.is_(None), c.c.kind == "fields"
                    )
                ).tuples()
            }
        if not ended:
            continue
        journal(
            conn,
            ts=now,
            kind=REPLACED_BY_LATER_EDIT,
            message=REPLACED_BY_LATER_EDIT_MESSAGE,
            entity=entity,
            record_id=record_id,
            op_id=op_id,
            detail={"fields": {name: fields[name] for name in sorted(ended)}, "state": state},
        )
        if not set(fields) - ended:
            conn.execute(delete(ob).where(ob.c.seq == seq))
            continue
        kept = {name: value for name, value in fields.items() if name not in ended}
        base = orjson.loads(snapshot) if snapshot else {}
        base = {name: value for name, value in base.items() if name not in ended}
        conn.execute(
            update(ob)
            .where(ob.c.seq == seq)
            .values(fields=orjson.dumps(kept).decode(), snapshot=orjson.dumps(base).decode())
        )


def _waiting_keys_behind(
    conn: Connection, seen: Any, ops: Sequence[tuple[Any, ...]]
) -> tuple[Any, int | None]:
    """A soft profile's ``before`` while keys of it wait in the inbox, and the oldest
    ``base_rev`` of the holders the edit bases on.

    Every holder carries the whole profile (:func:`rebase_held_profiles`); only its waiting keys
    are the user's. A waiting key the edit bases on the holder's value of takes, while that is
    the user's undecided value (the conflict's "mine", which never reached the bank), the base
    the conflict shows: where the user's edits of it began. A newer value of the user's there (an
    edit of the key since, sent on its own) stays the base — it went to the bank, so the chain of
    undecided edits ended with it. Either way the op's ``base_rev`` is no newer than the
    holder's: the bank may have changed the key since, under the holder's value on screen.
    """
    if not isinstance(seen, Mapping):
        return seen, None
    out, oldest = dict(seen), None
    c = schema.conflict
    prefix = _SOFT_PROFILE + "."
    for state, op_rev, raw, snapshot, op_id in ops:
        held = orjson.loads(raw).get(_SOFT_PROFILE)
        if state != OpState.CONFLICT.value or not isinstance(held, Mapping):
            continue
        rows = conn.execute(
            select(c.c.field, c.c.base_value, c.c.mine_value).where(
                c.c.op_id == op_id,
                c.c.resolved_at.is_(None),
                c.c.field.startswith(prefix, autoescape=True),
            )
        ).tuples()
        for field, start, mine in rows:
            key = str(field).removeprefix(prefix)
            value = held.get(key, _ABSENT)
            if out.get(key, _ABSENT) != value:
                continue  # the edit does not base on the holder's value
            if op_rev is not None and (oldest is None or op_rev < oldest):
                oldest = op_rev
            undecided = orjson.loads(mine) if mine is not None else None
            if value != (undecided if undecided is not None or key in held else _ABSENT):
                continue
            began = orjson.loads(start) if start is not None else None
            if began is None and key not in _profile_of(snapshot):
                began = _ABSENT  # absent at the start: the inbox shows it as null
            _set_key(out, key, began)
    return out, oldest


def _profile_of(snapshot: str | None) -> Mapping[str, Any]:
    profile = orjson.loads(snapshot or "{}").get(_SOFT_PROFILE)
    return profile if isinstance(profile, Mapping) else {}


def _chain_base(conn: Connection, op_id: str, snapshot: dict[str, Any]) -> dict[str, Any]:
    """The base of the values an op keeps for the conflict inbox: for each value waiting there,
    the base the conflict shows (what the bank had when the user's edits of it began), not the
    bank's value the merge met, which the op's snapshot holds. A later edit still belongs to the
    same chain of undecided edits."""
    c = schema.conflict
    waiting = conn.execute(
        select(c.c.field, c.c.base_value).where(
            c.c.op_id == op_id, c.c.resolved_at.is_(None), c.c.kind == "fields"
        )
    ).tuples()
    base = dict(snapshot)
    prefix = _SOFT_PROFILE + "."
    for field, value in waiting:
        if field is None or value is None:
            continue
        start = orjson.loads(value)
        if field.startswith(prefix):
            profile = base.get(_SOFT_PROFILE)
            if not isinstance(profile, Mapping):
                continue
            profile, key = dict(profile), field.removeprefix(prefix)
            if start is None and key not in profile:
                continue  # absent at the start: the inbox shows it as null
            profile[key] = start
            base[_SOFT_PROFILE] = profile
        elif field in base:
            base[field] = start
    return base


def _keys_behind(seen: Any, held: Any, held_base: Any) -> dict[str, Any] | None:
    """``seen`` with each key an op changed (``held`` against ``held_base``) and the edit bases
    on that op's value put back at the op's base; ``None`` when no key is."""
    if not all(isinstance(v, Mapping) for v in (seen, held)) or not (
        held_base is None or isinstance(held_base, Mapping)
    ):
        return None
    base = held_base or {}
    out, found = dict(seen), False
    for key, value in held.items():
        if base.get(key, _ABSENT) == value or seen.get(key, _ABSENT) != value:
            continue
        found = True
        if key in base:
            out[key] = base[key]
        else:
            out.pop(key, None)
    return out if found else None


def queue_update(
    conn: Connection,
    entity: str,
    record_id: str,
    base_rev: int | None,
    changes: Mapping[str, Any],
    before: Mapping[str, Any],
    now: str,
) -> EditResult:
    """Queue an update of fields already written to the row, inside the caller's transaction.

    Folds it into the record's newest op while that is still queued (a create or an update: the
    create carries the new values; an update takes the union of fields, newest values, and keeps
    the earlier ``before`` of fields it already had); otherwise appends a new update op.

    Args:
        base_rev: the server revision the values were edited on (0 or ``None``: not on the server
            yet; sync fills it in when the create is applied).
        changes: the new values, wire form.
        before: the values of the same fields the user changed from (the op's merge base).
    """
    queued = _queued_op(conn, entity, record_id)
    if queued is not None and queued["op"] in (OpKind.CREATE.value, OpKind.UPDATE.value):
        merged = orjson.loads(queued["fields"])
        values: dict[str, Any] = {"updated_at": now}
        if queued["op"] == OpKind.UPDATE.value:
            kept = orjson.loads(queued["snapshot"]) if queued["snapshot"] else {}
            fresh = {name: value for name, value in before.items() if name not in merged}
            values["snapshot"] = orjson.dumps({**fresh, **kept}).decode()
            if base_rev and queued["base_rev"] and base_rev < queued["base_rev"]:
                values["base_rev"] = base_rev  # a field's base may be older (see _update)
        merged.update(changes)
        values["fields"] = orjson.dumps(merged).decode()
        conn.execute(
            update(schema.outbox).where(schema.outbox.c.seq == queued["seq"]).values(**values)
        )
        return EditResult(op_id=queued["op_id"], coalesced=True)
    snapshot = orjson.dumps(dict(before)).decode()
    op_id = _append_op(conn, entity, record_id, OpKind.UPDATE, base_rev, changes, snapshot, now)
    return EditResult(op_id=op_id, coalesced=False)


def _delete(
    conn: Connection,
    table: Table,
    entity: str,
    row: dict[str, Any],
    now: str,
) -> EditResult:
    record_id = row["id"]
    queued = _queued_op(conn, entity, record_id)
    conn.execute(delete(table).where(table.c.id == record_id))
    if queued is not None and queued["op"] == OpKind.CREATE.value:
        conn.execute(delete(schema.outbox).where(schema.outbox.c.seq == queued["seq"]))
        return EditResult(op_id=None, coalesced=True)
    # Column names are SQLAlchemy's str subclass, which orjson only takes as keys when told.
    snapshot = orjson.dumps(decode_row(table, row), option=orjson.OPT_NON_STR_KEYS).decode()
    if queued is not None and queued["op"] == OpKind.UPDATE.value:
        conn.execute(
            update(schema.outbox)
            .where(schema.outbox.c.seq == queued["seq"])
            .values(op=OpKind.DELETE.value, fields="{}", snapshot=snapshot, updated_at=now)
        )
        return EditResult(op_id=queued["op_id"], coalesced=True)
    op_id = _append_op(conn, entity, record_id, OpKind.DELETE, row["rev"], {}, snapshot, now)
    return EditResult(op_id=op_id, coalesced=False)


def _queued_op(conn: Connection, entity: str, record_id: str) -> Mapping[Any, Any] | None:
    """The record's newest op, if it has not been sent yet (and nothing was sent after it)."""
    newest = (
        conn.execute(
            select(schema.outbox)
            .where(schema.outbox.c.entity == entity, schema.outbox.c.record_id == record_id)
            .order_by(schema.outbox.c.seq.desc())
            .limit(1)
        )
        .mappings()
        .first()
    )
    if newest is None or newest["state"] != _UNSENT:
        return None
    return newest


def _append_op(
    conn: Connection,
    entity: str,
    record_id: str,
    op: OpKind,
    base_rev: int | None,
    changes: Mapping[str, Any],
    snapshot: str | None,
    now: str,
) -> str:
    op_id = str(uuid.uuid4())
    conn.execute(
        insert(schema.outbox).values(
            op_id=op_id,
            entity=entity,
            record_id=record_id,
            op=op.value,
            base_rev=base_rev if base_rev else None,
            fields=orjson.dumps(dict(changes)).decode(),
            snapshot=snapshot,
            state=OpState.QUEUED.value,
            created_at=now,
            updated_at=now,
        )
    )
    return op_id


def derived_columns(entity: str, changes: Mapping[str, Any]) -> dict[str, Any]:
    """Columns the cache derives from the fields for its own indexes."""
    if entity == "visit" and "customer_ids" in changes:
        ids = changes["customer_ids"] or []
        return {"customer_id": ids[0] if ids else None}
    if entity == "customer" and "name" in changes:
        return {"name_pinyin": None}  # recomputed by the search refresh
    return {}
