"""Identity and session (API.md §1): tokens, refresh, logout, /me, lockout, expiry."""

from __future__ import annotations

from datetime import timedelta

from tests.server import bank
from tests.server.conftest import Api

PROBLEM = "application/problem+json"


def token_body(username: str = "rm001", password: str = bank.PASSWORD, device: str = "d1"):
    return {
        "username": username,
        "password": password,
        "device_id": device,
        "device_name": "ThinkPad",
    }


def test_sign_in_answers_tokens_and_the_user(api: Api):
    response = api.http.post("/auth/token", json=token_body())

    assert response.status_code == 200
    body = response.json()
    assert body["access_token"] and body["refresh_token"]
    assert body["access_token"] != body["refresh_token"]
    assert body["expires_in"] == 900
    assert body["user"] == {
        "id": "rm001",
        "name": "王伟",
        "role": "rm",
        "team_id": "t-01",
        "branch_id": "b-01",
    }
    assert response.headers["cache-control"] == "no-store"


def test_wrong_password_is_bad_credentials_problem(api: Api):
    response = api.http.post("/auth/token", json=token_body(password="wrong"))

    assert response.status_code == 401
    assert response.headers["content-type"] == PROBLEM
    problem = response.json()
    assert problem["code"] == "bad_credentials"
    assert {"type", "title", "status", "detail", "code"} <= problem.keys()
    assert problem["status"] == 401


def test_unknown_user_is_bad_credentials_like_a_wrong_password(api: Api):
    response = api.http.post("/auth/token", json=token_body(username="nobody"))

    assert response.status_code == 401
    assert response.json()["code"] == "bad_credentials"


def test_five_failures_in_fifteen_minutes_lock_the_account_even_for_the_right_password(api: Api):
    for _ in range(5):
        assert api.http.post("/auth/token", json=token_body(password="x")).status_code == 401

    locked = api.http.post("/auth/token", json=token_body())

    assert locked.status_code == 423
    assert locked.json()["code"] == "account_locked"
    assert 0 < int(locked.headers["retry-after"]) <= 15 * 60
    other_user = api.http.post("/auth/token", json=token_body(username="rm002"))
    assert other_user.status_code == 200


def test_lock_lifts_once_the_failures_are_older_than_fifteen_minutes(api: Api):
    for _ in range(5):
        api.http.post("/auth/token", json=token_body(password="x"))
    api.clock.advance(minutes=16)

    assert api.http.post("/auth/token", json=token_body()).status_code == 200


def test_failures_spread_over_more_than_fifteen_minutes_do_not_lock(api: Api):
    for _ in range(4):
        api.http.post("/auth/token", json=token_body(password="x"))
    api.clock.advance(minutes=16)
    api.http.post("/auth/token", json=token_body(password="x"))

    assert api.http.post("/auth/token", json=token_body()).status_code == 200


def test_success_clears_earlier_failures(api: Api):
    for _ in range(4):
        api.http.post("/auth/token", json=token_body(password="x"))
    assert api.http.post("/auth/token", json=token_body()).status_code == 200
    for _ in range(4):
        api.http.post("/auth/token", json=token_body(password="x"))

    assert api.http.post("/auth/token", json=token_body()).status_code == 200


def test_me_answers_user_permissions_and_the_default_policy(api: Api):
    lead = api.login("lead01")

    response = lead.get("/me")

    assert response.status_code == 200
    body = response.json()
    assert body["user"]["role"] == "team_lead"
    assert body["permissions"] == ["pii.reveal", "task.reassign", "team.view"]
    assert body["policy"] == {
        "idle_lock_minutes": 15,
        "session_max_hours": 12,
        "offline_block_hours": 72,
        "offline_wipe_days": 14,
        "retention_days": 30,
        "transaction_window_days": 90,
        "max_failed_unlocks": 5,
    }


def test_call_without_token_is_unauthorized_problem(api: Api):
    response = api.http.get("/me")

    assert response.status_code == 401
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["code"] == "unauthorized"
    assert response.headers["www-authenticate"].startswith("Bearer")


def test_unknown_token_is_invalid_token(api: Api):
    response = api.http.get("/me", headers={"Authorization": "Bearer not-a-token"})

    assert response.status_code == 401
    assert response.json()["code"] == "invalid_token"


