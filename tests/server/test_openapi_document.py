"""The committed ``docs/openapi.json`` is the document the code produces, and the one a bank's
server serves."""

from __future__ import annotations

import json
from pathlib import Path

from crm_server.openapi import DEFAULT_PATH, build_document, render
from tests.server.conftest import Api

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / DEFAULT_PATH
OUT_OF_DATE = "docs/openapi.json does not match the server's code: run `make openapi` and commit it"


def committed_text() -> str:
    assert COMMITTED.exists(), OUT_OF_DATE
    return COMMITTED.read_text(encoding="utf-8")


def test_committed_openapi_document_matches_the_code():
    assert committed_text() == render(build_document()), OUT_OF_DATE


def test_committed_openapi_document_is_the_bank_facing_contract_without_dev_calls():
    document = json.loads(committed_text())

    assert document["openapi"].startswith("3.")
    assert "/api/v1/changes" in document["paths"]
    assert "/api/v1/mutations" in document["paths"]
    assert not [path for path in document["paths"] if path.startswith("/api/v1/dev/")]


def test_server_started_without_dev_serves_the_committed_document(make_api):
    api: Api = make_api(dev=False)

    served = api.http.get("/openapi.json")

    assert served.status_code == 200
    assert served.json() == json.loads(committed_text()), OUT_OF_DATE
