"""What sync tells the GUI: frozen dataclasses only, never rows or httpx objects.

:class:`~rm_desk.sync.service.SyncService` hands a listener one of the events below, on the sync
worker thread (the Qt bridge re-emits them as signals on the GUI thread):

- :class:`StatusChanged`: the :class:`SyncStatus` snapshot after anything it shows changed;
- :class:`Progress`: one per feed page (``done`` of about ``total`` changes);
- :class:`ConflictFound`: one per new entry of the conflict inbox;
- :class:`OpStateChanged`: an op of the outbox changed state (``applied`` once it is gone).

Lists the GUI asks for (:class:`PendingOp`, :class:`ConflictEntry`) are frozen too; JSON values in
them are frozen by :func:`freeze` (objects become read-only mappings, arrays tuples).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from rm_desk.domain.enums import ConflictKind, OpKind, OpState, SyncPhase


def freeze(value: Any) -> Any:
    """A JSON value that cannot be changed: objects as read-only mappings, arrays as tuples."""
    if isinstance(value, Mapping):
        return MappingProxyType({str(k): freeze(v) for k, v in value.items()})
    if isinstance(value, list | tuple):
        return tuple(freeze(item) for item in value)
    return value


@dataclass(frozen=True, slots=True)
class SyncStatus:
    """A snapshot of sync for the status bar.

    Attributes:
        phase: What sync is doing now (idle, pushing, pulling, replacing, offline, error).
        online: Whether the last exchange reached the server (``None`` before the first one).
        last_success: When a sync round last completed (client clock, UTC).
        last_contact: When the server last answered at all (the offline lease counts from here).
        pending_count: Changes not yet acknowledged by the server (queued, sending, held).
        conflict_count: Open entries of the conflict inbox.
        rejected_count: Changes the server refused, waiting in the sync issues list.
        title: Short words for the last problem, when there is one.
        message: The words for people that go with ``title``.
        code: The server's machine code of that problem (``device_revoked``, ``forbidden`` …),
            for the GUI to act on; never shown.
        wipe: The device was revoked with an order to erase the local cache.
        session_ended: Sync stopped because the bank ended the session (or there was no session
            to resume): signing in again helps. A revoked device is not an ended session.
    """

    phase: SyncPhase
    online: bool | None
    last_success: datetime | None
    last_contact: datetime | None
    pending_count: int
    conflict_count: int
    rejected_count: int
    title: str | None = None
    message: str | None = None
    code: str | None = None
    wipe: bool = False
    session_ended: bool = False


@dataclass(frozen=True, slots=True)
class StatusChanged:
    status: SyncStatus


@dataclass(frozen=True, slots=True)
class Progress:
    """A feed page was applied: ``done`` changes so far of about ``total``."""

    phase: SyncPhase
    done: int
    total: int


@dataclass(frozen=True, slots=True)
class ConflictFound:
    conflict_id: int
    entity: str
    record_id: str
    kind: ConflictKind
    field: str | None


@dataclass(frozen=True, slots=True)
class OpStateChanged:
    op_id: str
    entity: str
    record_id: str
    op: OpKind
    state: OpState
    error_code: str | None = None


SyncEvent = StatusChanged | Progress | ConflictFound | OpStateChanged
Listener = Callable[[SyncEvent], None]


@dataclass(frozen=True, slots=True)
class PendingOp:
    """One change of the outbox as the sync issues list shows it."""

    op_id: str
    seq: int
    entity: str
    record_id: str
    op: OpKind
    state: OpState
    attempts: int
    created_at: str
    updated_at: str
    fields: Mapping[str, Any]
    error_code: str | None
    error_message: str | None
    field_errors: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class ConflictEntry:
    """One decision of the conflict inbox.

    ``field`` is a wire field name, ``soft_profile.<key>`` for a key of a customer's soft profile,
    or ``"*"`` for a whole record (``kind`` deleted: the server deleted what the user changed;
    modified: the server changed what the user deleted).
    """

    id: int
    entity: str
    record_id: str
    kind: ConflictKind
    field: str | None
    base: Any
    mine: Any
    theirs: Any
    server_rev: int | None
    created_at: str


class Choice(StrEnum):
    """How the user decides a conflict."""

    MINE = "mine"
    THEIRS = "theirs"
    VALUE = "value"  # a value the user typed (field conflicts only)


__all__ = [
    "Choice",
    "ConflictEntry",
    "ConflictFound",
    "Listener",
    "OpStateChanged",
    "PendingOp",
    "Progress",
    "StatusChanged",
    "SyncEvent",
    "SyncStatus",
    "freeze",
]
