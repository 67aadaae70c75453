"""Applying pushed mutations, ``POST /mutations`` (API.md §3).

A batch runs in one transaction that first takes the rev counter's lock, so batches apply one at
a time and an ``op_id`` is looked up and stored without a race. Holding the lock, the batch reads
the records it names in one query, applies its ops to those copies (each op sees the ones before
it), hands out revs itself, and writes every changed row, op result and scope exit with one
``executemany`` each at the end (:class:`_BatchRecords`). Before anything is applied:

- an ``op_id`` seen before (stored, or earlier in the same batch) with another body, or another
  user's: the whole batch is refused with ``422 idempotency_mismatch``.

Then each mutation, in order and on its own (checked in full before it writes anything): a
repeat of a known ``op_id`` gets the stored result plus ``"replayed": true``; anything else is
applied and its result stored.

Checks of an **update**, in order (the first that fails decides):

1. the entity is one of the feed's (``rejected validation_error``);
2. the record exists and the user may see it (``rejected not_found``: a record of another book
   is not admitted to exist);
3. ``base_rev`` and a non-empty ``fields`` are given (``validation_error``);
4. a bank-owned entity (account, product …): ``field_not_editable``; a record of a book the user
   may not write: ``forbidden``;
5. every field is editable by the user's part in the record (``rm_desk.domain.fields``; tasks:
   assignee and/or assigner): ``field_not_editable`` naming each other field;
6. the record was deleted on the server: ``conflict`` of kind ``deleted``;
7. a visit more than 72 hours past: ``forbidden`` (DOMAIN.md: edit until 72 h after the visit);
8. the record with the new values parses with ``from_wire`` (types, codes, masking), no
   required field is set to null, and the rules of :mod:`rm_desk.domain.rules` that read a sent
   field hold (a visit ends after it starts, an amount is not negative); soft-profile keys are
   known: ``validation_error``;
9. a referenced customer (moving an opportunity or a visit) is in the user's book: ``not_found``;
10. no sent field changed on the server after ``base_rev`` to another value: else ``conflict`` of
    kind ``fields`` listing them; fields changed on the server but not sent merge silently;
11. applied: changed fields get the new rev; a record whose book changes leaves a scope exit;
    the answer's ``changed_fields`` names them (empty when the record already held every
    value sent: nothing is written and the rev stays).

A **create**: known and creatable entity (``forbidden`` otherwise), fields editable by a creator,
values fixed on create respected (a tag is manual and the RM's, a relationship proposed), id not
taken (``validation_error``), referenced customers in the user's book (``not_found``), a task's
assignee the user or, with ``task.reassign``, someone of the team (``forbidden``); the server
stamps ``rm_id`` (visit), ``assigner_id``, ``sla_due_at`` and ``escalation_level`` (task),
``owner_id`` (opportunity) and ``created_at``, then the record must parse with ``from_wire`` and
keep every rule of :mod:`rm_desk.domain.rules`.
It joins the book of its customer; without one, a task joins its assignee's book and anything
else the user's own.

A **delete**: visible record (``not_found``), ``base_rev`` given, deletable entity and writable
book (``forbidden``), a manual tag only (``forbidden``); already deleted: ``applied`` again with
the tombstone's rev; changed after ``base_rev``: ``conflict`` of kind ``modified``.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import orjson
from sqlalchemy import Connection, Insert, bindparam, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect

from crm_server.bulk import BulkStatement
from crm_server.conflicts import changed_after, conflicting_fields
from crm_server.database import Database
from crm_server.problems import Code, ProblemError
from crm_server.record_store import (
    RecordKey,
    StoredRecord,
    apply_fields,
    insert_records,
    load_record,
    load_records,
    save_records,
    scope_exit_row,
)
from crm_server.revs import advance_revs, lock_revs
from crm_server.schema import app_user, op_apply, op_result, scope_exit
from crm_server.scope import Principal
from crm_server.settings import Settings
from crm_server.timestamps import from_wire, to_epoch, to_wire
from crm_server.wire import Mutation
from rm_desk.domain.entities import ENTITY_TYPES, InvalidRecord
from rm_desk.domain.enums import Entity, Role, TaskPriority
from rm_desk.domain.fields import (
    CREATABLE_ENTITIES,
    DELETABLE_ENTITIES,
    FIXED_ON_CREATE,
    READ_ONLY_ENTITIES,
    SOFT_PROFILE_KEYS,
    RecordRole,
    editable_fields,
)
from rm_desk.domain.rules import RULE_FIELDS, value_problems

TASK_SLA: Mapping[TaskPriority, timedelta] = {
    TaskPriority.URGENT: timedelta(hours=4),
    TaskPriority.HIGH: timedelta(days=1),
    TaskPriority.NORMAL: timedelta(days=3),
    TaskPriority.LOW: timedelta(days=5),
}
"""Time from a task's creation to its SLA due time (DOMAIN.md rule A12)."""

