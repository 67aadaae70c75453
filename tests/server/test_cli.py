"""The ``crm-server`` command: one ready line with the real port, clean stop on signals."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text

from crm_server.cli import build_parser
from crm_server.runner import ServerStartError, prepare_database
from crm_server.settings import Settings
from crm_server.synth.records import Scale, SeedRecord
from tests.server import bank
from tests.server.conftest import FAST_KDF

LAUNCH = "import sys; from crm_server.cli import main; sys.exit(main(sys.argv[1:]))"


def seeded_database(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    database, _ = prepare_database(Settings(db_url=url, kdf_cost=FAST_KDF), bank.seed_data())
    database.dispose()
    return url


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
def test_command_prints_one_ready_line_with_the_real_port_and_stops_cleanly(
    tmp_path: Path, stop_signal: signal.Signals
):
    url = seeded_database(tmp_path)
    process = subprocess.Popen(
        [sys.executable, "-c", LAUNCH, "--db", url, "--port", "0", "--dev"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).parents[2],
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        match = re.fullmatch(r"listening on http://127\.0\.0\.1:(\d+)\n", line)
        assert match, line
        port = int(match.group(1))
        assert port > 0
        health = httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=10)
        stats = httpx.get(f"http://127.0.0.1:{port}/api/v1/dev/stats", timeout=10)
        assert health.json()["status"] == "ok"
        assert stats.json()["records"]["customer"] == 4
        process.send_signal(stop_signal)
        out, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, err
    assert out == ""  # nothing after the one ready line


def test_command_line_defaults_and_scales():
    parser = build_parser()

    defaults = parser.parse_args([])
    assert (defaults.host, defaults.port, defaults.scale, defaults.dev) == (
        "127.0.0.1",
        0,
        Scale.DEMO,
        False,
    )
    assert parser.parse_args(["--scale", "bench"]).scale is Scale.BENCH
    assert parser.parse_args(["--scale", "250"]).scale == 250
    with pytest.raises(SystemExit):
        parser.parse_args(["--scale", "huge"])


def test_in_memory_database_is_refused_with_a_message(capsys: pytest.CaptureFixture[str]):
    from crm_server.cli import main

    assert main(["--db", "sqlite://"]) == 2
    assert "in-memory" in capsys.readouterr().err


def test_database_of_an_older_server_without_stored_feed_entries_is_refused_with_a_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    from crm_server.cli import main

    url = seeded_database(tmp_path)
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("ALTER TABLE record DROP COLUMN change"))
    engine.dispose()

    assert main(["--db", url]) == 2
    assert "older crm-server" in capsys.readouterr().err


def test_database_left_by_an_interrupted_seeding_is_refused_with_a_message(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'interrupted.db'}"
    settings = Settings(db_url=url, kdf_cost=FAST_KDF)

    def history_then_crash() -> Iterator[SeedRecord]:
        yield from bank.history()
        raise KeyboardInterrupt  # the operator stops the server while it seeds the history

    interrupted = bank.seed_data()
    interrupted.history = history_then_crash()
    with pytest.raises(KeyboardInterrupt):
        prepare_database(settings, interrupted)

    with pytest.raises(ServerStartError, match="not fully written; delete it"):
        prepare_database(settings, bank.seed_data())
