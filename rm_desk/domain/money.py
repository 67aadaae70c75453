"""Money as :class:`~decimal.Decimal` yuan, never a float.

On the wire money is a decimal string in yuan with two decimals (``"1250000.00"``, API.md); in the
local store it is an integer number of fen (分, 0.01 yuan), so that it sorts and sums exactly in
SQL.

Errors::

    ValueError
     └── InvalidMoney   an amount that is not exact money (float, NaN, infinity, sub-fen, too large)

Messages never repeat the offending amount: amounts are personal data (C2).
"""

from __future__ import annotations

import re
from decimal import Context, Decimal, InvalidOperation

FEN = Decimal("0.01")
"""One fen, the smallest amount of money the app keeps."""

WAN = Decimal("10000")
"""One 万 (ten thousand yuan), the unit RMs read amounts in."""

MAX_MONEY = Decimal("999999999999999.99")
"""Largest absolute amount accepted, just under 10^15 yuan; its fen fit a SQLite integer easily."""

# Enough digits for MAX_MONEY in fen and for exact division by 10,000, whatever the thread's
# decimal context happens to be.
_CONTEXT = Context(prec=40)

_ZERO = Decimal("0.00")

_MONEY_TEXT = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?")


class InvalidMoney(ValueError):
    """An amount that cannot be exact money.

    Attributes:
        title: Short heading for people.
        message: What is wrong, in plain English, without the amount itself.
    """

    title = "Invalid amount"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def parse_money(value: str | int | Decimal) -> Decimal:
    """Turn a string, integer or Decimal into an exact amount of yuan with two decimals.

    Checks, in order:

    1. ``bool`` and ``float`` are refused (a float cannot hold fen exactly);
    2. a string, once stripped of surrounding whitespace, must be plain decimal notation: an
       optional sign, digits, and optionally a point and digits (no exponent, no thousands
       separators);
    3. NaN and infinities are refused;
    4. the amount must be a whole number of fen: ``"1.50"`` and ``"1.500"`` pass, ``"1.505"`` is
       refused rather than rounded;
    5. its absolute value must not exceed :data:`MAX_MONEY`.

    Args:
        value: The amount in yuan.

    Returns:
        The amount quantized to two decimals (``Decimal("12.50")``); minus zero becomes zero.

    Raises:
        InvalidMoney: ``value`` fails one of the checks.
    """
    if isinstance(value, bool | float):
        raise InvalidMoney("an amount must be a decimal string or an integer, not a float")
    if isinstance(value, int):
        amount = Decimal(value)
    elif isinstance(value, str):
        text = value.strip()
        if not _MONEY_TEXT.fullmatch(text):
            raise InvalidMoney("an amount must be written as plain decimal digits")
        amount = Decimal(text)
    elif isinstance(value, Decimal):
        amount = value
    else:
        raise InvalidMoney("an amount must be a decimal string or an integer")
    return _exact_fen(amount)


def money_to_wire(amount: Decimal) -> str:
    """Write an amount as the wire's decimal string with exactly two decimals (``"1250000.00"``).

    Raises:
        InvalidMoney: ``amount`` is not finite, has fractions of a fen or is too large.
    """
    return format(parse_money(amount), "f")


def to_fen(amount: Decimal) -> int:
    """Return an amount of yuan as an integer number of fen, for the store.

    Raises:
        InvalidMoney: ``amount`` is not finite, has fractions of a fen or is too large.
    """
    return int(parse_money(amount).scaleb(2, _CONTEXT))


def from_fen(fen: int) -> Decimal:
    """Return an integer number of fen as yuan with two decimals (125000000 → ``1250000.00``)."""
    return Decimal(fen).scaleb(-2, _CONTEXT)


def wan(amount: Decimal) -> Decimal:
    """Return an amount of yuan in 万, exactly (``Decimal("1250000.00")`` → ``Decimal("125.00")``).

    No rounding happens here; how many decimals to show is the view's choice.
    """
    return _CONTEXT.divide(amount, WAN)


def _exact_fen(amount: Decimal) -> Decimal:
    if not amount.is_finite():
        raise InvalidMoney("an amount must be a finite number")
    if abs(amount) > MAX_MONEY:
        raise InvalidMoney("the amount is too large")
    try:
        quantized = amount.quantize(FEN, context=_CONTEXT)
    except InvalidOperation:  # pragma: no cover - excluded by the MAX_MONEY check above
        quantized = None
    if quantized is None or quantized != amount:
        raise InvalidMoney("an amount must not have more than two decimals")
    # Decimal("-0.00") is equal to zero but prints with its sign; the wire must not see it.
    return quantized if quantized else _ZERO


__all__ = [
    "FEN",
    "MAX_MONEY",
    "WAN",
    "InvalidMoney",
    "from_fen",
    "money_to_wire",
    "parse_money",
    "to_fen",
    "wan",
]
