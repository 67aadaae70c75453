"""The conflict inbox and the sync issues list: what the user sees and decides. Each decision is
one transaction with its audit event.

- :func:`list_conflicts`, :func:`list_pending_ops`, :func:`list_rejected_ops`: frozen rows for the
  GUI.
- :func:`resolve_conflict`: the user's choice for one conflict. A value to send goes into the
  outbox as a new update from the record's server copy (its rev as ``base_rev``, its values as
  the op's base) — or, while the screen still shows the user's undecided value, from the bank's
  value the inbox showed, at the conflict's rev — and the row shows the choice at once.
- :func:`discard_rejected`: drop a change the server refused; the record shows the server's copy
  again (a refused create disappears, and ops held behind it go again at the next push).

Decisions taken here that the design left open:

- **Theirs means the server's current value**, which may be newer than the one the inbox showed
  (a pull since): nothing is sent, and no stale value ever overwrites a newer one — unless an
  edit of the same field made on the desk while the conflict waited is still on its way: the
  decision is the user's later word, so the earlier edit does not stand over it. While every
  such edit is queued, taking the bank's side takes the field out of them (nothing is sent, and
  the bank's value stands as the bank has it now); a value of the user's is folded into them;
  once one was sent, the decision is queued after it, whatever the bank has.
- **Mine (or a value) goes out even when the desk's copy of the bank already has it.** The bank
  may have changed the field since, unknown to the desk: sent, the bank applies it as no change
  or reports its change, and the merge puts the two values to the user (a field the user set
  counts as changed, merge.py). Sending nothing let a bank value the user never saw stand over
  their decision silently — and a bank change made before the decision and one made after it
  look the same to the desk, so both are put to the user. Not for a soft-profile key (the merge
  takes a key at its base value for no change of the user's).
- **Mine for a record the server deleted recreates it** under a new id (the server keeps the old
  id's tombstone), from the base copy with the user's values, creatable fields only. Records the
  app cannot create (customers, alerts) can only take the server's side.
- **Mine (or a value) is decided against the bank's value the inbox showed.** A pull since may
  have brought a newer one, hidden on screen under the user's undecided value and never shown in
  the inbox: the decision goes out on the conflict's rev with that value as its base, so the bank
  reports its change and the merge decides again (a new conflict, or a rule) rather than the
  decision overwriting it unseen. Not for a soft-profile key (its op carries the whole profile)
  nor once an edit of the field made on the desk ended the undecided chain.
- **A value of the user's own** is for field conflicts only; a whole record is mine or theirs.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from sqlalchemy import Connection

from rm_desk.domain.enums import ConflictKind, Entity, OpKind, OpState
from rm_desk.domain.fields import CREATABLE_ENTITIES, FIXED_ON_CREATE, RecordRole, editable_fields
from rm_desk.errors import WriteRejected
from rm_desk.local_store import outbox
from rm_desk.local_store.audit import append_audit
from rm_desk.local_store.engine import Store
from rm_desk.local_store.ingest import apply_changes
from rm_desk.local_store.outbox import StoredConflict, StoredOp
from rm_desk.local_store.writes import new_record_id, queue_update, rebase_held_profiles
from rm_desk.sync.events import (
    Choice,
    ConflictEntry,
    OpStateChanged,
    PendingOp,
    SyncEvent,
    freeze,
)
from rm_desk.sync.merge import SOFT_PROFILE, same

CONFLICT_RESOLVED: Final = "conflict_resolved"
CHANGE_DISCARDED: Final = "sync_change_discarded"

_UNSET: Final = object()


# --- lists -------------------------------------------------------------------------------------


def _entry(found: StoredConflict) -> ConflictEntry:
    return ConflictEntry(
        id=found.id,
        entity=found.entity,
        record_id=found.record_id,
        kind=found.kind,
        field=found.field,
        base=freeze(found.base),
        mine=freeze(found.mine),
        theirs=freeze(found.theirs),
        server_rev=found.server_rev,
        created_at=found.created_at,
    )


def _pending(op: StoredOp) -> PendingOp:
    return PendingOp(
        op_id=op.op_id,
        seq=op.seq,
        entity=op.entity,
        record_id=op.record_id,
        op=op.op,
        state=op.state,
        attempts=op.attempts,
        created_at=op.created_at,
        updated_at=op.updated_at,
        fields=freeze(op.fields),
        error_code=op.error_code,
        error_message=op.error_message,
        field_errors=freeze(op.field_errors),
    )


def list_conflicts(store: Store) -> tuple[ConflictEntry, ...]:
    """Open conflicts, oldest first."""
    with store.read() as conn:
        return tuple(_entry(found) for found in outbox.open_conflicts(conn))


def list_pending_ops(store: Store) -> tuple[PendingOp, ...]:
    """Changes on their way to the server (queued, sending, held), in outbox order."""
    with store.read() as conn:
        return tuple(_pending(op) for op in outbox.ops_in_states(conn, outbox.UNSENT_STATES))


def list_rejected_ops(store: Store) -> tuple[PendingOp, ...]:
    """Changes the server refused, with its words, in outbox order."""
    with store.read() as conn:
        return tuple(_pending(op) for op in outbox.ops_in_states(conn, {OpState.REJECTED}))


# --- resolving a conflict ----------------------------------------------------------------------


def resolve_conflict(
    store: Store,
    conflict_id: int,
    choice: Choice,
    value: Any = _UNSET,
    *,
    user_id: str | None = None,
    device_id: str | None = None,
) -> list[SyncEvent]:
    """Decide one conflict of the inbox (see the module docstring).

    Args:
        conflict_id: The :attr:`ConflictEntry.id`.
        choice: Mine, theirs, or a value of the user's (``value``, field conflicts only).
        value: The value for :attr:`Choice.VALUE`, in wire form.

    Returns:
        Events about ops the decision queued.

    Raises:
        WriteRejected: The conflict was decided already, the choice does not fit it, or the
            record cannot be created again. Nothing changed.
    """
    choice = Choice(choice)
    if (choice is Choice.VALUE) == (value is _UNSET):
        raise WriteRejected("Choose your version, the bank's version, or enter a value.")
    now = store.clock().isoformat()
    events: list[SyncEvent] = []
    with store.write() as conn:
        found = outbox.conflict_by_id(conn, conflict_id)
        if found is None or found.resolved_at is not None:
            raise WriteRejected("This conflict has been decided already.")
        if found.kind is ConflictKind.FIELDS:
            chosen = found.mine if choice is Choice.MINE else value
            _resolve_field(conn, found, choice, chosen, now, events)
        elif choice is Choice.VALUE:
            raise WriteRejected("For a whole record, keep your version or the bank's.")
        elif found.kind is ConflictKind.DELETED:
            _resolve_deleted(conn, found, choice, now, events)
        else:
            _resolve_modified(conn, found, choice, now, events)
        outbox.close_conflict(conn, conflict_id, choice.value, now)
        append_audit(
            conn,
            ts=now,
            action=CONFLICT_RESOLVED,
            user_id=user_id,
            device_id=device_id,
            entity=found.entity,
            record_id=found.record_id,
            field=found.field,
            detail={"conflict_id": conflict_id, "kind": found.kind.value, "choice": choice.value},
        )
    return events


def _split(field: str | None) -> tuple[str, str | None]:
    """A merge field as (wire field, soft-profile key or ``None``)."""
    if field is None:
        raise WriteRejected("This conflict cannot be decided here.")
    if field.startswith(SOFT_PROFILE + "."):
        return SOFT_PROFILE, field.split(".", 1)[1]
    return field, None


def _resolve_field(
    conn: Connection,
    found: StoredConflict,
    choice: Choice,
    chosen: Any,
    now: str,
    events: list[SyncEvent],
) -> None:
    wire, key = _split(found.field)
    record = outbox.load_record(conn, found.entity, found.record_id)
    server = record.server_copy if record is not None else {}
    current: Any = server.get(wire)
    if key is not None:
        current = (current or {}).get(key, _UNSET)
    if choice is Choice.THEIRS:
        chosen = current
    # A field's value of the user's goes out even when the server copy has it already: the bank
    # may have changed it since, unknown to the desk, and the bank reports that (see the module
    # docstring). A soft-profile key the server copy holds at the chosen value is no change of
    # the user's in the key-by-key merge, so it goes only when it differs.
    differs = key is None or current is _UNSET or not same(chosen, current)
    holder = outbox.op_by_id(conn, found.op_id) if found.op_id else None
    if choice is Choice.THEIRS and key is None and _withdraw_queued(conn, found, wire, now):
        pass  # the bank's value stands, whatever it is by now: nothing to send
    elif record is not None and (
        _edited_since(conn, found, wire, key, chosen) or (choice is not Choice.THEIRS and differs)
    ):
        changes = {wire: _value_to_send(conn, found, wire, key, chosen, server)}
        before = {wire: server.get(wire)}
        base_rev = record.rev
        if choice is not Choice.THEIRS and _decided_on_what_the_inbox_showed(found, holder, key):
            assert found.server_rev is not None
            before = {wire: found.theirs}
            base_rev = min(base_rev, found.server_rev)
        result = queue_update(conn, found.entity, found.record_id, base_rev, changes, before, now)
        if result.op_id is not None and not result.coalesced:
            events.append(
                OpStateChanged(
                    result.op_id, found.entity, found.record_id, OpKind.UPDATE, OpState.QUEUED
                )
            )
    if holder is not None and holder.state is OpState.CONFLICT:
        shown = current if choice is Choice.THEIRS else chosen
        _release_value(conn, found, holder, wire, key, shown, now)
        if key is not None:
            rebase_held_profiles(conn, found.record_id, now)
    outbox.refresh_visible(conn, found.entity, found.record_id)


def _decided_on_what_the_inbox_showed(
    found: StoredConflict, holder: StoredOp | None, key: str | None
) -> bool:
    """Whether a value of the user's for the conflict goes out against the bank's value the
    inbox showed (``theirs``, at the conflict's rev) rather than the server copy.

    So while the op kept for the inbox still holds the field (the screen shows the user's
    undecided value, and no edit of the field since ended that chain): a pull since may have
    brought a newer bank value, hidden under it on screen and never in the inbox; sent from the
    server copy, the decision would overwrite it unreported. Sent on the conflict's rev, the bank
    reports its change and the merge decides (a conflict of its own, or a rule). Not for a
    soft-profile key: the op holds the whole profile, rebuilt as the bank's copy changes.
    """
    return (
        key is None
        and found.server_rev is not None
        and holder is not None
        and holder.state is OpState.CONFLICT
        and found.field in holder.fields
    )


def _edited_since(
    conn: Connection, found: StoredConflict, wire: str, key: str | None, chosen: Any
) -> bool:
    """Whether an op still on its way (or held) carries another value of the field than the one
    chosen: an edit made on the desk while the conflict waited. The decision is the user's later
    word, so it goes after that edit, even when the bank already has the chosen value."""
    for op in outbox.ops_of_record(conn, found.entity, found.record_id, outbox.UNSENT_STATES):
        if op.op_id == found.op_id or op.op is not OpKind.UPDATE or wire not in op.fields:
            continue
        value = op.fields[wire]
        if key is not None:
            value = value.get(key, _UNSET) if isinstance(value, Mapping) else _UNSET
        if value is _UNSET or chosen is _UNSET:
            if value is not chosen:
                return True
        elif not same(value, chosen):
            return True
    return False


def _withdraw_queued(conn: Connection, found: StoredConflict, wire: str, now: str) -> bool:
    """Take a field out of the queued edits of it made while the conflict waited, when the user
    takes the bank's side: the bank's value stands as the bank has it now, and nothing is sent.

    Folded in instead, the server copy's value went out as the user's, and the bank may have
    changed the field since the last pull: that stale value went over the bank's newer one
    (model-bank soak seed 20261123: a task completed over the bank's 未开始). Only when every
    edit of the field still on its way is queued (unsent); one already sent may reach the
    bank, and the decision is then queued after it as before.

    Returns:
        Whether the field was withdrawn (or no edit carried it).
    """
    carrying = [
        op
        for op in outbox.ops_of_record(conn, found.entity, found.record_id, outbox.UNSENT_STATES)
        if op.op_id != found.op_id and op.op is OpKind.UPDATE and wire in op.fields
    ]
    if not carrying or any(op.state is not OpState.QUEUED for op in carrying):
        return False
    for op in carrying:
        fields = {name: value for name, value in op.fields.items() if name != wire}
        if not fields:
            outbox.delete_ops(conn, [op.seq])
            continue
        snapshot = {name: value for name, value in (op.snapshot or {}).items() if name != wire}
        outbox.rewrite_op(
            conn,
            op.seq,
            op_id=op.op_id,
            op=op.op,
            state=op.state,
            base_rev=op.base_rev,
            fields=fields,
            snapshot=snapshot or None,
            now=now,
        )
    return True


def _release_value(
    conn: Connection,
    found: StoredConflict,
    holder: StoredOp,
    wire: str,
    key: str | None,
    shown: Any,
    now: str,
) -> None:
    """Take the decided value out of the op that keeps the user's values visible.

    A soft-profile key decided while other keys of the profile still wait keeps the profile in
    that op, with the decided key's new value, and moves the op after any op just queued: ops
    are laid over the server copy in outbox order, whole field by whole field.
    """
    fields = dict(holder.fields)
    waiting = [
        other
        for other in outbox.open_conflicts_of_op(conn, holder.op_id)
        if other.id != found.id and other.field is not None and _split(other.field)[0] == wire
    ]
    if key is not None and waiting:
        profile = dict(fields.get(wire) or {})
        if shown is _UNSET:
            profile.pop(key, None)
        else:
            profile[key] = shown
        fields[wire] = profile
    else:
        fields.pop(wire, None)
    outbox.delete_ops(conn, [holder.seq])
    if fields:
        outbox.add_op(
            conn,
            entity=holder.entity,
            record_id=holder.record_id,
            op=holder.op,
            state=OpState.CONFLICT,
            base_rev=holder.base_rev,
            fields=fields,
            snapshot={name: (holder.snapshot or {}).get(name) for name in fields},
            now=now,
            op_id=holder.op_id,
        )


def _value_to_send(
    conn: Connection,
    found: StoredConflict,
    wire: str,
    key: str | None,
    chosen: Any,
    server: Mapping[str, Any],
) -> Any:
    """The field's value to send: the chosen value, or for a soft-profile key the whole object
    (the queued one when an op already carries it, else the server's) with that key set."""
    if key is None:
        return chosen
    profile = dict(server.get(wire) or {})
    for op in outbox.ops_of_record(conn, found.entity, found.record_id, {OpState.QUEUED}):
        if isinstance(op.fields.get(wire), Mapping):
            profile = dict(op.fields[wire])
    if chosen is _UNSET:  # the bank's side, where the bank has no such key
        profile.pop(key, None)
    else:
        profile[key] = chosen
    return profile


def _resolve_deleted(
    conn: Connection, found: StoredConflict, choice: Choice, now: str, events: list[SyncEvent]
) -> None:
    """The server deleted a record the user changed: let it go, or create it again."""
    holder = outbox.op_by_id(conn, found.op_id) if found.op_id else None
    if choice is Choice.MINE:
        kind = Entity(found.entity)
        if kind not in CREATABLE_ENTITIES:
            raise WriteRejected(
                "The bank removed this record, and records of this kind cannot be created here."
            )
        whole = {**(found.base or {}), **(found.mine or {})}
        allowed = editable_fields(kind, RecordRole.CREATOR)
        fields = {name: value for name, value in whole.items() if name in allowed}
        fields.update(FIXED_ON_CREATE.get(kind, {}))
        new_id = new_record_id()
        outbox.insert_local_record(conn, found.entity, new_id, {**whole, **fields})
        op_id = outbox.add_op(
            conn,
            entity=found.entity,
            record_id=new_id,
            op=OpKind.CREATE,
            state=OpState.QUEUED,
            base_rev=None,
            fields=fields,
            snapshot=None,
            now=now,
        )
        events.append(OpStateChanged(op_id, found.entity, new_id, OpKind.CREATE, OpState.QUEUED))
    if holder is not None and holder.state is OpState.CONFLICT:
        outbox.delete_ops(conn, [holder.seq])
    outbox.delete_record(conn, found.entity, found.record_id)


def _resolve_modified(
    conn: Connection, found: StoredConflict, choice: Choice, now: str, events: list[SyncEvent]
) -> None:
    """The server changed a record the user deleted: delete it anyway, or keep the server's."""
    holder = outbox.op_by_id(conn, found.op_id) if found.op_id else None
    if choice is Choice.MINE:
        if holder is None:
            return
        new_id = outbox.new_op_id()
        outbox.rewrite_op(
            conn,
            holder.seq,
            op_id=new_id,
            op=OpKind.DELETE,
            state=OpState.QUEUED,
            base_rev=found.server_rev,
            fields={},
            snapshot=holder.snapshot,
            now=now,
        )
        events.append(
            OpStateChanged(new_id, found.entity, found.record_id, OpKind.DELETE, OpState.QUEUED)
        )
        return
    if holder is not None and holder.state is OpState.CONFLICT:
        outbox.delete_ops(conn, [holder.seq])
    if isinstance(found.theirs, dict) and found.server_rev is not None:
        change = {
            "entity": found.entity,
            "id": found.record_id,
            "rev": found.server_rev,
            "op": "upsert",
            "data": found.theirs,
        }
        apply_changes(conn, [change], now=now)


# --- discarding a refused change ---------------------------------------------------------------


def discard_rejected(
    store: Store,
    op_id: str,
    *,
    user_id: str | None = None,
    device_id: str | None = None,
) -> None:
    """Drop a change the server refused, audited; the record shows the server's copy again.

    A refused create takes the local record and its later edits with it; ops of other records that
    were held because they name it go to the server at the next push.

    Raises:
        WriteRejected: No such refused change (discarded already, or sent again).
    """
    now = store.clock().isoformat()
    with store.write() as conn:
        op = outbox.op_by_id(conn, op_id)
        if op is None or op.state is not OpState.REJECTED:
            raise WriteRejected("This change is no longer in the sync issues list.")
        dropped = [op_id]
        if op.op is OpKind.CREATE:
            dropped = [
                other.op_id for other in outbox.delete_record_ops(conn, op.entity, op.record_id)
            ]
            outbox.delete_record(conn, op.entity, op.record_id)
        else:
            outbox.delete_ops(conn, [op.seq])
            if op.op is OpKind.DELETE:
                _restore(conn, op, now)
            outbox.refresh_visible(conn, op.entity, op.record_id)
        append_audit(
            conn,
            ts=now,
            action=CHANGE_DISCARDED,
            user_id=user_id,
            device_id=device_id,
            entity=op.entity,
            record_id=op.record_id,
            detail={"op_ids": dropped, "op": op.op.value, "code": op.error_code},
        )


def _restore(conn: Connection, op: StoredOp, now: str) -> None:
    """Put back a record whose refused delete is discarded, from the copy the delete kept."""
    snapshot = op.snapshot
    if snapshot is None or outbox.load_record(conn, op.entity, op.record_id) is not None:
        return
    rev = snapshot.get("rev")
    change = {
        "entity": op.entity,
        "id": op.record_id,
        "rev": rev if isinstance(rev, int) else 0,
        "op": "upsert",
        "data": dict(snapshot),
    }
    apply_changes(conn, [change], now=now)


__all__ = [
    "CHANGE_DISCARDED",
    "CONFLICT_RESOLVED",
    "discard_rejected",
    "list_conflicts",
    "list_pending_ops",
    "list_rejected_ops",
    "resolve_conflict",
]
