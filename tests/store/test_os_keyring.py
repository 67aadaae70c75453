"""The cache key in a real OS credential store (Secret Service under `make test`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from rm_desk.local_store import KeyringVault, KeyStorage, open_store
from rm_desk.local_store.ingest import apply_page
from rm_desk.local_store.keys import SERVICE_NAME, find_secure_backend, key_name_for
from tests import factories

BACKEND = find_secure_backend()
needs_keyring = pytest.mark.skipif(
    BACKEND is None,
    reason="no secure OS keyring on this machine (make test provides GNOME Keyring over D-Bus)",
)


@pytest.mark.keyring
@needs_keyring
def test_cache_key_lives_in_the_os_keyring_and_reopens_the_cache(tmp_path: Path, clock):
    data_dir = tmp_path / "data"
    vault = KeyringVault(BACKEND)
    path = data_dir / "cache.db"
    try:
        store = open_store(path, vault, clock=clock)
        assert store.key_storage is KeyStorage.OS_KEYRING
        assert store.notice is None
        apply_page(store, [factories.change("customer", factories.customer(), 1)], "c1")
        store.close()

        key = BACKEND.get_password(SERVICE_NAME, key_name_for(path))
        assert key is not None and len(key) == 64
        needles = [key.encode(), bytes.fromhex(key)]
        for file in data_dir.rglob("*"):
            if file.is_file():
                content = file.read_bytes()
                assert not any(n in content for n in needles), file.name

        reopened = open_store(path, KeyringVault(find_secure_backend()), clock=clock)
        with reopened.read() as conn:
            assert conn.exec_driver_sql("SELECT count(*) FROM customer").scalar() == 1
        reopened.close()
    finally:
        vault.delete(key_name_for(path))


@pytest.mark.parametrize("module_name", ["keyring.backends.null", "keyring.backends.fail"])
def test_insecure_keyring_backends_fall_back_to_a_memory_only_key(monkeypatch, module_name):
    import importlib

    import keyring

    from rm_desk.local_store.keys import MemoryVault, default_vault

    insecure = importlib.import_module(module_name).Keyring()
    monkeypatch.setattr(keyring, "get_keyring", lambda: insecure)

    assert find_secure_backend() is None
    assert isinstance(default_vault(), MemoryVault)
