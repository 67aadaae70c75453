"""Named codes of the domain, as string enums.

Every value is a lowercase English code (or ``C1``…``R5`` where the bank's own code is that). The
codes are what the local store keeps and what travels on the wire (API.md); the UI translates them
for people. Comments give the Chinese term each code stands for.

:class:`Tier` and :class:`TaskPriority` are ordered: ``<`` and ``>`` between two members of the same
enum compare their rank, not their spelling, so ``sorted()`` and ``max()`` do the right thing.
Comparing such a member with a plain string or another enum raises :class:`TypeError` rather than
silently comparing spellings. Store queries must order by rank too, never by the stored text. Risk
levels compare through their numeric ``level``.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType


class _OrderedStrEnum(StrEnum):
    """A string enum whose members are ordered by definition order, not by spelling."""

    @property
    def rank(self) -> int:
        """Position in definition order, 0 for the lowest member."""
        return tuple(type(self)).index(self)

    def _other_rank(self, other: object) -> int:
        if isinstance(other, _OrderedStrEnum) and type(other) is type(self):
            return other.rank
        # Falling back to str ordering would compare spellings ("gold" < "diamond"): refuse.
        raise TypeError(f"cannot order {type(self).__name__} against {type(other).__name__}")

    def __lt__(self, other: object) -> bool:
        return self.rank < self._other_rank(other)

    def __le__(self, other: object) -> bool:
        return self.rank <= self._other_rank(other)

    def __gt__(self, other: object) -> bool:
        return self.rank > self._other_rank(other)

    def __ge__(self, other: object) -> bool:
        return self.rank >= self._other_rank(other)


# --- Customers ---------------------------------------------------------------------------------


class Tier(_OrderedStrEnum):
    """Customer tier (客户等级), lowest first."""

    STANDARD = "standard"  # 普通
    GOLD = "gold"  # 金卡
    PLATINUM = "platinum"  # 白金
    DIAMOND = "diamond"  # 钻石
    PRIVATE = "private"  # 私行


TIER_FLOORS: Mapping[Tier, Decimal] = MappingProxyType(
    {
        Tier.STANDARD: Decimal("0"),
        Tier.GOLD: Decimal("50000"),
        Tier.PLATINUM: Decimal("500000"),
        Tier.DIAMOND: Decimal("3000000"),
        Tier.PRIVATE: Decimal("6000000"),
    }
)
"""Monthly average AUM in yuan from which a tier applies (DOMAIN.md, tier floors)."""


def tier_for_aum(aum: Decimal) -> Tier:
    """Return the tier a monthly average AUM qualifies for.

    Checks, in order:

    1. a non-finite amount (NaN, infinity) is refused with :class:`ValueError`;
    2. the highest tier whose floor is at or below ``aum`` wins (a floor is inclusive: exactly
       50,000 yuan is gold);
    3. anything below the gold floor, negative amounts included, is standard.

    Args:
        aum: Monthly average AUM in yuan.

    Returns:
        The qualifying tier.

    Raises:
        ValueError: ``aum`` is NaN or infinite.
    """
    if not aum.is_finite():
        raise ValueError("AUM must be a finite amount")
    result = Tier.STANDARD
    for tier in Tier:
        if aum >= TIER_FLOORS[tier]:
            result = tier
    return result


def next_tier(tier: Tier) -> Tier | None:
    """Return the tier above ``tier``, or ``None`` for the top tier (private banking)."""
    members = tuple(Tier)
    index = members.index(tier)
    return members[index + 1] if index + 1 < len(members) else None


class _LevelledStrEnum(StrEnum):
    """A ``C1``…``C5`` / ``R1``…``R5`` code with its number."""

    @property
    def level(self) -> int:
        """The number of the level, 1 (lowest risk) to 5."""
        return int(self.value[1:])


class CustomerRiskLevel(_LevelledStrEnum):
    """Customer risk tolerance from the bank's assessment (风险承受能力), C1 lowest."""

    C1 = "C1"
    C2 = "C2"
    C3 = "C3"
    C4 = "C4"
    C5 = "C5"


class ProductRiskLevel(_LevelledStrEnum):
    """Product risk rating (产品风险等级), R1 lowest."""

    R1 = "R1"
    R2 = "R2"
    R3 = "R3"
    R4 = "R4"
    R5 = "R5"


class Gender(StrEnum):
    """Gender as recorded by the bank."""

    MALE = "male"
    FEMALE = "female"
    UNKNOWN = "unknown"


