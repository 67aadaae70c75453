"""The performance suite that ``make bench`` runs: ``python -m benchmarks [--only NAME] [--quick]``.

Each module ``benchmarks/bench_*.py`` exposes ``run(ctx) -> list[Result]``; :mod:`.harness` finds
the modules, runs them, prints a table and writes ``benchmarks/results/latest.json``. Benchmarks
report, they do not gate: a missed goal is a row marked ``miss``, and only a crash makes the exit
code non-zero.
"""
