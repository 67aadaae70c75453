"""Who the customers of a book are: households, companies and single customers, each person's
profile (name, identity, contact, occupation, wealth, risk assessment) and which accounts they
hold.

A book is laid out in *units* (:func:`book_units`): about 86 % single customers, 13 % households
of 2–4 (so that about 30 % of customers belong to a household) and 1 % companies that come with
their legal representative. A book's profiles come from one random stream per RM, so the PII and
history iterators can rebuild them without running the ledger.

Amounts here are targets in fen; the ledger (:mod:`crm_server.synth.ledger`) runs 90 days of money
through them and sets the balances.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from crm_server.synth import identity
from crm_server.synth.identity import Address
from crm_server.synth.names import Company, pick
from crm_server.synth.org import Rm
from crm_server.synth.products import ProductInfo
from crm_server.synth.world import STREAM_PROFILE, World, normal, stream
from rm_desk.domain.enums import (
    AccountStatus,
    AccountType,
    HouseholdRole,
    IdType,
    RelationshipKind,
    RelationshipStatus,
)

WAN = 1_000_000  # 1万 yuan, in fen

ACTIVITY_DORMANT = "dormant"
ACTIVITY_LOW = "low"
ACTIVITY_MID = "mid"
ACTIVITY_HIGH = "high"

STORY_NONE = "none"
STORY_BIG_OUT = "big_out"  # a large transfer to another bank in the last weeks (A05, A06, A01)
STORY_BIG_IN = "big_in"  # a large deposit this month (A02)

BUCKETS = ("current", "time", "wealth", "fund", "insurance", "bond", "metal")
"""Where a customer's AUM sits; bonds and precious metals are held in the wealth account."""

_OCCUPATIONS = (
    ("企业职员", 22.0), ("专业技术人员", 10.0), ("企业管理人员", 9.0), ("公务员", 5.0),
    ("事业单位人员", 6.0), ("教师", 5.0), ("医生", 3.0), ("金融从业人员", 3.0),
    ("个体工商户", 8.0), ("私营企业主", 4.0), ("自由职业者", 6.0), ("律师", 1.0),
    ("家务劳动者", 2.0),
)  # fmt: skip
_OCC_NAMES = tuple(name for name, _ in _OCCUPATIONS)
_OCC_CUM = tuple(math.fsum(w for _, w in _OCCUPATIONS[: i + 1]) for i in range(len(_OCCUPATIONS)))
# Monthly salary in yuan (median) by occupation; absent: no salary paid through the bank.
_SALARY = {
    "企业职员": 12_000, "专业技术人员": 20_000, "企业管理人员": 35_000, "公务员": 13_000,
    "事业单位人员": 12_000, "教师": 12_000, "医生": 20_000, "金融从业人员": 30_000, "律师": 30_000,
}  # fmt: skip
_WEALTH_BONUS = {
    "私营企业主": 1.1, "企业管理人员": 0.5, "金融从业人员": 0.4, "个体工商户": 0.4, "律师": 0.5,
    "医生": 0.3, "退休人员": 0.3, "学生": -1.6, "家务劳动者": 0.2,
}  # fmt: skip
_PUBLIC_EMPLOYERS = {
    "公务员": ("北京市朝阳区财政局", "北京市海淀区人民政府", "北京市税务局第二分局"),
    "事业单位人员": ("北京市朝阳区疾病预防控制中心", "北京市规划和自然资源委员会信息中心"),
    "教师": ("北京市第八十中学", "北京市朝阳外国语学校", "中国人民大学", "北京工业大学"),
    "医生": ("首都医科大学附属北京朝阳医院", "中日友好医院", "北京大学第三医院"),
}

_CARD_PRODUCTS = ("CC-GOLD", "CC-PLAT", "CC-DIAM")
_CORP_SIZES = ("micro", "small", "small", "medium", "large")


