"""Push: drain the outbox to ``POST /mutations`` and settle every answer (API.md §3).

:meth:`Pusher.push` repeats, until nothing is left to send:

1. **Plan** (one write transaction): take the unsent ops in ``seq`` order (:func:`plan_batch`),
   hold the ones that depend on a refused create, let go of held ones whose create is gone, and
   mark at most 200 ops ``sending`` — committed *before* the request leaves, so a crash after it
   leaves them ``sending`` and the next run sends them again exactly as they are (same ``op_id``,
   same body: the server answers a repeat from its idempotency store, ``replayed``).
2. **Send** the batch. A failure of the exchange leaves the ops ``sending`` and reaches the caller
   (the scheduler retries). A whole batch the server refuses (``4xx``, e.g.
   ``idempotency_mismatch``) is sent again op by op, so the one op it refuses is kept as
   ``rejected`` and the others go through.
3. **Settle** the answers, all of one batch in one write transaction:

   - ``applied``: the op leaves the outbox and the server's record becomes the row (its ``base``
     stays only while later ops of the record are pending, rebased on that record); later edits of
     a record just created get the new rev as their ``base_rev``;
   - ``rejected``: the op stays with code, message and field errors; its data stays visible;
   - ``conflict``: the three-way merge (:mod:`rm_desk.sync.merge`) with the op's own base (the
     values its fields had when the user edited them, else the record's base), the op's fields
     and the server's record. Each automatic decision gets a journal entry, each decision left to
     the user a conflict row; the server's record becomes the record's base; fields to send again
     go out in the same outbox place with a new ``op_id`` and the server's rev as ``base_rev``;
     the user's values in conflict stay visible in an op kept in state ``conflict``, never sent.

An op is sent at most twice by one :meth:`Pusher.push` (once, and once more after a merge), so a
record the bank keeps changing cannot keep the loop going; the next round takes it up again.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from contextlib import closing
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Any

from sqlalchemy import Connection

from rm_desk.domain.enums import ConflictKind, Entity, OpKind, OpState
from rm_desk.local_store import outbox
from rm_desk.local_store.engine import Store
from rm_desk.local_store.ingest import apply_changes
from rm_desk.local_store.outbox import StoredOp
from rm_desk.local_store.writes import rebase_held_profiles
from rm_desk.sync.cancel import StopCheck, check, never
from rm_desk.sync.client import (
    MAX_MUTATIONS,
    ApiClient,
    Mutation,
    MutationApplied,
    MutationConflict,
    MutationRejected,
    MutationResult,
)
from rm_desk.sync.errors import RequestRejected
from rm_desk.sync.events import ConflictFound, OpStateChanged, SyncEvent
from rm_desk.sync.merge import (
    SOFT_PROFILE,
    MergeResult,
    merge,
    merge_deleted,
    merge_modified,
)

log = logging.getLogger(__name__)

AUTO_MERGE = "auto_merge"
AUTO_MERGE_MESSAGE = "A field changed on both sides was merged by its rule."
MAX_SENDS_PER_PUSH = 2


@dataclass(frozen=True, slots=True)
class BatchPlan:
    """What one planning step decided."""

    send: tuple[StoredOp, ...]
    hold: tuple[StoredOp, ...]
    release: tuple[StoredOp, ...]


def references(value: Any, ids: Collection[str]) -> bool:
    """Whether a JSON value names one of ``ids`` (as a string, in an array or in an object)."""
    if isinstance(value, str):
        return value in ids
    if isinstance(value, list | tuple):
        return any(references(item, ids) for item in value)
    if isinstance(value, Mapping):
        return any(references(item, ids) for item in value.values())
    return False


def plan_batch(
    ops: Iterable[StoredOp],
    refused_creates: Collection[str],
    *,
    limit: int = MAX_MUTATIONS,
    exhausted: Collection[int] = (),
) -> BatchPlan:
    """Choose the next batch from the unsent ops (queued, sending, held), in ``seq`` order.

    Checks, in order, for each op:

    1. ``sending``: sent again as it is, whatever else is true (the server may have it already);
    2. it belongs to, or one of its fields names, a record whose create was refused
       (``refused_creates``) or is held, or it is a later op of a record with a held op: held (a
       held create holds what depends on it in turn; a later edit of a record waits behind the
       held one, so that the older value does not land over it when that one is let go);
    3. held before and nothing blocks it any more: queued again, and sent;
    4. sent the most times one push allows (``exhausted``): left for the next round;
    5. an edit with no ``base_rev`` of a record whose create is still on its way: waits for the
       create's answer, which gives it the rev;
    6. otherwise sent, up to ``limit`` ops.

    Stops at the first op once ``limit`` ops are chosen: an op's fate depends only on the ops
    before it, so the ops after are decided, the same way, by a later plan (the push plans until
    nothing is left to send), and a long outbox is not read whole for each batch.

    Returns:
        The ops to send, to hold, and to release (the released ones are also in ``send`` when
        there is room).
    """
    blocked = set(refused_creates)
    held_records: set[tuple[str, str]] = set()
    unapplied_creates: set[str] = set()
    send: list[StoredOp] = []
    hold: list[StoredOp] = []
    release: list[StoredOp] = []
    for op in ops:
        if len(send) >= limit:
            break
        if op.state is OpState.SENDING:
            if op.op is OpKind.CREATE:
                unapplied_creates.add(op.record_id)
            if op.seq not in exhausted:
                send.append(op)
            continue
        record = (op.entity, op.record_id)
        if record in held_records or (
            blocked and (op.record_id in blocked or references(op.fields, blocked))
        ):
            if op.state is not OpState.HELD:
                hold.append(op)
            if op.op is OpKind.CREATE:
                blocked.add(op.record_id)
            held_records.add(record)
            continue
        if op.state is OpState.HELD:
            release.append(op)
        if op.op is OpKind.CREATE:
            unapplied_creates.add(op.record_id)
        if op.seq in exhausted:
            continue
        if op.op is not OpKind.CREATE and op.base_rev is None and op.record_id in unapplied_creates:
            continue
        send.append(op)
    return BatchPlan(tuple(send), tuple(hold), tuple(release))


def to_mutation(op: StoredOp) -> Mutation:
    """The wire mutation of an op: the same body every time it is sent."""
    return Mutation(
        op_id=op.op_id,
        entity=op.entity,
        id=op.record_id,
        op=op.op,
        base_rev=None if op.op is OpKind.CREATE else op.base_rev,
        fields=None if op.op is OpKind.DELETE else dict(op.fields),
    )


@dataclass(frozen=True, slots=True)
class PushReport:
    """What one :meth:`Pusher.push` did."""

    batches: int = 0
    sent: int = 0
    applied: int = 0
    rejected: int = 0
    conflicts: int = 0
    held: int = 0


@dataclass
class _Tally:
    batches: int = 0
    sent: int = 0
    applied: int = 0
    rejected: int = 0
    conflicts: int = 0
    held: int = 0

    def report(self) -> PushReport:
        return PushReport(
            self.batches, self.sent, self.applied, self.rejected, self.conflicts, self.held
        )


class Pusher:
    """Sends the outbox through one client (see the module docstring).

    Args:
        store: The open cache.
        client: A signed-in client, used on this thread only.
        emit: Called with each event, after the transaction it describes has committed.
        batch_size: Most mutations per request (the contract allows 200).
        stop: Checked before each batch; when it answers true the push raises
            :class:`~rm_desk.sync.cancel.Cancelled`.
    """

    def __init__(
        self,
        store: Store,
        client: ApiClient,
        *,
        emit: Callable[[SyncEvent], None],
        batch_size: int = MAX_MUTATIONS,
        stop: StopCheck = never,
    ) -> None:
        if not 1 <= batch_size <= MAX_MUTATIONS:
            raise ValueError(f"batch_size must be 1 to {MAX_MUTATIONS}")
        self._store = store
        self._client = client
        self._emit = emit
        self._batch_size = batch_size
        self._stop = stop

    def push(self) -> PushReport:
        """Send everything that can be sent now.

        Raises:
            SyncError: The exchange failed; the batch stays ``sending`` and goes again next time.
        """
        tally = _Tally()
        if not self._prepare():
            return tally.report()
        sends: Counter[int] = Counter()
        while True:
            check(self._stop)
            exhausted = {seq for seq, count in sends.items() if count >= MAX_SENDS_PER_PUSH}
            batch = self._plan(exhausted, tally)
            if not batch:
                return tally.report()
            sends.update(op.seq for op in batch)
            tally.batches += 1
            tally.sent += len(batch)
            self._send(batch, tally)

    def _now(self) -> str:
        return self._store.clock().isoformat()

    def _prepare(self) -> bool:
        """Whether there is anything to send; first, soft profiles held for the conflict inbox
        follow what a pull brought (:func:`rebase_held_profiles`).

        One read of an index for an empty outbox, so an idle round does not plan at all.
        """
        with self._store.read() as conn:
            held = outbox.customers_with_held_ops(conn)
            unsent = outbox.any_in_states(conn, outbox.UNSENT_STATES)
        if held:
            now = self._now()
            with self._store.write() as conn:
                for record_id in held:
                    rebase_held_profiles(conn, record_id, now)
        return unsent

    def _plan(self, exhausted: Collection[int], tally: _Tally) -> tuple[StoredOp, ...]:
        now = self._now()
        with self._store.write() as conn:
            refused = outbox.created_ids_in_states(conn, {OpState.REJECTED})
            with closing(outbox.iter_ops_in_states(conn, outbox.UNSENT_STATES)) as ops:
                plan = plan_batch(ops, refused, limit=self._batch_size, exhausted=exhausted)
            outbox.set_state(conn, [op.seq for op in plan.hold], OpState.HELD, now)
            outbox.set_state(conn, [op.seq for op in plan.release], OpState.QUEUED, now)
            outbox.mark_sending(conn, [op.seq for op in plan.send], now)
        tally.held += len(plan.hold)
        for op in plan.hold:
            self._emit(_changed(op, OpState.HELD))
        released = {op.seq for op in plan.release} - {op.seq for op in plan.send}
        for op in plan.release:
            if op.seq in released:
                self._emit(_changed(op, OpState.QUEUED))
        for op in plan.send:
            self._emit(_changed(op, OpState.SENDING))
        return plan.send

    def _send(self, batch: Sequence[StoredOp], tally: _Tally) -> None:
        try:
            results = self._client.push([to_mutation(op) for op in batch])
        except RequestRejected as refusal:
            if len(batch) > 1:
                # The server refused the request as a whole; op by op, it refuses only the op
                # that is the matter and takes the others.
                for op in batch:
                    self._send([op], tally)
                return
            self._refuse(batch[0], refusal, tally)
            return
        self._settle(batch, results, tally)

    def _refuse(self, op: StoredOp, refusal: RequestRejected, tally: _Tally) -> None:
        with self._store.write() as conn:
            outbox.reject_op(
                conn,
                op.seq,
                code=refusal.code or "request_rejected",
                message=refusal.message,
                field_errors=refusal.field_errors,
                now=self._now(),
            )
        tally.rejected += 1
        self._emit(_changed(op, OpState.REJECTED, refusal.code or "request_rejected"))

    def _settle(
        self, batch: Sequence[StoredOp], results: Sequence[MutationResult], tally: _Tally
    ) -> None:
        events: list[SyncEvent] = []
        now = self._now()
        with self._store.write() as conn:
            # Applied answers are settled a run at a time (a few statements for the run, not a
            # few per op); a run ends before any other answer and before a second op of a record
            # already in it, so each op's settling sees the outbox and the cache exactly as the
            # one-op-at-a-time order leaves them (see _settle_applied_run).
            run: list[tuple[StoredOp, MutationApplied]] = []
            in_run: set[tuple[str, str]] = set()
            for op, result in zip(batch, results, strict=True):
                if isinstance(result, MutationApplied):
                    if (op.entity, op.record_id) in in_run:
                        _settle_applied_run(conn, run, now)
                        run, in_run = [], set()
                    run.append((op, result))
                    in_run.add((op.entity, op.record_id))
                    tally.applied += 1
                    events.append(_changed(op, OpState.APPLIED))
                    continue
                _settle_applied_run(conn, run, now)
                run, in_run = [], set()
                if isinstance(result, MutationRejected):
                    outbox.reject_op(
                        conn,
                        op.seq,
                        code=result.code,
                        message=result.message,
                        field_errors=result.field_errors,
                        now=now,
                    )
                    tally.rejected += 1
                    events.append(_changed(op, OpState.REJECTED, result.code))
                else:
                    events.append(_changed(op, OpState.CONFLICT))
                    found = _settle_conflict(conn, op, result, now, events)
                    tally.conflicts += found
            _settle_applied_run(conn, run, now)
            _rebase_held(conn, batch, now)
        for event in events:
            self._emit(event)


def _rebase_held(conn: Connection, batch: Sequence[StoredOp], now: str) -> None:
    """Let the soft profiles held for the inbox of the batch's customers follow the server
    copies its answers brought (:func:`rebase_held_profiles`)."""
    customers = {op.record_id for op in batch if op.entity == Entity.CUSTOMER.value}
    if not customers:
        return
    for record_id in customers.intersection(outbox.customers_with_held_ops(conn)):
        rebase_held_profiles(conn, record_id, now)


def _changed(op: StoredOp, state: OpState, code: str | None = None) -> OpStateChanged:
    return OpStateChanged(op.op_id, op.entity, op.record_id, op.op, state, code)


def _upsert(entity: str, record_id: str, rev: int, data: Mapping[str, Any]) -> dict[str, Any]:
    return {"entity": entity, "id": record_id, "rev": rev, "op": "upsert", "data": dict(data)}


def _store_server_copy(
    conn: Connection, op: StoredOp, rev: int, record: Mapping[str, Any], now: str
) -> None:
    """Make the server's record the row's server copy, pending ops laid over it.

    Nothing is written for a record no longer in the cache (it left the book: writing it back
    would bring it back for good), nor over a newer copy a pull brought meanwhile (the answer of
    a replayed op can be older than the cache).
    """
    cached = outbox.load_record(conn, op.entity, op.record_id)
    if cached is None:
        return
    if cached.rev > rev:
        outbox.refresh_visible(conn, op.entity, op.record_id)  # drops the settled op's overlay
        return
    apply_changes(conn, [_upsert(op.entity, op.record_id, rev, record)], now=now)


def _settle_applied_run(
    conn: Connection, run: Sequence[tuple[StoredOp, MutationApplied]], now: str
) -> None:
    """Settle applied answers of distinct records, as settling them one by one would.

    Each op leaves the outbox; the server's record becomes the row (:func:`_store_server_copy`:
    not for a record gone from the cache, the row's remaining ops only laid again over a newer
    copy); a record the server no longer has leaves the cache; later edits of a record just
    created get its rev. What settling one op reads and writes is its own record's outbox rows,
    row and search entry (refreshed from the final rows), so for distinct records the order
    makes no difference and the run takes one statement per step instead of one per op.
    """
    if not run:
        return
    for op, result in run:
        _hand_down_unchanged(conn, op, result, now)
    outbox.delete_ops(conn, [op.seq for op, _ in run])
    ids: dict[str, list[str]] = {}
    for op, result in run:
        if result.record is not None:
            ids.setdefault(op.entity, []).append(op.record_id)
    cached = {entity: outbox.record_revs(conn, entity, some) for entity, some in ids.items()}
    upserts: list[dict[str, Any]] = []
    for op, result in run:
        if result.record is None:
            outbox.delete_record(conn, op.entity, op.record_id)
            continue
        rev = cached[op.entity].get(op.record_id)
        if rev is None:
            continue  # it left the book: writing it back would bring it back for good
        if rev > result.rev:  # a pull brought a newer copy than this (replayed) answer
            outbox.refresh_visible(conn, op.entity, op.record_id)  # drops the op's overlay
        else:
            upserts.append(_upsert(op.entity, op.record_id, result.rev, result.record))
    if upserts:
        apply_changes(conn, upserts, now=now)
    outbox.fill_base_revs(
        conn,
        {(op.entity, op.record_id): result.rev for op, result in run if op.op is OpKind.CREATE},
        now,
    )


ALREADY_AT_BANK = "already_at_bank"
ALREADY_AT_BANK_MESSAGE = (
    "The bank already had the value of an edit; a later edit of the same field is merged against"
    " the value before it."
)


def _hand_down_unchanged(conn: Connection, op: StoredOp, result: MutationApplied, now: str) -> None:
    """Give a later op the base of fields this applied update did not change at the bank.

    When the bank says (``changed_fields``) that a field sent already held the value sent, the
    bank wrote that value itself; the op wrote nothing. A later op of the record made while this
    one was on its way has this op's value in its snapshot, as if the user's edit had put it
    there: merged on it, a later change back would look like the user's alone and be sent over
    the bank's value. Its base for that field becomes this op's (the value before the user's
    edit), so the merge sees the bank's change for what it is. Only a later op made on no newer
    copy of the record than this one (``base_rev``) is one made on this op's value rather than
    on the bank's.

    Answers that do not say (``changed_fields`` absent: a bank server without it, or a stored
    answer from before) leave the snapshots as they are, as if the op wrote every field.
    """
    if op.op is not OpKind.UPDATE or result.changed_fields is None or not op.snapshot:
        return
    if not set(op.fields) - result.changed_fields:
        return
    base = op.snapshot
    stored = outbox.op_by_seq(conn, op.seq)
    if stored is not None and stored.op_id == op.op_id and stored.snapshot:
        # An earlier op of the batch may have handed this one its base (_hand_on_superseded).
        base = stored.snapshot
    unchanged = [name for name in op.fields if name not in result.changed_fields and name in base]
    if not unchanged:
        return
    handed: dict[str, str] = {}
    later = [
        other
        for other in outbox.ops_of_record(conn, op.entity, op.record_id, _SUPERSEDING_STATES)
        if other.seq > op.seq and other.op is OpKind.UPDATE
    ]
    rebased: dict[int, tuple[StoredOp, dict[str, Any]]] = {}
    for name in unchanged:
        heir = next((other for other in later if name in other.fields), None)
        if heir is None or heir.snapshot is None or name not in heir.snapshot:
            continue
        if heir.snapshot[name] != op.fields[name]:
            continue  # made on another value: not this op's
        if heir.base_rev is not None and op.base_rev is not None and heir.base_rev > op.base_rev:
            continue
        _, snapshot = rebased.setdefault(heir.seq, (heir, dict(heir.snapshot)))
        snapshot[name] = base[name]
        handed[name] = heir.op_id
    for heir, snapshot in rebased.values():
        outbox.rebase_op(conn, heir.seq, base_rev=heir.base_rev, snapshot=snapshot, now=now)
    if handed:
        outbox.journal(
            conn,
            ts=now,
            kind=ALREADY_AT_BANK,
            message=ALREADY_AT_BANK_MESSAGE,
            entity=op.entity,
            record_id=op.record_id,
            op_id=op.op_id,
            detail={"fields": handed},
        )


def _wire_field(merge_field: str) -> str:
    return (
        merge_field.split(".", 1)[0] if merge_field.startswith(SOFT_PROFILE + ".") else merge_field
    )


def _settle_conflict(
    conn: Connection,
    op: StoredOp,
    result: MutationConflict,
    now: str,
    events: list[SyncEvent],
) -> int:
    """Merge one conflict answer into the cache; returns how many conflict rows it wrote."""
    stored = outbox.op_by_seq(conn, op.seq)
    if stored is not None and stored.op_id == op.op_id:
        # An earlier op of the batch may have handed this one its base (_hand_on_superseded).
        op = replace(op, snapshot=stored.snapshot)
    cached = outbox.load_record(conn, op.entity, op.record_id)
    server_copy = cached.server_copy if cached is not None else {}
    theirs = result.record
    fields_conflict = (
        op.op is OpKind.UPDATE and result.kind is ConflictKind.FIELDS and theirs is not None
    )
    if fields_conflict:
        assert theirs is not None
        base = _update_base(op, server_copy, theirs, result.conflicting_fields)
        remaining = _hand_on_superseded(conn, op, base, now)
        if remaining is None:
            return 0
        op = remaining
    if op.op is OpKind.UPDATE and _behind_own_change(conn, op):
        _send_again_later(conn, op, result.rev, now, events)
        return 0
    if op.op is OpKind.DELETE:
        base = dict(op.snapshot or server_copy)
        merged = merge_modified(op.entity, base, theirs or {})
    elif result.kind is ConflictKind.DELETED or theirs is None:
        base = {**server_copy, **(op.snapshot or {})}
        merged = merge_deleted(op.entity, base, op.fields, mine_fields=list(op.fields))
    else:
        if not fields_conflict:
            base = _update_base(op, server_copy, theirs, result.conflicting_fields)
        merged = merge(op.entity, base, op.fields, theirs, mine_fields=list(op.fields))
    for auto in merged.auto:
        outbox.journal(
            conn,
            ts=now,
            kind=AUTO_MERGE,
            message=AUTO_MERGE_MESSAGE,
            entity=op.entity,
            record_id=op.record_id,
            op_id=op.op_id,
            detail={
                "field": auto.field,
                "policy": auto.policy.value,
                "chosen": auto.chosen,
                "mine": auto.mine,
                "theirs": auto.theirs,
            },
        )
    if op.op is OpKind.DELETE or theirs is None or result.kind is not ConflictKind.FIELDS:
        holder = _settle_whole_record(conn, op, result, merged, now, events)
    else:
        holder = _settle_fields(conn, op, result.rev, theirs, merged, now, events)
    for found in merged.conflicts:
        conflict_id = outbox.add_conflict(
            conn,
            entity=op.entity,
            record_id=op.record_id,
            op_id=holder,
            kind=found.kind,
            field=found.field,
            base=found.base,
            mine=found.mine,
            theirs=found.theirs,
            server_rev=result.rev,
            now=now,
        )
        events.append(ConflictFound(conflict_id, op.entity, op.record_id, found.kind, found.field))
    return len(merged.conflicts)


def _update_base(
    op: StoredOp,
    server_copy: Mapping[str, Any],
    theirs: Mapping[str, Any],
    conflicting: Collection[str],
) -> dict[str, Any]:
    """The merge base of an update that met a ``fields`` conflict: the values its fields had when
    the user edited them (its snapshot), else the record's server copy.

    A field the bank does not list in ``conflicting`` did not change there since ``base_rev`` (or
    holds the value sent): only the user changed it, whatever the snapshot says. The snapshot can
    differ from the bank's value when the screen showed a value of the user's own that the bank
    refused, and the merge would take that for a bank change.
    """
    base = {**server_copy, **(op.snapshot or {})}
    if conflicting:
        base.update((name, theirs.get(name)) for name in op.fields if name not in conflicting)
    return base


SENT_AGAIN_LATER = "sent_again_later"
SENT_AGAIN_LATER_MESSAGE = (
    "An edit that met a conflict behind an earlier edit of the same field is sent again after it."
)
SUPERSEDED = "superseded"
SUPERSEDED_MESSAGE = (
    "An edit that met a conflict was left out: a later edit of the same field goes to the bank."
)
_SUPERSEDING_STATES = frozenset({OpState.QUEUED, OpState.SENDING, OpState.HELD, OpState.REJECTED})
"""States of a later op whose values replace an earlier op's: the user's own later edits on their
way (or refused, and shown in the sync issues list). An op in state ``conflict`` is not one: it
holds values of an earlier conflict for the inbox, and sits last only to keep them visible."""


def _hand_on_superseded(
    conn: Connection, op: StoredOp, base: Mapping[str, Any], now: str
) -> StoredOp | None:
    """Leave out of an update that met a conflict the fields a later op of the record carries.

    The later op holds the user's later choice, so the earlier value is no longer what the user
    wants: resent after the merge it would land on the bank after the later one (which may be
    applied already, in the same batch), and the later op would then meet the user's own older
    value and take it for a change of the bank's. It is coalescing after the fact (as
    :mod:`rm_desk.local_store.writes` does while an op is queued): the later value stands, with
    the earlier op's base. The first later op carrying a field takes this op's base for it (its
    own snapshot holds this op's value, which never reached the bank) and, unless it is
    ``sending``, this op's older ``base_rev``, so a bank change since then is still reported.
    A journal entry says what was left out.

    Returns:
        The op with the fields still its own, or ``None`` when the later ops carry all of them
        (the op left the outbox).
    """
    later = [
        other
        for other in outbox.ops_of_record(conn, op.entity, op.record_id, _SUPERSEDING_STATES)
        if other.seq > op.seq
    ]
    heirs: dict[int, tuple[StoredOp, list[str]]] = {}
    for name in op.fields:
        heir = next((other for other in later if name in other.fields), None)
        if heir is not None:
            heirs.setdefault(heir.seq, (heir, []))[1].append(name)
    if not heirs:
        return op
    for heir, names in heirs.values():
        snapshot = dict(heir.snapshot or {})
        snapshot.update((name, base.get(name)) for name in names)
        base_rev = heir.base_rev
        if op.base_rev is not None and (base_rev is None or op.base_rev < base_rev):
            base_rev = op.base_rev
        outbox.rebase_op(conn, heir.seq, base_rev=base_rev, snapshot=snapshot, now=now)
    left_out = sorted(name for _, names in heirs.values() for name in names)
    outbox.journal(
        conn,
        ts=now,
        kind=SUPERSEDED,
        message=SUPERSEDED_MESSAGE,
        entity=op.entity,
        record_id=op.record_id,
        op_id=op.op_id,
        detail={"fields": {name: heir.op_id for heir, names in heirs.values() for name in names}},
    )
    fields = {name: value for name, value in op.fields.items() if name not in left_out}
    if not fields:
        outbox.delete_ops(conn, [op.seq])
        return None
    snapshot = {name: value for name, value in (op.snapshot or {}).items() if name in fields}
    return replace(op, fields=MappingProxyType(fields), snapshot=MappingProxyType(snapshot) or None)


def _behind_own_change(conn: Connection, op: StoredOp) -> bool:
    """Whether an earlier op of the record, still on its way to the bank, changes a field of
    ``op``.

    Such an op's base holds the user's own earlier value, which the bank has not got yet (the
    earlier op met a conflict in the same batch and goes again): merged now, the bank's older
    value would look like a change of the bank's and the user's own edit like a conflict.
    """
    fields = set(op.fields)
    return any(
        earlier.seq < op.seq and fields & set(earlier.fields)
        for earlier in outbox.ops_of_record(conn, op.entity, op.record_id, outbox.UNSENT_STATES)
    )


def _send_again_later(
    conn: Connection, op: StoredOp, rev: int | None, now: str, events: list[SyncEvent]
) -> None:
    """Queue ``op`` again, unmerged, behind the earlier op it builds on, under a new ``op_id``
    (the old one holds this conflict answer on the bank). Its next answer, once the earlier
    values are on the bank, is merged against its own base as usual.

    It keeps its own ``base_rev``: the rev of the bank values the user edited from. The answer's
    rev is newer and takes in bank changes the user never saw (a field the screen showed with the
    earlier op's value): sent on it, such a field would not be reported as conflicting, and the
    merge would take the bank's value for the op's base and resend the user's value over it.
    ``rev`` serves only an op that has no rev of its own.
    """
    new_id = outbox.new_op_id()
    outbox.rewrite_op(
        conn,
        op.seq,
        op_id=new_id,
        op=OpKind.UPDATE,
        state=OpState.QUEUED,
        base_rev=op.base_rev if op.base_rev is not None else rev,
        fields=op.fields,
        snapshot=op.snapshot,
        now=now,
    )
    outbox.journal(
        conn,
        ts=now,
        kind=SENT_AGAIN_LATER,
        message=SENT_AGAIN_LATER_MESSAGE,
        entity=op.entity,
        record_id=op.record_id,
        op_id=op.op_id,
        detail={"fields": sorted(op.fields), "new_op_id": new_id, "answer_rev": rev},
    )
    events.append(OpStateChanged(new_id, op.entity, op.record_id, OpKind.UPDATE, OpState.QUEUED))


def _settle_fields(
    conn: Connection,
    op: StoredOp,
    rev: int | None,
    theirs: Mapping[str, Any],
    merged: MergeResult,
    now: str,
    events: list[SyncEvent],
) -> str | None:
    """An update that met server changes: resend, keep in conflict, or drop; returns the op_id of
    the op holding the values in conflict."""
    resend = dict(merged.resend)
    kept = {
        name: merged.resolved[name]
        for name in _names(_wire_field(c.field) for c in merged.conflicts)
    }

    def base_of(fields: Iterable[str]) -> dict[str, Any]:
        return {name: theirs.get(name) for name in fields}

    holder: str | None = None
    if resend:
        new_id = outbox.new_op_id()
        outbox.rewrite_op(
            conn,
            op.seq,
            op_id=new_id,
            op=OpKind.UPDATE,
            state=OpState.QUEUED,
            base_rev=rev,
            fields=resend,
            snapshot=base_of(resend),
            now=now,
        )
        events.append(
            OpStateChanged(new_id, op.entity, op.record_id, OpKind.UPDATE, OpState.QUEUED)
        )
    if kept:
        if resend:
            holder = outbox.add_op(
                conn,
                entity=op.entity,
                record_id=op.record_id,
                op=OpKind.UPDATE,
                state=OpState.CONFLICT,
                base_rev=rev,
                fields=kept,
                snapshot=base_of(kept),
                now=now,
            )
        else:
            holder = op.op_id
            outbox.rewrite_op(
                conn,
                op.seq,
                op_id=op.op_id,
                op=OpKind.UPDATE,
                state=OpState.CONFLICT,
                base_rev=rev,
                fields=kept,
                snapshot=base_of(kept),
                now=now,
            )
    if not resend and not kept:
        outbox.delete_ops(conn, [op.seq])
    if rev is not None:
        _store_server_copy(conn, op, rev, theirs, now)
    return holder


def _settle_whole_record(
    conn: Connection,
    op: StoredOp,
    result: MutationConflict,
    merged: MergeResult,
    now: str,
    events: list[SyncEvent],
) -> str | None:
    """A delete of a record changed on the server, or an update of one it deleted."""
    if merged.send is OpKind.DELETE:  # a manual tag: the removal is kept and sent again
        new_id = outbox.new_op_id()
        outbox.rewrite_op(
            conn,
            op.seq,
            op_id=new_id,
            op=OpKind.DELETE,
            state=OpState.QUEUED,
            base_rev=result.rev,
            fields={},
            snapshot=op.snapshot,
            now=now,
        )
        events.append(
            OpStateChanged(new_id, op.entity, op.record_id, OpKind.DELETE, OpState.QUEUED)
        )
        return None
    if not merged.conflicts:  # a manual tag the server deleted: the removal stands
        outbox.delete_ops(conn, [op.seq])
        outbox.delete_record(conn, op.entity, op.record_id)
        return None
    outbox.rewrite_op(
        conn,
        op.seq,
        op_id=op.op_id,
        op=op.op,
        state=OpState.CONFLICT,
        base_rev=result.rev if result.rev is not None else op.base_rev,
        fields=op.fields,
        snapshot=op.snapshot,
        now=now,
    )
    return op.op_id


def _names(names: Iterable[str]) -> list[str]:
    return sorted(set(names))


__all__ = [
    "BatchPlan",
    "PushReport",
    "Pusher",
    "plan_batch",
    "references",
    "to_mutation",
]
