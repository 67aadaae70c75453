"""The GUI's facade: a real sync thread on a scripted server, frozen answers and events, decisions
audited and announced, listeners that fail or leave."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import orjson
import pytest

from rm_desk.domain.enums import ConflictKind, OpState, SyncPhase
from rm_desk.errors import WriteRejected
from rm_desk.local_store import Store
from rm_desk.sync.client import ApiClient
from rm_desk.sync.events import (
    Choice,
    ConflictFound,
    OpStateChanged,
    Progress,
    StatusChanged,
    SyncEvent,
)
from rm_desk.sync.scheduler import ScheduleSettings
from rm_desk.sync.service import SyncService
from tests.conftest import FakeClock
from tests.sync import records as r
from tests.sync.wire import (
    BASE,
    DEVICE,
    ScriptedServer,
    conflict,
    page,
    rejected,
    token_answer,
)


class Recorder:
    """A listener that remembers events and lets a test wait for an idle status."""

    def __init__(self) -> None:
        self.events: list[SyncEvent] = []
        self.idle = threading.Event()
        self.lock = threading.Lock()

    def __call__(self, event: SyncEvent) -> None:
        with self.lock:
            self.events.append(event)
        if isinstance(event, StatusChanged) and event.status.phase in (
            SyncPhase.IDLE,
            SyncPhase.ERROR,
        ):
            self.idle.set()

    def of(self, kind: type) -> list[Any]:
        with self.lock:
            return [e for e in self.events if isinstance(e, kind)]


@pytest.fixture
def service(store: Store, server: ScriptedServer, clock: FakeClock) -> Iterator[SyncService]:
    server.reply("POST", "/auth/token", token_answer())
    r.seed_book(store)

    def connect() -> ApiClient:
        client = ApiClient(
            BASE,
            transport=httpx.MockTransport(server),
            device_id=DEVICE,
            device_name="test laptop",
            clock=clock,
        )
        client.login("rm001", "pw")
        return client

    made = SyncService(
        store,
        connect,
        user_id="rm001",
        device_id=DEVICE,
        settings=ScheduleSettings(interval=3600, write_delay=0.05),
    )
    yield made
    made.stop()


def run_round(service: SyncService, recorder: Recorder) -> None:
    recorder.idle.clear()
    service.sync_now()
    assert recorder.idle.wait(10), "the round did not finish"


def test_a_round_on_the_sync_thread_reports_frozen_events(service, server, store):
    _, visit_op = r.create_visit(store)
    stage_op = r.move_opportunity(store, "won")
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
    server.reply("GET", "/changes", page([], "p2", has_more=False))
    recorder = Recorder()
    service.subscribe(recorder)

    service.start()
    assert recorder.idle.wait(10)

    assert [e.phase for e in recorder.of(Progress)] == [SyncPhase.PULLING]
    states = {(e.op_id, e.state) for e in recorder.of(OpStateChanged)}
    assert {(visit_op, OpState.REJECTED), (stage_op, OpState.CONFLICT)} <= states
    (found,) = recorder.of(ConflictFound)
    assert (found.kind, found.field) == (ConflictKind.FIELDS, "stage")
    status = service.status()
    assert (status.phase, status.conflict_count, status.rejected_count) == (SyncPhase.IDLE, 1, 1)
    for event in recorder.events:
        assert dataclasses.fields(event) and type(event).__dataclass_params__.frozen  # type: ignore[attr-defined]


def test_everything_the_service_answers_is_frozen(service, server, store):
    _, visit_op = r.create_visit(store)
    server.reply("POST", "/mutations", {"results": [rejected(visit_op)]})
    server.reply("GET", "/changes", page([], "p2"))
    recorder = Recorder()
    service.subscribe(recorder)
    service.start()
    assert recorder.idle.wait(10)
    r.complete_task(store)

    answers = [
        service.status(),
        *service.list_pending_ops(),
        *service.list_rejected_ops(),
        *service.list_conflicts(),
    ]

    assert len(answers) == 3
    for answer in answers:
        name = dataclasses.fields(answer)[0].name
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(answer, name, None)
    (pending,) = service.list_pending_ops()
    with pytest.raises(TypeError):
        pending.fields["status"] = "cancelled"  # type: ignore[index]


def test_resolving_through_the_service_is_audited_announced_and_sent(service, server, store):
    stage_op = r.move_opportunity(store, "won")
    sent: list[dict] = []

    def mutations(request: httpx.Request) -> dict:
        batch = orjson.loads(request.content)["mutations"]
        sent.extend(batch)
        if batch[0]["op_id"] == stage_op:
            return {
                "results": [conflict(stage_op, "fields", 60, r.opportunity("o-1", stage="lost"))]
            }
        return {
            "results": [
                {
                    "op_id": m["op_id"],
                    "status": "applied",
                    "rev": 61,
                    "record": r.opportunity("o-1", stage="won"),
                }
                for m in batch
            ]
        }

    server.reply("POST", "/mutations", mutations)
    server.reply("GET", "/changes", page([], "p2"))
    recorder = Recorder()
    service.subscribe(recorder)
    service.start()
    assert recorder.idle.wait(10)
    (entry,) = service.list_conflicts()

    recorder.idle.clear()
    service.resolve_conflict(entry.id, Choice.MINE)
    assert recorder.idle.wait(10)  # the local write trigger runs a round 0.05 s later
    _wait_until(lambda: service.status().pending_count == 0)

    assert sent[-1]["fields"] == {"stage": "won"} and sent[-1]["base_rev"] == 60
    (event,) = r.audit(store)
    assert (event["action"], event["user_id"], event["device_id"]) == (
        "conflict_resolved",
        "rm001",
        DEVICE,
    )
    assert any(e.state is OpState.QUEUED for e in recorder.of(OpStateChanged))
    with pytest.raises(WriteRejected):
        service.resolve_conflict(entry.id, Choice.THEIRS)


def test_discarding_through_the_service_is_audited(service, server, store):
    _, visit_op = r.create_visit(store)
    server.reply("POST", "/mutations", {"results": [rejected(visit_op)]})
    server.reply("GET", "/changes", page([], "p2"))
    recorder = Recorder()
    service.subscribe(recorder)
    service.start()
    assert recorder.idle.wait(10)

    service.discard_rejected(visit_op)

    assert service.list_rejected_ops() == () and service.status().rejected_count == 0
    assert r.audit(store)[0]["action"] == "sync_change_discarded"


def test_a_failing_listener_neither_stops_sync_nor_the_other_listeners(service, server, caplog):
    server.reply("GET", "/changes", page([], "p2"))

    def broken(_event: SyncEvent) -> None:
        raise ValueError("view bug")

    recorder = Recorder()
    service.subscribe(broken)
    service.subscribe(recorder)
    service.start()

    assert recorder.idle.wait(10)
    assert service.status().phase is SyncPhase.IDLE
    assert "a sync listener failed" in caplog.text


def test_an_unsubscribed_listener_hears_nothing_more(service, server):
    server.reply("GET", "/changes", page([], "p2"))
    recorder, other = Recorder(), Recorder()
    unsubscribe = service.subscribe(other)
    service.subscribe(recorder)
    unsubscribe()
    unsubscribe()

    service.start()
    assert recorder.idle.wait(10)

    assert other.events == []


def test_a_local_write_announces_the_new_pending_count(service, server, store):
    recorder = Recorder()
    service.subscribe(recorder)
    r.complete_task(store)

    service.notify_local_write()

    (changed,) = recorder.of(StatusChanged)
    assert changed.status.pending_count == 1


def _wait_until(condition: Any, timeout: float = 10.0) -> None:
    done = threading.Event()
    for _ in range(int(timeout / 0.02)):
        if condition():
            return
        done.wait(0.02)
    raise AssertionError("condition not met in time")
