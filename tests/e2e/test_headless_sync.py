"""``rm-desk sync`` against the real reference server: a complete sync into the user's cache, and
one line of words for each way it can fail."""

from __future__ import annotations

import io
from pathlib import Path

import orjson
from sqlalchemy import func, select

from rm_desk.config import Config
from rm_desk.local_store import open_store, schema
from rm_desk.local_store.sync_state import DEVICE_ID, get_state
from rm_desk.local_store.users import known_user_id, machine_device_id
from rm_desk.paths import AppPaths, user_cache_db
from rm_desk.session import MemoryTokenStore, can_unlock_offline, sign_in_online, sign_out
from rm_desk.sync.headless import run
from tests.conftest import FakeClock, PersistentTestVault
from tests.e2e.conftest import FAST_KDF, PASSWORD, Bank


def sync(
    bank_url: str, data_dir: Path, vault: PersistentTestVault, password: str = PASSWORD
) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run(
        [
            "sync",
            "--server",
            bank_url,
            "--user",
            "rm001",
            "--password-stdin",
            "--data-dir",
            str(data_dir),
        ],
        stdin=io.StringIO(password + "\n"),
        stdout=out,
        stderr=err,
        vault=vault,
    )
    return code, out.getvalue(), err.getvalue()


def test_headless_sync_fills_the_users_cache_and_prints_counts(bank: Bank, tmp_path: Path):
    vault = PersistentTestVault()

    code, out, err = sync(bank.url, tmp_path, vault)

    assert (code, err) == (0, "")
    customers = len(bank.scope()["customer"])
    paths = AppPaths(tmp_path, tmp_path / "config", tmp_path / "logs")
    assert user_cache_db(paths, "rm001") == tmp_path / "users" / "rm001" / "cache.db"
    assert not (tmp_path / "cache.db").exists()
    store = open_store(user_cache_db(paths, "rm001"), vault)
    try:
        with store.read() as conn:
            cached = conn.execute(select(func.count()).select_from(schema.customer)).scalar_one()
    finally:
        store.close()
    assert cached == customers
    assert "pending:     0" in out and "received:" in out

    code, out, _ = sync(bank.url, tmp_path, vault)  # again: only what changed since
    assert code == 0 and "received:    0 changes in 1 pages" in out


def test_the_app_signs_in_to_the_cache_headless_sync_filled_with_the_same_device(
    bank: Bank, tmp_path: Path
):
    vault = PersistentTestVault()
    paths = AppPaths(tmp_path, tmp_path / "config", tmp_path / "logs").ensure()
    assert sync(bank.url, tmp_path, vault)[0] == 0
    assert known_user_id(paths, " RM001 ") == "rm001", "the app finds the user's cache offline"
    assert can_unlock_offline(paths, "rm001", vault)
    machine = machine_device_id(paths)

    config = Config(server_url=bank.url, unlock_kdf_cost=FAST_KDF)
    signed = sign_in_online(
        config, paths, "rm001", PASSWORD, vault=vault, clock=FakeClock(), tokens=MemoryTokenStore()
    )
    try:
        assert signed.device_id == machine
        with signed.store.read() as conn:
            cached = conn.execute(select(func.count()).select_from(schema.customer)).scalar_one()
            actions = conn.exec_driver_sql("SELECT action, detail FROM audit_log").all()
            assert get_state(conn, DEVICE_ID) == machine
        assert cached == len(bank.scope()["customer"]), "the app opened the pre-seeded cache"
        assert actions[0] == ("login", '{"mode":"headless"}')
    finally:
        sign_out(signed, wait_s=1.0)
    uploaded = [orjson.loads(row["event"]) for row in bank.client_audit()]
    assert [(e["action"], e["device_id"]) for e in uploaded] == [("login", machine)]


def test_wrong_password_fails_with_one_line_and_status_1(bank: Bank, tmp_path: Path):
    code, out, err = sync(bank.url, tmp_path, PersistentTestVault(), password="wrong")

    assert code == 1 and out == ""
    assert err == "rm-desk sync: Sign-in failed: The username or password is wrong.\n"


def test_unreachable_server_fails_with_one_line_and_status_1(tmp_path: Path):
    code, _, err = sync("http://127.0.0.1:9", tmp_path, PersistentTestVault())

    assert code == 1 and err.count("\n") == 1 and err.startswith("rm-desk sync: Offline:")


def test_bad_command_lines_fail_with_status_2(tmp_path: Path):
    err = io.StringIO()
    assert run(["sync", "--user", "rm001"], stdin=io.StringIO(""), stderr=err) == 2
    assert err.getvalue().count("\n") == 1 and "--server" in err.getvalue()

    err = io.StringIO()
    args = ["--server", "https://crm.example", "--user", "rm001", "--password-stdin"]
    assert run(args, stdin=io.StringIO(""), stderr=err) == 2
    assert "No password" in err.getvalue()
