"""PostgreSQL as a bank deploys it: two ``crm-server`` processes over one database.

Every contract test that takes ``backend`` already runs on PostgreSQL (see ``conftest.py``), two
server instances of one process included. What only separate processes show is here: each with
its own connection pool, sessions, op results and revs shared through the database alone. Without
PostgreSQL on the machine these tests skip with the reason (and the contract tests run on SQLite
only).
"""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import threading
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, text

from tests.server import bank
from tests.server.conftest import (
    BACKENDS,
    database_url,
    drop_postgres_database,
    new_postgres_database,
)

ROOT = Path(__file__).resolve().parents[2]
LAUNCH = "import sys; from crm_server.cli import main; sys.exit(main(sys.argv[1:]))"
WRITERS = 4
BATCHES = 5
BATCH = 10


def test_contract_tests_run_on_postgresql_where_it_is_installed(postgres_admin: Engine) -> None:
    # postgres_url skips, saying why, where there is no PostgreSQL to run.
    with postgres_admin.connect() as conn:
        version = str(conn.execute(text("SHOW server_version")).scalar_one())

    assert "postgresql" in BACKENDS
    assert int(version.split(".")[0]) >= 13  # DROP DATABASE … WITH (FORCE)


@pytest.fixture
def pg_database(postgres_admin: Engine, seeded_postgres: str) -> Iterator[str]:
    """A copy of the seeded test bank; its URL."""
    name = new_postgres_database(postgres_admin, seeded_postgres)
    yield database_url(postgres_admin, name)
    drop_postgres_database(postgres_admin, name)


@pytest.fixture
def two_processes(pg_database: str) -> Iterator[tuple[str, str]]:
    """Two server processes over ``pg_database``; their API base URLs."""
    processes = [_launch(pg_database) for _ in range(2)]
    try:
        first, second = (_ready_url(process) for process in processes)
        yield first, second
    finally:
        for process in processes:
            _stop(process)


def test_ops_pushed_to_two_processes_at_once_are_applied_once_and_both_feeds_hold_them(
    two_processes: tuple[str, str],
) -> None:
    first, second = (httpx.Client(base_url=url, timeout=30) for url in two_processes)
    with first, second:
        token = _sign_in(first, "rm001")  # a session made by one process is good on the other
        auth = {"Authorization": f"Bearer {token}"}
        batches = [[_new_visit() for _ in range(BATCH)] for _ in range(WRITERS * BATCHES)]
        barrier = threading.Barrier(2 * WRITERS)

        def push_everything(client: httpx.Client, offset: int) -> Callable[[int], list[Any]]:
            def push(writer: int) -> list[Any]:
                barrier.wait()
                answers = []
                for number in range(BATCHES):
                    # The other process gets the same batches in another order, so the same ops
                    # race between the two processes.
                    batch = batches[writer * BATCHES + (number + offset) % BATCHES]
                    response = client.post("/mutations", json={"mutations": batch}, headers=auth)
                    assert response.status_code == 200, response.text
                    answers.extend(response.json()["results"])
                return answers

            return push

        with ThreadPoolExecutor(2 * WRITERS) as pool:
            on_first = pool.map(push_everything(first, 0), range(WRITERS))
            on_second = pool.map(push_everything(second, 2), range(WRITERS))
            results = [r for answers in (*on_first, *on_second) for r in answers]

        ops = [op for batch in batches for op in batch]
        by_op: dict[str, list[dict[str, Any]]] = {}
        for result in results:
            by_op.setdefault(result["op_id"], []).append(result)
        feeds = [_pull(client, auth)[0] for client in (first, second)]
        stats = [client.get("/dev/stats").json() for client in (first, second)]
        sample = [second.get(f"/dev/ops/{op['op_id']}").json() for op in ops[::17]]

    assert len(by_op) == len(ops)
    for pair in by_op.values():
        assert sorted(r.get("replayed", False) for r in pair) == [False, True]
        assert {r["status"] for r in pair} == {"applied"}
        assert pair[0]["rev"] == pair[1]["rev"]
    assert feeds[0] == feeds[1]
    assert {op["id"] for op in ops} <= {change["id"] for change in feeds[0]}
    assert stats[0] == stats[1]
    assert stats[0]["ops_applied"] == len(ops) and stats[0]["ops_applied_twice"] == 0
    assert sample == [{"applied_count": 1}] * len(sample)


