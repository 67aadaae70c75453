"""Pull: page through the change feed into the cache (API.md §2).

:meth:`Puller.pull` asks ``GET /changes`` from the stored cursor, 5000 changes a page, and applies
each page with its cursor in one transaction (:func:`~rm_desk.local_store.ingest.apply_page`),
until ``has_more`` is false. A record that fails validation is quarantined by the ingest with a
journal entry and the rest of its page applied, so one bad record never stalls the pull.

``410 cursor_expired`` starts a **replacement sync**: the whole feed again from no cursor into the
cache as it is, then every cached record the feed did not send is deleted, except records with
pending local changes and records created here (:mod:`rm_desk.local_store.replacement`).

A :class:`~rm_desk.sync.events.Progress` event follows each page: changes done so far, and an
estimated total (done plus the server's ``estimated_remaining``).

While a page is applied, the next one is already on its way: :class:`_Prefetch` asks for it on a
thread of its own (``rm-desk-sync-fetch``) as soon as the page's cursor is known, so the server
building and sending page N+1 overlaps the cache writing page N — an initial sync would otherwise
spend about a third of its time waiting for the server. The fetch thread also checks the page's
records and turns them into rows (:func:`~rm_desk.local_store.ingest.prepare_changes`, no
database), so that Python work runs while the sync thread is in SQLite writing the page before
(which releases the interpreter lock) rather than after it: the apply, not the server, is what an
initial sync waits for. One request at most is in flight, and the
sync thread does not touch the client while it is (the client stays single-threaded in effect).
Pages are still applied one at a time, in feed order, each with its cursor: a page fetched ahead
and never applied (stop, a failure, a kill) leaves nothing behind, and the next pull asks for it
again from the stored cursor.

Before the first pull of the process, :func:`freeze_long_lived_heap` takes the objects the process
holds by then (modules, the window, its caches) out of the garbage collector's full collections.
Each decoded page is thousands of new objects; every few pages they make CPython run a full
collection, which walks the whole heap with the interpreter lock held — 120 to 200 ms for the
window's heap, during which the GUI thread cannot run a line of Python. Frozen, a full collection
walks only what came after.

What comes after is mostly the pages in flight: the changes of the page being applied and of the
one being fetched, which live for one page and are freed by their reference counts, yet survive
long enough to be promoted to the oldest generation, so that full collections came every few
pages and walked them: 20 to 110 ms each on a busy machine. While the pull runs,
:func:`full_collections_held` therefore keeps the automatic full collection from starting (the
young generations are still collected as usual, so short-lived cycles are still reclaimed); the
usual threshold is back when the pull ends, however it ends, and the next full collection picks
up whatever cyclic garbage reached the old generation meanwhile: a few small objects a page (the
feed's bodies are streamed into their decode and kept by no response object, see
:meth:`~rm_desk.sync.client.ApiClient.changes`), so a pull's memory stays bounded by its pages in
flight, not by its length.

Each page is decoded a slice of changes at a time when the server writes it one change per line
(:mod:`rm_desk.sync.feed_decode`), on the thread that fetched it, so that neither the decode nor
the collections hold the interpreter lock long enough for the window to feel it.
"""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Callable, Generator
from dataclasses import dataclass

from rm_desk.domain.enums import SyncPhase
from rm_desk.local_store.engine import Store
from rm_desk.local_store.ingest import IngestResult, PreparedChanges, apply_page, prepare_changes
from rm_desk.local_store.replacement import begin_replacement
from rm_desk.local_store.sync_state import CURSOR, get_state
from rm_desk.sync.cancel import StopCheck, check, never
from rm_desk.sync.client import ApiClient, FeedPage
from rm_desk.sync.errors import CursorExpired
from rm_desk.sync.events import Progress, SyncEvent
from rm_desk.sync.priority import starter_priority

PAGE_LIMIT = 5000
FETCH_THREAD_NAME = "rm-desk-sync-fetch"

_frozen = threading.Event()

_HELD_THRESHOLD = 2**31 - 1
"""A third-generation threshold the count of second-generation collections never passes."""


