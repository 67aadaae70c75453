"""Codes, tier floors, conflict precedence tables, and who may write which field."""

from __future__ import annotations

import dataclasses
import itertools
from decimal import Decimal
from enum import StrEnum

import pytest

from rm_desk.domain import enums
from rm_desk.domain.entities import ENTITY_TYPES
from rm_desk.domain.enums import (
    TIER_FLOORS,
    AlertSeverity,
    AlertStatus,
    CustomerRiskLevel,
    Entity,
    OpportunityStage,
    ProductRiskLevel,
    TaskPriority,
    TaskStatus,
    Tier,
    alert_status_winner,
    next_tier,
    task_status_winner,
    tier_for_aum,
)
from rm_desk.domain.fields import (
    C2_FIELDS,
    CREATABLE_ENTITIES,
    DELETABLE_ENTITIES,
    FIXED_ON_CREATE,
    READ_ONLY_ENTITIES,
    REGULATED_FIELDS,
    RecordRole,
    editable_fields,
)


def field_names(entity: Entity) -> frozenset[str]:
    return frozenset(f.name for f in dataclasses.fields(ENTITY_TYPES[entity]))  # type: ignore[arg-type]


# --- codes -------------------------------------------------------------------------------------

# The codes are stored in the database and sent on the wire: changing one breaks both.
CODES: list[tuple[type[StrEnum], tuple[str, ...]]] = [
    (Tier, ("standard", "gold", "platinum", "diamond", "private")),
    (CustomerRiskLevel, ("C1", "C2", "C3", "C4", "C5")),
    (ProductRiskLevel, ("R1", "R2", "R3", "R4", "R5")),
    (enums.Gender, ("male", "female", "unknown")),
    (
        enums.IdType,
        ("resident_id", "passport", "hk_macau_permit", "taiwan_permit", "foreign_permanent",
         "uscc", "other"),
    ),
    (
        enums.LifecycleStage,
        ("prospect", "new", "growing", "mature", "declining", "dormant", "lost"),
    ),
    (
        enums.AccountType,
        ("current", "time_deposit", "wealth", "fund", "insurance", "loan", "credit_card"),
    ),
    (enums.AccountStatus, ("active", "dormant", "frozen", "closed")),
    (enums.TxnDirection, ("in", "out")),
    (enums.TxnType, ("transfer", "cash", "subscribe", "redeem", "maturity", "repayment")),
    (enums.Channel, ("counter", "mobile", "online", "atm", "other")),
    (
        enums.ProductCategory,
        ("deposit", "wealth", "fund", "insurance", "bond", "precious_metal", "loan"),
    ),
    (enums.VisitChannel, ("onsite", "branch", "phone", "wechat", "video", "event")),
    (
        enums.VisitPurpose,
        ("renewal", "portfolio_review", "care", "product_pitch", "complaint", "post_loan_check",
         "credit_renewal"),
    ),
    (enums.VisitOutcome, ("positive", "neutral", "negative", "follow_up")),
    (enums.TaskKind, ("alert", "manual", "assigned", "workflow")),
    (TaskPriority, ("low", "normal", "high", "urgent")),
    (TaskStatus, ("not_started", "in_progress", "completed", "cancelled")),
    (enums.TaskBucket, ("overdue", "today", "later")),
    (
        OpportunityStage,
        ("lead", "contacted", "needs_confirmed", "recommended", "closing", "won", "lost"),
    ),
    (AlertStatus, ("new", "acknowledged", "converted", "dismissed")),
    (enums.AlertOrigin, ("server", "local")),
    (enums.TagCategory, ("rfm", "lifecycle", "preference", "risk", "value", "manual")),
    (enums.TagSource, ("system", "rm")),
    (enums.HouseholdRole, ("head", "spouse", "child", "parent", "other")),
    (
        enums.RelationshipKind,
        ("spouse", "parent", "child", "legal_representative", "controller", "referrer", "other"),
    ),
    (enums.RelationshipStatus, ("verified", "proposed")),
    (enums.Role, ("rm", "team_lead")),
    (enums.KpiLevel, ("rm", "team", "branch")),
    (enums.KpiPeriod, ("day", "month")),
    (enums.Sensitivity, ("C1", "C2", "C3")),
    (
        Entity,
        ("customer", "household", "relationship", "account", "holding", "transaction", "product",
         "visit", "task", "opportunity", "alert", "customer_tag", "employee", "team", "kpi",
         "rule_config"),
    ),
    (enums.OpKind, ("create", "update", "delete")),
    (enums.OpState, ("queued", "sending", "applied", "conflict", "rejected", "held")),
    (enums.ConflictKind, ("fields", "deleted", "modified")),
    (enums.SyncPhase, ("idle", "pushing", "pulling", "replacing", "offline", "error")),
]  # fmt: skip