class IdType(StrEnum):
    """Kind of identity document."""

    RESIDENT_ID = "resident_id"  # 居民身份证
    PASSPORT = "passport"  # 护照
    HK_MACAU_PERMIT = "hk_macau_permit"  # 港澳居民来往内地通行证
    TAIWAN_PERMIT = "taiwan_permit"  # 台湾居民来往大陆通行证
    FOREIGN_PERMANENT = "foreign_permanent"  # 外国人永久居留身份证
    USCC = "uscc"  # 统一社会信用代码 (corporate customers)
    OTHER = "other"


class LifecycleStage(StrEnum):
    """Customer lifecycle stage."""

    PROSPECT = "prospect"
    NEW = "new"
    GROWING = "growing"
    MATURE = "mature"
    DECLINING = "declining"
    DORMANT = "dormant"
    LOST = "lost"


# --- Accounts, transactions, products ----------------------------------------------------------


class AccountType(StrEnum):
    """Kind of account."""

    CURRENT = "current"  # 活期
    TIME_DEPOSIT = "time_deposit"  # 定期
    WEALTH = "wealth"  # 理财
    FUND = "fund"  # 基金
    INSURANCE = "insurance"  # 保险
    LOAN = "loan"  # 贷款
    CREDIT_CARD = "credit_card"  # 信用卡


class AccountStatus(StrEnum):
    """Account status."""

    ACTIVE = "active"
    DORMANT = "dormant"
    FROZEN = "frozen"
    CLOSED = "closed"


class TxnDirection(StrEnum):
    """Direction of money in a transaction, seen from the customer's account."""

    IN = "in"
    OUT = "out"


class TxnType(StrEnum):
    """Kind of transaction."""

    TRANSFER = "transfer"  # 转账
    CASH = "cash"  # 现金
    SUBSCRIBE = "subscribe"  # 申购
    REDEEM = "redeem"  # 赎回
    MATURITY = "maturity"  # 到期
    REPAYMENT = "repayment"  # 还款


class Channel(StrEnum):
    """Channel a transaction went through."""

    COUNTER = "counter"  # 柜面
    MOBILE = "mobile"  # 手机银行
    ONLINE = "online"  # 网银
    ATM = "atm"
    OTHER = "other"


class ProductCategory(StrEnum):
    """Product category."""

    DEPOSIT = "deposit"  # 存款
    WEALTH = "wealth"  # 理财
    FUND = "fund"  # 基金
    INSURANCE = "insurance"  # 保险
    BOND = "bond"  # 国债
    PRECIOUS_METAL = "precious_metal"  # 贵金属
    LOAN = "loan"  # 贷款


# --- Visits, tasks, opportunities, alerts ------------------------------------------------------


class VisitChannel(StrEnum):
    """How a visit took place."""

    ONSITE = "onsite"  # 上门
    BRANCH = "branch"  # 到店
    PHONE = "phone"  # 电话
    WECHAT = "wechat"  # 微信
    VIDEO = "video"  # 视频
    EVENT = "event"  # 活动


class VisitPurpose(StrEnum):
    """Why a visit took place."""

    RENEWAL = "renewal"  # 到期续作
    PORTFOLIO_REVIEW = "portfolio_review"  # 资产检视
    CARE = "care"  # 关怀
    PRODUCT_PITCH = "product_pitch"  # 产品推荐
    COMPLAINT = "complaint"  # 投诉处理
    POST_LOAN_CHECK = "post_loan_check"  # 贷后检查
    CREDIT_RENEWAL = "credit_renewal"  # 授信续作


class VisitOutcome(StrEnum):
    """How a visit went."""

    POSITIVE = "positive"
    NEUTRAL = "neutral"
    NEGATIVE = "negative"
    FOLLOW_UP = "follow_up"


class TaskKind(StrEnum):
    """Where a task came from."""

    ALERT = "alert"
    MANUAL = "manual"
    ASSIGNED = "assigned"
    WORKFLOW = "workflow"


class TaskPriority(_OrderedStrEnum):
    """Task priority, lowest first; also the severity of an alert."""

    LOW = "low"  # 低
    NORMAL = "normal"  # 普通
    HIGH = "high"  # 高
    URGENT = "urgent"  # 紧急


AlertSeverity = TaskPriority
"""Alert severity uses the task priority codes (an alias, not a second enum)."""


