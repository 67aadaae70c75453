"""Push on the wire: batches, sending before the request, answers applied, refused and in conflict,
retries with the same op_id and body, and ops held behind a refused create."""

from __future__ import annotations

from typing import Any

import httpx
import orjson
import pytest

from rm_desk.domain.enums import ConflictKind, OpKind, OpState
from rm_desk.domain.fields import RecordRole
from rm_desk.local_store import Store, schema
from rm_desk.local_store.ingest import apply_page
from rm_desk.local_store.writes import new_record_id, record_edit
from rm_desk.sync.cancel import Cancelled
from rm_desk.sync.client import ApiClient
from rm_desk.sync.errors import Offline, ServerUnavailable
from rm_desk.sync.events import ConflictFound, OpStateChanged, SyncEvent
from rm_desk.sync.merge import NOTES_MARKER
from rm_desk.sync.push import Pusher
from tests import factories
from tests.sync import records as r
from tests.sync.wire import (
    applied,
    conflict,
    echo_applied,
    problem,
    rejected,
)


def make_pusher(store: Store, client: ApiClient, events: list[SyncEvent] | None = None, **kw: Any):
    sink = events if events is not None else []
    return Pusher(store, client, emit=sink.append, **kw)


def server_copy_of(mutation: dict[str, Any]) -> dict[str, Any] | None:
    """What the server answers for an applied mutation: the fields with its own stamps."""
    if mutation["op"] == "delete":
        return None
    stamps = {"rm_id": "rm001", "created_at": "2026-11-20T09:00:00Z"}
    return {"id": mutation["id"], **stamps, **mutation["fields"]}


@pytest.fixture
def book(store: Store) -> Store:
    r.seed_book(store)
    return store


# --- batches and sending -----------------------------------------------------------------------


def test_outbox_drains_in_seq_order_in_batches_of_at_most_200(book, client, server):
    created = [r.create_visit(book, notes=f"第{n}次") for n in range(450)]
    server.reply("POST", "/mutations", echo_applied(server_copy_of))

    report = make_pusher(book, client).push()

    batches = server.pushed()
    assert [len(batch) for batch in batches] == [200, 200, 50]
    sent = [mutation["op_id"] for batch in batches for mutation in batch]
    assert sent == [op_id for _, op_id in created]
    assert report.applied == 450 and r.outbox_rows(book) == []
    visit_id = created[0][0]
    row = r.row(book, "visit", visit_id)
    assert row["rev"] > 0 and row["base"] is None and row["created_at"] == "2026-11-20T09:00:00Z"


def test_ops_are_marked_sending_and_committed_before_the_request_leaves(book, client, server):
    r.create_visit(book)
    r.complete_task(book)
    seen: list[list[tuple[str, int]]] = []

    def answer(request: httpx.Request) -> dict[str, Any]:
        # Another connection sees the states: the transaction committed before the request.
        seen.append([(op["state"], op["attempts"]) for op in r.outbox_rows(book)])
        return echo_applied(server_copy_of)(request)

    server.reply("POST", "/mutations", answer)
    make_pusher(book, client).push()

    assert seen == [[("sending", 1), ("sending", 1)]]


def test_lost_answer_is_resent_with_the_same_op_ids_and_bodies(book, client, server):
    r.create_visit(book)
    r.complete_task(book)
    r.move_opportunity(book, "recommended")
    server.reply(
        "POST",
        "/mutations",
        httpx.ReadError("connection reset after the server applied the batch"),
        lambda request: {
            "results": [
                applied(m["op_id"], 200 + n, server_copy_of(m), replayed=True)
                for n, m in enumerate(orjson.loads(request.content)["mutations"])
            ]
        },
    )
    pusher = make_pusher(book, client)

    with pytest.raises(Offline):
        pusher.push()
    assert {op["state"] for op in r.outbox_rows(book)} == {"sending"}
    pusher.push()

    first, second = server.pushed()
    assert first == second, "a retry sends exactly the same ops, op_ids and bodies"
    assert r.outbox_rows(book) == []


