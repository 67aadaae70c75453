"""The RM's worklist: the rows behind the Today, Tasks and Sync issues screens, and the two edits
they make from a list (a task done; an alert acknowledged or dismissed).

Reads build on :func:`~rm_desk.local_store.queries.today_queue` and
:func:`~rm_desk.local_store.queries.tasks_by_bucket` and add what a list row needs to be read by a
person: the customer's name, the product that matures, the bucket of a task. Each read is a few
indexed queries inside the caller's transaction, short enough for the GUI thread.

Edits go through :func:`~rm_desk.local_store.writes.record_edit`, the one write path (the record
and its outbox op in one transaction), after checking what the list alone cannot know: that the
task is the user's and still open, that the alert is still waiting for a decision.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from decimal import Decimal

from sqlalchemy import Connection, Table, select

from rm_desk.domain import entities as e
from rm_desk.domain.enums import (
    AlertStatus,
    Entity,
    OpKind,
    TaskBucket,
    TaskKind,
    TaskPriority,
    TaskStatus,
    VisitChannel,
    VisitPurpose,
    alert_status_precedence,
)
from rm_desk.domain.fields import RecordRole, editable_fields
from rm_desk.errors import WriteRejected
from rm_desk.local_store import schema
from rm_desk.local_store.engine import Store
from rm_desk.local_store.queries import Maturity, tasks_by_bucket, today_queue
from rm_desk.local_store.writes import EditResult, record_edit

ALERT_DECISIONS: frozenset[AlertStatus] = frozenset(
    {AlertStatus.ACKNOWLEDGED, AlertStatus.DISMISSED}
)
"""What the RM may decide about an alert from a list (converting it makes a task elsewhere)."""


@dataclass(frozen=True, slots=True)
class TaskRow:
    """One open task as a list shows it."""

    id: str
    title: str
    customer_id: str | None
    customer_name: str | None
    priority: TaskPriority
    status: TaskStatus
    due_at: datetime | None
    bucket: TaskBucket
    kind: TaskKind
    source_rule: str | None


@dataclass(frozen=True, slots=True)
class AlertRow:
    """One new alert as a list shows it."""

    id: str
    rule_id: str
    customer_id: str | None
    customer_name: str | None
    severity: TaskPriority
    message: str
    triggered_at: datetime
    object_entity: Entity | None


@dataclass(frozen=True, slots=True)
class AlertGroup:
    """The new alerts of one rule."""

    rule_id: str
    alerts: tuple[AlertRow, ...]


@dataclass(frozen=True, slots=True)
class MaturityRow:
    """Something of a customer's that matures this week, with its product's name."""

    customer_id: str
    customer_name: str
    entity: str  # "account" or "holding"
    record_id: str
    matures_on: date
    amount: Decimal | None
    product_name: str | None
    account_type: str | None  # the account's type; None for a holding


@dataclass(frozen=True, slots=True)
class VisitRow:
    """One of this week's visits of the user."""

    id: str
    customer_id: str | None
    customer_name: str | None
    channel: VisitChannel
    purpose: VisitPurpose
    start_at: datetime


@dataclass(frozen=True, slots=True)
class TodayView:
    """Everything the Today screen shows, read in one transaction."""

    overdue: tuple[TaskRow, ...]
    due_today: tuple[TaskRow, ...]
    alert_groups: tuple[AlertGroup, ...]
    maturities: tuple[MaturityRow, ...]
    visits: tuple[VisitRow, ...]

    @property
    def alert_count(self) -> int:
        return sum(len(group.alerts) for group in self.alert_groups)


@dataclass(frozen=True, slots=True)
class RecordContext:
    """Whose record a change or a conflict is about, for people to recognise it."""

    customer_id: str | None
    customer_name: str | None
    title: str | None  # a task's title; None for records without one


# ---- reads ---------------------------------------------------------------------------------------


def customer_names(conn: Connection, customer_ids: Iterable[str | None]) -> dict[str, str]:
    """Names of the given customers that are in the cache, by id."""
    wanted = sorted({cid for cid in customer_ids if cid})
    if not wanted:
        return {}
    c = schema.customer
    rows = conn.execute(select(c.c.id, c.c.name).where(c.c.id.in_(wanted)))
    return {row.id: row.name for row in rows}


