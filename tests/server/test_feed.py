"""The change feed (API.md §2): scope, paging, cursors, deletes, masking, expiry."""

from __future__ import annotations

import base64
import threading
from datetime import timedelta
from typing import Any

import httpx
import orjson
import pytest

from crm_server import feed as feed_module
from rm_desk.domain.entities import ENTITY_TYPES
from rm_desk.domain.enums import Entity
from rm_desk.domain.masking import contains_unmasked
from tests.server import bank
from tests.server.conftest import Api

BANK_WIDE = {
    ("product", "p-001"),
    ("team", "t-01"),
    ("team", "t-02"),
    ("rule_config", "A01"),
    ("kpi", "kpi-branch-b-01"),
} | {("employee", user.id) for user in bank.USERS}


def ids(changes) -> set[tuple[str, str]]:
    return {(change["entity"], change["id"]) for change in changes}


def customers_in(changes) -> set[str]:
    return {c["id"] for c in changes if c["entity"] == "customer" and c["op"] == "upsert"}


def test_rm_feed_holds_own_book_and_bank_wide_records_only(api: Api):
    changes, _ = api.login("rm001").all_changes()

    assert customers_in(changes) == {"c-0001", "c-0002"}
    assert ids(changes) >= BANK_WIDE
    assert ("kpi", "kpi-rm-rm001") in ids(changes)
    assert ("kpi", "kpi-team-t-01") not in ids(changes)  # team KPIs are the lead's
    assert not {("account", "a-0003"), ("task", "k-0004")} & ids(changes)
    assert all(change["op"] == "upsert" for change in changes)


def test_team_lead_feed_holds_the_team_book_team_kpis_and_bank_wide_records(api: Api):
    changes, _ = api.login("lead01").all_changes()

    assert customers_in(changes) == {"c-0001", "c-0002", "c-0003"}
    assert ("kpi", "kpi-team-t-01") in ids(changes)
    assert ("kpi", "kpi-rm-rm001") in ids(changes)
    assert ("kpi", "kpi-team-t-02") not in ids(changes)
    assert ("account", "a-0004") not in ids(changes)
    assert ids(changes) >= BANK_WIDE


def test_every_record_in_the_feed_parses_with_the_client_domain_types(api: Api):
    changes, _ = api.login("lead01").all_changes()

    for change in changes:
        record = ENTITY_TYPES[Entity(change["entity"])].from_wire(
            {**change["data"], "rev": change["rev"]}
        )
        assert record.id == change["id"]


def test_feed_carries_masked_personal_data_only(api: Api):
    response = api.login("rm001").get("/changes")

    text = response.text
    assert not contains_unmasked(text)
    for full in (*bank.MOBILE.values(), *bank.ID_NO.values(), *bank.ACCOUNT_NO.values()):
        assert full not in text
    assert bank.ADDRESS not in text


def test_pages_follow_the_cursor_in_rev_order_without_gaps_or_repeats(api: Api):
    rm = api.login("rm001")
    everything = rm.changes(limit=10_000)["changes"]

    pages = []
    cursor = None
    while True:
        page = rm.changes(cursor, limit=7)
        pages.append(page)
        cursor = page["cursor"]
        if not page["has_more"]:
            break

    paged = [change for page in pages for change in page["changes"]]
    assert paged == everything
    revs = [change["rev"] for change in paged]
    assert revs == sorted(revs) and len(set(revs)) == len(revs)
    assert all(len(page["changes"]) == 7 for page in pages[:-1])
    assert pages[0]["estimated_remaining"] == len(everything) - 7
    assert pages[-1]["estimated_remaining"] == 0
    assert pages[0]["server_time"] == "2026-11-20T09:00:00Z"


def test_feed_after_the_last_cursor_is_empty_until_something_changes(api: Api):
    rm = api.login("rm001")
    _, cursor = rm.all_changes()

    quiet = rm.changes(cursor)
    api.dev_edit("customer", "c-0001", tier="diamond")
    after = rm.changes(quiet["cursor"])

    assert quiet["changes"] == [] and quiet["has_more"] is False
    assert [(c["entity"], c["id"]) for c in after["changes"]] == [("customer", "c-0001")]
    assert after["changes"][0]["data"]["tier"] == "diamond"


def test_change_of_another_book_does_not_appear(api: Api):
    rm = api.login("rm001")
    _, cursor = rm.all_changes()

    api.dev_edit("customer", "c-0004", tier="diamond")

    assert rm.changes(cursor)["changes"] == []


