"""Every customer of every visit, kept by triggers, for the 360 view's interactions.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22

A visit lists its customers in ``customer_ids`` (JSON). Finding a customer's visits by scanning that
text grew with the book; ``visit_customer`` holds one row per (customer, visit) behind an index.
Triggers keep it in step with ``visit`` for every writer (the sync ingest's upserts, the user's
edits, purges), and the existing visits are copied in here.
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

STATEMENTS = (
    """
CREATE TABLE visit_customer (
    customer_id TEXT NOT NULL,
    visit_id TEXT NOT NULL,
    PRIMARY KEY (customer_id, visit_id)
) WITHOUT ROWID
    """,
    "CREATE INDEX ix_visit_customer_visit ON visit_customer (visit_id)",
    """
CREATE TRIGGER visit_customer_insert AFTER INSERT ON visit BEGIN
    INSERT OR IGNORE INTO visit_customer (customer_id, visit_id)
    SELECT value, NEW.id FROM json_each(NEW.customer_ids) WHERE type = 'text';
END
    """,
    """
CREATE TRIGGER visit_customer_update AFTER UPDATE OF customer_ids ON visit
WHEN NEW.customer_ids IS NOT OLD.customer_ids BEGIN
    DELETE FROM visit_customer WHERE visit_id = OLD.id;
    INSERT OR IGNORE INTO visit_customer (customer_id, visit_id)
    SELECT value, NEW.id FROM json_each(NEW.customer_ids) WHERE type = 'text';
END
    """,
    """
CREATE TRIGGER visit_customer_delete AFTER DELETE ON visit BEGIN
    DELETE FROM visit_customer WHERE visit_id = OLD.id;
END
    """,
    """
INSERT OR IGNORE INTO visit_customer (customer_id, visit_id)
SELECT j.value, v.id FROM visit AS v, json_each(v.customer_ids) AS j WHERE j.type = 'text'
    """,
)


def upgrade() -> None:
    for statement in STATEMENTS:
        op.execute(statement)


def downgrade() -> None:
    raise NotImplementedError("the cache is rebuilt from the server rather than downgraded")
