"""A feed page decoded a slice at a time: exactly what one decode of the whole body gives, for a
page of the reference server's shape (one change per line) and for any other JSON a bank's server
may send; a body that is not JSON fails as it always did."""

from __future__ import annotations

import gc
import gzip
import json
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import orjson
import pytest

from rm_desk.local_store import Store
from rm_desk.sync.client import ApiClient
from rm_desk.sync.errors import ProtocolError
from rm_desk.sync.feed_decode import SLICE_BYTES, decode_feed_body
from rm_desk.sync.pull import Puller
from tests import factories
from tests.sync import records as r
from tests.sync.wire import ScriptedServer, problem, token_answer

REST = {
    "cursor": "eyJ2IjoxLCJyIjo1MDAwfQ",
    "has_more": True,
    "estimated_remaining": 412003,
    "server_time": "2026-11-20T09:00:00Z",
}


def feed(n: int) -> list[dict[str, Any]]:
    """Changes as varied as a real page: customers with Chinese text, strings holding escaped
    line feeds, commas and brackets, nested objects and arrays, numbers, null and deletes."""
    changes: list[dict[str, Any]] = []
    for i in range(n):
        if i % 50 == 49:
            changes.append(factories.delete_change("task", f"t-{i:06d}", i + 1))
            continue
        record = factories.customer(
            f"c-{i:06d}",
            name=f"王{i}",
            address_summary='北京市,\n"朝阳区"]},\n{[',  # a line feed inside a string is "\n"
        )
        record["tags"] = [{"k": "a", "v": [1, 2.5, None]}, "x,\ny"]
        changes.append(factories.change("customer", record, i + 1))
    return changes


def by_line(changes: list[dict[str, Any]], rest: dict[str, Any] = REST) -> bytes:
    """A page as the reference server writes it: one change per line."""
    entries = b",\n".join(orjson.dumps(change) for change in changes)
    return b'{"changes":[\n' + entries + b"\n]," + orjson.dumps(rest)[1:]


