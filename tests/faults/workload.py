"""A seeded RM at work, for the fault tests: the edits they make, and sync run as the app runs it.

Shared by the in-process fault schedules (``test_sync_under_faults.py``) and the program the kill
tests start and kill (``kill_client.py``), so both make the same kinds of edits and the same checks
apply to both.

- :class:`Book` is what one workload may touch: a few of the user's customers, tasks assigned to
  them and their opportunities, picked with the seed after the first complete sync.
- :class:`Workload` makes one edit per step through :func:`~rm_desk.local_store.writes.record_edit`
  (the app's one write path): a visit logged, a visit's notes edited, a task's status changed, an
  opportunity moved to another stage, a soft-profile remark, a manual tag added or removed. Each
  step draws from ``Random(f"{label}:{step}")``, so a program restarted at step *n* carries on
  with the same edits it would have made.
- Each :class:`Edit` says what the bank must hold afterwards (``expect``), by merge field
  (``soft_profile.remarks`` for one key of the soft profile), so :class:`Expectations` can fold
  a history of edits into the values the server must end with: nothing the user saved is lost.
- :class:`SyncDriver` runs sync rounds with the app's own :class:`~rm_desk.sync.scheduler.
  SyncWorker` on a fake monotonic clock: its errors are caught, classified and retried exactly as
  the sync thread would (backoff, ``Retry-After``, probing ``/health`` while offline, signing in
  again after the session ended), without waiting for real seconds.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import select

from rm_desk.domain.enums import OpKind, OpportunityStage, TaskStatus
from rm_desk.domain.fields import RecordRole
from rm_desk.local_store import Store, schema
from rm_desk.local_store.outbox import load_record
from rm_desk.local_store.writes import new_record_id, record_edit
from rm_desk.sync.client import ApiClient
from rm_desk.sync.events import SyncEvent
from rm_desk.sync.scheduler import Action, ScheduleSettings, SyncWorker

ISO = "%Y-%m-%dT%H:%M:%SZ"
DELETED = "*deleted*"
"""The merge-field name of :attr:`Edit.expect` saying the record must be gone from the server."""


class Kind(StrEnum):
    VISIT = "visit"
    VISIT_NOTES = "visit_notes"
    TASK = "task"
    OPPORTUNITY = "opportunity"
    REMARK = "remark"
    TAG_ADD = "tag_add"
    TAG_REMOVE = "tag_remove"


BASIC_KINDS = (Kind.VISIT, Kind.TASK, Kind.OPPORTUNITY, Kind.REMARK, Kind.TAG_ADD)
"""One of each makes the seeded set every schedule starts from."""

_WEIGHTS: Mapping[Kind, int] = {
    Kind.VISIT: 2,
    Kind.VISIT_NOTES: 2,
    Kind.TASK: 3,
    Kind.OPPORTUNITY: 3,
    Kind.REMARK: 3,
    Kind.TAG_ADD: 2,
    Kind.TAG_REMOVE: 2,
}


@dataclass(frozen=True)
class Edit:
    """One edit the user saved: what :func:`record_edit` was given and what the bank must hold."""

    step: int
    kind: Kind
    entity: str
    record_id: str
    op: OpKind
    fields: dict[str, Any]
    expect: dict[str, Any]
    role: RecordRole | None = None
    stamped: dict[str, Any] | None = None
    op_id: str | None = None  # once saved; None: the edit took back a create never sent

    def to_json(self) -> dict[str, Any]:
        return {
            "step": self.step,
            "kind": self.kind.value,
            "entity": self.entity,
            "record_id": self.record_id,
            "op": self.op.value,
            "fields": self.fields,
            "expect": self.expect,
            "role": None if self.role is None else self.role.value,
            "stamped": self.stamped,
            "op_id": self.op_id,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Edit:
        return cls(
            step=int(data["step"]),
            kind=Kind(data["kind"]),
            entity=str(data["entity"]),
            record_id=str(data["record_id"]),
            op=OpKind(data["op"]),
            fields=dict(data["fields"]),
            expect=dict(data["expect"]),
            role=None if data.get("role") is None else RecordRole(data["role"]),
            stamped=data.get("stamped"),
            op_id=data.get("op_id"),
        )


@dataclass(frozen=True)
class Book:
    """The records one workload may edit (ids, sorted), picked once after the first sync."""

    customers: tuple[str, ...]
    tasks: tuple[str, ...]
    opportunities: tuple[str, ...]

    @classmethod
    def pick(cls, store: Store, user: str, rng: random.Random) -> Book:
        """A few of ``user``'s customers, tasks assigned to them and opportunities they own."""
        c, t, o = schema.customer, schema.task, schema.opportunity
        with store.read() as conn:
            customers = conn.execute(
                select(c.c.id).where(c.c.primary_rm_id == user).order_by(c.c.id)
            ).scalars()
            tasks = conn.execute(
                select(t.c.id).where(t.c.assignee_id == user).order_by(t.c.id)
            ).scalars()
            opportunities = conn.execute(
                select(o.c.id)
                .where(o.c.owner_id == user, o.c.customer_id.is_not(None))
                .order_by(o.c.id)
            ).scalars()
            pools = (list(customers), list(tasks), list(opportunities))
        picked = [
            tuple(sorted(rng.sample(pool, min(size, len(pool)))))
            for pool, size in zip(pools, (2, 2, 2), strict=True)
        ]
        return cls(*picked)

    def records(self) -> list[tuple[str, str]]:
        return [
            *(("customer", i) for i in self.customers),
            *(("task", i) for i in self.tasks),
            *(("opportunity", i) for i in self.opportunities),
        ]


