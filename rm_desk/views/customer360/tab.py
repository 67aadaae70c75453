"""The base of a tab of the 360 view: :class:`CustomerTab`."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import QWidget

from rm_desk.views.customer360.data import CustomerData
from rm_desk.views.workbench import Workbench


def unsent_text(text: str, unsent: bool) -> str:
    """A cell's text, marked when the record has a change the bank has not acknowledged yet."""
    if not unsent:
        return text
    return QCoreApplication.translate("CustomerTab", "{text} · not synced yet").format(text=text)


def unsent_tooltip(unsent: bool) -> str | None:
    """The tooltip of a marked cell: why it is marked and what happens next."""
    if not unsent:
        return None
    return QCoreApplication.translate(
        "CustomerTab", "Saved on this computer; it is sent to the bank at the next sync."
    )


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


__all__ = ["CustomerTab", "unsent_text", "unsent_tooltip"]
