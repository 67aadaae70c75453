"""Pull on the wire: pages and cursors, progress, quarantine, and the replacement sync after
``410 cursor_expired`` that keeps every pending change."""

from __future__ import annotations

import threading

import httpx
import pytest

from rm_desk.domain.enums import OpKind, SyncPhase
from rm_desk.local_store import Store
from rm_desk.local_store.search import search_customers
from rm_desk.local_store.sync_state import CURSOR, get_state
from rm_desk.local_store.writes import record_edit
from rm_desk.sync.cancel import Cancelled
from rm_desk.sync.client import ApiClient
from rm_desk.sync.errors import Offline
from rm_desk.sync.events import Progress, SyncEvent
from rm_desk.sync.pull import Puller
from tests import factories
from tests.sync import records as r
from tests.sync.wire import ScriptedServer, page, problem


def make_puller(
    store: Store,
    client: ApiClient,
    events: list[SyncEvent] | None = None,
    phases: list[SyncPhase] | None = None,
) -> Puller:
    sink = events if events is not None else []
    seen = phases if phases is not None else []
    return Puller(store, client, emit=sink.append, on_phase=seen.append)


def cursor_of(store: Store) -> str | None:
    with store.read() as conn:
        return get_state(conn, CURSOR)


def customers(n: int, first_rev: int = 1) -> list[dict]:
    return [
        factories.change("customer", factories.customer(f"c-{i:06d}"), first_rev + i)
        for i in range(n)
    ]


def test_pull_pages_through_the_feed_storing_each_cursor(store, client, server):
    feed = customers(5)
    server.reply(
        "GET",
        "/changes",
        page(feed[:3], "p1", has_more=True, remaining=2),
        page(feed[3:], "p2"),
    )
    events: list[SyncEvent] = []

    report = make_puller(store, client, events).pull()

    assert server.params("/changes") == [{"limit": "5000"}, {"cursor": "p1", "limit": "5000"}]
    assert cursor_of(store) == "p2"
    assert (report.pages, report.changes, report.upserted) == (2, 5, 5)
    assert events == [Progress(SyncPhase.PULLING, 3, 5), Progress(SyncPhase.PULLING, 5, 5)]
    assert r.row(store, "customer", "c-000004")["rev"] == 5


def test_the_next_page_is_asked_for_while_the_current_one_is_applied(store, client, server):
    """The server builds page 2 while the cache writes page 1: the request for it is sent before
    page 1's progress is told (the old order, request after apply, would wait here in vain)."""
    feed = customers(4)
    asked = threading.Event()

    def second_page(_request: httpx.Request) -> dict:
        asked.set()
        return page(feed[2:], "p2")

    server.reply("GET", "/changes", page(feed[:2], "p1", has_more=True, remaining=2), second_page)
    waited: list[bool] = []

    def on_progress(_event: SyncEvent) -> None:
        if not waited:
            waited.append(asked.wait(10))

    report = Puller(store, client, emit=on_progress).pull()

    assert waited == [True]
    assert (report.pages, report.changes, cursor_of(store)) == (2, 4, "p2")
    assert [r.row(store, "customer", c["id"])["rev"] for c in feed] == [1, 2, 3, 4]


def test_pull_continues_from_the_stored_cursor(store, client, server):
    server.reply("GET", "/changes", page(customers(1), "p1"), page([], "p1"))
    make_puller(store, client).pull()

    make_puller(store, client).pull()

    assert server.params("/changes")[-1] == {"cursor": "p1", "limit": "5000"}


def test_connection_lost_mid_feed_keeps_the_pages_applied_with_their_cursor(store, client, server):
    server.reply(
        "GET",
        "/changes",
        page(customers(2), "p1", has_more=True, remaining=10),
        httpx.ConnectError("network gone"),
    )

    with pytest.raises(Offline):
        make_puller(store, client).pull()

    assert cursor_of(store) == "p1"
    assert r.row(store, "customer", "c-000001") is not None


def test_a_malformed_record_is_quarantined_and_does_not_stall_the_pull(store, client, server):
    bad = factories.change("customer", factories.customer("c-bad", mobile_masked="13812345678"), 7)
    server.reply("GET", "/changes", page([*customers(2), bad], "p1"))

    report = make_puller(store, client).pull()

    assert report.quarantined == 1 and cursor_of(store) == "p1"
    assert r.row(store, "customer", "c-bad") is None
    assert r.row(store, "customer", "c-000001") is not None
    (entry,) = r.journal(store, "quarantine")
    assert entry["record_id"] == "c-bad" and "13812345678" not in str(entry)


# --- replacement sync --------------------------------------------------------------------------


@pytest.fixture
def stale_cache(store: Store) -> Store:
    """A cache with two customers and their tasks, a pending edit on each task and the second
    customer's opportunity, and a visit logged offline; then the cursor expires."""
    r.seed_book(
        store,
        factories.change("customer", factories.customer("c-000002"), 13),
        factories.change("task", factories.task("k-2", "c-000002"), 14),
        factories.change("account", factories.account("a-2", "c-000002"), 15),
        factories.change("opportunity", r.opportunity("o-2", "c-000002"), 16),
    )
    r.complete_task(store, "k-1", note="已续作")
    r.move_opportunity(store, "closing", opp_id="o-2")
    r.create_visit(store)
    return store


def full_feed_of_the_first_customer() -> list[dict]:
    """What the server now sends from no cursor: c-000002 and its records are gone."""
    return [
        factories.change("customer", factories.customer(r.CUSTOMER, tier="diamond"), 200),
        factories.change("task", factories.task("k-1", r.CUSTOMER, priority="high"), 201),
    ]


