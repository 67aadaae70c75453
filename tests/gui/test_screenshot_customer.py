"""The customer the screenshots (and the README) show in the 360 view fills every tab it can:
a household, visits, holdings under the accounts, relationships."""

from __future__ import annotations

from sqlalchemy import text

from rm_desk.views.screenshots import richest_customer
from rm_desk.views.workbench import Workbench


def _count(bench: Workbench, sql: str, customer: str) -> int:
    with bench.store.read() as conn:
        return int(conn.execute(text(sql), {"c": customer}).scalar_one())


def test_the_screenshot_customer_has_household_visits_holdings_and_accounts(
    bench: Workbench,
) -> None:
    # The first choice of a book where that customer holds no products: another one is shown.
    first = richest_customer(bench.store)
    with bench.store.write() as conn:
        conn.execute(text("DELETE FROM holding WHERE customer_id = :c"), {"c": first})
    with bench.store.read() as conn:
        candidates = conn.execute(
            text(
                "SELECT count(*) FROM customer c WHERE household_id IS NOT NULL"
                " AND EXISTS (SELECT 1 FROM visit_customer v WHERE v.customer_id = c.id)"
                " AND EXISTS (SELECT 1 FROM holding h WHERE h.customer_id = c.id)"
            )
        ).scalar_one()
    assert candidates, "the fixture book has such a customer"
    customer = richest_customer(bench.store)
    assert customer is not None
    assert _count(
        bench, "SELECT count(*) FROM customer WHERE id = :c AND household_id IS NOT NULL", customer
    )
    assert _count(bench, "SELECT count(*) FROM visit_customer WHERE customer_id = :c", customer)
    assert _count(bench, "SELECT count(*) FROM holding WHERE customer_id = :c", customer)
    assert _count(bench, "SELECT count(*) FROM account WHERE customer_id = :c", customer)
