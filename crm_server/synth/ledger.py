"""Money: a customer's transactions, their daily AUM, balances, holdings and tier.

The ledger runs the 90 days of the cached window forward from the customer's wealth 90 days ago
(or from the opening deposit of a newer customer): salary and pension credits, card and loan
repayments, spending, transfers, cash, subscriptions and redemptions, and the stories that make
the balance-driven alert rules fire (a large transfer to another bank, a large deposit). Outflows
never exceed what the customer has, so the end-of-day AUM path stays positive. The last day's AUM
is then split over the customer's accounts and holdings, so balances add up to the AUM exactly,
and the monthly averages (``aum_mtd_avg``, ``aum_12m``) and the tier follow from the path.

Transfers, cash and repayments move AUM; subscriptions, redemptions and maturities only move money
between the customer's own accounts.
"""

from __future__ import annotations

import bisect
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field

from crm_server.synth.days import HOUR_S
from crm_server.synth.names import pick
from crm_server.synth.people import (
    ACTIVITY_DORMANT,
    ACTIVITY_HIGH,
    ACTIVITY_LOW,
    STORY_BIG_IN,
    STORY_BIG_OUT,
    WAN,
    AccountPlan,
    HoldingPlan,
    Person,
)
from crm_server.synth.products import ProductInfo, Shelf
from crm_server.synth.world import World, normal
from rm_desk.domain.enums import AccountStatus, AccountType, Channel, Tier, TxnDirection, TxnType

WINDOW_DAYS = 90
"""Days of transactions the client caches (API.md policy ``transaction_window_days``)."""
HISTORY_DAYS = 730
"""How far back the online transaction history reaches."""
_SPAN = HISTORY_DAYS + 10

TIER_FLOORS_FEN: tuple[tuple[Tier, int], ...] = (
    (Tier.PRIVATE, 600 * WAN),
    (Tier.DIAMOND, 300 * WAN),
    (Tier.PLATINUM, 50 * WAN),
    (Tier.GOLD, 5 * WAN),
    (Tier.STANDARD, 0),
)
"""DOMAIN.md's tier floors in fen (the same as ``rm_desk.domain.enums.TIER_FLOORS``)."""
FLOOR: dict[Tier, int] = dict(TIER_FLOORS_FEN)
TIER_RANK: dict[Tier, int] = {tier: rank for rank, tier in enumerate(Tier)}
"""Tiers by rank (0 standard … 4 private): comparing ``Tier`` members costs a lookup each."""

QUALIFIED_FEN = 300 * WAN  # financial assets of a qualified investor (合格投资者)

_OTHER_BANKS = (
    "工商银行", "建设银行", "农业银行", "中国银行", "招商银行", "交通银行", "浦发银行",
    "中信银行", "邮储银行", "北京银行",
)  # fmt: skip
_SPEND = (
    "财付通-微信支付",
    "支付宝-消费",
    "银联在线-京东商城",
    "美团支付",
    "拼多多支付",
    "北京一卡通充值",
    "国家电网-电费",
    "中国移动-话费",
)

D_IN, D_OUT = TxnDirection.IN.value, TxnDirection.OUT.value
T_TRANSFER, T_CASH = TxnType.TRANSFER.value, TxnType.CASH.value
T_SUB, T_RED = TxnType.SUBSCRIBE.value, TxnType.REDEEM.value
T_MAT, T_REPAY = TxnType.MATURITY.value, TxnType.REPAYMENT.value
C_MOBILE, C_ONLINE = Channel.MOBILE.value, Channel.ONLINE.value
C_COUNTER, C_ATM, C_OTHER = Channel.COUNTER.value, Channel.ATM.value, Channel.OTHER.value