def test_ops_left_sending_by_a_crash_go_again_unchanged_before_newer_ones(book, client, server):
    r.complete_task(book, note="第一次")
    with book.write() as conn:  # the app died after marking the batch, before any answer
        conn.execute(schema.outbox.update().values(state="sending", attempts=1))
    before = r.outbox_rows(book)[0]
    r.complete_task(book, note="第二次")  # a new op: the sending one is never changed
    server.reply("POST", "/mutations", echo_applied(server_copy_of))

    make_pusher(book, client).push()

    (batch,) = server.pushed()
    assert batch[0] == {
        "op_id": before["op_id"],
        "entity": "task",
        "id": "k-1",
        "op": "update",
        "base_rev": 11,
        "fields": {"status": "completed", "completion_note": "第一次"},
    }
    assert batch[1]["fields"] == {"status": "completed", "completion_note": "第二次"}
    assert r.outbox_rows(book) == []


def test_server_error_leaves_the_batch_sending_for_the_next_round(book, client, server):
    r.create_visit(book)
    server.reply("POST", "/mutations", problem(503, "service_unavailable", {"Retry-After": "7"}))

    with pytest.raises(ServerUnavailable) as caught:
        make_pusher(book, client).push()

    assert caught.value.retry_after == 7
    (op,) = r.outbox_rows(book)
    assert (op["state"], op["attempts"]) == ("sending", 1)


# --- applied -----------------------------------------------------------------------------------


def test_applied_create_makes_the_servers_record_the_row(book, client, server):
    visit_id, op_id = r.create_visit(book)
    record = {**r.visit(visit_id), "rm_id": "rm001", "created_at": "2026-11-20T09:00:01Z"}
    server.reply("POST", "/mutations", {"results": [applied(op_id, 501, record)]})
    events: list[SyncEvent] = []

    make_pusher(book, client, events).push()

    row = r.row(book, "visit", visit_id)
    assert (row["rev"], row["base"], row["created_at"]) == (501, None, "2026-11-20T09:00:01Z")
    assert [e.state for e in events if isinstance(e, OpStateChanged)] == [
        OpState.SENDING,
        OpState.APPLIED,
    ]


def test_applied_op_rebases_later_pending_ops_of_the_same_record(book, client, server):
    r.move_opportunity(book, "recommended")
    with book.write() as conn:
        conn.execute(schema.outbox.update().values(state="sending"))
    r.move_opportunity(book, "closing", amount="800000.00")
    server_record = r.opportunity("o-1", stage="recommended", expected_close="2027-01-15")
    first_op = r.outbox_rows(book)[0]["op_id"]
    server.reply(
        "POST",
        "/mutations",
        {"results": [applied(first_op, 40, server_record)]},
        httpx.ConnectError("offline before the second batch"),
    )

    with pytest.raises(Offline):
        make_pusher(book, client, batch_size=1).push()

    row = r.row(book, "opportunity", "o-1")
    assert row["rev"] == 40
    assert row["base"]["stage"] == "recommended" and row["base"]["expected_close"] == "2027-01-15"
    assert (row["stage"], row["amount"], row["expected_close"]) == (
        "closing",
        "800000.00",
        "2027-01-15",
    ), "the server's copy with the later pending edit laid over it"
    (pending,) = r.outbox_rows(book)
    assert pending["fields"] == {"stage": "closing", "amount": "800000.00"}


