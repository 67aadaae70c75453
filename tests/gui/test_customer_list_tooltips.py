"""A company name or tag list cut off in its column of the customer list shows whole on hover."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from rm_desk.views import i18n
from rm_desk.views.customer_table import Column
from rm_desk.views.customers import CustomersScreen


def test_names_and_tags_show_whole_in_their_tooltips(qtbot: Any, make_bench: Any) -> None:
    i18n.install_language(QApplication.instance(), "en")  # type: ignore[arg-type]
    screen = CustomersScreen(make_bench("lead01"))
    qtbot.addWidget(screen)
    screen.resize(1260, 800)
    screen.show()
    model = screen.model
    name, tags = model.column_of(Column.NAME), model.column_of(Column.TAGS)
    metrics = screen.table.fontMetrics()
    cut = 0
    for row in range(model.rowCount()):
        for column in (name, tags):
            index = model.index(row, column)
            shown = index.data(Qt.ItemDataRole.DisplayRole)
            if not shown:
                assert index.data(Qt.ItemDataRole.ToolTipRole) is None
                continue
            assert index.data(Qt.ItemDataRole.ToolTipRole) == shown
            cut += metrics.horizontalAdvance(shown) > screen.table.columnWidth(column)
    assert cut, "some names or tag lists of the book are wider than their column"
