"""Read-only tables over immutable rows: the model base the list screens share, and the view
setup that goes with it.

:class:`RowTableModel` holds a tuple of immutable rows (frozen dataclasses from the store) and the
words of their cells, computed once when the rows arrive rather than on every paint. A subclass
says what its columns are called (:meth:`~RowTableModel.headers`), what a row's cells read
(:meth:`~RowTableModel.cells`) and, when it has any, what else a cell carries
(:meth:`~RowTableModel.role_data`: ids, colours, tooltips). Sorting and filtering belong to a
:class:`~PySide6.QtCore.QSortFilterProxyModel` over it, sorting by :data:`SORT_ROLE`.

Rows arrive one of two ways:

- :meth:`~RowTableModel.set_rows`: a whole new list (another period, another filter): a reset.
- :meth:`~RowTableModel.update_rows`: the same list a moment later (after a write or a sync):
  rows that went are removed, changed ones updated, new ones appended, so the selection and the
  scroll position survive.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

SORT_ROLE = Qt.ItemDataRole.UserRole
"""What a column sorts by (text or a number, never None); the cell's words unless a model says
otherwise."""

COLUMN_PADDING = 24
"""Pixels added to a column fitted to its contents, so cells do not touch."""

ALIGN_NUMBER = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

Index = QModelIndex | QPersistentModelIndex
Row = TypeVar("Row")


@dataclass(frozen=True, slots=True)
class Line(Generic[Row]):
    """A row and the words of its cells."""

    row: Row
    cells: tuple[str, ...]


class RowTableModel(QAbstractTableModel, Generic[Row]):
    """A read-only table over immutable rows; see the module docstring.

    Args:
        columns: How many columns the table shows (a row's :meth:`cells` may hold more: the
            columns a team lead sees, say).
        numeric_columns: Columns aligned right (amounts, counts).
        parent: The owning object.
    """

    def __init__(
        self,
        columns: int,
        *,
        numeric_columns: Iterable[int] = (),
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._columns = columns
        self._numeric = frozenset(numeric_columns)
        self._lines: list[Line[Row]] = []

    # ---- what a subclass says --------------------------------------------------------------

    def headers(self) -> Sequence[str]:
        """The translated header of every column (asked again after a language change)."""
        raise NotImplementedError

    def cells(self, row: Row) -> tuple[str, ...]:
        """What each cell of ``row`` reads, in column order."""
        raise NotImplementedError

    def role_data(self, line: Line[Row], column: int, role: int) -> object:
        """A cell's data for ``role`` other than display, sort and alignment; ``None`` if none."""
        return None

    def sort_value(self, line: Line[Row], column: int) -> object:
        """What ``column`` sorts ``line`` by: its words unless overridden."""
        return line.cells[column]

    # ---- contents --------------------------------------------------------------------------

    def set_rows(self, rows: Iterable[Row]) -> None:
        """Show a whole new list (a reset: nothing of the old list is kept)."""
        lines = [Line(row, self.cells(row)) for row in rows]
        self.beginResetModel()
        self._lines = lines
        self.endResetModel()

    def update_rows(self, rows: Iterable[Row], key: Callable[[Row], Hashable]) -> None:
        """Show ``rows`` in place of the same list: remove the rows that went, update the
        changed ones, append the new (each row known by ``key``)."""
        fresh = {key(row): Line(row, self.cells(row)) for row in rows}
        lines = self._lines
        for position in range(len(lines) - 1, -1, -1):
            if key(lines[position].row) not in fresh:
                self.beginRemoveRows(QModelIndex(), position, position)
                del lines[position]
                self.endRemoveRows()
        last = self._columns - 1
        for position, old in enumerate(lines):
            new = fresh.pop(key(old.row))
            if new != old:
                lines[position] = new
                self.dataChanged.emit(self.index(position, 0), self.index(position, last))
        if fresh:
            start = len(lines)
            self.beginInsertRows(QModelIndex(), start, start + len(fresh) - 1)
            lines.extend(fresh.values())
            self.endInsertRows()

    def rows(self) -> tuple[Row, ...]:
        return tuple(line.row for line in self._lines)

    def row_at(self, row: int) -> Row | None:
        return self._lines[row].row if 0 <= row < len(self._lines) else None

    # ---- QAbstractTableModel ---------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._lines)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else self._columns

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        row, column = index.row(), index.column()
        if not index.isValid() or not (0 <= row < len(self._lines) and 0 <= column < self._columns):
            return None
        line = self._lines[row]
        if role == Qt.ItemDataRole.DisplayRole:
            return line.cells[column]
        if role == SORT_ROLE:
            return self.sort_value(line, column)
        if role == Qt.ItemDataRole.TextAlignmentRole and column in self._numeric:
            return ALIGN_NUMBER
        return self.role_data(line, column, role)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if (
            orientation != Qt.Orientation.Horizontal
            or role != Qt.ItemDataRole.DisplayRole
            or not 0 <= section < self._columns
        ):
            return None
        return self.headers()[section]


def show_read_only_rows(table: QTableView) -> None:
    """Set ``table`` up as the list screens show a table: whole rows, one at a time, no editing,
    and Tab moving on to the next control."""
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setAlternatingRowColors(True)
    table.setTabKeyNavigation(False)  # Tab leaves the table; arrows move in it
    table.verticalHeader().setVisible(False)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setStretchLastSection(True)


def fit_columns(table: QTableView, *, last_too: bool = False) -> None:
    """Fit the columns to their contents, with a little air (the last one stretches unless
    ``last_too``)."""
    table.resizeColumnsToContents()
    header = table.horizontalHeader()
    for column in range(header.count() if last_too else header.count() - 1):
        header.resizeSection(column, header.sectionSize(column) + COLUMN_PADDING)


__all__ = [
    "ALIGN_NUMBER",
    "COLUMN_PADDING",
    "SORT_ROLE",
    "Line",
    "RowTableModel",
    "fit_columns",
    "show_read_only_rows",
]
