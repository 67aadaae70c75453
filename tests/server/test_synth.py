"""The synthetic bank (crm_server.synth): determinism, the wire contract, masking, consistency.

One demo-scale generation per module (the ``demo`` fixture) serves most tests; determinism is
checked on small books. Bench scale is never generated here (``python -m crm_server.synth bench``
measures it).
"""

from __future__ import annotations

import itertools
import json
import random
import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crm_server.synth import Scale, SeedPii, SeedRecord
from crm_server.synth.generate import generate, scale_customers
from crm_server.synth.identity import (
    luhn_is_valid,
    resident_id_is_valid,
    uscc,
    uscc_is_valid,
)
from crm_server.synth.names import SPECIAL_SURNAMES
from rm_desk.domain.entities import ENTITY_TYPES
from rm_desk.domain.enums import TIER_FLOORS, Entity, Tier, tier_for_aum
from rm_desk.domain.masking import (
    UNMASKED_PATTERNS,
    mask_account_number,
    mask_address,
    mask_id_number,
    mask_mobile,
)

TODAY = date(2026, 11, 20)
ASSET_TYPES = {"current", "time_deposit", "wealth", "fund", "insurance"}
MONEY = re.compile(r"-?[0-9]+\.[0-9]{2}")
TIMESTAMP = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z")
# A run of 11+ digits, spaces and dashes: what every UNMASKED_PATTERNS match contains.
_DIGIT_RUN = re.compile(r"\d[\d -]{9,}\d")
_MONEY_FIELDS = {
    "customer": ("aum", "aum_mtd_avg", "credit_line"),
    "account": ("balance", "available", "loan_outstanding", "next_payment_amount", "card_limit"),
    "holding": ("cost", "market_value"),
    "transaction": ("amount",),
    "opportunity": ("amount",),
    "product": ("min_amount",),
}
_TIMESTAMP_FIELDS = (
    "ts", "start_at", "end_at", "created_at", "due_at", "sla_due_at", "completed_at",
    "triggered_at", "last_contact_at", "next_review_at",
)  # fmt: skip


@dataclass
class Bank:
    """One generation, materialized."""

    users: list[Any]
    records: list[SeedRecord]
    pii: list[SeedPii]
    history: list[SeedRecord]

    def of(self, entity: str) -> list[SeedRecord]:
        return [r for r in self.records if r.entity == entity]

    def by_id(self, entity: str) -> dict[str, dict[str, Any]]:
        return {r.id: dict(r.data) for r in self.records if r.entity == entity}


@pytest.fixture(scope="module")
def demo() -> Bank:
    data = generate(Scale.DEMO)
    records = list(data.records)
    pii = list(data.pii)
    history = list(itertools.islice(data.history, 20_000))
    return Bank(data.users, records, pii, history)


def _digest(records: Iterator[SeedRecord], n: int) -> tuple[list[tuple[Any, ...]], Counter[str]]:
    head: list[tuple[Any, ...]] = []
    counts: Counter[str] = Counter()
    for record in records:
        counts[record.entity] += 1
        if len(head) < n:
            head.append(
                (
                    record.entity,
                    record.id,
                    record.rm_id,
                    record.team_id,
                    json.dumps(record.data, sort_keys=True, ensure_ascii=False),
                )
            )
    return head, counts


# --- determinism -------------------------------------------------------------------------------


def test_same_seed_gives_identical_records_pii_and_history():
    first, second = generate(300, seed=7), generate(300, seed=7)
    assert first.users == second.users
    assert _digest(first.records, 3000) == _digest(second.records, 3000)
    assert list(first.pii) == list(second.pii)
    assert list(itertools.islice(first.history, 2000)) == list(
        itertools.islice(second.history, 2000)
    )


