"""Benchmarks of the reference CRM server: the feed, pushed mutations, and 100 clients at once.

================  ===============================================  ==============================
benchmark         what is timed                                    baseline, in the same run
================  ===============================================  ==============================
server_feed       ``lead01`` pulling its whole feed (the largest   the same records read straight
                  one: a team's book and the bank-wide records)    from the server's database
                  in pages of 5,000, gzip asked for, served to     with SQLAlchemy, page by page,
                  a load generator: each page taken off the        and written with orjson: the
                  wire and inflated, its entries counted by        raw limit
                  their lines, the next page asked for by the
                  ``Link`` header (goal ≥ 150,000 records/s);
                  ``.uncompressed`` without gzip; ``.parsed``
                  each page read whole with orjson as the app
                  reads it; ``.server_cpu``: records per CPU
                  second of the server process alone (the notes
                  split CPU per page into server and client)
server_mutations  ``rm001`` pushing visit creates in batches of    the same rows (record, op
                  200 (goal ≥ 2,000 ops/s); ``.server_cpu``: ops   result, op count) inserted
                  per CPU second of the server process alone       straight into the database,
                                                                   one transaction a batch
server_load       100 clients (threads with httpx; several per     none: the rows ``.changes``,
                  RM, each its own device) for 30 s: push          ``.mutations``, ``.replay``
                  visits and an edit of a task note the user's     give each call's p50, p95 and
                  other clients edit too, re-send every fourth     p99 in ms
                  batch, pull; requests/s over all calls
================  ===============================================  ==============================

The server is a ``crm-server`` process (SQLite, ``--dev``, rate limit off) over a synthetic bank of
10,000 customers and 25 RMs (``--quick``: 100 and 15) that it generates when it starts; the three
benchmarks share it, in this order (``--quick`` also pushes one batch, and loads the server with
10 clients for 3 s). Clients and baselines run in this process, so they do not
share a GIL with the server. The feed and its baseline take turns round by round, the pushes and
the baseline inserts batch by batch, so load from elsewhere on the machine falls on both alike.

``server_load`` also checks what it did, and crashes when a check fails: no 5xx, transport error
or unexpected answer; every replay answered with the stored result marked ``replayed``; every op
applied once (``/dev/stats`` ``ops_applied_twice`` is 0, ``ops_applied`` grew by the ops the
clients saw applied, and ``/dev/ops/{op_id}`` is 1 for a sample); and each client's view (record
and rev) equal to a fresh full pull of its user's feed once all clients have stopped. The load
clients pull their whole feed before the clock starts (reported in the note).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import orjson
from sqlalchemy import and_, insert, or_, select

from benchmarks.harness import Better, Context, Result, percentile
from crm_server.database import Database
from crm_server.record_store import feed_entry
from crm_server.revs import take_revs
from crm_server.schema import app_user, op_apply, op_result, record

FEED_GOAL_RECORDS_PER_S = 150_000
MUTATIONS_GOAL_OPS_PER_S = 2_000
CUSTOMERS = 10_000
FEED_PAGE = 5_000
BATCH = 200
FEED_USER = "lead01"
PUSH_USER = "rm001"
PASSWORD = "rmdesk-demo"  # the seeded users' password (API.md §1)
LOAD_CLIENTS = 100
LOAD_SECONDS = 30.0
LOAD_VISITS_PER_PUSH = 5
LOAD_REPLAY_EVERY = 4
LOAD_OPS_SAMPLE = 50
ROOT = Path(__file__).resolve().parents[1]
_READY = re.compile(r"listening on (http://\S+)\n")
_START_TIMEOUT_S = 600  # generating and seeding 10,000 customers takes about 30 s


def run(ctx: Context) -> list[Result]:
    with _SharedServer(ctx) as server:
        return ctx.run_each(
            {
                "server_feed": lambda c: server_feed(c, server),
                "server_mutations": lambda c: server_mutations(c, server),
                "server_load": lambda c: server_load(c, server),
            }
        )


# ---- the server ---------------------------------------------------------------------------------


class _SharedServer:
    """A ``crm-server`` process over a fresh synthetic bank, started by the first benchmark that
    needs it (so ``--only`` another module starts none) and stopped after the last."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.customers = ctx.size(CUSTOMERS)
        self._stack = contextlib.ExitStack()
        self._api_url: str | None = None
        self._database: Database | None = None
        self.pid: int | None = None
        self.setup_seconds = 0.0

    def __enter__(self) -> _SharedServer:
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stack.close()

    @property
    def api_url(self) -> str:
        if self._api_url is None:
            self._start()
        assert self._api_url is not None
        return self._api_url

    @property
    def database(self) -> Database:
        """The server's database, opened from this process (the baselines, the set-ups)."""
        if self._database is None:
            self._start()
        assert self._database is not None
        return self._database

    def client(self, *, gzip: bool = True) -> httpx.Client:
        """An HTTP client with the headers the app sends (``Accept-Encoding: gzip``)."""
        encoding = "gzip" if gzip else "identity"
        return httpx.Client(
            base_url=self.api_url,
            timeout=httpx.Timeout(120.0, connect=10.0),
            headers={"Accept": "application/json", "Accept-Encoding": encoding},
        )

    def _start(self) -> None:
        folder = self._stack.enter_context(self.ctx.temp_dir("server"))
        url = f"sqlite:///{folder / 'crm.db'}"
        log = folder / "server.log"
        self.ctx.log(f"server: generating a bank of {self.customers:,} customers and starting")
        started = time.perf_counter()
        with log.open("w") as errors:
            process = subprocess.Popen(
                [
                    *(sys.executable, "-m", "crm_server", "--db", url, "--port", "0", "--dev"),
                    *("--scale", str(self.customers), "--rate-limit", "0"),
                ],
                stdout=subprocess.PIPE,
                stderr=errors,
                text=True,
                cwd=ROOT,
            )
        self._stack.callback(_stop, process)
        self.pid = process.pid
        line = _read_line(process, _START_TIMEOUT_S)
        match = _READY.fullmatch(line)
        if match is None:
            tail = log.read_text(errors="replace")[-2000:]
            raise RuntimeError(f"crm-server did not start ({line!r}); its log ends: {tail}")
        self.setup_seconds = time.perf_counter() - started
        self._api_url = match.group(1) + "/api/v1"
        self._database = Database(url)
        self._stack.callback(self._database.dispose)
        self.ctx.log(f"server: up at {match.group(1)} after {self.setup_seconds:.1f} s")


