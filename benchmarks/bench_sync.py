"""Benchmarks of sync against the reference server on loopback.

One synthetic bank of :data:`CUSTOMERS` customers (seed 1) is generated once per run into a
temporary SQLite file and served by ``crm-server`` in a process of its own on a loopback port (so
the client measured shares no interpreter lock with it); every benchmark here talks to that server
as the team lead ``lead01``, whose feed (the team's book, its KPIs and the bank-wide records) is as
large as any user's.

==============  ================================================  ================================
benchmark       what is timed                                     baseline, in the same run
==============  ================================================  ================================
sync_initial    the first sync of an empty cache, end to end      the same pages fetched with
                (one round: the whole feed, 5,000 changes a       httpx, parsed with orjson and
                page) in a child process; login not timed         inserted into plain SQLite with
                (goal ≥ 100,000 records/s)                        ``executemany``, no checks
sync_initial    the raw client's work alone: the same page bodies
.floor          already received, parsed and inserted as above
                (no network, no server, one thread): the raw
                client's own work once the wire costs nothing
sync_initial    that child's peak RSS (goal ≤ 500 MB)             its RSS before the sync
.rss_mib
sync_idle       a round with nothing to send or pull (goal p95    the round trip of one empty
                ≤ 30 ms)                                          ``GET /changes`` with httpx
sync_pull_1000  a round pulling 1,000 back-office changes         the same changes fetched raw
                (accounts, customers, tasks) (goal ≤ 300 ms)      into plain SQLite
sync_push_1000  draining 1,000 queued ops: opportunity stage      the server's own
                changes (up to half, as the book's open ones      ``Mutations.apply`` on the same
                allow), the rest visits logged offline (goal      kind of ops, no HTTP
                ≥ 2,000 ops/s)
==============  ================================================  ================================

The initial sync and its baseline each run in a fresh child process (``python -m
benchmarks.bench_sync --child``), so the peak RSS is the client's alone, not the server's or the
earlier benchmarks'; they take turns, three times, and each reports its fastest run. Back-office
edits and queued ops are made before the clock starts. A fourth child, the *floor*, fetches every
page untimed first and then times the raw client's parse and insert alone.

The app fetches the next feed page on a thread while it applies the current one; the raw
baseline stays serial (GET, parse, insert, next GET), so that its rate is the plain floor it
always was. A second, *pipelined* raw client (the same work with one page fetched ahead, like the
app) runs in the same turns and is reported in the note, labelled as such, with the app's ratio
to it; so is each child's CPU time (user + system), which a loaded machine disturbs less than
the wall clock.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import resource
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import orjson
from sqlalchemy import select

from benchmarks.harness import (
    Better,
    Context,
    Result,
    current_rss_mib,
    peak_rss_mib,
    percentile,
)
from benchmarks.stores import encrypted_store, fixed_clock
from rm_desk.domain.enums import OpKind
from rm_desk.local_store import Store, schema
from rm_desk.local_store.rows import wire_columns
from rm_desk.local_store.writes import new_record_id, record_edit
from rm_desk.sync.client import ApiClient
from rm_desk.sync.engine import SyncEngine
from rm_desk.sync.pull import PAGE_LIMIT
from tests.factories import TS, iso

ROOT = Path(__file__).resolve().parents[1]
CUSTOMERS = 50_000  # the bench scale (Scale.BENCH, about 1,000,000 records); 500 with --quick
USER = "lead01"
TEAM = "tm-01"
PASSWORD = "rmdesk-demo"
KDF_COST = 2**10  # signing in is not what is measured

INITIAL_GOAL_RECORDS_PER_S = 100_000
MEMORY_GOAL_MIB = 500
IDLE_GOAL_P95_MS = 30.0
PULL_GOAL_MS = 300.0
PUSH_GOAL_OPS_PER_S = 2_000
GENERATION_GOAL_S = 120.0

STAGES = ("lead", "contacted", "needs_confirmed", "recommended", "closing")


def run(ctx: Context) -> list[Result]:
    with _World(ctx) as world:
        results = ctx.run_each(
            {
                "sync_initial": world.initial,
                "sync_idle": world.idle,
                "sync_pull_1000": world.pull_1000,
                "sync_push_1000": world.push_1000,
            }
        )
        if world.seeded is not None:
            results.append(world.generation_result())
        return results


# ---- the bank and the desk, shared by the benchmarks of one run ---------------------------------


@dataclass
class _Desk:
    store: Store
    client: ApiClient
    engine: SyncEngine
    raw: _RawClient


class _World:
    """The seeded bank (built on first use) and a desk synced with it (idem)."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.customers = ctx.size(CUSTOMERS)
        self._stack = contextlib.ExitStack()
        self._server: _Bank | None = None
        self._desk: _Desk | None = None
        self.seed_note = ""
        self.seeded: float | None = None  # seconds to generate and seed the bank

    def __enter__(self) -> _World:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stack.close()

    @property
    def server(self) -> _Bank:
        if self._server is None:
            folder = self._stack.enter_context(self.ctx.temp_dir("sync-bank"))
            self.ctx.log(f"sync: generating a bank of {self.customers:,} customers")
            started = time.perf_counter()
            self._server = _Bank.start(folder / "crm.db", self.customers)
            self._stack.callback(self._server.stop)
            self.seeded = seeded = time.perf_counter() - started
            self.seed_note = f"bank of {self.customers:,} customers seeded in {seeded:.0f} s"
            self.ctx.log(f"sync: {self.seed_note}")
        return self._server

    def generation_result(self) -> Result:
        """The bank's generation (the issue's `bench` scale at full size): synthetic data written
        to a new SQLite database, what `crm-server --scale bench` does before it listens."""
        assert self.seeded is not None
        with sqlite3.connect(self.server.database_path) as db:
            records = db.execute("SELECT count(*) FROM record").fetchone()[0]
            history = db.execute("SELECT count(*) FROM history").fetchone()[0]
        return Result(
            "bank_generation",
            self.seeded,
            "s",
            goal=f"< {GENERATION_GOAL_S:g} s at bench scale",
            better=Better.LOWER,
            goal_limit=GENERATION_GOAL_S if self.customers >= CUSTOMERS else None,
            note=(
                f"{self.customers:,} customers: {records:,} records in the feed and {history:,} "
                "older transactions for the online history, seed 1, SQLite"
            ),
        )

    @property
    def desk(self) -> _Desk:
        """A cache of ``lead01``'s whole feed (synced untimed), its engine and a raw client."""
        if self._desk is None:
            folder = self._stack.enter_context(self.ctx.temp_dir("sync-desk"))
            store = encrypted_store(folder)
            self._stack.callback(store.close)
            client = _signed_in(self.server.url, "bench-desk")
            self._stack.callback(client.close)
            engine = SyncEngine(store, client)
            started = time.perf_counter()
            report = engine.run_round()
            self.ctx.log(
                f"sync: desk set up with {report.pulled.changes:,} changes in "
                f"{time.perf_counter() - started:.1f} s"
            )
            raw = _RawClient(self.server.url, folder / "raw.db")
            self._stack.callback(raw.close)
            raw.catch_up()
            self._desk = _Desk(store, client, engine, raw)
        return self._desk

    # ---- sync_initial ----------------------------------------------------------------------------

    def initial(self, ctx: Context) -> list[Result]:
        url = self.server.url
        runs = 1 if ctx.quick else 3
        answers: dict[str, list[dict[str, Any]]] = {mode: [] for mode in _CHILD_MODES}
        for number in range(runs):
            turn = _CHILD_MODES[number % 4 :] + _CHILD_MODES[: number % 4]
            for mode in turn:
                with ctx.temp_dir(f"sync-initial-{mode}") as folder:
                    answer = _run_child(mode, url, folder)
                answers[mode].append(answer)
                ctx.log(
                    f"sync_initial: {mode}: {answer['records']:,} records in "
                    f"{answer['seconds']:.2f} s (CPU {answer['cpu_seconds']:.2f} s), "
                    f"peak RSS {answer['peak_rss_mib']:.0f} MiB"
                )
        app, raw, piped = answers["app"], answers["raw"], answers["raw-pipelined"]
        floor = answers["floor"]
        best_app = min(app, key=lambda a: a["seconds"])
        best_raw = min(raw, key=lambda a: a["seconds"])
        best_piped = min(piped, key=lambda a: a["seconds"])
        best_floor = min(floor, key=lambda a: a["seconds"])
        for other in (best_raw, best_piped, best_floor):
            if best_app["records"] != other["records"]:
                raise RuntimeError(
                    f"the app received {best_app['records']:,} records, a raw client "
                    f"{other['records']:,}"
                )
        if best_app["quarantined"]:
            raise RuntimeError(f"{best_app['quarantined']} records were quarantined")
        records = best_app["records"]

        def rates(of: list[dict[str, Any]]) -> str:
            return ", ".join(f"{records / a['seconds']:,.0f}" for a in of)

        def cpu(of: list[dict[str, Any]]) -> str:
            return f"{min(a['cpu_seconds'] for a in of):.2f} s"

        note = (
            f"{records:,} records of {USER}'s feed ({best_app['pages']} pages of "
            f"{PAGE_LIMIT:,}), {self.seed_note}; best of {runs} child process(es) each, "
            f"records/s app {rates(app)}, raw {rates(raw)}; the raw client keeps one plain table "
            "per entity, no indexes, no checks, no search index, and is serial; PIPELINED raw "
            f"(one page fetched ahead, like the app) {rates(piped)}, app/pipelined-raw ratio "
            f"{best_piped['seconds'] / best_app['seconds']:.2f}; client CPU (least) app "
            f"{cpu(app)}, raw {cpu(raw)}, pipelined raw {cpu(piped)}; FLOOR (the same page "
            f"bodies already received, parsed and stored like raw: no network, no server) "
            f"{rates(floor)}"
        )
        peak = max(a["peak_rss_mib"] for a in app)
        before = min(a["rss_before_mib"] for a in app)
        memory_note = (
            f"peak RSS (VmHWM) of the client process alone (the server runs elsewhere), "
            f"{peak - before:,.0f} MiB above its RSS after imports and sign-in; the raw client "
            f"peaked at "
            f"{max(a['peak_rss_mib'] for a in raw):,.0f} MiB"
        )
        return [
            Result(
                "sync_initial",
                records / best_app["seconds"],
                "records/s",
                goal=f"≥ {INITIAL_GOAL_RECORDS_PER_S:,} records/s",
                better=Better.HIGHER,
                baseline_name="raw fetch+orjson+executemany",
                baseline_value=records / best_raw["seconds"],
                goal_limit=INITIAL_GOAL_RECORDS_PER_S,
                note=note,
            ),
            Result(
                "sync_initial.floor",
                records / best_floor["seconds"],
                "records/s",
                better=Better.HIGHER,
                note=(
                    "the raw client's work alone, on page bodies it already holds: orjson, "
                    "tuples and executemany into plain SQLite, one transaction a page, no "
                    "network and no server sharing the cores, on one thread: how fast the raw "
                    "client's own work goes once the wire and the server cost nothing"
                ),
            ),
            Result(
                "sync_initial.rss_mib",
                peak,
                "MiB",
                goal=f"≤ {MEMORY_GOAL_MIB} MB",
                better=Better.LOWER,
                baseline_name="RSS before the sync",
                baseline_value=before,
                goal_limit=MEMORY_GOAL_MIB,
                note=memory_note,
            ),
        ]

    # ---- sync_idle -------------------------------------------------------------------------------

    def idle(self, ctx: Context) -> list[Result]:
        desk = self.desk
        runs = ctx.size(200, minimum=20)
        rounds: list[float] = []
        raw: list[float] = []
        for number in range(runs + 5):
            started = time.perf_counter()
            report = desk.engine.run_round()
            ms = (time.perf_counter() - started) * 1000
            if report.pulled.changes or report.pushed.sent or report.pushed_after.sent:
                raise RuntimeError("an idle round had something to do")
            raw_ms = desk.raw.timed_empty_page()
            if number >= 5:
                rounds.append(ms)
                raw.append(raw_ms)
        note = (
            f"{runs} rounds after 5 warm-ups, taking turns with the baseline; p50 "
            f"{percentile(rounds, 50):.1f} ms (raw {percentile(raw, 50):.1f} ms); a round is "
            "two outbox reads (an empty outbox is one indexed read), one empty feed page "
            "applied with its cursor, and one commit of the contact and success times, with "
            "synchronous=FULL"
        )
        return [
            Result(
                "sync_idle",
                percentile(rounds, 95),
                "ms p95",
                goal=f"p95 ≤ {IDLE_GOAL_P95_MS:g} ms",
                better=Better.LOWER,
                baseline_name="raw empty GET /changes",
                baseline_value=percentile(raw, 95),
                goal_limit=IDLE_GOAL_P95_MS,
                note=note,
            )
        ]

    # ---- sync_pull_1000 --------------------------------------------------------------------------

    def pull_1000(self, ctx: Context) -> list[Result]:
        from crm_server.backoffice import edit_record

        desk = self.desk
        size = ctx.size(1_000, minimum=20)
        runs = 1 if ctx.quick else 3
        database = self.server.database
        targets = _edit_targets(database, size)
        app: list[float] = []
        raw: list[float] = []
        for number in range(runs):
            for entity, record_id, fields in _back_office_edits(targets, number):
                edit_record(database, entity, record_id, fields, deleted=False)
            for mode in ("raw", "app") if number % 2 else ("app", "raw"):
                started = time.perf_counter()
                if mode == "app":
                    pulled = desk.engine.run_round().pulled.changes
                else:
                    pulled = desk.raw.catch_up()
                ms = (time.perf_counter() - started) * 1000
                if pulled != size:
                    raise RuntimeError(f"{mode}: pulled {pulled} changes, expected {size}")
                (app if mode == "app" else raw).append(ms)
        note = (
            f"{size:,} back-office edits ({_mix(targets)}) into a cache of {USER}'s whole feed; "
            f"median of {runs} (ms: {', '.join(f'{ms:.0f}' for ms in app)}); the round includes "
            "the search index refresh of the customers touched"
        )
        return [
            Result(
                "sync_pull_1000",
                percentile(app, 50),
                "ms",
                goal=f"≤ {PULL_GOAL_MS:g} ms",
                better=Better.LOWER,
                baseline_name="raw fetch into plain SQLite",
                baseline_value=percentile(raw, 50),
                goal_limit=PULL_GOAL_MS,
                note=note,
            )
        ]

    # ---- sync_push_1000 --------------------------------------------------------------------------

    def push_1000(self, ctx: Context) -> list[Result]:
        desk = self.desk
        size = ctx.size(1_000, minimum=20)
        customers, opportunities = _writable(desk.store)
        half = min(size // 2, len(opportunities) // 2)
        mine, theirs = opportunities[:half], opportunities[half : 2 * half]

        for n in range(size - half):
            _log_visit(desk.store, customers[n % len(customers)], n)
        for n, (opp_id, stage) in enumerate(mine):
            record_edit(
                desk.store, "opportunity", opp_id, OpKind.UPDATE, {"stage": _next(stage, n)}
            )
        started = time.perf_counter()
        report = desk.engine.pusher.push()
        seconds = time.perf_counter() - started
        if report.applied != size:
            raise RuntimeError(f"{report.applied} of {size} ops applied ({report})")

        baseline = _server_throughput(self.server.database, customers, theirs, size)
        note = (
            f"{size - half:,} visit creates and {half:,} opportunity stage changes in "
            f"{report.batches} batches of ≤ 200, {seconds * 1000:.0f} ms; the baseline applies "
            "the same mix (other opportunities) with Mutations.apply in-process, no HTTP, no "
            "client"
        )
        return [
            Result(
                "sync_push_1000",
                size / seconds,
                "ops/s",
                goal=f"≥ {PUSH_GOAL_OPS_PER_S:,} ops/s",
                better=Better.HIGHER,
                baseline_name="server Mutations.apply",
                baseline_value=baseline,
                goal_limit=PUSH_GOAL_OPS_PER_S,
                note=note,
            )
        ]


# ---- helpers ------------------------------------------------------------------------------------


class _Bank:
    """The reference server in a process of its own on loopback (so that it shares no
    interpreter lock with the client measured), and the parent's own handle on its database for
    the back office and the server-side baseline."""

    def __init__(
        self, process: subprocess.Popen[str], url: str, database: Any, database_path: Path
    ) -> None:
        self.process = process
        self.url = url
        self.database = database
        self.database_path = database_path

    @classmethod
    def start(cls, db_path: Path, customers: int) -> _Bank:
        from crm_server.runner import prepare_database
        from crm_server.settings import Settings

        db_url = f"sqlite:///{db_path}"
        database, _ = prepare_database(
            Settings(db_url=db_url, scale=customers, seed=1, kdf_cost=KDF_COST)
        )
        command = [sys.executable, "-m", "crm_server", "--db", db_url, "--port", "0"]
        process = subprocess.Popen(
            [*command, "--rate-limit", "0"], cwd=ROOT, stdout=subprocess.PIPE, text=True
        )
        assert process.stdout is not None
        line = process.stdout.readline().strip()
        if not line.startswith("listening on "):
            process.kill()
            database.dispose()
            raise RuntimeError(f"the server did not start: {line!r}")
        return cls(process, line.removeprefix("listening on "), database, db_path)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.database.dispose()


def _signed_in(url: str, device: str) -> ApiClient:
    client = ApiClient(url, device_id=device, device_name="benchmark", clock=fixed_clock)
    client.login(USER, PASSWORD)
    return client


class _RawClient:
    """The floor the app is compared with: httpx, orjson and ``executemany`` into plain SQLite
    (one table per entity with the cache's wire columns, no indexes), nothing else."""

    def __init__(self, url: str, db_path: Path) -> None:
        self.http = httpx.Client(base_url=url + "/api/v1", timeout=60)
        answer = self.http.post(
            "/auth/token",
            json={
                "username": USER,
                "password": PASSWORD,
                "device_id": f"bench-raw-{uuid.uuid4()}",
                "device_name": "benchmark",
            },
        )
        answer.raise_for_status()
        self.headers = {"Authorization": f"Bearer {answer.json()['access_token']}"}
        self.cursor: str | None = None
        self.pages = 0
        self.db = sqlite3.connect(db_path, isolation_level=None)
        self.db.execute("PRAGMA journal_mode = WAL")
        self.db.execute("PRAGMA synchronous = NORMAL")
        self.db.execute("CREATE TABLE IF NOT EXISTS sync_state (key TEXT PRIMARY KEY, value TEXT)")
        self.columns: dict[str, tuple[str, ...]] = {}
        self.sql: dict[str, str] = {}
        for name, table in schema.ENTITY_TABLES.items():
            columns = tuple(c for c in wire_columns(table) if c not in ("id", "rev"))
            quoted = ", ".join(f'"{c}"' for c in ("id", "rev", *columns))
            self.db.execute(
                f'CREATE TABLE IF NOT EXISTS "{name}" (id TEXT PRIMARY KEY, rev INTEGER, '
                + ", ".join(f'"{c}"' for c in columns)
                + ")"
            )
            self.columns[str(name)] = columns
            marks = ", ".join("?" for _ in range(len(columns) + 2))
            self.sql[str(name)] = f'INSERT OR REPLACE INTO "{name}" ({quoted}) VALUES ({marks})'

    def close(self) -> None:
        self.http.close()
        self.db.close()

    def _fetch(self, cursor: str | None) -> dict[str, Any]:
        params: dict[str, Any] = {"limit": PAGE_LIMIT}
        if cursor is not None:
            params["cursor"] = cursor
        response = self.http.get("/changes", params=params, headers=self.headers)
        response.raise_for_status()
        page: dict[str, Any] = orjson.loads(response.content)
        return page

    def catch_up(self, *, pipelined: bool = False) -> int:
        """Fetch and store every change after the cursor; the number of changes.

        Serial unless ``pipelined``: then each next page is fetched (and parsed) on a thread
        while this one inserts the current page, as the app does.
        """
        total = 0
        ahead: _Ahead | None = None
        page = self._fetch(self.cursor)
        while True:
            if pipelined and page["has_more"]:
                ahead = _Ahead(self._fetch, page["cursor"])
            total += self._store(page)
            if not page["has_more"]:
                return total
            page = ahead.result() if ahead is not None else self._fetch(self.cursor)

    def bodies(self) -> list[bytes]:
        """Every page's body after the cursor, as received (the floor's input, fetched untimed)."""
        bodies: list[bytes] = []
        cursor = self.cursor
        while True:
            params: dict[str, Any] = {"limit": PAGE_LIMIT}
            if cursor is not None:
                params["cursor"] = cursor
            response = self.http.get("/changes", params=params, headers=self.headers)
            response.raise_for_status()
            bodies.append(response.content)
            page = orjson.loads(response.content)
            cursor = page["cursor"]
            if not page["has_more"]:
                return bodies

    def store_bodies(self, bodies: Sequence[bytes]) -> int:
        """Parse and store pages already received: the client's work with no network at all."""
        return sum(self._store(orjson.loads(body)) for body in bodies)

    def _store(self, page: dict[str, Any]) -> int:
        """One page's upserts into the plain tables, with its cursor, in one transaction."""
        rows: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
        for change in page["changes"]:
            if change["op"] != "upsert":
                continue
            data = change["data"]
            rows[change["entity"]].append(
                (
                    change["id"],
                    change["rev"],
                    *(
                        orjson.dumps(v).decode() if type(v) is dict or type(v) is list else v
                        for v in map(data.get, self.columns[change["entity"]])
                    ),
                )
            )
        self.db.execute("BEGIN")
        for entity, batch in rows.items():
            self.db.executemany(self.sql[entity], batch)
        self.db.execute("INSERT OR REPLACE INTO sync_state VALUES ('cursor', ?)", (page["cursor"],))
        self.db.execute("COMMIT")
        self.pages += 1
        self.cursor = page["cursor"]
        return len(page["changes"])

    def timed_empty_page(self) -> float:
        started = time.perf_counter()
        if self.catch_up():
            raise RuntimeError("the raw client found changes where there were none")
        return (time.perf_counter() - started) * 1000


class _Ahead:
    """One page fetched on a thread of its own (the pipelined raw client)."""

    def __init__(self, fetch: Callable[[str | None], dict[str, Any]], cursor: str) -> None:
        self._page: dict[str, Any] | None = None
        self._error: BaseException | None = None

        def run() -> None:
            try:
                self._page = fetch(cursor)
            except BaseException as error:
                self._error = error

        self._thread = threading.Thread(target=run, daemon=True)
        self._thread.start()

    def result(self) -> dict[str, Any]:
        self._thread.join()
        if self._error is not None:
            raise self._error
        assert self._page is not None
        return self._page


def _edit_targets(database: Any, size: int) -> list[tuple[str, str]]:
    """``size`` records of the team's book: half accounts, a quarter customers, the rest tasks."""
    from crm_server.schema import record

    wanted = {"account": size - 2 * (size // 4), "customer": size // 4, "task": size // 4}
    targets: list[tuple[str, str]] = []
    with database.read() as conn:
        for entity, count in wanted.items():
            ids = conn.execute(
                select(record.c.id)
                .where(
                    record.c.entity == entity,
                    record.c.team_id == TEAM,
                    record.c.deleted.is_(False),
                )
                .order_by(record.c.id)
                .limit(count)
            ).scalars()
            targets += [(entity, str(i)) for i in ids]
    if len(targets) != size:
        raise RuntimeError(f"the team's book has only {len(targets)} records to edit")
    return targets


def _back_office_edits(
    targets: Sequence[tuple[str, str]], number: int
) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """One edit per target, each to a value the record has never had (so each is a change)."""
    for n, (entity, record_id) in enumerate(targets):
        shift = timedelta(days=number + 1, minutes=n)
        if entity == "account":
            amount = f"{10_000 + 97 * n:.2f}".replace(".00", f".{number:02d}")
            yield entity, record_id, {"balance": amount, "available": amount}
        elif entity == "customer":
            yield entity, record_id, {"last_contact_at": iso(TS - shift)}
        else:
            yield entity, record_id, {"due_at": iso(TS + shift)}


def _mix(targets: Sequence[tuple[str, str]]) -> str:
    counts: dict[str, int] = defaultdict(int)
    for entity, _ in targets:
        counts[entity] += 1
    return ", ".join(f"{count} {entity}s" for entity, count in counts.items())


def _writable(store: Store) -> tuple[list[str], list[tuple[str, str]]]:
    """Customers of the team, and its open opportunities with their stage, from the cache."""
    c, o = schema.customer, schema.opportunity
    with store.read() as conn:
        customers = [str(i) for i in conn.execute(select(c.c.id).order_by(c.c.id)).scalars()]
        opportunities = [
            (str(i), str(stage))
            for i, stage in conn.execute(
                select(o.c.id, o.c.stage)
                .where(o.c.customer_id.is_not(None), o.c.stage.in_(STAGES))
                .order_by(o.c.id)
            ).tuples()
        ]
    return customers, opportunities


def _next(stage: str, n: int) -> str:
    others = [s for s in STAGES if s != stage]
    return others[n % len(others)]


def _visit_fields(customer_id: str, n: int) -> dict[str, Any]:
    return {
        "customer_ids": [customer_id],
        "channel": "phone",
        "purpose": "care",
        "start_at": iso(TS.replace(hour=1, minute=n % 60)),
        "end_at": iso(TS.replace(hour=2, minute=n % 60)),
        "location_text": None,
        "notes": f"电话回访第{n}次，客户关注到期续作。",
        "outcome": "positive",
        "next_steps": None,
        "linked_task_ids": [],
        "linked_opportunity_ids": [],
    }


def _log_visit(store: Store, customer_id: str, n: int) -> None:
    record_edit(
        store,
        "visit",
        new_record_id(),
        OpKind.CREATE,
        _visit_fields(customer_id, n),
        stamped={"rm_id": USER},
    )


def _server_throughput(
    database: Any, customers: Sequence[str], opportunities: Sequence[tuple[str, str]], size: int
) -> float:
    """Ops/s of the server's own ``Mutations.apply`` on ``size`` ops of the push's mix, called
    in this process on the server's database (no HTTP, no client)."""
    from crm_server.mutations import Mutations
    from crm_server.record_store import load_record
    from crm_server.schema import app_user
    from crm_server.scope import Principal
    from crm_server.settings import Settings
    from crm_server.wire import Mutation
    from rm_desk.domain.enums import Role

    with database.read() as conn:
        user = conn.execute(select(app_user).where(app_user.c.id == USER)).mappings().one()
        revs = {opp_id: load_record(conn, "opportunity", opp_id) for opp_id, _ in opportunities}
    principal = Principal(
        user_id=user["id"],
        name=user["name"],
        role=Role(user["role"]),
        team_id=user["team_id"],
        branch_id=user["branch_id"],
        permissions=frozenset(orjson.loads(user["permissions"])),
        device_id="bench-baseline",
        session_id="bench-baseline",
    )
    mutations: list[Mutation] = []
    for n in range(size - len(opportunities)):
        mutations.append(
            Mutation(
                op_id=str(uuid.uuid4()),
                entity="visit",
                id=new_record_id(),
                op="create",
                fields=_visit_fields(customers[-1 - n % len(customers)], n),
            )
        )
    for n, (opp_id, stage) in enumerate(opportunities):
        stored = revs[opp_id]
        assert stored is not None
        mutations.append(
            Mutation(
                op_id=str(uuid.uuid4()),
                entity="opportunity",
                id=opp_id,
                op="update",
                base_rev=stored.rev,
                fields={"stage": _next(stage, n)},
            )
        )
    mutations_of_server = Mutations(database, Settings())
    started = time.perf_counter()
    applied = 0
    for start in range(0, len(mutations), 200):
        results = mutations_of_server.apply(principal, mutations[start : start + 200])
        applied += sum(1 for r in results if r["status"] == "applied")
    seconds = time.perf_counter() - started
    if applied != size:
        raise RuntimeError(f"the server applied {applied} of {size} baseline mutations")
    return size / seconds


# ---- the child process of sync_initial ----------------------------------------------------------


def _run_child(mode: str, url: str, folder: Path) -> dict[str, Any]:
    completed = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench_sync", "--child", mode, url, str(folder)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"the {mode} child failed: {completed.stderr[-2000:]}")
    answer: dict[str, Any] = json.loads(completed.stdout.strip().splitlines()[-1])
    return answer


_CHILD_MODES = ("app", "raw", "raw-pipelined", "floor")


@dataclass
class _ChildAnswer:
    records: int
    pages: int
    seconds: float
    rss_before_mib: float
    peak_rss_mib: float
    cpu_seconds: float
    quarantined: int = 0


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _child_app(url: str, folder: Path, profile: Path | None) -> _ChildAnswer:
    store = encrypted_store(folder)
    client = _signed_in(url, f"bench-initial-{uuid.uuid4()}")
    try:
        engine = SyncEngine(store, client)
        before = current_rss_mib() or 0.0
        run: Callable[[], Any] = engine.run_round
        cpu_before = _cpu_seconds()
        started = time.perf_counter()
        if profile is None:
            report = run()
        else:
            import cProfile

            profiler = cProfile.Profile()
            report = profiler.runcall(run)
            profiler.dump_stats(str(profile))
        seconds = time.perf_counter() - started
        return _ChildAnswer(
            records=report.pulled.changes,
            pages=report.pulled.pages,
            seconds=seconds,
            rss_before_mib=before,
            peak_rss_mib=peak_rss_mib(),
            cpu_seconds=_cpu_seconds() - cpu_before,
            quarantined=report.pulled.quarantined,
        )
    finally:
        client.close()
        store.close()


def _child_raw(url: str, folder: Path, *, pipelined: bool, floor: bool = False) -> _ChildAnswer:
    raw = _RawClient(url, folder / "raw.db")
    try:
        bodies = raw.bodies() if floor else []
        before = current_rss_mib() or 0.0
        cpu_before = _cpu_seconds()
        started = time.perf_counter()
        records = raw.store_bodies(bodies) if floor else raw.catch_up(pipelined=pipelined)
        seconds = time.perf_counter() - started
        cpu = _cpu_seconds() - cpu_before
        return _ChildAnswer(records, raw.pages, seconds, before, peak_rss_mib(), cpu)
    finally:
        raw.close()


def _child_main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_sync")
    parser.add_argument("--child", choices=_CHILD_MODES, required=True)
    parser.add_argument("url")
    parser.add_argument("folder", type=Path)
    parser.add_argument("--profile", type=Path, help="write cProfile stats of the app's sync here")
    args = parser.parse_args(argv)
    if args.child == "app":
        answer = _child_app(args.url, args.folder, args.profile)
    else:
        answer = _child_raw(
            args.url,
            args.folder,
            pipelined=args.child == "raw-pipelined",
            floor=args.child == "floor",
        )
    print(json.dumps(asdict(answer)))
    return 0


if __name__ == "__main__":
    sys.exit(_child_main(sys.argv[1:]))
