"""Seeding a generated bank with a second process writing its PII and history: the same bank as
from one process, on SQLite and PostgreSQL, and nothing counted as seeded when that process fails.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from crm_server import seeding
from crm_server.database import Database
from crm_server.runner import ServerStartError, prepare_database
from crm_server.settings import Settings
from tests.server.conftest import FAST_KDF, database_url, drop_postgres_database

generate_module = pytest.importorskip("crm_server.synth.generate")

CUSTOMERS = 120
SEED = 3

# Every column but the users' password hashes (each with its own random salt), in the order
# rows were written (rowid on SQLite) or by key.
_CONTENT = {
    "record": "SELECT entity, id, rev, rm_id, team_id, customer_id, deleted, data, field_revs, "
    "change FROM record ORDER BY rev",
    "pii": "SELECT record_id, field, customer_id, value FROM pii ORDER BY record_id, field",
    "history": "SELECT id, customer_id, ts, data FROM history ORDER BY id",
    "app_user": "SELECT id, name, role, team_id, branch_id, permissions FROM app_user ORDER BY id",
    "rev_counter": "SELECT rev FROM rev_counter",
}


def content(database: Database) -> dict[str, tuple[int, str]]:
    """Each table's row count and a digest of its rows."""
    digests = {}
    with database.engine.connect() as conn:
        for table, query in _CONTENT.items():
            digest = hashlib.sha256()
            count = 0
            for row in conn.execute(text(query)):
                digest.update(repr(tuple(_plain(value) for value in row)).encode())
                count += 1
            digests[table] = (count, digest.hexdigest())
    return digests


def _plain(value: object) -> object:
    """A column value as both drivers give it: bytes for a BLOB, an int for a boolean."""
    if isinstance(value, memoryview):
        return bytes(value)
    if isinstance(value, bool):
        return int(value)
    return value


def seed(url: str) -> dict[str, tuple[int, str]]:
    database, counts = prepare_database(
        Settings(db_url=url, kdf_cost=FAST_KDF), generate_module.generate(CUSTOMERS, SEED)
    )
    try:
        assert counts is not None and counts.history > 0 and counts.pii > 0
        return content(database)
    finally:
        database.dispose()


@pytest.fixture
def side_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """A small bank is written with the second process too."""
    monkeypatch.setattr(seeding, "SIDE_PROCESS_MIN_CUSTOMERS", 1)


@pytest.fixture
def side_processes_started(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """The second processes the seeding starts, recorded."""
    started: list[object] = []
    start = seeding._SideProcess.start

    def recording(*args: object) -> object:
        side = start(*args)  # type: ignore[arg-type]
        started.append(side)
        return side

    monkeypatch.setattr(seeding._SideProcess, "start", staticmethod(recording))
    return started


@pytest.fixture(scope="module")
def one_process(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[int, str]]:
    """The bank written by this process alone (it is too small for a second one)."""
    assert seeding.SIDE_PROCESS_MIN_CUSTOMERS > CUSTOMERS
    return seed(f"sqlite:///{tmp_path_factory.mktemp('one') / 'crm.db'}")


def test_a_bank_written_by_two_processes_is_the_bank_written_by_one(
    tmp_path: Path,
    one_process: dict[str, tuple[int, str]],
    side_process: None,
    side_processes_started: list[object],
) -> None:
    two = seed(f"sqlite:///{tmp_path / 'crm.db'}")

    assert side_processes_started and side_processes_started[0] is not None
    assert two == one_process


@pytest.fixture
def empty_postgres(postgres_admin: Engine) -> Iterator[str]:
    name = f"crm_seed_{uuid.uuid4().hex[:12]}"
    with postgres_admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield database_url(postgres_admin, name)
    drop_postgres_database(postgres_admin, name)


def test_two_processes_seed_postgresql_with_the_same_bank(
    empty_postgres: str,
    one_process: dict[str, tuple[int, str]],
    side_process: None,
    side_processes_started: list[object],
) -> None:
    on_postgres = seed(empty_postgres)

    assert side_processes_started and side_processes_started[0] is not None
    assert on_postgres == one_process


def test_when_the_second_process_fails_the_database_is_not_counted_as_seeded(
    tmp_path: Path, side_process: None
) -> None:
    url = f"sqlite:///{tmp_path / 'crm.db'}"
    # A history row already there with the id of the first one generated: its insert fails.
    first = next(generate_module.generate(CUSTOMERS, SEED).history)
    database = Database(url)
    database.create_schema()
    with database.write() as conn:
        conn.execute(
            text("INSERT INTO history (id, customer_id, ts, data) VALUES (:id, 'c', 't', '{}')"),
            {"id": first.id},
        )
    database.dispose()

    with pytest.raises(ServerStartError, match="PII and history"):
        prepare_database(
            Settings(db_url=url, kdf_cost=FAST_KDF), generate_module.generate(CUSTOMERS, SEED)
        )

    database = Database(url)
    try:
        assert not database.has_users()
        with pytest.raises(ServerStartError, match="not fully written"):
            prepare_database(Settings(db_url=url, kdf_cost=FAST_KDF))
    finally:
        database.dispose()
