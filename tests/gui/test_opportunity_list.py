"""The Opportunities screen over a real synced cache: the pipeline and its totals per stage."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QLabel, QWidget
from sqlalchemy import text

from rm_desk.domain.enums import OpportunityStage
from rm_desk.domain.masking import contains_unmasked
from rm_desk.views import formatting
from rm_desk.views.opportunity_list import (
    ROLE_CUSTOMER_ID,
    OpportunityListScreen,
    OpportunityTableModel,
    StageTotalsModel,
)
from rm_desk.views.workbench import Workbench
from tests.gui.conftest import StoreWrites


def _shown(qtbot: Any, bench: Workbench) -> OpportunityListScreen:
    screen = OpportunityListScreen(bench)
    qtbot.addWidget(screen)
    screen.resize(1200, 800)
    screen.show()
    qtbot.waitExposed(screen)
    return screen


def _sql_totals(bench: Workbench, owners: list[str]) -> dict[str, tuple[int, Decimal]]:
    """Count and amount per open stage, summed by SQLite itself."""
    marks = ", ".join(f":o{i}" for i in range(len(owners)))
    stmt = text(
        "SELECT stage, count(*) AS n, sum(CAST(amount AS REAL)) AS total FROM opportunity "
        f"WHERE owner_id IN ({marks}) AND stage NOT IN ('won', 'lost') GROUP BY stage"
    )
    with bench.store.read() as conn:
        rows = conn.execute(stmt, {f"o{i}": o for i, o in enumerate(owners)}).all()
    return {r.stage: (r.n, Decimal(str(round(r.total or 0, 2)))) for r in rows}


def _cells(model: Any) -> list[str]:
    return [
        str(model.index(r, c).data())
        for r in range(model.rowCount())
        for c in range(model.columnCount())
    ]


def test_opportunity_models_pass_the_model_tester(
    qtbot: Any, qtmodeltester: Any, bench: Workbench
) -> None:
    screen = _shown(qtbot, bench)
    assert screen.model.rowCount() > 0 and screen.totals_model.rowCount() > 0
    qtmodeltester.check(screen.model)
    qtmodeltester.check(screen.proxy)
    qtmodeltester.check(screen.totals_model)
    qtmodeltester.check(OpportunityTableModel(show_owner=True))
    qtmodeltester.check(StageTotalsModel())


@pytest.mark.parametrize("user", ["rm001", "lead01"])
def test_totals_per_stage_equal_the_caches_sums(
    qtbot: Any, make_bench: Callable[..., Workbench], user: str
) -> None:
    bench = make_bench(user)
    screen = _shown(qtbot, bench)
    owners = sorted(
        {screen.model.opportunity_at(r).owner_id for r in range(screen.model.rowCount())}
    )
    expected = _sql_totals(bench, owners if user == "lead01" else [user])

    shown = {t.stage.value: (t.count, t.amount) for t in screen.totals_model.totals()}
    assert shown == expected
    assert screen.model.rowCount() == sum(n for n, _ in expected.values())
    # and the screen says so, in money as the user reads it
    first = screen.totals_model.totals()[0]
    assert screen.totals_model.index(0, StageTotalsModel.AMOUNT).data() == formatting.money(
        first.amount
    )
    last_row = screen.totals_model.rowCount() - 1
    grand = sum((amount for _, amount in expected.values()), Decimal(0))
    assert screen.totals_model.index(last_row, 0).data() == "Total"
    assert screen.totals_model.index(last_row, StageTotalsModel.AMOUNT).data() == formatting.money(
        grand
    )


def test_team_lead_sees_every_team_members_pipeline_with_owner(
    qtbot: Any, make_bench: Callable[..., Workbench]
) -> None:
    screen = _shown(qtbot, make_bench("lead01"))
    owners = {
        screen.proxy.index(r, OpportunityTableModel.OWNER).data()
        for r in range(screen.proxy.rowCount())
    }

    assert screen.model.columnCount() == 7
    assert {"潘丽丽", "李俊浩"} <= owners


def test_stage_shows_its_probability_and_sorts_in_funnel_order(
    qtbot: Any, make_bench: Callable[..., Workbench]
) -> None:
    screen = _shown(qtbot, make_bench("lead01"))
    stages = [
        screen.proxy.index(r, OpportunityTableModel.STAGE).data()
        for r in range(screen.proxy.rowCount())
    ]

    assert stages[0] == "Lead · 10%"
    assert "Closing · 80%" in stages
    assert stages.index("Closing · 80%") > stages.index("Contacted · 20%")

    screen.table.sortByColumn(OpportunityTableModel.AMOUNT, Qt.SortOrder.DescendingOrder)
    amounts = [
        screen.model.opportunity_at(screen.proxy.mapToSource(screen.proxy.index(r, 0)).row()).amount
        or Decimal(-1)
        for r in range(screen.proxy.rowCount())
    ]
    assert amounts == sorted(amounts, reverse=True)


def test_show_won_and_lost_adds_closed_opportunities(
    qtbot: Any, make_bench: Callable[..., Workbench]
) -> None:
    screen = _shown(qtbot, make_bench("lead01"))
    open_count = screen.model.rowCount()

    with StoreWrites() as writes:
        qtbot.mouseClick(screen.closed_box, Qt.MouseButton.LeftButton)

    assert screen.closed_box.isChecked()
    assert writes.gui_thread_statements() == []  # browsing reads; it never writes
    stages = {screen.model.opportunity_at(r).stage for r in range(screen.model.rowCount())}
    assert screen.model.rowCount() > open_count
    assert OpportunityStage.WON in stages
    assert "Won · 100%" in _cells(screen.totals_model)


def test_double_click_opens_the_customers_opportunities_tab(qtbot: Any, bench: Workbench) -> None:
    screen = _shown(qtbot, bench)
    opened: list[tuple[str, str]] = []
    bench.navigator.customer_requested.connect(lambda cid, tab: opened.append((cid, tab)))
    row = next(
        r for r in range(screen.proxy.rowCount()) if screen.proxy.index(r, 0).data(ROLE_CUSTOMER_ID)
    )
    index = screen.proxy.index(row, OpportunityTableModel.CUSTOMER)
    point: QPoint = screen.table.visualRect(index).center()

    qtbot.mouseClick(screen.table.viewport(), Qt.MouseButton.LeftButton, pos=point)
    qtbot.mouseDClick(screen.table.viewport(), Qt.MouseButton.LeftButton, pos=point)

    assert opened == [(index.data(ROLE_CUSTOMER_ID), "opportunities")]


def test_prospect_row_names_the_prospect_and_opens_nothing(qtbot: Any, bench: Workbench) -> None:
    screen = _shown(qtbot, bench)
    opened: list[tuple[str, str]] = []
    bench.navigator.customer_requested.connect(lambda cid, tab: opened.append((cid, tab)))
    row = next(
        r
        for r in range(screen.proxy.rowCount())
        if screen.proxy.index(r, 0).data(ROLE_CUSTOMER_ID) is None
    )
    index = screen.proxy.index(row, OpportunityTableModel.CUSTOMER)
    screen.table.scrollTo(index)
    point: QPoint = screen.table.visualRect(index).center()

    qtbot.mouseClick(screen.table.viewport(), Qt.MouseButton.LeftButton, pos=point)
    qtbot.mouseDClick(screen.table.viewport(), Qt.MouseButton.LeftButton, pos=point)

    assert screen.table.currentIndex() == index  # the double-click landed on the prospect
    assert str(index.data()).startswith("Prospect: ")
    assert index.data(Qt.ItemDataRole.ToolTipRole) == "A prospect, not yet a customer of the bank"
    assert opened == []


def test_no_unmasked_personal_numbers_on_the_opportunity_screen(
    qtbot: Any, bench: Workbench
) -> None:
    screen = _shown(qtbot, bench)
    screen.closed_box.setChecked(True)
    texts = [w.text() for w in screen.findChildren(QLabel)]
    texts += [w.toolTip() for w in screen.findChildren(QWidget)]
    texts += _cells(screen.model) + _cells(screen.totals_model)
    assert texts and not any(contains_unmasked(t) for t in texts)
