"""The RM's side of a customer: visits of the last six months, tasks, opportunities.

Visits follow a contact cadence set by the tier and by how diligent the RM is, so some customers
fall behind it (rule A11). A visit that ends in a follow-up leaves a manual task; team leads
assign a few tasks; workflows (KYC review, post-loan checks) add others. Task statuses follow
their due dates: long-past ones are mostly done, recent ones open, some overdue. Opportunities
cover every stage of the funnel; each stores the suitability check it passed or failed
(DOMAIN.md, 适当性).
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from typing import Any

from crm_server.synth.alerts import SLA_HOURS
from crm_server.synth.days import DAY_S, HOUR_S, NOW_S, Days
from crm_server.synth.ledger import TIER_RANK, Ledger
from crm_server.synth.names import pick
from crm_server.synth.people import WAN, Person
from crm_server.synth.products import ProductInfo
from crm_server.synth.world import World, choose
from rm_desk.domain.enums import (
    AccountType,
    Entity,
    OpportunityStage,
    ProductCategory,
    TaskKind,
    TaskPriority,
    TaskStatus,
    Tier,
    VisitChannel,
    VisitOutcome,
    VisitPurpose,
)
from rm_desk.domain.masking import contains_unmasked

VISIT_DAYS = 182
"""Visits are kept for the last six months."""

CADENCE: dict[Tier, float] = {
    Tier.STANDARD: 400.0,
    Tier.GOLD: 80.0,
    Tier.PLATINUM: 48.0,
    Tier.DIAMOND: 26.0,
    Tier.PRIVATE: 20.0,
}
"""Days between contacts an RM aims for, by tier (before the RM's own diligence)."""
_PLATINUM = TIER_RANK[Tier.PLATINUM]

_CHANNELS_MASS = (
    (VisitChannel.PHONE, 0.45),
    (VisitChannel.WECHAT, 0.3),
    (VisitChannel.BRANCH, 0.2),
    (VisitChannel.ONSITE, 0.03),
    (VisitChannel.VIDEO, 0.02),
)
_CHANNELS_VIP = (
    (VisitChannel.PHONE, 0.25),
    (VisitChannel.WECHAT, 0.25),
    (VisitChannel.BRANCH, 0.25),
    (VisitChannel.ONSITE, 0.15),
    (VisitChannel.EVENT, 0.05),
    (VisitChannel.VIDEO, 0.05),
)
_CHANNELS_CORP = ((VisitChannel.ONSITE, 0.5), (VisitChannel.PHONE, 0.3), (VisitChannel.BRANCH, 0.2))
_MINUTES = {
    VisitChannel.PHONE: (5, 20), VisitChannel.WECHAT: (10, 50), VisitChannel.BRANCH: (30, 90),
    VisitChannel.ONSITE: (60, 150), VisitChannel.EVENT: (90, 180), VisitChannel.VIDEO: (20, 45),
}  # fmt: skip

PURPOSE_NAMES = {
    VisitPurpose.RENEWAL: "到期续作", VisitPurpose.PORTFOLIO_REVIEW: "资产检视",
    VisitPurpose.CARE: "客户关怀", VisitPurpose.PRODUCT_PITCH: "产品推荐",
    VisitPurpose.COMPLAINT: "投诉处理", VisitPurpose.POST_LOAN_CHECK: "贷后检查",
    VisitPurpose.CREDIT_RENEWAL: "授信续作",
}  # fmt: skip
_NOTES = {
    VisitPurpose.RENEWAL: (
        "客户定期存款即将到期，介绍了同期限大额存单及稳健型理财，客户倾向继续配置低风险产品。",
        "理财产品即将到期，客户希望保持流动性，建议部分转入现金管理类产品。",
        "与客户确认到期资金安排，客户计划部分用于家庭消费，其余续作。",
    ),
    VisitPurpose.PORTFOLIO_REVIEW: (
        "与客户一起检视资产配置，权益类占比偏高，建议适当增配固收类产品，客户表示会考虑。",
        "季度资产检视，整体收益符合预期，客户希望增加养老规划相关配置。",
        "客户关注近期市场波动，解释了持仓基金的风格与回撤情况，客户暂不调整。",
    ),
    VisitPurpose.CARE: (
        "节日电话问候，客户近况良好，近期关注子女升学。",
        "客户身体康复中，表达关心，约定下月再联系。",
        "邀请客户参加网点健康讲座，客户表示有兴趣。",
    ),
    VisitPurpose.PRODUCT_PITCH: (
        "推荐新发行的固收增强理财，客户对收益率较满意，需与家人商量后答复。",
        "介绍增额终身寿险的养老规划功能，客户希望看具体的利益演示。",
        "推荐储蓄国债，客户有兴趣，提醒发行日需提前准备资金。",
    ),
    VisitPurpose.COMPLAINT: (
        "客户反映手机银行转账限额问题，已协助调整并致歉，客户表示理解。",
        "客户对理财收益波动不满，解释了产品净值化特点，并承诺定期同步产品信息。",
    ),
    VisitPurpose.POST_LOAN_CHECK: (
        "贷后回访，经营情况正常，还款资金来源稳定。",
        "贷后检查，核实贷款用途与合同一致，未发现异常。",
    ),
    VisitPurpose.CREDIT_RENEWAL: (
        "授信即将到期，已收集年度财务报表，启动续作流程。",
        "与企业财务负责人沟通授信续作，企业计划扩大采购规模，需求额度上调。",
    ),
}
_NEXT_STEPS = (
    "三天内电话回访确认意向", "下周发送产品说明书", "约客户到网点面谈", "一个月后再次资产检视",
    "协助客户预约风险测评", "准备续作所需资料",
)  # fmt: skip
_LOCATIONS = ("客户家中", "客户公司", "客户指定茶室", "客户小区会所")
_COMPLETION_NOTES = (
    "已电话联系客户，客户确认后续安排。", "已与客户面谈，完成资产配置检视。",
    "客户暂无需求，已记录，三个月后再跟进。", "已提醒客户，客户已处理。",
    "已按要求完成并在系统中留痕。", "客户已到网点办理完毕。",
)  # fmt: skip
_LOST_REASONS = (
    "客户选择他行产品",
    "收益率不满足客户预期",
    "客户资金另有安排",
    "风险等级不匹配",
    "客户暂缓决策",
)
_ASSIGNED = (
    ("季度资产检视：请与客户沟通资产配置", TaskPriority.NORMAL),
    ("请核实客户近期资金变动情况", TaskPriority.HIGH),
    ("年度回访：请安排面谈", TaskPriority.NORMAL),
    ("协助客户完成风险测评更新", TaskPriority.NORMAL),
    ("年终理财新品推荐：请联系客户", TaskPriority.LOW),
)
_WORKFLOWS = (
    ("客户信息定期复核（KYC）", TaskPriority.NORMAL),
    ("贷后检查：完成本季度回访记录", TaskPriority.NORMAL),
)


@dataclass(slots=True)
class TaskPlan:
    id: str
    title: str
    kind: TaskKind
    customer_id: str | None
    priority: TaskPriority
    status: TaskStatus
    created: int
    due: int
    assignee: str
    assigner: str | None = None
    related_entity: Entity | None = None
    related_id: str | None = None
    sla_due: int | None = None
    escalation: int = 0
    source_rule: str | None = None
    note: str | None = None
    completed: int | None = None


@dataclass(slots=True)
class VisitPlan:
    id: str
    customer_ids: list[str]
    channel: VisitChannel
    purpose: VisitPurpose
    start: int
    end: int
    created: int
    outcome: VisitOutcome
    notes: str
    next_steps: str | None
    location: str | None
    linked_tasks: list[str] = field(default_factory=list)
    linked_opportunities: list[str] = field(default_factory=list)


@dataclass(slots=True)
class OpportunityPlan:
    id: str
    customer_id: str | None
    product: ProductInfo | None
    category: ProductCategory
    amount: int
    stage: OpportunityStage
    expected_close: int
    source: str
    snapshot: dict[str, Any] | None
    lost_reason: str | None
    created: int
    lead_stub: str | None = None


_OUTCOMES = ((VisitOutcome.POSITIVE, 0.4), (VisitOutcome.NEUTRAL, 0.3),
             (VisitOutcome.FOLLOW_UP, 0.22), (VisitOutcome.NEGATIVE, 0.08))  # fmt: skip
_SOURCES = (("manual", 0.35), ("visit", 0.2), ("campaign", 0.2), ("referral", 0.07),
            ("maturity", 0.18))  # fmt: skip
_STAGES = (
    (OpportunityStage.LEAD, 0.22), (OpportunityStage.CONTACTED, 0.18),
    (OpportunityStage.NEEDS_CONFIRMED, 0.14), (OpportunityStage.RECOMMENDED, 0.12),
    (OpportunityStage.CLOSING, 0.08), (OpportunityStage.WON, 0.16), (OpportunityStage.LOST, 0.10),
)  # fmt: skip


_CLOSED_ONLY_IF_SUITABLE = (OpportunityStage.CLOSING, OpportunityStage.WON)


def client_uuid(rng: random.Random) -> str:
    """A UUID4 as a client would make it, drawn from ``rng`` (so it is reproducible).

    A UUID whose digits happen to read as a phone number is drawn again, so that no id trips a
    leak scanner.
    """
    while True:
        text = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        if not contains_unmasked(text):
            return text


_STATUS_LONG_PAST = ((TaskStatus.COMPLETED, 0.8), (TaskStatus.CANCELLED, 0.06),
                     (TaskStatus.IN_PROGRESS, 0.06), (TaskStatus.NOT_STARTED, 0.08))  # fmt: skip
_STATUS_PAST = ((TaskStatus.COMPLETED, 0.55), (TaskStatus.IN_PROGRESS, 0.2),
                (TaskStatus.NOT_STARTED, 0.25))  # fmt: skip
_STATUS_FUTURE = ((TaskStatus.COMPLETED, 0.2), (TaskStatus.IN_PROGRESS, 0.25),
                  (TaskStatus.NOT_STARTED, 0.55))  # fmt: skip


def task_status(rng: random.Random, created: int, due: int) -> tuple[TaskStatus, int | None]:
    """A plausible status for a task with these dates, and when it was completed.

    Long overdue tasks are mostly done, some cancelled, a few still open; recently due ones about
    half done; future ones mostly open. A task created moments ago cannot be done yet.
    """
    table = (
        _STATUS_LONG_PAST if due < NOW_S - 7 * DAY_S else _STATUS_PAST if due < NOW_S
        else _STATUS_FUTURE
    )  # fmt: skip
    status = choose(rng.random(), table)
    latest = min(due + DAY_S, NOW_S - 600)
    if status is not TaskStatus.COMPLETED:
        return status, None
    if latest <= created + 600:
        return TaskStatus.IN_PROGRESS, None
    return status, created + 600 + int(rng.random() * (latest - created - 600))


def sla_for(priority: TaskPriority, created: int) -> int:
    """When a task of ``priority`` created at ``created`` runs out of its SLA (rule A12)."""
    return created + SLA_HOURS[priority] * HOUR_S


def escalation(status: TaskStatus, sla_due: int | None) -> int:
    """0, or 1 once an open task passed its SLA (escalated to the team lead), 2 three days on."""
    if sla_due is None or not status.is_open or sla_due > NOW_S:
        return 0
    return 1 if sla_due + 3 * DAY_S > NOW_S else 2


class RmWork:
    """Plans the visits, tasks and opportunities of one customer at a time."""

    def __init__(self, world: World, rng: random.Random) -> None:
        self.world = world
        self.days: Days = world.days
        self.rng = rng

    # --- visits ---------------------------------------------------------------------------------

    def visits(
        self, person: Person, ledger: Ledger, companions: list[str]
    ) -> tuple[list[VisitPlan], list[TaskPlan], int | None]:
        """Visits of the last six months, their follow-up tasks, and the last contact day."""
        rng, days = self.rng, self.days
        rnd = rng.random
        if person.is_minor:
            return [], [], None
        cadence = 60.0 if person.corporate else CADENCE[ledger.tier]
        cadence = cadence / person.rm.diligence * (0.7 + 0.6 * rnd())
        day = -1 - int(rnd() * 1.3 * cadence)
        if day < person.since:
            return [], [], None
        last_contact = day
        visit_days: list[int] = []
        while day >= -VISIT_DAYS and day >= person.since:
            visit_days.append(day)
            day -= max(3, int(cadence * (0.6 + 0.8 * rnd())))
        vip = ledger.rank >= _PLATINUM
        table = _CHANNELS_CORP if person.corporate else _CHANNELS_VIP if vip else _CHANNELS_MASS
        purposes = self._purposes(person)
        plans: list[VisitPlan] = []
        tasks: list[TaskPlan] = []
        for n, vday in enumerate(visit_days):
            channel = choose(rnd(), table)
            face_to_face = channel in (VisitChannel.BRANCH, VisitChannel.ONSITE, VisitChannel.EVENT)
            if face_to_face and not days.is_business(vday) and channel is not VisitChannel.EVENT:
                channel = VisitChannel.PHONE
                face_to_face = False
            purpose = purposes[int(rnd() * len(purposes))]
            if rnd() < 0.03 and not person.corporate:
                purpose = VisitPurpose.COMPLAINT
            low, high = _MINUTES[channel]
            start = vday * DAY_S + (9 * HOUR_S + int(rnd() * 9 * HOUR_S))
            end = start + (low + int(rnd() * (high - low))) * 60
            created = min(end + 300 + int(rnd() * 3 * HOUR_S), NOW_S - 60)
            outcome = choose(rnd(), _OUTCOMES)
            if channel is VisitChannel.ONSITE:
                location: str | None = _LOCATIONS[1 if person.corporate else int(rnd() * 4)]
            elif channel is VisitChannel.BRANCH:
                location = f"{person.rm.branch.name.removeprefix('北京分行')}贵宾室"
            elif channel is VisitChannel.EVENT:
                location = f"{person.rm.branch.name.removeprefix('北京分行')}客户沙龙"
            else:
                location = None
            ids = [person.id]
            if companions and face_to_face and rnd() < 0.3:
                ids.append(companions[0])
            visit = VisitPlan(
                id=client_uuid(rng),
                customer_ids=ids,
                channel=channel,
                purpose=purpose,
                start=start,
                end=end,
                created=created,
                outcome=outcome,
                notes=pick(rng, _NOTES[purpose]),
                next_steps=pick(rng, _NEXT_STEPS) if outcome is VisitOutcome.FOLLOW_UP else None,
                location=location,
            )
            if outcome is VisitOutcome.FOLLOW_UP:
                due = (vday + 3) * DAY_S + 18 * HOUR_S
                status, done = task_status(rng, created, due)
                task = TaskPlan(
                    id=f"k-{person.num}-v{n}",
                    title=f"跟进：{PURPOSE_NAMES[purpose]}",
                    kind=TaskKind.MANUAL,
                    customer_id=person.id,
                    priority=TaskPriority.NORMAL,
                    status=status,
                    created=created,
                    due=due,
                    assignee=person.rm.id,
                    related_entity=Entity.VISIT,
                    related_id=visit.id,
                    note=pick(rng, _COMPLETION_NOTES) if done is not None else None,
                    completed=done,
                )
                visit.linked_tasks.append(task.id)
                tasks.append(task)
            plans.append(visit)
        return plans, tasks, last_contact

    def _purposes(self, person: Person) -> list[VisitPurpose]:
        if person.corporate:
            return [
                VisitPurpose.CREDIT_RENEWAL,
                VisitPurpose.POST_LOAN_CHECK,
                VisitPurpose.PRODUCT_PITCH,
                VisitPurpose.CARE,
            ]
        purposes = [
            VisitPurpose.CARE,
            VisitPurpose.CARE,
            VisitPurpose.PORTFOLIO_REVIEW,
            VisitPurpose.PRODUCT_PITCH,
        ]
        types = {a.type for a in person.accounts}
        if AccountType.TIME_DEPOSIT in types or AccountType.WEALTH in types:
            purposes += [VisitPurpose.RENEWAL, VisitPurpose.RENEWAL]
        if AccountType.LOAN in types:
            purposes.append(VisitPurpose.POST_LOAN_CHECK)
        return purposes

    # --- tasks ----------------------------------------------------------------------------------

    def other_tasks(self, person: Person, ledger: Ledger, lead_id: str) -> list[TaskPlan]:
        """Tasks a team lead assigned and workflow tasks."""
        rng = self.rng
        rnd = rng.random
        tasks: list[TaskPlan] = []
        chance = 0.02 + (0.06 if ledger.rank >= _PLATINUM else 0.0)
        if not person.is_minor and rnd() < chance:
            title, priority = _ASSIGNED[int(rnd() * len(_ASSIGNED))]
            created = -int(rnd() * 60) * DAY_S + 9 * HOUR_S + int(rnd() * 8 * HOUR_S)
            tasks.append(
                self._task(
                    person,
                    "a",
                    title,
                    TaskKind.ASSIGNED,
                    priority,
                    created,
                    created + 7 * DAY_S,
                    lead_id,
                )
            )
        has_loan = any(a.type is AccountType.LOAN for a in person.accounts)
        if ((has_loan or person.corporate) and rnd() < 0.05) or rnd() < 0.006:
            title, priority = _WORKFLOWS[1 if has_loan and rnd() < 0.6 else 0]
            created = -int(rnd() * 45) * DAY_S + 2 * HOUR_S
            tasks.append(
                self._task(
                    person,
                    "w",
                    title,
                    TaskKind.WORKFLOW,
                    priority,
                    created,
                    created + 10 * DAY_S,
                    None,
                )
            )
        return tasks

    def _task(
        self,
        person: Person,
        tag: str,
        title: str,
        kind: TaskKind,
        priority: TaskPriority,
        created: int,
        due: int,
        assigner: str | None,
    ) -> TaskPlan:
        status, done = task_status(self.rng, created, due)
        sla_due = sla_for(priority, created)
        return TaskPlan(
            id=f"k-{person.num}-{tag}",
            title=title,
            kind=kind,
            customer_id=person.id,
            priority=priority,
            status=status,
            created=created,
            due=due,
            assignee=person.rm.id,
            assigner=assigner,
            sla_due=sla_due,
            escalation=escalation(status, sla_due),
            note=pick(self.rng, _COMPLETION_NOTES) if done is not None else None,
            completed=done,
        )

    # --- opportunities --------------------------------------------------------------------------

    def opportunities(
        self, person: Person, ledger: Ledger, visits: list[VisitPlan]
    ) -> list[OpportunityPlan]:
        """The customer's opportunities in every stage of the funnel."""
        rng = self.rng
        rnd = rng.random
        if person.is_minor:
            return []
        chance = (
            0.4
            if person.corporate
            else {
                Tier.STANDARD: 0.05,
                Tier.GOLD: 0.22,
                Tier.PLATINUM: 0.45,
                Tier.DIAMOND: 0.65,
                Tier.PRIVATE: 0.8,
            }[ledger.tier]
        )
        if rnd() > chance:
            return []
        count = 1 + int(ledger.rank >= _PLATINUM and rnd() < 0.3)
        plans: list[OpportunityPlan] = []
        for n in range(count):
            plans.append(self._opportunity(person, ledger, f"o-{person.num}-{n + 1}"))
        pitches = [v for v in visits if v.purpose is VisitPurpose.PRODUCT_PITCH]
        if pitches and plans:
            pitches[0].linked_opportunities.append(plans[0].id)
        return plans

    def _opportunity(self, person: Person, ledger: Ledger, oid: str) -> OpportunityPlan:
        rng = self.rng
        rnd = rng.random
        stage = choose(rnd(), _STAGES)
        settled = stage in (OpportunityStage.WON, OpportunityStage.LOST)
        product = self._product(person, ledger, strict=stage is not OpportunityStage.LEAD)
        if settled:
            created = -(10 + int(rnd() * 170)) * DAY_S + 10 * HOUR_S
            close = created // DAY_S + 5 + int(rnd() * 35)
            close = min(close, -1)
        else:
            created = -(1 + int(rnd() * 60)) * DAY_S + 10 * HOUR_S
            close = 3 + int(rnd() * 60) if rnd() > 0.1 else -int(rnd() * 10) - 1
        floor = product.min_fen or 0
        amount = max(floor, int(max(ledger.aum, 10 * WAN) * (0.05 + 0.35 * rnd())))
        amount = (amount + 99_999) // 100_000 * 100_000  # whole thousands of yuan
        source = choose(rnd(), _SOURCES)
        snapshot = suitability_snapshot(self.days, person, ledger, product, created // DAY_S)
        lost_reason = pick(rng, _LOST_REASONS) if stage is OpportunityStage.LOST else None
        if snapshot["result"] == "blocked" and stage in _CLOSED_ONLY_IF_SUITABLE:
            # Suitability is a hard filter: a sale it blocks cannot close.
            stage, lost_reason, close = OpportunityStage.LOST, "适当性校验未通过", min(close, -1)
        return OpportunityPlan(
            id=oid,
            customer_id=person.id,
            product=product,
            category=product.category,
            amount=amount,
            stage=stage,
            expected_close=close,
            source=source,
            snapshot=snapshot,
            lost_reason=lost_reason,
            created=created,
        )

    def _product(self, person: Person, ledger: Ledger, *, strict: bool) -> ProductInfo:
        rng, shelf = self.rng, self.world.shelf
        kinds: tuple[str, ...]
        if person.corporate:
            kinds = ("corp_cash", "corp_time")
        else:
            kinds = (
                "closed",
                "periodic",
                "cash",
                "fund",
                "insurance",
                "cd",
                "bond",
                "metal",
                "private_closed",
                "private_fund",
            )
        options = [
            p
            for kind in kinds
            for p in shelf.kind(kind)
            if p.on_sale and (p.qualified_only is False or ledger.qualified)
        ]
        level = person.risk or 1
        suitable = [p for p in options if p.risk <= level or person.professional]
        pool = suitable if strict or rng.random() < 0.93 else options
        return pool[int(rng.random() * len(pool))] if pool else options[0]

    def lead_stubs(self, rm_id: str, count: int) -> list[OpportunityPlan]:
        """Opportunities for prospects who are not customers yet (a lead stub, no customer)."""
        rng, shelf = self.rng, self.world.shelf
        rnd = rng.random
        names = self.world.names
        interests = ("子女教育金", "养老规划", "大额存单", "稳健理财", "家庭保障", "资产传承")
        sources = ("朋友介绍", "网点到访", "代发单位推荐", "社区活动", "老客户转介绍")
        plans = []
        on_sale = [
            p
            for p in shelf.products
            if p.on_sale
            and p.category.value in ("wealth", "deposit", "insurance")
            and not p.qualified_only
        ]
        for n in range(count):
            product = on_sale[int(rnd() * len(on_sale))]
            title = "女士" if rnd() < 0.55 else "先生"
            stub = f"{names.surname(rng)}{title}，{pick(rng, sources)}，关注{pick(rng, interests)}"
            created = -(1 + int(rnd() * 45)) * DAY_S + 11 * HOUR_S
            plans.append(
                OpportunityPlan(
                    id=f"o-{rm_id}-{n + 1:02d}",
                    customer_id=None,
                    product=product,
                    category=product.category,
                    amount=(5 + int(rnd() * 95)) * WAN,
                    stage=OpportunityStage.LEAD if rnd() < 0.7 else OpportunityStage.CONTACTED,
                    expected_close=10 + int(rnd() * 60),
                    source="referral" if "介绍" in stub or "推荐" in stub else "walk_in",
                    snapshot=None,
                    lost_reason=None,
                    created=created,
                    lead_stub=stub,
                )
            )
        return plans


def suitability_snapshot(
    days: Days, person: Person, ledger: Ledger, product: ProductInfo, check_day: int
) -> dict[str, Any]:
    """The suitability check of DOMAIN.md as of ``check_day``, as an opportunity stores it.

    Checks, in order (every failing one is listed in ``reasons``): never assessed; assessment
    older than 365 days; product above the customer's level (professional investors excepted);
    qualified-investor-only product for others. Flags, not blocking: age 65+, dual recording,
    first purchase of the category.
    """
    reasons: list[str] = []
    if person.risk is None or person.assessed is None:
        reasons.append("not_assessed")
    else:
        if check_day - person.assessed > 365:
            reasons.append("assessment_expired")
        if product.risk > person.risk and not person.professional:
            reasons.append("product_above_level")
    if product.qualified_only and not ledger.qualified:
        reasons.append("qualified_only")
    flags: list[str] = []
    if person.age >= 65 and not person.corporate:
        flags.append("age_65_plus")
    if product.dual:
        flags.append("dual_recording")
    held = {h.product.category for a in person.accounts for h in a.holdings}
    if product.category not in held and product.category is not ProductCategory.DEPOSIT:
        flags.append("first_purchase")
    return {
        "customer_level": None if person.risk is None else f"C{person.risk}",
        "product_level": product.risk_code,
        "assessed_on": None if person.assessed is None else days.iso(person.assessed),
        "checked_on": days.iso(check_day),
        "result": "blocked" if reasons else "suitable",
        "reasons": reasons,
        "flags": flags,
    }
