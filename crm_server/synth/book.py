"""One RM's book as wire records: customers with every child record, in feed order.

For each unit (a household, a company with its representative, a single customer) the customers
come first, then the household and the relationships, then per customer its accounts, holdings,
transactions, visits, opportunities, alerts, tasks and tags, so parents always precede children.
While writing, :class:`BookWriter` fills the RM's :class:`~crm_server.synth.kpis.RmStats`.
"""

from __future__ import annotations

import operator
import random
from collections.abc import Callable, Iterator
from typing import Any

from crm_server.synth.alerts import AlertPlan, OpenTask, a12_task_overdue, evaluate
from crm_server.synth.days import DAY_S, HOUR_S, NOW_S, Days
from crm_server.synth.kpis import RmStats
from crm_server.synth.ledger import KINDS, TIER_RANK, Event, EventMaker, Ledger, run_ledger
from crm_server.synth.org import Rm
from crm_server.synth.people import AccountPlan, Person, book_units
from crm_server.synth.products import ProductInfo
from crm_server.synth.records import SeedPii, SeedRecord
from crm_server.synth.tags import Scores, contact_prefs, scores, soft_profile, tags
from crm_server.synth.wire import masked_account_number, money
from crm_server.synth.work import (
    OpportunityPlan,
    RmWork,
    TaskPlan,
    VisitPlan,
    escalation,
    sla_for,
    suitability_snapshot,
    task_status,
)
from crm_server.synth.world import STREAM_LEADS, STREAM_LEDGER, World, choose, stream
from rm_desk.domain.enums import (
    AccountType,
    AlertOrigin,
    AlertStatus,
    Entity,
    OpportunityStage,
    ProductCategory,
    TaskKind,
    Tier,
    VisitPurpose,
)
from rm_desk.domain.masking import mask_id_number, mask_mobile

_REVIEW_DAYS = {
    Tier.STANDARD: 180,
    Tier.GOLD: 90,
    Tier.PLATINUM: 60,
    Tier.DIAMOND: 30,
    Tier.PRIVATE: 30,
}


class _State:
    """Everything generated for one customer, before it is written."""

    __slots__ = (
        "alerts",
        "last_contact",
        "ledger",
        "opportunities",
        "person",
        "scores",
        "tasks",
        "visits",
    )

    def __init__(self, person: Person, ledger: Ledger) -> None:
        self.person = person
        self.ledger = ledger
        self.visits: list[VisitPlan] = []
        self.tasks: list[TaskPlan] = []
        self.opportunities: list[OpportunityPlan] = []
        self.alerts: list[tuple[str, AlertPlan, AlertStatus]] = []
        self.last_contact: int | None = None
        self.scores: Scores | None = None


