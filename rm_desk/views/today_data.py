"""The Today screen's read: the first rows of each section and how many there are in all.

:func:`~rm_desk.local_store.worklist.today_view` reads every open task, visit and maturity of the
RM; with a book of 50,000 customers that is tens of thousands of rows (two seconds) for a screen
that shows a screenful. :func:`today_page` reads the same sections in the same order, but only
the first ``limit`` rows of each (and of each alert rule), plus a ``COUNT`` of the rest, so Today
costs the same at any book size. The rows are the worklist's own row types.

The queries follow :func:`~rm_desk.local_store.queries.today_queue` (same filters, same order);
``tests/gui/test_today.py`` checks that a small book reads the same through both.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, func, select

from rm_desk.domain import entities as e
from rm_desk.domain.enums import TaskBucket
from rm_desk.local_store import schema
from rm_desk.local_store.queries import OPEN_TASK_STATUSES, utc_text
from rm_desk.local_store.rows import decode_row
from rm_desk.local_store.worklist import (
    AlertGroup,
    AlertRow,
    MaturityRow,
    TodayView,
    VisitRow,
    customer_names,
    task_rows,
)


@dataclass(frozen=True, slots=True)
class TodayTotals:
    """How many items each section holds in all (the view holds only the first of them)."""

    overdue: int
    due_today: int
    alerts_by_rule: dict[str, int]
    maturities: int
    visits: int

    @property
    def alerts(self) -> int:
        return sum(self.alerts_by_rule.values())


@dataclass(frozen=True, slots=True)
class TodayPage:
    """The first rows of every section of Today, and the sections' sizes."""

    view: TodayView
    totals: TodayTotals


def _day_start(day: date, zone: tzinfo) -> str:
    return utc_text(datetime.combine(day, time.min, tzinfo=zone).astimezone(UTC))


def today_page(
    conn: Connection,
    *,
    user_id: str,
    today: date,
    zone: tzinfo,
    limits: dict[str, int],
    default_limit: int,
    alert_limit: int | None = None,
) -> TodayPage:
    """Today's sections, each cut to its limit.

    Args:
        conn: A read connection.
        user_id: Whose tasks and visits.
        today: The bank's today.
        zone: The bank's zone.
        limits: Rows to read by section key (``overdue``, ``due_today``, ``maturities``,
            ``visits``, ``alert:<rule id>``).
        default_limit: Rows of a section not in ``limits``.
        alert_limit: Rows of a rule group of alerts not in ``limits`` (default: ``default_limit``).
    """

    def limit(key: str) -> int:
        if key.startswith("alert:") and alert_limit is not None:
            return limits.get(key, alert_limit)
        return limits.get(key, default_limit)

    start, end = _day_start(today, zone), _day_start(today + timedelta(days=1), zone)
    t = schema.task
    overdue, overdue_total = _tasks(conn, user_id, (t.c.due_at < start,), limit("overdue"))
    due, due_total = _tasks(
        conn, user_id, (t.c.due_at >= start, t.c.due_at < end), limit("due_today")
    )
    alert_rows, alert_totals = _alerts(conn, limit)
    week_end = today + timedelta(days=7 - today.weekday())
    maturities, maturity_total = _maturities(
        conn, today.isoformat(), week_end.isoformat(), limit("maturities")
    )
    week_start = _day_start(today - timedelta(days=today.weekday()), zone)
    visits, visit_total = _visits(
        conn, user_id, week_start, _day_start(week_end, zone), limit("visits")
    )

    names = customer_names(
        conn,
        [task.customer_id for task in overdue + due]
        + [alert.customer_id for alerts in alert_rows.values() for alert in alerts]
        + [visit.customer_ids[0] if visit.customer_ids else None for visit in visits],
    )
    view = TodayView(
        overdue=task_rows(overdue, TaskBucket.OVERDUE, names),
        due_today=task_rows(due, TaskBucket.TODAY, names),
        alert_groups=tuple(
            AlertGroup(rule_id=rule, alerts=tuple(_alert_row(a, names) for a in alerts))
            for rule, alerts in alert_rows.items()
        ),
        maturities=maturities,
        visits=tuple(_visit_row(visit, names) for visit in visits),
    )
    totals = TodayTotals(
        overdue=overdue_total,
        due_today=due_total,
        alerts_by_rule=alert_totals,
        maturities=maturity_total,
        visits=visit_total,
    )
    return TodayPage(view=view, totals=totals)


def _count(conn: Connection, table: Any, where: tuple[Any, ...]) -> int:
    return int(conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one())


def _tasks(
    conn: Connection, user_id: str, due: tuple[Any, ...], limit: int
) -> tuple[list[e.Task], int]:
    """The user's first ``limit`` open tasks due within ``due``, in (due, id) order, and how many
    there are in all.

    One ordered walk of ``ix_task_assignee_status_due`` per open status, each stopping after
    ``limit`` rows, merged here: with ``status IN (…)`` SQLite reads every match (15,000 overdue
    tasks in a large book) to sort them, a page decrypted for each on the window's first read.
    """
    t = schema.task
    rows: list[Any] = []
    for status in OPEN_TASK_STATUSES:
        stmt = (
            select(t)
            .where(t.c.assignee_id == user_id, t.c.status == status, *due)
            .order_by(t.c.due_at, t.c.id)
            .limit(limit)
        )
        rows += conn.execute(stmt).mappings()
    rows.sort(key=lambda row: (row["due_at"], row["id"]))
    tasks = [e.Task.from_cache(row) for row in rows[:limit]]
    mine = (t.c.assignee_id == user_id, t.c.status.in_(OPEN_TASK_STATUSES), *due)
    return tasks, _count(conn, t, mine)


