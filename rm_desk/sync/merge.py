"""The client-side three-way merge of API.md §3, with DOMAIN.md's conflict policies. Pure functions.

When a push answers ``conflict``, the push step calls one of:

- :func:`merge` for ``kind: fields`` (an update that met server changes);
- :func:`merge_deleted` for ``kind: deleted`` (an update of a record the server deleted);
- :func:`merge_modified` for ``kind: modified`` (a delete of a record the server changed);

and :func:`merge_tag_sets` merges a customer's manual tag names (tags are records of their own,
so the set is merged here and turned into creates and deletes by the caller).

Every function returns a :class:`MergeResult`: the new visible values, what to send again with the
new ``base_rev``, one :class:`AutoResolution` per field a policy decided (each becomes one journal
entry) and one :class:`FieldConflict` per decision left to the user (each becomes one entry of the
conflict inbox). Nothing of the user's is dropped without one of these.

Decisions taken here that the design left open:

- **A field the user touched counts as changed by the user**, even when its value is back at the
  base value (an edit, then an undo). Reverting is an edit too, and the server sees it the same
  way (it reports a conflict on a field changed on the server to a value other than the one sent).
  Inside ``soft_profile`` the edit is one JSON object, so a key counts as changed by the user when
  its value differs from the base.
- **Missing means null.** A field absent from ``base`` or ``theirs`` reads as ``None`` (JSON null).
  Inside ``soft_profile`` an absent key and a key set to null stay different, so that removing a
  key is a change.
- **Equality is JSON equality**: ``True`` is not ``1``, ``1`` is ``1.0``, objects and arrays compare
  member by member.
- **The notes marker** (visit notes changed on both sides) is :data:`NOTES_MARKER`: the merged
  text is the server's text, then ``"\\n\\n[本地副本 / local copy]\\n"``, then the user's text.
  It is data stored on the server, so it is fixed text in both languages, never translated.
  When one side is empty the other side's text is taken as it is, and a server text that already
  ends with the marked copy is not extended again (a merge repeated after a lost answer).
- **Manual tags never ask, whole records included**: the delete of a tag the server changed is
  sent again, and a change to a tag the server deleted is dropped (the removal is kept); each with
  a journal entry.
- **While a conflict waits for the user, the user's value stays visible** (``resolved`` holds
  mine), and it is not sent: the server keeps its value until the user decides.
- **Names of merge fields**: a wire field's name, ``soft_profile.<key>`` for a key of a customer's
  soft profile, and :data:`WHOLE_RECORD` (``"*"``) for a deleted or modified record.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Any, Final

from rm_desk.domain.enums import (
    AlertStatus,
    ConflictKind,
    Entity,
    OpKind,
    TaskStatus,
    alert_status_winner,
    task_status_winner,
)
from rm_desk.domain.fields import SOFT_PROFILE_KEYS, is_regulated

NOTES_MARKER: Final = "\n\n[本地副本 / local copy]\n"
"""Separates the server's visit notes from the kept copy of the user's (module docstring)."""

WHOLE_RECORD: Final = "*"
"""The merge field name of a whole-record conflict (``deleted`` or ``modified``)."""

SOFT_PROFILE: Final = "soft_profile"
"""The customer field merged key by key; its merge fields are ``soft_profile.<key>``."""


class MergePolicy(StrEnum):
    """Which rule of DOMAIN.md decided a field automatically; written into the journal entry."""

    TASK_STATUS_PRECEDENCE = "task_status_precedence"  # 已完成/已取消 > 进行中 > 未开始
    ALERT_STATUS_PRECEDENCE = (
        "alert_status_precedence"  # converted > dismissed > acknowledged > new
    )
    NOTES_KEPT_BOTH = "notes_kept_both"  # server text, then a marked copy of mine
    TAG_REMOVAL_KEPT = "tag_removal_kept"  # manual tags: removals are kept, never asks


class FieldOutcome(StrEnum):
    """What the merge did with one merge field of the user's."""

    RESENT = "resent"  # changed only by the user: sent again with the new base_rev
    AUTO = "auto"  # changed on both sides: a policy decided, with a journal entry
    CONFLICT = "conflict"  # changed on both sides: the user decides in the conflict inbox
    TAKEN_THEIRS = "taken_theirs"  # equal on both sides, or changed only on the server


