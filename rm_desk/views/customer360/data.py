"""What the 360 view shows of one customer, read in one short transaction: :func:`read_customer`.

The aggregate itself is :func:`~rm_desk.local_store.queries.customer_360`; next to it this reads
the few small things the tabs need to turn ids into words (the RM's name, the names of related
customers, the products of opportunities) and the data's freshness (the last successful sync).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from types import MappingProxyType

from sqlalchemy import Connection, select

from rm_desk.domain import entities as e
from rm_desk.domain.enums import Entity, ProductCategory
from rm_desk.local_store import schema
from rm_desk.local_store.queries import Customer360, customer_360
from rm_desk.local_store.rows import decode_row
from rm_desk.local_store.sync_state import LAST_SUCCESS, get_state
from rm_desk.views.formatting import parse_moment


@dataclass(frozen=True, slots=True)
class CustomerData:
    """One customer's 360 aggregate and what the tabs need around it.

    Attributes:
        view: The aggregate from the cache.
        today: The bank's today when it was read.
        rm_name: The primary RM's name, when the employee is cached.
        names: Names of the other customers the view links to (household, relationships) that
            are in the cache; a customer missing here is not in the user's book.
        products: Products of accounts, holdings and opportunities, by id.
        synced_at: The last successful sync of the cache, if any.
        staff: Names of the bank's employees the tabs name (who made a visit, whom a task is
            assigned to, who owns an opportunity) that are cached, by employee id.
        unsent: Ids of the customer's visits and tasks with a change the bank has not
            acknowledged yet (the outbox holds an op for them): shown as not synced.
    """

    view: Customer360
    today: date
    rm_name: str | None
    names: Mapping[str, str]
    products: Mapping[str, e.Product]
    synced_at: datetime | None
    unsent: frozenset[str] = frozenset()
    staff: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    def staff_name(self, employee_id: str | None) -> str:
        """An employee's name, or the id when the employee is not cached (``—`` for none)."""
        if not employee_id:
            return "—"
        return self.staff.get(employee_id, employee_id)

    @property
    def customer(self) -> e.Customer:
        return self.view.customer

    @property
    def balances_as_of(self) -> date | None:
        """The newest business date of the balances and valuations shown."""
        days = [a.as_of for a in self.view.accounts] + [h.as_of for h in self.view.holdings]
        return max(days, default=None)

    def held_categories(self) -> frozenset[ProductCategory]:
        """Categories of the products the customer holds (suitability's first-purchase flag)."""
        return frozenset(
            self.products[h.product_id].category
            for h in self.view.holdings
            if h.product_id in self.products
        )


def read_customer(conn: Connection, customer_id: str, today: date) -> CustomerData | None:
    """Everything the 360 view shows of one customer, or ``None`` when it is not cached."""
    view = customer_360(conn, customer_id)
    if view is None:
        return None
    c = view.customer
    rm_name = conn.execute(
        select(schema.employee.c.name).where(schema.employee.c.id == c.primary_rm_id)
    ).scalar_one_or_none()

    linked = {m.customer_id for m in view.household.members} if view.household else set()
    for rel in view.relationships:
        linked.add(rel.from_customer_id)
        if rel.to_customer_id:
            linked.add(rel.to_customer_id)
    linked.discard(customer_id)
    cust = schema.customer
    names = {
        row.id: row.name
        for row in conn.execute(select(cust.c.id, cust.c.name).where(cust.c.id.in_(sorted(linked))))
    }

    products = dict(view.products)
    missing = sorted({o.product_id for o in view.opportunities if o.product_id} - products.keys())
    if missing:
        prod = schema.product
        for row in conn.execute(select(prod).where(prod.c.id.in_(missing))).mappings():
            product = e.Product.from_cache(decode_row(prod, row))
            products[product.id] = product

    people = {v.rm_id for v in view.visits} | {t.assignee_id for t in view.tasks}
    people |= {o.owner_id for o in view.opportunities}
    emp = schema.employee
    staff = {
        row.id: row.name
        for row in conn.execute(
            select(emp.c.id, emp.c.name).where(emp.c.id.in_(sorted(p for p in people if p)))
        )
    }

    own = [v.id for v in view.visits] + [t.id for t in view.tasks]
    ob = schema.outbox
    unsent = frozenset(
        conn.execute(
            select(ob.c.record_id).where(
                ob.c.entity.in_((Entity.VISIT.value, Entity.TASK.value)),
                ob.c.record_id.in_(own),
            )
        ).scalars()
    )

    return CustomerData(
        view=view,
        today=today,
        rm_name=rm_name,
        names=MappingProxyType(names),
        products=MappingProxyType(products),
        synced_at=parse_moment(get_state(conn, LAST_SUCCESS)),
        unsent=unsent,
        staff=MappingProxyType(staff),
    )


__all__ = ["CustomerData", "read_customer"]
