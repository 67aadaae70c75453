"""The one write path: a user's edit and its outbox op, together or not at all."""

from __future__ import annotations

import orjson
import pytest
from sqlalchemy import select

from rm_desk.domain.enums import OpKind, OpState
from rm_desk.domain.fields import RecordRole
from rm_desk.errors import StoreError, WriteRejected
from rm_desk.local_store import schema, writes
from rm_desk.local_store.ingest import apply_page
from rm_desk.local_store.search import search_customers
from rm_desk.local_store.writes import new_record_id, record_edit
from tests import factories


def _outbox(store):
    with store.read() as conn:
        return [
            dict(r)
            for r in conn.execute(select(schema.outbox).order_by(schema.outbox.c.seq)).mappings()
        ]


def _row(store, table, record_id):
    with store.read() as conn:
        row = conn.execute(select(table).where(table.c.id == record_id)).mappings().first()
    return dict(row) if row is not None else None


def _visit_fields(customer_id="c-000001", **overrides):
    fields = {
        "customer_ids": [customer_id],
        "channel": "onsite",
        "purpose": "renewal",
        "start_at": "2026-11-20T02:00:00Z",
        "end_at": "2026-11-20T03:00:00Z",
        "location_text": "客户公司",
        "notes": "客户有50万定期本周到期，倾向续作。",
        "outcome": "positive",
        "next_steps": "周五前发送产品说明书",
        "linked_task_ids": [],
        "linked_opportunity_ids": [],
    }
    fields.update(overrides)
    return fields


@pytest.fixture
def book(store):
    apply_page(
        store,
        [
            factories.change("customer", factories.customer("c-000001"), 10),
            factories.change("task", factories.task("k-1", "c-000001"), 11),
        ],
        "cursor-1",
    )
    return store


def test_visit_created_offline_is_in_the_cache_and_queued_once(book):
    visit_id = new_record_id()
    result = record_edit(
        book, "visit", visit_id, OpKind.CREATE, _visit_fields(), stamped={"rm_id": "rm001"}
    )

    row = _row(book, schema.visit, visit_id)
    assert row["rev"] == 0 and row["customer_id"] == "c-000001" and row["rm_id"] == "rm001"
    assert orjson.loads(row["customer_ids"]) == ["c-000001"]
    (op,) = _outbox(book)
    assert op["op_id"] == result.op_id and op["op"] == "create" and op["state"] == "queued"
    fields = orjson.loads(op["fields"])
    assert fields["notes"].startswith("客户有50万")
    assert "rm_id" not in fields, "the server stamps the RM; the client never sends it"


def test_repeated_edits_of_an_unsent_create_coalesce_into_the_create(book):
    visit_id = new_record_id()
    first = record_edit(book, "visit", visit_id, OpKind.CREATE, _visit_fields())
    second = record_edit(book, "visit", visit_id, OpKind.UPDATE, {"outcome": "follow_up"})
    third = record_edit(book, "visit", visit_id, OpKind.UPDATE, {"notes": "改约下周"})

    assert second.coalesced and third.coalesced
    assert first.op_id == second.op_id == third.op_id
    (op,) = _outbox(book)
    fields = orjson.loads(op["fields"])
    assert op["op"] == "create"
    assert fields["outcome"] == "follow_up" and fields["notes"] == "改约下周"
    assert fields["channel"] == "onsite"


def test_task_completed_offline_keeps_the_server_copy_as_base(book):
    result = record_edit(
        book,
        "task",
        "k-1",
        OpKind.UPDATE,
        {"status": "completed", "completion_note": "已电话确认续作"},
        role=RecordRole.ASSIGNEE,
    )

    row = _row(book, schema.task, "k-1")
    assert row["status"] == "completed"
    base = orjson.loads(row["base"])
    assert base["status"] == "not_started" and base["completion_note"] is None
    (op,) = _outbox(book)
    assert op["op_id"] == result.op_id and op["base_rev"] == 11 and op["op"] == "update"


