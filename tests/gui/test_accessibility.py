"""Every control a screen-reader user can reach says what it is."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QComboBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QWidget,
)
from sqlalchemy import select

from rm_desk.local_store import schema
from rm_desk.views.main_window import MainWindow
from rm_desk.views.workbench import Workbench


def _has_label(widget: QWidget, labelled: set[int]) -> bool:
    return bool(widget.accessibleName().strip()) or id(widget) in labelled


def _unnamed_controls(root: QWidget) -> list[str]:
    labelled = {
        id(label.buddy()) for label in root.findChildren(QLabel) if label.buddy() is not None
    }
    missing: list[str] = []
    for widget in root.findChildren(QWidget):
        hidden = not widget.isVisibleTo(root) or widget.objectName().startswith("qt_")
        if hidden or isinstance(widget, QHeaderView):  # a header is part of its table
            continue
        if isinstance(widget, QAbstractButton):
            named = bool(widget.text().strip()) or _has_label(widget, labelled)
            named = named or bool(widget.toolTip().strip())
        elif isinstance(widget, QLineEdit):
            named = _has_label(widget, labelled) or bool(widget.placeholderText().strip())
        elif isinstance(widget, QComboBox | QAbstractItemView):
            named = _has_label(widget, labelled)
        else:
            continue
        if not named:
            missing.append(f"{type(widget).__name__} in {type(widget.parentWidget()).__name__}")
    return missing


def test_every_button_field_and_list_of_every_screen_has_a_name(
    qtbot: Any, bench: Workbench
) -> None:
    window = MainWindow(bench)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    missing: list[str] = []
    for screen in window.screen_ids():
        window.show_screen(screen)
        missing += _unnamed_controls(window.screen(screen))
    c = schema.customer
    with bench.store.read() as conn:
        customer_id = conn.execute(select(c.c.id).order_by(c.c.aum.desc()).limit(1)).scalar_one()
    assert window.open_customer(customer_id)
    view: Any = window.customer_view
    for tab in view.tab_ids():
        view.select_tab(tab)
        missing += _unnamed_controls(view)
    missing += _unnamed_controls(window.centralWidget())
    assert not missing, "\n".join(sorted(set(missing)))