VISIT_EDIT_WINDOW = timedelta(hours=72)
"""How long after a visit it may still be edited (DOMAIN.md)."""

REASSIGN_PERMISSION = "task.reassign"

_LINK_FIELDS = frozenset({"customer_id", "customer_ids", "from_customer_id"})
"""Fields linking a record to its customer: changing one may move the record to another book."""


@dataclass
class Rejected(Exception):
    """A mutation refused for good; answered as ``rejected`` and kept by the client."""

    code: str
    message: str
    field_errors: dict[str, str] = field(default_factory=dict)


def body_hash(mutation: Mutation) -> str:
    """The SHA-256 of a mutation's canonical JSON, to tell a replay from a reused ``op_id``.

    Raises:
        ProblemError: 422 ``validation_error`` for a number JSON cannot carry exactly (an
            integer beyond 64 bits).
    """
    # The members of the model, as model_dump() gives them (the same bytes, so hashes stored
    # before still match), without building the dump through pydantic.
    body = {
        "op_id": mutation.op_id,
        "entity": mutation.entity,
        "id": mutation.id,
        "op": mutation.op,
        "base_rev": mutation.base_rev,
        "fields": mutation.fields,
    }
    try:
        canonical = orjson.dumps(body, option=orjson.OPT_SORT_KEYS)
    except orjson.JSONEncodeError:
        raise ProblemError(
            422, Code.VALIDATION_ERROR, "A number in the request is too large."
        ) from None
    return hashlib.sha256(canonical).hexdigest()


class Mutations:
    """Applies batches of mutations for signed-in users (see the module docstring).

    Args:
        database: The records, op results and the rev counter.
        settings: The clock and how long op results are kept.
    """

    def __init__(self, database: Database, settings: Settings) -> None:
        self.db = database
        self.settings = settings

    def apply(self, principal: Principal, batch: Sequence[Mutation]) -> list[dict[str, Any]]:
        """Apply a batch and return one result per mutation, in order.

        Raises:
            ProblemError: 422 ``idempotency_mismatch``; nothing of the batch was applied.
        """
        now = self.settings.clock()
        hashes = [body_hash(mutation) for mutation in batch]
        _check_repeats_in_batch(batch, hashes)
        with self.db.write() as conn:
            records = _BatchRecords(conn, lock_revs(conn))
            known = _stored_results(conn, principal, batch, hashes)
            conn.execute(
                delete(op_result).where(
                    op_result.c.created_at < to_epoch(now - self.settings.op_retention)
                )
            )
            records.read(_named_records(m for m in batch if m.op_id not in known))
            results: list[dict[str, Any]] = []
            fresh: list[tuple[Mutation, str, dict[str, Any]]] = []
            for mutation, digest in zip(batch, hashes, strict=True):
                earlier = known.get(mutation.op_id)
                if earlier is not None:
                    results.append({**earlier, "replayed": True})
                    continue
                result = _apply_one(records, principal, mutation, now)
                fresh.append((mutation, digest, result))
                known[mutation.op_id] = result
                results.append(result)
            records.write()
            _remember(conn, principal, fresh, now)
        return results