def test_record_deleted_on_the_server_arrives_as_delete_with_reason_deleted(api: Api):
    rm = api.login("rm001")
    _, cursor = rm.all_changes()

    api.dev("edit", {"entity": "opportunity", "id": "o-0001", "deleted": True})
    changes = rm.changes(cursor)["changes"]

    assert len(changes) == 1
    assert changes[0]["op"] == "delete" and changes[0]["reason"] == "deleted"
    assert changes[0]["id"] == "o-0001" and "data" not in changes[0]


def test_default_page_is_2000_and_limit_above_10000_is_refused(make_api):
    api = make_api(feed_default_limit=5)
    rm = api.login("rm001")

    assert len(rm.changes()["changes"]) == 5
    response = rm.get("/changes", params={"limit": 10_001})
    assert response.status_code == 422
    assert response.json()["field_errors"] == {"limit": "limit may be at most 10000"}
    assert rm.get("/changes", params={"limit": 0}).status_code == 422


def test_cursor_older_than_the_horizon_is_410_cursor_expired(api: Api):
    rm = api.login("rm001")
    _, cursor = rm.all_changes()
    api.clock.advance(days=30, seconds=1)
    rm = api.login("rm001")

    response = rm.get("/changes", params={"cursor": cursor})

    assert response.status_code == 410
    assert response.json()["code"] == "cursor_expired"


def test_cursor_within_the_horizon_still_works(api: Api):
    rm = api.login("rm001")
    _, cursor = rm.all_changes()
    api.clock.advance(days=29)
    rm = api.login("rm001")

    assert rm.get("/changes", params={"cursor": cursor}).status_code == 200


def test_horizon_is_a_setting(make_api):
    api = make_api(cursor_horizon=timedelta(hours=1))
    rm = api.login("rm001")
    _, cursor = rm.all_changes()
    api.clock.advance(hours=2)
    rm = api.login("rm001")

    assert rm.get("/changes", params={"cursor": cursor}).status_code == 410


def test_malformed_cursor_is_400_validation_error(api: Api):
    rm = api.login("rm001")

    for bad in ("garbage!!", "e30", base64.urlsafe_b64encode(b"[1,2]").decode(), "x" * 2000):
        response = rm.get("/changes", params={"cursor": bad})
        assert 400 <= response.status_code < 500, bad
        assert response.json()["code"] == "validation_error"


def test_another_users_cursor_is_refused(api: Api):
    _, cursor = api.login("rm001").all_changes()

    response = api.login("rm002").get("/changes", params={"cursor": cursor})

    assert response.status_code == 400
    assert response.json()["field_errors"]["cursor"]


def test_cursor_of_another_database_is_410_so_the_client_resyncs(api: Api):
    rm = api.login("rm001")
    _, cursor = rm.all_changes()
    payload = orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    payload["e"] = "0000000000000000"
    forged = base64.urlsafe_b64encode(orjson.dumps(payload)).decode()

    response = rm.get("/changes", params={"cursor": forged})

    assert response.status_code == 410


def pulled_in_pages(user, cursor: str | None, limit: int) -> list[dict]:
    """Every change after ``cursor``, pulled in pages of ``limit``; checks each page's size and
    ``estimated_remaining`` on the way."""
    pulled: list[dict] = []
    while True:
        page = user.changes(cursor, limit=limit)
        pulled.extend(page["changes"])
        cursor = page["cursor"]
        if not page["has_more"]:
            assert page["estimated_remaining"] == 0
            return pulled
        assert len(page["changes"]) == limit
        assert page["estimated_remaining"] > 0


def test_pages_of_every_size_agree_when_book_bank_wide_and_scope_exits_interleave(api: Api):
    """A page of the book alone is joined by the database; one where bank-wide records or scope
    exits fall among the book's is merged: both must give the same changes in rev order."""
    lead = api.login("lead01")
    _, cursor = lead.all_changes()
    api.dev_edit("customer", "c-0001", tier="diamond")
    api.dev_edit("customer", "c-0002", tier="private")
    api.dev_edit("product", "p-001", on_sale=False)
    api.dev_edit("customer", "c-0003", tier="diamond")
    api.dev("reassign", {"customer_id": "c-0001", "to_rm": "rm003"})  # leaves lead01's team
    api.dev_edit("customer", "c-0002", tier="diamond")
    api.dev("edit", {"entity": "visit", "id": "v-0002", "deleted": True})
    api.dev_edit("team", "t-02", name="二组")
    api.dev_edit("customer", "c-0003", tier="private")

    everything = lead.changes(cursor, limit=10_000)["changes"]
    for limit in range(1, len(everything) + 2):
        assert pulled_in_pages(lead, cursor, limit) == everything, limit

    assert [(c["entity"], c["id"], c["op"], c.get("reason")) for c in everything] == [
        ("product", "p-001", "upsert", None),
        ("customer", "c-0001", "delete", "out_of_scope"),
        ("customer", "c-0002", "upsert", None),
        ("visit", "v-0002", "delete", "deleted"),
        ("team", "t-02", "upsert", None),
        ("customer", "c-0003", "upsert", None),
    ]
    revs = [change["rev"] for change in everything]
    assert revs == sorted(revs) and len(set(revs)) == len(revs)
    assert everything[2]["data"]["tier"] == "diamond"


