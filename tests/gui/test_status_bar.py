"""The status bar's sync progress: the first page at once, then paced, hidden when the sync ends."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QObject

from rm_desk.domain.enums import SyncPhase
from rm_desk.sync.events import Progress, StatusChanged, SyncStatus
from rm_desk.views.main_window import MainWindow
from rm_desk.views.status_bar import PROGRESS_REFRESH_MS, SyncStatusBar
from rm_desk.views.workbench import Workbench


class _Paints(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.count += 1
        return False


def _bar(qtbot: Any, bench: Workbench) -> SyncStatusBar:
    window = MainWindow(bench)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    bar = window.statusBar()
    assert isinstance(bar, SyncStatusBar)
    return bar


def test_progress_shows_the_first_page_at_once_and_the_latest_page_soon_after(
    qtbot: Any, bench: Workbench
) -> None:
    bar = _bar(qtbot, bench)
    paints = _Paints()
    bar.progress.installEventFilter(paints)
    pulling = SyncStatus(SyncPhase.PULLING, True, None, None, 0, 0, 0)
    bench.bridge.on_event(StatusChanged(pulling))

    bench.bridge.on_event(Progress(SyncPhase.PULLING, 500, 20_000))
    assert bar.progress.isVisible()
    assert (bar.progress.maximum(), bar.progress.value()) == (20_000, 500)

    # Pages landing faster than the bar moves: the bar waits, then shows the latest one.
    for done in range(1_000, 10_001, 500):
        bench.bridge.on_event(Progress(SyncPhase.PULLING, done, 20_000))
    assert bar.progress.value() == 500
    painted = paints.count
    qtbot.waitUntil(lambda: bar.progress.value() == 10_000, timeout=PROGRESS_REFRESH_MS * 4)
    qtbot.waitUntil(lambda: paints.count > painted, timeout=2000)  # and it is drawn

    # No estimate yet: a busy bar.
    bench.bridge.on_event(Progress(SyncPhase.PULLING, 0, 0))
    qtbot.waitUntil(lambda: bar.progress.maximum() == 0, timeout=PROGRESS_REFRESH_MS * 4)


def test_progress_hides_when_the_sync_ends_and_a_page_still_due_does_not_bring_it_back(
    qtbot: Any, bench: Workbench
) -> None:
    bar = _bar(qtbot, bench)
    bench.bridge.on_event(Progress(SyncPhase.PULLING, 100, 1_000))
    bench.bridge.on_event(Progress(SyncPhase.PULLING, 1_000, 1_000))  # due later
    assert bar.progress.isVisible()

    done = SyncStatus(SyncPhase.IDLE, True, None, None, 0, 0, 0)
    bench.bridge.on_event(StatusChanged(done))
    assert not bar.progress.isVisible()
    qtbot.wait(PROGRESS_REFRESH_MS * 2)
    assert not bar.progress.isVisible()

    # The next sync's first page shows at once again.
    bench.bridge.on_event(Progress(SyncPhase.PULLING, 10, 1_000))
    assert bar.progress.isVisible() and bar.progress.value() == 10