def test_edits_of_an_op_already_sending_start_a_new_op(book):
    record_edit(
        book, "task", "k-1", OpKind.UPDATE, {"status": "in_progress"}, role=RecordRole.ASSIGNEE
    )
    with book.write() as conn:
        conn.execute(schema.outbox.update().values(state=OpState.SENDING.value))
    record_edit(
        book, "task", "k-1", OpKind.UPDATE, {"status": "completed"}, role=RecordRole.ASSIGNEE
    )

    ops = _outbox(book)
    assert [o["state"] for o in ops] == ["sending", "queued"]
    assert orjson.loads(ops[0]["fields"]) == {"status": "in_progress"}, "a sent body never changes"
    assert orjson.loads(ops[1]["fields"]) == {"status": "completed"}


def test_deleting_an_unsent_opportunity_leaves_nothing_to_send(book):
    opp_id = new_record_id()
    record_edit(
        book,
        "opportunity",
        opp_id,
        OpKind.CREATE,
        {
            "customer_id": "c-000001",
            "category": "wealth",
            "amount": "500000.00",
            "stage": "lead",
            "expected_close": "2026-12-15",
            "source": "manual",
        },
    )
    result = record_edit(book, "opportunity", opp_id, OpKind.DELETE)

    assert result.op_id is None and result.coalesced
    assert _outbox(book) == []
    assert _row(book, schema.opportunity, opp_id) is None


def test_manual_tag_is_added_as_the_rms_own(book):
    tag_id = new_record_id()
    record_edit(
        book,
        "customer_tag",
        tag_id,
        OpKind.CREATE,
        {"customer_id": "c-000001", "name": "喜欢高尔夫"},
    )

    row = _row(book, schema.customer_tag, tag_id)
    assert (row["category"], row["source"]) == ("manual", "rm")
    with book.read() as conn:
        assert [h.customer_id for h in search_customers(conn, "喜欢高尔夫")] == ["c-000001"]

    record_edit(book, "customer_tag", tag_id, OpKind.DELETE)
    with book.read() as conn:
        assert search_customers(conn, "喜欢高尔夫") == []


@pytest.mark.parametrize(
    ("entity", "record_id", "op", "fields", "role"),
    [
        ("account", "a-1", OpKind.UPDATE, {"balance": "1.00"}, None),
        ("customer", "c-000001", OpKind.UPDATE, {"risk_level": "C5"}, None),
        ("customer", "c-000001", OpKind.UPDATE, {"tier": "private"}, None),
        ("task", "k-1", OpKind.UPDATE, {"title": "x"}, RecordRole.ASSIGNEE),
        ("task", "k-1", OpKind.UPDATE, {"status": "completed"}, RecordRole.ASSIGNER),
        ("task", "k-1", OpKind.DELETE, None, None),
        ("customer", "c-000001", OpKind.DELETE, None, None),
        ("task", "k-missing", OpKind.UPDATE, {"status": "completed"}, RecordRole.ASSIGNEE),
        (
            "customer_tag",
            "g-1",
            OpKind.CREATE,
            {"customer_id": "c-000001", "name": "x", "source": "system"},
            None,
        ),
    ],
)
def test_edits_the_app_may_not_make_are_refused_and_change_nothing(
    book, entity, record_id, op, fields, role
):
    before = _row(book, schema.ENTITY_TABLES[entity], record_id)

    with pytest.raises(WriteRejected) as raised:
        record_edit(book, entity, record_id, op, fields, role=role)

    assert raised.value.message and "Traceback" not in raised.value.message
    assert _row(book, schema.ENTITY_TABLES[entity], record_id) == before
    assert _outbox(book) == []


