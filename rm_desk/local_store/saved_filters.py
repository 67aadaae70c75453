"""Named filters of the customer list, kept per user in the encrypted cache.

An RM who looks at "diamond customers tagged 到期客户" every Monday saves that filter once and
picks it from a drop-down afterwards. The filters live in the cache (encrypted like everything
else, gone with it on a wipe) as one JSON document per user under the ``sync_state`` key
``saved_filters:<user id>``, so no migration is needed for a handful of small records.

The document reads::

    {"version": 1, "filters": [{"name": "周一复盘", "tiers": ["diamond"], "risk_levels": [],
      "tags": ["到期客户"], "rm_ids": [], "aum_min": "500000", "aum_max": null}, ...]}

Amounts are yuan as decimal strings. A document that cannot be read (edited by hand, written by a
future version) reads as no saved filters rather than failing the screen; it is replaced on the
next save.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Final

import orjson
from sqlalchemy import Connection

from rm_desk.errors import WriteRejected
from rm_desk.local_store.queries import CustomerFilter
from rm_desk.local_store.sync_state import get_state, set_state

log = logging.getLogger(__name__)

KEY_PREFIX: Final = "saved_filters:"
VERSION: Final = 1
MAX_NAME_LENGTH: Final = 40
MAX_SAVED: Final = 50

NAME_MISSING_MESSAGE: Final = "Give the filter a name."
NAME_TOO_LONG_MESSAGE: Final = "A filter name can have at most 40 characters."
TOO_MANY_MESSAGE: Final = "You have 50 saved filters already. Delete one before saving another."


@dataclass(frozen=True, slots=True)
class SavedFilter:
    """A filter of the customer list under the name its user gave it."""

    name: str
    filters: CustomerFilter


def filter_to_json(filters: CustomerFilter) -> dict[str, Any]:
    """A filter as plain JSON values (sorted lists, amounts as strings); also the audit form."""
    return {
        "tiers": sorted(filters.tiers),
        "risk_levels": sorted(filters.risk_levels),
        "tags": sorted(filters.tags),
        "rm_ids": sorted(filters.rm_ids),
        "aum_min": None if filters.aum_min is None else str(filters.aum_min),
        "aum_max": None if filters.aum_max is None else str(filters.aum_max),
    }


def filter_from_json(data: Mapping[str, Any]) -> CustomerFilter:
    """The inverse of :func:`filter_to_json`; missing keys mean "any".

    Raises:
        ValueError: a value has the wrong type or an amount is not a number.
    """

    def names(key: str) -> frozenset[str]:
        values = data.get(key) or []
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise ValueError(f"{key} must be a list of strings")
        return frozenset(values)

    def amount(key: str) -> Decimal | None:
        value = data.get(key)
        if value is None:
            return None
        try:
            parsed = Decimal(str(value))
        except InvalidOperation as error:
            raise ValueError(f"{key} is not an amount") from error
        if not parsed.is_finite():
            raise ValueError(f"{key} is not an amount")
        return parsed

    return CustomerFilter(
        tiers=names("tiers"),
        risk_levels=names("risk_levels"),
        tags=names("tags"),
        rm_ids=names("rm_ids"),
        aum_min=amount("aum_min"),
        aum_max=amount("aum_max"),
    )


def _key(user_id: str) -> str:
    return f"{KEY_PREFIX}{user_id}"


def saved_filters(conn: Connection, user_id: str) -> tuple[SavedFilter, ...]:
    """The user's saved filters in the order they were first saved."""
    text = get_state(conn, _key(user_id))
    if not text:
        return ()
    try:
        document = orjson.loads(text)
        if not isinstance(document, dict) or document.get("version") != VERSION:
            raise ValueError("unknown document version")
        entries = document.get("filters")
        if not isinstance(entries, list):
            raise ValueError("filters must be a list")
        found = []
        for entry in entries:
            if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
                raise ValueError("an entry has no name")
            found.append(SavedFilter(entry["name"], filter_from_json(entry)))
    except (orjson.JSONDecodeError, ValueError) as error:
        # Never log the document: tag names and amounts are the user's working data.
        log.warning("saved filters unreadable, ignored (%s)", type(error).__name__)
        return ()
    return tuple(found)


def _write(conn: Connection, user_id: str, filters: tuple[SavedFilter, ...]) -> None:
    document = {
        "version": VERSION,
        "filters": [{"name": f.name, **filter_to_json(f.filters)} for f in filters],
    }
    set_state(conn, _key(user_id), orjson.dumps(document).decode())


def save_filter(
    conn: Connection, user_id: str, name: str, filters: CustomerFilter
) -> tuple[SavedFilter, ...]:
    """Save ``filters`` as ``name`` (replacing one of that name, in place); the new list.

    Raises:
        WriteRejected: the name is blank or too long, or the user has too many saved filters.
    """
    clean = " ".join(name.split())
    if not clean:
        raise WriteRejected(NAME_MISSING_MESSAGE)
    if len(clean) > MAX_NAME_LENGTH:
        raise WriteRejected(NAME_TOO_LONG_MESSAGE)
    current = saved_filters(conn, user_id)
    entry = SavedFilter(clean, filters)
    if any(saved.name == clean for saved in current):
        updated = tuple(entry if saved.name == clean else saved for saved in current)
    elif len(current) >= MAX_SAVED:
        raise WriteRejected(TOO_MANY_MESSAGE)
    else:
        updated = (*current, entry)
    _write(conn, user_id, updated)
    return updated


def delete_filter(conn: Connection, user_id: str, name: str) -> tuple[SavedFilter, ...]:
    """Forget the saved filter ``name`` (nothing happens if there is none); the new list."""
    current = saved_filters(conn, user_id)
    updated = tuple(saved for saved in current if saved.name != name)
    if updated != current:
        _write(conn, user_id, updated)
    return updated


__all__ = [
    "KEY_PREFIX",
    "SavedFilter",
    "delete_filter",
    "filter_from_json",
    "filter_to_json",
    "save_filter",
    "saved_filters",
]
