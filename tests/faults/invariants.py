"""What must be true after any schedule of faults or kills, once a clean sync has gone quiet.

- **Nothing applied twice**: every op id the client ever made was applied by the server at most
  once (``GET /dev/ops/{op_id}``), and ``ops_applied_twice`` is 0.
- **Nothing lost**: each op of the outbox, followed through the fresh ``op_id`` a merge gives it
  when it sends it again (:class:`OpLedger` keys the ids by the outbox row's ``seq``, which a
  merge keeps), was applied exactly once; or its values are still in the outbox for a reason the
  user can see (a conflict waiting in the inbox, a refusal with the server's words); or a merge
  found nothing left to send. The server applied no op the client does not know of. The values
  the user saved are on the server (:class:`~tests.faults.workload.Expectations`, checked by the
  tests).
- **Nothing stuck**: no op waits to be sent, and no cached record keeps a merge base.
- **The cache is the server**: every record of every entity of the user's scope, in wire form,
  equal to the server's own feed read from no cursor.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import orjson
from sqlalchemy import select

from rm_desk.domain.enums import OpState
from rm_desk.local_store import Store, schema
from rm_desk.local_store.outbox import (
    UNSENT_STATES,
    StoredOp,
    op_by_id,
    open_conflicts_of_op,
    ops_in_states,
)
from rm_desk.local_store.rows import JSON_COLUMNS, boolean_columns, wire_columns
from rm_desk.sync.events import OpStateChanged, SyncEvent

if TYPE_CHECKING:
    from tests.e2e.conftest import Bank

Scope = Mapping[str, Mapping[str, Mapping[str, Any]]]


@dataclass
class Chain:
    """The op ids one outbox row carried, in order: a merge gives a row a fresh id when it sends
    it again, keeping the row (``seq``, entity and record)."""

    seq: int
    entity: str
    record_id: str
    op_ids: list[str] = field(default_factory=list)


@dataclass
class OpLedger:
    """Every op id the client made, grouped by outbox row, and what the client saw become of it.

    Fed from the outbox (:meth:`scan`), from ``record_edit``'s answers (:meth:`note_op_id`) and
    from the sync events (:meth:`on_event`, called after the change it reports has committed), so
    an id a merge made and the server applied within one round is known too. A program that can
    be killed at any moment keeps the ledger in a file (:meth:`op_line`, :meth:`outcome_line`):
    whatever a kill cuts off is still in the outbox when the program starts again (:meth:`scan`).

    SQLite gives a new row the number after the highest one in use, so a row number comes back
    after the last row was deleted: a new id on a known ``seq`` continues that row only while the
    row's last id was not applied and it is about the same record (see also :func:`check_ops`).
    """

    chains: list[Chain] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)
    outcomes: dict[str, OpState] = field(default_factory=dict)
    unseen: list[str] = field(default_factory=list)  # ids whose row was gone before it was seen
    cancelled: set[str] = field(default_factory=set)  # creates a delete took back before sending
    _rows: dict[int, Chain] = field(default_factory=dict)

    def note(self, seq: int, op_id: str, entity: str, record_id: str) -> bool:
        """Remember that row ``seq`` carried ``op_id``; ``True`` if that is news."""
        if op_id in self.seen:
            return False
        self.seen.add(op_id)
        row = self._rows.get(seq)
        if (
            row is None
            or (row.entity, row.record_id) != (entity, record_id)
            or self.outcomes.get(row.op_ids[-1]) is OpState.APPLIED
        ):
            row = Chain(seq, entity, record_id)
            self.chains.append(row)
            self._rows[seq] = row
        row.op_ids.append(op_id)
        return True

    def cancel(self, entity: str, record_id: str) -> None:
        """A delete took back the record's create before it was sent (``record_edit`` answered no
        op id): the create's op id leaves the outbox unsent, as it should."""
        for chain in reversed(self.chains):
            if (chain.entity, chain.record_id) == (entity, record_id):
                self.cancelled.add(chain.op_ids[-1])
                return

    def note_outcome(self, op_id: str, state: OpState) -> None:
        if state in (OpState.APPLIED, OpState.CONFLICT, OpState.REJECTED):
            self.outcomes[op_id] = state

    def scan(self, store: Store) -> list[StoredOp]:
        """Note every op in the outbox; returns the ones that were news."""
        with store.read() as conn:
            ops = ops_in_states(conn, frozenset(OpState))
        return [op for op in ops if self.note(op.seq, op.op_id, op.entity, op.record_id)]

    def note_op_id(self, store: Store, op_id: str | None) -> StoredOp | None:
        """Note an id ``record_edit`` or an event named (its row looked up in the outbox);
        returns the op when that was news."""
        if op_id is None or op_id in self.seen:
            return None
        with store.read() as conn:
            op = op_by_id(conn, op_id)
        if op is None:
            # Gone already: only an id seen before can be (an applied op leaves the outbox).
            self.unseen.append(op_id)
            return None
        self.note(op.seq, op.op_id, op.entity, op.record_id)
        return op

    def on_event(self, store: Store, event: SyncEvent) -> StoredOp | None:
        """Note what an :class:`OpStateChanged` says; returns the op when it was news."""
        if not isinstance(event, OpStateChanged):
            return None
        found = self.note_op_id(store, event.op_id)
        self.note_outcome(event.op_id, event.state)
        return found

    # --- a ledger kept in a file -----------------------------------------------------------------

    @staticmethod
    def op_line(op: StoredOp) -> dict[str, Any]:
        return {
            "kind": "op",
            "seq": op.seq,
            "op_id": op.op_id,
            "entity": op.entity,
            "record_id": op.record_id,
        }

    @staticmethod
    def outcome_line(op_id: str, state: OpState) -> dict[str, Any]:
        return {"kind": "outcome", "op_id": op_id, "state": state.value}

    def read_line(self, data: Mapping[str, Any]) -> None:
        if data.get("kind") == "op":
            self.note(
                int(data["seq"]), str(data["op_id"]), str(data["entity"]), str(data["record_id"])
            )
        elif data.get("kind") == "outcome":
            self.note_outcome(str(data["op_id"]), OpState(data["state"]))


