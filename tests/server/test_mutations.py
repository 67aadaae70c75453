"""Pushing mutations (API.md §3): applied, conflicts of each kind, rejections of each code,
per-field merging, idempotency."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from crm_server.mutations import body_hash
from crm_server.wire import Mutation
from rm_desk.domain.entities import Task, Visit
from tests.server.conftest import Api, UserClient, new_op_id


def rev_of(user: UserClient, entity: str, record_id: str) -> int:
    changes, _ = user.all_changes()
    return max(c["rev"] for c in changes if (c["entity"], c["id"]) == (entity, record_id))


def update(entity: str, record_id: str, base_rev: int, **fields: Any) -> dict[str, Any]:
    return {
        "op_id": new_op_id(),
        "entity": entity,
        "id": record_id,
        "op": "update",
        "base_rev": base_rev,
        "fields": fields,
    }


def create(entity: str, record_id: str, **fields: Any) -> dict[str, Any]:
    return {
        "op_id": new_op_id(),
        "entity": entity,
        "id": record_id,
        "op": "create",
        "fields": fields,
    }


def remove(entity: str, record_id: str, base_rev: int) -> dict[str, Any]:
    return {
        "op_id": new_op_id(),
        "entity": entity,
        "id": record_id,
        "op": "delete",
        "base_rev": base_rev,
    }


VISIT_FIELDS = {
    "customer_ids": ["c-0001"],
    "channel": "onsite",
    "purpose": "portfolio_review",
    "start_at": "2026-11-20T08:00:00Z",
    "end_at": "2026-11-20T08:45:00Z",
    "notes": "资产检视，客户关注养老规划。",
    "outcome": "follow_up",
}


# --- applied ---------------------------------------------------------------------------------


def test_visit_created_offline_is_applied_with_the_server_stamps(api: Api):
    rm = api.login("rm001")

    [result] = rm.push(create("visit", "5f1c0000-0000-4000-8000-000000000001", **VISIT_FIELDS))

    assert result["status"] == "applied"
    record = result["record"]
    assert record["rm_id"] == "rm001" and record["created_at"] == "2026-11-20T09:00:00Z"
    assert record["rev"] == result["rev"]
    visit = Visit.from_wire(record)
    assert visit.customer_ids == ("c-0001",)
    changes, _ = rm.all_changes()
    assert any(c["id"] == "5f1c0000-0000-4000-8000-000000000001" for c in changes)


def test_task_created_gets_assigner_sla_and_escalation_from_the_server(api: Api):
    rm = api.login("rm001")

    [result] = rm.push(
        create(
            "task",
            "t-new",
            title="回访",
            kind="manual",
            customer_id="c-0002",
            priority="high",
            due_at="2026-11-21T09:00:00Z",
        )
    )

    assert result["status"] == "applied"
    task = Task.from_wire(result["record"])
    assert task.assigner_id == "rm001" and task.assignee_id == "rm001"
    assert result["record"]["sla_due_at"] == "2026-11-21T09:00:00Z"  # 高: one day
    assert task.escalation_level == 0


def test_assignee_updates_task_status_and_completion_note(api: Api):
    rm = api.login("rm001")
    base = rev_of(rm, "task", "k-0001")

    [result] = rm.push(
        update("task", "k-0001", base, status="completed", completion_note="客户已续作")
    )

    assert result["status"] == "applied"
    assert result["rev"] > base
    assert result["record"]["status"] == "completed"
    assert result["record"]["completion_note"] == "客户已续作"
    assert result["changed_fields"] == ["completion_note", "status"]


def test_update_to_the_values_already_held_is_applied_without_a_new_rev(api: Api):
    rm = api.login("rm001")
    base = rev_of(rm, "task", "k-0001")

    [result] = rm.push(update("task", "k-0001", base, status="not_started"))

    assert result["status"] == "applied" and result["rev"] == base
    assert result["changed_fields"] == []


def test_rm_edits_customer_soft_profile_and_contact_prefs(api: Api):
    rm = api.login("rm001")
    base = rev_of(rm, "customer", "c-0001")
    profile = {
        "interests": "书法",
        "family_notes": "",
        "remarks": "喜欢上午联系",
        "do_not_disturb": False,
    }

    [result] = rm.push(
        update(
            "customer", "c-0001", base, soft_profile=profile, contact_prefs={"channels": ["wechat"]}
        )
    )

    assert result["status"] == "applied"
    assert result["record"]["soft_profile"] == profile


def test_team_lead_reassigns_a_task_within_the_team(api: Api):
    lead = api.login("lead01")
    base = rev_of(lead, "task", "k-0001")

    [result] = lead.push(
        update("task", "k-0001", base, priority="urgent", due_at="2026-11-20T17:00:00Z")
    )

    assert result["status"] == "applied"
    assert result["record"]["priority"] == "urgent"


def test_rm_adds_and_removes_a_manual_tag(api: Api):
    rm = api.login("rm001")

    [created] = rm.push(create("customer_tag", "tag-1", customer_id="c-0001", name="钓鱼"))
    [deleted] = rm.push(remove("customer_tag", "tag-1", created["rev"]))

    assert created["status"] == "applied"
    assert created["record"]["category"] == "manual" and created["record"]["source"] == "rm"
    assert deleted["status"] == "applied" and deleted["record"] is None
    changes, _ = rm.all_changes()
    tag = [c for c in changes if c["id"] == "tag-1"]
    assert tag == [
        {
            "entity": "customer_tag",
            "id": "tag-1",
            "rev": deleted["rev"],
            "op": "delete",
            "reason": "deleted",
        }
    ]


def test_opportunity_moved_to_another_customer_of_the_book(api: Api):
    rm = api.login("rm001")
    base = rev_of(rm, "opportunity", "o-0001")

    [result] = rm.push(update("opportunity", "o-0001", base, customer_id="c-0002"))

    assert result["status"] == "applied"
    assert result["record"]["customer_id"] == "c-0002"


def test_a_batch_answers_one_result_per_mutation_in_order(api: Api):
    rm = api.login("rm001")
    base = rev_of(rm, "task", "k-0001")
    batch = [
        update("task", "k-0001", base, status="in_progress"),
        update("customer", "c-0001", base, tier="private"),
        create("visit", "v-batch", **VISIT_FIELDS),
        update("task", "k-0003", base, status="completed"),
    ]

    results = rm.push(*batch)

    assert [r["op_id"] for r in results] == [m["op_id"] for m in batch]
    assert [r["status"] for r in results] == ["applied", "rejected", "applied", "rejected"]
    assert [r.get("code") for r in results] == [None, "field_not_editable", None, "not_found"]


# --- conflicts -------------------------------------------------------------------------------


def test_same_field_changed_on_the_server_is_a_fields_conflict_and_nothing_is_applied(api: Api):
    rm = api.login("rm001")
    base = rev_of(rm, "task", "k-0001")
    server = api.dev_edit("task", "k-0001", status="cancelled")

    [result] = rm.push(update("task", "k-0001", base, status="completed", completion_note="办结"))

    assert result["status"] == "conflict" and result["kind"] == "fields"
    assert result["conflicting_fields"] == ["status"]
    assert result["rev"] == server["rev"]
    assert result["record"]["status"] == "cancelled"
    assert result["record"]["completion_note"] is None  # nothing of the op applied
    assert result["field_revs"]["status"] == server["rev"]


def test_other_field_changed_on_the_server_merges_silently(api: Api):
    rm = api.login("rm001")
    base = rev_of(rm, "task", "k-0001")
    api.dev_edit("task", "k-0001", due_at="2026-11-25T09:00:00Z")

    [result] = rm.push(update("task", "k-0001", base, status="in_progress"))

    assert result["status"] == "applied"
    assert result["record"]["status"] == "in_progress"
    assert result["record"]["due_at"] == "2026-11-25T09:00:00Z"


def test_same_field_changed_to_the_same_value_on_both_sides_is_no_conflict(api: Api):
    rm = api.login("rm001")
    base = rev_of(rm, "task", "k-0001")
    api.dev_edit("task", "k-0001", status="completed")

    [result] = rm.push(update("task", "k-0001", base, status="completed", completion_note="已办结"))

    assert result["status"] == "applied"
    # The bank wrote the status itself; this op changed only the note.
    assert result["changed_fields"] == ["completion_note"]


def test_the_replay_of_an_update_names_the_fields_the_first_answer_named(api: Api):
    rm = api.login("rm001")
    base = rev_of(rm, "task", "k-0001")
    op = update("task", "k-0001", base, status="in_progress")
    [first] = rm.push(op)
    api.dev_edit("task", "k-0001", status="completed")

    [again] = rm.push(op)

    assert first["changed_fields"] == ["status"]
    assert again == {**first, "replayed": True}


def test_update_based_on_the_latest_rev_does_not_conflict(api: Api):
    rm = api.login("rm001")
    server = api.dev_edit("task", "k-0001", status="cancelled")

    [result] = rm.push(update("task", "k-0001", server["rev"], status="in_progress"))

    assert result["status"] == "applied"


def test_update_of_a_record_deleted_on_the_server_is_a_deleted_conflict(api: Api):
    rm = api.login("rm001")
    base = rev_of(rm, "opportunity", "o-0001")
    api.dev("edit", {"entity": "opportunity", "id": "o-0001", "deleted": True})

    [result] = rm.push(update("opportunity", "o-0001", base, stage="recommended"))

    assert result["status"] == "conflict" and result["kind"] == "deleted"
    assert result["record"] is None


def test_delete_of_a_record_changed_on_the_server_is_a_modified_conflict(api: Api):
    rm = api.login("rm001")
    base = rev_of(rm, "opportunity", "o-0001")
    api.dev_edit("opportunity", "o-0001", amount="350000.00")

    [result] = rm.push(remove("opportunity", "o-0001", base))

    assert result["status"] == "conflict" and result["kind"] == "modified"
    assert result["conflicting_fields"] == ["amount"]
    assert result["record"]["amount"] == "350000.00"


def test_delete_of_an_unchanged_record_is_applied(api: Api):
    rm = api.login("rm001")
    base = rev_of(rm, "opportunity", "o-0001")

    [result] = rm.push(remove("opportunity", "o-0001", base))

    assert result["status"] == "applied" and result["rev"] > base


def test_an_update_stores_the_sent_values_in_wire_form_and_keeps_the_other_fields(api: Api):
    rm = api.login("rm001")
    changes, cursor = rm.all_changes()
    [before] = [c for c in changes if (c["entity"], c["id"]) == ("opportunity", "o-0001")]

    [result] = rm.push(
        update(
            "opportunity",
            "o-0001",
            before["rev"],
            amount="12.5",
            stage="recommended",
            suitability_snapshot={"customer_level": "C3", "result": "ok"},
        )
    )

    assert result["status"] == "applied"
    assert result["changed_fields"] == ["amount", "stage", "suitability_snapshot"]
    expected = {
        **before["data"],
        "amount": "12.50",
        "stage": "recommended",
        "suitability_snapshot": {"customer_level": "C3", "result": "ok"},
    }
    assert result["record"] == {**expected, "rev": result["rev"]}
    [entry] = rm.changes(cursor)["changes"]
    assert (entry["rev"], entry["data"]) == (result["rev"], expected)


# --- rejections ------------------------------------------------------------------------------


def test_bad_value_is_rejected_validation_error_naming_the_field(api: Api):
    rm = api.login("rm001")
    base = rev_of(rm, "task", "k-0001")

    results = rm.push(
        update("task", "k-0001", base, status="finished"),
        update("opportunity", "o-0001", base, amount=12.5),
        update("task", "k-0001", base, status=None),
        create("visit", "v-bad", **{**VISIT_FIELDS, "start_at": "yesterday"}),
        update("customer", "c-0001", base, soft_profile={"hobby": "x"}),
        {**update("task", "k-0001", base, status="completed"), "base_rev": None},
        create("widget", "w-1", name="x"),
    )

    assert [r["code"] for r in results] == ["validation_error"] * 7
    assert [list(r["field_errors"]) for r in results] == [
        ["status"],
        ["amount"],
        ["status"],
        ["start_at"],
        ["soft_profile.hobby"],
        ["base_rev"],
        ["entity"],
    ]
    assert all(r["message"] for r in results)


def test_values_that_break_a_rule_are_rejected_and_leave_the_record_as_it_was(api: Api):
    rm = api.login("rm001")
    [created] = rm.push(create("visit", "v-rules", **VISIT_FIELDS))
    visit_rev = created["rev"]
    opportunity_rev = rev_of(rm, "opportunity", "o-0001")

    results = rm.push(
        create("visit", "v-backwards", **{**VISIT_FIELDS, "end_at": "2026-11-20T07:59:00Z"}),
        # the stored start (08:00) is what the sent end is checked against
        update("visit", "v-rules", visit_rev, end_at="2026-11-20T07:30:00Z"),
        update("opportunity", "o-0001", opportunity_rev, amount="-5.00"),
        create("opportunity", "o-rules", customer_id="c-0001", category="wealth", amount="-1"),
    )

    assert [(r["status"], r.get("code")) for r in results] == [("rejected", "validation_error")] * 4
    assert [r["field_errors"] for r in results] == [
        {"end_at": "must not be before the start"},
        {"end_at": "must not be before the start"},
        {"amount": "must not be negative"},
        {"amount": "must not be negative"},
    ]
    assert rev_of(rm, "visit", "v-rules") == visit_rev
    assert rev_of(rm, "opportunity", "o-0001") == opportunity_rev
    changes, _ = rm.all_changes()
    assert not [c for c in changes if c["id"] in ("v-backwards", "o-rules")]
    # a later end, or an update of other fields of a record, still goes through
    [later, other] = rm.push(
        update("visit", "v-rules", visit_rev, end_at="2026-11-20T09:00:00Z"),
        update("opportunity", "o-0001", opportunity_rev, stage="recommended"),
    )
    assert (later["status"], other["status"]) == ("applied", "applied")


def test_fields_the_user_may_not_edit_are_rejected_field_not_editable(api: Api):
    rm = api.login("rm001")
    base = rev_of(rm, "customer", "c-0001")

    results = rm.push(
        update("customer", "c-0001", base, tier="private", aum="1.00", soft_profile={}),
        update("account", "a-0001", base, balance="1.00"),
        update("task", "k-0001", base, priority="urgent"),  # the assigner's field
        create("task", "t-x", title="x", kind="manual", sla_due_at="2026-11-21T09:00:00Z"),
    )

    assert [r["code"] for r in results] == ["field_not_editable"] * 4
    assert results[0]["field_errors"] == {"aum": "not editable", "tier": "not editable"}
    assert list(results[3]["field_errors"]) == ["sla_due_at"]


def test_forbidden_operations_are_rejected_forbidden(api: Api):
    rm = api.login("rm001")
    base = rev_of(rm, "visit", "v-old")

    results = rm.push(
        create("account", "a-new", customer_id="c-0001"),
        remove("visit", "v-0001", base),
        remove("customer_tag", "g-0001", base),  # a system tag
        update("visit", "v-old", base, notes="补记"),  # more than 72 hours past
        create("task", "t-y", title="x", kind="manual", assignee_id="rm002"),
    )

    assert [r["code"] for r in results] == ["forbidden"] * 5


def test_records_of_another_book_are_rejected_not_found(api: Api):
    rm = api.login("rm001")

    results = rm.push(
        update("task", "k-0004", 1, status="completed"),
        update("task", "no-such-task", 1, status="completed"),
        remove("opportunity", "o-elsewhere", 1),
        create("visit", "v-foreign", **{**VISIT_FIELDS, "customer_ids": ["c-0004"]}),
        create("task", "t-foreign", title="x", kind="manual", customer_id="c-0003"),
    )

    assert [r["code"] for r in results] == ["not_found"] * 5
    assert results[3]["field_errors"] == {"customer_ids": "no such customer in your book"}


def test_create_with_an_id_already_taken_is_rejected(api: Api):
    rm = api.login("rm001")

    [result] = rm.push(create("visit", "v-0004", **VISIT_FIELDS))

    assert result["code"] == "validation_error" and result["field_errors"] == {
        "id": "already exists"
    }


def test_rejected_mutation_leaves_nothing_behind(api: Api):
    rm = api.login("rm001")
    before = api.dev("stats")

    rm.push(create("visit", "v-bad", **{**VISIT_FIELDS, "outcome": "great"}))

    assert api.dev("stats")["records"] == before["records"]


# --- idempotency -----------------------------------------------------------------------------


def test_repeated_op_gets_the_stored_result_replayed_and_applies_once(api: Api):
    rm = api.login("rm001")
    op = create("visit", "v-once", **VISIT_FIELDS)

    [first] = rm.push(op)
    [again] = rm.push(op)

    assert "replayed" not in first
    assert again == {**first, "replayed": True}
    assert api.dev(f"ops/{op['op_id']}") == {"applied_count": 1}
    stats = api.dev("stats")
    assert stats["ops_applied"] == 1 and stats["ops_applied_twice"] == 0


def test_repeat_after_a_later_server_change_still_answers_the_first_result(api: Api):
    rm = api.login("rm001")
    base = rev_of(rm, "task", "k-0001")
    op = update("task", "k-0001", base, status="in_progress")
    [first] = rm.push(op)
    api.dev_edit("task", "k-0001", status="cancelled")

    [again] = rm.push(op)

    assert again["status"] == "applied" and again["record"] == first["record"]
    assert again["replayed"] is True


def test_the_same_op_twice_in_one_batch_applies_once(api: Api):
    rm = api.login("rm001")
    op = create("visit", "v-twice", **VISIT_FIELDS)

    first, second = rm.push(op, op)

    assert first["status"] == "applied" and second == {**first, "replayed": True}
    assert api.dev(f"ops/{op['op_id']}") == {"applied_count": 1}


def test_an_op_sent_again_after_its_result_expired_is_applied_again_and_counted_twice(
    api: Api,
) -> None:
    rm = api.login("rm001")
    op = update("task", "k-0001", rev_of(rm, "task", "k-0001"), status="in_progress")
    [first] = rm.push(op)
    api.clock.now += timedelta(days=36)  # past op_retention: the stored result goes
    rm = api.login("rm001")
    rm.push(create("visit", "v-later", **VISIT_FIELDS))

    [again] = rm.push(op)

    assert first["status"] == again["status"] == "applied"
    assert "replayed" not in again and again["changed_fields"] == []
    assert api.dev(f"ops/{op['op_id']}") == {"applied_count": 2}
    assert api.dev("stats")["ops_applied_twice"] == 1


def test_a_body_that_differs_in_any_member_is_not_taken_for_the_same_op() -> None:
    sent = Mutation(
        op_id="op-1", entity="task", id="k-1", op="update", base_rev=3, fields={"status": "done"}
    )
    others = {
        "op_id": "op-2",
        "entity": "visit",
        "id": "k-2",
        "op": "delete",
        "base_rev": 4,
        "fields": {"status": "open"},
    }
    assert others.keys() == Mutation.model_fields.keys()  # a new member must be hashed too

    for name, value in others.items():
        assert body_hash(sent.model_copy(update={name: value})) != body_hash(sent), name
    assert body_hash(Mutation.model_validate_json(sent.model_dump_json())) == body_hash(sent)


def test_rejected_and_conflicting_results_are_replayed_too(api: Api):
    rm = api.login("rm001")
    op = update("customer", "c-0001", 1, tier="private")

    [first] = rm.push(op)
    [again] = rm.push(op)

    assert first["status"] == "rejected" and again == {**first, "replayed": True}
    assert api.dev(f"ops/{op['op_id']}") == {"applied_count": 0}


def test_op_id_reused_with_another_body_is_422_and_nothing_of_the_batch_applies(api: Api):
    rm = api.login("rm001")
    op = create("visit", "v-first", **VISIT_FIELDS)
    rm.push(op)
    other = create("visit", "v-other", **VISIT_FIELDS)
    reused = {**op, "fields": {**VISIT_FIELDS, "notes": "改过"}}

    response = rm.post("/mutations", json={"mutations": [other, reused]})

    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_mismatch"
    assert response.json()["op_id"] == op["op_id"]
    assert api.dev(f"ops/{other['op_id']}") == {"applied_count": 0}


def test_op_id_of_another_user_is_an_idempotency_mismatch(api: Api):
    op = create("visit", "v-mine", **VISIT_FIELDS)
    api.login("rm001").push(op)

    response = api.login("lead01").post("/mutations", json={"mutations": [op]})

    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_mismatch"


def test_stored_results_expire_after_the_retention(api: Api):
    rm = api.login("rm001")
    op = create("visit", "v-old-op", **VISIT_FIELDS)
    rm.push(op)
    api.clock.advance(days=36)
    rm = api.login("rm001")

    rm.push(create("visit", "v-later", **VISIT_FIELDS))  # a batch purges expired results
    [again] = rm.push(op)

    assert again["code"] == "validation_error"  # no replay any more: the id is taken
    assert api.dev(f"ops/{op['op_id']}") == {"applied_count": 1}


# --- the request as a whole ------------------------------------------------------------------


def test_more_than_200_mutations_is_refused_whole(api: Api):
    rm = api.login("rm001")
    batch = [create("visit", f"v-{n}", **VISIT_FIELDS) for n in range(201)]

    response = rm.post("/mutations", json={"mutations": batch})

    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"
    assert api.dev("stats")["ops_applied"] == 0


def test_200_mutations_apply_in_one_batch(api: Api):
    rm = api.login("rm001")
    batch = [create("visit", f"v-{n}", **VISIT_FIELDS) for n in range(200)]

    results = rm.push(*batch)

    assert [r["status"] for r in results] == ["applied"] * 200
    revs = [r["rev"] for r in results]
    assert revs == sorted(revs)


def test_malformed_mutation_envelopes_are_refused_whole_with_field_errors(api: Api):
    rm = api.login("rm001")
    good = create("visit", "v-good", **VISIT_FIELDS)

    cases = [
        {"mutations": [good, {**good, "op_id": "x2", "op": "upsert"}]},
        {"mutations": [good, {**good, "op_id": "x3", "surprise": 1}]},
        {"mutations": [good, {**good, "op_id": "x4", "base_rev": "12"}]},
        {"mutations": [good, {"op_id": "x5"}]},
        {"mutations": good},
        {"mutation": [good]},
    ]
    for body in cases:
        response = rm.post("/mutations", json=body)
        assert response.status_code == 422, body
        assert response.json()["code"] == "validation_error"
        assert response.json()["field_errors"]
    assert api.dev(f"ops/{good['op_id']}") == {"applied_count": 0}


def test_later_ops_of_a_batch_see_the_earlier_ones(api: Api):
    """A batch applies to copies of its records read once and written at the end: records
    created, edited and deleted in one batch still take every step in order."""
    rm = api.login("rm001")
    _, cursor = rm.all_changes()
    notes = {"notes": "补充：客户同意下周面谈。"}

    created, edited, stale, edited_again, tagged, untagged, again = rm.push(
        create("visit", "v-steps", **VISIT_FIELDS),
        update("visit", "v-steps", 0, **notes),
        update("visit", "v-steps", 0, notes="另一台设备上的旧备注。"),
        update("visit", "v-steps", 0, outcome="positive"),
        create("customer_tag", "tag-steps", customer_id="c-0001", name="钓鱼"),
        remove("customer_tag", "tag-steps", 0),
        remove("customer_tag", "tag-steps", 0),
    )
    changes, _ = rm.all_changes(cursor)

    assert [r["status"] for r in (created, edited, edited_again, tagged, untagged)] == [
        "applied"
    ] * 5
    assert created["rev"] < edited["rev"] < edited_again["rev"] < tagged["rev"] < untagged["rev"]
    assert edited["record"]["notes"] == notes["notes"]
    expected = {**edited["record"], "outcome": "positive", "rev": edited_again["rev"]}
    assert edited_again["record"] == expected
    assert stale["status"] == "conflict" and stale["conflicting_fields"] == ["notes"]
    assert stale["field_revs"]["notes"] == edited["rev"]
    assert untagged["record"] is None
    assert again["status"] == "applied" and again["rev"] == untagged["rev"]  # already deleted
    assert [(c["id"], c["rev"], c["op"]) for c in changes] == [
        ("v-steps", edited_again["rev"], "upsert"),
        ("tag-steps", untagged["rev"], "delete"),
    ]
    assert changes[0]["data"] == {k: v for k, v in expected.items() if k != "rev"}


def test_a_batch_of_creates_and_updates_over_several_records_lands_as_the_feed_shows(api: Api):
    rm = api.login("rm001")
    before, cursor = rm.all_changes()
    task_rev = max(c["rev"] for c in before if c["id"] == "k-0001")
    batch = [create("visit", f"v-many-{n}", **VISIT_FIELDS) for n in range(20)]
    batch.insert(7, update("task", "k-0001", task_rev, status="in_progress"))
    batch.insert(15, update("opportunity", "o-0001", task_rev, customer_id="c-0002"))

    results = rm.push(*batch)
    changes, _ = rm.all_changes(cursor)

    assert {r["status"] for r in results} == {"applied"}
    revs = [r["rev"] for r in results]
    assert revs == sorted(revs) and len(set(revs)) == len(revs)
    assert {(c["id"], c["rev"]) for c in changes} == {
        (r["record"]["id"], r["rev"]) for r in results
    }
    for change, result in zip(sorted(changes, key=lambda c: c["rev"]), results, strict=True):
        assert {**change["data"], "rev": change["rev"]} == result["record"]
    assert api.dev("stats")["ops_applied_twice"] == 0
