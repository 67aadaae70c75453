"""The filter buttons of the customer list leave room for their drop-down arrow: the arrow never
sits on the last letters ("Any tier", "全部风险等级").

Each button is painted three ways at the size the screen gives it: as shown, without its text and
without its menu. What changes without the text is the text; without the menu, the arrow. The two
must not touch.
"""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QRect
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from rm_desk.views import i18n
from rm_desk.views.customer_filters import ChoiceButton, CustomerFilterBar


def _picture(button: ChoiceButton) -> QImage:
    QApplication.processEvents()
    return button.grab().toImage().convertToFormat(QImage.Format.Format_ARGB32)


def _changed(a: QImage, b: QImage) -> list[tuple[int, int]]:
    return [
        (x, y)
        for y in range(a.height())
        for x in range(a.width())
        if a.pixel(x, y) != b.pixel(x, y)
    ]


def _box(points: list[tuple[int, int]]) -> QRect:
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return QRect(min(xs), min(ys), max(xs) - min(xs) + 1, max(ys) - min(ys) + 1)


def text_touching_arrow(button: ChoiceButton) -> list[tuple[int, int]]:
    """The pixels of the button's text inside (or 1 px around) its arrow's box."""
    button.setFixedSize(button.sizeHint())  # as laid out, whatever the text is meanwhile
    shown = _picture(button)
    text, menu = button.text(), button.menu()
    button.setText("")
    without_text = _picture(button)
    button.setText(text)
    button.setMenu(None)  # type: ignore[arg-type]
    without_menu = _picture(button)
    button.setMenu(menu)
    arrow = _changed(shown, without_menu)
    assert arrow, "the button draws a drop-down arrow"
    around = _box(arrow).adjusted(-1, -1, 1, 1)
    return [p for p in _changed(shown, without_text) if around.contains(*p)]


@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_filter_buttons_text_keeps_clear_of_the_arrow(
    qtbot: Any, make_bench: Any, language: str
) -> None:
    i18n.install_language(QApplication.instance(), language)  # type: ignore[arg-type]
    try:
        bar = CustomerFilterBar(make_bench("lead01"))
        qtbot.addWidget(bar)
        bar.show()
        touching = {
            button.text(): len(text_touching_arrow(button))
            for button in (bar.tier, bar.risk, bar.tag, bar.rm)
        }
        assert not any(touching.values()), touching
    finally:
        i18n.install_language(QApplication.instance(), "en")  # type: ignore[arg-type]