class TaskStatus(StrEnum):
    """Task status."""

    NOT_STARTED = "not_started"  # 未开始
    IN_PROGRESS = "in_progress"  # 进行中
    COMPLETED = "completed"  # 已完成
    CANCELLED = "cancelled"  # 已取消

    @property
    def is_open(self) -> bool:
        """True while the task still needs work (not started or in progress)."""
        return self in (TaskStatus.NOT_STARTED, TaskStatus.IN_PROGRESS)


_TASK_STATUS_PRECEDENCE: Mapping[TaskStatus, int] = MappingProxyType(
    {
        TaskStatus.NOT_STARTED: 0,
        TaskStatus.IN_PROGRESS: 1,
        TaskStatus.COMPLETED: 2,
        TaskStatus.CANCELLED: 2,
    }
)


def task_status_precedence(status: TaskStatus) -> int:
    """Return the conflict precedence of a task status (higher wins).

    已完成 and 已取消 (2) > 进行中 (1) > 未开始 (0), as DOMAIN.md's conflict policies say.
    """
    return _TASK_STATUS_PRECEDENCE[status]


def task_status_winner(a: TaskStatus, b: TaskStatus) -> TaskStatus | None:
    """Resolve a same-field conflict on task status by precedence.

    Checks, in order:

    1. equal statuses: that status;
    2. different precedence: the status with the higher precedence;
    3. completed against cancelled (equal precedence, different meaning): ``None``, because the
       precedence table cannot decide; the caller puts the conflict in front of the user.

    The result does not depend on the order of the arguments.

    Args:
        a: One side's status (e.g. mine).
        b: The other side's status (e.g. the server's).

    Returns:
        The winning status, or ``None`` when the user must decide.
    """
    if a is b:
        return a
    rank_a, rank_b = task_status_precedence(a), task_status_precedence(b)
    if rank_a == rank_b:
        return None
    return a if rank_a > rank_b else b


class TaskBucket(StrEnum):
    """Where an open task falls in the Today queue; derived from its due time, never stored."""

    OVERDUE = "overdue"
    TODAY = "today"
    LATER = "later"


class OpportunityStage(StrEnum):
    """Sales stage of an opportunity, in funnel order; :attr:`probability` is its win chance."""

    LEAD = "lead"  # 线索
    CONTACTED = "contacted"  # 已接触
    NEEDS_CONFIRMED = "needs_confirmed"  # 需求确认
    RECOMMENDED = "recommended"  # 已推荐
    CLOSING = "closing"  # 待成交
    WON = "won"  # 成交
    LOST = "lost"  # 失败

    @property
    def probability(self) -> int:
        """Win probability in percent (DOMAIN.md: 10, 20, 35, 50, 80, 100, 0)."""
        return _STAGE_PROBABILITY[self]


_STAGE_PROBABILITY: Mapping[OpportunityStage, int] = MappingProxyType(
    {
        OpportunityStage.LEAD: 10,
        OpportunityStage.CONTACTED: 20,
        OpportunityStage.NEEDS_CONFIRMED: 35,
        OpportunityStage.RECOMMENDED: 50,
        OpportunityStage.CLOSING: 80,
        OpportunityStage.WON: 100,
        OpportunityStage.LOST: 0,
    }
)


class AlertStatus(StrEnum):
    """Disposition of an alert."""

    NEW = "new"
    ACKNOWLEDGED = "acknowledged"
    CONVERTED = "converted"
    DISMISSED = "dismissed"


_ALERT_STATUS_PRECEDENCE: Mapping[AlertStatus, int] = MappingProxyType(
    {
        AlertStatus.NEW: 0,
        AlertStatus.ACKNOWLEDGED: 1,
        AlertStatus.DISMISSED: 2,
        AlertStatus.CONVERTED: 3,
    }
)


def alert_status_precedence(status: AlertStatus) -> int:
    """Return the conflict precedence of an alert status (higher wins).

    converted (3) > dismissed (2) > acknowledged (1) > new (0), as DOMAIN.md's conflict policies
    say.
    """
    return _ALERT_STATUS_PRECEDENCE[status]


def alert_status_winner(a: AlertStatus, b: AlertStatus) -> AlertStatus:
    """Resolve a same-field conflict on alert status: the higher precedence wins.

    The order is total, so there is always a winner and it does not depend on argument order.
    """
    return a if alert_status_precedence(a) >= alert_status_precedence(b) else b


class AlertOrigin(StrEnum):
    """Who raised an alert: the server (canonical) or this client (provisional, offline rules)."""

    SERVER = "server"
    LOCAL = "local"


# --- Tags, households, relationships -----------------------------------------------------------