@pytest.mark.parametrize(("enum_type", "codes"), CODES, ids=lambda x: getattr(x, "__name__", ""))
def test_enum_codes_are_exactly_the_stored_and_wire_codes(
    enum_type: type[StrEnum], codes: tuple[str, ...]
) -> None:
    assert tuple(member.value for member in enum_type) == codes


def test_alert_severity_is_the_task_priority_enum() -> None:
    assert AlertSeverity is TaskPriority


# --- tiers -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("aum", "tier"),
    [
        ("-1000.00", Tier.STANDARD),
        ("0", Tier.STANDARD),
        ("49999.99", Tier.STANDARD),
        ("50000", Tier.GOLD),
        ("50000.00", Tier.GOLD),
        ("499999.99", Tier.GOLD),
        ("500000.00", Tier.PLATINUM),
        ("2999999.99", Tier.PLATINUM),
        ("3000000.00", Tier.DIAMOND),
        ("5999999.99", Tier.DIAMOND),
        ("6000000.00", Tier.PRIVATE),
        ("900000000.00", Tier.PRIVATE),
    ],
)
def test_tier_for_aum_applies_each_floor_inclusively(aum: str, tier: Tier) -> None:
    assert tier_for_aum(Decimal(aum)) is tier


def test_tier_floors_are_those_of_the_domain() -> None:
    assert dict(TIER_FLOORS) == {
        Tier.STANDARD: Decimal(0),
        Tier.GOLD: Decimal(50_000),
        Tier.PLATINUM: Decimal(500_000),
        Tier.DIAMOND: Decimal(3_000_000),
        Tier.PRIVATE: Decimal(6_000_000),
    }


@pytest.mark.parametrize("aum", ["NaN", "Infinity"])
def test_tier_for_aum_refuses_a_non_finite_amount(aum: str) -> None:
    with pytest.raises(ValueError, match="finite"):
        tier_for_aum(Decimal(aum))


@pytest.mark.parametrize(
    ("tier", "above"),
    [
        (Tier.STANDARD, Tier.GOLD),
        (Tier.GOLD, Tier.PLATINUM),
        (Tier.PLATINUM, Tier.DIAMOND),
        (Tier.DIAMOND, Tier.PRIVATE),
        (Tier.PRIVATE, None),
    ],
)
def test_next_tier_is_the_one_above(tier: Tier, above: Tier | None) -> None:
    assert next_tier(tier) is above


def test_tiers_order_by_rank_not_by_spelling() -> None:
    # Alphabetically "diamond" < "gold"; by rank gold is lower.
    assert Tier.GOLD < Tier.DIAMOND
    assert Tier.PRIVATE > Tier.DIAMOND >= Tier.DIAMOND
    assert sorted([Tier.PRIVATE, Tier.STANDARD, Tier.DIAMOND, Tier.GOLD]) == [
        Tier.STANDARD,
        Tier.GOLD,
        Tier.DIAMOND,
        Tier.PRIVATE,
    ]
    assert [tier.rank for tier in Tier] == [0, 1, 2, 3, 4]


def test_task_priorities_order_from_low_to_urgent() -> None:
    assert max([TaskPriority.HIGH, TaskPriority.URGENT, TaskPriority.LOW]) is TaskPriority.URGENT
    assert TaskPriority.NORMAL < TaskPriority.HIGH


@pytest.mark.parametrize("other", ["diamond", TaskPriority.HIGH, 3])
def test_ordering_a_tier_against_anything_else_is_a_type_error(other: object) -> None:
    with pytest.raises(TypeError):
        _ = other > Tier.GOLD


@pytest.mark.parametrize(
    ("level", "number"),
    [(CustomerRiskLevel.C1, 1), (CustomerRiskLevel.C5, 5), (ProductRiskLevel.R3, 3)],
)
def test_risk_levels_carry_their_number(
    level: CustomerRiskLevel | ProductRiskLevel, number: int
) -> None:
    assert level.level == number


