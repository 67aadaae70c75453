"""The month labels under the 360's 12-month AUM line: evenly spaced, the latest month always
named, never two side by side."""

from __future__ import annotations

import itertools

import pytest

from rm_desk.views.aum_chart import labelled_months


@pytest.mark.parametrize(
    ("count", "every", "expected"),
    [
        (12, 1, set(range(12))),
        (12, 2, {1, 3, 5, 7, 9, 11}),
        (13, 2, {0, 2, 4, 6, 8, 10, 12}),
        (3, 2, {0, 2}),
        (1, 2, {0}),
        (0, 2, set()),
    ],
)
def test_labelled_months_count_back_from_the_latest(
    count: int, every: int, expected: set[int]
) -> None:
    labelled = labelled_months(count, every)
    assert labelled == expected
    gaps = {b - a for a, b in itertools.pairwise(sorted(labelled))}
    assert gaps <= {every}  # evenly spaced: no two labels closer than the rest
