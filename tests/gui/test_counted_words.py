"""Counts of one read as one thing in English: "1 open task", never "1 open tasks" or "task(s)".

Each case brings the real cache (a private copy) to exactly one of something and reads what the
screen says about it.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QApplication, QLabel
from sqlalchemy import text

from rm_desk.views import i18n
from rm_desk.views.customer360.view import Customer360View
from rm_desk.views.customers import CustomersScreen
from rm_desk.views.task_list import TaskListScreen
from rm_desk.views.workbench import Workbench
from tests.gui.test_today import seed_work

OPEN = "('not_started', 'in_progress')"  # open task states, for the SQL below


def _one(bench: Workbench, sql: str, **params: Any) -> Any:
    with bench.store.read() as conn:
        row = conn.execute(text(sql), params).first()
    assert row is not None, sql
    return row[0]


def _write(bench: Workbench, sql: str, **params: Any) -> None:
    with bench.store.write() as conn:
        conn.execute(text(sql), params)


def _english() -> None:
    i18n.install_language(QApplication.instance(), "en")  # type: ignore[arg-type]


def _view(qtbot: Any, bench: Workbench) -> Customer360View:
    _english()
    view = Customer360View(bench)
    qtbot.addWidget(view)
    view.resize(1200, 800)
    view.show()
    return view


def test_one_open_task_on_the_tasks_screen(qtbot: Any, bench: Workbench) -> None:
    keep = _one(
        bench,
        "SELECT id FROM task WHERE assignee_id = :me AND status IN " + OPEN + " ORDER BY id",
        me=bench.user.id,
    )
    _write(
        bench,
        "UPDATE task SET status = 'completed' WHERE status IN " + OPEN + " AND id != :keep",
        keep=keep,
    )
    _english()
    screen = TaskListScreen(bench)
    qtbot.addWidget(screen)
    screen.show()
    texts = [label.text() for label in screen.findChildren(QLabel)]
    assert "1 open task" in texts, texts


def test_one_overdue_task_in_the_next_best_actions(qtbot: Any, bench: Workbench) -> None:
    customer = seed_work(bench)["k-gui-overdue-1"]  # the customer's one overdue task
    view = _view(qtbot, bench)
    assert view.show_customer(customer)
    actions = [b.text() for b in view.overview.action_buttons()]
    overdue = [a for a in actions if "overdue task" in a]
    assert len(overdue) == 1 and "1 overdue task: " in overdue[0], actions
    assert not any("(s)" in a for a in actions), actions


def test_one_cached_transaction_and_one_interaction(qtbot: Any, bench: Workbench) -> None:
    customer = _one(
        bench,
        "SELECT customer_id FROM visit_customer GROUP BY customer_id "
        "ORDER BY count(*), customer_id",
    )
    visits = _one(bench, "SELECT count(*) FROM visit_customer WHERE customer_id = :c", c=customer)
    if visits != 1:  # keep the customer's first visit only
        _write(
            bench,
            "DELETE FROM visit_customer WHERE customer_id = :c AND visit_id != "
            "(SELECT min(visit_id) FROM visit_customer WHERE customer_id = :c)",
            c=customer,
        )
    _write(
        bench,
        'DELETE FROM "transaction" WHERE customer_id = :c AND id != '
        '(SELECT min(id) FROM "transaction" WHERE customer_id = :c)',
        c=customer,
    )
    assert _one(bench, 'SELECT count(*) FROM "transaction" WHERE customer_id = :c', c=customer)
    view = _view(qtbot, bench)
    assert view.show_customer(customer, "interactions")
    data = view.data()
    assert data is not None and len(data.view.visits) == 1
    assert view.interactions.count.text() == "1 of 1 interaction"
    assert data.view.transaction_count == 1
    assert view.transactions.summary.text().startswith(
        "Showing 1 of 1 cached transaction (last 90 days)"
    )


def test_exporting_one_customer_says_one_customer(
    qtbot: Any, bench: Workbench, tmp_path: Path
) -> None:
    tier, risk = (
        _one(
            bench,
            "SELECT tier || '|' || risk_level FROM customer WHERE risk_level IS NOT NULL "
            "GROUP BY tier, risk_level ORDER BY count(*), tier, risk_level",
        )
    ).split("|")
    _english()
    screen = CustomersScreen(bench)
    qtbot.addWidget(screen)
    screen.show()
    screen.filter_bar.tier.choose(tier)
    screen.filter_bar.risk.choose(risk)
    matching = _one(
        bench, "SELECT count(*) FROM customer WHERE tier = :t AND risk_level = :r", t=tier, r=risk
    )
    assert matching == 1, "the fixture book has a tier and risk level only one customer shares"
    screen.choose_export_path = lambda _parent, _name: tmp_path / "one.csv"
    screen.export_button.click()
    assert screen.notice.text() == "Exported 1 customer to one.csv."


def test_no_string_for_people_counts_with_a_bracketed_plural() -> None:
    catalog = Path(__file__).resolve().parents[2] / "resources/translations/rm_desk_zh_CN.ts"
    sources = re.findall(r"<source>(.*?)</source>", catalog.read_text(encoding="utf-8"), re.S)
    assert len(sources) > 500
    assert not [s for s in sources if re.search(r"\w\((s|es)\)", s)]


def test_a_customer_without_tasks_or_opportunities_is_told_in_words(
    qtbot: Any, bench: Workbench
) -> None:
    customer = _one(
        bench,
        "SELECT id FROM customer c WHERE NOT EXISTS (SELECT 1 FROM task t"
        " WHERE t.customer_id = c.id) AND NOT EXISTS (SELECT 1 FROM opportunity o"
        " WHERE o.customer_id = c.id) ORDER BY id",
    )
    view = _view(qtbot, bench)
    assert view.show_customer(customer, "tasks")
    assert view.tasks.summary.text() == "No tasks for this customer."
    assert view.opportunities.summary.text() == "No opportunities for this customer."