class TagCategory(StrEnum):
    """Category of a customer tag."""

    RFM = "rfm"
    LIFECYCLE = "lifecycle"
    PREFERENCE = "preference"
    RISK = "risk"
    VALUE = "value"
    MANUAL = "manual"


class TagSource(StrEnum):
    """Who set a customer tag: the bank's systems or the RM."""

    SYSTEM = "system"
    RM = "rm"


class HouseholdRole(StrEnum):
    """A member's role in a household."""

    HEAD = "head"  # 户主
    SPOUSE = "spouse"  # 配偶
    CHILD = "child"  # 子女
    PARENT = "parent"  # 父母
    OTHER = "other"


class RelationshipKind(StrEnum):
    """Kind of link from a customer to another customer or a company."""

    SPOUSE = "spouse"
    PARENT = "parent"
    CHILD = "child"
    LEGAL_REPRESENTATIVE = "legal_representative"  # 法定代表人
    CONTROLLER = "controller"  # 实际控制人
    REFERRER = "referrer"  # 推荐人
    OTHER = "other"


class RelationshipStatus(StrEnum):
    """Whether the bank verified a relationship or an RM only proposed it."""

    VERIFIED = "verified"
    PROPOSED = "proposed"


# --- Organisation and KPIs ---------------------------------------------------------------------


class Role(StrEnum):
    """Role of a user of the app."""

    RM = "rm"  # 客户经理
    TEAM_LEAD = "team_lead"  # 团队长


class KpiLevel(StrEnum):
    """Whose KPI a record is."""

    RM = "rm"
    TEAM = "team"
    BRANCH = "branch"


class KpiPeriod(StrEnum):
    """Period a KPI value covers."""

    DAY = "day"
    MONTH = "month"


class Sensitivity(StrEnum):
    """Data sensitivity class (PBOC JR/T 0171-2020), C3 most sensitive."""

    C1 = "C1"
    C2 = "C2"
    C3 = "C3"


# --- Sync --------------------------------------------------------------------------------------


class Entity(StrEnum):
    """The record kinds of the change feed (API.md section 2)."""

    CUSTOMER = "customer"
    HOUSEHOLD = "household"
    RELATIONSHIP = "relationship"
    ACCOUNT = "account"
    HOLDING = "holding"
    TRANSACTION = "transaction"
    PRODUCT = "product"
    VISIT = "visit"
    TASK = "task"
    OPPORTUNITY = "opportunity"
    ALERT = "alert"
    CUSTOMER_TAG = "customer_tag"
    EMPLOYEE = "employee"
    TEAM = "team"
    KPI = "kpi"
    RULE_CONFIG = "rule_config"


class OpKind(StrEnum):
    """Kind of a local mutation."""

    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"


class OpState(StrEnum):
    """State of a mutation in the outbox."""

    QUEUED = "queued"
    SENDING = "sending"
    APPLIED = "applied"
    CONFLICT = "conflict"
    REJECTED = "rejected"
    HELD = "held"


class ConflictKind(StrEnum):
    """Kind of a push conflict (API.md section 3)."""

    FIELDS = "fields"
    DELETED = "deleted"
    MODIFIED = "modified"


class SyncPhase(StrEnum):
    """What the sync engine is doing."""

    IDLE = "idle"
    PUSHING = "pushing"
    PULLING = "pulling"
    REPLACING = "replacing"
    OFFLINE = "offline"
    ERROR = "error"


__all__ = [
    "TIER_FLOORS",
    "AccountStatus",
    "AccountType",
    "AlertOrigin",
    "AlertSeverity",
    "AlertStatus",
    "Channel",
    "ConflictKind",
    "CustomerRiskLevel",
    "Entity",
    "Gender",
    "HouseholdRole",
    "IdType",
    "KpiLevel",
    "KpiPeriod",
    "LifecycleStage",
    "OpKind",
    "OpState",
    "OpportunityStage",
    "ProductCategory",
    "ProductRiskLevel",
    "RelationshipKind",
    "RelationshipStatus",
    "Role",
    "Sensitivity",
    "SyncPhase",
    "TagCategory",
    "TagSource",
    "TaskBucket",
    "TaskKind",
    "TaskPriority",
    "TaskStatus",
    "Tier",
    "TxnDirection",
    "TxnType",
    "VisitChannel",
    "VisitOutcome",
    "VisitPurpose",
    "alert_status_precedence",
    "alert_status_winner",
    "next_tier",
    "task_status_precedence",
    "task_status_winner",
    "tier_for_aum",
]
