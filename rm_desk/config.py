"""RM Desk's settings: declared once, read in layers, some locked by the bank's IT.

Every setting is a field of :class:`Config` whose ``metadata`` declares it (:func:`_setting`): its
type, whether a user may change it, whether the machine's policy may lock it, and the check its
value must pass. :data:`SETTINGS` is built from those fields, so a setting exists in exactly one
place. Secrets never appear here: keys and tokens live in the OS credential store.

Layers, each overriding the one before::

    built-in defaults                    the field defaults below
    machine config                       /etc/rm-desk/config.toml (Linux),
                                         %ProgramData%\\RMDesk\\config.toml (Windows),
                                         /Library/Application Support/RMDesk/config.toml (macOS)
    user settings                        settings.json in AppPaths.config_dir; user keys only
    environment                          RM_DESK_<NAME>, e.g. RM_DESK_SERVER_URL
    command line                         the ``overrides`` mapping of load_config

The machine config is TOML written by the installer or IT::

    server_url = "https://crm.bank.cn"
    ca_bundle = 'C:\\ProgramData\\RMDesk\\bank-ca.pem'
    sync_interval_s = 120
    locked = ["server_url", "ca_bundle"]

A setting named in ``locked`` keeps the machine's value: user settings, the environment and the
command line cannot change it (a user controls their own environment, so letting it win would make
the lock meaningless). Only settings declared ``lockable`` may be locked.

A broken machine config, environment value or command-line value is a :class:`SettingError` (a
:class:`~rm_desk.errors.ConfigError`: fixed words for people, and a ``detail`` naming the setting
and the layer for IT); a broken user settings file is ignored (with a log line) so a user is never
stuck before the window opens, and their next saved setting rewrites it.

Use::

    config = load_config(paths, os.environ, {"server_url": args.server} if args.server else {})
    save_user_setting(paths, "language", "zh")      # ConfigError for locked or unknown keys
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import sys
import tempfile
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final, Literal
from urllib.parse import urlsplit

from rm_desk.errors import ConfigError
from rm_desk.paths import AppPaths

log = logging.getLogger(__name__)

DEFAULT_SERVER_URL: Final = "https://crm.example-bank.cn"
"""A placeholder: the bank's IT sets the real address in the machine config."""

ENV_PREFIX: Final = "RM_DESK_"
USER_SETTINGS_FILE: Final = "settings.json"
LANGUAGES: Final = ("", "zh", "en")
"""``""`` follows the system's language."""

MIN_KDF_COST: Final = 2**14
MAX_KDF_COST: Final = 2**20

Layer = Literal["default", "machine", "user", "environment", "command line"]


# --- errors ------------------------------------------------------------------------------------

MACHINE_UNREADABLE: Final = (
    "The machine configuration of RM Desk cannot be read. Ask IT to check it."
)
MACHINE_BAD_SETTING: Final = (
    "The machine configuration of RM Desk has a setting that cannot be used. Ask IT to check it."
)
BAD_VALUE: Final = "A setting of RM Desk has a value that cannot be used."
UNKNOWN_SETTING: Final = "This is not a setting of RM Desk."
IT_ONLY: Final = "This setting can only be changed by IT."
LOCKED: Final = "This setting is set by IT on this computer and cannot be changed."


class SettingError(ConfigError):
    """One setting that cannot be used or changed.

    The message is fixed words for people (translatable); :attr:`detail` says which setting, in
    which layer, and what is wrong with it, in English for IT and ``rm-desk doctor``.
    """

    def __init__(self, message: str, *, setting: str, where: str, problem: str) -> None:
        super().__init__(message)
        self.setting = setting
        self.where = where
        self.problem = problem

    @property
    def detail(self) -> str:
        return f"{self.where}: {self.setting} {self.problem}"


# --- the declaration ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Setting:
    """How one setting is declared.

    Attributes:
        name: The field name, also the key in every layer (``RM_DESK_`` + upper case in the
            environment).
        kind: ``str``, ``int`` or ``bool``.
        default: The built-in value.
        user: Whether a user may change it (and it is kept in the user settings file).
        lockable: Whether the machine config may lock it.
        check: Returns words for people when a value is not acceptable, else ``None``.
    """

    name: str
    kind: type
    default: Any
    user: bool
    lockable: bool
    check: Callable[[Any], str | None] | None = None


def _setting(
    default: Any,
    *,
    user: bool,
    lockable: bool,
    check: Callable[[Any], str | None] | None = None,
) -> Any:
    return field(
        default=default, metadata={"setting": {"user": user, "lockable": lockable, "check": check}}
    )


def _check_server_url(value: str) -> str | None:
    # urllib, not httpx: the window's start-up reads the settings and does not need the HTTP
    # client (the client checks the address again when it connects).
    text = value.strip()
    try:
        url = urlsplit(text)
        url.port  # noqa: B018 (raises for a port that is not a number from 0 to 65535)
    except ValueError:
        return "is not a valid web address"
    if any(not char.isprintable() or char.isspace() for char in url.netloc):
        return "is not a valid web address"
    if url.scheme not in ("https", "http") or not url.hostname:
        return "must be a web address starting with https://"
    if "@" in url.netloc:
        return "must not contain a user name or password"
    return None


