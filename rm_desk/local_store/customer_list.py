"""What the Customers screen reads besides :func:`~.queries.customer_page`.

:func:`~.queries.customer_page` gives one keyset page of the list; the screen also needs how many
customers match the filters (one ``COUNT``), the tags of the rows on a page (one query per page,
not one per row), the choices of its filter bar (tag names, the RMs whose customers are cached) and,
for an export, every matching row in list order. The filter conditions are the very ones
:func:`~.queries.customer_page` applies, so the count and the export always agree with the table.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, select

from rm_desk.local_store import schema

# The list's filter conditions and its count live in queries.py (customer_page counts to choose
# its plan); reusing them keeps the count, the table and the export reading the same rows.
from rm_desk.local_store.queries import (
    CustomerFilter,
    CustomerListRow,
    CustomerSort,
    PageKey,
    customer_count,
    customer_page,
)

EXPORT_PAGE_SIZE = 1000
"""Rows per keyset page while an export walks the whole list (off the GUI thread)."""

_IN_CHUNK = 500  # stays well under SQLite's bound-parameter limit


@dataclass(frozen=True, slots=True)
class RmChoice:
    """An RM a team lead may narrow the list to."""

    id: str
    name: str


def tags_of(conn: Connection, customer_ids: Sequence[str]) -> dict[str, tuple[str, ...]]:
    """The tag names of each of ``customer_ids``, sorted; customers without tags are left out."""
    t = schema.customer_tag
    found: dict[str, list[str]] = {}
    for start in range(0, len(customer_ids), _IN_CHUNK):
        chunk = list(customer_ids[start : start + _IN_CHUNK])
        stmt = (
            select(t.c.customer_id, t.c.name)
            .where(t.c.customer_id.in_(chunk))
            .order_by(t.c.customer_id, t.c.name)
        )
        for customer_id, name in conn.execute(stmt):
            found.setdefault(customer_id, []).append(name)
    return {customer_id: tuple(names) for customer_id, names in found.items()}


def tag_names(conn: Connection) -> tuple[str, ...]:
    """Every tag name carried by a cached customer, sorted."""
    t = schema.customer_tag
    return tuple(conn.execute(select(t.c.name).distinct().order_by(t.c.name)).scalars())


def rm_choices(conn: Connection) -> tuple[RmChoice, ...]:
    """The RMs who hold cached customers, by name; an RM missing from the org data shows its id."""
    c, emp = schema.customer, schema.employee
    stmt = (
        select(c.c.primary_rm_id, emp.c.name)
        .distinct()
        .join(emp, emp.c.id == c.c.primary_rm_id, isouter=True)
        .where(c.c.primary_rm_id.is_not(None))
    )
    choices = [RmChoice(rm_id, name or rm_id) for rm_id, name in conn.execute(stmt)]
    return tuple(sorted(choices, key=lambda choice: (choice.name, choice.id)))


def employee_names(conn: Connection) -> dict[str, str]:
    """Names of the cached employees by id (the RM column of a team lead's list)."""
    emp = schema.employee
    return {row.id: row.name for row in conn.execute(select(emp.c.id, emp.c.name))}


def matching_customers(
    conn: Connection,
    *,
    filters: CustomerFilter | None = None,
    sort: CustomerSort = CustomerSort.NAME,
    descending: bool = False,
    page_size: int = EXPORT_PAGE_SIZE,
) -> Iterator[tuple[CustomerListRow, ...]]:
    """Every customer matching ``filters``, in list order, a keyset page at a time.

    For exports, which run off the GUI thread: memory stays at one page whatever the book's size.
    """
    after: PageKey | None = None
    matching = customer_count(conn, filters)
    while True:
        page = customer_page(
            conn,
            sort=sort,
            descending=descending,
            filters=filters,
            after=after,
            limit=page_size,
            matching=matching,
        )
        if page.rows:
            yield page.rows
        if page.next_key is None:
            return
        after = page.next_key


__all__ = [
    "EXPORT_PAGE_SIZE",
    "RmChoice",
    "customer_count",
    "employee_names",
    "matching_customers",
    "rm_choices",
    "tag_names",
    "tags_of",
]
