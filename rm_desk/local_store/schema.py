"""Tables of the local cache.

Entity tables mirror the wire form of API.md: one column per field, named as the field, holding the
value as the server sent it (money as its decimal string, timestamps as RFC 3339 UTC text, dates as
ISO text, enums as their codes, lists and objects as JSON text). Keeping the wire form makes the
sync ingest a plain ``executemany`` with no per-field conversion, and reads convert to domain types
with :mod:`rm_desk.domain.entities`. Money columns that lists sort or filter on get a generated
numeric twin (``aum_num``) with an index; the exact value stays the decimal string.

Every entity row has ``rev``, the server revision of the copy it shows (0 for a record created
locally and not yet applied by the server). Editable entities also have ``base``: the last server
copy of the editable fields as JSON, kept while the record has local changes the server has not
acknowledged. ``base IS NULL`` means the visible row *is* the server copy, which spares the bulk
ingest from writing every record twice.

Local tables: ``outbox`` (one row per pending user change), ``conflict`` (per-field conflicts for
the
inbox), ``sync_journal`` (what sync decided on its own), ``sync_state`` (cursor, last contact), and
``audit_log`` (hash-chained events for the bank's audit).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Computed,
    Index,
    Integer,
    MetaData,
    Table,
    Text,
    text,
)

metadata = MetaData()


def _entity(name: str, *columns: Column[Any], editable: bool = False) -> Table:
    extra: list[Column[Any]] = [Column("base", Text, nullable=True)] if editable else []
    return Table(
        name,
        metadata,
        Column("id", Text, primary_key=True),
        Column("rev", Integer, nullable=False, server_default=text("0")),
        *columns,
        *extra,
    )


def _text(name: str, *, nullable: bool = True) -> Column[Any]:
    return Column(name, Text, nullable=nullable)


def _int(name: str, *, nullable: bool = True) -> Column[Any]:
    return Column(name, Integer, nullable=nullable)


def _bool(name: str) -> Column[Any]:
    return Column(name, Boolean(create_constraint=False), nullable=False, server_default=text("0"))


TIER_RANKS: Mapping[str, int] = MappingProxyType(
    {"standard": 0, "gold": 1, "platinum": 2, "diamond": 3, "private": 4}
)
"""The bank's order of the tiers, 普通 lowest, 私行 highest."""
TIER_ORDER_STEP = 1_000_000_000_000_000
"""``tier_order`` of a tier's customers lies in [rank × step, (rank + 1) × step): far above any
AUM in fen."""
TIER_ORDER_SQL = (
    "(CASE tier "
    + " ".join(f"WHEN '{tier}' THEN {rank}" for tier, rank in TIER_RANKS.items())
    + f" END) * {TIER_ORDER_STEP} + coalesce(aum_num, 0)"
)
"""The tier's rank (:data:`TIER_RANKS`), then the AUM in fen within it; NULL for a tier the cache
does not know (listed last)."""

customer = _entity(
    "customer",
    _text("name", nullable=False),
    _text("name_pinyin"),  # derived on ingest, the sort key of the customer list
    _text("gender"),
    _text("birth_date"),
    _text("id_type"),
    _text("id_no_masked"),
    _text("id_expiry"),
    _text("mobile_masked"),
    _text("address_summary"),
    _text("occupation"),
    _text("tier", nullable=False),
    _text("tier_since"),
    _bool("tier_watch"),
    _text("aum"),
    Column("aum_num", Integer, Computed("CAST(ROUND(CAST(aum AS REAL) * 100) AS INTEGER)")),
    _text("aum_mtd_avg"),
    _text("aum_12m"),
    _text("risk_level"),
    _text("risk_assessed_on"),
    _bool("risk_is_lowest"),
    _bool("is_qualified_investor"),
    _text("investor_class"),
    _text("primary_rm_id"),
    _text("branch_id"),
    _text("household_id"),
    _text("relationship_since"),
    _text("last_contact_at"),
    _text("next_review_at"),
    _text("lifecycle_stage"),
    _int("rfm_r"),
    _int("rfm_f"),
    _int("rfm_m"),
    _text("churn_score"),
    _text("contact_prefs"),
    _text("soft_profile"),
    _bool("is_corporate"),
    _text("uscc"),
    _text("industry"),
    _text("size"),
    _text("credit_line"),
    _text("credit_line_expiry"),
    # The list's tier order: the tier's rank, then the AUM within it (migration 0005).
    Column("tier_order", Integer, Computed(TIER_ORDER_SQL, persisted=False)),
    editable=True,
)
Index("ix_customer_name_pinyin", customer.c.name_pinyin, customer.c.id)
Index("ix_customer_aum", customer.c.aum_num, customer.c.id)
Index("ix_customer_tier", customer.c.tier, customer.c.aum_num)
Index("ix_customer_rm", customer.c.primary_rm_id, customer.c.aum_num)
Index("ix_customer_household", customer.c.household_id)
Index("ix_customer_tier_order", customer.c.tier_order, customer.c.id)
Index("ix_customer_risk", customer.c.risk_level, customer.c.id)
Index("ix_customer_rm_id", customer.c.primary_rm_id, customer.c.id)
Index("ix_customer_last_contact", customer.c.last_contact_at, customer.c.id)
Index("ix_customer_next_review", customer.c.next_review_at, customer.c.id)

