"""Transactions older than the cached window, for ``GET /customers/{id}/transactions``.

They reach back two years (or to the start of the relationship) before the 90-day window. The
recurring ones (salary, pension, loan and card repayments, payroll and tax of companies) are all
there; everyday ones are thinned to :data:`EVERYDAY_SHARE` of the window's rate, which keeps a
bench-scale history to about 1.4 million records (28 per customer) and its generation to a
third of the bench time budget.
History draws from its own random stream per RM, so it neither needs nor changes the ledger.
"""

from __future__ import annotations

from collections.abc import Iterator

from crm_server.synth.book import history_record
from crm_server.synth.ledger import HISTORY_DAYS, WINDOW_DAYS, EventMaker, window_count
from crm_server.synth.org import Rm
from crm_server.synth.people import book_units
from crm_server.synth.records import SeedRecord
from crm_server.synth.world import STREAM_HISTORY, World, stream

EVERYDAY_SHARE = 0.25
"""Everyday transactions of the history, as a share of the window's daily rate."""


def history(world: World, rm: Rm, maker: EventMaker) -> Iterator[SeedRecord]:
    """The older transactions of ``rm``'s book, customer by customer, oldest first."""
    rng = stream(world.seed, STREAM_HISTORY, rm.index)
    first, last = -HISTORY_DAYS, -WINDOW_DAYS - 1
    for unit in book_units(world, rm):
        for person in unit.people:
            start = max(first, person.since)
            if start > last:
                continue
            span = last - start + 1
            count = round(window_count(person, rng) * span / WINDOW_DAYS * EVERYDAY_SHARE)
            events = maker.routine(person, rng, start, last, count)
            events.sort(key=lambda e: (e.day, e.sec))
            for n, event in enumerate(events, start=1):
                if event.frac:
                    event.amount = max(100, round(person.wealth * event.frac / 2 / 100) * 100)
                yield history_record(world, person, rm, event, f"t-{person.num}-h{n:04d}")
