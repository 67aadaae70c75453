"""Seeded feed records and search queries for the store benchmarks.

Everything here is deterministic (fixed seeds) and built from :mod:`tests.factories`, so a number in
one run is comparable with the same number in another. Generation is never inside a timed region.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from rm_desk.domain.pinyin import name_pinyin
from tests import factories
from tests.factories import TS, change, iso

Change = dict[str, Any]

RECORDS_PER_CUSTOMER = 21  # what factories.book yields per customer
PRODUCT_COUNT = 120  # factories.book's holdings refer to products p-0001 … p-0120
TAG_NAMES = ("高净值", "养老规划", "沉睡客户", "代发", "VIP客户", "理财偏好")
_EXTRA_REV = 50_000_000  # revs of records added beside a factories.book, above any of its revs


def mixed_feed(records: int) -> list[Change]:
    """Exactly ``records`` changes of the mixed book (customers with all their children)."""
    customers = -(-records // RECORDS_PER_CUSTOMER)
    return list(itertools.islice(factories.book(customers), records))


def pages(changes: Sequence[Change], size: int) -> list[Sequence[Change]]:
    return [changes[start : start + size] for start in range(0, len(changes), size)]


def _name(rng: random.Random) -> str:
    given = "".join(rng.choice(factories.GIVEN) for _ in range(rng.choice((1, 2, 2))))
    return rng.choice(factories.SURNAMES) + given


def search_book(customers: int, *, seed: int = 11) -> Iterator[Change]:
    """Per customer: the customer, one account (its last 4 digits are indexed) and one tag."""
    rng = random.Random(seed)
    rev = 1
    for n in range(customers):
        cid = f"c-{n:07d}"
        aum = round(rng.lognormvariate(11.5, 1.4), 2)
        record = factories.customer(
            cid,
            name=_name(rng),
            tier=rng.choices(factories.TIERS, factories.TIER_WEIGHTS)[0],
            aum=f"{aum:.2f}",
            aum_mtd_avg=f"{aum * 0.97:.2f}",
            mobile_masked=f"1{rng.choice('3589')}{rng.randint(0, 9)}****{rng.randint(0, 9999):04d}",
            id_no_masked=f"{rng.randint(110, 650)}***********{rng.randint(0, 999):03d}"
            f"{rng.choice('0123456789X')}",
        )
        yield change("customer", record, rev)
        number = f"**** **** **** {rng.randint(0, 9999):04d}"
        yield change("account", factories.account(f"a-{n:07d}", cid, number_masked=number), rev + 1)
        tag = factories.customer_tag(f"g-{n:07d}", cid, rng.choice(TAG_NAMES))
        yield change("customer_tag", tag, rev + 2)
        rev += 3


@dataclass(frozen=True, slots=True)
class Query:
    kind: str  # what a person typed: "full name", "initials", …
    text: str


# How many of the queries are of each kind; what RMs type into Ctrl+K, most common first.
QUERY_MIX: Mapping[str, int] = {
    "full name": 35,
    "name fragment": 35,  # two characters of a name, e.g. 张伟 of 张伟明 or 伟明
    "pinyin prefix": 35,  # first syllable and the start of the next, e.g. zhangw
    "last 4 digits": 35,
    "initials": 30,  # zw, zwm
    "one letter": 15,  # the first keystroke
    "tag": 15,
}


def search_queries(customers: Sequence[Mapping[str, Any]], *, seed: int = 5) -> list[Query]:
    """About 200 queries drawn from the customers in the store, in a fixed shuffled order."""
    rng = random.Random(seed)
    queries: list[Query] = []
    for kind, count in QUERY_MIX.items():
        for _ in range(count):
            record = rng.choice(customers)
            queries.append(Query(kind, _query_text(kind, record, rng)))
    rng.shuffle(queries)
    return queries


def _query_text(kind: str, record: Mapping[str, Any], rng: random.Random) -> str:
    name = str(record["name"])
    py = name_pinyin(name)
    if kind == "full name":
        return name
    if kind == "name fragment":
        start = rng.randrange(len(name) - 1)
        return name[start : start + 2]
    if kind == "pinyin prefix":
        first, *rest = py.syllables
        return first + (rest[0][: rng.randint(1, 2)] if rest else "")
    if kind == "initials":
        return py.initials[:2] if rng.random() < 0.6 else py.initials
    if kind == "one letter":
        return py.full[0]
    if kind == "last 4 digits":
        return str(record["mobile_masked"])[-4:]
    if kind == "tag":
        tag = rng.choice(TAG_NAMES)
        return tag if rng.random() < 0.5 else tag[:2]
    raise ValueError(f"unknown query kind {kind!r}")


def products(count: int = PRODUCT_COUNT) -> list[Change]:
    return [
        change(
            "product",
            {
                "id": f"p-{n:04d}",
                "code": f"WM{n:04d}",
                "name": f"稳健理财{n}号",
                "category": ("wealth", "fund", "deposit", "insurance", "bond")[n % 5],
                "risk_level": f"R{n % 5 + 1}",
                "term_days": (90, 180, 365)[n % 3],
                "min_amount": "10000.00",
                "benchmark_yield": "0.0325",
                "on_sale": True,
                "requires_dual_recording": n % 7 == 0,
                "qualified_investor_only": False,
            },
            _EXTRA_REV + n,
        )
        for n in range(1, count + 1)
    ]


def big_customer(customer_id: str, *, transactions: int, seed: int = 3) -> list[Change]:
    """One customer with a long history: 10 accounts, 10 holdings, ``transactions``
    transactions, 20 visits, 10 tasks, 5 alerts, 3 opportunities and 3 tags."""
    rng = random.Random(seed)
    revs = itertools.count(_EXTRA_REV + 10_000)
    out: list[Change] = [
        change("customer", factories.customer(customer_id, name="欧阳明哲"), next(revs))
    ]
    account_ids = [f"{customer_id}-a{n:02d}" for n in range(10)]
    for n, account_id in enumerate(account_ids):
        record = factories.account(
            account_id,
            customer_id,
            type=("current", "time_deposit", "wealth", "fund", "insurance")[n % 5],
            number_masked=f"**** **** **** {rng.randint(0, 9999):04d}",
            product_id=f"p-{n + 1:04d}" if n % 5 else None,
        )
        out.append(change("account", record, next(revs)))
    for n in range(10):
        holding = {
            "id": f"{customer_id}-h{n:02d}",
            "account_id": account_ids[2],
            "customer_id": customer_id,
            "product_id": f"p-{rng.randint(1, PRODUCT_COUNT):04d}",
            "units": f"{rng.randint(1000, 500000)}.0000",
            "cost": "200000.00",
            "market_value": "208000.00",
            "as_of": "2026-11-19",
            "maturity_or_next_open": "2027-01-15",
            "product_risk_level": f"R{rng.randint(1, 5)}",
        }
        out.append(change("holding", holding, next(revs)))
    for n in range(transactions):
        txn = {
            "id": f"{customer_id}-t{n:05d}",
            "account_id": rng.choice(account_ids),
            "customer_id": customer_id,
            "ts": iso(TS - timedelta(minutes=rng.randint(0, 90 * 1440))),
            "amount": f"{rng.lognormvariate(8, 1.5):.2f}",
            "direction": rng.choice(("in", "out")),
            "type": rng.choice(("transfer", "cash", "subscribe", "redeem")),
            "channel": rng.choice(("mobile", "counter", "online")),
            "counterparty_masked": "李*",
            "other_bank": rng.random() < 0.2,
        }
        out.append(change("transaction", txn, next(revs)))
    for n in range(20):
        visit = {
            "id": f"{customer_id}-v{n:02d}",
            "customer_ids": [customer_id],
            "rm_id": "rm001",
            "channel": rng.choice(("onsite", "branch", "phone", "wechat")),
            "purpose": rng.choice(("renewal", "portfolio_review", "care")),
            "start_at": iso(TS - timedelta(days=rng.randint(1, 365))),
            "end_at": None,
            "location_text": None,
            "notes": "资产检视，客户关注养老规划与子女教育金。",
            "outcome": "positive",
            "next_steps": None,
            "linked_task_ids": [],
            "linked_opportunity_ids": [],
            "created_at": iso(TS - timedelta(days=1)),
        }
        out.append(change("visit", visit, next(revs)))
    for n in range(10):
        task = factories.task(
            f"{customer_id}-k{n:02d}", customer_id, due_at=iso(TS + timedelta(days=n - 3))
        )
        out.append(change("task", task, next(revs)))
    for n in range(5):
        alert = {
            "id": f"{customer_id}-l{n:02d}",
            "rule_id": f"A0{n + 1}",
            "customer_id": customer_id,
            "object_entity": "account",
            "object_id": account_ids[n],
            "severity": "high" if n == 0 else "normal",
            "message": "理财产品7日内到期",
            "evidence": {"maturity_date": "2026-11-25", "amount": "200000.00"},
            "triggered_at": iso(TS - timedelta(hours=n)),
            "status": "new",
            "dedupe_key": f"A0{n + 1}:{account_ids[n]}",
            "origin": "server",
        }
        out.append(change("alert", alert, next(revs)))
    for n in range(3):
        opportunity = {
            "id": f"{customer_id}-o{n:02d}",
            "customer_id": customer_id,
            "lead_name": None,
            "product_id": f"p-{n + 1:04d}",
            "category": "wealth",
            "amount": "300000.00",
            "stage": ("lead", "recommended", "closing")[n],
            "expected_close": "2026-12-15",
            "source": "alert",
            "suitability_snapshot": None,
            "lost_reason": None,
            "owner_id": "rm001",
            "created_at": iso(TS - timedelta(days=3)),
        }
        out.append(change("opportunity", opportunity, next(revs)))
    for n, name in enumerate(TAG_NAMES[:3]):
        tag = factories.customer_tag(f"{customer_id}-g{n}", customer_id, name)
        out.append(change("customer_tag", tag, next(revs)))
    return out