def test_a_batch_of_applied_refused_and_repeated_records_settles_as_op_by_op(book, client, server):
    sent_edits = []
    for stage, more in (("recommended", {}), ("closing", {"amount": "800000.00"})):
        sent_edits.append(r.move_opportunity(book, stage, **more))
        with book.write() as conn:  # sent, so the next edit is an op of its own
            conn.execute(schema.outbox.update().values(state="sending"))
    first_stage, second_stage = sent_edits
    visit_id, visit_op = r.create_visit(book, notes="首次拜访")
    refused_id, refused_op = r.create_visit(book, notes="时间填错")
    task_op = r.complete_task(book)
    later_edit = r.move_opportunity(book, "lead")  # behind the batch: stays pending, rebased
    results = [
        applied(first_stage, 40, r.opportunity("o-1", stage="recommended")),
        applied(second_stage, 41, r.opportunity("o-1", stage="closing", amount="800000.00")),
        applied(visit_op, 600, {**r.visit(visit_id), "notes": "首次拜访", "rm_id": "rm001"}),
        rejected(refused_op),
        applied(task_op, 9, None),
    ]
    server.reply(
        "POST",
        "/mutations",
        {"results": results},
        httpx.ConnectError("offline before the second batch"),
    )
    events: list[SyncEvent] = []

    with pytest.raises(Offline):
        make_pusher(book, client, events, batch_size=5).push()

    settled = [(e.op_id, e.state) for e in events if e.state is not OpState.SENDING]
    assert settled[:5] == [
        (first_stage, OpState.APPLIED),
        (second_stage, OpState.APPLIED),
        (visit_op, OpState.APPLIED),
        (refused_op, OpState.REJECTED),
        (task_op, OpState.APPLIED),
    ], "events in the order of the answers"
    opportunity = r.row(book, "opportunity", "o-1")
    assert (opportunity["rev"], opportunity["stage"], opportunity["amount"]) == (
        41,
        "lead",
        "800000.00",
    ), "the last answer's record with the pending edit laid over it"
    assert opportunity["base"]["stage"] == "closing"
    assert r.row(book, "visit", visit_id)["rev"] == 600
    assert r.row(book, "visit", refused_id)["notes"] == "时间填错"
    assert r.row(book, "task", "k-1") is None, "the server no longer has it"
    rows = r.outbox_rows(book)
    assert [(o["op_id"], o["state"]) for o in rows] == [
        (refused_op, "rejected"),
        (later_edit, "sending"),
    ]


def test_edit_of_a_record_whose_create_was_on_its_way_gets_the_new_rev(book, client, server):
    visit_id, _ = r.create_visit(book)
    with book.write() as conn:
        conn.execute(schema.outbox.update().values(state="sending"))
    record_edit(book, "visit", visit_id, OpKind.UPDATE, {"outcome": "follow_up"})
    server.reply("POST", "/mutations", echo_applied(server_copy_of, first_rev=700))

    make_pusher(book, client).push()

    first, second = server.pushed()
    assert [m["op"] for m in first] == ["create"], "the edit waits for the create's answer"
    assert second[0]["op"] == "update" and second[0]["base_rev"] == 701
    assert r.outbox_rows(book) == []


# --- rejected and held -------------------------------------------------------------------------


def test_rejected_op_is_kept_with_the_servers_words_and_its_data_stays(book, client, server):
    visit_id, op_id = r.create_visit(book, notes="客户很满意")
    server.reply(
        "POST",
        "/mutations",
        {"results": [rejected(op_id, field_errors={"start_at": "must be in the past"})]},
    )

    report = make_pusher(book, client).push()

    (op,) = r.outbox_rows(book)
    assert (op["state"], op["error_code"]) == ("rejected", "validation_error")
    assert op["error_message"] == "A field does not have a valid value."
    assert orjson.loads(op["field_errors"]) == {"start_at": "must be in the past"}
    assert op["fields"]["notes"] == "客户很满意"
    assert r.row(book, "visit", visit_id)["notes"] == "客户很满意"
    assert report.rejected == 1
    make_pusher(book, client).push()
    assert len(server.pushed()) == 1, "a rejected op is not sent again"


def test_task_linked_to_a_rejected_visit_is_held_and_not_sent(book, client, server):
    visit_id, visit_op = r.create_visit(book)
    server.reply("POST", "/mutations", {"results": [rejected(visit_op)]})
    make_pusher(book, client).push()

    task_id = new_record_id()
    record_edit(
        book,
        "task",
        task_id,
        OpKind.CREATE,
        {
            "title": "三天后回访",
            "kind": "manual",
            "customer_id": r.CUSTOMER,
            "related_entity": "visit",
            "related_id": visit_id,
            "priority": "normal",
            "status": "not_started",
            "due_at": "2026-11-23T01:00:00Z",
        },
    )
    record_edit(  # coalesces with the create
        book, "task", task_id, OpKind.UPDATE, {"priority": "high"}, role=RecordRole.ASSIGNER
    )
    r.move_opportunity(book, "recommended")  # independent: goes
    server.reply("POST", "/mutations", echo_applied(server_copy_of))
    events: list[SyncEvent] = []

    report = make_pusher(book, client, events).push()

    sent = [m["entity"] for m in server.pushed()[-1]]
    assert sent == ["opportunity"]
    states = {op["record_id"]: op["state"] for op in r.outbox_rows(book)}
    assert states == {visit_id: "rejected", task_id: "held"}
    assert report.held == 1
    assert OpState.HELD in [e.state for e in events if isinstance(e, OpStateChanged)]


