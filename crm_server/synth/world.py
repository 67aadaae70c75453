"""What every part of one generation shares: the seed, the calendar, the name pools, the shelf
and the network, and the seeding of the random streams.

Each stream of random numbers is seeded from ``(seed, stream, n)``, never drawn from another
stream, so the records, the PII and the history iterators can each replay exactly the part they
need (an RM's profiles, say) without running the rest. Streams are per RM book: every iterator
walks whole books in order, and seeding a generator per customer would cost more than the rest of
the customer's profile.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist
from typing import TypeVar

from crm_server.synth.days import Days
from crm_server.synth.names import NamePools
from crm_server.synth.org import Org
from crm_server.synth.products import Shelf

STREAM_PROFILE = 2  # per RM: its units, who their people are and which accounts they hold
STREAM_LEDGER = 3  # per RM: 90 days of money, balances, holdings and all the RM's work
STREAM_HISTORY = 4  # per RM: transactions older than the cached window
STREAM_KPI = 5  # per RM / team / branch: KPI series before the data's own window
STREAM_LEADS = 6  # per RM: opportunities for prospects who are not customers yet


_NORMAL_STEPS = 1 << 16
_NORMALS: tuple[float, ...] = tuple(
    NormalDist().inv_cdf((i + 0.5) / _NORMAL_STEPS) for i in range(_NORMAL_STEPS)
)


def normal(rng: random.Random, mu: float = 0.0, sigma: float = 1.0) -> float:
    """A normal draw by table lookup: ``random.gauss`` costs ten times as much in hot loops.

    The table holds 65,536 quantiles of the standard normal (tails reach ±4.3 σ), plenty for
    synthetic amounts.
    """
    return mu + sigma * _NORMALS[int(rng.random() * _NORMAL_STEPS)]


_T = TypeVar("_T")


def choose(draw: float, table: Sequence[tuple[_T, float]]) -> _T:
    """The value whose share of ``[0, 1)`` holds ``draw``; shares add up to 1 (the last absorbs
    any rounding)."""
    for value, share in table:
        draw -= share
        if draw < 0:
            return value
    return table[-1][0]


def stream(seed: int, kind: int, n: int) -> random.Random:
    """A random stream for ``(seed, kind, n)``, independent of every other stream."""
    return random.Random((seed * 1_000_003 + kind) * 4_000_037 + n)


@dataclass(frozen=True, slots=True)
class World:
    seed: int
    days: Days
    names: NamePools
    shelf: Shelf
    org: Org
