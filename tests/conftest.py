"""Fixtures shared by every test folder."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from rm_desk.local_store.keys import KeyStorage, check_raw_key


@dataclass
class PersistentTestVault:
    """Stands in for the OS credential store within one test: keys outlive a store's close.

    The real Secret Service is exercised by the tests marked ``keyring``; everything else uses this
    so a test can close and reopen a cache without a desktop session.
    """

    keys: dict[str, str] = field(default_factory=dict)

    @property
    def storage(self) -> KeyStorage:
        return KeyStorage.OS_KEYRING

    def load(self, name: str) -> str | None:
        return self.keys.get(name)

    def save(self, name: str, key: str) -> None:
        self.keys[name] = check_raw_key(key)

    def delete(self, name: str) -> None:
        self.keys.pop(name, None)


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 11, 20, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


@pytest.fixture
def vault() -> PersistentTestVault:
    return PersistentTestVault()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    path = tmp_path / "data"
    path.mkdir()
    return path
