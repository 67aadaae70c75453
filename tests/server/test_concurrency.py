"""Several clients at once: an op applied once however often it races, a feed that skips
nothing while others write."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import orjson
import pytest

from crm_server import feed
from crm_server.database import Database
from crm_server.problems import ProblemError
from crm_server.services import build_services
from tests.server.conftest import Api, new_op_id

VISIT = {
    "customer_ids": ["c-0001"],
    "channel": "phone",
    "purpose": "care",
    "start_at": "2026-11-20T08:00:00Z",
}


def test_the_same_op_sent_on_four_connections_at_once_is_applied_once(api: Api):
    users = [api.login("rm001") for _ in range(4)]
    op = {
        "op_id": new_op_id(),
        "entity": "visit",
        "id": new_op_id(),
        "op": "create",
        "fields": VISIT,
    }
    barrier = threading.Barrier(len(users))

    def send(index: int) -> dict:
        barrier.wait()
        return users[index].push(op)[0]

    with ThreadPoolExecutor(len(users)) as pool:
        results = list(pool.map(send, range(len(users))))

    assert sorted(r.get("replayed", False) for r in results) == [False, True, True, True]
    assert {r["rev"] for r in results} == {results[0]["rev"]}
    assert api.dev(f"ops/{op['op_id']}") == {"applied_count": 1}
    assert api.dev("stats")["ops_applied_twice"] == 0


def test_feed_read_while_others_write_misses_nothing(api: Api):
    writers = [api.login("rm001") for _ in range(3)]
    reader = api.login("rm001")
    _, cursor = reader.all_changes()
    created: list[str] = []
    done = threading.Event()

    def write(user_index: int) -> None:
        for _ in range(10):
            ids = [new_op_id() for _ in range(5)]
            results = writers[user_index].push(
                *[
                    {
                        "op_id": new_op_id(),
                        "entity": "visit",
                        "id": record_id,
                        "op": "create",
                        "fields": VISIT,
                    }
                    for record_id in ids
                ]
            )
            assert all(r["status"] == "applied" for r in results)
            created.extend(ids)

    seen: set[str] = set()

    def read() -> None:
        nonlocal cursor
        while not done.is_set():
            page = reader.changes(cursor, limit=7)
            seen.update(c["id"] for c in page["changes"])
            cursor = page["cursor"]

    reading = threading.Thread(target=read)
    reading.start()
    with ThreadPoolExecutor(len(writers)) as pool:
        list(pool.map(write, range(len(writers))))
    done.set()
    reading.join()
    rest, _ = reader.all_changes(cursor)
    seen.update(c["id"] for c in rest)

    assert len(created) == 150
    assert set(created) <= seen


def test_two_server_instances_over_one_database_share_sessions_ops_and_feed(make_api):
    first = make_api()
    second = make_api(db_url=first.server.services.settings.db_url)
    rm = first.login("rm001")
    on_second = type(rm)(second.http, rm.user_id, rm.device_id, rm.access_token, rm.refresh_token)
    op = {
        "op_id": new_op_id(),
        "entity": "visit",
        "id": new_op_id(),
        "op": "create",
        "fields": VISIT,
    }

    [applied] = rm.push(op)
    [replayed] = on_second.push(op)
    changes, _ = on_second.all_changes()

    assert second.server.seeded is None  # the second instance found the data in place
    assert replayed == {**applied, "replayed": True}
    assert op["id"] in {change["id"] for change in changes}
    assert second.dev(f"ops/{op['op_id']}") == {"applied_count": 1}


def test_a_token_issued_while_a_feed_page_is_written_is_known_on_the_pages_connection(
    api: Api, monkeypatch: pytest.MonkeyPatch
):
    """The feed once left half-read cursors open past its read transaction: SQLite kept their
    snapshot on the connection back in the pool, and the next request there saw old data (under
    load, a token just issued answered 401 invalid_token)."""
    settings = api.server.services.settings
    # Parts of their own over a new pool: the page's connection is the only one, and so the one
    # the next read gets.
    services = build_services(settings, Database(settings.db_url))
    lead = services.sessions.authenticate(api.login("lead01").access_token).principal
    write_page = feed.encode_cursor  # runs after the page's transaction, before page() returns
    seen: list[str] = []

    def sign_in_and_check_meanwhile(*args: Any, **kwargs: Any) -> str:
        token = api.login("rm001").access_token
        try:
            seen.append(services.sessions.authenticate(token).principal.user_id)
        except ProblemError as problem:
            seen.append(problem.code)
        return write_page(*args, **kwargs)

    monkeypatch.setattr(feed, "encode_cursor", sign_in_and_check_meanwhile)
    try:
        page = orjson.loads(services.feed.page(lead, None, limit=1).body)
    finally:
        services.database.dispose()

    assert page["has_more"]  # the sources held more rows than the page took
    assert seen == ["rm001"]
