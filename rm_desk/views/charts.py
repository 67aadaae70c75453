"""The Charts screen: the RM's KPI tiles, their AUM trend, and a team lead's leaderboard.

An RM sees their own KPIs: a tile per metric (value, target, change on last month, a 13-month
sparkline) and the month-end AUM of the last 13 months against the plan. A team lead starts on
their team's KPIs and has the team's leaderboard (业绩龙虎榜) on a chosen metric beside the
trend; clicking an RM there (or choosing one above) shows that RM's tiles and trend, the first
step of team → RM → customer. Every number comes from the cached KPI table, read as of its last
day, which the screen shows.

pyqtgraph is imported the first time the trend is drawn (:mod:`rm_desk.views.aum_trend`), never
when this module loads, so a cold start does not pay for it; the main window builds this screen
itself only when it is first shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from rm_desk.domain.enums import KpiLevel
from rm_desk.local_store.audit import append_audit
from rm_desk.local_store.lists import kpi_as_of, leaderboard, scope_members, team_name
from rm_desk.local_store.queries import KpiPoint, kpi_series, utc_text
from rm_desk.views import formatting
from rm_desk.views.chart_export import watermarked_image
from rm_desk.views.kpi_labels import metric_label, month_name
from rm_desk.views.kpi_tiles import TILE_METRICS, KpiTile, MetricSpec
from rm_desk.views.leaderboard import ROLE_RM_ID, LeaderboardModel
from rm_desk.views.screen import Screen, screen_heading
from rm_desk.views.workbench import Workbench

if TYPE_CHECKING:
    from rm_desk.views.aum_trend import AumTrendChart

TREND_MONTHS = 13
TILE_COLUMNS = 4


@dataclass(frozen=True, slots=True)
class Subject:
    """Whose KPIs the tiles and the trend show: the RM, or the lead's team or one of its RMs."""

    level: KpiLevel
    id: str
    name: str


def months_back(today: date, months: int) -> date:
    """The first day of the month ``months`` before today's month."""
    index = today.year * 12 + today.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


