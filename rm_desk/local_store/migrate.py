"""Schema migrations of the local cache, with Alembic.

Revisions live in ``migrations/versions``. Each is frozen at the schema of its time: the first one
holds the DDL of the first schema as literal SQL, later ones alter it, so upgrading a cache made by
an old release always passes through the same steps. :func:`upgrade_to_head` runs on every open and
costs
one small query when the cache is already current.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, text

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "the migrations folder has no revisions"
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one_or_none()


SEARCH_INDEX_VERSION = "1"
"""Bump when the search documents change shape: the next open rebuilds the index."""


def ensure_search_index(engine: Engine) -> bool:
    """Rebuild the customer search index if it was made by other search code. True if rebuilt."""
    from rm_desk.local_store.search import rebuild_search
    from rm_desk.local_store.sync_state import get_state, set_state

    with engine.connect() as conn:
        if get_state(conn, "search_index_version") == SEARCH_INDEX_VERSION:
            return False
    with engine.connect().execution_options(rm_desk_write=True) as conn, conn.begin():
        rebuild_search(conn)
        set_state(conn, "search_index_version", SEARCH_INDEX_VERSION)
    return True


def upgrade_to_head(engine: Engine, target: str = "head") -> None:
    """Bring the cache's schema to ``target`` (default: the newest revision)."""
    if target == "head" and current_revision(engine) == head_revision():
        return
    config = alembic_config()
    with engine.connect().execution_options(rm_desk_write=True) as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, target)
        conn.commit()
