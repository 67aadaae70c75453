"""A lower scheduling priority for the sync thread and the threads it starts.

While a first sync decodes and writes thousands of records a page, the window's thread must get
a core as soon as it wakes for an event instead of waiting its turn behind the sync's work. So
the sync thread lowers its own priority when it starts:

- **Linux**: the thread's niceness becomes the process's (its main thread's) plus
  :data:`SYNC_NICENESS`, at most 19. Threads started afterwards inherit it.
- **Windows** (where the bank deploys): ``SetThreadPriority(THREAD_PRIORITY_BELOW_NORMAL)``.
  Threads do not inherit it there, so a thread the sync thread starts first calls what
  :func:`starter_priority` gave its starter.
- Elsewhere nothing changes.

Setting the priority is best effort: a sandbox may refuse it, and sync runs all the same.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

SYNC_NICENESS = 10
"""How much lower than the window's the sync thread's scheduling priority is (Linux niceness)."""

THREAD_PRIORITY_BELOW_NORMAL = -1
"""Windows' ``THREAD_PRIORITY_BELOW_NORMAL`` (winbase.h)."""

_lowered = threading.local()


def lower_thread_priority(niceness: int = SYNC_NICENESS) -> None:
    """Make the calling thread yield the cores to the process's other threads.

    Idempotent: the priority is set relative to the process's, not to the thread's current one.
    """
    if niceness <= 0:
        return
    if sys.platform == "linux":
        _lower_linux(niceness)
    elif sys.platform == "win32":
        _lower_windows()
    else:
        return
    _lowered.niceness = niceness


def starter_priority() -> Callable[[], None]:
    """What a new thread calls first to run at the priority of the thread starting it.

    Call it on the starting thread; the new thread calls what it returns. A no-op unless the
    starting thread lowered its priority with :func:`lower_thread_priority`.
    """
    niceness = getattr(_lowered, "niceness", 0)
    return lambda: lower_thread_priority(niceness)


def _lower_linux(niceness: int) -> None:
    thread = threading.get_native_id()
    try:
        process = os.getpriority(os.PRIO_PROCESS, os.getpid())
        os.setpriority(os.PRIO_PROCESS, thread, min(19, process + niceness))
    except OSError as error:
        log.debug("could not lower the sync thread's priority: %s", error.strerror)


def _lower_windows() -> None:  # pragma: no cover - runs on Windows only
    import ctypes

    windows: Any = ctypes  # WinDLL and get_last_error exist on Windows only
    kernel32 = windows.WinDLL("kernel32", use_last_error=True)
    if not kernel32.SetThreadPriority(kernel32.GetCurrentThread(), THREAD_PRIORITY_BELOW_NORMAL):
        log.debug("could not lower the sync thread's priority: error %d", windows.get_last_error())


__all__ = ["SYNC_NICENESS", "lower_thread_priority", "starter_priority"]
