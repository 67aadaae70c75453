"""The status bar: online or offline, pending changes, conflicts, last sync, "Sync now".

It shows :class:`~rm_desk.sync.events.SyncStatus` snapshots as the bridge delivers them and
refreshes the "last sync" age every 30 s. Clicking the conflicts or pending counts opens the
Sync issues screen.

When sync stopped because the bank ended the session (``SyncStatus.session_ended``: an
offline unlock with no session to resume, a refresh token revoked or expired on the server), it
says "Session ended — sign in to sync" and shows a "Sign in again" button, which emits
:attr:`SyncStatusBar.sign_in_again_requested` (the app answers with the re-sign-in dialog); both
go once a round succeeds.

The app builds the sync service after the window's first paint: until it arrives the bar shows
the status read from the cache and "Sync now" waits, disabled (see
:class:`~rm_desk.views.workbench.SyncSlot`).
"""

from __future__ import annotations

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QLabel, QProgressBar, QPushButton, QStatusBar, QWidget

from rm_desk.domain.enums import SyncPhase
from rm_desk.sync.events import Progress, SyncStatus
from rm_desk.views import formatting
from rm_desk.views.error_words import translate_words
from rm_desk.views.workbench import ScreenId, Workbench

AGE_REFRESH_MS = 30_000
PROGRESS_REFRESH_MS = 250
"""The progress bar moves at most this often: a first sync lands a page every few dozen ms."""
_SYNCING = (SyncPhase.PUSHING, SyncPhase.PULLING, SyncPhase.REPLACING)


class SyncStatusBar(QStatusBar):
    """The main window's status bar (see the module docstring)."""

    sign_in_again_requested = Signal()
    """The user asked to sign in again after the bank ended the session."""

    def __init__(self, bench: Workbench, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._bench = bench
        self._status: SyncStatus | None = bench.bridge.last_status
        self.setSizeGripEnabled(False)

        self.connection = QLabel(self)
        self.connection.setObjectName("connection")
        self.pending = QPushButton(self)
        self.pending.setFlat(True)
        self.pending.setObjectName("pending")
        self.conflicts = QPushButton(self)
        self.conflicts.setFlat(True)
        self.conflicts.setObjectName("conflicts")
        self.last_sync = QLabel(self)
        self.progress = QProgressBar(self)
        self.progress.setMaximumWidth(160)
        self.progress.setTextVisible(False)
        self.progress.hide()
        self.sync_now = QPushButton(self.tr("Sync now"), self)
        self.sync_now.setAccessibleName(self.tr("Sync now"))
        self.sync_now.setEnabled(bench.sync is not None)
        bench.sync_slot.arrived.connect(self._sync_arrived)
        self.sign_in_again = QPushButton(self.tr("Sign in again"), self)
        self.sign_in_again.setObjectName("sign_in_again")
        self.sign_in_again.setAccessibleName(self.tr("Sign in again"))
        self.sign_in_again.hide()

        for widget in (self.connection, self.pending, self.conflicts, self.last_sync):
            self.addPermanentWidget(widget)
        self.addPermanentWidget(self.progress)
        self.addPermanentWidget(self.sign_in_again)
        self.addPermanentWidget(self.sync_now)

        self.pending.clicked.connect(self._open_issues)
        self.conflicts.clicked.connect(self._open_issues)
        self.sync_now.clicked.connect(self._sync_now)
        self.sign_in_again.clicked.connect(self.sign_in_again_requested)
        bench.bridge.status_changed.connect(self.show_status)
        bench.bridge.progress.connect(self.show_progress)
        self._age = QTimer(self)
        self._age.setInterval(AGE_REFRESH_MS)
        self._age.timeout.connect(self._render)
        self._age.start()
        self._progress_due: Progress | None = None
        self._progress_pace = QTimer(self)
        self._progress_pace.setSingleShot(True)
        self._progress_pace.setInterval(PROGRESS_REFRESH_MS)
        self._progress_pace.timeout.connect(self._show_due_progress)
        self._render()

    def show_status(self, status: SyncStatus) -> None:
        self._status = status
        if status.phase not in (SyncPhase.PULLING, SyncPhase.REPLACING):
            self._progress_due = None
            self._progress_pace.stop()
            self.progress.hide()
        self._render()

    def show_progress(self, progress: Progress) -> None:
        # The first page of a sync shows at once; later ones at most every PROGRESS_REFRESH_MS,
        # the latest winning: each move of the bar is a paint on the GUI thread, which has to win
        # the interpreter lock from the sync threads first.
        self._progress_due = progress
        if self.progress.isHidden() or not self._progress_pace.isActive():
            self._show_due_progress()

    def _show_due_progress(self) -> None:
        progress = self._progress_due
        if progress is None:
            return
        self._progress_due = None
        self._progress_pace.start()
        total = max(progress.total, 0)
        done = min(progress.done, total) if total > 0 else 0
        if self.progress.maximum() == total and (total == 0 or self.progress.value() == done):
            if self.progress.isHidden():
                self.progress.show()
            return
        # QProgressBar.setValue repaints the bar there and then; with updates off for the call it
        # only marks the bar for the window's next paint, which joins it to whatever else is due.
        self.progress.setUpdatesEnabled(False)
        try:
            if self.progress.maximum() != total:
                self.progress.setRange(0, total)  # 0: no estimate yet, a busy bar
            if total > 0:
                self.progress.setValue(done)
        finally:
            self.progress.setUpdatesEnabled(True)
        self.progress.update()
        if self.progress.isHidden():
            self.progress.show()

    def _render(self) -> None:
        status = self._status
        syncing = status is not None and status.phase in _SYNCING
        # The problem stays in the status until a round succeeds; a round running after signing
        # in again shows as syncing, not as an ended session.
        runs_sync = self._bench.sync_slot.runs_sync
        ended = runs_sync and status is not None and not syncing and status.session_ended
        self.sign_in_again.setVisible(ended)
        if not runs_sync:
            self.connection.setText(self.tr("Working offline"))
        elif ended:
            self.connection.setText(self.tr("Session ended — sign in to sync"))
        elif status is None or status.online is None:
            self.connection.setText(self.tr("Connecting…"))
        elif syncing:
            self.connection.setText(self.tr("Online · syncing"))
        elif status.online:
            self.connection.setText(self.tr("Online"))
        else:
            self.connection.setText(self.tr("Offline"))
        pending = status.pending_count if status else 0
        conflicts = status.conflict_count if status else 0
        self.pending.setText(self.tr("Pending changes: {count}").format(count=pending))
        self.conflicts.setText(self.tr("Conflicts: {count}").format(count=conflicts))
        self.conflicts.setVisible(conflicts > 0)
        last = status.last_success if status else None
        self.last_sync.setText(
            self.tr("Last sync: {age}").format(
                age=formatting.relative_age(last, self._bench.clock()) if last else self.tr("never")
            )
        )
        problem = ""
        if status is not None and status.title and status.message:
            problem = self.tr("{title}: {message}").format(
                title=translate_words(status.title), message=translate_words(status.message)
            )
        elif status is not None and status.title:
            problem = translate_words(status.title)
        self.connection.setToolTip(problem)

    def _sync_arrived(self) -> None:
        self.sync_now.setEnabled(self._bench.sync is not None)
        self._render()

    def _sync_now(self) -> None:
        if self._bench.sync is not None:
            self._bench.sync.sync_now()

    def _open_issues(self) -> None:
        self._bench.navigator.open_screen(ScreenId.SYNC_ISSUES)


__all__ = ["SyncStatusBar"]
