"""The 360's Interactions, Tasks and Opportunities tabs name the bank's people (who made a visit,
whom a task is assigned to, who owns an opportunity) by name, not by employee id."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from sqlalchemy import text

from rm_desk.views import i18n
from rm_desk.views.customer360.view import Customer360View
from rm_desk.views.workbench import Workbench


def _column(model: Any, title: str) -> list[str]:
    column = next(
        c
        for c in range(model.columnCount())
        if model.headerData(c, Qt.Orientation.Horizontal) == title
    )
    return [model.index(row, column).data() for row in range(model.rowCount())]


def _customer(bench: Workbench, sql: str) -> str:
    with bench.store.read() as conn:
        return str(conn.execute(text(sql)).scalar_one())


def test_visits_tasks_and_opportunities_show_employee_names(qtbot: Any, bench: Workbench) -> None:
    i18n.install_language(QApplication.instance(), "en")  # type: ignore[arg-type]
    with bench.store.read() as conn:
        names = dict(conn.execute(text("SELECT id, name FROM employee")).tuples().all())
    assert bench.user.id in names
    view = Customer360View(bench)
    qtbot.addWidget(view)
    view.show()
    cases = [
        (
            "SELECT customer_id FROM visit_customer ORDER BY customer_id LIMIT 1",
            view.interactions.model,
            "By",
        ),
        (
            "SELECT customer_id FROM task WHERE customer_id IS NOT NULL LIMIT 1",
            view.tasks.model,
            "Assignee",
        ),
        (
            "SELECT customer_id FROM opportunity WHERE customer_id IS NOT NULL LIMIT 1",
            view.opportunities.model,
            "Owner",
        ),
    ]
    for sql, model, title in cases:
        assert view.show_customer(_customer(bench, sql))
        shown = _column(model, title)
        assert shown, title
        assert all(cell in names.values() for cell in shown), (title, shown)
        assert not set(shown) & set(names), (title, shown)  # no employee id left
