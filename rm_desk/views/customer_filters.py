"""The filter bar of the Customers screen, with the user's saved filters.

Tier, risk level, tag and (for team leads) RM are multiple choices in drop-down menus; the AUM
range is two amounts, in 万 for Chinese users and in thousands of yuan for English ones, where 0
means "no bound". Every change emits :attr:`CustomerFilterBar.filter_changed` with the whole
:class:`~rm_desk.local_store.queries.CustomerFilter`; the amounts wait for typing to pause, so a
number typed digit by digit is one query, not five.

Saved filters are the user's own (:mod:`rm_desk.local_store.saved_filters`, in the encrypted
cache). "Save filter…" asks for a name through :attr:`CustomerFilterBar.ask_name`, which tests
replace. Saving and deleting write the cache on the task runner, never on the GUI thread; while
one runs, the save and delete buttons wait for it. A refused save (a blank or too long name) shows
its words, and the next "Save filter…" starts from the name the user typed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from decimal import ROUND_HALF_UP, Decimal

from PySide6.QtCore import QCoreApplication, QSize, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QStyle,
    QStyleOptionToolButton,
    QToolButton,
    QWidget,
)

from rm_desk.domain.enums import CustomerRiskLevel, Tier
from rm_desk.errors import RmDeskError
from rm_desk.local_store.customer_list import rm_choices, tag_names
from rm_desk.local_store.queries import CustomerFilter
from rm_desk.local_store.saved_filters import (
    SavedFilter,
    delete_filter,
    save_filter,
    saved_filters,
)
from rm_desk.logs import log_failure
from rm_desk.views.customer_table import risk_label, tier_label
from rm_desk.views.error_words import error_words
from rm_desk.views.formatting import WAN, current_language
from rm_desk.views.workbench import Workbench

log = logging.getLogger(__name__)

AMOUNT_PAUSE_MS = 400
"""How long typing in an amount must pause before the list is re-queried."""

THOUSAND = Decimal(1000)


def _ask_name(parent: QWidget, typed: str) -> str | None:
    name, accepted = QInputDialog.getText(
        parent,
        QCoreApplication.translate("CustomerFilterBar", "Save filter"),
        QCoreApplication.translate("CustomerFilterBar", "Name of this filter:"),
        QLineEdit.EchoMode.Normal,
        typed,
    )
    return name if accepted else None


class ChoiceButton(QToolButton):
    """A drop-down of checkable choices; its text says what is chosen.

    Signals:
        changed(): The user checked or unchecked a choice.
    """

    changed = Signal()

    def __init__(
        self, *, none_text: str, one_text: str, many_text: str, parent: QWidget | None = None
    ) -> None:
        """Create the button.

        Args:
            none_text: Shown when nothing is chosen ("Any tier").
            one_text: Shown with one choice; ``{value}`` is its label ("Tier: {value}").
            many_text: Shown with several; ``{count}`` is how many ("Tiers: {count}").
            parent: The owning widget.
        """
        super().__init__(parent)
        self._none_text, self._one_text, self._many_text = none_text, one_text, many_text
        self._menu = QMenu(self)
        self.setMenu(self._menu)
        self.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self._actions: dict[str, QAction] = {}
        self._update_text()

    def sizeHint(self) -> QSize:
        # An instant-popup tool button draws its arrow in the bottom right corner but Qt leaves
        # no room for it (only a split menu button gets some): make the room, or the arrow sits
        # on the last letters of the text.
        hint = super().sizeHint()
        option = QStyleOptionToolButton()
        self.initStyleOption(option)
        indicator = self.style().pixelMetric(
            QStyle.PixelMetric.PM_MenuButtonIndicator, option, self
        )
        return QSize(hint.width() + indicator, hint.height())

    def set_choices(self, choices: Iterable[tuple[str, str]]) -> None:
        """Offer ``(value, label)`` choices, keeping what was chosen among them."""
        chosen = self.selected()
        self._menu.clear()
        self._actions = {}
        for value, label in choices:
            action = self._menu.addAction(label)
            action.setCheckable(True)
            action.setChecked(value in chosen)
            action.setData(value)
            action.toggled.connect(self._on_toggled)
            self._actions[value] = action
        self.setEnabled(bool(self._actions))
        self._update_text()

    def choices(self) -> tuple[str, ...]:
        return tuple(self._actions)

    def selected(self) -> frozenset[str]:
        return frozenset(value for value, action in self._actions.items() if action.isChecked())

    def set_selected(self, values: frozenset[str]) -> None:
        """Check exactly ``values`` (those offered) without emitting :attr:`changed`."""
        for value, action in self._actions.items():
            action.blockSignals(True)
            action.setChecked(value in values)
            action.blockSignals(False)
        self._update_text()

    def choose(self, value: str, checked: bool = True) -> None:
        """Check or uncheck one choice as the user would (emits :attr:`changed`)."""
        self._actions[value].setChecked(checked)

    def _on_toggled(self, _checked: bool) -> None:
        self._update_text()
        self.changed.emit()

    def _update_text(self) -> None:
        chosen = [action.text() for action in self._actions.values() if action.isChecked()]
        if not chosen:
            self.setText(self._none_text)
        elif len(chosen) == 1:
            self.setText(self._one_text.format(value=chosen[0]))
        else:
            self.setText(self._many_text.format(count=len(chosen)))


class AmountBox(QDoubleSpinBox):
    """An amount of yuan typed in 万 (Chinese) or thousands (English); 0 reads as "Any"."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._unit = WAN if current_language() == "zh" else THOUSAND
        self.setDecimals(2)
        self.setRange(0, 10_000_000)
        self.setGroupSeparatorShown(True)
        self.setPrefix("¥")
        if current_language() == "zh":
            self.setSuffix(self.tr(" 万"))
        else:
            self.setSuffix(self.tr(" k"))
        self.setSpecialValueText(self.tr("Any"))
        self.setKeyboardTracking(False)

    def amount(self) -> Decimal | None:
        """The amount in yuan, or ``None`` for no bound."""
        value = Decimal(str(self.value()))
        if value <= 0:
            return None
        return (value * self._unit).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)

    def set_amount(self, amount: Decimal | None) -> None:
        """Show ``amount`` (yuan) in the box's unit without emitting signals."""
        self.blockSignals(True)
        self.setValue(0 if amount is None else float(amount / self._unit))
        self.blockSignals(False)


