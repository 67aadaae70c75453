"""Push with one user's own edits only: lost requests and answers never turn two of the user's
edits into a conflict, and the user's last value is what the bank keeps.

The shape of ``make soak``'s kill run 15 (no back-office writer: every bank write is the user's):
several edits of one task's status were left ``sending`` by lost requests and answers, so they go
out in one batch, made on the same ``base_rev``. The first of them reached the bank; the next one
meets a conflict and is left out for the later one of the field (``superseded``), which hands it
its base; that later one wrote nothing (the bank had its value from the first), so it hands its
base down (``already_at_bank``) to the last. Handed down as the op was sent, that base was a value
of the user's own that never reached the bank, and the last edit met the bank's value as a change
made by someone else: completed against cancelled, which no rule decides, went to the user as a
conflict between two of their own edits, and the user's last value stayed off the bank.
"""

from __future__ import annotations

from typing import Any

import pytest

from rm_desk.domain.enums import OpKind
from rm_desk.domain.fields import RecordRole
from rm_desk.local_store import Store, schema
from rm_desk.local_store.writes import record_edit
from rm_desk.sync.client import ApiClient
from rm_desk.sync.push import Pusher
from tests import factories
from tests.sync import records as r
from tests.sync.wire import ScriptedServer, applied, conflict, echo_applied

TASK = "k-1"  # seeded at rev 11, status not_started (records.seed_book)


@pytest.fixture
def book(store: Store) -> Store:
    r.seed_book(store)
    return store


def set_status(store: Store, status: str, **more: Any) -> str:
    result = record_edit(
        store,
        "task",
        TASK,
        OpKind.UPDATE,
        {"status": status, **more},
        role=RecordRole.ASSIGNEE,
    )
    assert result.op_id is not None
    return result.op_id


def lost(store: Store) -> None:
    """The round that sent the queued ops failed: they stay ``sending`` (as a kill leaves them)."""
    with store.write() as conn:
        conn.execute(schema.outbox.update().values(state="sending"))


def task_at_bank(**fields: Any) -> dict[str, Any]:
    return factories.task(TASK, r.CUSTOMER, **fields)


def test_a_change_of_mind_back_to_what_the_bank_has_gives_a_later_edit_no_base_of_its_own(
    book: Store, client: ApiClient, server: ScriptedServer
) -> None:
    # cancelled (it reached the bank, its answer was lost), in_progress and cancelled again (both
    # requests lost), then completed: all four go out together, made on rev 11.
    reached = set_status(book, "cancelled")
    lost(book)
    middle = set_status(book, "in_progress")
    lost(book)
    back = set_status(book, "cancelled")
    lost(book)
    last = set_status(book, "completed", completion_note="已电话确认")
    cancelled = task_at_bank(status="cancelled")
    server.reply(
        "POST",
        "/mutations",
        {
            "results": [
                applied(reached, 12, cancelled, changed_fields=["status"], replayed=True),
                conflict(middle, "fields", 12, cancelled, ["status"]),
                applied(back, 12, cancelled, changed_fields=[]),
                conflict(last, "fields", 12, cancelled, ["status"]),
            ]
        },
        echo_applied(lambda m: {**cancelled, **m["fields"]}, first_rev=12),
    )

    Pusher(book, client, emit=lambda _event: None).push()

    # The bank's cancelled is the user's own; completed is the user's later word and goes out.
    assert r.conflicts(book) == []
    resent = server.pushed()[-1]
    assert [(m["fields"], m["base_rev"]) for m in resent] == [
        ({"status": "completed", "completion_note": "已电话确认"}, 12)
    ]
    row = r.row(book, "task", TASK)
    assert row is not None and row["status"] == "completed"
    assert r.outbox_rows(book) == []
