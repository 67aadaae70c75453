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

Before the first pull of the process, :func:`freeze_long_lived_heap` takes the objects the process
holds by then (modules, the window, its caches) out of the garbage collector's full collections.
Each decoded page is thousands of new objects; every few pages they make CPython run a full
collection, which walks the whole heap with the interpreter lock held — 120 to 200 ms for the
window's heap, during which the GUI thread cannot run a line of Python. Frozen, a full collection
walks only what came after (the pages in flight): a few milliseconds.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable
from dataclasses import dataclass

from rm_desk.domain.enums import SyncPhase
from rm_desk.local_store.engine import Store
from rm_desk.local_store.ingest import IngestResult, apply_page
from rm_desk.local_store.replacement import begin_replacement
from rm_desk.local_store.sync_state import CURSOR, get_state
from rm_desk.sync.cancel import StopCheck, check, never
from rm_desk.sync.client import ApiClient
from rm_desk.sync.errors import CursorExpired
from rm_desk.sync.events import Progress, SyncEvent

PAGE_LIMIT = 5000

_frozen = threading.Event()


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
        client: A signed-in client, used on this thread only.
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
        while True:
            check(self._stop)
            page = self._client.changes(cursor, self._limit)
            result = apply_page(
                self._store, page.changes, page.cursor, server_time=page.server_time
            )
            tally.add(len(page.changes), result)
            self._emit(
                Progress(SyncPhase.PULLING, tally.changes, tally.changes + page.estimated_remaining)
            )
            cursor = page.cursor
            if not page.has_more:
                return tally.report()

    def replace(self) -> PullReport:
        """Run a replacement sync (see the module docstring)."""
        freeze_long_lived_heap()
        self._on_phase(SyncPhase.REPLACING)
        tally = _Tally()
        with begin_replacement(self._store) as replacement:
            cursor: str | None = None
            while True:
                check(self._stop)
                page = self._client.changes(cursor, self._limit)
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
                if not page.has_more:
                    break
            swept = replacement.finish(cursor)
        return tally.report(replaced=True, swept=swept)


__all__ = ["PAGE_LIMIT", "PullReport", "Puller", "freeze_long_lived_heap"]
