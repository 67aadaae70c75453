"""The bulk ingest of feed pages: what the cache holds after each kind of change."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from sqlalchemy import event, func, select

from rm_desk.domain.enums import OpKind
from rm_desk.domain.fields import RecordRole
from rm_desk.local_store import ingest, schema
from rm_desk.local_store.ingest import apply_page
from rm_desk.local_store.sync_state import CURSOR, get_state
from rm_desk.local_store.writes import record_edit
from tests import factories


def _count(store, table):
    with store.read() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


def _row(store, table, record_id):
    with store.read() as conn:
        row = conn.execute(select(table).where(table.c.id == record_id)).mappings().first()
    return dict(row) if row is not None else None


def test_a_page_and_its_cursor_land_together(store):
    page = list(factories.book(10))
    result = apply_page(store, page, "cursor-after-page-1")

    assert result.upserted == len(page) == 210
    assert _count(store, schema.customer) == 10
    assert _count(store, schema.transaction) == 120
    with store.read() as conn:
        assert get_state(conn, CURSOR) == "cursor-after-page-1"


def test_a_failure_mid_page_keeps_neither_the_records_nor_the_cursor(store, monkeypatch):
    apply_page(store, list(factories.book(2)), "cursor-1")

    def fail(*args, **kwargs):
        raise RuntimeError("power cut while applying the page")

    monkeypatch.setattr(ingest, "_purge_customers", fail)
    page = [
        *factories.book(3, first_rev=100),
        factories.delete_change("customer", "c-0000000", 200, reason="out_of_scope"),
    ]
    with pytest.raises(RuntimeError):
        apply_page(store, page, "cursor-2")

    assert _count(store, schema.customer) == 2
    with store.read() as conn:
        assert get_state(conn, CURSOR) == "cursor-1"


def test_newer_server_copy_replaces_the_cached_one(store):
    apply_page(store, [factories.change("customer", factories.customer(tier="gold"), 1)], "c1")
    apply_page(store, [factories.change("customer", factories.customer(tier="platinum"), 7)], "c2")

    row = _row(store, schema.customer, "c-000001")
    assert (row["tier"], row["rev"], row["base"]) == ("platinum", 7, None)


def test_server_update_of_a_record_with_a_pending_edit_is_rebased(store):
    apply_page(store, [factories.change("task", factories.task("k-1", "c-1"), 5)], "c1")
    record_edit(
        store,
        "task",
        "k-1",
        OpKind.UPDATE,
        {"completion_note": "客户已续作"},
        role=RecordRole.ASSIGNEE,
    )

    server = factories.task("k-1", "c-1", priority="high", due_at="2026-11-21T01:00:00Z")
    result = apply_page(store, [factories.change("task", server, 9)], "c2")

    row = _row(store, schema.task, "k-1")
    assert result.rebased == 1
    assert row["completion_note"] == "客户已续作", "the user's pending edit stays visible"
    assert row["priority"] == "high" and row["due_at"] == "2026-11-21T01:00:00Z"
    assert row["rev"] == 9
    base = orjson.loads(row["base"])
    assert base["priority"] == "high" and base["completion_note"] is None


def test_a_big_page_rebases_only_the_records_with_pending_edits(store):
    """A page of many records reads the outbox once for the whole page; the record edited here
    keeps its edit, every other record of the page is the server's copy."""
    tasks = [factories.task(f"k-{n:03d}", "c-1") for n in range(150)]
    apply_page(store, [factories.change("task", task, 5) for task in tasks], "c1")
    record_edit(
        store,
        "task",
        "k-042",
        OpKind.UPDATE,
        {"completion_note": "已电话确认"},
        role=RecordRole.ASSIGNEE,
    )

    server = [{**task, "priority": "high"} for task in tasks]
    page = [
        *(factories.change("task", task, 9) for task in server),
        factories.change("customer", factories.customer("c-1"), 10),
    ]
    result = apply_page(store, page, "c2")

    assert (result.upserted, result.rebased) == (151, 1)
    edited, other = _row(store, schema.task, "k-042"), _row(store, schema.task, "k-043")
    assert (edited["priority"], edited["completion_note"]) == ("high", "已电话确认")
    assert orjson.loads(edited["base"])["completion_note"] is None
    assert (other["priority"], other["completion_note"], other["base"]) == ("high", None, None)


def test_a_visit_whose_customer_ids_is_an_object_is_stored_without_a_main_customer(store):
    """The main customer is the first of a list; an object has no first, and must not stall the
    page it came in."""
    (visit,) = (c for c in factories.book(1) if c["entity"] == "visit")
    odd = {**visit, "data": {**visit["data"], "customer_ids": {"c-0000000": True}}}
    result = apply_page(store, [visit, {**odd, "id": "v-odd", "rev": odd["rev"] + 1}], "c1")

    assert result.quarantined == () and result.upserted == 2
    assert _row(store, schema.visit, visit["id"])["customer_id"] == "c-0000000"
    assert _row(store, schema.visit, "v-odd")["customer_id"] is None