household = _entity(
    "household",
    _text("name"),
    _text("head_customer_id"),
    _text("members", nullable=False),  # JSON: [{customer_id, role, is_minor}]
)

relationship = _entity(
    "relationship",
    _text("from_customer_id", nullable=False),
    _text("to_customer_id"),
    _text("to_company_name"),
    _text("kind", nullable=False),
    _text("status", nullable=False),
    _text("source"),
    editable=True,
)
Index("ix_relationship_from", relationship.c.from_customer_id)
Index("ix_relationship_to", relationship.c.to_customer_id)

account = _entity(
    "account",
    _text("customer_id", nullable=False),
    _text("type", nullable=False),
    _text("number_masked"),
    _text("product_id"),
    _text("currency"),
    _text("status"),
    _text("balance"),
    _text("available"),
    _text("as_of"),
    _text("opened_on"),
    _text("maturity_date"),
    _text("rate"),
    _text("loan_outstanding"),
    _text("next_payment_date"),
    _text("next_payment_amount"),
    _int("days_past_due"),
    _text("repayment_account_id"),
    _text("card_limit"),
)
Index("ix_account_customer", account.c.customer_id)
Index("ix_account_maturity", account.c.maturity_date, account.c.customer_id, account.c.id)
Index("ix_account_next_payment", account.c.next_payment_date)

holding = _entity(
    "holding",
    _text("account_id"),
    _text("customer_id", nullable=False),
    _text("product_id"),
    _text("units"),
    _text("cost"),
    _text("market_value"),
    _text("as_of"),
    _text("maturity_or_next_open"),
    _text("product_risk_level"),
)
Index("ix_holding_customer", holding.c.customer_id)
Index("ix_holding_maturity", holding.c.maturity_or_next_open, holding.c.customer_id, holding.c.id)

transaction = _entity(
    "transaction",
    _text("account_id", nullable=False),
    _text("customer_id", nullable=False),
    _text("ts", nullable=False),
    _text("amount", nullable=False),
    _text("direction", nullable=False),
    _text("type"),
    _text("channel"),
    _text("counterparty_masked"),
    _bool("other_bank"),
)
Index("ix_transaction_customer_ts", transaction.c.customer_id, transaction.c.ts)

product = _entity(
    "product",
    _text("code"),
    _text("name", nullable=False),
    _text("category", nullable=False),
    _text("risk_level"),
    _int("term_days"),
    _text("min_amount"),
    _text("benchmark_yield"),
    _bool("on_sale"),
    _bool("requires_dual_recording"),
    _bool("qualified_investor_only"),
)

visit = _entity(
    "visit",
    _text("customer_ids", nullable=False),  # JSON list; the first is the main customer
    _text("customer_id"),  # the main customer, kept for indexed look-ups
    _text("rm_id"),
    _text("channel"),
    _text("purpose"),
    _text("start_at"),
    _text("end_at"),
    _text("location_text"),
    _text("notes"),
    _text("outcome"),
    _text("next_steps"),
    _text("linked_task_ids"),
    _text("linked_opportunity_ids"),
    _text("created_at"),
    editable=True,
)
Index("ix_visit_customer_start", visit.c.customer_id, visit.c.start_at)
Index("ix_visit_start", visit.c.start_at)

# Every customer of every visit (a visit may have several), so the 360 view finds a customer's
# visits through an index. Kept by triggers on ``visit`` (migration 0003), whatever path writes it.
visit_customer = Table(
    "visit_customer",
    metadata,
    Column("customer_id", Text, primary_key=True),
    Column("visit_id", Text, primary_key=True),
)

task = _entity(
    "task",
    _text("title", nullable=False),
    _text("kind"),
    _text("customer_id"),
    _text("related_entity"),
    _text("related_id"),
    _text("priority", nullable=False),
    _text("status", nullable=False),
    _text("due_at"),
    _text("sla_due_at"),
    _int("escalation_level"),
    _text("assignee_id"),
    _text("assigner_id"),
    _text("source_rule"),
    _text("completion_note"),
    _text("created_at"),
    _text("completed_at"),
    editable=True,
)
# (due, id) is the order Today and the task lists read in (migration 0004).
Index("ix_task_assignee_status_due", task.c.assignee_id, task.c.status, task.c.due_at, task.c.id)
Index("ix_task_customer", task.c.customer_id)

opportunity = _entity(
    "opportunity",
    _text("customer_id"),
    _text("lead_stub"),
    _text("product_id"),
    _text("category"),
    _text("amount"),
    _text("stage", nullable=False),
    _text("expected_close"),
    _text("source"),
    _text("suitability_snapshot"),
    _text("lost_reason"),
    _text("owner_id"),
    _text("created_at"),
    editable=True,
)
Index("ix_opportunity_customer", opportunity.c.customer_id)
Index("ix_opportunity_owner_stage", opportunity.c.owner_id, opportunity.c.stage)

