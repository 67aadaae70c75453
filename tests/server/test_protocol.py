"""HTTP-level behaviour: problem documents everywhere, limits, gzip both ways, rate limit, no
500s, the /dev calls only with --dev."""

from __future__ import annotations

import gzip

import httpx
import orjson
import pytest

from tests.server.conftest import Api, new_op_id

PROBLEM = "application/problem+json"
VISIT = {
    "customer_ids": ["c-0001"],
    "channel": "phone",
    "purpose": "care",
    "start_at": "2026-11-20T08:00:00Z",
}


def visit_batch(count: int, notes: str = "") -> dict:
    return {
        "mutations": [
            {
                "op_id": new_op_id(),
                "entity": "visit",
                "id": new_op_id(),
                "op": "create",
                "fields": {**VISIT, "notes": notes},
            }
            for _ in range(count)
        ]
    }


def test_unknown_path_and_wrong_method_are_problem_documents(api: Api):
    missing = api.http.get("/no/such/thing")
    wrong = api.http.delete("/health")

    assert missing.status_code == 404 and missing.headers["content-type"] == PROBLEM
    assert missing.json()["code"] == "not_found"
    assert wrong.status_code == 405 and wrong.json()["code"] == "method_not_allowed"
    assert "GET" in wrong.headers["allow"]


def test_unknown_field_in_a_body_is_422_problem_naming_it(api: Api):
    response = api.http.post(
        "/auth/token",
        json={
            "username": "rm001",
            "password": "x",
            "device_id": "d",
            "device_name": "n",
            "remember_me": True,
        },
    )

    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["field_errors"] == {"remember_me": "Extra inputs are not permitted"}


def test_wrong_json_types_are_not_coerced(api: Api):
    response = api.http.post(
        "/auth/token",
        json={"username": 7, "password": "x", "device_id": "d", "device_name": "n"},
    )

    assert response.status_code == 422
    assert list(response.json()["field_errors"]) == ["username"]


def test_malformed_json_is_400_problem(api: Api):
    response = api.http.post(
        "/auth/token", content=b'{"username": ', headers={"content-type": "application/json"}
    )

    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"


def test_body_over_the_limit_is_413_and_nothing_is_applied(make_api):
    api = make_api(max_body_bytes=4096)
    rm = api.login("rm001")

    response = rm.post("/mutations", json=visit_batch(1, notes="长" * 4000))

    assert response.status_code == 413
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["code"] == "payload_too_large"
    assert api.dev("stats")["ops_applied"] == 0


def test_streamed_body_over_the_limit_is_413(make_api):
    api = make_api(max_body_bytes=4096)
    rm = api.login("rm001")

    def chunks():
        body = orjson.dumps(visit_batch(1, notes="x" * 10_000))
        for start in range(0, len(body), 1000):
            yield body[start : start + 1000]

    response = rm.post("/mutations", content=chunks(), headers={"content-type": "application/json"})

    assert response.status_code == 413


def test_gzip_request_body_is_accepted(api: Api):
    rm = api.login("rm001")
    body = gzip.compress(orjson.dumps(visit_batch(3)))

    response = rm.post(
        "/mutations",
        content=body,
        headers={"content-type": "application/json", "content-encoding": "gzip"},
    )

    assert response.status_code == 200
    assert [r["status"] for r in response.json()["results"]] == ["applied"] * 3


def test_gzip_bomb_is_413(make_api):
    api = make_api(max_body_bytes=64 * 1024)
    rm = api.login("rm001")
    bomb = gzip.compress(b'{"mutations": [' + b" " * (10 * 1024 * 1024) + b"]}")

    response = rm.post(
        "/mutations",
        content=bomb,
        headers={"content-type": "application/json", "content-encoding": "gzip"},
    )

    assert len(bomb) < 64 * 1024
    assert response.status_code == 413


def test_corrupt_gzip_is_400_and_unknown_encoding_is_415(api: Api):
    rm = api.login("rm001")

    corrupt = rm.post(
        "/mutations",
        content=b"not gzip at all",
        headers={"content-type": "application/json", "content-encoding": "gzip"},
    )
    unknown = rm.post(
        "/mutations",
        content=b"{}",
        headers={"content-type": "application/json", "content-encoding": "br"},
    )

    assert corrupt.status_code == 400 and corrupt.json()["code"] == "validation_error"
    assert unknown.status_code == 415 and unknown.json()["code"] == "unsupported_media_type"


