"""The read queries behind the screens, on a real encrypted cache."""

from __future__ import annotations

from datetime import date, timedelta, timezone
from decimal import Decimal

import pytest

from rm_desk.domain.enums import OpKind, TaskBucket
from rm_desk.local_store.ingest import apply_page
from rm_desk.local_store.queries import (
    CustomerFilter,
    CustomerSort,
    customer_360,
    customer_page,
    kpi_series,
    tasks_by_bucket,
    today_queue,
    transaction_page,
)
from rm_desk.local_store.writes import new_record_id, record_edit
from tests import factories
from tests.factories import change

SHANGHAI = timezone(timedelta(hours=8))
TODAY = date(2026, 11, 20)  # a Friday


def _all_pages(conn, **kwargs):
    rows, key = [], None
    while True:
        page = customer_page(conn, after=key, **kwargs)
        rows.extend(page.rows)
        if page.next_key is None:
            return rows
        key = page.next_key


@pytest.fixture
def book(store):
    apply_page(store, list(factories.book(60, seed=3)), "c1")
    return store


@pytest.mark.parametrize("sort", list(CustomerSort))
@pytest.mark.parametrize("descending", [False, True])
def test_keyset_pages_walk_every_customer_once_in_order(book, sort, descending):
    with book.read() as conn:
        everything = customer_page(conn, sort=sort, descending=descending, limit=1000).rows
        paged = _all_pages(conn, sort=sort, descending=descending, limit=7)

    assert [r.id for r in paged] == [r.id for r in everything]
    assert len({r.id for r in paged}) == 60
    if sort is CustomerSort.AUM:
        amounts = [r.aum for r in paged]
        assert amounts == sorted(amounts, reverse=descending)


def test_customers_without_a_sort_value_come_last_and_are_not_skipped(book):
    apply_page(
        book,
        [
            change(
                "customer", factories.customer(f"c-nocontact-{n}", last_contact_at=None), 900 + n
            )
            for n in range(5)
        ],
        "c2",
    )
    with book.read() as conn:
        rows = _all_pages(conn, sort=CustomerSort.LAST_CONTACT, limit=4)

    assert len(rows) == 65
    assert [r.id for r in rows[-5:]] == [f"c-nocontact-{n}" for n in range(5)]


def test_name_order_follows_pinyin_with_surname_readings(store):
    names = {"c-1": "张伟", "c-2": "曾志强", "c-3": "安琪", "c-4": "单雄", "c-5": "白露"}
    apply_page(
        store,
        [
            change("customer", factories.customer(cid, name=name), n)
            for n, (cid, name) in enumerate(names.items(), 1)
        ],
        "c1",
    )
    with store.read() as conn:
        rows = customer_page(conn, sort=CustomerSort.NAME).rows

    # an(安) bai(白) shan(单, not dan) zeng(曾, not ceng) zhang(张)
    assert [r.name for r in rows] == ["安琪", "白露", "单雄", "曾志强", "张伟"]


def test_filters_narrow_the_list(book):
    with book.read() as conn:
        every = _all_pages(conn, limit=100)
        rich = _all_pages(conn, filters=CustomerFilter(aum_min=Decimal("200000")), limit=9)
        c3_rm1 = _all_pages(
            conn,
            filters=CustomerFilter(
                risk_levels=frozenset({"C3"}), rm_ids=frozenset({"rm001", "rm002", "rm003"})
            ),
        )
        tagged = _all_pages(conn, filters=CustomerFilter(tags=frozenset({"高净值"})))
        tier = _all_pages(conn, filters=CustomerFilter(tiers=frozenset({"standard"})))

    assert {r.id for r in rich} == {r.id for r in every if r.aum >= Decimal("200000")}
    assert 0 < len(rich) < 60
    assert c3_rm1 and all(
        r.risk_level == "C3" and r.primary_rm_id in {"rm001", "rm002", "rm003"} for r in c3_rm1
    )
    assert 0 < len(tagged) < 60
    assert {r.id for r in tier} == {r.id for r in every if r.tier == "standard"}


