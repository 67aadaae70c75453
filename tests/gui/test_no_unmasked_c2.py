"""A sweep of the whole window finds no unmasked mobile, ID or card number anywhere a person or
another program could read one: widget texts, tooltips, accessible names, window titles, every
cell of every item view (display and tooltip), and the clipboard after copying from each table.

The sweep visits every screen of the navigation, search results for each kind of query, and every
tab of the 360 view of several customers (the one with the most accounts, the most transactions,
a household member). The scanner itself is tested first, on planted leaks, so a sweep that finds
nothing means something.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from PySide6.QtCore import QAbstractItemModel, QCoreApplication, QModelIndex, Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QComboBox,
    QGraphicsSimpleTextItem,
    QGraphicsTextItem,
    QGraphicsView,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTabBar,
    QTableView,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import func, select

from rm_desk.domain.masking import UNMASKED_PATTERNS, contains_unmasked
from rm_desk.local_store import schema
from rm_desk.views import i18n
from rm_desk.views.screenshots import richest_customer, settle
from rm_desk.views.workbench import Workbench

# The issue's own regexes, beside the masking module's (which also catch +86 and grouped digits).
PATTERNS: dict[str, re.Pattern[str]] = {
    "mobile": re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)"),
    "id_number": re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])"),
    "card": re.compile(r"(?<!\d)\d{16,19}(?!\d)"),
    **{f"masking.{kind}": pattern for kind, pattern in UNMASKED_PATTERNS.items()},
}
ROLES = (
    Qt.ItemDataRole.DisplayRole,
    Qt.ItemDataRole.ToolTipRole,
    Qt.ItemDataRole.StatusTipRole,
    Qt.ItemDataRole.AccessibleTextRole,
    Qt.ItemDataRole.AccessibleDescriptionRole,
)
MAX_ROWS = 300  # per model: the first screens' worth, and every row of the 360's tables


@dataclass(frozen=True)
class Leak:
    where: str
    kind: str
    text: str


def leaks_in(where: str, text: object) -> list[Leak]:
    if not isinstance(text, str) or not text:
        return []
    found = [Leak(where, kind, text) for kind, p in PATTERNS.items() if p.search(text)]
    if not found and contains_unmasked(text):
        found.append(Leak(where, "contains_unmasked", text))
    return found


def _name(widget: QWidget) -> str:
    return f"{type(widget).__name__}({widget.objectName() or widget.accessibleName()!s})"


def widget_texts(widget: QWidget) -> Iterator[tuple[str, object]]:
    """Every text a widget shows or tells assistive technology."""
    name = _name(widget)
    yield f"{name}.windowTitle", widget.windowTitle()
    yield f"{name}.toolTip", widget.toolTip()
    yield f"{name}.statusTip", widget.statusTip()
    yield f"{name}.whatsThis", widget.whatsThis()
    yield f"{name}.accessibleName", widget.accessibleName()
    yield f"{name}.accessibleDescription", widget.accessibleDescription()
    if isinstance(widget, QLabel | QAbstractButton):
        yield f"{name}.text", widget.text()
    if isinstance(widget, QLineEdit):
        yield f"{name}.text", widget.text()
        yield f"{name}.placeholder", widget.placeholderText()
    if isinstance(widget, QTextEdit | QPlainTextEdit):
        yield f"{name}.plainText", widget.toPlainText()
    if isinstance(widget, QGroupBox):
        yield f"{name}.title", widget.title()
    if isinstance(widget, QComboBox):
        for i in range(widget.count()):
            yield f"{name}.item[{i}]", widget.itemText(i)
    if isinstance(widget, QTabBar):
        for i in range(widget.count()):
            yield f"{name}.tab[{i}]", widget.tabText(i)
            yield f"{name}.tabToolTip[{i}]", widget.tabToolTip(i)
    for action in widget.actions():
        yield f"{name}.action", action.text()
        yield f"{name}.action.toolTip", action.toolTip()
    if isinstance(widget, QGraphicsView) and widget.scene() is not None:
        for item in widget.scene().items():
            if isinstance(item, QGraphicsTextItem):
                yield f"{name}.scene", item.toPlainText()
            elif isinstance(item, QGraphicsSimpleTextItem):
                yield f"{name}.scene", item.text()


def _columns(model: QAbstractItemModel, parent: QModelIndex) -> int:
    try:
        return int(model.columnCount(parent))
    except TypeError:  # a list model (QListWidget's) hides columnCount: one column
        return 1


def model_texts(where: str, model: QAbstractItemModel) -> Iterator[tuple[str, object]]:
    """Header and cell data of a model (first :data:`MAX_ROWS` rows, children of tree rows too)."""
    columns = max(1, _columns(model, QModelIndex()))
    rows = min(model.rowCount(QModelIndex()), 50)
    for orientation in (Qt.Orientation.Horizontal, Qt.Orientation.Vertical):
        count = columns if orientation is Qt.Orientation.Horizontal else rows
        for section in range(count):
            for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
                yield f"{where}.header", model.headerData(section, orientation, role)

    def walk(parent: QModelIndex, depth: int) -> Iterator[tuple[str, object]]:
        for row in range(min(model.rowCount(parent), MAX_ROWS)):
            for column in range(_columns(model, parent) or 1):
                index = model.index(row, column, parent)
                for role in ROLES:
                    yield f"{where}[{row},{column}]", model.data(index, role)
                if depth < 3 and column == 0 and model.rowCount(index) > 0:
                    yield from walk(index, depth + 1)

    yield from walk(QModelIndex(), 0)


def copied_from(view: QAbstractItemView) -> str:
    """What a person gets on the clipboard selecting everything in a view and pressing Ctrl+C."""
    clipboard = QApplication.clipboard()
    clipboard.setText("")
    view.setFocus()
    view.selectAll()
    QTest.keyClick(view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    QCoreApplication.processEvents()
    return clipboard.text()


def sweep(roots: Iterable[QWidget], *, copy: bool = True) -> list[Leak]:
    """Every leak under ``roots`` and in every visible top-level window (popups, dialogs)."""
    found: list[Leak] = []
    widgets: list[QWidget] = []
    for root in [*roots, *(w for w in QApplication.topLevelWidgets() if w.isVisible())]:
        for widget in [root, *root.findChildren(QWidget)]:
            if widget not in widgets:
                widgets.append(widget)
    for widget in widgets:
        for where, text in widget_texts(widget):
            found += leaks_in(where, text)
        if isinstance(widget, QAbstractItemView) and widget.model() is not None:
            model = widget.model()
            for where, text in model_texts(_name(widget), model):
                found += leaks_in(where, text)
            if copy and widget.isVisible() and model.rowCount(QModelIndex()) > 0:
                found += leaks_in(f"{_name(widget)}.clipboard", copied_from(widget))
    return found


def report(found: list[Leak]) -> str:
    # The leaked values are test fixtures (synthetic), so printing them helps find the widget.
    return "\n".join(f"{leak.kind} in {leak.where}: {leak.text[:120]!r}" for leak in found[:30])


# ---- the scanner finds what it is for ---------------------------------------------------------


@pytest.fixture
def planted(qtbot: Any) -> Callable[[Callable[[QWidget], None]], list[Leak]]:
    def plant(put: Callable[[QWidget], None]) -> list[Leak]:
        window = QWidget()
        QVBoxLayout(window)
        qtbot.addWidget(window)
        put(window)
        window.show()
        return sweep([window])

    return plant


def test_sweep_finds_an_unmasked_mobile_in_a_tooltip(planted: Callable[..., list[Leak]]) -> None:
    def put(window: QWidget) -> None:
        label = QLabel("张** 138****5678", window)
        label.setToolTip("手机 13812345678")
        window.layout().addWidget(label)

    found = planted(put)
    assert {leak.kind for leak in found} >= {"mobile"}
    assert all(leak.where.endswith("toolTip") for leak in found)


def test_sweep_finds_an_id_number_in_a_window_title(planted: Callable[..., list[Leak]]) -> None:
    found = planted(lambda window: window.setWindowTitle("110101199003071234 — RM Desk"))
    assert any(leak.kind == "id_number" and "windowTitle" in leak.where for leak in found)


def test_sweep_finds_a_card_number_in_a_cell_and_on_the_clipboard(
    planted: Callable[..., list[Leak]],
) -> None:
    def put(window: QWidget) -> None:
        model = QStandardItemModel(0, 2, window)
        model.appendRow([QStandardItem("活期"), QStandardItem("**** **** **** 1234")])
        hidden = QStandardItem("储蓄卡")
        hidden.setToolTip("6222021234567890123")
        model.appendRow([hidden, QStandardItem("**** **** **** 0123")])
        view = QTableView(window)
        view.setModel(model)
        window.layout().addWidget(view)

    found = planted(put)
    assert any(leak.kind == "card" and "[1,0]" in leak.where for leak in found)
    # Ctrl+C copies display text only: the masked cells, so the clipboard itself is clean.
    assert not any(leak.where.endswith("clipboard") for leak in found)


def test_sweep_reads_the_clipboard_after_copying_from_a_table(
    planted: Callable[..., list[Leak]],
) -> None:
    def put(window: QWidget) -> None:
        model = QStandardItemModel(0, 1, window)
        model.appendRow([QStandardItem("13912345678")])
        view = QTableView(window)
        view.setModel(model)
        window.layout().addWidget(view)

    found = planted(put)
    assert any(leak.where.endswith("clipboard") and leak.kind == "mobile" for leak in found)


def test_masked_values_and_ordinary_numbers_are_not_leaks() -> None:
    for text in (
        "138****5678",
        "110***********123X",
        "**** **** **** 1234",
        "¥1,280,000.00",
        "2026年11月20日 09:00",
        "c-0000123",
        "¥128.50万",
    ):
        assert leaks_in("x", text) == [], text


# ---- the sweep over the real window -----------------------------------------------------------


def _interesting_customers(bench: Workbench) -> list[str]:
    """The customers whose 360 shows the most C2 data: most accounts, most transactions, a
    household member, most relationships."""
    s = schema
    chosen: list[str] = []
    richest = richest_customer(bench.store)
    if richest:
        chosen.append(richest)
    with bench.store.read() as conn:
        for column in (s.transaction.c.customer_id, s.customer_tag.c.customer_id):
            row = conn.execute(
                select(column).group_by(column).order_by(func.count().desc(), column).limit(1)
            ).first()
            if row is not None:
                chosen.append(str(row[0]))
        member = conn.execute(
            select(s.customer.c.id)
            .where(s.customer.c.household_id.is_not(None))
            .order_by(s.customer.c.id)
            .limit(1)
        ).first()
        if member is not None:
            chosen.append(str(member[0]))
        related = conn.execute(
            select(s.relationship.c.from_customer_id).order_by(s.relationship.c.id).limit(1)
        ).first()
        if related is not None:
            chosen.append(str(related[0]))
    return list(dict.fromkeys(chosen))


def _search_queries(bench: Workbench, customer_id: str) -> list[str]:
    """One query of each kind a person types: name, pinyin initials, last 4 of mobile / ID /
    account, a tag."""
    s = schema
    with bench.store.read() as conn:
        customer = conn.execute(select(s.customer).where(s.customer.c.id == customer_id)).one()
        number = conn.execute(
            select(s.account.c.number_masked).where(s.account.c.customer_id == customer_id)
        ).scalar()
        tag = conn.execute(select(s.customer_tag.c.name).limit(1)).scalar()
    queries = [customer.name[:2], str(customer.name_pinyin or "")[:2]]
    queries += [str(v)[-4:] for v in (customer.mobile_masked, customer.id_no_masked, number) if v]
    if tag:
        queries.append(str(tag))
    return [q for q in queries if q.strip()]


@pytest.mark.parametrize("user", ["rm001", "lead01"])
def test_full_pass_over_every_screen_search_and_360_tab_finds_no_unmasked_number(
    qapp: QApplication, qtbot: Any, make_bench: Callable[..., Workbench], user: str
) -> None:
    from rm_desk.views.main_window import MainWindow

    i18n.install_language(qapp, "en")
    bench = make_bench(user)
    window = MainWindow(bench)
    qtbot.addWidget(window)
    window.resize(1440, 900)
    window.show()
    found: list[Leak] = []
    visited: list[str] = []

    for screen in window.screen_ids():
        window.show_screen(screen)
        settle(window, 100)
        found += sweep([window])
        visited.append(str(screen.value))

    customers = _interesting_customers(bench)
    assert customers
    for query in _search_queries(bench, customers[0]):
        window.search_box.run_query(query)
        settle(window, 100)
        popup = window.search_box.popup()
        found += sweep([window, *([popup] if popup is not None else [])])
        visited.append(f"search {query!r}")
        if popup is not None:
            popup.hide()

    for customer_id in customers:
        assert window.open_customer(customer_id)
        view = window.customer_view
        for tab in view.tab_ids():
            view.select_tab(tab)
            settle(window, 100)
            found += sweep([window])
            visited.append(f"360 {customer_id} {tab}")

    assert len(visited) >= len(window.screen_ids()) + 7
    assert not found, report(found)
