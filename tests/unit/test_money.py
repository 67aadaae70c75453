"""Money as exact Decimal yuan: parsing, the wire form, fen for the store, 万 for people."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rm_desk.domain.money import (
    MAX_MONEY,
    InvalidMoney,
    from_fen,
    money_to_wire,
    parse_money,
    to_fen,
    wan,
)

MAX_FEN = int(MAX_MONEY * 100)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1250000.00", "1250000.00"),
        ("12", "12.00"),
        ("3.5", "3.50"),
        (" 3.10 ", "3.10"),
        ("+7", "7.00"),
        ("-5.25", "-5.25"),
        ("1.500", "1.50"),  # trailing zeros are not fractions of a fen
        ("-0.00", "0.00"),  # no signed zero on the wire
        (12, "12.00"),
        (-3, "-3.00"),
        (Decimal("1.5"), "1.50"),
        (Decimal("1E+3"), "1000.00"),
        (Decimal("0"), "0.00"),
        (str(MAX_MONEY), str(MAX_MONEY)),
    ],
)
def test_parse_money_gives_exact_yuan_with_two_decimals(
    value: str | int | Decimal, expected: str
) -> None:
    parsed = parse_money(value)
    assert parsed == Decimal(expected)
    assert str(parsed) == expected


@pytest.mark.parametrize(
    ("value", "sensitive"),
    [
        (1250000.5, "1250000.5"),  # a float cannot hold fen exactly
        (True, "True"),
        ("1250000.005", "1250000.005"),
        (Decimal("0.001"), "0.001"),
        ("NaN", "NaN"),
        ("Infinity", "Infinity"),
        (Decimal("NaN"), "NaN"),
        (Decimal("-Infinity"), "Infinity"),
        ("1e3", "1e3"),
        ("1,250,000.00", "1,250,000"),
        ("￥1250000", "1250000"),
        ("١٢٣", "١٢٣"),  # Arabic-Indic digits are not money on the wire
        ("", ""),
        ("12.", "12."),
        (str(MAX_MONEY + Decimal("0.01")), "1000000000000000"),
    ],
)
def test_parse_money_refuses_what_is_not_exact_money(value: object, sensitive: str) -> None:
    with pytest.raises(InvalidMoney) as caught:
        parse_money(value)  # type: ignore[arg-type]
    if sensitive:
        assert sensitive not in str(caught.value)
    assert caught.value.message == str(caught.value)
    assert caught.value.__context__ is None


@pytest.mark.parametrize(
    ("amount", "wire"),
    [
        (Decimal("1250000"), "1250000.00"),
        (Decimal("1250000.00"), "1250000.00"),
        (Decimal("-3.5"), "-3.50"),
        (Decimal("-0"), "0.00"),
        (Decimal("0.01"), "0.01"),
    ],
)
def test_money_to_wire_writes_two_decimals(amount: Decimal, wire: str) -> None:
    assert money_to_wire(amount) == wire


def test_money_to_wire_refuses_fractions_of_a_fen_rather_than_rounding() -> None:
    with pytest.raises(InvalidMoney):
        money_to_wire(Decimal("0.005"))


@pytest.mark.parametrize(
    ("amount", "fen"),
    [
        (Decimal("1250000.00"), 125000000),
        (Decimal("0.01"), 1),
        (Decimal("-86000.50"), -8600050),
        (Decimal("0"), 0),
        (MAX_MONEY, MAX_FEN),
    ],
)
def test_to_fen_and_from_fen_are_inverse(amount: Decimal, fen: int) -> None:
    assert to_fen(amount) == fen
    assert from_fen(fen) == amount
    assert str(from_fen(fen)) == money_to_wire(amount)


def test_to_fen_refuses_fractions_of_a_fen() -> None:
    with pytest.raises(InvalidMoney):
        to_fen(Decimal("10.001"))


@pytest.mark.parametrize(
    ("amount", "in_wan"),
    [
        (Decimal("1250000.00"), Decimal("125")),
        (Decimal("50000"), Decimal("5")),
        (Decimal("12345.67"), Decimal("1.234567")),
        (Decimal("-3000000.00"), Decimal("-300")),
        (Decimal("0.01"), Decimal("0.000001")),
    ],
)
def test_wan_divides_by_ten_thousand_exactly(amount: Decimal, in_wan: Decimal) -> None:
    assert wan(amount) == in_wan


@given(st.integers(min_value=-MAX_FEN, max_value=MAX_FEN))
def test_any_fen_amount_survives_the_wire_and_the_store(fen: int) -> None:
    amount = from_fen(fen)
    assert to_fen(parse_money(money_to_wire(amount))) == fen


@given(st.lists(st.integers(min_value=-(10**12), max_value=10**12), max_size=50))
def test_sums_in_fen_equal_sums_in_yuan(fens: list[int]) -> None:
    assert from_fen(sum(fens)) == sum((from_fen(f) for f in fens), Decimal(0))
