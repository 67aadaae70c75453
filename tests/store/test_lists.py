"""The reads behind the Visits, Opportunities and Charts screens, on a real encrypted cache."""

from __future__ import annotations

from datetime import date, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest

from rm_desk.domain.enums import OpportunityStage, Role, VisitChannel
from rm_desk.local_store import Store
from rm_desk.local_store.ingest import apply_page
from rm_desk.local_store.lists import (
    Period,
    kpi_as_of,
    leaderboard,
    opportunity_rows,
    period_bounds,
    scope_members,
    stage_totals,
    visit_rows,
)
from tests import factories
from tests.factories import change

BEIJING = timezone(timedelta(hours=8))
TODAY = date(2026, 11, 20)  # a Friday


def _employee(emp_id: str, team: str, role: str = "rm", active: bool = True) -> dict[str, Any]:
    return {
        "id": emp_id,
        "name": f"员工{emp_id[-2:]}",
        "role": role,
        "team_id": team,
        "branch_id": "b-01",
        "title": None,
        "active": active,
    }


def _visit(visit_id: str, rm_id: str, start_at: str, *customers: str) -> dict[str, Any]:
    return {
        "id": visit_id,
        "customer_ids": list(customers),
        "rm_id": rm_id,
        "channel": "phone",
        "purpose": "care",
        "start_at": start_at,
        "end_at": None,
        "location_text": None,
        "notes": "客户近况良好",
        "outcome": "positive",
        "next_steps": None,
        "linked_task_ids": [],
        "linked_opportunity_ids": [],
        "created_at": start_at,
    }


def _opportunity(
    opp_id: str, owner: str, stage: str, amount: str | None, close: str | None
) -> dict[str, Any]:
    return {
        "id": opp_id,
        "customer_id": "c-000001",
        "lead_stub": None,
        "product_id": None,
        "category": "wealth",
        "amount": amount,
        "stage": stage,
        "expected_close": close,
        "source": "visit",
        "suitability_snapshot": None,
        "lost_reason": None,
        "owner_id": owner,
        "created_at": "2026-11-01T02:00:00Z",
    }


def _kpi(subject: str, month: str, value: str, rank: int, metric: str = "aum") -> dict[str, Any]:
    return {
        "id": f"kpi-{subject}-{metric}-{month}",
        "level": "rm",
        "subject_id": subject,
        "metric": metric,
        "period": "month",
        "date": month,
        "value": value,
        "target": "100.00",
        "rank": rank,
    }


@pytest.fixture
def office(store: Store) -> Store:
    records = [
        change("customer", factories.customer("c-000001", name="张伟"), 1),
        change("customer", factories.customer("c-000002", name="李娜"), 2),
        change("employee", _employee("lead01", "tm-01", "team_lead"), 3),
        change("employee", _employee("rm001", "tm-01"), 4),
        change("employee", _employee("rm002", "tm-01"), 5),
        change("employee", _employee("rm009", "tm-01", active=False), 6),
        change("employee", _employee("rm006", "tm-02"), 7),
        # Thursday of this week (Beijing), early on Monday, last month, and a colleague's.
        change("visit", _visit("v-1", "rm001", "2026-11-19T02:00:00Z", "c-000001"), 10),
        change("visit", _visit("v-2", "rm001", "2026-11-15T17:30:00Z", "c-000002", "c-000001"), 11),
        change("visit", _visit("v-3", "rm001", "2026-11-03T02:00:00Z", "c-000002"), 12),
        change("visit", _visit("v-4", "rm001", "2026-10-31T15:00:00Z", "c-000001"), 13),
        change("visit", _visit("v-5", "rm002", "2026-11-18T02:00:00Z", "c-000001"), 14),
        change("visit", _visit("v-6", "rm006", "2026-11-18T02:00:00Z", "c-000001"), 15),
        change("opportunity", _opportunity("o-1", "rm001", "lead", "100000.00", "2026-12-01"), 20),
        change("opportunity", _opportunity("o-2", "rm001", "lead", "50000.50", None), 21),
        change(
            "opportunity", _opportunity("o-3", "rm001", "closing", "300000.00", "2026-11-30"), 22
        ),
        change("opportunity", _opportunity("o-4", "rm001", "won", "80000.00", "2026-11-10"), 23),
        change("opportunity", _opportunity("o-5", "rm002", "contacted", None, "2026-11-25"), 24),
        change("opportunity", _opportunity("o-6", "rm001", "lead", "10000.00", "2026-11-21"), 25),
        change("kpi", _kpi("rm001", "2026-10-01", "300.00", 2), 30),
        change("kpi", _kpi("rm002", "2026-10-01", "400.00", 1), 31),
        change("kpi", _kpi("rm001", "2026-11-01", "500.00", 1), 32),
        change("kpi", _kpi("rm002", "2026-11-01", "450.00", 3), 33),
        change("kpi", _kpi("rm006", "2026-11-01", "900.00", 2), 34),
    ]
    apply_page(store, records, "c1")
    return store


