"""Stopping a sync round between steps: the worker's stop must not wait for a whole initial sync.

The pull checks before each feed page and the push before each batch; what was applied stays
applied (every page and every batch result commits on its own), so stopping loses nothing.
"""

from __future__ import annotations

from collections.abc import Callable

StopCheck = Callable[[], bool]
"""Answers whether the round should stop now."""


class Cancelled(Exception):
    """The round stopped because the worker is stopping; not an error anyone sees."""


def never() -> bool:
    return False


def check(stop: StopCheck) -> None:
    """Raise :class:`Cancelled` when ``stop`` says so."""
    if stop():
        raise Cancelled


__all__ = ["Cancelled", "StopCheck", "check", "never"]
