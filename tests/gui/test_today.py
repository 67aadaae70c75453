"""The Today screen over the real synced cache: what the RM sees first thing, and the inline
actions that work through it."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any, TypeVar

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QAbstractButton, QFrame, QLabel, QPushButton, QToolButton, QWidget
from sqlalchemy import event, func, select
from sqlalchemy.engine import Connection, Engine

from rm_desk.domain.enums import OpKind, SyncPhase, TaskBucket
from rm_desk.domain.masking import contains_unmasked
from rm_desk.local_store import schema
from rm_desk.local_store.ingest import apply_page
from rm_desk.local_store.queries import tasks_by_bucket
from rm_desk.local_store.worklist import today_view
from rm_desk.sync.events import StatusChanged, SyncStatus
from rm_desk.sync.issues import list_pending_ops
from rm_desk.views.runner import Failed, InlineTaskRunner
from rm_desk.views.today import SECTION_LIMIT, TodayScreen
from rm_desk.views.today_data import today_page
from rm_desk.views.workbench import ScreenId, Workbench
from rm_desk.views.worklist_words import rule_name
from tests import factories
from tests.factories import change, delete_change, iso
from tests.gui.conftest import NOW, WorkerThreadRunner

SEED_REV = 900_000  # above anything the fixture bank has handed out
T = TypeVar("T")


def book_customers(bench: Workbench, count: int) -> list[str]:
    c = schema.customer
    with bench.store.read() as conn:
        return list(conn.execute(select(c.c.id).order_by(c.c.id).limit(count)).scalars())


def seed_work(bench: Workbench) -> dict[str, str]:
    """Give the RM overdue, due-today and maturing work, as the bank's feed would.

    The synthetic bank's book of ``rm001`` has no task due by "today" (2026-11-20), so the feed
    brings some: two overdue tasks, one due this afternoon, a time deposit maturing on Saturday.
    Returns the customer of each seeded record by record id.
    """
    first, second = book_customers(bench, 2)
    records = {
        "k-gui-overdue-1": (first, NOW - timedelta(days=3), "high"),
        "k-gui-overdue-2": (second, NOW - timedelta(days=1), "urgent"),
        "k-gui-today": (second, NOW + timedelta(hours=5), "low"),
    }
    changes = [
        change(
            "task",
            factories.task(
                task_id,
                customer_id,
                title=f"到期续作：联系客户（{task_id[-1]}）",
                due_at=iso(due),
                priority=priority,
                assigner_id=None,
            ),
            SEED_REV + n,
        )
        for n, (task_id, (customer_id, due, priority)) in enumerate(records.items())
    ]
    changes.append(
        change(
            "account",
            factories.account(
                "a-gui-td",
                first,
                type="time_deposit",
                maturity_date="2026-11-21",
                balance="520000.00",
            ),
            SEED_REV + 10,
        )
    )
    apply_page(bench.store, changes, None)
    owners = {task_id: customer for task_id, (customer, _, _) in records.items()}
    owners["a-gui-td"] = first
    return owners


def open_screen(bench: Workbench, qtbot: Any) -> TodayScreen:
    screen = TodayScreen(bench)
    qtbot.addWidget(screen)
    screen.resize(1200, 800)
    screen.show()
    qtbot.waitExposed(screen)
    return screen


def section(screen: TodayScreen, key: str) -> QFrame:
    (frame,) = [f for f in screen.findChildren(QFrame, "section") if f.property("section") == key]
    return frame


def header_text(screen: TodayScreen, key: str) -> str:
    (label,) = [
        lab
        for lab in screen.findChildren(QLabel, "sectionHeader")
        if lab.property("section") == key
    ]
    return label.text()


def task_ids_in(screen: TodayScreen, key: str) -> list[str]:
    return [
        b.property("task_id") for b in section(screen, key).findChildren(QPushButton, "markDone")
    ]


def visible_texts(widget: QWidget) -> list[str]:
    """Every text a person can read or hear on the widget: labels, buttons, tooltips, names."""
    texts = [widget.windowTitle()]
    for child in widget.findChildren(QWidget):
        if isinstance(child, QLabel):
            texts.append(child.text())
        if isinstance(child, QAbstractButton):
            texts.append(child.text())
        texts += [child.toolTip(), child.accessibleName()]
    return [t for t in texts if t]


def test_today_shows_the_overdue_and_due_tasks_the_cache_holds(bench: Workbench, qtbot: Any):
    seed_work(bench)
    with bench.store.read() as conn:
        buckets = tasks_by_bucket(conn, assignee_id="rm001", today=bench.today(), zone=bench.zone)
    overdue = [t.id for t in buckets[TaskBucket.OVERDUE]]
    due_today = [t.id for t in buckets[TaskBucket.TODAY]]
    assert overdue and due_today  # otherwise this test would prove nothing

    screen = open_screen(bench, qtbot)

    assert task_ids_in(screen, "overdue") == overdue
    assert task_ids_in(screen, "due_today") == due_today
    assert header_text(screen, "overdue") == f"Overdue tasks ({len(overdue)})"
    assert header_text(screen, "due_today") == f"Due today ({len(due_today)})"
    words = visible_texts(section(screen, "overdue"))
    assert "Urgent" in words and any(w.startswith("Overdue since") for w in words)


def test_overdue_task_marked_done_leaves_the_today_queue_and_queues_one_op(
    bench: Workbench, qtbot: Any
):
    seed_work(bench)
    screen = open_screen(bench, qtbot)
    before = list_pending_ops(bench.store)
    (button,) = [
        b
        for b in section(screen, "overdue").findChildren(QPushButton, "markDone")
        if b.property("task_id") == "k-gui-overdue-1"
    ]

    with qtbot.waitSignal(bench.bridge.data_changed, timeout=2000):
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)

    assert "k-gui-overdue-1" not in task_ids_in(screen, "overdue")
    assert header_text(screen, "overdue") == "Overdue tasks (1)"
    after = list_pending_ops(bench.store)
    (op,) = after[len(before) :]
    assert len(after) == len(before) + 1
    assert (op.entity, op.record_id, op.op, dict(op.fields)) == (
        "task",
        "k-gui-overdue-1",
        OpKind.UPDATE,
        {"status": "completed"},
    )


def test_a_customer_opens_on_the_tab_the_item_is_about(bench: Workbench, qtbot: Any):
    owners = seed_work(bench)
    screen = open_screen(bench, qtbot)
    task_link = next(
        link
        for link in section(screen, "overdue").findChildren(QPushButton, "customerLink")
        if link.property("customer_id") == owners["k-gui-overdue-1"]
    )
    (maturity_link,) = section(screen, "maturities").findChildren(QPushButton, "customerLink")

    with qtbot.waitSignal(bench.navigator.customer_requested) as task_request:
        qtbot.mouseClick(task_link, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(bench.navigator.customer_requested) as maturity_request:
        qtbot.mouseClick(maturity_link, Qt.MouseButton.LeftButton)

    assert task_request.args == [owners["k-gui-overdue-1"], "tasks"]
    assert maturity_request.args == [owners["a-gui-td"], "accounts"]
    assert header_text(screen, "maturities") == "Maturing this week (1)"
    assert any("¥520,000" in text for text in visible_texts(section(screen, "maturities")))


def test_new_alerts_are_grouped_by_rule_with_their_counts(
    make_bench: Callable[..., Workbench], qtbot: Any
):
    a = schema.alert
    bench = make_bench("lead01")
    with bench.store.read() as conn:
        counts = dict(
            conn.execute(
                select(a.c.rule_id, func.count()).where(a.c.status == "new").group_by(a.c.rule_id)
            ).all()
        )
    assert any(n > 1 for n in counts.values())  # grouping must have something to group

    screen = open_screen(bench, qtbot)

    groups = section(screen, "alerts").findChildren(QToolButton, "ruleGroup")
    assert {g.property("rule"): g.text() for g in groups} == {
        rule: f"{rule} {rule_name(rule)} ({count})" for rule, count in counts.items()
    }
    assert header_text(screen, "alerts") == f"New alerts ({sum(counts.values())})"
    for group in groups:  # each group holds its rule's alerts, with their actions
        (rows,) = [
            w
            for w in section(screen, "alerts").findChildren(QWidget)
            if w.property("rule") == group.property("rule") and not isinstance(w, QToolButton)
        ]
        acknowledge = rows.findChildren(QPushButton, "acknowledgeAlert")
        assert len(acknowledge) == counts[group.property("rule")]


def test_a_rule_group_collapses_and_expands(bench: Workbench, qtbot: Any):
    screen = open_screen(bench, qtbot)
    toggle = section(screen, "alerts").findChildren(QToolButton, "ruleGroup")[0]
    rule = toggle.property("rule")
    (rows,) = [
        w
        for w in section(screen, "alerts").findChildren(QWidget)
        if w.property("rule") == rule and not isinstance(w, QToolButton)
    ]
    assert rows.isVisible()

    qtbot.mouseClick(toggle, Qt.MouseButton.LeftButton)
    assert not rows.isVisible()
    qtbot.mouseClick(toggle, Qt.MouseButton.LeftButton)
    assert rows.isVisible()


def test_acknowledging_an_alert_takes_it_off_today_and_queues_its_status(
    bench: Workbench, qtbot: Any
):
    screen = open_screen(bench, qtbot)
    view = screen.view()
    assert view is not None and view.alert_count > 0
    alert = view.alert_groups[0].alerts[0]
    (button,) = [
        b
        for b in screen.findChildren(QPushButton, "acknowledgeAlert")
        if b.property("alert_id") == alert.id
    ]

    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)

    after = screen.view()
    assert after is not None and after.alert_count == view.alert_count - 1
    assert alert.id not in [a.id for g in after.alert_groups for a in g.alerts]
    (op,) = list_pending_ops(bench.store)
    assert (op.entity, op.record_id, dict(op.fields)) == (
        "alert",
        alert.id,
        {"status": "acknowledged"},
    )


def test_empty_sections_say_so_in_friendly_words(bench: Workbench, qtbot: Any):
    screen = open_screen(bench, qtbot)  # the fixture book: nothing overdue or due today

    for key, words in (
        ("overdue", "Nothing is overdue. Well done."),
        ("due_today", "No tasks are due today."),
    ):
        (empty,) = section(screen, key).findChildren(QLabel, "emptyState")
        assert empty.text() == words
    assert header_text(screen, "overdue") == "Overdue tasks (0)"


def test_a_task_gone_from_the_book_shows_the_errors_words_and_leaves_the_list(
    bench: Workbench, qtbot: Any
):
    seed_work(bench)
    screen = open_screen(bench, qtbot)
    # The bank removes the task after the screen was drawn (the coalesced refresh is not in yet).
    apply_page(bench.store, [delete_change("task", "k-gui-today", SEED_REV + 20)], None)
    (button,) = section(screen, "due_today").findChildren(QPushButton, "markDone")

    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)

    assert screen.errors.isVisible()
    assert screen.errors.text() == (
        "Change not saved: This record is no longer in your book, so the change could not be saved."
    )
    assert task_ids_in(screen, "due_today") == []
    assert list_pending_ops(bench.store) == ()


def test_no_unmasked_mobile_or_id_number_anywhere_on_today(
    make_bench: Callable[..., Workbench], qtbot: Any
):
    for user in ("rm001", "lead01"):
        bench = make_bench(user)
        seed_work(bench)
        screen = open_screen(bench, qtbot)
        texts = visible_texts(screen)
        assert len(texts) > 20
        assert [t for t in texts if contains_unmasked(t)] == []


def _seed_many(bench: Workbench, overdue: int, maturing: int) -> None:
    """``overdue`` overdue tasks (open and in progress by turns) and ``maturing`` accounts maturing
    tomorrow, as the feed brings."""
    customers = book_customers(bench, 5)
    changes = [
        change(
            "task",
            factories.task(
                f"k-many-{n:03}",
                customers[n % len(customers)],
                title=f"回访客户（{n}）",
                due_at=iso(NOW - timedelta(days=2, minutes=n)),
                status="in_progress" if n % 2 else "not_started",
                priority="normal",
                assigner_id=None,
            ),
            SEED_REV + 100 + n,
        )
        for n in range(overdue)
    ]
    changes += [
        change(
            "account",
            factories.account(
                f"a-many-{n:03}",
                customers[n % len(customers)],
                type="time_deposit",
                maturity_date="2026-11-21",
                balance="10000.00",
            ),
            SEED_REV + 500 + n,
        )
        for n in range(maturing)
    ]
    apply_page(bench.store, changes, None)


def more_button(screen: TodayScreen, key: str) -> QPushButton:
    (button,) = section(screen, key).findChildren(QPushButton, "moreLink")
    return button


def test_a_long_overdue_section_shows_its_first_tasks_and_links_the_rest_to_tasks(
    bench: Workbench, qtbot: Any
):
    _seed_many(bench, overdue=SECTION_LIMIT + 3, maturing=0)
    with bench.store.read() as conn:
        buckets = tasks_by_bucket(conn, assignee_id="rm001", today=bench.today(), zone=bench.zone)
    overdue = [t.id for t in buckets[TaskBucket.OVERDUE]]
    assert len(overdue) == SECTION_LIMIT + 3

    screen = open_screen(bench, qtbot)

    assert task_ids_in(screen, "overdue") == overdue[:SECTION_LIMIT]  # the most overdue first
    assert header_text(screen, "overdue") == f"Overdue tasks ({SECTION_LIMIT + 3})"
    more = more_button(screen, "overdue")
    assert more.text() == "And 3 more — see them all in Tasks"
    with qtbot.waitSignal(bench.navigator.screen_requested, timeout=1000) as asked:
        qtbot.mouseClick(more, Qt.MouseButton.LeftButton)
    assert asked.args == [ScreenId.TASKS]
    assert section(screen, "due_today").findChildren(QPushButton, "moreLink") == []


def test_show_more_adds_the_next_maturities_in_place(bench: Workbench, qtbot: Any):
    _seed_many(bench, overdue=0, maturing=SECTION_LIMIT + 5)
    screen = open_screen(bench, qtbot)
    view = screen.view()
    assert view is not None and len(view.maturities) == SECTION_LIMIT
    total = SECTION_LIMIT + 5 + sum(1 for m in view.maturities if not m.record_id.startswith("a-"))
    assert header_text(screen, "maturities") == f"Maturing this week ({total})"
    more = more_button(screen, "maturities")
    assert more.text() == f"Show 5 more of {total}"

    qtbot.mouseClick(more, Qt.MouseButton.LeftButton)

    links = section(screen, "maturities").findChildren(QPushButton, "customerLink")
    assert len(links) == total
    assert section(screen, "maturities").findChildren(QPushButton, "moreLink") == []


def test_the_capped_read_reads_what_the_worklist_reads_when_nothing_is_cut(bench: Workbench):
    seed_work(bench)
    with bench.store.read() as conn:
        args = {"user_id": "rm001", "today": bench.today(), "zone": bench.zone}
        whole = today_view(conn, **args)
        page = today_page(conn, **args, limits={}, default_limit=10_000)
    assert whole.overdue and whole.alert_groups and whole.maturities  # not comparing nothing
    assert page.view == whole
    assert page.totals.overdue == len(whole.overdue)
    assert page.totals.alerts == whole.alert_count


def sync_status(phase: SyncPhase) -> StatusChanged:
    return StatusChanged(
        SyncStatus(
            phase=phase,
            online=True,
            last_success=None,
            last_contact=None,
            pending_count=0,
            conflict_count=0,
            rejected_count=0,
        )
    )


def test_while_a_pull_lands_pages_a_section_with_rows_updates_only_its_count(
    bench: Workbench, qtbot: Any
):
    owners = seed_work(bench)
    screen = open_screen(bench, qtbot)
    shown = task_ids_in(screen, "overdue")
    bench.bridge.on_event(sync_status(SyncPhase.PULLING))
    qtbot.waitUntil(lambda: bench.bridge.last_status is not None, timeout=2000)
    late = change(
        "task",
        factories.task(
            "k-gui-overdue-0",
            owners["k-gui-overdue-1"],
            title="最早逾期的任务",
            due_at=iso(NOW - timedelta(days=9)),
            priority="normal",
            assigner_id=None,
        ),
        SEED_REV + 20,
    )
    apply_page(bench.store, [late], None)

    with qtbot.waitSignal(bench.bridge.data_changed, timeout=2000):
        bench.bridge.local_write()  # as a landed page does, only sooner
    qtbot.wait(50)

    assert header_text(screen, "overdue") == f"Overdue tasks ({len(shown) + 1})"
    assert task_ids_in(screen, "overdue") == shown  # the rows wait for the pull to end

    bench.bridge.on_event(sync_status(SyncPhase.IDLE))
    # Built a row per turn of the event loop, the new most overdue task first.
    qtbot.waitUntil(
        lambda: task_ids_in(screen, "overdue") == ["k-gui-overdue-0", *shown], timeout=2000
    )


def test_a_change_under_the_screen_rebuilds_only_the_sections_it_changed_a_few_rows_a_turn(
    bench: Workbench, qtbot: Any
):
    screen = open_screen(bench, qtbot)
    alerts = section(screen, "alerts")
    first, second = book_customers(bench, 2)
    tasks = [
        change(
            "task",
            factories.task(
                f"k-gui-many-{n:02}",
                (first, second)[n % 2],
                title=f"逾期任务 {n}",
                due_at=iso(NOW - timedelta(days=1 + n)),
                priority="normal",
                assigner_id=None,
            ),
            SEED_REV + 100 + n,
        )
        for n in range(SECTION_LIMIT)
    ]
    apply_page(bench.store, tasks, None)

    screen.refresh_after_change()

    assert len(task_ids_in(screen, "overdue")) < SECTION_LIMIT  # not all in one turn
    qtbot.waitUntil(lambda: len(task_ids_in(screen, "overdue")) == SECTION_LIMIT, timeout=3000)
    assert section(screen, "alerts") is alerts  # untouched: its rows did not change
    assert header_text(screen, "overdue") == f"Overdue tasks ({SECTION_LIMIT})"


def overdue_tasks(bench: Workbench, count: int, first_rev: int) -> list[Any]:
    """``count`` overdue tasks of the RM's first two customers, as a feed page brings them."""
    first, second = book_customers(bench, 2)
    return [
        change(
            "task",
            factories.task(
                f"k-gui-whole-{first_rev + n}",
                (first, second)[n % 2],
                title=f"逾期任务 {n}",
                due_at=iso(NOW - timedelta(days=1 + n)),
                priority="normal",
                assigner_id=None,
            ),
            first_rev + n,
        )
        for n in range(count)
    ]