@dataclass(frozen=True)
class OpsVerdict:
    """What :func:`check_ops` found: ``problems`` must be empty."""

    problems: list[str]
    applied: int  # logical ops applied exactly once
    merged_away: int  # logical ops settled with nothing to send: by a merge, or taken back
    kept: int  # logical ops still in the outbox, explained
    server_applied: int  # ``ops_applied`` of ``/dev/stats`` at the check


def check_ops(
    bank: Bank,
    store: Store,
    ledger: OpLedger,
    *,
    applied_before: int,
) -> OpsVerdict:
    """Check every op the ledger knows against the server (see the module docstring).

    Args:
        applied_before: ``ops_applied`` of ``/dev/stats`` before the client started: the server's
            count must have grown by exactly the ops found applied here.
    """
    problems = [f"op {op_id} left the outbox before the ledger saw it" for op_id in ledger.unseen]
    ledger.scan(store)
    with store.read() as conn:
        left = {op.op_id: op for op in ops_in_states(conn, frozenset(OpState))}
        explained = {
            op_id: _explanation(op, len(open_conflicts_of_op(conn, op_id)))
            for op_id, op in left.items()
        }
    counts = {op_id: bank.applied_count(op_id) for op_id in ledger.seen}
    for op_id, count in counts.items():
        if count > 1:
            problems.append(f"op {op_id} was applied {count} times")
    applied = merged_away = kept = 0
    for op_ids in _logical_ops(ledger.chains, counts):
        last = op_ids[-1]
        what = f"op ids {op_ids}"
        if counts[last]:
            applied += 1
            if last in left:
                problems.append(f"{what}: applied, but still in the outbox")
            seen = ledger.outcomes.get(last)
            if seen not in (None, OpState.APPLIED):
                problems.append(f"{what}: applied, but the client saw it {seen}")
        elif last in left:
            if explained[last] is None:
                op = left[last]
                problems.append(
                    f"{what} ({op.op} {op.entity} {op.record_id}): stuck in state {op.state}, "
                    "never applied"
                )
            else:
                kept += 1
        elif ledger.outcomes.get(last) is OpState.CONFLICT:
            merged_away += 1  # a merge took the server's values for everything it carried
        elif last in ledger.cancelled:
            merged_away += 1
        else:
            problems.append(f"{what}: left the outbox but was never applied: lost")
    stats = bank.dev("stats")
    if stats["ops_applied_twice"] != 0:
        problems.append(f"the server applied {stats['ops_applied_twice']} ops twice")
    grown = int(stats["ops_applied"]) - applied_before
    if grown != applied:
        problems.append(
            f"the server applied {grown} new ops, the client knows of {applied}: "
            "an op id escaped the ledger"
        )
    return OpsVerdict(problems, applied, merged_away, kept, int(stats["ops_applied"]))


