"""Cache reads behind the Visits, Opportunities and Charts screens, as frozen rows.

- :func:`scope_members` — whose records a user's lists show: their own, and a team lead's team;
  :func:`team_name`.
- :func:`period_bounds` — "this week" / "this month" as UTC bounds of the bank's local days.
- :func:`visit_rows` — visits of some RMs, newest first, without their notes.
- :func:`opportunity_rows` and :func:`stage_totals` — the pipeline and its totals per stage.
- :func:`leaderboard` — RMs on one monthly KPI, best first, with last month's rank.
- :func:`kpi_as_of` — the last day a subject's KPIs cover.

Like :mod:`rm_desk.local_store.queries`, every function takes a Core ``Connection`` and returns
plain dataclasses and enums; each is one or two indexed queries, short enough for the GUI thread.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from decimal import Decimal
from enum import StrEnum

import orjson
from sqlalchemy import Connection, case, func, select

from rm_desk.domain.enums import (
    OpportunityStage,
    ProductCategory,
    Role,
    VisitChannel,
    VisitOutcome,
    VisitPurpose,
)
from rm_desk.local_store import schema
from rm_desk.local_store.queries import utc_text

CLOSED_STAGES = (OpportunityStage.WON, OpportunityStage.LOST)
"""Stages after which an opportunity no longer counts as open."""

STAGE_ORDER: tuple[OpportunityStage, ...] = tuple(OpportunityStage)
"""Stages in funnel order (线索 … 待成交, then 成交 and 失败)."""


# ---- whose records ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Member:
    """A person whose records a list may show."""

    id: str
    name: str
    role: Role


def scope_members(
    conn: Connection, *, user_id: str, team_id: str | None, team_lead: bool
) -> tuple[Member, ...]:
    """The user, and for a team lead every active member of their team (user first, then by id).

    The cache already holds only what the server lets the user see; this narrows the lists to
    the people the user answers for, so an RM never sees a colleague's records that came along
    with a shared customer.
    """
    emp = schema.employee
    if team_lead and team_id:
        condition = (emp.c.team_id == team_id) & (emp.c.active.is_(True))
        stmt = select(emp.c.id, emp.c.name, emp.c.role).where(condition | (emp.c.id == user_id))
    else:
        stmt = select(emp.c.id, emp.c.name, emp.c.role).where(emp.c.id == user_id)
    found = {r.id: Member(r.id, r.name, Role(r.role)) for r in conn.execute(stmt)}
    if user_id not in found:
        # An employee list not synced yet must not hide the user's own records.
        found[user_id] = Member(user_id, user_id, Role.TEAM_LEAD if team_lead else Role.RM)
    others = sorted(set(found) - {user_id})
    return (found[user_id], *(found[i] for i in others))


def team_name(conn: Connection, team_id: str) -> str | None:
    """A team's name (朝阳支行财富一组), or ``None`` when the team is not in the cache."""
    t = schema.team
    return conn.execute(select(t.c.name).where(t.c.id == team_id)).scalar_one_or_none()


# ---- periods ------------------------------------------------------------------------------------


class Period(StrEnum):
    """How far back a list reaches."""

    WEEK = "week"  # Monday of this week onwards
    MONTH = "month"  # the first of this month onwards
    ALL = "all"


def period_bounds(period: Period, today: date, zone: tzinfo) -> tuple[str | None, str | None]:
    """The UTC bounds ``[start, end)`` of a period around ``today`` in the cache's text form.

    Weeks start on Monday, as at Chinese banks. ``Period.ALL`` has no bounds.
    """
    if period is Period.ALL:
        return None, None
    if period is Period.WEEK:
        first = today - timedelta(days=today.weekday())
        after = first + timedelta(days=7)
    else:
        first = today.replace(day=1)
        after = (first + timedelta(days=32)).replace(day=1)
    start = datetime.combine(first, time.min, tzinfo=zone)
    end = datetime.combine(after, time.min, tzinfo=zone)
    return utc_text(start), utc_text(end)