def test_edit_of_a_rejected_create_is_held_with_what_depends_on_it(book, client, server):
    visit_id, visit_op = r.create_visit(book)
    with book.write() as conn:
        conn.execute(schema.outbox.update().values(state="sending"))
    record_edit(book, "visit", visit_id, OpKind.UPDATE, {"outcome": "follow_up"})
    server.reply("POST", "/mutations", {"results": [rejected(visit_op, "forbidden")]})

    make_pusher(book, client).push()

    assert [len(batch) for batch in server.pushed()] == [1]
    assert [op["state"] for op in r.outbox_rows(book)] == ["rejected", "held"]


def test_whole_batch_refused_is_sent_op_by_op_and_only_the_culprit_is_kept(book, client, server):
    _, bad_op = r.create_visit(book)
    r.complete_task(book)

    def answer(request: httpx.Request) -> Any:
        mutations = orjson.loads(request.content)["mutations"]
        if any(m["op_id"] == bad_op for m in mutations):
            return problem(422, "idempotency_mismatch")
        return echo_applied(server_copy_of)(request)

    server.reply("POST", "/mutations", answer)

    make_pusher(book, client).push()

    assert [len(batch) for batch in server.pushed()] == [2, 1, 1]
    (op,) = r.outbox_rows(book)
    assert (op["op_id"], op["state"], op["error_code"]) == (
        bad_op,
        "rejected",
        "idempotency_mismatch",
    )


# --- conflicts ---------------------------------------------------------------------------------


def test_same_field_changed_on_both_sides_goes_to_the_inbox_and_mine_stays(book, client, server):
    op_id = r.move_opportunity(book, "recommended")
    theirs = r.opportunity("o-1", stage="needs_confirmed", expected_close="2027-02-01")
    server.reply("POST", "/mutations", {"results": [conflict(op_id, "fields", 60, theirs)]})
    events: list[SyncEvent] = []

    report = make_pusher(book, client, events).push()

    (found,) = r.conflicts(book)
    assert (found["entity"], found["record_id"], found["field"], found["kind"]) == (
        "opportunity",
        "o-1",
        "stage",
        "fields",
    )
    assert (found["base_value"], found["mine_value"], found["theirs_value"]) == (
        "contacted",
        "recommended",
        "needs_confirmed",
    )
    assert found["server_rev"] == 60 and found["op_id"] == op_id
    row = r.row(book, "opportunity", "o-1")
    assert row["stage"] == "recommended", "the user's value stays visible until decided"
    assert row["expected_close"] == "2027-02-01", "the server's other change is taken"
    assert row["base"]["stage"] == "needs_confirmed" and row["rev"] == 60
    (op,) = r.outbox_rows(book)
    assert (op["state"], op["fields"], op["base_rev"]) == ("conflict", {"stage": "recommended"}, 60)
    assert report.conflicts == 1 and len(server.pushed()) == 1
    assert [e for e in events if isinstance(e, ConflictFound)] == [
        ConflictFound(found["id"], "opportunity", "o-1", ConflictKind.FIELDS, "stage")
    ]


def test_fields_changed_only_by_me_are_resent_with_the_new_rev_and_a_new_op_id(
    book, client, server
):
    op_id = r.move_opportunity(book, "recommended", amount="650000.00")
    theirs = r.opportunity("o-1", stage="closing")
    server.reply(
        "POST",
        "/mutations",
        {"results": [conflict(op_id, "fields", 61, theirs, ["stage"])]},
        echo_applied(lambda m: {**theirs, **m["fields"]}, first_rev=61),
    )

    make_pusher(book, client).push()

    _, (resent,) = server.pushed()
    assert resent["op_id"] != op_id
    assert (resent["base_rev"], resent["fields"]) == (61, {"amount": "650000.00"})
    ops = r.outbox_rows(book)
    assert [(op["state"], op["fields"]) for op in ops] == [("conflict", {"stage": "recommended"})]
    row = r.row(book, "opportunity", "o-1")
    assert (row["stage"], row["amount"]) == ("recommended", "650000.00")


