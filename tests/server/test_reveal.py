"""Reveal of masked values (API.md §4): permission, reason, scope, and the server's audit."""

from __future__ import annotations

from sqlalchemy import select

from crm_server.schema import audit_event
from tests.server import bank
from tests.server.conftest import Api


def audit_rows(api: Api) -> list[dict]:
    with api.server.services.database.read() as conn:
        rows = conn.execute(
            select(audit_event).where(audit_event.c.action == "reveal").order_by(audit_event.c.id)
        ).mappings()
        return [dict(row) for row in rows]


def test_reveal_answers_the_full_value_and_audits_who_what_and_why(api: Api):
    rm = api.login("rm001", device_id="laptop-7")

    response = rm.post("/customers/c-0001/reveal", json={"field": "mobile", "reason": "回访核实"})

    assert response.status_code == 200
    assert response.json() == {
        "customer_id": "c-0001",
        "field": "mobile",
        "record_id": "c-0001",
        "value": bank.MOBILE["c-0001"],
    }
    assert response.headers["cache-control"] == "no-store"
    [row] = audit_rows(api)
    assert (
        row["user_id"],
        row["device_id"],
        row["record_id"],
        row["field"],
        row["reason"],
        row["outcome"],
    ) == ("rm001", "laptop-7", "c-0001", "mobile", "回访核实", "ok")
    assert row["ts"] == "2026-11-20T09:00:00Z"
    assert bank.MOBILE["c-0001"] not in str(row)


def test_reveal_of_an_account_number_names_the_account(api: Api):
    rm = api.login("rm001")

    response = rm.post(
        "/customers/c-0001/reveal",
        json={"field": "account_number", "reason": "转账核对", "account_id": "a-0001"},
    )

    assert response.json()["value"] == bank.ACCOUNT_NO["c-0001"]
    assert response.json()["record_id"] == "a-0001"


def test_reveal_without_the_permission_is_403_and_audited_as_refused(api: Api):
    rm = api.login("rm002")

    response = rm.post("/customers/c-0003/reveal", json={"field": "id_no", "reason": "开户"})

    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert "value" not in response.json()
    [row] = audit_rows(api)
    assert row["outcome"] == "forbidden" and row["user_id"] == "rm002"


def test_reveal_needs_a_reason(api: Api):
    rm = api.login("rm001")

    for body in (
        {"field": "mobile"},
        {"field": "mobile", "reason": ""},
        {"field": "mobile", "reason": "   "},
    ):
        response = rm.post("/customers/c-0001/reveal", json=body)
        assert response.status_code == 422
        assert "reason" in response.json()["field_errors"]
    assert audit_rows(api) == []


def test_reveal_of_a_customer_of_another_book_is_404(api: Api):
    rm = api.login("rm001")

    response = rm.post("/customers/c-0004/reveal", json={"field": "mobile", "reason": "x"})

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_team_lead_reveals_within_the_team_only(api: Api):
    lead = api.login("lead01")

    inside = lead.post("/customers/c-0003/reveal", json={"field": "address", "reason": "上门"})
    outside = lead.post("/customers/c-0004/reveal", json={"field": "address", "reason": "上门"})

    assert inside.json()["value"] == bank.ADDRESS
    assert outside.status_code == 404


def test_account_number_needs_an_account_of_that_customer(api: Api):
    rm = api.login("rm001")

    missing = rm.post("/customers/c-0001/reveal", json={"field": "account_number", "reason": "x"})
    foreign = rm.post(
        "/customers/c-0001/reveal",
        json={"field": "account_number", "reason": "x", "account_id": "a-0002"},
    )

    assert missing.status_code == 422
    assert missing.json()["field_errors"] == {"account_id": "is required for account_number"}
    assert foreign.status_code == 404


def test_unknown_field_kind_is_422(api: Api):
    rm = api.login("rm001")

    response = rm.post("/customers/c-0001/reveal", json={"field": "password", "reason": "x"})

    assert response.status_code == 422
    assert "field" in response.json()["field_errors"]