# kind → (direction, type, other bank, effect on AUM: +1 in, -1 out, 0 between own accounts)
KINDS: dict[str, tuple[str, str, bool, int]] = {
    "salary_in": (D_IN, T_TRANSFER, False, 1),
    "pension_in": (D_IN, T_TRANSFER, False, 1),
    "spend_out": (D_OUT, T_TRANSFER, False, -1),
    "p2p_out": (D_OUT, T_TRANSFER, False, -1),
    "p2p_out_ob": (D_OUT, T_TRANSFER, True, -1),
    "p2p_in": (D_IN, T_TRANSFER, False, 1),
    "p2p_in_ob": (D_IN, T_TRANSFER, True, 1),
    "self_out_ob": (D_OUT, T_TRANSFER, True, -1),
    "self_in_ob": (D_IN, T_TRANSFER, True, 1),
    "cash_out": (D_OUT, T_CASH, False, -1),
    "cash_in": (D_IN, T_CASH, False, 1),
    "card_repay": (D_OUT, T_REPAY, False, -1),
    "loan_repay": (D_OUT, T_REPAY, False, -1),
    "subscribe": (D_OUT, T_SUB, False, 0),
    "redeem": (D_IN, T_RED, False, 0),
    "maturity": (D_IN, T_MAT, False, 0),
    "biz_in": (D_IN, T_TRANSFER, False, 1),
    "biz_in_ob": (D_IN, T_TRANSFER, True, 1),
    "biz_out": (D_OUT, T_TRANSFER, False, -1),
    "biz_out_ob": (D_OUT, T_TRANSFER, True, -1),
    "payroll_out": (D_OUT, T_TRANSFER, False, -1),
    "tax_out": (D_OUT, T_TRANSFER, False, -1),
    "big_out": (D_OUT, T_TRANSFER, True, -1),
    "big_in": (D_IN, T_TRANSFER, True, 1),
    "open_in": (D_IN, T_CASH, False, 1),
}


@dataclass(slots=True)
class Event:
    """A transaction before it gets its id: ``frac`` > 0 means a share of the AUM at the time."""

    day: int
    sec: int
    kind: str
    amount: int
    account: AccountPlan
    channel: str
    counterparty: str | None
    frac: float = 0.0


@dataclass(slots=True)
class Ledger:
    """The money side of one customer."""

    events: list[Event]  # chronological; the cached window
    path: list[int]  # end-of-day AUM for days -90 … -1 (index 0 is day -90)
    aum: int
    mtd_avg: int
    aum_12m: list[int]
    tier: Tier
    tier_since: int
    tier_watch: bool
    qualified: bool
    monthly_tiers: list[Tier] = field(default_factory=list)

    @property
    def rank(self) -> int:
        """The tier's rank, 0 (standard) to 4 (private)."""
        return TIER_RANK[self.tier]


def tier_for(avg_fen: int) -> Tier:
    """The tier a monthly average AUM qualifies for (floors inclusive)."""
    for tier, floor in TIER_FLOORS_FEN:
        if avg_fen >= floor:
            return tier
    return Tier.STANDARD


