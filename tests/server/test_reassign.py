"""A customer moving to another RM's book (API.md §2, ``/dev/reassign``)."""

from __future__ import annotations

from tests.server.conftest import Api

C0001_RECORDS = {
    ("customer", "c-0001"),
    ("account", "a-0001"),
    ("holding", "hd-0001"),
    ("transaction", "tx-0001"),
    ("customer_tag", "g-0001"),
    ("task", "k-0001"),
    ("alert", "al-0001"),
    ("visit", "v-0001"),
    ("household", "h-0001"),
    ("relationship", "r-0001"),
    ("opportunity", "o-0001"),
    ("visit", "v-old"),
    ("customer_tag", "g-manual"),
}


def ids(changes) -> set[tuple[str, str]]:
    return {(change["entity"], change["id"]) for change in changes}


def held_after(changes) -> set[tuple[str, str]]:
    """What a client holds after applying ``changes`` in order (purging a customer that left)."""
    held: dict[tuple[str, str], str | None] = {}
    for change in changes:
        key = (change["entity"], change["id"])
        if change["op"] == "upsert":
            held[key] = change["data"].get("customer_id")
        elif change.get("reason") == "out_of_scope" and change["entity"] == "customer":
            held = {k: v for k, v in held.items() if k != key and v != change["id"]}
        else:
            held.pop(key, None)
    return set(held)


def test_reassigned_customer_appears_with_all_children_after_the_new_owners_cursor(api: Api):
    new_owner = api.login("rm003")
    _, cursor = new_owner.all_changes()

    moved = api.dev("reassign", {"customer_id": "c-0001", "to_rm": "rm003"})
    changes, _ = new_owner.all_changes(cursor)

    assert moved["records"] == len(C0001_RECORDS) and moved["from_rm"] == "rm001"
    assert ids(changes) == C0001_RECORDS
    assert all(change["op"] == "upsert" for change in changes)
    customer = next(c for c in changes if c["entity"] == "customer")
    assert customer["data"]["primary_rm_id"] == "rm003"


def test_old_owner_gets_out_of_scope_for_the_customer_only(api: Api):
    old_owner = api.login("rm001")
    _, cursor = old_owner.all_changes()

    api.dev("reassign", {"customer_id": "c-0001", "to_rm": "rm003"})
    changes, _ = old_owner.all_changes(cursor)

    assert changes == [
        {
            "entity": "customer",
            "id": "c-0001",
            "rev": changes[0]["rev"],
            "op": "delete",
            "reason": "out_of_scope",
        }
    ]


def test_old_team_lead_gets_out_of_scope_and_new_team_lead_gets_the_records(api: Api):
    old_lead, new_lead = api.login("lead01"), api.login("lead02")
    _, old_cursor = old_lead.all_changes()
    _, new_cursor = new_lead.all_changes()

    api.dev("reassign", {"customer_id": "c-0001", "to_rm": "rm003"})

    old_changes, _ = old_lead.all_changes(old_cursor)
    new_changes, _ = new_lead.all_changes(new_cursor)
    assert [(c["op"], c.get("reason"), c["id"]) for c in old_changes] == [
        ("delete", "out_of_scope", "c-0001")
    ]
    assert ids(new_changes) == C0001_RECORDS


def test_move_within_the_team_tells_the_lead_nothing_but_new_revs(api: Api):
    lead, old_owner, new_owner = api.login("lead01"), api.login("rm001"), api.login("rm002")
    _, lead_cursor = lead.all_changes()
    _, old_cursor = old_owner.all_changes()
    _, new_cursor = new_owner.all_changes()

    api.dev("reassign", {"customer_id": "c-0001", "to_rm": "rm002"})

    lead_changes, _ = lead.all_changes(lead_cursor)
    assert ids(lead_changes) == C0001_RECORDS
    assert all(change["op"] == "upsert" for change in lead_changes)
    assert [c["reason"] for c in old_owner.all_changes(old_cursor)[0]] == ["out_of_scope"]
    assert ids(new_owner.all_changes(new_cursor)[0]) == C0001_RECORDS


def test_full_sync_after_reassignment_matches_the_new_books(api: Api):
    api.dev("reassign", {"customer_id": "c-0001", "to_rm": "rm003"})

    rm001, _ = api.login("rm001").all_changes()
    rm003, _ = api.login("rm003").all_changes()

    assert not C0001_RECORDS & held_after(rm001)
    assert held_after(rm003) >= C0001_RECORDS


def test_customer_moved_away_and_back_ends_in_the_book_again(api: Api):
    rm = api.login("rm001")
    _, cursor = rm.all_changes()

    api.dev("reassign", {"customer_id": "c-0001", "to_rm": "rm003"})
    api.dev("reassign", {"customer_id": "c-0001", "to_rm": "rm001"})
    changes, _ = rm.all_changes(cursor)

    assert held_after(changes) >= C0001_RECORDS


def test_former_owner_can_no_longer_write_the_moved_records(api: Api):
    rm = api.login("rm001")
    api.dev("reassign", {"customer_id": "c-0001", "to_rm": "rm003"})

    [result] = rm.push(
        {
            "op_id": "op-1",
            "entity": "task",
            "id": "k-0001",
            "op": "update",
            "base_rev": 1,
            "fields": {"status": "completed"},
        }
    )

    assert result["status"] == "rejected" and result["code"] == "not_found"


def test_reassign_to_someone_who_is_not_an_rm_or_of_an_unknown_customer_is_refused(api: Api):
    lead = api.http.post("/dev/reassign", json={"customer_id": "c-0001", "to_rm": "lead01"})
    unknown = api.http.post("/dev/reassign", json={"customer_id": "c-9999", "to_rm": "rm002"})

    assert lead.status_code == 422 and lead.json()["field_errors"] == {
        "to_rm": "not an RM of this bank"
    }
    assert unknown.status_code == 404
