"""A small hand-made bank for the server's tests: two teams, four customers, every entity.

| team | lead | RMs | customers |
|---|---|---|---|
| t-01 | lead01 (pii.reveal, team.view, task.reassign) | rm001 (pii.reveal), rm002 | c-0001…3 |
| t-02 | lead02 (team.view, task.reassign) | rm003 (pii.reveal) | c-0004 |

rm001 holds c-0001 and c-0002, rm002 c-0003, rm003 c-0004.

Each customer has an account, a holding, a transaction, a system tag, a task (assigned to its RM
by the lead), an alert and a visit of yesterday; c-0001 also has an opportunity, a household, a
relationship, a visit long past and a manual tag. Bank-wide: a product, the employees, the teams,
a rule and a branch KPI; each team a team KPI, rm001 an RM KPI. Times are relative to
:data:`NOW`, the tests' fake clock.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from crm_server.synth.records import SeedData, SeedPii, SeedRecord, SeedUser
from tests import factories

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
PASSWORD = "rmdesk-demo"
BRANCH = "b-01"

USERS = (
    SeedUser("rm001", "王伟", "rm", "t-01", BRANCH, ("pii.reveal", "export.csv")),
    SeedUser("rm002", "李娜", "rm", "t-01", BRANCH, ("export.csv",)),
    SeedUser("rm003", "张敏", "rm", "t-02", BRANCH, ("pii.reveal",)),
    SeedUser(
        "lead01", "刘强", "team_lead", "t-01", BRANCH, ("pii.reveal", "team.view", "task.reassign")
    ),
    SeedUser("lead02", "陈静", "team_lead", "t-02", BRANCH, ("team.view", "task.reassign")),
)
TEAM_OF = {user.id: user.team_id for user in USERS}
LEAD_OF = {"t-01": "lead01", "t-02": "lead02"}
CUSTOMERS = {"c-0001": "rm001", "c-0002": "rm001", "c-0003": "rm002", "c-0004": "rm003"}

MOBILE = {cid: f"1380013{n:04d}" for n, cid in enumerate(CUSTOMERS, start=1)}
ID_NO = {cid: f"11010119800101{n:03d}X" for n, cid in enumerate(CUSTOMERS, start=1)}
ACCOUNT_NO = {cid: f"622202000012{n:04d}" for n, cid in enumerate(CUSTOMERS, start=1)}
ADDRESS = "北京市朝阳区建国路88号"


def iso(moment: datetime) -> str:
    return factories.iso(moment)


def suffix(customer_id: str) -> str:
    return customer_id.removeprefix("c-")


def records() -> Iterator[SeedRecord]:
    """Every record of the bank, parents before children."""
    yield from _bank_wide()
    for team_id in LEAD_OF:
        yield _kpi("team", team_id, None, team_id)
    yield _kpi("rm", "rm001", "rm001", "t-01")
    for customer_id, rm_id in CUSTOMERS.items():
        yield from _customer_book(customer_id, rm_id)
    yield from _extras_of_c0001()


def pii() -> Iterator[SeedPii]:
    """The full values behind the masked ones."""
    for customer_id in CUSTOMERS:
        yield SeedPii(customer_id, "mobile", customer_id, MOBILE[customer_id])
        yield SeedPii(customer_id, "id_no", customer_id, ID_NO[customer_id])
        yield SeedPii(customer_id, "address", customer_id, ADDRESS)
        yield SeedPii(
            customer_id, "account_number", f"a-{suffix(customer_id)}", ACCOUNT_NO[customer_id]
        )


def history() -> Iterator[SeedRecord]:
    """Seven old transactions of c-0001, two of them at the same second."""
    stamps = [NOW - timedelta(days=100 + day) for day in (0, 1, 2, 2, 3, 4, 5)]
    for n, stamp in enumerate(stamps):
        data = {
            "id": f"h-0001-{n}",
            "account_id": "a-0001",
            "customer_id": "c-0001",
            "ts": iso(stamp),
            "amount": f"{1000 + n}.00",
            "direction": "in",
            "type": "transfer",
            "channel": "mobile",
            "counterparty_masked": "赵*",
            "other_bank": False,
        }
        yield SeedRecord("transaction", data["id"], "rm001", "t-01", "c-0001", data)


def seed_data() -> SeedData:
    """A fresh :class:`SeedData` (its iterators are single-use)."""
    return SeedData(users=list(USERS), records=records(), pii=pii(), history=history())


def _bank_wide() -> Iterator[SeedRecord]:
    yield SeedRecord(
        "product",
        "p-001",
        None,
        None,
        None,
        {
            "id": "p-001",
            "code": "WM001",
            "name": "稳健理财30天",
            "category": "wealth",
            "risk_level": "R2",
            "term_days": 30,
            "min_amount": "10000.00",
            "benchmark_yield": "0.0285",
            "on_sale": True,
            "requires_dual_recording": False,
            "qualified_investor_only": False,
        },
    )
    for user in USERS:
        yield SeedRecord(
            "employee",
            user.id,
            None,
            None,
            None,
            {
                "id": user.id,
                "name": user.name,
                "role": user.role,
                "team_id": user.team_id,
                "branch_id": BRANCH,
                "title": None,
                "active": True,
            },
        )
    for team_id, lead in LEAD_OF.items():
        yield SeedRecord(
            "team",
            team_id,
            None,
            None,
            None,
            {
                "id": team_id,
                "name": f"财富{team_id[-1]}组",
                "branch_id": BRANCH,
                "branch_name": "朝阳支行",
                "lead_id": lead,
            },
        )
    yield SeedRecord(
        "rule_config",
        "A01",
        None,
        None,
        None,
        {
            "id": "A01",
            "rule_id": "A01",
            "enabled": True,
            "params": {"days": 3},
        },
    )
    yield _kpi("branch", BRANCH, None, None)


def _kpi(level: str, subject: str, rm_id: str | None, team_id: str | None) -> SeedRecord:
    data = {
        "id": f"kpi-{level}-{subject}",
        "level": level,
        "subject_id": subject,
        "metric": "aum",
        "period": "month",
        "date": "2026-10-01",
        "value": "12500000.00",
        "target": None,
        "rank": None,
    }
    return SeedRecord("kpi", data["id"], rm_id, team_id, None, data)


def _customer_book(customer_id: str, rm_id: str) -> Iterator[SeedRecord]:
    team_id = TEAM_OF[rm_id]
    n = suffix(customer_id)

    def child(entity: str, data: dict[str, Any]) -> SeedRecord:
        return SeedRecord(entity, data["id"], rm_id, team_id, customer_id, data)

    yield SeedRecord(
        "customer",
        customer_id,
        rm_id,
        team_id,
        None,
        factories.customer(
            customer_id,
            primary_rm_id=rm_id,
            branch_id=BRANCH,
            mobile_masked=MOBILE[customer_id][:3] + "****" + MOBILE[customer_id][-4:],
            id_no_masked=ID_NO[customer_id][:3] + "*" * 11 + ID_NO[customer_id][-4:],
            household_id="h-0001" if customer_id in ("c-0001", "c-0002") else None,
        ),
    )
    yield child(
        "account",
        factories.account(
            f"a-{n}", customer_id, number_masked="**** **** **** " + ACCOUNT_NO[customer_id][-4:]
        ),
    )
    yield child(
        "holding",
        {
            "id": f"hd-{n}",
            "account_id": f"a-{n}",
            "customer_id": customer_id,
            "product_id": "p-001",
            "units": "10000.00",
            "cost": "10000.00",
            "market_value": "10085.00",
            "as_of": "2026-11-19",
            "maturity_or_next_open": None,
            "product_risk_level": "R2",
        },
    )
    yield child(
        "transaction",
        {
            "id": f"tx-{n}",
            "account_id": f"a-{n}",
            "customer_id": customer_id,
            "ts": iso(NOW - timedelta(days=3)),
            "amount": "5000.00",
            "direction": "out",
            "type": "transfer",
            "channel": "mobile",
            "counterparty_masked": "李*",
            "other_bank": True,
        },
    )
    yield child("customer_tag", factories.customer_tag(f"g-{n}", customer_id, "高净值"))
    yield child(
        "task",
        factories.task(
            f"k-{n}",
            customer_id,
            assignee_id=rm_id,
            assigner_id=LEAD_OF[team_id],
            created_at=iso(NOW - timedelta(days=1)),
        ),
    )
    yield child(
        "alert",
        {
            "id": f"al-{n}",
            "rule_id": "A04",
            "customer_id": customer_id,
            "object_entity": "account",
            "object_id": f"a-{n}",
            "severity": "normal",
            "message": "理财产品7天内到期",
            "evidence": {"days": 5},
            "triggered_at": iso(NOW),
            "status": "new",
            "dedupe_key": f"A04:{customer_id}:a-{n}:2026-11",
            "origin": "server",
        },
    )
    yield child("visit", _visit(f"v-{n}", customer_id, rm_id, NOW - timedelta(days=1)))


def _extras_of_c0001() -> Iterator[SeedRecord]:
    def child(entity: str, data: dict[str, Any]) -> SeedRecord:
        return SeedRecord(entity, data["id"], "rm001", "t-01", "c-0001", data)

    yield child(
        "household",
        {
            "id": "h-0001",
            "name": "王家",
            "head_customer_id": "c-0001",
            "members": [
                {"customer_id": "c-0001", "role": "head", "is_minor": False},
                {"customer_id": "c-0002", "role": "spouse", "is_minor": False},
            ],
        },
    )
    yield child(
        "relationship",
        {
            "id": "r-0001",
            "from_customer_id": "c-0001",
            "to_customer_id": "c-0002",
            "to_company_name": None,
            "kind": "spouse",
            "status": "verified",
            "source": "kyc",
        },
    )
    yield child(
        "opportunity",
        {
            "id": "o-0001",
            "customer_id": "c-0001",
            "lead_stub": None,
            "product_id": "p-001",
            "category": "wealth",
            "amount": "200000.00",
            "stage": "contacted",
            "expected_close": "2026-12-15",
            "source": "manual",
            "suitability_snapshot": None,
            "lost_reason": None,
            "owner_id": "rm001",
            "created_at": iso(NOW - timedelta(days=5)),
        },
    )
    yield child("visit", _visit("v-old", "c-0001", "rm001", NOW - timedelta(days=30)))
    yield child(
        "customer_tag",
        factories.customer_tag("g-manual", "c-0001", "爱打高尔夫", category="manual", source="rm"),
    )


def _visit(visit_id: str, customer_id: str, rm_id: str, start: datetime) -> dict[str, Any]:
    return {
        "id": visit_id,
        "customer_ids": [customer_id],
        "rm_id": rm_id,
        "channel": "phone",
        "purpose": "care",
        "start_at": iso(start),
        "end_at": iso(start + timedelta(hours=1)),
        "location_text": None,
        "notes": "电话关怀。",
        "outcome": "positive",
        "next_steps": None,
        "linked_task_ids": [],
        "linked_opportunity_ids": [],
        "created_at": iso(start),
    }
