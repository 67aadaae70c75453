"""The Qt side of :class:`~rm_desk.sync.service.SyncService`.

``SyncService`` calls its listeners with frozen dataclasses on whatever thread the event happened
(mostly the ``rm-desk-sync`` worker). :class:`SyncBridge` lives on the GUI thread and re-emits
each of them as a queued Qt signal, so slots always run on the GUI thread.

Views refresh on :attr:`SyncBridge.data_changed`, which is coalesced: a burst of feed pages and
op states becomes one signal at most every :data:`COALESCE_MS` milliseconds, and the pages of a
running pull one at most every :data:`PULL_COALESCE_MS`. A pull lands pages for minutes on a first
sync; the visible screen re-reading five times a second would spend the GUI thread (and the
interpreter lock the sync worker also needs) on counts that are stale a page later.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from rm_desk.domain.enums import SyncPhase
from rm_desk.sync.events import (
    ConflictFound,
    OpStateChanged,
    Progress,
    StatusChanged,
    SyncEvent,
    SyncStatus,
)

COALESCE_MS = 200
PULL_COALESCE_MS = 1000


class SyncBridge(QObject):
    """Re-emits sync events as Qt signals on the GUI thread.

    Signals:
        status_changed(SyncStatus): The status bar's snapshot changed.
        progress(Progress): A feed page was applied during a round.
        conflict_found(ConflictFound): A new entry of the conflict inbox.
        op_state_changed(OpStateChanged): A local change moved on (sent, applied, rejected …).
        data_changed(): The cache changed under the views (coalesced); re-read what is shown.
    """

    status_changed = Signal(object)
    progress = Signal(object)
    conflict_found = Signal(object)
    op_state_changed = Signal(object)
    data_changed = Signal()
    _arrived = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._last_status: SyncStatus | None = None
        self._coalesce = QTimer(self)
        self._coalesce.setSingleShot(True)
        self._coalesce.setInterval(COALESCE_MS)
        self._coalesce.timeout.connect(self.data_changed)
        # Emitting a signal of a GUI-thread object from another thread queues the slot call.
        self._arrived.connect(self._dispatch)

    @property
    def last_status(self) -> SyncStatus | None:
        return self._last_status

    def on_event(self, event: SyncEvent) -> None:
        """The listener to give ``SyncService.subscribe``; safe from any thread."""
        self._arrived.emit(event)

    def local_write(self) -> None:
        """Tell the views the user changed the cache from this window."""
        self._touch()

    @Slot(object)
    def _dispatch(self, event: SyncEvent) -> None:
        if isinstance(event, StatusChanged):
            previous, self._last_status = self._last_status, event.status
            self.status_changed.emit(event.status)
            if previous is not None and event.status.last_success != previous.last_success:
                self._touch()
        elif isinstance(event, Progress):
            self.progress.emit(event)
            if event.phase in (SyncPhase.PULLING, SyncPhase.REPLACING):
                self._touch(PULL_COALESCE_MS)
        elif isinstance(event, ConflictFound):
            self.conflict_found.emit(event)
            self._touch()
        elif isinstance(event, OpStateChanged):
            self.op_state_changed.emit(event)
            self._touch()

    def _touch(self, within_ms: int = COALESCE_MS) -> None:
        """Emit ``data_changed`` in ``within_ms`` unless one is already due sooner."""
        remaining = self._coalesce.remainingTime() if self._coalesce.isActive() else -1
        if remaining < 0 or within_ms < remaining:
            self._coalesce.start(within_ms)


__all__ = ["COALESCE_MS", "PULL_COALESCE_MS", "SyncBridge"]
