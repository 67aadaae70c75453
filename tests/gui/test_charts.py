"""The Charts screen over a real synced cache: tiles, the AUM trend, the leaderboard, export."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QAbstractButton, QComboBox, QLabel, QWidget
from sqlalchemy import select

from rm_desk.domain.masking import contains_unmasked
from rm_desk.errors import StoreError
from rm_desk.local_store import schema
from rm_desk.local_store.lists import kpi_as_of
from rm_desk.local_store.queries import kpi_series
from rm_desk.views import charts, formatting
from rm_desk.views.chart_export import watermarked_image
from rm_desk.views.charts import TREND_MONTHS, ChartsScreen, months_back
from rm_desk.views.kpi_tiles import TILE_METRICS, format_value
from rm_desk.views.leaderboard import LeaderboardModel
from rm_desk.views.workbench import Workbench
from tests.gui.conftest import StoreWrites, WorkerThreadRunner

REPO = Path(__file__).resolve().parents[2]


def _shown(qtbot: Any, bench: Workbench) -> ChartsScreen:
    screen = ChartsScreen(bench)
    qtbot.addWidget(screen)
    screen.resize(1200, 800)
    screen.show()
    qtbot.waitExposed(screen)
    return screen


def _series(bench: Workbench, level: str, subject: str, metric: str) -> tuple[Any, ...]:
    with bench.store.read() as conn:
        return kpi_series(
            conn,
            level=level,
            subject_id=subject,
            metric=metric,
            period="month",
            start=months_back(bench.today(), TREND_MONTHS - 1),
        )


def _texts(screen: QWidget) -> list[str]:
    texts = [w.text() for w in screen.findChildren(QLabel)]
    texts += [w.text() for w in screen.findChildren(QAbstractButton)]
    texts += [w.toolTip() for w in screen.findChildren(QWidget)]
    for box in screen.findChildren(QComboBox):
        texts += [box.itemText(i) for i in range(box.count())]
    return texts


def _distinct_colors(image: QImage, step: int = 7) -> int:
    return len(
        {
            image.pixel(x, y)
            for x in range(0, image.width(), step)
            for y in range(0, image.height(), step)
        }
    )


def test_importing_the_charts_screen_does_not_load_pyqtgraph() -> None:
    probe = "import sys, rm_desk.views.charts; print('pyqtgraph' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=REPO, check=True
    )
    assert result.stdout.strip() == "False"


def test_trend_chart_is_built_only_when_the_screen_is_first_shown(
    qtbot: Any, bench: Workbench
) -> None:
    screen = ChartsScreen(bench)
    qtbot.addWidget(screen)
    assert screen.trend is None

    screen.show()
    qtbot.waitExposed(screen)

    assert screen.trend is not None


@pytest.mark.parametrize(
    ("user", "level", "subject"), [("rm001", "rm", "rm001"), ("lead01", "team", "tm-01")]
)
def test_tiles_show_the_latest_kpi_values_and_the_trend_13_months_of_aum(
    qtbot: Any, make_bench: Callable[..., Workbench], user: str, level: str, subject: str
) -> None:
    bench = make_bench(user)
    screen = _shown(qtbot, bench)

    for spec in TILE_METRICS:
        series = _series(bench, level, subject, spec.metric)
        tile = screen.tiles[spec.metric]
        assert series, spec.metric
        assert tile.value_label.text() == format_value(spec, series[-1].value), spec.metric
        assert tile.sparkline.values() == tuple(float(p.value) for p in series)
        assert "vs last month" in tile.change_label.text() or (
            tile.change_label.text() == "Same as last month"
        )
    aum = _series(bench, level, subject, "aum")
    assert screen.trend is not None
    assert len(screen.trend.points()) == TREND_MONTHS
    assert screen.trend.points() == aum[-TREND_MONTHS:]
    with bench.store.read() as conn:
        as_of = kpi_as_of(conn, level=level, subject_id=subject)
    assert as_of is not None
    assert screen.as_of_label.text() == f"As of {formatting.day(as_of)}"


def test_rm_has_no_leaderboard_and_no_subject_choice(qtbot: Any, bench: Workbench) -> None:
    screen = _shown(qtbot, bench)

    assert screen.leaderboard_panel is None
    assert not screen.subject_box.isVisible()
    assert screen.subject_label.text() == bench.user.name


def test_leaderboard_ranks_the_team_and_passes_the_model_tester(
    qtbot: Any, qtmodeltester: Any, make_bench: Callable[..., Workbench]
) -> None:
    bench = make_bench("lead01")
    screen = _shown(qtbot, bench)
    model = screen.leaderboard_model
    qtmodeltester.check(model)
    qtmodeltester.check(LeaderboardModel())
    k = schema.kpi
    with bench.store.read() as conn:
        latest = conn.execute(
            select(k.c.subject_id, k.c.value, k.c.rank)
            .where(k.c.level == "rm", k.c.metric == "aum", k.c.period == "month")
            .where(k.c.date == "2026-11-01")
            .order_by(k.c.rank)
        ).all()

    assert [model.rm_at(r) for r in range(model.rowCount())] == [r.subject_id for r in latest]
    assert model.index(0, LeaderboardModel.PLACE).data() == "1"
    assert model.index(0, LeaderboardModel.BRANCH_RANK).data().startswith(str(latest[0].rank))

    screen.metric_box.setCurrentIndex(screen.metric_box.findData("visits"))
    assert model.rowCount() == len(latest)
    assert screen.leaderboard_month.text().startswith("Visits, Nov 2026")


def test_clicking_an_rm_on_the_leaderboard_shows_their_kpis(
    qtbot: Any, make_bench: Callable[..., Workbench]
) -> None:
    bench = make_bench("lead01")
    screen = _shown(qtbot, bench)
    model = screen.leaderboard_model
    second = model.index(1, LeaderboardModel.RM)
    rm_id = model.rm_at(1)

    screen.leaderboard_table.clicked.emit(second)

    assert screen.subject is not None and screen.subject.id == rm_id
    aum = _series(bench, "rm", rm_id, "aum")
    spec = TILE_METRICS[0]
    assert screen.tiles["aum"].value_label.text() == format_value(spec, aum[-1].value)
    assert screen.trend is not None and screen.trend.points() == aum[-TREND_MONTHS:]
    assert second.data() in screen.trend_title.text()


def test_the_exports_audit_event_is_written_off_the_gui_thread(
    qtbot: Any, make_bench: Callable[..., Workbench], tmp_path: Path
) -> None:
    bench = make_bench(runner=WorkerThreadRunner())
    screen = _shown(qtbot, bench)

    with StoreWrites() as writes:
        screen.export_trend_png(tmp_path / "trend.png")

    assert writes.gui_thread_statements() == []
    written = [what.replace('"', "") for what in writes.off_gui_thread_to(bench.store)]
    assert written == ["INSERT INTO audit_log"]
    assert screen.export_status.text() == "Exported to trend.png"


def test_an_export_whose_audit_cannot_be_written_leaves_no_file(
    qtbot: Any, bench: Workbench, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    screen = _shown(qtbot, bench)
    target = tmp_path / "trend.png"
    warned: list[str] = []
    monkeypatch.setattr(
        charts.QMessageBox, "warning", lambda _parent, title, _text: warned.append(title)
    )

    def refused(*_args: Any, **_kwargs: Any) -> None:
        raise StoreError("The local cache could not complete the operation.")

    monkeypatch.setattr(charts, "append_audit", refused)
    screen.export_trend_png(target)

    assert warned == ["Chart not exported"]
    assert not target.exists()
    assert screen.export_status.text() == ""


def test_exported_png_carries_the_watermark_and_is_audited(
    qtbot: Any, bench: Workbench, tmp_path: Path
) -> None:
    screen = _shown(qtbot, bench)
    target = tmp_path / "trend.png"

    screen.export_trend_png(target)

    exported = QImage(str(target))
    assert not exported.isNull()
    assert _distinct_colors(exported) > 10, "a chart, not a blank image"
    assert screen.trend is not None
    plain = screen.trend.grab().toImage().convertToFormat(exported.format())
    assert exported.height() > plain.height(), "a footer for the watermark line"
    changed = sum(
        1
        for x in range(0, plain.width(), 2)
        for y in range(0, plain.height(), 2)
        if plain.pixel(x, y) != exported.pixel(x, y)
    )
    assert changed > 200, "the diagonal watermark is painted over the chart"
    footer = exported.copy(0, plain.height(), exported.width(), exported.height() - plain.height())
    assert _distinct_colors(footer, step=1) > 1, "the watermark line is written in the footer"
    with bench.store.read() as conn:
        events = conn.execute(select(schema.audit_log.c.action, schema.audit_log.c.user_id)).all()
    assert ("export", "rm001") in [tuple(e) for e in events]
    assert screen.export_status.text() == "Exported to trend.png"


def test_watermark_follows_the_user_and_the_clock(qtbot: Any, bench: Workbench) -> None:
    screen = _shown(qtbot, bench)
    assert screen.trend is not None
    mine = watermarked_image(screen.trend, user_id="rm001", device_id="d1", clock=bench.clock)
    theirs = watermarked_image(screen.trend, user_id="rm999", device_id="d1", clock=bench.clock)

    assert mine.size() == theirs.size()
    assert mine != theirs


@pytest.mark.parametrize("user", ["rm001", "lead01"])
def test_no_unmasked_personal_numbers_on_the_charts_screen(
    qtbot: Any, make_bench: Callable[..., Workbench], user: str
) -> None:
    screen = _shown(qtbot, make_bench(user))
    texts = _texts(screen)
    if screen.leaderboard_panel is not None:
        model = screen.leaderboard_model
        texts += [
            str(model.index(r, c).data())
            for r in range(model.rowCount())
            for c in range(model.columnCount())
        ]
    assert texts and not any(contains_unmasked(t) for t in texts)
