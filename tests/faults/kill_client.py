"""The program the kill tests start, kill with ``SIGKILL`` at random moments, and start again.

::

    python -m tests.faults.kill_client --server URL --data-dir DIR --key-file FILE --log FILE
        --user rm003 --seed N [--steps 60] [--page-limit 500] [--batch-size 3] [--zygote]

It opens the user's encrypted cache in ``DIR``, signs in, makes the first complete sync, then works
through the seed's steps (:class:`~tests.faults.workload.Workload`): one edit each, and after some
of them a sync round (errors handled as the sync thread handles them,
:class:`~tests.faults.workload.SyncDriver`). Started again, it carries on from the first step its
log does not show done. When every step is done it syncs until nothing is left to send, prints
``done`` and exits 0. Progress lines go to standard output (``ready`` once the cache is open and
the user signed in).

The log (JSON lines, appended and flushed line by line, so a kill never leaves half a line that
matters) is how the test learns what the program did:

- ``intent``: an edit about to be saved, written *before* ``record_edit``;
- ``edit``: the same edit with its op id, written *after* ``record_edit`` committed. A restart that
  finds an ``intent`` without its ``edit`` looks in the cache: saved, it writes the ``edit`` line
  then; not saved, it saves the same edit again. So every edit that committed has its line;
- ``op`` and ``outcome``: the op ids the outbox carried and what the client saw become of them
  (:class:`~tests.faults.invariants.OpLedger`), written after each change commits, and on start
  for every op in the outbox (what a kill cut off before its line was written);
- ``synced``: the first complete sync is done;
- ``start`` (every outbox row as the program found it), ``sent`` (an op's row as it went out),
  ``rows`` (the edited record's rows after an edit) and ``round`` (a round ended): only for the
  failure report (:mod:`tests.faults.trace`).

The cache key is kept in ``--key-file``, a small JSON file: the test machine may have no OS
keyring, and the key must outlive each process. The test puts that file outside the data folder,
as a keyring keeps it outside the cache. Test use only: a real key never touches disk.

``--zygote`` makes the process load its modules, print ``loaded``, and then fork one program per
line it reads on standard input (:func:`zygote`): the test kills the program, never the zygote,
so fifty kills cost fifty forks, not fifty cold starts of Python and the app's imports.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import os
import random
import sys
import traceback
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from rm_desk.domain.enums import OpKind, OpState
from rm_desk.errors import RmDeskError
from rm_desk.local_store import Store, open_store
from rm_desk.local_store.keys import KeyStorage, check_raw_key
from rm_desk.local_store.outbox import op_by_id, op_counts, ops_in_states, ops_of_record
from rm_desk.local_store.sync_state import CURSOR, get_state
from rm_desk.sync.client import ApiClient
from rm_desk.sync.events import OpStateChanged, SyncEvent
from tests.faults.invariants import OpLedger, unsent
from tests.faults.trace import op_row
from tests.faults.workload import Book, Edit, SyncDriver, Workload

PASSWORD = "rmdesk-demo"
NOW = "2026-11-20T09:00:00+00:00"
FINAL_ACTIONS = 400
FIRST_SYNC_TRIES = 20
OUTCOMES = frozenset({OpState.APPLIED, OpState.CONFLICT, OpState.REJECTED})


class FileKeyVault:
    """Cache keys in a JSON file, for tests whose processes die (see the module docstring)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @property
    def storage(self) -> KeyStorage:
        return KeyStorage.OS_KEYRING  # the key outlives the process, as a keyring's does

    def _read(self) -> dict[str, str]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        return {str(k): str(v) for k, v in data.items()}

    def load(self, name: str) -> str | None:
        return self._read().get(name)

    def save(self, name: str, key: str) -> None:
        keys = {**self._read(), name: check_raw_key(key)}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.path.with_suffix(".partial")
        with partial.open("w", encoding="utf-8") as out:
            json.dump(keys, out)
            out.flush()
            os.fsync(out.fileno())
        partial.replace(self.path)

    def delete(self, name: str) -> None:
        keys = self._read()
        if keys.pop(name, None) is not None:
            self.path.write_text(json.dumps(keys), encoding="utf-8")


def cache_path(data_dir: Path) -> Path:
    return data_dir / "cache.db"