def _alerts(
    conn: Connection, limit: Callable[[str], int]
) -> tuple[dict[str, list[e.Alert]], dict[str, int]]:
    """New alerts by rule (rules in id order), the newest first, and each rule's count."""
    a = schema.alert
    totals = {
        str(rule): int(count)
        for rule, count in conn.execute(
            select(a.c.rule_id, func.count())
            .where(a.c.status == "new")
            .group_by(a.c.rule_id)
            .order_by(a.c.rule_id)
        )
    }
    rows: dict[str, list[e.Alert]] = {}
    for rule in totals:
        stmt = (
            select(a)
            .where(a.c.status == "new", a.c.rule_id == rule)
            .order_by(a.c.triggered_at.desc(), a.c.id)
            .limit(limit(f"alert:{rule}"))
        )
        rows[rule] = [
            e.Alert.from_cache(decode_row(a, row)) for row in conn.execute(stmt).mappings()
        ]
    return rows, totals


def _alert_row(alert: e.Alert, names: dict[str, str]) -> AlertRow:
    return AlertRow(
        id=alert.id,
        rule_id=alert.rule_id,
        customer_id=alert.customer_id,
        customer_name=names.get(alert.customer_id) if alert.customer_id else None,
        severity=alert.severity,
        message=alert.message,
        triggered_at=alert.triggered_at,
        object_entity=alert.object_entity,
    )


def _maturities(
    conn: Connection, first_day: str, week_end: str, limit: int
) -> tuple[tuple[MaturityRow, ...], int]:
    """Accounts and holdings maturing from ``first_day`` to before ``week_end``, by date."""
    acc, hold, cust, prod = schema.account, schema.holding, schema.customer, schema.product
    in_accounts = (acc.c.maturity_date >= first_day, acc.c.maturity_date < week_end)
    in_holdings = (
        hold.c.maturity_or_next_open >= first_day,
        hold.c.maturity_or_next_open < week_end,
    )
    order = ("matures_on", "customer_id", "id")
    accounts = (
        select(
            acc.c.id,
            acc.c.customer_id,
            acc.c.maturity_date.label("matures_on"),
            acc.c.balance.label("amount"),
            acc.c.type,
            cust.c.name.label("customer_name"),
            prod.c.name.label("product_name"),
        )
        .join(cust, cust.c.id == acc.c.customer_id)
        .outerjoin(prod, prod.c.id == acc.c.product_id)
        .where(*in_accounts)
        .order_by(*order)
        .limit(limit)
    )
    holdings = (
        select(
            hold.c.id,
            hold.c.customer_id,
            hold.c.maturity_or_next_open.label("matures_on"),
            hold.c.market_value.label("amount"),
            cust.c.name.label("customer_name"),
            prod.c.name.label("product_name"),
        )
        .join(cust, cust.c.id == hold.c.customer_id)
        .outerjoin(prod, prod.c.id == hold.c.product_id)
        .where(*in_holdings)
        .order_by(*order)
        .limit(limit)
    )
    items = [
        MaturityRow(
            customer_id=r.customer_id,
            customer_name=r.customer_name,
            entity="account",
            record_id=r.id,
            matures_on=date.fromisoformat(r.matures_on),
            amount=Decimal(r.amount) if r.amount is not None else None,
            product_name=r.product_name,
            account_type=r.type,
        )
        for r in conn.execute(accounts)
    ] + [
        MaturityRow(
            customer_id=r.customer_id,
            customer_name=r.customer_name,
            entity="holding",
            record_id=r.id,
            matures_on=date.fromisoformat(r.matures_on),
            amount=Decimal(r.amount) if r.amount is not None else None,
            product_name=r.product_name,
            account_type=None,
        )
        for r in conn.execute(holdings)
    ]
    items.sort(key=lambda m: (m.matures_on, m.customer_id, m.record_id))
    total = _count(conn, acc.join(cust, cust.c.id == acc.c.customer_id), in_accounts) + _count(
        conn, hold.join(cust, cust.c.id == hold.c.customer_id), in_holdings
    )
    return tuple(items[:limit]), total


def _visits(
    conn: Connection, user_id: str, week_start: str, week_end: str, limit: int
) -> tuple[list[e.Visit], int]:
    v = schema.visit
    where = (v.c.start_at >= week_start, v.c.start_at < week_end, v.c.rm_id == user_id)
    stmt = select(v).where(*where).order_by(v.c.start_at, v.c.id).limit(limit)
    rows = [e.Visit.from_cache(decode_row(v, row)) for row in conn.execute(stmt).mappings()]
    return rows, _count(conn, v, where)


def _visit_row(visit: e.Visit, names: dict[str, str]) -> VisitRow:
    customer_id = visit.customer_ids[0] if visit.customer_ids else None
    return VisitRow(
        id=visit.id,
        customer_id=customer_id,
        customer_name=names.get(customer_id) if customer_id else None,
        channel=visit.channel,
        purpose=visit.purpose,
        start_at=visit.start_at,
    )


__all__ = ["TodayPage", "TodayTotals", "today_page"]
