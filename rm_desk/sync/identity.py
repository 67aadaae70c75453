"""Who is signed in and the bank's policy: plain frozen types, without the HTTP client.

They live apart from :mod:`rm_desk.sync.client` so the window can name them without importing
httpx at start-up; ``client`` re-exports them, so ``from rm_desk.sync.client import User`` keeps
working.
"""

from __future__ import annotations

from dataclasses import dataclass

from rm_desk.domain.enums import Role


@dataclass(frozen=True, slots=True)
class User:
    """The signed-in user (API.md §1)."""

    id: str
    name: str
    role: Role
    team_id: str
    branch_id: str


@dataclass(frozen=True, slots=True)
class Policy:
    """The security policy the server sets; the client obeys it (API.md §1 defaults)."""

    idle_lock_minutes: int = 15
    session_max_hours: int = 12
    offline_block_hours: int = 72
    offline_wipe_days: int = 14
    retention_days: int = 30
    transaction_window_days: int = 90
    max_failed_unlocks: int = 5


__all__ = ["Policy", "User"]
