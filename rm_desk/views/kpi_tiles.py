"""KPI tiles: one metric's latest value, its target, the change on last month and a sparkline.

The sparkline is painted with QPainter rather than a chart library: a dozen tiles of 13 points
each do not need pyqtgraph, and the Charts screen stays cheap to open. What each metric is
(money, a count or a ratio) and whether less is better decide how its numbers read and which
way a change counts as good.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from PySide6.QtCore import QCoreApplication, QPointF, QSize
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPaintEvent, QPen
from PySide6.QtWidgets import QFrame, QLabel, QSizePolicy, QVBoxLayout, QWidget

from rm_desk.local_store.queries import KpiPoint
from rm_desk.views import formatting
from rm_desk.views.kpi_labels import metric_label

GOOD = QColor("#2e7d32")
BAD = QColor("#c62828")


class MetricKind(StrEnum):
    MONEY = "money"
    COUNT = "count"
    RATIO = "ratio"  # 0.125 reads as 12.5 %


@dataclass(frozen=True, slots=True)
class MetricSpec:
    """How one KPI metric reads."""

    metric: str
    kind: MetricKind
    lower_is_better: bool = False


TILE_METRICS: tuple[MetricSpec, ...] = (
    MetricSpec("aum", MetricKind.MONEY),
    MetricSpec("net_new_aum", MetricKind.MONEY),
    MetricSpec("new_customers", MetricKind.COUNT),
    MetricSpec("funnel_won", MetricKind.COUNT),
    MetricSpec("visits", MetricKind.COUNT),
    MetricSpec("coverage_30d", MetricKind.RATIO),
    MetricSpec("open_tasks", MetricKind.COUNT, lower_is_better=True),
    MetricSpec("overdue_rate", MetricKind.RATIO, lower_is_better=True),
)
"""The RM's tiles, in reading order (DOMAIN.md, Charts)."""


def format_value(spec: MetricSpec, value: Decimal | None) -> str:
    """A metric's value as the tiles and the leaderboard show it."""
    if value is None:
        return "—"
    if spec.kind is MetricKind.MONEY:
        return formatting.money_short(value)
    if spec.kind is MetricKind.RATIO:
        return formatting.percent(value)
    return formatting.number(int(value))


def format_change(spec: MetricSpec, change: Decimal) -> str:
    """A signed change: ``+¥12万``, ``-3``, ``+1.5 pts`` (percentage points for ratios)."""
    sign = "+" if change > 0 else ""
    if spec.kind is MetricKind.RATIO:
        points = f"{float(change) * 100:+.1f}"
        return QCoreApplication.translate("KpiTile", "{points} pts").format(points=points)
    return sign + format_value(spec, change)


def is_good(spec: MetricSpec, change: Decimal) -> bool:
    return change < 0 if spec.lower_is_better else change > 0


class Sparkline(QWidget):
    """A small line of a series' values, its last point marked."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._values: tuple[float, ...] = ()
        self._color = QColor(self.palette().highlight().color())
        self.setMinimumHeight(28)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def sizeHint(self) -> QSize:
        return QSize(160, 32)

    def set_values(self, values: Sequence[float], color: QColor | None = None) -> None:
        self._values = tuple(values)
        if color is not None:
            self._color = color
        self.update()

    def values(self) -> tuple[float, ...]:
        return self._values

    def paintEvent(self, event: QPaintEvent) -> None:
        if len(self._values) < 2:
            return
        painter = QPainter(self)
        try:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            margin = 3.0
            width, height = self.width() - 2 * margin, self.height() - 2 * margin
            low, high = min(self._values), max(self._values)
            span = (high - low) or 1.0  # a flat series draws as a line through the middle
            step = width / (len(self._values) - 1)
            points = [
                QPointF(
                    margin + i * step,
                    margin + height - (v - low) / span * height
                    if high > low
                    else margin + height / 2,
                )
                for i, v in enumerate(self._values)
            ]
            path = QPainterPath(points[0])
            for point in points[1:]:
                path.lineTo(point)
            painter.setPen(QPen(self._color, 1.6))
            painter.drawPath(path)
            painter.setBrush(self._color)
            painter.drawEllipse(points[-1], 2.5, 2.5)
        finally:
            painter.end()


class KpiTile(QFrame):
    """One metric: name, latest value, target, change on the month before, sparkline."""

    def __init__(self, spec: MetricSpec, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.spec = spec
        self.setObjectName(f"kpiTile_{spec.metric}")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        # Preferred, not Fixed, vertically: tiles of one row fill it and line up.
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.setSpacing(2)
        self.name_label = QLabel(metric_label(spec.metric), self)
        self.name_label.setObjectName("tileName")
        self.value_label = QLabel("—", self)
        self.value_label.setObjectName("tileValue")
        font = self.value_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.7)
        font.setBold(True)
        self.value_label.setFont(font)
        self.target_label = QLabel(self)
        self.target_label.setObjectName("tileTarget")
        self.change_label = QLabel(self)
        self.change_label.setObjectName("tileChange")
        self.sparkline = Sparkline(self)
        for widget in (
            self.name_label,
            self.value_label,
            self.target_label,
            self.change_label,
            self.sparkline,
        ):
            layout.addWidget(widget)
        self.setAccessibleName(metric_label(spec.metric))

    def set_points(self, points: Sequence[KpiPoint]) -> None:
        """Show a monthly series (oldest first); the last point is the current month."""
        spec = self.spec
        latest = points[-1] if points else None
        self.value_label.setText(format_value(spec, latest.value if latest else None))
        self.target_label.setText(self._target_text(latest))
        self.change_label.setText("")
        self.change_label.setStyleSheet("")
        if len(points) >= 2 and latest is not None and latest.value is not None:
            before = points[-2].value
            if before is not None:
                change = latest.value - before
                if not change:
                    self.change_label.setText(self.tr("Same as last month"))
                else:
                    self.change_label.setText(
                        self.tr("{arrow} {change} vs last month").format(
                            arrow="▲" if change > 0 else "▼", change=format_change(spec, change)
                        )
                    )
                    color = GOOD if is_good(spec, change) else BAD
                    self.change_label.setStyleSheet(f"color: {color.name()};")
        values = [float(p.value) for p in points if p.value is not None]
        self.sparkline.set_values(values)
        self.setToolTip(
            self.tr("{metric}: the last {count} months").format(
                metric=metric_label(spec.metric), count=len(values)
            )
        )

    def _target_text(self, latest: KpiPoint | None) -> str:
        if latest is None or latest.target is None:
            return self.tr("No target")
        target = format_value(self.spec, latest.target)
        if self.spec.lower_is_better:
            return self.tr("Target: at most {target}").format(target=target)
        if latest.value is None or latest.target <= 0:
            return self.tr("Target: {target}").format(target=target)
        reached = formatting.percent(latest.value / latest.target, decimals=0)
        return self.tr("Target: {target} ({reached} reached)").format(
            target=target, reached=reached
        )


__all__ = [
    "TILE_METRICS",
    "KpiTile",
    "MetricKind",
    "MetricSpec",
    "Sparkline",
    "format_change",
    "format_value",
    "is_good",
]
