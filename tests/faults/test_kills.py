"""The client process killed with ``SIGKILL`` at random moments, again and again, loses nothing.

Each run starts :mod:`tests.faults.kill_client` (a real encrypted cache on disk, its key in a file
outside the data folder) against the module's server, through a fault proxy, kills it a seeded
while after it is ready, starts it again, and so on; then lets it finish its steps, runs a clean
sync here and checks: ``PRAGMA integrity_check`` ok and ``PRAGMA cipher_integrity_check`` empty on
the cache (after the kills and at the end), every edit whose ``record_edit`` committed on the
server with the values saved, every op applied exactly once, nothing left in the outbox, the cache
equal to the server.

The programs are forks of one long-lived zygote that loaded the modules once
(``kill_client --zygote``): the test kills the fork, the zygote reaps it and forks the next when
told. A kill costs milliseconds instead of a cold start of Python and the app's imports.

The kill moments come from seeded delays, but where a delay lands in the program depends on the
machine, so a run is not replayed exactly: ``RM_DESK_KILL_RUN=<n>`` runs only run *n* again, and a
failure prints the program's log and output. 4 runs of 13 kills in ``make test``; 16 runs of 30
with ``RM_DESK_SOAK=1``; ``RM_DESK_KILLS=<n>`` runs enough runs for *n* kills.
"""

from __future__ import annotations

import collections
import contextlib
import os
import queue
import random
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from rm_desk.domain.enums import OpKind, OpState
from rm_desk.local_store import Store, open_store
from rm_desk.local_store.outbox import op_by_id
from rm_desk.sync.client import ApiClient
from rm_desk.sync.events import OpStateChanged, Progress, SyncEvent
from tests.e2e.conftest import PASSWORD
from tests.faults.conftest import BANK_NOW, RMS, SOAK, FaultBank
from tests.faults.invariants import (
    OpLedger,
    cache_differences,
    check_ops,
    join,
    leftovers,
    records_with_a_base,
)
from tests.faults.kill_client import FileKeyVault, cache_path, read_log
from tests.faults.proxy import FaultProxy, seeded_schedule
from tests.faults.trace import op_row, record_trace, troubled_records
from tests.faults.workload import Edit, Expectations, SyncDriver