class _BatchRecords:
    """The records one batch reads and writes, and the revs it hands out.

    Reads come from the copies read at the start (or on first use), and changes go to those
    copies, so each op sees the ops before it; :meth:`write` stores them all. Safe only while
    the batch holds the rev counter's lock, which keeps every other writer of records out.

    Args:
        conn: The batch's writing transaction.
        last_rev: The last rev handed out before the batch (from :func:`lock_revs`).
    """

    def __init__(self, conn: Connection, last_rev: int) -> None:
        self.conn = conn
        self.last_rev = last_rev
        self._first_rev = last_rev
        self._copies: dict[RecordKey, StoredRecord | None] = {}
        self._new: dict[RecordKey, StoredRecord] = {}
        self._changed: dict[RecordKey, StoredRecord] = {}
        self._exits: list[dict[str, Any]] = []

    def read(self, keys: set[RecordKey]) -> None:
        """Read the records of ``keys`` in one query (the ones the batch names)."""
        wanted = keys - self._copies.keys()
        found = load_records(self.conn, wanted)
        self._copies.update({key: found.get(key) for key in wanted})

    def get(self, entity: str, record_id: str) -> StoredRecord | None:
        """The batch's copy of a record, ``None`` if there is none."""
        key = (entity, record_id)
        if key not in self._copies:
            self._copies[key] = load_record(self.conn, entity, record_id)
        return self._copies[key]

    def take_revs(self, count: int = 1) -> int:
        """Reserve ``count`` consecutive revs; the first of them."""
        first = self.last_rev + 1
        self.last_rev += count
        return first

    def insert(self, stored: StoredRecord) -> None:
        """Add a new record (its rev taken from :meth:`take_revs`)."""
        key = (stored.entity, stored.id)
        self._copies[key] = self._new[key] = stored

    def save(self, stored: StoredRecord) -> None:
        """Mark a copy from :meth:`get` as changed (it has a new rev)."""
        key = (stored.entity, stored.id)
        if key not in self._new:
            self._changed[key] = stored

    def leave_book(
        self,
        *,
        rev: int,
        entity: str,
        record_id: str,
        old_book: tuple[str | None, str | None],
        new_book: tuple[str | None, str | None],
    ) -> None:
        """Note that a record left ``old_book`` for ``new_book``, if any feed must hear of it."""
        row = scope_exit_row(
            rev=rev, entity=entity, record_id=record_id, old_book=old_book, new_book=new_book
        )
        if row is not None:
            self._exits.append(row)

    def write(self) -> None:
        """Store every new and changed record, the scope exits and the last rev handed out."""
        insert_records(self.conn, self._new.values())
        save_records(self.conn, self._changed.values())
        if self._exits:
            self.conn.execute(scope_exit.insert(), self._exits)
        if self.last_rev != self._first_rev:
            advance_revs(self.conn, self.last_rev)


def _named_records(batch: Iterable[Mutation]) -> set[RecordKey]:
    """The records a batch names: each op's own, and the customers its fields link to."""
    keys: set[RecordKey] = set()
    for mutation in batch:
        keys.add((mutation.entity, mutation.id))
        fields = mutation.fields or {}
        links = [fields.get("customer_id"), fields.get("from_customer_id")]
        if isinstance(fields.get("customer_ids"), list):
            links.extend(fields["customer_ids"])
        keys.update((Entity.CUSTOMER.value, link) for link in links if isinstance(link, str))
    return keys


def _apply_one(
    records: _BatchRecords, principal: Principal, mutation: Mutation, now: datetime
) -> dict[str, Any]:
    # No savepoint is needed: an op checks everything before it changes anything, so a
    # rejection leaves nothing behind (and any other failure rolls the whole batch back).
    try:
        return _Op(records, principal, mutation, now).run()
    except Rejected as rejected:
        return {
            "op_id": mutation.op_id,
            "status": "rejected",
            "code": rejected.code,
            "message": rejected.message,
            "field_errors": rejected.field_errors,
        }


def _check_repeats_in_batch(batch: Sequence[Mutation], hashes: Sequence[str]) -> None:
    seen: dict[str, str] = {}
    for mutation, digest in zip(batch, hashes, strict=True):
        if seen.setdefault(mutation.op_id, digest) != digest:
            raise _mismatch(mutation.op_id)


def _stored_results(
    conn: Connection, principal: Principal, batch: Sequence[Mutation], hashes: Sequence[str]
) -> dict[str, dict[str, Any]]:
    wanted = dict(zip((m.op_id for m in batch), hashes, strict=True))
    rows = conn.execute(
        select(
            op_result.c.op_id, op_result.c.user_id, op_result.c.body_hash, op_result.c.result
        ).where(op_result.c.op_id.in_(list(wanted)))
    ).all()
    known: dict[str, dict[str, Any]] = {}
    for op_id, user_id, digest, result in rows:
        if user_id != principal.user_id or digest != wanted[op_id]:
            raise _mismatch(op_id)
        known[op_id] = orjson.loads(result)
    return known


