"""The API.md client on the wire, against ``httpx.MockTransport``: every status and code of the
contract, broken answers from servers and proxies, lost connections, and no secret in any error."""

from __future__ import annotations

import gzip
import socket
import ssl
import threading
import traceback
from collections.abc import Callable, Iterator
from datetime import timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from rm_desk.domain.enums import ConflictKind, OpKind, OpState, Role
from rm_desk.errors import ConfigError, RmDeskError
from rm_desk.sync.client import (
    ApiClient,
    Mutation,
    MutationApplied,
    MutationConflict,
    MutationRejected,
    Policy,
    Timeouts,
)
from rm_desk.sync.errors import (
    AccountLocked,
    AuthError,
    BadCredentials,
    CursorExpired,
    DeviceRevoked,
    IdempotencyMismatch,
    NotFound,
    Offline,
    PermissionDenied,
    ProtocolError,
    RateLimited,
    RequestRejected,
    ServerUnavailable,
    SessionExpired,
    SyncError,
    UntrustedServer,
)
from tests.conftest import FakeClock

BASE = "https://crm.bank.example"
API = "/api/v1"
PASSWORD = "pw-SECRET-hunter2"
ACCESS = "at-SECRET-access-one"
ACCESS_2 = "at-SECRET-access-two"
REFRESH = "rt-SECRET-refresh"
SECRETS = (PASSWORD, ACCESS, ACCESS_2, REFRESH)
DEVICE = "dev-7f3a"
USER = {"id": "rm001", "name": "王伟", "role": "rm", "team_id": "t-01", "branch_id": "b-01"}
HTML = b"<html><body><h1>502 Bad Gateway</h1><p>nginx</p></body></html>"

Reply = httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]


def token_answer(access: str = ACCESS, expires_in: int = 900) -> dict[str, Any]:
    return {
        "access_token": access,
        "refresh_token": REFRESH,
        "token_type": "Bearer",
        "expires_in": expires_in,
        "user": USER,
    }


def ok(body: Any = None, status: int = 200, *, gzipped: bool = False) -> httpx.Response:
    content = b"" if body is None else orjson.dumps(body)
    headers = {"Content-Type": "application/json"}
    if gzipped:
        content = gzip.compress(content)
        headers["Content-Encoding"] = "gzip"
    return httpx.Response(status, content=content, headers=headers)


def problem(
    status: int, code: str | None, headers: dict[str, str] | None = None, **extra: Any
) -> httpx.Response:
    body: dict[str, Any] = {
        "type": f"urn:rm-desk:problem:{code}",
        "title": "t",
        "status": status,
        # A careless server may echo what it was sent; none of it may reach an error.
        "detail": f"echo {PASSWORD} {ACCESS} {REFRESH} 13800138000",
        **extra,
    }
    if code is not None:
        body["code"] = code
    return httpx.Response(
        status,
        content=orjson.dumps(body),
        headers={"Content-Type": "application/problem+json", **(headers or {})},
    )