class CustomerFilterBar(QWidget):
    """Tier, risk, tag, RM and AUM filters with saved filters (see the module docstring).

    Signals:
        filter_changed(CustomerFilter): The filter the list should show now.
        problem(str, str): A title and message to show the user (a save refused, a cache error).
    """

    filter_changed = Signal(object)
    problem = Signal(str, str)

    def __init__(self, bench: Workbench, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bench = bench
        # Called with the owning widget and the name to start from (one refused before, or "").
        self.ask_name: Callable[[QWidget, str], str | None] = _ask_name
        self._saved: tuple[SavedFilter, ...] = ()
        self._refused_name = ""
        self._writing = False

        self.tier = ChoiceButton(
            none_text=self.tr("Any tier"),
            one_text=self.tr("Tier: {value}"),
            many_text=self.tr("Tiers: {count}"),
            parent=self,
        )
        self.tier.setAccessibleName(self.tr("Filter by tier"))
        self.tier.set_choices((t.value, tier_label(t)) for t in Tier)
        self.risk = ChoiceButton(
            none_text=self.tr("Any risk level"),
            one_text=self.tr("Risk: {value}"),
            many_text=self.tr("Risk levels: {count}"),
            parent=self,
        )
        self.risk.setAccessibleName(self.tr("Filter by risk level"))
        self.risk.set_choices((r.value, risk_label(r)) for r in CustomerRiskLevel)
        self.tag = ChoiceButton(
            none_text=self.tr("Any tag"),
            one_text=self.tr("Tag: {value}"),
            many_text=self.tr("Tags: {count}"),
            parent=self,
        )
        self.tag.setAccessibleName(self.tr("Filter by tag"))
        self.rm = ChoiceButton(
            none_text=self.tr("Any RM"),
            one_text=self.tr("RM: {value}"),
            many_text=self.tr("RMs: {count}"),
            parent=self,
        )
        self.rm.setAccessibleName(self.tr("Filter by RM"))
        self.rm.setVisible(bench.is_team_lead)

        self.aum_min = AmountBox(self)
        self.aum_min.setAccessibleName(self.tr("Lowest AUM"))
        self.aum_max = AmountBox(self)
        self.aum_max.setAccessibleName(self.tr("Highest AUM"))
        self._amount_pause = QTimer(self)
        self._amount_pause.setSingleShot(True)
        self._amount_pause.setInterval(AMOUNT_PAUSE_MS)
        self._amount_pause.timeout.connect(self._emit)

        self.clear_button = QPushButton(self.tr("Clear"), self)
        self.clear_button.setToolTip(self.tr("Show every customer"))
        self.saved_box = QComboBox(self)
        self.saved_box.setPlaceholderText(self.tr("Saved filters"))
        self.saved_box.setAccessibleName(self.tr("Saved filters"))
        self.saved_box.setMinimumContentsLength(12)
        self.save_button = QPushButton(self.tr("Save filter…"), self)
        self.delete_button = QPushButton(self.tr("Delete"), self)
        self.delete_button.setToolTip(self.tr("Delete the chosen saved filter"))
        self.delete_button.setEnabled(False)

        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in (self.tier, self.risk, self.tag, self.rm):
            layout.addWidget(widget)
        layout.addSpacing(8)
        layout.addWidget(QLabel(self.tr("AUM from"), self))
        layout.addWidget(self.aum_min)
        layout.addWidget(QLabel(self.tr("to"), self))
        layout.addWidget(self.aum_max)
        layout.addWidget(self.clear_button)
        layout.addStretch(1)
        layout.addWidget(self.saved_box)
        layout.addWidget(self.save_button)
        layout.addWidget(self.delete_button)

        for button in (self.tier, self.risk, self.tag, self.rm):
            button.changed.connect(self._emit)
        self.aum_min.valueChanged.connect(self._amount_edited)
        self.aum_max.valueChanged.connect(self._amount_edited)
        self.clear_button.clicked.connect(self.clear)
        self.saved_box.activated.connect(self._apply_saved)
        self.save_button.clicked.connect(self.save_current)
        self.delete_button.clicked.connect(self.delete_chosen)

    # ---- reading the cache -------------------------------------------------------------------

    def refresh(self) -> None:
        """Re-read the tag and RM choices and the saved filters (short cache reads)."""
        user_id = self.bench.user.id
        with self.bench.store.read() as conn:
            tags = tag_names(conn)
            rms = rm_choices(conn) if self.bench.is_team_lead else ()
            self._saved = saved_filters(conn, user_id)
        self.tag.set_choices((name, name) for name in tags)
        if self.bench.is_team_lead:
            self.rm.set_choices((choice.id, choice.name) for choice in rms)
        self._fill_saved(self.saved_box.currentText())

    # ---- the filter --------------------------------------------------------------------------

    def current(self) -> CustomerFilter:
        """The filter the controls show now."""
        return CustomerFilter(
            tiers=self.tier.selected(),
            risk_levels=self.risk.selected(),
            tags=self.tag.selected(),
            rm_ids=self.rm.selected() if self.bench.is_team_lead else frozenset(),
            aum_min=self.aum_min.amount(),
            aum_max=self.aum_max.amount(),
        )

    def set_filter(self, filters: CustomerFilter) -> None:
        """Show ``filters`` in the controls and emit it (once)."""
        self._amount_pause.stop()
        self.tier.set_selected(filters.tiers)
        self.risk.set_selected(filters.risk_levels)
        self.tag.set_selected(filters.tags)
        self.rm.set_selected(filters.rm_ids if self.bench.is_team_lead else frozenset())
        self.aum_min.set_amount(filters.aum_min)
        self.aum_max.set_amount(filters.aum_max)
        self.filter_changed.emit(self.current())

    def clear(self) -> None:
        self.saved_box.setCurrentIndex(-1)
        self.delete_button.setEnabled(False)
        self.set_filter(CustomerFilter())

    def apply_amounts_now(self) -> None:
        """Emit a pending amount change at once (Enter in an amount box, tests)."""
        if self._amount_pause.isActive():
            self._amount_pause.stop()
            self._emit()

    def _amount_edited(self) -> None:
        self._amount_pause.start()

    def _emit(self) -> None:
        self._forget_saved_choice()
        self.filter_changed.emit(self.current())

    def _forget_saved_choice(self) -> None:
        # Once the user changes a control, the list no longer shows the saved filter named.
        index = self.saved_box.currentIndex()
        if index >= 0 and self._saved[index].filters != self.current():
            self.saved_box.setCurrentIndex(-1)
            self.delete_button.setEnabled(False)

    # ---- saved filters -----------------------------------------------------------------------

    def saved(self) -> tuple[SavedFilter, ...]:
        return self._saved

    def _fill_saved(self, keep: str = "") -> None:
        self.saved_box.blockSignals(True)
        self.saved_box.clear()
        for saved in self._saved:
            self.saved_box.addItem(saved.name)
        self.saved_box.setCurrentIndex(self.saved_box.findText(keep) if keep else -1)
        self.saved_box.blockSignals(False)
        self._update_buttons()

    def _update_buttons(self) -> None:
        self.save_button.setEnabled(not self._writing)
        self.delete_button.setEnabled(not self._writing and self.saved_box.currentIndex() >= 0)

    def save_current(self) -> None:
        """Ask for a name and save the current filter under it (on the task runner)."""
        if self._writing:
            return
        name = self.ask_name(self, self._refused_name)
        if name is None:
            return
        store, user_id, filters = self.bench.store, self.bench.user.id, self.current()

        def save() -> tuple[SavedFilter, ...]:
            with store.write() as conn:
                return save_filter(conn, user_id, name, filters)

        def saved(result: tuple[SavedFilter, ...]) -> None:
            self._refused_name = ""
            clean = " ".join(name.split())
            # Named as chosen only if the controls still show what was saved.
            self._written(result, keep=clean if filters == self.current() else "")

        def refused(error: BaseException) -> None:
            self._refused_name = name
            self._write_failed(error)

        self._start_writing()
        self.bench.runner.submit(save, saved, refused)

    def choose_saved(self, name: str) -> None:
        """Apply the saved filter ``name`` as if picked from the drop-down."""
        index = self.saved_box.findText(name)
        if index >= 0:
            self.saved_box.setCurrentIndex(index)
            self._apply_saved(index)

    def _apply_saved(self, index: int) -> None:
        if not 0 <= index < len(self._saved):
            return
        self.delete_button.setEnabled(True)
        self.set_filter(self._saved[index].filters)

    def delete_chosen(self) -> None:
        """Delete the saved filter chosen in the drop-down (on the task runner)."""
        index = self.saved_box.currentIndex()
        if self._writing or not 0 <= index < len(self._saved):
            return
        store, user_id, name = self.bench.store, self.bench.user.id, self._saved[index].name

        def delete() -> tuple[SavedFilter, ...]:
            with store.write() as conn:
                return delete_filter(conn, user_id, name)

        self._start_writing()
        self.bench.runner.submit(delete, self._written, self._write_failed)

    def _start_writing(self) -> None:
        self._writing = True
        self._update_buttons()

    def _written(self, saved: tuple[SavedFilter, ...], keep: str = "") -> None:
        self._writing = False
        self._saved = saved
        self._fill_saved(keep)

    def _write_failed(self, error: BaseException) -> None:
        self._writing = False
        self._update_buttons()
        if not isinstance(error, RmDeskError):
            log_failure(log, "a saved filter could not be written", error)
        self.problem.emit(*error_words(error))


__all__ = ["AmountBox", "ChoiceButton", "CustomerFilterBar"]
