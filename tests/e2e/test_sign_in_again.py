"""Signing in again over an open session once the bank ended it, against the real server.

The window stays open through all of it: the same cache, the same ``SignedIn``; only the stored
refresh token (and what the cache remembers of the sign-in) is new.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from rm_desk.config import Config
from rm_desk.domain.enums import SyncPhase
from rm_desk.local_store import open_store
from rm_desk.local_store.audit import verify_chain
from rm_desk.local_store.sync_state import get_state
from rm_desk.local_store.unlock import (
    FAILED_UNLOCKS,
    LAST_ME,
    LAST_ONLINE_SIGN_IN,
    VERIFIER,
    UnlockOutcome,
)
from rm_desk.paths import AppPaths
from rm_desk.session import (
    SESSION_ENDED_CODES,
    DifferentUser,
    MemoryTokenStore,
    SignedIn,
    check_unlock,
    session_ended,
    sign_in_again,
    sign_in_online,
    sign_out,
    token_name_for,
    unlock_offline,
)
from rm_desk.sync.client import ApiClient
from rm_desk.sync.engine import SyncEngine
from rm_desk.sync.errors import (
    BadCredentials,
    Offline,
    ProblemFacts,
    SessionExpired,
    error_for,
)
from rm_desk.sync.scheduler import SyncWorker
from rm_desk.sync.service import SyncService
from tests.conftest import FakeClock, PersistentTestVault
from tests.e2e.conftest import FAST_KDF, PASSWORD, Bank


@pytest.fixture
def paths(tmp_path: Path) -> AppPaths:
    return AppPaths(tmp_path / "data", tmp_path / "config", tmp_path / "logs").ensure()


@pytest.fixture
def tokens() -> MemoryTokenStore:
    return MemoryTokenStore()


@pytest.fixture
def config(bank: Bank) -> Config:
    return Config(server_url=bank.url, unlock_kdf_cost=FAST_KDF)


@pytest.fixture
def sessions() -> Iterator[list[SignedIn]]:
    """Sessions a test opened; signed out at its end so no cache stays open."""
    opened: list[SignedIn] = []
    yield opened
    for signed in opened:
        sign_out(signed, wait_s=1.0)


@pytest.fixture
def online(
    config: Config,
    paths: AppPaths,
    vault: PersistentTestVault,
    clock: FakeClock,
    tokens: MemoryTokenStore,
    sessions: list[SignedIn],
) -> Any:
    def sign_in(user: str = "rm001") -> SignedIn:
        signed = sign_in_online(
            config, paths, user, PASSWORD, vault=vault, clock=clock, tokens=tokens
        )
        sessions.append(signed)
        return signed

    return sign_in


@pytest.fixture
def unlocked_after_sign_out(
    config: Config,
    paths: AppPaths,
    vault: PersistentTestVault,
    clock: FakeClock,
    tokens: MemoryTokenStore,
    sessions: list[SignedIn],
) -> SignedIn:
    """rm001 signed in online once, signed out, then unlocked offline: no session to resume."""
    first = sign_in_online(
        config, paths, "rm001", PASSWORD, vault=vault, clock=clock, tokens=tokens
    )
    sign_out(first, wait_s=1.0)
    clock.advance(minutes=5)
    signed = unlock_offline(
        config, paths, "rm001", PASSWORD, vault=vault, clock=clock, tokens=tokens
    )
    sessions.append(signed)
    return signed


def audit_actions(signed: SignedIn) -> list[tuple[str, Any]]:
    with signed.store.read() as conn:
        rows = conn.exec_driver_sql("SELECT action, detail FROM audit_log ORDER BY seq").all()
        assert verify_chain(conn) is None
    return [(action, detail) for action, detail in rows]


def remembered(signed: SignedIn) -> dict[str, str | None]:
    """What the cache keeps of the sign-in: the verifier, the failures, /me, the last sign-in."""
    with signed.store.read() as conn:
        return {
            key: get_state(conn, key)
            for key in (VERIFIER, FAILED_UNLOCKS, LAST_ME, LAST_ONLINE_SIGN_IN)
        }


def customer_count(signed: SignedIn) -> int:
    with signed.store.read() as conn:
        count: int = conn.exec_driver_sql("SELECT count(*) FROM customer").scalar_one()
    return count


class Recording(httpx.HTTPTransport):
    """The network, noting each answer's path and status and the refresh tokens handed out."""

    def __init__(self) -> None:
        super().__init__()
        self.answers: list[tuple[str, int]] = []
        self.refresh_tokens: list[str] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = super().handle_request(request)
        self.answers.append((request.url.path, response.status_code))
        if request.url.path.endswith("/auth/token") and response.status_code == 200:
            response.read()
            self.refresh_tokens.append(orjson.loads(response.content)["refresh_token"])
        return response


