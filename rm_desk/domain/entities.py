"""The records of DOMAIN.md as frozen, slotted dataclasses, with their JSON wire form.

Every record has ``id`` and ``rev`` (the server's revision; 0 for a record created here and not yet
applied). Types on the record and on the wire (API.md):

| Python | wire |
|---|---|
| :data:`Money` (``Decimal`` yuan) | decimal string with two decimals, ``"1250000.00"`` |
| other ``Decimal`` (rates as fractions, units, scores) | decimal string, ``"0.0325"`` |
| ``datetime.date`` | ISO date, ``"2025-03-31"`` |
| ``datetime.datetime`` (timezone-aware) | RFC 3339, written in UTC: ``"2025-03-31T08:00:00Z"`` |
| enum | its code, ``"gold"`` |
| ``tuple`` | JSON array |
| ``Mapping[str, Any]`` (deeply frozen) | JSON object |

Parsing is table-driven: each record class's fields and type hints give a list of field specs
(built once, at import), and one loop reads a wire object through them. ``Record.from_wire`` ignores
unknown keys (forward compatibility). A missing key, or ``null`` for a field whose type has no
``None`` but which has a default (the store keeps absent values as NULL), takes the field's default.
It refuses a missing required field, ``null`` for a required field, a value of the wrong JSON type
(a float where money or a decimal is expected included), an unknown enum code, money with fractions
of a fen, a timestamp without a time zone, and a C2 value that the server should have masked but did
not (the masked fields' types say which predicate of :mod:`rm_desk.domain.masking` applies).

Errors::

    ValueError
     └── InvalidRecord(entity, field, message)

An :class:`InvalidRecord` names the entity and the field (a path such as ``members[1].role``) and
says what is wrong in plain English. It never holds the offending value, because values can be
personal data, and it is raised with no chained exception that could hold it either. For the same
reason a record's ``repr`` shows its C2 fields as ``<C2>``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType, NoneType, UnionType
from typing import (
    Annotated,
    Any,
    ClassVar,
    Self,
    TypeAlias,
    Union,
    get_args,
    get_origin,
    get_type_hints,
)

from rm_desk.domain.enums import (
    AccountStatus,
    AccountType,
    AlertOrigin,
    AlertStatus,
    Channel,
    CustomerRiskLevel,
    Entity,
    Gender,
    HouseholdRole,
    IdType,
    KpiLevel,
    KpiPeriod,
    LifecycleStage,
    OpportunityStage,
    ProductCategory,
    ProductRiskLevel,
    RelationshipKind,
    RelationshipStatus,
    Role,
    TagCategory,
    TagSource,
    TaskKind,
    TaskPriority,
    TaskStatus,
    Tier,
    TxnDirection,
    TxnType,
    VisitChannel,
    VisitOutcome,
    VisitPurpose,
)
from rm_desk.domain.fields import C2_FIELDS
from rm_desk.domain.masking import (
    is_masked_account_number,
    is_masked_address,
    is_masked_id_number,
    is_masked_mobile,
    is_masked_text,
)
from rm_desk.domain.money import InvalidMoney, money_to_wire, parse_money


class InvalidRecord(ValueError):
    """A wire record that does not fit its entity's types.

    Attributes:
        title: Short heading for people.
        entity: The record kind (``"customer"``, ``"household_member"`` …).
        field: The offending field, as a path (``"aum_12m[3]"``, ``"members[0].role"``); empty
            when the record as a whole is wrong.
        message: What is wrong, in plain English, never including the value.
    """

    title = "Invalid record"

    def __init__(self, entity: str, field: str, message: str) -> None:
        super().__init__(entity, field, message)
        self.entity = entity
        self.field = field
        self.message = message

    def __str__(self) -> str:
        where = f"{self.entity}.{self.field}" if self.field else self.entity
        return f"{where}: {self.message}"


# --- Field types that carry a wire rule --------------------------------------------------------


class _MoneyMarker:
    """Marks a ``Decimal`` field as money: two decimals at most, exact."""

    def __repr__(self) -> str:
        return "money"


@dataclass(frozen=True, slots=True)
class _MaskedMarker:
    """Marks a string field that must arrive masked, with the predicate that checks it."""

    check: Callable[[str], bool]


Money: TypeAlias = Annotated[Decimal, _MoneyMarker()]
"""An amount of yuan (see :mod:`rm_desk.domain.money`)."""
MaskedMobile: TypeAlias = Annotated[str, _MaskedMarker(is_masked_mobile)]
MaskedIdNumber: TypeAlias = Annotated[str, _MaskedMarker(is_masked_id_number)]
MaskedAccountNumber: TypeAlias = Annotated[str, _MaskedMarker(is_masked_account_number)]
MaskedAddress: TypeAlias = Annotated[str, _MaskedMarker(is_masked_address)]
MaskedText: TypeAlias = Annotated[str, _MaskedMarker(is_masked_text)]


# --- The records -------------------------------------------------------------------------------


class Record:
    """Base of every record: wire parsing and writing, deep freezing, a repr without C2 data.

    Subclasses are ``@dataclass(frozen=True, slots=True, kw_only=True, repr=False)``: keyword-only
    because records have many fields, ``repr=False`` so that :meth:`__repr__` here, which hides C2
    fields, is not replaced by the generated one.
    """

    __slots__ = ()

    wire_name: ClassVar[str]
    """The record kind on the wire: an :class:`~rm_desk.domain.enums.Entity` code."""

    def __post_init__(self) -> None:
        # A Mapping field may have been given a dict; keep the record immutable all the way down.
        for name in _MAPPING_FIELDS[type(self)]:
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, _freeze(value))

    @classmethod
    def from_wire(cls, data: Mapping[str, Any]) -> Self:
        """Parse the JSON form of a record (a decoded JSON object).

        Args:
            data: The record's fields, including ``id`` and ``rev`` (a feed reader copies them in
                from the change envelope). Unknown keys are ignored.

        Returns:
            The record.

        Raises:
            InvalidRecord: a field is missing, ``null`` where not allowed, of the wrong type, an
                unknown code, or C2 data that is not masked.
        """
        problem: tuple[str, str] | None = None
        values: dict[str, Any] = {}
        wire: object = data  # typed as a Mapping, but it comes from decoded JSON
        if not isinstance(wire, Mapping):
            problem = ("", "expected a JSON object")
        else:
            for spec in _SPECS[cls]:
                if spec.name not in wire:
                    if spec.required:
                        problem = (spec.name, "is missing")
                        break
                    continue
                try:
                    values[spec.name] = spec.parse(wire[spec.name])
                except _BadValue as bad:
                    problem = (spec.name + bad.path, bad.message)
                    break
        if problem is not None:
            # Raised here, outside any except block, so no chained exception carries the value.
            raise InvalidRecord(cls.wire_name, *problem)
        return cls(**values)

    @classmethod
    def from_cache(cls, data: Mapping[str, Any]) -> Self:
        """Build a record from the local cache's copy of its wire form, without re-checking it.

        The cache only holds records that passed the ingest's checks (types, masking) or the
        write path's, so reading them back needs conversion only: this is several times faster
        than :meth:`from_wire`, which matters for the 360 view's thousands of transactions.
        A value missing where the field has no default still raises :class:`InvalidRecord`.
        """
        return _FROM_CACHE[cls](data)  # type: ignore[return-value]

    def to_wire(self) -> dict[str, Any]:
        """Write the record as its JSON form, the inverse of :meth:`from_wire`.

        Raises:
            InvalidRecord: a field holds what the wire cannot carry (a naive timestamp, money with
                fractions of a fen).
        """
        out: dict[str, Any] = {}
        problem: tuple[str, str] | None = None
        for spec in _SPECS[type(self)]:
            try:
                out[spec.name] = spec.dump(getattr(self, spec.name))
            except _BadValue as bad:
                problem = (spec.name + bad.path, bad.message)
                break
        if problem is not None:
            raise InvalidRecord(self.wire_name, *problem)
        return out

    def __repr__(self) -> str:
        hidden = _C2_BY_CLASS[type(self)]
        shown = ", ".join(
            f"{name}=<C2>" if name in hidden else f"{name}={getattr(self, name)!r}"
            for name in (spec.name for spec in _SPECS[type(self)])
        )
        return f"{type(self).__name__}({shown})"


def _empty_json_object() -> Mapping[str, Any]:
    return MappingProxyType({})


def _json_object() -> Any:
    # Mapping fields stay out of the hash (a MappingProxyType cannot be hashed) but not out of ==.
    return field(default_factory=_empty_json_object, hash=False)


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class Customer(Record):
    """A customer of the RM's book (retail, or corporate when ``is_corporate``).

    ``name`` is the full name as cached (C2; the views mask it where needed). ``aum_12m`` holds the
    monthly average AUM of the last 12 complete months, oldest first. ``contact_prefs`` and
    ``soft_profile`` are the only fields the RM edits; the keys of ``soft_profile`` are
    :data:`~rm_desk.domain.fields.SOFT_PROFILE_KEYS`. The corporate fields are ``None`` for retail
    customers.
    """

    wire_name: ClassVar[str] = Entity.CUSTOMER.value

    id: str
    rev: int
    name: str
    gender: Gender = Gender.UNKNOWN
    birth_date: dt.date | None = None
    id_type: IdType | None = None
    id_no_masked: MaskedIdNumber | None = None
    id_expiry: dt.date | None = None
    mobile_masked: MaskedMobile | None = None
    address_summary: MaskedAddress | None = None
    occupation: str | None = None
    tier: Tier
    tier_since: dt.date | None = None
    tier_watch: bool = False
    aum: Money
    aum_mtd_avg: Money
    aum_12m: tuple[Money, ...] = ()
    risk_level: CustomerRiskLevel | None = None  # None: never assessed
    risk_assessed_on: dt.date | None = None
    risk_is_lowest: bool = False
    is_qualified_investor: bool = False
    investor_class: str | None = None
    primary_rm_id: str
    branch_id: str
    household_id: str | None = None
    relationship_since: dt.date | None = None
    last_contact_at: dt.datetime | None = None
    next_review_at: dt.datetime | None = None
    lifecycle_stage: LifecycleStage
    rfm_r: int | None = None
    rfm_f: int | None = None
    rfm_m: int | None = None
    churn_score: Decimal | None = None  # 0 to 1
    contact_prefs: Mapping[str, Any] = _json_object()
    soft_profile: Mapping[str, Any] = _json_object()
    is_corporate: bool = False
    uscc: str | None = None
    industry: str | None = None
    size: str | None = None
    credit_line: Money | None = None
    credit_line_expiry: dt.date | None = None


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class HouseholdMember(Record):
    """One customer's place in a household (part of :class:`Household`, not a feed entity)."""

    wire_name: ClassVar[str] = "household_member"

    customer_id: str
    role: HouseholdRole
    is_minor: bool = False


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class Household(Record):
    """A household (家庭) and its members."""

    wire_name: ClassVar[str] = Entity.HOUSEHOLD.value

    id: str
    rev: int
    name: str | None = None
    head_customer_id: str | None = None
    members: tuple[HouseholdMember, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class Relationship(Record):
    """A link from a customer to another customer or to a company (by name).

    Bank-verified relationships are read-only; the RM may propose new ones.
    """

    wire_name: ClassVar[str] = Entity.RELATIONSHIP.value

    id: str
    rev: int
    from_customer_id: str
    to_customer_id: str | None = None
    to_company_name: str | None = None
    kind: RelationshipKind
    status: RelationshipStatus
    source: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class Account(Record):
    """An account of a customer; the type-specific fields are ``None`` where they do not apply."""

    wire_name: ClassVar[str] = Entity.ACCOUNT.value

    id: str
    rev: int
    customer_id: str
    type: AccountType
    number_masked: MaskedAccountNumber | None = None
    product_id: str | None = None
    currency: str = "CNY"
    status: AccountStatus
    balance: Money
    available: Money | None = None
    as_of: dt.date  # the business date the balances are of
    opened_on: dt.date | None = None
    # time deposits
    maturity_date: dt.date | None = None
    rate: Decimal | None = None  # annual, as a fraction: 0.0215 is 2.15 %
    # loans
    loan_outstanding: Money | None = None
    next_payment_date: dt.date | None = None
    next_payment_amount: Money | None = None
    days_past_due: int | None = None
    repayment_account_id: str | None = None
    # credit cards
    card_limit: Money | None = None


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class Holding(Record):
    """A position in a product held in an account."""

    wire_name: ClassVar[str] = Entity.HOLDING.value

    id: str
    rev: int
    account_id: str
    customer_id: str
    product_id: str
    units: Decimal
    cost: Money
    market_value: Money
    as_of: dt.date  # the business date the valuation is of
    maturity_or_next_open: dt.date | None = None
    product_risk_level: ProductRiskLevel | None = None


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class Transaction(Record):
    """A transaction on an account; ``amount`` is positive, ``direction`` says which way."""

    wire_name: ClassVar[str] = Entity.TRANSACTION.value

    id: str
    rev: int
    account_id: str
    customer_id: str  # the account's customer, so a customer's history needs no join
    ts: dt.datetime
    amount: Money
    direction: TxnDirection
    type: TxnType
    channel: Channel
    counterparty_masked: MaskedText | None = None
    other_bank: bool = False


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class Product(Record):
    """A product of the bank's shelf."""

    wire_name: ClassVar[str] = Entity.PRODUCT.value

    id: str
    rev: int
    code: str
    name: str
    category: ProductCategory
    risk_level: ProductRiskLevel
    term_days: int | None = None  # None for open-ended products
    min_amount: Money | None = None
    benchmark_yield: Decimal | None = None  # annual, as a fraction: 0.0325 is 3.25 %
    on_sale: bool
    requires_dual_recording: bool = False
    qualified_investor_only: bool = False


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class Visit(Record):
    """A visit record (拜访记录), created by the RM, offline too, with a client-generated UUID."""

    wire_name: ClassVar[str] = Entity.VISIT.value

    id: str
    rev: int
    customer_ids: tuple[str, ...]  # the first is the main customer
    rm_id: str
    channel: VisitChannel
    purpose: VisitPurpose
    start_at: dt.datetime
    end_at: dt.datetime | None = None
    location_text: str | None = None
    notes: str | None = None
    outcome: VisitOutcome | None = None
    next_steps: str | None = None
    linked_task_ids: tuple[str, ...] = ()
    linked_opportunity_ids: tuple[str, ...] = ()
    created_at: dt.datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class Task(Record):
    """A task (待办). ``related_entity`` and ``related_id`` name the record it is about."""

    wire_name: ClassVar[str] = Entity.TASK.value

    id: str
    rev: int
    title: str
    kind: TaskKind
    customer_id: str | None = None
    related_entity: Entity | None = None
    related_id: str | None = None
    priority: TaskPriority = TaskPriority.NORMAL
    status: TaskStatus = TaskStatus.NOT_STARTED
    due_at: dt.datetime | None = None
    sla_due_at: dt.datetime | None = None
    escalation_level: int = 0
    assignee_id: str
    assigner_id: str | None = None
    source_rule: str | None = None  # the alert rule (A01 …) that raised it
    completion_note: str | None = None
    created_at: dt.datetime | None = None  # the SLA runs from here (rule A12)
    completed_at: dt.datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class Opportunity(Record):
    """A sales opportunity (商机) for a customer, or for a prospect described by ``lead_stub``.

    ``suitability_snapshot`` is what the suitability check saw on save (customer level, product
    level, date, result), kept as a JSON object.
    """

    wire_name: ClassVar[str] = Entity.OPPORTUNITY.value

    id: str
    rev: int
    customer_id: str | None = None
    lead_stub: str | None = None
    product_id: str | None = None
    category: ProductCategory | None = None
    amount: Money | None = None
    stage: OpportunityStage = OpportunityStage.LEAD
    expected_close: dt.date | None = None
    source: str | None = None
    suitability_snapshot: Mapping[str, Any] | None = field(default=None, hash=False)
    lost_reason: str | None = None
    owner_id: str
    created_at: dt.datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class Alert(Record):
    """An alert raised by a rule; ``object_entity`` and ``object_id`` name what it is about."""

    wire_name: ClassVar[str] = Entity.ALERT.value

    id: str
    rev: int
    rule_id: str
    customer_id: str | None = None
    object_entity: Entity | None = None
    object_id: str | None = None
    severity: TaskPriority
    message: str
    evidence: Mapping[str, Any] = _json_object()
    triggered_at: dt.datetime
    status: AlertStatus = AlertStatus.NEW
    dedupe_key: str
    origin: AlertOrigin = AlertOrigin.SERVER


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class CustomerTag(Record):
    """A tag on a customer, set by the bank's systems or by the RM (manual)."""

    wire_name: ClassVar[str] = Entity.CUSTOMER_TAG.value

    id: str
    rev: int
    customer_id: str
    name: str
    category: TagCategory
    source: TagSource


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class Employee(Record):
    """An employee: an RM or a team lead."""

    wire_name: ClassVar[str] = Entity.EMPLOYEE.value

    id: str
    rev: int
    name: str
    role: Role
    team_id: str | None = None
    branch_id: str
    title: str | None = None  # job title, as the bank's HR system spells it
    active: bool = True


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class Team(Record):
    """A team of RMs in a branch."""

    wire_name: ClassVar[str] = Entity.TEAM.value

    id: str
    rev: int
    name: str
    branch_id: str
    branch_name: str | None = None
    lead_id: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class Kpi(Record):
    """One KPI value of an RM, team or branch (``subject_id``) for a day or a month."""

    wire_name: ClassVar[str] = Entity.KPI.value

    id: str
    rev: int
    level: KpiLevel
    subject_id: str
    metric: str  # aum, net_new_aum, visits, coverage_30d … (DOMAIN.md)
    period: KpiPeriod
    date: dt.date  # the day, or the first day of the month
    value: Decimal
    target: Decimal | None = None
    rank: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class RuleConfig(Record):
    """Configuration of one alert rule (``rule_id`` A01 …); thresholds and cooldown in ``params``.

    ``params`` holds the rule's thresholds and its cooldown by name, as the server configures them.
    """

    wire_name: ClassVar[str] = Entity.RULE_CONFIG.value

    id: str
    rev: int
    rule_id: str
    enabled: bool = True
    params: Mapping[str, Any] = _json_object()


ENTITY_TYPES: Mapping[Entity, type[Record]] = MappingProxyType(
    {
        Entity.CUSTOMER: Customer,
        Entity.HOUSEHOLD: Household,
        Entity.RELATIONSHIP: Relationship,
        Entity.ACCOUNT: Account,
        Entity.HOLDING: Holding,
        Entity.TRANSACTION: Transaction,
        Entity.PRODUCT: Product,
        Entity.VISIT: Visit,
        Entity.TASK: Task,
        Entity.OPPORTUNITY: Opportunity,
        Entity.ALERT: Alert,
        Entity.CUSTOMER_TAG: CustomerTag,
        Entity.EMPLOYEE: Employee,
        Entity.TEAM: Team,
        Entity.KPI: Kpi,
        Entity.RULE_CONFIG: RuleConfig,
    }
)
"""The record class of each feed entity."""


# --- Field specs: how each field is read from and written to the wire --------------------------


class _BadValue(Exception):
    """A field value that does not fit; ``path`` locates it inside the field (``[2].role``)."""

    def __init__(self, message: str, path: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.path = path


@dataclass(frozen=True, slots=True)
class _Codec:
    parse: Callable[[object], Any]
    dump: Callable[[Any], Any]
    # Reading back what the cache stored after ``parse`` accepted it: no checks, just conversion
    # (``None``: the stored value is the field value).
    trusted: Callable[[Any], Any] | None = None


@dataclass(frozen=True, slots=True)
class _FieldSpec:
    name: str
    codec: _Codec
    optional: bool  # None is a value of the field
    default: Callable[[], Any] | None  # None: no default, the key must be present

    @property
    def required(self) -> bool:
        return self.default is None

    def parse(self, raw: object) -> Any:
        if raw is None:
            if self.optional:
                return None
            if self.default is not None:
                # The store keeps an absent value as NULL; it reads back as the field's default.
                return self.default()
            raise _BadValue("must not be null")
        return self.codec.parse(raw)

    def dump(self, value: Any) -> Any:
        return None if value is None else self.codec.dump(value)


_DECIMAL_TEXT = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?")
_DATE_TEXT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_TIMESTAMP_TEXT = re.compile(
    r"(?P<date>[0-9]{4}-[0-9]{2}-[0-9]{2})[Tt ](?P<time>[0-9]{2}:[0-9]{2}:[0-9]{2})"
    r"(?:\.(?P<fraction>[0-9]+))?(?P<zone>[Zz]|[+-][0-9]{2}:[0-9]{2})"
)


def _parse_str(raw: object) -> str:
    if not isinstance(raw, str):
        raise _BadValue("expected a string")
    return raw


def _parse_int(raw: object) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int):
        raise _BadValue("expected an integer")
    return raw


def _parse_bool(raw: object) -> bool:
    if not isinstance(raw, bool):
        raise _BadValue("expected true or false")
    return raw


def _parse_decimal(raw: object) -> Decimal:
    if isinstance(raw, bool) or not isinstance(raw, str | int):
        raise _BadValue("expected a decimal string")
    if isinstance(raw, str) and not _DECIMAL_TEXT.fullmatch(raw):
        raise _BadValue("expected a decimal string")
    return Decimal(raw)


def _dump_decimal(value: Decimal) -> str:
    if not value.is_finite():
        raise _BadValue("is not a finite number")
    return format(value, "f")


def _parse_money(raw: object) -> Decimal:
    if isinstance(raw, bool) or not isinstance(raw, str | int):
        raise _BadValue("expected a decimal string of yuan")
    try:
        return parse_money(raw)
    except InvalidMoney as exc:
        message = exc.message
    raise _BadValue(message)


def _dump_money(value: Decimal) -> str:
    try:
        return money_to_wire(value)
    except InvalidMoney as exc:
        message = exc.message
    raise _BadValue(message)


def _parse_date(raw: object) -> dt.date:
    if isinstance(raw, str) and _DATE_TEXT.fullmatch(raw):
        try:
            return dt.date.fromisoformat(raw)
        except ValueError:
            pass
    raise _BadValue("expected an ISO date (YYYY-MM-DD)")


def _dump_date(value: dt.date) -> str:
    if isinstance(value, dt.datetime):
        raise _BadValue("expected a date, not a timestamp")
    return value.isoformat()


def _parse_timestamp(raw: object) -> dt.datetime:
    match = _TIMESTAMP_TEXT.fullmatch(raw) if isinstance(raw, str) else None
    if match is not None:
        # Python reads at most microseconds; RFC 3339 allows any precision (a Go server sends ns).
        fraction = (match["fraction"] or "").ljust(6, "0")[:6]
        zone = "+00:00" if match["zone"] in ("Z", "z") else match["zone"]
        try:
            parsed = dt.datetime.fromisoformat(f"{match['date']}T{match['time']}.{fraction}{zone}")
        except ValueError:
            pass
        else:
            return parsed.astimezone(dt.UTC)
    raise _BadValue("expected an RFC 3339 timestamp with a time zone")


def _dump_timestamp(value: dt.datetime) -> str:
    if value.tzinfo is None or value.utcoffset() is None:
        raise _BadValue("timestamp has no time zone")
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def _enum_codec(enum_type: type[StrEnum]) -> _Codec:
    members = {member.value: member for member in enum_type}

    def parse(raw: object) -> StrEnum:
        member = members.get(raw) if isinstance(raw, str) else None
        if member is None:
            raise _BadValue("is not a known code")
        return member

    return _Codec(parse, lambda value: value.value, members.__getitem__)


def _tuple_codec(item: _Codec) -> _Codec:
    def parse(raw: object) -> tuple[Any, ...]:
        if not isinstance(raw, list | tuple):
            raise _BadValue("expected a list")
        items = []
        for index, element in enumerate(raw):
            try:
                items.append(item.parse(element))
            except _BadValue as bad:
                failure = _BadValue(bad.message, f"[{index}]{bad.path}")
                break
        else:
            return tuple(items)
        raise failure

    convert = item.trusted

    def trusted(raw: Any) -> tuple[Any, ...]:
        return tuple(raw) if convert is None else tuple(map(convert, raw))

    return _Codec(parse, lambda value: [item.dump(element) for element in value], trusted)


def _parse_json_object(raw: object) -> Mapping[str, Any]:
    if not isinstance(raw, Mapping):
        raise _BadValue("expected a JSON object")
    _check_json(raw)
    return raw  # Record.__post_init__ freezes it


def _check_json(value: object) -> None:
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                raise _BadValue("has an object key that is not a string")
            _check_json(item)
    elif isinstance(value, list | tuple):
        for item in value:
            _check_json(item)
    elif isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise _BadValue("holds a number that is not finite")
    elif not isinstance(value, str | int | bool | NoneType):
        raise _BadValue("holds a value that is not JSON")


def _freeze(value: object) -> Any:
    """Copy a JSON-like value into immutable containers (MappingProxyType, tuple)."""
    if isinstance(value, Mapping):
        return MappingProxyType({key: _freeze(item) for key, item in value.items()})
    if isinstance(value, list | tuple):
        return tuple(_freeze(item) for item in value)
    return value


def _thaw(value: object) -> Any:
    """Turn a frozen value back into plain JSON containers (dict, list)."""
    if isinstance(value, Mapping):
        return {key: _thaw(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_thaw(item) for item in value]
    return value


def _record_codec(record_type: type[Record]) -> _Codec:
    def parse(raw: object) -> Record:
        if not isinstance(raw, Mapping):
            raise _BadValue("expected a JSON object")
        try:
            return record_type.from_wire(raw)
        except InvalidRecord as invalid:
            failure = _BadValue(invalid.message, f".{invalid.field}" if invalid.field else "")
        raise failure

    def dump(value: Record) -> dict[str, Any]:
        try:
            return value.to_wire()
        except InvalidRecord as invalid:
            failure = _BadValue(invalid.message, f".{invalid.field}" if invalid.field else "")
        raise failure

    return _Codec(parse, dump, record_type.from_cache)


def _masked_codec(marker: _MaskedMarker) -> _Codec:
    def parse(raw: object) -> str:
        text = _parse_str(raw)
        if not marker.check(text):
            raise _BadValue("is not in masked form")
        return text

    return _Codec(parse, _identity)


def _identity(value: Any) -> Any:
    return value


_PLAIN_CODECS: Mapping[object, _Codec] = MappingProxyType(
    {
        str: _Codec(_parse_str, _identity),
        int: _Codec(_parse_int, _identity),
        bool: _Codec(_parse_bool, _identity, bool),  # the cache stores 0/1
        Decimal: _Codec(_parse_decimal, _dump_decimal, Decimal),
        dt.date: _Codec(_parse_date, _dump_date, dt.date.fromisoformat),
        dt.datetime: _Codec(_parse_timestamp, _dump_timestamp, dt.datetime.fromisoformat),
    }
)
_MONEY_CODEC = _Codec(_parse_money, _dump_money, Decimal)
_JSON_OBJECT_CODEC = _Codec(_parse_json_object, _thaw)


def _codec_for(hint: Any) -> _Codec:
    """Return the codec of a non-optional field type; an unknown type is a programming error."""
    origin = get_origin(hint)
    if origin is Annotated:
        base, *markers = get_args(hint)
        for marker in markers:
            if isinstance(marker, _MoneyMarker):
                return _MONEY_CODEC
            if isinstance(marker, _MaskedMarker):
                return _masked_codec(marker)
        return _codec_for(base)
    if origin is tuple:
        item, ellipsis = get_args(hint)
        if ellipsis is not Ellipsis:
            raise TypeError(f"only tuple[X, ...] fields are supported, not {hint}")
        return _tuple_codec(_codec_for(item))
    if origin is Mapping:
        return _JSON_OBJECT_CODEC
    if hint in _PLAIN_CODECS:
        return _PLAIN_CODECS[hint]
    if isinstance(hint, type) and issubclass(hint, StrEnum):
        return _enum_codec(hint)
    if isinstance(hint, type) and issubclass(hint, Record):
        return _record_codec(hint)
    raise TypeError(f"no wire rule for field type {hint}")


def masked_field_checks(record_type: type[Record]) -> dict[str, Callable[[str], bool]]:
    """The fields of ``record_type`` that must arrive masked, each with the predicate checking it.

    The bulk ingest uses this to refuse an unmasked C2 value before it reaches the cache, without
    parsing every record into an entity.
    """
    hints = get_type_hints(record_type, include_extras=True)
    checks: dict[str, Callable[[str], bool]] = {}
    for record_field in dataclasses.fields(record_type):  # type: ignore[arg-type]
        hint = hints[record_field.name]
        if get_origin(hint) in (Union, UnionType):
            hint = next(arg for arg in get_args(hint) if arg is not NoneType)
        if get_origin(hint) is Annotated:
            for marker in get_args(hint)[1:]:
                if isinstance(marker, _MaskedMarker):
                    checks[record_field.name] = marker.check
    return checks


def _build_specs(record_type: type[Record]) -> tuple[_FieldSpec, ...]:
    hints = get_type_hints(record_type, include_extras=True)
    specs = []
    for record_field in dataclasses.fields(record_type):  # type: ignore[arg-type]
        hint = hints[record_field.name]
        optional = False
        if get_origin(hint) in (Union, UnionType):
            others = [arg for arg in get_args(hint) if arg is not NoneType]
            if len(others) != 1 or len(get_args(hint)) != 2:
                raise TypeError(f"only X | None unions are supported, not {hint}")
            hint, optional = others[0], True
        specs.append(
            _FieldSpec(record_field.name, _codec_for(hint), optional, _default(record_field))
        )
    return tuple(specs)


def _default(record_field: dataclasses.Field[Any]) -> Callable[[], Any] | None:
    if record_field.default_factory is not dataclasses.MISSING:
        return record_field.default_factory
    if record_field.default is not dataclasses.MISSING:
        value = record_field.default
        return lambda: value
    return None


def _mapping_fields(specs: tuple[_FieldSpec, ...]) -> tuple[str, ...]:
    return tuple(spec.name for spec in specs if spec.codec is _JSON_OBJECT_CODEC)


_ALL_RECORD_TYPES: tuple[type[Record], ...] = (HouseholdMember, *ENTITY_TYPES.values())
_SPECS: Mapping[type[Record], tuple[_FieldSpec, ...]] = MappingProxyType(
    {record_type: _build_specs(record_type) for record_type in _ALL_RECORD_TYPES}
)
_TrustedField = tuple[str, Callable[[Any], Any] | None, bool, Callable[[], Any] | None]
_TRUSTED: Mapping[type[Record], tuple[_TrustedField, ...]] = MappingProxyType(
    {
        record_type: tuple(
            (spec.name, spec.codec.trusted, spec.optional, spec.default) for spec in specs
        )
        for record_type, specs in _SPECS.items()
    }
)


def _compile_from_cache(record_type: type[Record]) -> Callable[[Mapping[str, Any]], Record]:
    """One straight-line function per record type, the way ``dataclasses`` builds ``__init__``.

    A loop over field specs costs about 1 µs a field in the interpreter; the generated code reads
    each key once and converts it inline, which keeps the 360 view of a customer with thousands
    of transactions within its budget.
    """
    namespace: dict[str, Any] = {"cls": record_type, "_missing": _missing_field(record_type)}
    lines = ["def from_cache(data):", "    get = data.get"]
    arguments = []
    for index, (name, convert, optional, default) in enumerate(_TRUSTED[record_type]):
        local = f"v{index}"
        lines.append(f"    {local} = get({name!r})")
        value = local
        if convert is not None:
            namespace[f"c{index}"] = convert
            value = f"c{index}({local})"
        if optional:
            fallback = "None"
        elif default is not None:
            namespace[f"d{index}"] = default
            fallback = f"d{index}()"
        else:
            fallback = f"_missing({name!r})"
        lines.append(f"    {local} = {fallback} if {local} is None else {value}")
        arguments.append(f"{name}={local}")
    lines.append(f"    return cls({', '.join(arguments)})")
    exec("\n".join(lines), namespace)
    function: Callable[[Mapping[str, Any]], Record] = namespace["from_cache"]
    return function


def _missing_field(record_type: type[Record]) -> Callable[[str], Any]:
    def missing(name: str) -> Any:
        raise InvalidRecord(record_type.wire_name, name, "is missing")

    return missing


_FROM_CACHE: Mapping[type[Record], Callable[[Mapping[str, Any]], Record]] = MappingProxyType(
    {record_type: _compile_from_cache(record_type) for record_type in _TRUSTED}
)
_MAPPING_FIELDS: Mapping[type[Record], tuple[str, ...]] = MappingProxyType(
    {record_type: _mapping_fields(specs) for record_type, specs in _SPECS.items()}
)
_C2_BY_CLASS: Mapping[type[Record], frozenset[str]] = MappingProxyType(
    {
        HouseholdMember: frozenset(),
        **{record_type: C2_FIELDS[entity] for entity, record_type in ENTITY_TYPES.items()},
    }
)


__all__ = [
    "ENTITY_TYPES",
    "Account",
    "Alert",
    "Customer",
    "CustomerTag",
    "Employee",
    "Holding",
    "Household",
    "HouseholdMember",
    "InvalidRecord",
    "Kpi",
    "MaskedAccountNumber",
    "MaskedAddress",
    "MaskedIdNumber",
    "MaskedMobile",
    "MaskedText",
    "Money",
    "Opportunity",
    "Product",
    "Record",
    "Relationship",
    "RuleConfig",
    "Task",
    "Team",
    "Transaction",
    "Visit",
    "masked_field_checks",
]
