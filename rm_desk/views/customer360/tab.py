"""The base of a tab of the 360 view: :class:`CustomerTab`."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QWidget

from rm_desk.views.customer360.data import CustomerData
from rm_desk.views.workbench import Workbench


class CustomerTab(QWidget):
    """One tab; :meth:`show_data` fills it from a customer's data, :meth:`title` names it.

    Signals:
        tab_requested(str): Ask the 360 view to switch to another tab (a next best action).
    """

    tab_id = ""
    tab_requested = Signal(str)

    def __init__(self, bench: Workbench, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bench = bench
        self.setObjectName(f"tab_{self.tab_id}")

    def title(self) -> str:
        raise NotImplementedError

    def show_data(self, data: CustomerData) -> None:
        raise NotImplementedError


__all__ = ["CustomerTab"]
