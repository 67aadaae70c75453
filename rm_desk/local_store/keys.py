"""The cache key: where it lives and how it is checked.

The cache is encrypted with a random 256-bit key made by :mod:`secrets` and handed to SQLCipher as a
raw key, so no passphrase KDF runs on open and the key is never derived from anything a person
types. The key lives in the operating system's credential store, and only a store that keeps
secrets encrypted per user is accepted:

- Windows Credential Manager (``keyring.backends.Windows.WinVaultKeyring``)
- macOS Keychain (``keyring.backends.macOS.Keyring``)
- Secret Service on Linux: GNOME Keyring, KeePassXC (``keyring.backends.SecretService.Keyring``,
  ``keyring.backends.libsecret.Keyring``)
- KWallet (``keyring.backends.kwallet.DBusKeyring``)

Plain-text or "null" backends (``keyrings.alt`` files, ``keyring.backends.fail``) are refused. Where
no secure backend exists the store runs with a :class:`MemoryVault`: the key exists only in this
process, the cache files are deleted when the store closes, and the app tells the user so.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol

log = logging.getLogger(__name__)

SERVICE_NAME = "RM Desk cache key"

SECURE_BACKENDS = frozenset(
    {
        "keyring.backends.Windows.WinVaultKeyring",
        "keyring.backends.macOS.Keyring",
        "keyring.backends.SecretService.Keyring",
        "keyring.backends.libsecret.Keyring",
        "keyring.backends.kwallet.DBusKeyring",
        "keyring.backends.kwallet.DBusKeyringKWallet4",
    }
)

_RAW_KEY = re.compile(r"[0-9a-f]{64}")


class KeyStorage(StrEnum):
    """Where the cache key is kept."""

    OS_KEYRING = "os_keyring"
    MEMORY_ONLY = "memory_only"


def new_raw_key() -> str:
    """A fresh random 256-bit key as 64 lowercase hex characters."""
    return secrets.token_hex(32)


def check_raw_key(key: str) -> str:
    """Return ``key`` if it is exactly 64 lowercase hex characters, else raise ``ValueError``.

    This runs before the key is placed into a ``PRAGMA key`` statement, so nothing but hex digits
    can ever reach SQL. The message never repeats the key.
    """
    if not isinstance(key, str) or _RAW_KEY.fullmatch(key) is None:
        raise ValueError("a cache key must be exactly 64 lowercase hexadecimal characters")
    return key


def key_name_for(db_path: Path) -> str:
    """The credential name of the key of one cache file.

    Derived from the file's absolute path, so the demo's cache, a test's cache and the real one
    never share a key, and the name reveals nothing about the user.
    """
    digest = hashlib.sha256(str(db_path.resolve()).encode("utf-8")).hexdigest()[:24]
    return f"cache-{digest}"


class KeyVault(Protocol):
    """A place that keeps cache keys."""

    @property
    def storage(self) -> KeyStorage: ...

    def load(self, name: str) -> str | None: ...

    def save(self, name: str, key: str) -> None: ...

    def delete(self, name: str) -> None: ...


class KeyVaultError(Exception):
    """The credential store could not be read or written (locked, denied, gone)."""


@dataclass
class MemoryVault:
    """Keys held by this process only; nothing survives it."""

    _keys: dict[str, str] = field(default_factory=dict)

    @property
    def storage(self) -> KeyStorage:
        return KeyStorage.MEMORY_ONLY

    def load(self, name: str) -> str | None:
        return self._keys.get(name)

    def save(self, name: str, key: str) -> None:
        self._keys[name] = check_raw_key(key)

    def delete(self, name: str) -> None:
        self._keys.pop(name, None)


class KeyringVault:
    """Keys in the OS credential store, through one :mod:`keyring` backend."""

    def __init__(self, backend: Any) -> None:
        self._backend = backend

    @property
    def storage(self) -> KeyStorage:
        return KeyStorage.OS_KEYRING

    @property
    def backend_name(self) -> str:
        return backend_qualname(self._backend)

    def load(self, name: str) -> str | None:
        try:
            value: str | None = self._backend.get_password(SERVICE_NAME, name)
        except Exception as exc:  # keyring raises backend-specific errors (dbus, win32)
            raise KeyVaultError(type(exc).__name__) from None
        return value

    def save(self, name: str, key: str) -> None:
        try:
            self._backend.set_password(SERVICE_NAME, name, check_raw_key(key))
        except ValueError:
            raise
        except Exception as exc:
            raise KeyVaultError(type(exc).__name__) from None

    def delete(self, name: str) -> None:
        try:
            self._backend.delete_password(SERVICE_NAME, name)
        except Exception as exc:
            # Deleting a key that is not there is not an error worth stopping for.
            log.info("keyring delete skipped: %s", type(exc).__name__)


def backend_qualname(backend: object) -> str:
    cls = type(backend)
    return f"{cls.__module__}.{cls.__qualname__}"


def find_secure_backend() -> Any | None:
    """The OS credential store to use, or ``None`` where the machine has no secure one.

    Looks through the backend keyring chose (and, for its chainer, each backend it chains) and
    returns the first whose class is in :data:`SECURE_BACKENDS` and that reports itself usable.
    """
    try:
        import keyring
        from keyring.backends.chainer import ChainerBackend
    except Exception as exc:  # a broken keyring install must not stop the app
        log.warning("keyring unavailable: %s", type(exc).__name__)
        return None
    try:
        chosen = keyring.get_keyring()
    except Exception as exc:
        log.warning("keyring backend discovery failed: %s", type(exc).__name__)
        return None
    candidates = list(chosen.backends) if isinstance(chosen, ChainerBackend) else [chosen]
    for backend in candidates:
        if backend_qualname(backend) in SECURE_BACKENDS and _usable(backend):
            return backend
    return None


def _usable(backend: Any) -> bool:
    try:
        return float(type(backend).priority) > 0
    except Exception:
        return False


def default_vault() -> KeyVault:
    """The OS credential store where it is secure, else an in-memory vault."""
    backend = find_secure_backend()
    if backend is None:
        log.warning("no secure OS keyring: the cache key is kept in memory only")
        return MemoryVault()
    return KeyringVault(backend)
