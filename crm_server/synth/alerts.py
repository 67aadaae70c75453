"""The alert rules of DOMAIN.md (A01–A12), applied to one customer's generated data.

Each rule is a pure function of the customer's facts (profile, ledger, last contact, open tasks)
and the thresholds of :data:`RULE_PARAMS`, which are also what the ``rule_config`` records carry,
so the configuration the client sees is the one that produced the alerts. A rule returns
:class:`AlertPlan` values; :mod:`crm_server.synth.book` gives them ids, statuses and, for those
the RM converted, tasks and draft opportunities.

Dedupe keys are ``rule:customer:object:period``: the period is what makes a repeat of the same
condition a new alert (the maturity date, the assessment's expiry, the month of a monthly check).
Alerts are raised by the 06:00 batch on the day a condition became true; conditions that became
true more than 90 days ago are left out (their alerts would be archived by now). No rule looks at
anti-money-laundering signals: those never become customer-contact tasks.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from crm_server.synth.days import DAY_S, HOUR_S, NOW_S, Days
from crm_server.synth.ledger import FLOOR, KINDS, TIER_RANK, WINDOW_DAYS, Ledger
from crm_server.synth.people import WAN, Person
from crm_server.synth.wire import money
from rm_desk.domain.enums import AccountStatus, AccountType, Entity, TaskPriority, Tier, next_tier

TIER_NAMES: Mapping[Tier, str] = MappingProxyType(
    {
        Tier.STANDARD: "普通",
        Tier.GOLD: "金卡",
        Tier.PLATINUM: "白金",
        Tier.DIAMOND: "钻石",
        Tier.PRIVATE: "私行",
    }
)

SLA_HOURS: Mapping[TaskPriority, int] = MappingProxyType(
    {TaskPriority.URGENT: 4, TaskPriority.HIGH: 24, TaskPriority.NORMAL: 72, TaskPriority.LOW: 120}
)
"""How long a task may stay open (rule A12), by priority."""

RULE_NAMES: Mapping[str, str] = MappingProxyType(
    {
        "A01": "保级预警",
        "A02": "升级机会",
        "A03": "还款不足",
        "A04": "到期续作",
        "A05": "大额转出",
        "A06": "沉睡/流失",
        "A07": "生日关怀",
        "A08": "测评到期",
        "A09": "证件到期",
        "A10": "持仓不适当",
        "A11": "定期回访",
        "A12": "待办超时",
    }
)

RULE_PARAMS: Mapping[str, Mapping[str, Any]] = MappingProxyType(
    {
        "A01": {"business_days_below": 3, "task_due_days": 2, "cooldown_days": 30},
        "A02": {"deposit_lookback_days": 30, "cooldown_days": 30},
        "A03": {"days_before_due": 3, "cooldown_days": 1},
        "A04": {
            "wealth_days": 7,
            "time_deposit_days": 30,
            "loan_days": 60,
            "min_amount": "50000.00",
            "high_amount": "500000.00",
            "cooldown_days": 7,
        },
        "A05": {
            "one_day_other_bank_outflow": "500000.00",
            "seven_day_outflow_share": "0.30",
            "contact_within_hours": 48,
            "cooldown_days": 7,
        },
        "A06": {
            "aum_drop_share": "0.30",
            "inactive_days": 90,
            "drop_min_aum_90d_avg": "50000.00",
            "cooldown_days": 30,
        },
        "A07": {"days_ahead": 3, "days_ahead_vip": 7, "cooldown_days": 365},
        "A08": {"days_ahead": 30, "validity_days": 365, "cooldown_days": 30},
        "A09": {"days_ahead": 30, "cooldown_days": 30},
        "A10": {"cooldown_days": 30},
        "A11": {"gold_days": 90, "platinum_days": 60, "vip_days": 30, "cooldown_days": 30},
        "A12": {
            "remind_share": "0.75",
            "sla_hours": {p.value: h for p, h in SLA_HOURS.items()},
            "cooldown_days": 1,
        },
    }
)
"""Every rule's thresholds and cooldown, as the ``rule_config`` records hold them."""

