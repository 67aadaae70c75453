"""Upgrading a cache made by an older release keeps every row."""

from __future__ import annotations

import shutil

from sqlalchemy import text

from rm_desk.domain.enums import Tier
from rm_desk.local_store import open_store
from rm_desk.local_store.keys import key_name_for
from rm_desk.local_store.migrate import current_revision, head_revision
from rm_desk.local_store.queries import CustomerSort, customer_page
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


def test_an_upgraded_cache_sorts_its_customers_by_tier_in_the_banks_order(tmp_path, clock):
    path = tmp_path / "cache.db"
    shutil.copyfile(FIXTURE, path)
    vault = PersistentTestVault({key_name_for(path): FIXTURE_KEY})

    store = open_store(path, vault, clock=clock)
    try:
        with store.read() as conn:
            unranked = conn.execute(
                text("SELECT count(*) FROM customer WHERE tier_order IS NULL")
            ).scalar_one()
            rows = customer_page(conn, sort=CustomerSort.TIER, limit=1000).rows
    finally:
        store.close()

    assert unranked == 0
    ranks = [list(Tier).index(Tier(row.tier)) for row in rows]
    assert ranks == sorted(ranks) and len(set(ranks)) > 1