@dataclass(frozen=True, slots=True)
class AutoResolution:
    """A field a policy decided; one journal entry each.

    ``mine`` and ``theirs`` are kept so the journal can show what the policy chose between.
    """

    field: str
    policy: MergePolicy
    chosen: Any
    mine: Any
    theirs: Any


@dataclass(frozen=True, slots=True)
class FieldConflict:
    """A decision left to the user; one conflict inbox entry each.

    For ``kind`` ``deleted`` and ``modified`` the field is :data:`WHOLE_RECORD` and the values are
    whole records: ``theirs`` is ``None`` for a record the server deleted, ``mine`` is ``None`` for
    the user's delete.
    """

    field: str
    base: Any
    mine: Any
    theirs: Any
    kind: ConflictKind = ConflictKind.FIELDS


@dataclass(frozen=True, slots=True)
class MergeResult:
    """What a merge decided.

    Attributes:
        resolved: The new visible value of every wire field the user touched.
        resend: The wire fields to send again in an update with the new ``base_rev``; empty when
            nothing is to be sent for the fields.
        auto: One entry per merge field a policy decided.
        conflicts: One entry per merge field the user must decide.
        outcomes: Exactly one outcome per merge field (see the module docstring for the names).
        send: The op to send again with the new ``base_rev``: ``update`` exactly when ``resend``
            is not empty, ``delete`` when a delete is to be repeated, otherwise ``None``.
    """

    resolved: Mapping[str, Any]
    resend: Mapping[str, Any]
    auto: tuple[AutoResolution, ...] = ()
    conflicts: tuple[FieldConflict, ...] = ()
    outcomes: Mapping[str, FieldOutcome] = field(default_factory=lambda: MappingProxyType({}))
    send: OpKind | None = None

    @property
    def taken_theirs(self) -> frozenset[str]:
        """The merge fields that simply took the server's value."""
        return frozenset(
            name for name, outcome in self.outcomes.items() if outcome is FieldOutcome.TAKEN_THEIRS
        )


# --- equality ----------------------------------------------------------------------------------


class _Absent:
    """A key missing from a JSON object (different from a key set to null)."""

    def __repr__(self) -> str:
        return "<absent>"


_ABSENT: Final = _Absent()


def _null(value: Any) -> Any:
    """An absent key as the inbox shows it: null."""
    return None if value is _ABSENT else value