class _FullCollectionHold:
    """Counts the pulls running; the first one out of none raises the threshold, the last one
    back to none restores what it was (pulls may overlap: a replacement in a test, a second
    store)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._holders = 0
        self._saved: tuple[int, int, int] = gc.get_threshold()

    @contextlib.contextmanager
    def held(self) -> Generator[None, None, None]:
        with self._lock:
            if self._holders == 0:
                self._saved = gc.get_threshold()
                young, middle, _ = self._saved
                gc.set_threshold(young, middle, _HELD_THRESHOLD)
            self._holders += 1
        try:
            yield
        finally:
            with self._lock:
                self._holders -= 1
                if self._holders == 0:
                    gc.set_threshold(*self._saved)


_hold = _FullCollectionHold()


def full_collections_held() -> contextlib.AbstractContextManager[None]:
    """No automatic full garbage collection (of the oldest generation) while this is entered.

    Process-wide, like the collector; see the module docstring for why a pull wants it.
    """
    return _hold.held()


def freeze_long_lived_heap() -> None:
    """Move every object the process holds now out of future collections, once per process.

    Once, not per pull: the objects alive at the first pull live as long as the process (what a
    frozen object leaves behind as cyclic garbage is never reclaimed; anything freed by its
    reference count still is), while freezing again later would also freeze the garbage a session
    makes. See the module docstring for why.
    """
    if not _frozen.is_set():
        _frozen.set()
        gc.freeze()


_Fetched = tuple[FeedPage, PreparedChanges | None]
"""A page, and its changes as :func:`~rm_desk.local_store.ingest.prepare_changes` made them when
asked for."""


def _fetch(client: ApiClient, cursor: str | None, limit: int, *, prepare: bool) -> _Fetched:
    page = client.changes(cursor, limit)
    return page, prepare_changes(page.changes) if prepare else None


class _Prefetch:
    """One feed request on a thread of its own; :meth:`result` waits for its answer.

    With ``prepare``, the thread also checks and converts the page's changes into rows
    (:func:`~rm_desk.local_store.ingest.prepare_changes`), which needs no database: it runs while
    the sync thread writes the page before, instead of after it.

    The request's error, if any, is raised by :meth:`result` on the caller's thread, unchanged.
    """

    def __init__(self, client: ApiClient, cursor: str | None, limit: int, *, prepare: bool) -> None:
        self._client = client
        self._cursor = cursor
        self._limit = limit
        self._prepare = prepare
        self._page: _Fetched | None = None
        self._error: BaseException | None = None
        self._set_priority = starter_priority()  # the sync thread's, on Windows too
        # A daemon: a request hung past its timeouts must not keep the process from exiting.
        self._thread = threading.Thread(target=self._fetch, name=FETCH_THREAD_NAME, daemon=True)
        self._thread.start()

    def _fetch(self) -> None:
        self._set_priority()
        try:
            self._page = _fetch(self._client, self._cursor, self._limit, prepare=self._prepare)
        except BaseException as error:  # handed to the sync thread, which raises it
            self._error = error

    def result(self) -> _Fetched:
        """The page, once the request is over; or the request's error."""
        self._thread.join()
        if self._error is not None:
            raise self._error
        assert self._page is not None
        return self._page

    def wait(self) -> None:
        """Wait for the request to end, whatever its outcome (the answer is discarded)."""
        self._thread.join()


@dataclass(frozen=True, slots=True)
class PullReport:
    """What one :meth:`Puller.pull` did."""

    pages: int = 0
    changes: int = 0
    upserted: int = 0
    deleted: int = 0
    purged: int = 0
    rebased: int = 0
    quarantined: int = 0
    replaced: bool = False
    swept: int = 0


@dataclass
class _Tally:
    pages: int = 0
    changes: int = 0
    upserted: int = 0
    deleted: int = 0
    purged: int = 0
    rebased: int = 0
    quarantined: int = 0

    def add(self, size: int, result: IngestResult) -> None:
        self.pages += 1
        self.changes += size
        self.upserted += result.upserted
        self.deleted += result.deleted
        self.purged += result.purged
        self.rebased += result.rebased
        self.quarantined += len(result.quarantined)

    def report(self, *, replaced: bool = False, swept: int = 0) -> PullReport:
        return PullReport(
            self.pages,
            self.changes,
            self.upserted,
            self.deleted,
            self.purged,
            self.rebased,
            self.quarantined,
            replaced,
            swept,
        )


