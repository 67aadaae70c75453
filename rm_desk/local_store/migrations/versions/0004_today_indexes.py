"""Indexes that let Today read its first rows without sorting the whole book.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23

Today shows the first rows of each section in (due, id) and (maturity, customer, id) order. With
the id and customer missing from the indexes, SQLite looked up every open task of the RM (15,000
in a 50,000-customer book) and every account maturing that week in the table to sort them, each
lookup a page decrypted on a fresh connection: about 110 ms of the window's cold start. With them,
each section is one ordered walk of an index that stops after the rows shown.
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

STATEMENTS = (
    "DROP INDEX IF EXISTS ix_task_assignee_status_due",
    "CREATE INDEX ix_task_assignee_status_due ON task (assignee_id, status, due_at, id)",
    "DROP INDEX IF EXISTS ix_account_maturity",
    "CREATE INDEX ix_account_maturity ON account (maturity_date, customer_id, id)",
    "DROP INDEX IF EXISTS ix_holding_maturity",
    "CREATE INDEX ix_holding_maturity ON holding (maturity_or_next_open, customer_id, id)",
)


def upgrade() -> None:
    for statement in STATEMENTS:
        op.execute(statement)


def downgrade() -> None:
    raise NotImplementedError("the cache is rebuilt from the server rather than downgraded")
