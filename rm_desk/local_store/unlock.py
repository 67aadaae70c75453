"""Offline unlock: a slow-KDF verifier of the user's password, and who the user is, in the cache.

After an online sign-in RM Desk keeps, inside the user's encrypted cache (``sync_state`` rows):

- :data:`VERIFIER`: an scrypt verifier of the password (a random 16-byte salt, ``n=2**14, r=8,
  p=1`` by default, a 32-byte hash) and the user id it belongs to. The password itself is never
  stored; a guess costs one scrypt run, and the cache must be opened (the key is in the OS
  credential store) before a guess can be tried at all.
- :data:`FAILED_UNLOCKS`: the failed attempts since the last success or online sign-in, and when
  the last one was. Each failure makes the next attempt wait longer (:func:`unlock_delay`); after
  the policy's ``max_failed_unlocks`` failures offline unlock is refused until the user signs in
  online again, which resets the count.
- :data:`LAST_ME`: the last ``GET /me`` answer (user, permissions, policy) as JSON, so an offline
  start knows who the user is and what they may do.
- :data:`LAST_ONLINE_SIGN_IN`: when the last online sign-in succeeded. With the sync engine's
  ``last_server_contact`` it dates the offline lease (:func:`last_server_contact`).

Every function takes the caller's connection; :func:`check_password` writes, so call it inside
``store.write()`` for its counter to commit.

Checks of :func:`check_password`, in order:

1. no verifier, or one of another user: ``NOT_SET_UP``;
2. ``max_failed_unlocks`` failures already: ``LOCKED_OUT`` (only an online sign-in resets it);
3. sooner than :func:`unlock_delay` after the last failure: ``THROTTLED`` (not counted);
4. the password's scrypt hash equals the verifier's (``hmac.compare_digest``): ``VERIFIED``,
   and the count is reset;
5. otherwise ``WRONG``, and the failure is counted.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any, Final

import orjson
from sqlalchemy import Connection

from rm_desk.local_store.sync_state import LAST_SERVER_CONTACT, get_state, set_state

VERIFIER: Final = "unlock_verifier"
FAILED_UNLOCKS: Final = "unlock_failures"
LAST_ME: Final = "last_me"
LAST_ONLINE_SIGN_IN: Final = "last_online_sign_in"

DEFAULT_COST: Final = 2**14
"""scrypt's ``n``; about 16 MiB and 50 ms per try."""
BLOCK_SIZE: Final = 8
PARALLELISM: Final = 1
SALT_BYTES: Final = 16
HASH_BYTES: Final = 32
MAX_DELAY_S: Final = 30.0


class UnlockOutcome(StrEnum):
    """What an offline unlock attempt came to."""

    VERIFIED = "verified"
    WRONG = "wrong"
    THROTTLED = "throttled"
    LOCKED_OUT = "locked_out"
    NOT_SET_UP = "not_set_up"


@dataclass(frozen=True, slots=True)
class UnlockCheck:
    """The outcome of :func:`check_password`.

    Attributes:
        outcome: What happened.
        attempts_left: Failures still allowed before offline unlock is refused.
        retry_after_s: With ``THROTTLED`` (and after ``WRONG``), seconds until the next try.
    """

    outcome: UnlockOutcome
    attempts_left: int
    retry_after_s: float = 0.0

    @property
    def verified(self) -> bool:
        return self.outcome is UnlockOutcome.VERIFIED


def unlock_delay(failures: int) -> float:
    """Seconds to wait after ``failures`` failed attempts: 0, then 1, 2, 4 … up to 30."""
    if failures <= 0:
        return 0.0
    return min(MAX_DELAY_S, float(2 ** (failures - 1)))


def remember_password(
    conn: Connection, user_id: str, password: str, *, cost: int = DEFAULT_COST
) -> None:
    """Keep a fresh verifier of ``password`` for ``user_id`` and reset the failure count.

    Called after a successful online sign-in, so the count restarts there.
    """
    salt = secrets.token_bytes(SALT_BYTES)
    digest = _scrypt(password, salt, cost)
    record = {
        "v": 1,
        "kdf": "scrypt",
        "n": cost,
        "r": BLOCK_SIZE,
        "p": PARALLELISM,
        "salt": base64.b64encode(salt).decode("ascii"),
        "hash": base64.b64encode(digest).decode("ascii"),
        "user_id": user_id,
    }
    set_state(conn, VERIFIER, orjson.dumps(record).decode("utf-8"))
    set_state(conn, FAILED_UNLOCKS, None)


def has_verifier(conn: Connection, user_id: str) -> bool:
    return _verifier(conn, user_id) is not None