_MIN_AMOUNT = 5 * WAN
_HIGH_AMOUNT = 50 * WAN
_ONE_DAY_OUTFLOW = 50 * WAN
_MIN_AUM_A06 = 5 * WAN
_LOOKBACK = -90  # conditions that became true before this day are archived


@dataclass(slots=True)
class AlertPlan:
    """An alert a rule raised, with the task it asks for."""

    rule: str
    severity: TaskPriority
    object_entity: Entity
    object_id: str
    period: str
    triggered: int  # moment, seconds from today's local midnight
    message: str
    evidence: dict[str, Any]
    task_title: str
    task_due: int  # moment
    wants_opportunity: bool = False
    object_amount: int = 0  # what the opportunity would be about, in fen
    product_id: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class OpenTask:
    """What rule A12 needs of an open task."""

    id: str
    title: str
    priority: TaskPriority
    created: int
    sla_due: int


def rule_config_records() -> list[dict[str, Any]]:
    """One ``rule_config`` record per rule."""
    return [
        {
            "id": f"rc-{rule}",
            "rule_id": rule,
            "enabled": True,
            "params": {"name": RULE_NAMES[rule], **_plain(params)},
        }
        for rule, params in RULE_PARAMS.items()
    ]


def _plain(value: Mapping[str, Any]) -> dict[str, Any]:
    return {k: _plain(v) if isinstance(v, Mapping) else v for k, v in value.items()}


def evaluate(
    days: Days, person: Person, ledger: Ledger, last_contact: int | None
) -> list[AlertPlan]:
    """Rules A01–A11 for one customer, in rule order."""
    alerts: list[AlertPlan] = []
    if person.is_minor:
        # Minors are served through their parents: only their documents are tracked.
        alerts += a09_id_expiry(days, person)
        return alerts
    alerts += a01_tier_protection(days, person, ledger)
    alerts += a02_upgrade(days, person, ledger)
    alerts += a03_repayment_shortfall(days, person)
    alerts += a04_maturity(days, person)
    alerts += a05_large_outflow(days, person, ledger)
    alerts += a06_dormant(days, person, ledger)
    alerts += a07_birthday(days, person, ledger)
    alerts += a08_assessment_expiry(days, person)
    alerts += a09_id_expiry(days, person)
    alerts += a10_unsuitable_holding(days, person)
    alerts += a11_contact_cadence(days, person, ledger, last_contact)
    return alerts


def _batch(day: int) -> int:
    """The moment of the 06:00 batch run on ``day``."""
    return day * DAY_S + NOW_S - 30 * 60


def a01_tier_protection(days: Days, person: Person, ledger: Ledger) -> list[AlertPlan]:
    """A01: tier ≥ 金卡 and end-of-day AUM below the tier floor 3 business days running.

    Checks: the tier is gold or above; walking back from yesterday over business days, the AUM
    was below the floor on at least 3 of them in a row; the alert is raised the morning after the
    third.
    """
    tier = ledger.tier
    if tier is Tier.STANDARD:
        return []
    floor = FLOOR[tier]
    run: list[int] = []
    day = days.business_on_or_before(-1)
    while day >= -WINDOW_DAYS and ledger.path[day + WINDOW_DAYS] < floor:
        run.append(day)
        day = days.business_on_or_before(day - 1)
    if len(run) < 3:
        return []
    third = run[-3]
    trigger = max(third + 1, _LOOKBACK)
    return [
        AlertPlan(
            rule="A01",
            severity=TaskPriority.HIGH,
            object_entity=Entity.CUSTOMER,
            object_id=person.id,
            period=days.iso(days.month_start(trigger))[:7],
            triggered=_batch(trigger),
            message=f"保级预警：客户资产连续{len(run)}个工作日低于{TIER_NAMES[tier]}等级门槛",
            evidence={
                "tier": tier.value,
                "floor": money(floor),
                "aum": money(ledger.aum),
                "business_days_below": len(run),
                "since": days.iso(run[-1]),
            },
            task_title=f"保级预警：联系客户了解资金安排（{TIER_NAMES[tier]}）",
            task_due=_batch(trigger) + 2 * DAY_S + 12 * HOUR_S,
        )
    ]


