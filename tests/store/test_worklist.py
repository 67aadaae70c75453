"""The worklist behind Today, Tasks and Sync issues: rows with names, and the edits made from a
list, on a real encrypted cache."""

from __future__ import annotations

from datetime import date, timedelta, timezone
from decimal import Decimal
from typing import Any

import orjson
import pytest
from sqlalchemy import select

from rm_desk.domain.enums import AlertStatus, OpKind, OpState, TaskBucket
from rm_desk.errors import WriteRejected
from rm_desk.local_store import Store, schema
from rm_desk.local_store.ingest import apply_page
from rm_desk.local_store.worklist import (
    decide_alert,
    mark_task_done,
    open_tasks,
    record_contexts,
    today_view,
)
from rm_desk.local_store.writes import record_edit
from tests import factories
from tests.factories import change

SHANGHAI = timezone(timedelta(hours=8))
TODAY = date(2026, 11, 20)  # a Friday


def alert(alert_id: str, rule: str, customer_id: str, status: str = "new") -> dict[str, Any]:
    return {
        "id": alert_id,
        "rule_id": rule,
        "customer_id": customer_id,
        "object_entity": None,
        "object_id": None,
        "severity": "high",
        "message": "到期提醒",
        "evidence": {"days": 2},
        "triggered_at": "2026-11-20T00:00:00Z",
        "status": status,
        "dedupe_key": f"{rule}:{customer_id}:{alert_id}",
        "origin": "server",
    }


@pytest.fixture
def book(store: Store) -> Store:
    apply_page(
        store,
        [
            change("customer", factories.customer("c-1", name="王芳"), 1),
            change("customer", factories.customer("c-2", name="李强"), 2),
            change("product", _product("p-td", "鑫安定期三年"), 3),
            change("task", factories.task("k-overdue", "c-1", due_at="2026-11-18T01:00:00Z"), 4),
            change("task", factories.task("k-today", "c-2", due_at="2026-11-20T03:00:00Z"), 5),
            change("task", factories.task("k-later", "c-2", due_at="2026-12-01T03:00:00Z"), 6),
            change(
                "task",
                factories.task("k-theirs", "c-1", assignee_id="rm002", due_at="2026-11-18T01:00Z"),
                7,
            ),
            change(
                "task",
                factories.task("k-closed", "c-1", status="completed", due_at="2026-11-18T01:00Z"),
                8,
            ),
            change(
                "account",
                factories.account(
                    "a-td",
                    "c-1",
                    type="time_deposit",
                    product_id="p-td",
                    maturity_date="2026-11-22",
                    balance="500000.00",
                ),
                9,
            ),
            change("alert", alert("al-1", "A04", "c-1"), 10),
            change("alert", alert("al-2", "A04", "c-2"), 11),
            change("alert", alert("al-3", "A07", "c-2"), 12),
            change("alert", alert("al-old", "A03", "c-2", status="dismissed"), 13),
        ],
        None,
    )
    return store


def _product(product_id: str, name: str) -> dict[str, Any]:
    return {
        "id": product_id,
        "code": "TD3Y",
        "name": name,
        "category": "deposit",
        "risk_level": "R1",
        "term_days": 1095,
        "min_amount": "50.00",
        "benchmark_yield": "0.0195",
        "on_sale": True,
        "requires_dual_recording": False,
        "qualified_investor_only": False,
    }


def outbox_rows(store: Store) -> list[dict[str, Any]]:
    with store.read() as conn:
        rows = conn.execute(select(schema.outbox).order_by(schema.outbox.c.seq)).mappings()
        return [{**row, "fields": orjson.loads(row["fields"])} for row in rows]


