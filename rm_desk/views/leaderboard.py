"""The team's leaderboard (业绩龙虎榜): the RMs on one monthly KPI, best first.

Each line shows the RM's place in the team, the value, the target and whether it was met, and
the bank's rank among the branch's RMs with its change on the month before (▲ up, ▼ down).
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from rm_desk.local_store.lists import LeaderRow
from rm_desk.views import formatting
from rm_desk.views.kpi_tiles import BAD, GOOD, MetricSpec, format_value

ROLE_RM_ID = Qt.ItemDataRole.UserRole + 1
"""The RM id of a leaderboard line."""

_Index = QModelIndex | QPersistentModelIndex
_ALIGN_NUMBER = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


def rank_change(row: LeaderRow) -> int | None:
    """Places gained since last month (positive is better), ``None`` without both ranks."""
    if row.rank is None or row.previous_rank is None:
        return None
    return row.previous_rank - row.rank


def met_target(spec: MetricSpec, row: LeaderRow) -> bool | None:
    if row.target is None:
        return None
    return row.value <= row.target if spec.lower_is_better else row.value >= row.target


@dataclass(frozen=True, slots=True)
class _Line:
    row: LeaderRow
    cells: tuple[str, ...]
    met: bool | None
    moved: int | None


class LeaderboardModel(QAbstractTableModel):
    """RMs on one metric, in the order given (best first)."""

    PLACE, RM, VALUE, TARGET, ATTAINMENT, BRANCH_RANK = range(6)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._lines: tuple[_Line, ...] = ()

    def set_rows(
        self, spec: MetricSpec, rows: tuple[LeaderRow, ...], names: dict[str, str]
    ) -> None:
        """Show ``rows`` of ``spec``'s metric (a new metric or month is a new board: a reset)."""
        self.beginResetModel()
        self._lines = tuple(
            self._line(spec, place, row, names) for place, row in enumerate(rows, start=1)
        )
        self.endResetModel()

    def rm_at(self, row: int) -> str:
        return self._lines[row].row.rm_id

    def _line(self, spec: MetricSpec, place: int, row: LeaderRow, names: dict[str, str]) -> _Line:
        met = met_target(spec, row)
        moved = rank_change(row)
        if row.target is None:
            attainment = "—"
        elif spec.lower_is_better:
            attainment = self.tr("Within target") if met else self.tr("Over target")
        elif row.target > 0:
            attainment = formatting.percent(row.value / row.target, decimals=0)
        else:
            attainment = "—"
        if row.rank is None:
            branch = "—"
        elif moved:
            arrow = "▲" if moved > 0 else "▼"
            branch = self.tr("{rank} ({arrow}{places})").format(
                rank=row.rank, arrow=arrow, places=abs(moved)
            )
        else:
            branch = str(row.rank)
        cells = (
            str(place),
            names.get(row.rm_id, row.rm_id),
            format_value(spec, row.value),
            format_value(spec, row.target),
            attainment,
            branch,
        )
        return _Line(row, cells, met, moved)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._lines)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 6

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self._lines):
            return None
        line = self._lines[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return line.cells[column]
        if role == Qt.ItemDataRole.TextAlignmentRole and column not in (self.RM,):
            return int(_ALIGN_NUMBER)
        if role == Qt.ItemDataRole.ForegroundRole:
            return self._color(line, column)
        if role == ROLE_RM_ID:
            return line.row.rm_id
        return None

    def _color(self, line: _Line, column: int) -> QColor | None:
        if column == self.ATTAINMENT and line.met is not None:
            return GOOD if line.met else BAD
        if column == self.BRANCH_RANK and line.moved:
            return GOOD if line.moved > 0 else BAD
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        headers = (
            self.tr("#"),
            self.tr("RM"),
            self.tr("Value"),
            self.tr("Target"),
            self.tr("vs target"),
            self.tr("Branch rank"),
        )
        return headers[section] if 0 <= section < 6 else None


__all__ = ["ROLE_RM_ID", "LeaderboardModel", "met_target", "rank_change"]
