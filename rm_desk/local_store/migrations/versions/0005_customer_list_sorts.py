"""The customer list sorts by tier, risk level and RM, and every sort is a walk of an index.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23

``tier_order`` is a virtual generated column (the tier's rank, then the AUM within it: see
``schema.TIER_ORDER_SQL``), so the list can sort by tier in the bank's order (普通 … 私行) rather
than by the codes' spelling. Each new sort has an index of (column, id), the list's keyset, and
so do the last-contact and next-review sorts, which sorted the whole book for every page before.
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# Written out, not imported from schema.py: a migration keeps what it did when it was written.
TIER_ORDER_SQL = (
    "(CASE tier WHEN 'standard' THEN 0 WHEN 'gold' THEN 1 WHEN 'platinum' THEN 2"
    " WHEN 'diamond' THEN 3 WHEN 'private' THEN 4 END) * 1000000000000000 + coalesce(aum_num, 0)"
)

STATEMENTS = (
    f"ALTER TABLE customer ADD COLUMN tier_order INTEGER GENERATED ALWAYS AS ({TIER_ORDER_SQL})"
    " VIRTUAL",
    "CREATE INDEX ix_customer_tier_order ON customer (tier_order, id)",
    "CREATE INDEX ix_customer_risk ON customer (risk_level, id)",
    "CREATE INDEX ix_customer_rm_id ON customer (primary_rm_id, id)",
    "CREATE INDEX ix_customer_last_contact ON customer (last_contact_at, id)",
    "CREATE INDEX ix_customer_next_review ON customer (next_review_at, id)",
)


def upgrade() -> None:
    for statement in STATEMENTS:
        op.execute(statement)


def downgrade() -> None:
    raise NotImplementedError("the cache is rebuilt from the server rather than downgraded")
