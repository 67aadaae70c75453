"""When sync runs: the schedule (pure decisions) and the one worker thread that follows it.

:class:`Schedule` decides from triggers and results, with no clock or thread of its own (the
caller passes monotonic seconds), so it is tested as plain function calls:

=====================  =======================================================================
trigger / result       what is due next
=====================  =======================================================================
start, "Sync now"      a round at once (also clears an error, and tries even when offline),
                       but never before the server's ``Retry-After``
local write            a round 2 s later (an earlier due round is not postponed, a backed-off
                       retry not hurried); ignored while offline (the probe finds the network)
                       or stopped on an error
round succeeded        online; the next round after the interval (60 s), sooner if a trigger
                       came during the round
round failed, offline  offline (no connection, or TLS not verified): probe ``/health`` on the
                       backoff schedule; the probe's success ("network back") is a round at once
round failed, other    online (the server answered); the round again on the backoff schedule,
retryable              never sooner than the server's ``Retry-After``
not retryable          stopped with the error's words (signed out, device revoked, not allowed,
                       a damaged cache …) until "Sync now" or a new start
=====================  =======================================================================

Backoff is "full jitter": after the n-th failure in a row, a delay drawn evenly between 0 and
``min(cap, base * 2**(n-1))``, never less than ``base`` (1 s up to 5 min).

:class:`SyncWorker` runs the schedule on one named thread (``rm-desk-sync``) with its own
:class:`~rm_desk.sync.client.ApiClient` (made on that thread by the ``connect`` function it is
given) and the store's pool. :meth:`SyncWorker.step` is one turn of the loop: wait until the next
due time (or a trigger), or do what is due. Tests drive ``step`` on their own thread with an
injected clock and waiter; the thread only calls it in a loop.

The sync thread shares the process, the cores and the interpreter lock with the window, so it
gives way to the GUI thread in two ways (measured with ``gui_sync_stall``, the longest stall of
the window's event loop during a first sync, in runs interleaved with the code before):

- **No automatic garbage collection during a round** (:func:`collections_paused`). A first sync
  decodes thousands of objects a page; they made the collector run some 330 young and 30 middle
  collections a first sync of the bench bank, each holding the interpreter lock, 1 to 140 ms on a
  busy machine, while a round leaves no cyclic garbage behind (a full collection just after one
  found none). Memory is freed by reference counts as before; the collector runs again, as usual,
  when the round ends, however it ends.
- **A lower scheduling priority for the sync thread** and the threads it starts (the feed's
  prefetch), on Linux and Windows (:mod:`rm_desk.sync.priority`), so when the GUI thread wakes
  for an event it gets a core before them instead of waiting its turn behind the decode and the
  cache writes.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import random
import threading
import time
from collections.abc import Callable, Generator
from dataclasses import dataclass
from enum import StrEnum

from rm_desk.domain.enums import SyncPhase
from rm_desk.errors import RmDeskError, StoreError
from rm_desk.local_store.engine import Store
from rm_desk.logs import log_failure
from rm_desk.sync.cancel import Cancelled
from rm_desk.sync.client import MAX_MUTATIONS, ApiClient
from rm_desk.sync.engine import SyncEngine, read_status
from rm_desk.sync.errors import (
    AuthError,
    DeviceRevoked,
    Offline,
    SessionExpired,
    SyncError,
    UntrustedServer,
)
from rm_desk.sync.events import StatusChanged, SyncEvent, SyncStatus
from rm_desk.sync.priority import SYNC_NICENESS, lower_thread_priority
from rm_desk.sync.pull import PAGE_LIMIT

log = logging.getLogger(__name__)

THREAD_NAME = "rm-desk-sync"

UNEXPECTED_TITLE = "Sync stopped"
UNEXPECTED_MESSAGE = (
    "Sync stopped because of an unexpected problem. Your changes are kept on this computer. "
    "Try Sync now; if it keeps happening, contact IT."
)


class _CollectorPause:
    """Counts the rounds running; the first one out of none stops automatic garbage collection,
    the last one back to none starts it again if it was on (rounds of several stores may overlap
    in tests; a collector switched off by someone else stays off)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._holders = 0
        self._was_enabled = False

    @contextlib.contextmanager
    def paused(self) -> Generator[None, None, None]:
        with self._lock:
            if self._holders == 0:
                self._was_enabled = gc.isenabled()
                gc.disable()
            self._holders += 1
        try:
            yield
        finally:
            with self._lock:
                self._holders -= 1
                if self._holders == 0 and self._was_enabled:
                    gc.enable()