def shown_task_buttons(screen: TodayScreen) -> int:
    return sum(1 for b in screen.findChildren(QPushButton, "markDone") if b.isVisibleTo(screen))


def test_a_section_rebuilt_under_the_screen_shows_whole_never_part_of_its_rows(
    bench: Workbench, qtbot: Any
):
    # Each row shown on its own would lay out and paint the whole screen again, a turn each.
    screen = open_screen(bench, qtbot)
    assert shown_task_buttons(screen) == 0
    apply_page(bench.store, overdue_tasks(bench, SECTION_LIMIT, SEED_REV + 200), None)
    seen: list[int] = []
    every_turn = QTimer()
    every_turn.setInterval(0)
    every_turn.timeout.connect(lambda: seen.append(shown_task_buttons(screen)))
    every_turn.start()

    screen.refresh_after_change()
    qtbot.waitUntil(lambda: shown_task_buttons(screen) == SECTION_LIMIT, timeout=3000)
    every_turn.stop()

    assert len(seen) > 1  # the rows were built over several turns …
    assert set(seen) <= {0, SECTION_LIMIT}  # … and never shown in part
    assert header_text(screen, "overdue") == f"Overdue tasks ({SECTION_LIMIT})"


def test_a_newer_read_during_a_rebuild_leaves_one_section_with_the_newest_rows(
    bench: Workbench, qtbot: Any
):
    screen = open_screen(bench, qtbot)
    apply_page(bench.store, overdue_tasks(bench, 3, SEED_REV + 300), None)
    screen.refresh_after_change()
    qtbot.wait(1)  # the rebuild is under way
    apply_page(bench.store, overdue_tasks(bench, 5, SEED_REV + 300)[3:], None)

    screen.refresh_after_change()
    qtbot.waitUntil(lambda: len(task_ids_in(screen, "overdue")) == 5, timeout=3000)
    qtbot.wait(50)  # what was dropped is deleted

    frames = [
        f
        for f in screen.findChildren(QFrame)
        if type(f) is QFrame and f.property("section") == "overdue"
    ]
    assert frames == [section(screen, "overdue")]
    assert shown_task_buttons(screen) == 5


