"""A loopback HTTP proxy that breaks requests on a seeded schedule, for the sync fault tests.

The proxy sits between the client and the reference server and handles each HTTP/1.1 request on
its own (keep-alive connections included), applying the next :class:`Fault` of its schedule:

=================  ==============================================================================
fault              what the client sees
=================  ==============================================================================
PASS               the server's answer, untouched
DROP_REQUEST       the connection closes before the server hears of the request
DROP_RESPONSE      the server applies the request; the connection closes before the answer
DELAY              the server's answer, late (``delay`` seconds)
RESET_MID_BODY     half of the server's answer, then a TCP reset
STATUS_500         ``500`` from the proxy; the server never hears of the request
STATUS_503         ``503`` with ``Retry-After: 1``; the server never hears of the request
STATUS_429         ``429`` with ``Retry-After: 1``; the server never hears of the request
TRUNCATE           the server's answer with its body cut short, then a clean close
=================  ==============================================================================

A schedule is a seeded random stream of faults (:func:`seeded_schedule`), so a failing test can
print its seed and be replayed exactly. Only loopback addresses are used. Each fault the proxy
applies is recorded in :attr:`FaultProxy.applied` for the test's report.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import socket
import struct
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum


class Fault(StrEnum):
    PASS = "pass"
    DROP_REQUEST = "drop_request"
    DROP_RESPONSE = "drop_response"
    DELAY = "delay"
    RESET_MID_BODY = "reset_mid_body"
    STATUS_500 = "status_500"
    STATUS_503 = "status_503"
    STATUS_429 = "status_429"
    TRUNCATE = "truncate"


FAULTS_BREAKING = tuple(f for f in Fault if f is not Fault.PASS)

_CANNED = {
    Fault.STATUS_500: (500, "Internal Server Error", ""),
    Fault.STATUS_503: (503, "Service Unavailable", "Retry-After: 1\r\n"),
    Fault.STATUS_429: (429, "Too Many Requests", "Retry-After: 1\r\n"),
}


def seeded_schedule(seed: int, *, fault_rate: float = 0.3) -> Iterator[Fault]:
    """An endless stream of faults: ``PASS`` most of the time, a breaking fault otherwise."""
    rng = random.Random(seed)
    while True:
        yield rng.choice(FAULTS_BREAKING) if rng.random() < fault_rate else Fault.PASS


@dataclass
class FaultProxy:
    """Runs in its own thread with its own event loop; use as a context manager.

    Args:
        upstream_port: the server's loopback port.
        schedule: the faults to apply, one per request, in order.
        delay: seconds a ``DELAY`` fault holds the answer.
    """

    upstream_port: int
    schedule: Iterator[Fault]
    delay: float = 0.3
    applied: list[tuple[str, str, Fault]] = field(default_factory=list)  # method, path, fault
    port: int = 0
    _loop: asyncio.AbstractEventLoop | None = None
    _thread: threading.Thread | None = None
    _server: asyncio.AbstractServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    # asyncio holds a connection's handler task only weakly once its client has gone: a handler
    # still waiting for the server's answer to a client that was killed would be collected
    # mid-await ("Task was destroyed but it is pending"), so the proxy holds them itself.
    _handlers: set[asyncio.Task[None]] = field(default_factory=set)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> FaultProxy:
        started = threading.Event()
        self._loop = asyncio.new_event_loop()

        def run() -> None:
            assert self._loop is not None
            asyncio.set_event_loop(self._loop)
            self._server = self._loop.run_until_complete(
                asyncio.start_server(self._handle, "127.0.0.1", 0)
            )
            self.port = self._server.sockets[0].getsockname()[1]
            started.set()
            self._loop.run_forever()

        self._thread = threading.Thread(target=run, name="fault-proxy", daemon=True)
        self._thread.start()
        if not started.wait(10):
            raise RuntimeError("the fault proxy did not start")
        return self

    def __exit__(self, *exc_info: object) -> None:
        loop = self._loop
        if loop is None:
            return

        async def shutdown() -> None:
            if self._server is not None:
                self._server.close()
            # Finish every connection handler so no socket outlives the loop.
            handlers = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in handlers:
                task.cancel()
            await asyncio.gather(*handlers, return_exceptions=True)
            if self._server is not None:
                await self._server.wait_closed()
            loop.stop()

        asyncio.run_coroutine_threadsafe(shutdown(), loop)
        if self._thread is not None:
            self._thread.join(10)
        loop.close()

    def restart_schedule(self, schedule: Iterator[Fault]) -> None:
        """Follow ``schedule`` from the next request on, with an empty :attr:`applied` (one proxy
        serves many schedules: starting one costs a thread and an event loop)."""
        with self._lock:
            self.schedule = schedule
            self.applied = []

    def _next_fault(self) -> Fault:
        with self._lock:
            return next(self.schedule)

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._handlers.add(task)
        try:
            while True:
                request = await _read_message(reader, is_request=True)
                if request is None:
                    break
                head, body = request
                method, path = _request_line(head)
                fault = self._next_fault()
                with self._lock:
                    self.applied.append((method, path, fault))
                keep_open = await self._apply(fault, head, body, writer)
                if not keep_open:
                    break
        except (ConnectionError, asyncio.IncompleteReadError, ValueError):
            pass
        finally:
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()
            if task is not None:
                self._handlers.discard(task)

    async def _apply(
        self, fault: Fault, head: bytes, body: bytes, writer: asyncio.StreamWriter
    ) -> bool:
        """Apply one fault; return whether the client connection stays usable."""
        if fault is Fault.DROP_REQUEST:
            return False
        if fault in _CANNED:
            status, reason, extra = _CANNED[fault]
            payload = b'{"title": "injected fault"}'
            writer.write(
                f"HTTP/1.1 {status} {reason}\r\n{extra}Content-Type: application/json\r\n"
                f"Content-Length: {len(payload)}\r\nConnection: close\r\n\r\n".encode("latin-1")
                + payload
            )
            await writer.drain()
            return False
        response = await _forward(self.upstream_port, head, body)
        if fault is Fault.DROP_RESPONSE:
            return False
        if fault is Fault.DELAY:
            await asyncio.sleep(self.delay)
        if fault is Fault.RESET_MID_BODY:
            writer.write(response[: max(1, len(response) // 2)])
            await writer.drain()
            _reset(writer)
            return False
        if fault is Fault.TRUNCATE:
            head_end = response.find(b"\r\n\r\n") + 4
            body_len = len(response) - head_end
            writer.write(response[: head_end + body_len // 2])
            await writer.drain()
            return False
        writer.write(response)
        await writer.drain()
        return True


async def _forward(port: int, head: bytes, body: bytes) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(_with_connection_close(head) + body)
        await writer.drain()
        message = await _read_message(reader, is_request=False)
        if message is None:
            raise ConnectionError("upstream closed without an answer")
        response_head, response_body = message
        return _dechunked(response_head, response_body)
    finally:
        writer.close()
        with contextlib.suppress(ConnectionError):
            await writer.wait_closed()


def _request_line(head: bytes) -> tuple[str, str]:
    first = head.split(b"\r\n", 1)[0].decode("latin-1")
    method, path, _ = first.split(" ", 2)
    return method, path.split("?", 1)[0]


def _with_connection_close(head: bytes) -> bytes:
    lines = [
        line for line in head.split(b"\r\n") if not line.lower().startswith(b"connection:") and line
    ]
    return b"\r\n".join([*lines, b"Connection: close"]) + b"\r\n\r\n"


def _headers(head: bytes) -> dict[str, str]:
    headers = {}
    for line in head.split(b"\r\n")[1:]:
        if b":" in line:
            name, value = line.split(b":", 1)
            headers[name.strip().lower().decode("latin-1")] = value.strip().decode("latin-1")
    return headers


async def _read_message(
    reader: asyncio.StreamReader, *, is_request: bool
) -> tuple[bytes, bytes] | None:
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError as partial:
        if not partial.partial:
            return None
        raise
    headers = _headers(head)
    if headers.get("transfer-encoding", "").lower() == "chunked":
        body = bytearray()
        while True:
            size_line = await reader.readuntil(b"\r\n")
            size = int(size_line.split(b";")[0].strip(), 16)
            chunk = await reader.readexactly(size + 2)
            body += size_line + chunk
            if size == 0:
                break
        return head, bytes(body)
    length = int(headers.get("content-length", "0"))
    if length == 0 and not is_request and "content-length" not in headers:
        return head, await reader.read()  # close-delimited answer
    return head, await reader.readexactly(length)


def _dechunked(head: bytes, body: bytes) -> bytes:
    """The answer with a Content-Length body, so TRUNCATE and RESET cut real bytes."""
    if _headers(head).get("transfer-encoding", "").lower() != "chunked":
        return head + body
    payload = bytearray()
    rest = body
    while rest:
        size_line, rest = rest.split(b"\r\n", 1)
        size = int(size_line.split(b";")[0].strip(), 16)
        if size == 0:
            break
        payload += rest[:size]
        rest = rest[size + 2 :]
    lines = [
        line
        for line in head.split(b"\r\n")
        if line and not line.lower().startswith(b"transfer-encoding:")
    ]
    lines.append(f"Content-Length: {len(payload)}".encode("latin-1"))
    return b"\r\n".join(lines) + b"\r\n\r\n" + bytes(payload)


def _reset(writer: asyncio.StreamWriter) -> None:
    sock = writer.get_extra_info("socket")
    if sock is not None:
        # SO_LINGER with a zero timeout makes close() send RST instead of FIN.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()