@pytest.mark.parametrize(
    ("stage", "probability"),
    [
        (OpportunityStage.LEAD, 10),
        (OpportunityStage.CONTACTED, 20),
        (OpportunityStage.NEEDS_CONFIRMED, 35),
        (OpportunityStage.RECOMMENDED, 50),
        (OpportunityStage.CLOSING, 80),
        (OpportunityStage.WON, 100),
        (OpportunityStage.LOST, 0),
    ],
)
def test_opportunity_stage_probability(stage: OpportunityStage, probability: int) -> None:
    assert stage.probability == probability


# --- conflict precedence -----------------------------------------------------------------------

NS, IP, DONE, CANC = (
    TaskStatus.NOT_STARTED,
    TaskStatus.IN_PROGRESS,
    TaskStatus.COMPLETED,
    TaskStatus.CANCELLED,
)


@pytest.mark.parametrize(
    ("mine", "theirs", "winner"),
    [
        (NS, NS, NS),
        (NS, IP, IP),
        (NS, DONE, DONE),
        (NS, CANC, CANC),
        (IP, IP, IP),
        (IP, DONE, DONE),
        (IP, CANC, CANC),
        (DONE, DONE, DONE),
        (CANC, CANC, CANC),
        (DONE, CANC, None),  # same precedence, different meaning: the user decides
    ],
)
def test_task_status_conflict_goes_to_the_higher_precedence_either_way(
    mine: TaskStatus, theirs: TaskStatus, winner: TaskStatus | None
) -> None:
    assert task_status_winner(mine, theirs) is winner
    assert task_status_winner(theirs, mine) is winner


@pytest.mark.parametrize(
    ("mine", "theirs", "winner"),
    [
        (AlertStatus.NEW, AlertStatus.ACKNOWLEDGED, AlertStatus.ACKNOWLEDGED),
        (AlertStatus.NEW, AlertStatus.DISMISSED, AlertStatus.DISMISSED),
        (AlertStatus.NEW, AlertStatus.CONVERTED, AlertStatus.CONVERTED),
        (AlertStatus.ACKNOWLEDGED, AlertStatus.DISMISSED, AlertStatus.DISMISSED),
        (AlertStatus.ACKNOWLEDGED, AlertStatus.CONVERTED, AlertStatus.CONVERTED),
        (AlertStatus.DISMISSED, AlertStatus.CONVERTED, AlertStatus.CONVERTED),
        (AlertStatus.NEW, AlertStatus.NEW, AlertStatus.NEW),
    ],
)
def test_alert_status_conflict_goes_to_the_higher_precedence_either_way(
    mine: AlertStatus, theirs: AlertStatus, winner: AlertStatus
) -> None:
    assert alert_status_winner(mine, theirs) is winner
    assert alert_status_winner(theirs, mine) is winner


def test_every_pair_of_alert_statuses_has_a_winner() -> None:
    for a, b in itertools.product(AlertStatus, repeat=2):
        assert alert_status_winner(a, b) in (a, b)


@pytest.mark.parametrize(
    ("status", "is_open"), [(NS, True), (IP, True), (DONE, False), (CANC, False)]
)
def test_open_tasks_are_not_started_or_in_progress(status: TaskStatus, is_open: bool) -> None:
    assert status.is_open is is_open


# --- who may write what ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("entity", "role", "fields"),
    [
        (Entity.CUSTOMER, RecordRole.EDITOR, {"soft_profile", "contact_prefs"}),
        (Entity.CUSTOMER, RecordRole.CREATOR, set()),
        (Entity.TASK, RecordRole.ASSIGNEE, {"status", "completion_note"}),
        (Entity.TASK, RecordRole.ASSIGNER, {"assignee_id", "due_at", "priority"}),
        (Entity.TASK, RecordRole.EDITOR, set()),  # neither assignee nor assigner: nothing
        (Entity.ALERT, RecordRole.EDITOR, {"status"}),
        (Entity.ALERT, RecordRole.CREATOR, set()),
        (Entity.CUSTOMER_TAG, RecordRole.CREATOR, {"customer_id", "name", "category", "source"}),
        (Entity.CUSTOMER_TAG, RecordRole.EDITOR, set()),  # tags are added and removed, not edited
        (
            Entity.RELATIONSHIP,
            RecordRole.CREATOR,
            {"from_customer_id", "to_customer_id", "to_company_name", "kind", "status", "source"},
        ),
        (Entity.RELATIONSHIP, RecordRole.EDITOR, set()),
        (
            Entity.VISIT,
            RecordRole.EDITOR,
            {"customer_ids", "channel", "purpose", "start_at", "end_at", "location_text", "notes",
             "outcome", "next_steps", "linked_task_ids", "linked_opportunity_ids"},
        ),
        (
            Entity.OPPORTUNITY,
            RecordRole.EDITOR,
            {"customer_id", "lead_stub", "product_id", "category", "amount", "stage",
             "expected_close", "suitability_snapshot", "lost_reason"},
        ),
    ],
)  # fmt: skip
def test_editable_fields_follow_who_may_write_what(
    entity: Entity, role: RecordRole, fields: set[str]
) -> None:
    assert editable_fields(entity, role) == fields


