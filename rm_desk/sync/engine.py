"""One sync round.

:meth:`SyncEngine.run_round` pushes the outbox, pulls the feed, then pushes again what changed
meanwhile (edits made during the round, ops the pull rebased, edits of records whose create was
just applied), and last uploads the audit events the server has not acknowledged yet
(:mod:`rm_desk.sync.audit_upload`). It stores when the server last answered
(``last_server_contact``, the offline lease counts from it), whether the round completed or not,
and when a round last completed (``last_success``). Errors reach the caller unchanged: the
scheduler decides what they mean.

:func:`read_status` (the status snapshot) lives in :mod:`rm_desk.sync.status`, which the window
reads before its first paint without loading this module; it is re-exported here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import Connection

from rm_desk.domain.enums import SyncPhase
from rm_desk.errors import RmDeskError
from rm_desk.local_store.engine import Store
from rm_desk.local_store.sync_state import LAST_SERVER_CONTACT, LAST_SUCCESS, set_state
from rm_desk.sync.audit_upload import AuditReport, AuditUploader
from rm_desk.sync.cancel import StopCheck, never
from rm_desk.sync.client import MAX_MUTATIONS, ApiClient
from rm_desk.sync.events import SyncEvent
from rm_desk.sync.pull import PAGE_LIMIT, Puller, PullReport
from rm_desk.sync.push import Pusher, PushReport
from rm_desk.sync.status import read_status


@dataclass(frozen=True, slots=True)
class RoundReport:
    """What one round did: the first push, the pull, the push after it, and the audit upload."""

    pushed: PushReport
    pulled: PullReport
    pushed_after: PushReport
    audited: AuditReport = field(default_factory=AuditReport)


class SyncEngine:
    """Runs sync rounds for one cache through one client, on one thread.

    Args:
        store: The open cache.
        client: A signed-in client of this thread.
        emit: Called with each event (after the change it describes has committed).
        on_phase: Told each time the round moves to another phase.
        page_limit: Changes per feed page.
        batch_size: Mutations per push request.
        stop: Checked between pages and batches: the round ends early with
            :class:`~rm_desk.sync.cancel.Cancelled` when it answers true.
    """

    def __init__(
        self,
        store: Store,
        client: ApiClient,
        *,
        emit: Callable[[SyncEvent], None] = lambda _event: None,
        on_phase: Callable[[SyncPhase], None] = lambda _phase: None,
        page_limit: int = PAGE_LIMIT,
        batch_size: int = MAX_MUTATIONS,
        stop: StopCheck = never,
    ) -> None:
        self._store = store
        self._client = client
        self._on_phase = on_phase
        self.pusher = Pusher(store, client, emit=emit, batch_size=batch_size, stop=stop)
        self.puller = Puller(
            store, client, emit=emit, on_phase=on_phase, page_limit=page_limit, stop=stop
        )
        self.auditor = AuditUploader(store, client, stop=stop)

    def run_round(self) -> RoundReport:
        """Push, pull, push again, upload the audit log.

        The audit upload comes last: only a round that reached the server gets to it, and events
        written while the round ran go with it. A refused upload does not fail
        the round (the events wait, with a journal entry); a failed exchange does, like any other.

        Raises:
            SyncError: An exchange failed; what was done before it stays done.
            StoreError: The cache failed.
            Cancelled: ``stop`` answered true.
        """
        try:
            self._on_phase(SyncPhase.PUSHING)
            pushed = self.pusher.push()
            self._on_phase(SyncPhase.PULLING)
            pulled = self.puller.pull()
            self._on_phase(SyncPhase.PUSHING)
            pushed_after = self.pusher.push()
            audited = self.auditor.upload()
        except BaseException:
            self._note_contact()
            raise
        # One commit for both: an idle round is mostly its commits.
        with self._store.write() as conn:
            self._set_contact(conn)
            set_state(conn, LAST_SUCCESS, _stamp(self._store.clock()))
        return RoundReport(pushed, pulled, pushed_after, audited)

    def _set_contact(self, conn: Connection) -> None:
        contact = self._client.last_contact_at
        if contact is not None:
            set_state(conn, LAST_SERVER_CONTACT, _stamp(contact))

    def _note_contact(self) -> None:
        if self._client.last_contact_at is None:
            return
        try:
            with self._store.write() as conn:
                self._set_contact(conn)
        except RmDeskError:
            pass  # the error that ended the round matters more; the next round notes it again


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


__all__ = ["RoundReport", "SyncEngine", "read_status"]
