"""Schema migrations of the local cache, with Alembic.

Revisions live in ``migrations/versions``. Each is frozen at the schema of its time: the first one
holds the DDL of the first schema as literal SQL, later ones alter it, so upgrading a cache made by
an old release always passes through the same steps. :func:`upgrade_to_head` runs on every open and
costs one small query when the cache is already current.

Alembic is imported only when a migration runs (or :func:`head_revision` is asked): importing it
takes about 0.4 s, a quarter of the window's start-up budget. The every-open check reads the head
from the revision files' ``revision`` / ``down_revision`` lines instead, and hands anything it
cannot read plainly (branches, merges, an unusual file) to Alembic.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, inspect, text

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).with_name("migrations")

_REVISION_LINE = re.compile(
    r"^(revision|down_revision)\s*(?::[^=]+)?=\s*(?:\"([^\"]*)\"|'([^']*)'|(None))\s*$",
    re.MULTILINE,
)


def alembic_config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "the migrations folder has no revisions"
    return head


def _plain_head_revision() -> str | None:
    """The single head of a linear history, read from the revision files without Alembic.

    Returns:
        The head's id, or ``None`` when the files are not a plain chain this reader understands
        (the caller then asks Alembic).
    """
    revisions: dict[str, str | None] = {}
    for path in sorted((MIGRATIONS_DIR / "versions").glob("*.py")):
        found: dict[str, str | None] = {}
        for match in _REVISION_LINE.finditer(path.read_text(encoding="utf-8")):
            name, double, single, _none = match.groups()
            value = double if double is not None else single
            if name in found:
                return None  # assigned twice: not a file to read by pattern
            found[name] = value
        if "revision" not in found or "down_revision" not in found or found["revision"] is None:
            return None
        revisions[found["revision"]] = found["down_revision"]
    parents = set(revisions.values())
    heads = [revision for revision in revisions if revision not in parents]
    roots = [revision for revision, parent in revisions.items() if parent is None]
    if len(heads) != 1 or len(roots) != 1 or len(parents) != len(revisions):
        return None  # branches or merges: Alembic knows
    return heads[0]


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
    if target == "head":
        current = current_revision(engine)
        if current is not None and current == _plain_head_revision():
            return
        if current == head_revision():
            return
    from alembic import command

    config = alembic_config()
    with engine.connect().execution_options(rm_desk_write=True) as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, target)
        conn.commit()
