"""KPI series per RM, team and branch (DOMAIN.md, kpi), with targets and ranks.

Two years of them, in two granularities:

* **monthly** (``period: month``, dated the first of the month; the current month is month to
  date) for every metric: aum, aum_mtd_avg, net_new_aum, new_customers, tier_upgrades,
  tier_downgrades, product_sales_<category> (deposit, wealth, fund, insurance, bond,
  precious_metal), funnel_new, funnel_won, visits, coverage_30d, open_tasks, overdue_rate, csat,
  nps, complaint_rate; for RMs, teams and branches;
* **daily** (``period: day``, business days only) for ``aum`` and ``visits``, the two the charts
  draw day by day (sparklines, the RM × week coverage heatmap), for RMs and teams. Daily values
  of every metric would be 730 × 21 records per subject, most of a bench-scale feed for little
  use; weekends add nothing to either series (AUM moves with business, RMs rarely visit).

Where the generated data covers a period the KPI is computed from it: the daily AUM of the last 90
days is the sum of the customers' end-of-day AUM, visits come from the visit records of the last
six months, new customers from ``relationship_since``, tier moves from ``aum_12m``, open tasks,
overdue rate and coverage from today's tasks and contacts. Before that, the series continue
backwards as random walks calibrated on the known part. Ranks are among the peers of the same
branch (RMs among the branch's RMs, teams among its teams) and among all branches for branches;
for overdue rate, complaint rate, open tasks and downgrades the lowest value ranks first.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from crm_server.synth.ledger import HISTORY_DAYS, WINDOW_DAYS
from crm_server.synth.org import Branch, Rm, Team
from crm_server.synth.wire import money
from crm_server.synth.world import STREAM_KPI, World, normal, stream
from rm_desk.domain.enums import KpiLevel, KpiPeriod, ProductCategory

MONTHS = 24
SALES_CATEGORIES: tuple[ProductCategory, ...] = (
    ProductCategory.DEPOSIT,
    ProductCategory.WEALTH,
    ProductCategory.FUND,
    ProductCategory.INSURANCE,
    ProductCategory.BOND,
    ProductCategory.PRECIOUS_METAL,
)
_BUCKET_OF = {
    ProductCategory.DEPOSIT: "time",
    ProductCategory.WEALTH: "wealth",
    ProductCategory.FUND: "fund",
    ProductCategory.INSURANCE: "insurance",
    ProductCategory.BOND: "bond",
    ProductCategory.PRECIOUS_METAL: "metal",
}
MONEY_METRICS = frozenset(
    {"aum", "aum_mtd_avg", "net_new_aum", *(f"product_sales_{c.value}" for c in SALES_CATEGORIES)}
)
RATIO_METRICS = frozenset({"coverage_30d", "overdue_rate", "complaint_rate"})
AVERAGED_METRICS = RATIO_METRICS | {"csat", "nps"}
LOWER_IS_BETTER = frozenset({"overdue_rate", "complaint_rate", "open_tasks", "tier_downgrades"})
DAILY_METRICS = ("aum", "visits")
MONTHLY_METRICS: tuple[str, ...] = (
    "aum", "aum_mtd_avg", "net_new_aum", "new_customers", "tier_upgrades", "tier_downgrades",
    *(f"product_sales_{c.value}" for c in SALES_CATEGORIES),
    "funnel_new", "funnel_won", "visits", "coverage_30d", "open_tasks", "overdue_rate", "csat",
    "nps", "complaint_rate",
)  # fmt: skip


@dataclass(slots=True)
class RmStats:
    """What the generated book of one RM says about its KPIs."""

    rm: Rm
    customers: int = 0
    daily_aum: list[int] = field(default_factory=lambda: [0] * WINDOW_DAYS)
    visits_by_day: dict[int, int] = field(default_factory=dict)
    new_by_month: dict[int, int] = field(default_factory=dict)  # month start → count
    upgrades: list[int] = field(default_factory=lambda: [0] * 12)  # by month of aum_12m
    downgrades: list[int] = field(default_factory=lambda: [0] * 12)
    open_tasks: int = 0
    overdue: int = 0
    key_customers: int = 0
    key_contacted: int = 0
    bucket_aum: dict[str, int] = field(default_factory=dict)
    sales: dict[tuple[int, str], int] = field(default_factory=dict)  # (month, category) → fen
    opp_created: dict[int, int] = field(default_factory=dict)
    opp_won: dict[int, int] = field(default_factory=dict)
    complaints: dict[int, int] = field(default_factory=dict)


@dataclass(slots=True)
class Series:
    """One subject's KPI values: daily by metric (oldest first) and monthly by metric."""

    daily: dict[str, list[float]]
    monthly: dict[str, list[float]]
    targets: dict[str, list[float | None]]
    rms: int = 1  # how many RMs it adds up


