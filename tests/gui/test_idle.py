"""The idle lock: input anywhere in the app — main window or a dialog — restarts the count.

Input is sent the way the platform delivers it, to the window (``QTest`` with the top-level widget's
``windowHandle()``): ``QTest``'s key and mouse events sent to a widget skip its window, and the
watch, where a user's never do.
"""

from __future__ import annotations

import time
from typing import Any

from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMessageBox, QWidget

from rm_desk.views.idle import IdleWatch
from rm_desk.views.main_window import MainWindow
from rm_desk.views.workbench import Workbench

IDLE_MINUTES = 1 / 60  # one second
IDLE_S = IDLE_MINUTES * 60
EARLY_S = 0.1  # a coarse Qt timer may fire up to 5 % early


def _window(qtbot: Any, bench: Workbench) -> MainWindow:
    window = MainWindow(bench)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    return window


def _active(qtbot: Any, widget: QWidget) -> None:
    widget.activateWindow()
    qtbot.waitUntil(widget.isActiveWindow, timeout=5000)


def _key(widget: QWidget) -> float:
    """Presses Shift in ``widget``'s window as a user would; returns when (before the press)."""
    handle = widget.windowHandle()
    assert handle is not None
    at = time.monotonic()
    QTest.keyClick(handle, Qt.Key.Key_Shift)
    return at


def _click(widget: QWidget) -> float:
    """Clicks near ``widget``'s top-left corner through its window; returns when."""
    top = widget.window()
    handle = top.windowHandle()
    assert handle is not None
    at = time.monotonic()
    QTest.mouseClick(handle, Qt.MouseButton.LeftButton, pos=widget.mapTo(top, QPoint(2, 2)))
    return at


def _seconds_to_idle(qtbot: Any, watch: IdleWatch) -> float:
    with qtbot.waitSignal(watch.idle, timeout=int(IDLE_S * 1000) + 5000):
        pass
    return time.monotonic()


def test_no_input_in_the_window_asks_for_the_lock_after_the_idle_minutes(
    qtbot: Any, bench: Workbench
) -> None:
    window = _window(qtbot, bench)
    started = time.monotonic()
    watch = IdleWatch(IDLE_MINUTES, window)
    idle_at = _seconds_to_idle(qtbot, watch)
    assert idle_at - started >= IDLE_S - EARLY_S
    watch.stop()


def test_a_key_and_a_click_in_the_main_window_restart_the_count(
    qtbot: Any, bench: Workbench
) -> None:
    window = _window(qtbot, bench)
    watch = IdleWatch(IDLE_MINUTES, window)
    created = time.monotonic()

    qtbot.wait(600)
    pressed = _key(window)
    idle_at = _seconds_to_idle(qtbot, watch)
    # Uncounted, the lock would have come a second after the watch started.
    assert pressed - created >= 0.5
    assert idle_at - pressed >= IDLE_S - EARLY_S

    watch.restart()  # unlocked
    qtbot.wait(600)
    clicked = _click(window.navigation.viewport())
    idle_at = _seconds_to_idle(qtbot, watch)
    assert idle_at - clicked >= IDLE_S - EARLY_S
    watch.stop()


def test_a_key_and_a_click_in_a_dialog_opened_later_restart_the_count(
    qtbot: Any, bench: Workbench
) -> None:
    window = _window(qtbot, bench)
    watch = IdleWatch(IDLE_MINUTES, window)
    # A new top-level window the watch has never seen, modal as the app's dialogs are.
    box = QMessageBox(QMessageBox.Icon.Information, "RM Desk", "Saved.", parent=window)
    box.setWindowModality(Qt.WindowModality.ApplicationModal)
    box.open()
    qtbot.waitExposed(box)
    _active(qtbot, box)

    qtbot.wait(600)
    pressed = _key(box)
    idle_at = _seconds_to_idle(qtbot, watch)
    assert idle_at - pressed >= IDLE_S - EARLY_S

    watch.restart()
    qtbot.wait(600)
    clicked = _click(box)
    idle_at = _seconds_to_idle(qtbot, watch)
    assert idle_at - clicked >= IDLE_S - EARLY_S
    box.close()
    watch.stop()


def test_input_after_stop_or_while_paused_asks_for_nothing(qtbot: Any, bench: Workbench) -> None:
    window = _window(qtbot, bench)
    watch = IdleWatch(IDLE_MINUTES, window)
    watch.pause()  # locked: input behind the lock does not start a new count
    _key(window)
    with qtbot.assertNotEmitted(watch.idle, wait=int(IDLE_S * 1000) + 300):
        pass
    watch.stop()
    watch.restart()  # the window closed: nothing counts again
    _key(window)
    with qtbot.assertNotEmitted(watch.idle, wait=int(IDLE_S * 1000) + 300):
        pass
