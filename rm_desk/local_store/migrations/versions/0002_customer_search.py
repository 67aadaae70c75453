"""The customer search index (FTS5 over name, pinyin, initials, last 4 digits, tags).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22

Creates the index empty and marks it stale; the store fills it from the customers already in the
cache right after migrating (``migrate.ensure_search_index``), with the search code of the running
release. That keeps this revision frozen while the indexing code may improve.
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from rm_desk.local_store.search import SEARCH_DDL

    for statement in SEARCH_DDL:
        op.execute(statement)
    op.execute(
        "INSERT OR REPLACE INTO sync_state (key, value) VALUES ('search_index_version', NULL)"
    )


def downgrade() -> None:
    raise NotImplementedError("the cache is rebuilt from the server rather than downgraded")
