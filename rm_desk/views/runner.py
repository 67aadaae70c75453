"""Work off the GUI thread, with its result or its error delivered back on the GUI thread.

Every screen that needs more than a short cache read (a network call, an export, a big query)
hands a callable to :class:`TaskRunner`. The callable runs on a pool thread; ``done`` or
``failed`` then runs on the GUI thread. A failure is never swallowed: without a ``failed``
handler it goes to the runner's :attr:`TaskRunner.failed` signal, which the main window shows.

Tests use :class:`InlineTaskRunner`, which runs the callable at once on the calling thread and
delivers through the same signals, so a test reads like the user's story without waiting.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

from rm_desk.logs import log_failure

log = logging.getLogger(__name__)

T = TypeVar("T")
Done = Callable[[Any], None]
Failed = Callable[[BaseException], None]


class _Delivery(QObject):
    """Carries one task's outcome to the GUI thread (it lives there; the signal is queued)."""

    finished = Signal(object, object)  # result, error


class _Job(QRunnable):
    def __init__(self, work: Callable[[], Any], delivery: _Delivery) -> None:
        super().__init__()
        self._work = work
        self._delivery = delivery

    def run(self) -> None:
        try:
            result = self._work()
        except BaseException as error:  # delivered to the GUI thread, never lost
            self._delivery.finished.emit(None, error)
        else:
            self._delivery.finished.emit(result, None)


class TaskRunner(QObject):
    """Runs callables on a thread pool and hands their outcome to the GUI thread.

    Signals:
        failed(title, message): A task failed and its caller gave no ``failed`` handler.
        busy_changed(bool): Whether any task is running (for a busy indicator).
    """

    failed = Signal(object)
    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None, *, max_threads: int = 2) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(max_threads)
        self._pending: set[_Delivery] = set()

    def submit(
        self,
        work: Callable[[], T],
        done: Callable[[T], None] | None = None,
        failed: Failed | None = None,
    ) -> None:
        """Run ``work`` off the GUI thread; then ``done(result)`` or ``failed(error)`` on it."""
        delivery = _Delivery()
        delivery.moveToThread(self.thread())
        self._pending.add(delivery)
        if len(self._pending) == 1:
            self.busy_changed.emit(True)

        @Slot(object, object)
        def deliver(result: Any, error: BaseException | None) -> None:
            self._pending.discard(delivery)
            if not self._pending:
                self.busy_changed.emit(False)
            delivery.deleteLater()
            self._deliver(result, error, done, failed)

        delivery.finished.connect(deliver)
        self._pool.start(_Job(work, delivery))

    def _deliver(
        self, result: Any, error: BaseException | None, done: Done | None, failed: Failed | None
    ) -> None:
        if error is None:
            if done is not None:
                done(result)
            return
        if failed is not None:
            failed(error)
            return
        log_failure(log, "a background task failed", error)
        self.failed.emit(error)

    def wait(self, msecs: int = 30_000) -> bool:
        """Wait for every running task (shutdown and tests); True when all finished."""
        return self._pool.waitForDone(msecs)


class InlineTaskRunner(TaskRunner):
    """Runs each task at once on the calling thread (GUI tests)."""

    def submit(
        self,
        work: Callable[[], T],
        done: Callable[[T], None] | None = None,
        failed: Failed | None = None,
    ) -> None:
        try:
            result = work()
        except Exception as error:
            self._deliver(None, error, done, failed)
        else:
            self._deliver(result, None, done, failed)


__all__ = ["InlineTaskRunner", "TaskRunner"]
