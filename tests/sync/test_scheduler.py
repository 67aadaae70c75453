"""When sync runs: the schedule's decisions as plain calls, and the worker driven step by step
with a fake clock and waiter (plus one run of the real thread)."""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from rm_desk.domain.enums import SyncPhase
from rm_desk.errors import CacheCorrupt, StoreError
from rm_desk.local_store import Store
from rm_desk.local_store.sync_state import CURSOR, get_state
from rm_desk.sync.client import ApiClient
from rm_desk.sync.errors import (
    DeviceRevoked,
    Offline,
    PermissionDenied,
    RateLimited,
    ServerUnavailable,
)
from rm_desk.sync.events import Progress, StatusChanged, SyncEvent
from rm_desk.sync.scheduler import (
    THREAD_NAME,
    UNEXPECTED_MESSAGE,
    Action,
    Due,
    Schedule,
    ScheduleSettings,
    SyncWorker,
    backoff_delay,
)
from tests import factories
from tests.conftest import FakeClock
from tests.sync import records as r
from tests.sync.wire import (
    BASE,
    DEVICE,
    ScriptedServer,
    echo_applied,
    page,
    problem,
    token_answer,
)

# --- the schedule ------------------------------------------------------------------------------


@pytest.fixture
def schedule() -> Schedule:
    return Schedule(ScheduleSettings(), random.Random(7))


def test_start_runs_a_round_at_once(schedule):
    schedule.start(100.0)

    assert schedule.next_due() == Due(Action.ROUND, 100.0)


def test_after_a_round_the_next_one_comes_after_the_interval(schedule):
    schedule.start(0.0)
    schedule.round_started()
    schedule.round_succeeded(5.0)

    assert schedule.next_due() == Due(Action.ROUND, 65.0)
    assert (schedule.phase, schedule.online) == (SyncPhase.IDLE, True)


def test_interval_is_configurable():
    schedule = Schedule(ScheduleSettings(interval=300.0))
    schedule.round_succeeded(0.0)

    assert schedule.next_due() == Due(Action.ROUND, 300.0)


def test_local_write_runs_a_round_two_seconds_later_without_postponing_an_earlier_one(schedule):
    schedule.round_succeeded(0.0)
    schedule.local_write(10.0)
    assert schedule.next_due() == Due(Action.ROUND, 12.0)

    schedule.local_write(11.0)
    assert schedule.next_due() == Due(Action.ROUND, 12.0), "a burst of edits: one round"


def test_a_trigger_during_a_round_runs_another_round_after_it(schedule):
    schedule.start(0.0)
    schedule.round_started()
    schedule.local_write(1.0)
    schedule.round_succeeded(2.0)

    assert schedule.next_due() == Due(Action.ROUND, 3.0)


def test_backoff_is_full_jitter_from_one_second_to_five_minutes():
    rng = random.Random(1)
    for failures in range(1, 40):
        ceiling = min(300.0, 2.0 ** (failures - 1))
        delays = [backoff_delay(failures, rng, 1.0, 300.0) for _ in range(200)]
        assert all(1.0 <= d <= max(1.0, ceiling) for d in delays)
        if ceiling >= 8:
            assert max(delays) > ceiling / 2 and min(delays) < ceiling / 2, "spread over the range"


def test_server_errors_retry_on_the_backoff_schedule(schedule):
    schedule.start(0.0)
    for failures in range(1, 12):
        schedule.round_started()
        schedule.round_failed(1000.0, ServerUnavailable(status=502))
        due = schedule.next_due()
        assert due is not None and due.action is Action.ROUND
        assert 1.0 <= due.at - 1000.0 <= min(300.0, 2.0 ** (failures - 1))
    assert schedule.failures == 11 and schedule.online is True


def test_retry_after_is_honoured(schedule):
    schedule.round_failed(0.0, RateLimited(status=429, retry_after=42.0))

    assert schedule.next_due() == Due(Action.ROUND, 42.0)


def test_local_writes_do_not_hurry_a_round_that_is_backing_off(schedule):
    schedule.failures = 5
    schedule.round_failed(0.0, ServerUnavailable(status=502))
    due = schedule.next_due()
    assert due is not None and due.at > 2.0

    schedule.local_write(0.0)

    assert schedule.next_due() == due