def a02_upgrade(days: Days, person: Person, ledger: Ledger) -> list[AlertPlan]:
    """A02: monthly average AUM ≥ the next tier's floor, or one deposit ≥ it (last 30 days).

    Checks: there is a tier above; this month's average reaches its floor (raised this morning),
    else the largest single deposit of the last 30 days does (raised the morning after it).
    """
    above = next_tier(ledger.tier)
    if above is None:
        return []
    floor = FLOOR[above]
    trigger: int | None = None
    deposit = 0
    if ledger.mtd_avg >= floor:
        trigger = 0
    else:
        for event in ledger.events:
            inflow = event.day >= -30 and KINDS[event.kind][3] > 0
            if inflow and event.amount >= floor and event.amount > deposit:
                deposit, trigger = event.amount, event.day + 1
    if trigger is None:
        return []
    how = "单笔存入" if deposit else "月日均资产"
    return [
        AlertPlan(
            rule="A02",
            severity=TaskPriority.NORMAL,
            object_entity=Entity.CUSTOMER,
            object_id=person.id,
            period=days.iso(days.month_start(trigger))[:7],
            triggered=_batch(trigger),
            message=f"升级机会：客户{how}已达{TIER_NAMES[above]}等级门槛",
            evidence={
                "tier": ledger.tier.value,
                "next_tier": above.value,
                "next_floor": money(floor),
                "aum_mtd_avg": money(ledger.mtd_avg),
                "deposit": money(deposit) if deposit else None,
            },
            task_title=f"升级机会：为客户办理{TIER_NAMES[above]}升级并做资产配置",
            task_due=_batch(trigger) + 5 * DAY_S + 12 * HOUR_S,
            wants_opportunity=True,
            object_amount=max(deposit, ledger.aum // 5),
        )
    ]


def a03_repayment_shortfall(days: Days, person: Person) -> list[AlertPlan]:
    """A03: a loan payment due within 3 days that the repayment account cannot cover.

    Checks: a loan, not past due, with its next payment today or within 3 days; its repayment
    account's available balance is below the payment. Due today (unpaid on the day): 紧急, and the
    team lead is told.
    """
    alerts = []
    accounts = {a.id: a for a in person.accounts}
    for loan in person.accounts:
        if loan.type is not AccountType.LOAN or loan.next_payment is None or not loan.payment:
            continue
        due = loan.next_payment
        if not 0 <= due <= 3 or loan.dpd:
            continue
        source = accounts.get(loan.repay_from or "")
        available = (source.available or 0) if source else 0
        if available >= loan.payment:
            continue
        urgent = due == 0
        alerts.append(
            AlertPlan(
                rule="A03",
                severity=TaskPriority.URGENT if urgent else TaskPriority.HIGH,
                object_entity=Entity.ACCOUNT,
                object_id=loan.id,
                period=days.iso(due),
                triggered=_batch(max(due - 3, -3)),
                message=f"还款不足：贷款将于{days.iso(due)}扣款，还款账户余额不足"
                + ("，已通知团队长" if urgent else ""),
                evidence={
                    "payment_date": days.iso(due),
                    "payment_amount": money(loan.payment),
                    "available": money(available),
                    "shortfall": money(loan.payment - available),
                    "escalated_to_lead": urgent,
                },
                task_title="还款不足：提醒客户在扣款日前存入足额资金",
                task_due=max(NOW_S + 4 * HOUR_S, (due - 1) * DAY_S + 18 * HOUR_S),
            )
        )
    return alerts


def _maturities(person: Person) -> Iterator[tuple[Entity, str, int, int, int, str, str | None]]:
    """What matures: ``(entity, id, maturity, amount, window, name, product id)``."""
    for account in person.accounts:
        product = account.product
        if account.maturity is None:
            pass
        elif account.type is AccountType.TIME_DEPOSIT and account.status is AccountStatus.ACTIVE:
            name = product.name if product else "定期存款"
            pid = product.id if product else None
            yield Entity.ACCOUNT, account.id, account.maturity, account.balance, 30, name, pid
        elif account.type is AccountType.LOAN:
            name = product.name if product else "贷款"
            amount = account.outstanding or 0
            yield Entity.ACCOUNT, account.id, account.maturity, amount, 60, name, None
        if account.type is not AccountType.WEALTH:
            continue
        for holding in account.holdings:
            held = holding.product
            closed = held.category.value == "wealth" and "closed" in held.kind
            if closed and holding.maturity is not None:
                yield (
                    Entity.HOLDING,
                    holding.id,
                    holding.maturity,
                    holding.value,
                    7,
                    held.name,
                    held.id,
                )


def a04_maturity(days: Days, person: Person) -> list[AlertPlan]:
    """A04: wealth product maturing within 7 days, time deposit within 30, loan within 60.

    Checks: the amount (holding value, deposit balance, loan outstanding) is at least 5万; the
    maturity falls within the window from today; ≥ 50万 is 高. The alert is raised when the
    maturity entered the window.
    """
    alerts = []
    for entity, object_id, maturity, amount, window, name, product_id in _maturities(person):
        if not 0 <= maturity <= window or amount < _MIN_AMOUNT:
            continue
        is_loan = window == 60
        alerts.append(
            AlertPlan(
                rule="A04",
                severity=TaskPriority.HIGH if amount >= _HIGH_AMOUNT else TaskPriority.NORMAL,
                object_entity=entity,
                object_id=object_id,
                period=days.iso(maturity),
                triggered=_batch(maturity - window),
                message=f"到期续作：{name}将于{days.iso(maturity)}到期",
                evidence={
                    "maturity_date": days.iso(maturity),
                    "amount": money(amount),
                    "product": name,
                    "days_left": maturity,
                },
                task_title=(
                    "到期续作：与客户沟通贷款续贷安排"
                    if is_loan
                    else "到期续作：联系客户确认到期资金安排"
                ),
                task_due=max(NOW_S + 8 * HOUR_S, (maturity - 2) * DAY_S + 17 * HOUR_S),
                wants_opportunity=not is_loan,
                object_amount=amount,
                product_id=product_id,
            )
        )
    return alerts


def a05_large_outflow(days: Days, person: Person, ledger: Ledger) -> list[AlertPlan]:
    """A05: a day's outflow to other banks ≥ 50万, or 7 days' ≥ 30 % of the 30-day average AUM.

    Checks, over the last 7 days: first the largest single day of other-bank outflows against
    50万; failing that, the 7 days' total against 30 % of the 30-day average AUM. One alert.
    """
    by_day: dict[int, int] = {}
    for event in ledger.events:
        if event.day >= -7 and KINDS[event.kind][2] and KINDS[event.kind][3] < 0:
            by_day[event.day] = by_day.get(event.day, 0) + event.amount
    if not by_day:
        return []
    day, amount = max(by_day.items(), key=lambda item: (item[1], item[0]))
    avg30 = sum(ledger.path[-30:]) // 30
    total = sum(by_day.values())
    if amount >= _ONE_DAY_OUTFLOW:
        trigger, period, basis = day + 1, days.iso(day), "one_day"
    elif avg30 and total * 10 >= avg30 * 3:
        trigger, period, basis = max(by_day) + 1, days.iso(max(by_day)), "seven_day_share"
    else:
        return []
    return [
        AlertPlan(
            rule="A05",
            severity=TaskPriority.HIGH,
            object_entity=Entity.CUSTOMER,
            object_id=person.id,
            period=period,
            triggered=_batch(trigger),
            message="大额转出：客户近期向他行转出资金较大，请48小时内联系客户",
            evidence={
                "basis": basis,
                "largest_day": days.iso(day),
                "largest_day_outflow": money(amount),
                "seven_day_outflow": money(total),
                "aum_30d_avg": money(avg30),
            },
            task_title="大额转出：48小时内联系客户了解资金去向",
            task_due=_batch(trigger) + 48 * HOUR_S,
        )
    ]


def a06_dormant(days: Days, person: Person, ledger: Ledger) -> list[AlertPlan]:
    """A06: 30-day average AUM down ≥ 30 % against the 90-day average, or no transaction in 90.

    Checks: a customer of at least 90 days; no transaction in the window (raised when the 90th
    quiet day passed, at most 90 days ago); else, with a 90-day average AUM of at least 5万
    (below that, a month's salary and spending alone swing the averages), the drop of the
    averages (raised today).
    """
    if person.since > -WINDOW_DAYS:
        return []
    avg90 = sum(ledger.path) // WINDOW_DAYS
    avg30 = sum(ledger.path[-30:]) // 30
    if not ledger.events:
        # The 90th quiet day passed some time ago; spread those days without drawing randoms.
        trigger = -int((person.seq * 7919) % 60)
        message = "沉睡预警：客户近90天无交易"
        evidence: dict[str, Any] = {"days_without_transaction": 90}
    elif avg90 >= _MIN_AUM_A06 and avg30 * 10 <= avg90 * 7:
        trigger = 0
        drop = 100 - avg30 * 100 // avg90
        message = f"流失预警：客户近30日日均资产较90日日均下降{drop}%"
        evidence = {"aum_30d_avg": money(avg30), "aum_90d_avg": money(avg90), "drop_pct": drop}
    else:
        return []
    return [
        AlertPlan(
            rule="A06",
            severity=TaskPriority.NORMAL,
            object_entity=Entity.CUSTOMER,
            object_id=person.id,
            period=days.iso(days.month_start(trigger))[:7],
            triggered=_batch(trigger),
            message=message,
            evidence=evidence,
            task_title="沉睡/流失预警：联系客户了解近况",
            task_due=_batch(trigger) + 7 * DAY_S + 12 * HOUR_S,
        )
    ]


def days_to_birthday(days: Days, person: Person) -> int | None:
    """Days from today to the customer's next birthday (0: today)."""
    birth = person.birth
    if birth is None:
        return None
    today = days.today
    for year in (today.year, today.year + 1):
        try:
            candidate = birth.replace(year=year)
        except ValueError:  # born on 29 February
            candidate = birth.replace(year=year, day=28)
        offset = days.offset(candidate)
        if offset >= 0:
            return offset
    return None


def a07_birthday(days: Days, person: Person, ledger: Ledger) -> list[AlertPlan]:
    """A07: birthday within 3 days (7 for 钻石/私行), unless the customer asked not to be disturbed.

    Checks: a person (not a company) without do-not-disturb; the next birthday is within the
    tier's horizon; 低 task, 普通 from 白金 up.
    """
    if person.corporate or person.dnd:
        return []
    ahead = days_to_birthday(days, person)
    vip = ledger.rank >= TIER_RANK[Tier.DIAMOND]
    horizon = 7 if vip else 3
    if ahead is None or ahead > horizon:
        return []
    platinum = ledger.rank >= TIER_RANK[Tier.PLATINUM]
    severity = TaskPriority.NORMAL if platinum else TaskPriority.LOW
    return [
        AlertPlan(
            rule="A07",
            severity=severity,
            object_entity=Entity.CUSTOMER,
            object_id=person.id,
            period=str(days.date(ahead).year),
            triggered=_batch(ahead - horizon),
            message="生日关怀：客户生日将至" + ("（今天）" if ahead == 0 else f"（{ahead}天后）"),
            evidence={"days_ahead": ahead},
            task_title="生日关怀：发送生日祝福",
            task_due=ahead * DAY_S + 10 * HOUR_S,
        )
    ]


def a08_assessment_expiry(days: Days, person: Person) -> list[AlertPlan]:
    """A08: the risk assessment expires within 30 days (普通), or has expired (高, blocks sales).

    Checks: assessed at all; expiry (assessed on + 365 days) within 30 days from today; raised 30
    days before expiry, if that was in the last 90 days.
    """
    if person.assessed is None:
        return []
    expiry = person.assessed + 365
    trigger = expiry - 30
    if expiry > 30 or trigger < _LOOKBACK:
        return []
    expired = expiry < 0
    return [
        AlertPlan(
            rule="A08",
            severity=TaskPriority.HIGH if expired else TaskPriority.NORMAL,
            object_entity=Entity.CUSTOMER,
            object_id=person.id,
            period=days.iso(expiry),
            triggered=_batch(trigger),
            message=(
                f"测评已过期：客户风险测评已于{days.iso(expiry)}过期，适当性校验将拦截购买"
                if expired
                else f"测评到期：客户风险测评将于{days.iso(expiry)}到期"
            ),
            evidence={
                "risk_level": f"C{person.risk}",
                "assessed_on": days.iso(person.assessed),
                "expires_on": days.iso(expiry),
                "expired": expired,
            },
            task_title="测评到期：邀请客户重新完成风险测评",
            task_due=max(_batch(0) + 3 * DAY_S, (expiry - 1) * DAY_S + 17 * HOUR_S),
        )
    ]


def a09_id_expiry(days: Days, person: Person) -> list[AlertPlan]:
    """A09: the identity document expires within 30 days (普通) or has expired (高).

    Checks: the document has an expiry (long-term IDs have none); it is within 30 days or past;
    raised 30 days before expiry, if that was in the last 90 days.
    """
    expiry = person.id_expiry
    if expiry is None or expiry > 30 or expiry - 30 < _LOOKBACK:
        return []
    expired = expiry < 0
    return [
        AlertPlan(
            rule="A09",
            severity=TaskPriority.HIGH if expired else TaskPriority.NORMAL,
            object_entity=Entity.CUSTOMER,
            object_id=person.id,
            period=days.iso(expiry),
            triggered=_batch(expiry - 30),
            message=(
                f"证件已过期：客户证件已于{days.iso(expiry)}过期"
                if expired
                else f"证件到期：客户证件将于{days.iso(expiry)}到期"
            ),
            evidence={
                "id_type": person.id_type.value,
                "expires_on": days.iso(expiry),
                "expired": expired,
            },
            task_title="证件到期：提醒客户更新身份证件信息",
            task_due=max(_batch(0) + 5 * DAY_S, (expiry - 1) * DAY_S + 17 * HOUR_S),
        )
    ]


def a10_unsuitable_holding(days: Days, person: Person) -> list[AlertPlan]:
    """A10: a holding whose product risk level is above the customer's current risk level.

    Checks: the customer has a risk level; per holding, the product's R level exceeds it. The
    period is the assessment, so a new assessment re-raises what is still unsuitable.
    """
    if person.risk is None or person.assessed is None:
        return []
    alerts = []
    for account in person.accounts:
        for holding in account.holdings:
            product = holding.product
            if product.risk <= person.risk:
                continue
            trigger = max(person.assessed, holding.bought) + 1
            if trigger < _LOOKBACK:
                trigger = -int((person.seq * 31 + product.risk) % 60)
            alerts.append(
                AlertPlan(
                    rule="A10",
                    severity=TaskPriority.NORMAL,
                    object_entity=Entity.HOLDING,
                    object_id=holding.id,
                    period=days.iso(person.assessed),
                    triggered=_batch(min(trigger, 0)),
                    message=(
                        f"持仓不适当：{product.name}（{product.risk_code}）"
                        f"高于客户风险等级C{person.risk}"
                    ),
                    evidence={
                        "product_id": product.id,
                        "product_risk_level": product.risk_code,
                        "customer_risk_level": f"C{person.risk}",
                        "market_value": money(holding.value),
                    },
                    task_title="持仓不适当：向客户揭示风险并留痕（合规）",
                    task_due=_batch(min(trigger, 0)) + 10 * DAY_S,
                )
            )
    return alerts


CONTACT_DAYS: Mapping[Tier, int] = MappingProxyType(
    {Tier.GOLD: 90, Tier.PLATINUM: 60, Tier.DIAMOND: 30, Tier.PRIVATE: 30}
)
"""Rule A11: the longest a customer of a tier may go without contact."""


def a11_contact_cadence(
    days: Days, person: Person, ledger: Ledger, last_contact: int | None
) -> list[AlertPlan]:
    """A11: no contact for 30 days (钻石/私行), 60 (白金), 90 (金卡).

    Checks: the tier has a cadence; the last contact (or, never contacted, the start of the
    relationship) is older than it. Monthly: raised on the 1st or when the cadence ran out.
    """
    limit = CONTACT_DAYS.get(ledger.tier)
    if limit is None:
        return []
    since = last_contact if last_contact is not None else person.since
    if since > -limit:
        return []
    trigger = max(days.month_start(0), since + limit + 1)
    quiet = -since
    return [
        AlertPlan(
            rule="A11",
            severity=TaskPriority.NORMAL,
            object_entity=Entity.CUSTOMER,
            object_id=person.id,
            period=days.iso(days.month_start(0))[:7],
            triggered=_batch(trigger),
            message=f"定期回访：{TIER_NAMES[ledger.tier]}客户已{quiet}天未联系",
            evidence={
                "tier": ledger.tier.value,
                "days_without_contact": quiet,
                "limit_days": limit,
                "last_contact": days.iso(last_contact) if last_contact is not None else None,
            },
            task_title=f"定期回访：联系{TIER_NAMES[ledger.tier]}客户",
            task_due=_batch(trigger) + 7 * DAY_S + 12 * HOUR_S,
        )
    ]


def a12_task_overdue(days: Days, customer_id: str, task: OpenTask) -> list[AlertPlan]:
    """A12: an open task past 75 % of its SLA (remind) or past 100 % (escalate to the team lead).

    Checks: the task is open and has an SLA; the time elapsed since it was created against the
    SLA's length; only the latest stage reached is raised.
    """
    length = task.sla_due - task.created
    if length <= 0:
        return []
    elapsed = NOW_S - task.created
    if elapsed >= length:
        stage, severity, trigger = "sla100", TaskPriority.HIGH, task.sla_due
        message = f"待办超时升级：「{task.title}」已超过时限，已上报团队长"
    elif elapsed * 4 >= length * 3:
        stage, severity = "sla75", TaskPriority.NORMAL
        trigger = task.created + length * 3 // 4
        message = f"待办超时提醒：「{task.title}」已用去时限的75%"
    else:
        return []
    return [
        AlertPlan(
            rule="A12",
            severity=severity,
            object_entity=Entity.TASK,
            object_id=task.id,
            period=stage,
            triggered=max(trigger, _LOOKBACK * DAY_S),
            message=message,
            evidence={
                "task_priority": task.priority.value,
                "sla_hours": length // HOUR_S,
                "sla_due_at": days.stamp(task.sla_due),
            },
            task_title="",
            task_due=task.sla_due,
            extra={"escalated": stage == "sla100"},
        )
    ]