def test_feed_read_from_one_process_while_the_other_writes_misses_nothing(
    two_processes: tuple[str, str],
) -> None:
    writer_url, reader_url = two_processes
    with (
        httpx.Client(base_url=writer_url, timeout=30) as writer,
        httpx.Client(base_url=reader_url, timeout=30) as reader,
    ):
        write_auth = {"Authorization": f"Bearer {_sign_in(writer, 'rm001')}"}
        read_auth = {"Authorization": f"Bearer {_sign_in(reader, 'rm001')}"}
        _, cursor = _pull(reader, read_auth)
        created: list[str] = []
        seen: set[str] = set()
        done = threading.Event()

        def write() -> None:
            for _ in range(WRITERS * BATCHES):
                batch = [_new_visit() for _ in range(BATCH)]
                response = writer.post("/mutations", json={"mutations": batch}, headers=write_auth)
                assert response.status_code == 200, response.text
                created.extend(op["id"] for op in batch)
            done.set()

        writing = threading.Thread(target=write)
        writing.start()
        while not done.is_set():
            page, cursor = _pull(reader, read_auth, cursor, limit=7, pages=1)
            seen.update(change["id"] for change in page)
        writing.join()
        rest, _ = _pull(reader, read_auth, cursor)
        seen.update(change["id"] for change in rest)

    assert len(created) == WRITERS * BATCHES * BATCH
    assert set(created) <= seen


# ---- helpers ------------------------------------------------------------------------------------


def _launch(db_url: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", LAUNCH, "--db", db_url, "--port", "0", "--dev", "--rate-limit", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )


def _ready_url(process: subprocess.Popen[str]) -> str:
    assert process.stdout is not None
    line = process.stdout.readline()
    match = re.fullmatch(r"listening on (http://127\.0\.0\.1:\d+)\n", line)
    if match is None:
        _stop(process)
        pytest.fail(f"crm-server did not start: {line!r}")
    return match.group(1) + "/api/v1"


def _stop(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()


def _sign_in(http: httpx.Client, user_id: str) -> str:
    response = http.post(
        "/auth/token",
        json={
            "username": user_id,
            "password": bank.PASSWORD,
            "device_id": f"dev-{uuid.uuid4().hex[:8]}",
            "device_name": "postgres test",
        },
    )
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


def _new_visit() -> dict[str, Any]:
    return {
        "op_id": str(uuid.uuid4()),
        "entity": "visit",
        "id": str(uuid.uuid4()),
        "op": "create",
        "fields": {
            "customer_ids": ["c-0001"],
            "channel": "phone",
            "purpose": "care",
            "start_at": bank.iso(bank.NOW),
        },
    }


def _pull(
    http: httpx.Client,
    auth: dict[str, str],
    cursor: str | None = None,
    *,
    limit: int = 10_000,
    pages: int | None = None,
) -> tuple[list[dict[str, Any]], str]:
    """Pull from ``cursor`` to the end of the feed (or ``pages`` pages): changes, last cursor."""
    changes: list[dict[str, Any]] = []
    while True:
        params: dict[str, Any] = {"limit": limit}
        if cursor is not None:
            params["cursor"] = cursor
        response = http.get("/changes", params=params, headers=auth)
        assert response.status_code == 200, response.text
        page = response.json()
        changes.extend(page["changes"])
        cursor = page["cursor"]
        pages = None if pages is None else pages - 1
        if not page["has_more"] or pages == 0:
            assert cursor is not None
            return changes, cursor
