"""The fault proxy itself does what each fault promises (the sync fault tests rely on it)."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from tests.faults.proxy import Fault, FaultProxy, seeded_schedule

BODY = b'{"answer": "' + b"x" * 4000 + b'"}'


class CountingServer(ThreadingHTTPServer):
    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.heard = 0
        self.lock = threading.Lock()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: CountingServer

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        self.rfile.read(length)
        with self.server.lock:
            self.server.heard += 1
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(BODY)))
        self.end_headers()
        self.wfile.write(BODY)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def upstream() -> Iterator[CountingServer]:
    server = CountingServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _post(url: str) -> httpx.Response:
    with httpx.Client(timeout=5) as client:
        return client.post(url + "/api/v1/mutations", content=b'{"mutations": []}')


@pytest.mark.parametrize(
    ("fault", "answer", "server_heard"),
    [
        (Fault.PASS, 200, 1),
        (Fault.DELAY, 200, 1),
        (Fault.STATUS_500, 500, 0),
        (Fault.STATUS_503, 503, 0),
        (Fault.STATUS_429, 429, 0),
        (Fault.DROP_REQUEST, httpx.RemoteProtocolError, 0),
        (Fault.DROP_RESPONSE, httpx.RemoteProtocolError, 1),
        (Fault.RESET_MID_BODY, httpx.TransportError, 1),
        (Fault.TRUNCATE, httpx.RemoteProtocolError, 1),
    ],
)
def test_each_fault_shows_the_client_and_the_server_what_it_promises(
    upstream, fault, answer, server_heard
):
    with FaultProxy(upstream.server_address[1], itertools.repeat(fault), delay=0.05) as proxy:
        if isinstance(answer, int):
            response = _post(proxy.url)
            assert response.status_code == answer
            if answer == 200:
                assert response.content == BODY
            else:
                assert response.headers.get("Retry-After") == (
                    "1" if answer in (429, 503) else None
                )
        else:
            with pytest.raises(answer):
                _post(proxy.url)
        assert proxy.applied == [("POST", "/api/v1/mutations", fault)]
    assert upstream.heard == server_heard


def test_requests_on_one_keep_alive_connection_get_their_own_faults(upstream):
    schedule = iter([Fault.PASS, Fault.STATUS_503, Fault.PASS])
    with (
        FaultProxy(upstream.server_address[1], schedule) as proxy,
        httpx.Client(timeout=5) as client,
    ):
        statuses = [client.post(proxy.url + "/x", content=b"{}").status_code for _ in range(3)]
    assert statuses == [200, 503, 200]
    assert upstream.heard == 2


def test_a_seed_replays_the_same_schedule():
    first = list(itertools.islice(seeded_schedule(42), 200))
    again = list(itertools.islice(seeded_schedule(42), 200))
    other = list(itertools.islice(seeded_schedule(43), 200))

    assert first == again != other
    assert {Fault.PASS, Fault.DROP_RESPONSE, Fault.TRUNCATE} <= set(first)


def test_a_proxy_given_a_new_schedule_follows_it_and_reports_only_its_faults(upstream):
    with FaultProxy(upstream.server_address[1], itertools.repeat(Fault.STATUS_500)) as proxy:
        before = _post(proxy.url).status_code
        proxy.restart_schedule(itertools.repeat(Fault.PASS))
        after = _post(proxy.url).status_code

        assert (before, after) == (500, 200)
        assert proxy.applied == [("POST", "/api/v1/mutations", Fault.PASS)]
    assert upstream.heard == 1
