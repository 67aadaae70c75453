"""A sync round: push, pull, push what changed meanwhile; contact and success times; status."""

from __future__ import annotations

from datetime import datetime

import httpx
import pytest

from rm_desk.domain.enums import OpKind, SyncPhase
from rm_desk.local_store import Store
from rm_desk.local_store.sync_state import LAST_SERVER_CONTACT, LAST_SUCCESS, get_state
from rm_desk.local_store.writes import record_edit
from rm_desk.sync.engine import SyncEngine, read_status
from rm_desk.sync.errors import ServerUnavailable
from tests import factories
from tests.conftest import FakeClock
from tests.sync import records as r
from tests.sync.wire import conflict, echo_applied, page, problem, rejected


@pytest.fixture
def book(store: Store) -> Store:
    r.seed_book(store)
    return store


def state(store: Store, key: str) -> str | None:
    with store.read() as conn:
        return get_state(conn, key)


def test_round_pushes_then_pulls_then_pushes_what_changed_meanwhile(book, client, server):
    r.complete_task(book)

    def feed(request: httpx.Request) -> dict:
        # The RM logs a visit while the pull runs: it goes out in the same round.
        r.create_visit(book)
        return page([factories.change("customer", factories.customer(r.CUSTOMER), 30)], "p2")

    server.reply("GET", "/changes", feed)
    server.reply("POST", "/mutations", echo_applied(lambda m: {"id": m["id"], **m["fields"]}))
    phases: list[SyncPhase] = []

    report = SyncEngine(book, client, on_phase=phases.append).run_round()

    calls = [(q.method, q.url.path.removeprefix("/api/v1")) for q in server.requests]
    assert calls == [("POST", "/mutations"), ("GET", "/changes"), ("POST", "/mutations")]
    assert [m["entity"] for batch in server.pushed() for m in batch] == ["task", "visit"]
    assert phases == [SyncPhase.PUSHING, SyncPhase.PULLING, SyncPhase.PUSHING]
    assert (report.pushed.applied, report.pulled.changes, report.pushed_after.applied) == (1, 1, 1)
    assert r.outbox_rows(book) == []


def test_a_round_with_nothing_to_send_only_pulls(book, client, server):
    server.reply("GET", "/changes", page([], "p2"))

    SyncEngine(book, client).run_round()

    assert [q.method for q in server.requests] == ["GET"]


def test_round_notes_server_contact_and_success(book, client, server, clock: FakeClock):
    server.reply("GET", "/changes", page([], "p2"))

    SyncEngine(book, client).run_round()

    assert datetime.fromisoformat(state(book, LAST_SUCCESS)) == clock.now
    assert datetime.fromisoformat(state(book, LAST_SERVER_CONTACT)) == clock.now


def test_failed_round_notes_the_contact_but_not_a_success(book, client, server, clock):
    r.complete_task(book)
    server.reply("POST", "/mutations", echo_applied(lambda m: factories.task("k-1", r.CUSTOMER)))
    server.reply("GET", "/changes", problem(503, "service_unavailable"))

    with pytest.raises(ServerUnavailable):
        SyncEngine(book, client).run_round()

    assert state(book, LAST_SUCCESS) is None
    assert datetime.fromisoformat(state(book, LAST_SERVER_CONTACT)) == clock.now
    assert r.outbox_rows(book) == [], "what the push did before the failure stays done"


def test_status_counts_pending_conflicts_and_refusals(book, client, server):
    _, visit_op = r.create_visit(book)
    stage_op = r.move_opportunity(book, "won")
    server.reply(
        "POST",
        "/mutations",
        {
            "results": [
                rejected(visit_op),
                conflict(stage_op, "fields", 60, r.opportunity("o-1", stage="lost")),
            ]
        },
    )
    server.reply("GET", "/changes", page([], "p2"))
    SyncEngine(book, client).run_round()
    record_edit(book, "opportunity", "o-1", OpKind.UPDATE, {"amount": "10.00"})

    status = read_status(book, phase=SyncPhase.IDLE, online=True)

    assert (status.pending_count, status.conflict_count, status.rejected_count) == (1, 1, 1)
    assert status.last_success is not None and status.online is True
    with pytest.raises(AttributeError):
        status.pending_count = 0  # type: ignore[misc]