def check_password(
    conn: Connection,
    user_id: str,
    password: str,
    now: datetime,
    policy_max_failed: int,
) -> UnlockCheck:
    """Check ``password`` against the stored verifier (see the module docstring for the checks).

    Args:
        conn: A write connection: the failure count is updated.
        user_id: Whose password this should be.
        password: What the user typed; compared through its scrypt hash, never kept.
        now: The current time (UTC).
        policy_max_failed: The policy's ``max_failed_unlocks``.
    """
    verifier = _verifier(conn, user_id)
    failures, last_failed = _failures(conn)
    left = max(0, policy_max_failed - failures)
    if verifier is None:
        return UnlockCheck(UnlockOutcome.NOT_SET_UP, left)
    if failures >= policy_max_failed:
        return UnlockCheck(UnlockOutcome.LOCKED_OUT, 0)
    if last_failed is not None:
        ready_at = last_failed + timedelta(seconds=unlock_delay(failures))
        if now < ready_at:
            return UnlockCheck(UnlockOutcome.THROTTLED, left, (ready_at - now).total_seconds())
    salt, expected, cost = verifier
    if hmac.compare_digest(_scrypt(password, salt, cost), expected):
        set_state(conn, FAILED_UNLOCKS, None)
        return UnlockCheck(UnlockOutcome.VERIFIED, policy_max_failed)
    failures += 1
    set_state(
        conn,
        FAILED_UNLOCKS,
        orjson.dumps({"count": failures, "last": _stamp(now)}).decode("utf-8"),
    )
    left = max(0, policy_max_failed - failures)
    if left == 0:
        return UnlockCheck(UnlockOutcome.LOCKED_OUT, 0)
    return UnlockCheck(UnlockOutcome.WRONG, left, unlock_delay(failures))


def forget_password(conn: Connection) -> None:
    """Remove the verifier (offline unlock then needs an online sign-in first)."""
    set_state(conn, VERIFIER, None)
    set_state(conn, FAILED_UNLOCKS, None)


def _verifier(conn: Connection, user_id: str) -> tuple[bytes, bytes, int] | None:
    text = get_state(conn, VERIFIER)
    if text is None:
        return None
    try:
        record = orjson.loads(text)
        if record.get("kdf") != "scrypt" or record.get("user_id") != user_id:
            return None
        cost = int(record["n"])
        if record.get("r") != BLOCK_SIZE or record.get("p") != PARALLELISM or cost < 2:
            return None
        return base64.b64decode(record["salt"]), base64.b64decode(record["hash"]), cost
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError):
        return None


def _failures(conn: Connection) -> tuple[int, datetime | None]:
    text = get_state(conn, FAILED_UNLOCKS)
    if text is None:
        return 0, None
    try:
        record = orjson.loads(text)
        return int(record["count"]), datetime.fromisoformat(record["last"])
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
        # An unreadable count must not become a free pass: treat it as locked out.
        return 2**31, None


def _scrypt(password: str, salt: bytes, cost: int) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8"),
        salt=salt,
        n=cost,
        r=BLOCK_SIZE,
        p=PARALLELISM,
        maxmem=2 * 128 * BLOCK_SIZE * cost + 1024 * 1024,
        dklen=HASH_BYTES,
    )


# --- who the user is, for offline starts --------------------------------------------------------


def remember_me(conn: Connection, record: Mapping[str, Any]) -> None:
    """Keep the last ``GET /me`` answer as JSON (ids, role, permissions, policy: no secrets).

    The record's shape belongs to the session layer (:mod:`rm_desk.session`), which reads it back
    with :func:`recall_me`; the store only keeps it.
    """
    set_state(conn, LAST_ME, orjson.dumps(dict(record)).decode("utf-8"))


def recall_me(conn: Connection) -> dict[str, Any] | None:
    """The record kept by :func:`remember_me`, or ``None`` (none kept, or unreadable)."""
    text = get_state(conn, LAST_ME)
    if text is None:
        return None
    try:
        record = orjson.loads(text)
    except orjson.JSONDecodeError:
        return None
    return record if isinstance(record, dict) else None


def note_online_sign_in(conn: Connection, now: datetime) -> None:
    set_state(conn, LAST_ONLINE_SIGN_IN, _stamp(now))


def last_server_contact(conn: Connection) -> datetime | None:
    """The later of the last online sign-in and the last answer sync had from the server."""
    moments = [
        _moment(get_state(conn, LAST_ONLINE_SIGN_IN)),
        _moment(get_state(conn, LAST_SERVER_CONTACT)),
    ]
    known = [moment for moment in moments if moment is not None]
    return max(known) if known else None


def lease_expired(conn: Connection, now: datetime, offline_block_hours: int) -> bool:
    """Whether offline work is blocked: no server contact for the policy's
    ``offline_block_hours``."""
    contact = last_server_contact(conn)
    if contact is None:
        return True
    return now - contact > timedelta(hours=offline_block_hours)


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def _moment(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


__all__ = [
    "DEFAULT_COST",
    "FAILED_UNLOCKS",
    "LAST_ME",
    "LAST_ONLINE_SIGN_IN",
    "VERIFIER",
    "UnlockCheck",
    "UnlockOutcome",
    "check_password",
    "forget_password",
    "has_verifier",
    "last_server_contact",
    "lease_expired",
    "note_online_sign_in",
    "recall_me",
    "remember_me",
    "remember_password",
    "unlock_delay",
]
