"""The server's OpenAPI document against API.md: every call, every problem code."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from crm_server.problems import Code
from tests.server.conftest import Api

API_MD = Path(__file__).resolve().parents[3] / "shared" / "API.md"
CALL = re.compile(r"`(GET|POST|PUT|PATCH|DELETE) (/[^`\s?]*)")


def contract_text() -> str:
    if not API_MD.exists():
        pytest.skip(f"API.md is not beside the repository ({API_MD})")
    return API_MD.read_text(encoding="utf-8")


def normalized(path: str) -> str:
    return re.sub(r"\{[^}]*\}", "{}", path)


def test_every_call_of_api_md_is_in_the_openapi_document(api: Api):
    calls = {(method, normalized(path)) for method, path in CALL.findall(contract_text())}
    document = api.http.get("/openapi.json").json()

    served = {
        (method.upper(), normalized(path.removeprefix("/api/v1")))
        for path, operations in document["paths"].items()
        for method in operations
    }

    assert len(calls) >= 16
    assert calls <= served
    assert served - calls == set()  # nothing served that the contract does not name


def test_every_problem_code_of_api_md_is_a_server_code(api: Api):
    text = contract_text()
    named = set(re.findall(r"code=(\w+)", text))
    rejected_line = next(line for line in text.splitlines() if line.startswith("| `rejected`"))
    named |= set(re.findall(r"`(\w+)`", rejected_line)) - {"rejected"}

    assert {"validation_error", "field_not_editable", "forbidden", "not_found"} <= named
    assert named <= {code.value for code in Code}


def test_problem_answers_are_documented_per_call(api: Api):
    document = api.http.get("/openapi.json").json()
    token = document["paths"]["/api/v1/auth/token"]["post"]["responses"]
    changes = document["paths"]["/api/v1/changes"]["get"]["responses"]

    assert "account_locked" in token["423"]["description"]
    assert "cursor_expired" in changes["410"]["description"]
    assert "application/problem+json" in changes["410"]["content"]
