"""``SyncService``: the one facade the GUI uses for sync.

It owns the sync worker (one thread, ``rm-desk-sync``, with its own client) and answers the GUI's
questions from the cache. Everything it returns is a frozen dataclass or an enum
(:mod:`rm_desk.sync.events`); listeners get :class:`~rm_desk.sync.events.StatusChanged`,
:class:`~rm_desk.sync.events.Progress`, :class:`~rm_desk.sync.events.ConflictFound` and
:class:`~rm_desk.sync.events.OpStateChanged`.

Threads: events of sync rounds arrive on the worker thread; events of the user's own decisions
(resolve, discard) and of :meth:`SyncService.notify_local_write` arrive on the caller's thread. The
Qt bridge re-emits all of them as queued signals, so a view never cares which. A listener that
raises is logged and skipped; it never stops sync or the other listeners.

Typical use::

    service = SyncService(store, connect=lambda: resume_session(...), user_id=..., device_id=...)
    unsubscribe = service.subscribe(bridge.on_event)
    service.start()
    ...
    record_edit(store, ...); service.notify_local_write()
    ...
    service.stop()
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from typing import Any

from rm_desk.local_store.engine import Store
from rm_desk.logs import log_failure
from rm_desk.sync import issues
from rm_desk.sync.client import MAX_MUTATIONS, ApiClient
from rm_desk.sync.events import (
    Choice,
    ConflictEntry,
    Listener,
    PendingOp,
    StatusChanged,
    SyncEvent,
    SyncStatus,
)
from rm_desk.sync.pull import PAGE_LIMIT
from rm_desk.sync.scheduler import ScheduleSettings, SyncWorker, Waiter

log = logging.getLogger(__name__)

_UNSET: Any = object()


class SyncService:
    """Sync for one signed-in user's cache.

    Args:
        store: The open cache (its pool serves the worker and the GUI's short reads).
        connect: Returns a signed-in :class:`ApiClient`; called on the worker thread (for
            example resuming the session from the refresh token in the OS keyring), and again
            when a session ended.
        user_id: The signed-in user, for the audit events of decisions.
        device_id: This installation, for the audit events of decisions.
        settings: The schedule's timings (interval, write delay, backoff).
        monotonic, wait, rng: The worker's clock, waiter and randomness (tests).
    """

    def __init__(
        self,
        store: Store,
        connect: Callable[[], ApiClient],
        *,
        user_id: str | None = None,
        device_id: str | None = None,
        settings: ScheduleSettings | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        wait: Waiter | None = None,
        rng: random.Random | None = None,
        page_limit: int = PAGE_LIMIT,
        batch_size: int = MAX_MUTATIONS,
    ) -> None:
        self._store = store
        self._user_id = user_id
        self._device_id = device_id
        self._listeners: list[Listener] = []
        self._listeners_lock = threading.Lock()
        self.worker = SyncWorker(
            store,
            connect,
            emit=self._emit,
            settings=settings,
            monotonic=monotonic,
            wait=wait,
            rng=rng,
            page_limit=page_limit,
            batch_size=batch_size,
        )

    # --- running -------------------------------------------------------------------------------

    def start(self) -> None:
        """Start the sync thread; a first round runs at once."""
        self.worker.start()

    def stop(self, timeout: float = 30.0) -> None:
        """Stop the sync thread (a round in flight stops at its next page or batch)."""
        self.worker.stop(timeout)

    def sync_now(self) -> None:
        """ "Sync now": a round at once, also after an error or while offline."""
        self.worker.sync_now()

    def notify_local_write(self) -> None:
        """Tell sync the user saved a change: it goes out about 2 s later."""
        self.worker.notify_local_write()
        self._emit(StatusChanged(self.status()))

    def status(self) -> SyncStatus:
        return self.worker.status()

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener`` with every event from now on; returns the way to unsubscribe."""
        with self._listeners_lock:
            self._listeners.append(listener)

        def unsubscribe() -> None:
            with self._listeners_lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return unsubscribe

    # --- the conflict inbox and the sync issues list -------------------------------------------

    def list_conflicts(self) -> tuple[ConflictEntry, ...]:
        return issues.list_conflicts(self._store)

    def resolve_conflict(self, conflict_id: int, choice: Choice, value: Any = _UNSET) -> None:
        """Decide a conflict (mine, theirs, or a value of the user's); audited. What is to be
        sent goes out with the next round, about 2 s later.

        Raises:
            WriteRejected: Decided already, or a choice that does not fit the conflict.
        """
        args = () if value is _UNSET else (value,)
        events = issues.resolve_conflict(
            self._store,
            conflict_id,
            Choice(choice),
            *args,
            user_id=self._user_id,
            device_id=self._device_id,
        )
        self._after_decision(events)

    def list_pending_ops(self) -> tuple[PendingOp, ...]:
        return issues.list_pending_ops(self._store)

    def list_rejected_ops(self) -> tuple[PendingOp, ...]:
        return issues.list_rejected_ops(self._store)

    def discard_rejected(self, op_id: str) -> None:
        """Drop a change the server refused; audited. The record shows the server's copy.

        Raises:
            WriteRejected: No such refused change.
        """
        issues.discard_rejected(
            self._store, op_id, user_id=self._user_id, device_id=self._device_id
        )
        self._after_decision([])

    def _after_decision(self, events: list[SyncEvent]) -> None:
        for event in events:
            self._emit(event)
        self.notify_local_write()

    def _emit(self, event: SyncEvent) -> None:
        with self._listeners_lock:
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                listener(event)
            except Exception as error:  # a view's bug must not stop sync; logged, not swallowed
                log_failure(log, "a sync listener failed", error)


__all__ = ["SyncService"]