class Puller:
    """Reads the feed through one client into the cache.

    Args:
        store: The open cache.
        client: A signed-in client of this thread; while a pull runs, its feed requests are
            made on a fetch thread, one at a time, and this thread does not use it.
        emit: Called with a :class:`Progress` after each page.
        on_phase: Told when a replacement sync starts (``SyncPhase.REPLACING``).
        page_limit: Changes asked per page.
        stop: Checked before each page; when it answers true the pull raises
            :class:`~rm_desk.sync.cancel.Cancelled` (the pages applied stay, with their cursor).
    """

    def __init__(
        self,
        store: Store,
        client: ApiClient,
        *,
        emit: Callable[[SyncEvent], None],
        on_phase: Callable[[SyncPhase], None] = lambda _phase: None,
        page_limit: int = PAGE_LIMIT,
        stop: StopCheck = never,
    ) -> None:
        self._store = store
        self._client = client
        self._emit = emit
        self._on_phase = on_phase
        self._limit = page_limit
        self._stop = stop

    def pull(self) -> PullReport:
        """Apply every change after the stored cursor; replace the cache if the cursor expired.

        Raises:
            SyncError: The exchange failed; pages applied so far stay, with their cursor.
        """
        freeze_long_lived_heap()
        with self._store.read() as conn:
            cursor = get_state(conn, CURSOR)
        try:
            return self._incremental(cursor)
        except CursorExpired:
            return self.replace()

    def _incremental(self, cursor: str | None) -> PullReport:
        tally = _Tally()
        with contextlib.closing(self._pages(cursor, prepare=True)) as pages:
            for page, prepared in pages:
                result = apply_page(
                    self._store,
                    page.changes if prepared is None else prepared,
                    page.cursor,
                    server_time=page.server_time,
                )
                tally.add(len(page.changes), result)
                self._emit(
                    Progress(
                        SyncPhase.PULLING, tally.changes, tally.changes + page.estimated_remaining
                    )
                )
        return tally.report()

    def _pages(self, cursor: str | None, *, prepare: bool) -> Generator[_Fetched, None, None]:
        """The feed's pages after ``cursor``, in order; each next page is asked for before this
        one is handed out, and fetched (and, with ``prepare``, prepared) while the caller
        applies it.

        ``stop`` is checked before each request and again after each page the caller handled;
        closing the iterator (the caller stopped or failed) waits for the request in flight and
        discards its answer. No automatic full collection starts until the iterator is done.
        """
        check(self._stop)
        ahead: _Prefetch | None = None
        with full_collections_held():
            try:
                fetched = _fetch(self._client, cursor, self._limit, prepare=prepare)
                while True:
                    page = fetched[0]
                    if page.has_more and not self._stop():
                        ahead = _Prefetch(self._client, page.cursor, self._limit, prepare=prepare)
                    yield fetched
                    if not page.has_more:
                        return
                    check(self._stop)
                    assert ahead is not None  # started, since stop answered false both times
                    fetched, ahead = ahead.result(), None
            finally:
                if ahead is not None:
                    ahead.wait()

    def replace(self) -> PullReport:
        """Run a replacement sync (see the module docstring)."""
        freeze_long_lived_heap()
        self._on_phase(SyncPhase.REPLACING)
        tally = _Tally()
        with (
            begin_replacement(self._store) as replacement,
            contextlib.closing(self._pages(None, prepare=False)) as pages,
        ):
            cursor: str | None = None
            for page, _ in pages:
                result = replacement.apply_page(page.changes, server_time=page.server_time)
                tally.add(len(page.changes), result)
                self._emit(
                    Progress(
                        SyncPhase.REPLACING,
                        tally.changes,
                        tally.changes + page.estimated_remaining,
                    )
                )
                cursor = page.cursor
            assert cursor is not None  # the feed answers at least one page
            swept = replacement.finish(cursor)
        return tally.report(replaced=True, swept=swept)


__all__ = [
    "FETCH_THREAD_NAME",
    "PAGE_LIMIT",
    "PullReport",
    "Puller",
    "freeze_long_lived_heap",
    "full_collections_held",
]
