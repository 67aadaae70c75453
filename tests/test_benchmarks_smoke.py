"""The benchmark suite runs end to end at a hundredth of its size and reports every benchmark.

Timings are never asserted: a smoke run on a busy CI machine says nothing about speed. What is
checked is that ``python -m benchmarks --quick`` exits 0 and that its JSON carries, for each store,
server and sync benchmark, a positive measured value and a positive baseline to compare it with, and
that the server load run passed its checks. After it come
the harness's own rules — verdicts, percentiles, skipped and crashed benchmarks, exit codes — which
need no database.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from benchmarks import harness
from benchmarks.harness import (
    Better,
    Context,
    GoalOn,
    Result,
    Skip,
    crashed,
    main,
    percentile,
    skipped,
)

ROOT = Path(__file__).resolve().parents[1]
STORE_BENCHMARKS = ("ingest_1m", "search_100k", "customer_360")
SERVER_BENCHMARKS = ("server_feed", "server_mutations")
SYNC_BENCHMARKS = (
    "sync_initial",
    "sync_initial.rss_mib",
    "sync_idle",
    "sync_pull_1000",
    "sync_push_1000",
)
GUI_BENCHMARKS = ("gui_cold_start", "gui_search_keystroke", "gui_open_360", "gui_sync_stall")


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    results = tmp_path_factory.mktemp("bench") / "latest.json"
    completed = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--results", str(results)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-5000:]
    document: dict[str, Any] = json.loads(results.read_text(encoding="utf-8"))
    document["stdout"] = completed.stdout
    return document


@pytest.mark.parametrize(
    "name", STORE_BENCHMARKS + SERVER_BENCHMARKS + SYNC_BENCHMARKS + GUI_BENCHMARKS
)
def test_quick_benchmark_run_reports_a_value_and_a_baseline_for(
    quick_run: dict[str, Any], name: str
) -> None:
    rows = {row["name"]: row for row in quick_run["results"]}
    assert name in rows, sorted(rows)
    row = rows[name]
    if row["outcome"] == "skipped":  # the code it measures is not there yet: say so, loudly
        pytest.skip(f"{name}: {row['note']}")
    assert row["outcome"] == "measured", row["note"]
    assert isinstance(row["value"], float | int) and row["value"] > 0
    assert row["baseline_name"]
    assert isinstance(row["baseline_value"], float | int) and row["baseline_value"] > 0
    assert row["ratio"] == pytest.approx(row["value"] / row["baseline_value"])
    assert row["verdict"] in ("pass", "miss")
    assert name in quick_run["stdout"]


def test_quick_cold_start_paints_today_without_importing_pyqtgraph(
    quick_run: dict[str, Any],
) -> None:
    rows = {row["name"]: row for row in quick_run["results"]}
    if "gui_cold_start.pyqtgraph" not in rows:  # the window is not there yet
        pytest.skip(f"gui_cold_start: {rows['gui_cold_start']['note']}")
    assert rows["gui_cold_start.pyqtgraph"]["value"] == 0


def test_quick_server_load_run_passes_its_checks_and_reports_latencies_per_call(
    quick_run: dict[str, Any],
) -> None:
    rows = {row["name"]: row for row in quick_run["results"]}
    load = rows["server_load"]
    assert load["outcome"] == "measured", load["note"]
    assert load["value"] > 0
    assert "checks: all passed" in load["note"]
    for call in ("changes", "mutations", "replay"):
        p50, p99 = rows[f"server_load.{call}.p50"], rows[f"server_load.{call}.p99"]
        assert 0 < p50["value"] <= p99["value"]


def test_quick_benchmark_run_records_the_machine_it_ran_on(quick_run: dict[str, Any]) -> None:
    machine = quick_run["machine"]
    assert quick_run["quick"] is True
    assert machine["python"] and machine["date"]
    assert machine["cpu_count"] >= 1
    assert machine["sqlcipher_version"]


@pytest.mark.parametrize(
    ("better", "value", "baseline", "limit", "on", "verdict"),
    [
        (Better.HIGHER, 300_000.0, None, 250_000.0, GoalOn.VALUE, "pass"),
        (Better.HIGHER, 200_000.0, None, 250_000.0, GoalOn.VALUE, "miss"),
        (Better.LOWER, 9.9, 50.0, 10.0, GoalOn.VALUE, "pass"),
        (Better.LOWER, 13.0, 10.0, 1.3, GoalOn.RATIO, "pass"),
        (Better.LOWER, 14.0, 10.0, 1.3, GoalOn.RATIO, "miss"),
        (Better.LOWER, 4.0, None, 1.3, GoalOn.RATIO, ""),  # no baseline, no ratio to check
        (Better.LOWER, 4.0, 2.0, None, GoalOn.VALUE, ""),  # no numeric goal
    ],
)
def test_result_verdict_checks_the_goal_against_value_or_ratio(
    better: Better,
    value: float,
    baseline: float | None,
    limit: float | None,
    on: GoalOn,
    verdict: str,
) -> None:
    result = Result(
        "x",
        value,
        "u",
        better=better,
        baseline_name="b",
        baseline_value=baseline,
        goal_limit=limit,
        goal_on=on,
    )
    assert result.verdict == verdict


def test_skipped_and_crashed_rows_carry_no_value_and_say_why() -> None:
    assert skipped("search_100k", "no search yet").verdict == "skipped"
    row = crashed("ingest_1m", ValueError("boom"))
    assert (row.verdict, row.value, row.ratio) == ("crashed", None, None)
    assert row.note == "crashed: ValueError: boom"


def test_percentile_interpolates_between_ranks() -> None:
    samples = [float(n) for n in range(1, 101)]  # 1 … 100
    assert percentile(samples, 50) == pytest.approx(50.5)
    assert percentile(samples, 95) == pytest.approx(95.05)
    assert percentile([7.0], 95) == 7.0


def test_only_with_a_name_no_benchmark_has_is_a_usage_error(tmp_path: Path) -> None:
    results = tmp_path / "latest.json"
    assert main(["--only", "no_such_benchmark", "--results", str(results)]) == 2
    assert not results.exists()


def test_run_each_turns_skips_and_crashes_into_rows_and_runs_the_rest() -> None:
    def fine(ctx: Context) -> list[Result]:
        return [Result("fine", 1.0, "s")]

    def not_yet(ctx: Context) -> list[Result]:
        raise Skip("search_customers is not there yet")

    def broken(ctx: Context) -> list[Result]:
        raise ValueError("boom")

    ctx = Context(quick=True, only=frozenset(), module="bench_fake")
    rows = ctx.run_each({"not_yet": not_yet, "broken": broken, "fine": fine})
    assert [(r.name, r.verdict) for r in rows] == [
        ("not_yet", "skipped"),
        ("broken", "crashed"),
        ("fine", ""),
    ]
    assert ctx.crashed == ["broken"]


def test_a_module_that_fails_to_load_is_reported_and_exits_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def load(name: str) -> object:
        raise ImportError(f"cannot import {name}")

    monkeypatch.setattr(harness, "discover", lambda: ["bench_broken"])
    monkeypatch.setattr(harness, "_load", load)
    results = tmp_path / "latest.json"
    assert main(["--only", "ingest_1m", "--results", str(results)]) == 1
    rows = json.loads(results.read_text(encoding="utf-8"))["results"]
    assert [(r["name"], r["outcome"]) for r in rows] == [("bench_broken", "crashed")]