def recording_loads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The sizes of what each ``orjson.loads`` was given from now on (by the decoder alone, as
    long as the test decodes nothing else)."""
    sizes: list[int] = []
    real: Callable[[Any], Any] = orjson.loads

    def loads(data: bytes) -> Any:
        sizes.append(len(data))
        return real(data)

    monkeypatch.setattr(orjson, "loads", loads)
    return sizes


def test_a_page_of_one_change_per_line_is_decoded_in_slices_to_the_same_value(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    body = by_line(feed(3000))
    assert len(body) > 8 * SLICE_BYTES  # several slices, or this proves nothing
    whole = orjson.loads(body)
    sizes = recording_loads(monkeypatch)

    decoded = decode_feed_body(body)

    assert decoded == whole
    assert list(decoded) == list(whole)  # members in the same order too
    assert len(sizes) > 8
    # No decode holds the interpreter lock for the page: each got about a slice.
    longest_entry = max(len(orjson.dumps(change)) for change in whole["changes"])
    assert max(sizes) <= SLICE_BYTES + longest_entry + 2


@pytest.mark.parametrize(
    "write",
    [
        lambda page: json.dumps(page, ensure_ascii=False).encode(),  # no line feeds at all
        lambda page: json.dumps(page, indent=2).encode(),  # every member on a line of its own
        lambda page: orjson.dumps(page),
        # The opening of the line shape, but an entry spread over several lines.
        lambda page: (
            b'{"changes":[\n'
            + b",\n".join(json.dumps(c, indent=1).encode() for c in page["changes"])
            + b"\n],"
            + orjson.dumps(REST)[1:]
        ),
        # Line feeds, but a comma leading each line rather than ending it.
        lambda page: (
            b'{"changes":[\n'
            + b"\n,".join(orjson.dumps(c) for c in page["changes"])
            + b"\n],"
            + orjson.dumps(REST)[1:]
        ),
        # Windows line ends.
        lambda page: by_line(page["changes"]).replace(b",\n", b",\r\n"),
    ],
    ids=["json.dumps", "indented", "orjson", "entries over lines", "comma first", "CRLF"],
)
def test_a_page_of_another_shape_gives_what_a_whole_decode_gives(
    write: Callable[[dict[str, Any]], bytes],
) -> None:
    page = {"changes": feed(1500), **REST}
    body = write(page)
    assert len(body) > SLICE_BYTES

    assert decode_feed_body(body) == orjson.loads(body) == page


def test_a_body_without_the_line_shape_is_decoded_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    body = json.dumps({"changes": feed(1500), **REST}).encode()
    sizes = recording_loads(monkeypatch)

    decode_feed_body(body)

    assert sizes == [len(body)]


@pytest.mark.parametrize(
    "member", [b'"changes":[]', b'"ch\\u0061nges":[]'], ids=["plain", "escaped"]
)
def test_a_second_changes_member_after_the_array_is_left_to_the_whole_decode(
    member: bytes,
) -> None:
    body = by_line(feed(1000))[:-1] + b"," + member + b"}"
    whole = orjson.loads(body)
    assert whole["changes"] == []  # the last member of a name wins

    assert decode_feed_body(body) == whole


def test_a_small_page_is_decoded_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    body = by_line(feed(3))
    whole = orjson.loads(body)
    sizes = recording_loads(monkeypatch)

    assert decode_feed_body(body) == whole
    assert sizes == [len(body)]


def _broken_bodies() -> dict[str, bytes]:
    body = by_line(feed(1500))
    entries_end = body.rfind(b"\n]")
    middle = body.find(b",\n", len(body) // 2)
    # A last entry longer than a slice: the array's last cut falls on the stray comma after it.
    long_last = by_line(
        [
            *feed(300),
            factories.change("customer", factories.customer(occupation="长" * SLICE_BYTES), 1),
        ]
    )
    long_end = long_last.rfind(b"\n]")
    return {
        "a trailing comma after a long last entry": (
            long_last[:long_end] + b",\n" + long_last[long_end:]
        ),
        "truncated in the middle": body[: len(body) // 2],
        "truncated after the array": body[: entries_end + 3],
        "a trailing comma in the array": body[:entries_end] + b",\n" + body[entries_end:],
        "an empty entry between two": body[:middle] + b",\n " + body[middle:],
        "a broken entry": body[:middle] + b",\n{]" + body[middle:],
        "no closing brace": body[:-1],
    }


BROKEN = _broken_bodies()


@pytest.mark.parametrize("body", BROKEN.values(), ids=BROKEN)
def test_a_broken_body_fails_as_a_whole_decode_fails(body: bytes) -> None:
    with pytest.raises(orjson.JSONDecodeError) as whole:
        orjson.loads(body)

    with pytest.raises(orjson.JSONDecodeError) as sliced:
        decode_feed_body(body)

    assert str(sliced.value) == str(whole.value)


@pytest.mark.parametrize("body", BROKEN.values(), ids=BROKEN)
def test_a_broken_feed_page_is_a_protocol_error(
    client: ApiClient, server: ScriptedServer, body: bytes
) -> None:
    server.reply("GET", "/changes", httpx.Response(200, content=body))

    with pytest.raises(ProtocolError) as caught:
        client.changes()

    assert caught.value.retryable
    assert caught.value.message.startswith("The bank's server sent an answer")


def test_a_gzip_page_of_the_line_shape_is_pulled_into_the_cache(
    store: Store, client: ApiClient, server: ScriptedServer
) -> None:
    changes = [
        factories.change(
            "customer",
            factories.customer(f"c-{i:06d}", name=f"王{i}", occupation='企业,"管理"]},{['),
            i + 1,
        )
        for i in range(1200)
    ]
    rest = {**REST, "has_more": False, "estimated_remaining": 0}
    body = gzip.compress(by_line(changes, rest))
    server.reply(
        "GET",
        "/changes",
        httpx.Response(200, content=body, headers={"Content-Encoding": "gzip"}),
    )

    report = Puller(store, client, emit=lambda _event: None).pull()

    assert len(by_line(changes)) > 4 * SLICE_BYTES
    assert (report.pages, report.changes, report.quarantined) == (1, 1200, 0)
    last = r.row(store, "customer", "c-001199")
    assert last is not None
    assert (last["name"], last["occupation"]) == ("王1199", '企业,"管理"]},{[')


def test_a_page_after_an_expired_token_is_read_with_the_new_one(
    client: ApiClient, server: ScriptedServer
) -> None:
    changes = feed(1000)
    server.reply(
        "GET",
        "/changes",
        problem(401, "token_expired"),
        httpx.Response(200, content=by_line(changes)),
    )
    server.reply("POST", "/auth/refresh", token_answer())

    page = client.changes()

    assert page.changes == changes
    assert [f"{r.method} {r.url.path}" for r in server.requests][-3:] == [
        "GET /api/v1/changes",
        "POST /api/v1/auth/refresh",
        "GET /api/v1/changes",
    ]


class _Chunks(httpx.SyncByteStream):
    """A body sent a chunk at a time, as a network answer arrives; sent chunks are let go."""

    def __init__(self, body: bytes) -> None:
        self._chunks = [body[i : i + 65536] for i in range(0, len(body), 65536)]

    def __iter__(self) -> Iterator[bytes]:
        while self._chunks:
            yield self._chunks.pop(0)


def test_no_response_object_keeps_a_page_body(client: ApiClient, server: ScriptedServer) -> None:
    """httpx's responses sit in reference cycles, which a pull leaves to the young collections;
    a page's body held by one would stay in memory until the pull ends."""
    body = by_line(feed(1000))
    server.reply("GET", "/changes", lambda _request: httpx.Response(200, stream=_Chunks(body)))
    gc.collect()
    gc.disable()  # what a cycle keeps stays findable
    try:
        page = client.changes()
        kept = [
            obj
            for obj in gc.get_objects()
            if isinstance(obj, httpx.Response) and len(vars(obj).get("_content", b"")) > 1000
        ]
    finally:
        gc.enable()

    assert len(page.changes) == 1000
    assert kept == []