def _logical_ops(chains: Iterable[Chain], counts: Mapping[str, int]) -> list[list[str]]:
    """The ledger's rows, cut after every applied id: an applied op leaves the outbox, so an id
    that follows it on the same row number belongs to a new row (a kill may have cut off the
    line that said it was applied)."""
    found: list[list[str]] = []
    for chain in chains:
        current: list[str] = []
        for op_id in chain.op_ids:
            current.append(op_id)
            if counts[op_id]:
                found.append(current)
                current = []
        if current:
            found.append(current)
    return found


def _explanation(op: StoredOp, open_conflicts: int) -> str | None:
    """Why an op may legitimately stay in the outbox after a quiet sync, or ``None``."""
    if op.state in UNSENT_STATES:
        return None
    if op.state is OpState.CONFLICT and open_conflicts:
        return f"waits for the user in the conflict inbox ({open_conflicts} decisions)"
    if op.state is OpState.REJECTED and op.error_code and op.error_message:
        return f"refused by the server: {op.error_code}: {op.error_message}"
    return None


def leftovers(store: Store) -> list[str]:
    """Every op still in the outbox, in words (for the failure report)."""
    with store.read() as conn:
        ops = ops_in_states(conn, frozenset(OpState))
        return [
            f"{op.state} {op.op} {op.entity} {op.record_id} op={op.op_id} "
            f"code={op.error_code} fields={dict(op.fields)} "
            f"conflicts={len(open_conflicts_of_op(conn, op.op_id))}"
            for op in ops
        ]


def records_with_a_base(store: Store) -> list[str]:
    """Cached records still holding a merge base (a local change the server has not settled)."""
    found: list[str] = []
    with store.read() as conn:
        for name, table in schema.ENTITY_TABLES.items():
            if "base" not in table.c:
                continue
            ids = conn.execute(select(table.c.id).where(table.c.base.is_not(None))).scalars()
            found.extend(f"{name} {record_id}" for record_id in ids)
    return found


def cache_differences(store: Store, scope: Scope, *, limit: int = 20) -> list[str]:
    """Every difference between the cache and the server's scope, record by record, wire form."""
    cached = cached_records(store)
    found: list[str] = []
    for entity in sorted(set(cached) | set(scope)):
        mine = cached.get(entity, {})
        theirs = scope.get(entity, {})
        for record_id in sorted(set(mine) - set(theirs)):
            found.append(f"{entity} {record_id}: in the cache, not on the server")
        for record_id in sorted(set(theirs) - set(mine)):
            found.append(f"{entity} {record_id}: on the server, not in the cache")
        for record_id in sorted(set(mine) & set(theirs)):
            a, b = mine[record_id], theirs[record_id]
            names = sorted(n for n in set(a) | set(b) if a.get(n, _MISSING) != b.get(n, _MISSING))
            for name in names:
                found.append(
                    f"{entity} {record_id} {name}: cache {a.get(name, _MISSING)!r}, "
                    f"server {b.get(name, _MISSING)!r}"
                )
    return found[:limit] + ([f"… {len(found) - limit} more"] if len(found) > limit else [])


def cached_records(store: Store) -> dict[str, dict[str, dict[str, Any]]]:
    """Every cached record in its wire form (as :func:`~rm_desk.local_store.rows.decode_row` gives
    it), per entity and id.

    The same as the end-to-end tests' ``cache_of``, five times faster: one plain query per table
    and the decoding planned once per table, not once per row (the fault tests read the whole
    cache after each of thousands of schedules).
    """
    records: dict[str, dict[str, dict[str, Any]]] = {}
    with store.read() as conn:
        for name, table in schema.ENTITY_TABLES.items():
            columns = wire_columns(table)
            as_json = JSON_COLUMNS.get(table.name, frozenset())
            as_bool = boolean_columns(table)
            decoders = [
                orjson.loads if c in as_json else bool if c in as_bool else None for c in columns
            ]
            listed = ", ".join(f'"{c}"' for c in columns)
            rows = conn.exec_driver_sql(f'SELECT {listed} FROM "{table.name}"').all()
            entity: dict[str, dict[str, Any]] = {}
            for row in rows:
                record: dict[str, Any] = {
                    c: (v if decode is None or v is None else decode(v))
                    for c, v, decode in zip(columns, row, decoders, strict=True)
                }
                entity[record["id"]] = record
            records[str(name)] = entity
    return records


class _Missing:
    def __repr__(self) -> str:
        return "<absent>"


_MISSING = _Missing()


def unsent(store: Store) -> int:
    with store.read() as conn:
        return len(ops_in_states(conn, UNSENT_STATES))


def join(problems: Iterable[str]) -> str:
    return "\n  ".join(["", *problems])