def test_task_status_changed_on_both_sides_is_decided_by_precedence_and_journaled(
    book, client, server
):
    op_id = r.complete_task(book, note="已续作")
    theirs = factories.task("k-1", r.CUSTOMER, status="in_progress")
    server.reply(
        "POST",
        "/mutations",
        {"results": [conflict(op_id, "fields", 70, theirs, ["status"])]},
        echo_applied(lambda m: {**theirs, **m["fields"]}, first_rev=70),
    )

    make_pusher(book, client).push()

    resent = server.pushed()[1][0]
    assert resent["fields"] == {"status": "completed", "completion_note": "已续作"}
    assert r.conflicts(book) == []
    (entry,) = r.journal(book, "auto_merge")
    assert entry["detail"]["policy"] == "task_status_precedence"
    assert entry["detail"]["chosen"] == "completed" and entry["record_id"] == "k-1"
    assert r.row(book, "task", "k-1")["status"] == "completed"
    assert r.outbox_rows(book) == []


def test_visit_notes_changed_on_both_sides_keep_both_texts(book, client, server):
    apply_page(book, [factories.change("visit", r.visit("v-1"), 20)], "cursor-2")
    result = record_edit(book, "visit", "v-1", OpKind.UPDATE, {"notes": "客户想了解养老理财"})
    theirs = r.visit("v-1", notes="后台补记：客户已签约")
    server.reply(
        "POST",
        "/mutations",
        {"results": [conflict(result.op_id, "fields", 80, theirs, ["notes"])]},
        echo_applied(lambda m: {**theirs, **m["fields"]}, first_rev=80),
    )

    make_pusher(book, client).push()

    merged = "后台补记：客户已签约" + NOTES_MARKER + "客户想了解养老理财"
    assert server.pushed()[1][0]["fields"] == {"notes": merged}
    assert r.row(book, "visit", "v-1")["notes"] == merged


def test_op_base_is_what_the_user_saw_even_after_a_pull_rebased_the_record(book, client, server):
    op_id = r.move_opportunity(book, "recommended")
    pulled = r.opportunity("o-1", stage="needs_confirmed")
    apply_page(book, [factories.change("opportunity", pulled, 30)], "cursor-2")
    assert r.row(book, "opportunity", "o-1")["stage"] == "recommended"
    server.reply(
        "POST",
        "/mutations",
        {"results": [conflict(op_id, "fields", 30, pulled, ["stage"])]},
    )

    make_pusher(book, client).push()

    (found,) = r.conflicts(book)
    assert (found["base_value"], found["mine_value"], found["theirs_value"]) == (
        "contacted",
        "recommended",
        "needs_confirmed",
    ), "the bank's change is not overwritten as if the user had edited its value"


def test_update_of_a_record_the_server_deleted_is_a_whole_record_conflict(book, client, server):
    op_id = r.move_opportunity(book, "won")
    server.reply("POST", "/mutations", {"results": [conflict(op_id, "deleted", 90, None)]})

    make_pusher(book, client).push()

    (found,) = r.conflicts(book)
    assert (found["kind"], found["field"]) == ("deleted", "*")
    assert found["mine_value"] == {"stage": "won"} and found["theirs_value"] is None
    assert found["base_value"]["stage"] == "contacted"
    assert [op["state"] for op in r.outbox_rows(book)] == ["conflict"]


def test_delete_of_an_opportunity_the_server_changed_asks_the_user(book, client, server):
    result = record_edit(book, "opportunity", "o-1", OpKind.DELETE)
    theirs = r.opportunity("o-1", amount="900000.00")
    server.reply(
        "POST", "/mutations", {"results": [conflict(result.op_id, "modified", 95, theirs)]}
    )

    make_pusher(book, client).push()

    (found,) = r.conflicts(book)
    assert (found["kind"], found["mine_value"]) == ("modified", None)
    assert found["theirs_value"]["amount"] == "900000.00"
    assert r.row(book, "opportunity", "o-1") is None, "stays deleted until the user decides"
    assert [op["state"] for op in r.outbox_rows(book)] == ["conflict"]


