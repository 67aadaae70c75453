"""The read queries the screens need, returning frozen dataclasses.

Every function takes a Core ``Connection`` (from :meth:`Store.read`) and returns domain entities or
the small view rows defined here, never ORM objects or raw rows. Each one is a handful of indexed
queries, short enough for the GUI thread.

- :func:`customer_page` — the customer list: sort, filters, keyset paging.
- :func:`customer_360` — everything the 360 view shows for one customer.
- :func:`today_queue` — overdue and due-today tasks, new alerts by rule, this week's maturities
  and visits.
- :func:`tasks_by_bucket` — open tasks as overdue / today / later.
- :func:`kpi_series` — one KPI over a date range.

Days are the user's local days: functions that need "today" take the local date and time zone and
compare stored UTC timestamps against that day's UTC bounds.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from decimal import Decimal
from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy import (
    ColumnElement,
    Connection,
    Row,
    Select,
    Table,
    and_,
    func,
    literal,
    or_,
    select,
    tuple_,
)
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import UnaryExpression

from rm_desk.domain import entities as e
from rm_desk.domain.enums import TaskBucket, TaskStatus
from rm_desk.domain.money import to_fen
from rm_desk.local_store import schema
from rm_desk.local_store.rows import JSON_COLUMNS, decode_row

T = TypeVar("T")

OPEN_TASK_STATUSES = (TaskStatus.NOT_STARTED.value, TaskStatus.IN_PROGRESS.value)


def utc_text(moment: datetime) -> str:
    """A timestamp in the cache's text form (RFC 3339 UTC, second precision, ``Z``)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _day_bounds(day: date, zone: tzinfo) -> tuple[str, str]:
    start = datetime.combine(day, time.min, tzinfo=zone)
    return utc_text(start), utc_text(start + timedelta(days=1))


def _entities(
    conn: Connection, table: Table, parse: Callable[[Mapping[Any, Any]], T], stmt: Any
) -> tuple[T, ...]:
    rows = conn.execute(stmt).mappings()
    if table.name not in JSON_COLUMNS:
        # Nothing to decode: the entity reads the row as it is (0/1 booleans included).
        return tuple(parse(row) for row in rows)
    return tuple(parse(decode_row(table, row)) for row in rows)


# ---- customer list ------------------------------------------------------------------------------


class CustomerSort(StrEnum):
    NAME = "name"
    TIER = "tier"  # the tier's rank, then AUM within it
    RISK = "risk"
    RM = "rm"
    AUM = "aum"
    LAST_CONTACT = "last_contact"
    NEXT_REVIEW = "next_review"


# Each has an index of (column, id), so a page is one ordered walk whatever the book's size.
_SORT_COLUMNS = {
    CustomerSort.NAME: schema.customer.c.name_pinyin,
    CustomerSort.TIER: schema.customer.c.tier_order,
    CustomerSort.RISK: schema.customer.c.risk_level,
    CustomerSort.RM: schema.customer.c.primary_rm_id,
    CustomerSort.AUM: schema.customer.c.aum_num,
    CustomerSort.LAST_CONTACT: schema.customer.c.last_contact_at,
    CustomerSort.NEXT_REVIEW: schema.customer.c.next_review_at,
}


@dataclass(frozen=True, slots=True)
class CustomerFilter:
    """What the customer list is narrowed to; empty collections mean "any"."""

    tiers: frozenset[str] = frozenset()
    risk_levels: frozenset[str] = frozenset()
    tags: frozenset[str] = frozenset()  # a customer carrying any of these tags
    rm_ids: frozenset[str] = frozenset()
    aum_min: Decimal | None = None
    aum_max: Decimal | None = None


@dataclass(frozen=True, slots=True)
class PageKey:
    """Where the next page starts: the last row's sort value and id."""

    value: str | int | None
    customer_id: str


@dataclass(frozen=True, slots=True)
class CustomerListRow:
    id: str
    name: str
    tier: str
    risk_level: str | None
    aum: Decimal | None
    mobile_masked: str | None
    primary_rm_id: str | None
    lifecycle_stage: str | None
    tier_watch: bool
    last_contact_at: str | None
    next_review_at: str | None