ROOT = Path(__file__).resolve().parents[2]
RUN_VARIABLE = "RM_DESK_KILL_RUN"
COUNT_VARIABLE = "RM_DESK_KILLS"
KILLS = 30 if SOAK else 13  # per run
RUNS = (
    [int(os.environ[RUN_VARIABLE])]
    if os.environ.get(RUN_VARIABLE)
    else list(range(-(-int(os.environ[COUNT_VARIABLE]) // KILLS)))
    if os.environ.get(COUNT_VARIABLE)
    else list(range(16 if SOAK else 4))
)
# Steps of work for a whole run: enough that the program is still working at its last kill. A life
# takes one to a few steps; on a loaded machine the test may read the program's progress lines
# late and a life then takes more, and 40 steps for 13 kills ran out before the last kill.
STEPS = 150 if SOAK else 60
PROGRESS = ("synced", "step", "round")  # the program's lines that say it got somewhere
PROGRESS_BEFORE_KILL = (0, 1, 1, 2, 3)  # how many of them a program may print before its kill
MAX_DELAY = 0.15  # seconds a program may live after the last of them
INTEGRITY_EVERY = 4  # kills between two integrity checks of the crash-left cache
START_TIMEOUT = 60.0
FINISH_TIMEOUT = 180.0


class Child:
    """The zygote (``kill_client --zygote``) and, through it, the programs it forks: their output,
    shared, read line by line on a thread of its own."""

    def __init__(self, argv: list[str]) -> None:
        self.proc = subprocess.Popen(
            argv,
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            encoding="utf-8",
        )
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.output: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            if line.strip():
                self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def wait_for(self, *words: str, timeout: float) -> str | None:
        """Read output until a line that is one of ``words`` or starts with one and a space; the
        line, or ``None`` if the zygote ended first."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self.lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(f"no {words} from the program in {timeout} s") from None
            if line is None:
                return None
            self.output.append(line)
            if line.split(" ", 1)[0] in words:
                return line

    def start_program(self) -> int:
        """Fork the next program; its process id."""
        assert self.proc.stdin is not None
        self.proc.stdin.write("go\n")
        self.proc.stdin.flush()
        line = self.wait_for("pid", timeout=START_TIMEOUT)
        assert line is not None, self.output
        return int(line.split()[1])

    def program_ended(self, timeout: float) -> int:
        """Wait until the zygote says the program is gone; its exit code (``-9`` killed)."""
        line = self.wait_for("exited", timeout=timeout)
        assert line is not None, self.output
        return int(line.split()[1])

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.finish(timeout=30)

    def dismiss(self) -> None:
        """Let the zygote leave (no program of its runs)."""
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.finish(30)

    def finish(self, timeout: float) -> int:
        code = self.proc.wait(timeout)
        self._reader.join(timeout)
        while True:
            try:
                line = self.lines.get_nowait()
            except queue.Empty:
                break
            if line is not None:
                self.output.append(line)
        for stream in (self.proc.stdin, self.proc.stdout):
            if stream is not None and not stream.closed:
                stream.close()
        return code


@dataclass
class KillRun:
    """One run (see the module docstring)."""

    run: int
    fault_bank: FaultBank
    folder: Path
    user: str = ""
    kills: int = 0
    finished_early: int = 0
    zygote: Child | None = None
    program: int | None = None  # the process id of the program running, if one is
    ledger: OpLedger = field(default_factory=OpLedger)
    edits: list[Edit] = field(default_factory=list)
    final_log: list[dict[str, Any]] = field(default_factory=list)  # the test's sync, as a log
    traces: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.rng = random.Random(f"kills:{self.run}")
        self.user = RMS[(4 * self.run + 2) % len(RMS)]
        self.data_dir = self.folder / "data"
        # The key file stands in for the OS keyring: outside the data folder, as a keyring is.
        self.key_file = self.folder / "keyring" / "keys.json"
        self.log = self.folder / "program.log"
        self.fault_rate = self.rng.choice([0.0, 0.1, 0.2])

    def argv(self, server: str) -> list[str]:
        return [
            sys.executable,
            "-m",
            "tests.faults.kill_client",
            "--server",
            server,
            "--data-dir",
            str(self.data_dir),
            "--key-file",
            str(self.key_file),
            "--log",
            str(self.log),
            "--user",
            self.user,
            "--seed",
            str(self.run),
            "--steps",
            str(STEPS),
            "--page-limit",
            str(self.rng.choice([300, 2000])),
            "--batch-size",
            str(self.rng.choice([2, 200])),
            "--zygote",
        ]

    def kill_again_and_again(self, proxy_url: str) -> None:
        self.zygote = zygote = Child(self.argv(proxy_url))
        assert zygote.wait_for("loaded", timeout=START_TIMEOUT), zygote.output
        for number in range(1, 2 * KILLS + 1):
            if self.kills == KILLS:
                break
            self.program = zygote.start_program()
            started = zygote.wait_for("ready", "exited", timeout=START_TIMEOUT)
            assert started == "ready", zygote.output[-20:]
            code = self.kill_soon(zygote)
            self.program = None
            if code == -signal.SIGKILL:
                self.kills += 1
            else:
                self.finished_early += 1
                assert code == 0, zygote.output[-20:]
            if number % INTEGRITY_EVERY == 0:
                self.check_integrity()
        self.program = zygote.start_program()
        code = zygote.program_ended(FINISH_TIMEOUT)
        self.program = None
        assert (code, zygote.output[-2:-1]) == (0, ["done"]), zygote.output[-20:]
        zygote.dismiss()

    def kill_soon(self, zygote: Child) -> int:
        """Kill the program after a seeded number of steps of its work and a seeded delay; its
        exit code.

        Counted in the program's own progress lines (the first sync done, an edit saved, a round
        ended), not only in seconds: on a busy machine a first sync or a round can take longer
        than any fixed delay, and the kills would all land in the same place.
        """
        ended: str | None = None
        for _ in range(self.rng.choice(PROGRESS_BEFORE_KILL)):
            ended = zygote.wait_for(*PROGRESS, "exited", timeout=FINISH_TIMEOUT)
            if ended is None or ended.startswith("exited"):
                break
        else:
            time.sleep(self.rng.uniform(0.0, MAX_DELAY))
            assert self.program is not None
            with contextlib.suppress(ProcessLookupError):  # it may have finished meanwhile
                os.kill(self.program, signal.SIGKILL)
        if ended is not None and ended.startswith("exited"):
            return int(ended.split()[1])
        return zygote.program_ended(30)

    def check_integrity(self) -> None:
        """``PRAGMA integrity_check`` and ``PRAGMA cipher_integrity_check`` on a fresh
        connection (the store moves a damaged file aside and raises ``CacheCorrupt``)."""
        with open_store(cache_path(self.data_dir), FileKeyVault(self.key_file)) as store:
            report = store.check_integrity()
            with store.read() as conn:
                quick = conn.exec_driver_sql("PRAGMA integrity_check").scalars().all()
        assert (report.ok, report.cipher_errors, report.sqlite_errors) == (True, (), ())
        assert quick == ["ok"]

    def read_program_log(self) -> None:
        for line in read_log(self.log):
            self.ledger.read_line(line)
            if line.get("kind") == "edit":
                edit = Edit.from_json(line["edit"])
                self.edits.append(edit)
                if edit.op_id is None and edit.op is OpKind.DELETE:
                    self.ledger.cancel(edit.entity, edit.record_id)

    def final_sync(self, store: Store) -> None:
        bank = self.fault_bank.bank

        def connect() -> ApiClient:
            client = ApiClient(
                bank.url, device_id=f"kill-{self.run}", device_name="test", clock=store.clock
            )
            client.login(self.user, PASSWORD)
            return client

        def on_event(event: SyncEvent) -> None:
            self.ledger.on_event(store, event)
            if not isinstance(event, OpStateChanged):
                return
            if event.state is OpState.SENDING:
                with store.read() as conn:
                    sent = op_by_id(conn, event.op_id)
                if sent is not None:
                    self.final_log.append({"kind": "sent", "row": op_row(sent)})
            else:
                self.final_log.append(
                    {"kind": "outcome", "op_id": event.op_id, "state": event.state.value}
                )

        driver = SyncDriver(
            store, connect, on_event, seed=self.run, page_limit=5000, batch_size=200
        )
        try:
            self.final_log.append({"kind": "final", "rows": []})
            for _ in range(6):
                outcome = driver.sync(1)
                self.final_log.append({"kind": "round", "ok": outcome.completed})
                assert outcome.completed, "a clean round failed"
                if not any(
                    isinstance(e, OpStateChanged) or (isinstance(e, Progress) and e.done)
                    for e in outcome.events
                ):
                    return
            raise AssertionError("sync did not go quiet")
        finally:
            driver.stop()

    def trace(self, store: Store, problems: list[str]) -> None:
        """Keep, for the report, the history of each record a problem names (trace.py)."""
        log = [*read_log(self.log), *self.final_log]
        edited = [(e.entity, e.record_id) for e in self.edits]
        for entity, record_id in troubled_records(problems, edited):
            self.traces += record_trace(self.fault_bank.bank, store, log, entity, record_id)

    def output(self) -> list[str]:
        return [] if self.zygote is None else self.zygote.output

    def summary(self) -> str:
        starts = [line for line in self.output() if line.startswith("outbox")]
        recovered = collections.Counter(
            line.get("recovered") for line in read_log(self.log) if line.get("kind") == "edit"
        )
        return (
            f"run {self.run}: {self.kills} kills, {len(starts)} starts, "
            f"{sum('sending=' in line for line in starts)} of them with ops left sending; "
            f"{recovered.total()} edits, {recovered['found saved']} of them saved just before a "
            f"kill, {recovered['saved again']} cut off before they were saved and made again"
        )

    def report(self) -> str:
        lines = [
            self.summary(),
            f"replay (the kill moments differ): {RUN_VARIABLE}={self.run} "
            ".venv/bin/python -m pytest tests/faults/test_kills.py -q",
            f"user={self.user} fault_rate={self.fault_rate} kills={self.kills} "
            f"finished before the kill={self.finished_early}",
            "last output of the programs:",
            *(f"  {line}" for line in self.output()[-40:]),
            "edits:",
            *(
                f"  {e.step:>2} {e.kind.value:<12} {e.entity} {e.record_id} op={e.op_id}"
                for e in self.edits
            ),
            *self.traces,
        ]
        return "\n".join(lines)


@pytest.mark.parametrize("run", RUNS, ids=[f"run_{r}" for r in RUNS])
def test_client_killed_at_random_moments_loses_no_edit_and_applies_none_twice(
    run: int, fault_bank: FaultBank, tmp_path: Path
) -> None:
    bank = fault_bank.bank
    fault_bank.clock.now = BANK_NOW  # the program's clock stands still at the same moment
    kill_run = KillRun(run, fault_bank, tmp_path)
    applied_before = int(bank.dev("stats")["ops_applied"])
    schedule = seeded_schedule(run, fault_rate=kill_run.fault_rate)
    try:
        with FaultProxy(bank.server.port, schedule, delay=0.02) as proxy:
            kill_run.kill_again_and_again(proxy.url)
        kill_run.check_integrity()
        kill_run.read_program_log()
        with open_store(
            cache_path(kill_run.data_dir), FileKeyVault(kill_run.key_file), clock=fault_bank.clock
        ) as store:
            kill_run.final_sync(store)
            problems: list[str] = []
            left = leftovers(store)
            if left:
                problems.append("ops left in the outbox:" + join(left))
            scope = bank.scope(kill_run.user)
            problems += cache_differences(store, scope)
            problems += Expectations().fold(kill_run.edits).problems(scope)
            verdict = check_ops(bank, store, kill_run.ledger, applied_before=applied_before)
            problems += verdict.problems
            problems += [f"{r} keeps a merge base" for r in records_with_a_base(store)]
            if problems:
                kill_run.trace(store, problems)
        kill_run.check_integrity()
        print(kill_run.summary())
        assert not problems, join(problems)
        assert kill_run.kills == KILLS, "the program finished its steps before all its kills"
        assert verdict.applied > 0
    except BaseException as failure:
        failure.add_note(kill_run.report())
        raise
    finally:
        if kill_run.program is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(kill_run.program, signal.SIGKILL)
        if kill_run.zygote is not None:
            kill_run.zygote.kill()
