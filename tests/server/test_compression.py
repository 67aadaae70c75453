"""The gzip of answers: standard gzip whichever compressor made it (ISA-L or zlib)."""

from __future__ import annotations

import gzip
import sys
import zlib
from collections.abc import AsyncIterator

import anyio
import httpx
import orjson
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from crm_server import compression

# A page-like body: many similar JSON records, large enough for Starlette to compress it in a
# worker thread (over 128 KiB).
RECORDS = [
    {"entity": "customer", "id": f"c-{n:05d}", "rev": n, "data": {"name": "王*", "aum": str(n)}}
    for n in range(4_000)
]
BODY = orjson.dumps({"changes": RECORDS})


async def _whole(request: Request) -> Response:
    return Response(BODY, media_type="application/json")


async def _streamed(request: Request) -> StreamingResponse:
    async def parts() -> AsyncIterator[bytes]:
        for start in range(0, len(BODY), 50_000):
            yield BODY[start : start + 50_000]

    return StreamingResponse(parts(), media_type="application/json")


def _get(path: str, encoding: str) -> tuple[str | None, bytes]:
    """The answer's ``Content-Encoding`` and its bytes as they went over the wire."""
    app = Starlette(routes=[Route("/whole", _whole), Route("/streamed", _streamed)])
    app.add_middleware(compression.FastGZipMiddleware, minimum_size=1024)

    async def get() -> tuple[str | None, bytes]:
        transport = httpx.ASGITransport(app=app)
        async with (
            httpx.AsyncClient(transport=transport, base_url="http://bank") as client,
            client.stream("GET", path, headers={"Accept-Encoding": encoding}) as answer,
        ):
            return answer.headers.get("content-encoding"), b"".join(
                [part async for part in answer.aiter_raw()]
            )

    return anyio.run(get)


@pytest.fixture(params=["installed", "zlib fallback"])
def deflate(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "zlib fallback":
        monkeypatch.setattr(compression, "DEFLATE", zlib)
    return str(request.param)


@pytest.mark.parametrize("path", ["/whole", "/streamed"])
def test_gzipped_answer_decodes_with_the_standard_library_to_the_plain_answer(
    deflate: str, path: str
):
    encoding, zipped = _get(path, "gzip")
    plain_encoding, plain = _get(path, "identity")

    assert encoding == "gzip" and plain_encoding is None
    assert plain == BODY
    assert gzip.decompress(zipped) == plain
    assert len(zipped) < len(plain) // 4


def test_isal_compresses_answers_where_it_is_installed():
    pytest.importorskip("isal")

    assert compression.DEFLATE.__name__ == "isal.isal_zlib"


def test_zlib_compresses_answers_where_isal_is_not_importable(monkeypatch: pytest.MonkeyPatch):
    # None in sys.modules makes the import fail as a missing package does.
    monkeypatch.setitem(sys.modules, "isal", None)
    monkeypatch.setitem(sys.modules, "isal.isal_zlib", None)

    assert compression._isal_zlib() is None