def test_customer_leaving_the_book_is_purged_with_all_its_children(store):
    apply_page(store, list(factories.book(3)), "c1")
    result = apply_page(
        store, [factories.delete_change("customer", "c-0000001", 999, reason="out_of_scope")], "c2"
    )

    assert result.purged == 1
    with store.read() as conn:
        for table in (schema.customer, *schema.CUSTOMER_CHILDREN):
            owner = table.c.id if table is schema.customer else table.c.customer_id
            remaining = conn.execute(
                select(func.count()).select_from(table).where(owner == "c-0000001")
            ).scalar_one()
            assert remaining == 0, table.name
        assert conn.execute(select(func.count()).select_from(schema.customer)).scalar_one() == 2
        journal = conn.execute(select(schema.sync_journal)).mappings().all()
    assert [(j["kind"], j["record_id"]) for j in journal] == [("purge", "c-0000001")]


def test_deleted_record_disappears_and_others_stay(store):
    apply_page(store, list(factories.book(1)), "c1")
    apply_page(store, [factories.delete_change("visit", "v-0000000", 50)], "c2")

    assert _row(store, schema.visit, "v-0000000") is None
    assert _count(store, schema.task) == 1


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        (factories.customer("c-bad", aum=1250000.0), "aum: expected text"),
        (factories.customer("c-bad", tier=None), "tier: missing"),
        (factories.customer("c-bad", rfm_r="4"), "rfm_r: expected an integer"),
        (factories.customer("c-bad", tier_watch="yes"), "tier_watch: expected true or false"),
        (factories.customer("c-bad", aum_12m="1,2,3"), "aum_12m: expected a list or an object"),
        (factories.customer("c-bad", mobile_masked="13812345678"), "mobile_masked: not masked"),
        (
            factories.customer("c-bad", id_no_masked="11010519491231002X"),
            "id_no_masked: not masked",
        ),
    ],
)
def test_a_record_with_wrong_types_is_quarantined_and_the_rest_applied(store, bad, reason):
    page = [
        factories.change("customer", factories.customer("c-good-1"), 1),
        factories.change("customer", bad, 2),
        factories.change("customer", factories.customer("c-good-2"), 3),
    ]
    result = apply_page(store, page, "c1")

    assert [(q.entity, q.record_id, q.reason) for q in result.quarantined] == [
        ("customer", "c-bad", reason)
    ]
    assert _row(store, schema.customer, "c-bad") is None
    assert _count(store, schema.customer) == 2
    with store.read() as conn:
        (entry,) = conn.execute(select(schema.sync_journal)).mappings().all()
        assert get_state(conn, CURSOR) == "c1"
    assert entry["kind"] == "quarantine" and entry["record_id"] == "c-bad"
    for value in ("1250000", "13812345678", "11010519491231002X"):
        assert value not in (entry["detail"] or "") and value not in entry["message"]


def test_an_unmasked_account_number_never_reaches_the_cache(store):
    page = [
        factories.change(
            "account", factories.account("a-1", "c-1", number_masked="6222021234567890123"), 1
        )
    ]
    result = apply_page(store, page, "c1")

    assert [q.reason for q in result.quarantined] == ["number_masked: not masked"]
    with store.read() as conn:
        assert conn.execute(select(func.count()).select_from(schema.account)).scalar_one() == 0


def test_unknown_entities_and_ops_are_quarantined_not_fatal(store):
    page = [
        {"entity": "spaceship", "id": "x", "rev": 1, "op": "upsert", "data": {}},
        {"entity": "customer", "id": "c-1", "rev": 2, "op": "teleport"},
        {"entity": "customer", "id": "c-2", "rev": "3", "op": "upsert", "data": {}},
        {"id": "no-entity", "rev": 4, "op": "upsert"},
        factories.change("customer", factories.customer("c-3"), 5),
    ]
    result = apply_page(store, page, "c1")

    assert len(result.quarantined) == 4
    assert _count(store, schema.customer) == 1


def test_the_last_change_of_a_record_in_a_page_wins(store):
    page = [
        factories.change("customer", factories.customer("c-1", tier="gold"), 1),
        factories.change("customer", factories.customer("c-1", tier="diamond"), 2),
        factories.change("task", factories.task("k-1", "c-1"), 3),
        factories.delete_change("task", "k-1", 4),
    ]
    apply_page(store, page, "c1")

    assert _row(store, schema.customer, "c-1")["tier"] == "diamond"
    assert _row(store, schema.task, "k-1") is None


def test_a_page_of_one_record_reads_only_that_records_pending_ops(store):
    """Each push answer is settled with a one-record page; reading every pending op of the
    entity for it (a hundred and twenty here, thousands in a full outbox) made draining the
    outbox quadratic."""
    tasks = [factories.task(f"k-{n:03d}", "c-1") for n in range(120)]
    apply_page(store, [factories.change("task", task, 5) for task in tasks], "c1")
    for task in tasks:
        record_edit(
            store,
            "task",
            task["id"],
            OpKind.UPDATE,
            {"completion_note": f"已处理 {task['id']}"},
            role=RecordRole.ASSIGNEE,
        )
    reads: list[tuple[str, Any]] = []

    def note(_conn, _cursor, statement, parameters, _context, _executemany):
        if "FROM outbox" in statement:
            reads.append((statement, parameters))

    event.listen(store.engine, "after_cursor_execute", note)
    try:
        server = {**tasks[7], "priority": "high"}
        apply_page(store, [factories.change("task", server, 9)], "c2")
    finally:
        event.remove(store.engine, "after_cursor_execute", note)

    with store.read() as conn:
        rows_read = sum(len(conn.exec_driver_sql(sql, params).all()) for sql, params in reads)
    row = _row(store, schema.task, "k-007")
    assert (row["priority"], row["completion_note"]) == ("high", "已处理 k-007")
    assert rows_read == 1