def _check_language(value: str) -> str | None:
    return None if value in LANGUAGES else "must be empty (follow the system), zh or en"


def _check_interval(value: int) -> str | None:
    return None if 15 <= value <= 3600 else "must be between 15 and 3600 seconds"


def _check_kdf_cost(value: int) -> str | None:
    power_of_two = value > 0 and value & (value - 1) == 0
    if power_of_two and MIN_KDF_COST <= value <= MAX_KDF_COST:
        return None
    return "must be a power of two between 16384 and 1048576"


@dataclass(frozen=True)
class Config:
    """The settings in force (see the module docstring for where each value comes from).

    Attributes:
        server_url: The bank's RM Desk server. A placeholder until IT sets it.
        ca_bundle: The bank's CA certificates (PEM) to verify TLS with; ``""`` trusts the
            operating system's store (where a bank installs its root CA by Group Policy).
        language: ``""`` follows the system; ``"zh"`` or ``"en"``.
        sync_interval_s: Seconds between background syncs.
        unlock_kdf_cost: The scrypt ``n`` of the offline unlock verifier.
        locked: Names of the settings the machine config locked.
        sources: For each setting, the layer its value came from (for ``rm-desk doctor``).
    """

    server_url: str = _setting(
        DEFAULT_SERVER_URL, user=True, lockable=True, check=_check_server_url
    )
    ca_bundle: str = _setting("", user=False, lockable=True)
    language: str = _setting("", user=True, lockable=False, check=_check_language)
    sync_interval_s: int = _setting(60, user=False, lockable=True, check=_check_interval)
    unlock_kdf_cost: int = _setting(2**14, user=False, lockable=True, check=_check_kdf_cost)
    locked: frozenset[str] = frozenset()
    sources: Mapping[str, Layer] = field(default_factory=lambda: MappingProxyType({}))

    def is_locked(self, name: str) -> bool:
        return name in self.locked

    @property
    def verify(self) -> Literal[True] | str:
        """What :class:`~rm_desk.sync.client.ApiClient` verifies TLS against."""
        return self.ca_bundle or True


SETTINGS: Final[Mapping[str, Setting]] = MappingProxyType(
    {
        f.name: Setting(
            name=f.name,
            kind=type(f.default),
            default=f.default,
            user=f.metadata["setting"]["user"],
            lockable=f.metadata["setting"]["lockable"],
            check=f.metadata["setting"]["check"],
        )
        for f in dataclasses.fields(Config)
        if "setting" in f.metadata
    }
)


# --- reading -----------------------------------------------------------------------------------


def machine_config_path(environ: Mapping[str, str] | None = None) -> Path:
    """Where the installer or IT puts the machine config on this platform."""
    env = os.environ if environ is None else environ
    if sys.platform == "win32":
        program_data = env.get("ProgramData") or env.get("PROGRAMDATA") or r"C:\ProgramData"
        return Path(program_data) / "RMDesk" / "config.toml"
    if sys.platform == "darwin":
        return Path("/Library/Application Support/RMDesk/config.toml")
    return Path("/etc/rm-desk/config.toml")


def user_settings_path(paths: AppPaths) -> Path:
    return paths.config_dir / USER_SETTINGS_FILE


def load_config(
    paths: AppPaths,
    environ: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
    *,
    machine_config: Path | None = None,
) -> Config:
    """The settings in force, from every layer.

    Args:
        paths: The app's directories (the user settings file is in ``config_dir``).
        environ: The environment; ``os.environ`` when omitted.
        overrides: Command-line values by setting name (text or typed values).
        machine_config: The machine config file; the platform's (:func:`machine_config_path`)
            when omitted. A missing file is no error.

    Raises:
        ConfigError: The machine config cannot be read or holds an unknown setting, a wrong
            value or a lock on a setting that cannot be locked; an environment or command-line
            value is wrong; an override names an unknown setting.
    """
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {name: s.default for name, s in SETTINGS.items()}
    sources: dict[str, Layer] = dict.fromkeys(SETTINGS, "default")

    machine, locked = _read_machine(machine_config or machine_config_path(env))
    for name, value in machine.items():
        values[name], sources[name] = value, "machine"

    for name, value in _read_user(user_settings_path(paths)).items():
        if name not in locked:
            values[name], sources[name] = value, "user"

    for name, setting in SETTINGS.items():
        raw = env.get(ENV_PREFIX + name.upper())
        if raw is None or name in locked:
            continue
        values[name] = _parse(setting, raw, f"environment variable {ENV_PREFIX}{name.upper()}")
        sources[name] = "environment"

    for name, raw in (overrides or {}).items():
        setting = _known(name, "command line")
        if name in locked:
            log.warning("command line value of locked setting %s ignored", name)
            continue
        values[name] = _parse(setting, raw, "command line")
        sources[name] = "command line"

    return Config(**values, locked=locked, sources=MappingProxyType(sources))


