"""Transactions lose their index by account, which no query reads.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23

Every read of the cached transactions goes by customer, newest first (the 360 view's pages, the
purge of a customer's children: ``ix_transaction_customer_ts``). The index of (account_id, ts)
was kept up by every transaction a sync writes, a third of the rows of a first sync, for nothing.
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("DROP INDEX ix_transaction_account_ts")


def downgrade() -> None:
    raise NotImplementedError("the cache is rebuilt from the server rather than downgraded")