class Log:
    """The program's log (see the module docstring): read back on start, appended line by line."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.lines: list[dict[str, Any]] = []
        if path.exists():
            for text in path.read_text(encoding="utf-8").splitlines():
                with contextlib.suppress(json.JSONDecodeError):  # a line a kill cut in half
                    self.lines.append(json.loads(text))
        self._out: TextIO = path.open("a", encoding="utf-8", buffering=1)
        self._out.write("\n")  # after a line cut in half, start on a line of our own

    def write(self, line: dict[str, Any]) -> None:
        self.lines.append(line)
        self._out.write(json.dumps(line, ensure_ascii=False) + "\n")
        self._out.flush()  # in the kernel's hands at once: a kill of this process loses nothing

    def close(self) -> None:
        self._out.close()

    def edits(self) -> list[Edit]:
        return [Edit.from_json(line["edit"]) for line in self.lines if line["kind"] == "edit"]

    def pending_intent(self) -> Edit | None:
        """The edit of an ``intent`` line with no ``edit`` line after it."""
        intent: Edit | None = None
        for line in self.lines:
            if line["kind"] == "intent":
                intent = Edit.from_json(line["edit"])
            elif line["kind"] == "edit":
                intent = None
        return intent

    def synced(self) -> bool:
        return any(line["kind"] == "synced" for line in self.lines)


def read_log(path: Path) -> list[dict[str, Any]]:
    """Every whole line of a log (for the test)."""
    lines = []
    for text in path.read_text(encoding="utf-8").splitlines():
        with contextlib.suppress(json.JSONDecodeError):
            lines.append(json.loads(text))
    return lines


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kill_client")
    parser.add_argument("--server", required=True)
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--key-file", type=Path, required=True)
    parser.add_argument("--log", type=Path, required=True)
    parser.add_argument("--user", required=True)
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--steps", type=int, default=60)
    parser.add_argument("--page-limit", type=int, default=500)
    parser.add_argument("--batch-size", type=int, default=3)
    parser.add_argument("--zygote", action="store_true")
    return parser


class Program:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        now = datetime.fromisoformat(NOW)
        self.clock = lambda: now
        self.store: Store = open_store(
            cache_path(args.data_dir), FileKeyVault(args.key_file), clock=self.clock
        )
        self.log = Log(args.log)
        self.ledger = OpLedger()
        for line in self.log.lines:
            self.ledger.read_line(line)
        with self.store.read() as conn:
            rows = [op_row(op) for op in ops_in_states(conn, frozenset(OpState))]
        self.log.write({"kind": "start", "rows": rows})  # for the failure report (trace.py)
        for op in self.ledger.scan(self.store):
            self.log.write(OpLedger.op_line(op))
        self.driver = SyncDriver(
            self.store,
            self._connect,
            self._on_event,
            seed=args.seed,
            page_limit=args.page_limit,
            batch_size=args.batch_size,
        )

    def _connect(self) -> ApiClient:
        client = ApiClient(
            self.args.server,
            device_id=f"kill-{self.args.seed}",
            device_name="kill test laptop",
            clock=self.clock,
        )
        try:
            client.login(self.args.user, PASSWORD)
        except BaseException:
            client.close()
            raise
        return client

    def _on_event(self, event: SyncEvent) -> None:
        found = self.ledger.on_event(self.store, event)
        if found is not None:
            self.log.write(OpLedger.op_line(found))
        if isinstance(event, OpStateChanged) and event.state in OUTCOMES:
            self.log.write(OpLedger.outcome_line(event.op_id, event.state))
        if isinstance(event, OpStateChanged) and event.state is OpState.SENDING:
            # The body the server gets (for the failure report, trace.py).
            with self.store.read() as conn:
                sent = op_by_id(conn, event.op_id)
            if sent is not None:
                self.log.write({"kind": "sent", "row": op_row(sent)})

    def _round(self) -> bool:
        """One "Sync now" round; whether it completed (logged for the failure report)."""
        completed = self.driver.sync(1).completed
        self.log.write({"kind": "round", "ok": completed})
        return completed

    def run(self) -> int:
        with self.store.read() as conn:
            counts = op_counts(conn)
        say("outbox at start: " + " ".join(f"{s.value}={n}" for s, n in sorted(counts.items())))
        say("ready")
        if not self.log.synced():
            for _ in range(FIRST_SYNC_TRIES):
                if self.driver.sync(20).completed:
                    break
                say("first sync failed, again")
            else:
                say("gave up: no first sync")
                return 3
            self.log.write({"kind": "synced"})
            say("synced")
        with self.store.read() as conn:
            assert get_state(conn, CURSOR) is not None
        label = f"k{self.args.seed}"
        book = Book.pick(self.store, self.args.user, random.Random(f"book:{self.args.seed}"))
        workload = Workload(
            self.store, self.args.user, label, book, self.clock, history=self.log.edits()
        )
        start = self._recover(workload)
        for step in range(start, self.args.steps):
            edit = workload.plan(step)
            self.log.write({"kind": "intent", "edit": edit.to_json()})
            self._saved(workload.save(edit))
            if workload.rng(step).random() < 0.6:
                say(f"round {'ok' if self._round() else 'failed'}")
        for _ in range(FINAL_ACTIONS):
            if self._round() and not unsent(self.store):
                say("done")
                return 0
        say("gave up: the server never took everything")
        return 3

    def _recover(self, workload: Workload) -> int:
        """The step to start at; an edit saved just before a kill gets its ``edit`` line now."""
        done = [e.step for e in self.log.edits()]
        start = max(done, default=-1) + 1
        intent = self.log.pending_intent()
        if intent is None:
            return start
        if not workload.committed(intent):
            self._saved(workload.save(intent), how="saved again")
            return intent.step + 1
        with self.store.read() as conn:
            ops = ops_of_record(conn, intent.entity, intent.record_id)
        op_id = ops[-1].op_id if ops else None
        if intent.op is OpKind.DELETE and ops and ops[-1].op is not OpKind.DELETE:
            op_id = None
        saved = Edit.from_json({**intent.to_json(), "op_id": op_id})
        workload.remember(saved)
        self._saved(saved, how="found saved")
        return intent.step + 1

    def _saved(self, edit: Edit, *, how: str = "") -> None:
        """Log an edit ``record_edit`` committed (``how`` it was recovered after a kill)."""
        self.log.write({"kind": "edit", "edit": edit.to_json(), "recovered": how})
        with self.store.read() as conn:
            rows = [op_row(op) for op in ops_of_record(conn, edit.entity, edit.record_id)]
        self.log.write(
            {"kind": "rows", "entity": edit.entity, "record_id": edit.record_id, "rows": rows}
        )
        found = self.ledger.note_op_id(self.store, edit.op_id)
        if found is not None:
            self.log.write(OpLedger.op_line(found))
        say(f"step {edit.step} {edit.kind.value} {edit.entity} {edit.record_id} op={edit.op_id}")

    def close(self) -> None:
        self.driver.stop()
        self.log.close()
        self.store.close()


def say(text: str) -> None:
    """One line of progress, written whole in one call (a kill leaves no half line of it)."""
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.zygote:
        return zygote(args)
    return run_program(args)


def run_program(args: argparse.Namespace) -> int:
    try:
        program = Program(args)
    except RmDeskError as error:
        say(f"cannot open the cache: {error.title}: {error.message}")
        return 4
    try:
        return program.run()
    finally:
        program.close()


def zygote(args: argparse.Namespace) -> int:
    """Fork one program per line read on standard input, one at a time, and say how each ended.

    The imports (a second of CPU on a busy machine) are paid once: each program is a fork of a
    process that loaded every module and opened nothing (no thread, no connection, no file of the
    cache), so it starts in milliseconds, and the test kills it with ``SIGKILL`` as it would kill
    a program started cold. A program prints ``pid <n>`` first; once it is gone, the zygote prints
    ``exited <code>`` (``-9`` for a kill) and waits for the next line.
    """
    # What the app imports only when first needed (the schema migrations and alembic behind
    # them: half a second), imported here once rather than in every program.
    importlib.import_module("rm_desk.local_store.migrate")
    importlib.import_module("rm_desk.local_store.search")
    say("loaded")
    while sys.stdin.readline():
        pid = os.fork()
        if pid == 0:
            code = 70
            try:
                say(f"pid {os.getpid()}")
                code = run_program(args)
            except BaseException:
                traceback.print_exc()
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code)  # not the zygote's exit path: nothing of it is the program's
        _, status = os.waitpid(pid, 0)
        # On a line of its own even after a line the kill cut in half (a traceback's, say).
        say(f"\nexited {os.waitstatus_to_exitcode(status)}")
    return 0  # the test went away


if __name__ == "__main__":
    sys.exit(main())