def test_different_seed_gives_different_customers():
    first = [r.data for r in itertools.islice(generate(200, seed=1).records, 600)]
    second = [r.data for r in itertools.islice(generate(200, seed=2).records, 600)]
    names = {d["name"] for d in first if "aum" in d}
    other = {d["name"] for d in second if "aum" in d}
    assert names and other and names != other
    assert first != second


def test_iterators_can_be_consumed_in_any_order():
    # PII and history replay the profiles themselves; they must not depend on the records.
    early, late = generate(150, seed=3), generate(150, seed=3)
    early_pii = list(early.pii)
    early_history = list(itertools.islice(early.history, 500))
    for _ in late.records:
        pass
    assert list(late.pii) == early_pii
    assert list(itertools.islice(late.history, 500)) == early_history


def test_today_moves_every_date():
    later = TODAY + timedelta(days=31)
    records = list(itertools.islice(generate(50, today=later).records, 400))
    accounts = [r.data for r in records if r.entity == "account"]
    assert accounts and all(a["as_of"] == (later - timedelta(days=1)).isoformat() for a in accounts)


# --- the wire contract -------------------------------------------------------------------------


def test_every_record_parses_as_its_domain_entity(demo: Bank):
    counts: Counter[str] = Counter()
    for index, record in enumerate(demo.records):
        # Transactions and KPIs are the bulk: one in five of them, every record of the rest.
        if record.entity in ("transaction", "kpi") and index % 5:
            continue
        parsed = ENTITY_TYPES[Entity(record.entity)].from_wire({**record.data, "rev": 1})
        assert parsed.id == record.id == record.data["id"]  # type: ignore[attr-defined]
        counts[record.entity] += 1
    assert set(counts) == {entity.value for entity in Entity}


def test_history_parses_and_is_older_than_the_window(demo: Bank):
    window_start = f"{TODAY - timedelta(days=90)}T00:00:00Z"
    transaction = ENTITY_TYPES[Entity.TRANSACTION]
    assert demo.history
    cached = {r.id for r in demo.of("transaction")}
    for record in demo.history:
        transaction.from_wire({**record.data, "rev": 1})
        assert record.entity == "transaction" and record.id not in cached
        assert record.data["ts"] < window_start


def test_money_is_two_decimals_and_timestamps_are_utc_seconds(demo: Bank):
    for record in itertools.chain(demo.records[::3], demo.history[::10]):
        data = record.data
        for name in _MONEY_FIELDS.get(record.entity, ()):
            assert data[name] is None or MONEY.fullmatch(data[name]), (record.entity, name)
        for name in _TIMESTAMP_FIELDS:
            value = data.get(name)
            assert value is None or TIMESTAMP.fullmatch(value), (record.entity, name)
        if record.entity == "customer":
            assert all(MONEY.fullmatch(v) for v in data["aum_12m"]) and len(data["aum_12m"]) == 12


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


def test_no_unmasked_mobile_id_or_card_number_in_any_record(demo: Bank):
    leaks = []
    for record in itertools.chain(demo.records, demo.history):
        text = json.dumps(record.data, ensure_ascii=False)
        if not _DIGIT_RUN.search(text):
            continue  # nothing long enough to be a mobile, an ID or a card number
        for value in _strings(record.data):
            for kind, pattern in UNMASKED_PATTERNS.items():
                if pattern.search(value):
                    leaks.append((record.entity, record.id, kind))
    assert leaks == []


def test_full_values_go_to_pii_only_and_mask_to_what_records_show(demo: Bank):
    customers = demo.by_id("customer")
    accounts = demo.by_id("account")
    fields = Counter(p.field for p in demo.pii)
    assert set(fields) == {"mobile", "id_no", "address", "account_number"}
    for item in demo.pii:
        if item.field == "account_number":
            account = accounts[item.record_id]
            assert account["customer_id"] == item.customer_id
            assert mask_account_number(item.value) == account["number_masked"]
            continue
        customer = customers[item.customer_id]
        assert item.record_id == item.customer_id
        shown = {
            "mobile": (mask_mobile, "mobile_masked"),
            "id_no": (mask_id_number, "id_no_masked"),
            "address": (mask_address, "address_summary"),
        }[item.field]
        assert shown[0](item.value) == customer[shown[1]]
        if customer["id_type"] != "uscc":  # a company's USCC is public and shown as ``uscc``
            assert item.value not in json.dumps(customer, ensure_ascii=False)