class Workload:
    """Makes the seeded edits of one user (see the module docstring).

    Args:
        store: The user's cache.
        user: The signed-in user (the visits' RM, the tasks' assignee).
        label: Names this workload in the edits' text, and seeds each step.
        book: What it may edit.
        clock: The cache's clock (a visit happened two hours before it).
        history: Edits made before (a restarted program): visits and tags created then are
            edited and removed again.
    """

    def __init__(
        self,
        store: Store,
        user: str,
        label: str,
        book: Book,
        clock: Callable[[], datetime],
        history: Iterable[Edit] = (),
    ) -> None:
        self.store = store
        self.user = user
        self.label = label
        self.book = book
        self.clock = clock
        self.visits: list[str] = []
        self.tags: list[str] = []
        for edit in history:
            self.remember(edit)

    def rng(self, step: int) -> random.Random:
        return random.Random(f"{self.label}:{step}")

    def edit(self, step: int, kind: Kind | None = None) -> Edit:
        """Plan the edit of ``step`` and save it."""
        return self.save(self.plan(step, kind))

    def plan(self, step: int, kind: Kind | None = None) -> Edit:
        """The edit of ``step``, not saved yet: of ``kind``, or one the step's randomness picks."""
        rng = self.rng(step)
        possible = [k for k in Kind if self._possible(k)]
        if kind is None or kind not in possible:
            kind = rng.choices(possible, weights=[_WEIGHTS[k] for k in possible])[0]
        edit = getattr(self, f"_{kind.value}")(rng, step)
        assert isinstance(edit, Edit)
        return edit

    def save(self, edit: Edit) -> Edit:
        """Save a planned edit through ``record_edit``; returns it with its op id."""
        extra: dict[str, Any] = {}
        if edit.role is not None:
            extra["role"] = edit.role
        if edit.stamped is not None:
            extra["stamped"] = edit.stamped
        result = record_edit(self.store, edit.entity, edit.record_id, edit.op, edit.fields, **extra)
        saved = replace(edit, op_id=result.op_id)
        self.remember(saved)
        return saved

    def committed(self, edit: Edit) -> bool:
        """Whether a planned edit is in the cache already (a program killed right after saving
        it restarts without knowing)."""
        with self.store.read() as conn:
            record = load_record(conn, edit.entity, edit.record_id)
        if edit.op is OpKind.DELETE:
            return record is None
        if record is None:
            return False
        return all(record.visible.get(name) == value for name, value in edit.fields.items())

    def _possible(self, kind: Kind) -> bool:
        if kind in (Kind.VISIT, Kind.REMARK, Kind.TAG_ADD):
            return bool(self.book.customers)
        if kind is Kind.VISIT_NOTES:
            return bool(self.visits)
        if kind is Kind.TASK:
            return bool(self.book.tasks)
        if kind is Kind.OPPORTUNITY:
            return bool(self.book.opportunities)
        return bool(self.tags)

    def remember(self, edit: Edit) -> None:
        if edit.kind is Kind.VISIT:
            self.visits.append(edit.record_id)
        elif edit.kind is Kind.TAG_ADD:
            self.tags.append(edit.record_id)
        elif edit.kind is Kind.TAG_REMOVE and edit.record_id in self.tags:
            self.tags.remove(edit.record_id)

    def _visible(self, entity: str, record_id: str) -> Mapping[str, Any]:
        with self.store.read() as conn:
            record = load_record(conn, entity, record_id)
        assert record is not None, (entity, record_id)
        return record.visible

    def _planned(
        self,
        step: int,
        kind: Kind,
        entity: str,
        record_id: str,
        op: OpKind,
        fields: dict[str, Any],
        expect: dict[str, Any],
        **extra: Any,
    ) -> Edit:
        return Edit(step, kind, entity, record_id, op, fields, expect, **extra)

    # --- one method per kind ---------------------------------------------------------------------

    def _visit(self, rng: random.Random, step: int) -> Edit:
        started = self.clock() - timedelta(hours=2)
        fields = {
            "customer_ids": [rng.choice(self.book.customers)],
            "channel": rng.choice(["onsite", "branch", "phone", "wechat"]),
            "purpose": rng.choice(["renewal", "portfolio_review", "care"]),
            "start_at": started.strftime(ISO),
            "end_at": (started + timedelta(hours=1)).strftime(ISO),
            "location_text": "客户公司",
            "notes": f"{self.label} 第{step}步：客户有50万定期本周到期，倾向续作。",
            "outcome": rng.choice(["positive", "neutral", "follow_up"]),
            "next_steps": "周五前发送产品说明书",
            "linked_task_ids": [],
            "linked_opportunity_ids": [],
        }
        expect = {**fields, "rm_id": self.user}
        return self._planned(
            step,
            Kind.VISIT,
            "visit",
            new_record_id(),
            OpKind.CREATE,
            fields,
            expect,
            stamped={"rm_id": self.user},
        )

    def _visit_notes(self, rng: random.Random, step: int) -> Edit:
        visit_id = rng.choice(self.visits)
        fields = {"notes": f"{self.label} 第{step}步补记：客户要求下周再约。"}
        return self._planned(
            step, Kind.VISIT_NOTES, "visit", visit_id, OpKind.UPDATE, fields, dict(fields)
        )

    def _task(self, rng: random.Random, step: int) -> Edit:
        task_id = rng.choice(self.book.tasks)
        current = self._visible("task", task_id)["status"]
        status = rng.choice([s.value for s in TaskStatus if s.value != current])
        fields: dict[str, Any] = {"status": status}
        if status == TaskStatus.COMPLETED.value:
            fields["completion_note"] = f"{self.label} 第{step}步：已电话确认。"
        return self._planned(
            step,
            Kind.TASK,
            "task",
            task_id,
            OpKind.UPDATE,
            fields,
            dict(fields),
            role=RecordRole.ASSIGNEE,
        )

    def _opportunity(self, rng: random.Random, step: int) -> Edit:
        opportunity_id = rng.choice(self.book.opportunities)
        current = self._visible("opportunity", opportunity_id)["stage"]
        stage = rng.choice([s.value for s in OpportunityStage if s.value != current])
        fields = {"stage": stage}
        return self._planned(
            step,
            Kind.OPPORTUNITY,
            "opportunity",
            opportunity_id,
            OpKind.UPDATE,
            fields,
            dict(fields),
        )

    def _remark(self, rng: random.Random, step: int) -> Edit:
        customer_id = rng.choice(self.book.customers)
        profile = dict(self._visible("customer", customer_id).get("soft_profile") or {})
        remark = f"{self.label} 第{step}步：喜欢上午联系。"
        profile["remarks"] = remark
        return self._planned(
            step,
            Kind.REMARK,
            "customer",
            customer_id,
            OpKind.UPDATE,
            {"soft_profile": profile},
            {"soft_profile.remarks": remark},
        )

    def _tag_add(self, rng: random.Random, step: int) -> Edit:
        fields = {
            "customer_id": rng.choice(self.book.customers),
            "name": f"跟进{self.label}-{step}",
            "category": "manual",
            "source": "rm",
        }
        return self._planned(
            step,
            Kind.TAG_ADD,
            "customer_tag",
            new_record_id(),
            OpKind.CREATE,
            fields,
            dict(fields),
        )

    def _tag_remove(self, rng: random.Random, step: int) -> Edit:
        tag_id = rng.choice(self.tags)
        return self._planned(
            step, Kind.TAG_REMOVE, "customer_tag", tag_id, OpKind.DELETE, {}, {DELETED: True}
        )


