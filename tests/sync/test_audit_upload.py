"""The audit log's upload at the end of a round: batches in ``seq`` order, ``acked_seq`` noted, a
failed exchange losing nothing, a refusal journaled without stopping sync (MockTransport)."""

from __future__ import annotations

from typing import Any

import httpx
import orjson
import pytest

from rm_desk.local_store import Store
from rm_desk.local_store.audit import append_audit, unuploaded_events, verify_chain
from rm_desk.local_store.outbox import journal_entries
from rm_desk.local_store.sync_state import AUDIT_ACKED_SEQ, LAST_SUCCESS, get_state
from rm_desk.sync.audit_upload import AUDIT_REFUSED, AUDIT_REFUSED_MESSAGE, AuditUploader
from rm_desk.sync.client import ApiClient
from rm_desk.sync.engine import SyncEngine
from rm_desk.sync.errors import Offline, ServerUnavailable, SessionExpired
from tests.sync.wire import ScriptedServer, page, problem


def write_events(store: Store, count: int, action: str = "reveal") -> None:
    with store.write() as conn:
        for n in range(count):
            append_audit(
                conn,
                ts="2026-11-20T09:00:00+00:00",
                action=action,
                user_id="rm001",
                device_id="dev-test",
                entity="customer",
                record_id=f"c-{n:06d}",
                field="mobile",
                reason="回访核实",
            )


def waiting(store: Store) -> list[int]:
    with store.read() as conn:
        return [event.seq for event in unuploaded_events(conn, limit=10_000)]


def sent_seqs(server: ScriptedServer) -> list[list[int]]:
    return [[event["seq"] for event in body["events"]] for body in server.bodies("/audit")]


def acks_highest(request: httpx.Request) -> dict[str, int]:
    """The reference server's answer: the highest ``seq`` of the upload."""
    return {"acked_seq": max(e["seq"] for e in orjson.loads(request.content)["events"])}


def refused(field_errors: dict[str, str]) -> httpx.Response:
    body = {
        "type": "urn:problem:validation_error",
        "title": "t",
        "status": 422,
        "code": "validation_error",
        "field_errors": field_errors,
    }
    return httpx.Response(
        422, content=orjson.dumps(body), headers={"Content-Type": "application/problem+json"}
    )


def state(store: Store, key: str) -> str | None:
    with store.read() as conn:
        return get_state(conn, key)


def journal(store: Store) -> list[dict[str, Any]]:
    with store.read() as conn:
        return journal_entries(conn, AUDIT_REFUSED)


def test_a_round_uploads_the_audit_log_after_the_push_and_the_pull(
    store: Store, client: ApiClient, server: ScriptedServer
) -> None:
    write_events(store, 3)
    server.reply("GET", "/changes", page([], "p1"))
    server.reply("POST", "/audit", acks_highest)

    report = SyncEngine(store, client).run_round()

    calls = [(q.method, q.url.path.removeprefix("/api/v1")) for q in server.requests]
    assert calls == [("GET", "/changes"), ("POST", "/audit")]
    assert sent_seqs(server) == [[1, 2, 3]]
    sent = server.bodies("/audit")[0]["events"][0]
    assert (sent["action"], sent["record_id"], sent["prev_hash"]) == (
        "reveal",
        "c-000000",
        "0" * 64,
    )
    assert waiting(store) == [] and state(store, AUDIT_ACKED_SEQ) == "3"
    assert (report.audited.uploaded, report.audited.requests) == (3, 1)


def test_a_round_with_nothing_new_in_the_audit_log_makes_no_upload(
    store: Store, client: ApiClient, server: ScriptedServer
) -> None:
    write_events(store, 2)
    server.reply("GET", "/changes", page([], "p1"))
    server.reply("POST", "/audit", acks_highest)
    SyncEngine(store, client).run_round()

    SyncEngine(store, client).run_round()

    assert sent_seqs(server) == [[1, 2]]


def test_events_go_in_batches_of_a_thousand_in_seq_order(
    store: Store, client: ApiClient, server: ScriptedServer
) -> None:
    write_events(store, 2_001)
    server.reply("GET", "/changes", page([], "p1"))
    server.reply("POST", "/audit", acks_highest)

    SyncEngine(store, client).run_round()

    batches = sent_seqs(server)
    assert [len(batch) for batch in batches] == [1000, 1000, 1]
    assert [seq for batch in batches for seq in batch] == list(range(1, 2_002))
    assert waiting(store) == []


def test_a_partial_ack_keeps_the_rest_and_sends_it_again(
    store: Store, client: ApiClient, server: ScriptedServer
) -> None:
    write_events(store, 5)
    server.reply("POST", "/audit", {"acked_seq": 2}, acks_highest)

    report = AuditUploader(store, client).upload()

    assert sent_seqs(server) == [[1, 2, 3, 4, 5], [3, 4, 5]]
    assert waiting(store) == [] and report.uploaded == 5