@contextmanager
def reads_of(bench: Workbench) -> Iterator[dict[str, list[str]]]:
    """The SELECTs run on the cache of ``bench`` in the block, by whether the GUI thread ran
    them."""
    seen: dict[str, list[str]] = {"gui": [], "other": []}

    def on_execute(conn: Connection, _cursor: Any, statement: str, *_args: Any) -> None:
        if conn.engine is bench.store.engine and statement.lstrip().upper().startswith("SELECT"):
            gui = threading.current_thread() is threading.main_thread()
            seen["gui" if gui else "other"].append(statement)

    event.listen(Engine, "before_cursor_execute", on_execute)
    try:
        yield seen
    finally:
        event.remove(Engine, "before_cursor_execute", on_execute)


def late_overdue_task(owner: str, rev: int) -> Any:
    return change(
        "task",
        factories.task(
            f"k-gui-late-{rev}",
            owner,
            title="同步刚带来的逾期任务",
            due_at=iso(NOW - timedelta(days=30) + timedelta(minutes=rev - SEED_REV)),
            priority="normal",
            assigner_id=None,
        ),
        rev,
    )


def test_a_change_under_the_screen_is_read_off_the_gui_thread(
    make_bench: Callable[..., Workbench], qtbot: Any
):
    bench = make_bench(runner=WorkerThreadRunner())
    owners = seed_work(bench)
    screen = open_screen(bench, qtbot)
    apply_page(bench.store, [late_overdue_task(owners["k-gui-overdue-1"], SEED_REV + 30)], None)

    with reads_of(bench) as reads:
        screen.refresh_after_change()
        qtbot.waitUntil(
            lambda: task_ids_in(screen, "overdue")[:1] == [f"k-gui-late-{SEED_REV + 30}"],
            timeout=3000,
        )

    assert reads["other"]  # the re-read happened, on the runner's thread
    assert reads["gui"] == []
    assert header_text(screen, "overdue") == "Overdue tasks (3)"