def _mismatch(op_id: str) -> ProblemError:
    return ProblemError(
        422,
        Code.IDEMPOTENCY_MISMATCH,
        "An op_id was sent again with a different body; nothing of this batch was applied.",
        extra={"op_id": op_id},
    )


def _remember(
    conn: Connection,
    principal: Principal,
    fresh: Sequence[tuple[Mutation, str, Mapping[str, Any]]],
    now: datetime,
) -> None:
    """Store the results of a batch's new ops, and count the ones that were applied."""
    if not fresh:
        return
    created_at = to_epoch(now)
    _INSERT_RESULT.execute(
        conn,
        [
            (
                mutation.op_id,
                principal.user_id,
                digest,
                orjson.dumps(result).decode(),
                created_at,
            )
            for mutation, digest, result in fresh
        ],
    )
    # One statement: a new op_id counts 1; one seen before (its stored result expired and it was
    # sent again) counts once more, which is a double apply.
    _COUNT_APPLY.execute(
        conn,
        [(mutation.op_id,) for mutation, _, result in fresh if result["status"] == "applied"],
    )


_INSERT_RESULT = BulkStatement(
    op_result.insert(), ("op_id", "user_id", "body_hash", "result", "created_at")
)


def _count_apply(dialect: Dialect) -> Insert:
    dialect_insert = sqlite.insert if dialect.name == "sqlite" else postgresql.insert
    insert = dialect_insert(op_apply).values(op_id=bindparam("op_id"), applied_count=1)
    return insert.on_conflict_do_update(
        index_elements=[op_apply.c.op_id],
        set_={"applied_count": op_apply.c.applied_count + 1},
    )


_COUNT_APPLY = BulkStatement(_count_apply, ("op_id",))