# ---- visits -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class VisitRow:
    """One line of the visit list. Notes (C2 free text) are deliberately not read."""

    id: str
    start_at: datetime
    customer_id: str
    customer_name: str | None  # None when the customer is not in this cache
    other_customers: int  # customers of the visit besides the main one
    rm_id: str
    channel: VisitChannel
    purpose: VisitPurpose
    outcome: VisitOutcome | None


def visit_rows(
    conn: Connection,
    *,
    rm_ids: Collection[str],
    start: str | None = None,
    end: str | None = None,
) -> tuple[VisitRow, ...]:
    """Visits of ``rm_ids`` starting in ``[start, end)`` (UTC text, either open), newest first."""
    v, c = schema.visit, schema.customer
    stmt = (
        select(
            v.c.id,
            v.c.start_at,
            v.c.customer_id,
            v.c.customer_ids,
            v.c.rm_id,
            v.c.channel,
            v.c.purpose,
            v.c.outcome,
            c.c.name,
        )
        .outerjoin(c, c.c.id == v.c.customer_id)
        .where(v.c.rm_id.in_(sorted(rm_ids)))
    )
    if start is not None:
        stmt = stmt.where(v.c.start_at >= start)
    if end is not None:
        stmt = stmt.where(v.c.start_at < end)
    rows = conn.execute(stmt.order_by(v.c.start_at.desc(), v.c.id))
    return tuple(
        VisitRow(
            id=r.id,
            start_at=datetime.fromisoformat(r.start_at),
            customer_id=r.customer_id,
            customer_name=r.name,
            other_customers=max(0, len(orjson.loads(r.customer_ids)) - 1),
            rm_id=r.rm_id,
            channel=VisitChannel(r.channel),
            purpose=VisitPurpose(r.purpose),
            outcome=VisitOutcome(r.outcome) if r.outcome else None,
        )
        for r in rows
    )


# ---- opportunities ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OpportunityRow:
    """One line of the pipeline: an opportunity with its customer's and product's names."""

    id: str
    customer_id: str | None  # None for a prospect described by ``lead_stub``
    customer_name: str | None
    lead_stub: str | None
    product_name: str | None
    category: ProductCategory | None
    amount: Decimal | None
    stage: OpportunityStage
    expected_close: date | None
    owner_id: str

    @property
    def weighted_amount(self) -> Decimal | None:
        """The amount times the stage's win probability."""
        if self.amount is None:
            return None
        return self.amount * self.stage.probability / 100


def opportunity_rows(
    conn: Connection, *, owner_ids: Collection[str], include_closed: bool = False
) -> tuple[OpportunityRow, ...]:
    """Opportunities of ``owner_ids`` in funnel order, then by expected close (undated last)."""
    o, c, p = schema.opportunity, schema.customer, schema.product
    stage_rank = case(
        {stage.value: index for index, stage in enumerate(STAGE_ORDER)}, value=o.c.stage
    )
    stmt = (
        select(
            o.c.id,
            o.c.customer_id,
            o.c.lead_stub,
            o.c.category,
            o.c.amount,
            o.c.stage,
            o.c.expected_close,
            o.c.owner_id,
            c.c.name.label("customer_name"),
            p.c.name.label("product_name"),
        )
        .outerjoin(c, c.c.id == o.c.customer_id)
        .outerjoin(p, p.c.id == o.c.product_id)
        .where(o.c.owner_id.in_(sorted(owner_ids)))
    )
    if not include_closed:
        stmt = stmt.where(o.c.stage.not_in([s.value for s in CLOSED_STAGES]))
    stmt = stmt.order_by(stage_rank, o.c.expected_close.is_(None), o.c.expected_close, o.c.id)
    return tuple(
        OpportunityRow(
            id=r.id,
            customer_id=r.customer_id,
            customer_name=r.customer_name,
            lead_stub=r.lead_stub,
            product_name=r.product_name,
            category=ProductCategory(r.category) if r.category else None,
            amount=Decimal(r.amount) if r.amount is not None else None,
            stage=OpportunityStage(r.stage),
            expected_close=date.fromisoformat(r.expected_close) if r.expected_close else None,
            owner_id=r.owner_id,
        )
        for r in conn.execute(stmt)
    )


