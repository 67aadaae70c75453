"""Per-field conflict detection for pushed updates and deletes (API.md §3). Pure functions.

The server keeps, per record, the rev at which each field last changed. A client sends the rev
of the copy it edited (``base_rev``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def conflicting_fields(
    sent: Mapping[str, Any],
    current: Mapping[str, Any],
    field_revs: Mapping[str, int],
    base_rev: int,
) -> list[str]:
    """Return the sent fields that conflict with the server's copy, sorted.

    Checks, in order, for each sent field:

    1. a field not changed on the server after ``base_rev`` never conflicts (a field absent from
       ``field_revs`` has not changed since the record was created, which the client has seen);
    2. a field changed after ``base_rev`` to the value sent does not conflict (both sides agree);
    3. a field changed after ``base_rev`` to another value conflicts.

    Fields changed on the server but not sent are no conflict either: the update merges silently.

    Args:
        sent: The update's fields, normalised to their wire form.
        current: The server's copy of the record.
        field_revs: Rev at which each field of the server's copy last changed.
        base_rev: The rev of the copy the client edited.

    Returns:
        The names of the conflicting fields; empty when the update may be applied.
    """
    return sorted(
        name
        for name, value in sent.items()
        if field_revs.get(name, 0) > base_rev and current.get(name) != value
    )


def changed_after(field_revs: Mapping[str, int], base_rev: int) -> list[str]:
    """Return the fields changed after ``base_rev``, sorted: a delete conflicts (``modified``)
    when there are any. A record re-stamped without a field change (moved to another book) has
    no changed field, so deleting it does not conflict."""
    return sorted(name for name, rev in field_revs.items() if rev > base_rev)