def test_identity_numbers_validate(demo: Bank):
    customers = demo.by_id("customer")
    accounts = demo.by_id("account")
    checked = Counter[str]()
    for item in demo.pii:
        if item.field == "id_no":
            id_type = customers[item.customer_id]["id_type"]
            if id_type == "resident_id":
                assert resident_id_is_valid(item.value)
                checked["resident_id"] += 1
            elif id_type == "uscc":
                assert (
                    uscc_is_valid(item.value) and item.value == customers[item.customer_id]["uscc"]
                )
                checked["uscc"] += 1
        elif item.field == "account_number" and accounts[item.record_id]["type"] in (
            "credit_card",
            "current",
        ):
            assert luhn_is_valid(item.value)
            checked["card"] += 1
        elif item.field == "mobile":
            assert re.fullmatch(r"1[3-9][0-9]{9}", item.value)
    assert checked["resident_id"] > 5000 and checked["uscc"] > 10 and checked["card"] > 5000


@settings(max_examples=50)
@given(st.integers(min_value=0, max_value=2**32))
def test_generated_uscc_always_carries_letters_and_a_valid_check(n: int):
    code = uscc(random.Random(n), "110105")
    assert uscc_is_valid(code) and not code[:17].isdigit()


# --- consistency -------------------------------------------------------------------------------


def test_tier_follows_last_month_average_and_floors(demo: Bank):
    for customer in demo.by_id("customer").values():
        tier = Tier(customer["tier"])
        assert tier_for_aum(Decimal(customer["aum_12m"][-1])) is tier
        below = Decimal(customer["aum"]) < TIER_FLOORS[tier] or (
            Decimal(customer["aum_mtd_avg"]) < TIER_FLOORS[tier]
        )
        assert customer["tier_watch"] is (tier is not Tier.STANDARD and below)


def test_balances_add_up_to_aum_and_holdings_to_their_accounts(demo: Bank):
    aum: defaultdict[str, Decimal] = defaultdict(Decimal)
    held: defaultdict[str, Decimal] = defaultdict(Decimal)
    for record in demo.of("holding"):
        held[record.data["account_id"]] += Decimal(record.data["market_value"])
    for record in demo.of("account"):
        account = record.data
        if account["type"] in ASSET_TYPES:
            aum[account["customer_id"]] += Decimal(account["balance"])
        if account["type"] in ("wealth", "fund", "insurance"):
            assert Decimal(account["balance"]) == held[account["id"]]
    for cid, customer in demo.by_id("customer").items():
        assert Decimal(customer["aum"]) == aum[cid], cid


def test_children_carry_their_customers_book_and_come_after_them(demo: Bank):
    seen: dict[str, tuple[str | None, str | None]] = {}
    for record in demo.records:
        if record.entity == "customer":
            assert record.customer_id == record.id
            assert record.data["primary_rm_id"] == record.rm_id
            seen[record.id] = (record.rm_id, record.team_id)
        elif record.customer_id is not None:
            assert seen[record.customer_id] == (record.rm_id, record.team_id), record.id
            owner = record.data.get("customer_id", record.customer_id)
            if record.entity in ("visit",):
                owner = record.data["customer_ids"][0]
            assert owner == record.customer_id or record.entity in ("household", "relationship")
    for record in demo.history[::50]:
        assert seen[record.data["customer_id"]] == (record.rm_id, record.team_id)


