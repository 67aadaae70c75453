"""A pull keeps the automatic full garbage collection from starting while it runs, and gives the
collector its usual thresholds back when it ends, however it ends."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from rm_desk.local_store import Store
from rm_desk.sync.client import ApiClient
from rm_desk.sync.errors import Offline
from rm_desk.sync.events import SyncEvent
from rm_desk.sync.pull import Puller, full_collections_held
from tests import factories
from tests.sync.wire import ScriptedServer, page

USUAL = (700, 10, 10)


@pytest.fixture(autouse=True)
def usual_thresholds() -> Iterator[None]:
    before = gc.get_threshold()
    gc.set_threshold(*USUAL)
    yield
    gc.set_threshold(*before)


def customers(n: int) -> list[dict[str, Any]]:
    return [factories.change("customer", factories.customer(f"c-{i:06d}"), i + 1) for i in range(n)]


def test_no_full_collection_starts_during_a_pull_and_the_thresholds_are_back_after(
    store: Store, client: ApiClient, server: ScriptedServer
) -> None:
    feed = customers(4)
    server.reply(
        "GET", "/changes", page(feed[:2], "p1", has_more=True, remaining=2), page(feed[2:], "p2")
    )
    during: list[tuple[int, int, int]] = []

    def seen(_event: SyncEvent) -> None:
        during.append(gc.get_threshold())

    Puller(store, client, emit=seen).pull()

    assert len(during) == 2
    for young, middle, oldest in during:
        assert (young, middle) == USUAL[:2]  # the young generations are collected as usual
        assert oldest >= 2**31 - 1
    assert gc.get_threshold() == USUAL


def test_a_failed_pull_gives_the_thresholds_back(
    store: Store, client: ApiClient, server: ScriptedServer
) -> None:
    feed = customers(4)
    server.reply(
        "GET",
        "/changes",
        page(feed[:2], "p1", has_more=True, remaining=2),
        httpx.ConnectError("network gone"),
    )

    with pytest.raises(Offline):
        Puller(store, client, emit=lambda _event: None).pull()

    assert gc.get_threshold() == USUAL


def test_overlapping_holds_give_the_thresholds_back_when_the_last_one_ends() -> None:
    first_in = threading.Event()
    second_out = threading.Event()
    seen_after_second: list[tuple[int, int, int]] = []

    def first() -> None:
        with full_collections_held():
            first_in.set()
            second_out.wait(10)
            seen_after_second.append(gc.get_threshold())

    thread = threading.Thread(target=first)
    thread.start()
    assert first_in.wait(10)
    with full_collections_held():
        pass
    second_out.set()
    thread.join(10)

    assert seen_after_second[0][2] >= 2**31 - 1  # still held: the first hold had not ended
    assert gc.get_threshold() == USUAL
