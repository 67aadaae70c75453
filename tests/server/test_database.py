"""The SQLite database's WAL: copied into the database file by the server's checkpoint thread,
not by the commit of a request, and started over while writes keep coming."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import insert

from crm_server.database import Database
from crm_server.schema import history

_ROW = "x" * 1000
_WAIT_S = 60.0


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    db = Database(f"sqlite:///{tmp_path / 'crm.db'}")
    db.create_schema()
    yield db
    db.dispose()


def _write(db: Database, rows: int) -> None:
    with db.write() as conn:
        conn.execute(
            insert(history),
            [
                {"id": str(uuid.uuid4()), "customer_id": "c-1", "ts": "2026-01-01", "data": _ROW}
                for _ in range(rows)
            ],
        )


def _wal_salt(path: Path) -> bytes:
    """The WAL header's salts (bytes 16–24), which change each time the WAL starts over."""
    with path.open("rb") as wal:
        return wal.read(32)[16:24]


def test_a_commit_leaves_the_checkpoint_to_the_thread_which_soon_does_it(
    database: Database, tmp_path: Path
) -> None:
    file = tmp_path / "crm.db"
    size_before = file.stat().st_size

    # About 5 MB: well past the 1,000 pages at which SQLite's own commit would checkpoint.
    _write(database, 5_000)

    assert file.stat().st_size == size_before  # all of it still only in the WAL
    deadline = time.monotonic() + _WAIT_S
    while file.stat().st_size == size_before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert file.stat().st_size > size_before + 4_000_000


def test_the_wal_starts_over_while_writes_keep_coming(database: Database, tmp_path: Path) -> None:
    wal = tmp_path / "crm.db-wal"
    _write(database, 10)
    salts = {_wal_salt(wal)}

    # Never a moment without a write for the checkpoint to finish in: the WAL must still be
    # started over (a checkpoint that only copies would let it grow without end).
    deadline = time.monotonic() + _WAIT_S
    while len(salts) < 3 and time.monotonic() < deadline:
        _write(database, 50)
        salts.add(_wal_salt(wal))

    assert len(salts) >= 3