def test_every_reference_points_at_an_existing_record(demo: Bank):
    ids: dict[str, set[str]] = defaultdict(set)
    for record in demo.records:
        ids[record.entity].add(record.id)
    customers = demo.by_id("customer")
    accounts = demo.by_id("account")
    account_owner = {a["id"]: a["customer_id"] for a in accounts.values()}
    for record in demo.records:
        data = record.data
        if record.entity == "account":
            assert data["customer_id"] in customers
            assert data["product_id"] is None or data["product_id"] in ids["product"]
            repay = data["repayment_account_id"]
            assert repay is None or account_owner[repay] == data["customer_id"]
        elif record.entity == "holding":
            assert account_owner[data["account_id"]] == data["customer_id"]
            assert data["product_id"] in ids["product"]
        elif record.entity == "transaction":
            assert account_owner[data["account_id"]] == data["customer_id"]
        elif record.entity == "household":
            members = [m["customer_id"] for m in data["members"]]
            assert data["head_customer_id"] in members
            assert all(customers[m]["household_id"] == data["id"] for m in members)
        elif record.entity == "relationship":
            assert data["from_customer_id"] in customers
            assert data["to_customer_id"] is None or data["to_customer_id"] in customers
            assert data["to_customer_id"] or data["to_company_name"]
        elif record.entity == "visit":
            assert all(c in customers for c in data["customer_ids"])
            assert set(data["linked_task_ids"]) <= ids["task"]
            assert set(data["linked_opportunity_ids"]) <= ids["opportunity"]
        elif record.entity == "task":
            if data["related_id"] is not None:
                assert data["related_id"] in ids[data["related_entity"]]
        elif record.entity == "alert":
            assert data["object_id"] in ids[data["object_entity"]]
        elif record.entity == "opportunity":
            assert data["product_id"] is None or data["product_id"] in ids["product"]
            assert data["customer_id"] in customers or data["lead_stub"]
        elif record.entity in ("employee", "team"):
            assert data.get("team_id", data["id"]) in ids["team"]
    households = {c["household_id"] for c in customers.values()} - {None}
    assert households == ids["household"]


def test_parents_come_before_their_children(demo: Bank):
    position = {(r.entity, r.id): n for n, r in enumerate(demo.records)}
    for n, record in enumerate(demo.records):
        data = record.data
        parents: list[tuple[str, str]] = []
        if record.entity in ("holding", "transaction"):
            parents.append(("account", data["account_id"]))
        elif record.entity == "household":
            parents += [("customer", m["customer_id"]) for m in data["members"]]
        elif record.entity == "relationship" and data["to_customer_id"]:
            parents.append(("customer", data["to_customer_id"]))
        elif record.entity == "task" and data["related_entity"] == "alert":
            parents.append(("alert", data["related_id"]))
        elif record.entity == "alert" and data["object_entity"] != "customer":
            parents.append((data["object_entity"], data["object_id"]))
        elif record.entity == "employee":
            parents.append(("team", data["team_id"]))
        for parent in parents:
            assert position[parent] < n, (record.entity, record.id, parent)


def test_kpis_are_scoped_and_agree_with_the_book(demo: Bank):
    kpis = demo.of("kpi")
    levels = Counter((r.data["level"], r.data["period"]) for r in kpis)
    assert set(levels) == {
        ("rm", "day"),
        ("rm", "month"),
        ("team", "day"),
        ("team", "month"),
        ("branch", "month"),
    }
    for record in kpis:
        level = record.data["level"]
        if level == "rm":
            assert record.rm_id == record.data["subject_id"] and record.team_id
        elif level == "team":
            assert record.rm_id is None and record.team_id == record.data["subject_id"]
        else:
            assert record.rm_id is None and record.team_id is None
        if record.data["period"] == "day":
            assert date.fromisoformat(record.data["date"]).weekday() < 5
    yesterday = (TODAY - timedelta(days=1)).isoformat()
    book = sum(
        Decimal(c["aum"]) for c in demo.by_id("customer").values() if c["primary_rm_id"] == "rm001"
    )
    (aum,) = [
        r.data
        for r in kpis
        if r.data["subject_id"] == "rm001"
        and r.data["metric"] == "aum"
        and r.data["period"] == "day"
        and r.data["date"] == yesterday
    ]
    assert Decimal(aum["value"]) == book
    ranks = [
        r.data["rank"]
        for r in kpis
        if r.data["level"] == "rm" and r.data["metric"] == "aum" and r.data["date"] == yesterday
    ]
    assert sorted(ranks) == list(range(1, 16))