@dataclass(frozen=True, slots=True)
class CustomerPage:
    rows: tuple[CustomerListRow, ...]
    next_key: PageKey | None  # None on the last page


SORT_IN_MEMORY_MAX = 3_000
"""Most customers a filtered list sorts by itself rather than walking its sort's index.

A page of a walk reads index entries until it has found a page of matching rows: about
``limit × book / matching`` of them, so a filter that matches few customers makes the walk read
most of the book for each page (0.3 to 0.9 s at 100,000 customers). Sorting the matching rows
costs about their number instead. The two cost the same near ``√(1,000 × book)`` matches, some
3,000 to 10,000 for the books RM Desk serves; this is the low end, where both take a few
milliseconds.
"""


def customer_page(
    conn: Connection,
    *,
    sort: CustomerSort = CustomerSort.NAME,
    descending: bool = False,
    filters: CustomerFilter | None = None,
    after: PageKey | None = None,
    limit: int = 200,
    matching: int | None = None,
) -> CustomerPage:
    """One page of the customer list, by keyset: stable under inserts, no OFFSET scans.

    Rows without a value in the sort column come last in either direction. The rows with a value
    and those without are read by two statements (one statement ordering ``column IS NULL``
    first, or with the key written as ``OR``, made SQLite collect every row after the key and
    sort them: 0.1 to 1 s a page deep in a 100,000-customer book, and the window reads pages as
    it scrolls).

    How a page is read is decided here rather than left to SQLite's planner, which chose badly
    both ways for filtered lists (0.3 to 0.9 s a page at 100,000 customers, with or without
    ``ANALYZE``):

    - no filter, or a filter matching more than :data:`SORT_IN_MEMORY_MAX` customers: a walk of
      the sort's ``(column, id)`` index from the key on, the other filters checked on the way
      (their own indexes are kept out of the plan); a tier filter on the tier sort starts the walk
      at the first tier chosen;
    - a filter matching fewer: the matching rows found through the filters' indexes and sorted
      (the sort's index is kept out of the plan).

    Args:
        matching: How many customers ``filters`` match, when the caller knows (the table counts
            them for its header); counted here otherwise.
    """
    c = schema.customer
    chosen = filters or CustomerFilter()
    column = _SORT_COLUMNS[sort]
    walk = _is_empty(chosen) or (
        (matching if matching is not None else customer_count(conn, chosen)) > SORT_IN_MEMORY_MAX
    )
    conditions = filter_conditions(chosen, walking=sort if walk else None)
    # Out of the plan when sorting the matches: the unary plus keeps SQLite off the column's index.
    keyed = column if walk else _unindexed(column)
    keyed_id = c.c.id if walk else _unindexed(c.c.id)
    ordered_id = keyed_id.desc() if descending else keyed_id.asc()
    rows: list[Row[Any]] = []
    if after is None or after.value is not None:
        valued = [*conditions, keyed.is_not(None)]
        if after is not None:
            key = tuple_(keyed, keyed_id)
            start = tuple_(literal(after.value), literal(after.customer_id))
            valued.append(key < start if descending else key > start)
        order = [keyed.desc() if descending else keyed.asc(), ordered_id]
        rows += conn.execute(_list_select(column, valued, order, limit + 1)).all()
    if len(rows) <= limit:  # the rows with a value ran out: those without follow
        unvalued = [*conditions, keyed.is_(None)]
        if after is not None and after.value is None:
            past = after.customer_id
            unvalued.append(keyed_id < past if descending else keyed_id > past)
        stmt = _list_select(column, unvalued, [ordered_id], limit + 1 - len(rows))
        rows += conn.execute(stmt).all()
    more = len(rows) > limit
    rows = rows[:limit]
    page = tuple(
        CustomerListRow(
            id=r.id,
            name=r.name,
            tier=r.tier,
            risk_level=r.risk_level,
            aum=Decimal(r.aum) if r.aum is not None else None,
            mobile_masked=r.mobile_masked,
            primary_rm_id=r.primary_rm_id,
            lifecycle_stage=r.lifecycle_stage,
            tier_watch=bool(r.tier_watch),
            last_contact_at=r.last_contact_at,
            next_review_at=r.next_review_at,
        )
        for r in rows
    )
    next_key = PageKey(rows[-1].sort_value, rows[-1].id) if more and rows else None
    return CustomerPage(rows=page, next_key=next_key)


