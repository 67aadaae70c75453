"""A partial index of visits shared by several customers, for the 360 view's interactions.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        "CREATE INDEX ix_visit_shared ON visit (customer_ids) "
        "WHERE json_array_length(customer_ids) > 1"
    )


def downgrade() -> None:
    raise NotImplementedError("the cache is rebuilt from the server rather than downgraded")