@dataclass
class Expectations:
    """What the server must hold: the last value written to each merge field, by anyone."""

    values: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)

    def add(self, entity: str, record_id: str, expect: Mapping[str, Any]) -> None:
        record = self.values.setdefault((entity, record_id), {})
        if DELETED in expect:
            record.clear()
        else:
            record.pop(DELETED, None)
        record.update(expect)

    def fold(self, edits: Iterable[Edit]) -> Expectations:
        for edit in edits:
            self.add(edit.entity, edit.record_id, edit.expect)
        return self

    def problems(self, scope: Mapping[str, Mapping[str, Mapping[str, Any]]]) -> list[str]:
        """Every expected value the server does not hold, in words."""
        found: list[str] = []
        for (entity, record_id), expected in sorted(self.values.items()):
            record = scope.get(entity, {}).get(record_id)
            if expected.get(DELETED):
                if record is not None:
                    found.append(f"{entity} {record_id}: removed here, still on the server")
                continue
            if record is None:
                found.append(f"{entity} {record_id}: saved here, missing on the server")
                continue
            for name, value in sorted(expected.items()):
                actual = _merge_value(record, name)
                if actual != value:
                    found.append(
                        f"{entity} {record_id} {name}: expected {value!r}, server has {actual!r}"
                    )
        return found