def test_removing_a_manual_tag_the_server_changed_is_sent_again_without_asking(
    book, client, server
):
    tag = factories.customer_tag("g-1", r.CUSTOMER, "爱打高尔夫", category="manual", source="rm")
    apply_page(book, [factories.change("customer_tag", tag, 33)], "cursor-2")
    result = record_edit(book, "customer_tag", "g-1", OpKind.DELETE)
    server.reply(
        "POST",
        "/mutations",
        {"results": [conflict(result.op_id, "modified", 34, {**tag, "name": "高尔夫"})]},
        lambda request: {
            "results": [applied(orjson.loads(request.content)["mutations"][0]["op_id"], 35, None)]
        },
    )

    make_pusher(book, client).push()

    again = server.pushed()[1][0]
    assert (again["op"], again["base_rev"]) == ("delete", 34) and again["op_id"] != result.op_id
    assert r.conflicts(book) == [] and r.outbox_rows(book) == []
    assert r.journal(book, "auto_merge")[0]["detail"]["policy"] == "tag_removal_kept"


def test_assignee_and_assigner_edits_reach_the_server_with_their_own_fields(book, client, server):
    due = "2026-11-25T01:00:00Z"
    record_edit(book, "task", "k-1", OpKind.UPDATE, {"due_at": due}, role=RecordRole.ASSIGNER)
    server.reply(
        "POST",
        "/mutations",
        echo_applied(lambda m: factories.task("k-1", r.CUSTOMER, **m["fields"])),
    )

    make_pusher(book, client).push()

    assert server.pushed()[0][0]["fields"] == {"due_at": due}
    assert r.row(book, "task", "k-1")["due_at"] == due


def test_an_answer_older_than_the_cache_leaves_the_newer_copy(book, client, server):
    op_id = r.move_opportunity(book, "recommended")
    with book.write() as conn:  # sent; the answer was lost; a pull then brought a newer copy
        conn.execute(schema.outbox.update().values(state="sending"))
    newer = r.opportunity("o-1", stage="recommended", amount="720000.00")
    apply_page(book, [factories.change("opportunity", newer, 50)], "cursor-2")
    older = r.opportunity("o-1", stage="recommended")
    server.reply("POST", "/mutations", {"results": [applied(op_id, 45, older, replayed=True)]})

    make_pusher(book, client).push()

    row = r.row(book, "opportunity", "o-1")
    assert (row["rev"], row["amount"], row["base"]) == (50, "720000.00", None)


def test_stop_check_ends_the_push_between_batches(book, client, server):
    for n in range(3):
        r.create_visit(book, notes=f"{n}")
    server.reply("POST", "/mutations", echo_applied(server_copy_of))
    pusher = Pusher(
        book, client, emit=lambda _e: None, batch_size=1, stop=lambda: len(server.pushed()) >= 2
    )

    with pytest.raises(Cancelled):
        pusher.push()

    assert len(server.pushed()) == 2 and len(r.outbox_rows(book)) == 1


def test_an_edit_sent_again_behind_an_earlier_one_of_its_field_is_journaled(book, client, server):
    visit_id, visit_op = r.create_visit(book)
    server.reply("POST", "/mutations", {"results": [rejected(visit_op)]})
    make_pusher(book, client).push()
    # an edit naming the refused visit is held; a later stage edit is a new op behind it, which
    # an earlier version of the app sent before it stopped (it now waits behind the held one)
    r.move_opportunity(book, "recommended", lead_stub=visit_id)
    make_pusher(book, client).push()
    later = r.move_opportunity(book, "closing")
    with book.write() as conn:
        conn.execute(
            schema.outbox.update().where(schema.outbox.c.op_id == later).values(state="sending")
        )
    theirs = r.opportunity("o-1", stage="needs_confirmed")

    def conflicts_again(request: httpx.Request) -> dict[str, Any]:
        mutations = orjson.loads(request.content)["mutations"]
        return {"results": [conflict(m["op_id"], "fields", 62, theirs) for m in mutations]}

    server.reply("POST", "/mutations", conflicts_again)

    make_pusher(book, client).push()

    (entry,) = r.journal(book, "sent_again_later")
    assert (entry["entity"], entry["record_id"], entry["op_id"]) == ("opportunity", "o-1", later)
    assert entry["detail"]["fields"] == ["stage"]
    assert [m["op_id"] for m in server.pushed()[-1]] == [later]
    requeued = [op for op in r.outbox_rows(book) if op["fields"] == {"stage": "closing"}]
    assert [(op["state"], op["op_id"]) for op in requeued] == [
        ("held", entry["detail"]["new_op_id"])
    ], "sent again only after the earlier edit it builds on"
    assert r.conflicts(book) == []


