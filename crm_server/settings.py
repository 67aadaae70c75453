"""How one reference server runs: database, address, limits, lifetimes and the client policy.

:class:`Settings` is built once (by the command line, the in-process runner or a test) and passed
to everything that needs it; nothing reads the environment or a global. The clock is a setting too,
so tests move time by hand (cursor horizon, token expiry, lockout window).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import MappingProxyType

from crm_server.synth.records import Scale

DEFAULT_POLICY: Mapping[str, int] = MappingProxyType(
    {
        "idle_lock_minutes": 15,
        "session_max_hours": 12,
        "offline_block_hours": 72,
        "offline_wipe_days": 14,
        "retention_days": 30,
        "transaction_window_days": 90,
        "max_failed_unlocks": 5,
    }
)
"""The client policy of API.md §1, with its default values."""


def utc_now() -> datetime:
    """The real clock: the current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything one server needs to run.

    Attributes:
        db_url: SQLAlchemy URL of the database (``sqlite:///path`` or ``postgresql+psycopg://…``).
        host: Address to listen on; loopback unless deployed behind TLS.
        port: Port to listen on; 0 picks a free one.
        dev: Mount the ``/dev`` calls of API.md §4 (reference server only).
        seed: Random seed of the synthetic bank used to fill an empty database.
        scale: Size of that bank: ``Scale.DEMO``, ``Scale.BENCH`` or a number of customers.
        clock: Returns the current UTC time; tests pass a clock they move by hand.
        access_token_ttl: Lifetime of an access token.
        session_max: Lifetime of a refresh token (a sign-in), after which the user signs in again.
        cursor_horizon: A feed cursor older than this gets ``410 cursor_expired``.
        op_retention: How long the result of a mutation is kept for replays (API.md: 30 days
            at least).
        lockout_failures: Failed sign-ins within ``lockout_window`` that lock an account.
        lockout_window: The window of ``lockout_failures``.
        rate_limit_per_minute: Authenticated calls one user may make per minute; ``None`` turns
            the limit off.
        max_body_bytes: Largest request body accepted, before and after gzip decoding.
        feed_default_limit: Page size of ``GET /changes`` without ``limit``.
        feed_max_limit: Largest ``limit`` of ``GET /changes``.
        feed_read_ahead: After a full page, build the next page of the same feed in the
            background, so it is ready when the client asks for it (see :mod:`crm_server.feed`).
        kdf_cost: scrypt's ``n`` for new password hashes (a power of two). Tests lower it.
        policy: The client policy answered by ``GET /me``.
    """

    db_url: str = "sqlite:///crm-server.db"
    host: str = "127.0.0.1"
    port: int = 0
    dev: bool = False
    seed: int = 1
    scale: Scale | int = Scale.DEMO
    clock: Callable[[], datetime] = utc_now
    access_token_ttl: timedelta = timedelta(minutes=15)
    session_max: timedelta = timedelta(hours=DEFAULT_POLICY["session_max_hours"])
    cursor_horizon: timedelta = timedelta(days=DEFAULT_POLICY["retention_days"])
    op_retention: timedelta = timedelta(days=35)
    lockout_failures: int = 5
    lockout_window: timedelta = timedelta(minutes=15)
    rate_limit_per_minute: int | None = 1200
    max_body_bytes: int = 16 * 1024 * 1024
    feed_default_limit: int = 2000
    feed_max_limit: int = 10000
    feed_read_ahead: bool = True
    kdf_cost: int = 2**14
    policy: Mapping[str, int] = field(default_factory=lambda: DEFAULT_POLICY)


def parse_scale(text: str) -> Scale | int:
    """Read the ``--scale`` argument: ``demo``, ``bench`` or a positive number of customers.

    Raises:
        ValueError: ``text`` is none of those.
    """
    lowered = text.strip().lower()
    for scale in Scale:
        if lowered == scale.value:
            return scale
    if lowered.isdigit() and int(lowered) > 0:
        return int(lowered)
    raise ValueError(f"scale must be demo, bench or a number of customers, not {text!r}")