def end_on_the_server(bank: Bank, signed: SignedIn, token: str, clock: FakeClock) -> None:
    """The bank ends the session (as an administrator or another sign-out would)."""
    with ApiClient(bank.url, device_id=signed.device_id, device_name="bank", clock=clock) as other:
        other.resume(token)
        other.logout()


def test_after_an_offline_unlock_signing_in_again_lets_sync_and_online_calls_resume(
    unlocked_after_sign_out: SignedIn, bank: Bank, clock: FakeClock, tokens: MemoryTokenStore
) -> None:
    signed = unlocked_after_sign_out
    with pytest.raises(SessionExpired):
        signed.connect()
    assert signed.credentials.mode == "offline"

    clock.advance(minutes=1)
    sign_in_again(signed, PASSWORD, clock=clock)

    assert tokens.load(token_name_for(bank.url, "rm001")) is not None
    with signed.connect() as client:
        result = SyncEngine(signed.store, client).run_round()
    assert result is not None and customer_count(signed) > 0
    customer_id = sorted(bank.scope("rm001")["customer"])[0]
    assert len(signed.online.older_transactions(customer_id, limit=3).transactions) <= 3
    assert signed.mode == "offline"  # how the session began; frozen
    assert signed.credentials.mode == "online"
    assert remembered(signed)[LAST_ONLINE_SIGN_IN] == clock().isoformat()
    assert audit_actions(signed)[-1] == ("login", '{"mode":"again"}')


def test_a_session_the_bank_ended_stops_sync_until_the_user_signs_in_again(
    online: Any, bank: Bank, clock: FakeClock, tokens: MemoryTokenStore
) -> None:
    signed = online()
    token = tokens.load(token_name_for(bank.url, "rm001"))
    assert token is not None
    end_on_the_server(bank, signed, token, clock)
    service = SyncService(signed.store, signed.connect)
    try:
        service.sync_now()
        service.worker.step()
        stopped = service.status()
        assert stopped.phase is SyncPhase.ERROR and stopped.code == "invalid_grant"
        assert session_ended(stopped)

        sign_in_again(signed, PASSWORD, clock=clock)
        service.sync_now()
        service.worker.step()
        resumed = service.status()
        assert resumed.phase is SyncPhase.IDLE and resumed.code is None
        assert resumed.last_success is not None and not session_ended(resumed)
        assert customer_count(signed) > 0
        assert tokens.load(token_name_for(bank.url, "rm001")) != token
    finally:
        service.stop()


def test_a_session_older_than_the_banks_maximum_is_renewed_by_signing_in_again(
    online: Any, bank: Bank, clock: FakeClock
) -> None:
    signed = online()
    clock.advance(seconds=bank.settings.session_max.total_seconds() + 60)
    with pytest.raises(SessionExpired) as ended:
        signed.connect()
    assert ended.value.code in SESSION_ENDED_CODES

    sign_in_again(signed, PASSWORD, clock=clock)
    with signed.connect() as client:
        assert client.me().user.id == "rm001"


