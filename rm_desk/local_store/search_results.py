"""What a row of the search popup shows: a :class:`~rm_desk.local_store.search.SearchHit` plus
the customer's AUM and, for a number typed, whose last 4 it was.

:func:`~rm_desk.local_store.search.search_customers` says a hit matched on ``digits`` without
saying which number's last 4 (the index keeps them in one column). People want to know: an RM who
typed the last 4 of a card and sees "mobile" suspects the wrong customer. :func:`search_results`
runs the search and reads, in one more indexed query for the page of hits, the AUM and the masked
mobile, ID and account numbers, and names the number with :func:`digits_matched_on`.

Plain Python, no Qt: the popup's model holds the frozen :class:`SearchResult` rows built here.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Final

from sqlalchemy import Connection, select

from rm_desk.domain.masking import last4
from rm_desk.local_store import schema
from rm_desk.local_store.search import MatchKind, SearchHit, search_customers

# A run of digits with a trailing ID check character, as search.py cuts digit terms: the "x"
# counts only when no letter follows it (123x, not 123xiao).
_DIGIT_TERM: Final = re.compile(r"[0-9]+(?:x(?![a-z]))?")


class MatchedOn(StrEnum):
    """What made a customer a hit, as the popup names it: :class:`MatchKind` with the numbers
    told apart."""

    NAME = "name"
    PINYIN = "pinyin"
    INITIALS = "initials"
    MOBILE = "mobile"
    ID_NUMBER = "id_number"
    ACCOUNT = "account"
    DIGITS = "digits"  # a last 4 the index matched but none of the masked numbers shows now
    TAG = "tag"


_FROM_KIND: Final = {
    MatchKind.NAME: MatchedOn.NAME,
    MatchKind.PINYIN: MatchedOn.PINYIN,
    MatchKind.INITIALS: MatchedOn.INITIALS,
    MatchKind.DIGITS: MatchedOn.DIGITS,
    MatchKind.TAG: MatchedOn.TAG,
}


@dataclass(frozen=True, slots=True)
class SearchResult:
    """One row of the search popup; every number in it is masked as the cache holds it."""

    hit: SearchHit
    aum: Decimal | None
    matched_on: MatchedOn

    @property
    def customer_id(self) -> str:
        return self.hit.customer_id


def digit_terms(text: str) -> list[tuple[str, bool]]:
    """The number terms of the user's text as the search reads them: ``(digits, is_prefix)``.

    Mirrors the digit rule of :mod:`rm_desk.local_store.search`: after NFKC folding, a run of
    digits (with a trailing ``x``) counts by its last four; fewer than four match the start of a
    last 4.
    """
    folded = unicodedata.normalize("NFKC", text).lower()
    terms = []
    for run in _DIGIT_TERM.findall(folded):
        tail = run[-4:].upper()
        terms.append((tail, len(tail) < 4))
    return terms


def digits_matched_on(
    terms: Sequence[tuple[str, bool]],
    mobile_masked: str | None,
    id_no_masked: str | None,
    account_numbers: Iterable[str | None],
) -> MatchedOn:
    """Which number a digit match was on, for a hit the search says matched ``digits``.

    Checks, in order: the mobile's last 4, the ID number's, then each account's; the first whose
    last 4 equals a term (or starts with a term of fewer than four digits) names the match. None:
    :attr:`MatchedOn.DIGITS`.
    """
    numbers = (
        (MatchedOn.MOBILE, [mobile_masked]),
        (MatchedOn.ID_NUMBER, [id_no_masked]),
        (MatchedOn.ACCOUNT, list(account_numbers)),
    )
    for kind, values in numbers:
        for value in values:
            shown = last4(value)
            if shown and any(
                shown == term or (prefix and shown.startswith(term)) for term, prefix in terms
            ):
                return kind
    return MatchedOn.DIGITS


def search_results(conn: Connection, text: str, *, limit: int = 20) -> list[SearchResult]:
    """The popup's rows for the user's text, best first (order: ``search_customers``).

    Two short reads besides the search itself, whatever the number of hits: the customers' AUM
    and masked numbers, and (only when a hit matched on digits) their accounts' masked numbers.
    """
    hits = search_customers(conn, text, limit=limit)
    if not hits:
        return []
    ids = [h.customer_id for h in hits]
    c = schema.customer
    numbers = {
        row.id: row
        for row in conn.execute(
            select(c.c.id, c.c.aum, c.c.mobile_masked, c.c.id_no_masked).where(c.c.id.in_(ids))
        )
    }
    on_digits = [h.customer_id for h in hits if h.matched_on is MatchKind.DIGITS]
    accounts: dict[str, list[str | None]] = {}
    if on_digits:
        a = schema.account
        rows = conn.execute(
            select(a.c.customer_id, a.c.number_masked)
            .where(a.c.customer_id.in_(on_digits))
            .order_by(a.c.customer_id, a.c.id)
        )
        for customer_id, number in rows:
            accounts.setdefault(customer_id, []).append(number)
    terms = digit_terms(text)
    results = []
    for hit in hits:
        row = numbers.get(hit.customer_id)
        matched = _FROM_KIND[hit.matched_on]
        if matched is MatchedOn.DIGITS and row is not None:
            matched = digits_matched_on(
                terms, row.mobile_masked, row.id_no_masked, accounts.get(hit.customer_id, ())
            )
        aum = Decimal(row.aum) if row is not None and row.aum is not None else None
        results.append(SearchResult(hit, aum, matched))
    return results


__all__ = ["MatchedOn", "SearchResult", "digit_terms", "digits_matched_on", "search_results"]
