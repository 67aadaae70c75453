"""The base of every screen of the left navigation.

A screen reads the cache when it becomes visible and again when the cache changed under it
(:attr:`~rm_desk.views.bridge.SyncBridge.data_changed`), but never while hidden: a hidden screen
only remembers that it is stale and catches up when shown.
"""

from __future__ import annotations

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QWidget

from rm_desk.views.workbench import Workbench


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

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale:
            self._stale = False
            self.refresh()

    def _on_data_changed(self) -> None:
        if self.isVisible():
            self._stale = False
            self.refresh()
        else:
            self._stale = True


__all__ = ["Screen"]
