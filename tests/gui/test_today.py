"""The Today screen over the real synced cache: what the RM sees first thing, and the inline
actions that work through it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QFrame, QLabel, QPushButton, QToolButton, QWidget
from sqlalchemy import func, select

from rm_desk.domain.enums import OpKind, TaskBucket
from rm_desk.domain.masking import contains_unmasked
from rm_desk.local_store import schema
from rm_desk.local_store.ingest import apply_page
from rm_desk.local_store.queries import tasks_by_bucket
from rm_desk.sync.issues import list_pending_ops
from rm_desk.views.today import TodayScreen
from rm_desk.views.workbench import Workbench
from rm_desk.views.worklist_words import rule_name
from tests import factories
from tests.factories import change, delete_change, iso
from tests.gui.conftest import NOW

SEED_REV = 900_000  # above anything the fixture bank has handed out


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
