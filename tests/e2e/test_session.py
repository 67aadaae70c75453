"""Signing in against the real reference server, then unlocking offline once it is gone.

Each test has its own data directory (one cache per user under ``users/``), a test vault standing
in for the OS credential store, refresh tokens in memory, and a cheap verifier KDF.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

import pytest

from rm_desk.config import Config
from rm_desk.local_store.audit import verify_chain
from rm_desk.local_store.sync_state import get_state
from rm_desk.paths import AppPaths, user_cache_db
from rm_desk.session import (
    MemoryTokenStore,
    NoOfflineSignIn,
    OfflineLeaseExpired,
    SignedIn,
    UnlockBlocked,
    UnlockThrottled,
    WrongPassword,
    can_unlock_offline,
    sign_in_online,
    sign_out,
    token_name_for,
    unlock_offline,
)
from rm_desk.sync.client import ApiClient
from rm_desk.sync.errors import BadCredentials, Offline, SessionExpired
from rm_desk.sync.headless import DEVICE_ID
from tests.conftest import FakeClock, PersistentTestVault
from tests.e2e.conftest import FAST_KDF, PASSWORD, Bank


@pytest.fixture
def paths(tmp_path: Path) -> AppPaths:
    return AppPaths(tmp_path / "data", tmp_path / "config", tmp_path / "logs").ensure()


@pytest.fixture
def tokens() -> MemoryTokenStore:
    return MemoryTokenStore()


@pytest.fixture
def session_calls(
    bank: Bank, paths: AppPaths, vault: PersistentTestVault, clock: FakeClock, tokens: Any
) -> tuple[Any, Any, Config]:
    config = Config(server_url=bank.url)
    common = {"vault": vault, "clock": clock, "tokens": tokens}
    online = partial(sign_in_online, config, paths, **common, kdf_cost=FAST_KDF)
    offline = partial(unlock_offline, config, paths, **common)
    return online, offline, config


def audit_actions(signed: SignedIn) -> list[tuple[str, Any]]:
    with signed.store.read() as conn:
        rows = conn.exec_driver_sql("SELECT action, detail FROM audit_log ORDER BY seq").all()
        assert verify_chain(conn) is None
    return [(action, detail) for action, detail in rows]


def test_online_sign_in_opens_the_users_own_cache_and_remembers_them(
    session_calls: Any, paths: AppPaths, tokens: MemoryTokenStore, bank: Bank
) -> None:
    online, _, _ = session_calls
    signed = online("rm001", PASSWORD)
    try:
        assert signed.mode == "online"
        assert signed.user.id == "rm001"
        assert "pii.reveal" in signed.permissions
        assert signed.policy.max_failed_unlocks == 5
        assert signed.store.path == user_cache_db(paths, "rm001")
        assert signed.server_url == bank.url
        with signed.store.read() as conn:
            assert get_state(conn, DEVICE_ID) == signed.device_id
        assert tokens.load(token_name_for(bank.url, "rm001")) is not None
        assert [action for action, _ in audit_actions(signed)] == ["login"]
    finally:
        sign_out(signed)


def test_connect_and_online_calls_resume_the_session_on_their_own_clients(
    session_calls: Any, bank: Bank
) -> None:
    online, _, _ = session_calls
    customer_id = sorted(bank.scope("rm001")["customer"])[0]
    signed = online("rm001", PASSWORD)
    try:
        client = signed.connect()
        try:
            assert isinstance(client, ApiClient)
            assert client.me().user.id == "rm001"
        finally:
            client.close()
        page = signed.online.older_transactions(customer_id, limit=5)
        assert len(page.transactions) <= 5
    finally:
        sign_out(signed)


def test_offline_unlock_with_the_same_password_after_the_server_is_gone(
    session_calls: Any, paths: AppPaths, vault: PersistentTestVault, bank: Bank
) -> None:
    online, offline, _ = session_calls
    first = online("rm001", PASSWORD)
    device_id, permissions = first.device_id, first.permissions
    sign_out(first)
    bank.server.stop()

    with pytest.raises(Offline):
        online("rm001", PASSWORD)
    assert can_unlock_offline(paths, "rm001", vault)
    signed = offline("rm001", PASSWORD)
    try:
        assert signed.mode == "offline"
        assert signed.user.id == "rm001"
        assert signed.permissions == permissions
        assert signed.device_id == device_id
        assert audit_actions(signed)[-1] == ("unlock", '{"mode":"offline","outcome":"verified"}')
        with pytest.raises(SessionExpired):  # signed out before: sync waits for a sign-in
            signed.connect()
    finally:
        sign_out(signed)


def test_a_wrong_password_offline_is_refused_counted_and_then_blocked(
    session_calls: Any, bank: Bank, clock: FakeClock
) -> None:
    online, offline, _ = session_calls
    sign_out(online("rm001", PASSWORD))
    bank.server.stop()

    with pytest.raises(WrongPassword) as wrong:
        offline("rm001", "not-my-password")
    assert wrong.value.attempts_left == 4
    assert wrong.value.title and "wrong" in wrong.value.message
    with pytest.raises(UnlockThrottled):
        offline("rm001", PASSWORD)
    for _ in range(4):
        clock.advance(minutes=1)
        with pytest.raises((WrongPassword, UnlockBlocked)):
            offline("rm001", "not-my-password")
    clock.advance(minutes=1)
    with pytest.raises(UnlockBlocked):
        offline("rm001", PASSWORD)


def test_offline_work_is_refused_once_the_lease_has_run_out(
    session_calls: Any, bank: Bank, clock: FakeClock
) -> None:
    online, offline, _ = session_calls
    sign_out(online("rm001", PASSWORD))
    bank.server.stop()

    clock.advance(hours=71)
    sign_out(offline("rm001", PASSWORD))
    clock.advance(hours=2)
    with pytest.raises(OfflineLeaseExpired) as expired:
        offline("rm001", PASSWORD)
    assert expired.value.hours == 72


def test_a_user_who_never_signed_in_here_cannot_work_offline(
    session_calls: Any, paths: AppPaths, vault: PersistentTestVault, bank: Bank
) -> None:
    online, offline, _ = session_calls
    sign_out(online("rm001", PASSWORD))
    bank.server.stop()
    assert not can_unlock_offline(paths, "rm002", vault)
    with pytest.raises(NoOfflineSignIn):
        offline("rm002", PASSWORD)


def test_a_second_user_on_the_same_computer_gets_a_separate_cache(
    session_calls: Any, paths: AppPaths
) -> None:
    online, _, _ = session_calls
    first = online("rm001", PASSWORD)
    first_path, first_device = first.store.path, first.device_id
    sign_out(first)
    second = online("rm002", PASSWORD)
    try:
        assert second.user.id == "rm002"
        assert second.store.path == user_cache_db(paths, "rm002") != first_path
        assert second.device_id == first_device  # one machine, one device id
        with second.store.read() as conn:
            assert get_state(conn, "last_me") is not None
            assert "rm001" not in (get_state(conn, "last_me") or "")
    finally:
        sign_out(second)


def test_a_wrong_password_online_creates_no_cache(session_calls: Any, paths: AppPaths) -> None:
    online, _, _ = session_calls
    with pytest.raises(BadCredentials):
        online("rm001", "wrong")
    assert not user_cache_db(paths, "rm001").exists()


def test_sign_out_ends_the_session_on_the_server_and_forgets_the_token(
    session_calls: Any, bank: Bank, tokens: MemoryTokenStore, clock: FakeClock
) -> None:
    online, _, _ = session_calls
    signed = online("rm001", PASSWORD)
    token = tokens.load(token_name_for(bank.url, "rm001"))
    assert token is not None
    sign_out(signed)
    assert tokens.load(token_name_for(bank.url, "rm001")) is None
    with (
        ApiClient(bank.url, device_id=signed.device_id, device_name="t", clock=clock) as client,
        pytest.raises(SessionExpired),
    ):
        client.resume(token)


def test_the_device_id_stays_the_same_across_sign_ins(session_calls: Any) -> None:
    online, _, _ = session_calls
    first = online("rm001", PASSWORD)
    device_id = first.device_id
    sign_out(first)
    second = online("rm001", PASSWORD)
    try:
        assert second.device_id == device_id
    finally:
        sign_out(second)
