"""The base of every screen of the left navigation.

A screen reads the cache when it becomes visible and again when the cache changed under it
(:attr:`~rm_desk.views.bridge.SyncBridge.data_changed`), but never while hidden: a hidden screen
only remembers that it is stale and catches up when shown.

A change under a visible screen calls :meth:`Screen.refresh_after_change`, which is
:meth:`Screen.refresh` unless the screen says otherwise: a screen whose re-read builds many
widgets may spread the rebuild over several turns of the event loop, since sync changes the cache
while the user works and the window must never stall on it.

:func:`screen_heading` makes the screen's name at the top of its page, the same on every screen.
"""

from __future__ import annotations

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QLabel, QWidget

from rm_desk.views.workbench import Workbench

HEADING_SCALE = 1.3
"""How much larger than the body text a screen's heading is."""


def screen_heading(text: str, parent: QWidget) -> QLabel:
    """A screen's heading: ``text`` in bold, :data:`HEADING_SCALE` times the body text.

    Its object name is ``screenHeading``: the application's style sheet (``resources/style.qss``)
    sets its size and colour, with ``screenSubtitle`` for the line beside it, once for every
    screen; the font set here is what it looks like where no style sheet is loaded.
    """
    heading = QLabel(text, parent)
    heading.setObjectName("screenHeading")
    font = heading.font()
    font.setPointSizeF(font.pointSizeF() * HEADING_SCALE)
    font.setBold(True)
    heading.setFont(font)
    return heading


class Screen(QWidget):
    """One screen of the main window; subclasses implement :meth:`refresh` and :meth:`title`."""

    def __init__(self, bench: Workbench, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bench = bench
        self._stale = True
        bench.bridge.data_changed.connect(self._on_data_changed)

    def title(self) -> str:
        """The screen's name in the navigation (translated)."""
        raise NotImplementedError

    def refresh(self) -> None:
        """Re-read what the screen shows from the cache."""
        raise NotImplementedError

    def refresh_after_change(self) -> None:
        """Re-read after the cache changed under the visible screen (sync, or another screen)."""
        self.refresh()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale:
            self._stale = False
            self.refresh()

    def _on_data_changed(self) -> None:
        if self.isVisible():
            self._stale = False
            self.refresh_after_change()
        else:
            self._stale = True


__all__ = ["HEADING_SCALE", "Screen", "screen_heading"]
