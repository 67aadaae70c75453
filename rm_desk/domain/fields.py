"""Which fields are personal data, which the app may write, and which are regulated.

All of it is data (frozen mappings and sets of field names, as spelled in
:mod:`rm_desk.domain.entities`), taken from DOMAIN.md ("Entities", "Who may write what") and API.md
(section 3: only editable fields may be sent). The outbox, the three-way merge, the views' masking
and the server's ``field_not_editable`` check all read these tables rather than keeping their own.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType

from rm_desk.domain.enums import Entity


class RecordRole(StrEnum):
    """The user's part in a record, which decides what they may write in it."""

    CREATOR = "creator"  # creating the record
    EDITOR = "editor"  # updating a record of their book (customer, visit, opportunity, alert)
    ASSIGNEE = "assignee"  # updating a task assigned to them
    ASSIGNER = "assigner"  # updating a task they assigned


C2_FIELDS: Mapping[Entity, frozenset[str]] = MappingProxyType(
    {
        Entity.CUSTOMER: frozenset(
            {
                "name",
                "birth_date",
                "id_no_masked",
                "mobile_masked",
                "address_summary",
                "occupation",
                "aum",
                "aum_mtd_avg",
                "aum_12m",
                "churn_score",
                "soft_profile",
            }
        ),
        Entity.HOUSEHOLD: frozenset(),
        Entity.RELATIONSHIP: frozenset(),
        Entity.ACCOUNT: frozenset(
            {
                "number_masked",
                "balance",
                "available",
                "loan_outstanding",
                "next_payment_amount",
                "card_limit",
            }
        ),
        Entity.HOLDING: frozenset({"units", "cost", "market_value"}),
        Entity.TRANSACTION: frozenset({"amount", "counterparty_masked"}),
        Entity.PRODUCT: frozenset(),
        Entity.VISIT: frozenset({"notes"}),
        Entity.TASK: frozenset({"completion_note"}),
        # lead_stub is not in DOMAIN.md's list; it names a prospect next to an amount, so it is C2.
        Entity.OPPORTUNITY: frozenset({"amount", "lead_stub"}),
        Entity.ALERT: frozenset({"evidence"}),
        Entity.CUSTOMER_TAG: frozenset(),
        Entity.EMPLOYEE: frozenset(),
        Entity.TEAM: frozenset(),
        Entity.KPI: frozenset(),
        Entity.RULE_CONFIG: frozenset(),
    }
)
"""C2 fields per entity (the ``*`` marks of DOMAIN.md): encrypted at rest, masked on screen."""

SOFT_PROFILE_KEYS: frozenset[str] = frozenset(
    {"interests", "family_notes", "remarks", "do_not_disturb"}
)
"""Keys of ``Customer.soft_profile`` that the RM edits (DOMAIN.md)."""

READ_ONLY_ENTITIES: frozenset[Entity] = frozenset(
    {
        Entity.HOUSEHOLD,
        Entity.ACCOUNT,
        Entity.HOLDING,
        Entity.TRANSACTION,
        Entity.PRODUCT,
        Entity.EMPLOYEE,
        Entity.TEAM,
        Entity.KPI,
        Entity.RULE_CONFIG,
    }
)
"""Entities the app never writes: the server copy always replaces the local one."""

# Fields the server stamps from the signed-in user (visit.rm_id, task.assigner_id,
# opportunity.owner_id) or computes (task.sla_due_at, task.escalation_level) are not in these
# sets: the client never sends them.
_VISIT_FIELDS = frozenset(
    {
        "customer_ids",
        "channel",
        "purpose",
        "start_at",
        "end_at",
        "location_text",
        "notes",
        "outcome",
        "next_steps",
        "linked_task_ids",
        "linked_opportunity_ids",
    }
)
_OPPORTUNITY_EDIT_FIELDS = frozenset(
    {
        "customer_id",
        "lead_stub",
        "product_id",
        "category",
        "amount",
        "stage",
        "expected_close",
        "suitability_snapshot",
        "lost_reason",
    }
)