def test_customer_360_gathers_every_tab(store):
    cid = "c-000001"
    apply_page(
        store,
        [
            change("customer", factories.customer(cid, household_id="hh-1"), 1),
            change("customer", factories.customer("c-000002", name="李娜", household_id="hh-1"), 2),
            change(
                "household",
                {
                    "id": "hh-1",
                    "name": "张家",
                    "head_customer_id": cid,
                    "members": [
                        {"customer_id": cid, "role": "head", "is_minor": False},
                        {"customer_id": "c-000002", "role": "spouse", "is_minor": False},
                    ],
                },
                3,
            ),
            change(
                "relationship",
                {
                    "id": "r-1",
                    "from_customer_id": cid,
                    "to_customer_id": "c-000002",
                    "to_company_name": None,
                    "kind": "spouse",
                    "status": "verified",
                    "source": "bank",
                },
                4,
            ),
            change("account", factories.account("a-1", cid, product_id="p-1"), 5),
            change(
                "product",
                {
                    "id": "p-1",
                    "code": "WM001",
                    "name": "稳享90天",
                    "category": "wealth",
                    "risk_level": "R2",
                    "term_days": 90,
                    "min_amount": "10000.00",
                    "benchmark_yield": "0.0285",
                    "on_sale": True,
                    "requires_dual_recording": False,
                    "qualified_investor_only": False,
                },
                6,
            ),
            *[
                change(
                    "transaction",
                    {
                        "id": f"t-{n}",
                        "account_id": "a-1",
                        "customer_id": cid,
                        "ts": f"2026-11-{n + 1:02d}T02:00:00Z",
                        "amount": "100.00",
                        "direction": "in",
                        "type": "transfer",
                        "channel": "mobile",
                        "counterparty_masked": "王*",
                        "other_bank": False,
                    },
                    10 + n,
                )
                for n in range(15)
            ],
            change("task", factories.task("k-1", cid), 40),
            change("customer_tag", factories.customer_tag("g-1", cid, "高净值"), 41),
        ],
        "c1",
    )
    visit_id = new_record_id()
    record_edit(
        store,
        "visit",
        visit_id,
        OpKind.CREATE,
        {
            "customer_ids": ["c-000002", cid],
            "channel": "phone",
            "purpose": "care",
            "start_at": "2026-11-19T02:00:00Z",
            "notes": "家庭资产检视",
        },
        stamped={"rm_id": "rm001", "created_at": "2026-11-19T03:00:00Z"},
    )

    with store.read() as conn:
        view = customer_360(conn, cid)
        missing = customer_360(conn, "c-nobody")

    assert missing is None
    assert view.customer.name == "张伟" and view.customer.aum == Decimal("1250000.00")
    assert [a.id for a in view.accounts] == ["a-1"]
    assert view.products["p-1"].name == "稳享90天"
    assert len(view.transactions) == 15
    assert view.transactions[0].ts > view.transactions[-1].ts, "newest first"
    assert view.household.id == "hh-1"
    assert [m.id for m in view.household_members] == ["c-000002"]
    assert [r.id for r in view.relationships] == ["r-1"]
    assert [v.id for v in view.visits] == [visit_id], "a visit listing the customer second counts"
    assert [t.id for t in view.tasks] == ["k-1"]
    assert [t.name for t in view.tags] == ["高净值"]


def test_tasks_are_bucketed_by_the_users_local_day(store):
    # 2026-11-20 in Shanghai runs from 2026-11-19T16:00Z to 2026-11-20T16:00Z.
    due = {
        "k-overdue": "2026-11-19T15:59:00Z",
        "k-today-early": "2026-11-19T16:00:00Z",
        "k-today-late": "2026-11-20T15:59:00Z",
        "k-later": "2026-11-20T16:00:00Z",
    }
    records = [
        change("task", factories.task(tid, "c-1", due_at=at), n)
        for n, (tid, at) in enumerate(due.items(), 1)
    ]
    records.append(
        change(
            "task",
            factories.task("k-done", "c-1", due_at="2026-11-01T00:00:00Z", status="completed"),
            10,
        )
    )
    records.append(change("task", factories.task("k-other", "c-1", assignee_id="rm002"), 11))
    apply_page(store, records, "c1")

    with store.read() as conn:
        buckets = tasks_by_bucket(conn, assignee_id="rm001", today=TODAY, zone=SHANGHAI)

    assert [t.id for t in buckets[TaskBucket.OVERDUE]] == ["k-overdue"]
    assert [t.id for t in buckets[TaskBucket.TODAY]] == ["k-today-early", "k-today-late"]
    assert [t.id for t in buckets[TaskBucket.LATER]] == ["k-later"]


