"""Settings: declared once, layered defaults < machine < user < environment < command line, and
what IT locks stays locked."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rm_desk.config import (
    DEFAULT_SERVER_URL,
    SETTINGS,
    Config,
    SettingError,
    load_config,
    save_user_setting,
    user_settings_path,
)
from rm_desk.errors import ConfigError
from rm_desk.paths import AppPaths


@pytest.fixture
def paths(tmp_path: Path) -> AppPaths:
    return AppPaths(tmp_path / "data", tmp_path / "config", tmp_path / "logs").ensure()


@pytest.fixture
def machine(tmp_path: Path) -> Path:
    return tmp_path / "etc" / "config.toml"


def write_machine(machine: Path, text: str) -> None:
    machine.parent.mkdir(parents=True, exist_ok=True)
    machine.write_text(text, encoding="utf-8")


def test_every_setting_is_declared_once_with_its_default() -> None:
    assert set(SETTINGS) == {
        "server_url",
        "ca_bundle",
        "language",
        "sync_interval_s",
        "unlock_kdf_cost",
    }
    assert SETTINGS["server_url"].default == DEFAULT_SERVER_URL
    assert SETTINGS["server_url"].lockable and SETTINGS["server_url"].user
    assert not SETTINGS["language"].lockable
    assert not SETTINGS["ca_bundle"].user


def test_nothing_configured_gives_the_built_in_defaults(paths: AppPaths, machine: Path) -> None:
    config = load_config(paths, {}, machine_config=machine)
    assert config.server_url == DEFAULT_SERVER_URL
    assert config.language == ""
    assert config.sync_interval_s == 60
    assert config.verify is True
    assert set(config.sources.values()) == {"default"}


def test_each_layer_overrides_the_one_below(paths: AppPaths, machine: Path) -> None:
    write_machine(
        machine,
        'server_url = "https://machine.bank.cn"\nlanguage = "en"\nsync_interval_s = 120\n'
        'ca_bundle = "/etc/bank-ca.pem"\n',
    )
    save_user_setting(paths, "server_url", "https://user.bank.cn", machine_config=machine)
    save_user_setting(paths, "language", "zh", machine_config=machine)
    env = {"RM_DESK_SERVER_URL": "https://env.bank.cn", "RM_DESK_SYNC_INTERVAL_S": "90"}

    config = load_config(paths, env, {"server_url": "https://cli.bank.cn"}, machine_config=machine)

    assert config.server_url == "https://cli.bank.cn"
    assert config.sync_interval_s == 90
    assert config.language == "zh"
    assert config.ca_bundle == "/etc/bank-ca.pem" and config.verify == "/etc/bank-ca.pem"
    assert config.sources == {
        "server_url": "command line",
        "sync_interval_s": "environment",
        "language": "user",
        "ca_bundle": "machine",
        "unlock_kdf_cost": "default",
    }


def test_a_setting_locked_by_it_ignores_user_environment_and_command_line(
    paths: AppPaths, machine: Path
) -> None:
    user_file = user_settings_path(paths)
    user_file.write_text(json.dumps({"server_url": "https://phish.example"}), encoding="utf-8")
    write_machine(
        machine, 'server_url = "https://crm.bank.cn"\nlocked = ["server_url", "ca_bundle"]\n'
    )

    config = load_config(
        paths,
        {"RM_DESK_SERVER_URL": "https://env.example"},
        {"server_url": "https://cli.example"},
        machine_config=machine,
    )

    assert config.server_url == "https://crm.bank.cn"
    assert config.is_locked("server_url") and config.is_locked("ca_bundle")
    assert not config.is_locked("language")


def test_saving_a_locked_setting_is_refused_in_words_and_leaves_the_file(
    paths: AppPaths, machine: Path
) -> None:
    write_machine(machine, 'locked = ["server_url"]\n')
    with pytest.raises(ConfigError) as refused:
        save_user_setting(paths, "server_url", "https://elsewhere.cn", machine_config=machine)
    assert (
        refused.value.message == "This setting is set by IT on this computer and cannot be changed."
    )
    assert not user_settings_path(paths).exists()


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("password", "x", "This is not a setting of RM Desk."),
        ("ca_bundle", "/tmp/ca.pem", "This setting can only be changed by IT."),
        ("language", "fr", "A setting of RM Desk has a value that cannot be used."),
        ("server_url", "ftp://bank.cn", "A setting of RM Desk has a value that cannot be used."),
        ("server_url", "https://", "A setting of RM Desk has a value that cannot be used."),
        (
            "server_url",
            "https://rm:pw@crm.bank.cn",
            "A setting of RM Desk has a value that cannot be used.",
        ),
        (
            "server_url",
            "https://crm.bank.cn:443x",
            "A setting of RM Desk has a value that cannot be used.",
        ),
        (
            "server_url",
            "https://crm bank.cn",
            "A setting of RM Desk has a value that cannot be used.",
        ),
    ],
)
def test_saving_an_unknown_it_only_or_bad_setting_is_refused(
    paths: AppPaths, machine: Path, name: str, value: str, message: str
) -> None:
    with pytest.raises(SettingError) as refused:
        save_user_setting(paths, name, value, machine_config=machine)
    assert refused.value.message == message
    assert refused.value.setting == name
    assert not user_settings_path(paths).exists()


def test_saving_keeps_the_other_user_settings(paths: AppPaths, machine: Path) -> None:
    save_user_setting(paths, "language", "en", machine_config=machine)
    save_user_setting(paths, "server_url", "https://crm.bank.cn", machine_config=machine)
    stored = json.loads(user_settings_path(paths).read_text(encoding="utf-8"))
    assert stored == {"language": "en", "server_url": "https://crm.bank.cn"}


def test_a_broken_user_settings_file_never_stops_the_app(paths: AppPaths, machine: Path) -> None:
    user_settings_path(paths).write_text("{not json", encoding="utf-8")
    assert load_config(paths, {}, machine_config=machine).server_url == DEFAULT_SERVER_URL
    user_settings_path(paths).write_text(
        json.dumps({"language": "klingon", "ca_bundle": "/tmp/x.pem", "sync_interval_s": 1}),
        encoding="utf-8",
    )
    config = load_config(paths, {}, machine_config=machine)
    assert (config.language, config.ca_bundle, config.sync_interval_s) == ("", "", 60)


@pytest.mark.parametrize(
    ("text", "setting"),
    [
        ("sync_interval_s = 5\n", "sync_interval_s"),
        ('sync_interval_s = "often"\n', "sync_interval_s"),
        ("telemetry = true\n", "telemetry"),
        ('locked = ["language"]\n', "language"),
        ("unlock_kdf_cost = 1024\n", "unlock_kdf_cost"),
        ("server_url = [\n", "(file)"),
    ],
)
def test_a_broken_machine_config_names_the_setting_for_it(
    paths: AppPaths, machine: Path, text: str, setting: str
) -> None:
    write_machine(machine, text)
    with pytest.raises(SettingError) as broken:
        load_config(paths, {}, machine_config=machine)
    assert broken.value.setting == setting
    assert "Ask IT" in broken.value.message
    assert setting in broken.value.detail


def test_a_bad_environment_value_is_a_config_error(paths: AppPaths, machine: Path) -> None:
    with pytest.raises(SettingError) as broken:
        load_config(paths, {"RM_DESK_SYNC_INTERVAL_S": "soon"}, machine_config=machine)
    assert "RM_DESK_SYNC_INTERVAL_S" in broken.value.detail


def test_an_unknown_command_line_setting_is_refused(paths: AppPaths, machine: Path) -> None:
    with pytest.raises(SettingError):
        load_config(paths, {}, {"colour": "blue"}, machine_config=machine)


def test_config_holds_no_secrets() -> None:
    for name in SETTINGS:
        assert not any(word in name for word in ("password", "token", "key", "secret"))
    assert Config().locked == frozenset()