# --- the organisation and the users ------------------------------------------------------------


def test_seeded_users_are_exactly_those_of_the_api():
    users = {user.id: user for user in generate(Scale.DEMO).users}
    assert set(users) == {f"rm{n:03d}" for n in range(1, 16)} | {f"lead{n:02d}" for n in (1, 2, 3)}
    assert len({user.branch_id for user in users.values()}) == 1
    for team in (1, 2, 3):
        lead = users[f"lead{team:02d}"]
        assert lead.role == "team_lead"
        assert set(lead.permissions) == {"pii.reveal", "export.csv", "team.view", "task.reassign"}
        for n in range(5 * (team - 1) + 1, 5 * team + 1):
            rm = users[f"rm{n:03d}"]
            assert rm.role == "rm" and rm.team_id == lead.team_id
            assert set(rm.permissions) == {"pii.reveal", "export.csv"}


def test_org_records_match_the_users(demo: Bank):
    employees = demo.by_id("employee")
    teams = demo.by_id("team")
    assert {u.id for u in demo.users} == set(employees)
    for user in demo.users:
        assert employees[user.id]["team_id"] == user.team_id
        assert employees[user.id]["role"] == user.role
        assert employees[user.id]["name"] == user.name
    assert {t["lead_id"] for t in teams.values()} == {"lead01", "lead02", "lead03"}
    assert {t["branch_name"] for t in teams.values()} == {"北京分行朝阳支行"}


def test_bench_scale_keeps_400_customers_per_rm_without_generating_the_book():
    data = generate(Scale.BENCH)
    rms = [u for u in data.users if u.role == "rm"]
    leads = [u for u in data.users if u.role == "team_lead"]
    assert scale_customers(Scale.BENCH) == 50_000 and len(rms) == 125 and len(leads) == 25
    assert {u.id for u in rms} >= {f"rm{n:03d}" for n in range(1, 126)}
    assert len({u.branch_id for u in data.users}) == 9


def test_small_scales_keep_the_demo_users():
    users = generate(40).users
    assert len([u for u in users if u.role == "rm"]) == 15
    customers = [r for r in generate(40).records if r.entity == "customer"]
    assert len(customers) == 40


# --- what the data looks like ------------------------------------------------------------------


def test_alert_rules_fire_with_well_formed_dedupe_keys(demo: Bank):
    alerts = [r.data for r in demo.of("alert")]
    rules = Counter(a["rule_id"] for a in alerts)
    assert len(rules) >= 11, rules
    keys = [a["dedupe_key"] for a in alerts]
    assert len(keys) == len(set(keys))
    for alert in alerts:
        rule, customer, obj, period = alert["dedupe_key"].split(":")
        assert (rule, customer, obj) == (
            alert["rule_id"],
            alert["customer_id"],
            alert["object_id"],
        ) and period
    statuses = Counter(a["status"] for a in alerts)
    assert set(statuses) == {"new", "acknowledged", "converted", "dismissed"}
    converted = {a["id"] for a in alerts if a["status"] == "converted"}
    tasks = {t.data["related_id"] for t in demo.of("task") if t.data["kind"] == "alert"}
    assert converted == tasks