_pause = _CollectorPause()


def collections_paused() -> contextlib.AbstractContextManager[None]:
    """No automatic garbage collection, of any generation and on any thread, while entered.

    Process-wide, like the collector; see the module docstring for why a sync round wants it.
    """
    return _pause.paused()


@dataclass(frozen=True, slots=True)
class ScheduleSettings:
    """Timings of the schedule, in seconds."""

    interval: float = 60.0
    write_delay: float = 2.0
    backoff_base: float = 1.0
    backoff_cap: float = 300.0


class Action(StrEnum):
    ROUND = "round"
    PROBE = "probe"


@dataclass(frozen=True, slots=True)
class Due:
    """What to do next, and when (monotonic seconds)."""

    action: Action
    at: float


def backoff_delay(failures: int, rng: random.Random, base: float, cap: float) -> float:
    """The wait after ``failures`` failures in a row: full jitter, at least ``base``."""
    ceiling = min(cap, base * 2 ** min(max(failures, 1) - 1, 30))
    return max(base, rng.uniform(0.0, ceiling))


def _is_offline(error: BaseException) -> bool:
    return isinstance(error, Offline | UntrustedServer)


def _is_retryable(error: BaseException) -> bool:
    if isinstance(error, SyncError):
        return error.retryable
    return type(error) is StoreError  # "cache busy"; a damaged or locked cache is not


class Schedule:
    """The sync schedule's state (see the module docstring). Not thread-safe: the worker guards
    it with its lock."""

    def __init__(self, settings: ScheduleSettings | None = None, rng: random.Random | None = None):
        self.settings = settings or ScheduleSettings()
        self._rng = rng or random.Random()
        self.online: bool | None = None
        self.offline = False
        self.problem: BaseException | None = None
        self.stopped = False  # on a non-retryable error
        self.failures = 0
        self._requested: float | None = None  # a trigger asked for a round
        self._periodic: float | None = None
        self._retry: float | None = None
        self._probe: float | None = None
        self._not_before: float | None = None  # the server's Retry-After

    @property
    def phase(self) -> SyncPhase:
        """The phase between rounds: error, offline or idle."""
        if self.stopped:
            return SyncPhase.ERROR
        if self.offline:
            return SyncPhase.OFFLINE
        return SyncPhase.IDLE

    # --- triggers ------------------------------------------------------------------------------

    def start(self, now: float) -> None:
        self.stopped = False
        self._request(now)

    def sync_now(self, now: float) -> None:
        self.stopped = False
        self._request(now)

    def local_write(self, now: float) -> None:
        if self.stopped or self.offline:
            return
        at = now + self.settings.write_delay
        if self._retry is not None:
            at = max(at, self._retry)  # an edit does not hurry a round that is backing off
        self._request(at)

    def _request(self, at: float) -> None:
        if self._not_before is not None:
            at = max(at, self._not_before)
        self._requested = at if self._requested is None else min(self._requested, at)

    # --- what is due ---------------------------------------------------------------------------

    def next_due(self) -> Due | None:
        """The next action, or ``None`` when nothing is due until a trigger."""
        if self.stopped:
            return None
        rounds = [t for t in (self._requested, self._periodic, self._retry) if t is not None]
        if self.offline:
            rounds = [self._requested] if self._requested is not None else []
            if self._probe is not None and (not rounds or self._probe < min(rounds)):
                return Due(Action.PROBE, self._probe)
        return Due(Action.ROUND, min(rounds)) if rounds else None

    # --- results -------------------------------------------------------------------------------

    def round_started(self) -> None:
        self._requested = self._periodic = self._retry = self._probe = None

    def round_succeeded(self, now: float) -> None:
        self.online, self.offline, self.stopped = True, False, False
        self.problem = None
        self.failures = 0
        self._not_before = None
        self._periodic = now + self.settings.interval

    def round_failed(self, now: float, error: BaseException) -> None:
        self.problem = error
        if not _is_retryable(error):
            self.stopped = True
            self.failures = 0
            if isinstance(error, SyncError) and error.status is not None:
                self.online, self.offline = True, False
            return
        self.failures += 1
        delay = self._delay(error, now)
        if _is_offline(error):
            self.online, self.offline = False, True
            self._probe = now + delay
        else:
            if isinstance(error, SyncError):
                self.online, self.offline = True, False
            self._retry = now + delay

    def probe_succeeded(self, now: float) -> None:
        """The network is back: a round at once."""
        self.online, self.offline = True, False
        self._probe = None
        self._request(now)

    def probe_failed(self, now: float, error: BaseException) -> None:
        if not _is_offline(error) and not _is_retryable(error):
            self.round_failed(now, error)
            return
        self.problem = error
        self.failures += 1
        self._probe = now + self._delay(error, now)

    def _delay(self, error: BaseException, now: float) -> float:
        s = self.settings
        delay = backoff_delay(self.failures, self._rng, s.backoff_base, s.backoff_cap)
        retry_after = error.retry_after if isinstance(error, SyncError) else None
        if retry_after is not None:
            self._not_before = now + retry_after  # "Sync now" waits for it too
        return max(delay, retry_after or 0.0)