def test_sync_now_waits_for_the_servers_retry_after(schedule):
    schedule.round_failed(0.0, RateLimited(status=429, retry_after=42.0))

    schedule.sync_now(1.0)
    assert schedule.next_due() == Due(Action.ROUND, 42.0)
    schedule.round_started()
    schedule.round_succeeded(43.0)
    schedule.sync_now(44.0)
    assert schedule.next_due() == Due(Action.ROUND, 44.0)


def test_offline_probes_health_on_the_backoff_schedule_until_the_network_is_back(schedule):
    schedule.round_failed(0.0, Offline())
    assert (schedule.phase, schedule.online) == (SyncPhase.OFFLINE, False)
    due = schedule.next_due()
    assert due is not None and due.action is Action.PROBE

    schedule.probe_failed(due.at, Offline())
    later = schedule.next_due()
    assert later is not None and later.action is Action.PROBE and later.at > due.at

    schedule.local_write(later.at - 0.5)
    assert schedule.next_due() == later, "edits while offline wait for the network"

    schedule.probe_succeeded(later.at)
    assert schedule.next_due() == Due(Action.ROUND, later.at)
    assert schedule.phase is SyncPhase.IDLE


def test_sync_now_while_offline_tries_at_once(schedule):
    schedule.round_failed(0.0, Offline())

    schedule.sync_now(0.5)

    assert schedule.next_due() == Due(Action.ROUND, 0.5)


@pytest.mark.parametrize(
    "error",
    [PermissionDenied(status=403), DeviceRevoked(wipe=True, status=403), CacheCorrupt("x")],
    ids=["forbidden", "device_revoked", "cache_corrupt"],
)
def test_errors_that_retrying_cannot_fix_stop_sync_until_sync_now(schedule, error):
    schedule.round_failed(0.0, error)

    assert schedule.phase is SyncPhase.ERROR and schedule.problem is error
    assert schedule.next_due() is None
    schedule.local_write(1.0)
    assert schedule.next_due() is None

    schedule.sync_now(2.0)
    assert schedule.next_due() == Due(Action.ROUND, 2.0)


def test_a_busy_cache_is_retried(schedule):
    schedule.round_failed(0.0, StoreError("busy"))

    due = schedule.next_due()
    assert due is not None and due.action is Action.ROUND and schedule.phase is SyncPhase.IDLE


# --- the worker --------------------------------------------------------------------------------