def _list_select(
    column: Any, conditions: Sequence[ColumnElement[bool]], order: Sequence[Any], limit: int
) -> Select[Any]:
    c = schema.customer
    return (
        select(
            c.c.id,
            c.c.name,
            c.c.tier,
            c.c.risk_level,
            c.c.aum,
            c.c.mobile_masked,
            c.c.primary_rm_id,
            c.c.lifecycle_stage,
            c.c.tier_watch,
            c.c.last_contact_at,
            c.c.next_review_at,
            column.label("sort_value"),
        )
        .where(*conditions)
        .order_by(*order)
        .limit(limit)
    )


def _is_empty(filters: CustomerFilter) -> bool:
    return filters == CustomerFilter()


def customer_count(conn: Connection, filters: CustomerFilter | None = None) -> int:
    """How many cached customers match ``filters`` (all of them without)."""
    c = schema.customer
    conditions = filter_conditions(filters or CustomerFilter())
    stmt = select(func.count()).select_from(c).where(*conditions)
    return int(conn.execute(stmt).scalar_one())


_PLUS: operators.custom_op[Any] = operators.custom_op("+")


def _unindexed(column: Any) -> Any:
    """``+column``: the same value, which SQLite's planner may not look up through an index."""
    return UnaryExpression(column, operator=_PLUS, type_=column.type)


def filter_conditions(
    filters: CustomerFilter, *, walking: CustomerSort | None = None
) -> list[ColumnElement[bool]]:
    """The WHERE conditions of the customer list (shared by its page, count and export).

    Args:
        walking: The sort whose index a page walks (see :func:`customer_page`): the conditions on
            other columns are then checked row by row, never looked up through their own index,
            and a tier filter on the tier sort also bounds the walk.
    """
    c = schema.customer

    def on(column: Any, sort: CustomerSort | None = None) -> Any:
        return column if walking is None or walking is sort else _unindexed(column)

    conditions: list[ColumnElement[bool]] = []
    if filters.tiers:
        conditions.append(on(c.c.tier).in_(sorted(filters.tiers)))
        ranks = [schema.TIER_RANKS[tier] for tier in filters.tiers if tier in schema.TIER_RANKS]
        if walking is CustomerSort.TIER and ranks:
            step = schema.TIER_ORDER_STEP
            conditions.append(c.c.tier_order >= min(ranks) * step)
            conditions.append(c.c.tier_order < (max(ranks) + 1) * step)
    if filters.risk_levels:
        conditions.append(on(c.c.risk_level, CustomerSort.RISK).in_(sorted(filters.risk_levels)))
    if filters.rm_ids:
        conditions.append(on(c.c.primary_rm_id, CustomerSort.RM).in_(sorted(filters.rm_ids)))
    if filters.aum_min is not None:
        conditions.append(on(c.c.aum_num, CustomerSort.AUM) >= to_fen(filters.aum_min))
    if filters.aum_max is not None:
        conditions.append(on(c.c.aum_num, CustomerSort.AUM) <= to_fen(filters.aum_max))
    if filters.tags:
        t = schema.customer_tag
        tagged = select(t.c.customer_id).where(t.c.name.in_(sorted(filters.tags)))
        # As a set, so that the few customers of a rare tag can be looked up by id.
        conditions.append(on(c.c.id).in_(tagged))
    return conditions


# ---- the 360 view -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Customer360:
    """Everything the 360 view of one customer shows, read in one transaction."""

    customer: e.Customer
    accounts: tuple[e.Account, ...]
    holdings: tuple[e.Holding, ...]
    products: Mapping[str, e.Product]
    transactions: tuple[e.Transaction, ...]  # the newest page; more with transaction_page()
    transaction_count: int  # in the cached window
    household: e.Household | None
    household_members: tuple[e.Customer, ...]
    relationships: tuple[e.Relationship, ...]
    visits: tuple[e.Visit, ...]  # newest first
    tasks: tuple[e.Task, ...]
    opportunities: tuple[e.Opportunity, ...]
    alerts: tuple[e.Alert, ...]
    tags: tuple[e.CustomerTag, ...]