class _Op:
    """One mutation being applied to the batch's records; methods raise :class:`Rejected` to
    refuse it, and only ever before they change anything."""

    def __init__(
        self, records: _BatchRecords, principal: Principal, mutation: Mutation, now: datetime
    ) -> None:
        self.records = records
        self.conn = records.conn
        self.principal = principal
        self.mutation = mutation
        self.now = now

    def run(self) -> dict[str, Any]:
        entity = _entity(self.mutation.entity)
        if self.mutation.op == "create":
            return self.create(entity)
        current = self.records.get(entity.value, self.mutation.id)
        if current is None or not self.principal.may_see(current.rm_id, current.team_id):
            raise Rejected("not_found", "There is no such record in your book.")
        if self.mutation.base_rev is None:
            raise Rejected(
                "validation_error",
                "An update or delete needs the base_rev of the copy it was made on.",
                {"base_rev": "is required"},
            )
        if self.mutation.op == "update":
            return self.update(entity, current, self.mutation.base_rev)
        return self.delete(entity, current, self.mutation.base_rev)

    # --- create -------------------------------------------------------------------------------

    def create(self, entity: Entity) -> dict[str, Any]:
        if entity not in CREATABLE_ENTITIES:
            raise Rejected("forbidden", "Records of this kind cannot be created from the app.")
        fields = dict(self.mutation.fields or {})
        if not fields:
            raise Rejected(
                "validation_error", "A create needs its fields.", {"fields": "is required"}
            )
        _check_editable(fields, editable_fields(entity, RecordRole.CREATOR))
        for name, value in FIXED_ON_CREATE.get(entity, {}).items():
            if fields.setdefault(name, value) != value:
                raise Rejected(
                    "validation_error",
                    "This field has a fixed value on records created in the app.",
                    {name: f"must be {value!r}"},
                )
        if self.records.get(entity.value, self.mutation.id) is not None:
            raise Rejected(
                "validation_error",
                "A record with this id already exists.",
                {"id": "already exists"},
            )
        fields.update(self._stamps(entity, fields))
        data = _normalized(
            entity, {**fields, "id": self.mutation.id, "rev": 0}, fields, creating=True
        )
        if entity is Entity.TASK:
            data["sla_due_at"] = to_wire(self.now + TASK_SLA[TaskPriority(data["priority"])])
        rm_id, team_id, customer_id = self._book(entity, data)
        rev = self.records.take_revs()
        stored = StoredRecord(
            entity=entity.value,
            id=self.mutation.id,
            rev=rev,
            rm_id=rm_id,
            team_id=team_id,
            customer_id=customer_id,
            deleted=False,
            data=data,
        )
        self.records.insert(stored)
        return self._applied(stored)

    def _stamps(self, entity: Entity, fields: Mapping[str, Any]) -> dict[str, Any]:
        now = _wire_time(self.now)
        user = self.principal.user_id
        if entity is Entity.VISIT:
            return {"rm_id": user, "created_at": now}
        if entity is Entity.TASK:
            assignee = fields.get("assignee_id", user)
            self._check_assignee(assignee)
            return {
                "assignee_id": assignee,
                "assigner_id": user,
                "created_at": now,
                "escalation_level": 0,
            }
        if entity is Entity.OPPORTUNITY:
            return {"owner_id": user, "created_at": now}
        return {}

    def _check_assignee(self, assignee: object) -> None:
        if assignee == self.principal.user_id:
            return
        if not isinstance(assignee, str):
            raise Rejected(
                "validation_error",
                "The assignee must be a user id.",
                {"assignee_id": "expected a string"},
            )
        row = self.conn.execute(select(app_user.c.team_id).where(app_user.c.id == assignee)).first()
        if row is None:
            raise Rejected(
                "validation_error",
                "There is no such user to assign the task to.",
                {"assignee_id": "unknown user"},
            )
        if REASSIGN_PERMISSION not in self.principal.permissions or (
            row.team_id != self.principal.team_id
        ):
            raise Rejected(
                "forbidden",
                "You may not assign tasks to this user.",
                {"assignee_id": "not allowed"},
            )

    # --- update -------------------------------------------------------------------------------

    def update(self, entity: Entity, current: StoredRecord, base_rev: int) -> dict[str, Any]:
        sent = dict(self.mutation.fields or {})
        if not sent:
            raise Rejected(
                "validation_error", "An update needs at least one field.", {"fields": "is required"}
            )
        if entity in READ_ONLY_ENTITIES:
            _check_editable(sent, frozenset())
        if not self.principal.may_write(current.rm_id, current.team_id):
            raise Rejected("forbidden", "You may not change records of this book.")
        _check_editable(sent, self._editable(entity, current))
        if current.deleted:
            return self._conflict("deleted", current, [])
        if entity is Entity.VISIT:
            self._check_visit_window(current)
        if entity is Entity.TASK and "assignee_id" in sent:
            self._check_assignee(sent["assignee_id"])
        if entity is Entity.CUSTOMER:
            _check_soft_profile(sent)
        values = _normalized_sent(entity, current, sent)
        new_book = (current.rm_id, current.team_id, current.customer_id)
        moves = _LINK_FIELDS | ({"assignee_id"} if entity is Entity.TASK else set())
        if entity is not Entity.CUSTOMER and sent.keys() & moves:
            new_book = self._book(entity, {**current.data, **values})
        conflicts = conflicting_fields(values, current.data, current.field_revs, base_rev)
        if conflicts:
            return self._conflict("fields", current, conflicts)
        if all(current.data.get(name) == value for name, value in values.items()):
            return self._applied(current, changed=[])
        old_book = (current.rm_id, current.team_id)
        moved = new_book[:2] != old_book
        rev = self.records.take_revs(2 if moved else 1)
        if moved:
            self.records.leave_book(
                rev=rev,
                entity=entity.value,
                record_id=current.id,
                old_book=old_book,
                new_book=new_book[:2],
            )
            rev += 1
        changed = apply_fields(current, values, rev)
        current.rm_id, current.team_id, current.customer_id = new_book
        current.rev = rev
        self.records.save(current)
        return self._applied(current, changed=changed)

    def _editable(self, entity: Entity, current: StoredRecord) -> frozenset[str]:
        if entity is not Entity.TASK:
            return editable_fields(entity, RecordRole.EDITOR)
        user = self.principal.user_id
        roles: set[RecordRole] = set()
        if current.data.get("assignee_id") == user:
            roles.add(RecordRole.ASSIGNEE)
        if current.data.get("assigner_id") == user or (
            self.principal.role is Role.TEAM_LEAD
            and REASSIGN_PERMISSION in self.principal.permissions
        ):
            roles.add(RecordRole.ASSIGNER)
        return frozenset().union(*(editable_fields(entity, role) for role in roles))

    def _check_visit_window(self, current: StoredRecord) -> None:
        when = current.data.get("end_at") or current.data.get("start_at")
        try:
            took_place = from_wire(when) if isinstance(when, str) else None
        except ValueError:
            took_place = None
        if took_place is not None and self.now - took_place > VISIT_EDIT_WINDOW:
            raise Rejected(
                "forbidden",
                "A visit can be edited until 72 hours after it took place; add an addendum.",
            )

    # --- delete -------------------------------------------------------------------------------

    def delete(self, entity: Entity, current: StoredRecord, base_rev: int) -> dict[str, Any]:
        if entity not in DELETABLE_ENTITIES or not self.principal.may_write(
            current.rm_id, current.team_id
        ):
            raise Rejected("forbidden", "You may not delete this record.")
        if entity is Entity.CUSTOMER_TAG and current.data.get("source") != "rm":
            raise Rejected("forbidden", "Only tags added by an RM can be removed in the app.")
        if current.deleted:
            return self._applied(current)
        changed = changed_after(current.field_revs, base_rev)
        if changed:
            return self._conflict("modified", current, changed)
        current.rev = self.records.take_revs()
        current.deleted = True
        self.records.save(current)
        return self._applied(current)

    # --- shared -------------------------------------------------------------------------------

    def _book(
        self, entity: Entity, data: Mapping[str, Any]
    ) -> tuple[str | None, str | None, str | None]:
        """The book a record with these values belongs to: ``(rm_id, team_id, customer_id)``."""
        link_field, customer_ids = _customer_refs(entity, data)
        book: tuple[str | None, str | None] | None = None
        for customer_id in customer_ids:
            customer = self.records.get(Entity.CUSTOMER.value, customer_id)
            if (
                customer is None
                or customer.deleted
                or not self.principal.may_see(customer.rm_id, customer.team_id)
            ):
                raise Rejected(
                    "not_found",
                    "There is no such customer in your book.",
                    {link_field: "no such customer in your book"},
                )
            if not self.principal.may_write(customer.rm_id, customer.team_id):
                raise Rejected(
                    "forbidden",
                    "You may not add records to this customer.",
                    {link_field: "not in your book"},
                )
            if book is None:
                book = (customer.rm_id, customer.team_id)
        if book is not None:
            return book[0], book[1], customer_ids[0]
        if entity is Entity.TASK:
            row = self.conn.execute(
                select(app_user.c.role, app_user.c.team_id).where(
                    app_user.c.id == data.get("assignee_id")
                )
            ).first()
            if row is not None:
                rm_id = data["assignee_id"] if row.role == Role.RM.value else None
                return rm_id, row.team_id, None
        rm_id, team_id = self.principal.own_book()
        return rm_id, team_id, None

    def _applied(
        self, stored: StoredRecord, *, changed: Iterable[str] | None = None
    ) -> dict[str, Any]:
        answer = {
            "op_id": self.mutation.op_id,
            "status": "applied",
            "rev": stored.rev,
            "record": stored.answer(),
        }
        if changed is not None:
            # Which sent fields this update wrote; the others already held the values sent
            # (docs/decisions.md, "changed_fields").
            answer["changed_fields"] = sorted(changed)
        return answer

    def _conflict(self, kind: str, current: StoredRecord, fields: Iterable[str]) -> dict[str, Any]:
        return {
            "op_id": self.mutation.op_id,
            "status": "conflict",
            "kind": kind,
            "rev": current.rev,
            "record": current.answer(),
            "field_revs": dict(current.field_revs),
            "conflicting_fields": list(fields),
        }