def same(a: Any, b: Any) -> bool:
    """Return whether two JSON values are equal as JSON.

    Checks, in order:

    1. a boolean equals only a boolean of the same truth (``True`` is not ``1``);
    2. objects are equal when they have the same keys and equal values;
    3. arrays (lists or tuples) are equal when they have the same length and equal items;
    4. anything else compares with ``==`` (so ``1`` equals ``1.0``).
    """
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, Mapping) or isinstance(b, Mapping):
        if not (isinstance(a, Mapping) and isinstance(b, Mapping)) or a.keys() != b.keys():
            return False
        return all(same(a[key], b[key]) for key in a)
    if isinstance(a, list | tuple) or isinstance(b, list | tuple):
        if not (isinstance(a, list | tuple) and isinstance(b, list | tuple)) or len(a) != len(b):
            return False
        return all(same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


# --- field policies ----------------------------------------------------------------------------

# A policy answers the chosen value, or _UNDECIDED when the user must decide.
_UNDECIDED: Final = object()
_Policy = Callable[[Any, Any], Any]


def _task_status(mine: Any, theirs: Any) -> Any:
    try:
        winner = task_status_winner(TaskStatus(mine), TaskStatus(theirs))
    except ValueError:  # not a status code: nothing to rank
        return _UNDECIDED
    return _UNDECIDED if winner is None else winner.value


def _alert_status(mine: Any, theirs: Any) -> Any:
    try:
        return alert_status_winner(AlertStatus(mine), AlertStatus(theirs)).value
    except ValueError:
        return _UNDECIDED


def _keep_both_notes(mine: Any, theirs: Any) -> Any:
    """Merge visit notes changed on both sides: the server's text, then a marked copy of mine.

    Checks, in order:

    1. a value that is neither text nor null: the policy cannot decide (the user does);
    2. mine empty (the user cleared the notes): the server's text, nothing of mine to keep;
    3. theirs empty (the server cleared them): mine;
    4. the server's text already ends with the marked copy of mine (an earlier merge of the same
       edit reached the server): the server's text, so the copy is not added twice;
    5. otherwise ``theirs + NOTES_MARKER + mine``.

    Returns:
        The merged text, or ``_UNDECIDED`` for step 1.
    """
    if not (mine is None or isinstance(mine, str)) or not (
        theirs is None or isinstance(theirs, str)
    ):
        return _UNDECIDED
    if not mine:
        return theirs
    if not theirs:
        return mine
    if theirs.endswith(NOTES_MARKER + mine):
        return theirs
    return theirs + NOTES_MARKER + mine


_POLICIES: Mapping[tuple[Entity, str], tuple[MergePolicy, _Policy]] = MappingProxyType(
    {
        (Entity.TASK, "status"): (MergePolicy.TASK_STATUS_PRECEDENCE, _task_status),
        (Entity.ALERT, "status"): (MergePolicy.ALERT_STATUS_PRECEDENCE, _alert_status),
        (Entity.VISIT, "notes"): (MergePolicy.NOTES_KEPT_BOTH, _keep_both_notes),
    }
)
"""Fields a policy may decide when both sides changed them; every other field: the user decides."""


def _entity(entity: str) -> Entity | None:
    try:
        return Entity(entity)
    except ValueError:
        return None


# --- the merge ---------------------------------------------------------------------------------


class _Builder:
    """Collects the decisions of one merge."""

    def __init__(self) -> None:
        self.resolved: dict[str, Any] = {}
        self.resend: dict[str, Any] = {}
        self.auto: list[AutoResolution] = []
        self.conflicts: list[FieldConflict] = []
        self.outcomes: dict[str, FieldOutcome] = {}

    def result(self, send: OpKind | None = None) -> MergeResult:
        if send is None and self.resend:
            send = OpKind.UPDATE
        return MergeResult(
            resolved=MappingProxyType(self.resolved),
            resend=MappingProxyType(self.resend),
            auto=tuple(self.auto),
            conflicts=tuple(self.conflicts),
            outcomes=MappingProxyType(self.outcomes),
            send=send,
        )


def _decide(
    entity: Entity | None, name: str, base: Any, mine: Any, theirs: Any
) -> tuple[FieldOutcome, Any, AutoResolution | None, FieldConflict | None]:
    """One field the user changed: its outcome, its visible value, and its journal or inbox entry.

    Checks, in order: mine equals theirs (taken theirs); theirs equals base (resent); a regulated
    field (conflict); the field's policy (auto, or conflict when it cannot decide); no policy
    (conflict).
    """
    if same(mine, theirs):
        return FieldOutcome.TAKEN_THEIRS, theirs, None, None
    if same(theirs, base):
        return FieldOutcome.RESENT, mine, None, None
    conflict = FieldConflict(name, base, mine, theirs)
    if entity is None or is_regulated(entity, name):
        return FieldOutcome.CONFLICT, mine, None, conflict
    rule = _POLICIES.get((entity, name))
    if rule is None:
        return FieldOutcome.CONFLICT, mine, None, conflict
    policy, decide = rule
    chosen = decide(mine, theirs)
    if chosen is _UNDECIDED:
        return FieldOutcome.CONFLICT, mine, None, conflict
    return FieldOutcome.AUTO, chosen, AutoResolution(name, policy, chosen, mine, theirs), None


def merge(
    entity: str,
    base: Mapping[str, Any],
    mine: Mapping[str, Any],
    theirs: Mapping[str, Any],
    *,
    mine_fields: Collection[str],
) -> MergeResult:
    """Three-way merge of an update that met server changes (``conflict`` of kind ``fields``).

    Checks, in order, for each field of ``mine_fields`` (sorted, so the result is stable):

    1. a field missing from ``mine`` is a caller's mistake: :class:`ValueError`;
    2. a customer's ``soft_profile`` whose three copies are JSON objects (or null) is merged key by
       key, each key its own merge field ``soft_profile.<key>`` (:func:`merge_soft_profile`);
    3. mine equals theirs: taken theirs (both sides agree, nothing to send);
    4. theirs equals base (changed only by the user): resent with mine;
    5. a regulated field (:data:`~rm_desk.domain.fields.REGULATED_FIELDS`), or any field of an
       unknown entity: a conflict, never decided automatically;
    6. a field with a policy: task status by precedence, alert status by precedence, visit notes
       kept both (:data:`NOTES_MARKER`); auto with a journal entry, the chosen value sent again
       when it is not theirs; a conflict when the policy cannot decide (completed against
       cancelled, a value that is not a known code);
    7. any other field: a conflict.

    Fields the user did not touch are not looked at: the caller takes the server copy for them.

    Args:
        entity: The wire name of the record's entity.
        base: The server copy the user edited from (at least the fields of ``mine_fields``).
        mine: The user's pending values; extra fields are ignored.
        theirs: The server's current copy (the ``record`` of the conflict answer).
        mine_fields: The fields the user changed.

    Returns:
        The decisions; ``send`` is ``update`` exactly when ``resend`` is not empty.

    Raises:
        ValueError: A field of ``mine_fields`` is missing from ``mine``.
    """
    missing = sorted(name for name in mine_fields if name not in mine)
    if missing:
        raise ValueError(f"mine has no value for the changed fields {missing}")
    kind = _entity(entity)
    out = _Builder()
    for name in sorted(mine_fields):
        b, m, t = base.get(name), mine[name], theirs.get(name)
        if kind is Entity.CUSTOMER and name == SOFT_PROFILE and _all_objects(b, m, t):
            _merge_soft_profile_into(out, b, m, t)
            continue
        outcome, visible, auto, conflict = _decide(kind, name, b, m, t)
        out.outcomes[name] = outcome
        out.resolved[name] = visible
        if auto is not None:
            out.auto.append(auto)
        if conflict is not None:
            out.conflicts.append(conflict)
        if outcome is FieldOutcome.RESENT or (
            outcome is FieldOutcome.AUTO and not same(visible, t)
        ):
            out.resend[name] = visible
    return out.result()


def _all_objects(*values: Any) -> bool:
    return all(value is None or isinstance(value, Mapping) for value in values)


def merge_soft_profile(
    base: Mapping[str, Any] | None,
    mine: Mapping[str, Any] | None,
    theirs: Mapping[str, Any] | None,
) -> MergeResult:
    """Merge a customer's soft profile key by key (DOMAIN.md: per field; both changed: the user).

    Every key of :data:`~rm_desk.domain.fields.SOFT_PROFILE_KEYS`, and any other key present in one
    of the copies, is its own merge field ``soft_profile.<key>``. A null copy reads as an empty
    object; an absent key differs from a key set to null. Checks, in order, for each key:

    1. mine equals base (the user did not change this key): taken theirs;
    2. mine equals theirs: taken theirs;
    3. theirs equals base (changed only by the user): resent with mine;
    4. otherwise a conflict for that key: the user decides.

    Returns:
        ``resolved["soft_profile"]`` is the server's object when every key took theirs, otherwise
        the merged object (mine for keys in conflict). ``resend["soft_profile"]``, present when a
        key is resent, is the whole object to send: mine for resent keys, theirs for every other
        key (a key in conflict keeps the server's value until the user decides).
    """
    out = _Builder()
    _merge_soft_profile_into(out, base, mine, theirs)
    return out.result()


def _merge_soft_profile_into(
    out: _Builder,
    base: Mapping[str, Any] | None,
    mine: Mapping[str, Any] | None,
    theirs: Mapping[str, Any] | None,
) -> None:
    b_obj, m_obj, t_obj = base or {}, mine or {}, theirs or {}
    keys = sorted(SOFT_PROFILE_KEYS.union(b_obj, m_obj, t_obj))
    visible: dict[str, Any] = {}
    to_send: dict[str, Any] = {}
    changed = False
    resent = False
    for key in keys:
        name = f"{SOFT_PROFILE}.{key}"
        b, m, t = (obj.get(key, _ABSENT) for obj in (b_obj, m_obj, t_obj))
        if same(m, b) or same(m, t):
            outcome, shown, sent = FieldOutcome.TAKEN_THEIRS, t, t
        elif same(t, b):
            outcome, shown, sent = FieldOutcome.RESENT, m, m
            changed = resent = True
        else:
            outcome, shown, sent = FieldOutcome.CONFLICT, m, t
            changed = True
            out.conflicts.append(FieldConflict(name, _null(b), _null(m), _null(t)))
        out.outcomes[name] = outcome
        if shown is not _ABSENT:
            visible[key] = shown
        if sent is not _ABSENT:
            to_send[key] = sent
    out.resolved[SOFT_PROFILE] = visible if changed else theirs
    if resent:
        out.resend[SOFT_PROFILE] = to_send


def merge_deleted(
    entity: str,
    base: Mapping[str, Any],
    mine: Mapping[str, Any],
    *,
    mine_fields: Collection[str],
) -> MergeResult:
    """Merge an update of a record the server deleted (``conflict`` of kind ``deleted``).

    Checks, in order:

    1. a manual tag (``customer_tag``): the removal is kept (tags never ask); an auto entry, nothing
       sent, nothing visible;
    2. anything else: one whole-record conflict; the user recreates the record with their values
       or drops their change. Until then the user's values stay visible and nothing is sent.

    Args:
        entity: The wire name of the record's entity.
        base: The server copy the user edited from.
        mine: The user's pending values; only ``mine_fields`` are kept.
        mine_fields: The fields the user changed.

    Returns:
        The decision, under the merge field :data:`WHOLE_RECORD`.
    """
    pending = {name: mine.get(name) for name in sorted(mine_fields)}
    out = _Builder()
    if _entity(entity) is Entity.CUSTOMER_TAG:
        out.outcomes[WHOLE_RECORD] = FieldOutcome.AUTO
        out.auto.append(
            AutoResolution(WHOLE_RECORD, MergePolicy.TAG_REMOVAL_KEPT, None, pending, None)
        )
        return out.result()
    out.outcomes[WHOLE_RECORD] = FieldOutcome.CONFLICT
    out.resolved.update(pending)
    out.conflicts.append(
        FieldConflict(WHOLE_RECORD, dict(base), pending, None, kind=ConflictKind.DELETED)
    )
    return out.result()


def merge_modified(entity: str, base: Mapping[str, Any], theirs: Mapping[str, Any]) -> MergeResult:
    """Merge a delete of a record the server changed (``conflict`` of kind ``modified``).

    Checks, in order:

    1. a manual tag (``customer_tag``): the removal is kept (tags never ask); an auto entry, and the
       delete is sent again with the new ``base_rev`` (``send`` is ``delete``);
    2. anything else: one whole-record conflict; the user keeps deleting or keeps the server's
       record. Until then the record stays deleted locally and nothing is sent.

    Args:
        entity: The wire name of the record's entity.
        base: The server copy the user deleted.
        theirs: The server's current copy.

    Returns:
        The decision, under the merge field :data:`WHOLE_RECORD`; ``resolved`` is empty.
    """
    out = _Builder()
    if _entity(entity) is Entity.CUSTOMER_TAG:
        out.outcomes[WHOLE_RECORD] = FieldOutcome.AUTO
        out.auto.append(
            AutoResolution(WHOLE_RECORD, MergePolicy.TAG_REMOVAL_KEPT, None, None, dict(theirs))
        )
        return out.result(send=OpKind.DELETE)
    out.outcomes[WHOLE_RECORD] = FieldOutcome.CONFLICT
    out.conflicts.append(
        FieldConflict(WHOLE_RECORD, dict(base), None, dict(theirs), kind=ConflictKind.MODIFIED)
    )
    return out.result()


def merge_tag_sets(
    base: Iterable[str], mine: Iterable[str], theirs: Iterable[str]
) -> frozenset[str]:
    """Merge a customer's manual tag names: set union with removals kept (DOMAIN.md, never asks).

    Checks, in order, for each name in any of the three sets:

    1. in both mine and theirs: kept;
    2. in one side only and not in base (added on that side): kept;
    3. in one side only and in base (removed on the other side): dropped, the removal is kept;
    4. in base only (removed on both sides): dropped.

    Args:
        base: The names before the user's edits.
        mine: The names after the user's edits.
        theirs: The server's current names.

    Returns:
        The merged names.
    """
    b, m, t = frozenset(base), frozenset(mine), frozenset(theirs)
    return (m & t) | ((m | t) - b)


__all__ = [
    "NOTES_MARKER",
    "SOFT_PROFILE",
    "WHOLE_RECORD",
    "AutoResolution",
    "FieldConflict",
    "FieldOutcome",
    "MergePolicy",
    "MergeResult",
    "merge",
    "merge_deleted",
    "merge_modified",
    "merge_soft_profile",
    "merge_tag_sets",
    "same",
]
