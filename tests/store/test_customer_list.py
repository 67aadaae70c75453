"""The customer list's count, tags and export walk agree with the list's own pages."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import text

from rm_desk.local_store import Store
from rm_desk.local_store.customer_list import (
    customer_count,
    matching_customers,
    tag_names,
    tags_of,
)
from rm_desk.local_store.ingest import apply_page
from rm_desk.local_store.queries import CustomerFilter, CustomerSort, customer_page
from tests import factories

FILTERS = [
    CustomerFilter(),
    CustomerFilter(tiers=frozenset({"gold", "diamond"})),
    CustomerFilter(risk_levels=frozenset({"C3"})),
    CustomerFilter(tags=frozenset({"高净值", "代发"})),
    CustomerFilter(aum_min=Decimal("100000"), aum_max=Decimal("3000000")),
]


@pytest.fixture
def book(store: Store) -> Store:
    apply_page(store, list(factories.book(80, seed=5)), "c1")
    return store


@pytest.mark.parametrize("filters", FILTERS)
def test_count_and_export_walk_match_the_lists_pages(book: Store, filters: CustomerFilter) -> None:
    with book.read() as conn:
        listed = customer_page(conn, filters=filters, sort=CustomerSort.AUM, limit=10_000).rows
        walked = [
            row
            for page in matching_customers(
                conn, filters=filters, sort=CustomerSort.AUM, page_size=6
            )
            for row in page
        ]
        count = customer_count(conn, filters)
    assert count == len(listed)
    assert [row.id for row in walked] == [row.id for row in listed]


def test_filters_do_narrow_the_book(book: Store) -> None:
    with book.read() as conn:
        counts = [customer_count(conn, f) for f in FILTERS]
    assert counts[0] == 80
    assert all(0 < n < 80 for n in counts[1:])


def test_tags_of_a_page_come_in_one_read_sorted_by_name(book: Store) -> None:
    with book.read() as conn:
        ids = [row[0] for row in conn.execute(text("SELECT id FROM customer ORDER BY id"))]
        expected: dict[str, list[str]] = {}
        for cid, name in conn.execute(text("SELECT customer_id, name FROM customer_tag")):
            expected.setdefault(cid, []).append(name)
        found = tags_of(conn, ids)
        names = tag_names(conn)
    assert found == {cid: tuple(sorted(v)) for cid, v in expected.items()}
    assert names == tuple(sorted({n for v in expected.values() for n in v}))
