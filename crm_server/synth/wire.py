"""Wire spellings of the generator's integer amounts (API.md: money as yuan with two decimals).

Amounts are kept as integer fen (分) while generating, so sums are exact; they become decimal
strings only when a record is written.
"""

from __future__ import annotations

_CENTS: tuple[str, ...] = tuple(f".{n:02d}" for n in range(100))


def money(fen: int) -> str:
    """Write an amount in fen as yuan with two decimals (``123456`` → ``"1234.56"``)."""
    if fen < 0:
        return "-" + money(-fen)
    yuan_part, cents = divmod(fen, 100)
    return str(yuan_part) + _CENTS[cents]


def masked_account_number(number: str) -> str:
    """``mask_account_number`` for the generator's all-digit numbers, without its parsing.

    The generator's account and card numbers are plain ASCII digits, at least 16 long, so the
    masked form is the last 4 after the fixed prefix (tests check it equals the domain's rule).
    """
    return "**** **** **** " + number[-4:]


def fraction(value: float, places: int = 4) -> str:
    """Write a fraction (a rate, a score) as a plain decimal string (``0.0215``), never exponent."""
    return f"{value:.{places}f}"


def yuan(amount: float) -> int:
    """Round an amount of yuan to whole fen."""
    return round(amount * 100)