class HeldRunner(InlineTaskRunner):
    """Runs each task at once but holds its result until the test hands it over."""

    def __init__(self) -> None:
        super().__init__()
        self.held: list[Callable[[], None]] = []

    def submit(
        self,
        work: Callable[[], T],
        done: Callable[[T], None] | None = None,
        failed: Failed | None = None,
    ) -> None:
        result = work()
        self.held.append(lambda: self._deliver(result, None, done, failed))


def test_a_read_that_lands_after_a_newer_one_is_dropped(
    make_bench: Callable[..., Workbench], qtbot: Any
):
    runner = HeldRunner()
    bench = make_bench(runner=runner)
    owners = seed_work(bench)
    screen = open_screen(bench, qtbot)  # the first paint reads at once, on the GUI thread
    screen.refresh_after_change()  # an older read: the two seeded overdue tasks
    apply_page(bench.store, [late_overdue_task(owners["k-gui-overdue-1"], SEED_REV + 40)], None)
    screen.refresh_after_change()  # the newer read: three
    older, newer = runner.held

    newer()
    older()  # late, and stale

    qtbot.waitUntil(lambda: len(task_ids_in(screen, "overdue")) == 3, timeout=3000)
    qtbot.wait(50)
    assert task_ids_in(screen, "overdue")[0] == f"k-gui-late-{SEED_REV + 40}"
    assert header_text(screen, "overdue") == "Overdue tasks (3)"