class EventMaker:
    """Draws a customer's transactions over a span of days (the window, or older history)."""

    def __init__(self, world: World) -> None:
        self.world = world
        days = world.days
        self._business = {offset: days.is_business(offset) for offset in range(-_SPAN, 1)}
        # Per day of month, the offsets that fall on it, moved forward off weekends.
        self._monthly: dict[int, list[int]] = {dom: [] for dom in range(1, 32)}
        for offset in range(-_SPAN, 0):
            moved = offset
            while not self._business[moved] and moved < -1:
                moved += 1
            self._monthly[days.date(offset).day].append(moved)

    def monthly(self, start: int, end: int, day_of_month: int) -> list[int]:
        """Days in ``[start, end]`` falling on ``day_of_month`` (moved off weekends)."""
        offsets = self._monthly[day_of_month]
        return offsets[bisect.bisect_left(offsets, start) : bisect.bisect_right(offsets, end)]

    def routine(
        self, person: Person, rng: random.Random, start: int, end: int, count: int
    ) -> list[Event]:
        """Everyday transactions of ``person`` on days ``start`` … ``end``, about ``count``.

        First the recurring ones (salary or pension, loan and card repayments), then a few
        subscriptions, redemptions and maturities, then everyday ones up to ``count``; the
        everyday amounts are finally balanced against the recurring flows (:func:`_balance`).
        """
        if end < start or person.activity == ACTIVITY_DORMANT:
            return []
        if person.corporate:
            return self._corporate(person, rng, start, end, count)
        rnd = rng.random
        current = person.current
        events: list[Event] = []
        if person.salary:
            kind = "pension_in" if person.occupation == "退休人员" else "salary_in"
            who = (
                "养老金-北京市社会保险基金管理中心"
                if kind == "pension_in"
                else f"代发工资-{person.employer or '单位'}"
            )
            for d in self.monthly(start, end, person.pay_day):
                amount = round(person.salary * (0.97 + 0.06 * rnd()))
                sec = 9 * HOUR_S + int(rnd() * HOUR_S)
                events.append(Event(d, sec, kind, amount, current, C_OTHER, who))
        for account in person.accounts:
            if account.next_payment is None or account.opened > end:
                continue
            due_days = self.monthly(
                max(start, account.opened), end, self.world.days.date(account.next_payment).day
            )
            if account.type is AccountType.LOAN and account.payment:
                what = f"{account.product.name if account.product else '贷款'}还款"
                for d in due_days:
                    sec = 6 * HOUR_S + int(rnd() * HOUR_S)
                    events.append(
                        Event(d, sec, "loan_repay", account.payment, current, C_OTHER, what)
                    )
            elif account.type is AccountType.CREDIT_CARD:
                for d in due_days:
                    amount = round((account.limit or 0) * 0.3 * rnd() / 100) * 100
                    sec = 8 * HOUR_S + int(rnd() * 11 * HOUR_S)
                    if amount:
                        events.append(
                            Event(d, sec, "card_repay", amount, current, C_MOBILE, "信用卡还款")
                        )
        span = end - start + 1
        invest = sum(1 for b in ("wealth", "fund") if b in person.mix)
        for _ in range(int(invest * rnd() * 2.5 * span / WINDOW_DAYS + rnd())):
            kind = "subscribe" if rnd() < 0.55 else "redeem"
            events.append(self._at(rng, start, span, kind, 0, current, C_MOBILE, None))
            events[-1].frac = 0.05 + 0.2 * rnd()
        if "time" in person.mix and rnd() < 0.3 * span / WINDOW_DAYS:
            events.append(
                self._at(rng, start, span, "maturity", 0, current, C_OTHER, "定期存款到期转活期")
            )
            events[-1].frac = 0.05 + 0.15 * rnd()
        spend = _spend_scale(person)
        while len(events) < count:
            kind, amount, channel, party, business = self._everyday(rng, spend)
            events.append(
                self._at(rng, start, span, kind, amount, current, channel, party, business=business)
            )
        _balance(events, person.wealth * span // WINDOW_DAYS, rng)
        return events

    def _everyday(self, rng: random.Random, spend: int) -> tuple[str, int, str, str | None, bool]:
        """One everyday transaction: kind, amount, channel, counterparty, business hours only."""
        rnd = rng.random
        draw = rnd()
        if draw < 0.38:
            return "spend_out", _lognormal(rng, spend, 0.9), C_MOBILE, pick(rng, _SPEND), False
        if draw < 0.68:
            inbound = draw >= 0.55
            other = rnd() < (0.4 if inbound else 0.35)
            who = (f"{pick(rng, _OTHER_BANKS)} " if other else "") + self.world.names.surname(rng)
            kind = ("p2p_in" if inbound else "p2p_out") + ("_ob" if other else "")
            channel = C_MOBILE if inbound or rnd() < 0.8 else C_ONLINE
            return kind, _lognormal(rng, spend * 3, 1.0), channel, who + "*", False
        if draw < 0.76:
            return "cash_out", _cash(rng, spend * 2, 0.6), C_ATM, None, False
        if draw < 0.82:
            return "cash_in", _cash(rng, spend * 4, 0.8), C_COUNTER, None, True
        own = f"{pick(rng, _OTHER_BANKS)} 本人账户"
        if draw < 0.91:
            return "self_in_ob", _lognormal(rng, spend * 8, 1.0), C_MOBILE, own, False
        return "self_out_ob", _lognormal(rng, spend * 6, 1.0), C_MOBILE, own, False

    def _corporate(
        self, person: Person, rng: random.Random, start: int, end: int, count: int
    ) -> list[Event]:
        rnd = rng.random
        current = person.current
        names = self.world.names
        events: list[Event] = []
        scale = max(2_000_00, person.wealth // 20)
        for d in self.monthly(start, end, 10):
            events.append(
                Event(
                    d,
                    10 * HOUR_S,
                    "payroll_out",
                    _lognormal(rng, scale, 0.2),
                    current,
                    C_ONLINE,
                    "代发工资",
                )
            )
        for d in self.monthly(start, end, 15):
            events.append(
                Event(
                    d,
                    11 * HOUR_S,
                    "tax_out",
                    _lognormal(rng, scale // 3, 0.4),
                    current,
                    C_ONLINE,
                    "国家金库北京市分库",
                )
            )
        span = end - start + 1
        while len(events) < count:
            other = rnd() < 0.45
            kind = ("biz_in" if rnd() < 0.5 else "biz_out") + ("_ob" if other else "")
            partner = names.company(rng).name
            if other:
                partner = f"{pick(rng, _OTHER_BANKS)} {partner}"
            events.append(
                self._at(
                    rng,
                    start,
                    span,
                    kind,
                    _lognormal(rng, scale, 1.0),
                    current,
                    C_ONLINE,
                    partner,
                    business=True,
                )
            )
        _balance(events, person.wealth * span // WINDOW_DAYS, rng)
        return events

    def _at(
        self,
        rng: random.Random,
        start: int,
        span: int,
        kind: str,
        amount: int,
        account: AccountPlan,
        channel: str,
        counterparty: str | None,
        *,
        business: bool = False,
    ) -> Event:
        day = start + int(rng.random() * span)
        if business:
            for _ in range(3):
                if self._business[day]:
                    break
                day = start + int(rng.random() * span)
            sec = 9 * HOUR_S + int(rng.random() * 8 * HOUR_S)
        else:
            sec = 7 * HOUR_S + int(rng.random() * 16 * HOUR_S)
        return Event(day, sec, kind, amount, account, channel, counterparty)


_RECURRING = frozenset(
    {"salary_in", "pension_in", "loan_repay", "card_repay", "payroll_out", "tax_out"}
)


def _balance(events: list[Event], scale: int, rng: random.Random) -> None:
    """Scale the everyday transfers so money in and out roughly match over the span.

    Salary comes in and is spent: without this, a customer with a good salary and little in
    the bank would see the AUM multiply in 90 days, and one with many small payments drain it.
    The net is aimed at a drift of about +1 % of ``scale`` (± 5 %); everyday outflows are
    scaled (between a twentieth and twentyfold) to get there, or, with none, everyday inflows.
    """
    net = 0
    out_total = in_total = 0
    for event in events:
        if event.frac:
            continue
        sign = KINDS[event.kind][3]
        net += sign * event.amount
        if event.kind in _RECURRING or not sign:
            continue
        if sign < 0:
            out_total += event.amount
        else:
            in_total += event.amount
    target = int(scale * normal(rng, 0.01, 0.05))
    if out_total:
        factor = (out_total + net - target) / out_total
        sign_to_scale = -1
    elif in_total:
        factor = (in_total + target - net) / in_total
        sign_to_scale = 1
    else:
        return
    factor = min(20.0, max(0.05, factor))
    for event in events:
        if event.frac or event.kind in _RECURRING or KINDS[event.kind][3] != sign_to_scale:
            continue
        event.amount = max(100, round(event.amount * factor / 100) * 100)


def _spend_scale(person: Person) -> int:
    """A typical spending amount in fen for this customer."""
    base = 60_000 + person.salary // 25 + int(math.sqrt(person.wealth) * 8)
    return min(base, 3_000_000) if not person.is_minor else 20_000


def _lognormal(rng: random.Random, median: int, sigma: float) -> int:
    """A log-normal amount in whole yuan (fen), at least 1 yuan."""
    return max(100, round(median * math.exp(normal(rng, 0.0, sigma)) / 100) * 100)


def _cash(rng: random.Random, median: int, sigma: float) -> int:
    """A cash amount: whole hundreds of yuan, at least one hundred."""
    return (round(_lognormal(rng, median, sigma) / 10_000) + 1) * 10_000


def window_count(person: Person, rng: random.Random) -> int:
    """How many transactions the 90-day window should hold."""
    rnd = rng.random
    if person.activity == ACTIVITY_DORMANT:
        return 0
    if person.corporate:
        return 15 + int(rnd() * 26)
    if person.is_minor:
        return int(rnd() * 4)
    if person.activity == ACTIVITY_LOW:
        return 4 + int(rnd() * 6)
    if person.activity == ACTIVITY_HIGH:
        return 18 + int(rnd() * rnd() * 23)
    return 10 + int(rnd() * 9)


def run_ledger(world: World, person: Person, rng: random.Random, maker: EventMaker) -> Ledger:
    """Run the window's money through ``person``'s accounts and set balances and holdings."""
    days = world.days
    rnd = rng.random
    start = max(-WINDOW_DAYS, person.since)
    events = maker.routine(person, rng, start, -1, window_count(person, rng))
    current = person.current
    if person.since > -WINDOW_DAYS:
        events.append(
            Event(
                person.since,
                10 * HOUR_S + int(rnd() * 20000),
                "open_in",
                person.wealth,
                current,
                C_COUNTER,
                None,
            )
        )
    if person.story == STORY_BIG_OUT:
        day = -1 - int(rnd() * rnd() * 20)
        event = Event(
            day,
            10 * HOUR_S + int(rnd() * 20000),
            "big_out",
            0,
            current,
            C_MOBILE if rnd() < 0.6 else C_COUNTER,
            f"{pick(rng, _OTHER_BANKS)} "
            + ("本人账户" if rnd() < 0.6 else world.names.surname(rng) + "*"),
        )
        event.frac = 0.35 + 0.4 * rnd()
        events.append(event)
    elif person.story == STORY_BIG_IN:
        day = -1 - int(rnd() * 25)
        event = Event(
            day,
            10 * HOUR_S + int(rnd() * 20000),
            "big_in",
            0,
            current,
            C_ONLINE,
            f"{pick(rng, _OTHER_BANKS)} 本人账户",
        )
        event.frac = 1.0 + 5.0 * rnd()
        events.append(event)
    events = [e for e in events if e.day >= start]
    events.sort(key=lambda e: (e.day, e.sec))
    level = person.wealth if person.since <= -WINDOW_DAYS else 0
    path = [0] * WINDOW_DAYS
    kept: list[Event] = []
    filled = 0  # path[:filled] holds the end-of-day AUM of the days before the next event
    for event in events:
        index = event.day + WINDOW_DAYS
        if index > filled:
            path[filled:index] = [level] * (index - filled)
            filled = index
        sign = KINDS[event.kind][3]
        if event.frac:
            base = level if sign else level // 2
            event.amount = round(base * min(event.frac, 5.0) / 100) * 100
        if sign < 0 or event.kind == "subscribe":
            event.amount = min(event.amount, int(level * 0.95) // 100 * 100)
        if event.amount < 100:
            continue
        level += sign * event.amount
        kept.append(event)
    path[filled:] = [level] * (WINDOW_DAYS - filled)
    aum = path[-1]
    month0 = days.month_start(0)
    mtd = path[month0 + WINDOW_DAYS :] if month0 < 0 else path[-1:]
    mtd_avg = sum(mtd) // len(mtd)
    aum_12m = _monthly_averages(world, person, rng, path)
    monthly_tiers = [tier_for(avg) for avg in aum_12m]
    tier = monthly_tiers[-1]
    tier_since = _tier_since(world, person, rng, monthly_tiers)
    floor = FLOOR[tier]
    qualified = person.professional or (aum_12m[-1] >= QUALIFIED_FEN and rnd() < 0.85)
    _fill_accounts(world, person, rng, aum, qualified)
    _name_investments(person, rng, kept)
    return Ledger(
        events=kept,
        path=path,
        aum=aum,
        mtd_avg=mtd_avg,
        aum_12m=aum_12m,
        tier=tier,
        tier_since=tier_since,
        tier_watch=tier is not Tier.STANDARD and (aum < floor or mtd_avg < floor),
        qualified=qualified,
        monthly_tiers=monthly_tiers,
    )


def _monthly_averages(
    world: World, person: Person, rng: random.Random, path: list[int]
) -> list[int]:
    days = world.days
    starts = days.months_back(12)
    ends = [*starts[1:], days.month_start(0)]
    averages: list[int | None] = []
    for first, following in zip(starts, ends, strict=True):
        if first >= -WINDOW_DAYS:
            window = path[first + WINDOW_DAYS : following + WINDOW_DAYS]
            averages.append(sum(window) // len(window))
        else:
            averages.append(None)
    known = [i for i, value in enumerate(averages) if value is not None]
    anchor_index = known[0] if known else len(averages)
    value = float(averages[anchor_index] or path[0]) if known else float(sum(path) / len(path))
    trend = normal(rng, 0.004, 0.008)
    result = [0] * 12
    for i in range(11, -1, -1):
        known_value = averages[i]
        if known_value is not None:
            result[i] = known_value
            value = float(known_value)
            continue
        value = value / math.exp(trend + normal(rng, 0.0, 0.03))
        # A customer who joined during or after a month has a part of it, or none.
        first, following = starts[i], ends[i]
        if person.since >= following:
            result[i] = 0
        elif person.since > first:
            result[i] = round(value * (following - person.since) / (following - first))
        else:
            result[i] = round(value)
    return result


def _tier_since(world: World, person: Person, rng: random.Random, tiers: list[Tier]) -> int:
    days = world.days
    starts = days.months_back(12)
    tier = tiers[-1]
    i = len(tiers) - 1
    while i > 0 and tiers[i - 1] is tier:
        i -= 1
    if i > 0:
        # The tier follows the last complete month's average: it changed at the next month start.
        following = starts[i + 1] if i + 1 < len(starts) else days.month_start(0)
        return max(person.since, following)
    earliest = person.since
    return max(earliest, starts[0] - int(rng.random() * 1500))


# --- balances and holdings ---------------------------------------------------------------------


def _fill_accounts(
    world: World, person: Person, rng: random.Random, aum: int, qualified: bool
) -> None:
    rnd = rng.random
    mix = dict(person.mix)
    total = sum(mix.values())
    amounts = {bucket: int(aum * weight / total) // 100 * 100 for bucket, weight in mix.items()}
    for bucket in list(amounts):
        if bucket != "current" and amounts[bucket] < 10_000 * 100:
            amounts["current"] += amounts.pop(bucket)
    by_bucket: dict[str, list[AccountPlan]] = {}
    for account in person.accounts:
        if account.bucket:
            by_bucket.setdefault(account.bucket, []).append(account)
    # Bonds and precious metals live in the wealth account.
    for bucket in ("bond", "metal", "wealth"):
        if bucket in amounts and "wealth" not in by_bucket:
            amounts["current"] += amounts.pop(bucket)
    for bucket in ("time", "fund", "insurance"):
        if bucket in amounts and bucket not in by_bucket:
            amounts["current"] += amounts.pop(bucket)
    amounts["current"] += aum - sum(amounts.values())
    _maybe_shortfall(person, rng, amounts)
    for account in person.accounts:
        if account.bucket == "current2":
            dormant = account.status is AccountStatus.DORMANT
            account.balance = 0 if dormant else amounts["current"] // 10 // 100 * 100
            amounts["current"] -= account.balance
    current = person.current
    current.balance = amounts["current"]
    current.available = current.balance
    for account in person.accounts:
        if account.bucket == "current2":
            account.available = account.balance
    shelf = world.shelf
    if "time" in by_bucket:
        _time_deposits(person, rng, by_bucket["time"], amounts.get("time", 0), shelf)
    wealth_accounts = by_bucket.get("wealth", [])
    if wealth_accounts:
        account = wealth_accounts[0]
        holdings: list[HoldingPlan] = []
        if amounts.get("wealth"):
            holdings += _wealth_holdings(person, rng, account, amounts["wealth"], qualified, world)
        if amounts.get("bond"):
            holdings += _simple_holdings(
                person, rng, account, amounts["bond"], shelf.kind("bond"), len(holdings)
            )
        if amounts.get("metal"):
            metals = [p for p in shelf.kind("metal") if _suits(person, p, 0)]
            holdings += _simple_holdings(
                person,
                rng,
                account,
                amounts["metal"],
                metals or shelf.kind("metal")[1:2],
                len(holdings),
            )
        account.holdings = holdings
        account.balance = sum(h.value for h in holdings)
    if "fund" in by_bucket:
        account = by_bucket["fund"][0]
        account.holdings = _fund_holdings(
            person, rng, account, amounts.get("fund", 0), qualified, world
        )
        account.balance = sum(h.value for h in account.holdings)
    if "insurance" in by_bucket:
        policies = by_bucket["insurance"]
        left = amounts.get("insurance", 0)
        for n, account in enumerate(policies):
            share = left if n == len(policies) - 1 else int(left * (0.3 + 0.4 * rnd())) // 100 * 100
            left -= share
            account.holdings = _policy(person, rng, account, share, world)
            account.balance = sum(h.value for h in account.holdings)
            account.product = account.holdings[0].product if account.holdings else None
    for account in person.accounts:
        if account.type is AccountType.WEALTH or account.type is AccountType.FUND:
            account.available = None


def _maybe_shortfall(person: Person, rng: random.Random, amounts: dict[str, int]) -> None:
    """Some loans due within 3 days find the repayment account short (rule A03)."""
    for account in person.accounts:
        if (
            account.type is AccountType.LOAN
            and account.payment
            and account.next_payment is not None
            and 0 <= account.next_payment <= 3
            and rng.random() < 0.4
        ):
            target = int(account.payment * (0.1 + 0.8 * rng.random())) // 100 * 100
            excess = amounts["current"] - target
            others = [b for b in amounts if b != "current"]
            if excess > 0 and others:
                amounts["current"] = target
                amounts[others[0]] += excess


def _suits(person: Person, product: ProductInfo, slack: int) -> bool:
    level = person.risk or 0
    return product.risk <= level + slack


def _time_deposits(
    person: Person, rng: random.Random, accounts: list[AccountPlan], amount: int, shelf: Shelf
) -> None:
    rnd = rng.random
    left = amount
    for n, account in enumerate(accounts):
        share = left if n == len(accounts) - 1 else int(left * (0.2 + 0.6 * rnd())) // 100 * 100
        left -= share
        account.balance = share
        account.available = None
        if person.corporate:
            options = shelf.kind("corp_time")
        elif share >= 20 * WAN and rnd() < 0.5:
            options = shelf.kind("cd")
        else:
            options = shelf.kind("time")
        product = options[int(rnd() * len(options))]
        term = product.term_days or 365
        account.product = product
        account.rate = product.yield_text
        if share <= 0:
            # Nothing left in it: a deposit that matured and was closed.
            account.status = AccountStatus.CLOSED
            account.maturity = -1 - int(rnd() * 300)
            account.opened = max(person.since, account.maturity - term)
            continue
        maturity = 1 + int(rnd() * term)
        account.opened = max(maturity - term, person.since)
        account.maturity = account.opened + term


def _eligible(
    person: Person,
    products: tuple[ProductInfo, ...] | list[ProductInfo],
    amount: int,
    qualified: bool,
    slack: int,
) -> list[ProductInfo]:
    return [
        p
        for p in products
        if _suits(person, p, slack)
        and (not p.qualified_only or qualified)
        and (p.min_fen or 0) <= amount
    ]


def _split(rng: random.Random, amount: int, parts: int) -> list[int]:
    weights = [0.3 + rng.random() for _ in range(parts)]
    total = sum(weights)
    shares = [int(amount * w / total) // 100 * 100 for w in weights]
    shares[0] += amount - sum(shares)
    return shares


def _wealth_holdings(
    person: Person,
    rng: random.Random,
    account: AccountPlan,
    amount: int,
    qualified: bool,
    world: World,
) -> list[HoldingPlan]:
    shelf = world.shelf
    kinds = ("corp_cash",) if person.corporate else ("cash", "closed", "periodic", "private_closed")
    products = [p for k in kinds for p in shelf.kind(k)]
    parts = 1 + int(rng.random() * rng.random() * 3.5)
    holdings = []
    for n, share in enumerate(_split(rng, amount, parts)):
        slack = 1 if rng.random() < 0.03 else 0  # bought before a lower reassessment: rule A10
        options = _eligible(person, products, share, qualified, slack)
        if not options:
            options = [p for p in products if p.kind in ("cash", "corp_cash")]
        product = options[int(rng.random() * len(options))]
        holdings.append(_position(person, rng, account, product, share, n))
    return holdings


def _fund_holdings(
    person: Person,
    rng: random.Random,
    account: AccountPlan,
    amount: int,
    qualified: bool,
    world: World,
) -> list[HoldingPlan]:
    shelf = world.shelf
    products = [*shelf.kind("fund"), *shelf.kind("private_fund")]
    parts = 1 + int(rng.random() * rng.random() * 4.5)
    holdings = []
    for n, share in enumerate(_split(rng, amount, parts)):
        slack = 1 if rng.random() < 0.05 else 0
        options = _eligible(person, products, share, qualified, slack) or products[:1]
        product = options[int(rng.random() * len(options))]
        holdings.append(_position(person, rng, account, product, share, n))
    return holdings


def _simple_holdings(
    person: Person,
    rng: random.Random,
    account: AccountPlan,
    amount: int,
    products: Sequence[ProductInfo],
    offset: int,
) -> list[HoldingPlan]:
    product = products[int(rng.random() * len(products))]
    return [_position(person, rng, account, product, amount, offset)]


def _policy(
    person: Person, rng: random.Random, account: AccountPlan, amount: int, world: World
) -> list[HoldingPlan]:
    if amount <= 0:
        return []
    options = [p for p in world.shelf.kind("insurance") if _suits(person, p, 0)]
    if not options:
        options = [p for p in world.shelf.kind("insurance") if p.risk == 1]
    product = options[int(rng.random() * len(options))]
    holding = _position(person, rng, account, product, amount, 0)
    return [holding]


def _position(
    person: Person,
    rng: random.Random,
    account: AccountPlan,
    product: ProductInfo,
    value: int,
    n: int,
) -> HoldingPlan:
    """A holding worth ``value`` fen today, bought at the product's issue price."""
    rnd = rng.random
    term = product.term_days
    maturity: int | None = None
    if product.kind in ("closed", "private_closed", "bond", "insurance") and term:
        maturity = 1 + int(rnd() * term)
        bought = max(maturity - term, person.since)
    elif product.kind == "periodic" and term:
        maturity = 1 + int(rnd() * term)  # the next open day
        bought = max(person.since, -int(rnd() * 700) - 1)
    else:
        bought = max(person.since, -int(rnd() * 900) - 1)
    held = max(1, -bought)
    yield_rate = float(product.yield_text or "0")
    if product.category.value == "fund":
        growth = math.exp(normal(rng, 0.02 * product.risk * held / 365, 0.05 * product.risk))
    elif product.kind == "metal":
        growth = math.exp(normal(rng, 0.1 * held / 365, 0.08))
    elif product.kind == "insurance":
        growth = 0.85 + 0.25 * rnd()  # cash value against premiums paid
    else:
        growth = 1.0 + yield_rate * held / 365 * (0.8 + 0.4 * rnd())
    if product.kind == "insurance":
        units = 1.0
        cost = round(value / growth / 100) * 100
    else:
        price_now = product.unit_price * growth
        units = max(0.01, value / 100 / price_now)
        cost = round(units * product.unit_price * 100)
    return HoldingPlan(
        id=f"h-{person.num}-{account.id[-2:]}{n}",
        product=product,
        units=f"{units:.2f}",
        cost=cost,
        value=value,
        maturity=maturity,
        bought=bought,
    )


def _name_investments(person: Person, rng: random.Random, events: list[Event]) -> None:
    """Subscriptions and redemptions name a product the customer holds."""
    held = [
        h.product.name
        for a in person.accounts
        for h in a.holdings
        if a.type in (AccountType.WEALTH, AccountType.FUND)
    ]
    for event in events:
        if event.kind in ("subscribe", "redeem"):
            event.counterparty = held[int(rng.random() * len(held))] if held else "现金管理类理财"
