"""Records, edits and looks into the cache for the sync tests."""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import select

from rm_desk.domain.enums import OpKind
from rm_desk.domain.fields import RecordRole
from rm_desk.local_store import Store, schema
from rm_desk.local_store.ingest import apply_page
from rm_desk.local_store.writes import new_record_id, record_edit
from tests import factories

CUSTOMER = "c-000001"


def visit(visit_id: str, customer_id: str = CUSTOMER, **overrides: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id": visit_id,
        "customer_ids": [customer_id],
        "rm_id": "rm001",
        "channel": "phone",
        "purpose": "care",
        "start_at": "2026-11-19T02:00:00Z",
        "end_at": "2026-11-19T02:30:00Z",
        "location_text": None,
        "notes": "电话关怀。",
        "outcome": "positive",
        "next_steps": None,
        "linked_task_ids": [],
        "linked_opportunity_ids": [],
        "created_at": "2026-11-19T03:00:00Z",
    }
    record.update(overrides)
    return record


def opportunity(opp_id: str, customer_id: str = CUSTOMER, **overrides: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id": opp_id,
        "customer_id": customer_id,
        "lead_stub": None,
        "product_id": "p-0001",
        "category": "wealth",
        "amount": "500000.00",
        "stage": "contacted",
        "expected_close": "2026-12-31",
        "source": "manual",
        "suitability_snapshot": None,
        "lost_reason": None,
        "owner_id": "rm001",
        "created_at": "2026-11-01T01:00:00Z",
    }
    record.update(overrides)
    return record


def visit_fields(customer_id: str = CUSTOMER, **overrides: Any) -> dict[str, Any]:
    """What the app sends to create a visit."""
    fields = visit("x", customer_id, **overrides)
    for stamped in ("id", "rm_id", "created_at"):
        fields.pop(stamped)
    return fields


def seed_book(store: Store, *extra: dict[str, Any], cursor: str = "cursor-1") -> None:
    """A customer with a task and an opportunity (revs 10-12), plus ``extra`` changes."""
    apply_page(
        store,
        [
            factories.change("customer", factories.customer(CUSTOMER), 10),
            factories.change("task", factories.task("k-1", CUSTOMER), 11),
            factories.change("opportunity", opportunity("o-1"), 12),
            *extra,
        ],
        cursor,
    )


def create_visit(store: Store, **overrides: Any) -> tuple[str, str]:
    """A visit logged offline; returns (record id, op id)."""
    visit_id = new_record_id()
    result = record_edit(
        store,
        "visit",
        visit_id,
        OpKind.CREATE,
        visit_fields(**overrides),
        stamped={"rm_id": "rm001"},
    )
    assert result.op_id is not None
    return visit_id, result.op_id


def complete_task(store: Store, task_id: str = "k-1", note: str = "已电话确认") -> str:
    result = record_edit(
        store,
        "task",
        task_id,
        OpKind.UPDATE,
        {"status": "completed", "completion_note": note},
        role=RecordRole.ASSIGNEE,
    )
    assert result.op_id is not None
    return result.op_id


def move_opportunity(store: Store, stage: str, opp_id: str = "o-1", **more: Any) -> str:
    result = record_edit(store, "opportunity", opp_id, OpKind.UPDATE, {"stage": stage, **more})
    assert result.op_id is not None
    return result.op_id


def outbox_rows(store: Store) -> list[dict[str, Any]]:
    with store.read() as conn:
        rows = conn.execute(select(schema.outbox).order_by(schema.outbox.c.seq)).mappings()
        return [
            {
                **dict(r),
                "fields": orjson.loads(r["fields"]),
                "snapshot": orjson.loads(r["snapshot"]) if r["snapshot"] else None,
            }
            for r in rows
        ]


def row(store: Store, entity: str, record_id: str) -> dict[str, Any] | None:
    table = schema.ENTITY_TABLES[entity]
    with store.read() as conn:
        found = conn.execute(select(table).where(table.c.id == record_id)).mappings().first()
    if found is None:
        return None
    result = dict(found)
    if result.get("base"):
        result["base"] = orjson.loads(result["base"])
    return result


def conflicts(store: Store) -> list[dict[str, Any]]:
    with store.read() as conn:
        rows = conn.execute(select(schema.conflict).order_by(schema.conflict.c.id)).mappings()
        return [
            {
                **dict(r),
                **{
                    name: orjson.loads(r[name])
                    for name in ("base_value", "mine_value", "theirs_value")
                },
            }
            for r in rows
        ]


def journal(store: Store, kind: str) -> list[dict[str, Any]]:
    with store.read() as conn:
        rows = conn.execute(
            select(schema.sync_journal).where(schema.sync_journal.c.kind == kind)
        ).mappings()
        return [
            {**dict(r), "detail": orjson.loads(r["detail"]) if r["detail"] else None} for r in rows
        ]


def audit(store: Store) -> list[dict[str, Any]]:
    with store.read() as conn:
        rows = conn.execute(select(schema.audit_log).order_by(schema.audit_log.c.seq)).mappings()
        return [dict(r) for r in rows]
