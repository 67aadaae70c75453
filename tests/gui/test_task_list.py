"""The Tasks screen over the real synced cache: the user's open tasks by bucket and priority,
sorted by due, opened with a double-click and closed with "Mark done"."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QLabel

from rm_desk.domain.enums import OpKind, TaskBucket
from rm_desk.domain.masking import contains_unmasked
from rm_desk.local_store.worklist import open_tasks
from rm_desk.sync.issues import list_pending_ops
from rm_desk.views.task_list import TaskListScreen
from rm_desk.views.task_model import (
    BUCKET_ROLE,
    CUSTOMER_ID_ROLE,
    PRIORITY_ROLE,
    TASK_ID_ROLE,
    Column,
    TaskFilterProxy,
    TaskTableModel,
)
from rm_desk.views.workbench import Workbench
from tests.gui.conftest import StoreWrites, WorkerThreadRunner
from tests.gui.test_today import seed_work


def open_screen(bench: Workbench, qtbot: Any) -> TaskListScreen:
    screen = TaskListScreen(bench)
    qtbot.addWidget(screen)
    screen.resize(1200, 800)
    screen.show()
    qtbot.waitExposed(screen)
    return screen


def shown_ids(screen: TaskListScreen) -> list[str]:
    proxy = screen.proxy
    return [proxy.index(row, 0).data(TASK_ID_ROLE) for row in range(proxy.rowCount())]


def cache_rows(bench: Workbench) -> list[Any]:
    with bench.store.read() as conn:
        return list(
            open_tasks(conn, assignee_id=bench.user.id, today=bench.today(), zone=bench.zone)
        )


def test_task_model_and_proxy_pass_the_model_tester(bench: Workbench, qtmodeltester: Any) -> None:
    seed_work(bench)
    rows = cache_rows(bench)
    assert len(rows) >= 3
    model = TaskTableModel(bench.zone)
    model.show_tasks(rows, bench.today())
    qtmodeltester.check(model)

    proxy = TaskFilterProxy()
    proxy.setSourceModel(model)
    proxy.sort(Column.PRIORITY, Qt.SortOrder.AscendingOrder)
    qtmodeltester.check(proxy)
    proxy.set_buckets([TaskBucket.OVERDUE])
    qtmodeltester.check(proxy)


def test_a_refresh_changes_the_model_in_place_without_a_reset(bench: Workbench, qtbot: Any) -> None:
    seed_work(bench)
    rows = cache_rows(bench)
    model = TaskTableModel(bench.zone)
    model.show_tasks(rows, bench.today())

    with (
        qtbot.assertNotEmitted(model.modelReset),
        qtbot.waitSignal(model.rowsRemoved) as removed,
    ):
        model.show_tasks(rows[1:], bench.today())

    assert removed.args[1:] == [0, 0]
    assert [r.id for r in model.rows()] == [r.id for r in rows[1:]]
    with qtbot.waitSignal(model.rowsInserted) as inserted:
        model.show_tasks(rows, bench.today())
    assert inserted.args[1:] == [len(rows) - 1, len(rows) - 1]
    assert {r.id for r in model.rows()} == {r.id for r in rows}


def test_open_tasks_are_sorted_by_due_with_overdue_ones_in_red(
    bench: Workbench, qtbot: Any
) -> None:
    seed_work(bench)
    expected = cache_rows(bench)  # overdue, today, later; by due within each

    screen = open_screen(bench, qtbot)

    assert shown_ids(screen) == [row.id for row in expected]
    first = screen.proxy.index(0, Column.BUCKET)
    assert first.data() == "Overdue"
    assert first.data(Qt.ItemDataRole.ForegroundRole).name() == "#b3261e"
    assert f"{len(expected)} open tasks" in [w.text() for w in screen.findChildren(QLabel)]


def test_bucket_and_priority_filters_narrow_the_list_with_counts(
    bench: Workbench, qtbot: Any
) -> None:
    seed_work(bench)
    rows = cache_rows(bench)
    overdue = [r.id for r in rows if r.bucket is TaskBucket.OVERDUE]
    screen = open_screen(bench, qtbot)
    button = screen.bucket_buttons[TaskBucket.OVERDUE]
    assert button.text() == f"Overdue ({len(overdue)})"

    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert shown_ids(screen) == overdue
    assert {screen.proxy.index(r, 0).data(BUCKET_ROLE) for r in range(len(overdue))} == {"overdue"}

    screen.priority_filter.setCurrentIndex(screen.priority_filter.findData("urgent"))
    urgent = [r.id for r in rows if r.bucket is TaskBucket.OVERDUE and r.priority == "urgent"]
    assert urgent and shown_ids(screen) == urgent
    assert screen.proxy.index(0, 0).data(PRIORITY_ROLE) == "urgent"

    screen.priority_filter.setCurrentIndex(screen.priority_filter.findData("low"))
    assert shown_ids(screen) == []
    (empty,) = [w for w in screen.findChildren(QLabel, "emptyState") if w.isVisible()]
    assert empty.text() == "No tasks match these filters."

    screen.show_bucket(None)
    screen.priority_filter.setCurrentIndex(0)
    assert len(shown_ids(screen)) == len(rows)


def test_double_click_opens_the_customers_tasks_tab(bench: Workbench, qtbot: Any) -> None:
    seed_work(bench)
    screen = open_screen(bench, qtbot)
    index = screen.proxy.index(1, Column.TASK)
    customer_id = index.data(CUSTOMER_ID_ROLE)
    assert customer_id
    where = screen.table.visualRect(index).center()

    with qtbot.waitSignal(bench.navigator.customer_requested) as request:
        qtbot.mouseClick(screen.table.viewport(), Qt.MouseButton.LeftButton, pos=where)
        qtbot.mouseDClick(screen.table.viewport(), Qt.MouseButton.LeftButton, pos=where)

    assert request.args == [customer_id, "tasks"]


def test_marking_the_selected_task_done_removes_it_and_queues_one_op_off_the_gui_thread(
    make_bench: Callable[..., Workbench], qtbot: Any
) -> None:
    bench = make_bench(runner=WorkerThreadRunner())
    seed_work(bench)
    screen = open_screen(bench, qtbot)
    assert not screen.done_button.isEnabled()  # nothing selected yet
    screen.table.selectRow(0)
    task_id = screen.selected_task().id  # type: ignore[union-attr]
    before = len(list_pending_ops(bench.store))

    with StoreWrites() as writes:
        qtbot.mouseClick(screen.done_button, Qt.MouseButton.LeftButton)

    assert writes.gui_thread_statements() == []
    assert "INSERT INTO outbox" in writes.off_gui_thread_to(bench.store)
    assert task_id not in shown_ids(screen)
    assert screen.bucket_buttons[None].text() == f"All ({len(cache_rows(bench))})"
    pending = list_pending_ops(bench.store)
    assert len(pending) == before + 1
    assert (pending[-1].record_id, pending[-1].op, dict(pending[-1].fields)) == (
        task_id,
        OpKind.UPDATE,
        {"status": "completed"},
    )


def test_the_write_watch_catches_a_task_written_on_the_gui_thread(
    bench: Workbench, qtbot: Any
) -> None:
    # The inline runner of most GUI tests runs the write on the GUI thread: the watch must see it,
    # or the test above could not fail.
    seed_work(bench)
    screen = open_screen(bench, qtbot)
    screen.table.selectRow(0)

    with StoreWrites() as writes:
        qtbot.mouseClick(screen.done_button, Qt.MouseButton.LeftButton)

    assert "INSERT INTO outbox" in writes.gui_thread_statements()
    assert writes.off_gui_thread_to(bench.store) == []


def test_the_task_list_shows_no_unmasked_numbers(bench: Workbench, qtbot: Any) -> None:
    seed_work(bench)
    screen = open_screen(bench, qtbot)
    model = screen.model
    texts = [
        str(model.index(row, column).data() or "")
        for row in range(model.rowCount())
        for column in range(model.columnCount())
    ]
    texts += [str(model.headerData(c, Qt.Orientation.Horizontal)) for c in range(len(Column))]
    assert len(texts) > 10
    assert [t for t in texts if contains_unmasked(t)] == []
    assert model.index(0, 0).parent() == QModelIndex()