def task_rows(
    tasks: Iterable[e.Task], bucket: TaskBucket, names: Mapping[str, str]
) -> tuple[TaskRow, ...]:
    """The rows the task lists show for ``tasks`` of one bucket (``names``: customer names)."""
    return tuple(
        TaskRow(
            id=task.id,
            title=task.title,
            customer_id=task.customer_id,
            customer_name=names.get(task.customer_id) if task.customer_id else None,
            priority=task.priority,
            status=task.status,
            due_at=task.due_at,
            bucket=bucket,
            kind=task.kind,
            source_rule=task.source_rule,
        )
        for task in tasks
    )


def open_tasks(
    conn: Connection, *, assignee_id: str, today: date, zone: tzinfo
) -> tuple[TaskRow, ...]:
    """The open tasks of one assignee, overdue first, then today's, then later ones, by due."""
    buckets = tasks_by_bucket(conn, assignee_id=assignee_id, today=today, zone=zone)
    names = customer_names(conn, (task.customer_id for tasks in buckets.values() for task in tasks))
    return tuple(
        row
        for bucket in (TaskBucket.OVERDUE, TaskBucket.TODAY, TaskBucket.LATER)
        for row in task_rows(buckets[bucket], bucket, names)
    )


def today_view(conn: Connection, *, user_id: str, today: date, zone: tzinfo) -> TodayView:
    """The RM's morning queue with names: :func:`today_queue` and two small lookups."""
    queue = today_queue(conn, user_id=user_id, today=today, zone=zone)
    customer_ids: list[str | None] = [t.customer_id for t in queue.overdue + queue.due_today]
    customer_ids += [a.customer_id for _, alerts in queue.alerts_by_rule for a in alerts]
    customer_ids += [v.customer_ids[0] if v.customer_ids else None for v in queue.visits]
    names = customer_names(conn, customer_ids)
    groups = tuple(
        AlertGroup(
            rule_id=rule_id,
            alerts=tuple(
                AlertRow(
                    id=alert.id,
                    rule_id=alert.rule_id,
                    customer_id=alert.customer_id,
                    customer_name=names.get(alert.customer_id) if alert.customer_id else None,
                    severity=alert.severity,
                    message=alert.message,
                    triggered_at=alert.triggered_at,
                    object_entity=alert.object_entity,
                )
                for alert in alerts
            ),
        )
        for rule_id, alerts in queue.alerts_by_rule
    )
    visits = tuple(
        VisitRow(
            id=visit.id,
            customer_id=visit.customer_ids[0] if visit.customer_ids else None,
            customer_name=names.get(visit.customer_ids[0]) if visit.customer_ids else None,
            channel=visit.channel,
            purpose=visit.purpose,
            start_at=visit.start_at,
        )
        for visit in queue.visits
    )
    return TodayView(
        overdue=task_rows(queue.overdue, TaskBucket.OVERDUE, names),
        due_today=task_rows(queue.due_today, TaskBucket.TODAY, names),
        alert_groups=groups,
        maturities=_maturity_rows(conn, queue.maturities),
        visits=visits,
    )


def _maturity_rows(conn: Connection, maturities: Iterable[Maturity]) -> tuple[MaturityRow, ...]:
    """Add what matures (the product's name, the account's type) to each maturity."""
    items = list(maturities)
    acc, hold, prod = schema.account, schema.holding, schema.product
    products: dict[tuple[str, str], tuple[str | None, str | None]] = {}
    account_ids = [m.record_id for m in items if m.entity == "account"]
    holding_ids = [m.record_id for m in items if m.entity == "holding"]
    if account_ids:
        for row in conn.execute(
            select(acc.c.id, acc.c.type, prod.c.name)
            .outerjoin(prod, prod.c.id == acc.c.product_id)
            .where(acc.c.id.in_(account_ids))
        ):
            products[("account", row.id)] = (row.name, row.type)
    if holding_ids:
        for row in conn.execute(
            select(hold.c.id, prod.c.name)
            .outerjoin(prod, prod.c.id == hold.c.product_id)
            .where(hold.c.id.in_(holding_ids))
        ):
            products[("holding", row.id)] = (row.name, None)
    return tuple(
        MaturityRow(
            customer_id=m.customer_id,
            customer_name=m.customer_name,
            entity=m.entity,
            record_id=m.record_id,
            matures_on=date.fromisoformat(m.matures_on),
            amount=m.amount,
            product_name=products.get((m.entity, m.record_id), (None, None))[0],
            account_type=products.get((m.entity, m.record_id), (None, None))[1],
        )
        for m in items
    )


