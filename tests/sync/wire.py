"""A scripted server for sync tests on ``httpx.MockTransport``; answers as API.md spells them."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import httpx
import orjson

BASE = "https://crm.bank.example"
API = "/api/v1"
DEVICE = "dev-test"
USER = {"id": "rm001", "name": "王伟", "role": "rm", "team_id": "t-01", "branch_id": "b-01"}

Reply = httpx.Response | Exception | Mapping[str, Any] | Callable[[httpx.Request], Any]


def token_answer() -> dict[str, Any]:
    return {
        "access_token": "at",
        "refresh_token": "rt",
        "token_type": "Bearer",
        "expires_in": 900,
        "user": USER,
    }


def problem(status: int, code: str, headers: Mapping[str, str] | None = None) -> httpx.Response:
    body = {"type": f"urn:problem:{code}", "title": "t", "status": status, "code": code}
    return httpx.Response(
        status,
        content=orjson.dumps(body),
        headers={"Content-Type": "application/problem+json", **(headers or {})},
    )


def page(
    changes: list[dict[str, Any]],
    cursor: str,
    *,
    has_more: bool = False,
    remaining: int = 0,
) -> dict[str, Any]:
    return {
        "changes": changes,
        "cursor": cursor,
        "has_more": has_more,
        "estimated_remaining": remaining,
        "server_time": "2026-11-20T09:00:00Z",
    }


def applied(op_id: str, rev: int, record: Mapping[str, Any] | None, **extra: Any) -> dict[str, Any]:
    return {"op_id": op_id, "status": "applied", "rev": rev, "record": record, **extra}


def conflict(
    op_id: str,
    kind: str,
    rev: int,
    record: Mapping[str, Any] | None,
    fields: list[str] | None = None,
) -> dict[str, Any]:
    return {
        "op_id": op_id,
        "status": "conflict",
        "kind": kind,
        "rev": rev,
        "record": record,
        "field_revs": {},
        "conflicting_fields": fields or [],
    }


def rejected(
    op_id: str, code: str = "validation_error", field_errors: Mapping[str, str] | None = None
) -> dict[str, Any]:
    return {
        "op_id": op_id,
        "status": "rejected",
        "code": code,
        "message": "A field does not have a valid value.",
        "field_errors": dict(field_errors or {}),
    }


class ScriptedServer:
    """Answers per method and path, in order; the last answer of a script repeats.

    An answer is a response, an exception to raise, a JSON body (200), or a function of the request
    returning any of those. ``bodies(path)`` gives the JSON bodies sent to a path.
    """

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.scripts: dict[tuple[str, str], list[Reply]] = {}

    def reply(self, method: str, path: str, *replies: Reply) -> None:
        self.scripts[(method, API + path)] = list(replies)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        script = self.scripts.get((request.method, request.url.path))
        if not script:
            return problem(404, "not_found")
        answer: Any = script.pop(0) if len(script) > 1 else script[0]
        if callable(answer) and not isinstance(answer, httpx.Response | Exception):
            answer = answer(request)
        if isinstance(answer, Exception):
            raise answer
        if isinstance(answer, httpx.Response):
            return answer
        return httpx.Response(
            200, content=orjson.dumps(answer), headers={"Content-Type": "application/json"}
        )

    def bodies(self, path: str) -> list[Any]:
        return [
            orjson.loads(r.content) for r in self.requests if r.url.path == API + path and r.content
        ]

    def pushed(self) -> list[list[dict[str, Any]]]:
        """The mutations of each push, in order."""
        return [body["mutations"] for body in self.bodies("/mutations")]

    def params(self, path: str) -> list[dict[str, str]]:
        return [dict(r.url.params) for r in self.requests if r.url.path == API + path]


def echo_applied(
    records: Callable[[dict[str, Any]], Mapping[str, Any] | None], first_rev: int = 100
) -> Callable[[httpx.Request], dict[str, Any]]:
    """A ``/mutations`` answer applying every mutation, with records made by ``records``."""
    counter = [first_rev]

    def answer(request: httpx.Request) -> dict[str, Any]:
        results = []
        for mutation in orjson.loads(request.content)["mutations"]:
            counter[0] += 1
            results.append(applied(mutation["op_id"], counter[0], records(mutation)))
        return {"results": results}

    return answer
