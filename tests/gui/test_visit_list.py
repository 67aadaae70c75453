"""The Visits screen over a real synced cache: what the RM and the team lead see."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QLabel, QWidget
from sqlalchemy import func, select

from rm_desk.domain.masking import contains_unmasked
from rm_desk.local_store import schema
from rm_desk.local_store.lists import Period, period_bounds
from rm_desk.views.charts import ChartsScreen
from rm_desk.views.opportunity_list import OpportunityListScreen
from rm_desk.views.screen import Screen
from rm_desk.views.visit_list import ROLE_CUSTOMER_ID, VisitListScreen, VisitTableModel
from rm_desk.views.workbench import Workbench
from tests.gui.conftest import NOW, StoreWrites


def _shown(qtbot: Any, bench: Workbench) -> VisitListScreen:
    screen = VisitListScreen(bench)
    qtbot.addWidget(screen)
    screen.resize(1200, 800)
    screen.show()
    qtbot.waitExposed(screen)
    return screen


def _count(bench: Workbench, rm_ids: list[str], start: str | None, end: str | None) -> int:
    v = schema.visit
    stmt = select(func.count()).select_from(v).where(v.c.rm_id.in_(rm_ids))
    if start is not None:
        stmt = stmt.where(v.c.start_at >= start, v.c.start_at < end)
    with bench.store.read() as conn:
        return int(conn.execute(stmt).scalar_one())


def _column(screen: VisitListScreen, column: int) -> list[str]:
    proxy = screen.proxy
    return [proxy.index(row, column).data() for row in range(proxy.rowCount())]


def test_visit_model_passes_the_model_tester(
    qtbot: Any, qtmodeltester: Any, bench: Workbench
) -> None:
    screen = _shown(qtbot, bench)
    screen.set_period(Period.ALL)
    assert screen.model.rowCount() > 0
    qtmodeltester.check(screen.model)
    qtmodeltester.check(screen.proxy)


def test_a_week_without_visits_says_so_instead_of_an_empty_table(
    qtbot: Any, qtmodeltester: Any, make_bench: Callable[..., Workbench]
) -> None:
    bench = make_bench(clock=lambda: NOW + timedelta(days=400))  # a week long after the bank's
    screen = _shown(qtbot, bench)
    screen.set_period(Period.WEEK)

    assert screen.model.rowCount() == 0
    qtmodeltester.check(screen.model)
    assert screen.empty_label.isVisible() and not screen.table.isVisible()
    assert screen.empty_label.text() == "No visits in this period."
    assert screen.count_label.text() == "Visits shown: 0"

    screen.set_period(Period.ALL)  # every visit is back, in a table
    assert screen.model.rowCount() > 0
    assert screen.table.isVisible() and not screen.empty_label.isVisible()


def test_all_period_lists_every_visit_of_the_rm_newest_first(qtbot: Any, bench: Workbench) -> None:
    screen = _shown(qtbot, bench)
    screen.set_period(Period.ALL)

    assert screen.proxy.rowCount() == _count(bench, ["rm001"], None, None)
    starts = [screen.proxy.index(r, 0).data(screen.proxy.sortRole()) for r in range(5)]
    assert starts == sorted(starts, reverse=True)
    assert screen.count_label.text() == f"Visits shown: {screen.proxy.rowCount()}"


def test_period_buttons_narrow_the_list_to_this_week_and_this_month(
    qtbot: Any, bench: Workbench
) -> None:
    screen = _shown(qtbot, bench)
    counts = {}
    for period in (Period.WEEK, Period.MONTH, Period.ALL):
        button = next(
            b for b in screen.period_buttons.buttons() if b.property("period") == period.value
        )
        with StoreWrites() as writes:
            qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        assert writes.gui_thread_statements() == []  # browsing reads; it never writes
        start, end = period_bounds(period, bench.today(), bench.zone)
        counts[period] = screen.proxy.rowCount()
        assert counts[period] == _count(bench, ["rm001"], start, end), period
        assert button.isChecked()

    assert 0 < counts[Period.WEEK] < counts[Period.MONTH] < counts[Period.ALL]


def test_codes_read_as_words_and_notes_are_not_shown(qtbot: Any, bench: Workbench) -> None:
    screen = _shown(qtbot, bench)
    screen.set_period(Period.ALL)
    with bench.store.read() as conn:
        notes = [n for (n,) in conn.execute(select(schema.visit.c.notes)).all() if n]
    cells = {
        screen.proxy.index(r, c).data()
        for r in range(screen.proxy.rowCount())
        for c in range(screen.proxy.columnCount())
    }

    assert "Phone call" in set(_column(screen, VisitTableModel.CHANNEL))
    assert not {"phone", "care", "positive", "portfolio_review"} & cells
    assert notes and not set(notes) & cells


def test_double_click_opens_the_customers_interactions_tab(qtbot: Any, bench: Workbench) -> None:
    screen = _shown(qtbot, bench)
    screen.set_period(Period.ALL)
    opened: list[tuple[str, str]] = []
    bench.navigator.customer_requested.connect(lambda cid, tab: opened.append((cid, tab)))
    index = screen.proxy.index(1, VisitTableModel.CUSTOMER)
    point: QPoint = screen.table.visualRect(index).center()

    qtbot.mouseClick(screen.table.viewport(), Qt.MouseButton.LeftButton, pos=point)
    qtbot.mouseDClick(screen.table.viewport(), Qt.MouseButton.LeftButton, pos=point)

    assert opened == [(index.data(ROLE_CUSTOMER_ID), "interactions")]


def test_team_lead_sees_the_teams_visits_with_the_rm(
    qtbot: Any, make_bench: Callable[..., Workbench]
) -> None:
    bench = make_bench("lead01")
    screen = _shown(qtbot, bench)
    screen.set_period(Period.ALL)
    with bench.store.read() as conn:
        team = [
            i
            for (i,) in conn.execute(
                select(schema.employee.c.id).where(schema.employee.c.team_id == "tm-01")
            )
        ]

    assert screen.proxy.rowCount() == _count(bench, team, None, None) > 0
    assert screen.model.columnCount() == 6
    assert "潘丽丽" in set(_column(screen, VisitTableModel.RM))


def test_no_unmasked_personal_numbers_on_the_visit_screen(qtbot: Any, bench: Workbench) -> None:
    screen = _shown(qtbot, bench)
    screen.set_period(Period.ALL)
    texts = [w.text() for w in screen.findChildren(QLabel)]
    texts += [w.toolTip() for w in screen.findChildren(QWidget)]
    texts += [
        str(screen.proxy.index(r, c).data())
        for r in range(screen.proxy.rowCount())
        for c in range(screen.proxy.columnCount())
    ]
    assert texts and not any(contains_unmasked(t) for t in texts)


@pytest.mark.parametrize("make_screen", [VisitListScreen, OpportunityListScreen, ChartsScreen])
def test_the_list_and_chart_screens_head_their_page_alike(
    qtbot: Any, bench: Workbench, make_screen: Callable[[Workbench], Screen]
) -> None:
    screen = make_screen(bench)
    qtbot.addWidget(screen)
    screen.show()
    (heading,) = screen.findChildren(QLabel, "screenHeading")
    body = QApplication.font()
    assert heading.isVisible() and heading.text() == screen.title()
    assert heading.font().bold() and not body.bold()
    assert heading.font().pointSizeF() == pytest.approx(body.pointSizeF() * 1.3)
