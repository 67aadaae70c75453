"""The light watermark on windows that show customer data.

A photo of the screen must still say who was looking, where and when: every window that shows C2
data gets a :class:`Watermark` overlay painting ``user · device · time`` in light diagonal rows.
The overlay never takes the mouse or the keyboard, follows its window's size, and repaints its
time once a minute. CSV and PNG exports carry the same line (:func:`watermark_line`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QEvent, QObject, QRectF, Qt, QTimer
from PySide6.QtGui import QColor, QFont, QPainter, QPaintEvent, QPixmap
from PySide6.QtWidgets import QWidget

from rm_desk.views.formatting import BANK_ZONE

OPACITY = 0.07
ANGLE = -24.0
REPAINT_MS = 60_000


def watermark_line(user_id: str, device_id: str, now: datetime) -> str:
    """The line the watermark repeats: user id, device and time (Beijing, to the minute)."""
    local = now.astimezone(BANK_ZONE)
    return f"{user_id} · {device_id} · {local:%Y-%m-%d %H:%M}"


class Watermark(QWidget):
    """A mouse-transparent overlay over ``host`` painting the watermark line."""

    def __init__(
        self, host: QWidget, user_id: str, device_id: str, clock: Callable[[], datetime]
    ) -> None:
        super().__init__(host)
        self._user_id = user_id
        self._device_id = device_id
        self._clock = clock
        self._cache: tuple[tuple[object, ...], QPixmap] | None = None
        self.setObjectName("watermark")
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self._timer = QTimer(self)
        self._timer.setInterval(REPAINT_MS)
        self._timer.timeout.connect(self.update)
        self._timer.start()
        host.installEventFilter(self)
        self.setGeometry(host.rect())
        self.raise_()
        self.show()

    def text(self) -> str:
        return watermark_line(self._user_id, self._device_id, self._clock())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.parent() and event.type() in (
            QEvent.Type.Resize,
            QEvent.Type.ChildAdded,
        ):
            parent = self.parentWidget()
            if parent is not None:
                self.setGeometry(parent.rect())
            self.raise_()
        return False

    def covered_by_ancestor(self) -> bool:
        """Whether a watermark of an enclosing widget already paints over this one's host.

        A screen carries its own watermark (it may be shown alone), and so does the main window
        around it; only the outermost one paints, so the marks never double up. The walk stops at
        the host's window: a dialog is a window of its own, painted apart from its parent's, so
        its mark is never covered by one outside it.
        """
        host = self.parentWidget()
        if host is None or host.isWindow():
            return False
        ancestor = host.parentWidget()
        while ancestor is not None:
            for mark in ancestor.findChildren(
                Watermark, options=Qt.FindChildOption.FindDirectChildrenOnly
            ):
                if mark is not self and mark.isVisible():
                    return True
            if ancestor.isWindow():
                break
            ancestor = ancestor.parentWidget()
        return False

    def paintEvent(self, event: QPaintEvent) -> None:
        if self.covered_by_ancestor():
            return
        tile = self._tile()
        painter = QPainter(self)
        try:
            # Only the exposed part is copied: a repaint of one table row costs one small blit,
            # not hundreds of rotated text draws.
            # The source rectangle is in the tile's device pixels: on a high-DPI screen
            # (devicePixelRatio 2) logical coordinates would pick a quarter of it, doubled.
            rect = QRectF(event.rect())
            ratio = tile.devicePixelRatio()
            source = QRectF(
                rect.x() * ratio, rect.y() * ratio, rect.width() * ratio, rect.height() * ratio
            )
            painter.drawPixmap(rect, tile, source)
        finally:
            painter.end()

    def _tile(self) -> QPixmap:
        """The whole overlay rendered once per size, text and colour (the text changes each
        minute), then reused by every repaint."""
        color = QColor(self.palette().windowText().color())
        color.setAlphaF(OPACITY)
        ratio = self.devicePixelRatioF()
        key = (self.width(), self.height(), ratio, self.text(), color.rgba())
        if self._cache is not None and self._cache[0] == key:
            return self._cache[1]
        pixmap = QPixmap(max(1, round(self.width() * ratio)), max(1, round(self.height() * ratio)))
        pixmap.setDevicePixelRatio(ratio)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        try:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setPen(color)
            font = QFont(self.font())
            font.setPointSizeF(max(9.0, font.pointSizeF()))
            painter.setFont(font)
            text = key[3]
            step_x = painter.fontMetrics().horizontalAdvance(text) + 80
            step_y = painter.fontMetrics().height() * 6
            width, height = self.width(), self.height()
            painter.translate(width / 2, height / 2)
            painter.rotate(ANGLE)
            reach = int((width + height) * 0.75)
            for row, y in enumerate(range(-reach, reach, step_y)):
                shift = (step_x // 2) * (row % 2)  # alternate rows offset, like a brick wall
                for x in range(-reach - shift, reach, step_x):
                    painter.drawText(QRectF(x, y, step_x, step_y), text)
        finally:
            painter.end()
        self._cache = (key, pixmap)
        return pixmap


__all__ = ["Watermark", "watermark_line"]