_EDITABLE: Mapping[tuple[Entity, RecordRole], frozenset[str]] = MappingProxyType(
    {
        (Entity.CUSTOMER, RecordRole.EDITOR): frozenset({"soft_profile", "contact_prefs"}),
        (Entity.VISIT, RecordRole.CREATOR): _VISIT_FIELDS,
        (Entity.VISIT, RecordRole.EDITOR): _VISIT_FIELDS,
        (Entity.TASK, RecordRole.CREATOR): frozenset(
            {
                "title",
                "kind",
                "customer_id",
                "related_entity",
                "related_id",
                "priority",
                "status",
                "due_at",
                "assignee_id",
                "source_rule",
                "completion_note",
            }
        ),
        (Entity.TASK, RecordRole.ASSIGNEE): frozenset({"status", "completion_note"}),
        (Entity.TASK, RecordRole.ASSIGNER): frozenset({"assignee_id", "due_at", "priority"}),
        # The source of an opportunity (alert, manual …) is fixed once it exists.
        (Entity.OPPORTUNITY, RecordRole.CREATOR): _OPPORTUNITY_EDIT_FIELDS | {"source"},
        (Entity.OPPORTUNITY, RecordRole.EDITOR): _OPPORTUNITY_EDIT_FIELDS,
        (Entity.ALERT, RecordRole.EDITOR): frozenset({"status"}),
        (Entity.CUSTOMER_TAG, RecordRole.CREATOR): frozenset(
            {"customer_id", "name", "category", "source"}
        ),
        (Entity.RELATIONSHIP, RecordRole.CREATOR): frozenset(
            {"from_customer_id", "to_customer_id", "to_company_name", "kind", "status", "source"}
        ),
    }
)

FIXED_ON_CREATE: Mapping[Entity, Mapping[str, str]] = MappingProxyType(
    {
        Entity.CUSTOMER_TAG: MappingProxyType({"category": "manual", "source": "rm"}),
        Entity.RELATIONSHIP: MappingProxyType({"status": "proposed"}),
    }
)
"""Wire values a created record must carry: the RM adds manual tags and proposes relationships."""

CREATABLE_ENTITIES: frozenset[Entity] = frozenset(
    entity for entity, role in _EDITABLE if role is RecordRole.CREATOR
)
"""Entities the app may create."""

DELETABLE_ENTITIES: frozenset[Entity] = frozenset({Entity.OPPORTUNITY, Entity.CUSTOMER_TAG})
"""Entities the app may delete (opportunities, and manual tags only)."""

REGULATED_FIELDS: Mapping[Entity, frozenset[str]] = MappingProxyType(
    {
        Entity.CUSTOMER: frozenset(
            {
                # KYC
                "name",
                "gender",
                "birth_date",
                "id_type",
                "id_no_masked",
                "id_expiry",
                "mobile_masked",
                "address_summary",
                "occupation",
                "uscc",
                # risk assessment and investor status
                "risk_level",
                "risk_assessed_on",
                "risk_is_lowest",
                "is_qualified_investor",
                "investor_class",
                # limits
                "credit_line",
                "credit_line_expiry",
            }
        ),
        Entity.ACCOUNT: frozenset({"card_limit"}),
        Entity.HOLDING: frozenset({"product_risk_level"}),
        Entity.PRODUCT: frozenset(
            {"risk_level", "qualified_investor_only", "requires_dual_recording"}
        ),
        # Written by the app, but only as the result of a suitability check on save.
        Entity.OPPORTUNITY: frozenset({"suitability_snapshot"}),
    }
)
"""Fields that are never merged automatically, whatever the conflict policy of their entity."""


def editable_fields(
    entity: Entity, role_in_record: RecordRole = RecordRole.EDITOR
) -> frozenset[str]:
    """Return the fields the user may send for ``entity`` in the given part.

    Checks, in order:

    1. the table of DOMAIN.md's "Who may write what" for ``(entity, role_in_record)``;
    2. any pair not in it (a read-only entity, an edit of a create-only record such as a tag, a task
       "editor" that is neither assignee nor assigner) gives the empty set: nothing may be written.

    A user who both assigned a task and is its assignee may write the union of both parts.

    Args:
        entity: The kind of record.
        role_in_record: The user's part in the record; tasks distinguish assignee and assigner.

    Returns:
        The field names, as spelled in :mod:`rm_desk.domain.entities`.
    """
    return _EDITABLE.get((entity, role_in_record), frozenset())


def is_regulated(entity: Entity, field: str) -> bool:
    """Return whether a field of an entity is regulated (:data:`REGULATED_FIELDS`)."""
    return field in REGULATED_FIELDS.get(entity, frozenset())


__all__ = [
    "C2_FIELDS",
    "CREATABLE_ENTITIES",
    "DELETABLE_ENTITIES",
    "FIXED_ON_CREATE",
    "READ_ONLY_ENTITIES",
    "REGULATED_FIELDS",
    "SOFT_PROFILE_KEYS",
    "RecordRole",
    "editable_fields",
    "is_regulated",
]