class BookWriter:
    """Writes the records of RM books, one book at a time."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.maker = EventMaker(world)

    def records(self, rm: Rm, stats: RmStats) -> Iterator[SeedRecord]:
        """Every record of ``rm``'s book; ``stats`` is filled on the way."""
        world = self.world
        rng = stream(world.seed, STREAM_LEDGER, rm.index)
        work = RmWork(world, rng)
        team_id = rm.team.id
        lead_id = rm.team.lead_id
        for unit in book_units(world, rm):
            states: list[_State] = []
            ids = [p.id for p in unit.people]
            for person in unit.people:
                ledger = run_ledger(world, person, rng, self.maker)
                state = _State(person, ledger)
                companions = [i for i in ids if i != person.id]
                visits, follow_ups, last_contact = work.visits(person, ledger, companions)
                state.visits, state.last_contact = visits, last_contact
                state.opportunities = work.opportunities(person, ledger, visits)
                state.tasks = follow_ups + work.other_tasks(person, ledger, lead_id)
                self._alerts(state, rng)
                state.scores = scores(person, ledger, rng)
                states.append(state)
            for state in states:
                yield SeedRecord(
                    "customer",
                    state.person.id,
                    rm.id,
                    team_id,
                    state.person.id,
                    self._customer(state, rng),
                )
            if unit.household is not None:
                head = unit.household["head_customer_id"]
                yield SeedRecord(
                    "household", unit.household["id"], rm.id, team_id, head, unit.household
                )
            for relationship in unit.relationships:
                yield SeedRecord(
                    "relationship",
                    relationship["id"],
                    rm.id,
                    team_id,
                    relationship["from_customer_id"],
                    relationship,
                )
            for state in states:
                yield from self._children(state, rm, team_id, rng)
                _collect(stats, state, self.world)
        leads = stream(world.seed, STREAM_LEADS, rm.index)
        for plan in RmWork(world, leads).lead_stubs(rm.id, 3 + int(leads.random() * 6)):
            yield SeedRecord(
                "opportunity", plan.id, rm.id, team_id, None, self._opportunity(plan, rm)
            )

    # --- alerts ---------------------------------------------------------------------------------

    def _alerts(self, state: _State, rng: random.Random) -> None:
        """Run the rules; convert some alerts to tasks (and opportunities); then rule A12."""
        person, ledger = state.person, state.ledger
        plans = evaluate(self.world.days, person, ledger, state.last_contact)
        number = 0
        for plan in plans:
            number += 1
            alert_id = f"al-{person.num}-{number:02d}"
            status = _alert_status(rng.random(), NOW_S - plan.triggered)
            state.alerts.append((alert_id, plan, status))
            if status is not AlertStatus.CONVERTED:
                continue
            created = min(plan.triggered + 600 + int(rng.random() * 4 * HOUR_S), NOW_S - 60)
            task_state, done = task_status(rng, created, plan.task_due)
            sla_due = sla_for(plan.severity, created)
            state.tasks.append(
                TaskPlan(
                    id=f"k-{person.num}-{number:02d}",
                    title=plan.task_title,
                    kind=TaskKind.ALERT,
                    customer_id=person.id,
                    priority=plan.severity,
                    status=task_state,
                    created=created,
                    due=plan.task_due,
                    assignee=person.rm.id,
                    related_entity=Entity.ALERT,
                    related_id=alert_id,
                    sla_due=sla_due,
                    escalation=escalation(task_state, sla_due),
                    source_rule=plan.rule,
                    note="已联系客户并完成处理。" if done is not None else None,
                    completed=done,
                )
            )
            if plan.wants_opportunity:
                state.opportunities.append(self._alert_opportunity(state, plan, created, number))
        for task in list(state.tasks):
            if task.sla_due is None or not task.status.is_open:
                continue
            open_task = OpenTask(task.id, task.title, task.priority, task.created, task.sla_due)
            for plan in a12_task_overdue(self.world.days, person.id, open_task):
                number += 1
                alert_id = f"al-{person.num}-{number:02d}"
                status = _alert_status(rng.random(), NOW_S - plan.triggered)
                if status is AlertStatus.CONVERTED:
                    status = AlertStatus.ACKNOWLEDGED  # an overdue task is not turned into another
                state.alerts.append((alert_id, plan, status))

    def _alert_opportunity(
        self, state: _State, plan: AlertPlan, created: int, number: int
    ) -> OpportunityPlan:
        person, ledger = state.person, state.ledger
        shelf = self.world.shelf
        product: ProductInfo
        if plan.product_id is not None and shelf.by_id[plan.product_id].on_sale:
            product = shelf.by_id[plan.product_id]
        elif plan.rule == "A04":
            product = shelf.code("CD-1Y" if plan.object_amount >= 2_000_000 else "DP-1Y")
        else:
            level = person.risk or 1
            options = [p for p in shelf.kind("closed") if p.on_sale and p.risk <= level]
            product = options[number % len(options)] if options else shelf.code("DP-1Y")
        amount = max(plan.object_amount, product.min_fen or 0) // 100_000 * 100_000
        return OpportunityPlan(
            id=f"o-{person.num}-a{number}",
            customer_id=person.id,
            product=product,
            category=product.category,
            amount=max(amount, 100_000),
            stage=OpportunityStage.LEAD,
            expected_close=max(1, plan.task_due // DAY_S + 3),
            source="alert",
            snapshot=suitability_snapshot(
                self.world.days, person, ledger, product, created // DAY_S
            ),
            lost_reason=None,
            created=created,
        )

    # --- records --------------------------------------------------------------------------------

    def _customer(self, state: _State, rng: random.Random) -> dict[str, Any]:
        days = self.world.days
        person, ledger = state.person, state.ledger
        score = state.scores
        assert score is not None
        last = state.last_contact
        last_at = None if last is None else _last_contact_moment(state, days)
        review_base = last if last is not None else -1
        review = review_base + _REVIEW_DAYS[ledger.tier]
        if review < 0:
            review = 1 + person.seq % 7
        corp = person.corporate
        return {
            "id": person.id,
            "name": person.name,
            "gender": "unknown" if corp else ("female" if person.female else "male"),
            "birth_date": None if person.birth is None else person.birth.isoformat(),
            "id_type": person.id_type.value,
            "id_no_masked": mask_id_number(person.id_no),
            "id_expiry": None if person.id_expiry is None else days.iso(person.id_expiry),
            "mobile_masked": None if person.mobile is None else mask_mobile(person.mobile),
            "address_summary": person.address_summary,
            "occupation": person.occupation,
            "tier": ledger.tier.value,
            "tier_since": days.iso(ledger.tier_since),
            "tier_watch": ledger.tier_watch,
            "aum": money(ledger.aum),
            "aum_mtd_avg": money(ledger.mtd_avg),
            "aum_12m": [money(v) for v in ledger.aum_12m],
            "risk_level": None if person.risk is None else f"C{person.risk}",
            "risk_assessed_on": None if person.assessed is None else days.iso(person.assessed),
            "risk_is_lowest": person.risk_is_lowest,
            "is_qualified_investor": ledger.qualified,
            "investor_class": "professional" if person.professional else "ordinary",
            "primary_rm_id": person.rm.id,
            "branch_id": person.rm.branch.id,
            "household_id": person.household_id,
            "relationship_since": days.iso(person.since),
            "last_contact_at": last_at,
            "next_review_at": days.ts(review, 10 * 3600),
            "lifecycle_stage": score.lifecycle.value,
            "rfm_r": score.rfm_r,
            "rfm_f": score.rfm_f,
            "rfm_m": score.rfm_m,
            "churn_score": score.churn,
            "contact_prefs": contact_prefs(person, rng),
            "soft_profile": soft_profile(person, rng),
            "is_corporate": corp,
            "uscc": person.uscc,
            "industry": person.company.industry if person.company else None,
            "size": person.size,
            "credit_line": None if person.credit_line is None else money(person.credit_line),
            "credit_line_expiry": (
                None if person.credit_line_expiry is None else days.iso(person.credit_line_expiry)
            ),
        }

    def _children(
        self, state: _State, rm: Rm, team_id: str, rng: random.Random
    ) -> Iterator[SeedRecord]:
        days = self.world.days
        person = state.person
        cid = person.id
        rm_id = rm.id
        as_of = days.iso(-1)
        for account in person.accounts:
            yield SeedRecord(
                "account", account.id, rm_id, team_id, cid, _account(account, cid, as_of, days.iso)
            )
        for account in person.accounts:
            for holding in account.holdings:
                product = holding.product
                yield SeedRecord(
                    "holding",
                    holding.id,
                    rm_id,
                    team_id,
                    cid,
                    {
                        "id": holding.id,
                        "account_id": account.id,
                        "customer_id": cid,
                        "product_id": product.id,
                        "units": holding.units,
                        "cost": money(holding.cost),
                        "market_value": money(holding.value),
                        "as_of": as_of,
                        "maturity_or_next_open": (
                            None if holding.maturity is None else days.iso(holding.maturity)
                        ),
                        "product_risk_level": product.risk_code,
                    },
                )
        num = person.num
        for n, event in enumerate(state.ledger.events, start=1):
            yield _transaction(days, person, rm, event, f"t-{num}-{n:03d}")
        for visit in state.visits:
            yield SeedRecord("visit", visit.id, rm_id, team_id, cid, _visit(visit, rm_id, days))
        for opportunity in state.opportunities:
            yield SeedRecord(
                "opportunity",
                opportunity.id,
                rm_id,
                team_id,
                cid,
                self._opportunity(opportunity, rm),
            )
        # Alerts before the tasks converted from them; A12 alerts after the tasks they are about.
        for alert_id, plan, status in state.alerts:
            if plan.rule != "A12":
                yield _alert(days, cid, rm_id, team_id, alert_id, plan, status)
        for task in state.tasks:
            yield SeedRecord("task", task.id, rm_id, team_id, cid, _task(task, days))
        for alert_id, plan, status in state.alerts:
            if plan.rule == "A12":
                yield _alert(days, cid, rm_id, team_id, alert_id, plan, status)
        for tag in tags(person, state.ledger, _scores(state), rng):
            yield SeedRecord("customer_tag", tag["id"], rm_id, team_id, cid, tag)

    def _opportunity(self, plan: OpportunityPlan, rm: Rm) -> dict[str, Any]:
        days = self.world.days
        return {
            "id": plan.id,
            "customer_id": plan.customer_id,
            "lead_stub": plan.lead_stub,
            "product_id": None if plan.product is None else plan.product.id,
            "category": plan.category.value,
            "amount": money(plan.amount),
            "stage": plan.stage.value,
            "expected_close": days.iso(plan.expected_close),
            "source": plan.source,
            "suitability_snapshot": plan.snapshot,
            "lost_reason": plan.lost_reason,
            "owner_id": rm.id,
            "created_at": days.stamp(plan.created),
        }


def _scores(state: _State) -> Scores:
    assert state.scores is not None
    return state.scores


def _last_contact_moment(state: _State, days: Days) -> str:
    """The last contact: the latest visit, or for older contacts 10:00-ish on that day."""
    if state.visits:
        return days.stamp(state.visits[0].start)
    assert state.last_contact is not None
    return days.ts(state.last_contact, 10 * HOUR_S + state.person.seq % 3600)


def history_record(world: World, person: Person, rm: Rm, event: Event, tid: str) -> SeedRecord:
    """A transaction of the online history as a record (the same form as the window's)."""
    return _transaction(world.days, person, rm, event, tid)


def _transaction(days: Days, person: Person, rm: Rm, event: Event, tid: str) -> SeedRecord:
    direction, type_, other_bank, _ = KINDS[event.kind]
    cid = person.id
    return SeedRecord(
        "transaction",
        tid,
        rm.id,
        rm.team.id,
        cid,
        {
            "id": tid,
            "account_id": event.account.id,
            "customer_id": cid,
            "ts": days.ts(event.day, event.sec),
            "amount": money(event.amount),
            "direction": direction,
            "type": type_,
            "channel": event.channel,
            "counterparty_masked": event.counterparty,
            "other_bank": other_bank,
        },
    )


_ALERT_FRESH = ((AlertStatus.NEW, 0.85), (AlertStatus.ACKNOWLEDGED, 0.15))
_ALERT_THIS_WEEK = ((AlertStatus.NEW, 0.45), (AlertStatus.ACKNOWLEDGED, 0.2),
                    (AlertStatus.CONVERTED, 0.3), (AlertStatus.DISMISSED, 0.05))  # fmt: skip
_ALERT_OLDER = ((AlertStatus.NEW, 0.2), (AlertStatus.ACKNOWLEDGED, 0.25),
                (AlertStatus.CONVERTED, 0.45), (AlertStatus.DISMISSED, 0.1))  # fmt: skip


def _alert_status(draw: float, age: int) -> AlertStatus:
    """How far the RM got with an alert raised ``age`` seconds ago."""
    table = _ALERT_FRESH if age <= DAY_S else _ALERT_THIS_WEEK if age <= 7 * DAY_S else _ALERT_OLDER
    return choose(draw, table)


def _alert(
    days: Days,
    cid: str,
    rm_id: str,
    team_id: str,
    alert_id: str,
    plan: AlertPlan,
    status: AlertStatus,
) -> SeedRecord:
    data = {
        "id": alert_id,
        "rule_id": plan.rule,
        "customer_id": cid,
        "object_entity": plan.object_entity.value,
        "object_id": plan.object_id,
        "severity": plan.severity.value,
        "message": plan.message,
        "evidence": plan.evidence,
        "triggered_at": days.stamp(plan.triggered),
        "status": status.value,
        "dedupe_key": f"{plan.rule}:{cid}:{plan.object_id}:{plan.period}",
        "origin": AlertOrigin.SERVER.value,
    }
    return SeedRecord("alert", alert_id, rm_id, team_id, cid, data)


def _account(
    account: AccountPlan, cid: str, as_of: str, iso: Callable[[int], str]
) -> dict[str, Any]:
    return {
        "id": account.id,
        "customer_id": cid,
        "type": account.type.value,
        "number_masked": masked_account_number(account.number),
        "product_id": None if account.product is None else account.product.id,
        "currency": "CNY",
        "status": account.status.value,
        "balance": money(account.balance),
        "available": None if account.available is None else money(account.available),
        "as_of": as_of,
        "opened_on": iso(account.opened),
        "maturity_date": None if account.maturity is None else iso(account.maturity),
        "rate": account.rate,
        "loan_outstanding": None if account.outstanding is None else money(account.outstanding),
        "next_payment_date": None if account.next_payment is None else iso(account.next_payment),
        "next_payment_amount": None if account.payment is None else money(account.payment),
        "days_past_due": account.dpd,
        "repayment_account_id": account.repay_from,
        "card_limit": None if account.limit is None else money(account.limit),
    }


def _visit(visit: VisitPlan, rm_id: str, days: Days) -> dict[str, Any]:
    return {
        "id": visit.id,
        "customer_ids": visit.customer_ids,
        "rm_id": rm_id,
        "channel": visit.channel.value,
        "purpose": visit.purpose.value,
        "start_at": days.stamp(visit.start),
        "end_at": days.stamp(visit.end),
        "location_text": visit.location,
        "notes": visit.notes,
        "outcome": visit.outcome.value,
        "next_steps": visit.next_steps,
        "linked_task_ids": visit.linked_tasks,
        "linked_opportunity_ids": visit.linked_opportunities,
        "created_at": days.stamp(visit.created),
    }


def _task(task: TaskPlan, days: Days) -> dict[str, Any]:
    return {
        "id": task.id,
        "title": task.title,
        "kind": task.kind.value,
        "customer_id": task.customer_id,
        "related_entity": None if task.related_entity is None else task.related_entity.value,
        "related_id": task.related_id,
        "priority": task.priority.value,
        "status": task.status.value,
        "due_at": days.stamp(task.due),
        "sla_due_at": None if task.sla_due is None else days.stamp(task.sla_due),
        "escalation_level": task.escalation,
        "assignee_id": task.assignee,
        "assigner_id": task.assigner,
        "source_rule": task.source_rule,
        "completion_note": task.note,
        "created_at": days.stamp(task.created),
        "completed_at": None if task.completed is None else days.stamp(task.completed),
    }


def _collect(stats: RmStats, state: _State, world: World) -> None:
    """Add one customer to its RM's KPI stats."""
    days = world.days
    person, ledger = state.person, state.ledger
    stats.customers += 1
    stats.daily_aum[:] = map(operator.add, stats.daily_aum, ledger.path)
    for visit in state.visits:
        day = visit.start // DAY_S
        stats.visits_by_day[day] = stats.visits_by_day.get(day, 0) + 1
        if visit.purpose is VisitPurpose.COMPLAINT:
            month = days.month_start(day)
            stats.complaints[month] = stats.complaints.get(month, 0) + 1
    if person.since >= -800:
        month = days.month_start(person.since)
        stats.new_by_month[month] = stats.new_by_month.get(month, 0) + 1
    ranks = [TIER_RANK[tier] for tier in ledger.monthly_tiers]
    for i in range(1, len(ranks)):
        if ranks[i] > ranks[i - 1]:
            stats.upgrades[i] += 1
        elif ranks[i] < ranks[i - 1]:
            stats.downgrades[i] += 1
    for task in state.tasks:
        if task.status.is_open:
            stats.open_tasks += 1
            if task.due < NOW_S:
                stats.overdue += 1
    if ledger.rank >= 1 and not person.is_minor:
        stats.key_customers += 1
        if state.last_contact is not None and state.last_contact >= -30:
            stats.key_contacted += 1
    for account in person.accounts:
        if account.type in (AccountType.WEALTH, AccountType.FUND):
            for holding in account.holdings:
                kind = holding.product.category
                bucket = {
                    ProductCategory.BOND: "bond",
                    ProductCategory.PRECIOUS_METAL: "metal",
                    ProductCategory.FUND: "fund",
                }.get(kind, "wealth")
                stats.bucket_aum[bucket] = stats.bucket_aum.get(bucket, 0) + holding.value
        elif account.bucket in ("time", "insurance"):
            stats.bucket_aum[account.bucket] = (
                stats.bucket_aum.get(account.bucket, 0) + account.balance
            )
    for plan in state.opportunities:
        month = days.month_start(plan.created // DAY_S)
        stats.opp_created[month] = stats.opp_created.get(month, 0) + 1
        if plan.stage is OpportunityStage.WON:
            won_month = days.month_start(plan.expected_close)
            stats.opp_won[won_month] = stats.opp_won.get(won_month, 0) + 1
            key = (won_month, plan.category.value)
            stats.sales[key] = stats.sales.get(key, 0) + plan.amount


def pii(world: World, rm: Rm) -> Iterator[SeedPii]:
    """The full values behind the masked fields of ``rm``'s book, for reveal (API.md §4)."""
    for unit in book_units(world, rm):
        for person in unit.people:
            cid = person.id
            if person.mobile is not None:
                yield SeedPii(cid, "mobile", cid, person.mobile)
            yield SeedPii(cid, "id_no", cid, person.id_no)
            yield SeedPii(cid, "address", cid, person.address.full)
            for account in person.accounts:
                yield SeedPii(cid, "account_number", account.id, account.number)
