"""Push: a full batch of applied answers settled together, with the user still editing what is on
its way (the per-batch statements of the outbox and the cache's look-up of pending edits)."""

from __future__ import annotations

from typing import Any

import httpx
import orjson
import pytest

from rm_desk.domain.enums import OpKind
from rm_desk.local_store import Store
from rm_desk.local_store.writes import record_edit
from rm_desk.sync.client import ApiClient
from rm_desk.sync.push import Pusher
from tests.sync import records as r
from tests.sync.wire import ScriptedServer, applied

BATCH = 150
"""More answers than the cache once looked up one by one, fewer than a full batch of 200."""


@pytest.fixture
def book(store: Store) -> Store:
    r.seed_book(store)
    return store


def server_copy(mutation: dict[str, Any]) -> dict[str, Any]:
    stamps = {"rm_id": "rm001", "created_at": "2026-11-20T09:00:00Z"}
    return {"id": mutation["id"], **stamps, **mutation["fields"]}


def test_an_edit_made_while_its_create_is_on_its_way_stays_shown_and_goes_next_on_its_rev(
    book: Store, client: ApiClient, server: ScriptedServer
) -> None:
    created = [r.create_visit(book, notes=f"第{n}次") for n in range(BATCH)]
    edited_id = created[BATCH // 2][0]
    revs: dict[str, int] = {}
    seen_while_sending: list[dict[str, Any] | None] = []

    def answer(request: httpx.Request) -> dict[str, Any]:
        mutations = orjson.loads(request.content)["mutations"]
        if len(revs) == 0:
            # The user edits one visit of the batch while the batch is on its way.
            record_edit(book, "visit", edited_id, OpKind.UPDATE, {"notes": "改为上门拜访"})
        else:
            seen_while_sending.append(r.row(book, "visit", edited_id))
        results = []
        for mutation in mutations:
            revs.setdefault(mutation["op_id"], 100 + len(revs))
            fields = mutation["fields"]
            if mutation["op"] == "update":  # the visit as the bank has it, with the new notes
                fields = {**r.visit_fields(notes=f"第{BATCH // 2}次"), **fields}
            record = server_copy({"id": mutation["id"], "fields": fields})
            results.append(applied(mutation["op_id"], revs[mutation["op_id"]], record))
        return {"results": results}

    server.reply("POST", "/mutations", answer)

    report = Pusher(book, client, emit=lambda _: None).push()

    first, second = server.pushed()
    assert [m["id"] for m in first] == [visit_id for visit_id, _ in created]
    create_rev = revs[created[BATCH // 2][1]]
    [edit] = second
    assert (edit["id"], edit["op"], edit["base_rev"]) == (edited_id, "update", create_rev)
    assert edit["fields"] == {"notes": "改为上门拜访"}
    # Between the batches the row showed the bank's copy with the edit laid over it.
    [shown] = seen_while_sending
    assert shown is not None and shown["rev"] == create_rev
    assert shown["notes"] == "改为上门拜访" and shown["base"]["notes"] == f"第{BATCH // 2}次"
    assert report.applied == BATCH + 1 and r.outbox_rows(book) == []
    settled = r.row(book, "visit", edited_id)
    assert settled is not None and settled["notes"] == "改为上门拜访" and settled["base"] is None
    other = r.row(book, "visit", created[0][0])
    assert other is not None and other["rev"] == revs[created[0][1]] and other["base"] is None
