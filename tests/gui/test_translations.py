"""The Chinese translation is complete and reaches the screen; the language can be switched."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QLocale
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QLabel

from rm_desk.errors import CacheLocked, RmDeskError
from rm_desk.views import formatting, i18n
from rm_desk.views.error_words import error_words
from rm_desk.views.workbench import Workbench

ROOT = Path(__file__).resolve().parents[2]


def _load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "rm_desk_translations_script", ROOT / "scripts" / "translations.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being built
    spec.loader.exec_module(module)
    return module


script = _load_script()


@pytest.fixture(scope="module")
def catalog() -> list[object]:
    return script.read_catalog(script.ts_path("zh_CN"))  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def scanned() -> set[tuple[str, str]]:
    return script.scanned_sources()  # type: ignore[no-any-return]


@pytest.fixture
def restore_english(qapp: QApplication) -> Iterator[None]:
    yield
    i18n.install_language(qapp, "en")


def test_chinese_catalog_has_no_unfinished_empty_or_obsolete_entries(catalog: list) -> None:
    bad = [
        f"[{e.context}] {e.source!r}: {e.kind or 'empty'}"
        for e in catalog
        if e.kind in ("unfinished", "obsolete", "vanished") or not e.translation.strip()
    ]
    assert not bad, "\n".join(bad)
    assert len(catalog) > 50


def test_every_string_of_the_views_is_in_the_chinese_catalog(
    catalog: list, scanned: set[tuple[str, str]]
) -> None:
    missing = scanned - {e.key for e in catalog}
    assert not missing, "run scripts/translations.py update, then translate:\n" + "\n".join(
        f"[{context}] {source!r}" for context, source in sorted(missing)
    )


def test_every_string_lupdate_finds_has_the_context_the_code_translates_it_in(
    scanned: set[tuple[str, str]],
) -> None:
    # A bare ``tr("…")`` helper lands in the context "" and ``self.tr(text, comment)`` in
    # "QCoreApplication.self"; at run time Qt looks them up under the class name, finds nothing,
    # and the user reads English in the Chinese UI.
    wrong = sorted((c, s) for c, s in scanned if not c or "." in c)
    assert not wrong, "\n".join(f"[{context}] {source!r}" for context, source in wrong)


def test_error_words_list_every_error_title_and_message_of_the_core() -> None:
    words = script.collect_error_words()
    assert "Cache locked" in words  # a class title
    assert any(w.startswith("RM Desk cannot reach the bank's server.") for w in words)
    assert script.current_words() == words, (
        "rm_desk/views/error_words.py is out of date: run scripts/translations.py update"
    )


def test_compiled_catalog_is_built_from_the_current_source() -> None:
    qm, ts = script.qm_path("zh_CN", i18n.translations_dir()), script.ts_path("zh_CN")
    assert qm.exists(), "run `make translations`"
    assert qm.stat().st_mtime >= ts.stat().st_mtime, (
        "the .qm is older than the .ts: `make translations`"
    )


def test_chinese_language_translates_widgets_errors_and_dialog_buttons(
    qapp: QApplication, restore_english: None
) -> None:
    assert i18n.install_language(qapp, "zh") == "zh"

    assert error_words(CacheLocked("x"))[0] == "缓存已锁定"
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
    assert buttons.button(QDialogButtonBox.StandardButton.Cancel).text() == "取消"
    assert formatting.current_language() == "zh"
    assert QLocale().language() == QLocale.Language.Chinese


def test_switching_back_to_english_removes_the_translators_and_tells_open_widgets(
    qapp: QApplication, restore_english: None
) -> None:
    seen: list[str] = []

    class Screen(QLabel):
        def changeEvent(self, event: QEvent) -> None:
            if event.type() == QEvent.Type.LanguageChange:
                self.setText(QCoreApplication.translate("errors", "Cache locked"))
                seen.append(self.text())
            super().changeEvent(event)

    label = Screen()
    i18n.install_language(qapp, "zh")
    QCoreApplication.processEvents()
    assert i18n.switch_language(qapp, "en") == "en"
    QCoreApplication.processEvents()

    assert i18n.installed_catalogs() == 0
    assert label.text() == "Cache locked" and "缓存已锁定" in seen
    assert formatting.current_language() == "en"
    assert formatting.money(Decimal("1280000")) == "¥1,280,000"


@pytest.mark.parametrize(
    ("system", "expected"), [("zh_CN", "zh"), ("zh_TW", "zh"), ("en_US", "en"), ("de_DE", "en")]
)
def test_an_empty_language_setting_follows_the_system_locale(
    monkeypatch: pytest.MonkeyPatch, system: str, expected: str
) -> None:
    monkeypatch.setattr(i18n.QLocale, "system", staticmethod(lambda: QLocale(system)))
    assert i18n.resolve_language("") == expected
    assert i18n.resolve_language("zh") == "zh" and i18n.resolve_language("en") == "en"


def test_chinese_text_is_drawn_with_an_installed_cjk_font(
    qapp: QApplication, restore_english: None
) -> None:
    family = i18n.cjk_family()
    if family is None:
        pytest.skip("no CJK font installed (scripts/setup-system.sh installs fonts-noto-cjk)")
    i18n.install_language(qapp, "zh")
    assert qapp.font().families()[0] == family
    i18n.install_language(qapp, "en")
    assert qapp.font().families()[-1] == family and qapp.font().families()[0] != family


def test_an_unexpected_error_never_shows_its_own_text(qapp: QApplication) -> None:
    title, message = error_words(RuntimeError("13812345678 leaked"))
    assert title == RmDeskError.title
    assert "13812345678" not in message and "leaked" not in message


def test_an_error_without_a_translation_shows_its_english_words(qapp: QApplication) -> None:
    assert error_words(RmDeskError("Made up at run time 7"))[1] == "Made up at run time 7"


def test_main_window_reads_in_chinese_after_install_language(
    qapp: QApplication, qtbot: Any, bench: Workbench, restore_english: None
) -> None:
    from rm_desk.views.main_window import MainWindow

    i18n.install_language(qapp, "zh")
    window = MainWindow(bench)
    qtbot.addWidget(window)

    navigation = [window.navigation.item(row).text() for row in range(window.navigation.count())]
    assert navigation[:3] == ["今日", "客户", "待办"]
    assert window.windowTitle().startswith("今日")
    assert window.search_box.placeholderText().startswith("搜索客户")
