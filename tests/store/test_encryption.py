"""What a bank's security officer needs proven about the cache file, on real SQLCipher files."""

from __future__ import annotations

import hashlib
import logging
import os
import sqlite3
import tempfile
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from rm_desk.domain.enums import OpKind
from rm_desk.errors import CacheCorrupt, CacheLocked, InsecureStore
from rm_desk.local_store import KeyStorage, MemoryVault, open_store
from rm_desk.local_store import engine as engine_module
from rm_desk.local_store.ingest import apply_page
from rm_desk.local_store.keys import check_raw_key, key_name_for
from rm_desk.local_store.writes import record_edit
from tests import factories
from tests.conftest import FakeClock, PersistentTestVault

CANARY = "金丝雀7Q3ZK9"  # a string that exists nowhere but in this test's customer


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _files_containing(needles: list[bytes], roots: list[Path], since: float) -> list[Path]:
    hits = []
    for root in roots:
        # os.walk ignores folders that vanish mid-walk (other processes' temp files come and go).
        for folder, _, names in os.walk(root):
            for name in names:
                path = Path(folder) / name
                try:
                    if not path.is_file() or path.stat().st_mtime < since:
                        continue
                    content = path.read_bytes()
                except OSError:
                    continue
                if any(needle in content for needle in needles):
                    hits.append(path)
    return hits


def _canary_forms(value: str) -> list[bytes]:
    return [value.encode("utf-8"), value.encode("utf-16-le"), value.encode("utf-16-be")]


def test_cache_file_is_not_readable_as_plain_sqlite(store, data_dir):
    apply_page(store, [factories.change("customer", factories.customer(), 1)], "c1")
    store.checkpoint()

    header = store.path.read_bytes()[:16]
    assert header != b"SQLite format 3\x00"
    plain = sqlite3.connect(store.path)
    with pytest.raises(sqlite3.DatabaseError):
        plain.execute("SELECT name FROM sqlite_master").fetchall()
    plain.close()


def test_canary_customer_data_is_absent_from_every_file_and_log(
    store, data_dir, caplog, monkeypatch
):
    caplog.set_level(logging.DEBUG)
    started = time.time() - 1
    record = factories.customer(
        "c-canary", name=f"张{CANARY}", soft_profile={"remarks": f"备注{CANARY}"}
    )
    apply_page(store, [factories.change("customer", record, 1)], "c1")
    record_edit(
        store,
        "customer",
        "c-canary",
        OpKind.UPDATE,
        {
            "soft_profile": {
                "remarks": f"新{CANARY}",
                "interests": "",
                "family_notes": "",
                "do_not_disturb": False,
            }
        },
    )
    with store.read() as conn:
        names = conn.execute(text("SELECT name FROM customer")).scalars().all()
    assert names == [f"张{CANARY}"], (
        "the canary must really be in the cache for the test to mean anything"
    )

    needles = _canary_forms(CANARY)
    wal = Path(str(store.path) + "-wal")
    assert wal.exists()
    assert not any(n in wal.read_bytes() for n in needles)
    store.checkpoint()

    roots = [data_dir, Path(tempfile.gettempdir())]
    assert _files_containing(needles, roots, started) == []
    assert CANARY not in caplog.text


def test_wrong_key_reports_cache_locked_and_leaves_the_file_byte_for_byte(
    data_dir, vault: PersistentTestVault, clock: FakeClock
):
    path = data_dir / "cache.db"
    store = open_store(path, vault, clock=clock)
    apply_page(store, [factories.change("customer", factories.customer(), 1)], "c1")
    store.close()
    before = {p.name: _sha256(p) for p in data_dir.iterdir() if p.is_file()}

    vault.keys[key_name_for(path)] = "ab" * 32
    with pytest.raises(CacheLocked) as raised:
        open_store(path, vault, clock=clock)

    assert "ab" * 32 not in str(raised.value)
    after = {p.name: _sha256(p) for p in data_dir.iterdir() if p.is_file() and p.name in before}
    assert after == before
    assert path.exists()


def test_missing_key_reports_cache_locked_and_never_recreates_the_cache(
    data_dir, vault: PersistentTestVault, clock: FakeClock
):
    path = data_dir / "cache.db"
    open_store(path, vault, clock=clock).close()
    digest = _sha256(path)
    vault.keys.clear()

    with pytest.raises(CacheLocked):
        open_store(path, vault, clock=clock)

    assert _sha256(path) == digest
    assert vault.keys == {}, "a new key would mean a new, empty cache replaced the old one"


