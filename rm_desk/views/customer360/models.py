"""The table model every tab of the 360 view uses: immutable rows, one :class:`Column` per column.

A tab describes its columns once (header, text, alignment, tooltip, colour) and hands rows to
:meth:`RowsModel.set_rows` (a new customer: a reset) or :meth:`RowsModel.append_rows` (older
transactions: inserted rows). The row object and its id are available under :data:`ROW_ROLE` and
:data:`ID_ROLE` for click-through.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QBrush, QColor, QFont

ROW_ROLE = Qt.ItemDataRole.UserRole + 1
"""The row object (a frozen dataclass or entity) of an index."""
ID_ROLE = Qt.ItemDataRole.UserRole + 2
"""The record id of an index's row."""

Index = QModelIndex | QPersistentModelIndex

WARNING = QColor("#b42318")
"""Red for what needs attention (expired, overdue, unsuitable)."""
GOOD = QColor("#1a7f37")
MUTED = QColor("#6b7280")


@dataclass(frozen=True, slots=True)
class Column:
    """One column of a :class:`RowsModel`.

    Attributes:
        header: The translated header.
        text: The cell's text for a row.
        numeric: Right-aligned (amounts, counts).
        tooltip: The cell's tooltip for a row, or ``None``; never holds a full C2 value.
        color: The text colour for a row, or ``None`` for the default.
        bold: Whether the cell's text is bold for a row.
    """

    header: str
    text: Callable[[Any], str]
    numeric: bool = False
    tooltip: Callable[[Any], str | None] | None = None
    color: Callable[[Any], QColor | None] | None = None
    bold: Callable[[Any], bool] | None = None


class RowsModel(QAbstractTableModel):
    """A read-only table over a tuple of immutable rows."""

    def __init__(
        self,
        columns: Sequence[Column],
        id_of: Callable[[Any], str],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._columns = tuple(columns)
        self._id_of = id_of
        self._rows: tuple[Any, ...] = ()

    # --- content ---------------------------------------------------------------------------------

    def set_rows(self, rows: Sequence[Any]) -> None:
        """Show other rows (another customer, a new filter)."""
        self.beginResetModel()
        self._rows = tuple(rows)
        self.endResetModel()

    def append_rows(self, rows: Sequence[Any]) -> None:
        """Add rows at the end (the next page)."""
        if not rows:
            return
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)
        self._rows = self._rows + tuple(rows)
        self.endInsertRows()

    def rows(self) -> tuple[Any, ...]:
        return self._rows

    def row_at(self, row: int) -> Any:
        return self._rows[row]

    def column_count(self) -> int:
        return len(self._columns)

    # --- QAbstractTableModel ---------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        column = self._columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.text(row)
        if role == Qt.ItemDataRole.ToolTipRole and column.tooltip is not None:
            return column.tooltip(row)
        if role == Qt.ItemDataRole.ForegroundRole and column.color is not None:
            color = column.color(row)
            return QBrush(color) if color is not None else None
        if role == Qt.ItemDataRole.FontRole and column.bold is not None and column.bold(row):
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.TextAlignmentRole:
            horizontal = (
                Qt.AlignmentFlag.AlignRight if column.numeric else Qt.AlignmentFlag.AlignLeft
            )
            return int(horizontal | Qt.AlignmentFlag.AlignVCenter)
        if role == ROW_ROLE:
            return row
        if role == ID_ROLE:
            return self._id_of(row)
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(self._columns)
        ):
            return self._columns[section].header
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


__all__ = ["GOOD", "ID_ROLE", "MUTED", "ROW_ROLE", "WARNING", "Column", "RowsModel"]
