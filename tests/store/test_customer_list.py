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


_SORT_COLUMN = {
    CustomerSort.NAME: "name_pinyin",
    CustomerSort.TIER: "tier_order",
    CustomerSort.RISK: "risk_level",
    CustomerSort.RM: "primary_rm_id",
    CustomerSort.AUM: "aum_num",
    CustomerSort.LAST_CONTACT: "last_contact_at",
    CustomerSort.NEXT_REVIEW: "next_review_at",
}
PLAN_FILTERS = [
    *FILTERS[1:],
    CustomerFilter(tiers=frozenset({"private"})),
    CustomerFilter(rm_ids=frozenset({"rm001"}), aum_min=Decimal("50000")),
    CustomerFilter(tiers=frozenset({"gold", "platinum"}), tags=frozenset({"代发"})),
]


def _expected_ids(book: Store, filters: CustomerFilter, sort: CustomerSort, descending: bool):
    """The list's order worked out in Python from the raw rows: by the sort's value, then id,
    both reversed when descending; rows without a value last, by id the same way."""
    with book.read() as conn:
        rows = conn.execute(text("SELECT * FROM customer")).mappings().all()
        tags = conn.execute(text("SELECT customer_id, name FROM customer_tag")).all()
    tagged = {customer_id for customer_id, name in tags if name in filters.tags}

    def matches(row) -> bool:
        aum = row["aum_num"]
        return (
            (not filters.tiers or row["tier"] in filters.tiers)
            and (not filters.risk_levels or row["risk_level"] in filters.risk_levels)
            and (not filters.rm_ids or row["primary_rm_id"] in filters.rm_ids)
            and (filters.aum_min is None or (aum is not None and aum >= filters.aum_min * 100))
            and (filters.aum_max is None or (aum is not None and aum <= filters.aum_max * 100))
            and (not filters.tags or row["id"] in tagged)
        )

    column = _SORT_COLUMN[sort]
    chosen = [row for row in rows if matches(row)]
    valued = sorted(
        (row for row in chosen if row[column] is not None),
        key=lambda row: (row[column], row["id"]),
        reverse=descending,
    )
    unvalued = sorted(
        (row for row in chosen if row[column] is None), key=lambda r: r["id"], reverse=descending
    )
    return [row["id"] for row in [*valued, *unvalued]]


@pytest.mark.parametrize("filters", PLAN_FILTERS)
@pytest.mark.parametrize("sort", list(CustomerSort))
@pytest.mark.parametrize("descending", [False, True])
def test_a_filtered_list_reads_the_same_rows_walked_or_sorted(
    book: Store, filters: CustomerFilter, sort: CustomerSort, descending: bool
) -> None:
    expected = _expected_ids(book, filters, sort, descending)
    assert expected, "the filter matches someone"
    with book.read() as conn:
        by_plan = {}
        for plan, matching in (("walked", 10**9), ("sorted", 0)):
            ids, key = [], None
            while True:
                page = customer_page(
                    conn,
                    sort=sort,
                    descending=descending,
                    filters=filters,
                    after=key,
                    limit=4,
                    matching=matching,
                )
                ids += [row.id for row in page.rows]
                if page.next_key is None:
                    break
                key = page.next_key
            by_plan[plan] = ids
    assert by_plan == {"walked": expected, "sorted": expected}
