"""The Sync issues screen over the real synced cache: changes waiting to go, conflicts decided in
one click, and changes the bank refused."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import httpx
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QFrame, QLabel, QPushButton, QScrollArea
from sqlalchemy import select

from rm_desk.domain.enums import ConflictKind, OpKind, OpState
from rm_desk.domain.fields import RecordRole
from rm_desk.domain.masking import contains_unmasked
from rm_desk.local_store import outbox, schema
from rm_desk.local_store.writes import record_edit
from rm_desk.sync import issues
from rm_desk.sync.client import ApiClient
from rm_desk.sync.engine import SyncEngine
from rm_desk.sync.events import Choice, StatusChanged
from rm_desk.sync.service import SyncService
from rm_desk.views.pending_change_model import OP_ID_ROLE, STATE_ROLE, PendingChangeModel
from rm_desk.views.sync_issues import SyncIssuesScreen
from rm_desk.views.workbench import Workbench
from tests.gui.conftest import LiveBank, StoreWrites, WorkerThreadRunner
from tests.gui.test_today import seed_work, visible_texts


def open_screen(bench: Workbench, qtbot: Any) -> SyncIssuesScreen:
    screen = SyncIssuesScreen(bench)
    qtbot.addWidget(screen)
    screen.resize(1200, 800)
    screen.show()
    qtbot.waitExposed(screen)
    return screen


def my_opportunity(bench: Workbench, stage: str) -> str:
    o = schema.opportunity
    with bench.store.read() as conn:
        found = conn.execute(
            select(o.c.id)
            .where(o.c.owner_id == bench.user.id, o.c.stage == stage, o.c.customer_id.is_not(None))
            .order_by(o.c.id)
            .limit(1)
        ).scalar_one()
    return str(found)


def cards(screen: SyncIssuesScreen, key: str) -> list[QFrame]:
    (section,) = [f for f in screen.findChildren(QFrame, "section") if f.property("section") == key]
    return section.findChildren(QFrame, "issueCard")


def stage_conflict(bench: Workbench, field: str, mine: Any, theirs: Any) -> int:
    """A conflict as push records it: the user's op held, and one inbox entry per field."""
    customer_id = "c-000013"
    result = record_edit(
        bench.store, "customer", customer_id, OpKind.UPDATE, {"soft_profile": {"remarks": mine}}
    )
    assert result.op_id is not None
    with bench.store.write() as conn:
        op = outbox.op_by_id(conn, result.op_id)
        assert op is not None
        outbox.set_state(conn, [op.seq], OpState.CONFLICT, "2026-11-20T09:00:00Z")
        return outbox.add_conflict(
            conn,
            entity="customer",
            record_id=customer_id,
            op_id=result.op_id,
            kind=ConflictKind.FIELDS,
            field=field,
            base=None,
            mine=mine,
            theirs=theirs,
            server_rev=None,
            now="2026-11-20T09:00:00Z",
        )


def test_pending_change_model_passes_the_model_tester(bench: Workbench, qtmodeltester: Any) -> None:
    seed_work(bench)
    record_edit(
        bench.store,
        "task",
        "k-gui-overdue-1",
        OpKind.UPDATE,
        {"status": "in_progress"},
        role=RecordRole.ASSIGNEE,
    )
    lead = my_opportunity(bench, "lead")
    record_edit(bench.store, "opportunity", lead, OpKind.UPDATE, {"stage": "contacted"})
    screen = SyncIssuesScreen(bench)
    screen.refresh()
    model: PendingChangeModel = screen.pending
    assert model.rowCount() == 2
    qtmodeltester.check(model)


def test_a_new_change_joins_the_waiting_list_in_place_keeping_the_selection(
    bench: Workbench, qtbot: Any
) -> None:
    seed_work(bench)
    first = record_edit(
        bench.store,
        "task",
        "k-gui-overdue-1",
        OpKind.UPDATE,
        {"status": "in_progress"},
        role=RecordRole.ASSIGNEE,
    )
    screen = open_screen(bench, qtbot)
    model = screen.pending
    screen.pending_table.selectRow(0)
    second = record_edit(
        bench.store, "opportunity", my_opportunity(bench, "lead"), OpKind.UPDATE, {"stage": "won"}
    )

    with qtbot.assertNotEmitted(model.modelReset), qtbot.waitSignal(model.rowsInserted) as added:
        screen.refresh()

    assert added.args[1:] == [1, 1]
    assert [model.index(r, 0).data(OP_ID_ROLE) for r in range(2)] == [first.op_id, second.op_id]
    (selected,) = screen.pending_table.selectionModel().selectedRows()
    assert selected.data(OP_ID_ROLE) == first.op_id
    tries = model.index(1, 3)
    assert tries.data() == "0"
    assert tries.data(Qt.ItemDataRole.TextAlignmentRole) == int(
        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
    )


