"""The sync thread gives way to the window: no automatic garbage collection while a round runs
(the collector is back when it ends, however it ends), and on Linux a lower scheduling priority
than the window's thread, which the threads it starts inherit."""

from __future__ import annotations

import gc
import os
import sys
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from rm_desk.domain.enums import SyncPhase
from rm_desk.local_store import Store
from rm_desk.sync.client import ApiClient
from rm_desk.sync.events import Progress, StatusChanged, SyncEvent
from rm_desk.sync.priority import SYNC_NICENESS, lower_thread_priority, starter_priority
from rm_desk.sync.scheduler import SyncWorker
from tests import factories
from tests.conftest import FakeClock
from tests.sync.wire import BASE, DEVICE, ScriptedServer, page, problem, token_answer


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

    yield make
    for client in made:
        client.close()


@pytest.fixture
def collector_on() -> Iterator[None]:
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


def customers(n: int) -> list[dict[str, Any]]:
    return [factories.change("customer", factories.customer(f"c-{i:06d}"), i + 1) for i in range(n)]


def run_one_round(store: Store, connect: Any) -> tuple[SyncWorker, list[tuple[object, bool]]]:
    """One round on the caller's thread; each event with whether the collector was on then."""
    seen: list[tuple[object, bool]] = []

    def emit(event: SyncEvent) -> None:
        seen.append((event, gc.isenabled()))

    worker = SyncWorker(store, connect, emit=emit)
    worker.schedule.start(0.0)
    worker.step()
    worker.stop()
    return worker, seen


def test_no_automatic_collection_runs_during_a_round_and_it_is_back_after(
    store: Store, connect: Any, server: ScriptedServer, collector_on: None
) -> None:
    feed = customers(4)
    server.reply("POST", "/auth/token", token_answer())
    server.reply(
        "GET", "/changes", page(feed[:2], "p1", has_more=True, remaining=2), page(feed[2:], "p2")
    )

    worker, seen = run_one_round(store, connect)

    pages = [on for event, on in seen if isinstance(event, Progress)]
    assert len(pages) == 2 and not any(pages)  # off while the pages landed
    assert worker.status().last_success is not None
    assert gc.isenabled()


def test_a_failed_round_gives_the_collector_back(
    store: Store, connect: Any, server: ScriptedServer, collector_on: None
) -> None:
    server.reply("POST", "/auth/token", token_answer())
    server.reply("GET", "/changes", problem(503, "service_unavailable"))

    worker, seen = run_one_round(store, connect)

    phases = [(e.status.phase, on) for e, on in seen if isinstance(e, StatusChanged)]
    assert (SyncPhase.PULLING, False) in phases
    assert worker.status().title is not None  # the round did fail
    assert gc.isenabled()


def test_a_collector_switched_off_before_the_round_stays_off(
    store: Store, connect: Any, server: ScriptedServer, collector_on: None
) -> None:
    server.reply("POST", "/auth/token", token_answer())
    server.reply("GET", "/changes", page([], "p1"))
    gc.disable()

    run_one_round(store, connect)

    assert not gc.isenabled()


@pytest.mark.skipif(sys.platform != "linux", reason="thread priorities are set on Linux only")
def test_the_sync_thread_and_the_threads_it_starts_run_below_the_window(
    store: Store, connect: Any, server: ScriptedServer
) -> None:
    feed = customers(4)
    server.reply("POST", "/auth/token", token_answer())
    server.reply(
        "GET", "/changes", page(feed[:2], "p1", has_more=True, remaining=2), page(feed[2:], "p2")
    )
    niceness: dict[str, int] = {}
    idle = threading.Event()

    def answer_changes(request: httpx.Request) -> Any:  # on the thread that fetches the page
        name = threading.current_thread().name
        niceness[name] = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
        cursor = request.url.params.get("cursor")
        if cursor is None:
            return page(feed[:2], "p1", has_more=True, remaining=2)
        return page(feed[2:], "p2")

    server.reply("GET", "/changes", answer_changes)

    def emit(event: SyncEvent) -> None:
        if isinstance(event, StatusChanged) and event.status.last_success is not None:
            idle.set()

    window = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    worker = SyncWorker(store, connect, emit=emit)
    worker.start()
    try:
        assert idle.wait(10)
    finally:
        worker.stop()

    expected = min(19, window + SYNC_NICENESS)
    assert niceness == {"rm-desk-sync": expected, "rm-desk-sync-fetch": expected}
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == window


@pytest.mark.skipif(sys.platform != "linux", reason="thread priorities are set on Linux only")
def test_a_thread_started_outside_sync_keeps_the_window_priority() -> None:
    seen: list[int] = []
    follow = starter_priority()  # asked on this (the test's, unlowered) thread

    def run() -> None:
        follow()
        seen.append(os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()

    assert seen == [os.getpriority(os.PRIO_PROCESS, threading.get_native_id())]


@pytest.mark.skipif(sys.platform != "linux", reason="niceness is read on Linux only")
def test_a_thread_follows_a_lowered_starter_even_when_it_does_not_inherit_its_priority() -> None:
    # Windows threads start at normal priority whatever their starter's: here the new thread is
    # started from the test's thread, with what a lowered thread's starter_priority gave.
    follows: list[Any] = []
    lowered = threading.Thread(
        target=lambda: (lower_thread_priority(), follows.append(starter_priority()))
    )
    lowered.start()
    lowered.join()
    seen: list[int] = []

    def run() -> None:
        follows[0]()
        seen.append(os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))

    follower = threading.Thread(target=run)
    follower.start()
    follower.join()

    window = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    assert seen == [min(19, window + SYNC_NICENESS)]