def test_an_rm_sees_only_their_own_records_and_a_lead_their_active_team(office: Store) -> None:
    with office.read() as conn:
        rm = scope_members(conn, user_id="rm001", team_id="tm-01", team_lead=False)
        lead = scope_members(conn, user_id="lead01", team_id="tm-01", team_lead=True)

    assert [m.id for m in rm] == ["rm001"]
    assert [m.id for m in lead] == ["lead01", "rm001", "rm002"]
    assert lead[0].role is Role.TEAM_LEAD and lead[1].name == "员工01"


def test_user_missing_from_the_employee_list_still_sees_their_records(office: Store) -> None:
    with office.read() as conn:
        members = scope_members(conn, user_id="rm077", team_id=None, team_lead=False)

    assert [m.id for m in members] == ["rm077"]


@pytest.mark.parametrize(
    ("period", "expected"),
    [
        (Period.WEEK, ["v-1", "v-2"]),  # v-2 is 01:30 on Monday in Beijing
        (Period.MONTH, ["v-1", "v-2", "v-3"]),  # v-4 is 23:00 on 31 Oct in Beijing
        (Period.ALL, ["v-1", "v-2", "v-3", "v-4"]),
    ],
)
def test_visit_period_follows_beijing_days(
    office: Store, period: Period, expected: list[str]
) -> None:
    start, end = period_bounds(period, TODAY, BEIJING)
    with office.read() as conn:
        rows = visit_rows(conn, rm_ids={"rm001"}, start=start, end=end)

    assert [r.id for r in rows] == expected


def test_visit_rows_name_the_main_customer_and_count_the_others(office: Store) -> None:
    with office.read() as conn:
        rows = {r.id: r for r in visit_rows(conn, rm_ids={"rm001", "rm002"})}

    assert set(rows) == {"v-1", "v-2", "v-3", "v-4", "v-5"}
    assert rows["v-2"].customer_name == "李娜" and rows["v-2"].other_customers == 1
    assert rows["v-1"].other_customers == 0 and rows["v-1"].channel is VisitChannel.PHONE
    assert not hasattr(rows["v-1"], "notes")


def test_open_pipeline_is_in_funnel_order_then_by_close_date(office: Store) -> None:
    with office.read() as conn:
        open_rows = opportunity_rows(conn, owner_ids={"rm001"})
        every = opportunity_rows(conn, owner_ids={"rm001", "rm002"}, include_closed=True)

    assert [r.id for r in open_rows] == ["o-6", "o-1", "o-2", "o-3"]
    assert [r.id for r in every] == ["o-6", "o-1", "o-2", "o-5", "o-3", "o-4"]
    assert open_rows[0].customer_name == "张伟"


def test_stage_totals_add_up_amounts_and_weight_them_by_probability(office: Store) -> None:
    with office.read() as conn:
        totals = stage_totals(opportunity_rows(conn, owner_ids={"rm001", "rm002"}))

    by_stage = {t.stage: t for t in totals}
    assert [t.stage for t in totals] == [
        OpportunityStage.LEAD,
        OpportunityStage.CONTACTED,
        OpportunityStage.CLOSING,
    ]
    assert by_stage[OpportunityStage.LEAD].count == 3
    assert by_stage[OpportunityStage.LEAD].amount == Decimal("160000.50")
    assert by_stage[OpportunityStage.LEAD].weighted_amount == Decimal("16000.050")
    assert by_stage[OpportunityStage.CONTACTED].amount == 0  # no amount yet
    assert by_stage[OpportunityStage.CLOSING].weighted_amount == Decimal("240000")


def test_leaderboard_ranks_the_team_on_the_latest_month_with_last_months_rank(
    office: Store,
) -> None:
    with office.read() as conn:
        board = leaderboard(conn, rm_ids={"rm001", "rm002"}, metric="aum")
        october = leaderboard(
            conn, rm_ids={"rm001", "rm002"}, metric="aum", month=date(2026, 10, 1)
        )
        nothing = leaderboard(conn, rm_ids={"rm001"}, metric="visits")

    assert [(r.rm_id, r.rank, r.previous_rank) for r in board] == [
        ("rm001", 1, 2),
        ("rm002", 3, 1),
    ]
    assert board[0].value == Decimal("500.00") and board[0].month == date(2026, 11, 1)
    assert [r.rm_id for r in october] == ["rm002", "rm001"]
    assert october[0].previous_rank is None
    assert nothing == ()


def test_kpi_as_of_is_the_latest_day_or_month(office: Store) -> None:
    with office.read() as conn:
        monthly_only = kpi_as_of(conn, level="rm", subject_id="rm001")
        unknown = kpi_as_of(conn, level="rm", subject_id="rm404")

    assert monthly_only == date(2026, 11, 1)
    assert unknown is None