def test_corrupted_page_is_found_on_a_fresh_connection_and_the_file_quarantined(
    data_dir, vault: PersistentTestVault, clock: FakeClock
):
    path = data_dir / "cache.db"
    store = open_store(path, vault, clock=clock)
    apply_page(store, list(factories.book(200)), "c1")
    store.close()
    size = path.stat().st_size
    assert size > 40 * 4096
    with path.open("r+b") as damaged:
        damaged.seek(size // 2 + 100)
        damaged.write(b"\x00" * 32)

    store = open_store(path, vault, clock=clock)  # page 1 is intact, so the key still proves
    with pytest.raises(CacheCorrupt) as raised:
        store.check_integrity()

    quarantined = Path(raised.value.quarantined_to or "")
    assert quarantined.exists() and quarantined.parent == data_dir / "quarantine"
    assert not path.exists()
    assert raised.value.title == "Cache damaged"
    # The next start gets a new, empty, working cache; the damaged copy stays for IT.
    fresh = open_store(path, vault, clock=clock)
    assert fresh.check_integrity().ok
    fresh.close()
    assert quarantined.exists()


def test_intact_cache_passes_both_integrity_checks(store):
    apply_page(store, list(factories.book(20)), "c1")
    report = store.check_integrity()
    assert report.ok
    assert report.cipher_errors == () and report.sqlite_errors == ()


def test_every_connection_is_keyed_and_configured(store):
    expected = {
        "temp_store": 2,
        "secure_delete": 1,
        "foreign_keys": 1,
        "journal_mode": "wal",
        "synchronous": 2,
    }
    connections = [store.engine.connect() for _ in range(3)]
    try:
        for conn in connections:
            assert conn.exec_driver_sql("PRAGMA cipher_version").scalar()
            for pragma, value in expected.items():
                assert conn.exec_driver_sql(f"PRAGMA {pragma}").scalar() == value, pragma
    finally:
        for conn in connections:
            conn.close()


def test_plain_sqlite_library_is_refused(data_dir, vault, clock, monkeypatch):
    # As if the packaged SQLCipher had been swapped for the stdlib's unencrypted SQLite.
    monkeypatch.setattr(engine_module, "sqlcipher", sqlite3)

    with pytest.raises(InsecureStore):
        open_store(data_dir / "cache.db", vault, clock=clock)

    written = data_dir / "cache.db"
    assert not written.exists() or written.stat().st_size == 0, "no plaintext data was stored"


@pytest.mark.parametrize(
    "candidate",
    [
        "",
        "ab" * 31,
        "ab" * 33,
        "AB" * 32,
        "zz" * 32,
        "ab" * 31 + "'\"",
        "ab" * 16 + "'; ATTACH DATABASE 'x' AS y; --",
    ],
)
def test_anything_but_64_hex_characters_is_refused_before_it_reaches_sql(candidate):
    with pytest.raises(ValueError, match="64 lowercase hexadecimal") as raised:
        check_raw_key(candidate)
    assert candidate not in str(raised.value) or candidate == ""


def test_memory_only_store_says_so_and_deletes_its_files_on_close(data_dir, clock):
    store = open_store(data_dir / "cache.db", MemoryVault(), clock=clock)
    assert store.key_storage is KeyStorage.MEMORY_ONLY
    assert store.notice is not None and "memory" in store.notice
    apply_page(store, [factories.change("customer", factories.customer(), 1)], "c1")
    path = store.path
    assert path.exists()

    store.close()

    assert not any(Path(str(path) + s).exists() for s in ("", "-wal", "-shm"))
    assert not (data_dir / "cache.db").exists()


def test_no_file_under_data_and_config_dirs_contains_the_key(
    tmp_path, data_dir, vault: PersistentTestVault, clock: FakeClock
):
    config_dir = tmp_path / "config"
    config_dir.mkdir()
    store = open_store(data_dir / "cache.db", vault, clock=clock)
    apply_page(store, list(factories.book(5)), "c1")
    store.close()
    (key,) = vault.keys.values()

    needles = [key.encode(), key.upper().encode(), bytes.fromhex(key)]
    assert _files_containing(needles, [data_dir, config_dir], since=0) == []