def test_today_queue_collects_tasks_alerts_maturities_and_visits(store):
    cid = "c-000001"
    apply_page(
        store,
        [
            change("customer", factories.customer(cid), 1),
            change("task", factories.task("k-1", cid, due_at="2026-11-18T01:00:00Z"), 2),
            change("task", factories.task("k-2", cid, due_at="2026-11-20T03:00:00Z"), 3),
            change(
                "account",
                factories.account(
                    "a-td",
                    cid,
                    type="time_deposit",
                    maturity_date="2026-11-22",
                    balance="500000.00",
                ),
                4,
            ),
            change(
                "account",
                factories.account("a-later", cid, type="time_deposit", maturity_date="2026-12-22"),
                5,
            ),
            *[
                change(
                    "alert",
                    {
                        "id": f"al-{n}",
                        "rule_id": rule,
                        "customer_id": cid,
                        "object_entity": None,
                        "object_id": None,
                        "severity": "high",
                        "message": "到期提醒",
                        "evidence": {"days": 2},
                        "triggered_at": "2026-11-20T00:00:00Z",
                        "status": status,
                        "dedupe_key": f"{rule}:{cid}:{n}",
                        "origin": "server",
                    },
                    10 + n,
                )
                for n, (rule, status) in enumerate(
                    [("A04", "new"), ("A04", "new"), ("A07", "new"), ("A03", "dismissed")]
                )
            ],
            change(
                "visit",
                {
                    "id": "v-1",
                    "customer_ids": [cid],
                    "rm_id": "rm001",
                    "channel": "onsite",
                    "purpose": "renewal",
                    "start_at": "2026-11-18T02:00:00Z",
                    "end_at": None,
                    "location_text": None,
                    "notes": None,
                    "outcome": None,
                    "next_steps": None,
                    "linked_task_ids": [],
                    "linked_opportunity_ids": [],
                    "created_at": None,
                },
                20,
            ),
        ],
        "c1",
    )
    with store.read() as conn:
        queue = today_queue(conn, user_id="rm001", today=TODAY, zone=SHANGHAI)

    assert [t.id for t in queue.overdue] == ["k-1"]
    assert [t.id for t in queue.due_today] == ["k-2"]
    assert [(rule, [a.id for a in alerts]) for rule, alerts in queue.alerts_by_rule] == [
        ("A04", ["al-0", "al-1"]),
        ("A07", ["al-2"]),
    ]
    assert [(m.record_id, m.amount) for m in queue.maturities] == [("a-td", Decimal("500000.00"))]
    assert [v.id for v in queue.visits] == ["v-1"]


def test_kpi_series_comes_back_in_date_order_within_the_range(store):
    records = [
        change(
            "kpi",
            {
                "id": f"kpi-{d}",
                "level": "rm",
                "subject_id": "rm001",
                "metric": "aum",
                "period": "day",
                "date": (TODAY - timedelta(days=d)).isoformat(),
                "value": f"{100000000 + d * 1000}.00",
                "target": "120000000.00",
                "rank": d % 5 + 1,
            },
            100 + d,
        )
        for d in range(30)
    ]
    records.append(
        change(
            "kpi",
            {
                "id": "kpi-other",
                "level": "rm",
                "subject_id": "rm002",
                "metric": "aum",
                "period": "day",
                "date": TODAY.isoformat(),
                "value": "1.00",
                "target": None,
                "rank": 9,
            },
            200,
        )
    )
    apply_page(store, records, "c1")

    with store.read() as conn:
        series = kpi_series(
            conn,
            level="rm",
            subject_id="rm001",
            metric="aum",
            start=TODAY - timedelta(days=6),
            end=TODAY,
        )

    assert [p.date for p in series] == [TODAY - timedelta(days=d) for d in range(6, -1, -1)]
    assert series[-1].value == Decimal("100000000.00")
    assert series[0].target == Decimal("120000000.00")


