"""A small line chart of a customer's monthly average AUM over the last 12 months.

Painted with ``QPainter`` (a dozen points need no charting library, and the 360 view must open
fast): a line with dots, the first and last values, the lowest and highest value on the left, and
the months along the bottom.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from PySide6.QtCore import QLocale, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from rm_desk.views.formatting import current_language, money_short

LINE = QColor("#1d4ed8")
GRID = QColor(0, 0, 0, 30)


def last_complete_months(today: date, count: int = 12) -> tuple[date, ...]:
    """The first days of the ``count`` complete months before ``today``'s month, oldest first."""
    index = today.year * 12 + today.month - 1  # months since year 0 of today's month
    return tuple(date((index - n) // 12, (index - n) % 12 + 1, 1) for n in range(count, 0, -1))


def labelled_months(count: int, every: int) -> frozenset[int]:
    """Which of ``count`` months get a label when only one in ``every`` fits: counted back from
    the latest, which is always labelled, so the labels stay evenly spaced (counting from the
    oldest and adding the latest put two labels side by side)."""
    return frozenset(range(count - 1, -1, -max(1, every)))


def month_label(month: date, language: str) -> str:
    """``12月`` / ``Dec``; January also shows its year, so the turn of the year reads."""
    if language == "zh":
        return f"{month.year % 100:02d}年1月" if month.month == 1 else f"{month.month}月"
    name = QLocale(QLocale.Language.English).monthName(month.month, QLocale.FormatType.ShortFormat)
    return f"{name} {month.year % 100:02d}" if month.month == 1 else name


class AumLineChart(QWidget):
    """The 12-month AUM line of the Overview tab."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("aum_chart")
        self.setMinimumSize(320, 180)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._values: tuple[Decimal, ...] = ()
        self._months: tuple[date, ...] = ()
        self._empty_text = ""

    def set_series(
        self, values: Sequence[Decimal], months: Sequence[date], empty_text: str = ""
    ) -> None:
        """Show ``values`` (oldest first) over ``months`` (same length, or fewer values)."""
        self._values = tuple(values)
        self._months = tuple(months)[-len(self._values) :] if self._values else ()
        self._empty_text = empty_text
        self.update()

    def values(self) -> tuple[Decimal, ...]:
        return self._values

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        try:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            self._paint(painter)
        finally:
            painter.end()

    def _paint(self, painter: QPainter) -> None:
        text_color = self.palette().windowText().color()
        if len(self._values) < 2:
            painter.setPen(text_color)
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self._empty_text)
            return
        language = current_language()
        metrics = painter.fontMetrics()
        low, high = min(self._values), max(self._values)
        span = (high - low) or max(abs(high), Decimal(1)) * Decimal("0.1")
        low_label, high_label = money_short(low, language), money_short(high, language)
        left = max(metrics.horizontalAdvance(low_label), metrics.horizontalAdvance(high_label)) + 12
        top, bottom, right = 16.0, float(metrics.height() + 10), 16.0
        plot = QRectF(left, top, self.width() - left - right, self.height() - top - bottom)
        if plot.width() <= 10 or plot.height() <= 10:
            return

        painter.setPen(QPen(GRID, 1))
        for fraction in (0.0, 0.5, 1.0):
            y = plot.top() + plot.height() * fraction
            painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
        painter.setPen(text_color)
        align_right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        painter.drawText(QRectF(0, plot.top() - 8, left - 6, 16), align_right, high_label)
        # Lifted off the baseline so it never collides with the month labels below it.
        painter.drawText(QRectF(0, plot.bottom() - 18, left - 6, 16), align_right, low_label)

        step = plot.width() / (len(self._values) - 1)
        points = [
            QPointF(
                plot.left() + step * n,
                plot.bottom() - float((value - low) / span) * plot.height(),
            )
            for n, value in enumerate(self._values)
        ]
        path = QPainterPath(points[0])
        for point in points[1:]:
            path.lineTo(point)
        painter.setPen(QPen(LINE, 2))
        painter.drawPath(path)
        painter.setBrush(LINE)
        for point in points:
            painter.drawEllipse(point, 2.5, 2.5)

        painter.setPen(text_color)
        label_width = max(step, 1.0)
        every = 1 if metrics.horizontalAdvance("00年12月") < step else 2
        labelled = labelled_months(len(self._months), every)
        for n, month in enumerate(self._months):
            if n not in labelled:
                continue
            x = plot.left() + step * n
            box = QRectF(x - label_width, plot.bottom() + 4, label_width * 2, metrics.height())
            painter.drawText(box, Qt.AlignmentFlag.AlignHCenter, month_label(month, language))
        last = points[-1]
        painter.drawText(
            QRectF(last.x() - 120, last.y() - metrics.height() - 4, 120, metrics.height()),
            Qt.AlignmentFlag.AlignRight,
            money_short(self._values[-1], language),
        )


__all__ = ["AumLineChart", "labelled_months", "last_complete_months", "month_label"]
