"""Deciding conflicts and discarding refused changes: what is queued, what the row shows, and the
audit event of each decision."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from rm_desk.domain.enums import ConflictKind, OpKind, OpState
from rm_desk.errors import WriteRejected
from rm_desk.local_store import Store
from rm_desk.local_store.audit import verify_chain
from rm_desk.local_store.ingest import apply_page
from rm_desk.local_store.writes import new_record_id, record_edit
from rm_desk.sync.client import ApiClient
from rm_desk.sync.events import Choice, ConflictEntry
from rm_desk.sync.issues import (
    discard_rejected,
    list_conflicts,
    list_pending_ops,
    list_rejected_ops,
    resolve_conflict,
)
from rm_desk.sync.push import Pusher
from tests import factories
from tests.sync import records as r
from tests.sync.wire import ScriptedServer, conflict, echo_applied, rejected


@pytest.fixture
def book(store: Store) -> Store:
    r.seed_book(store)
    return store


def push(store: Store, client: ApiClient) -> None:
    Pusher(store, client, emit=lambda _event: None).push()


def stage_conflict(book: Store, client: ApiClient, server: ScriptedServer) -> ConflictEntry:
    """The RM moved o-1 to recommended; the bank moved it to needs_confirmed (rev 60)."""
    op_id = r.move_opportunity(book, "recommended")
    theirs = r.opportunity("o-1", stage="needs_confirmed")
    server.reply("POST", "/mutations", {"results": [conflict(op_id, "fields", 60, theirs)]})
    push(book, client)
    (entry,) = list_conflicts(book)
    return entry


def test_conflict_inbox_lists_frozen_entries(book, client, server):
    entry = stage_conflict(book, client, server)

    assert (entry.kind, entry.field, entry.base, entry.mine, entry.theirs) == (
        ConflictKind.FIELDS,
        "stage",
        "contacted",
        "recommended",
        "needs_confirmed",
    )
    with pytest.raises(AttributeError):
        entry.mine = "won"  # type: ignore[misc]


def test_keeping_mine_queues_it_on_the_servers_copy_and_is_audited(book, client, server):
    entry = stage_conflict(book, client, server)

    events = resolve_conflict(book, entry.id, Choice.MINE, user_id="rm001", device_id="dev-1")

    (op,) = r.outbox_rows(book)
    assert (op["state"], op["op"], op["base_rev"]) == ("queued", "update", 60)
    assert op["fields"] == {"stage": "recommended"} and op["snapshot"] == {
        "stage": "needs_confirmed"
    }
    assert [(e.op_id, e.state) for e in events] == [(op["op_id"], OpState.QUEUED)]
    row = r.row(book, "opportunity", "o-1")
    assert row["stage"] == "recommended" and row["base"]["stage"] == "needs_confirmed"
    assert list_conflicts(book) == ()
    (event,) = r.audit(book)
    assert (event["action"], event["user_id"], event["record_id"], event["field"]) == (
        "conflict_resolved",
        "rm001",
        "o-1",
        "stage",
    )
    assert orjson.loads(event["detail"])["choice"] == "mine"
    with book.read() as conn:
        assert verify_chain(conn) is None


def test_taking_theirs_shows_the_servers_value_and_sends_nothing(book, client, server):
    entry = stage_conflict(book, client, server)

    resolve_conflict(book, entry.id, Choice.THEIRS)

    assert r.outbox_rows(book) == []
    row = r.row(book, "opportunity", "o-1")
    assert (row["stage"], row["base"]) == ("needs_confirmed", None)


def test_taking_theirs_withdraws_a_queued_edit_of_the_field_and_sends_nothing(book, client, server):
    # While the conflict waited the user moved the stage again on the desk (queued, with the
    # amount), then took the bank's side. The bank may have moved the stage since the last pull:
    # the server copy's needs_confirmed must not go out as the user's; the amount still does.
    entry = stage_conflict(book, client, server)
    r.move_opportunity(book, "won", amount="650000.00")

    resolve_conflict(book, entry.id, Choice.THEIRS)

    (op,) = r.outbox_rows(book)
    assert (op["state"], op["fields"], op["snapshot"]) == (
        "queued",
        {"amount": "650000.00"},
        {"amount": "500000.00"},
    )
    assert r.row(book, "opportunity", "o-1")["stage"] == "needs_confirmed"


def test_a_value_of_the_users_own_is_queued_like_an_edit(book, client, server):
    entry = stage_conflict(book, client, server)

    resolve_conflict(book, entry.id, Choice.VALUE, "closing")

    (op,) = r.outbox_rows(book)
    assert op["fields"] == {"stage": "closing"}
    assert r.row(book, "opportunity", "o-1")["stage"] == "closing"


def test_the_decision_reaches_the_server_at_the_next_push(book, client, server):
    entry = stage_conflict(book, client, server)
    resolve_conflict(book, entry.id, Choice.MINE)
    server.reply(
        "POST",
        "/mutations",
        echo_applied(lambda m: r.opportunity("o-1", **m["fields"]), first_rev=61),
    )

    push(book, client)

    assert server.pushed()[-1][0]["fields"] == {"stage": "recommended"}
    assert r.outbox_rows(book) == []
    assert r.row(book, "opportunity", "o-1")["base"] is None


def test_a_conflict_is_decided_once(book, client, server):
    entry = stage_conflict(book, client, server)
    resolve_conflict(book, entry.id, Choice.THEIRS)

    with pytest.raises(WriteRejected):
        resolve_conflict(book, entry.id, Choice.MINE)
    with pytest.raises(WriteRejected):
        resolve_conflict(book, 9999, Choice.MINE)
    assert len(r.audit(book)) == 1


def test_soft_profile_keys_are_decided_one_by_one(book, client, server):
    mine = {
        "interests": "马拉松",
        "family_notes": "女儿明年出国",
        "remarks": "",
        "do_not_disturb": False,
    }
    result = record_edit(book, "customer", r.CUSTOMER, OpKind.UPDATE, {"soft_profile": mine})
    theirs_profile = {
        "interests": "游泳",
        "family_notes": "女儿已出国",
        "remarks": "",
        "do_not_disturb": False,
    }
    theirs = factories.customer(r.CUSTOMER, soft_profile=theirs_profile)
    server.reply(
        "POST",
        "/mutations",
        {"results": [conflict(result.op_id, "fields", 64, theirs, ["soft_profile"])]},
    )
    push(book, client)
    by_field = {entry.field: entry for entry in list_conflicts(book)}
    assert set(by_field) == {"soft_profile.interests", "soft_profile.family_notes"}

    resolve_conflict(book, by_field["soft_profile.interests"].id, Choice.MINE)

    shown = orjson.loads(r.row(book, "customer", r.CUSTOMER)["soft_profile"])
    assert shown["interests"] == "马拉松" and shown["family_notes"] == "女儿明年出国"
    queued = [op for op in r.outbox_rows(book) if op["state"] == "queued"]
    assert queued[0]["fields"]["soft_profile"] == {**theirs_profile, "interests": "马拉松"}

    resolve_conflict(book, by_field["soft_profile.family_notes"].id, Choice.THEIRS)

    shown = orjson.loads(r.row(book, "customer", r.CUSTOMER)["soft_profile"])
    assert shown == {**theirs_profile, "interests": "马拉松"}
    assert [op["state"] for op in r.outbox_rows(book)] == ["queued"]


def test_keeping_a_visit_the_server_deleted_creates_it_again(book, client, server):
    apply_page(book, [factories.change("visit", r.visit("v-1"), 20)], "cursor-2")
    result = record_edit(book, "visit", "v-1", OpKind.UPDATE, {"notes": "补充：客户有意加仓"})
    server.reply("POST", "/mutations", {"results": [conflict(result.op_id, "deleted", 66, None)]})
    push(book, client)
    (entry,) = list_conflicts(book)

    (event,) = resolve_conflict(book, entry.id, Choice.MINE)

    assert r.row(book, "visit", "v-1") is None
    (op,) = r.outbox_rows(book)
    assert (op["op"], op["state"], op["record_id"]) == ("create", "queued", event.record_id)
    assert op["fields"]["notes"] == "补充：客户有意加仓"
    assert op["fields"]["customer_ids"] == [r.CUSTOMER] and "rm_id" not in op["fields"]
    assert r.row(book, "visit", event.record_id)["rev"] == 0


def test_letting_go_of_a_record_the_server_deleted_removes_it(book, client, server):
    op_id = r.move_opportunity(book, "won")
    server.reply("POST", "/mutations", {"results": [conflict(op_id, "deleted", 90, None)]})
    push(book, client)
    (entry,) = list_conflicts(book)

    resolve_conflict(book, entry.id, Choice.THEIRS)

    assert r.row(book, "opportunity", "o-1") is None and r.outbox_rows(book) == []


@pytest.mark.parametrize("choice", [Choice.MINE, Choice.THEIRS])
def test_deleted_opportunity_the_server_changed(book, client, server, choice):
    result = record_edit(book, "opportunity", "o-1", OpKind.DELETE)
    theirs = r.opportunity("o-1", amount="900000.00")
    server.reply(
        "POST", "/mutations", {"results": [conflict(result.op_id, "modified", 95, theirs)]}
    )
    push(book, client)
    (entry,) = list_conflicts(book)

    resolve_conflict(book, entry.id, choice)

    if choice is Choice.MINE:
        (op,) = r.outbox_rows(book)
        assert (op["op"], op["state"], op["base_rev"]) == ("delete", "queued", 95)
        assert op["op_id"] != result.op_id
        assert r.row(book, "opportunity", "o-1") is None
    else:
        assert r.outbox_rows(book) == []
        row = r.row(book, "opportunity", "o-1")
        assert (row["amount"], row["rev"], row["base"]) == ("900000.00", 95, None)


def test_whole_record_conflicts_take_no_typed_value(book, client, server):
    op_id = r.move_opportunity(book, "won")
    server.reply("POST", "/mutations", {"results": [conflict(op_id, "deleted", 90, None)]})
    push(book, client)
    (entry,) = list_conflicts(book)

    with pytest.raises(WriteRejected):
        resolve_conflict(book, entry.id, Choice.VALUE, {"stage": "won"})


def test_discarding_a_refused_visit_lets_the_task_held_behind_it_go(book, client, server):
    visit_id, visit_op = r.create_visit(book)
    server.reply("POST", "/mutations", {"results": [rejected(visit_op)]})
    push(book, client)
    task_id = new_record_id()
    record_edit(
        book,
        "task",
        task_id,
        OpKind.CREATE,
        {
            "title": "回访",
            "customer_id": r.CUSTOMER,
            "related_entity": "visit",
            "related_id": visit_id,
            "priority": "normal",
            "status": "not_started",
        },
    )
    push(book, client)
    assert [op.state for op in list_pending_ops(book)] == [OpState.HELD]
    (refused,) = list_rejected_ops(book)
    assert refused.op_id == visit_op and refused.error_code == "validation_error"

    discard_rejected(book, visit_op, user_id="rm001")
    server.reply("POST", "/mutations", echo_applied(lambda m: {"id": m["id"], **m["fields"]}))
    push(book, client)

    assert r.row(book, "visit", visit_id) is None
    assert [m["id"] for m in server.pushed()[-1]] == [task_id]
    assert r.outbox_rows(book) == []
    (event,) = r.audit(book)
    assert event["action"] == "sync_change_discarded" and event["record_id"] == visit_id


def test_a_later_edit_of_a_record_with_a_held_change_waits_behind_it(book, client, server):
    apply_page(book, [factories.change("visit", r.visit("v-0"), 13)], "cursor-2")
    task_id = new_record_id()
    task_op = record_edit(
        book,
        "task",
        task_id,
        OpKind.CREATE,
        {"title": "回访", "customer_id": r.CUSTOMER, "priority": "normal", "status": "not_started"},
    ).op_id
    server.reply("POST", "/mutations", {"results": [rejected(task_op)]})
    push(book, client)
    record_edit(book, "visit", "v-0", OpKind.UPDATE, {"linked_task_ids": [task_id]})
    push(book, client)  # held behind the refused task
    record_edit(book, "visit", "v-0", OpKind.UPDATE, {"linked_task_ids": []})  # changed her mind
    server.reply("POST", "/mutations", echo_applied(lambda m: {**r.visit("v-0"), **m["fields"]}))

    push(book, client)

    assert len(server.pushed()) == 1, "nothing else was sent"
    assert [op.state for op in list_pending_ops(book)] == [OpState.HELD, OpState.HELD]

    discard_rejected(book, task_op, user_id="rm001")
    push(book, client)

    sent = [m["fields"]["linked_task_ids"] for batch in server.pushed()[1:] for m in batch]
    assert sent == [[task_id], []], "in the order she made them"
    assert r.row(book, "visit", "v-0")["linked_task_ids"] == "[]"
    assert r.outbox_rows(book) == []


def test_discarding_a_refused_edit_shows_the_servers_copy_again(book, client, server):
    op_id = r.move_opportunity(book, "won", amount="1.00")
    server.reply("POST", "/mutations", {"results": [rejected(op_id)]})
    push(book, client)
    assert r.row(book, "opportunity", "o-1")["stage"] == "won"

    discard_rejected(book, op_id)

    row = r.row(book, "opportunity", "o-1")
    assert (row["stage"], row["amount"], row["base"]) == ("contacted", "500000.00", None)
    with pytest.raises(WriteRejected):
        discard_rejected(book, op_id)


def test_discarding_a_refused_delete_brings_the_record_back(book, client, server):
    result = record_edit(book, "opportunity", "o-1", OpKind.DELETE)
    server.reply("POST", "/mutations", {"results": [rejected(result.op_id, "forbidden")]})
    push(book, client)

    discard_rejected(book, result.op_id)

    row: dict[str, Any] | None = r.row(book, "opportunity", "o-1")
    assert row is not None and row["stage"] == "contacted" and row["rev"] == 12