class KpiBuilder:
    """Turns the RMs' stats into KPI records, branch by branch."""

    def __init__(self, world: World) -> None:
        self.world = world
        days = world.days
        self.month_starts = [*days.months_back(MONTHS - 1), days.month_start(0)]
        self.first_day = min(-HISTORY_DAYS, self.month_starts[0] - 1)
        self.day_offsets = list(range(self.first_day, 0))
        self.business = [days.is_business(d) for d in self.day_offsets]
        self.iso_compact = {d: days.iso(d).replace("-", "") for d in range(self.first_day, 1)}
        self.month_index_of_day: list[int] = []
        m = 0
        for d in self.day_offsets:
            while m + 1 < len(self.month_starts) and d >= self.month_starts[m + 1]:
                m += 1
            self.month_index_of_day.append(m if d >= self.month_starts[0] else -1)
        self.aum12_starts = days.months_back(12)
        self.branch_series: list[tuple[Branch, Series]] = []

    # --- per RM ---------------------------------------------------------------------------------

    def rm_series(self, stats: RmStats) -> Series:
        """An RM's series: the book's own numbers where it has them, random walks before."""
        rng = stream(self.world.seed, STREAM_KPI, stats.rm.index)
        rnd = rng.random
        n_days = len(self.day_offsets)
        # Daily AUM: the real last 90 days, then backwards with 10 % a year of drift.
        aum = [0.0] * n_days
        aum[-WINDOW_DAYS:] = [float(v) for v in stats.daily_aum]
        drift = 0.10 / 250 * (0.5 + rnd())
        value = aum[-WINDOW_DAYS]
        for i in range(n_days - WINDOW_DAYS - 1, -1, -1):
            if self.business[i + 1]:
                value /= 1.0 + normal(rng, drift, 0.002)
            aum[i] = value
        # Daily visits: the real last six months, then as many per business day on average.
        real_from = n_days - 182
        visits = [0.0] * n_days
        for i in range(real_from, n_days):
            visits[i] = float(stats.visits_by_day.get(self.day_offsets[i], 0))
        business_days = sum(self.business[real_from:]) or 1
        rate = sum(visits[real_from:]) / business_days
        for i in range(real_from):
            if self.business[i]:
                visits[i] = float(max(0, round(normal(rng, rate, math.sqrt(rate + 0.01)))))
        monthly: dict[str, list[float]] = {m: [0.0] * MONTHS for m in MONTHLY_METRICS}
        by_month_days: list[list[int]] = [[] for _ in range(MONTHS)]
        for i, m in enumerate(self.month_index_of_day):
            if m >= 0:
                by_month_days[m].append(i)
        for m, indexes in enumerate(by_month_days):
            if not indexes:
                continue
            end = indexes[-1]
            before = indexes[0] - 1
            monthly["aum"][m] = aum[end]
            monthly["aum_mtd_avg"][m] = sum(aum[i] for i in indexes) / len(indexes)
            change = aum[end] - aum[max(before, 0)]
            real = self.day_offsets[indexes[0]] >= -WINDOW_DAYS
            monthly["net_new_aum"][m] = change if real else change * (0.5 + 0.4 * rnd())
            monthly["visits"][m] = sum(visits[i] for i in indexes)
        months = self.month_starts
        known_new = [stats.new_by_month.get(start, 0) for start in months]
        monthly["new_customers"] = [float(v) for v in known_new]
        ups, downs = self._tier_moves(stats, rng)
        monthly["tier_upgrades"], monthly["tier_downgrades"] = ups, downs
        recent = months[-6:]
        created_rate = sum(stats.opp_created.get(s, 0) for s in recent) / 6
        won_rate = sum(stats.opp_won.get(s, 0) for s in recent) / 6
        complaints_rate = sum(stats.complaints.get(s, 0) for s in recent) / 6
        coverage_now = stats.key_contacted / stats.key_customers if stats.key_customers else 0.0
        mean_visits = sum(monthly["visits"][-7:-1]) / 6 or 1.0
        open_now = float(stats.open_tasks)
        overdue_now = stats.overdue / stats.open_tasks if stats.open_tasks else 0.0
        customers = max(1, stats.customers)
        csat_base, nps_base = 4.3 + 0.5 * rnd(), 25 + 40 * rnd()
        for m, start in enumerate(months):
            is_recent = start >= months[-6]
            for category in SALES_CATEGORIES:
                key = f"product_sales_{category.value}"
                base = stats.bucket_aum.get(_BUCKET_OF[category], 0) * (0.01 + 0.03 * rnd())
                monthly[key][m] = base + stats.sales.get((start, category.value), 0)
            monthly["funnel_new"][m] = (
                stats.opp_created.get(start, 0)
                if is_recent
                else max(0, round(normal(rng, created_rate, math.sqrt(created_rate + 0.1))))
            )
            monthly["funnel_won"][m] = (
                stats.opp_won.get(start, 0)
                if is_recent
                else max(0, round(normal(rng, won_rate, math.sqrt(won_rate + 0.1))))
            )
            ratio = monthly["visits"][m] / mean_visits
            coverage = coverage_now if m == MONTHS - 1 else coverage_now * (0.7 + 0.3 * ratio)
            monthly["coverage_30d"][m] = min(1.0, max(0.0, coverage + normal(rng, 0, 0.02)))
            last = m == MONTHS - 1
            monthly["open_tasks"][m] = (
                open_now if last else max(0, round(open_now * (0.7 + 0.6 * rnd())))
            )
            overdue = overdue_now if last else overdue_now * (0.6 + 0.8 * rnd())
            monthly["overdue_rate"][m] = min(1.0, max(0.0, overdue))
            monthly["csat"][m] = min(5.0, max(3.5, csat_base + normal(rng, 0, 0.08)))
            monthly["nps"][m] = float(round(min(90, max(-20, nps_base + normal(rng, 0, 5)))))
            complaints = (
                stats.complaints.get(start, 0)
                if is_recent
                else max(0, round(normal(rng, complaints_rate, 0.5)))
            )
            monthly["complaint_rate"][m] = complaints / customers
        return Series({"aum": aum, "visits": visits}, monthly, self._targets(monthly))

    def _tier_moves(self, stats: RmStats, rng: random.Random) -> tuple[list[float], list[float]]:
        known_up: dict[int, int] = {}
        known_down: dict[int, int] = {}
        starts = [*self.aum12_starts[1:], self.month_starts[-1]]
        # A move seen between aum_12m[i - 1] and aum_12m[i] takes effect at the next month start.
        for i in range(1, 12):
            known_up[starts[i]] = stats.upgrades[i]
            known_down[starts[i]] = stats.downgrades[i]
        up_rate = sum(stats.upgrades[1:]) / 11
        down_rate = sum(stats.downgrades[1:]) / 11
        ups, downs = [], []
        for start in self.month_starts:
            if start in known_up:
                ups.append(float(known_up[start]))
                downs.append(float(known_down[start]))
            else:
                ups.append(float(max(0, round(normal(rng, up_rate, math.sqrt(up_rate + 0.1))))))
                downs.append(
                    float(max(0, round(normal(rng, down_rate, math.sqrt(down_rate + 0.1)))))
                )
        return ups, downs

    def _targets(self, monthly: dict[str, list[float]]) -> dict[str, list[float | None]]:
        targets: dict[str, list[float | None]] = {}
        days = self.world.days
        aum = monthly["aum"]
        # The annual plan: 12 % growth on the AUM the year started with (for the first year of
        # the series, which starts mid-year, what it would have been on plan).
        year_start: dict[int, float] = {}
        for m, start in enumerate(self.month_starts):
            first = days.date(start)
            if first.year not in year_start:
                plan_so_far = 1 + 0.12 * (first.month - 1) / 12
                year_start[first.year] = aum[m - 1] if m > 0 else aum[m] / plan_so_far
        aum_targets: list[float | None] = []
        for start in self.month_starts:
            date = days.date(start)
            aum_targets.append(year_start[date.year] * (1 + 0.12 * date.month / 12))
        targets["aum"] = aum_targets
        targets["aum_mtd_avg"] = list(aum_targets)
        targets["net_new_aum"] = [
            year_start[days.date(s).year] * 0.12 / 12 for s in self.month_starts
        ]
        fixed = {"new_customers": 3.0, "visits": 40.0, "funnel_new": 6.0, "funnel_won": 2.0}
        for metric, value in fixed.items():
            targets[metric] = [value] * MONTHS
        for category in SALES_CATEGORIES:
            key = f"product_sales_{category.value}"
            mean = sum(monthly[key]) / MONTHS
            targets[key] = [round(mean * 1.1)] * MONTHS
        ratios = {
            "coverage_30d": 0.6,
            "overdue_rate": 0.05,
            "csat": 4.5,
            "nps": 40.0,
            "complaint_rate": 0.002,
        }
        for metric, value in ratios.items():
            targets[metric] = [value] * MONTHS
        return targets

    # --- aggregation and records ----------------------------------------------------------------

    def combine(self, parts: Sequence[Series]) -> Series:
        """A team's or branch's series: sums, and plain averages for rates and scores."""
        daily = {
            metric: [sum(values) for values in zip(*(p.daily[metric] for p in parts), strict=True)]
            for metric in DAILY_METRICS
        }
        monthly: dict[str, list[float]] = {}
        for metric in MONTHLY_METRICS:
            columns = zip(*(p.monthly[metric] for p in parts), strict=True)
            if metric in AVERAGED_METRICS:
                monthly[metric] = [sum(c) / len(parts) for c in columns]
            else:
                monthly[metric] = [sum(c) for c in columns]
        targets: dict[str, list[float | None]] = {}
        for metric in parts[0].targets:
            columns_t = zip(*(p.targets[metric] for p in parts), strict=True)
            if metric in AVERAGED_METRICS:
                targets[metric] = [parts[0].targets[metric][0]] * MONTHS
            else:
                targets[metric] = [sum(v or 0.0 for v in c) for c in columns_t]
        return Series(daily, monthly, targets, sum(p.rms for p in parts))

    def branch_records(
        self, branch: Branch, teams: Sequence[Team], stats: Sequence[RmStats]
    ) -> Iterator[tuple[str | None, str | None, dict[str, Any]]]:
        """The KPI records of a branch's RMs and teams, as ``(rm_id, team_id, data)``."""
        rm_series = {s.rm.id: self.rm_series(s) for s in stats}
        team_series: dict[str, Series] = {}
        for team in teams:
            members = [rm_series[rm_id] for rm_id in team.rm_ids if rm_id in rm_series]
            if members:
                team_series[team.id] = self.combine(members)
        team_of = {s.rm.id: s.rm.team.id for s in stats}
        yield from self._records(KpiLevel.RM, rm_series, team_of, daily=True)
        yield from self._records(
            KpiLevel.TEAM, team_series, {t: t for t in team_series}, daily=True
        )
        if team_series:
            self.branch_series.append((branch, self.combine(list(team_series.values()))))

    def bank_records(self) -> Iterator[tuple[str | None, str | None, dict[str, Any]]]:
        """The monthly KPI records of every branch, ranked among all branches."""
        series = {branch.id: s for branch, s in self.branch_series}
        yield from self._records(KpiLevel.BRANCH, series, {}, daily=False)

    def _records(
        self,
        level: KpiLevel,
        series: dict[str, Series],
        team_of: dict[str, str],
        *,
        daily: bool,
    ) -> Iterator[tuple[str | None, str | None, dict[str, Any]]]:
        subjects = list(series)
        scope_rm = level is KpiLevel.RM

        def scope(subject: str) -> tuple[str | None, str | None]:
            if level is KpiLevel.BRANCH:
                return None, None
            return (subject if scope_rm else None), team_of[subject]

        if daily:
            first = len(self.day_offsets) - HISTORY_DAYS
            for metric in DAILY_METRICS:
                ranks = _ranks(
                    subjects, [series[s].daily[metric] for s in subjects], metric, start=first
                )
                for s_index, subject in enumerate(subjects):
                    rm_id, team_id = scope(subject)
                    values = series[subject].daily[metric]
                    target = 2.0 * series[subject].rms  # visits per business day
                    for i in range(first, len(values)):
                        if not self.business[i]:
                            continue
                        day = self.day_offsets[i]
                        yield (
                            rm_id,
                            team_id,
                            self._record(
                                level,
                                subject,
                                metric,
                                KpiPeriod.DAY,
                                day,
                                values[i],
                                target if metric == "visits" else None,
                                ranks[i - first][s_index],
                            ),
                        )
        for metric in MONTHLY_METRICS:
            ranks = _ranks(subjects, [series[s].monthly[metric] for s in subjects], metric, start=0)
            for s_index, subject in enumerate(subjects):
                rm_id, team_id = scope(subject)
                values = series[subject].monthly[metric]
                targets = series[subject].targets.get(metric)
                for m, start in enumerate(self.month_starts):
                    month_target = targets[m] if targets else None
                    yield (
                        rm_id,
                        team_id,
                        self._record(
                            level,
                            subject,
                            metric,
                            KpiPeriod.MONTH,
                            start,
                            values[m],
                            month_target,
                            ranks[m][s_index],
                        ),
                    )

    def _record(
        self,
        level: KpiLevel,
        subject: str,
        metric: str,
        period: KpiPeriod,
        day: int,
        value: float,
        target: float | None,
        rank: int,
    ) -> dict[str, Any]:
        code = "d" if period is KpiPeriod.DAY else "m"
        return {
            "id": f"kpi-{subject}-{metric}-{code}{self.iso_compact[day]}",
            "level": level.value,
            "subject_id": subject,
            "metric": metric,
            "period": period.value,
            "date": self.world.days.iso(day),
            "value": _format(metric, value),
            "target": None if target is None else _format(metric, target),
            "rank": rank,
        }


def _ranks(
    subjects: list[str], columns: list[list[float]], metric: str, *, start: int
) -> list[list[int]]:
    """For each position from ``start``, every subject's rank (1 best) among ``subjects``."""
    lower_first = metric in LOWER_IS_BETTER
    length = len(columns[0]) if columns else 0
    out: list[list[int]] = []
    order = range(len(subjects))
    for i in range(start, length):
        values = [column[i] for column in columns]
        ranked = sorted(order, key=lambda s: (values[s] if lower_first else -values[s], s))
        ranks = [0] * len(subjects)
        for position, s in enumerate(ranked, start=1):
            ranks[s] = position
        out.append(ranks)
    return out


def _format(metric: str, value: float) -> str:
    if metric in MONEY_METRICS:
        return money(round(value))
    if metric in RATIO_METRICS:
        return f"{value:.4f}"
    if metric == "csat":
        return f"{value:.2f}"
    return str(round(value))