@dataclass(slots=True)
class HoldingPlan:
    """A position in a product held in an account."""

    id: str
    product: ProductInfo
    units: str
    cost: int
    value: int
    maturity: int | None  # maturity or next open day, as an offset from today
    bought: int


@dataclass(slots=True)
class AccountPlan:
    """An account; balances are set by the ledger."""

    id: str
    type: AccountType
    number: str
    opened: int
    bucket: str | None = None  # the AUM bucket it holds (None: a liability)
    product: ProductInfo | None = None
    status: AccountStatus = AccountStatus.ACTIVE
    balance: int = 0
    available: int | None = None
    maturity: int | None = None
    rate: str | None = None
    outstanding: int | None = None
    next_payment: int | None = None
    payment: int | None = None
    dpd: int | None = None
    repay_from: str | None = None
    limit: int | None = None
    holdings: list[HoldingPlan] = field(default_factory=list)


@dataclass(slots=True)
class Person:
    """One customer's profile (a company too: ``corporate``)."""

    seq: int
    id: str
    num: str  # the digits of the id, which child record ids reuse
    rm: Rm
    name: str
    surname: str
    corporate: bool
    female: bool
    birth: date | None
    age: int
    id_type: IdType
    id_no: str
    id_expiry: int | None
    mobile: str | None
    address: Address
    address_summary: str
    occupation: str | None
    employer: str | None
    salary: int  # monthly, fen
    pay_day: int
    wealth: int  # fen, the AUM 90 days ago (or at account opening)
    mix: dict[str, float]
    risk: int | None
    assessed: int | None
    risk_is_lowest: bool
    professional: bool
    since: int
    activity: str
    story: str
    dnd: bool
    household_id: str | None = None
    household_role: HouseholdRole | None = None
    company: Company | None = None
    uscc: str | None = None
    size: str | None = None
    credit_line: int | None = None
    credit_line_expiry: int | None = None
    accounts: list[AccountPlan] = field(default_factory=list)

    @property
    def is_minor(self) -> bool:
        return self.age < 18

    @property
    def current(self) -> AccountPlan:
        """The customer's main current (settlement) account."""
        return self.accounts[0]


@dataclass(slots=True)
class UnitPlan:
    """The people of a unit, and its household and relationship records (wire form)."""

    people: list[Person]
    household: dict[str, Any] | None
    relationships: list[dict[str, Any]]


def book_units(world: World, rm: Rm) -> Iterator[UnitPlan]:
    """The units of an RM's book with their people, in customer sequence order.

    One random stream per book (:data:`STREAM_PROFILE`) draws the layout and the profiles, so
    any iterator that walks the book gets the same people.
    """
    rng = stream(world.seed, STREAM_PROFILE, rm.index)
    builder = _Builder(world, rm, rng)
    seq = rm.first_seq
    end = rm.first_seq + rm.customers
    while seq < end:
        left = end - seq
        draw = rng.random()
        if draw < 0.137 and left >= 2:
            size = min(left, 2 + int(rng.random() * rng.random() * 3.2))
            plan = builder.household_unit(seq, size)
        elif draw < 0.149 and left >= 2:
            plan = builder.company_unit(seq)
        else:
            person = builder.person(seq, age=_adult_age(rng))
            plan = UnitPlan([person], None, builder.referrer(person))
        seq += len(plan.people)
        yield plan


def _adult_age(rng: random.Random) -> int:
    return max(19, min(88, round(normal(rng, 47.0, 14.0))))


