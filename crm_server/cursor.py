"""The feed's opaque cursor: URL-safe base64 of a small JSON object.

It holds the last ``rev`` delivered, when it was issued, the user it was issued to and the
database's random epoch. Decoding, in order:

1. not base64 of a JSON object of that shape: ``400 validation_error`` (field ``cursor``);
2. issued to another user: ``400 validation_error``;
3. from another database (the server was re-seeded): ``410 cursor_expired``, so the client runs
   a replacement sync rather than waiting for revs that will never come;
4. issued longer ago than the horizon: ``410 cursor_expired``.

The cursor is not signed: forging one gains nothing, since the feed only ever holds what the
signed-in user may see.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import orjson

from crm_server.problems import Code, ProblemError
from crm_server.timestamps import to_epoch


@dataclass(frozen=True, slots=True)
class Cursor:
    """A decoded cursor: everything up to ``rev`` has been delivered."""

    rev: int
    issued_at: int  # Unix seconds


def encode_cursor(rev: int, *, issued: datetime, user_id: str, epoch: str) -> str:
    """Write a cursor for ``user_id`` after ``rev``."""
    payload = {"v": 1, "r": rev, "t": to_epoch(issued), "u": user_id, "e": epoch}
    return base64.urlsafe_b64encode(orjson.dumps(payload)).decode("ascii").rstrip("=")


def decode_cursor(
    text: str, *, user_id: str, epoch: str, now: datetime, horizon: timedelta
) -> Cursor:
    """Read a cursor sent back by a client (checks in the module docstring).

    Raises:
        ProblemError: 400 ``validation_error`` or 410 ``cursor_expired``.
    """
    payload = _payload(text)
    if payload.get("u") != user_id:
        raise _bad("This cursor was issued to another user.")
    if payload.get("e") != epoch:
        raise _expired("This cursor is from an earlier copy of the server's data.")
    rev, issued = payload["r"], payload["t"]
    if to_epoch(now) - issued > horizon.total_seconds():
        raise _expired("This cursor is older than the server keeps changes for.")
    return Cursor(rev=rev, issued_at=issued)


def _payload(text: str) -> dict[str, Any]:
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        payload = orjson.loads(raw)
    except (binascii.Error, ValueError):
        raise _bad("This is not a cursor of this server.") from None
    if (
        not isinstance(payload, dict)
        or payload.get("v") != 1
        or not _is_count(payload.get("r"))
        or not _is_count(payload.get("t"))
    ):
        raise _bad("This is not a cursor of this server.")
    return payload


def _is_count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _bad(detail: str) -> ProblemError:
    return ProblemError(
        400, Code.VALIDATION_ERROR, detail, extra={"field_errors": {"cursor": detail}}
    )


def _expired(detail: str) -> ProblemError:
    return ProblemError(410, Code.CURSOR_EXPIRED, detail + " Run a full sync.")