class ChartsScreen(Screen):
    """The Charts screen of the left navigation (see the module docstring)."""

    def __init__(self, bench: Workbench, parent: QWidget | None = None) -> None:
        super().__init__(bench, parent)
        self.setObjectName("chartsScreen")
        self._subjects: tuple[Subject, ...] = ()
        self._trend: AumTrendChart | None = None
        self._series: dict[str, tuple[KpiPoint, ...]] = {}
        self._as_of: date | None = None

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        outer.addWidget(scroll)
        content = QWidget(scroll)
        scroll.setWidget(content)
        layout = QVBoxLayout(content)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.setSpacing(12)

        header = QHBoxLayout()
        header.addWidget(screen_heading(self.title(), content))
        header.addSpacing(16)
        self.subject_box = QComboBox(content)
        self.subject_box.setObjectName("subjectBox")
        self.subject_box.setAccessibleName(self.tr("Show the KPIs of"))
        self.subject_box.setVisible(bench.is_team_lead)
        # Its items come on the first refresh, after Qt has sized it: follow the contents.
        self.subject_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.subject_box.currentIndexChanged.connect(self._on_subject_chosen)
        header.addWidget(self.subject_box)
        self.subject_label = QLabel(content)
        self.subject_label.setObjectName("subjectLabel")
        self.subject_label.setVisible(not bench.is_team_lead)
        header.addWidget(self.subject_label)
        header.addStretch(1)
        self.as_of_label = QLabel(content)
        self.as_of_label.setObjectName("asOf")
        header.addWidget(self.as_of_label)
        layout.addLayout(header)

        tiles = QGridLayout()
        tiles.setSpacing(10)
        self.tiles: dict[str, KpiTile] = {}
        for position, spec in enumerate(TILE_METRICS):
            tile = KpiTile(spec, content)
            self.tiles[spec.metric] = tile
            tiles.addWidget(tile, position // TILE_COLUMNS, position % TILE_COLUMNS)
        layout.addLayout(tiles)

        charts = QHBoxLayout()
        charts.setSpacing(12)
        charts.addWidget(self._build_trend_panel(content), 3)
        self.leaderboard_panel: QWidget | None = None
        if bench.is_team_lead:
            self.leaderboard_panel = self._build_leaderboard_panel(content)
            charts.addWidget(self.leaderboard_panel, 2)
        layout.addLayout(charts, 1)

    # --- building ------------------------------------------------------------------------------

    def _build_trend_panel(self, parent: QWidget) -> QWidget:
        panel = QFrame(parent)
        panel.setObjectName("trendPanel")
        panel.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QVBoxLayout(panel)
        top = QHBoxLayout()
        self.trend_title = QLabel(self.tr("AUM trend, last 13 months"), panel)
        self.trend_title.setObjectName("sectionHeading")
        bold = self.trend_title.font()
        bold.setBold(True)
        self.trend_title.setFont(bold)
        top.addWidget(self.trend_title)
        top.addStretch(1)
        self.export_button = QPushButton(self.tr("Export PNG…"), panel)
        self.export_button.setAccessibleName(self.tr("Export the AUM trend as a PNG image"))
        self.export_button.clicked.connect(self._choose_export_path)
        top.addWidget(self.export_button)
        layout.addLayout(top)
        # The chart itself comes in _ensure_trend(), on the first refresh: pyqtgraph loads then.
        self._trend_area = QVBoxLayout()
        layout.addLayout(self._trend_area, 1)
        self.export_status = QLabel(panel)
        self.export_status.setObjectName("exportStatus")
        layout.addWidget(self.export_status)
        panel.setMinimumHeight(340)
        return panel

    def _build_leaderboard_panel(self, parent: QWidget) -> QWidget:
        panel = QFrame(parent)
        panel.setObjectName("leaderboardPanel")
        panel.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QVBoxLayout(panel)
        top = QHBoxLayout()
        title = QLabel(self.tr("Team leaderboard"), panel)
        title.setObjectName("sectionHeading")
        bold = title.font()
        bold.setBold(True)
        title.setFont(bold)
        top.addWidget(title)
        top.addStretch(1)
        self.metric_box = QComboBox(panel)
        self.metric_box.setObjectName("leaderboardMetric")
        self.metric_box.setAccessibleName(self.tr("Leaderboard metric"))
        for spec in TILE_METRICS:
            self.metric_box.addItem(metric_label(spec.metric), spec.metric)
        self.metric_box.currentIndexChanged.connect(self._refresh_leaderboard)
        top.addWidget(self.metric_box)
        layout.addLayout(top)
        self.leaderboard_model = LeaderboardModel(self)
        self.leaderboard_table = QTableView(panel)
        self.leaderboard_table.setObjectName("leaderboardTable")
        self.leaderboard_table.setAccessibleName(self.tr("Team leaderboard"))
        self.leaderboard_table.setModel(self.leaderboard_model)
        self.leaderboard_table.setTabKeyNavigation(False)  # Tab leaves the table; arrows move in it
        self.leaderboard_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.leaderboard_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.leaderboard_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.leaderboard_table.verticalHeader().setVisible(False)
        header = self.leaderboard_table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(LeaderboardModel.RM, QHeaderView.ResizeMode.Stretch)
        self.leaderboard_table.setToolTip(self.tr("Click an RM to show their KPIs and trend"))
        self.leaderboard_table.clicked.connect(self._on_leader_clicked)
        layout.addWidget(self.leaderboard_table, 1)
        self.leaderboard_month = QLabel(panel)
        self.leaderboard_month.setObjectName("leaderboardMonth")
        layout.addWidget(self.leaderboard_month)
        return panel

    def _ensure_trend(self) -> AumTrendChart:
        if self._trend is None:
            from rm_desk.views.aum_trend import AumTrendChart

            self._trend = AumTrendChart(self)
            self._trend_area.addWidget(self._trend)
            # Made after the leaderboard: put it back after its export button in Tab's order.
            QWidget.setTabOrder(self.export_button, self._trend.plot_widget)
        return self._trend

    # --- what it shows -------------------------------------------------------------------------

    def title(self) -> str:
        return self.tr("Charts")

    @property
    def subject(self) -> Subject | None:
        if not self._subjects:
            return None
        if not self.bench.is_team_lead:
            return self._subjects[0]
        return self._subjects[max(0, self.subject_box.currentIndex())]

    @property
    def trend(self) -> AumTrendChart | None:
        """The trend chart, once drawn."""
        return self._trend

    def show_subject(self, subject_id: str) -> None:
        """Show the tiles and trend of the team or one of its RMs (a team lead's choice)."""
        for position, subject in enumerate(self._subjects):
            if subject.id == subject_id:
                self.subject_box.setCurrentIndex(position)
                return

    def refresh(self) -> None:
        if not self._subjects:
            self._subjects = self._read_subjects()
            self.subject_box.blockSignals(True)
            self.subject_box.clear()
            for subject in self._subjects:
                self.subject_box.addItem(self._subject_text(subject), subject.id)
            self.subject_box.blockSignals(False)
        self._refresh_subject()
        self._refresh_leaderboard()

    def _read_subjects(self) -> tuple[Subject, ...]:
        bench, user = self.bench, self.bench.user
        if not bench.is_team_lead or not user.team_id:
            return (Subject(KpiLevel.RM, user.id, user.name or user.id),)
        with bench.store.read() as conn:
            team = team_name(conn, user.team_id) or user.team_id
            members = scope_members(conn, user_id=user.id, team_id=user.team_id, team_lead=True)
        rms = [Subject(KpiLevel.RM, m.id, m.name) for m in members if m.id != user.id]
        return (Subject(KpiLevel.TEAM, user.team_id, team), *rms)

    def _subject_text(self, subject: Subject) -> str:
        if subject.level is KpiLevel.TEAM:
            return self.tr("Team: {team}").format(team=subject.name)
        return subject.name

    def _refresh_subject(self) -> None:
        subject = self.subject
        if subject is None:
            return
        start = months_back(self.bench.today(), TREND_MONTHS - 1)
        with self.bench.store.read() as conn:
            self._series = {
                spec.metric: kpi_series(
                    conn,
                    level=subject.level.value,
                    subject_id=subject.id,
                    metric=spec.metric,
                    period="month",
                    start=start,
                )
                for spec in TILE_METRICS
            }
            self._as_of = kpi_as_of(conn, level=subject.level.value, subject_id=subject.id)
        for metric, tile in self.tiles.items():
            tile.set_points(self._series[metric])
        self.subject_label.setText(subject.name)
        if self._as_of is None:
            self.as_of_label.setText(self.tr("No KPI figures on this computer yet"))
        else:
            self.as_of_label.setText(self.tr("As of {day}").format(day=formatting.day(self._as_of)))
        self._ensure_trend().set_points(self._series["aum"])
        self.trend_title.setText(
            self.tr("AUM trend, last 13 months — {subject}").format(
                subject=self._subject_text(subject)
            )
        )

    def _refresh_leaderboard(self) -> None:
        if self.leaderboard_panel is None or not self._subjects:
            return
        spec = self._chosen_metric()
        rms = {s.id: s.name for s in self._subjects if s.level is KpiLevel.RM}
        with self.bench.store.read() as conn:
            rows = leaderboard(conn, rm_ids=rms, metric=spec.metric)
        self.leaderboard_model.set_rows(spec, rows, rms)
        if rows:
            self.leaderboard_month.setText(
                self.tr(
                    "{metric}, {month}. Branch rank: place among all RMs of the branch."
                ).format(metric=metric_label(spec.metric), month=month_name(rows[0].month))
            )
        else:
            self.leaderboard_month.setText(self.tr("No figures for this metric yet"))

    def _chosen_metric(self) -> MetricSpec:
        metric = self.metric_box.currentData()
        return next((s for s in TILE_METRICS if s.metric == metric), TILE_METRICS[0])

    def _on_subject_chosen(self, position: int) -> None:
        if position >= 0 and self._subjects:
            self._refresh_subject()

    def _on_leader_clicked(self, index: QModelIndex) -> None:
        rm_id = index.data(ROLE_RM_ID)
        if rm_id:
            self.show_subject(rm_id)

    # --- export --------------------------------------------------------------------------------

    def _choose_export_path(self) -> None:
        default = f"aum-trend-{self.bench.today().isoformat()}.png"
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("Export chart"), default, self.tr("PNG images (*.png)")
        )
        if path:
            self.export_trend_png(Path(path))

    def export_trend_png(self, path: Path) -> None:
        """Write the trend chart, watermarked, to ``path`` and audit the export.

        The picture is taken on the GUI thread (widgets live there); encoding and writing the
        file, and the audit event, happen on the task runner (a write to the cache may wait for a
        sync page to commit). A file whose audit event could not be written is removed: no
        export without its audit.
        """
        bench = self.bench
        image = watermarked_image(
            self._ensure_trend(),
            user_id=bench.user.id,
            device_id=bench.device_id,
            clock=bench.clock,
        )
        subject = self.subject

        def write() -> bool:
            # PySide6's stub asks for bytes, but only a str format is accepted at run time.
            if not image.save(str(path), "PNG"):  # type: ignore[call-overload]
                return False
            try:
                with bench.store.write() as conn:
                    append_audit(
                        conn,
                        ts=utc_text(bench.clock()),
                        action="export",
                        user_id=bench.user.id,
                        device_id=bench.device_id,
                        entity="kpi",
                        record_id=subject.id if subject else None,
                        detail={"format": "png", "chart": "aum_trend"},
                    )
            except Exception:
                path.unlink(missing_ok=True)
                raise
            return True

        def written(ok: bool) -> None:
            if not ok:
                self._export_failed()
                return
            self.export_status.setText(self.tr("Exported to {file}").format(file=path.name))

        bench.runner.submit(write, written, lambda _error: self._export_failed())

    def _export_failed(self) -> None:
        QMessageBox.warning(
            self,
            self.tr("Chart not exported"),
            self.tr("The image could not be written there. Choose another folder and try again."),
        )


__all__ = ["ChartsScreen", "Subject", "months_back"]