def test_signing_in_again_resets_the_failed_unlock_count(
    unlocked_after_sign_out: SignedIn, clock: FakeClock
) -> None:
    signed = unlocked_after_sign_out
    for _ in range(2):
        clock.advance(minutes=1)
        check_unlock(signed, "not-my-password", clock())
    clock.advance(minutes=1)
    assert check_unlock(signed, "still-not-it", clock()).attempts_left == 2

    sign_in_again(signed, PASSWORD, clock=clock)
    assert remembered(signed)[FAILED_UNLOCKS] is None
    wrong = check_unlock(signed, "not-my-password", clock())
    assert wrong.outcome is UnlockOutcome.WRONG and wrong.attempts_left == 4
    clock.advance(minutes=1)
    assert check_unlock(signed, PASSWORD, clock()).verified


def test_a_wrong_password_is_refused_and_changes_nothing(
    unlocked_after_sign_out: SignedIn, bank: Bank, clock: FakeClock, tokens: MemoryTokenStore
) -> None:
    signed = unlocked_after_sign_out
    before, actions = remembered(signed), audit_actions(signed)

    with pytest.raises(BadCredentials) as refused:
        sign_in_again(signed, "not-my-password", clock=clock)

    assert refused.value.title == "Sign-in failed"
    assert remembered(signed) == before and audit_actions(signed) == actions
    assert tokens.load(token_name_for(bank.url, "rm001")) is None
    assert signed.credentials.mode == "offline"
    with pytest.raises(SessionExpired):
        signed.connect()


def test_another_users_sign_in_details_are_refused_and_their_session_ended(
    unlocked_after_sign_out: SignedIn, bank: Bank, clock: FakeClock, tokens: MemoryTokenStore
) -> None:
    signed = unlocked_after_sign_out
    before, actions = remembered(signed), audit_actions(signed)
    network = Recording()

    with pytest.raises(DifferentUser) as refused:
        sign_in_again(signed, PASSWORD, clock=clock, username="rm002", transport=network)

    assert refused.value.title == "Different user"
    assert "different user" in refused.value.message and "sign out" in refused.value.message
    assert remembered(signed) == before and audit_actions(signed) == actions
    assert tokens.load(token_name_for(bank.url, "rm001")) is None
    assert tokens.load(token_name_for(bank.url, "rm002")) is None
    with pytest.raises(SessionExpired):
        signed.connect()
    [strangers_token] = network.refresh_tokens
    assert any(path.endswith("/auth/logout") and status < 300 for path, status in network.answers)
    with (
        ApiClient(bank.url, device_id=signed.device_id, device_name="t", clock=clock) as client,
        pytest.raises(SessionExpired),
    ):
        client.resume(strangers_token)


def _no_client() -> ApiClient:
    raise SessionExpired()


@pytest.mark.parametrize(
    ("problem", "ended"),
    [
        (error_for(ProblemFacts(401, "invalid_grant")), True),
        (error_for(ProblemFacts(401, "token_expired")), True),
        (error_for(ProblemFacts(401, "invalid_token")), True),
        (error_for(ProblemFacts(401, "unauthorized")), True),
        (error_for(ProblemFacts(401, "some_new_code")), True),
        (SessionExpired(), True),  # no stored session to resume
        (error_for(ProblemFacts(403, "device_revoked")), False),
        (error_for(ProblemFacts(403, "forbidden")), False),
        (Offline(), False),
        (None, False),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, Exception) else str(value),
)
def test_which_sync_statuses_say_the_session_ended(
    problem: Exception | None, ended: bool, tmp_path: Path, vault: PersistentTestVault
) -> None:
    store = open_store(tmp_path / "cache.db", vault)
    worker = SyncWorker(store, _no_client, emit=lambda _event: None)
    try:
        if problem is not None:
            worker.schedule.round_failed(0.0, problem)
        status = worker.status()
        assert status.session_ended is ended and session_ended(status) is ended
    finally:
        worker.stop()
        store.close()


def test_the_ended_session_codes_are_the_ones_sync_turns_into_signed_out() -> None:
    for code in SESSION_ENDED_CODES:
        assert isinstance(error_for(ProblemFacts(401, code)), SessionExpired)
