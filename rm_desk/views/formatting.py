"""How numbers, money and dates read on screen, in the user's language.

One place for every formatter, so two screens never show the same amount two ways. Chinese users
read large amounts in 万 (ten thousand) and 亿 (a hundred million) yuan; English users read them
with thousands separators, and ``k``/``M`` where space is short. Dates follow the locale: Chinese
``2026年11月22日`` / ``11月22日``, English ``22 Nov 2026`` / ``22 Nov``. Times are shown in the
bank's zone (Beijing time), whatever the machine's zone.

Every function takes the language explicitly (``"zh"`` or ``"en"``); the views pass
:func:`current_language`, which follows the translator the app installed.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal

from PySide6.QtCore import QCoreApplication, QLocale

BANK_ZONE = timezone(timedelta(hours=8), "CST")
"""The bank's time zone (China Standard Time, no daylight saving)."""

WAN = Decimal(10_000)
YI = Decimal(100_000_000)

_language = "en"


def set_language(language: str) -> None:
    """Record the UI language (``"zh"`` or ``"en"``); :mod:`rm_desk.views.i18n` calls it."""
    global _language
    _language = "zh" if language.startswith("zh") else "en"


def current_language() -> str:
    return _language


def _locale(language: str) -> QLocale:
    if language == "zh":
        return QLocale(QLocale.Language.Chinese, QLocale.Country.China)
    return QLocale(QLocale.Language.English, QLocale.Country.UnitedKingdom)


def _grouped(amount: Decimal, decimals: int) -> str:
    quantum = Decimal(1).scaleb(-decimals)
    rounded = amount.quantize(quantum, rounding=ROUND_HALF_UP)
    return f"{rounded:,.{decimals}f}"


def money(amount: Decimal | None, language: str | None = None, *, exact: bool = False) -> str:
    """An amount of yuan for people: ``¥128.50万`` / ``¥1,285,000`` or exact with fen.

    Args:
        amount: Yuan; ``None`` reads as an em dash.
        language: ``"zh"`` or ``"en"``; the current UI language when omitted.
        exact: Two decimals and no 万 (statements, transactions).
    """
    if amount is None:
        return "—"
    lang = language or _language
    sign = "-" if amount < 0 else ""
    value = abs(amount)
    if exact:
        return f"{sign}¥{_grouped(value, 2)}"
    if lang == "zh":
        if value >= YI:
            return f"{sign}¥{_grouped(value / YI, 2)}亿"
        if value >= WAN:
            return f"{sign}¥{_grouped(value / WAN, 2)}万"
        return f"{sign}¥{_grouped(value, 2)}"
    return f"{sign}¥{_grouped(value, 0 if value >= 1000 else 2)}"


def money_short(amount: Decimal | None, language: str | None = None) -> str:
    """A compact amount for tiles and axes: ``¥1.3亿``, ``¥128万`` / ``¥128.5M``, ``¥9.8k``."""
    if amount is None:
        return "—"
    lang = language or _language
    sign = "-" if amount < 0 else ""
    value = abs(amount)
    if lang == "zh":
        if value >= YI:
            return f"{sign}¥{_grouped(value / YI, 1)}亿"
        if value >= WAN:
            return f"{sign}¥{_grouped(value / WAN, 0)}万"
        return f"{sign}¥{_grouped(value, 0)}"
    if value >= 1_000_000:
        return f"{sign}¥{_grouped(value / 1_000_000, 1)}M"
    if value >= 1000:
        return f"{sign}¥{_grouped(value / 1000, 1)}k"
    return f"{sign}¥{_grouped(value, 0)}"


def number(value: int | None, language: str | None = None) -> str:
    """A count with the locale's grouping."""
    if value is None:
        return "—"
    return _locale(language or _language).toString(int(value))


def percent(value: float | Decimal | None, language: str | None = None, decimals: int = 1) -> str:
    """A ratio (0.125) as a percentage (``12.5%``)."""
    if value is None:
        return "—"
    return f"{float(value) * 100:.{decimals}f}%"


def day(value: date | None, language: str | None = None, *, with_year: bool = True) -> str:
    """A calendar day: ``2026年11月22日`` / ``22 Nov 2026`` (``with_year=False`` drops the year)."""
    if value is None:
        return "—"
    lang = language or _language
    if lang == "zh":
        head = f"{value.year}年" if with_year else ""
        return f"{head}{value.month}月{value.day}日"
    text = f"{value.day} {_MONTHS[value.month - 1]}"
    return f"{text} {value.year}" if with_year else text


def moment(value: datetime | None, language: str | None = None) -> str:
    """A point in time in Beijing time: ``2026年11月22日 14:05`` / ``22 Nov 2026 14:05``."""
    if value is None:
        return "—"
    local = value.astimezone(BANK_ZONE) if value.tzinfo else value
    return f"{day(local.date(), language)} {local:%H:%M}"


def parse_moment(text: str | None) -> datetime | None:
    """An ISO-8601 UTC timestamp from the cache (``2026-11-22T06:05:00Z``) as an aware datetime."""
    if not text:
        return None
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def relative_age(then: datetime | None, now: datetime, language: str | None = None) -> str:
    """How long ago, in words short enough for the status bar: ``3分钟前`` / ``3 min ago``."""
    if then is None:
        return "—"
    lang = language or _language
    seconds = max(0, int((now - then).total_seconds()))
    minutes, hours, days = seconds // 60, seconds // 3600, seconds // 86_400
    if lang == "zh":
        if seconds < 60:
            return "刚刚"
        if minutes < 60:
            return f"{minutes}分钟前"
        if hours < 24:
            return f"{hours}小时前"
        return f"{days}天前"
    if seconds < 60:
        return "just now"
    if minutes < 60:
        return f"{minutes} min ago"
    if hours < 24:
        return f"{hours} h ago"
    return f"{days} d ago"


def app_language() -> str:
    """The language Qt's default locale names (the system's, unless the user chose one)."""
    name = QLocale().name() if QCoreApplication.instance() is not None else "en"
    return "zh" if name.startswith("zh") else "en"


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

__all__ = [
    "BANK_ZONE",
    "app_language",
    "current_language",
    "day",
    "moment",
    "money",
    "money_short",
    "number",
    "parse_moment",
    "percent",
    "relative_age",
    "set_language",
]
