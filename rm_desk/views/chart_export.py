"""PNG export of a chart, carrying the user's watermark.

An exported chart leaves the app, so it carries who made it, on which device and when: the
same light diagonal :class:`~rm_desk.views.watermark.Watermark` the window shows, painted over
the chart, and the :func:`~rm_desk.views.watermark.watermark_line` once more in a footer that
stays legible when the diagonal rows are too faint to read.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QLabel, QWidget

from rm_desk.views.watermark import Watermark, watermark_line

FOOTER_PADDING = 6


def watermarked_image(
    chart: QWidget, *, user_id: str, device_id: str, clock: Callable[[], datetime]
) -> QImage:
    """The chart as drawn on screen, with the watermark over it and its line in a footer."""
    pixmap = chart.grab()
    # The overlay paints on a host widget; a never-shown label holding the picture is one, and
    # grabbing it renders the overlay exactly as windows show it.
    host = QLabel()
    try:
        host.setPalette(chart.palette())
        host.setContentsMargins(0, 0, 0, 0)
        host.setPixmap(pixmap)
        host.resize(chart.size())
        Watermark(host, user_id, device_id, clock)
        stamped = host.grab().toImage()
    finally:
        host.deleteLater()

    line = watermark_line(user_id, device_id, clock())
    metrics = chart.fontMetrics()
    ratio = stamped.devicePixelRatio()
    footer = int((metrics.height() + 2 * FOOTER_PADDING) * ratio)
    image = QImage(
        stamped.width(), stamped.height() + footer, QImage.Format.Format_ARGB32_Premultiplied
    )
    image.setDevicePixelRatio(ratio)
    image.fill(chart.palette().base().color())
    painter = QPainter(image)
    try:
        painter.drawImage(0, 0, stamped)
        text = QColor(chart.palette().text().color())
        text.setAlphaF(0.6)
        painter.setPen(text)
        painter.setFont(chart.font())
        logical_height = stamped.height() / ratio
        area = QRect(
            FOOTER_PADDING,
            int(logical_height),
            int(stamped.width() / ratio) - 2 * FOOTER_PADDING,
            int(footer / ratio),
        )
        painter.drawText(area, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight, line)
    finally:
        painter.end()
    return image


__all__ = ["watermarked_image"]