def test_a_whole_feed_in_pages_of_any_size_is_the_feed_in_one_page(api: Api):
    lead = api.login("lead01")
    api.dev("reassign", {"customer_id": "c-0004", "to_rm": "rm002"})  # enters lead01's team
    api.dev("reassign", {"customer_id": "c-0002", "to_rm": "rm003"})  # leaves it

    everything = lead.changes(limit=10_000)["changes"]
    for limit in (1, 2, 3, 5, 8, 13, 21, len(everything) - 1, len(everything)):
        assert pulled_in_pages(lead, None, limit) == everything, limit

    revs = [change["rev"] for change in everything]
    assert revs == sorted(revs) and len(set(revs)) == len(revs)
    for change in everything:
        if change["op"] == "upsert":
            assert set(change) == {"entity", "id", "rev", "op", "data"}
            assert "rev" not in change["data"]


def _pages(rm, limit: int, cursor: str | None = None, **headers: str) -> list[httpx.Response]:
    """Every page from ``cursor`` on, as answered."""
    answers = []
    while True:
        params: dict[str, object] = {"limit": limit}
        if cursor is not None:
            params["cursor"] = cursor
        response = rm.get("/changes", params=params, headers=headers)
        assert response.status_code == 200, response.text
        answers.append(response)
        cursor = response.json()["cursor"]
        if not response.json()["has_more"]:
            return answers


def test_pages_built_ahead_are_the_pages_a_request_would_build(api: Api):
    rm = api.login("rm001")
    everything = rm.changes(limit=10_000)["changes"]

    gzipped = _pages(rm, 4, **{"Accept-Encoding": "gzip"})
    plain = _pages(rm, 4, **{"Accept-Encoding": "identity"})

    for answers in (gzipped, plain):
        assert [c for page in answers for c in page.json()["changes"]] == everything
    # The first page is built by its request; the later ones were built (and compressed) ahead.
    assert all(page.headers.get("Content-Encoding") == "gzip" for page in gzipped[1:])
    assert not any("Content-Encoding" in page.headers for page in plain)
    assert len(gzipped) > 2


def test_a_page_built_ahead_is_not_answered_once_the_feed_has_changed(api: Api):
    rm = api.login("rm001")
    everything = rm.changes(limit=10_000)["changes"]
    # A first page that ends just before a customer, so the page built ahead starts with it.
    first = next(n for n, c in enumerate(everything) if n and c["entity"] == "customer")
    customer = everything[first]["id"]

    page = rm.changes(limit=first)
    assert api.server.services.feed.settle() == 1
    api.dev_edit("customer", customer, tier="diamond")
    rest, _ = rm.all_changes(page["cursor"], limit=first)

    seen = [c for c in rest if (c["entity"], c["id"]) == ("customer", customer)]
    assert len(seen) == 1 and seen[0]["data"]["tier"] == "diamond"
    assert [c for c in page["changes"] + rest if c["id"] != customer] == [
        c for c in everything if c["id"] != customer
    ]


def test_every_page_tells_how_many_changes_remain_after_it_built_ahead_or_not(api: Api):
    """A page built ahead takes what remains from the page before it when nothing changed in
    between, and counts again when something did: either way the number is exact."""
    lead = api.login("lead01")
    everything = lead.changes(limit=10_000)["changes"]
    feed = api.server.services.feed
    remaining = len(everything)
    pulled: list[dict] = []
    cursor = None
    edited: str | None = None
    while True:
        page = lead.changes(cursor, limit=3)
        pulled.extend(page["changes"])
        cursor = page["cursor"]
        remaining -= len(page["changes"])
        assert page["estimated_remaining"] == remaining, len(pulled)
        assert page["has_more"] == (remaining > 0)
        if not page["has_more"]:
            break
        assert feed.settle() >= 1  # the next page is built ahead, from what this one knew
        if edited is None and len(pulled) >= len(everything) // 2:
            # A customer already pulled moves to the end of the feed: one more change to come,
            # and the page built ahead is built again by its request.
            edited = next(c["id"] for c in pulled if c["entity"] == "customer")
            api.dev_edit("customer", edited, tier="diamond")
            remaining += 1

    assert edited is not None and pulled[-1]["id"] == edited
    assert pulled[-1]["data"]["tier"] == "diamond"
    assert [c for c in pulled if c["id"] != edited] == [c for c in everything if c["id"] != edited]