def _merge_value(record: Mapping[str, Any], name: str) -> Any:
    head, _, key = name.partition(".")
    if not key:
        return record.get(name)
    inner = record.get(head) or {}
    return inner.get(key) if isinstance(inner, Mapping) else None


class FakeMonotonic:
    """The scheduler's clock: moved by the driver, never by real time."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def wait(self, seconds: float | None) -> None:
        self.now += seconds or 0.0


class SyncStopped(AssertionError):
    """The scheduler stopped on an error it does not retry: under network faults, a bug."""


@dataclass
class RoundOutcome:
    completed: bool
    actions: int
    events: list[SyncEvent]


class SyncDriver:
    """Runs the app's sync worker step by step on this thread (see the module docstring).

    Args:
        store: The cache.
        connect: Makes a signed-in client (the worker calls it again after a session ended).
        emit: Receives every event of the worker.
        seed: Seeds the backoff's jitter.
        page_limit: Changes per feed page.
        batch_size: Mutations per push.
    """

    def __init__(
        self,
        store: Store,
        connect: Callable[[], ApiClient],
        emit: Callable[[SyncEvent], None],
        *,
        seed: int,
        page_limit: int,
        batch_size: int,
    ) -> None:
        self.time = FakeMonotonic()
        self._events: list[SyncEvent] = []
        self._emit = emit

        def record(event: SyncEvent) -> None:
            self._events.append(event)
            emit(event)

        self.worker = SyncWorker(
            store,
            connect,
            emit=record,
            settings=ScheduleSettings(),
            monotonic=self.time,
            wait=self.time.wait,
            rng=random.Random(seed),
            page_limit=page_limit,
            batch_size=batch_size,
        )
        self.rounds = 0
        self.failures = 0

    def sync(self, actions: int) -> RoundOutcome:
        """ "Sync now", then follow the schedule for at most ``actions`` rounds and probes.

        Raises:
            SyncStopped: The schedule stopped on an error it does not retry.
        """
        self._events = []
        self.worker.sync_now()
        schedule = self.worker.schedule
        for done in range(1, actions + 1):
            due = schedule.next_due()
            if due is None:
                raise SyncStopped(f"sync stopped on {schedule.problem!r}")
            self.time.now = max(self.time.now, due.at)
            self.worker.step()
            if due.action is Action.ROUND:
                self.rounds += 1
                if schedule.problem is None:
                    return RoundOutcome(True, done, self._events)
                self.failures += 1
            if schedule.stopped:
                raise SyncStopped(f"sync stopped on {schedule.problem!r}")
        return RoundOutcome(False, actions, self._events)

    def stop(self) -> None:
        self.worker.stop()