def test_today_view_names_each_customer_and_what_matures(book: Store) -> None:
    with book.read() as conn:
        view = today_view(conn, user_id="rm001", today=TODAY, zone=SHANGHAI)

    assert [(t.id, t.customer_name) for t in view.overdue] == [("k-overdue", "王芳")]
    assert [(t.id, t.customer_name) for t in view.due_today] == [("k-today", "李强")]
    assert [
        (g.rule_id, [(a.id, a.customer_name) for a in g.alerts]) for g in view.alert_groups
    ] == [
        ("A04", [("al-1", "王芳"), ("al-2", "李强")]),
        ("A07", [("al-3", "李强")]),
    ]
    assert view.alert_count == 3
    (maturity,) = view.maturities
    assert (maturity.customer_name, maturity.product_name, maturity.account_type) == (
        "王芳",
        "鑫安定期三年",
        "time_deposit",
    )
    assert (maturity.matures_on, maturity.amount) == (date(2026, 11, 22), Decimal("500000.00"))


def test_open_tasks_come_overdue_first_and_leave_out_others_and_closed(book: Store) -> None:
    with book.read() as conn:
        rows = open_tasks(conn, assignee_id="rm001", today=TODAY, zone=SHANGHAI)

    assert [(r.id, r.bucket, r.customer_name) for r in rows] == [
        ("k-overdue", TaskBucket.OVERDUE, "王芳"),
        ("k-today", TaskBucket.TODAY, "李强"),
        ("k-later", TaskBucket.LATER, "李强"),
    ]


def test_marking_a_task_done_queues_one_status_update_as_its_assignee(book: Store) -> None:
    result = mark_task_done(book, "k-overdue", user_id="rm001")

    (op,) = outbox_rows(book)
    assert (op["op_id"], op["entity"], op["record_id"], op["op"], op["state"]) == (
        result.op_id,
        "task",
        "k-overdue",
        OpKind.UPDATE.value,
        OpState.QUEUED.value,
    )
    assert op["fields"] == {"status": "completed"}
    with book.read() as conn:
        rows = open_tasks(conn, assignee_id="rm001", today=TODAY, zone=SHANGHAI)
    assert "k-overdue" not in [r.id for r in rows]


@pytest.mark.parametrize(
    ("task_id", "words"),
    [
        ("k-theirs", "Only the person a task is assigned to can mark it done."),
        ("k-closed", "This task is closed already."),
        ("k-missing", "This record is no longer in your book, so the change could not be saved."),
    ],
)
def test_a_task_that_is_not_the_users_open_task_is_not_marked_done(
    book: Store, task_id: str, words: str
) -> None:
    with pytest.raises(WriteRejected) as raised:
        mark_task_done(book, task_id, user_id="rm001")

    assert raised.value.message == words
    assert outbox_rows(book) == []


def test_acknowledging_an_alert_queues_its_status_and_drops_it_from_today(book: Store) -> None:
    decide_alert(book, "al-1", AlertStatus.ACKNOWLEDGED)

    (op,) = outbox_rows(book)
    assert (op["entity"], op["record_id"], op["fields"]) == (
        "alert",
        "al-1",
        {"status": "acknowledged"},
    )
    with book.read() as conn:
        view = today_view(conn, user_id="rm001", today=TODAY, zone=SHANGHAI)
    assert [a.id for g in view.alert_groups for a in g.alerts] == ["al-2", "al-3"]


def test_an_alert_decision_never_moves_it_back_nor_converts_it(book: Store) -> None:
    with pytest.raises(WriteRejected):
        decide_alert(book, "al-old", AlertStatus.ACKNOWLEDGED)  # dismissed outranks it
    with pytest.raises(WriteRejected):
        decide_alert(book, "al-1", AlertStatus.CONVERTED)  # converting makes a task elsewhere

    assert outbox_rows(book) == []


def test_record_contexts_name_the_customer_and_the_tasks_title(book: Store) -> None:
    record_edit(book, "customer", "c-2", OpKind.UPDATE, {"soft_profile": {"remarks": "周末"}})
    with book.read() as conn:
        contexts = record_contexts(
            conn,
            [("task", "k-today"), ("customer", "c-2"), ("alert", "al-1"), ("visit", "v-gone")],
        )

    assert {ref: (c.customer_id, c.customer_name, c.title) for ref, c in contexts.items()} == {
        ("task", "k-today"): ("c-2", "李强", "到期续作提醒"),
        ("customer", "c-2"): ("c-2", "李强", None),
        ("alert", "al-1"): ("c-1", "王芳", None),
    }
