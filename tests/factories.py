"""Wire records as the change feed carries them (API.md §2), for tests and benchmarks.

Values follow the contract: money as decimal strings, RFC 3339 UTC timestamps, masked C2 fields.
``book()`` yields a deterministic, mixed book of customers with their children, about twenty
records per customer, the mix the bench-scale feed has.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"
    "余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯"
    "龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国文辉鹏宇浩然子涵欣怡梓"
    "萱一诺雨桐俊杰志强海燕晓东红梅"
)
TIERS = ("standard", "gold", "platinum", "diamond", "private")
TIER_WEIGHTS = (55, 28, 12, 4, 1)
TS = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def iso(ts: datetime) -> str:
    return ts.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def change(entity: str, data: dict[str, Any], rev: int) -> dict[str, Any]:
    return {"entity": entity, "id": data["id"], "rev": rev, "op": "upsert", "data": data}


def delete_change(entity: str, record_id: str, rev: int, reason: str = "deleted") -> dict[str, Any]:
    return {"entity": entity, "id": record_id, "rev": rev, "op": "delete", "reason": reason}


def customer(customer_id: str = "c-000001", **overrides: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id": customer_id,
        "name": "张伟",
        "gender": "male",
        "birth_date": "1978-03-14",
        "id_type": "resident_id",
        "id_no_masked": "110***********123X",
        "id_expiry": "2031-05-01",
        "mobile_masked": "138****5678",
        "address_summary": "北京市",
        "occupation": "企业管理人员",
        "tier": "platinum",
        "tier_since": "2024-01-01",
        "tier_watch": False,
        "aum": "1250000.00",
        "aum_mtd_avg": "1198000.00",
        "aum_12m": ["1100000.00"] * 11 + ["1250000.00"],
        "risk_level": "C3",
        "risk_assessed_on": "2026-03-02",
        "risk_is_lowest": False,
        "is_qualified_investor": False,
        "investor_class": "ordinary",
        "primary_rm_id": "rm001",
        "branch_id": "b-01",
        "household_id": None,
        "relationship_since": "2015-06-01",
        "last_contact_at": iso(TS - timedelta(days=12)),
        "next_review_at": iso(TS + timedelta(days=30)),
        "lifecycle_stage": "mature",
        "rfm_r": 4,
        "rfm_f": 3,
        "rfm_m": 5,
        "churn_score": "0.12",
        "contact_prefs": {"channels": ["phone", "wechat"]},
        "soft_profile": {
            "interests": "高尔夫",
            "family_notes": "",
            "remarks": "",
            "do_not_disturb": False,
        },
        "is_corporate": False,
    }
    record.update(overrides)
    return record


def account(account_id: str, customer_id: str, **overrides: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id": account_id,
        "customer_id": customer_id,
        "type": "current",
        "number_masked": "**** **** **** 4321",
        "product_id": None,
        "currency": "CNY",
        "status": "active",
        "balance": "86000.00",
        "available": "86000.00",
        "as_of": "2026-11-19",
    }
    record.update(overrides)
    return record


def task(task_id: str, customer_id: str, **overrides: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id": task_id,
        "title": "到期续作提醒",
        "kind": "alert",
        "customer_id": customer_id,
        "priority": "normal",
        "status": "not_started",
        "due_at": iso(TS + timedelta(days=1)),
        "sla_due_at": iso(TS + timedelta(days=3)),
        "escalation_level": 0,
        "assignee_id": "rm001",
        "assigner_id": "lead01",
        "source_rule": "A04",
        "completion_note": None,
        "created_at": iso(TS - timedelta(days=1)),
    }
    record.update(overrides)
    return record


def customer_tag(tag_id: str, customer_id: str, name: str, **overrides: Any) -> dict[str, Any]:
    record = {
        "id": tag_id,
        "customer_id": customer_id,
        "name": name,
        "category": "value",
        "source": "system",
    }
    record.update(overrides)
    return record


def book(customers: int, *, seed: int = 7, first_rev: int = 1) -> Iterator[dict[str, Any]]:
    """A mixed feed: per customer 1 customer, 3 accounts, 2 holdings, 12 transactions, a visit,
    a task and a tag (about 21 records), in ``rev`` order."""
    rng = random.Random(seed)
    rev = first_rev
    for n in range(customers):
        cid = f"c-{n:07d}"
        tier = rng.choices(TIERS, TIER_WEIGHTS)[0]
        aum = round(rng.lognormvariate(11.5, 1.4), 2)
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
        yield change(
            "customer",
            customer(
                cid,
                name=name,
                tier=tier,
                aum=f"{aum:.2f}",
                aum_mtd_avg=f"{aum * 0.97:.2f}",
                mobile_masked=(
                    f"1{rng.choice('3589')}{rng.randint(0, 9)}****{rng.randint(0, 9999):04d}"
                ),
                id_no_masked=f"{rng.randint(110, 650)}***********{rng.randint(0, 999):03d}"
                f"{rng.choice('0123456789X')}",
                risk_level=f"C{rng.randint(1, 5)}",
                primary_rm_id=f"rm{rng.randint(1, 15):03d}",
            ),
            rev,
        )
        rev += 1
        for a in range(3):
            yield change(
                "account",
                account(
                    f"a-{n:07d}-{a}",
                    cid,
                    type=("current", "time_deposit", "wealth")[a],
                    number_masked=f"**** **** **** {rng.randint(0, 9999):04d}",
                    balance=f"{aum / 3:.2f}",
                    available=f"{aum / 3:.2f}",
                    maturity_date=(
                        date(2026, 11, 20) + timedelta(days=rng.randint(1, 400))
                    ).isoformat()
                    if a
                    else None,
                ),
                rev,
            )
            rev += 1
        for h in range(2):
            yield change(
                "holding",
                {
                    "id": f"h-{n:07d}-{h}",
                    "account_id": f"a-{n:07d}-2",
                    "customer_id": cid,
                    "product_id": f"p-{rng.randint(1, 120):04d}",
                    "units": f"{rng.randint(1000, 500000)}.0000",
                    "cost": f"{aum / 5:.2f}",
                    "market_value": f"{aum / 4.8:.2f}",
                    "as_of": "2026-11-19",
                    "maturity_or_next_open": "2027-01-15",
                    "product_risk_level": f"R{rng.randint(1, 5)}",
                },
                rev,
            )
            rev += 1
        for t in range(12):
            yield change(
                "transaction",
                {
                    "id": f"t-{n:07d}-{t:02d}",
                    "account_id": f"a-{n:07d}-0",
                    "customer_id": cid,
                    "ts": iso(
                        TS - timedelta(days=rng.randint(0, 89), minutes=rng.randint(0, 1440))
                    ),
                    "amount": f"{rng.lognormvariate(8, 1.5):.2f}",
                    "direction": rng.choice(("in", "out")),
                    "type": rng.choice(("transfer", "cash", "subscribe", "redeem")),
                    "channel": rng.choice(("mobile", "counter", "online")),
                    "counterparty_masked": "李*",
                    "other_bank": rng.random() < 0.2,
                },
                rev,
            )
            rev += 1
        yield change(
            "visit",
            {
                "id": f"v-{n:07d}",
                "customer_ids": [cid],
                "rm_id": "rm001",
                "channel": "phone",
                "purpose": "care",
                "start_at": iso(TS - timedelta(days=rng.randint(1, 60))),
                "end_at": None,
                "location_text": None,
                "notes": "电话关怀，客户近期关注养老规划。",
                "outcome": "positive",
                "next_steps": None,
                "linked_task_ids": [],
                "linked_opportunity_ids": [],
                "created_at": iso(TS - timedelta(days=1)),
            },
            rev,
        )
        rev += 1
        yield change(
            "task",
            task(f"k-{n:07d}", cid, due_at=iso(TS + timedelta(days=rng.randint(-5, 20)))),
            rev,
        )
        rev += 1
        yield change(
            "customer_tag",
            customer_tag(f"g-{n:07d}", cid, rng.choice(("高净值", "养老规划", "沉睡客户", "代发"))),
            rev,
        )
        rev += 1
