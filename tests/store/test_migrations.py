"""Upgrading a cache made by an older release keeps every row."""

from __future__ import annotations

import shutil

from sqlalchemy import text

from rm_desk.local_store import open_store
from rm_desk.local_store.keys import key_name_for
from rm_desk.local_store.migrate import current_revision, head_revision
from rm_desk.local_store.search import search_customers
from tests.conftest import PersistentTestVault
from tests.store.fixtures.make_cache_0001 import FIXTURE, FIXTURE_KEY, ROW_COUNTS


def test_cache_made_by_the_first_schema_upgrades_without_losing_a_row(tmp_path, clock):
    path = tmp_path / "cache.db"
    shutil.copyfile(FIXTURE, path)
    vault = PersistentTestVault({key_name_for(path): FIXTURE_KEY})

    store = open_store(path, vault, clock=clock)
    try:
        assert current_revision(store.engine) == head_revision() != "0001"
        with store.read() as conn:
            counts = {
                table: conn.execute(text(f'SELECT count(*) FROM "{table}"')).scalar_one()
                for table in ROW_COUNTS
            }
            # The search index added after 0001 was filled from the customers already cached.
            first = conn.execute(text("SELECT id, mobile_masked FROM customer ORDER BY id")).first()
            hits = search_customers(conn, first.mobile_masked[-4:])
        assert counts == ROW_COUNTS
        assert first.id in [hit.customer_id for hit in hits]
        assert store.check_integrity().ok
    finally:
        store.close()


def test_fixture_really_is_at_the_first_revision(tmp_path, clock):
    path = tmp_path / "cache.db"
    shutil.copyfile(FIXTURE, path)
    vault = PersistentTestVault({key_name_for(path): FIXTURE_KEY})

    store = open_store(path, vault, clock=clock, migrate=False)
    try:
        assert current_revision(store.engine) == "0001"
    finally:
        store.close()
