"""Fixtures for the server's contract tests: a real server on loopback over the small test bank.

Each test gets its own server (SQLite file in ``tmp_path``, the ``/dev`` calls on, a fake clock
the test moves) and an httpx client. ``api.login("rm001")`` signs a user in on a device and
returns a :class:`UserClient` that sends its bearer token.

With ``CRM_SERVER_TEST_PG_URL`` set to a PostgreSQL URL whose user may create databases (for
example ``postgresql+psycopg://postgres@/postgres?host=/tmp/pg&port=5432``), every test runs a
second time on PostgreSQL, each server in a database of its own.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from crm_server.runner import RunningServer, prepare_database, start_server
from crm_server.settings import Settings
from tests.conftest import FakeClock
from tests.server import bank

FAST_KDF = 2**8  # scrypt cost for tests; production hashes use Settings.kdf_cost
PG_URL = os.environ.get("CRM_SERVER_TEST_PG_URL")
BACKENDS = ["sqlite", "postgresql"] if PG_URL else ["sqlite"]


@dataclass
class UserClient:
    """One signed-in user on one device."""

    http: httpx.Client
    user_id: str
    device_id: str
    access_token: str
    refresh_token: str

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token}"}

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.http.get(path, headers={**self.auth, **kwargs.pop("headers", {})}, **kwargs)

    def post(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.http.post(path, headers={**self.auth, **kwargs.pop("headers", {})}, **kwargs)

    def changes(self, cursor: str | None = None, limit: int | None = None) -> dict[str, Any]:
        params: dict[str, Any] = {}
        if cursor is not None:
            params["cursor"] = cursor
        if limit is not None:
            params["limit"] = limit
        response = self.get("/changes", params=params)
        assert response.status_code == 200, response.text
        return response.json()

    def all_changes(
        self, cursor: str | None = None, limit: int = 10_000
    ) -> tuple[list[dict[str, Any]], str]:
        """Pull until ``has_more`` is false; returns the changes and the last cursor."""
        pulled: list[dict[str, Any]] = []
        while True:
            page = self.changes(cursor, limit)
            pulled.extend(page["changes"])
            cursor = page["cursor"]
            if not page["has_more"]:
                assert cursor is not None
                return pulled, cursor

    def push(self, *mutations: dict[str, Any]) -> list[dict[str, Any]]:
        response = self.post("/mutations", json={"mutations": list(mutations)})
        assert response.status_code == 200, response.text
        return response.json()["results"]


@dataclass
class Api:
    """The server under test and a way in."""

    server: RunningServer
    http: httpx.Client
    clock: FakeClock
    devices: dict[str, str] = field(default_factory=dict)

    def login(self, user_id: str, device_id: str | None = None) -> UserClient:
        device_id = device_id or f"dev-{user_id}-{uuid.uuid4().hex[:8]}"
        response = self.http.post(
            "/auth/token",
            json={
                "username": user_id,
                "password": bank.PASSWORD,
                "device_id": device_id,
                "device_name": "test laptop",
            },
        )
        assert response.status_code == 200, response.text
        body = response.json()
        return UserClient(
            self.http, user_id, device_id, body["access_token"], body["refresh_token"]
        )

    def dev(self, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        response = (
            self.http.get(f"/dev/{path}")
            if body is None
            else self.http.post(f"/dev/{path}", json=body)
        )
        assert response.status_code == 200, response.text
        return response.json()

    def dev_edit(self, entity: str, record_id: str, **fields: Any) -> dict[str, Any]:
        return self.dev("edit", {"entity": entity, "id": record_id, "fields": fields})


def server_settings(tmp_path: Path, clock: FakeClock, **overrides: Any) -> Settings:
    settings = Settings(
        db_url=f"sqlite:///{tmp_path / 'crm.db'}",
        dev=True,
        clock=clock,
        kdf_cost=FAST_KDF,
    )
    return replace(settings, **overrides)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
def seeded_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite database holding the test bank, made once and copied for each server."""
    path = tmp_path_factory.mktemp("template") / "crm.db"
    database, _ = prepare_database(
        Settings(db_url=f"sqlite:///{path}", kdf_cost=FAST_KDF), bank.seed_data()
    )
    database.dispose()  # the last connection to close checkpoints the WAL into the file
    return path


@pytest.fixture
def make_api(
    tmp_path: Path, clock: FakeClock, backend: str, seeded_sqlite: Path
) -> Iterator[Callable[..., Api]]:
    """Start a server with settings overrides; every server started is stopped at teardown."""
    started: list[tuple[RunningServer, httpx.Client]] = []
    databases: list[str] = []

    def make(**overrides: Any) -> Api:
        folder = tmp_path / f"server{len(started)}"
        folder.mkdir()
        if backend == "postgresql":
            name = f"crm_test_{uuid.uuid4().hex[:12]}"
            _postgres(f'CREATE DATABASE "{name}"')
            databases.append(name)
            overrides.setdefault("db_url", str(make_url(PG_URL or "").set(database=name)))
        elif "db_url" not in overrides:
            shutil.copyfile(seeded_sqlite, folder / "crm.db")
        server = start_server(server_settings(folder, clock, **overrides), bank.seed_data())
        http = httpx.Client(base_url=server.api_url, timeout=30)
        started.append((server, http))
        return Api(server, http, clock)

    yield make
    for server, http in started:
        http.close()
        server.stop()
    for name in databases:
        _postgres(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _postgres(statement: str) -> None:
    engine = create_engine(PG_URL or "", isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(statement))
    finally:
        engine.dispose()


@pytest.fixture
def api(make_api: Callable[..., Api]) -> Api:
    return make_api()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(bank.NOW)


def new_op_id() -> str:
    return str(uuid.uuid4())
