"""Where RM Desk keeps its files.

Every path the app writes to comes from here. Each directory can be moved by an environment
variable (``RM_DESK_DATA_DIR``, ``RM_DESK_CONFIG_DIR``, ``RM_DESK_LOG_DIR``), which is how tests,
the demo mode and a bank's roaming-profile set-ups point the app somewhere else; otherwise the
platform's per-user directories are used (``%LOCALAPPDATA%\\RMDesk`` on Windows, XDG on Linux).
The cache lives in the *local* (non-roaming) data directory on purpose: an encrypted cache must not
follow the user to other machines through a roaming profile.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "RMDesk"
APP_AUTHOR = "RMDesk"


@dataclass(frozen=True, slots=True)
class AppPaths:
    """The app's directories; create them with :meth:`ensure`."""

    data_dir: Path
    config_dir: Path
    log_dir: Path

    @property
    def cache_db(self) -> Path:
        """The encrypted cache of the signed-in user's book."""
        return self.data_dir / "cache.db"

    @property
    def quarantine_dir(self) -> Path:
        """Where damaged cache files are moved instead of being deleted."""
        return self.data_dir / "quarantine"

    def ensure(self) -> AppPaths:
        for directory in (self.data_dir, self.config_dir, self.log_dir):
            directory.mkdir(parents=True, exist_ok=True)
            _restrict_to_owner(directory)
        return self

    @classmethod
    def from_environment(cls, environ: dict[str, str] | None = None) -> AppPaths:
        env = os.environ if environ is None else environ
        return cls(
            data_dir=_from_env(env, "RM_DESK_DATA_DIR")
            or Path(platformdirs.user_data_dir(APP_NAME, APP_AUTHOR, roaming=False)),
            config_dir=_from_env(env, "RM_DESK_CONFIG_DIR")
            or Path(platformdirs.user_config_dir(APP_NAME, APP_AUTHOR, roaming=False)),
            log_dir=_from_env(env, "RM_DESK_LOG_DIR")
            or Path(platformdirs.user_log_dir(APP_NAME, APP_AUTHOR)),
        )


def _from_env(env: os._Environ[str] | dict[str, str], name: str) -> Path | None:
    value = env.get(name, "").strip()
    return Path(value).expanduser() if value else None


def _restrict_to_owner(directory: Path) -> None:
    # On Windows the profile's ACLs already restrict these folders; chmod only matters on POSIX.
    if os.name == "posix":
        directory.chmod(0o700)


# Ends with a letter or digit: Windows drops a trailing dot or space from a folder name.
_SAFE_FOLDER = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._-]{0,62}[A-Za-z0-9])?")
_WINDOWS_RESERVED = frozenset(
    {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}
)


def user_cache_db(paths: AppPaths, user_id: str) -> Path:
    """The encrypted cache of one bank user on this computer.

    One cache per user, so two RMs sharing a branch PC never share a cache (nor its key). The
    folder is the user id where that is a safe folder name on every platform, else a digest of it.
    """
    stem = user_id.split(".", 1)[0].lower()
    if _SAFE_FOLDER.fullmatch(user_id) and stem not in _WINDOWS_RESERVED:
        folder = user_id
    else:
        folder = "u-" + hashlib.sha256(user_id.encode("utf-8")).hexdigest()[:24]
    return paths.data_dir / "users" / folder / "cache.db"