alert = _entity(
    "alert",
    _text("rule_id", nullable=False),
    _text("customer_id"),
    _text("object_entity"),
    _text("object_id"),
    _text("severity"),
    _text("message"),
    _text("evidence"),
    _text("triggered_at"),
    _text("status", nullable=False),
    _text("dedupe_key"),
    _text("origin"),
    editable=True,
)
Index("ix_alert_status_rule", alert.c.status, alert.c.rule_id)
Index("ix_alert_customer", alert.c.customer_id)
Index("ix_alert_dedupe", alert.c.dedupe_key)

customer_tag = _entity(
    "customer_tag",
    _text("customer_id", nullable=False),
    _text("name", nullable=False),
    _text("category"),
    _text("source"),
    editable=True,
)
Index("ix_customer_tag_customer", customer_tag.c.customer_id)
Index("ix_customer_tag_name", customer_tag.c.name, customer_tag.c.customer_id)

employee = _entity(
    "employee",
    _text("name", nullable=False),
    _text("role"),
    _text("team_id"),
    _text("branch_id"),
    _text("title"),
    _bool("active"),
)

team = _entity(
    "team",
    _text("name", nullable=False),
    _text("branch_id"),
    _text("branch_name"),
    _text("lead_id"),
)

kpi = _entity(
    "kpi",
    _text("level", nullable=False),
    _text("subject_id", nullable=False),
    _text("metric", nullable=False),
    _text("period", nullable=False),
    _text("date", nullable=False),
    _text("value"),
    _text("target"),
    _int("rank"),
)
Index("ix_kpi_series", kpi.c.level, kpi.c.subject_id, kpi.c.metric, kpi.c.period, kpi.c.date)

rule_config = _entity(
    "rule_config",
    _text("rule_id", nullable=False),
    _text("params"),
    _bool("enabled"),
)

ENTITY_TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        customer,
        household,
        relationship,
        account,
        holding,
        transaction,
        product,
        visit,
        task,
        opportunity,
        alert,
        customer_tag,
        employee,
        team,
        kpi,
        rule_config,
    )
}

# Children purged with their customer when it leaves the user's scope.
CUSTOMER_CHILDREN: tuple[Table, ...] = (
    account,
    holding,
    transaction,
    visit,
    task,
    opportunity,
    alert,
    customer_tag,
)

# ---- local tables -------------------------------------------------------------------------------

outbox = Table(
    "outbox",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("op_id", Text, nullable=False, unique=True),
    Column("entity", Text, nullable=False),
    Column("record_id", Text, nullable=False),
    Column("op", Text, nullable=False),  # OpKind
    Column("base_rev", Integer),
    Column("fields", Text, nullable=False),  # JSON object of the fields this op sends
    # JSON: for an update, its fields' values just before the edit (this op's own merge base,
    # right even after a pull rebased the record); for a delete, the whole record to restore it.
    Column("snapshot", Text),
    Column("state", Text, nullable=False),  # OpState
    Column("attempts", Integer, nullable=False, server_default=text("0")),
    Column("created_at", Text, nullable=False),
    Column("updated_at", Text, nullable=False),
    Column("error_code", Text),
    Column("error_message", Text),
    Column("field_errors", Text),  # JSON object field -> message, for rejected ops
)
Index("ix_outbox_state_seq", outbox.c.state, outbox.c.seq)
Index("ix_outbox_record", outbox.c.entity, outbox.c.record_id)

conflict = Table(
    "conflict",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("entity", Text, nullable=False),
    Column("record_id", Text, nullable=False),
    Column("op_id", Text),
    Column("kind", Text, nullable=False),  # ConflictKind
    Column("field", Text),
    Column("base_value", Text),  # JSON
    Column("mine_value", Text),  # JSON
    Column("theirs_value", Text),  # JSON
    Column("server_rev", Integer),
    Column("created_at", Text, nullable=False),
    Column("resolved_at", Text),
    Column("resolution", Text),
)
Index("ix_conflict_open", conflict.c.resolved_at, conflict.c.entity, conflict.c.record_id)

sync_journal = Table(
    "sync_journal",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("ts", Text, nullable=False),
    Column("kind", Text, nullable=False),
    Column("entity", Text),
    Column("record_id", Text),
    Column("op_id", Text),
    Column("message", Text, nullable=False),  # fixed text and ids only, never customer data
    Column("detail", Text),  # JSON, stays inside the encrypted cache
)

sync_state = Table(
    "sync_state",
    metadata,
    Column("key", Text, primary_key=True),
    Column("value", Text),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("ts", Text, nullable=False),
    Column("user_id", Text),
    Column("device_id", Text),
    Column("action", Text, nullable=False),
    Column("entity", Text),
    Column("record_id", Text),
    Column("field", Text),
    Column("reason", Text),
    Column("detail", Text),  # JSON
    Column("prev_hash", Text, nullable=False),
    Column("hash", Text, nullable=False),
    Column("uploaded", Boolean(create_constraint=False), nullable=False, server_default=text("0")),
)