def _cpu_seconds(pid: int | None) -> float | None:
    """CPU time (user + system, all threads) a process has used so far; ``None`` where
    ``/proc`` cannot tell (not Linux)."""
    if pid is None:
        return None
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _read_line(process: subprocess.Popen[str], timeout: float) -> str:
    """The first line the process prints, or ``""`` if it exits or takes too long."""
    line: list[str] = []
    reader = threading.Thread(
        target=lambda: line.append(process.stdout.readline() if process.stdout else ""),
        daemon=True,
    )
    reader.start()
    reader.join(timeout)
    return line[0] if line else ""


def _stop(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _sign_in(http: httpx.Client, user_id: str, device_id: str) -> dict[str, str]:
    """Sign in on a device; the Authorization header of the session."""
    response = http.post(
        "/auth/token",
        json={
            "username": user_id,
            "password": PASSWORD,
            "device_id": device_id,
            "device_name": "benchmark",
        },
    )
    if response.status_code != 200:
        raise RuntimeError(f"sign-in of {user_id} answered {response.status_code}")
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def _page(
    http: httpx.Client, auth: dict[str, str], cursor: str | None, limit: int = FEED_PAGE
) -> tuple[int, dict[str, Any]]:
    """One feed page: its status and its body (a problem document for an error), read with
    orjson as the app reads it."""
    params: dict[str, Any] = {"limit": limit}
    if cursor is not None:
        params["cursor"] = cursor
    response = http.get("/changes", params=params, headers=auth)
    try:
        body = orjson.loads(response.content)
    except orjson.JSONDecodeError:
        body = {}
    return response.status_code, body


def _pull_all(
    http: httpx.Client, auth: dict[str, str], cursor: str | None = None
) -> Iterator[dict[str, Any]]:
    """Every page from ``cursor`` to the end of the feed."""
    while True:
        status, page = _page(http, auth, cursor)
        if status != 200:
            raise RuntimeError(f"GET /changes answered {status}")
        yield page
        cursor = page["cursor"]
        if not page["has_more"]:
            return


def _visit(customer_id: str) -> dict[str, Any]:
    """A visit create, as the app pushes one after a phone call."""
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    return {
        "op_id": str(uuid.uuid4()),
        "entity": "visit",
        "id": str(uuid.uuid4()),
        "op": "create",
        "fields": {
            "customer_ids": [customer_id],
            "channel": "phone",
            "purpose": "care",
            "start_at": start.isoformat().replace("+00:00", "Z"),
            "notes": "电话回访,客户关注到期理财续作。",
        },
    }


def _book(database: Database, user_id: str) -> tuple[str, list[str]]:
    """The user's team and the ids of the customers of their own book (none for a lead)."""
    with database.read() as conn:
        team_id = conn.execute(select(app_user.c.team_id).where(app_user.c.id == user_id)).scalar()
        customers = (
            conn.execute(
                select(record.c.id)
                .where(record.c.entity == "customer", record.c.rm_id == user_id)
                .order_by(record.c.id)
            )
            .scalars()
            .all()
        )
    if team_id is None:
        raise RuntimeError(f"the generated bank has no user {user_id}")
    return str(team_id), [str(c) for c in customers]


# ---- server_feed --------------------------------------------------------------------------------


def server_feed(ctx: Context, server: _SharedServer) -> list[Result]:
    rounds = 1 if ctx.quick else 3
    team_id, _ = _book(server.database, FEED_USER)
    rates: dict[str, list[float]] = defaultdict(list)
    counts: dict[str, int] = {}
    cpu: dict[str, list[_PullCpu]] = defaultdict(list)
    pages = 0
    with server.client() as zipped, server.client(gzip=False) as plain:
        auth = _sign_in(zipped, FEED_USER, "bench-feed")
        pulls: dict[str, Callable[[], tuple[int, int, float]]] = {
            "gzip": lambda: _timed_pull(_follow_links, zipped, auth, server.pid, cpu["gzip"]),
            "identity": lambda: _timed_pull(
                _follow_links, plain, auth, server.pid, cpu["identity"]
            ),
            "parsed": lambda: _timed_pull(_parse_pages, zipped, auth, server.pid, cpu["parsed"]),
            "raw": lambda: _timed_raw_feed(server.database, team_id),
        }
        for number in range(rounds):
            for name, pull in pulls.items():
                records, page_count, seconds = pull()
                counts[name], pages = records, max(pages, page_count)
                rates[name].append(records / seconds)
            ctx.log(f"server_feed: round {number + 1}/{rounds}: {counts['gzip']:,} records")
    # Entries counted by their lines, parsed entries and the database's rows must agree.
    if len(set(counts.values())) != 1:
        raise RuntimeError(f"the feed and the database disagree on the records: {counts}")
    raw = statistics.median(rates["raw"])
    note = (
        f"{counts['gzip']:,} records of {FEED_USER} ({server.customers:,} customers in the bank) "
        f"in {pages} pages of {FEED_PAGE:,}, gzip; the client takes each page off the wire and "
        "inflates it (httpx), counts its entries by their lines and asks for the page its "
        "Link header names, as a load generator does (the app's own decode and apply: "
        f"sync_initial); median of {rounds} pulls taking turns with the baseline; server set-up "
        f"{server.setup_seconds:.0f} s; " + _cpu_note(cpu["gzip"], pages, "httpx")
    )
    baseline = "SQLAlchemy + orjson"
    results = [
        Result(
            "server_feed",
            statistics.median(rates["gzip"]),
            "records/s",
            goal=f"≥ {FEED_GOAL_RECORDS_PER_S:,} records/s",
            better=Better.HIGHER,
            baseline_name=baseline,
            baseline_value=raw,
            goal_limit=FEED_GOAL_RECORDS_PER_S,
            note=note,
        ),
        Result(
            "server_feed.uncompressed",
            statistics.median(rates["identity"]),
            "records/s",
            better=Better.HIGHER,
            baseline_name=baseline,
            baseline_value=raw,
            note="the same pulls without Accept-Encoding: gzip; "
            + _cpu_note(cpu["identity"], pages, "httpx"),
        ),
        Result(
            "server_feed.parsed",
            statistics.median(rates["parsed"]),
            "records/s",
            better=Better.HIGHER,
            baseline_name=baseline,
            baseline_value=raw,
            note=(
                "the same pulls with gzip, each page read whole with orjson as the app reads it "
                "and the next asked for by the body's cursor: the client's parse shares the "
                "machine's 2 cores with the server; "
                + _cpu_note(cpu["parsed"], pages, "httpx + orjson")
            ),
        ),
    ]
    for encoding, suffix in (("gzip", ""), ("identity", ".uncompressed")):
        server_seconds = [c.server for c in cpu[encoding] if c.server is not None]
        if server_seconds:
            results.append(
                Result(
                    f"server_feed{suffix}.server_cpu",
                    counts["gzip"] / statistics.median(server_seconds),
                    "records/CPU-s",
                    better=Better.HIGHER,
                    note=(
                        "records per CPU second of the server process alone (all its threads, "
                        "pages built ahead included), over the same pulls"
                    ),
                )
            )
    return results


@dataclass(frozen=True)
class _PullCpu:
    """CPU seconds one pull of the whole feed took: the server process's (``None`` where it
    cannot be read) and this process's (the client)."""

    server: float | None
    client: float


def _cpu_note(pulls: list[_PullCpu], pages: int, client_does: str) -> str:
    """Where the CPU time of the pulls went, per page (medians)."""
    client = statistics.median(c.client for c in pulls) * 1000 / pages
    server_seconds = [c.server for c in pulls if c.server is not None]
    if not server_seconds:
        return f"client CPU {client:.1f} ms/page"
    server = statistics.median(server_seconds) * 1000 / pages
    return f"CPU per page: server {server:.1f} ms, client ({client_does}) {client:.1f} ms"


def _follow_links(http: httpx.Client, auth: dict[str, str]) -> tuple[int, int]:
    """Pull the whole feed by its ``Link: <…>; rel="next"`` headers, the body unread; the
    entries (one per line of a page) and the pages."""
    records = pages = 0
    url: str | None = f"/changes?limit={FEED_PAGE}"
    while url is not None:
        response = http.get(url, headers=auth)
        if response.status_code != 200:
            raise RuntimeError(f"GET /changes answered {response.status_code}")
        # A page is `{"changes":[`, one entry a line, then `],"cursor":…}`; JSON text holds no
        # raw line feed, so each entry is the one line that starts with `{`.
        records += response.content.count(b"\n{")
        pages += 1
        link = response.links.get("next")
        url = None if link is None else link["url"]
    return records, pages


def _parse_pages(http: httpx.Client, auth: dict[str, str]) -> tuple[int, int]:
    """Pull the whole feed reading every page with orjson; the entries and the pages."""
    records = pages = 0
    for page in _pull_all(http, auth):
        records += len(page["changes"])
        pages += 1
    return records, pages


def _timed_pull(
    pull: Callable[[httpx.Client, dict[str, str]], tuple[int, int]],
    http: httpx.Client,
    auth: dict[str, str],
    pid: int | None,
    cpu: list[_PullCpu],
) -> tuple[int, int, float]:
    """Pull the whole feed with ``pull``; records, pages and seconds. Appends the pull's CPU
    to ``cpu``."""
    server_before, client_before = _cpu_seconds(pid), time.process_time()
    started = time.perf_counter()
    records, pages = pull(http, auth)
    elapsed = time.perf_counter() - started
    server_after = _cpu_seconds(pid)
    server = None
    if server_before is not None and server_after is not None:
        server = server_after - server_before
    cpu.append(_PullCpu(server, time.process_time() - client_before))
    return records, pages, elapsed


def _timed_raw_feed(database: Database, team_id: str) -> tuple[int, int, float]:
    """The lead's records read from the database page by page and written as feed pages."""
    in_feed = or_(
        record.c.team_id == team_id, and_(record.c.team_id.is_(None), record.c.rm_id.is_(None))
    )
    columns = (record.c.entity, record.c.id, record.c.rev, record.c.deleted, record.c.data)
    started = time.perf_counter()
    records = pages = after = 0
    while True:
        with database.read() as conn:
            rows = conn.execute(
                select(*columns)
                .where(in_feed, record.c.rev > after)
                .order_by(record.c.rev)
                .limit(FEED_PAGE)
            ).all()
        changes = [
            {"entity": e, "id": i, "rev": r, "op": "delete", "reason": "deleted"}
            if deleted
            else {"entity": e, "id": i, "rev": r, "op": "upsert", "data": orjson.Fragment(data)}
            for e, i, r, deleted, data in rows
        ]
        orjson.dumps({"changes": changes, "cursor": str(after), "has_more": True})
        records += len(changes)
        pages += 1
        if len(rows) < FEED_PAGE:
            return records, pages, time.perf_counter() - started
        after = rows[-1].rev


# ---- server_mutations ---------------------------------------------------------------------------


def server_mutations(ctx: Context, server: _SharedServer) -> list[Result]:
    batches = max(1, ctx.size(20_000, minimum=BATCH) // BATCH)
    team_id, customers = _book(server.database, PUSH_USER)
    if not customers:
        raise RuntimeError(f"the generated bank has no customers for {PUSH_USER}")
    pushed: list[float] = []
    inserted: list[float] = []
    server_cpu: list[float] = []
    with server.client() as http:
        auth = {**_sign_in(http, PUSH_USER, "bench-mutations"), "Content-Type": "application/json"}
        for number in range(batches):
            batch = [_visit(customers[(number * BATCH + n) % len(customers)]) for n in range(BATCH)]
            body = orjson.dumps({"mutations": batch})
            cpu_before = _cpu_seconds(server.pid)
            started = time.perf_counter()
            response = http.post("/mutations", content=body, headers=auth)
            pushed.append(time.perf_counter() - started)
            cpu_after = _cpu_seconds(server.pid)
            if cpu_before is not None and cpu_after is not None:
                server_cpu.append(cpu_after - cpu_before)
            if response.status_code != 200:
                raise RuntimeError(f"POST /mutations answered {response.status_code}")
            results = orjson.loads(response.content)["results"]
            if any(result["status"] != "applied" for result in results):
                raise RuntimeError(f"a pushed visit was not applied: {results[0]}")
            inserted.append(_timed_inserts(server.database, team_id, results))
    ops = batches * BATCH
    note = (
        f"{ops:,} visit creates of {PUSH_USER} in {batches} batches of {BATCH}, each answered "
        f"applied; baseline: the rows the server writes for them (record with its feed entry, "
        "op_result, op_apply), "
        "one transaction a batch, taking turns with the pushes"
    )
    results = [
        Result(
            "server_mutations",
            ops / sum(pushed),
            "ops/s",
            goal=f"≥ {MUTATIONS_GOAL_OPS_PER_S:,} ops/s",
            better=Better.HIGHER,
            baseline_name="direct inserts",
            baseline_value=ops / sum(inserted),
            goal_limit=MUTATIONS_GOAL_OPS_PER_S,
            note=note,
        )
    ]
    if server_cpu and sum(server_cpu) > 0:
        results.append(
            Result(
                "server_mutations.server_cpu",
                ops / sum(server_cpu),
                "ops/CPU-s",
                better=Better.HIGHER,
                note=(
                    "ops per CPU second of the server process alone (all its threads, the WAL "
                    "checkpoints included), over the same pushes: "
                    f"{1000 * sum(server_cpu) / batches:.1f} ms a batch of {BATCH}"
                ),
            )
        )
    return results


def _timed_inserts(database: Database, team_id: str, results: list[dict[str, Any]]) -> float:
    """Insert copies of the pushed visits (new ids) with their op rows; the seconds it took."""
    now = int(time.time())
    rows = []
    for result in results:
        data = {**result["record"], "id": str(uuid.uuid4())}
        rev = data.pop("rev")
        rows.append((data, rev, str(uuid.uuid4()), orjson.dumps(result).decode()))
    started = time.perf_counter()
    with database.write() as conn:
        first = take_revs(conn, len(rows))
        conn.execute(
            insert(record),
            [
                {
                    "entity": "visit",
                    "id": data["id"],
                    "rev": rev,
                    "rm_id": data["rm_id"],
                    "team_id": team_id,
                    "customer_id": data["customer_ids"][0],
                    "deleted": False,
                    "data": orjson.dumps(data).decode(),
                    "field_revs": "{}",
                    "change": feed_entry("visit", data["id"], rev, False, orjson.dumps(data)),
                }
                for rev, (data, _, _, _) in enumerate(rows, first)
            ],
        )
        conn.execute(
            insert(op_result),
            [
                {
                    "op_id": op_id,
                    "user_id": PUSH_USER,
                    "body_hash": hashlib.sha256(answer.encode()).hexdigest(),
                    "result": answer,
                    "created_at": now,
                }
                for _, _, op_id, answer in rows
            ],
        )
        conn.execute(
            insert(op_apply), [{"op_id": op_id, "applied_count": 1} for _, _, op_id, _ in rows]
        )
    return time.perf_counter() - started


# ---- server_load --------------------------------------------------------------------------------


@dataclass
class _Tally:
    """What all load clients did and saw; each client adds to it under the lock."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    latencies_ms: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    counts: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    applied_op_ids: list[str] = field(default_factory=list)

    def error(self, message: str) -> None:
        with self.lock:
            self.errors.append(message)


@dataclass
class _LoadClient:
    """One device of one RM: its view of the feed (record → rev), cursor and contested task."""

    user_id: str
    device_id: str
    http: httpx.Client
    auth: dict[str, str] = field(default_factory=dict)
    view: dict[tuple[str, str], int] = field(default_factory=dict)
    cursor: str | None = None
    customers: list[str] = field(default_factory=list)
    task_id: str | None = None

    def pull(self, tally: _Tally | None = None) -> str | None:
        """Pull to the end of the feed into the view; what went wrong, if anything. With
        ``tally``, each page is timed and a failure counted there."""
        while True:
            started = time.perf_counter()
            try:
                status, page = _page(self.http, self.auth, self.cursor)
            except httpx.HTTPError as error:
                return _failed(tally, f"GET /changes: {type(error).__name__}: {error}")
            if tally is not None:
                with tally.lock:
                    tally.latencies_ms["changes"].append((time.perf_counter() - started) * 1000)
            if status != 200:
                return _failed(tally, f"GET /changes answered {status} {page.get('code')}")
            for change in page["changes"]:
                key = (change["entity"], change["id"])
                if change["op"] == "upsert":
                    self.view[key] = change["rev"]
                    self._notice(change)
                elif change.get("reason") == "out_of_scope":
                    # No book changes during this benchmark; a purge would need each record's
                    # customer, which the view does not keep.
                    raise RuntimeError(f"unexpected out_of_scope for {key}")
                else:
                    self.view.pop(key, None)
            self.cursor = page["cursor"]
            if not page["has_more"]:
                return None

    def _notice(self, change: dict[str, Any]) -> None:
        data = change["data"]
        if change["entity"] == "customer":
            self.customers.append(change["id"])
        # Every client of the user picks the same task, the first in id order: they contest it.
        elif change["entity"] == "task" and data.get("assignee_id") == self.user_id:
            self.task_id = min(self.task_id or change["id"], change["id"])

    def push(self, tally: _Tally, batch: list[dict[str, Any]], call: str) -> list[Any] | None:
        started = time.perf_counter()
        try:
            response = self.http.post(
                "/mutations",
                content=orjson.dumps({"mutations": batch}),
                headers={**self.auth, "Content-Type": "application/json"},
            )
        except httpx.HTTPError as error:
            tally.error(f"POST /mutations: {type(error).__name__}")
            return None
        with tally.lock:
            tally.latencies_ms[call].append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            tally.error(f"POST /mutations answered {response.status_code}")
            return None
        results: list[Any] = orjson.loads(response.content)["results"]
        return results

    def run(self, tally: _Tally, deadline: float, seed: int) -> None:
        """Push, replay and pull until ``deadline``."""
        rng = random.Random(seed)
        previous: tuple[list[dict[str, Any]], list[Any]] | None = None
        number = 0
        while time.perf_counter() < deadline:
            number += 1
            if previous is not None and number % LOAD_REPLAY_EVERY == 0:
                batch, first = previous
                again = self.push(tally, batch, "replay")
                if again is not None:
                    expected = [{**result, "replayed": True} for result in first]
                    if again != expected:
                        tally.error("a replay did not answer the stored results")
                    with tally.lock:
                        tally.counts["replayed"] += len(again)
            else:
                batch = [_visit(rng.choice(self.customers)) for _ in range(LOAD_VISITS_PER_PUSH)]
                if self.task_id is not None:
                    batch.append(self._edit_task(number))
                results = self.push(tally, batch, "mutations")
                if results is not None:
                    self._tally(tally, batch, results)
                    previous = (batch, results)
            self.pull(tally)

    def _edit_task(self, number: int) -> dict[str, Any]:
        assert self.task_id is not None
        return {
            "op_id": str(uuid.uuid4()),
            "entity": "task",
            "id": self.task_id,
            "op": "update",
            "base_rev": self.view[("task", self.task_id)],
            "fields": {"completion_note": f"{self.device_id} 第{number}次跟进"},
        }

    def _tally(self, tally: _Tally, batch: list[dict[str, Any]], results: list[Any]) -> None:
        with tally.lock:
            for op, result in zip(batch, results, strict=True):
                status = result["status"]
                tally.counts[f"{op['entity']}.{status}"] += 1
                if status == "applied":
                    tally.applied_op_ids.append(op["op_id"])
                elif not (op["entity"] == "task" and status == "conflict"):
                    tally.errors.append(f"{op['entity']} {op['op']} answered {status}")


def server_load(ctx: Context, server: _SharedServer) -> list[Result]:
    clients_count = 10 if ctx.quick else LOAD_CLIENTS
    seconds = 3.0 if ctx.quick else LOAD_SECONDS
    with server.database.read() as conn:
        rms = (
            conn.execute(
                select(app_user.c.id).where(app_user.c.role == "rm").order_by(app_user.c.id)
            )
            .scalars()
            .all()
        )
    # At least two clients per user, so that their edits of the user's task meet.
    users = rms[: max(1, min(len(rms), clients_count // 2))]
    tally = _Tally()
    with contextlib.ExitStack() as stack:
        clients = [
            _LoadClient(
                users[n % len(users)], f"bench-load-{n:03d}", stack.enter_context(server.client())
            )
            for n in range(clients_count)
        ]
        with server.client() as dev:
            before = dev.get("/dev/stats").json()
        started = time.perf_counter()
        with ThreadPoolExecutor(8) as pool:  # a few at a time: 100 whole feeds at once only swap
            list(pool.map(_prepare, clients))
        initial = time.perf_counter() - started
        held = sum(len(client.view) for client in clients)
        ctx.log(f"server_load: {clients_count} clients pulled {held:,} records in {initial:.1f} s")
        # The server drops connections idle for 5 s; one dropped just as a client sends on it is
        # a transport error the load would count. The early clients have waited that long.
        for client in clients:
            client.http.close()
            client.http = stack.enter_context(server.client())

        deadline = time.perf_counter() + seconds
        started = time.perf_counter()
        with ThreadPoolExecutor(clients_count) as pool:
            list(pool.map(lambda n: clients[n].run(tally, deadline, n), range(clients_count)))
        elapsed = time.perf_counter() - started
        ctx.log(f"server_load: {elapsed:.1f} s of load done; checking")
        # Only now that nobody writes can a client's last pull see everything.
        with ThreadPoolExecutor(8) as pool:
            for failure in pool.map(lambda client: client.pull(), clients):
                if failure is not None:
                    tally.error(f"last pull: {failure}")
        with server.client() as checker:
            failed = _check_load(checker, clients, tally, before)
    requests = sum(len(samples) for samples in tally.latencies_ms.values())
    counts = tally.counts
    note = (
        f"{clients_count} clients of {len(users)} RMs for {seconds:g} s: "
        f"{requests:,} requests; {counts['visit.applied']:,} visits and "
        f"{counts['task.applied']:,} task edits applied, {counts['task.conflict']:,} task edits "
        f"in conflict, {counts['replayed']:,} ops replayed; checks: "
        + ("all passed" if not failed else "; ".join(failed))
        + f"; set-up: {held:,} records pulled by the clients in {initial:.1f} s"
    )
    if failed:
        raise RuntimeError(note)
    results = [
        Result(
            "server_load",
            requests / elapsed,
            "requests/s",
            goal="no errors; every op applied once; every view = the server",
            better=Better.HIGHER,
            note=note,
        )
    ]
    for call in ("changes", "mutations", "replay"):
        samples = tally.latencies_ms[call]
        if not samples:
            continue
        for q in (50, 95, 99):
            results.append(Result(f"server_load.{call}.p{q}", percentile(samples, q), f"ms p{q}"))
    return results


def _failed(tally: _Tally | None, message: str) -> str:
    if tally is not None:
        tally.error(message)
    return message


def _prepare(client: _LoadClient) -> None:
    client.auth = _sign_in(client.http, client.user_id, client.device_id)
    failure = client.pull()
    if failure is not None:
        raise RuntimeError(f"the first pull of {client.device_id} failed: {failure}")
    if not client.customers:
        raise RuntimeError(f"{client.user_id} has no customers to visit")


def _check_load(
    dev: httpx.Client, clients: list[_LoadClient], tally: _Tally, before: dict[str, Any]
) -> list[str]:
    """The checks of the module docstring; the ones that failed, in words."""
    failed: list[str] = []
    if tally.errors:
        kinds = Counter(tally.errors).most_common(3)
        failed.append(f"{len(tally.errors)} errors, e.g. {kinds}")
    if not tally.counts["task.conflict"] or not tally.counts["replayed"]:
        failed.append("no conflicting edit or no replay happened: the load did not test them")
    stats = dev.get("/dev/stats").json()
    if stats["ops_applied_twice"] != 0:
        failed.append(f"{stats['ops_applied_twice']} ops applied twice")
    grown = stats["ops_applied"] - before["ops_applied"]
    if grown != len(tally.applied_op_ids):
        failed.append(f"ops_applied grew by {grown}, clients saw {len(tally.applied_op_ids)}")
    sample = random.Random(0).sample(
        tally.applied_op_ids, min(LOAD_OPS_SAMPLE, len(tally.applied_op_ids))
    )
    counted = [dev.get(f"/dev/ops/{op_id}").json()["applied_count"] for op_id in sample]
    if any(count != 1 for count in counted):
        failed.append(f"sampled ops applied {Counter(counted)} times")
    by_user: dict[str, list[_LoadClient]] = defaultdict(list)
    for client in clients:
        by_user[client.user_id].append(client)
    differing = 0
    for user_clients in by_user.values():
        fresh = _LoadClient(user_clients[0].user_id, "fresh", dev)
        fresh.auth = user_clients[0].auth
        failure = fresh.pull()
        if failure is not None:
            failed.append(f"the fresh pull of {fresh.user_id} failed: {failure}")
        differing += sum(1 for client in user_clients if client.view != fresh.view)
    if differing:
        failed.append(f"{differing} clients' views differ from a fresh pull of their feed")
    return failed