def _entity(name: str) -> Entity:
    entity = _ENTITIES.get(name)
    if entity is None:
        raise Rejected(
            "validation_error", "There is no such kind of record.", {"entity": "unknown entity"}
        )
    return entity


_ENTITIES: Mapping[str, Entity] = {entity.value: entity for entity in Entity}


@functools.lru_cache(maxsize=4)
def _wire_time(now: datetime) -> str:
    """``now`` as wire text: the same for every op of a batch, so written once."""
    return to_wire(now)


def _check_editable(sent: Mapping[str, Any], editable: frozenset[str]) -> None:
    refused = sorted(name for name in sent if name not in editable)
    if refused:
        raise Rejected(
            "field_not_editable",
            "Some fields may not be changed from the app.",
            {name: "not editable" for name in refused},
        )


def _check_soft_profile(sent: Mapping[str, Any]) -> None:
    profile = sent.get("soft_profile")
    if isinstance(profile, Mapping):
        unknown = sorted(key for key in profile if key not in SOFT_PROFILE_KEYS)
        if unknown:
            raise Rejected(
                "validation_error",
                "The soft profile holds keys the contract does not know.",
                {f"soft_profile.{key}": "unknown key" for key in unknown},
            )


def _normalized(
    entity: Entity, wire: Mapping[str, Any], sent: Mapping[str, Any], *, creating: bool = False
) -> dict[str, Any]:
    """Parse a whole record with ``from_wire`` and return its canonical wire form (no ``rev``).

    Raises:
        Rejected: ``validation_error`` naming the field that does not parse, a sent field that
            is null where the record needs a value, or a value that breaks a rule of
            :mod:`rm_desk.domain.rules` (an update: the rules reading a sent field).
    """
    try:
        parsed = ENTITY_TYPES[entity].from_wire(wire)
        data = parsed.to_wire()
    except InvalidRecord as invalid:
        raise Rejected(
            "validation_error",
            "A field does not have a valid value.",
            {invalid.field or "fields": invalid.message},
        ) from None
    broken = value_problems(parsed, None if creating else sent)
    if broken:
        raise Rejected("validation_error", "A field does not have a valid value.", broken)
    for name, value in sent.items():
        if value is None and data.get(name) is not None:
            raise Rejected(
                "validation_error",
                "A field does not have a valid value.",
                {name: "must not be null"},
            )
    data.pop("rev", None)
    return data