def test_an_ack_that_makes_no_progress_leaves_the_events_for_the_next_round(
    store: Store, client: ApiClient, server: ScriptedServer
) -> None:
    write_events(store, 3)
    server.reply("POST", "/audit", {"acked_seq": 0})

    report = AuditUploader(store, client).upload()

    assert sent_seqs(server) == [[1, 2, 3]], "no loop on a server that acknowledges nothing"
    assert waiting(store) == [1, 2, 3] and report.uploaded == 0


def test_an_ack_beyond_what_was_sent_never_marks_an_event_written_meanwhile(
    store: Store, client: ApiClient, server: ScriptedServer
) -> None:
    write_events(store, 2)

    def answer(request: httpx.Request) -> dict[str, int]:
        if len(server.bodies("/audit")) == 1:
            write_events(store, 1, action="export")  # the RM exports while the upload is out
        return {"acked_seq": 99}

    server.reply("POST", "/audit", answer)

    AuditUploader(store, client).upload()

    assert sent_seqs(server) == [[1, 2], [3]]
    assert waiting(store) == [] and state(store, AUDIT_ACKED_SEQ) == "3"


@pytest.mark.parametrize(
    ("failure", "error"),
    [
        (httpx.ReadError("the answer was lost"), Offline),
        (problem(503, "service_unavailable"), ServerUnavailable),
        (problem(401, "invalid_grant"), SessionExpired),
    ],
    ids=["answer lost", "server unavailable", "signed out"],
)
def test_a_failed_upload_fails_the_round_and_the_next_round_sends_the_same_events(
    store: Store,
    client: ApiClient,
    server: ScriptedServer,
    failure: Any,
    error: type[Exception],
) -> None:
    write_events(store, 3)
    server.reply("GET", "/changes", page([], "p1"))
    server.reply("POST", "/audit", failure, acks_highest)

    with pytest.raises(error):
        SyncEngine(store, client).run_round()
    assert waiting(store) == [1, 2, 3] and state(store, LAST_SUCCESS) is None

    if error is SessionExpired:
        client.login("rm001", "pw")
    SyncEngine(store, client).run_round()

    first, again = server.bodies("/audit")
    assert again == first, "the same events, byte for byte: the server keeps each once"
    assert waiting(store) == [] and state(store, LAST_SUCCESS) is not None


def test_a_refused_upload_is_journaled_once_and_does_not_stop_sync(
    store: Store, client: ApiClient, server: ScriptedServer
) -> None:
    write_events(store, 3)
    server.reply("GET", "/changes", page([], "p1"))
    why = {"events[1].hash": "hash does not match the event or its predecessor"}
    server.reply("POST", "/audit", refused(why), refused(why), acks_highest)

    report = SyncEngine(store, client).run_round()

    assert report.audited.refused == "validation_error"
    assert state(store, LAST_SUCCESS) is not None, "the round completed"
    assert waiting(store) == [1, 2, 3]
    (entry,) = journal(store)
    assert entry["message"] == AUDIT_REFUSED_MESSAGE
    assert entry["detail"] == {
        "first_seq": 1,
        "last_seq": 3,
        "status": 422,
        "code": "validation_error",
        "field_errors": why,
    }

    SyncEngine(store, client).run_round()  # refused again: sent again, not journaled again
    assert len(sent_seqs(server)) == 2 and len(journal(store)) == 1

    SyncEngine(store, client).run_round()  # the bank takes them at last
    assert waiting(store) == [] and len(sent_seqs(server)) == 3


def test_a_server_without_the_audit_call_does_not_stop_sync(
    store: Store, client: ApiClient, server: ScriptedServer
) -> None:
    write_events(store, 1)
    server.reply("GET", "/changes", page([], "p1"))  # /audit: 404 not_found

    report = SyncEngine(store, client).run_round()

    assert report.audited.refused == "not_found" and waiting(store) == [1]
    assert [entry["detail"]["code"] for entry in journal(store)] == ["not_found"]


def test_a_body_too_large_is_sent_again_in_halves(
    store: Store, client: ApiClient, server: ScriptedServer
) -> None:
    write_events(store, 8)

    def answer(request: httpx.Request) -> Any:
        events = orjson.loads(request.content)["events"]
        if len(events) > 2:
            return problem(413, "payload_too_large")
        return acks_highest(request)

    server.reply("POST", "/audit", answer)

    report = AuditUploader(store, client).upload()

    assert [len(batch) for batch in sent_seqs(server)] == [8, 4, 2, 2, 2, 2]
    assert waiting(store) == [] and report.refused is None and journal(store) == []
    with store.read() as conn:
        assert verify_chain(conn) is None
