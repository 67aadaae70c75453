"""Rules on a record's values that its field types do not say.

:meth:`~rm_desk.domain.entities.Record.from_wire` checks each field on its own: its type, its code,
its masking. A few values are wrong only next to another value, or by sign: a visit that ends
before it starts, an opportunity worth a negative amount. The app's forms refuse them before they
are saved; the bank's server refuses them again (``validation_error`` with ``field_errors``), so
that no client, of this release or another, writes them into the book.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

from rm_desk.domain.entities import Opportunity, Record, Visit
from rm_desk.domain.enums import Entity

RULE_FIELDS: Mapping[Entity, frozenset[str]] = {
    Entity.VISIT: frozenset({"start_at", "end_at"}),
    Entity.OPPORTUNITY: frozenset({"amount"}),
}
"""The fields each entity's rules read: an update sending one of them is checked with the record's
other values of the set."""

END_BEFORE_START_MESSAGE = "must not be before the start"
NEGATIVE_MESSAGE = "must not be negative"


def value_problems(record: Record, sent: Collection[str] | None = None) -> dict[str, str]:
    """What breaks a rule in ``record``: ``{field: message}`` in the contract's words, empty when
    nothing does.

    Args:
        sent: The fields an update sends; only the rules reading one of them are checked (a value
            the bank itself wrote stays the bank's business). ``None`` checks every rule, as for a
            create.
    """
    problems: dict[str, str] = {}

    def checked(*names: str) -> bool:
        return sent is None or any(name in sent for name in names)

    if isinstance(record, Visit) and checked("start_at", "end_at"):
        ends = record.end_at
        if ends is not None and ends < record.start_at:
            problems["end_at"] = END_BEFORE_START_MESSAGE
    if isinstance(record, Opportunity) and checked("amount"):
        amount = record.amount
        if amount is not None and amount < 0:
            problems["amount"] = NEGATIVE_MESSAGE
    return problems


__all__ = ["END_BEFORE_START_MESSAGE", "NEGATIVE_MESSAGE", "RULE_FIELDS", "value_problems"]