def test_transactions_page_newest_first_without_gaps_or_repeats(store):
    cid = "c-000001"
    records = [change("customer", factories.customer(cid), 1)]
    records += [
        change(
            "transaction",
            {
                "id": f"t-{n:04d}",
                "account_id": "a-1",
                "customer_id": cid,
                # pairs of transactions share a timestamp, so the keyset must break ties by id
                "ts": f"2026-10-{n // 40 + 1:02d}T{(n // 2) % 20:02d}:00:00Z",
                "amount": "1.00",
                "direction": "out",
                "type": "transfer",
                "channel": "mobile",
                "counterparty_masked": "王*",
                "other_bank": False,
            },
            10 + n,
        )
        for n in range(450)
    ]
    apply_page(store, records, "c1")

    with store.read() as conn:
        view = customer_360(conn, cid)
        pages = [transaction_page(conn, cid, limit=200)]
        while pages[-1].next_key is not None:
            pages.append(transaction_page(conn, cid, after=pages[-1].next_key, limit=200))

    walked = [t for page in pages for t in page.rows]
    assert view.transaction_count == 450 and len(view.transactions) == 200
    assert [len(p.rows) for p in pages] == [200, 200, 50]
    assert len({t.id for t in walked}) == 450
    assert [t.ts for t in walked] == sorted((t.ts for t in walked), reverse=True)
    assert [t.id for t in view.transactions] == [t.id for t in walked[:200]]


def test_tier_order_is_the_banks_from_standard_to_private_then_aum_within_a_tier(store):
    customers = [
        ("c-a", "private", "7000000.00"),
        ("c-b", "standard", "900.00"),
        ("c-c", "gold", "60000.00"),
        ("c-d", "standard", "30000.00"),
        ("c-e", "diamond", "3500000.00"),
        ("c-f", "platinum", "800000.00"),
        ("c-g", "gold", "52000.00"),
    ]
    apply_page(
        store,
        [
            change("customer", factories.customer(cid, tier=tier, aum=aum), n)
            for n, (cid, tier, aum) in enumerate(customers, 1)
        ],
        "c1",
    )
    with store.read() as conn:
        up = [r.id for r in _all_pages(conn, sort=CustomerSort.TIER, limit=3)]
        down = [r.id for r in _all_pages(conn, sort=CustomerSort.TIER, descending=True, limit=3)]

    # 普通 900, 普通 30,000, 金卡 52,000, 金卡 60,000, 白金, 钻石, 私行 — not the codes' spelling
    assert up == ["c-b", "c-d", "c-g", "c-c", "c-f", "c-e", "c-a"]
    assert down == list(reversed(up))


def test_risk_and_rm_sorts_group_the_book_and_leave_the_unassessed_last(store):
    customers = [
        ("c-1", "C3", "rm002"),
        ("c-2", None, "rm001"),
        ("c-3", "C1", "rm002"),
        ("c-4", "C5", "rm001"),
        ("c-5", "C1", "rm003"),
    ]
    apply_page(
        store,
        [
            change("customer", factories.customer(cid, risk_level=risk, primary_rm_id=rm), n)
            for n, (cid, risk, rm) in enumerate(customers, 1)
        ],
        "c1",
    )
    with store.read() as conn:
        by_risk = [r.id for r in _all_pages(conn, sort=CustomerSort.RISK, limit=2)]
        by_risk_down = [
            r.id for r in _all_pages(conn, sort=CustomerSort.RISK, descending=True, limit=2)
        ]
        by_rm = [r.primary_rm_id for r in _all_pages(conn, sort=CustomerSort.RM, limit=2)]

    assert by_risk == ["c-3", "c-5", "c-1", "c-4", "c-2"]
    assert by_risk_down == ["c-4", "c-1", "c-5", "c-3", "c-2"]
    assert by_rm == ["rm001", "rm001", "rm002", "rm002", "rm003"]


@pytest.mark.parametrize("sort", list(CustomerSort))
@pytest.mark.parametrize("descending", [False, True])
def test_every_sort_of_the_list_walks_an_index_instead_of_sorting_the_book(book, sort, descending):
    # A page of a 100,000-customer book must not sort the book (the GUI thread reads it).
    with book.read() as conn:
        first = customer_page(conn, sort=sort, descending=descending, limit=7)
        assert first.next_key is not None
        statements: list[str] = []

        def seen(_conn, _cursor, statement, parameters, _context, _many):
            statements.append((statement, parameters))

        from sqlalchemy import event

        event.listen(conn, "before_cursor_execute", seen)
        try:
            customer_page(conn, sort=sort, descending=descending, after=first.next_key, limit=7)
        finally:
            event.remove(conn, "before_cursor_execute", seen)
        ((statement, parameters),) = statements
        plan = " | ".join(
            str(row[-1])
            for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
        )

    assert "USING INDEX" in plan or "USING COVERING INDEX" in plan, plan
    assert "TEMP B-TREE" not in plan, plan
