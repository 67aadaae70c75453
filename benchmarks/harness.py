"""Finding, running and reporting the benchmarks.

A benchmark module is ``benchmarks/bench_<topic>.py`` with ``run(ctx: Context) -> list[Result]``.
It usually hands its benchmarks to :meth:`Context.run_each`, which applies ``--only``, gives each
one its own crash boundary and turns :class:`Skip` into a ``skipped`` row, so one broken benchmark
never hides the others' numbers.

What a run produces:

- a table on stdout: name, value, unit, goal, baseline, ratio (value / baseline) and a verdict —
  ``pass`` or ``miss`` where the goal has a number, ``skipped`` or ``crashed`` where nothing was
  measured — followed by each row's note;
- ``benchmarks/results/latest.json`` (or ``--results PATH``): the machine, the mode and every row.

Exit codes: 0 when every benchmark ran (missed goals included: benchmarks report, they do not gate),
1 when one crashed, 2 for a usage error such as an ``--only`` name that matched nothing.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import math
import os
import pkgutil
import platform
import resource
import shutil
import sqlite3
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from types import ModuleType
from typing import Any

import benchmarks

QUICK_DIVISOR = 100  # --quick shrinks every size by this much
DEFAULT_RESULTS = Path(__file__).with_name("results") / "latest.json"


class Better(StrEnum):
    """Which direction of a value is an improvement."""

    HIGHER = "higher"
    LOWER = "lower"


class GoalOn(StrEnum):
    """What a numeric goal is checked against."""

    VALUE = "value"
    RATIO = "ratio"  # value / baseline_value


class Outcome(StrEnum):
    MEASURED = "measured"
    SKIPPED = "skipped"
    CRASHED = "crashed"


@dataclass(frozen=True, slots=True)
class Result:
    """One reported number, with its goal and the baseline it is compared with.

    ``goal`` is the goal as the issue words it; ``goal_limit`` (checked against the value or, with
    ``goal_on=RATIO``, against ``ratio``) makes it checkable. ``ratio`` is always
    ``value / baseline_value`` and is computed, never passed.
    """

    name: str
    value: float | None
    unit: str
    goal: str = ""
    better: Better = Better.LOWER
    baseline_name: str = ""
    baseline_value: float | None = None
    note: str = ""
    goal_limit: float | None = None
    goal_on: GoalOn = GoalOn.VALUE
    outcome: Outcome = Outcome.MEASURED
    ratio: float | None = field(init=False)

    def __post_init__(self) -> None:
        ratio = None
        if self.value is not None and self.baseline_value:
            ratio = self.value / self.baseline_value
        object.__setattr__(self, "ratio", ratio)

    @property
    def verdict(self) -> str:
        """``pass`` or ``miss`` against a numeric goal, ``skipped``, ``crashed``, or ``""``."""
        if self.outcome is not Outcome.MEASURED:
            return self.outcome.value
        checked = self.ratio if self.goal_on is GoalOn.RATIO else self.value
        if self.goal_limit is None or checked is None:
            return ""
        if self.better is Better.HIGHER:
            return "pass" if checked >= self.goal_limit else "miss"
        return "pass" if checked <= self.goal_limit else "miss"

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "verdict": self.verdict}


class Skip(Exception):
    """Raised by a benchmark that cannot run yet (a module or query not there); becomes a row."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


Benchmark = Callable[["Context"], list[Result]]


