"""The names the charts read out: KPI metrics, translated (``aum`` → AUM / 管理资产规模), and
months (``Nov 2026`` / ``2026年11月``).

The KPI table keys metrics by code (DOMAIN.md, kpi); names are translated at each call, so they
follow the translator installed at that moment.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QLocale

from rm_desk.views import formatting

CONTEXT = "KpiMetric"

# Marked with QT_TRANSLATE_NOOP so lupdate finds the sources under CONTEXT; translated per call.
_SOURCES: dict[str, str] = {
    "aum": QT_TRANSLATE_NOOP("KpiMetric", "AUM"),
    "aum_mtd_avg": QT_TRANSLATE_NOOP("KpiMetric", "AUM, month-to-date average"),
    "net_new_aum": QT_TRANSLATE_NOOP("KpiMetric", "Net new AUM"),
    "new_customers": QT_TRANSLATE_NOOP("KpiMetric", "New customers"),
    "tier_upgrades": QT_TRANSLATE_NOOP("KpiMetric", "Tier upgrades"),
    "tier_downgrades": QT_TRANSLATE_NOOP("KpiMetric", "Tier downgrades"),
    "funnel_new": QT_TRANSLATE_NOOP("KpiMetric", "New opportunities"),
    "funnel_won": QT_TRANSLATE_NOOP("KpiMetric", "Opportunities won"),
    "visits": QT_TRANSLATE_NOOP("KpiMetric", "Visits"),
    "coverage_30d": QT_TRANSLATE_NOOP("KpiMetric", "Key-customer coverage (30 days)"),
    "open_tasks": QT_TRANSLATE_NOOP("KpiMetric", "Open tasks"),
    "overdue_rate": QT_TRANSLATE_NOOP("KpiMetric", "Overdue rate"),
    "csat": QT_TRANSLATE_NOOP("KpiMetric", "Customer satisfaction"),
    "nps": QT_TRANSLATE_NOOP("KpiMetric", "NPS"),
    "complaint_rate": QT_TRANSLATE_NOOP("KpiMetric", "Complaint rate"),
}


def metric_label(metric: str) -> str:
    """The name of a KPI metric; an unknown code reads as itself."""
    source = _SOURCES.get(metric)
    return QCoreApplication.translate(CONTEXT, source) if source else metric


def month_name(month: date, *, with_year: bool = True) -> str:
    """A calendar month: ``Nov 2026`` / ``2026年11月`` (``with_year=False``: ``Nov`` / ``11月``)."""
    if formatting.current_language() == "zh":
        return f"{month.year}年{month.month}月" if with_year else f"{month.month}月"
    name = QLocale(QLocale.Language.English).monthName(month.month, QLocale.FormatType.ShortFormat)
    return f"{name} {month.year}" if with_year else name


__all__ = ["CONTEXT", "metric_label", "month_name"]