@dataclass(frozen=True, slots=True)
class CustomerHeading:
    """What a form names its customer by: the name (C1 alone) and the tier."""

    name: str
    tier: str


def customer_heading(conn: Connection, customer_id: str) -> CustomerHeading | None:
    """The customer's name and tier, or None when the customer is not in the cache."""
    c = schema.customer
    row = conn.execute(select(c.c.name, c.c.tier).where(c.c.id == customer_id)).first()
    return None if row is None else CustomerHeading(name=row.name, tier=row.tier)


def customer_360(conn: Connection, customer_id: str) -> Customer360 | None:
    """The 360 aggregate of one customer, or ``None`` if it is not in the cache."""
    s = schema
    row = conn.execute(select(s.customer).where(s.customer.c.id == customer_id)).mappings().first()
    if row is None:
        return None
    customer = e.Customer.from_cache(decode_row(s.customer, row))

    holdings = _entities(
        conn,
        s.holding,
        e.Holding.from_cache,
        select(s.holding).where(s.holding.c.customer_id == customer_id).order_by(s.holding.c.id),
    )
    accounts = _entities(
        conn,
        s.account,
        e.Account.from_cache,
        select(s.account).where(s.account.c.customer_id == customer_id).order_by(s.account.c.id),
    )
    product_ids = sorted(
        {h.product_id for h in holdings if h.product_id}
        | {a.product_id for a in accounts if a.product_id}
    )
    products = {
        p.id: p
        for p in _entities(
            conn,
            s.product,
            e.Product.from_cache,
            select(s.product).where(s.product.c.id.in_(product_ids)),
        )
    }
    household = None
    members: tuple[e.Customer, ...] = ()
    if customer.household_id:
        hh = (
            conn.execute(select(s.household).where(s.household.c.id == customer.household_id))
            .mappings()
            .first()
        )
        if hh is not None:
            household = e.Household.from_cache(decode_row(s.household, hh))
            members = _entities(
                conn,
                s.customer,
                e.Customer.from_cache,
                select(s.customer)
                .where(s.customer.c.household_id == customer.household_id)
                .where(s.customer.c.id != customer_id)
                .order_by(s.customer.c.id),
            )
    rel = s.relationship
    visit = s.visit
    return Customer360(
        customer=customer,
        accounts=accounts,
        holdings=holdings,
        products=products,
        transactions=transaction_page(conn, customer_id, limit=TRANSACTIONS_FIRST_PAGE).rows,
        transaction_count=int(
            conn.execute(
                select(func.count())
                .select_from(s.transaction)
                .where(s.transaction.c.customer_id == customer_id)
            ).scalar_one()
        ),
        household=household,
        household_members=members,
        relationships=_entities(
            conn,
            rel,
            e.Relationship.from_cache,
            select(rel)
            .where(or_(rel.c.from_customer_id == customer_id, rel.c.to_customer_id == customer_id))
            .order_by(rel.c.id),
        ),
        visits=_entities(
            conn,
            visit,
            e.Visit.from_cache,
            visits_of(customer_id),
        ),
        tasks=_entities(
            conn,
            s.task,
            e.Task.from_cache,
            select(s.task)
            .where(s.task.c.customer_id == customer_id)
            .order_by(s.task.c.due_at, s.task.c.id),
        ),
        opportunities=_entities(
            conn,
            s.opportunity,
            e.Opportunity.from_cache,
            select(s.opportunity)
            .where(s.opportunity.c.customer_id == customer_id)
            .order_by(s.opportunity.c.expected_close, s.opportunity.c.id),
        ),
        alerts=_entities(
            conn,
            s.alert,
            e.Alert.from_cache,
            select(s.alert)
            .where(s.alert.c.customer_id == customer_id)
            .order_by(s.alert.c.triggered_at.desc(), s.alert.c.id),
        ),
        tags=_entities(
            conn,
            s.customer_tag,
            e.CustomerTag.from_cache,
            select(s.customer_tag)
            .where(s.customer_tag.c.customer_id == customer_id)
            .order_by(s.customer_tag.c.name),
        ),
    )


