"""Older transactions, online only (API.md §4)."""

from __future__ import annotations

from tests.server.conftest import Api


def test_history_pages_newest_first_without_skipping_same_second_transactions(api: Api):
    rm = api.login("rm001")

    seen: list[str] = []
    params: dict = {"limit": 3}
    pages = 0
    while True:
        response = rm.get("/customers/c-0001/transactions", params=params)
        assert response.status_code == 200
        body = response.json()
        pages += 1
        seen += [t["id"] for t in body["transactions"]]
        stamps = [t["ts"] for t in body["transactions"]]
        assert stamps == sorted(stamps, reverse=True)
        if not body["has_more"]:
            assert body["next_before"] is None
            break
        params = {"limit": 3, "before": body["next_before"]}

    assert sorted(seen) == [f"h-0001-{n}" for n in range(7)]
    assert len(set(seen)) == 7
    assert pages >= 2


def test_history_before_a_timestamp_answers_only_older_ones(api: Api):
    rm = api.login("rm001")

    body = rm.get(
        "/customers/c-0001/transactions", params={"before": "2026-08-09T17:00:00+08:00"}
    ).json()

    assert [t["id"] for t in body["transactions"]] == ["h-0001-5", "h-0001-6"]
    assert body["has_more"] is False


def test_history_of_a_customer_of_another_book_is_404(api: Api):
    response = api.login("rm003").get("/customers/c-0001/transactions")

    assert response.status_code == 404


def test_history_with_a_bad_timestamp_or_limit_is_422(api: Api):
    rm = api.login("rm001")

    bad_before = rm.get("/customers/c-0001/transactions", params={"before": "last week"})
    bad_limit = rm.get("/customers/c-0001/transactions", params={"limit": 5000})

    assert bad_before.status_code == 422 and "before" in bad_before.json()["field_errors"]
    assert bad_limit.status_code == 422 and "limit" in bad_limit.json()["field_errors"]