def test_a_page_built_ahead_after_a_change_counts_what_remains_again(
    api: Api, monkeypatch: pytest.MonkeyPatch
):
    """The read-ahead starts late, after a change the page before it did not see: the page it
    builds is the feed after the change, and so is what it says remains."""
    lead = api.login("lead01")
    everything = lead.changes(limit=10_000)["changes"]
    gate = threading.Event()
    build = feed_module._build

    def late_build(*args: Any) -> Any:
        if threading.current_thread().name.startswith("feed-read-ahead"):
            gate.wait(10)
        return build(*args)

    monkeypatch.setattr(feed_module, "_build", late_build)
    # Pages that end with the first customer, which the change then moves to the feed's end.
    size = next(n for n, c in enumerate(everything) if c["entity"] == "customer") + 1
    first = lead.changes(limit=size)  # its next page waits at the gate
    api.dev_edit("customer", first["changes"][-1]["id"], tier="diamond")
    gate.set()
    assert api.server.services.feed.settle() == 1

    second = lead.changes(first["cursor"], limit=size)

    assert second["changes"] == everything[size : 2 * size]
    assert second["estimated_remaining"] == len(everything) - 2 * size + 1


def _next_link(response: httpx.Response) -> str | None:
    """The ``rel="next"`` address of an answer's ``Link`` header, as a link follower reads it."""
    link = response.links.get("next")
    return None if link is None else str(link["url"])


def test_a_link_header_gives_the_next_page_so_a_client_can_follow_pages_unread(api: Api):
    rm = api.login("rm001")
    everything = rm.changes(limit=10_000)["changes"]

    for encoding in ("gzip", "identity"):
        answers = []
        url: str | None = f"{api.server.api_url}/changes?limit=4"
        while url is not None:
            response = rm.http.get(url, headers={**rm.auth, "Accept-Encoding": encoding})
            assert response.status_code == 200, response.text
            answers.append(response)
            url = _next_link(response)

        bodies = [answer.json() for answer in answers]
        assert [c for body in bodies for c in body["changes"]] == everything, encoding
        assert len(answers) == -(-len(everything) // 4) > 2
        # Each link is this page's own cursor and limit, at the address the request came to.
        for answer, body in zip(answers[:-1], bodies[:-1], strict=True):
            link = httpx.URL(_next_link(answer) or "")
            assert body["has_more"] is True
            assert link.copy_with(query=None) == httpx.URL(f"{api.server.api_url}/changes")
            assert dict(link.params) == {"cursor": body["cursor"], "limit": "4"}
        # The last page has no next: a client that follows links stops when the feed is read.
        assert bodies[-1]["has_more"] is False and "Link" not in answers[-1].headers


def test_a_link_header_carries_the_limit_a_page_was_answered_with(api: Api):
    rm = api.login("rm001")
    default = api.server.services.settings.feed_default_limit

    one = rm.get("/changes", params={"limit": 1})
    whole = rm.get("/changes")

    assert httpx.URL(_next_link(one) or "").params["limit"] == "1"
    # Without a limit the page is the default size; a feed that fits in it has no next page.
    assert len(whole.json()["changes"]) < default and _next_link(whole) is None


def test_the_feed_checks_the_sign_in_as_every_call_does(make_api):
    api = make_api(rate_limit_per_minute=3)
    rm = api.login("rm001")

    missing = api.http.get("/changes")
    unknown = api.http.get("/changes", headers={"Authorization": "Bearer not-a-token"})
    statuses = [rm.get("/changes", params={"limit": 1}).status_code for _ in range(4)]
    api.clock.advance(minutes=16)
    expired = api.login("rm002")
    api.clock.advance(minutes=16)

    assert missing.status_code == 401 and missing.json()["code"] == "unauthorized"
    assert missing.headers["www-authenticate"].startswith("Bearer")
    assert unknown.status_code == 401 and unknown.json()["code"] == "invalid_token"
    assert statuses == [200] * 3 + [429]  # a page counts against the user's calls a minute
    assert expired.get("/changes").json()["code"] == "token_expired"
