"""The pieces every screen stands on: the task runner, the sync bridge, formatters, watermark."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from PySide6.QtWidgets import QDialog, QWidget

from rm_desk.domain.enums import SyncPhase
from rm_desk.local_store.queries import count_rows
from rm_desk.sync.events import Progress, StatusChanged, SyncStatus
from rm_desk.views import formatting
from rm_desk.views.bridge import SyncBridge
from rm_desk.views.runner import TaskRunner
from rm_desk.views.watermark import Watermark, watermark_line
from rm_desk.views.workbench import Workbench


def test_fixture_cache_holds_the_rms_synced_book(bench: Workbench) -> None:
    with bench.store.read() as conn:
        counts = count_rows(conn, ["customer", "account", "task"])
    assert counts["customer"] > 0 and counts["account"] > 0 and counts["task"] > 0
    assert bench.user.id == "rm001"


def test_task_result_arrives_on_the_gui_thread(qtbot: Any) -> None:
    runner = TaskRunner()
    gui = threading.get_ident()
    seen: list[tuple[int, int]] = []
    worker_threads: list[int] = []

    def work() -> int:
        worker_threads.append(threading.get_ident())
        return 42

    runner.submit(work, lambda value: seen.append((value, threading.get_ident())))
    qtbot.waitUntil(lambda: bool(seen), timeout=5000)
    assert seen == [(42, gui)]
    assert worker_threads and worker_threads[0] != gui


def test_task_failure_without_handler_reaches_the_failed_signal(qtbot: Any) -> None:
    runner = TaskRunner()

    def work() -> None:
        raise RuntimeError("boom")

    with qtbot.waitSignal(runner.failed, timeout=5000) as blocker:
        runner.submit(work)
    assert isinstance(blocker.args[0], RuntimeError)


def _status(success: datetime | None) -> SyncStatus:
    return SyncStatus(SyncPhase.IDLE, True, success, success, 0, 0, 0)


def test_bridge_delivers_worker_events_on_gui_thread_and_coalesces_changes(qtbot: Any) -> None:
    bridge = SyncBridge()
    statuses: list[SyncStatus] = []
    bridge.status_changed.connect(statuses.append)
    changed: list[int] = []
    bridge.data_changed.connect(lambda: changed.append(1))

    def from_worker() -> None:
        bridge.on_event(StatusChanged(_status(None)))
        for done in range(5):
            bridge.on_event(Progress(SyncPhase.PULLING, done, 5))
        bridge.on_event(StatusChanged(_status(datetime(2026, 11, 20, tzinfo=UTC))))

    thread = threading.Thread(target=from_worker)
    thread.start()
    thread.join()
    qtbot.waitUntil(lambda: len(statuses) == 2, timeout=5000)
    qtbot.waitUntil(lambda: bool(changed), timeout=5000)
    qtbot.wait(300)
    assert changed == [1]
    assert bridge.last_status == statuses[-1]


@pytest.mark.parametrize(
    ("amount", "zh", "en"),
    [
        (Decimal("1285000.00"), "¥128.50万", "¥1,285,000"),
        (Decimal("350000000"), "¥3.50亿", "¥350,000,000"),
        (Decimal("820.5"), "¥820.50", "¥820.50"),
        (Decimal("-56000"), "-¥5.60万", "-¥56,000"),
        (None, "—", "—"),
    ],
)
def test_money_reads_in_wan_for_chinese_and_grouped_for_english(
    amount: Decimal | None, zh: str, en: str
) -> None:
    assert formatting.money(amount, "zh") == zh
    assert formatting.money(amount, "en") == en


def test_dates_follow_the_language() -> None:
    moment = datetime(2026, 11, 21, 17, 5, tzinfo=UTC)  # 01:05 on the 22nd in Beijing
    assert formatting.moment(moment, "zh") == "2026年11月22日 01:05"
    assert formatting.moment(moment, "en") == "22 Nov 2026 01:05"


def test_watermark_names_user_device_and_beijing_minute(qtbot: Any) -> None:
    host = QWidget()
    qtbot.addWidget(host)
    host.resize(400, 300)
    moment = datetime(2026, 11, 20, 1, 30, tzinfo=UTC)
    mark = Watermark(host, "rm001", "pc-17", lambda: moment)
    assert mark.text() == "rm001 · pc-17 · 2026-11-20 09:30"
    assert watermark_line("rm001", "pc-17", moment) == mark.text()
    host.resize(800, 500)
    host.show()
    qtbot.waitExposed(host)
    assert mark.geometry() == host.rect()
    image = host.grab().toImage()
    assert image.width() == 800


def test_a_watermarked_screen_inside_a_watermarked_window_paints_one_mark(qtbot: Any) -> None:
    now = datetime(2026, 11, 20, 1, 30, tzinfo=UTC)
    window = QWidget()
    qtbot.addWidget(window)
    window.resize(600, 400)
    screen = QWidget(window)
    screen.resize(600, 400)
    outer = Watermark(window, "rm001", "pc-17", lambda: now)
    inner = Watermark(screen, "rm001", "pc-17", lambda: now)
    window.show()
    qtbot.waitExposed(window)
    assert inner.covered_by_ancestor() and not outer.covered_by_ancestor()
    outer.hide()
    assert not inner.covered_by_ancestor()


def test_a_dialog_over_a_watermarked_screen_paints_its_own_mark(qtbot: Any) -> None:
    now = datetime(2026, 11, 20, 1, 30, tzinfo=UTC)
    window = QWidget()
    qtbot.addWidget(window)
    screen = QWidget(window)
    Watermark(window, "rm001", "pc-17", lambda: now)
    dialog = QDialog(screen)  # a window of its own, drawn apart from the screen under it
    dialog_mark = Watermark(dialog, "rm001", "pc-17", lambda: now)
    window.show()
    dialog.show()
    qtbot.waitExposed(dialog)
    assert not dialog_mark.covered_by_ancestor()
    marked = dialog.grab().toImage()
    dialog_mark.hide()
    assert marked != dialog.grab().toImage()  # the mark's pixels are there


def test_the_watermark_paints_its_line_and_follows_the_minute(qtbot: Any) -> None:
    moment = [datetime(2026, 11, 20, 1, 30, tzinfo=UTC)]
    host = QWidget()
    qtbot.addWidget(host)
    host.resize(500, 300)
    mark = Watermark(host, "rm001", "pc-17", lambda: moment[0])
    host.show()
    qtbot.waitExposed(host)
    first = host.grab().toImage()
    plain = QWidget()
    qtbot.addWidget(plain)
    plain.resize(500, 300)
    plain.show()
    qtbot.waitExposed(plain)
    assert first != plain.grab().toImage()  # something is drawn over the window
    moment[0] = datetime(2026, 11, 20, 1, 31, tzinfo=UTC)
    mark.update()
    assert host.grab().toImage() != first  # the next minute paints the new time
