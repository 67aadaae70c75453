"""Sync fixtures for ``httpx.MockTransport``: a real encrypted cache and a scripted server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from rm_desk.local_store import Store, open_store
from rm_desk.sync.client import ApiClient
from tests.conftest import FakeClock, PersistentTestVault
from tests.sync.wire import BASE, DEVICE, ScriptedServer, token_answer


@pytest.fixture
def store(data_dir: Path, vault: PersistentTestVault, clock: FakeClock) -> Iterator[Store]:
    opened = open_store(data_dir / "cache.db", vault, clock=clock)
    yield opened
    opened.close()


@pytest.fixture
def server() -> ScriptedServer:
    return ScriptedServer()


@pytest.fixture
def client(server: ScriptedServer, clock: FakeClock) -> Iterator[ApiClient]:
    server.reply("POST", "/auth/token", token_answer())
    with ApiClient(
        BASE,
        transport=httpx.MockTransport(server),
        device_id=DEVICE,
        device_name="test laptop",
        clock=clock,
    ) as api:
        api.login("rm001", "pw")
        server.requests.clear()
        yield api