def test_while_a_pull_lands_pages_today_reads_at_most_every_two_seconds_then_at_once_after(
    bench: Workbench, qtbot: Any
):
    owners = seed_work(bench)
    screen = open_screen(bench, qtbot)
    bench.bridge.on_event(sync_status(SyncPhase.PULLING))
    qtbot.waitUntil(lambda: bench.bridge.last_status is not None, timeout=2000)
    screen.refresh_after_change()  # a page landed: read
    apply_page(bench.store, [late_overdue_task(owners["k-gui-overdue-1"], SEED_REV + 50)], None)

    screen.refresh_after_change()  # the next page, too soon after: put off
    assert header_text(screen, "overdue") == "Overdue tasks (2)"
    qtbot.waitUntil(lambda: header_text(screen, "overdue") == "Overdue tasks (3)", timeout=5000)

    apply_page(bench.store, [late_overdue_task(owners["k-gui-overdue-1"], SEED_REV + 51)], None)
    screen.refresh_after_change()  # put off again …
    assert header_text(screen, "overdue") == "Overdue tasks (3)"
    bench.bridge.on_event(sync_status(SyncPhase.IDLE))  # … until the pull ends
    qtbot.waitUntil(lambda: header_text(screen, "overdue") == "Overdue tasks (4)", timeout=1000)
    qtbot.waitUntil(lambda: len(task_ids_in(screen, "overdue")) == 4, timeout=2000)