# Where each editable entity keeps the customer it belongs to.
_OWNER_COLUMNS: Mapping[str, tuple[Table, str]] = {
    Entity.TASK.value: (schema.task, "customer_id"),
    Entity.OPPORTUNITY.value: (schema.opportunity, "customer_id"),
    Entity.ALERT.value: (schema.alert, "customer_id"),
    Entity.VISIT.value: (schema.visit, "customer_id"),
    Entity.CUSTOMER_TAG.value: (schema.customer_tag, "customer_id"),
    Entity.RELATIONSHIP.value: (schema.relationship, "from_customer_id"),
    Entity.CUSTOMER.value: (schema.customer, "id"),
}


def record_contexts(
    conn: Connection, refs: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], RecordContext]:
    """Whose records these are, by ``(entity, record_id)``; records not in the cache are left out.

    One query per kind of record and one for the names, whatever the number of records.
    """
    by_entity: dict[str, set[str]] = {}
    for entity, record_id in refs:
        by_entity.setdefault(entity, set()).add(record_id)
    owners: dict[tuple[str, str], tuple[str | None, str | None]] = {}
    for entity, ids in by_entity.items():
        if entity not in _OWNER_COLUMNS:
            continue
        table, column = _OWNER_COLUMNS[entity]
        title = table.c.title if entity == Entity.TASK.value else None
        columns = [table.c.id, table.c[column].label("owner")]
        if title is not None:
            columns.append(title.label("title"))
        for row in conn.execute(select(*columns).where(table.c.id.in_(sorted(ids)))).mappings():
            owners[(entity, row["id"])] = (row["owner"], row.get("title"))
    names = customer_names(conn, (owner for owner, _ in owners.values()))
    return {
        ref: RecordContext(owner, names.get(owner) if owner else None, title)
        for ref, (owner, title) in owners.items()
    }


# ---- edits ---------------------------------------------------------------------------------------


def may_decide_alerts() -> bool:
    """Whether the RM may write an alert's status (DOMAIN.md "Who may write what")."""
    return "status" in editable_fields(Entity.ALERT, RecordRole.EDITOR)


def mark_task_done(store: Store, task_id: str, *, user_id: str) -> EditResult:
    """Mark one of the user's open tasks completed, with its outbox op.

    Checks, in order: the task is in the cache; it is assigned to ``user_id`` (only the assignee
    writes a task's status); it is still open. Then :func:`record_edit` as the assignee.

    Raises:
        WriteRejected: One of the checks failed; nothing was written.
    """
    t = schema.task
    with store.read() as conn:
        row = conn.execute(select(t.c.assignee_id, t.c.status).where(t.c.id == task_id)).first()
    if row is None:
        raise WriteRejected(
            "This record is no longer in your book, so the change could not be saved."
        )
    if row.assignee_id != user_id:
        raise WriteRejected("Only the person a task is assigned to can mark it done.")
    if not TaskStatus(row.status).is_open:
        raise WriteRejected("This task is closed already.")
    return record_edit(
        store,
        Entity.TASK.value,
        task_id,
        OpKind.UPDATE,
        {"status": TaskStatus.COMPLETED.value},
        role=RecordRole.ASSIGNEE,
    )


def decide_alert(store: Store, alert_id: str, decision: AlertStatus) -> EditResult:
    """Acknowledge or dismiss an alert, with its outbox op.

    Checks, in order: the decision is one of :data:`ALERT_DECISIONS` and the RM may write an
    alert's status at all; the alert is in the cache; the decision moves it forward in the
    precedence of DOMAIN.md (converted > dismissed > acknowledged > new), never back.

    Raises:
        WriteRejected: One of the checks failed; nothing was written.
    """
    if decision not in ALERT_DECISIONS or not may_decide_alerts():
        raise WriteRejected("This alert cannot be changed here.")
    a = schema.alert
    with store.read() as conn:
        status = conn.execute(select(a.c.status).where(a.c.id == alert_id)).scalar_one_or_none()
    if status is None:
        raise WriteRejected(
            "This record is no longer in your book, so the change could not be saved."
        )
    if alert_status_precedence(AlertStatus(status)) >= alert_status_precedence(decision):
        raise WriteRejected("This alert has been dealt with already.")
    return record_edit(
        store, Entity.ALERT.value, alert_id, OpKind.UPDATE, {"status": decision.value}
    )


__all__ = [
    "ALERT_DECISIONS",
    "AlertGroup",
    "AlertRow",
    "MaturityRow",
    "RecordContext",
    "TaskRow",
    "TodayView",
    "VisitRow",
    "customer_names",
    "decide_alert",
    "mark_task_done",
    "may_decide_alerts",
    "open_tasks",
    "record_contexts",
    "task_rows",
    "today_view",
]
