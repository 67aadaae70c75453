"""A mobile, ID or card number a person typed into a task's title (a follow-up "回电
13812345678") shows masked wherever the title shows: the Tasks screen, the 360's Tasks tab and
its next best actions, the clipboard after copying a row, and the Sync issues screen's list of
changes waiting to be sent."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex
from PySide6.QtWidgets import QApplication
from sqlalchemy import text

from rm_desk.domain.masking import contains_unmasked
from rm_desk.views import i18n
from rm_desk.views.customer360.view import Customer360View
from rm_desk.views.sync_issues import SyncIssuesScreen
from rm_desk.views.task_list import TaskListScreen
from rm_desk.views.task_model import TASK_ID_ROLE
from rm_desk.views.workbench import Workbench
from tests.gui.test_no_unmasked_c2 import copied_from, model_texts
from tests.gui.test_today import seed_work

TYPED = "回电 13812345678，核对证件 110101199003071234，卡号 6222021234567890123"


def _leaks(texts: Any) -> list[str]:
    return [str(t) for _where, t in texts if isinstance(t, str) and contains_unmasked(t)]


def test_numbers_typed_into_a_task_title_show_masked(qtbot: Any, bench: Workbench) -> None:
    i18n.install_language(QApplication.instance(), "en")  # type: ignore[arg-type]
    customer = seed_work(bench)["k-gui-overdue-1"]  # an open, overdue task of the user's
    with bench.store.write() as conn:
        conn.execute(
            text("UPDATE task SET title = :title WHERE id = 'k-gui-overdue-1'"), {"title": TYPED}
        )

    screen = TaskListScreen(bench)
    qtbot.addWidget(screen)
    screen.show()
    titles = [
        screen.proxy.index(row, column).data()
        for row in range(screen.proxy.rowCount())
        for column in range(screen.proxy.columnCount())
    ]
    assert any(isinstance(t, str) and "138****5678" in t for t in titles), titles
    leaks = _leaks(model_texts("tasks", screen.proxy))
    leaks += [copied_from(screen.table)] if contains_unmasked(copied_from(screen.table)) else []

    view = Customer360View(bench)
    qtbot.addWidget(view)
    view.show()
    assert view.show_customer(customer, "tasks")
    assert view.tasks.model.rowCount(QModelIndex()) > 0
    leaks += _leaks(model_texts("360 tasks", view.tasks.model))
    actions = [b.text() for b in view.overview.action_buttons()]
    assert any("138****5678" in a for a in actions), actions
    leaks += [a for a in actions if contains_unmasked(a)]

    # Marking it done queues a change: the Sync issues screen lists it by its title.
    row = next(
        r
        for r in range(screen.proxy.rowCount())
        if screen.proxy.index(r, 0).data(TASK_ID_ROLE) == "k-gui-overdue-1"
    )
    screen.table.selectRow(row)
    screen.done_button.click()
    issues = SyncIssuesScreen(bench)
    qtbot.addWidget(issues)
    issues.show()
    waiting = list(model_texts("waiting", issues.pending_table.model()))
    assert any(isinstance(t, str) and "138****5678" in t for _w, t in waiting), waiting
    leaks += _leaks(waiting)
    assert not leaks, leaks