Waiter = Callable[[float | None], None]
"""Waits up to the given seconds (``None``: until woken) or until a trigger wakes it."""


class SyncWorker:
    """The sync thread (see the module docstring).

    Args:
        store: The open cache.
        connect: Makes this worker's signed-in client; called on the worker thread (again after
            the session ended).
        emit: Receives every event, on the worker thread.
        settings: The schedule's timings.
        monotonic: The clock of the schedule (tests: a fake).
        wait: Replaces the wait for the next due time (tests: advances the fake clock).
        rng: Randomness of the backoff (tests: seeded).
    """

    def __init__(
        self,
        store: Store,
        connect: Callable[[], ApiClient],
        *,
        emit: Callable[[SyncEvent], None],
        settings: ScheduleSettings | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        wait: Waiter | None = None,
        rng: random.Random | None = None,
        page_limit: int = PAGE_LIMIT,
        batch_size: int = MAX_MUTATIONS,
    ) -> None:
        self._store = store
        self._connect = connect
        self._emit = emit
        self._monotonic = monotonic
        self._wait = wait or self._wait_for_wake
        self._page_limit = page_limit
        self._batch_size = batch_size
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._schedule = Schedule(settings, rng)
        self._client: ApiClient | None = None
        self._running_phase: SyncPhase | None = None
        self._thread: threading.Thread | None = None
        self._stopping = False

    # --- any thread ----------------------------------------------------------------------------

    def start(self) -> None:
        """Start the thread; the first round runs at once."""
        with self._lock:
            if self._thread is not None:
                return
            self._stopping = False
            self._schedule.start(self._monotonic())
            self._thread = threading.Thread(target=self._run, name=THREAD_NAME, daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        """Stop at the next page or batch of a round in flight, and close the client."""
        with self._lock:
            self._stopping = True
            thread, self._thread = self._thread, None
        self._wake.set()
        if thread is None:
            self._close_client()  # driven by step() on the caller's thread, or never started
        elif thread is not threading.current_thread():
            thread.join(timeout)

    def sync_now(self) -> None:
        self._trigger(self._schedule.sync_now)

    def notify_local_write(self) -> None:
        self._trigger(self._schedule.local_write)

    def _trigger(self, event: Callable[[float], None]) -> None:
        with self._lock:
            event(self._monotonic())
        self._wake.set()

    def status(self) -> SyncStatus:
        """The current snapshot (reads the counts from the cache)."""
        with self._lock:
            phase = self._running_phase or self._schedule.phase
            online = self._schedule.online
            problem = self._schedule.problem
        title, message = _words(problem)
        return read_status(
            self._store,
            phase=phase,
            online=online,
            title=title,
            message=message,
            code=problem.code if isinstance(problem, SyncError) else None,
            wipe=isinstance(problem, DeviceRevoked) and problem.wipe,
            session_ended=isinstance(problem, SessionExpired),
        )

    @property
    def schedule(self) -> Schedule:
        return self._schedule

    @property
    def stopping(self) -> bool:
        """Whether :meth:`stop` was called (a round in flight ends at its next page or batch)."""
        return self._stopping

    # --- the worker thread ---------------------------------------------------------------------

    def _run(self) -> None:
        lower_thread_priority(SYNC_NICENESS)
        try:
            while not self._stopping:
                self.step()
        except BaseException as error:  # never let the thread die silently
            log_failure(log, "the sync thread stopped", error)
            raise
        finally:
            self._close_client()

    def step(self) -> None:
        """One turn: wait for what is due next (or a trigger), or do it."""
        self._wake.clear()
        with self._lock:
            due = self._schedule.next_due()
            now = self._monotonic()
        if self._stopping:
            return
        if due is None:
            self._wait(None)
        elif due.at > now:
            self._wait(due.at - now)
        elif due.action is Action.ROUND:
            self._round()
        else:
            self._probe()

    def _wait_for_wake(self, timeout: float | None) -> None:
        self._wake.wait(timeout)

    def _round(self) -> None:
        with self._lock:
            self._schedule.round_started()
        error: BaseException | None = None
        try:
            client = self._signed_in_client()
            engine = SyncEngine(
                self._store,
                client,
                emit=self._emit,
                on_phase=self._phase,
                page_limit=self._page_limit,
                batch_size=self._batch_size,
                stop=lambda: self._stopping,
            )
            with collections_paused():
                engine.run_round()
        except Cancelled:
            with self._lock:
                self._running_phase = None
            return
        except RmDeskError as failure:
            error = failure
        except Exception as failure:  # a bug: stop with words, and leave the trace in the log
            log_failure(log, "sync round failed unexpectedly", failure)
            error = failure
        if isinstance(error, AuthError):
            self._close_client()  # signed out: the next round signs in again through connect
        with self._lock:
            self._running_phase = None
            now = self._monotonic()
            if error is None:
                self._schedule.round_succeeded(now)
            else:
                self._schedule.round_failed(now, error)
        self._emit(StatusChanged(self.status()))

    def _probe(self) -> None:
        error: BaseException | None = None
        try:
            if self._client is None:
                self._signed_in_client()
            else:
                self._client.health()
        except RmDeskError as failure:
            error = failure
        except Exception as failure:
            log_failure(log, "sync probe failed unexpectedly", failure)
            error = failure
        with self._lock:
            now = self._monotonic()
            if error is None:
                self._schedule.probe_succeeded(now)
            else:
                self._schedule.probe_failed(now, error)
        if error is not None:
            self._emit(StatusChanged(self.status()))

    def _phase(self, phase: SyncPhase) -> None:
        with self._lock:
            self._running_phase = phase
        self._emit(StatusChanged(self.status()))

    def _signed_in_client(self) -> ApiClient:
        if self._client is None or self._client.session is None:
            self._close_client()
            self._client = self._connect()
        return self._client

    def _close_client(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            client.close()


def _words(problem: BaseException | None) -> tuple[str | None, str | None]:
    if problem is None:
        return None, None
    if isinstance(problem, RmDeskError):
        return problem.title, problem.message
    return UNEXPECTED_TITLE, UNEXPECTED_MESSAGE


__all__ = [
    "THREAD_NAME",
    "Action",
    "Due",
    "Schedule",
    "ScheduleSettings",
    "SyncWorker",
    "backoff_delay",
    "collections_paused",
]
