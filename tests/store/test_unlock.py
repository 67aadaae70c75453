"""The offline unlock verifier in the encrypted cache: checked slowly, throttled, never in clear."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from rm_desk.local_store import Store
from rm_desk.local_store.sync_state import LAST_SERVER_CONTACT, get_state, set_state
from rm_desk.local_store.unlock import (
    FAILED_UNLOCKS,
    VERIFIER,
    UnlockCheck,
    UnlockOutcome,
    check_password,
    last_server_contact,
    lease_expired,
    note_online_sign_in,
    recall_me,
    remember_me,
    remember_password,
    unlock_delay,
)
from tests.conftest import FakeClock

FAST = 2**8
PASSWORD = "Spring-2026-潮汐"
MAX_FAILED = 5


def remember(store: Store, password: str = PASSWORD, user_id: str = "rm001") -> None:
    with store.write() as conn:
        remember_password(conn, user_id, password, cost=FAST)


def check(store: Store, clock: FakeClock, password: str, user_id: str = "rm001") -> UnlockCheck:
    with store.write() as conn:
        return check_password(conn, user_id, password, clock(), MAX_FAILED)


def test_the_right_password_is_verified(store: Store, clock: FakeClock) -> None:
    remember(store)
    result = check(store, clock, PASSWORD)
    assert result.outcome is UnlockOutcome.VERIFIED and result.verified


def test_a_wrong_password_is_refused_and_counted(store: Store, clock: FakeClock) -> None:
    remember(store)
    result = check(store, clock, PASSWORD + "x")
    assert result.outcome is UnlockOutcome.WRONG
    assert result.attempts_left == MAX_FAILED - 1
    assert result.retry_after_s == 1.0


def test_no_verifier_or_another_users_verifier_is_not_set_up(
    store: Store, clock: FakeClock
) -> None:
    assert check(store, clock, PASSWORD).outcome is UnlockOutcome.NOT_SET_UP
    remember(store, user_id="rm002")
    assert check(store, clock, PASSWORD, user_id="rm001").outcome is UnlockOutcome.NOT_SET_UP


def test_an_attempt_too_soon_after_a_failure_is_throttled_without_being_tried(
    store: Store, clock: FakeClock
) -> None:
    remember(store)
    check(store, clock, "wrong")
    clock.advance(seconds=0.5)
    throttled = check(store, clock, PASSWORD)  # even the right password waits
    assert throttled.outcome is UnlockOutcome.THROTTLED
    assert throttled.retry_after_s == pytest.approx(0.5)
    assert throttled.attempts_left == MAX_FAILED - 1  # a throttled try is not counted
    clock.advance(seconds=0.5)
    assert check(store, clock, PASSWORD).verified


def test_the_delay_grows_with_each_failure() -> None:
    assert [unlock_delay(n) for n in range(8)] == [0, 1, 2, 4, 8, 16, 30, 30]


def test_after_max_failures_only_an_online_sign_in_unlocks(store: Store, clock: FakeClock) -> None:
    remember(store)
    outcomes = []
    for _ in range(MAX_FAILED):
        outcomes.append(check(store, clock, "wrong").outcome)
        clock.advance(seconds=60)
    assert outcomes == [UnlockOutcome.WRONG] * (MAX_FAILED - 1) + [UnlockOutcome.LOCKED_OUT]
    assert check(store, clock, PASSWORD).outcome is UnlockOutcome.LOCKED_OUT

    remember(store)  # what a successful online sign-in does
    assert check(store, clock, PASSWORD).verified


def test_a_success_resets_the_count(store: Store, clock: FakeClock) -> None:
    remember(store)
    for _ in range(MAX_FAILED - 1):
        check(store, clock, "wrong")
        clock.advance(seconds=60)
    assert check(store, clock, PASSWORD).verified
    with store.read() as conn:
        assert get_state(conn, FAILED_UNLOCKS) is None
    assert check(store, clock, "wrong").attempts_left == MAX_FAILED - 1


def test_a_tampered_failure_count_is_no_free_pass(store: Store, clock: FakeClock) -> None:
    remember(store)
    with store.write() as conn:
        set_state(conn, FAILED_UNLOCKS, "garbage")
    assert check(store, clock, PASSWORD).outcome is UnlockOutcome.LOCKED_OUT


def test_the_verifier_is_salted_and_never_the_password(store: Store) -> None:
    remember(store)
    with store.read() as conn:
        first = get_state(conn, VERIFIER)
    remember(store)
    with store.read() as conn:
        second = get_state(conn, VERIFIER)
    assert first is not None and second is not None
    assert PASSWORD not in first
    assert first != second  # a fresh salt each time


def test_the_password_appears_nowhere_in_the_cache_files(store: Store, clock: FakeClock) -> None:
    remember(store)
    check(store, clock, PASSWORD)
    with store.read() as conn:
        rows = conn.exec_driver_sql("SELECT key, value FROM sync_state").all()
    assert all(PASSWORD not in (value or "") for _, value in rows)
    store.checkpoint()
    needle_utf8 = PASSWORD.encode("utf-8")
    for suffix in ("", "-wal", "-shm"):
        path = Path(str(store.path) + suffix)
        if path.exists():
            assert needle_utf8 not in path.read_bytes()
            assert b"unlock_verifier" not in path.read_bytes()  # the file is ciphertext


def test_me_is_remembered_for_offline_starts(store: Store) -> None:
    record = {"user": {"id": "rm001"}, "permissions": ["pii.reveal"], "policy": {}}
    with store.write() as conn:
        assert recall_me(conn) is None
        remember_me(conn, record)
    with store.read() as conn:
        assert recall_me(conn) == record


def test_the_lease_counts_from_the_latest_server_contact(store: Store, clock: FakeClock) -> None:
    with store.write() as conn:
        assert lease_expired(conn, clock(), 72)  # never in contact: no lease
        note_online_sign_in(conn, clock())
        set_state(conn, LAST_SERVER_CONTACT, (clock() + timedelta(hours=10)).isoformat())
    with store.read() as conn:
        assert last_server_contact(conn) == clock() + timedelta(hours=10)
        assert not lease_expired(conn, clock() + timedelta(hours=82), 72)
        assert lease_expired(conn, clock() + timedelta(hours=82, seconds=1), 72)
