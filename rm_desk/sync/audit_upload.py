"""Audit upload: send the local hash-chained audit log to ``POST /audit`` (API.md §4).

:meth:`AuditUploader.upload` runs at the end of every round that reached the server, and repeats
until nothing is left to send:

1. **Read** the oldest events not yet acknowledged, in ``seq`` order, at most
   :data:`AUDIT_BATCH` of them.
2. **Send** them. The server keeps each event once (by user, device, ``seq`` and ``hash``) and
   answers ``acked_seq``, the highest ``seq`` it now keeps; so an upload whose answer was lost is
   simply sent again, and a failure of the exchange (offline, ``5xx``, ``429``, signed out)
   reaches the caller with the events still waiting: the scheduler retries the round.
3. **Note** the answer, in one write transaction: every event up to ``acked_seq`` is marked
   uploaded and ``acked_seq`` kept in ``sync_state``. An answer above the last event sent counts
   only up to that event (events written meanwhile were not sent); an answer below the batch's
   first event is no progress, and the rest waits for the next round.

A refusal (any other ``4xx``: an event that breaks the hash chain, a server without ``/audit``)
must not stop sync: the events stay, waiting, and one :data:`AUDIT_REFUSED` journal entry says so
(once for the same refusal of the same first event, not every minute); the round goes on and the
next one tries again. The events after a refused one wait with it: they are uploaded in order,
and an auditor must see the gap, not a client that skipped it. A body too large (``413``) is sent
again in halves first.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC
from typing import Any, Final

from rm_desk.local_store import outbox
from rm_desk.local_store.audit import AuditEvent, mark_uploaded, unuploaded_events
from rm_desk.local_store.engine import Store
from rm_desk.local_store.sync_state import AUDIT_ACKED_SEQ, set_state
from rm_desk.sync.cancel import StopCheck, check, never
from rm_desk.sync.client import MAX_AUDIT_EVENTS, ApiClient
from rm_desk.sync.errors import NotFound, PermissionDenied, RequestRejected, SyncError

AUDIT_BATCH: Final = 1000
"""Events per upload: a fifth of the server's :data:`~rm_desk.sync.client.MAX_AUDIT_EVENTS`, so a
batch of long reasons stays far below the server's request size limit (16 MB)."""
AUDIT_REFUSED = "audit_refused"
"""The ``sync_journal`` kind of a refused upload."""
AUDIT_REFUSED_MESSAGE = (
    "The bank's server refused the upload of the audit log. The events are kept on this "
    "computer and sent again at the next sync."
)

_REFUSALS = (RequestRejected, NotFound, PermissionDenied)
"""What the server answers when sending the same events again will not help soon."""


@dataclass(frozen=True, slots=True)
class AuditReport:
    """What one upload did.

    Attributes:
        uploaded: Events the server acknowledged.
        requests: ``POST /audit`` calls made.
        refused: The refusal's machine code (or ``http_<status>``), when the server refused one.
    """

    uploaded: int = 0
    requests: int = 0
    refused: str | None = None


class AuditUploader:
    """Uploads one cache's audit log through one client (see the module docstring).

    Args:
        store: The open cache.
        client: A signed-in client of this thread.
        batch_size: Events per upload (at most the server's limit).
        stop: Checked before each upload: the upload ends early with
            :class:`~rm_desk.sync.cancel.Cancelled` when it answers true.
    """

    def __init__(
        self,
        store: Store,
        client: ApiClient,
        *,
        batch_size: int = AUDIT_BATCH,
        stop: StopCheck = never,
    ) -> None:
        if not 1 <= batch_size <= MAX_AUDIT_EVENTS:
            raise ValueError(f"batch_size must be 1..{MAX_AUDIT_EVENTS}, got {batch_size}")
        self._store = store
        self._client = client
        self._batch_size = batch_size
        self._stop = stop

    def upload(self) -> AuditReport:
        """Upload every event not yet acknowledged, oldest first.

        Raises:
            SyncError: The exchange failed (offline, ``5xx``, ``429``, signed out …); the events
                not acknowledged yet are sent again by the next round.
            StoreError: The cache failed.
            Cancelled: ``stop`` answered true.
        """
        uploaded = requests = 0
        size = self._batch_size
        while True:
            check(self._stop)
            with self._store.read() as conn:
                events = unuploaded_events(conn, limit=size)
            if not events:
                return AuditReport(uploaded, requests)
            requests += 1
            try:
                acked = self._client.upload_audit([event.to_wire() for event in events])
            except _REFUSALS as refusal:
                if refusal.status == 413 and len(events) > 1:
                    size = len(events) // 2  # too large a body: the same events, in halves
                    continue
                self._note_refusal(events, refusal)
                return AuditReport(uploaded, requests, _refusal_code(refusal))
            done = self._note_acked(events, acked)
            uploaded += done
            if done == 0:
                return AuditReport(uploaded, requests)  # no progress: the rest waits a round

    def _note_acked(self, events: Sequence[AuditEvent], acked_seq: int) -> int:
        """Mark the events up to ``acked_seq`` uploaded; return how many of ``events`` that is."""
        last = min(acked_seq, events[-1].seq)  # events written meanwhile were not sent
        done = sum(1 for event in events if event.seq <= last)
        if done:
            with self._store.write() as conn:
                mark_uploaded(conn, last)
                set_state(conn, AUDIT_ACKED_SEQ, str(last))
        return done

    def _note_refusal(self, events: Sequence[AuditEvent], refusal: SyncError) -> None:
        """One journal entry per refusal; the same refusal of the same events again adds none."""
        field_errors = getattr(refusal, "field_errors", None) or {}
        detail: dict[str, Any] = {
            "first_seq": events[0].seq,
            "status": refusal.status,
            "code": refusal.code,
            "field_errors": dict(field_errors),
        }
        now = self._store.clock().astimezone(UTC).isoformat()
        with self._store.write() as conn:
            earlier = outbox.journal_entries(conn, AUDIT_REFUSED)
            if earlier and _same_refusal(earlier[-1]["detail"], detail):
                return
            outbox.journal(
                conn,
                ts=now,
                kind=AUDIT_REFUSED,
                message=AUDIT_REFUSED_MESSAGE,
                detail={**detail, "last_seq": events[-1].seq},
            )


def _same_refusal(earlier: Mapping[str, Any] | None, detail: Mapping[str, Any]) -> bool:
    return earlier is not None and all(earlier.get(key) == value for key, value in detail.items())


def _refusal_code(refusal: SyncError) -> str:
    return refusal.code or f"http_{refusal.status}"


__all__ = ["AUDIT_BATCH", "AUDIT_REFUSED", "AUDIT_REFUSED_MESSAGE", "AuditReport", "AuditUploader"]