def test_visit_fields_are_the_same_on_create_and_edit() -> None:
    assert editable_fields(Entity.VISIT, RecordRole.CREATOR) == editable_fields(Entity.VISIT)


def test_opportunity_source_is_set_on_create_only() -> None:
    assert "source" in editable_fields(Entity.OPPORTUNITY, RecordRole.CREATOR)
    assert "source" not in editable_fields(Entity.OPPORTUNITY, RecordRole.EDITOR)


def test_fields_the_server_stamps_are_never_sent() -> None:
    stamped = {
        Entity.VISIT: {"rm_id"},
        Entity.TASK: {"assigner_id", "sla_due_at", "escalation_level", "created_at"},
        Entity.OPPORTUNITY: {"owner_id", "created_at"},
    }
    for entity, names in stamped.items():
        for role in RecordRole:
            assert not names & editable_fields(entity, role)


@pytest.mark.parametrize("entity", sorted(READ_ONLY_ENTITIES))
def test_read_only_entities_have_no_editable_field_in_any_role(entity: Entity) -> None:
    assert all(editable_fields(entity, role) == frozenset() for role in RecordRole)
    assert entity not in CREATABLE_ENTITIES
    assert entity not in DELETABLE_ENTITIES


def test_creatable_and_deletable_entities() -> None:
    assert set(CREATABLE_ENTITIES) == {
        Entity.VISIT,
        Entity.TASK,
        Entity.OPPORTUNITY,
        Entity.CUSTOMER_TAG,
        Entity.RELATIONSHIP,
    }
    assert set(DELETABLE_ENTITIES) == {Entity.OPPORTUNITY, Entity.CUSTOMER_TAG}


def test_created_tags_are_manual_and_relationships_proposed() -> None:
    assert FIXED_ON_CREATE[Entity.CUSTOMER_TAG] == {"category": "manual", "source": "rm"}
    assert FIXED_ON_CREATE[Entity.RELATIONSHIP] == {"status": "proposed"}
    for entity, fixed in FIXED_ON_CREATE.items():
        assert set(fixed) <= editable_fields(entity, RecordRole.CREATOR)


@pytest.mark.parametrize("entity", list(Entity))
def test_field_tables_name_real_fields(entity: Entity) -> None:
    names = field_names(entity)
    assert C2_FIELDS[entity] <= names
    assert REGULATED_FIELDS.get(entity, frozenset()) <= names
    for role in RecordRole:
        assert editable_fields(entity, role) <= names


@pytest.mark.parametrize("entity", list(Entity))
def test_no_regulated_field_is_editable(entity: Entity) -> None:
    regulated = REGULATED_FIELDS.get(entity, frozenset())
    writable = frozenset().union(*(editable_fields(entity, role) for role in RecordRole))
    # The snapshot is written by the app, but only as the result of its own suitability check.
    assert regulated & writable <= {"suitability_snapshot"}


@pytest.mark.parametrize(
    ("entity", "c2"),
    [
        (Entity.CUSTOMER, {"name", "id_no_masked", "mobile_masked", "aum", "soft_profile"}),
        (Entity.ACCOUNT, {"number_masked", "balance", "loan_outstanding", "card_limit"}),
        (Entity.TRANSACTION, {"amount", "counterparty_masked"}),
        (Entity.VISIT, {"notes"}),
        (Entity.TASK, {"completion_note"}),
        (Entity.ALERT, {"evidence"}),
    ],
)
def test_c2_fields_include_the_starred_fields(entity: Entity, c2: set[str]) -> None:
    assert c2 <= C2_FIELDS[entity]


def test_regulated_fields_cover_risk_kyc_and_limits() -> None:
    assert {
        "risk_level",
        "risk_assessed_on",
        "id_no_masked",
        "is_qualified_investor",
        "investor_class",
        "credit_line",
    } <= REGULATED_FIELDS[Entity.CUSTOMER]