def test_an_edit_left_out_for_a_later_one_of_its_field_hands_it_its_base(book, client, server):
    first = r.move_opportunity(book, "recommended", amount="650000.00")
    with book.write() as conn:  # a crash left it sending; the user edits the stage again
        conn.execute(schema.outbox.update().values(state="sending"))
    second = r.move_opportunity(book, "closing")
    theirs = r.opportunity("o-1", stage="needs_confirmed")
    server.reply(
        "POST",
        "/mutations",
        {
            "results": [
                conflict(first, "fields", 63, theirs),
                conflict(second, "fields", 63, theirs),
            ]
        },
        echo_applied(lambda m: {**theirs, **m["fields"]}, first_rev=64),
    )

    make_pusher(book, client).push()

    (entry,) = r.journal(book, "superseded")
    assert entry["op_id"] == first and entry["detail"]["fields"] == {"stage": second}
    (found,) = r.conflicts(book)
    # the later stage meets the bank's against the base the user first edited from
    assert (found["base_value"], found["mine_value"], found["theirs_value"]) == (
        "contacted",
        "closing",
        "needs_confirmed",
    )
    resent = server.pushed()[-1]
    assert [m["fields"] for m in resent] == [{"amount": "650000.00"}]


def _change_of_mind_the_bank_made_too(book, server, **op_answer: Any) -> tuple[str, str]:
    """Stage moved to recommended (left sending by a lost request) and back to contacted; the
    bank moved it to recommended itself meanwhile. Both ops go in one batch."""
    first = r.move_opportunity(book, "recommended")
    with book.write() as conn:
        conn.execute(schema.outbox.update().values(state="sending"))
    second = r.move_opportunity(book, "contacted")
    theirs = r.opportunity("o-1", stage="recommended")
    server.reply(
        "POST",
        "/mutations",
        {
            "results": [
                applied(first, 63, theirs, **op_answer),
                conflict(second, "fields", 63, theirs),
            ]
        },
        echo_applied(lambda m: {**theirs, **m["fields"]}, first_rev=64),
    )
    return first, second


def test_an_edit_the_bank_already_had_gives_a_later_edit_its_base(book, client, server):
    first, second = _change_of_mind_the_bank_made_too(book, server, changed_fields=[])

    make_pusher(book, client).push()

    # The bank moved the stage from the one the user started from; the user moved it back:
    # not sent over the bank's, but put to the user against the stage they started from.
    assert len(server.pushed()) == 1
    (found,) = r.conflicts(book)
    assert (found["base_value"], found["mine_value"], found["theirs_value"]) == (
        "contacted",
        "contacted",
        "recommended",
    )
    (entry,) = r.journal(book, "already_at_bank")
    assert entry["op_id"] == first and entry["detail"]["fields"] == {"stage": second}


@pytest.mark.parametrize(
    "op_answer", [{"changed_fields": ["stage"]}, {}], ids=["it-wrote-the-stage", "bank-silent"]
)
def test_a_later_edit_over_one_that_wrote_its_field_is_sent(book, client, server, op_answer):
    # The first op wrote the stage (its answer was lost and it is replayed), or the bank does
    # not say: the user's later stage is their own change of mind and goes to the bank.
    _change_of_mind_the_bank_made_too(book, server, replayed=True, **op_answer)

    make_pusher(book, client).push()

    resent = server.pushed()[-1]
    assert [(m["fields"], m["base_rev"]) for m in resent] == [({"stage": "contacted"}, 63)]
    assert r.row(book, "opportunity", "o-1")["stage"] == "contacted"
    assert r.conflicts(book) == [] and r.journal(book, "already_at_bank") == []


