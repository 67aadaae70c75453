"""The three-way merge of API.md §3 and DOMAIN.md's conflict policies, as tables of cases."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rm_desk.domain.enums import AlertStatus, ConflictKind, OpKind, TaskStatus
from rm_desk.domain.fields import REGULATED_FIELDS, SOFT_PROFILE_KEYS
from rm_desk.sync.merge import (
    NOTES_MARKER,
    WHOLE_RECORD,
    FieldOutcome,
    MergePolicy,
    merge,
    merge_deleted,
    merge_modified,
    merge_soft_profile,
    merge_tag_sets,
    same,
)

RESENT, AUTO, CONFLICT, THEIRS = (
    FieldOutcome.RESENT,
    FieldOutcome.AUTO,
    FieldOutcome.CONFLICT,
    FieldOutcome.TAKEN_THEIRS,
)


@dataclass(frozen=True)
class Row:
    """One field of one entity, its three values, and what the merge must do with it."""

    entity: str
    field: str
    base: Any
    mine: Any
    theirs: Any
    outcome: FieldOutcome
    visible: Any  # resolved[field]
    sent: bool = False  # whether resend carries the visible value
    policy: MergePolicy | None = None


TASK_RULE = MergePolicy.TASK_STATUS_PRECEDENCE
ALERT_RULE = MergePolicy.ALERT_STATUS_PRECEDENCE
NOTES_RULE = MergePolicy.NOTES_KEPT_BOTH
M = NOTES_MARKER
SNAP_OK, SNAP_BLOCKED, SNAP_FLAGGED = ({"result": r} for r in ("ok", "blocked", "flagged"))

# Every row of the policy table: the three-way rules first, then each entity's policy.
# Kept one row a line (fmt: off) so the table reads as a table.
# fmt: off
ROWS: dict[str, Row] = {
    # --- three-way rules, on fields with no policy -----------------------------------------------
    "changed only by me: re-sent":
        Row("opportunity", "stage", "lead", "contacted", "lead", RESENT, "contacted", True),
    "changed to the same value on both sides: theirs":
        Row("opportunity", "stage", "lead", "won", "won", THEIRS, "won"),
    "changed on both sides differently, no policy: user decides":
        Row("opportunity", "stage", "lead", "contacted", "won", CONFLICT, "contacted"),
    "edited then undone while the server changed it: user decides":
        Row("opportunity", "stage", "lead", "lead", "won", CONFLICT, "lead"),
    "money changed on both sides: user decides":
        Row("opportunity", "amount", "100.00", "200.00", "300.00", CONFLICT, "200.00"),
    "field missing from base and theirs reads as null: re-sent":
        Row("opportunity", "lost_reason", None, "price", None, RESENT, "price", True),
    "unknown entity, both changed: user decides":
        Row("gizmo", "status", "a", "b", "c", CONFLICT, "b"),
    "true is not 1 (1 is 1.0): re-sent":
        Row("opportunity", "flag", 1, True, 1.0, RESENT, True, True),
    # --- regulated fields: the three-way rules, then always the user ----------------------------
    "suitability snapshot changed on both sides: user decides, never auto":
        Row("opportunity", "suitability_snapshot", SNAP_OK, SNAP_BLOCKED, SNAP_FLAGGED, CONFLICT,
            SNAP_BLOCKED),
    "suitability snapshot changed only by me: re-sent":
        Row("opportunity", "suitability_snapshot", SNAP_OK, SNAP_BLOCKED, SNAP_OK, RESENT,
            SNAP_BLOCKED, True),
    "customer risk level changed on both sides: user decides":
        Row("customer", "risk_level", "C2", "C3", "C4", CONFLICT, "C3"),
    # --- task: status by precedence, every other field the user decides -------------------------
    "task completed by me, in progress on the server: mine wins, re-sent":
        Row("task", "status", "not_started", "completed", "in_progress", AUTO, "completed", True,
            TASK_RULE),
    "task in progress by me, completed on the server: theirs wins, nothing sent":
        Row("task", "status", "not_started", "in_progress", "completed", AUTO, "completed", False,
            TASK_RULE),
    "task cancelled by me, in progress on the server: mine wins":
        Row("task", "status", "not_started", "cancelled", "in_progress", AUTO, "cancelled", True,
            TASK_RULE),
    "task back to not started by me, cancelled on the server: theirs wins":
        Row("task", "status", "in_progress", "not_started", "cancelled", AUTO, "cancelled", False,
            TASK_RULE),
    "task in progress by me, not started again on the server: mine wins":
        Row("task", "status", "completed", "in_progress", "not_started", AUTO, "in_progress", True,
            TASK_RULE),
    "task completed by me, cancelled on the server: user decides":
        Row("task", "status", "in_progress", "completed", "cancelled", CONFLICT, "completed"),
    "task status that is not a code: user decides":
        Row("task", "status", "not_started", "done", "in_progress", CONFLICT, "done"),
    "task completion note on both sides: user decides":
        Row("task", "completion_note", None, "called", "visited", CONFLICT, "called"),
    "task due date on both sides: user decides":
        Row("task", "due_at", "2026-11-20T09:00:00Z", "2026-11-21T09:00:00Z",
            "2026-11-22T09:00:00Z", CONFLICT, "2026-11-21T09:00:00Z"),
    "task priority set to the same value on both sides: theirs":
        Row("task", "priority", "normal", "high", "high", THEIRS, "high"),
    # --- alert: status by precedence --------------------------------------------------------------
    "alert converted by me, dismissed on the server: converted, re-sent":
        Row("alert", "status", "new", "converted", "dismissed", AUTO, "converted", True,
            ALERT_RULE),
    "alert dismissed by me, converted on the server: converted, nothing sent":
        Row("alert", "status", "new", "dismissed", "converted", AUTO, "converted", False,
            ALERT_RULE),
    "alert dismissed by me, acknowledged on the server: dismissed":
        Row("alert", "status", "new", "dismissed", "acknowledged", AUTO, "dismissed", True,
            ALERT_RULE),
    "alert acknowledged by me, new again on the server: acknowledged":
        Row("alert", "status", "dismissed", "acknowledged", "new", AUTO, "acknowledged", True,
            ALERT_RULE),
    # --- visit: notes kept both, every other field the user decides -----------------------------
    "visit notes on both sides: server text, then a marked copy of mine":
        Row("visit", "notes", "谈了理财到期", "客户想续作", "后台补录", AUTO,
            "后台补录" + M + "客户想续作", True, NOTES_RULE),
    "visit notes cleared by me, edited on the server: server text kept":
        Row("visit", "notes", "old", "", "new", AUTO, "new", False, NOTES_RULE),
    "visit notes cleared on the server, edited by me: mine kept":
        Row("visit", "notes", "old", "mine", None, AUTO, "mine", True, NOTES_RULE),
    "visit notes already merged once: the copy is not added twice":
        Row("visit", "notes", "old", "mine", "theirs" + M + "mine", AUTO, "theirs" + M + "mine",
            False, NOTES_RULE),
    "visit notes that are not text: user decides":
        Row("visit", "notes", "old", "mine", ["theirs"], CONFLICT, "mine"),
    "visit outcome on both sides: user decides":
        Row("visit", "outcome", "neutral", "positive", "negative", CONFLICT, "positive"),
    # --- customer: contact_prefs the user decides (soft_profile: tests below) --------------------
    "customer contact preferences on both sides: user decides":
        Row("customer", "contact_prefs", {"sms": True}, {"sms": False},
            {"sms": True, "mail": True}, CONFLICT, {"sms": False}),
    "soft profile that is not an object: user decides for the whole field":
        Row("customer", "soft_profile", {}, "likes golf", {"remarks": "x"}, CONFLICT,
            "likes golf"),
}
# fmt: on


@pytest.mark.parametrize("row", list(ROWS.values()), ids=list(ROWS))
def test_policy_table(row: Row) -> None:
    result = merge(
        row.entity,
        {row.field: row.base},
        {row.field: row.mine},
        {row.field: row.theirs},
        mine_fields=[row.field],
    )

    assert dict(result.outcomes) == {row.field: row.outcome}
    assert same(result.resolved[row.field], row.visible)
    if row.sent:
        assert same(result.resend, {row.field: row.visible})
        assert result.send is OpKind.UPDATE
    else:
        assert result.resend == {}
        assert result.send is None
    if row.outcome is AUTO:
        (entry,) = result.auto
        assert (entry.field, entry.policy) == (row.field, row.policy)
        assert same(entry.chosen, row.visible)
        assert (entry.mine, entry.theirs) == (row.mine, row.theirs)
    else:
        assert result.auto == ()
    if row.outcome is CONFLICT:
        (conflict,) = result.conflicts
        assert (conflict.field, conflict.kind) == (row.field, ConflictKind.FIELDS)
        assert (conflict.base, conflict.mine, conflict.theirs) == (row.base, row.mine, row.theirs)
    else:
        assert result.conflicts == ()


def test_precedence_policy_decides_whichever_side_holds_the_winner() -> None:
    for mine, theirs in [("completed", "in_progress"), ("in_progress", "completed")]:
        result = merge(
            "task",
            {"status": "not_started"},
            {"status": mine},
            {"status": theirs},
            mine_fields={"status"},
        )
        assert result.resolved["status"] == TaskStatus.COMPLETED


def test_fields_untouched_by_me_are_left_to_the_server_copy() -> None:
    result = merge(
        "task",
        {"status": "not_started", "priority": "normal"},
        {"status": "in_progress", "priority": "normal"},
        {"status": "not_started", "priority": "urgent"},
        mine_fields={"status"},
    )

    assert dict(result.resolved) == {"status": "in_progress"}
    assert dict(result.resend) == {"status": "in_progress"}
    assert set(result.outcomes) == {"status"}


def test_several_fields_are_decided_each_on_its_own() -> None:
    result = merge(
        "task",
        {"status": "not_started", "completion_note": None, "title": "回访"},
        {"status": "completed", "completion_note": "已续作", "title": "回访客户"},
        {"status": "in_progress", "completion_note": "客户出差", "title": "回访"},
        mine_fields=["status", "completion_note", "title"],
    )

    assert dict(result.outcomes) == {
        "completion_note": CONFLICT,
        "status": AUTO,
        "title": RESENT,
    }
    assert dict(result.resend) == {"status": "completed", "title": "回访客户"}
    assert [c.field for c in result.conflicts] == ["completion_note"]
    assert result.resolved["completion_note"] == "已续作"  # mine stays visible until decided


def test_a_changed_field_missing_from_mine_is_refused() -> None:
    with pytest.raises(ValueError, match="notes"):
        merge("visit", {}, {}, {}, mine_fields=["notes"])


# --- soft profile: each key its own field ------------------------------------------------------


def test_soft_profile_keys_changed_on_different_sides_merge_silently() -> None:
    base = {"interests": "高尔夫", "remarks": "周末不便"}
    mine = {"interests": "高尔夫、茶", "remarks": "周末不便"}
    theirs = {"interests": "高尔夫", "remarks": "只接电话", "family_notes": "女儿留学"}

    result = merge(
        "customer",
        {"soft_profile": base},
        {"soft_profile": mine},
        {"soft_profile": theirs},
        mine_fields=["soft_profile"],
    )

    merged = {"interests": "高尔夫、茶", "remarks": "只接电话", "family_notes": "女儿留学"}
    assert result.resolved["soft_profile"] == merged
    assert result.resend["soft_profile"] == merged
    assert result.outcomes["soft_profile.interests"] is RESENT
    assert result.outcomes["soft_profile.remarks"] is THEIRS
    assert result.outcomes["soft_profile.family_notes"] is THEIRS
    assert result.conflicts == () and result.auto == ()
    assert set(result.outcomes) == {f"soft_profile.{key}" for key in SOFT_PROFILE_KEYS}


def test_soft_profile_key_changed_on_both_sides_is_the_users_decision_for_that_key_only() -> None:
    base = {"remarks": "a", "interests": "x", "do_not_disturb": False}
    mine = {"remarks": "mine", "interests": "x", "do_not_disturb": True}
    theirs = {"remarks": "theirs", "interests": "y", "do_not_disturb": False}

    result = merge_soft_profile(base, mine, theirs)

    (conflict,) = result.conflicts
    assert (conflict.field, conflict.base, conflict.mine, conflict.theirs) == (
        "soft_profile.remarks",
        "a",
        "mine",
        "theirs",
    )
    assert result.outcomes["soft_profile.do_not_disturb"] is RESENT
    assert result.outcomes["soft_profile.interests"] is THEIRS
    # Visible: mine for the key in conflict. Sent: theirs for it, until the user decides.
    assert result.resolved["soft_profile"] == {
        "remarks": "mine",
        "interests": "y",
        "do_not_disturb": True,
    }
    assert result.resend["soft_profile"] == {
        "remarks": "theirs",
        "interests": "y",
        "do_not_disturb": True,
    }


def test_soft_profile_with_only_a_conflicting_key_sends_nothing() -> None:
    result = merge_soft_profile({"remarks": "a"}, {"remarks": "b"}, {"remarks": "c"})

    assert result.resend == {} and result.send is None
    assert [c.field for c in result.conflicts] == ["soft_profile.remarks"]


def test_soft_profile_key_removed_by_me_is_sent_as_removed() -> None:
    result = merge_soft_profile(
        {"remarks": "a", "interests": "x"}, {"interests": "x"}, {"remarks": "a", "interests": "y"}
    )

    assert result.outcomes["soft_profile.remarks"] is RESENT
    assert result.resend["soft_profile"] == {"interests": "y"}


def test_soft_profile_unchanged_by_me_keeps_the_server_object_as_it_is() -> None:
    theirs = {"remarks": "new"}
    result = merge_soft_profile(None, None, theirs)

    assert result.resolved["soft_profile"] is theirs
    assert result.resend == {}
    assert set(result.outcomes.values()) == {THEIRS}


# --- deleted and modified records --------------------------------------------------------------


def test_update_of_a_visit_deleted_on_the_server_asks_recreate_or_drop() -> None:
    base = {"id": "v-1", "notes": "old", "outcome": "neutral"}
    result = merge_deleted(
        "visit", base, {"notes": "new", "outcome": "neutral"}, mine_fields=["notes"]
    )

    (conflict,) = result.conflicts
    assert conflict.kind is ConflictKind.DELETED and conflict.field == WHOLE_RECORD
    assert (conflict.base, conflict.mine, conflict.theirs) == (base, {"notes": "new"}, None)
    assert dict(result.resolved) == {"notes": "new"}
    assert result.resend == {} and result.send is None and result.auto == ()
    assert dict(result.outcomes) == {WHOLE_RECORD: CONFLICT}


def test_delete_of_an_opportunity_changed_on_the_server_asks_keep_deleting_or_keep_theirs() -> None:
    base = {"id": "o-1", "stage": "lead"}
    theirs = {"id": "o-1", "stage": "closing"}
    result = merge_modified("opportunity", base, theirs)

    (conflict,) = result.conflicts
    assert conflict.kind is ConflictKind.MODIFIED and conflict.field == WHOLE_RECORD
    assert (conflict.base, conflict.mine, conflict.theirs) == (base, None, theirs)
    assert result.resolved == {} and result.send is None


def test_delete_of_a_manual_tag_changed_on_the_server_is_sent_again_without_asking() -> None:
    theirs = {"id": "tag-1", "name": "高净值"}
    result = merge_modified("customer_tag", {"id": "tag-1", "name": "高净值客户"}, theirs)

    assert result.conflicts == ()
    (entry,) = result.auto
    assert (entry.field, entry.policy, entry.chosen) == (
        WHOLE_RECORD,
        MergePolicy.TAG_REMOVAL_KEPT,
        None,
    )
    assert entry.theirs == theirs
    assert result.send is OpKind.DELETE


def test_update_of_a_manual_tag_deleted_on_the_server_keeps_the_removal() -> None:
    result = merge_deleted("customer_tag", {"name": "a"}, {"name": "b"}, mine_fields=["name"])

    assert result.conflicts == () and result.send is None and result.resolved == {}
    (entry,) = result.auto
    assert (entry.policy, entry.mine) == (MergePolicy.TAG_REMOVAL_KEPT, {"name": "b"})


# --- manual tags: union with removals kept ------------------------------------------------------

TAG_ROWS = {
    "added on both sides: union": ({"a"}, {"a", "mine"}, {"a", "theirs"}, {"a", "mine", "theirs"}),
    "removed by me: removal kept": ({"a", "b"}, {"a"}, {"a", "b"}, {"a"}),
    "removed on the server: removal kept": ({"a", "b"}, {"a", "b"}, {"b"}, {"b"}),
    "removed by me, another added on the server": ({"a"}, set(), {"a", "c"}, {"c"}),
    "same tag added on both sides: once": (set(), {"x"}, {"x"}, {"x"}),
    "removed on both sides": ({"a"}, set(), set(), set()),
}


@pytest.mark.parametrize(("base", "mine", "theirs", "expected"), TAG_ROWS.values(), ids=TAG_ROWS)
def test_tag_sets(base: set[str], mine: set[str], theirs: set[str], expected: set[str]) -> None:
    assert merge_tag_sets(base, mine, theirs) == expected
    assert merge_tag_sets(base, theirs, mine) == expected  # neither side is favoured


tag_sets = st.frozensets(st.sampled_from("abcdef"))


@given(tag_sets, tag_sets, tag_sets)
def test_tag_merge_keeps_every_addition_and_every_removal(
    base: frozenset[str], mine: frozenset[str], theirs: frozenset[str]
) -> None:
    merged = merge_tag_sets(base, mine, theirs)

    assert (mine - base) | (theirs - base) <= merged
    assert not merged & ((base - mine) | (base - theirs))
    assert merged <= mine | theirs


# --- the property: nothing of mine is silently lost ---------------------------------------------

FIELDS: Mapping[str, tuple[str, ...]] = {
    "task": ("status", "completion_note", "priority"),
    "alert": ("status",),
    "visit": ("notes", "outcome"),
    "customer": ("soft_profile", "contact_prefs", "risk_level", "name"),
    "opportunity": ("stage", "amount", "suitability_snapshot"),
    "customer_tag": ("name",),
    "no_such_entity": ("status",),
}

scalars = st.one_of(
    st.sampled_from([s.value for s in TaskStatus] + [s.value for s in AlertStatus]),
    st.sampled_from(["", "a", "b", "a" + NOTES_MARKER + "b"]),
    st.none(),
    st.booleans(),
    st.integers(0, 2),
)
small = st.sampled_from([None, "a", "b", True, 1])
# Few keys and few values, so that keys collide and differ on all three sides often.
objects = st.dictionaries(st.sampled_from(["interests", "remarks", "extra"]), small, max_size=3)
values = st.one_of(scalars, objects, st.lists(scalars, max_size=2))
# The soft profile is mostly an object: merged key by key; now and then null or something else.
soft_profiles = st.integers(0, 9).flatmap(
    lambda n: values if n == 0 else st.none() if n == 1 else objects
)


def _values_of(field: str) -> st.SearchStrategy[Any]:
    return soft_profiles if field == "soft_profile" else values


@st.composite
def merge_inputs(
    draw: st.DrawFn,
) -> tuple[str, dict[str, Any], dict[str, Any], dict[str, Any], set[str]]:
    entity = draw(st.sampled_from(sorted(FIELDS)))
    fields = FIELDS[entity]
    base = draw(st.fixed_dictionaries({f: _values_of(f) for f in fields}))
    theirs = draw(st.fixed_dictionaries({f: _values_of(f) for f in fields}))
    mine_fields = draw(st.sets(st.sampled_from(fields)))
    mine = {f: draw(_values_of(f)) for f in sorted(mine_fields)}
    return entity, base, mine, theirs, mine_fields


def _is_object_or_null(value: Any) -> bool:
    return value is None or isinstance(value, dict)


@settings(max_examples=500)
@given(merge_inputs())
def test_every_changed_field_gets_exactly_one_outcome_and_nothing_of_mine_is_lost(
    inputs: tuple[str, dict[str, Any], dict[str, Any], dict[str, Any], set[str]],
) -> None:
    entity, base, mine, theirs, mine_fields = inputs
    result = merge(entity, base, mine, theirs, mine_fields=mine_fields)

    # Each merge field of mine: exactly one outcome, and one journal or inbox entry to match.
    expected: dict[str, tuple[Any, Any, Any]] = {}  # merge field -> (base, mine, theirs)
    for name in mine_fields:
        b, m, t = base.get(name), mine[name], theirs.get(name)
        if (
            entity == "customer"
            and name == "soft_profile"
            and all(map(_is_object_or_null, (b, m, t)))
        ):
            absent = object()
            b, m, t = b or {}, m or {}, t or {}
            for key in SOFT_PROFILE_KEYS | set(b) | set(m) | set(t):
                triple = (b.get(key, absent), m.get(key, absent), t.get(key, absent))
                # Within the object, a key is the user's change when it differs from the base.
                if not same(triple[1], triple[0]):
                    expected[f"soft_profile.{key}"] = triple
                else:
                    assert result.outcomes[f"soft_profile.{key}"] is THEIRS
        else:
            expected[name] = (b, m, t)
    assert set(expected) <= set(result.outcomes)
    auto = {entry.field: entry for entry in result.auto}
    conflicts = {entry.field: entry for entry in result.conflicts}
    assert len(auto) == len(result.auto) and len(conflicts) == len(result.conflicts)
    assert set(auto) == {f for f, o in result.outcomes.items() if o is AUTO}
    assert set(conflicts) == {f for f, o in result.outcomes.items() if o is CONFLICT}

    for name, (_b, m, t) in expected.items():
        outcome = result.outcomes[name]
        if not same(m, t):
            # Mine differs from theirs: re-sent, decided with a journal entry, or in the inbox.
            assert outcome is not THEIRS, name
        if outcome is AUTO:
            assert same(auto[name].mine, m)
        if outcome is CONFLICT:
            assert (conflicts[name].mine, conflicts[name].theirs) == (m, t) or "." in name

    # Top-level fields: what is visible and what is sent follow the outcome.
    assert set(result.resolved) == set(mine_fields)
    assert set(result.resend) <= set(mine_fields)
    for name in mine_fields & set(result.outcomes):
        outcome, m, t = result.outcomes[name], mine[name], theirs.get(name)
        if outcome is THEIRS:
            assert same(result.resolved[name], t) and name not in result.resend
        elif outcome is RESENT:
            assert same(result.resend[name], m) and same(result.resolved[name], m)
        elif outcome is CONFLICT:
            assert same(result.resolved[name], m) and name not in result.resend
        else:
            chosen = auto[name].chosen
            assert same(result.resolved[name], chosen)
            assert (name in result.resend) is (not same(chosen, t))

    # Regulated fields are never decided automatically.
    regulated = {
        name for kind, names in REGULATED_FIELDS.items() if kind == entity for name in names
    }
    assert not any(entry.field in regulated for entry in result.auto)
    assert (result.send is OpKind.UPDATE) is bool(result.resend)
