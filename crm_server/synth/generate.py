"""The synthetic bank behind the reference server: ``generate(scale, seed, today)``.

``generate`` lays out the branch network and the seeded users at once and returns iterators for
the rest, so a bench-scale bank streams into the server's database without being held in memory:

* ``records``: the feed's records in an order where parents precede children: products, rule
  configuration, teams and employees; then branch by branch, each RM's book (customers, their
  households and relationships, accounts, holdings, the 90-day transactions, visits,
  opportunities, alerts, tasks and tags; then the RM's prospect opportunities), followed by the
  branch's RM and team KPIs; last the branch-level KPIs;
* ``pii``: the full mobile, ID number, address and account numbers that reveal returns;
* ``history``: transactions older than the 90-day window.

The three iterators are independent: each replays the profiles it needs from per-RM random
streams, so they can be consumed in any order, and the same ``(scale, seed, today)`` always
gives the same data.

Sizes with seed 1, measured with ``python -m crm_server.synth`` on the 2-core build machine (the
generator uses one core):

| scale | customers | records | of which KPIs | history | PII | time |
|---|---|---|---|---|---|---|
| demo | 6,000 | 160,000 | 28,000 | 167,000 | 36,000 | 7–9 s |
| bench | 50,000 | 1,334,000 | 237,000 | 1,390,000 | 303,000 | 55–75 s (53–60 s CPU) |
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from datetime import date

from crm_server.synth.alerts import rule_config_records
from crm_server.synth.book import BookWriter, pii
from crm_server.synth.days import Days
from crm_server.synth.history import history
from crm_server.synth.kpis import KpiBuilder, RmStats
from crm_server.synth.ledger import EventMaker
from crm_server.synth.names import NamePools
from crm_server.synth.org import build_org
from crm_server.synth.products import Shelf
from crm_server.synth.records import Recipe, Scale, SeedData, SeedPii, SeedRecord
from crm_server.synth.world import World

DEFAULT_TODAY = date(2026, 11, 20)
SCALE_CUSTOMERS = {Scale.DEMO: 6_000, Scale.BENCH: 50_000}


def scale_customers(scale: Scale | int | str) -> int:
    """How many customers a scale stands for (an int is taken as the number itself).

    Raises:
        ValueError: an unknown scale name, or a negative number.
    """
    if isinstance(scale, bool):
        raise ValueError("a scale is a Scale or a number of customers")
    if isinstance(scale, int):
        if scale < 0:
            raise ValueError("the number of customers must not be negative")
        return scale
    return SCALE_CUSTOMERS[Scale(scale)]


def generate(scale: Scale | int, seed: int = 1, today: date = DEFAULT_TODAY) -> SeedData:
    """Generate the synthetic bank for ``scale`` (demo, bench, or a number of customers).

    Deterministic: the same arguments give the same users, records, PII and history.

    Args:
        scale: :attr:`Scale.DEMO` (about 6,000 customers, the 18 users of API.md),
            :attr:`Scale.BENCH` (about 50,000 customers and a million records), or a number of
            customers.
        seed: Chooses one of many equally plausible banks.
        today: The business date the data is as of (at 06:00 Beijing time).

    Returns:
        The users, and lazy iterators over the records, the PII and the history.
    """
    customers = scale_customers(scale)
    world = build_world(customers, seed, today)
    return SeedData(
        users=world.org.users(),
        records=_records(world),
        pii=_pii(world),
        history=_history(world),
        recipe=Recipe(customers, seed, today),
    )


def build_world(customers: int, seed: int, today: date) -> World:
    """The shared context of one generation: calendar, name pools, shelf and network."""
    names = NamePools(seed)
    return World(seed, Days(today), names, Shelf(today.year), build_org(customers, seed, names))


def _records(world: World) -> Iterator[SeedRecord]:
    for product in world.shelf.products:
        yield SeedRecord("product", product.id, None, None, None, product.wire())
    for config in rule_config_records():
        yield SeedRecord("rule_config", config["id"], None, None, None, config)
    for team in world.org.team_records():
        yield SeedRecord("team", team["id"], None, None, None, team)
    for employee in world.org.employee_records():
        yield SeedRecord("employee", employee["id"], None, None, None, employee)
    writer = BookWriter(world)
    kpis = KpiBuilder(world)
    org = world.org
    for branch in org.branches:
        teams = [team for team in org.teams if team.branch is branch]
        stats: list[RmStats] = []
        for rm in org.rms:
            if rm.team.branch is branch:
                stats.append(RmStats(rm))
                yield from writer.records(rm, stats[-1])
        for rm_id, team_id, data in kpis.branch_records(branch, teams, stats):
            yield SeedRecord("kpi", data["id"], rm_id, team_id, None, data)
    for rm_id, team_id, data in kpis.bank_records():
        yield SeedRecord("kpi", data["id"], rm_id, team_id, None, data)


def _pii(world: World) -> Iterator[SeedPii]:
    for rm in world.org.rms:
        yield from pii(world, rm)


def _history(world: World) -> Iterator[SeedRecord]:
    maker = EventMaker(world)
    for rm in world.org.rms:
        yield from history(world, rm, maker)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m crm_server.synth``: generate a scale, print counts per entity and timings."""
    parser = argparse.ArgumentParser(prog="python -m crm_server.synth", description=main.__doc__)
    parser.add_argument("scale", nargs="?", default="demo", help="demo, bench or a number")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--today", type=date.fromisoformat, default=DEFAULT_TODAY)
    parser.add_argument("--no-history", action="store_true", help="skip the history")
    args = parser.parse_args(argv)
    scale: Scale | int = int(args.scale) if args.scale.isdigit() else Scale(args.scale)
    clocks = [(time.perf_counter(), time.process_time())]
    data = generate(scale, args.seed, args.today)
    counts: Counter[str] = Counter(record.entity for record in data.records)
    clocks.append((time.perf_counter(), time.process_time()))
    pii_count = sum(1 for _ in data.pii)
    clocks.append((time.perf_counter(), time.process_time()))
    history_count = 0 if args.no_history else sum(1 for _ in data.history)
    clocks.append((time.perf_counter(), time.process_time()))

    def took(start: int, end: int) -> str:
        wall = clocks[end][0] - clocks[start][0]
        cpu = clocks[end][1] - clocks[start][1]
        return f"{wall:6.1f} s wall, {cpu:6.1f} s CPU"

    out = sys.stdout
    out.write(f"users: {len(data.users)}\n")
    for entity, count in sorted(counts.items(), key=lambda item: -item[1]):
        out.write(f"{entity:>14}: {count:>10,}\n")
    out.write(f"{'records':>14}: {sum(counts.values()):>10,}  {took(0, 1)}\n")
    out.write(f"{'pii':>14}: {pii_count:>10,}  {took(1, 2)}\n")
    out.write(f"{'history':>14}: {history_count:>10,}  {took(2, 3)}\n")
    out.write(f"{'all':>14}: {'':>10}  {took(0, 3)}\n")
    return 0