def test_a_later_edit_of_a_field_waiting_in_the_inbox_ends_the_chain_of_undecided_edits(
    book, client, server
):
    # The user's needs_confirmed waits in the inbox against the bank's lost; the user then sets
    # won on the desk, and the bank takes it. The desk shows won, not the older undecided value,
    # and the next edit bases on won: when the bank meanwhile wrote contacted again (where the
    # first edit began), that is a change the user never saw, put to the user, not overwritten.
    waiting = r.move_opportunity(book, "needs_confirmed")
    lost = r.opportunity("o-1", stage="lost")
    server.reply("POST", "/mutations", {"results": [conflict(waiting, "fields", 60, lost)]})
    make_pusher(book, client).push()
    later = r.move_opportunity(book, "won")
    won = r.opportunity("o-1", stage="won")
    server.reply("POST", "/mutations", {"results": [applied(later, 61, won)]})
    make_pusher(book, client).push()

    assert r.row(book, "opportunity", "o-1")["stage"] == "won"

    last = r.move_opportunity(book, "lead")
    contacted = r.opportunity("o-1", stage="contacted")
    server.reply(
        "POST", "/mutations", {"results": [conflict(last, "fields", 62, contacted, ["stage"])]}
    )
    make_pusher(book, client).push()

    assert len(server.pushed()) == 3, "lead is not sent over the bank's contacted"
    assert [(c["base_value"], c["mine_value"], c["theirs_value"]) for c in r.conflicts(book)] == [
        ("contacted", "needs_confirmed", "lost"),
        ("won", "lead", "contacted"),
    ]
    assert r.row(book, "opportunity", "o-1")["stage"] == "lead"


def test_an_edit_the_bank_already_had_hands_down_the_base_an_earlier_edit_gave_it(
    book, client, server
):
    # Three stages, the first two left sending by lost requests; the bank moved the stage to
    # won, the second edit's value. The first meets a conflict and hands the second its base
    # (contacted); the second changes nothing at the bank and hands that base down to the
    # third, whose conflict shows where the user's edits began, not a value of the user's own
    # that never reached the bank.
    first = r.move_opportunity(book, "recommended")
    with book.write() as conn:
        conn.execute(schema.outbox.update().values(state="sending"))
    second = r.move_opportunity(book, "won")
    with book.write() as conn:
        conn.execute(schema.outbox.update().values(state="sending"))
    third = r.move_opportunity(book, "lead")
    won = r.opportunity("o-1", stage="won")
    server.reply(
        "POST",
        "/mutations",
        {
            "results": [
                conflict(first, "fields", 63, won, ["stage"]),
                applied(second, 63, won, changed_fields=[]),
                conflict(third, "fields", 63, won, ["stage"]),
            ]
        },
    )

    make_pusher(book, client).push()

    assert len(server.pushed()) == 1
    (found,) = r.conflicts(book)
    assert (found["base_value"], found["mine_value"], found["theirs_value"]) == (
        "contacted",
        "lead",
        "won",
    )
    (entry,) = r.journal(book, "already_at_bank")
    assert entry["op_id"] == second and entry["detail"]["fields"] == {"stage": third}


def test_a_later_edit_of_a_refused_field_ends_the_chain_of_edits_the_bank_did_not_take(
    book, client, server
):
    # The bank refused an amount; the user typed another, and the bank took it. The desk shows
    # that amount, not the refused one, and the next edit bases on it: when the bank meanwhile
    # wrote back the amount the refused edit began from, that is a change the user never saw.
    refused = _amount(book, "12,5")
    server.reply("POST", "/mutations", {"results": [rejected(refused)]})
    make_pusher(book, client).push()
    later = _amount(book, "1.00")
    server.reply(
        "POST", "/mutations", {"results": [applied(later, 61, r.opportunity("o-1", amount="1.00"))]}
    )
    make_pusher(book, client).push()

    assert r.row(book, "opportunity", "o-1")["amount"] == "1.00"
    assert r.outbox_rows(book) == [], "the refused amount was replaced by the later one"
    (entry,) = r.journal(book, "replaced_by_later_edit")
    assert entry["op_id"] == refused
    assert entry["detail"] == {"fields": {"amount": "12,5"}, "state": "rejected"}

    last = _amount(book, "650000.00")
    theirs = r.opportunity("o-1", amount="500000.00")
    server.reply(
        "POST", "/mutations", {"results": [conflict(last, "fields", 62, theirs, ["amount"])]}
    )
    make_pusher(book, client).push()

    assert len(server.pushed()) == 3, "650000.00 is not sent over the bank's 500000.00"
    ((base, mine, bank),) = [
        (c["base_value"], c["mine_value"], c["theirs_value"]) for c in r.conflicts(book)
    ]
    assert (base, mine, bank) == ("1.00", "650000.00", "500000.00")


def _amount(book: Store, amount: str) -> str:
    result = record_edit(book, "opportunity", "o-1", OpKind.UPDATE, {"amount": amount})
    assert result.op_id is not None
    return result.op_id