def _normalized_sent(
    entity: Entity, current: StoredRecord, sent: Mapping[str, Any]
) -> dict[str, Any]:
    """The sent fields of an update in canonical wire form, parsed as the record would be.

    ``from_wire`` parses each field on its own, and the stored record passed it when it was
    written, so the record with the new values parses exactly when the sent fields do alongside
    the fields the record cannot lack; the other stored fields need not be parsed again (an
    opportunity has 3 such fields of 14, and parsing the whole record was most of the cost of
    a stage change).

    Raises:
        Rejected: ``validation_error``, as :func:`_normalized`.
    """
    stored = current.data
    wire = {name: stored[name] for name in _REQUIRED[entity] if name in stored}
    ruled = RULE_FIELDS.get(entity, frozenset())
    if not ruled.isdisjoint(sent):  # a rule reads the record's other values of its set
        wire.update((name, stored[name]) for name in ruled if name in stored)
    wire.update(sent)
    wire["id"] = current.id
    wire["rev"] = current.rev
    normalized = _normalized(entity, wire, sent)
    return {name: normalized[name] for name in sent}


_REQUIRED: Mapping[Entity, tuple[str, ...]] = {
    entity: tuple(
        spec.name
        for spec in dataclasses.fields(record_type)  # type: ignore[arg-type]
        if spec.default is dataclasses.MISSING and spec.default_factory is dataclasses.MISSING
    )
    for entity, record_type in ENTITY_TYPES.items()
}
"""The fields each entity's ``from_wire`` requires (no default)."""


def _customer_refs(entity: Entity, data: Mapping[str, Any]) -> tuple[str, list[str]]:
    """The field linking a record to customers, and the customer ids it names (main first)."""
    if entity is Entity.CUSTOMER:
        return "id", []
    if entity is Entity.VISIT:
        ids = data.get("customer_ids") or []
        return "customer_ids", [str(customer_id) for customer_id in ids]
    if entity is Entity.RELATIONSHIP:
        link = data.get("from_customer_id")
        return "from_customer_id", [str(link)] if link else []
    link = data.get("customer_id")
    return "customer_id", [str(link)] if link else []
