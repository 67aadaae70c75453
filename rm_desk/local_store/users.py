"""The bank users of this computer: one cache each, the names they sign in with, the device id.

Shared by the app's sign-in (:mod:`rm_desk.session`) and ``rm-desk sync``
(:mod:`rm_desk.sync.headless`), so a cache the one fills is the cache the other opens:

- **One cache per bank user** at :func:`rm_desk.paths.user_cache_db`, so two RMs sharing a branch
  PC never share a cache (nor its key): :func:`open_user_cache`, :func:`user_cache_exists`.
- **The user index**, ``users/index.json`` in the data directory: the user name typed at sign-in
  (trimmed, case-folded) → the server's user id. Names and ids only, no secrets; it lets an
  offline unlock find the cache before the server says who the user is: :func:`remember_user`,
  :func:`known_user_id`.
- **This machine's device id**, ``device-id`` in the data directory: a random UUID made once (it
  says nothing about the machine): :func:`machine_device_id`. Each cache also keeps the id it
  signs in with in ``sync_state`` (:data:`~rm_desk.local_store.sync_state.DEVICE_ID`), and a
  cache's own id wins, so a session always resumes with the device id its token was issued to.

No Qt here.
"""

from __future__ import annotations

import json
import os
import tempfile
import uuid
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from rm_desk.local_store.engine import Store, open_store
from rm_desk.local_store.keys import KeyStorage, KeyVault, key_name_for
from rm_desk.paths import AppPaths, user_cache_db

Clock = Callable[[], datetime]


def open_user_cache(paths: AppPaths, user_id: str, vault: KeyVault, clock: Clock) -> Store:
    """Open (or create) the cache of one bank user, in a folder only this OS user may read.

    Raises:
        StoreError: The cache could not be opened (``CacheLocked`` …); it is left untouched.
    """
    db_path = user_cache_db(paths, user_id)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    if os.name == "posix":
        db_path.parent.chmod(0o700)
    return open_store(db_path, vault, quarantine_dir=db_path.parent / "quarantine", clock=clock)


def user_cache_exists(paths: AppPaths, user_id: str, vault: KeyVault) -> bool:
    """Whether a cache :func:`open_user_cache` would open (not create) is there."""
    db_path = user_cache_db(paths, user_id)
    if vault.storage is KeyStorage.MEMORY_ONLY:
        # Mirrors open_store: an ephemeral cache whose key died with an earlier process is gone.
        ephemeral = db_path.with_name(f"{db_path.stem}-ephemeral{db_path.suffix}")
        return ephemeral.exists() and vault.load(key_name_for(ephemeral)) is not None
    return db_path.exists()


def known_user_id(paths: AppPaths, username: str) -> str | None:
    """The user id the server gave ``username`` when it last signed in here, or ``None``."""
    return _read_index(paths).get(_index_key(username))


def remember_user(paths: AppPaths, username: str, user_id: str) -> None:
    """Note that ``username`` is the server's ``user_id`` (after an online sign-in)."""
    index = _read_index(paths)
    if index.get(_index_key(username)) == user_id:
        return
    index[_index_key(username)] = user_id
    _write_atomically(_index_path(paths), json.dumps(index, sort_keys=True, indent=2))


def machine_device_id(paths: AppPaths) -> str:
    """This machine's device id, made once (a random UUID: it says nothing about the machine)."""
    path = paths.data_dir / "device-id"
    try:
        text = path.read_text(encoding="ascii").strip()
        return str(uuid.UUID(text))
    except (OSError, ValueError):
        device_id = str(uuid.uuid4())
        _write_atomically(path, device_id)
        return device_id


def _index_path(paths: AppPaths) -> Path:
    return paths.data_dir / "users" / "index.json"


def _index_key(username: str) -> str:
    return username.strip().casefold()


def _read_index(paths: AppPaths) -> dict[str, str]:
    try:
        document = json.loads(_index_path(paths).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(document, dict):
        return {}
    return {str(k): str(v) for k, v in document.items() if isinstance(v, str)}


def _write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


__all__ = [
    "known_user_id",
    "machine_device_id",
    "open_user_cache",
    "remember_user",
    "user_cache_exists",
]