@dataclass(frozen=True, slots=True)
class StageTotal:
    """How much of the pipeline sits in one stage."""

    stage: OpportunityStage
    count: int
    amount: Decimal
    weighted_amount: Decimal


def stage_totals(rows: Iterable[OpportunityRow]) -> tuple[StageTotal, ...]:
    """Count, amount and probability-weighted amount per stage present, in funnel order.

    Computed from the rows the list shows (exact decimals), so the totals can never disagree
    with the lines above them.
    """
    counts: dict[OpportunityStage, int] = {}
    amounts: dict[OpportunityStage, Decimal] = {}
    weighted: dict[OpportunityStage, Decimal] = {}
    for row in rows:
        counts[row.stage] = counts.get(row.stage, 0) + 1
        amounts[row.stage] = amounts.get(row.stage, Decimal(0)) + (row.amount or 0)
        weighted[row.stage] = weighted.get(row.stage, Decimal(0)) + (row.weighted_amount or 0)
    return tuple(
        StageTotal(stage, counts[stage], amounts[stage], weighted[stage])
        for stage in STAGE_ORDER
        if stage in counts
    )


# ---- KPIs ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LeaderRow:
    """One RM on the leaderboard of one metric and month."""

    rm_id: str
    month: date
    value: Decimal
    target: Decimal | None
    rank: int | None  # among the branch's RMs, 1 best (the bank's ranking)
    previous_rank: int | None  # the month before


def leaderboard(
    conn: Connection, *, rm_ids: Collection[str], metric: str, month: date | None = None
) -> tuple[LeaderRow, ...]:
    """The RMs' monthly ``metric`` for ``month`` (the latest when omitted), best rank first.

    Ranks are the bank's, among the branch's RMs: for metrics where less is better (overdue
    rate, open tasks …) the lowest value already ranks first.
    """
    k = schema.kpi
    mine = (k.c.level == "rm") & (k.c.period == "month") & (k.c.metric == metric)
    mine = mine & k.c.subject_id.in_(sorted(rm_ids))
    if month is None:
        latest = conn.execute(select(func.max(k.c.date)).where(mine)).scalar_one()
        if latest is None:
            return ()
        month = date.fromisoformat(latest)
    before = (month - timedelta(days=1)).replace(day=1)
    previous = {
        r.subject_id: r.rank
        for r in conn.execute(
            select(k.c.subject_id, k.c.rank).where(mine, k.c.date == before.isoformat())
        )
    }
    rows = conn.execute(
        select(k.c.subject_id, k.c.value, k.c.target, k.c.rank)
        .where(mine, k.c.date == month.isoformat())
        .order_by(k.c.rank.is_(None), k.c.rank, k.c.subject_id)
    )
    return tuple(
        LeaderRow(
            rm_id=r.subject_id,
            month=month,
            value=Decimal(r.value),
            target=Decimal(r.target) if r.target is not None else None,
            rank=r.rank,
            previous_rank=previous.get(r.subject_id),
        )
        for r in rows
    )


def kpi_as_of(conn: Connection, *, level: str, subject_id: str) -> date | None:
    """The last day the subject's KPIs cover: its latest daily value, else its latest month."""
    k = schema.kpi
    stmt = select(func.max(k.c.date)).where(k.c.level == level, k.c.subject_id == subject_id)
    daily = conn.execute(stmt.where(k.c.period == "day")).scalar_one()
    latest = daily or conn.execute(stmt.where(k.c.period == "month")).scalar_one()
    return date.fromisoformat(latest) if latest else None


__all__ = [
    "CLOSED_STAGES",
    "STAGE_ORDER",
    "LeaderRow",
    "Member",
    "OpportunityRow",
    "Period",
    "StageTotal",
    "VisitRow",
    "kpi_as_of",
    "leaderboard",
    "opportunity_rows",
    "period_bounds",
    "scope_members",
    "stage_totals",
    "team_name",
    "visit_rows",
]