def test_a_failure_between_record_and_outbox_row_leaves_neither(book, monkeypatch):
    before = _row(book, schema.task, "k-1")

    def broken_append(*args, **kwargs):
        raise RuntimeError("disk went away between the two statements")

    monkeypatch.setattr(writes, "_append_op", broken_append)
    with pytest.raises(RuntimeError):
        record_edit(
            book, "task", "k-1", OpKind.UPDATE, {"status": "completed"}, role=RecordRole.ASSIGNEE
        )
    with pytest.raises(RuntimeError):
        record_edit(book, "visit", new_record_id(), OpKind.CREATE, _visit_fields())

    assert _row(book, schema.task, "k-1") == before
    with book.read() as conn:
        assert conn.execute(select(schema.visit.c.id)).first() is None
    assert _outbox(book) == []


def test_database_errors_reach_the_caller_as_words_without_values(book):
    with pytest.raises(StoreError) as raised, book.write() as conn:
        conn.exec_driver_sql("INSERT INTO outbox (op_id) VALUES ('13812345678')")
    assert "13812345678" not in str(raised.value)
    assert "13812345678" not in raised.value.message


def _follow_up_task(task_id, visit_id, **overrides):
    fields = {
        "title": "发送产品说明书",
        "kind": "follow_up",
        "customer_id": "c-000001",
        "related_entity": "visit",
        "related_id": visit_id,
        "priority": "normal",
        "status": "not_started",
        "due_at": "2026-11-22T09:00:00Z",
        "assignee_id": "rm001",
    }
    fields.update(overrides)
    return fields


def test_a_visit_and_its_follow_up_task_are_saved_together(book):
    visit_id, task_id = new_record_id(), new_record_id()

    results = writes.record_edits(
        book,
        [
            writes.Edit(
                "visit", visit_id, OpKind.CREATE, _visit_fields(), stamped={"rm_id": "rm001"}
            ),
            writes.Edit("task", task_id, OpKind.CREATE, _follow_up_task(task_id, visit_id)),
        ],
    )

    assert _row(book, schema.visit, visit_id)["rm_id"] == "rm001"
    assert _row(book, schema.task, task_id)["related_id"] == visit_id
    ops = _outbox(book)
    assert [(o["entity"], o["record_id"], o["op"]) for o in ops] == [
        ("visit", visit_id, "create"),
        ("task", task_id, "create"),
    ]
    assert [r.op_id for r in results] == [o["op_id"] for o in ops]
    assert all(o["state"] == "queued" for o in ops)


def test_a_later_edit_in_the_batch_coalesces_with_an_earlier_one(book):
    visit_id = new_record_id()

    first, second = writes.record_edits(
        book,
        [
            writes.Edit("visit", visit_id, OpKind.CREATE, _visit_fields()),
            writes.Edit("visit", visit_id, OpKind.UPDATE, {"outcome": "follow_up"}),
        ],
    )

    assert second.coalesced and first.op_id == second.op_id
    (op,) = _outbox(book)
    assert orjson.loads(op["fields"])["outcome"] == "follow_up"


@pytest.mark.parametrize(
    "second",
    [
        # a field the assignee may not change: refused before anything is written
        ("task", "k-1", OpKind.UPDATE, {"title": "改标题"}, RecordRole.ASSIGNEE),
        # a record that is not in the cache: refused inside the transaction, after the visit
        ("task", "k-missing", OpKind.UPDATE, {"status": "completed"}, RecordRole.ASSIGNEE),
    ],
)
def test_a_refused_second_edit_leaves_nothing_of_the_first(book, second):
    entity, record_id, op, fields, role = second
    visit_id = new_record_id()
    task_before = _row(book, schema.task, "k-1")

    with pytest.raises(WriteRejected):
        writes.record_edits(
            book,
            [
                writes.Edit("visit", visit_id, OpKind.CREATE, _visit_fields()),
                writes.Edit(entity, record_id, op, fields, role=role),
            ],
        )

    assert _row(book, schema.visit, visit_id) is None
    assert _row(book, schema.task, "k-1") == task_before
    assert _outbox(book) == []
