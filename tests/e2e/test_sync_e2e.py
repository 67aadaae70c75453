"""The sync engine against the real reference server on loopback: initial sync, offline edits
reaching the bank exactly once, back-office edits merged or put in the inbox, a customer moving to
another RM, and a cursor that expired while edits were pending."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from rm_desk.domain.enums import OpKind
from rm_desk.domain.fields import RecordRole
from rm_desk.local_store import Store, schema
from rm_desk.local_store.rows import decode_row
from rm_desk.local_store.writes import new_record_id, record_edit
from rm_desk.sync.errors import Offline
from rm_desk.sync.events import Choice
from rm_desk.sync.issues import list_conflicts, resolve_conflict
from tests.conftest import FakeClock, PersistentTestVault
from tests.e2e.conftest import Bank, Desk, open_desk

ISO = "%Y-%m-%dT%H:%M:%SZ"


def cache_of(store: Store) -> dict[str, dict[str, dict[str, Any]]]:
    contents: dict[str, dict[str, dict[str, Any]]] = {}
    with store.read() as conn:
        for name, table in schema.ENTITY_TABLES.items():
            rows = conn.execute(select(table)).mappings()
            contents[str(name)] = {
                row["id"]: {str(k): v for k, v in decode_row(table, row).items()} for row in rows
            }
    return contents


def assert_cache_matches_scope(store: Store, bank: Bank, user: str = "rm001") -> None:
    """Every record of the user's scope is cached with the server's values, and nothing else."""
    scope = bank.scope(user)
    cached = cache_of(store)
    for entity, records in cached.items():
        server = scope.get(entity, {})
        assert set(records) == set(server), entity
        for record_id, data in server.items():
            mine = records[record_id]
            different = {k for k, v in data.items() if k in mine and mine[k] != v}
            assert not different, (entity, record_id, different)


def first(store: Store, table: Any, *where: Any) -> dict[str, Any]:
    with store.read() as conn:
        row = conn.execute(select(table).where(*where).order_by(table.c.id).limit(1)).mappings()
        found = row.first()
    assert found is not None
    return {str(k): v for k, v in decode_row(table, found).items()}


def my_open_task(store: Store) -> dict[str, Any]:
    t = schema.task
    return first(store, t, t.c.assignee_id == "rm001", t.c.status == "not_started")


def my_opportunity(store: Store) -> dict[str, Any]:
    o = schema.opportunity
    return first(
        store, o, o.c.owner_id == "rm001", o.c.customer_id.is_not(None), o.c.stage == "contacted"
    )


def my_customer(store: Store) -> dict[str, Any]:
    c = schema.customer
    return first(store, c, c.c.primary_rm_id == "rm001")


def log_visit(store: Store, clock: FakeClock, customer_id: str) -> tuple[str, str]:
    visit_id = new_record_id()
    started = clock.now - timedelta(hours=2)
    result = record_edit(
        store,
        "visit",
        visit_id,
        OpKind.CREATE,
        {
            "customer_ids": [customer_id],
            "channel": "onsite",
            "purpose": "renewal",
            "start_at": started.strftime(ISO),
            "end_at": (started + timedelta(hours=1)).strftime(ISO),
            "location_text": "客户公司",
            "notes": "客户有50万定期本周到期，倾向续作。",
            "outcome": "positive",
            "next_steps": "周五前发送产品说明书",
            "linked_task_ids": [],
            "linked_opportunity_ids": [],
        },
        stamped={"rm_id": "rm001"},
    )
    assert result.op_id is not None
    return visit_id, result.op_id


@pytest.mark.parametrize("user", ["rm001", "lead01"])
def test_initial_sync_fills_the_cache_with_exactly_the_users_scope(
    bank: Bank, data_dir: Path, vault: PersistentTestVault, clock: FakeClock, user: str
):
    desk = open_desk(bank, data_dir, vault, clock, user=user)
    try:
        report = desk.sync()

        assert report.pulled.changes > 1000 and report.pulled.quarantined == 0
        assert_cache_matches_scope(desk.store, bank, user)
    finally:
        desk.client.close()
        desk.store.close()


class DropFirstPushAnswer(httpx.BaseTransport):
    """Loses the answer of the first ``POST /mutations`` after the server applied it."""

    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()
        self.dropped = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        if request.url.path.endswith("/mutations") and not self.dropped:
            response.read()
            response.close()
            self.dropped += 1
            raise httpx.ReadError("connection reset after the answer was sent", request=request)
        return response

    def close(self) -> None:
        self.inner.close()


def test_offline_edits_reach_the_server_once_even_when_the_answer_is_lost(
    bank: Bank, data_dir: Path, vault: PersistentTestVault, clock: FakeClock
):
    desk = open_desk(bank, data_dir, vault, clock, transport=DropFirstPushAnswer())
    try:
        desk.sync()
        task, opportunity = my_open_task(desk.store), my_opportunity(desk.store)
        visit_id, visit_op = log_visit(desk.store, clock, opportunity["customer_id"])
        task_op = record_edit(
            desk.store,
            "task",
            task["id"],
            OpKind.UPDATE,
            {"status": "completed", "completion_note": "已电话确认续作"},
            role=RecordRole.ASSIGNEE,
        ).op_id
        opp_op = record_edit(
            desk.store, "opportunity", opportunity["id"], OpKind.UPDATE, {"stage": "recommended"}
        ).op_id

        with pytest.raises(Offline):
            desk.sync()
        desk.sync()

        for op_id in (visit_op, task_op, opp_op):
            assert op_id is not None and bank.applied_count(op_id) == 1
        stats = bank.dev("stats")
        assert stats["ops_applied"] == 3 and stats["ops_applied_twice"] == 0
        scope = bank.scope()
        assert scope["visit"][visit_id]["rm_id"] == "rm001"
        assert scope["task"][task["id"]]["status"] == "completed"
        assert scope["opportunity"][opportunity["id"]]["stage"] == "recommended"
        assert_cache_matches_scope(desk.store, bank)
    finally:
        desk.client.close()
        desk.store.close()


def test_back_office_edit_of_another_field_merges_silently(desk: Desk, bank: Bank):
    desk.sync()
    opportunity = my_opportunity(desk.store)
    record_edit(
        desk.store, "opportunity", opportunity["id"], OpKind.UPDATE, {"stage": "recommended"}
    )
    bank.edit("opportunity", opportunity["id"], expected_close="2027-03-31")

    desk.sync()

    server = bank.scope()["opportunity"][opportunity["id"]]
    assert (server["stage"], server["expected_close"]) == ("recommended", "2027-03-31")
    assert list_conflicts(desk.store) == ()
    assert_cache_matches_scope(desk.store, bank)


def test_back_office_edit_of_the_same_field_goes_to_the_inbox(desk: Desk, bank: Bank):
    desk.sync()
    opportunity = my_opportunity(desk.store)
    record_edit(
        desk.store, "opportunity", opportunity["id"], OpKind.UPDATE, {"stage": "recommended"}
    )
    bank.edit("opportunity", opportunity["id"], stage="needs_confirmed")

    desk.sync()

    (entry,) = list_conflicts(desk.store)
    assert (entry.record_id, entry.field) == (opportunity["id"], "stage")
    assert (entry.base, entry.mine, entry.theirs) == ("contacted", "recommended", "needs_confirmed")
    assert bank.scope()["opportunity"][opportunity["id"]]["stage"] == "needs_confirmed"

    resolve_conflict(desk.store, entry.id, Choice.MINE, user_id="rm001")
    desk.sync()

    assert bank.scope()["opportunity"][opportunity["id"]]["stage"] == "recommended"
    assert_cache_matches_scope(desk.store, bank)


def test_task_status_changed_on_both_sides_takes_the_more_final_status(desk: Desk, bank: Bank):
    desk.sync()
    task = my_open_task(desk.store)
    record_edit(
        desk.store,
        "task",
        task["id"],
        OpKind.UPDATE,
        {"status": "completed"},
        role=RecordRole.ASSIGNEE,
    )
    bank.edit("task", task["id"], status="in_progress")

    desk.sync()

    assert bank.scope()["task"][task["id"]]["status"] == "completed"
    assert list_conflicts(desk.store) == ()
    assert_cache_matches_scope(desk.store, bank)


def test_customer_moved_to_another_rm_is_purged_with_its_records(desk: Desk, bank: Bank):
    desk.sync()
    customer_id = my_customer(desk.store)["id"]
    bank.dev("reassign", {"customer_id": customer_id, "to_rm": "rm002"})

    report = desk.sync()

    assert report.pulled.purged == 1
    with desk.store.read() as conn:
        for table in (schema.account, schema.holding, schema.transaction, schema.task):
            left = conn.execute(select(table.c.id).where(table.c.customer_id == customer_id))
            assert left.first() is None, table.name
    assert_cache_matches_scope(desk.store, bank)


def test_expired_cursor_recovers_with_pending_edits_intact(
    start_bank: Any, data_dir: Path, vault: PersistentTestVault, clock: FakeClock
):
    bank: Bank = start_bank(cursor_horizon=timedelta(minutes=5))
    desk = open_desk(bank, data_dir, vault, clock)
    try:
        desk.sync()
        task = my_open_task(desk.store)
        record_edit(
            desk.store,
            "task",
            task["id"],
            OpKind.UPDATE,
            {"completion_note": "客户已到店签约"},
            role=RecordRole.ASSIGNEE,
        )
        visit_id, _ = log_visit(desk.store, clock, task["customer_id"])
        bank.edit("task", task["id"], priority="urgent")
        moved = next(
            c
            for c in cache_of(desk.store)["customer"].values()
            if c["primary_rm_id"] == "rm001" and c["id"] != task["customer_id"]
        )
        bank.dev("reassign", {"customer_id": moved["id"], "to_rm": "rm002"})
        clock.advance(minutes=10)

        report = desk.engine().puller.pull()

        assert report.replaced
        row = cache_of(desk.store)["task"][task["id"]]
        assert (row["priority"], row["completion_note"]) == ("urgent", "客户已到店签约")
        assert visit_id in cache_of(desk.store)["visit"]
        assert moved["id"] not in cache_of(desk.store)["customer"]

        desk.sync()

        server_task = bank.scope()["task"][task["id"]]
        assert (server_task["priority"], server_task["completion_note"]) == (
            "urgent",
            "客户已到店签约",
        )
        assert visit_id in bank.scope()["visit"]
        assert_cache_matches_scope(desk.store, bank)
    finally:
        desk.client.close()
        desk.store.close()