def test_answers_are_gzipped_when_the_client_asks(api: Api):
    rm = api.login("rm001")
    raw = httpx.get(
        f"{api.server.api_url}/changes",
        headers={**rm.auth, "Accept-Encoding": "gzip"},
    )

    with httpx.stream(
        "GET", f"{api.server.api_url}/changes", headers={**rm.auth, "Accept-Encoding": "gzip"}
    ) as streamed:
        wire_bytes = b"".join(streamed.iter_raw())
        encoding = streamed.headers["content-encoding"]
    plain = httpx.get(
        f"{api.server.api_url}/changes", headers={**rm.auth, "Accept-Encoding": "identity"}
    )

    assert encoding == "gzip"
    assert orjson.loads(gzip.decompress(wire_bytes))["changes"] == raw.json()["changes"]
    assert orjson.loads(gzip.decompress(wire_bytes))["changes"] == plain.json()["changes"]
    assert "content-encoding" not in plain.headers
    assert len(wire_bytes) < len(plain.content)


def test_rate_limit_answers_429_with_retry_after(make_api):
    api = make_api(rate_limit_per_minute=5)
    rm = api.login("rm001")

    statuses = [rm.get("/me").status_code for _ in range(6)]
    limited = rm.get("/me")

    assert statuses == [200] * 5 + [429]
    assert limited.json()["code"] == "rate_limited"
    assert 1 <= int(limited.headers["retry-after"]) <= 60
    assert api.login("rm002").get("/me").status_code == 200  # per user
    api.clock.advance(seconds=61)
    assert rm.get("/me").status_code == 200


def test_dev_calls_are_absent_without_dev(make_api):
    api = make_api(dev=False)

    for path in ("/dev/stats", "/dev/ops/x"):
        assert api.http.get(path).status_code == 404
    for path in ("/dev/edit", "/dev/reassign", "/dev/revoke-device"):
        assert api.http.post(path, json={}).status_code == 404
    assert "/api/v1/dev/stats" not in api.http.get("/openapi.json").json()["paths"]


def test_dev_stats_counts_live_records_per_entity(api: Api):
    stats = api.dev("stats")

    assert stats["records"]["customer"] == 4
    assert stats["records"]["visit"] == 5
    assert stats["ops_applied"] == 0 and stats["ops_applied_twice"] == 0


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/auth/token"),
        ("POST", "/auth/refresh"),
        ("POST", "/auth/logout"),
        ("POST", "/mutations"),
        ("POST", "/customers/c-0001/reveal"),
        ("POST", "/audit"),
        ("POST", "/dev/edit"),
        ("POST", "/dev/reassign"),
        ("POST", "/dev/revoke-device"),
    ],
)
def test_garbage_bodies_never_cause_a_500(api: Api, method: str, path: str):
    rm = api.login("rm001")
    bodies = [
        b"",
        b"null",
        b"[]",
        b"{}",
        b'"text"',
        b"12",
        b'{"mutations": [null]}',
        b'{"events": [{"seq": -1}]}',
        b'{"entity": "customer", "id": 5}',
        b'{"mutations": [{"op_id": "a", "entity": "task", "id": "k-0001", "op": "update",'
        b' "base_rev": 99999999999999999999999, "fields": {"status": "completed"}}]}',
        b'{"mutations": [{"op_id": "a", "entity": "task", "id": "k-0001", "op": "update",'
        b' "base_rev": 1, "fields": {"status": ["nested", {"deep": NaN}]}}]}',
        b'{"mutations": [{"op_id": "b", "entity": "opportunity", "id": "o-0001", '
        b'"op": "update", "base_rev": 1, "fields": {"suitability_snapshot": '
        b'{"n": 123456789012345678901234567890}}}]}',
        '{"field": "mobile", "reason": "\u0000"}'.encode(),
        b"\xff\xfe\x00garbage",
    ]
    for body in bodies:
        response = rm.http.request(
            method, path, content=body, headers={**rm.auth, "content-type": "application/json"}
        )
        assert response.status_code < 500, (path, body, response.text)
        if response.status_code >= 400:
            assert response.headers["content-type"] == PROBLEM


def test_foreign_ids_in_paths_are_4xx_not_500(api: Api):
    rm = api.login("rm001")

    for path in (
        "/customers/%00/transactions",
        "/customers/" + "x" * 500 + "/transactions",
        "/customers/c-0004/transactions",
    ):
        assert 400 <= rm.get(path).status_code < 500


def test_an_unexpected_failure_is_a_500_problem_without_details(
    api: Api, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
):
    rm = api.login("rm001")

    def broken(*_args: object, **_kwargs: object) -> bytes:
        raise RuntimeError("secret detail " + "1380013" + "8000")  # not whole in the source

    monkeypatch.setattr(api.server.services.feed, "page", broken)
    with caplog.at_level("ERROR"):
        response = rm.get("/changes")

    assert response.status_code == 500
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["code"] == "internal_error"
    assert "13800138000" not in response.text
    assert "RuntimeError" in caplog.text and "13800138000" not in caplog.text
