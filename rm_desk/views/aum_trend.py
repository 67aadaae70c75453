"""The AUM trend chart: month-end AUM over the last 13 months as a line over a light area, with
the plan's target as a dashed line.

This module imports pyqtgraph at its top, so nothing may import it at start-up: the Charts
screen imports it the first time it draws a chart (cold start must not pay for pyqtgraph).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPen
from PySide6.QtWidgets import QVBoxLayout, QWidget

from rm_desk.local_store.queries import KpiPoint
from rm_desk.views import formatting
from rm_desk.views.kpi_labels import month_name

FILL_ALPHA = 50


class MoneyAxis(pg.AxisItem):  # type: ignore[misc]
    """A value axis reading in 万 / M as the user's language has it, never in SI prefixes."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.enableAutoSIPrefix(False)

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        return [formatting.money_short(Decimal(round(v))) for v in values]


class AumTrendChart(QWidget):
    """The chart; :meth:`set_points` draws a monthly series (oldest first)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("aumTrendChart")
        palette = self.palette()
        background = palette.base().color()
        text = palette.text().color()
        self.accent = QColor(palette.highlight().color())
        self.plot_widget = pg.PlotWidget(
            self, background=background, axisItems={"left": MoneyAxis(orientation="left")}
        )
        self.plot_widget.setAccessibleName(self.tr("AUM trend, last 13 months"))
        item = self.plot_widget.getPlotItem()
        item.setMenuEnabled(False)
        item.hideButtons()
        item.setMouseEnabled(x=False, y=False)
        item.showGrid(x=False, y=True, alpha=0.15)
        for name in ("left", "bottom"):
            axis = item.getAxis(name)
            axis.setPen(pg.mkPen(text))
            axis.setTextPen(pg.mkPen(text))
        self.legend = item.addLegend(offset=(10, 10), labelTextColor=text)
        fill = QColor(self.accent)
        fill.setAlpha(FILL_ALPHA)
        self.actual = self.plot_widget.plot(
            [],
            [],
            pen=pg.mkPen(self.accent, width=2.5),
            brush=fill,
            symbol="o",
            symbolSize=6,
            symbolBrush=self.accent,
            symbolPen=self.accent,
            antialias=True,
            name=self.tr("AUM, month end"),
        )
        target_pen = QPen(QColor(text))
        target_pen.setStyle(Qt.PenStyle.DashLine)
        target_pen.setCosmetic(True)
        target_pen.setWidthF(1.2)
        self.target = self.plot_widget.plot(
            [], [], pen=target_pen, antialias=True, name=self.tr("Target")
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot_widget)
        self._points: tuple[KpiPoint, ...] = ()

    def points(self) -> tuple[KpiPoint, ...]:
        return self._points

    def set_points(self, points: Sequence[KpiPoint]) -> None:
        self._points = tuple(p for p in points if p.value is not None)
        xs = list(range(len(self._points)))
        values = [float(p.value or 0) for p in self._points]
        targets = [float(p.target) for p in self._points if p.target is not None]
        lowest = min([*values, *targets], default=0.0)
        highest = max([*values, *targets], default=1.0)
        # AUM moves a few percent a month: a zero-based axis would flatten the line, so the view
        # starts a little below the lowest value and the area fills down to that floor.
        margin = (highest - lowest) * 0.12 or max(abs(highest) * 0.05, 1.0)
        floor = lowest - margin
        self.actual.setData(xs, values, fillLevel=floor)
        if len(targets) == len(values):
            self.target.setData(xs, targets)
        else:
            self.target.setData([], [])
        item = self.plot_widget.getPlotItem()
        item.setYRange(floor, highest + margin, padding=0)
        item.setXRange(-0.4, max(len(xs) - 0.6, 0.6), padding=0)
        # The year only where it turns: a year on every tick would not fit 13 of them.
        ticks = [
            (i, month_name(p.date, with_year=p.date.month == 1)) for i, p in enumerate(self._points)
        ]
        item.getAxis("bottom").setTicks([ticks])


__all__ = ["AumTrendChart", "MoneyAxis"]
