"""Time on the wire and in the database.

The wire carries ``YYYY-MM-DDTHH:MM:SSZ`` (RFC 3339, UTC, whole seconds: docs/decisions.md). The
database keeps instants the server compares (expiry, lockout windows, retention) as integer Unix
seconds, which compare the same way on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, datetime

_WIRE_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def to_wire(moment: datetime) -> str:
    """Write a timezone-aware instant as wire text (``2026-11-20T09:00:00Z``)."""
    return moment.astimezone(UTC).strftime(_WIRE_FORMAT)


def from_wire(text: str) -> datetime:
    """Read an RFC 3339 timestamp with a zone (``Z`` or an offset) as a UTC instant.

    Raises:
        ValueError: ``text`` is not such a timestamp.
    """
    parsed = datetime.fromisoformat(text.replace("z", "Z").replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        raise ValueError("timestamp has no time zone")
    return parsed.astimezone(UTC)


def to_epoch(moment: datetime) -> int:
    """Whole Unix seconds of an instant, as the database keeps it."""
    return int(moment.timestamp())


def from_epoch(seconds: int) -> datetime:
    """The UTC instant of whole Unix seconds."""
    return datetime.fromtimestamp(seconds, UTC)
