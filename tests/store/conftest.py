"""Fixtures for tests on the real encrypted cache (SQLCipher files in ``tmp_path``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from rm_desk.local_store import Store, open_store
from tests.conftest import FakeClock, PersistentTestVault


@pytest.fixture
def store(data_dir: Path, vault: PersistentTestVault, clock: FakeClock) -> Iterator[Store]:
    opened = open_store(data_dir / "cache.db", vault, clock=clock)
    yield opened
    opened.close()
