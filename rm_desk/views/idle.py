"""Locks the window after the policy's idle minutes without keyboard or mouse input.

How input is observed, and why not with a filter on the application: a filter installed on the
:class:`~PySide6.QtWidgets.QApplication` sees every event of the app (paints, timers, layout
requests, queued signals — 25,000–35,000 in a first sync of a few seconds), and each is a call into
Python that must first win the interpreter lock from the sync threads. That alone kept the GUI
thread away for tens of milliseconds at a time during a sync (``gui_sync_stall``).

So :class:`IdleWatch` filters the app's windows (:class:`~PySide6.QtGui.QWindow`, a top-level
widget's ``windowHandle()``) instead: the platform delivers keyboard, mouse, wheel and touch input
to a window first, which hands it on to its focus widget or the widget under the pointer, so the
filter sees every input a user gives anywhere in the app — the main window, dialogs, message boxes,
menus and popups. A window receives few other events: over a whole ``gui_sync_stall`` run (a first
sync of 20,000 customers and 6 s of idle window, offscreen platform) the window filter was called 6
times (resize, move, expose, paint, enter, close). In four runs interleaved with the application
filter on a loaded 2-core machine: p99 gap during the sync 167/129/125/124 ms against
223/210/141/146 ms, gaps over 50 ms 69/27/34/22 against 54/51/37/29, the GUI thread's CPU
time 0.70–0.87 s against 0.78–1.18 s; the longest gap, the noisiest figure, 307/176/207/492 ms
against 463/300/332/243 ms.

Windows come and go (a dialog, the unlock dialog, a message box, a completer's popup): the watch
covers each new one when it takes the keyboard focus (``QGuiApplication.focusWindowChanged``; menus
and popups do too) and, for a window that never takes it, by looking over the app's windows once a
second while it counts: input in such a window's first second may go unseen.

Not chosen: an application filter that removes itself at the first input and comes back a minute
later (the lock then comes 15 to 16 minutes after the last input) still sees every event whenever
nobody touches the window, as during a sync at start-up; ``sys.setswitchinterval`` is process-wide
and slows the sync threads.

Tests must send input the way the platform does, to the window (``QTest.keyClick(widget.window().
windowHandle(), …)``, ``QTest.mouseClick`` of the window handle): ``QTest``'s key and mouse events
sent to a widget skip its window, and the watch.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtGui import QGuiApplication, QWindow

_INPUT_EVENTS = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
    }
)
SWEEP_MS = 1_000
"""How often the watch looks for windows it does not filter yet (popups that take no focus)."""


class IdleWatch(QObject):
    """Emits :attr:`idle` once ``minutes`` pass with no user input anywhere in the app.

    Signals:
        idle(): Time to lock.
    """

    idle = Signal()

    def __init__(self, minutes: float, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(max(1, int(minutes * 60_000)))
        self._timer.timeout.connect(self._ran_out)
        self._sweep = QTimer(self)
        self._sweep.setInterval(SWEEP_MS)
        self._sweep.timeout.connect(self._watch_windows)
        self._app = QGuiApplication.instance()
        if isinstance(self._app, QGuiApplication):
            self._app.focusWindowChanged.connect(self._watch_window)
        self._watching = True
        self._watch_windows()
        self._timer.start()
        self._sweep.start()

    def restart(self) -> None:
        """Count the idle minutes again from now."""
        if not self._watching:
            return
        self._watch_windows()
        self._timer.start()
        self._sweep.start()

    def pause(self) -> None:
        """Stop counting (while the window is locked); :meth:`restart` counts again."""
        self._timer.stop()
        self._sweep.stop()

    def stop(self) -> None:
        """Stop counting and stop watching the app's input for good."""
        self.pause()
        if not self._watching:
            return
        self._watching = False
        if isinstance(self._app, QGuiApplication):
            self._app.focusWindowChanged.disconnect(self._watch_window)
            for window in QGuiApplication.allWindows():
                window.removeEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _INPUT_EVENTS and self._timer.isActive():
            self._timer.start()
        return False

    def _ran_out(self) -> None:
        self._sweep.stop()  # nothing to count until restart()
        self.idle.emit()

    def _watch_windows(self) -> None:
        # installEventFilter on a window already filtered only moves the filter to the front.
        for window in QGuiApplication.allWindows():
            window.installEventFilter(self)

    def _watch_window(self, window: QWindow | None) -> None:
        if window is not None and self._watching:
            window.installEventFilter(self)


__all__ = ["IdleWatch"]
