"""Fixtures for the server's contract tests: a real server on loopback over the small test bank.

Each test gets its own server (SQLite file in ``tmp_path``, the ``/dev`` calls on, a fake clock
the test moves) and an httpx client. ``api.login("rm001")`` signs a user in on a device and
returns a :class:`UserClient` that sends its bearer token.

Every test that takes ``backend`` runs a second time on PostgreSQL, each server in a database
of its own (a copy of the seeded test bank): on the cluster named by ``CRM_SERVER_TEST_PG_URL``, a
URL whose user may create databases (for example
``postgresql+psycopg://postgres@/postgres?host=/tmp/pg&port=5432``), or else on a throwaway
cluster started for the session (``tests/server/postgres.py``). Where neither is possible the
PostgreSQL runs are left out, and ``test_postgres.py`` skips saying why.
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
from sqlalchemy import Engine, create_engine, text

from crm_server.runner import RunningServer, prepare_database, start_server
from crm_server.settings import Settings
from tests.conftest import FakeClock
from tests.server import bank, postgres

FAST_KDF = 2**8  # scrypt cost for tests; production hashes use Settings.kdf_cost
PG_URL = os.environ.get("CRM_SERVER_TEST_PG_URL")
BACKENDS = ["sqlite", "postgresql"] if PG_URL or not postgres.unavailable_reason() else ["sqlite"]


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


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A PostgreSQL URL whose user may create databases: ``CRM_SERVER_TEST_PG_URL``, or the
    ``postgres`` database of a throwaway cluster that lives as long as the session."""
    if PG_URL:
        yield PG_URL
        return
    reason = postgres.unavailable_reason()
    if reason is not None:
        pytest.skip(reason)
    cluster = postgres.start_cluster()
    try:
        yield cluster.url
    finally:
        cluster.stop()


@pytest.fixture(scope="session")
def postgres_admin(postgres_url: str) -> Iterator[Engine]:
    """A connection pool to ``postgres_url`` for creating and dropping databases (one engine
    for the session: a new engine costs a connection and the dialect's first queries)."""
    engine = create_engine(postgres_url, isolation_level="AUTOCOMMIT", pool_size=1)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def seeded_postgres(postgres_admin: Engine) -> Iterator[str]:
    """A PostgreSQL database holding the test bank, made once and copied for each server
    (``CREATE DATABASE … TEMPLATE``); its name."""
    name = f"crm_template_{uuid.uuid4().hex[:12]}"
    _postgres(postgres_admin, f'CREATE DATABASE "{name}"')
    database, _ = prepare_database(
        Settings(db_url=database_url(postgres_admin, name), kdf_cost=FAST_KDF), bank.seed_data()
    )
    database.dispose()  # a template may have no connections while it is copied
    yield name
    drop_postgres_database(postgres_admin, name)


def database_url(admin: Engine, name: str) -> str:
    """The URL of database ``name`` on the server of ``admin``."""
    return admin.url.set(database=name).render_as_string(hide_password=False)


def new_postgres_database(admin: Engine, template: str) -> str:
    """Create a database copied from ``template``; its name."""
    name = f"crm_test_{uuid.uuid4().hex[:12]}"
    _postgres(admin, f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    return name


def drop_postgres_database(admin: Engine, name: str) -> None:
    _postgres(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def make_api(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    clock: FakeClock,
    backend: str,
    seeded_sqlite: Path,
) -> Iterator[Callable[..., Api]]:
    """Start a server with settings overrides; every server started is stopped at teardown."""
    started: list[tuple[RunningServer, httpx.Client]] = []
    databases: list[str] = []
    # Asked for here, not as parameters, so that a SQLite-only run never starts a cluster.
    on_postgres = backend == "postgresql"
    pg_admin = request.getfixturevalue("postgres_admin") if on_postgres else None
    pg_template = request.getfixturevalue("seeded_postgres") if on_postgres else ""

    def make(**overrides: Any) -> Api:
        folder = tmp_path / f"server{len(started)}"
        folder.mkdir()
        if pg_admin is not None:
            if "db_url" not in overrides:
                name = new_postgres_database(pg_admin, pg_template)
                databases.append(name)
                overrides["db_url"] = database_url(pg_admin, name)
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
    if pg_admin is not None:
        for name in databases:
            drop_postgres_database(pg_admin, name)


def _postgres(admin: Engine, statement: str) -> None:
    with admin.connect() as conn:
        conn.execute(text(statement))


@pytest.fixture
def api(make_api: Callable[..., Api]) -> Api:
    return make_api()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(bank.NOW)


def new_op_id() -> str:
    return str(uuid.uuid4())
