"""The first schema of the cache: every entity of DOMAIN.md and the local sync tables.

Revision ID: 0001
Revises:
Create Date: 2026-11-22

Frozen DDL, generated once from ``schema.py`` as it stood for this revision. Never edit it:
change the schema with a new revision.
"""

from __future__ import annotations

from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

STATEMENTS = (
    """
CREATE TABLE account (
    id TEXT NOT NULL,
    rev INTEGER DEFAULT 0 NOT NULL,
    customer_id TEXT NOT NULL,
    type TEXT NOT NULL,
    number_masked TEXT,
    product_id TEXT,
    currency TEXT,
    status TEXT,
    balance TEXT,
    available TEXT,
    as_of TEXT,
    opened_on TEXT,
    maturity_date TEXT,
    rate TEXT,
    loan_outstanding TEXT,
    next_payment_date TEXT,
    next_payment_amount TEXT,
    days_past_due INTEGER,
    repayment_account_id TEXT,
    card_limit TEXT,
    PRIMARY KEY (id)
)
    """,
    """
CREATE INDEX ix_account_customer ON account (customer_id)
    """,
    """
CREATE INDEX ix_account_maturity ON account (maturity_date)
    """,
    """
CREATE INDEX ix_account_next_payment ON account (next_payment_date)
    """,
    """
CREATE TABLE alert (
    id TEXT NOT NULL,
    rev INTEGER DEFAULT 0 NOT NULL,
    rule_id TEXT NOT NULL,
    customer_id TEXT,
    object_entity TEXT,
    object_id TEXT,
    severity TEXT,
    message TEXT,
    evidence TEXT,
    triggered_at TEXT,
    status TEXT NOT NULL,
    dedupe_key TEXT,
    origin TEXT,
    base TEXT,
    PRIMARY KEY (id)
)
    """,
    """
CREATE INDEX ix_alert_customer ON alert (customer_id)
    """,
    """
CREATE INDEX ix_alert_dedupe ON alert (dedupe_key)
    """,
    """
CREATE INDEX ix_alert_status_rule ON alert (status, rule_id)
    """,
    """
CREATE TABLE audit_log (
    seq INTEGER NOT NULL,
    ts TEXT NOT NULL,
    user_id TEXT,
    device_id TEXT,
    action TEXT NOT NULL,
    entity TEXT,
    record_id TEXT,
    field TEXT,
    reason TEXT,
    detail TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    uploaded BOOLEAN DEFAULT 0 NOT NULL,
    PRIMARY KEY (seq)
)
    """,
    """
CREATE TABLE "conflict" (
    id INTEGER NOT NULL,
    entity TEXT NOT NULL,
    record_id TEXT NOT NULL,
    op_id TEXT,
    kind TEXT NOT NULL,
    field TEXT,
    base_value TEXT,
    mine_value TEXT,
    theirs_value TEXT,
    server_rev INTEGER,
    created_at TEXT NOT NULL,
    resolved_at TEXT,
    resolution TEXT,
    PRIMARY KEY (id)
)
    """,
    """
CREATE INDEX ix_conflict_open ON "conflict" (resolved_at, entity, record_id)
    """,
    """
CREATE TABLE customer (
    id TEXT NOT NULL,
    rev INTEGER DEFAULT 0 NOT NULL,
    name TEXT NOT NULL,
    name_pinyin TEXT,
    gender TEXT,
    birth_date TEXT,
    id_type TEXT,
    id_no_masked TEXT,
    id_expiry TEXT,
    mobile_masked TEXT,
    address_summary TEXT,
    occupation TEXT,
    tier TEXT NOT NULL,
    tier_since TEXT,
    tier_watch BOOLEAN DEFAULT 0 NOT NULL,
    aum TEXT,
    aum_num INTEGER GENERATED ALWAYS AS (CAST(ROUND(CAST(aum AS REAL) * 100) AS INTEGER)),
    aum_mtd_avg TEXT,
    aum_12m TEXT,
    risk_level TEXT,
    risk_assessed_on TEXT,
    risk_is_lowest BOOLEAN DEFAULT 0 NOT NULL,
    is_qualified_investor BOOLEAN DEFAULT 0 NOT NULL,
    investor_class TEXT,
    primary_rm_id TEXT,
    branch_id TEXT,
    household_id TEXT,
    relationship_since TEXT,
    last_contact_at TEXT,
    next_review_at TEXT,
    lifecycle_stage TEXT,
    rfm_r INTEGER,
    rfm_f INTEGER,
    rfm_m INTEGER,
    churn_score TEXT,
    contact_prefs TEXT,
    soft_profile TEXT,
    is_corporate BOOLEAN DEFAULT 0 NOT NULL,
    uscc TEXT,
    industry TEXT,
    size TEXT,
    credit_line TEXT,
    credit_line_expiry TEXT,
    base TEXT,
    PRIMARY KEY (id)
)
    """,
    """
CREATE INDEX ix_customer_aum ON customer (aum_num, id)
    """,
    """
CREATE INDEX ix_customer_household ON customer (household_id)
    """,
    """
CREATE INDEX ix_customer_name_pinyin ON customer (name_pinyin, id)
    """,
    """
CREATE INDEX ix_customer_rm ON customer (primary_rm_id, aum_num)
    """,
    """
CREATE INDEX ix_customer_tier ON customer (tier, aum_num)
    """,
    """
CREATE TABLE customer_tag (
    id TEXT NOT NULL,
    rev INTEGER DEFAULT 0 NOT NULL,
    customer_id TEXT NOT NULL,
    name TEXT NOT NULL,
    category TEXT,
    source TEXT,
    base TEXT,
    PRIMARY KEY (id)
)
    """,
    """
CREATE INDEX ix_customer_tag_customer ON customer_tag (customer_id)
    """,
    """
CREATE INDEX ix_customer_tag_name ON customer_tag (name, customer_id)
    """,
    """
CREATE TABLE employee (
    id TEXT NOT NULL,
    rev INTEGER DEFAULT 0 NOT NULL,
    name TEXT NOT NULL,
    role TEXT,
    team_id TEXT,
    branch_id TEXT,
    title TEXT,
    active BOOLEAN DEFAULT 0 NOT NULL,
    PRIMARY KEY (id)
)
    """,
    """
CREATE TABLE holding (
    id TEXT NOT NULL,
    rev INTEGER DEFAULT 0 NOT NULL,
    account_id TEXT,
    customer_id TEXT NOT NULL,
    product_id TEXT,
    units TEXT,
    cost TEXT,
    market_value TEXT,
    as_of TEXT,
    maturity_or_next_open TEXT,
    product_risk_level TEXT,
    PRIMARY KEY (id)
)
    """,
    """
CREATE INDEX ix_holding_customer ON holding (customer_id)
    """,
    """
CREATE INDEX ix_holding_maturity ON holding (maturity_or_next_open)
    """,
    """
CREATE TABLE household (
    id TEXT NOT NULL,
    rev INTEGER DEFAULT 0 NOT NULL,
    name TEXT,
    head_customer_id TEXT,
    members TEXT NOT NULL,
    PRIMARY KEY (id)
)
    """,
    """
CREATE TABLE kpi (
    id TEXT NOT NULL,
    rev INTEGER DEFAULT 0 NOT NULL,
    level TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    metric TEXT NOT NULL,
    period TEXT NOT NULL,
    date TEXT NOT NULL,
    value TEXT,
    target TEXT,
    rank INTEGER,
    PRIMARY KEY (id)
)
    """,
    """
CREATE INDEX ix_kpi_series ON kpi (level, subject_id, metric, period, date)
    """,
    """
CREATE TABLE opportunity (
    id TEXT NOT NULL,
    rev INTEGER DEFAULT 0 NOT NULL,
    customer_id TEXT,
    lead_stub TEXT,
    product_id TEXT,
    category TEXT,
    amount TEXT,
    stage TEXT NOT NULL,
    expected_close TEXT,
    source TEXT,
    suitability_snapshot TEXT,
    lost_reason TEXT,
    owner_id TEXT,
    created_at TEXT,
    base TEXT,
    PRIMARY KEY (id)
)
    """,
    """
CREATE INDEX ix_opportunity_customer ON opportunity (customer_id)
    """,
    """
CREATE INDEX ix_opportunity_owner_stage ON opportunity (owner_id, stage)
    """,
    """
CREATE TABLE outbox (
    seq INTEGER NOT NULL,
    op_id TEXT NOT NULL,
    entity TEXT NOT NULL,
    record_id TEXT NOT NULL,
    op TEXT NOT NULL,
    base_rev INTEGER,
    fields TEXT NOT NULL,
    snapshot TEXT,
    state TEXT NOT NULL,
    attempts INTEGER DEFAULT 0 NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    error_code TEXT,
    error_message TEXT,
    field_errors TEXT,
    PRIMARY KEY (seq),
    UNIQUE (op_id)
)
    """,
    """
CREATE INDEX ix_outbox_record ON outbox (entity, record_id)
    """,
    """
CREATE INDEX ix_outbox_state_seq ON outbox (state, seq)
    """,
    """
CREATE TABLE product (
    id TEXT NOT NULL,
    rev INTEGER DEFAULT 0 NOT NULL,
    code TEXT,
    name TEXT NOT NULL,
    category TEXT NOT NULL,
    risk_level TEXT,
    term_days INTEGER,
    min_amount TEXT,
    benchmark_yield TEXT,
    on_sale BOOLEAN DEFAULT 0 NOT NULL,
    requires_dual_recording BOOLEAN DEFAULT 0 NOT NULL,
    qualified_investor_only BOOLEAN DEFAULT 0 NOT NULL,
    PRIMARY KEY (id)
)
    """,
    """
CREATE TABLE relationship (
    id TEXT NOT NULL,
    rev INTEGER DEFAULT 0 NOT NULL,
    from_customer_id TEXT NOT NULL,
    to_customer_id TEXT,
    to_company_name TEXT,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    source TEXT,
    base TEXT,
    PRIMARY KEY (id)
)
    """,
    """
CREATE INDEX ix_relationship_from ON relationship (from_customer_id)
    """,
    """
CREATE INDEX ix_relationship_to ON relationship (to_customer_id)
    """,
    """
CREATE TABLE rule_config (
    id TEXT NOT NULL,
    rev INTEGER DEFAULT 0 NOT NULL,
    rule_id TEXT NOT NULL,
    params TEXT,
    enabled BOOLEAN DEFAULT 0 NOT NULL,
    PRIMARY KEY (id)
)
    """,
    """
CREATE TABLE sync_journal (
    id INTEGER NOT NULL,
    ts TEXT NOT NULL,
    kind TEXT NOT NULL,
    entity TEXT,
    record_id TEXT,
    op_id TEXT,
    message TEXT NOT NULL,
    detail TEXT,
    PRIMARY KEY (id)
)
    """,
    """
CREATE TABLE sync_state (
    "key" TEXT NOT NULL,
    value TEXT,
    PRIMARY KEY ("key")
)
    """,
    """
CREATE TABLE task (
    id TEXT NOT NULL,
    rev INTEGER DEFAULT 0 NOT NULL,
    title TEXT NOT NULL,
    kind TEXT,
    customer_id TEXT,
    related_entity TEXT,
    related_id TEXT,
    priority TEXT NOT NULL,
    status TEXT NOT NULL,
    due_at TEXT,
    sla_due_at TEXT,
    escalation_level INTEGER,
    assignee_id TEXT,
    assigner_id TEXT,
    source_rule TEXT,
    completion_note TEXT,
    created_at TEXT,
    completed_at TEXT,
    base TEXT,
    PRIMARY KEY (id)
)
    """,
    """
CREATE INDEX ix_task_assignee_status_due ON task (assignee_id, status, due_at)
    """,
    """
CREATE INDEX ix_task_customer ON task (customer_id)
    """,
    """
CREATE TABLE team (
    id TEXT NOT NULL,
    rev INTEGER DEFAULT 0 NOT NULL,
    name TEXT NOT NULL,
    branch_id TEXT,
    branch_name TEXT,
    lead_id TEXT,
    PRIMARY KEY (id)
)
    """,
    """
CREATE TABLE "transaction" (
    id TEXT NOT NULL,
    rev INTEGER DEFAULT 0 NOT NULL,
    account_id TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    ts TEXT NOT NULL,
    amount TEXT NOT NULL,
    direction TEXT NOT NULL,
    type TEXT,
    channel TEXT,
    counterparty_masked TEXT,
    other_bank BOOLEAN DEFAULT 0 NOT NULL,
    PRIMARY KEY (id)
)
    """,
    """
CREATE INDEX ix_transaction_account_ts ON "transaction" (account_id, ts)
    """,
    """
CREATE INDEX ix_transaction_customer_ts ON "transaction" (customer_id, ts)
    """,
    """
CREATE TABLE visit (
    id TEXT NOT NULL,
    rev INTEGER DEFAULT 0 NOT NULL,
    customer_ids TEXT NOT NULL,
    customer_id TEXT,
    rm_id TEXT,
    channel TEXT,
    purpose TEXT,
    start_at TEXT,
    end_at TEXT,
    location_text TEXT,
    notes TEXT,
    outcome TEXT,
    next_steps TEXT,
    linked_task_ids TEXT,
    linked_opportunity_ids TEXT,
    created_at TEXT,
    base TEXT,
    PRIMARY KEY (id)
)
    """,
    """
CREATE INDEX ix_visit_customer_start ON visit (customer_id, start_at)
    """,
    """
CREATE INDEX ix_visit_start ON visit (start_at)
    """,
)


def upgrade() -> None:
    for statement in STATEMENTS:
        op.execute(statement)


def downgrade() -> None:
    raise NotImplementedError("the cache is rebuilt from the server rather than downgraded")
