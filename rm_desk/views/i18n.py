"""The window's language: Qt translators, the locale, and a font that has Chinese glyphs.

RM Desk speaks Simplified Chinese and English. The English text is the source (every ``tr()``
literal); the Chinese comes from ``rm_desk_zh_CN.qm``, compiled by ``make translations`` (part of
``make setup``) from ``resources/translations/rm_desk_zh_CN.ts`` into the package's own
``rm_desk/resources/translations/`` folder, so a checkout, an editable install and a PyInstaller
bundle all find it the same way (:func:`translations_dir`). Qt's own ``qtbase_zh_CN.qm`` (from
PySide6) translates the standard dialog buttons (OK, Cancel …).

:func:`install_language` is called once at start (``""`` follows the system locale: any ``zh*``
locale is Chinese, everything else English); :func:`switch_language` swaps the translators for the
user menu. Both tell :mod:`rm_desk.views.formatting` the language and set Qt's default locale, so
money, numbers and dates follow. Widgets already on screen re-read their texts on
``QEvent.LanguageChange``, which Qt sends to every widget when translators change.

A Linux desktop without a Chinese font would draw 客户 as empty boxes; :func:`apply_fonts` puts a
CJK-capable family (Noto Sans CJK SC, WenQuanYi Micro Hei …) in the application font's family
list when one is installed (``scripts/setup-system.sh`` installs ``fonts-noto-cjk``).
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

from rm_desk.views import formatting

CHINESE = "zh"
ENGLISH = "en"
LANGUAGES = (CHINESE, ENGLISH)

APP_CATALOG = "rm_desk_zh_CN.qm"
QT_CATALOG = "qtbase_zh_CN.qm"

# Families with Simplified Chinese glyphs, best first. Windows and macOS have their own
# (Microsoft YaHei, PingFang SC) and Qt already falls back to them; these matter on Linux.
CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Microsoft YaHei",
    "PingFang SC",
)

# The translators installed now; kept referenced, as Qt does not own them.
_installed: list[QTranslator] = []


def resources_dir() -> Path:
    """The package's resources folder, in a checkout, an installed wheel or a PyInstaller bundle.

    A PyInstaller one-folder or one-file bundle unpacks data files under ``sys._MEIPASS``; the
    spec copies ``rm_desk/resources`` there under the same relative path.
    """
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "rm_desk" / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def translations_dir() -> Path:
    """Where the compiled ``.qm`` catalogs of RM Desk live."""
    return resources_dir() / "translations"


def system_language() -> str:
    """``"zh"`` when the system locale is any Chinese one, else ``"en"``."""
    return CHINESE if QLocale.system().name().lower().startswith("zh") else ENGLISH


def resolve_language(language: str) -> str:
    """The language to use for a setting: ``""`` (or anything unknown) follows the system."""
    wanted = language.strip().lower()
    if wanted.startswith("zh"):
        return CHINESE
    if wanted.startswith("en"):
        return ENGLISH
    return system_language()


def install_language(app: QCoreApplication, language: str = "") -> str:
    """Install the translators, locale and formatting language for ``language``.

    Args:
        app: The application.
        language: ``"zh"``, ``"en"``, or ``""`` to follow the system locale.

    Returns:
        The language in use (``"zh"`` or ``"en"``). Chinese without its catalog (a build that
        skipped ``make translations``) still returns ``"zh"``: dates and money read the Chinese
        way while the words stay English, which beats refusing to start.
    """
    _remove_translators(app)
    chosen = resolve_language(language)
    if chosen == CHINESE:
        for catalog, folder in (
            (APP_CATALOG, translations_dir()),
            (QT_CATALOG, Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath))),
        ):
            translator = QTranslator(app)
            if translator.load(str(folder / catalog)):
                app.installTranslator(translator)
                _installed.append(translator)
    formatting.set_language(chosen)
    QLocale.setDefault(
        QLocale(QLocale.Language.Chinese, QLocale.Country.China)
        if chosen == CHINESE
        else QLocale(QLocale.Language.English, QLocale.Country.UnitedKingdom)
    )
    if isinstance(app, QApplication):
        apply_fonts(app, chosen)
    return chosen


def switch_language(app: QCoreApplication, language: str) -> str:
    """Change the language of a running window (the user menu); the old translators go.

    Qt sends ``LanguageChange`` to every widget, so open screens re-translate themselves.
    """
    return install_language(app, language)


def installed_catalogs() -> int:
    """How many translators :func:`install_language` has installed (0 in English)."""
    return len(_installed)


def _remove_translators(app: QCoreApplication) -> None:
    while _installed:
        translator = _installed.pop()
        app.removeTranslator(translator)
        translator.deleteLater()


def cjk_family() -> str | None:
    """The first installed family of :data:`CJK_FAMILIES`, or ``None``."""
    installed = set(QFontDatabase.families())
    return next((family for family in CJK_FAMILIES if family in installed), None)


def apply_fonts(app: QApplication, language: str) -> None:
    """Give the application font a family with Chinese glyphs, when the system has one.

    In Chinese the CJK family comes first, so Latin digits and Chinese text share one design; in
    English the platform's family comes first and the CJK one only fills in Chinese names.
    """
    family = cjk_family()
    if family is None:
        return
    font = QFont(app.font())
    platform = [f for f in font.families() or [font.family()] if f and f != family]
    font.setFamilies([family, *platform] if language == CHINESE else [*platform, family])
    app.setFont(font)


__all__ = [
    "CHINESE",
    "ENGLISH",
    "LANGUAGES",
    "apply_fonts",
    "cjk_family",
    "install_language",
    "installed_catalogs",
    "resolve_language",
    "resources_dir",
    "switch_language",
    "system_language",
    "translations_dir",
]
