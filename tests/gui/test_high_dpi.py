"""On a high-DPI screen (Windows at 200 %, a Retina Mac) the watermark looks as it does at 100 %.

The screen's scale is fixed when Qt starts, so each case runs a small program under
``QT_SCALE_FACTOR``: it paints a watermarked widget and compares the picture with the
watermark's own rendering of the whole overlay, pixel for pixel.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

PROGRAM = textwrap.dedent(
    """
    import json
    from datetime import UTC, datetime

    from PySide6.QtCore import Qt
    from PySide6.QtGui import QColor, QImage, QPainter
    from PySide6.QtWidgets import QApplication, QWidget

    from rm_desk.views.watermark import Watermark

    app = QApplication([])
    host = QWidget()
    host.setAutoFillBackground(True)
    host.resize(480, 320)
    mark = Watermark(host, "rm001", "d-1234", lambda: datetime(2026, 11, 20, 9, 0, tzinfo=UTC))
    host.show()
    app.processEvents()
    shown = host.grab().toImage().convertToFormat(QImage.Format.Format_ARGB32)

    # What the whole overlay should look like: the host's background with the tile over it.
    expected = QImage(shown.size(), QImage.Format.Format_ARGB32)
    expected.setDevicePixelRatio(shown.devicePixelRatio())
    expected.fill(host.palette().window().color())
    painter = QPainter(expected)
    painter.drawPixmap(0, 0, mark._tile())
    painter.end()

    background = host.palette().window().color().lightness()
    ink = lambda image, x, y: QColor(image.pixel(x, y)).lightness() < background - 4
    differ = sum(
        ink(shown, x, y) != ink(expected, x, y)
        for y in range(0, shown.height(), 2)
        for x in range(0, shown.width(), 2)
    )
    inked = sum(
        ink(expected, x, y)
        for y in range(0, shown.height(), 2)
        for x in range(0, shown.width(), 2)
    )
    print(json.dumps({
        "ratio": shown.devicePixelRatio(),
        "size": [shown.width(), shown.height()],
        "differ": differ,
        "inked": inked,
    }))
    """
)


@pytest.mark.parametrize("scale", ["1", "2", "1.5"])
def test_the_watermark_is_painted_at_the_screens_scale(scale: str) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "QT_SCALE_FACTOR": scale}
    done = subprocess.run(
        [sys.executable, "-c", PROGRAM], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["ratio"] == float(scale)
    assert result["size"] == [round(480 * float(scale)), round(320 * float(scale))]
    assert result["inked"] > 0  # the mark is there to compare
    # The same picture, give or take antialiasing at the edges of the letters.
    assert result["differ"] <= result["inked"] * 0.02, result
