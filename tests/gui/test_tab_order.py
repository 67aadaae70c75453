"""Tab walks each screen and each tab of the 360 view in reading order, and leaves every table.

A person working from the keyboard presses Tab to reach the next control: it must come in the
order the screen reads (top to bottom, then left to right within a row), and a table must let go
of the focus (arrows move within it), or everything after the first table is out of reach: the
customer list's export, "Load older" on the transactions, the holdings under the accounts.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractItemView, QApplication, QWidget

from rm_desk.views import i18n
from rm_desk.views.main_window import MainWindow
from rm_desk.views.screenshots import richest_customer, settle
from rm_desk.views.workbench import ScreenId, Workbench

ROW_SLACK = 6  # pixels: controls of one row may sit a little higher or lower than their neighbours

# Today belongs to the window's start-up path and is walked by its own tests.
SCREENS = [s for s in ScreenId if s is not ScreenId.TODAY]


def _window(qtbot: Any, bench: Workbench) -> MainWindow:
    i18n.install_language(QApplication.instance(), "en")  # type: ignore[arg-type]
    window = MainWindow(bench)
    qtbot.addWidget(window)
    window.resize(1440, 900)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    return window


def _inside(widget: QWidget | None, area: QWidget) -> bool:
    return widget is not None and (widget is area or area.isAncestorOf(widget))


def _takes_tab(widget: QWidget) -> bool:
    return (
        widget.isVisible()
        and widget.isEnabled()
        and bool(widget.focusPolicy() & Qt.FocusPolicy.TabFocus)
    )


def _label(widget: QWidget) -> str:
    text = widget.accessibleName() or getattr(widget, "text", lambda: "")() or ""
    return f"{type(widget).__name__}({widget.objectName()}: {text!r})"


def focus_chain(area: QWidget) -> list[QWidget]:
    """The controls of ``area`` in the order Tab visits them, the disabled ones too (they take
    their place in the order once enabled)."""
    chain: list[QWidget] = []
    widget = area.nextInFocusChain()
    while widget is not area and widget not in chain:
        if (
            _inside(widget, area)
            and widget.isVisible()
            and bool(widget.focusPolicy() & Qt.FocusPolicy.TabFocus)
        ):
            chain.append(widget)
        widget = widget.nextInFocusChain()
    return chain


def tab_walk(area: QWidget, limit: int = 60) -> list[QWidget]:
    """The controls of ``area`` that Tab reaches, in order, starting at its first one; ends when
    the focus leaves ``area`` or comes back to a control already reached."""
    first = next((w for w in focus_chain(area) if _takes_tab(w)), None)
    assert first is not None, f"nothing in {area.objectName()} takes the focus"
    first.setFocus(Qt.FocusReason.TabFocusReason)
    QApplication.processEvents()
    reached: list[QWidget] = []
    for _ in range(limit):
        focused = QApplication.focusWidget()
        if not _inside(focused, area) or focused in reached:
            break
        assert focused is not None
        reached.append(focused)
        QTest.keyClick(focused, Qt.Key.Key_Tab)
        QApplication.processEvents()
    return reached


def out_of_reading_order(area: QWidget, reached: list[QWidget]) -> list[str]:
    """Each step of ``reached`` that goes back up a column of the screen, or left within a row."""
    problems: list[str] = []
    for before, after in itertools.pairwise(reached):
        a, b = before.mapTo(area, QPoint(0, 0)), after.mapTo(area, QPoint(0, 0))
        same_row = b.y() < a.y() + before.height() and a.y() < b.y() + after.height()
        same_column = b.x() < a.x() + before.width() and a.x() < b.x() + after.width()
        # Up to the top of the next column on the right is reading on; up in the same column is
        # not, nor is left within a row.
        if (same_row and b.x() < a.x()) or (same_column and b.y() < a.y() - ROW_SLACK):
            problems.append(f"{_label(before)} at {a.toTuple()} → {_label(after)} at {b.toTuple()}")
    return problems


def tables_holding_the_focus(reached: list[QWidget]) -> list[str]:
    """The tables (with rows) out of which Tab does not move the focus."""
    held: list[str] = []
    for view in reached:
        if not isinstance(view, QAbstractItemView) or view.model() is None:
            continue
        if view.model().rowCount() == 0:
            continue
        view.setFocus(Qt.FocusReason.TabFocusReason)
        QTest.keyClick(view, Qt.Key.Key_Tab)
        QApplication.processEvents()
        if QApplication.focusWidget() is view:
            held.append(_label(view))
    return held


@pytest.mark.parametrize("user", ["rm001", "lead01"])
def test_tab_walks_each_screen_in_reading_order_and_out_of_its_tables(
    qtbot: Any, make_bench: Any, user: str
) -> None:
    window = _window(qtbot, make_bench(user))
    problems: list[str] = []
    for screen_id in SCREENS:
        window.show_screen(screen_id)
        settle(window, 100)
        screen = window.screen(screen_id)
        reached = tab_walk(screen)
        assert reached, screen_id
        problems += [f"{screen_id}: {p}" for p in out_of_reading_order(screen, focus_chain(screen))]
        problems += [f"{screen_id}: Tab stays in {t}" for t in tables_holding_the_focus(reached)]
    assert not problems, "\n".join(problems)


def test_tab_walks_every_tab_of_the_360_in_reading_order_and_out_of_its_tables(
    qtbot: Any, bench: Workbench
) -> None:
    window = _window(qtbot, bench)
    customer = richest_customer(bench.store)
    assert customer is not None and window.open_customer(customer)
    view = window.customer_view
    problems: list[str] = []
    for tab in view.tab_ids():  # type: ignore[attr-defined]
        view.select_tab(tab)  # type: ignore[attr-defined]
        settle(window, 100)
        reached = tab_walk(view)
        problems += [f"360 {tab}: {p}" for p in out_of_reading_order(view, focus_chain(view))]
        problems += [f"360 {tab}: Tab stays in {t}" for t in tables_holding_the_focus(reached)]
    assert not problems, "\n".join(problems)


def test_the_customer_list_reaches_the_export_before_the_table_and_leaves_the_table(
    qtbot: Any, bench: Workbench
) -> None:
    window = _window(qtbot, bench)
    window.show_screen(ScreenId.CUSTOMERS)
    settle(window, 100)
    screen: Any = window.screen(ScreenId.CUSTOMERS)
    reached = tab_walk(screen)
    assert screen.export_button in reached and screen.table in reached
    assert reached.index(screen.export_button) < reached.index(screen.table)
    assert reached[-1] is screen.table  # the last control; the next Tab leaves the screen
    screen.table.setFocus(Qt.FocusReason.TabFocusReason)
    QTest.keyClick(screen.table, Qt.Key.Key_Tab)
    assert not _inside(QApplication.focusWidget(), screen)


def test_online_the_transactions_reach_load_older_before_the_table(
    qtbot: Any, make_bench: Any, live_bank: Any
) -> None:
    with live_bank.client("rm001") as client:
        bench = make_bench(online=client)
        window = _window(qtbot, bench)
        customer = richest_customer(bench.store)
        assert customer is not None and window.open_customer(customer, "transactions")
        settle(window, 100)
        tab: Any = window.customer_view.tab("transactions")  # type: ignore[attr-defined]
        assert tab.load_older.isVisible() and tab.load_older.isEnabled()
        reached = tab_walk(window.customer_view)
        assert reached.index(tab.load_older) < reached.index(tab.table)
        assert not out_of_reading_order(window.customer_view, focus_chain(window.customer_view))