def test_changes_waiting_to_send_are_listed_with_their_state(bench: Workbench, qtbot: Any) -> None:
    seed_work(bench)
    first = record_edit(
        bench.store,
        "task",
        "k-gui-overdue-1",
        OpKind.UPDATE,
        {"status": "completed"},
        role=RecordRole.ASSIGNEE,
    )

    screen = open_screen(bench, qtbot)

    model = screen.pending
    assert [model.index(r, 0).data(OP_ID_ROLE) for r in range(model.rowCount())] == [first.op_id]
    assert model.index(0, 0).data(STATE_ROLE) == "queued"
    assert model.index(0, 0).data().startswith("Edited · Task: 到期续作")
    assert model.index(0, 0).data().endswith(" — Status"), "the field on its way is named"
    assert model.index(0, 2).data() == "Waiting to send"
    assert screen.pending_table.isVisible()
    # every waiting change is in view in its table: the page scrolls, not the table
    table = screen.pending_table
    last = model.rowCount() - 1
    assert table.rowViewportPosition(last) + table.rowHeight(last) <= table.viewport().height()


def test_many_waiting_changes_make_the_page_scroll_with_every_change_in_its_table(
    bench: Workbench, qtbot: Any
) -> None:
    with bench.store.read() as conn:
        customers = list(conn.execute(select(schema.customer.c.id).order_by(schema.customer.c.id)))
    for (customer_id,) in customers:
        record_edit(
            bench.store,
            "customer",
            customer_id,
            OpKind.UPDATE,
            {"soft_profile": {"remarks": "周末"}},
        )
    screen = open_screen(bench, qtbot)
    screen.resize(1000, 500)
    qtbot.waitUntil(lambda: screen.height() == 500)

    model = screen.pending
    assert model.rowCount() == len(customers) > 10
    assert (
        screen.findChild(QLabel, "sectionHeader", Qt.FindChildOption.FindDirectChildrenOnly) is None
    )
    headers = [h.text() for h in screen.findChildren(QLabel, "sectionHeader")]
    assert f"Waiting to send ({len(customers)})" in headers
    table = screen.pending_table
    last = model.rowCount() - 1
    assert table.rowViewportPosition(last) + table.rowHeight(last) <= table.viewport().height()
    page = screen.findChild(QScrollArea)
    assert page is not None and page.verticalScrollBar().maximum() > 0  # the page scrolls


def test_a_conflict_from_the_bank_is_kept_mine_with_one_click(
    bench: Workbench, qtbot: Any, live_bank: LiveBank
) -> None:
    opportunity = my_opportunity(bench, "contacted")
    record_edit(bench.store, "opportunity", opportunity, OpKind.UPDATE, {"stage": "recommended"})
    edited = httpx.post(
        f"{live_bank.server.api_url}/dev/edit",
        json={"entity": "opportunity", "id": opportunity, "fields": {"stage": "needs_confirmed"}},
    )
    assert edited.status_code == 200
    client: ApiClient = live_bank.client()
    with client:
        SyncEngine(bench.store, client).run_round()
    (entry,) = issues.list_conflicts(bench.store)

    screen = open_screen(bench, qtbot)
    (card,) = cards(screen, "conflicts")
    words = [label.text() for label in card.findChildren(QLabel)]
    columns = ["Before", "Contacted", "Yours", "Recommended", "The bank's", "Needs confirmed"]
    assert [w for w in words if w in columns] == columns
    assert any(w.startswith("Opportunity · ") and w.endswith("— Stage") for w in words)
    (keep,) = card.findChildren(QPushButton, "keepMine")

    qtbot.mouseClick(keep, Qt.MouseButton.LeftButton)

    assert cards(screen, "conflicts") == []
    assert issues.list_conflicts(bench.store) == ()
    pending = issues.list_pending_ops(bench.store)
    assert [(op.record_id, dict(op.fields)) for op in pending] == [
        (opportunity, {"stage": "recommended"})
    ]
    assert entry.id not in [c.property("conflict_id") for c in cards(screen, "conflicts")]


def _no_connection() -> ApiClient:
    raise AssertionError("sync is not started in these tests")


def test_taking_theirs_goes_through_the_sync_service_when_the_window_runs_sync(
    make_bench: Callable[..., Workbench], qtbot: Any
) -> None:
    bench = make_bench(runner=WorkerThreadRunner())
    service = SyncService(
        bench.store, connect=_no_connection, user_id="rm001", device_id="gui-rm001"
    )
    bench = replace(bench, sync=service)
    stage_conflict(bench, "soft_profile.remarks", "喜欢高尔夫", "周末不打扰")
    events: list[Any] = []
    service.subscribe(events.append)
    screen = open_screen(bench, qtbot)
    (card,) = cards(screen, "conflicts")
    (theirs,) = card.findChildren(QPushButton, "takeTheirs")

    with StoreWrites() as writes:
        qtbot.mouseClick(theirs, Qt.MouseButton.LeftButton)

    assert writes.gui_thread_statements() == []  # the decision ran on the task runner
    assert writes.off_gui_thread_to(bench.store)
    assert cards(screen, "conflicts") == []
    assert service.list_conflicts() == ()
    # the service told its listeners (the status bar's counts): nothing left to decide
    statuses = [e.status for e in events if isinstance(e, StatusChanged)]
    assert statuses and statuses[-1].conflict_count == 0