def _read_machine(path: Path) -> tuple[dict[str, Any], frozenset[str]]:
    try:
        with path.open("rb") as file:
            document = tomllib.load(file)
    except FileNotFoundError:
        return {}, frozenset()
    except (OSError, tomllib.TOMLDecodeError):
        raise SettingError(
            MACHINE_UNREADABLE, setting="(file)", where=str(path), problem="cannot be read"
        ) from None
    where = f"machine configuration {path}"
    locked_names = document.pop("locked", [])
    if not isinstance(locked_names, list) or not all(isinstance(n, str) for n in locked_names):
        raise SettingError(
            MACHINE_BAD_SETTING, setting="locked", where=where, problem="must list setting names"
        )
    for name in locked_names:
        if not _known(name, where, MACHINE_BAD_SETTING).lockable:
            raise SettingError(
                MACHINE_BAD_SETTING, setting=name, where=where, problem="cannot be locked"
            )
    values = {
        name: _parse(_known(name, where, MACHINE_BAD_SETTING), raw, where, MACHINE_BAD_SETTING)
        for name, raw in document.items()
    }
    return values, frozenset(locked_names)


def _read_user(path: Path) -> dict[str, Any]:
    """The user's saved settings; anything unreadable is skipped, never fatal."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError):
        log.warning("user settings file unreadable; using the other layers")
        return {}
    if not isinstance(document, dict):
        log.warning("user settings file is not an object; using the other layers")
        return {}
    values: dict[str, Any] = {}
    for name, raw in document.items():
        setting = SETTINGS.get(name)
        if setting is None or not setting.user:
            log.warning("user setting %s ignored: not a user setting", name)
            continue
        try:
            values[name] = _parse(setting, raw, "user settings")
        except SettingError:
            log.warning("user setting %s ignored: bad value", name)
    return values


def _known(name: str, where: str, message: str = UNKNOWN_SETTING) -> Setting:
    setting = SETTINGS.get(name)
    if setting is None:
        raise SettingError(message, setting=name, where=where, problem="is not a setting")
    return setting


def _parse(setting: Setting, raw: Any, where: str, message: str = BAD_VALUE) -> Any:
    """``raw`` as the setting's type (text is converted), checked; else a SettingError."""
    value = _convert(setting.kind, raw)
    if value is None:
        kind = {str: "text", int: "a whole number", bool: "true or false"}[setting.kind]
        raise SettingError(message, setting=setting.name, where=where, problem=f"must be {kind}")
    problem = setting.check(value) if setting.check is not None else None
    if problem is not None:
        raise SettingError(message, setting=setting.name, where=where, problem=problem)
    return value


def _convert(kind: type, raw: Any) -> Any:
    if kind is bool:
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, str) and raw.strip().lower() in ("1", "true", "yes", "on"):
            return True
        if isinstance(raw, str) and raw.strip().lower() in ("0", "false", "no", "off"):
            return False
        return None
    if kind is int:
        if type(raw) is int:
            return raw
        if isinstance(raw, str):
            try:
                return int(raw.strip())
            except ValueError:
                return None
        return None
    return raw.strip() if isinstance(raw, str) else None


# --- writing -----------------------------------------------------------------------------------


def save_user_setting(
    paths: AppPaths,
    name: str,
    value: Any,
    *,
    machine_config: Path | None = None,
    environ: Mapping[str, str] | None = None,
) -> None:
    """Keep one user setting in the user settings file (other keys are kept as they are).

    Args:
        paths: The app's directories.
        name: The setting.
        value: Its new value (typed, or text to convert).
        machine_config: The machine config file, to know what is locked (the platform's when
            omitted).
        environ: The environment (to find the platform's machine config on Windows).

    Raises:
        SettingError: Unknown setting, one a user may not change, one IT locked, or a wrong
            value (a :class:`ConfigError`). The file is not touched.
    """
    setting = _known(name, "settings")
    if not setting.user:
        raise SettingError(IT_ONLY, setting=name, where="settings", problem="is not a user setting")
    _, locked = _read_machine(machine_config or machine_config_path(environ))
    if name in locked:
        raise SettingError(LOCKED, setting=name, where="settings", problem="is locked")
    checked = _parse(setting, value, "settings")
    path = user_settings_path(paths)
    current = _read_user(path)
    current[name] = checked
    path.parent.mkdir(parents=True, exist_ok=True)
    # Write aside and rename, so a crash never leaves half a file behind.
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".settings-", suffix=".json")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            json.dump(current, file, ensure_ascii=False, indent=2, sort_keys=True)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


__all__ = [
    "DEFAULT_SERVER_URL",
    "SETTINGS",
    "Config",
    "Setting",
    "SettingError",
    "load_config",
    "machine_config_path",
    "save_user_setting",
    "user_settings_path",
]