def test_expired_access_token_is_token_expired_and_refresh_gives_a_working_one(api: Api):
    rm = api.login("rm001")
    api.clock.advance(minutes=16)

    expired = rm.get("/me")
    refreshed = api.http.post(
        "/auth/refresh", json={"refresh_token": rm.refresh_token, "device_id": rm.device_id}
    )

    assert expired.status_code == 401
    assert expired.json()["code"] == "token_expired"
    assert refreshed.status_code == 200
    body = refreshed.json()
    assert body["user"]["id"] == "rm001"
    assert body["refresh_token"] == rm.refresh_token
    rm.access_token = body["access_token"]
    assert rm.get("/me").status_code == 200


def test_refresh_answer_lost_on_the_network_is_harmless_the_same_refresh_works_again(api: Api):
    rm = api.login("rm001")
    body = {"refresh_token": rm.refresh_token, "device_id": rm.device_id}

    first = api.http.post("/auth/refresh", json=body)
    second = api.http.post("/auth/refresh", json=body)

    assert first.status_code == second.status_code == 200
    assert first.json()["access_token"] != second.json()["access_token"]


def test_refresh_with_unknown_token_is_invalid_grant(api: Api):
    response = api.http.post("/auth/refresh", json={"refresh_token": "nope", "device_id": "d1"})

    assert response.status_code == 401
    assert response.json()["code"] == "invalid_grant"


def test_refresh_from_another_device_is_invalid_grant(api: Api):
    rm = api.login("rm001")

    response = api.http.post(
        "/auth/refresh", json={"refresh_token": rm.refresh_token, "device_id": "other"}
    )

    assert response.status_code == 401
    assert response.json()["code"] == "invalid_grant"


def test_session_ends_after_its_maximum_length(api: Api):
    rm = api.login("rm001")
    api.clock.advance(hours=12, seconds=1)

    response = api.http.post(
        "/auth/refresh", json={"refresh_token": rm.refresh_token, "device_id": rm.device_id}
    )

    assert response.status_code == 401
    assert response.json()["code"] == "invalid_grant"


def test_access_token_never_outlives_its_session(make_api):
    api = make_api(session_max=timedelta(minutes=5))
    response = api.http.post("/auth/token", json=token_body())

    assert response.json()["expires_in"] == 300


def test_logout_answers_204_and_ends_refresh_and_access(api: Api):
    rm = api.login("rm001")

    response = api.http.post("/auth/logout", json={"refresh_token": rm.refresh_token})

    assert response.status_code == 204
    assert response.content == b""
    refresh = api.http.post(
        "/auth/refresh", json={"refresh_token": rm.refresh_token, "device_id": rm.device_id}
    )
    assert refresh.json()["code"] == "invalid_grant"
    assert rm.get("/me").json()["code"] == "invalid_token"


def test_logout_twice_or_with_unknown_token_is_still_204(api: Api):
    rm = api.login("rm001")
    api.http.post("/auth/logout", json={"refresh_token": rm.refresh_token})

    for token in (rm.refresh_token, "unknown"):
        response = api.http.post("/auth/logout", json={"refresh_token": token})
        assert response.status_code == 204


def test_sign_in_with_missing_field_is_validation_error_with_field_errors(api: Api):
    response = api.http.post("/auth/token", json={"username": "rm001", "password": "x"})

    assert response.status_code == 422
    problem = response.json()
    assert problem["code"] == "validation_error"
    assert set(problem["field_errors"]) == {"device_id", "device_name"}


def test_passwords_are_stored_as_salted_scrypt_hashes(api: Api):
    from sqlalchemy import select

    from crm_server.schema import app_user

    with api.server.services.database.read() as conn:
        hashes = conn.execute(select(app_user.c.password_hash)).scalars().all()

    assert all(stored.startswith("scrypt$") for stored in hashes)
    assert len({stored.split("$")[4] for stored in hashes}) == len(hashes)  # one salt each
    assert not any(bank.PASSWORD in stored for stored in hashes)


def test_health_needs_no_token(api: Api):
    response = api.http.get("/health")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "server_time": "2026-11-20T09:00:00Z"}