TRANSACTIONS_FIRST_PAGE = 200


@dataclass(frozen=True, slots=True)
class TransactionKey:
    """Where the next page of a customer's transactions starts (newest first)."""

    ts: str
    transaction_id: str


@dataclass(frozen=True, slots=True)
class TransactionPage:
    rows: tuple[e.Transaction, ...]
    next_key: TransactionKey | None  # None on the last page


def transaction_page(
    conn: Connection,
    customer_id: str,
    *,
    after: TransactionKey | None = None,
    limit: int = TRANSACTIONS_FIRST_PAGE,
) -> TransactionPage:
    """One page of a customer's cached transactions, newest first, by keyset.

    The 360 view opens with the first page and the Transactions tab fetches the next as the user
    scrolls, so opening a customer with years of activity costs the same as any other.
    """
    t = schema.transaction
    stmt = select(t).where(t.c.customer_id == customer_id)
    if after is not None:
        stmt = stmt.where(
            or_(t.c.ts < after.ts, and_(t.c.ts == after.ts, t.c.id > after.transaction_id))
        )
    rows = _entities(
        conn, t, e.Transaction.from_cache, stmt.order_by(t.c.ts.desc(), t.c.id).limit(limit + 1)
    )
    if len(rows) <= limit:
        return TransactionPage(rows=rows, next_key=None)
    last = rows[limit - 1]
    key = TransactionKey(ts=utc_text(last.ts), transaction_id=last.id)
    return TransactionPage(rows=rows[:limit], next_key=key)


def visits_of(customer_id: str) -> Any:
    """Visits of a customer, whether the main customer or one of several, newest first."""
    v, vc = schema.visit, schema.visit_customer
    mine = select(vc.c.visit_id).where(vc.c.customer_id == customer_id)
    return select(v).where(v.c.id.in_(mine)).order_by(v.c.start_at.desc(), v.c.id)


# ---- tasks and the Today queue ------------------------------------------------------------------


def _open_tasks_stmt(assignee_id: str) -> Any:
    t = schema.task
    return select(t).where(t.c.assignee_id == assignee_id, t.c.status.in_(OPEN_TASK_STATUSES))


def tasks_by_bucket(
    conn: Connection, *, assignee_id: str, today: date, zone: tzinfo
) -> dict[TaskBucket, tuple[e.Task, ...]]:
    """Open tasks of one assignee as overdue (due before today), today, and later (or undated)."""
    t = schema.task
    start, end = _day_bounds(today, zone)
    base = _open_tasks_stmt(assignee_id)
    buckets = {
        TaskBucket.OVERDUE: base.where(t.c.due_at < start),
        TaskBucket.TODAY: base.where(t.c.due_at >= start, t.c.due_at < end),
        TaskBucket.LATER: base.where(or_(t.c.due_at >= end, t.c.due_at.is_(None))),
    }
    return {
        bucket: _entities(
            conn, t, e.Task.from_cache, stmt.order_by(t.c.due_at.is_(None), t.c.due_at, t.c.id)
        )
        for bucket, stmt in buckets.items()
    }


@dataclass(frozen=True, slots=True)
class Maturity:
    """Something of a customer's that matures this week."""

    customer_id: str
    customer_name: str
    entity: str  # "account" or "holding"
    record_id: str
    matures_on: str
    amount: Decimal | None


@dataclass(frozen=True, slots=True)
class TodayQueue:
    overdue: tuple[e.Task, ...]
    due_today: tuple[e.Task, ...]
    alerts_by_rule: tuple[tuple[str, tuple[e.Alert, ...]], ...]  # rule id, its new alerts
    maturities: tuple[Maturity, ...]
    visits: tuple[e.Visit, ...]
    counts: Mapping[str, int] = field(default_factory=dict)