def test_expired_cursor_runs_a_replacement_sync_that_keeps_pending_changes(
    stale_cache, client, server
):
    feed = full_feed_of_the_first_customer()
    server.reply(
        "GET",
        "/changes",
        problem(410, "cursor_expired"),
        page(feed[:1], "f1", has_more=True, remaining=1),
        page(feed[1:], "f2"),
    )
    events: list[SyncEvent] = []
    phases: list[SyncPhase] = []

    report = make_puller(stale_cache, client, events, phases).pull()

    assert server.params("/changes") == [
        {"cursor": "cursor-1", "limit": "5000"},
        {"limit": "5000"},
        {"cursor": "f1", "limit": "5000"},
    ]
    assert report.replaced and cursor_of(stale_cache) == "f2"
    assert phases == [SyncPhase.REPLACING]
    assert [e.phase for e in events] == [SyncPhase.REPLACING, SyncPhase.REPLACING]
    # Not sent any more, no pending change: gone.
    assert r.row(stale_cache, "customer", "c-000002") is None
    assert r.row(stale_cache, "task", "k-2") is None
    assert r.row(stale_cache, "account", "a-2") is None
    # Sent again: the new server copy, with the pending edit laid over it.
    task = r.row(stale_cache, "task", "k-1")
    assert (task["priority"], task["status"], task["rev"]) == ("high", "completed", 201)
    assert task["base"]["status"] == "not_started"
    assert r.row(stale_cache, "customer", r.CUSTOMER)["tier"] == "diamond"
    # Not sent, but with a pending change or created here: kept for the push to settle.
    assert r.row(stale_cache, "opportunity", "o-2")["stage"] == "closing"
    assert [op["op"] for op in r.outbox_rows(stale_cache)] == ["update", "update", "create"]
    visit_id = r.outbox_rows(stale_cache)[2]["record_id"]
    assert r.row(stale_cache, "visit", visit_id)["rev"] == 0
    # The first customer's own opportunity had no pending change and was not sent.
    assert r.row(stale_cache, "opportunity", "o-1") is None
    assert report.swept == 4
    (entry,) = r.journal(stale_cache, "replacement")
    assert entry["detail"]["received"] == 2


def test_replacement_cut_short_starts_again_and_sweeps_only_at_the_end(stale_cache, client, server):
    feed = full_feed_of_the_first_customer()
    server.reply(
        "GET",
        "/changes",
        problem(410, "cursor_expired"),
        page(feed[:1], "f1", has_more=True, remaining=1),
        httpx.ReadError("connection reset"),
        problem(410, "cursor_expired"),
        page(feed[:1], "g1", has_more=True, remaining=1),
        page(feed[1:], "g2"),
    )

    with pytest.raises(Offline):
        make_puller(stale_cache, client).pull()
    assert cursor_of(stale_cache) == "cursor-1", "the expired cursor stays until the sweep"
    assert r.row(stale_cache, "customer", "c-000002") is not None

    report = make_puller(stale_cache, client).pull()

    assert report.replaced and cursor_of(stale_cache) == "g2"
    assert r.row(stale_cache, "customer", "c-000002") is None


def test_replacement_keeps_a_record_with_a_pending_edit_even_when_the_feed_drops_it(
    store, client, server
):
    r.seed_book(store)
    record_edit(store, "opportunity", "o-1", OpKind.DELETE)
    server.reply("GET", "/changes", problem(410, "cursor_expired"), page([], "f1"))

    make_puller(store, client).pull()

    assert [op["op"] for op in r.outbox_rows(store)] == ["delete"]
    assert r.row(store, "customer", r.CUSTOMER) is None
    assert r.row(store, "task", "k-1") is None


def test_server_time_of_each_page_is_kept(store, client, server: ScriptedServer):
    server.reply("GET", "/changes", page(customers(1), "p1"))

    make_puller(store, client).pull()

    with store.read() as conn:
        assert get_state(conn, "last_server_time") == "2026-11-20T09:00:00Z"


def test_stop_check_ends_the_pull_between_pages_keeping_their_cursor(store, client, server):
    feed = customers(3)
    server.reply(
        "GET",
        "/changes",
        page(feed[:1], "p1", has_more=True, remaining=2),
        page(feed[1:2], "p2", has_more=True, remaining=1),
        page(feed[2:], "p3"),
    )
    progress: list[object] = []  # stop is asked for once the first page is in the cache
    puller = Puller(store, client, emit=progress.append, stop=lambda: bool(progress))

    with pytest.raises(Cancelled):
        puller.pull()

    assert cursor_of(store) == "p1"
    assert r.row(store, "customer", feed[0]["id"]) is not None
    assert r.row(store, "customer", feed[1]["id"]) is None, "a page fetched ahead is not applied"
    assert len(server.params("/changes")) <= 2, "no page is asked for after stop"


def test_replacement_refreshes_search_for_customers_whose_records_went(store, client, server):
    r.seed_book(
        store,
        factories.change(
            "account", factories.account("a-1", r.CUSTOMER, number_masked="**** **** **** 9876"), 13
        ),
    )
    with store.read() as conn:
        assert [hit.customer_id for hit in search_customers(conn, "9876")] == [r.CUSTOMER]
    feed = [factories.change("customer", factories.customer(r.CUSTOMER), 300)]
    server.reply("GET", "/changes", problem(410, "cursor_expired"), page(feed, "f1"))

    make_puller(store, client).pull()

    assert r.row(store, "account", "a-1") is None
    with store.read() as conn:
        assert search_customers(conn, "9876") == []