class FakeTime:
    """Monotonic seconds the waiter moves: each wait passes at once."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.waits: list[float | None] = []

    def monotonic(self) -> float:
        return self.now

    def wait(self, timeout: float | None) -> None:
        self.waits.append(timeout)
        if timeout is not None:
            self.now += timeout


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


@pytest.fixture
def connect(server: ScriptedServer, clock: FakeClock) -> Iterator[Any]:
    made: list[ApiClient] = []

    def make() -> ApiClient:
        client = ApiClient(
            BASE,
            transport=httpx.MockTransport(server),
            device_id=DEVICE,
            device_name="test laptop",
            clock=clock,
        )
        client.login("rm001", "pw")
        made.append(client)
        return client

    make.made = made  # type: ignore[attr-defined]
    yield make
    for client in made:
        client.close()


@pytest.fixture
def worker_parts(store: Store, connect: Any, fake_time: FakeTime, server: ScriptedServer):
    server.reply("POST", "/auth/token", token_answer())
    events: list[SyncEvent] = []
    worker = SyncWorker(
        store,
        connect,
        emit=events.append,
        monotonic=fake_time.monotonic,
        wait=fake_time.wait,
        rng=random.Random(3),
    )
    yield worker, events
    worker.stop()


def rounds(server: ScriptedServer) -> int:
    return len(server.params("/changes"))


def test_worker_runs_a_round_at_start_and_then_every_interval(worker_parts, server, fake_time):
    worker, events = worker_parts
    server.reply("GET", "/changes", page([], "p1"))
    worker.schedule.start(fake_time.now)

    worker.step()
    assert rounds(server) == 1
    worker.step()
    assert fake_time.waits == [60.0]
    worker.step()
    assert rounds(server) == 2

    phases = [e.status.phase for e in events if isinstance(e, StatusChanged)]
    assert phases[:4] == [SyncPhase.PUSHING, SyncPhase.PULLING, SyncPhase.PUSHING, SyncPhase.IDLE]
    status = worker.status()
    assert status.online is True and status.last_success is not None and status.message is None


def test_worker_sends_a_local_write_two_seconds_later(worker_parts, server, fake_time, store):
    worker, _ = worker_parts
    r.seed_book(store)
    server.reply("GET", "/changes", page([], "p1"))
    server.reply("POST", "/mutations", echo_applied(lambda m: factories.task("k-1", r.CUSTOMER)))
    worker.schedule.round_succeeded(fake_time.now)
    r.complete_task(store)

    worker.notify_local_write()
    worker.step()
    worker.step()

    assert fake_time.waits == [2.0]
    assert [m["id"] for batch in server.pushed() for m in batch] == ["k-1"]
    assert worker.status().pending_count == 0


def test_worker_backs_off_and_honours_retry_after(worker_parts, server, fake_time):
    worker, _ = worker_parts
    server.reply(
        "GET",
        "/changes",
        problem(503, "service_unavailable", {"Retry-After": "30"}),
        page([], "p1"),
    )
    worker.schedule.start(fake_time.now)

    worker.step()
    status = worker.status()
    assert (status.phase, status.online, status.title) == (
        SyncPhase.IDLE,
        True,
        "Server unavailable",
    )
    worker.step()
    assert fake_time.waits == [30.0]
    worker.step()
    assert worker.status().message is None and rounds(server) == 2


def test_worker_goes_offline_probes_health_and_syncs_when_the_network_is_back(
    worker_parts, server, fake_time
):
    worker, events = worker_parts
    server.reply("GET", "/changes", httpx.ConnectError("no route"), page([], "p1"))
    server.reply(
        "GET",
        "/health",
        httpx.ConnectError("still nothing"),
        {"status": "ok", "server_time": "2026-11-20T09:00:00Z"},
    )
    worker.schedule.start(fake_time.now)

    worker.step()  # the round fails: offline
    status = worker.status()
    assert (status.phase, status.online, status.title) == (SyncPhase.OFFLINE, False, "Offline")
    worker.step()  # wait for the first probe
    worker.step()  # probe: still offline
    worker.step()  # wait for the next probe
    worker.step()  # probe: back
    assert worker.schedule.next_due() == Due(Action.ROUND, fake_time.now)
    worker.step()  # network back: a round at once

    assert rounds(server) == 2 and len(server.params("/health")) == 2
    assert fake_time.waits[0] == 1.0 and 1.0 <= fake_time.waits[1] <= 2.0
    assert worker.status().phase is SyncPhase.IDLE and worker.status().online is True
    assert any(isinstance(e, StatusChanged) and e.status.phase is SyncPhase.OFFLINE for e in events)


def test_worker_stops_on_an_error_retrying_cannot_fix_with_its_words(
    worker_parts, server, fake_time
):
    worker, _ = worker_parts
    server.reply("GET", "/changes", problem(403, "forbidden"), page([], "p1"))
    worker.schedule.start(fake_time.now)

    worker.step()
    worker.step()

    status = worker.status()
    assert (status.phase, status.title) == (SyncPhase.ERROR, "Not allowed")
    assert status.message == PermissionDenied.default_message
    assert fake_time.waits == [None], "nothing is retried until the user asks"

    worker.sync_now()
    worker.step()
    assert rounds(server) == 2 and worker.status().phase is SyncPhase.IDLE


def test_worker_signs_in_again_after_the_session_ended(worker_parts, server, fake_time, connect):
    worker, _ = worker_parts
    server.reply("GET", "/changes", problem(401, "invalid_token"), page([], "p1"))
    worker.schedule.start(fake_time.now)

    worker.step()
    assert worker.status().phase is SyncPhase.ERROR
    worker.sync_now()
    worker.step()

    assert len(connect.made) == 2 and worker.status().phase is SyncPhase.IDLE


def test_a_session_the_bank_ended_is_flagged_until_a_round_succeeds_again(
    worker_parts, server, fake_time
):
    worker, events = worker_parts
    server.reply("GET", "/changes", problem(401, "invalid_grant"), page([], "p1"))
    worker.schedule.start(fake_time.now)

    worker.step()
    ended = worker.status()
    assert (ended.phase, ended.session_ended, ended.title) == (SyncPhase.ERROR, True, "Signed out")
    assert isinstance(events[-1], StatusChanged) and events[-1].status.session_ended

    worker.sync_now()
    worker.step()
    assert worker.status().phase is SyncPhase.IDLE and not worker.status().session_ended


@pytest.mark.parametrize(
    "answer",
    [problem(403, "device_revoked"), problem(403, "forbidden"), httpx.ConnectError("no route")],
    ids=["device revoked", "not allowed", "offline"],
)
def test_other_problems_are_not_an_ended_session(worker_parts, server, fake_time, answer):
    worker, _ = worker_parts
    server.reply("GET", "/changes", answer)
    worker.schedule.start(fake_time.now)

    worker.step()

    status = worker.status()
    assert status.title is not None and not status.session_ended


def test_a_bug_in_a_round_stops_sync_with_words_and_leaves_the_trace_in_the_log(
    store, fake_time, caplog
):
    def broken() -> ApiClient:
        raise RuntimeError("bug quoting 客户 13812345678")

    worker = SyncWorker(
        store, broken, emit=lambda _e: None, monotonic=fake_time.monotonic, wait=fake_time.wait
    )
    worker.schedule.start(fake_time.now)
    with caplog.at_level(logging.ERROR):
        worker.step()

    status = worker.status()
    assert (status.phase, status.message) == (SyncPhase.ERROR, UNEXPECTED_MESSAGE)
    # The trace says where it broke; the message, which may quote customer data, stays out.
    assert "RuntimeError" in caplog.text and "in broken" in caplog.text
    assert "13812345678" not in caplog.text and "客户" not in caplog.text


def test_the_worker_thread_is_named_and_stops(store, connect, server):
    server.reply("POST", "/auth/token", token_answer())
    server.reply("GET", "/changes", page([], "p1"))
    idle = threading.Event()
    names: list[str] = []

    def emit(event: SyncEvent) -> None:
        names.append(threading.current_thread().name)
        if isinstance(event, StatusChanged) and event.status.phase is SyncPhase.IDLE:
            idle.set()

    worker = SyncWorker(store, connect, emit=emit)
    worker.start()
    try:
        assert idle.wait(10)
        assert THREAD_NAME in {t.name for t in threading.enumerate()}
    finally:
        worker.stop()
    assert set(names) == {THREAD_NAME}
    assert THREAD_NAME not in {t.name for t in threading.enumerate()}


def test_stopping_ends_a_long_pull_at_the_next_page_keeping_what_was_applied(
    store, connect, server
):
    server.reply("POST", "/auth/token", token_answer())
    third_page, released = threading.Event(), threading.Event()
    served: list[int] = []

    def endless_feed(request: httpx.Request) -> dict:
        served.append(1)
        if len(served) == 3:
            third_page.set()
            assert released.wait(10)
        n = len(served)
        return page(
            [factories.change("customer", factories.customer(f"c-{n:06d}"), n)],
            f"p{n}",
            has_more=True,
            remaining=1_000_000,
        )

    server.reply("GET", "/changes", endless_feed)
    applied: list[Progress] = []
    worker = SyncWorker(
        store, connect, emit=lambda e: applied.append(e) if isinstance(e, Progress) else None
    )
    worker.start()
    assert third_page.wait(10)
    stopper = threading.Thread(target=worker.stop)
    stopper.start()
    while not worker.stopping:
        threading.Event().wait(0.01)
    released.set()
    stopper.join(10)

    assert not stopper.is_alive() and len(served) == 3
    assert THREAD_NAME not in {t.name for t in threading.enumerate()}
    # The third page was asked for ahead while the second was applied: depending on when the
    # stop came, it is applied too or discarded, never half of it.
    assert len(applied) in (2, 3)
    with store.read() as conn:
        cursor = get_state(conn, CURSOR)
    assert cursor == f"p{len(applied)}", "every page applied before the stop stays"


def test_a_revoked_device_stops_sync_and_tells_the_gui_to_wipe(worker_parts, server, fake_time):
    worker, _ = worker_parts
    server.reply(
        "GET",
        "/changes",
        httpx.Response(
            403,
            json={"type": "t", "title": "t", "status": 403, "code": "device_revoked", "wipe": True},
        ),
    )
    worker.schedule.start(fake_time.now)

    worker.step()

    status = worker.status()
    assert (status.phase, status.code, status.wipe) == (SyncPhase.ERROR, "device_revoked", True)
    assert status.title == "Device revoked"
