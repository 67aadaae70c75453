"""The rows of the global search popup: :class:`SearchResultsModel` and how a row is painted.

The model holds immutable :class:`~rm_desk.local_store.search_results.SearchResult` rows; each
keystroke replaces the whole list (a new query's hits have nothing in common with the last ones),
so :meth:`SearchResultsModel.set_results` resets the model rather than diffing rows.

Roles are module constants so the popup, its delegate and the tests read the same names. Every
value shown is masked as the cache holds it.
"""

from __future__ import annotations

from typing import Final

from PySide6.QtCore import (
    QAbstractListModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
)
from PySide6.QtGui import QFont, QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from rm_desk.domain.enums import Tier
from rm_desk.local_store.search_results import MatchedOn, SearchResult
from rm_desk.views.customer360.labels import label_of
from rm_desk.views.formatting import money

CUSTOMER_ID_ROLE: Final = int(Qt.ItemDataRole.UserRole) + 1
"""The customer's id (``str``): what Enter opens."""
NAME_ROLE: Final = CUSTOMER_ID_ROLE + 1
TIER_ROLE: Final = CUSTOMER_ID_ROLE + 2
"""The tier, translated (the words of the 360 header and the customer list)."""
MOBILE_ROLE: Final = CUSTOMER_ID_ROLE + 3
"""The masked mobile, or ``""``."""
AUM_ROLE: Final = CUSTOMER_ID_ROLE + 4
"""The AUM formatted for the UI language."""
MATCHED_ROLE: Final = CUSTOMER_ID_ROLE + 5
"""What matched, in words (``by pinyin``)."""
RESULT_ROLE: Final = CUSTOMER_ID_ROLE + 6
"""The whole :class:`SearchResult`."""

_Index = QModelIndex | QPersistentModelIndex


def matched_label(matched: MatchedOn) -> str:
    """What made a row a hit, as a whole phrase (never assembled from translated pieces)."""
    labels = {
        MatchedOn.NAME: QCoreApplication.translate("SearchResultsModel", "by name"),
        MatchedOn.PINYIN: QCoreApplication.translate("SearchResultsModel", "by pinyin"),
        MatchedOn.INITIALS: QCoreApplication.translate("SearchResultsModel", "by initials"),
        MatchedOn.MOBILE: QCoreApplication.translate("SearchResultsModel", "by mobile last 4"),
        MatchedOn.ID_NUMBER: QCoreApplication.translate("SearchResultsModel", "by ID last 4"),
        MatchedOn.ACCOUNT: QCoreApplication.translate("SearchResultsModel", "by account last 4"),
        MatchedOn.DIGITS: QCoreApplication.translate("SearchResultsModel", "by last 4 digits"),
        MatchedOn.TAG: QCoreApplication.translate("SearchResultsModel", "by tag"),
    }
    return labels[matched]


class SearchResultsModel(QAbstractListModel):
    """The hits of the current search text, best first."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rows: tuple[SearchResult, ...] = ()

    # ---- contents --------------------------------------------------------------------------

    def set_results(self, rows: tuple[SearchResult, ...]) -> None:
        """Show ``rows`` instead of the current ones."""
        # A reset, not inserts/removes: each query's hits replace the last ones wholesale.
        self.beginResetModel()
        self._rows = rows
        self.endResetModel()

    def results(self) -> tuple[SearchResult, ...]:
        return self._rows

    def result(self, row: int) -> SearchResult:
        return self._rows[row]

    def retranslate(self) -> None:
        """Re-read every label after the UI language changed."""
        if self._rows:
            self.dataChanged.emit(self.index(0), self.index(len(self._rows) - 1))

    # ---- QAbstractListModel ----------------------------------------------------------------

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self._rows) or index.column() != 0:
            return None
        row = self._rows[index.row()]
        hit = row.hit
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return QCoreApplication.translate(
                "SearchResultsModel", "{name} · {tier} · {mobile} · AUM {aum} · {matched}"
            ).format(
                name=hit.name,
                tier=label_of(Tier, hit.tier),
                mobile=hit.mobile_masked or "—",
                aum=money(row.aum),
                matched=matched_label(row.matched_on),
            )
        if role == CUSTOMER_ID_ROLE:
            return hit.customer_id
        if role == NAME_ROLE:
            return hit.name
        if role == TIER_ROLE:
            return label_of(Tier, hit.tier)
        if role == MOBILE_ROLE:
            return hit.mobile_masked or ""
        if role == AUM_ROLE:
            return money(row.aum)
        if role == MATCHED_ROLE:
            return matched_label(row.matched_on)
        if role == RESULT_ROLE:
            return row
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemNeverHasChildren
        )


class SearchResultDelegate(QStyledItemDelegate):
    """Paints a row as columns: name, tier, masked mobile, AUM (right-aligned), what matched."""

    PAD: Final = 10
    # Right-hand columns, right to left: (role, width, alignment, muted).
    _COLUMNS: Final = (
        (MATCHED_ROLE, 150, Qt.AlignmentFlag.AlignRight, True),
        (AUM_ROLE, 120, Qt.AlignmentFlag.AlignRight, False),
        (MOBILE_ROLE, 120, Qt.AlignmentFlag.AlignLeft, False),
        (TIER_ROLE, 100, Qt.AlignmentFlag.AlignLeft, False),
    )

    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:
        fixed = sum(width for _, width, _, _ in self._COLUMNS)
        line = QFontMetrics(option.font).height()
        return QSize(fixed + 160 + 6 * self.PAD, line * 2)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        self.initStyleOption(option, index)
        # The background (hover, selection) from the style; the text laid out here.
        option.text = ""
        widget = option.widget
        style = widget.style() if widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, option, painter, widget)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        palette = option.palette
        text_role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        text_color = palette.color(text_role)
        muted = text_color if selected else palette.color(QPalette.ColorRole.PlaceholderText)
        middle = Qt.AlignmentFlag.AlignVCenter

        painter.save()
        try:
            rect = option.rect.adjusted(self.PAD, 0, -self.PAD, 0)
            right = rect.right() + 1
            painter.setFont(option.font)
            for role, width, align, is_muted in self._COLUMNS:
                cell = QRect(right - width, rect.top(), width, rect.height())
                painter.setPen(muted if is_muted else text_color)
                painter.drawText(cell, align | middle, str(index.data(role) or "—"))
                right = cell.left() - self.PAD
            bold = QFont(option.font)
            bold.setBold(True)
            name_rect = QRect(rect.left(), rect.top(), right - rect.left(), rect.height())
            name = QFontMetrics(bold).elidedText(
                str(index.data(NAME_ROLE)), Qt.TextElideMode.ElideRight, name_rect.width()
            )
            painter.setFont(bold)
            painter.setPen(text_color)
            painter.drawText(name_rect, Qt.AlignmentFlag.AlignLeft | middle, name)
        finally:
            painter.restore()


__all__ = [
    "AUM_ROLE",
    "CUSTOMER_ID_ROLE",
    "MATCHED_ROLE",
    "MOBILE_ROLE",
    "NAME_ROLE",
    "RESULT_ROLE",
    "TIER_ROLE",
    "SearchResultDelegate",
    "SearchResultsModel",
    "matched_label",
]
