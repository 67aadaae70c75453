"""The customer search index (FTS5 over name, pinyin, initials, last 4 digits, tags).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22

Creates the index empty and marks it stale; the store fills it from the customers already in the
cache right after migrating (``migrate.ensure_search_index``), with the search code of the running
release. That keeps this revision frozen while the indexing code may improve; a change to the
index's tables needs a new revision that drops and recreates them.
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


# The index's DDL as search.py had it for this revision, frozen here.
STATEMENTS = (
    """
CREATE TABLE IF NOT EXISTS customer_search_doc (
    customer_id TEXT PRIMARY KEY,
    doc_id INTEGER NOT NULL UNIQUE,
    serial INTEGER NOT NULL UNIQUE,
    aum_num INTEGER NOT NULL,
    whole TEXT NOT NULL,
    pinyin TEXT NOT NULL,
    abbrev TEXT NOT NULL,
    initials TEXT NOT NULL,
    name TEXT NOT NULL,
    syllables TEXT NOT NULL,
    digits TEXT NOT NULL,
    tags TEXT NOT NULL
)
    """,
    """
CREATE VIRTUAL TABLE IF NOT EXISTS customer_search USING fts5(
    whole, pinyin, abbrev, initials, name, syllables, digits, tags,
    content = '',
    contentless_delete = 1,
    tokenize = "unicode61 remove_diacritics 2 tokenchars '_'",
    prefix = '1 2 3 4 5 6',
    detail = full
)
    """,
    """
INSERT INTO customer_search (customer_search, rank) VALUES ('pgsz', 3600)
    """,
    """
INSERT INTO customer_search (customer_search, rank) VALUES ('hashsize', 16777216)
    """,
)


def upgrade() -> None:
    for statement in STATEMENTS:
        op.execute(statement)
    op.execute(
        "INSERT OR REPLACE INTO sync_state (key, value) VALUES ('search_index_version', NULL)"
    )


def downgrade() -> None:
    raise NotImplementedError("the cache is rebuilt from the server rather than downgraded")