class _Builder:
    def __init__(self, world: World, rm: Rm, rng: random.Random) -> None:
        self.world = world
        self.rm = rm
        self.rng = rng
        self.days = world.days

    # --- people ---------------------------------------------------------------------------------

    def person(
        self,
        seq: int,
        *,
        age: int,
        female: bool | None = None,
        surname: str | None = None,
        home: Address | None = None,
        occupation: str | None = None,
    ) -> Person:
        rng, days = self.rng, self.days
        rnd = rng.random
        cid = self.world.org.customer_id(seq)
        if female is None:
            female = rnd() < 0.52
        birth = days.date(-int((age + rnd()) * 365.25))
        surname = surname or self.world.names.surname(rng)
        name = surname + self.world.names.given(rng, female, birth.year)
        local = home.local if home else rnd() < 0.88
        home = home or identity.address(rng)
        if occupation is None:
            occupation = self._occupation(age)
        id_type, id_no, id_expiry = self._identity(age, birth, female, local)
        has_mobile = age >= 18 or (age >= 14 and rnd() < 0.5)
        employer: str | None = None
        salary = 0
        if occupation in _SALARY and age >= 20:
            publics = _PUBLIC_EMPLOYERS.get(occupation)
            if publics and rnd() < 0.7:
                employer = pick(rng, publics)
            else:
                employer = self.world.names.company(rng).name
            if rnd() < 0.75:  # salary paid through this bank (代发)
                salary = round(_SALARY[occupation] * math.exp(normal(rng, 0.0, 0.35)) * 100)
        elif occupation == "退休人员" and rnd() < 0.7:
            salary = round(rng.uniform(4_000, 9_000) * 100)
        if age < 18:
            wealth_yuan = math.exp(normal(rng, 8.6, 1.2))
        else:
            mu = 9.95 + 0.015 * (age - 45) + _WEALTH_BONUS.get(occupation, 0.0)
            wealth_yuan = min(math.exp(normal(rng, mu, 2.05)), 2.5e8)
        wealth = max(1_000, round(wealth_yuan * 100))
        if salary:
            # Whose salary is paid here keeps at least some of it here.
            wealth = max(wealth, int(salary * (0.8 + 2.2 * rnd())))
        risk, assessed, lowest = self._risk(age, wealth)
        since = self._since(age)
        activity = self._activity(age, wealth)
        story = STORY_NONE
        if activity != ACTIVITY_DORMANT and age >= 18:
            draw = rnd()
            rich = wealth >= 50 * WAN
            if draw < 0.015 + (0.015 if rich else 0.0):
                story = STORY_BIG_OUT
            elif draw < 0.035 + (0.03 if rich else 0.0):
                story = STORY_BIG_IN
        person = Person(
            seq=seq,
            id=cid,
            num=cid[2:],
            rm=self.rm,
            name=name,
            surname=surname,
            corporate=False,
            female=female,
            birth=birth,
            age=age,
            id_type=id_type,
            id_no=id_no,
            id_expiry=id_expiry,
            mobile=identity.mobile(rng) if has_mobile else None,
            address=home,
            address_summary=home.summary,
            occupation=occupation,
            employer=employer,
            salary=salary,
            pay_day=(5, 10, 10, 15, 15, 20, 25)[int(rnd() * 7)],
            wealth=wealth,
            mix=self._mix(wealth, risk, age),
            risk=risk,
            assessed=assessed,
            risk_is_lowest=lowest,
            professional=wealth >= 300 * WAN and rnd() < 0.25,
            since=since,
            activity=activity,
            story=story,
            dnd=rnd() < 0.04,
        )
        self._accounts(person)
        return person

    def _occupation(self, age: int) -> str:
        rnd = self.rng.random
        if age < 22:
            return "学生"
        if age >= 60 and rnd() < 0.8:
            return "退休人员"
        draw = rnd() * _OCC_CUM[-1]
        for name, cum in zip(_OCC_NAMES, _OCC_CUM, strict=True):
            if draw < cum:
                return name
        return _OCC_NAMES[-1]

    def _identity(
        self, age: int, birth: date, female: bool, local: bool
    ) -> tuple[IdType, str, int | None]:
        rng = self.rng
        rnd = rng.random
        draw = rnd() if age >= 18 else 0.0
        if draw < 0.965:
            number = identity.resident_id(
                rng, identity.birthplace_region(rng, local), birth, female
            )
            if age < 16:
                years: int | None = 5
            elif age < 26:
                years = 10
            elif age < 46:
                years = 20
            else:
                years = None if rnd() < 0.8 else 20  # 长期 from 46 on
            return IdType.RESIDENT_ID, number, self._expiry(years)
        if draw < 0.98:
            return IdType.PASSPORT, identity.passport(rng), self._expiry(10)
        if draw < 0.99:
            letter = "H" if rnd() < 0.7 else "M"
            return IdType.HK_MACAU_PERMIT, identity.travel_permit(rng, letter), self._expiry(10)
        if draw < 0.995:
            return IdType.TAIWAN_PERMIT, identity.travel_permit(rng, ""), self._expiry(5)
        number = identity.resident_id(rng, "931" + f"{int(rnd() * 1000):03d}", birth, female)
        return IdType.FOREIGN_PERMANENT, number, self._expiry(10)

    def _expiry(self, years: int | None) -> int | None:
        if years is None:
            return None
        span = years * 365
        # Documents are renewed late as often as early: a few have lapsed already.
        return int(-0.03 * span + self.rng.random() * span * 1.03)

    def _risk(self, age: int, wealth: int) -> tuple[int | None, int | None, bool]:
        rnd = self.rng.random
        if age < 18 or rnd() < 0.03:
            return None, None, False
        if age >= 65:
            weights = (0.2, 0.45, 0.3, 0.05, 0.0)
        elif wealth >= 300 * WAN:
            weights = (0.01, 0.12, 0.37, 0.32, 0.18)
        else:
            weights = (0.04, 0.2, 0.4, 0.26, 0.1)
        draw, level = rnd(), 1
        for w in weights:
            draw -= w
            if draw < 0:
                break
            level += 1
        level = min(level, 5)
        draw = rnd()
        # Assessments last 365 days; most are renewed on time, some have lapsed.
        assessed = -int(rnd() * 365) if draw < 0.93 else -366 - int(rnd() * 700)
        lowest = level == 1 and (age >= 70 or rnd() < 0.5)
        return level, assessed, lowest

    def _since(self, age: int) -> int:
        rnd = self.rng.random
        years = rnd() * 2.0 if rnd() < 0.2 else 2.0 + self.rng.expovariate(1 / 6.0)
        years = min(years, 26.0, max(0.05, age - 16.0))
        return -int(years * 365.25) - 1

    def _activity(self, age: int, wealth: int) -> str:
        draw = self.rng.random()
        if draw < 0.04 + (0.04 if age >= 75 else 0.0):
            return ACTIVITY_DORMANT
        if age < 18:
            return ACTIVITY_LOW
        high = 0.14 + (0.08 if wealth >= 50 * WAN else 0.0)
        if draw < 0.35:
            return ACTIVITY_LOW
        return ACTIVITY_HIGH if draw > 1.0 - high else ACTIVITY_MID

    def _mix(self, wealth: int, risk: int | None, age: int) -> dict[str, float]:
        rnd = self.rng.random
        band = 0 if wealth < WAN else 1 if wealth < 5 * WAN else 2 if wealth < 50 * WAN else 3
        mix = {"current": (3.0 if band < 2 else 0.7) * (0.5 + rnd())}
        chances = {
            "time": (0.2, 0.45, 0.7, 0.8),
            "wealth": (0.05, 0.25, 0.5, 0.75),
            "fund": (0.03, 0.12, 0.3, 0.5),
            "insurance": (0.0, 0.03, 0.12, 0.3),
            "bond": (0.0, 0.02, 0.06, 0.12),
            "metal": (0.0, 0.02, 0.05, 0.1),
        }
        weights = {
            "time": 2.0,
            "wealth": 2.5,
            "fund": 1.2,
            "insurance": 1.0,
            "bond": 0.6,
            "metal": 0.3,
        }
        for bucket, chance in chances.items():
            if age < 18 and bucket != "time":
                continue
            if bucket in ("wealth", "fund", "metal") and risk is None:
                continue  # investments need a risk assessment
            if bucket == "fund" and risk == 1:
                continue
            if rnd() < chance[band]:
                mix[bucket] = weights[bucket] * (0.5 + 1.5 * rnd())
        return mix

    # --- accounts -------------------------------------------------------------------------------

    def _account(
        self, person: Person, type_: AccountType, number: str, bucket: str | None, opened: int
    ) -> AccountPlan:
        account = AccountPlan(
            id=f"a-{person.num}-{len(person.accounts) + 1:02d}",
            type=type_,
            number=number,
            opened=opened,
            bucket=bucket,
        )
        person.accounts.append(account)
        return account

    def _opened(self, person: Person) -> int:
        return person.since + int(self.rng.random() * (-person.since))

    def _accounts(self, person: Person) -> None:
        rng, shelf = self.rng, self.world.shelf
        rnd = rng.random
        current = self._account(
            person,
            AccountType.CURRENT,
            identity.card_number(rng, "621483", 19),
            "current",
            person.since,
        )
        current.product = shelf.code("DP-CUR")
        if person.activity == ACTIVITY_DORMANT:
            current.status = AccountStatus.DORMANT
        if rnd() < 0.12:
            # A second debit card, opened for a mortgage or a salary, mostly idle.
            second = self._account(
                person,
                AccountType.CURRENT,
                identity.card_number(rng, "621485", 19),
                "current2",
                self._opened(person),
            )
            second.product = current.product
            second.status = AccountStatus.DORMANT if rnd() < 0.6 else AccountStatus.ACTIVE
        mix = person.mix
        if "time" in mix:
            for _ in range(1 + int(rnd() * rnd() * 3.5)):
                self._account(
                    person,
                    AccountType.TIME_DEPOSIT,
                    identity.card_number(rng, "6214830", 19),
                    "time",
                    0,  # set with the product, by the ledger
                )
        if "wealth" in mix or "bond" in mix or "metal" in mix:
            self._account(
                person,
                AccountType.WEALTH,
                identity.card_number(rng, "880201", 18),
                "wealth",
                self._opened(person),
            )
        if "fund" in mix:
            self._account(
                person,
                AccountType.FUND,
                identity.card_number(rng, "880306", 18),
                "fund",
                self._opened(person),
            )
        if "insurance" in mix:
            for _ in range(1 + int(rnd() < 0.3)):
                self._account(
                    person,
                    AccountType.INSURANCE,
                    identity.card_number(rng, "8866", 19),
                    "insurance",
                    self._opened(person),
                )
        if person.age >= 18:
            self._loans(person, current)
            self._card(person, current)

    def _loans(self, person: Person, current: AccountPlan) -> None:
        rng, shelf = self.rng, self.world.shelf
        rnd = rng.random
        age, occupation = person.age, person.occupation or ""
        wanted: list[str] = []
        if 27 <= age <= 60 and rnd() < 0.18:
            wanted.append("LN-MORT" if rnd() < 0.8 else "LN-MORT-C")
        if 22 <= age <= 55 and rnd() < 0.04:
            wanted.append("LN-CONS")
        if occupation in ("个体工商户", "私营企业主") and rnd() < 0.35:
            wanted.append("LN-BIZ")
        for code in wanted:
            product = shelf.code(code)
            if product.kind == "mortgage":
                principal = math.exp(normal(rng, math.log(120 * WAN), 0.55))
                total_months = 360 if rnd() < 0.7 else 240
                left = max(12, int(total_months * (0.3 + 0.7 * rnd())))
            elif product.kind == "consumer":
                principal = rng.uniform(3 * WAN, 30 * WAN)
                total_months = 36
                left = max(2, int(total_months * rnd()))
            else:
                principal = math.exp(normal(rng, math.log(80 * WAN), 0.6))
                total_months = 24 if rnd() < 0.5 else 36
                left = max(1, int(total_months * rnd()))
            rate = float(product.yield_text or "0.03")
            monthly_rate = rate / 12
            payment = principal * monthly_rate / (1 - (1 + monthly_rate) ** -total_months)
            outstanding = payment * (1 - (1 + monthly_rate) ** -left) / monthly_rate
            opened = self.days.add_months(0, -(total_months - left)) - int(rnd() * 28)
            loan = self._account(
                person,
                AccountType.LOAN,
                identity.card_number(rng, "9550", 19),
                None,
                max(opened, person.since),
            )
            loan.product = product
            loan.rate = product.yield_text
            loan.outstanding = round(outstanding)
            loan.balance = loan.outstanding
            loan.payment = round(payment)
            loan.maturity = self.days.add_months(0, left) + int(rnd() * 28)
            loan.repay_from = current.id
            due_day = 1 + int(rnd() * 28)
            loan.next_payment, loan.dpd = self._next_due(due_day)

    def _next_due(self, day_of_month: int) -> tuple[int, int]:
        """The next monthly due day from today, or a missed one (1.5 % of loans are past due)."""
        days = self.days
        start = days.month_start(0)
        due = start + day_of_month - 1
        if due < 0:
            due = days.add_months(start, 1) + day_of_month - 1
        if self.rng.random() < 0.015:
            missed = days.add_months(start, -1) + day_of_month - 1
            if missed < 0:
                return missed, -missed
        return due, 0

    def _card(self, person: Person, current: AccountPlan) -> None:
        rng, shelf = self.rng, self.world.shelf
        rnd = rng.random
        wealth = person.wealth
        band = 0 if wealth < 5 * WAN else 1 if wealth < 50 * WAN else 2
        if not 20 <= person.age <= 72 or rnd() > (0.35, 0.5, 0.65)[band]:
            return
        low, high = ((1, 5), (3, 10), (10, 50))[band]
        limit = round(rng.uniform(low, high)) * WAN
        card = self._account(
            person,
            AccountType.CREDIT_CARD,
            identity.card_number(rng, ("622588", "625965", "628288")[band], 16),
            None,
            self._opened(person),
        )
        card.product = shelf.code(_CARD_PRODUCTS[band])
        card.limit = limit
        used = round(limit * rnd() * rnd() * 0.8 / 100) * 100
        card.balance = used
        card.available = limit - used
        card.payment = used
        card.repay_from = current.id
        card.next_payment, card.dpd = self._next_due(1 + int(rnd() * 28))
        if used == 0:
            card.dpd = 0

    # --- units ----------------------------------------------------------------------------------

    def referrer(self, person: Person) -> list[dict[str, Any]]:
        """Sometimes an earlier customer of the same book referred this one."""
        rng = self.rng
        if person.seq == self.rm.first_seq or rng.random() > 0.05:
            return []
        earlier = self.rm.first_seq + int(rng.random() * (person.seq - self.rm.first_seq))
        referrer_id = self.world.org.customer_id(earlier)
        return [
            _relationship(
                f"r-{person.num}-9",
                referrer_id,
                person.id,
                None,
                RelationshipKind.REFERRER,
                "rm" if rng.random() < 0.5 else "crm",
                proposed=rng.random() < 0.3,
            )
        ]

    def household_unit(self, first_seq: int, size: int) -> UnitPlan:
        rng = self.rng
        rnd = rng.random
        head_age = max(28, min(75, round(normal(rng, 46.0, 10.0))))
        head_female = rnd() < 0.35
        home = identity.address(rng)
        head = self.person(first_seq, age=head_age, female=head_female, home=home)
        members: list[tuple[Person, HouseholdRole]] = [(head, HouseholdRole.HEAD)]
        seq = first_seq + 1
        roles: list[HouseholdRole] = []
        if size == 2:
            draw = rnd()
            roles = [
                HouseholdRole.SPOUSE
                if draw < 0.7
                else HouseholdRole.CHILD
                if draw < 0.9
                else HouseholdRole.PARENT
            ]
        elif size == 3:
            roles = [
                HouseholdRole.SPOUSE,
                HouseholdRole.CHILD if rnd() < 0.8 else HouseholdRole.PARENT,
            ]
        else:
            roles = [HouseholdRole.SPOUSE, HouseholdRole.CHILD]
            roles.append(HouseholdRole.CHILD if rnd() < 0.6 else HouseholdRole.PARENT)
        father_surname = head.surname
        for role in roles:
            if role is HouseholdRole.SPOUSE:
                age = max(22, head_age + round(normal(rng, -1.5, 3.5)))
                spouse = self.person(seq, age=age, female=not head_female, home=home)
                if head_female:
                    father_surname = spouse.surname
                members.append((spouse, role))
            elif role is HouseholdRole.CHILD:
                oldest = head_age - 22
                age = max(0, min(oldest, int(rnd() * (oldest + 1))))
                child = self.person(
                    seq,
                    age=age,
                    surname=father_surname,
                    home=home,
                    occupation="学生" if age < 22 else None,
                )
                members.append((child, role))
            else:
                age = min(95, head_age + 24 + int(rnd() * 10))
                female = rnd() < 0.55
                parent = self.person(
                    seq,
                    age=age,
                    female=female,
                    surname=None if female else head.surname,
                    home=home,
                )
                members.append((parent, role))
            seq += 1
        household_id = f"hh-{head.num}"
        for person, role in members:
            person.household_id = household_id
            person.household_role = role
        household = {
            "id": household_id,
            "name": f"{head.surname}家",
            "head_customer_id": head.id,
            "members": [
                {"customer_id": person.id, "role": role.value, "is_minor": person.is_minor}
                for person, role in members
            ],
        }
        relationships: list[dict[str, Any]] = []
        for n, (person, role) in enumerate(members[1:], start=1):
            # "from is <kind> of to": the head is the spouse / parent / child of the member.
            kind = {
                HouseholdRole.SPOUSE: RelationshipKind.SPOUSE,
                HouseholdRole.CHILD: RelationshipKind.PARENT,
                HouseholdRole.PARENT: RelationshipKind.CHILD,
            }.get(role, RelationshipKind.OTHER)
            relationships.append(
                _relationship(
                    f"r-{head.num}-{n}", head.id, person.id, None, kind, "household_registry"
                )
            )
        relationships.extend(self.referrer(head))
        return UnitPlan([p for p, _ in members], household, relationships)

    def company_unit(self, first_seq: int) -> UnitPlan:
        rng = self.rng
        rnd = rng.random
        owner = self.person(
            first_seq,
            age=max(30, min(68, round(normal(rng, 47.0, 8.0)))),
            occupation="私营企业主",
        )
        company = self.world.names.company(rng)
        seq = first_seq + 1
        cid = self.world.org.customer_id(seq)
        code = identity.uscc(rng, pick(rng, identity.BEIJING_REGIONS))
        since = -int(rnd() * 15 * 365) - 30
        wealth = round(min(math.exp(normal(rng, 13.4, 1.3)), 1.5e8) * 100)
        office = identity.address(rng, local_share=0.97)
        corp = Person(
            seq=seq,
            id=cid,
            num=cid[2:],
            rm=self.rm,
            name=company.name,
            surname="",
            corporate=True,
            female=False,
            birth=None,
            age=40,
            id_type=IdType.USCC,
            id_no=code,
            id_expiry=None,
            mobile=identity.mobile(rng),  # the company's finance contact
            address=office,
            address_summary=office.summary,
            occupation=None,
            employer=None,
            salary=0,
            pay_day=10,
            wealth=wealth,
            mix={
                "current": 2.0 + rnd(),
                **({"time": 1.5} if rnd() < 0.5 else {}),
                **({"wealth": 1.0} if rnd() < 0.3 else {}),
            },
            risk=2 + int(rnd() * 3),
            assessed=-int(rnd() * 365) if rnd() < 0.92 else -400 - int(rnd() * 300),
            risk_is_lowest=False,
            professional=False,
            since=since,
            activity=ACTIVITY_HIGH if rnd() < 0.6 else ACTIVITY_MID,
            story=STORY_BIG_OUT if rnd() < 0.03 else STORY_NONE,
            dnd=False,
            company=company,
            uscc=code,
            size=pick(rng, _CORP_SIZES),
        )
        corp.credit_line = round(rng.uniform(100, 3000)) * WAN if rnd() < 0.6 else None
        corp.credit_line_expiry = int(rnd() * 400) - 20 if corp.credit_line is not None else None
        self._corporate_accounts(corp)
        relationships = [
            _relationship(
                f"r-{owner.num}-1",
                owner.id,
                corp.id,
                company.name,
                RelationshipKind.LEGAL_REPRESENTATIVE,
                "business_registry",
            )
        ]
        if rnd() < 0.5:
            relationships.append(
                _relationship(
                    f"r-{owner.num}-2",
                    owner.id,
                    corp.id,
                    company.name,
                    RelationshipKind.CONTROLLER,
                    "business_registry",
                )
            )
        if rnd() < 0.3:
            other = self.world.names.company(rng)
            relationships.append(
                _relationship(
                    f"r-{owner.num}-3",
                    owner.id,
                    None,
                    other.name,
                    RelationshipKind.LEGAL_REPRESENTATIVE,
                    "business_registry",
                )
            )
        return UnitPlan([owner, corp], None, relationships)

    def _corporate_accounts(self, corp: Person) -> None:
        rng, shelf = self.rng, self.world.shelf
        rnd = rng.random
        current = self._account(
            corp, AccountType.CURRENT, identity.card_number(rng, "1109", 18), "current", corp.since
        )
        current.product = shelf.code("DC-CUR")
        if "time" in corp.mix:
            self._account(
                corp, AccountType.TIME_DEPOSIT, identity.card_number(rng, "1109", 18), "time", 0
            )
        if "wealth" in corp.mix:
            self._account(
                corp,
                AccountType.WEALTH,
                identity.card_number(rng, "880209", 18),
                "wealth",
                self._opened(corp),
            )
        if corp.credit_line is not None and rnd() < 0.75:
            product = shelf.code("LN-CORP")
            loan = self._account(
                corp, AccountType.LOAN, identity.card_number(rng, "9551", 19), None, 0
            )
            principal = min(corp.credit_line, round(corp.credit_line * (0.2 + 0.6 * rnd())))
            loan.product = product
            loan.rate = product.yield_text
            loan.maturity = 1 + int(rnd() * 365)
            loan.opened = max(corp.since, loan.maturity - 365)
            loan.outstanding = principal
            loan.balance = principal
            # Working-capital loans pay interest monthly and the principal at maturity.
            loan.payment = round(principal * float(product.yield_text or "0.033") / 12)
            loan.repay_from = current.id
            loan.next_payment, loan.dpd = self._next_due(20)


def _relationship(
    rid: str,
    from_id: str,
    to_id: str | None,
    company: str | None,
    kind: RelationshipKind,
    source: str,
    *,
    proposed: bool = False,
) -> dict[str, Any]:
    status = RelationshipStatus.PROPOSED if proposed else RelationshipStatus.VERIFIED
    return {
        "id": rid,
        "from_customer_id": from_id,
        "to_customer_id": to_id,
        "to_company_name": company,
        "kind": kind.value,
        "status": status.value,
        "source": source,
    }