class FakeServer:
    """Scripted answers per method and path; the last answer of a script repeats."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.scripts: dict[tuple[str, str], list[Reply]] = {}

    def on(self, method: str, path: str, *replies: Reply) -> None:
        self.scripts[(method, API + path)] = list(replies)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.raw_path.decode().partition("?")[0]  # still percent-encoded
        script = self.scripts.get((request.method, path))
        if not script:
            return problem(404, "not_found")
        reply = script.pop(0) if len(script) > 1 else script[0]
        if isinstance(reply, Exception):
            raise reply
        if isinstance(reply, httpx.Response):
            return reply
        return reply(request)

    def calls(self) -> list[str]:
        return [f"{r.method} {r.url.path.removeprefix(API)}" for r in self.requests]

    def body(self, index: int = -1) -> Any:
        return orjson.loads(self.requests[index].content)


@pytest.fixture
def server() -> FakeServer:
    return FakeServer()


@pytest.fixture
def client(server: FakeServer, clock: FakeClock) -> Iterator[ApiClient]:
    with ApiClient(
        BASE,
        transport=httpx.MockTransport(server),
        device_id=DEVICE,
        device_name="ThinkPad-王",
        clock=clock,
    ) as api:
        yield api


@pytest.fixture
def signed_in(client: ApiClient, server: FakeServer) -> ApiClient:
    server.on("POST", "/auth/token", ok(token_answer()))
    client.login("rm001", PASSWORD)
    server.requests.clear()
    return client


def assert_no_secret(error: BaseException) -> None:
    shown = [
        str(error),
        repr(error),
        getattr(error, "title", ""),
        getattr(error, "message", ""),
        "".join(traceback.format_exception(error)),
    ]
    for text in shown:
        for secret in (*SECRETS, "13800138000", "<html"):
            assert secret not in text
    # No link to the library's exception either: it holds the request and its headers.
    assert error.__cause__ is None and error.__context__ is None


# --- identity and session ----------------------------------------------------------------------


def test_sign_in_sends_credentials_and_device_and_keeps_no_password(
    client: ApiClient, server: FakeServer, clock: FakeClock
) -> None:
    server.on("POST", "/auth/token", ok(token_answer(expires_in=900)))

    session = client.login("rm001", PASSWORD)

    assert server.body() == {
        "username": "rm001",
        "password": PASSWORD,
        "device_id": DEVICE,
        "device_name": "ThinkPad-王",
    }
    assert "authorization" not in server.requests[0].headers
    assert session.user.id == "rm001" and session.user.role is Role.RM
    assert session.expires_at == clock.now + timedelta(seconds=900)
    assert client.session == session
    for text in (repr(session), str(session), repr(client), str(client)):
        assert ACCESS not in text and REFRESH not in text and PASSWORD not in text
    assert PASSWORD not in repr(vars(client))


def test_every_call_carries_bearer_token_device_id_and_gzip(
    signed_in: ApiClient, server: FakeServer
) -> None:
    server.on("GET", "/device", ok({"status": "active", "wipe": False}))

    signed_in.device_status()

    (request,) = server.requests
    assert request.url == f"{BASE}{API}/device"
    assert request.headers["authorization"] == f"Bearer {ACCESS}"
    assert request.headers["x-device-id"] == DEVICE
    assert request.headers["accept-encoding"] == "gzip"
    assert request.headers["user-agent"].startswith("rm-desk/")


def test_timeouts_are_5s_to_connect_and_30s_to_read_by_default(
    signed_in: ApiClient, server: FakeServer
) -> None:
    server.on("GET", "/device", ok({"status": "active", "wipe": False}))

    signed_in.device_status()

    assert server.requests[0].extensions["timeout"] == {
        "connect": 5.0,
        "read": 30.0,
        "write": 30.0,
        "pool": 5.0,
    }


def test_health_needs_no_sign_in(client: ApiClient, server: FakeServer) -> None:
    server.on("GET", "/health", ok({"status": "ok", "server_time": "2026-11-20T09:00:00Z"}))

    health = client.health()

    assert (health.status, health.server_time) == ("ok", "2026-11-20T09:00:00Z")
    assert "authorization" not in server.requests[0].headers
    assert server.requests[0].headers["accept-encoding"] == "gzip"


def test_calls_before_sign_in_say_signed_out_without_a_request(
    client: ApiClient, server: FakeServer
) -> None:
    with pytest.raises(SessionExpired):
        client.me()
    assert server.requests == []


def test_resume_refreshes_a_stored_session_without_bearer(
    client: ApiClient, server: FakeServer
) -> None:
    server.on("POST", "/auth/refresh", ok(token_answer()))

    session = client.resume(REFRESH)

    assert server.body() == {"refresh_token": REFRESH, "device_id": DEVICE}
    assert "authorization" not in server.requests[0].headers
    assert session.access_token == ACCESS and client.session == session


def test_me_reads_user_permissions_and_policy(signed_in: ApiClient, server: FakeServer) -> None:
    policy = {"idle_lock_minutes": 5, "session_max_hours": 8, "offline_block_hours": 24}
    server.on(
        "GET",
        "/me",
        ok({"user": USER, "permissions": ["pii.reveal", "export.csv"], "policy": policy}),
    )

    me = signed_in.me()

    assert me.user.name == "王伟" and me.user.team_id == "t-01"
    assert me.permissions == {"pii.reveal", "export.csv"}
    # What the server leaves out keeps the defaults of API.md §1.
    assert me.policy == Policy(
        idle_lock_minutes=5,
        session_max_hours=8,
        offline_block_hours=24,
        offline_wipe_days=14,
        retention_days=30,
        transaction_window_days=90,
        max_failed_unlocks=5,
    )
    assert Policy() == Policy(15, 12, 72, 14, 30, 90, 5)


def test_logout_ends_the_session_with_a_204(signed_in: ApiClient, server: FakeServer) -> None:
    server.on("POST", "/auth/logout", httpx.Response(204))

    signed_in.logout()

    assert server.body() == {"refresh_token": REFRESH}
    assert server.requests[0].headers["authorization"] == f"Bearer {ACCESS}"
    assert signed_in.session is None


def test_logout_while_offline_still_forgets_the_session(
    signed_in: ApiClient, server: FakeServer
) -> None:
    server.on("POST", "/auth/logout", httpx.ConnectError("[Errno 111] Connection refused"))

    with pytest.raises(Offline):
        signed_in.logout()
    assert signed_in.session is None


# --- the one refresh on token_expired ---------------------------------------------------------


def test_expired_token_is_refreshed_once_and_the_call_sent_again(
    signed_in: ApiClient, server: FakeServer
) -> None:
    server.on(
        "GET", "/device", problem(401, "token_expired"), ok({"status": "active", "wipe": False})
    )
    server.on("POST", "/auth/refresh", ok(token_answer(ACCESS_2)))

    status = signed_in.device_status()

    assert status.status == "active"
    assert server.calls() == ["GET /device", "POST /auth/refresh", "GET /device"]
    assert server.requests[0].headers["authorization"] == f"Bearer {ACCESS}"
    assert "authorization" not in server.requests[1].headers
    assert server.requests[2].headers["authorization"] == f"Bearer {ACCESS_2}"
    assert signed_in.session is not None and signed_in.session.access_token == ACCESS_2


def test_a_second_token_expired_is_not_refreshed_again(
    signed_in: ApiClient, server: FakeServer
) -> None:
    server.on("GET", "/device", problem(401, "token_expired"))
    server.on("POST", "/auth/refresh", ok(token_answer(ACCESS_2)))

    with pytest.raises(SessionExpired) as caught:
        signed_in.device_status()

    assert server.calls() == ["GET /device", "POST /auth/refresh", "GET /device"]
    assert caught.value.status == 401 and caught.value.code == "token_expired"
    assert not caught.value.retryable
    assert signed_in.session is None  # signed out, as the words say
    assert_no_secret(caught.value)


def test_push_with_expired_token_is_sent_again_with_the_same_body(
    signed_in: ApiClient, server: FakeServer
) -> None:
    server.on(
        "POST",
        "/mutations",
        problem(401, "token_expired"),
        ok({"results": [{"op_id": "op-1", "status": "applied", "rev": 9, "record": {}}]}),
    )
    server.on("POST", "/auth/refresh", ok(token_answer(ACCESS_2)))

    signed_in.push([Mutation("op-1", "visit", "v-1", OpKind.CREATE, fields={"notes": "x"})])

    assert server.requests[0].content == server.requests[2].content


def test_refresh_refused_with_invalid_grant_signs_out(
    signed_in: ApiClient, server: FakeServer
) -> None:
    server.on("GET", "/me", problem(401, "token_expired"))
    server.on("POST", "/auth/refresh", problem(401, "invalid_grant"))

    with pytest.raises(SessionExpired) as caught:
        signed_in.me()

    assert server.calls() == ["GET /me", "POST /auth/refresh"]
    assert caught.value.code == "invalid_grant"
    assert signed_in.session is None
    assert_no_secret(caught.value)


def test_revoked_device_is_told_to_wipe_on_refresh(
    signed_in: ApiClient, server: FakeServer
) -> None:
    server.on("GET", "/changes", problem(401, "token_expired"))
    server.on("POST", "/auth/refresh", problem(403, "device_revoked", wipe=True))

    with pytest.raises(DeviceRevoked) as caught:
        signed_in.changes()

    assert caught.value.wipe is True
    assert "erased" in caught.value.message
    assert isinstance(caught.value, AuthError) and not caught.value.retryable
    assert signed_in.session is None
    assert_no_secret(caught.value)


def test_revoked_device_is_told_to_wipe_on_any_call(
    signed_in: ApiClient, server: FakeServer
) -> None:
    server.on("GET", "/changes", problem(403, "device_revoked", wipe=True))

    with pytest.raises(DeviceRevoked) as caught:
        signed_in.changes()

    assert caught.value.wipe is True and caught.value.status == 403
    assert server.calls() == ["GET /changes"]
    assert signed_in.session is None
    assert_no_secret(caught.value)


def test_revoked_device_without_wipe_flag_is_not_wiped(
    signed_in: ApiClient, server: FakeServer
) -> None:
    server.on("GET", "/changes", problem(403, "device_revoked"))

    with pytest.raises(DeviceRevoked) as caught:
        signed_in.changes()

    assert caught.value.wipe is False


def test_device_status_reports_a_revoked_device(signed_in: ApiClient, server: FakeServer) -> None:
    server.on("GET", "/device", ok({"status": "revoked", "wipe": True}))

    status = signed_in.device_status()

    assert (status.status, status.wipe) == ("revoked", True)


# --- every status and code of API.md ----------------------------------------------------------

ERROR_ROWS: dict[str, tuple[httpx.Response, type[SyncError], bool, float | None]] = {
    # name: (answer, error, retryable, retry_after)
    "401 bad_credentials": (problem(401, "bad_credentials"), BadCredentials, False, None),
    "401 invalid_token": (problem(401, "invalid_token"), SessionExpired, False, None),
    "403 forbidden": (problem(403, "forbidden"), PermissionDenied, False, None),
    "404 not_found": (problem(404, "not_found"), NotFound, False, None),
    "410 cursor_expired": (problem(410, "cursor_expired"), CursorExpired, False, None),
    "413 payload_too_large": (problem(413, "payload_too_large"), RequestRejected, False, None),
    "412 precondition failed": (problem(412, "precondition_failed"), RequestRejected, False, None),
    "400 validation_error": (problem(400, "validation_error"), RequestRejected, False, None),
    "422 idempotency_mismatch": (
        problem(422, "idempotency_mismatch"),
        IdempotencyMismatch,
        False,
        None,
    ),
    "423 account_locked": (
        problem(423, "account_locked", {"Retry-After": "600"}),
        AccountLocked,
        False,
        600.0,
    ),
    "429 rate_limited": (
        problem(429, "rate_limited", {"Retry-After": "7"}),
        RateLimited,
        True,
        7.0,
    ),
    "500 internal_error": (problem(500, "internal_error"), ServerUnavailable, True, None),
    "503 service_unavailable": (
        problem(503, "service_unavailable", {"Retry-After": "1"}),
        ServerUnavailable,
        True,
        1.0,
    ),
    "502 HTML page from a proxy": (
        httpx.Response(502, content=HTML, headers={"Content-Type": "text/html"}),
        ServerUnavailable,
        True,
        None,
    ),
    "503 HTML page with Retry-After": (
        httpx.Response(503, content=HTML, headers={"Retry-After": "30"}),
        ServerUnavailable,
        True,
        30.0,
    ),
    "403 HTML page from a proxy": (
        httpx.Response(403, content=HTML, headers={"Content-Type": "text/html"}),
        ProtocolError,
        True,
        None,
    ),
    "422 problem without a code": (problem(422, None), ProtocolError, True, None),
    "302 redirect from a captive portal": (
        httpx.Response(302, headers={"Location": "http://login.hotel.example/"}),
        ProtocolError,
        True,
        None,
    ),
    "unknown code on a 403: by status": (problem(403, "new_rule"), PermissionDenied, False, None),
}


@pytest.mark.parametrize(
    ("answer", "error", "retryable", "retry_after"), ERROR_ROWS.values(), ids=ERROR_ROWS
)
def test_error_answers_become_errors_with_words_for_people(
    signed_in: ApiClient,
    server: FakeServer,
    answer: httpx.Response,
    error: type[SyncError],
    retryable: bool,
    retry_after: float | None,
) -> None:
    server.on("GET", "/changes", answer)

    with pytest.raises(SyncError) as caught:
        signed_in.changes(cursor="c1")

    assert type(caught.value) is error
    assert caught.value.retryable is retryable
    assert caught.value.retry_after == retry_after
    assert caught.value.status == answer.status_code
    assert caught.value.title and caught.value.message
    assert isinstance(caught.value, RmDeskError)
    assert server.calls() == ["GET /changes"]  # no hidden retries
    assert_no_secret(caught.value)


@pytest.mark.parametrize("status", [400, 403, 412, 422])
def test_nothing_answered_400_403_412_422_is_retried(
    signed_in: ApiClient, server: FakeServer, status: int
) -> None:
    server.on(
        "GET", "/changes", problem(status, "validation_error" if status != 403 else "forbidden")
    )

    with pytest.raises(SyncError) as caught:
        signed_in.changes()

    assert caught.value.retryable is False


def test_validation_error_keeps_field_errors_for_the_sync_issues_list(
    signed_in: ApiClient, server: FakeServer
) -> None:
    server.on(
        "POST",
        "/mutations",
        problem(422, "validation_error", field_errors={"mutations[0].op": "unknown op"}),
    )

    with pytest.raises(RequestRejected) as caught:
        signed_in.push([Mutation("op-1", "visit", "v-1", OpKind.CREATE, fields={})])

    assert caught.value.code == "validation_error"
    assert dict(caught.value.field_errors) == {"mutations[0].op": "unknown op"}
    assert "unknown op" not in str(caught.value)


def test_sign_in_with_a_wrong_password(client: ApiClient, server: FakeServer) -> None:
    server.on("POST", "/auth/token", problem(401, "bad_credentials"))

    with pytest.raises(BadCredentials) as caught:
        client.login("rm001", PASSWORD)

    assert caught.value.message == "The username or password is wrong."
    assert client.session is None
    assert_no_secret(caught.value)


def test_sign_in_on_a_locked_account(client: ApiClient, server: FakeServer) -> None:
    server.on("POST", "/auth/token", problem(423, "account_locked", {"Retry-After": "840"}))

    with pytest.raises(AccountLocked) as caught:
        client.login("rm001", PASSWORD)

    assert caught.value.retry_after == 840.0
    assert_no_secret(caught.value)


def test_retry_after_as_an_http_date(
    signed_in: ApiClient, server: FakeServer, clock: FakeClock
) -> None:
    when = format_datetime(clock.now + timedelta(seconds=90), usegmt=True)
    server.on("GET", "/changes", problem(429, "rate_limited", {"Retry-After": when}))

    with pytest.raises(RateLimited) as caught:
        signed_in.changes()

    assert caught.value.retry_after == 90.0


def test_unreadable_retry_after_is_ignored(signed_in: ApiClient, server: FakeServer) -> None:
    server.on("GET", "/changes", problem(503, "service_unavailable", {"Retry-After": "soon"}))

    with pytest.raises(ServerUnavailable) as caught:
        signed_in.changes()

    assert caught.value.retry_after is None


# --- broken answers --------------------------------------------------------------------------

PAGE = {
    "changes": [{"entity": "customer", "id": "c-000123", "rev": 88121, "op": "upsert", "data": {}}],
    "cursor": "opaque",
    "has_more": True,
    "estimated_remaining": 412003,
    "server_time": "2026-11-20T09:00:00Z",
}


def test_feed_page_is_read_from_a_gzip_body(signed_in: ApiClient, server: FakeServer) -> None:
    server.on("GET", "/changes", ok(PAGE, gzipped=True))

    page = signed_in.changes(cursor="abc", limit=5000)

    assert page.changes == PAGE["changes"]
    assert (page.cursor, page.has_more, page.estimated_remaining) == ("opaque", True, 412003)
    assert page.server_time == "2026-11-20T09:00:00Z"
    assert dict(server.requests[0].url.params) == {"cursor": "abc", "limit": "5000"}


def test_feed_from_the_beginning_sends_no_cursor(signed_in: ApiClient, server: FakeServer) -> None:
    server.on("GET", "/changes", ok(PAGE))

    signed_in.changes()

    assert dict(server.requests[0].url.params) == {}


def test_feed_records_are_not_judged_by_the_client(
    signed_in: ApiClient, server: FakeServer
) -> None:
    # One bad record is the pull's to quarantine: the envelope is fine, so the page is delivered.
    page = {**PAGE, "changes": [{"entity": "customer", "id": 5, "rev": "x"}]}
    server.on("GET", "/changes", ok(page))

    assert signed_in.changes().changes == [{"entity": "customer", "id": 5, "rev": "x"}]


BROKEN_BODIES: dict[str, httpx.Response] = {
    "truncated JSON": httpx.Response(200, content=orjson.dumps(PAGE)[:57]),
    "malformed JSON": httpx.Response(200, content=b'{"changes": [}, "cursor": '),
    "HTML from a captive portal": httpx.Response(200, content=HTML),
    "empty body": httpx.Response(200, content=b""),
    "gzip that does not inflate": httpx.Response(
        200, content=b"\x1f\x8b\x08\x00 truncated", headers={"Content-Encoding": "gzip"}
    ),
    "truncated gzip": httpx.Response(
        200, content=gzip.compress(orjson.dumps(PAGE))[:40], headers={"Content-Encoding": "gzip"}
    ),
    "array instead of object": httpx.Response(200, content=b"[]"),
    "has_more as text": ok({**PAGE, "has_more": "yes"}),
    "estimated_remaining as a boolean": ok({**PAGE, "estimated_remaining": True}),
    "estimated_remaining as text": ok({**PAGE, "estimated_remaining": "412003"}),
    "cursor null": ok({**PAGE, "cursor": None}),
    "cursor missing": ok({k: v for k, v in PAGE.items() if k != "cursor"}),
    "changes not a list": ok({**PAGE, "changes": {"a": 1}}),
    "a change that is not an object": ok({**PAGE, "changes": [1]}),
}


@pytest.mark.parametrize("answer", BROKEN_BODIES.values(), ids=BROKEN_BODIES)
def test_broken_feed_answers_are_protocol_errors(
    signed_in: ApiClient, server: FakeServer, answer: httpx.Response
) -> None:
    server.on("GET", "/changes", answer)

    with pytest.raises(ProtocolError) as caught:
        signed_in.changes()

    assert caught.value.retryable
    assert caught.value.message.startswith("The bank's server sent an answer")
    assert_no_secret(caught.value)


@pytest.mark.parametrize(
    "answer",
    [
        {**token_answer(), "expires_in": "900"},
        {**token_answer(), "access_token": None},
        {**token_answer(), "user": {**USER, "role": "admin"}},
        {**token_answer(), "user": "rm001"},
    ],
    ids=["expires_in as text", "no access token", "unknown role", "user not an object"],
)
def test_broken_token_answers_are_protocol_errors_and_leave_signed_out(
    client: ApiClient, server: FakeServer, answer: dict[str, Any]
) -> None:
    server.on("POST", "/auth/token", ok(answer))

    with pytest.raises(ProtocolError) as caught:
        client.login("rm001", PASSWORD)

    assert client.session is None
    assert_no_secret(caught.value)


def test_policy_member_of_the_wrong_type_is_a_protocol_error(
    signed_in: ApiClient, server: FakeServer
) -> None:
    server.on(
        "GET",
        "/me",
        ok({"user": USER, "permissions": [], "policy": {"idle_lock_minutes": "15"}}),
    )

    with pytest.raises(ProtocolError):
        signed_in.me()


# --- push ----------------------------------------------------------------------------------------


def test_push_sends_mutations_and_reads_one_result_of_each_kind(
    signed_in: ApiClient, server: FakeServer
) -> None:
    mutations = [
        Mutation("op-1", "visit", "v-1", OpKind.CREATE, fields={"notes": "客户想续作"}),
        Mutation(
            "op-2", "task", "t-88", OpKind.UPDATE, base_rev=88001, fields={"status": "completed"}
        ),
        Mutation("op-3", "opportunity", "o-1", OpKind.DELETE, base_rev=87000),
    ]
    server.on(
        "POST",
        "/mutations",
        ok(
            {
                "results": [
                    {
                        "op_id": "op-1",
                        "status": "applied",
                        "rev": 90001,
                        "record": {"id": "v-1"},
                        "replayed": True,
                    },
                    {
                        "op_id": "op-2",
                        "status": "conflict",
                        "kind": "fields",
                        "rev": 90000,
                        "record": {"id": "t-88", "status": "cancelled"},
                        "field_revs": {"status": 89999},
                        "conflicting_fields": ["status"],
                    },
                    {
                        "op_id": "op-3",
                        "status": "rejected",
                        "code": "forbidden",
                        "message": "Not your opportunity.",
                        "field_errors": {},
                    },
                ]
            }
        ),
    )

    applied, conflict, rejected = signed_in.push(mutations)

    assert server.body() == {
        "mutations": [
            {
                "op_id": "op-1",
                "entity": "visit",
                "id": "v-1",
                "op": "create",
                "fields": {"notes": "客户想续作"},
            },
            {
                "op_id": "op-2",
                "entity": "task",
                "id": "t-88",
                "op": "update",
                "base_rev": 88001,
                "fields": {"status": "completed"},
            },
            {
                "op_id": "op-3",
                "entity": "opportunity",
                "id": "o-1",
                "op": "delete",
                "base_rev": 87000,
            },
        ]
    }
    assert applied == MutationApplied("op-1", 90001, {"id": "v-1"}, replayed=True)
    assert isinstance(conflict, MutationConflict)
    assert (conflict.kind, conflict.rev, conflict.conflicting_fields) == (
        ConflictKind.FIELDS,
        90000,
        ("status",),
    )
    assert dict(conflict.field_revs) == {"status": 89999}
    assert conflict.record == {"id": "t-88", "status": "cancelled"}
    assert isinstance(rejected, MutationRejected)
    assert (rejected.code, rejected.message, rejected.replayed) == (
        "forbidden",
        "Not your opportunity.",
        False,
    )
    assert [r.state for r in (applied, conflict, rejected)] == [
        OpState.APPLIED,
        OpState.CONFLICT,
        OpState.REJECTED,
    ]


def test_conflict_on_a_deleted_record_has_no_record(
    signed_in: ApiClient, server: FakeServer
) -> None:
    server.on(
        "POST",
        "/mutations",
        ok(
            {
                "results": [
                    {
                        "op_id": "op-1",
                        "status": "conflict",
                        "kind": "deleted",
                        "rev": 5,
                        "record": None,
                        "field_revs": None,
                        "conflicting_fields": None,
                    }
                ]
            }
        ),
    )

    (result,) = signed_in.push([Mutation("op-1", "visit", "v-1", OpKind.UPDATE, 4, {"notes": "x"})])

    assert isinstance(result, MutationConflict)
    assert (result.kind, result.record, result.conflicting_fields) == (
        ConflictKind.DELETED,
        None,
        (),
    )


@pytest.mark.parametrize(
    "results",
    [
        [],
        [{"op_id": "op-2", "status": "applied", "rev": 1, "record": {}}],
        [{"op_id": "op-1", "status": "done", "rev": 1}],
        [{"op_id": "op-1", "status": "applied", "rev": "1", "record": {}}],
        [{"op_id": "op-1", "status": "conflict", "kind": "sideways", "rev": 1}],
        [{"op_id": "op-1", "status": "conflict", "kind": "fields", "field_revs": {"a": "1"}}],
    ],
    ids=[
        "no result",
        "another op's result",
        "unknown status",
        "rev as text",
        "unknown kind",
        "field_revs not numbers",
    ],
)
def test_push_results_that_do_not_answer_the_mutations_are_protocol_errors(
    signed_in: ApiClient, server: FakeServer, results: list[dict[str, Any]]
) -> None:
    server.on("POST", "/mutations", ok({"results": results}))

    with pytest.raises(ProtocolError):
        signed_in.push([Mutation("op-1", "visit", "v-1", OpKind.CREATE, fields={})])


def test_push_of_more_than_200_is_refused_before_sending(
    signed_in: ApiClient, server: FakeServer
) -> None:
    batch = [Mutation(f"op-{i}", "visit", f"v-{i}", OpKind.CREATE, fields={}) for i in range(201)]

    with pytest.raises(ValueError, match="200"):
        signed_in.push(batch)
    assert signed_in.push([]) == []
    assert server.requests == []


def test_idempotency_mismatch_on_push(signed_in: ApiClient, server: FakeServer) -> None:
    server.on("POST", "/mutations", problem(422, "idempotency_mismatch"))

    with pytest.raises(IdempotencyMismatch) as caught:
        signed_in.push([Mutation("op-1", "visit", "v-1", OpKind.CREATE, fields={})])

    assert isinstance(caught.value, RequestRejected) and not caught.value.retryable


# --- the other calls -----------------------------------------------------------------------------


def test_reveal_posts_field_and_reason_and_answers_the_value(
    signed_in: ApiClient, server: FakeServer
) -> None:
    server.on(
        "POST",
        "/customers/c%2F1/reveal",
        ok({"customer_id": "c/1", "field": "mobile", "record_id": "c/1", "value": "13800138000"}),
    )

    value = signed_in.reveal("c/1", "mobile", "回访确认")

    assert value == "13800138000"
    assert server.requests[0].url.raw_path == b"/api/v1/customers/c%2F1/reveal"
    assert server.body() == {"field": "mobile", "reason": "回访确认"}


def test_reveal_without_permission(signed_in: ApiClient, server: FakeServer) -> None:
    server.on("POST", "/customers/c-1/reveal", problem(403, "forbidden"))

    with pytest.raises(PermissionDenied) as caught:
        signed_in.reveal("c-1", "mobile", "回访")

    assert_no_secret(caught.value)


def test_older_transactions_pages_back_in_time(signed_in: ApiClient, server: FakeServer) -> None:
    server.on(
        "GET",
        "/customers/c-1/transactions",
        ok(
            {
                "transactions": [{"id": "x1"}],
                "has_more": True,
                "next_before": "2026-01-01T00:00:00Z",
            }
        ),
    )

    page = signed_in.older_transactions("c-1", before="2026-08-01T00:00:00Z", limit=50)

    assert page.transactions == [{"id": "x1"}]
    assert (page.has_more, page.next_before) == (True, "2026-01-01T00:00:00Z")
    assert dict(server.requests[0].url.params) == {
        "before": "2026-08-01T00:00:00Z",
        "limit": "50",
    }


def test_audit_upload_answers_the_acked_sequence(signed_in: ApiClient, server: FakeServer) -> None:
    server.on("POST", "/audit", ok({"acked_seq": 42}))
    events = [{"seq": 42, "ts": "2026-11-20T09:00:00Z", "action": "login"}]

    assert signed_in.upload_audit(events) == 42
    assert server.body() == {"events": events}


# --- no connection -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("failure", "words"),
    [
        (httpx.ConnectError("[Errno 111] Connection refused"), "cannot reach"),
        (httpx.ConnectError("[Errno -2] Name or service not known"), "cannot reach"),
        (httpx.ConnectTimeout("timed out"), "did not answer in time"),
        (httpx.ReadTimeout("timed out"), "did not answer in time"),
        (httpx.ReadError("[Errno 104] Connection reset by peer"), "interrupted"),
        (
            httpx.RemoteProtocolError("peer closed connection without sending complete body"),
            "interrupted",
        ),
        (httpx.ProxyError("407 Proxy Authentication Required"), "cannot reach"),
    ],
    ids=[
        "refused",
        "DNS",
        "connect timeout",
        "read timeout",
        "reset",
        "closed mid-answer",
        "proxy",
    ],
)
def test_lost_connections_are_offline(
    signed_in: ApiClient, server: FakeServer, failure: Exception, words: str
) -> None:
    server.on("GET", "/changes", failure)

    with pytest.raises(Offline) as caught:
        signed_in.changes()

    assert words in caught.value.message
    assert caught.value.retryable and caught.value.cause == type(failure).__name__
    assert_no_secret(caught.value)


def test_certificate_that_does_not_verify_is_untrusted(
    signed_in: ApiClient, server: FakeServer
) -> None:
    def handshake(request: httpx.Request) -> httpx.Response:
        try:
            raise ssl.SSLCertVerificationError("certificate verify failed: self-signed")
        except ssl.SSLError as error:
            raise httpx.ConnectError(str(error), request=request) from error

    server.on("GET", "/changes", handshake)

    with pytest.raises(UntrustedServer) as caught:
        signed_in.changes()

    assert_no_secret(caught.value)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def test_connection_refused_on_a_real_socket_is_offline(clock: FakeClock) -> None:
    api = ApiClient(
        f"http://127.0.0.1:{free_port()}", device_id=DEVICE, device_name="pc", clock=clock
    )

    with api, pytest.raises(Offline) as caught:
        api.health()

    assert caught.value.cause == "ConnectError"


def test_server_that_never_answers_times_out_as_offline(clock: FakeClock) -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    accepted: list[socket.socket] = []
    thread = threading.Thread(target=lambda: accepted.append(listener.accept()[0]), daemon=True)
    thread.start()
    api = ApiClient(
        f"http://127.0.0.1:{listener.getsockname()[1]}",
        device_id=DEVICE,
        device_name="pc",
        clock=clock,
        timeout=Timeouts(connect=1.0, read=0.2),
    )
    try:
        with api, pytest.raises(Offline) as caught:
            api.health()
    finally:
        thread.join(timeout=2)
        for connection in accepted:
            connection.close()
        listener.close()

    assert caught.value.cause == "ReadTimeout"


# --- configuration -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://rm001:secret@crm.bank.example",
        "http://crm.bank.example",
        "http://10.0.0.5:8080",
        "ftp://crm.bank.example",
        "crm.bank.example",
    ],
)
def test_unsafe_or_invalid_server_addresses_are_refused(url: str, clock: FakeClock) -> None:
    with pytest.raises(ConfigError):
        ApiClient(url, device_id=DEVICE, device_name="pc", clock=clock)


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8765", "http://localhost:8765", "http://[::1]:8765"]
)
def test_plain_http_on_loopback_is_allowed(url: str, clock: FakeClock) -> None:
    ApiClient(url, device_id=DEVICE, device_name="pc", clock=clock).close()


def test_tls_verification_cannot_be_turned_off(clock: FakeClock) -> None:
    with pytest.raises(ConfigError, match="cannot be turned off"):
        ApiClient(BASE, verify=False, device_id=DEVICE, device_name="pc", clock=clock)  # type: ignore[arg-type]


def test_a_missing_ca_bundle_is_a_configuration_problem(tmp_path: Path, clock: FakeClock) -> None:
    with pytest.raises(ConfigError, match="CA certificate"):
        ApiClient(
            BASE, verify=tmp_path / "bank-ca.pem", device_id=DEVICE, device_name="pc", clock=clock
        )


def test_base_path_is_added_once(server: FakeServer, clock: FakeClock) -> None:
    server.on("GET", "/health", ok({"status": "ok"}))
    for url in (BASE, BASE + "/", BASE + API, BASE + API + "/"):
        with ApiClient(
            url,
            transport=httpx.MockTransport(server),
            device_id=DEVICE,
            device_name="pc",
            clock=clock,
        ) as api:
            api.health()
    assert {str(r.url) for r in server.requests} == {f"{BASE}{API}/health"}


def test_last_contact_is_the_time_of_the_last_success(
    signed_in: ApiClient, server: FakeServer, clock: FakeClock
) -> None:
    server.on(
        "GET", "/device", ok({"status": "active", "wipe": False}), problem(500, "internal_error")
    )
    clock.advance(minutes=5)
    signed_in.device_status()
    contact = clock.now
    clock.advance(minutes=5)

    with pytest.raises(ServerUnavailable):
        signed_in.device_status()

    assert signed_in.last_contact_at == contact