def test_conflict_values_never_show_an_unmasked_number(bench: Workbench, qtbot: Any) -> None:
    stage_conflict(bench, "soft_profile.remarks", "客户新手机13812345678", "周末不打扰")

    screen = open_screen(bench, qtbot)

    (card,) = cards(screen, "conflicts")
    words = [label.text() for label in card.findChildren(QLabel)]
    assert "客户新手机138****5678" in words
    assert [t for t in visible_texts(screen) if contains_unmasked(t)] == []


def test_a_refused_change_shows_the_banks_reason_and_discard_restores_the_record(
    make_bench: Callable[..., Workbench], qtbot: Any
) -> None:
    bench = make_bench(runner=WorkerThreadRunner())
    seed_work(bench)
    result = record_edit(
        bench.store,
        "task",
        "k-gui-overdue-2",
        OpKind.UPDATE,
        {"status": "completed"},
        role=RecordRole.ASSIGNEE,
    )
    assert result.op_id is not None
    with bench.store.write() as conn:  # the bank refuses it, as push records a refusal
        op = outbox.op_by_id(conn, result.op_id)
        assert op is not None
        outbox.reject_op(
            conn,
            op.seq,
            code="validation_error",
            message="A field does not have a valid value.",
            field_errors={"status": "not allowed"},
            now="2026-11-20T09:00:00Z",
        )

    screen = open_screen(bench, qtbot)
    (card,) = cards(screen, "rejected")
    words = [label.text() for label in card.findChildren(QLabel)]
    assert "A field does not have a valid value." in words
    assert "Status: not allowed" in words
    (discard,) = card.findChildren(QPushButton, "discardRejected")

    with StoreWrites() as writes:
        qtbot.mouseClick(discard, Qt.MouseButton.LeftButton)

    assert writes.gui_thread_statements() == []  # the discard ran on the task runner
    assert writes.off_gui_thread_to(bench.store)
    assert cards(screen, "rejected") == []
    assert issues.list_rejected_ops(bench.store) == ()
    t = schema.task
    with bench.store.read() as conn:
        status = conn.execute(select(t.c.status).where(t.c.id == "k-gui-overdue-2")).scalar_one()
    assert status == "not_started"


def test_a_conflict_decided_elsewhere_shows_the_errors_words(bench: Workbench, qtbot: Any) -> None:
    conflict_id = stage_conflict(bench, "soft_profile.remarks", "喜欢高尔夫", "周末不打扰")
    screen = open_screen(bench, qtbot)
    (card,) = cards(screen, "conflicts")
    (mine,) = card.findChildren(QPushButton, "keepMine")
    issues.resolve_conflict(bench.store, conflict_id, Choice.THEIRS)  # another window was faster

    qtbot.mouseClick(mine, Qt.MouseButton.LeftButton)

    assert screen.errors.isVisible()
    assert screen.errors.text() == "Change not saved: This conflict has been decided already."
    assert cards(screen, "conflicts") == []


def section(screen: SyncIssuesScreen, key: str) -> QFrame:
    (found,) = [f for f in screen.findChildren(QFrame, "section") if f.property("section") == key]
    return found


def test_an_empty_sync_issues_screen_is_three_short_sections_that_say_all_is_well(
    bench: Workbench, qtbot: Any
) -> None:
    screen = open_screen(bench, qtbot)

    empties = [label.text() for label in screen.findChildren(QLabel, "emptyState")]
    assert "No conflicts: your changes and the bank's agree." in empties
    assert "The bank accepted every change it received." in empties
    assert "Every change you made has reached the bank." in empties
    assert not screen.pending_table.isVisible()
    # One below the other, each a heading and a line of words, with no empty space between
    # them (the waiting section used to sit far down the window).
    frames = [section(screen, key) for key in ("conflicts", "rejected", "pending")]
    line = screen.fontMetrics().height()
    tops = [frame.mapTo(screen, QPoint(0, 0)).y() for frame in frames]
    assert tops == sorted(tops)
    for upper, upper_top, lower_top in zip(frames, tops, tops[1:], strict=False):
        assert 0 <= lower_top - (upper_top + upper.height()) <= line
    assert all(frame.isVisible() and frame.height() <= 5 * line for frame in frames)
