"""The sync status snapshot read from the cache, without the sync engine.

:func:`read_status` builds the :class:`~rm_desk.sync.events.SyncStatus` snapshot from the cache
(pending and rejected changes, open conflicts, when the server last answered, when a round last
completed) and what the scheduler knows (phase, online, the last problem). The window shows it
before its first paint, so this module imports only the cache's readers and the events: the
engine (and the HTTP client behind it) loads after Today is on screen.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from rm_desk.domain.enums import OpState, SyncPhase
from rm_desk.local_store.outbox import UNSENT_STATES, count_open_conflicts, op_counts
from rm_desk.local_store.sync_state import LAST_SERVER_CONTACT, LAST_SUCCESS, get_state
from rm_desk.sync.events import SyncStatus

if TYPE_CHECKING:
    from rm_desk.local_store.engine import Store


def _moment(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def read_status(
    store: Store,
    *,
    phase: SyncPhase,
    online: bool | None,
    title: str | None = None,
    message: str | None = None,
    code: str | None = None,
    wipe: bool = False,
    session_ended: bool = False,
) -> SyncStatus:
    """The status snapshot: the scheduler's view plus the counts and times in the cache."""
    with store.read() as conn:
        counts = op_counts(conn)
        conflicts = count_open_conflicts(conn)
        last_success = get_state(conn, LAST_SUCCESS)
        last_contact = get_state(conn, LAST_SERVER_CONTACT)
    return SyncStatus(
        phase=phase,
        online=online,
        last_success=_moment(last_success),
        last_contact=_moment(last_contact),
        pending_count=sum(counts.get(state, 0) for state in UNSENT_STATES),
        conflict_count=conflicts,
        rejected_count=counts.get(OpState.REJECTED, 0),
        title=title,
        message=message,
        code=code,
        wipe=wipe,
        session_ended=session_ended,
    )


__all__ = ["read_status"]