def test_a10_flags_only_holdings_above_the_customers_level(demo: Bank):
    customers = demo.by_id("customer")

    def above_level(holding: SeedRecord) -> bool:
        level = customers[holding.data["customer_id"]]["risk_level"]
        return level is not None and holding.data["product_risk_level"][1:] > level[1:]

    above = {r.id for r in demo.of("holding") if above_level(r)}
    flagged = {a.data["object_id"] for a in demo.of("alert") if a.data["rule_id"] == "A10"}
    assert above and flagged and flagged <= above


def test_distribution_looks_like_a_branch(demo: Bank):
    customers = list(demo.by_id("customer").values())
    tiers = Counter(c["tier"] for c in customers)
    n = len(customers)
    assert n == 6000
    assert tiers["standard"] > n / 2
    assert tiers["standard"] > tiers["gold"] > tiers["platinum"] > tiers["diamond"]
    assert 0 < tiers["private"] < n / 100
    assert {c["risk_level"] for c in customers} >= {"C1", "C2", "C3", "C4", "C5", None}
    in_household = sum(1 for c in customers if c["household_id"])
    assert 0.2 < in_household / n < 0.4
    minors = [m for r in demo.of("household") for m in r.data["members"] if m["is_minor"]]
    assert minors
    assert 0 < sum(c["is_corporate"] for c in customers) < n / 20
    expired = sum(
        1
        for c in customers
        if c["risk_assessed_on"] and c["risk_assessed_on"] < str(TODAY - timedelta(days=365))
    )
    assert 0 < expired < n / 5
    surnames = Counter(
        s
        for c in customers
        if not c["is_corporate"]
        for s in SPECIAL_SURNAMES
        if c["name"].startswith(s)
    )
    assert len(surnames) >= 7 and all(count < n / 50 for count in surnames.values())
    per_customer = Counter(r.customer_id for r in demo.of("transaction"))
    assert 8 <= sum(per_customer.values()) / n <= 20
    assert max(per_customer.values()) <= 60
    other_bank_out = [
        r
        for r in demo.of("transaction")
        if r.data["other_bank"]
        and r.data["direction"] == "out"
        and Decimal(r.data["amount"]) >= 500_000
    ]
    assert other_bank_out


def test_accounts_products_and_work_cover_every_kind(demo: Bank):
    assert {r.data["type"] for r in demo.of("account")} == {
        "current",
        "time_deposit",
        "wealth",
        "fund",
        "insurance",
        "loan",
        "credit_card",
    }
    products = [r.data for r in demo.of("product")]
    assert 100 <= len(products) <= 140
    assert {p["category"] for p in products} == {
        "deposit",
        "wealth",
        "fund",
        "insurance",
        "bond",
        "precious_metal",
        "loan",
    }
    assert any(p["qualified_investor_only"] for p in products)
    assert any(p["requires_dual_recording"] for p in products)
    assert not all(p["on_sale"] for p in products)
    opportunities = [r.data for r in demo.of("opportunity")]
    won = [o for o in opportunities if o["stage"] == "won"]
    assert won and all(o["suitability_snapshot"]["result"] == "suitable" for o in won)
    assert any(o["lead_stub"] and o["customer_id"] is None for o in opportunities)
    assert {r.data["stage"] for r in demo.of("opportunity")} == {
        "lead",
        "contacted",
        "needs_confirmed",
        "recommended",
        "closing",
        "won",
        "lost",
    }
    tasks = [r.data for r in demo.of("task")]
    assert {t["status"] for t in tasks} == {"not_started", "in_progress", "completed", "cancelled"}
    now = f"{TODAY}T00:00:00Z"
    overdue = [
        t for t in tasks if t["status"] in ("not_started", "in_progress") and t["due_at"] < now
    ]
    assert overdue
    assert {r.data["source"] for r in demo.of("customer_tag")} == {"system", "rm"}
    assert len(demo.of("rule_config")) == 12
    assert all("cooldown_days" in r.data["params"] for r in demo.of("rule_config"))