def today_queue(
    conn: Connection, *, user_id: str, today: date, zone: tzinfo, alert_limit: int = 200
) -> TodayQueue:
    """The RM's morning queue, from the cache only."""
    buckets = tasks_by_bucket(conn, assignee_id=user_id, today=today, zone=zone)
    a = schema.alert
    alerts = _entities(
        conn,
        a,
        e.Alert.from_cache,
        select(a)
        .where(a.c.status == "new")
        .order_by(a.c.rule_id, a.c.triggered_at.desc(), a.c.id)
        .limit(alert_limit),
    )
    grouped: dict[str, list[e.Alert]] = {}
    for alert in alerts:
        grouped.setdefault(alert.rule_id, []).append(alert)

    week_end = (today + timedelta(days=7 - today.weekday())).isoformat()
    start_day = today.isoformat()
    acc, hold, cust = schema.account, schema.holding, schema.customer
    maturities = [
        Maturity(
            r.customer_id,
            r.name,
            "account",
            r.id,
            r.maturity_date,
            Decimal(r.balance) if r.balance is not None else None,
        )
        for r in conn.execute(
            select(acc.c.id, acc.c.customer_id, acc.c.maturity_date, acc.c.balance, cust.c.name)
            .join(cust, cust.c.id == acc.c.customer_id)
            .where(acc.c.maturity_date >= start_day, acc.c.maturity_date < week_end)
        )
    ]
    maturities += [
        Maturity(
            r.customer_id,
            r.name,
            "holding",
            r.id,
            r.maturity_or_next_open,
            Decimal(r.market_value) if r.market_value is not None else None,
        )
        for r in conn.execute(
            select(
                hold.c.id,
                hold.c.customer_id,
                hold.c.maturity_or_next_open,
                hold.c.market_value,
                cust.c.name,
            )
            .join(cust, cust.c.id == hold.c.customer_id)
            .where(
                hold.c.maturity_or_next_open >= start_day, hold.c.maturity_or_next_open < week_end
            )
        )
    ]
    maturities.sort(key=lambda m: (m.matures_on, m.customer_id, m.record_id))

    v = schema.visit
    week_start_utc = _day_bounds(today - timedelta(days=today.weekday()), zone)[0]
    week_end_utc = _day_bounds(date.fromisoformat(week_end), zone)[0]
    visits = _entities(
        conn,
        v,
        e.Visit.from_cache,
        select(v)
        .where(v.c.start_at >= week_start_utc, v.c.start_at < week_end_utc)
        .where(v.c.rm_id == user_id)
        .order_by(v.c.start_at, v.c.id),
    )
    return TodayQueue(
        overdue=buckets[TaskBucket.OVERDUE],
        due_today=buckets[TaskBucket.TODAY],
        alerts_by_rule=tuple((rule, tuple(items)) for rule, items in grouped.items()),
        maturities=tuple(maturities),
        visits=visits,
        counts={
            "overdue": len(buckets[TaskBucket.OVERDUE]),
            "due_today": len(buckets[TaskBucket.TODAY]),
            "alerts": len(alerts),
            "maturities": len(maturities),
            "visits": len(visits),
        },
    )


# ---- KPIs ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class KpiPoint:
    date: date
    value: Decimal | None
    target: Decimal | None
    rank: int | None


def kpi_series(
    conn: Connection,
    *,
    level: str,
    subject_id: str,
    metric: str,
    period: str = "day",
    start: date | None = None,
    end: date | None = None,
) -> tuple[KpiPoint, ...]:
    """One KPI of one subject (RM, team, branch) in date order, optionally within [start, end]."""
    k = schema.kpi
    stmt = select(k.c.date, k.c.value, k.c.target, k.c.rank).where(
        k.c.level == level, k.c.subject_id == subject_id, k.c.metric == metric, k.c.period == period
    )
    if start is not None:
        stmt = stmt.where(k.c.date >= start.isoformat())
    if end is not None:
        stmt = stmt.where(k.c.date <= end.isoformat())
    return tuple(
        KpiPoint(
            date=date.fromisoformat(r.date),
            value=Decimal(r.value) if r.value is not None else None,
            target=Decimal(r.target) if r.target is not None else None,
            rank=r.rank,
        )
        for r in conn.execute(stmt.order_by(k.c.date))
    )


def count_rows(conn: Connection, entities: Sequence[str]) -> dict[str, int]:
    """Row counts per entity table (for status displays and tests)."""
    return {
        name: int(
            conn.execute(select(func.count()).select_from(schema.ENTITY_TABLES[name])).scalar_one()
        )
        for name in entities
    }
