"""Saved filters of the customer list: per user, in the encrypted cache, surviving a reopen."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from rm_desk.errors import WriteRejected
from rm_desk.local_store import Store, open_store
from rm_desk.local_store.queries import CustomerFilter
from rm_desk.local_store.saved_filters import (
    KEY_PREFIX,
    MAX_SAVED,
    SavedFilter,
    delete_filter,
    filter_from_json,
    filter_to_json,
    save_filter,
    saved_filters,
)
from rm_desk.local_store.sync_state import set_state
from tests.conftest import FakeClock, PersistentTestVault

MONDAY = CustomerFilter(
    tiers=frozenset({"diamond", "private"}),
    risk_levels=frozenset({"C4"}),
    tags=frozenset({"到期客户"}),
    rm_ids=frozenset({"rm002"}),
    aum_min=Decimal("500000"),
    aum_max=Decimal("12500000.50"),
)


def test_a_saved_filter_comes_back_exactly_after_the_cache_is_reopened(
    store: Store, data_dir: Path, vault: PersistentTestVault, clock: FakeClock
) -> None:
    with store.write() as conn:
        save_filter(conn, "rm001", "周一复盘", MONDAY)
        save_filter(conn, "rm001", "Gold only", CustomerFilter(tiers=frozenset({"gold"})))
    store.close()

    with open_store(data_dir / "cache.db", vault, clock=clock) as reopened, reopened.read() as conn:
        found = saved_filters(conn, "rm001")

    assert found == (
        SavedFilter("周一复盘", MONDAY),
        SavedFilter("Gold only", CustomerFilter(tiers=frozenset({"gold"}))),
    )


def test_saved_filters_are_each_users_own(store: Store) -> None:
    with store.write() as conn:
        save_filter(conn, "rm001", "mine", MONDAY)
    with store.read() as conn:
        assert saved_filters(conn, "lead01") == ()
        assert [f.name for f in saved_filters(conn, "rm001")] == ["mine"]


def test_saving_under_an_existing_name_replaces_it_in_place(store: Store) -> None:
    with store.write() as conn:
        save_filter(conn, "rm001", "a", MONDAY)
        save_filter(conn, "rm001", "b", CustomerFilter())
        updated = save_filter(conn, "rm001", "  a ", CustomerFilter(tags=frozenset({"x"})))
    assert updated == (
        SavedFilter("a", CustomerFilter(tags=frozenset({"x"}))),
        SavedFilter("b", CustomerFilter()),
    )


def test_deleting_forgets_only_that_filter(store: Store) -> None:
    with store.write() as conn:
        save_filter(conn, "rm001", "a", MONDAY)
        save_filter(conn, "rm001", "b", CustomerFilter())
        delete_filter(conn, "rm001", "a")
        delete_filter(conn, "rm001", "no such filter")
    with store.read() as conn:
        assert saved_filters(conn, "rm001") == (SavedFilter("b", CustomerFilter()),)


@pytest.mark.parametrize("name", ["", "   ", "x" * 41])
def test_a_blank_or_overlong_name_is_refused_and_nothing_saved(store: Store, name: str) -> None:
    with pytest.raises(WriteRejected), store.write() as conn:
        save_filter(conn, "rm001", name, MONDAY)
    with store.read() as conn:
        assert saved_filters(conn, "rm001") == ()


def test_at_most_fifty_filters_are_kept(store: Store) -> None:
    with store.write() as conn:
        for n in range(MAX_SAVED):
            save_filter(conn, "rm001", f"f{n}", CustomerFilter())
    with pytest.raises(WriteRejected), store.write() as conn:
        save_filter(conn, "rm001", "one too many", CustomerFilter())
    with store.write() as conn:  # replacing one is still allowed
        assert len(save_filter(conn, "rm001", "f3", MONDAY)) == MAX_SAVED


@pytest.mark.parametrize(
    "document",
    [
        "not json",
        '{"version": 99, "filters": []}',
        '{"version": 1, "filters": [{"name": "x", "tiers": "gold"}]}',
        '{"version": 1, "filters": [{"name": "x", "aum_min": "lots"}]}',
        '{"version": 1, "filters": [{"tiers": []}]}',
    ],
)
def test_an_unreadable_document_reads_as_no_filters_and_is_replaced_on_save(
    store: Store, document: str
) -> None:
    with store.write() as conn:
        set_state(conn, f"{KEY_PREFIX}rm001", document)
    with store.read() as conn:
        assert saved_filters(conn, "rm001") == ()
    with store.write() as conn:
        save_filter(conn, "rm001", "fresh", MONDAY)
    with store.read() as conn:
        assert saved_filters(conn, "rm001") == (SavedFilter("fresh", MONDAY),)


def test_the_json_form_round_trips_and_reads_as_plain_values() -> None:
    data = filter_to_json(MONDAY)
    assert data == {
        "tiers": ["diamond", "private"],
        "risk_levels": ["C4"],
        "tags": ["到期客户"],
        "rm_ids": ["rm002"],
        "aum_min": "500000",
        "aum_max": "12500000.50",
    }
    assert filter_from_json(data) == MONDAY
    assert filter_from_json({}) == CustomerFilter()
