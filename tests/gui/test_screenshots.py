"""``--screenshot-dir``: every screen, search results and 360 tab lands as a real, non-blank PNG."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication, QLabel, QWidget

from rm_desk.views import formatting, i18n
from rm_desk.views.screenshots import capture_all, capture_in_languages, grab_with_popup
from rm_desk.views.workbench import Workbench


def distinct_colours(image: QImage, step: int = 7) -> int:
    """How many colours a grid of sampled pixels shows (1 for a blank picture)."""
    seen: set[int] = set()
    for y in range(0, image.height(), step):
        for x in range(0, image.width(), step):
            seen.add(image.pixel(x, y))
    return len(seen)


def assert_a_real_picture(path: Path) -> None:
    image = QImage(str(path))
    assert not image.isNull(), f"{path.name} is not an image"
    assert image.width() >= 400 and image.height() >= 150, f"{path.name}: {image.size()}"
    assert distinct_colours(image) >= 8, f"{path.name} is blank"


@pytest.fixture
def english(qapp: QApplication) -> Iterator[None]:
    i18n.install_language(qapp, "en")
    yield
    i18n.install_language(qapp, "en")


@pytest.fixture
def window_of(qtbot: Any) -> Callable[[Workbench], Any]:
    def build(bench: Workbench) -> Any:
        from rm_desk.views.main_window import MainWindow

        window = MainWindow(bench)
        qtbot.addWidget(window)
        return window

    return build


def test_a_popup_is_drawn_onto_the_window_picture_where_it_shows(qtbot: Any) -> None:
    window = QWidget()
    window.setStyleSheet("background: white;")
    window.resize(400, 300)
    qtbot.addWidget(window)
    window.show()
    popup = QLabel("results", None, Qt.WindowType.Popup)
    popup.setStyleSheet("background: rgb(200, 0, 0);")
    popup.resize(100, 50)
    qtbot.addWidget(popup)
    popup.move(window.mapToGlobal(QPoint(150, 120)))
    popup.show()
    qtbot.waitExposed(popup)

    picture = grab_with_popup(window, popup).toImage()
    ratio = picture.devicePixelRatio()

    def at(x: int, y: int) -> QColor:
        return picture.pixelColor(int(x * ratio), int(y * ratio))

    assert at(200, 145) == QColor(200, 0, 0)  # inside the popup
    assert at(20, 20) == QColor("white")  # the window around it
    assert at(260, 145) == QColor("white")


def test_capture_writes_a_non_blank_png_of_every_screen_search_and_360_tab(
    bench: Workbench, window_of: Callable[[Workbench], Any], english: None, tmp_path: Path
) -> None:
    window = window_of(bench)
    written = capture_all(window, tmp_path, "en")

    names = [p.name for p in written]
    assert names == sorted(names) and len(set(names)) == len(names)
    stems = {name.split("-", 2)[2].removesuffix(".png") for name in names}
    expected = {str(s.value).replace("_", "-") for s in window.screen_ids()}
    expected |= {"search", "visit-form"} | {
        f"360-{tab}".replace("_", "-") for tab in window.customer_view.tab_ids()
    }
    assert expected <= stems, sorted(expected - stems)
    assert names[0] == "en-01-today.png"
    assert sorted(tmp_path.glob("*.png")) == sorted(written)
    for path in written:
        assert_a_real_picture(path)


def test_search_screenshot_shows_the_results_popup_over_the_window(
    bench: Workbench, window_of: Callable[[Workbench], Any], english: None, tmp_path: Path
) -> None:
    window = window_of(bench)
    written = {p.name.split("-", 2)[2]: p for p in capture_all(window, tmp_path, "en")}
    today = QImage(str(written["today.png"]))
    search = QImage(str(written["search.png"]))
    popup = window.search_box.popup()
    assert popup is not None
    # Where the popup was, the search picture differs from a picture without it.
    offset = popup.mapToGlobal(QPoint(0, 0)) - window.mapToGlobal(QPoint(0, 0))
    ratio = search.devicePixelRatio()
    box = (offset.x(), offset.y(), popup.width(), popup.height())
    x0, y0, w, h = (int(v * ratio) for v in box)
    changed = sum(
        1
        for y in range(y0, min(y0 + h, search.height()), 5)
        for x in range(x0, min(x0 + w, search.width()), 5)
        if search.pixel(x, y) != today.pixel(x, y)
    )
    assert changed > 50


def test_screenshots_in_both_languages_are_named_by_language_and_the_language_is_put_back(
    qapp: QApplication,
    bench: Workbench,
    window_of: Callable[[Workbench], Any],
    english: None,
    tmp_path: Path,
) -> None:
    written = capture_in_languages(qapp, lambda: window_of(bench), tmp_path)

    english_shots = sorted(p.name.removeprefix("en-") for p in written if p.name.startswith("en-"))
    chinese_shots = sorted(p.name.removeprefix("zh-") for p in written if p.name.startswith("zh-"))
    assert english_shots and english_shots == chinese_shots
    assert formatting.current_language() == "en" and i18n.installed_catalogs() == 0
    today_en, today_zh = (QImage(str(tmp_path / f"{lang}-01-today.png")) for lang in ("en", "zh"))
    assert today_en != today_zh  # the words changed with the language


def test_visit_form_screenshot_shows_the_filled_form_and_saves_nothing(
    bench: Workbench, window_of: Callable[[Workbench], Any], english: None, tmp_path: Path
) -> None:
    from sqlalchemy import func, select

    from rm_desk.local_store import schema

    def outbox_size() -> int:
        with bench.store.read() as conn:
            return int(conn.execute(select(func.count()).select_from(schema.outbox)).scalar_one())

    before = outbox_size()
    window = window_of(bench)
    written = {p.name.split("-", 2)[2]: p for p in capture_all(window, tmp_path, "en")}
    shot = QImage(str(written["visit-form.png"]))
    tab = QImage(str(written["360-opportunities.png"]))
    assert_a_real_picture(written["visit-form.png"])
    assert shot.size() != tab.size()  # the dialog alone, not the window behind it
    form = window.customer_view.visit_form
    assert form is None or not form.isVisible()  # closed again, without a prompt
    assert outbox_size() == before  # only shown, never saved