class Context:
    """What a benchmark module gets: the mode, sizes, temporary folders, logging, ``--only``."""

    def __init__(self, *, quick: bool, only: frozenset[str], module: str) -> None:
        self.quick = quick
        self.only = only
        self.module = module  # "bench_store"
        self.matched: set[str] = set()
        self.crashed: list[str] = []
        self._started = time.perf_counter()

    def size(self, full: int, *, minimum: int = 1) -> int:
        """``full`` for a real run, about a hundredth of it (at least ``minimum``) with --quick."""
        return max(minimum, full // QUICK_DIVISOR) if self.quick else full

    def selected(self, name: str) -> bool:
        keys = {name, self.module, self.module.removeprefix("bench_")}
        if not self.only:
            return True
        hits = keys & self.only
        self.matched.update(hits)
        return bool(hits)

    def log(self, message: str) -> None:
        """Progress for the person waiting, on stderr so the table on stdout stays clean."""
        elapsed = time.perf_counter() - self._started
        print(f"[{elapsed:7.1f}s] {message}", file=sys.stderr, flush=True)

    @contextlib.contextmanager
    def temp_dir(self, name: str) -> Iterator[Path]:
        """A fresh folder (under ``TMPDIR``) that is deleted with everything in it afterwards."""
        path = Path(tempfile.mkdtemp(prefix=f"rm-desk-bench-{name}-"))
        try:
            yield path
        finally:
            shutil.rmtree(path, ignore_errors=True)

    def run_each(self, benchmarks: Mapping[str, Benchmark]) -> list[Result]:
        """Run the selected benchmarks, each inside its own crash boundary."""
        results: list[Result] = []
        for name, benchmark in benchmarks.items():
            if not self.selected(name):
                continue
            self.log(f"{name}: start")
            try:
                results.extend(benchmark(self))
            except Skip as skip:
                self.log(f"{name}: skipped: {skip.reason}")
                results.append(skipped(name, skip.reason))
            except Exception as error:
                traceback.print_exc(file=sys.stderr)
                self.crashed.append(name)
                results.append(crashed(name, error))
            self.log(f"{name}: done")
        return results


def skipped(name: str, reason: str) -> Result:
    return Result(name, None, "", outcome=Outcome.SKIPPED, note=f"skipped: {reason}")


def crashed(name: str, error: BaseException) -> Result:
    return Result(
        name, None, "", outcome=Outcome.CRASHED, note=f"crashed: {type(error).__name__}: {error}"
    )


# ---- measuring helpers shared by the benchmark modules -------------------------------------------


def percentile(samples: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0–100) with linear interpolation between the closest ranks."""
    if not samples:
        raise ValueError("no samples")
    ordered = sorted(samples)
    position = (len(ordered) - 1) * q / 100
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def peak_rss_mib() -> float:
    """This process's own peak resident set size so far, in MiB: ``VmHWM`` where ``/proc``
    tells it.

    Not ``ru_maxrss`` first: Linux carries it over ``fork`` and ``execve``, so a child process
    reports at least its parent's RSS when it was started. ``VmHWM`` is the peak of this
    process's own address space. Elsewhere ``ru_maxrss``, which can only overstate.
    """
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Linux reports KiB, macOS bytes.
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def current_rss_mib() -> float | None:
    """The resident set size now, in MiB, where ``/proc`` tells it."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return None
    return pages * os.sysconf("SC_PAGE_SIZE") / (1024 * 1024)


# ---- discovery, the table and the JSON ---------------------------------------------------------


def discover() -> list[str]:
    """Names of the ``bench_*`` modules of this package, sorted."""
    return sorted(
        info.name
        for info in pkgutil.iter_modules(benchmarks.__path__)
        if info.name.startswith("bench_")
    )


def load_average() -> float | None:
    """The 1-minute load average where the platform has one: other work skews every number."""
    try:
        return round(os.getloadavg()[0], 2)
    except (AttributeError, OSError):
        return None


def machine_info(load_before: float | None) -> dict[str, Any]:
    from sqlcipher3 import dbapi2 as sqlcipher

    conn = sqlcipher.connect(":memory:")
    try:
        row = conn.execute("PRAGMA cipher_version").fetchone()
        sqlcipher_sqlite = conn.execute("SELECT sqlite_version()").fetchone()[0]
    finally:
        conn.close()
    return {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpu_count": os.cpu_count(),
        "sqlcipher_version": row[0] if row else None,
        "sqlcipher_sqlite_version": sqlcipher_sqlite,
        "stdlib_sqlite_version": sqlite3.sqlite_version,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "load_average_before": load_before,
        "load_average_after": load_average(),
    }


def format_number(value: float | None) -> str:
    if value is None:
        return "-"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    if abs(value) >= 100:
        return f"{value:.1f}"
    return f"{value:.3g}" if abs(value) < 1 else f"{value:.2f}"


def render_table(results: Sequence[Result]) -> str:
    headers = ("name", "value", "unit", "goal", "baseline", "ratio", "verdict")
    rows = [
        (
            r.name,
            format_number(r.value),
            r.unit,
            r.goal or "-",
            f"{r.baseline_name} {format_number(r.baseline_value)}" if r.baseline_name else "-",
            f"{r.ratio:.2f}" if r.ratio is not None else "-",
            r.verdict or "-",
        )
        for r in results
    ]
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(headers)]
    right = {1, 5}  # numbers line up on the right

    def line(cells: Sequence[str]) -> str:
        return "  ".join(
            c.rjust(w) if i in right else c.ljust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    out = [line(headers), line(["-" * w for w in widths]), *(line(row) for row in rows)]
    notes = [f"  {r.name}: {r.note}" for r in results if r.note]
    if notes:
        out += ["", "notes:", *notes]
    return "\n".join(out)


def write_results(
    path: Path, results: Sequence[Result], machine: Mapping[str, Any], *, quick: bool
) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "machine": dict(machine),
        "quick": quick,
        "results": [r.to_json() for r in results],
    }
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _load(name: str) -> ModuleType:
    module = importlib.import_module(f"benchmarks.{name}")
    if not callable(getattr(module, "run", None)):
        raise TypeError(f"benchmarks.{name} has no run(ctx) function")
    return module


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Run RM Desk's performance suite and report against the goals.",
    )
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="NAME",
        help="run only this benchmark or module (e.g. ingest_1m, store); repeat for several",
    )
    parser.add_argument(
        "--quick", action="store_true", help="shrink every size about 100x (a smoke run)"
    )
    parser.add_argument(
        "--results",
        type=Path,
        default=DEFAULT_RESULTS,
        metavar="PATH",
        help=f"where to write the JSON results (default: {DEFAULT_RESULTS})",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    load_before = load_average()
    only = frozenset(name for value in args.only for name in value.split(",") if name)
    results: list[Result] = []
    matched: set[str] = set()
    crashes: list[str] = []
    for name in discover():
        ctx = Context(quick=args.quick, only=only, module=name)
        try:
            results.extend(_load(name).run(ctx))
        except Exception as error:
            traceback.print_exc(file=sys.stderr)
            ctx.crashed.append(name)
            results.append(crashed(name, error))
        matched |= ctx.matched
        crashes += ctx.crashed

    # A module that failed to load cannot say which names it has: report its crash instead.
    unknown = sorted(only - matched)
    if unknown and not crashes:
        print(f"no benchmark or module named: {', '.join(unknown)}", file=sys.stderr)
        return 2

    machine = machine_info(load_before)
    mode = "quick (sizes / 100)" if args.quick else "full"
    print(
        f"RM Desk benchmarks, {mode}: Python {machine['python']}, {machine['cpu_count']} CPUs, "
        f"SQLCipher {machine['sqlcipher_version']}, {machine['date']}, load average "
        f"{machine['load_average_before']} before, {machine['load_average_after']} after"
    )
    print(render_table(results))
    write_results(args.results, results, machine, quick=args.quick)
    print(f"\nresults written to {args.results}")
    if crashes:
        print(f"crashed: {', '.join(crashes)}", file=sys.stderr)
        return 1
    return 0
