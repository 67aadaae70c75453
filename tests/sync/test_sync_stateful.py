"""Sync against a model of the bank, driven by Hypothesis: edits made on both sides, lost and
repeated requests, restarts and decisions in the conflict inbox, in any order.

The machine keeps a **model bank** (:class:`ModelBank`): an in-memory implementation of API.md
§2–3 for six records (a customer, two tasks, a visit, an opportunity, an alert), with a
server-wide rev, per-field revs, per-field conflict detection, ``op_id`` idempotency and the
reference server's ``changed_fields`` in an applied answer (docs/decisions.md), served to a
real :class:`~rm_desk.sync.client.ApiClient` through ``httpx.MockTransport``. The client side
is the real thing: an encrypted cache in a temporary folder and a :class:`SyncEngine` with small
feed pages, so a fault can fall between two pages.

Rules: local edits of every field the app writes (task status and completion note, visit notes,
opportunity stage, amount — one value the bank refuses — and suitability snapshot, soft-profile
keys, alert status); back-office edits of the same fields and of bank-owned ones; sync rounds
with one fault (a request lost, an answer lost after the bank applied it, a request delivered
twice); plain rounds; restarts (clean, or dropping the connections without a checkpoint); cursors
the bank forgets (a replacement sync); decisions in the conflict inbox; discarding refused
changes.

After each **quiet sync** (rounds without faults until nothing is left to send) it checks:

1. every op was applied at most once by the bank;
2. no local edit was lost silently: the user's latest value of each field is on the bank, or a
   journal entry says a rule decided it, or it waits in the conflict inbox or the refused list,
   and the cache still shows it while it waits;
3. the cache equals the bank: every record's rev and server copy, and every field no op holds;
4. every conflict the bank answered was settled as DOMAIN.md says, given the op's base: changed
   on one side only — that side; task status and alert status by precedence; visit notes kept
   both; anything else, regulated fields included, in the inbox with the bank's value kept;
5. the bank never had a value overwritten with one the user did not choose after it was written
   (checked as each mutation is applied), and no rule decided a field that has no rule.

``make test`` runs a fixed (derandomized) set of 40 examples of up to 35 steps (about 25 s on a
quiet 2-core machine); ``RM_DESK_SOAK=1`` (``make soak``) runs 400 random ones of up to 80 steps.
``--hypothesis-seed=<seed>`` replays a failure (with ``RM_DESK_SOAK=1`` for one soak found).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections import Counter
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import httpx
import orjson
from hypothesis import HealthCheck, settings
from hypothesis import core as hypothesis_core
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, precondition, rule

from rm_desk.domain.enums import (
    AlertStatus,
    Entity,
    OpKind,
    OpportunityStage,
    OpState,
    TaskStatus,
    alert_status_precedence,
    alert_status_winner,
    task_status_precedence,
    task_status_winner,
)
from rm_desk.domain.fields import SOFT_PROFILE_KEYS, RecordRole, editable_fields
from rm_desk.local_store import Store, open_store, outbox
from rm_desk.local_store.writes import record_edit
from rm_desk.sync.client import ApiClient
from rm_desk.sync.engine import SyncEngine
from rm_desk.sync.errors import SyncError
from rm_desk.sync.events import Choice
from rm_desk.sync.issues import discard_rejected, resolve_conflict
from rm_desk.sync.merge import NOTES_MARKER
from tests import factories
from tests.conftest import FakeClock, PersistentTestVault
from tests.sync import records as r
from tests.sync.wire import API, BASE, DEVICE, problem, token_answer

SOAK = os.environ.get("RM_DESK_SOAK", "") not in ("", "0")
PAGE_LIMIT = 2  # small feed pages, so a fault can fall between two of them
MAX_QUIET_ROUNDS = 6

CUSTOMER = r.CUSTOMER
SOFT: Final = "soft_profile"


class _Absent:
    """A soft-profile key that is not there (different from a key set to null)."""

    def __repr__(self) -> str:
        return "<absent>"


ABSENT: Final = _Absent()

Key = tuple[str, str, str]
"""(entity, record id, merge field): a wire field, or ``soft_profile.<key>``."""


# --- the records and the values people write -----------------------------------------------------


def alert(alert_id: str, customer_id: str) -> dict[str, Any]:
    return {
        "id": alert_id,
        "rule_id": "A04",
        "customer_id": customer_id,
        "object_entity": "account",
        "object_id": "a-1",
        "severity": "normal",
        "message": "理财产品7天内到期",
        "evidence": {"days_to_maturity": 5},
        "triggered_at": "2026-11-19T00:00:00Z",
        "status": "new",
        "dedupe_key": f"A04:{customer_id}:a-1:2026-11",
        "origin": "server",
    }


def initial_records() -> list[tuple[str, dict[str, Any]]]:
    return [
        ("customer", factories.customer(CUSTOMER)),
        ("task", factories.task("k-1", CUSTOMER)),
        ("task", factories.task("k-2", CUSTOMER, status="in_progress")),
        ("visit", r.visit("v-1")),
        ("opportunity", r.opportunity("o-1")),
        ("alert", alert("a-1", CUSTOMER)),
    ]


SNAPSHOTS = (
    {"customer_level": "C3", "product_level": "R3", "on": "2026-11-20", "result": "pass"},
    {"customer_level": "C2", "product_level": "R3", "on": "2026-11-20", "result": "blocked"},
)
BAD_AMOUNT = "12,5"  # the bank refuses it: money is a decimal string with two places

EDITABLE_VALUES: Mapping[tuple[str, str], tuple[Any, ...]] = {
    ("task", "status"): tuple(s.value for s in TaskStatus),
    ("task", "completion_note"): ("已电话确认", "客户改期", ""),
    ("visit", "notes"): ("电话关怀。", "客户关注养老规划", "", "已寄资料"),
    ("opportunity", "stage"): tuple(s.value for s in OpportunityStage),
    ("opportunity", "amount"): ("500000.00", "650000.00", "1.00", BAD_AMOUNT),
    ("opportunity", "suitability_snapshot"): SNAPSHOTS,
    ("alert", "status"): tuple(s.value for s in AlertStatus),
    ("customer", "soft_profile.interests"): ("高尔夫", "书法", ""),
    ("customer", "soft_profile.family_notes"): ("", "二胎", "父母同住"),
    ("customer", "soft_profile.remarks"): ("", "偏好下午联系"),
    ("customer", "soft_profile.do_not_disturb"): (True, False),
}
"""What the user (and the back office) may write in the fields the app edits."""

BANK_ONLY_VALUES: Mapping[tuple[str, str], tuple[Any, ...]] = {
    ("customer", "tier"): ("gold", "platinum", "diamond"),
    ("task", "priority"): ("normal", "high", "urgent"),
    ("alert", "severity"): ("normal", "high"),
    ("opportunity", "expected_close"): ("2026-12-31", "2027-01-31"),
}
"""Bank-owned fields only the back office changes (the client takes them as they come)."""

RECORD_IDS: Mapping[str, tuple[str, ...]] = {
    "customer": (CUSTOMER,),
    "task": ("k-1", "k-2"),
    "visit": ("v-1",),
    "opportunity": ("o-1",),
    "alert": ("a-1",),
}


@dataclass(frozen=True)
class Edit:
    entity: str
    record_id: str
    field: str  # a merge field
    value: Any


def _edits(values: Mapping[tuple[str, str], tuple[Any, ...]]) -> st.SearchStrategy[Edit]:
    return st.one_of(
        *(
            st.builds(
                Edit,
                st.just(entity),
                st.sampled_from(RECORD_IDS[entity]),
                st.just(name),
                st.sampled_from(choices),
            )
            for (entity, name), choices in values.items()
        )
    )


def _same_field_edits(
    fields: Collection[tuple[str, str]] = tuple(EDITABLE_VALUES),
) -> st.SearchStrategy[tuple[Edit, Any]]:
    """An edit on the desk and a value the back office writes in the same field."""
    return st.one_of(
        *(
            st.tuples(
                st.builds(
                    Edit,
                    st.just(entity),
                    st.sampled_from(RECORD_IDS[entity]),
                    st.just(name),
                    st.sampled_from(choices),
                ),
                st.sampled_from([c for c in choices if c != BAD_AMOUNT]),
            )
            for (entity, name), choices in EDITABLE_VALUES.items()
            if (entity, name) in fields
        )
    )


STATUS_FIELDS = (("task", "status"), ("alert", "status"))


def role_of(entity: str) -> RecordRole:
    """The user's part in the model's records: the assignee of the tasks, else an editor."""
    return RecordRole.ASSIGNEE if entity == "task" else RecordRole.EDITOR


def split_key(merge_field: str) -> tuple[str, str | None]:
    if merge_field.startswith(SOFT + "."):
        return SOFT, merge_field.split(".", 1)[1]
    return merge_field, None


def value_at(data: Mapping[str, Any], merge_field: str) -> Any:
    """A merge field's value in a record (``ABSENT`` for a soft-profile key not there)."""
    wire, key = split_key(merge_field)
    if key is None:
        return data.get(wire)
    profile = data.get(SOFT)
    return profile.get(key, ABSENT) if isinstance(profile, Mapping) else ABSENT


def merge_fields_of(entity: str, wire: str, *copies: Mapping[str, Any] | None) -> list[str]:
    """The merge fields of a wire field: itself, or one per soft-profile key in any copy."""
    if entity != "customer" or wire != SOFT:
        return [wire]
    keys: set[str] = set()
    for copy in copies:
        profile = (copy or {}).get(SOFT)
        if isinstance(profile, Mapping):
            keys.update(profile)
    return [f"{SOFT}.{key}" for key in sorted(keys)]


def nullable(value: Any) -> Any:
    """A value as the conflict inbox shows it: an absent key is null."""
    return None if value is ABSENT else value


# --- what the spec says a conflict must come to (DOMAIN.md, API.md §3) ---------------------------


@dataclass(frozen=True)
class Expected:
    """What one merge field must show on the bank after a conflict, and whether the user decides.

    ``ask`` is the user's value that must wait in the inbox (the bank keeping ``value``).
    """

    value: Any
    ask: Any = ABSENT


def keep_both(mine: Any, theirs: Any) -> Any:
    """DOMAIN.md: visit notes changed on both sides keep both, the server's text first."""
    if not mine:
        return theirs
    if not theirs:
        return mine
    if theirs.endswith(NOTES_MARKER + mine):
        return theirs
    return theirs + NOTES_MARKER + mine


def expected_outcome(entity: str, merge_field: str, base: Any, mine: Any, theirs: Any) -> Expected:
    """The outcome of one merge field the user sent, per the conflict policies."""
    if mine == theirs:
        return Expected(theirs)
    if theirs == base:
        return Expected(mine)
    if (entity, merge_field) == ("task", "status"):
        winner = task_status_winner(TaskStatus(mine), TaskStatus(theirs))
        return Expected(theirs, ask=mine) if winner is None else Expected(winner.value)
    if (entity, merge_field) == ("alert", "status"):
        return Expected(alert_status_winner(AlertStatus(mine), AlertStatus(theirs)).value)
    if (entity, merge_field) == ("visit", "notes"):
        return Expected(keep_both(mine, theirs))
    return Expected(theirs, ask=mine)  # regulated or without a rule: the user decides


POLICY_FIELDS = frozenset({("task", "status"), ("alert", "status"), ("visit", "notes")})


# --- the model bank ------------------------------------------------------------------------------


@dataclass
class BankRecord:
    entity: str
    data: dict[str, Any]
    rev: int
    field_revs: dict[str, int] = field(default_factory=dict)

    def answer(self) -> dict[str, Any]:
        return {**self.data, "rev": self.rev}


@dataclass(frozen=True)
class Write:
    """Who wrote a merge field's value on the bank, when (machine step), and what."""

    step: int
    value: Any
    by: str  # "bank" (back office) or "client" (a mutation)


@dataclass(frozen=True)
class UserChoice:
    """A value the user chose for a merge field, when, and what they changed it from: the value
    they saw, and the one the chain of edits not yet settled started from (a coalesced op's
    merge base)."""

    step: int
    value: Any
    saw: tuple[Any, ...]


@dataclass(frozen=True)
class ConflictSeen:
    """A ``conflict`` answer the bank computed (replays are not new answers)."""

    step: int
    entity: str
    record_id: str
    sent: Mapping[str, Any]
    snapshot: Mapping[str, Any] | None
    theirs: Mapping[str, Any]
    conflicting: tuple[str, ...]
    op_id: str = ""


class Fault:
    DROP_REQUEST = "request lost"
    DROP_ANSWER = "answer lost after the bank applied it"
    TWICE = "request delivered twice"

    ALL = (DROP_REQUEST, DROP_ANSWER, TWICE)


def _valid(entity: str, name: str, value: Any) -> str | None:
    """Why a value does not fit the field, or ``None``; the checks of the reference server that
    matter for the values the machine writes."""
    enums: Mapping[tuple[str, str], type[Any]] = {
        ("task", "status"): TaskStatus,
        ("opportunity", "stage"): OpportunityStage,
        ("alert", "status"): AlertStatus,
    }
    kind = enums.get((entity, name))
    if kind is not None:
        return None if value in {member.value for member in kind} else "unknown code"
    if (entity, name) == ("opportunity", "amount"):
        whole, _, cents = str(value).partition(".")
        ok = isinstance(value, str) and whole.isdigit() and len(cents) == 2 and cents.isdigit()
        return None if ok else "not a decimal amount"
    if (entity, name) == ("customer", SOFT):
        if not isinstance(value, dict):
            return "expected an object"
        return "unknown key" if set(value) - SOFT_PROFILE_KEYS else None
    return None


class ModelBank:
    """API.md §2–3 in memory, for the machine's records; an ``httpx.MockTransport`` handler.

    It also keeps what the checks need: how often each op was applied, every conflict answer it
    computed, who wrote each merge field's value, and any overwrite nobody chose
    (``violations``).
    """

    def __init__(self, records: list[tuple[str, dict[str, Any]]]) -> None:
        self.rev = 0
        self.records: dict[tuple[str, str], BankRecord] = {}
        self.writes: dict[Key, list[Write]] = {}
        for entity, data in records:
            self.rev += 1
            self.records[(entity, data["id"])] = BankRecord(entity, dict(data), self.rev)
            for name in data:
                for merge_field in merge_fields_of(entity, name, data):
                    self.writes[(entity, data["id"], merge_field)] = [
                        Write(0, value_at(data, merge_field), "bank")
                    ]
        self.results: dict[str, tuple[bytes, dict[str, Any]]] = {}
        self.applied: Counter[str] = Counter()
        self.applied_ops: dict[str, tuple[Mapping[str, Any], Mapping[str, Any] | None]] = {}
        """Per op applied: the fields sent, and the op's snapshot when the bank applied it."""
        self.conflicts: list[ConflictSeen] = []
        self.violations: list[str] = []
        self.epoch = 0  # cursors handed out before the bank last forgot them are expired (410)
        self.step = 0  # the machine's step, for the write history
        self.choices: dict[Key, list[UserChoice]] = {}  # what the user chose, and when
        self.snapshot_of: Callable[[str], Mapping[str, Any] | None] = lambda _op_id: None
        self.on_client_write: Callable[[Key, Any], None] = lambda _key, _value: None
        self._requests = 0
        self._fault: tuple[int, str] | None = None

    # --- faults ---

    def arm(self, fault: str, at: int) -> None:
        """Make the ``at``-th request from now (sign-ins not counted) suffer ``fault``."""
        self._fault = (self._requests + at, fault)

    def disarm(self) -> None:
        self._fault = None

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path.removeprefix(API)
        if path == "/auth/token":
            return _json(token_answer())
        self._requests += 1
        fault = None
        if self._fault is not None and self._fault[0] == self._requests:
            fault, self._fault = self._fault[1], None
        if fault == Fault.DROP_REQUEST:
            raise httpx.ConnectError("the request was lost", request=request)
        response = self._answer(path, request)
        if fault == Fault.DROP_ANSWER:
            raise httpx.ReadError("the answer was lost", request=request)
        if fault == Fault.TWICE:
            response = self._answer(path, request)
        return response

    def _answer(self, path: str, request: httpx.Request) -> httpx.Response:
        if request.method == "GET" and path == "/changes":
            return self._changes(request)
        if request.method == "POST" and path == "/mutations":
            return self._mutations(orjson.loads(request.content)["mutations"])
        return problem(404, "not_found")

    # --- the feed ---

    def _changes(self, request: httpx.Request) -> httpx.Response:
        cursor = request.url.params.get("cursor")
        limit = int(request.url.params.get("limit", "2000"))
        after = 0
        if cursor is not None:
            epoch, _, rev = cursor.partition(":")
            if int(epoch) != self.epoch:
                return problem(410, "cursor_expired")
            after = int(rev)
        newer = sorted((rec for rec in self.records.values() if rec.rev > after), key=_rev)
        page = newer[:limit]
        changes = [
            {
                "entity": rec.entity,
                "id": rec.data["id"],
                "rev": rec.rev,
                "op": "upsert",
                "data": orjson.loads(orjson.dumps(rec.data)),
            }
            for rec in page
        ]
        last = page[-1].rev if page else after
        return _json(
            {
                "changes": changes,
                "cursor": f"{self.epoch}:{last}",
                "has_more": len(newer) > len(page),
                "estimated_remaining": len(newer) - len(page),
                "server_time": "2026-11-20T09:00:00Z",
            }
        )

    # --- mutations ---

    def _mutations(self, batch: list[dict[str, Any]]) -> httpx.Response:
        digests = [orjson.dumps(m, option=orjson.OPT_SORT_KEYS) for m in batch]
        seen: dict[str, bytes] = {}
        for mutation, digest in zip(batch, digests, strict=True):
            known = self.results.get(mutation["op_id"])
            if (known is not None and known[0] != digest) or seen.setdefault(
                mutation["op_id"], digest
            ) != digest:
                return problem(422, "idempotency_mismatch")
        results = []
        for mutation, digest in zip(batch, digests, strict=True):
            known = self.results.get(mutation["op_id"])
            if known is not None:
                results.append({**known[1], "replayed": True})
                continue
            result = self._apply(mutation)
            self.results[mutation["op_id"]] = (digest, result)
            results.append(result)
        return _json({"results": results})

    def _apply(self, mutation: dict[str, Any]) -> dict[str, Any]:
        op_id = mutation["op_id"]
        entity = mutation["entity"]
        if mutation["op"] != "update":
            return _rejected(op_id, "forbidden", {})
        record = self.records.get((entity, mutation["id"]))
        if record is None:
            return _rejected(op_id, "not_found", {})
        base_rev, sent = mutation.get("base_rev"), dict(mutation.get("fields") or {})
        if base_rev is None or not sent:
            return _rejected(op_id, "validation_error", {"base_rev": "is required"})
        refused = sorted(set(sent) - editable_fields(Entity(entity), role_of(entity)))
        if refused:
            return _rejected(op_id, "field_not_editable", dict.fromkeys(refused, "not editable"))
        errors = {n: why for n, v in sent.items() if (why := _valid(entity, n, v)) is not None}
        if errors:
            return _rejected(op_id, "validation_error", errors)
        for name, value in sent.items():  # both sides agree already: the value reached the bank
            for merge_field in merge_fields_of(entity, name, {name: value}):
                agreed = value_at({name: value}, merge_field)
                if agreed == value_at(record.data, merge_field):
                    self.on_client_write((entity, mutation["id"], merge_field), agreed)
        conflicting = tuple(
            sorted(
                name
                for name, value in sent.items()
                if record.field_revs.get(name, 0) > base_rev and record.data.get(name) != value
            )
        )
        if conflicting:
            self.conflicts.append(
                ConflictSeen(
                    self.step,
                    entity,
                    mutation["id"],
                    sent,
                    self.snapshot_of(op_id),
                    orjson.loads(orjson.dumps(record.data)),
                    conflicting,
                    op_id,
                )
            )
            return {
                "op_id": op_id,
                "status": "conflict",
                "kind": "fields",
                "rev": record.rev,
                "record": record.answer(),
                "field_revs": dict(record.field_revs),
                "conflicting_fields": list(conflicting),
            }
        changed = [name for name, value in sent.items() if record.data.get(name) != value]
        self.applied[op_id] += 1
        self.applied_ops[op_id] = (sent, self.snapshot_of(op_id))
        if changed:
            self.rev += 1
            for name in changed:
                self._note_write(record, name, sent[name], "client")
                record.data[name] = sent[name]
                record.field_revs[name] = self.rev
            record.rev = self.rev
        # As the reference server answers (docs/decisions.md): the sent fields the op wrote, so
        # the client's rule for a later op made on a value the bank already had is exercised.
        return {
            "op_id": op_id,
            "status": "applied",
            "rev": record.rev,
            "record": record.answer(),
            "changed_fields": sorted(changed),
        }

    # --- the back office ---

    def edit(self, entity: str, record_id: str, merge_field: str, value: Any) -> None:
        """A back-office user sets one merge field (``/dev/edit``)."""
        record = self.records[(entity, record_id)]
        wire, key = split_key(merge_field)
        new = value
        if key is not None:
            new = {**(record.data.get(SOFT) or {}), key: value}
        if record.data.get(wire) == new:
            return
        self.rev += 1
        self._note_write(record, wire, new, "bank")
        record.data[wire] = new
        record.field_revs[wire] = self.rev
        record.rev = self.rev

    # --- who wrote what ---

    def _note_write(self, record: BankRecord, wire: str, new: Any, by: str) -> None:
        """Keep the write history per merge field; for a client write, check that the user chose
        the value after the bank's last write (or that a rule of DOMAIN.md picked it)."""
        record_id = record.data["id"]
        old = {wire: record.data.get(wire)}
        now = {wire: new}
        for merge_field in merge_fields_of(record.entity, wire, old, now):
            before, after = value_at(old, merge_field), value_at(now, merge_field)
            if before == after:
                continue
            key = (record.entity, record_id, merge_field)
            history = self.writes.setdefault(key, [Write(0, ABSENT, "bank")])
            if by == "client":
                self.on_client_write(key, after)
            if by == "client" and not self._chosen(key, history, after):
                self.violations.append(
                    f"{key}: the client wrote {after!r} over {before!r}, a value the user did "
                    f"not choose after the bank's last write (history {history}, choices "
                    f"{self.choices.get(key, [])})"
                )
            history.append(Write(self.step, after, by))

    def _chosen(self, key: Key, history: list[Write], value: Any) -> bool:
        """Whether the user chose ``value`` knowing the bank's last value: chose it after the
        bank wrote it, or while looking at that same value (so nothing the user did not see is
        overwritten)."""
        last_bank = next(w for w in reversed(history) if w.by == "bank")
        choices = self.choices.get(key, [])
        if any(
            c.value == value and (c.step > last_bank.step or last_bank.value in c.saw)
            for c in choices
        ):
            return True
        entity, _, merge_field = key
        if (entity, merge_field) not in POLICY_FIELDS:
            return False
        # A rule may put an earlier choice over a concurrent bank value, never below it.
        earlier = [c.value for c in choices]
        if merge_field == "notes":
            theirs = last_bank.value or ""
            return (value in earlier and not theirs) or str(value).startswith(theirs + NOTES_MARKER)
        rank: Callable[[Any], int] = (
            (lambda v: task_status_precedence(TaskStatus(v)))
            if entity == "task"
            else (lambda v: alert_status_precedence(AlertStatus(v)))
        )
        return value in earlier and rank(value) > rank(last_bank.value)


def _rev(record: BankRecord) -> int:
    return record.rev


def _json(body: Any) -> httpx.Response:
    return httpx.Response(
        200, content=orjson.dumps(body), headers={"Content-Type": "application/json"}
    )


def _rejected(op_id: str, code: str, field_errors: Mapping[str, str]) -> dict[str, Any]:
    return {
        "op_id": op_id,
        "status": "rejected",
        "code": code,
        "message": "refused",
        "field_errors": dict(field_errors),
    }


# --- the machine ---------------------------------------------------------------------------------


@dataclass
class Intent:
    """The user's latest value of one merge field, and whether it is settled yet."""

    value: Any
    step: int
    journal_mark: int  # the newest journal entry when it was made
    first_saw: Any  # what the field showed before the first edit not yet settled
    settled: bool = False


class SyncMachine(RuleBasedStateMachine):
    """One RM's desk and the bank (see the module docstring)."""

    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(prefix="rm-desk-stateful-"))
        self.vault = PersistentTestVault()
        self.clock = FakeClock()
        self.bank = ModelBank(initial_records())
        self.bank.snapshot_of = self._snapshot_of
        self.bank.on_client_write = self._reached_the_bank
        self.step = 0
        self.intents: dict[Key, Intent] = {}
        self.activity: dict[Key, int] = {}  # last step a person (either side) touched a field
        self.checked_conflicts = 0
        self.store: Store | None = None
        self.client: ApiClient | None = None
        self._open()
        self.sync_until_quiet()

    # --- plumbing ---

    @property
    def desk(self) -> Store:
        assert self.store is not None
        return self.store

    def _open(self) -> None:
        self.store = open_store(self.folder / "cache.db", self.vault, clock=self.clock)
        self.client = ApiClient(
            BASE,
            transport=httpx.MockTransport(self.bank),
            device_id=DEVICE,
            device_name="stateful laptop",
            clock=self.clock,
        )
        self.client.login("rm001", "pw")
        self.engine = SyncEngine(self.store, self.client, page_limit=PAGE_LIMIT)

    def _close(self, *, crash: bool = False) -> None:
        if self.client is not None:
            self.client.close()
            self.client = None
        if self.store is not None:
            if crash:  # no checkpoint, no clean close: the connections simply go away
                self.store.engine.dispose()
            else:
                self.store.close()
            self.store = None

    def teardown(self) -> None:
        try:
            if self.store is not None:
                self.sync_until_quiet()
        finally:
            self._close()
            shutil.rmtree(self.folder, ignore_errors=True)

    def _tick(self) -> int:
        self.step += 1
        self.bank.step = self.step
        return self.step

    def _snapshot_of(self, op_id: str) -> Mapping[str, Any] | None:
        with self.desk.read() as conn:
            op = outbox.op_by_id(conn, op_id)
        return None if op is None or op.snapshot is None else dict(op.snapshot)

    def _reached_the_bank(self, key: Key, value: Any) -> None:
        intent = self.intents.get(key)
        if intent is not None and intent.value == value:
            intent.settled = True

    def _journal_mark(self) -> int:
        with self.desk.read() as conn:
            entries = outbox.journal_entries(conn)
        return max((int(e["id"]) for e in entries), default=0)

    def _decided_by_a_rule(self, key: Key, intent: Intent) -> bool:
        """Whether a journal entry newer than ``intent`` says a rule decided its value: the op
        that held it was merged, so a later edit starts a new chain (a new merge base)."""
        entity, record_id, merge_field = key
        with self.desk.read() as conn:
            journal = outbox.journal_entries(conn, "auto_merge")
        return any(
            e["entity"] == entity
            and e["record_id"] == record_id
            and e["id"] > intent.journal_mark
            and e["detail"]["field"] == merge_field
            and e["detail"]["mine"] == intent.value
            for e in journal
        )

    def _choose(self, key: Key, value: Any, saw: Any, *, new_chain: bool = False) -> None:
        """The user chose ``value`` for a merge field while looking at ``saw`` (an edit, or a
        decision in the inbox).

        The chain of edits not yet settled ends when a rule decides the earlier value, or when
        the earlier value is a soft-profile key back at its base (no change of the user's to
        carry) — not only at the next check: else the model keeps the base of an op long merged,
        while the op of the new chain has the value the user saw when it began. ``new_chain``:
        the choice starts a chain of its own whatever came before (a decision in the inbox that
        goes out as a new update, :meth:`decide_a_conflict`).
        """
        earlier = self.intents.get(key)
        if earlier is not None and not earlier.settled:
            no_change = key[2].startswith(SOFT + ".") and earlier.value == earlier.first_saw
            earlier.settled = no_change or self._decided_by_a_rule(key, earlier)
        fresh = new_chain or earlier is None or earlier.settled
        first_saw = saw if fresh else earlier.first_saw
        self.intents[key] = Intent(value, self.step, self._journal_mark(), first_saw)
        self.bank.choices.setdefault(key, []).append(UserChoice(self.step, value, (saw, first_saw)))
        self.activity[key] = self.step

    def _visible(self, entity: str, record_id: str) -> Mapping[str, Any]:
        with self.desk.read() as conn:
            cached = outbox.load_record(conn, entity, record_id)
        assert cached is not None, f"{entity} {record_id} is missing from the cache"
        return cached.visible

    def _round(self) -> None:
        self.engine.run_round()

    # --- rules: people ---

    @rule(edit=_edits(EDITABLE_VALUES))
    def edit_on_the_desk(self, edit: Edit) -> None:
        self._tick()
        wire, key = split_key(edit.field)
        visible = self._visible(edit.entity, edit.record_id)
        value = edit.value
        if key is not None:  # the soft profile is written whole, one key changed
            value = {**(visible.get(SOFT) or {}), key: value}
        role = RecordRole.ASSIGNEE if edit.entity == "task" else None
        record_edit(self.desk, edit.entity, edit.record_id, OpKind.UPDATE, {wire: value}, role=role)
        saw = value_at(visible, edit.field)
        self._choose((edit.entity, edit.record_id, edit.field), edit.value, saw)

    @rule(edit=_edits({**EDITABLE_VALUES, **BANK_ONLY_VALUES}))
    def edit_in_the_back_office(self, edit: Edit) -> None:
        self._tick()
        self.bank.edit(edit.entity, edit.record_id, edit.field, edit.value)
        self.activity[(edit.entity, edit.record_id, edit.field)] = self.step

    @rule(edits=_same_field_edits(), bank_first=st.booleans())
    def edit_on_both_sides(self, edits: tuple[Edit, Any], bank_first: bool) -> None:
        """The same field changed on the desk and in the back office before either hears of it
        (the case the conflict policies are for)."""
        edit, theirs = edits
        bank_edit = Edit(edit.entity, edit.record_id, edit.field, theirs)
        if bank_first:
            self.edit_in_the_back_office(bank_edit)
            self.edit_on_the_desk(edit)
        else:
            self.edit_on_the_desk(edit)
            self.edit_in_the_back_office(bank_edit)

    @rule(edits=_same_field_edits(STATUS_FIELDS), bank_first=st.booleans())
    def edit_a_status_on_both_sides(self, edits: tuple[Edit, Any], bank_first: bool) -> None:
        """As :meth:`edit_on_both_sides`, for the fields decided by precedence."""
        self.edit_on_both_sides(edits, bank_first)

    def _open_conflicts(self) -> list[outbox.StoredConflict]:
        with self.desk.read() as conn:
            return outbox.open_conflicts(conn)

    def _refused(self) -> list[outbox.StoredOp]:
        with self.desk.read() as conn:
            return outbox.ops_in_states(conn, {OpState.REJECTED})

    @precondition(lambda self: bool(self._open_conflicts()))
    @rule(pick=st.integers(0, 3), choice=st.sampled_from(Choice), value=st.integers(0, 6))
    def decide_a_conflict(self, pick: int, choice: Choice, value: int) -> None:
        """The user decides the ``pick``-th open conflict (oldest first): mine, theirs, or the
        ``value``-th value of the field."""
        self._tick()
        waiting = self._open_conflicts()
        found = waiting[pick % len(waiting)]
        assert found.field is not None
        key = (found.entity, found.record_id, found.field)
        new_chain = not self._edit_on_its_way(found)
        if choice is Choice.VALUE:
            values = EDITABLE_VALUES[(found.entity, found.field)]
            chosen = values[value % len(values)]
            resolve_conflict(self.desk, found.id, choice, chosen)
            self._choose(key, chosen, self._theirs_seen(found), new_chain=new_chain)
            self._settle_if_already_there(key)
        elif choice is Choice.MINE:
            resolve_conflict(self.desk, found.id, choice)
            self._choose(key, found.mine, self._theirs_seen(found), new_chain=new_chain)
            self._settle_if_already_there(key)
        else:
            resolve_conflict(self.desk, found.id, choice)
            self.intents.pop(key, None)
            self.activity[key] = self.step

    def _edit_on_its_way(self, found: outbox.StoredConflict) -> bool:
        """Whether an edit of the conflict's field made on the desk while it waited is still on
        its way to the bank (a decision is folded into it, or queued after it: issues.py).

        Otherwise the decision starts a chain of edits of its own: it goes into the outbox as a
        new update (issue 4: "resolving one enqueues a new op from the new base"; issues.py),
        made looking at the bank's value the inbox shows, so the user's later edits coalesced
        into it are merged against that value (API.md §3: a field the bank holds at the base
        value is changed only by the user), not against where the edits decided in the inbox
        began. That chain ended with the decision.
        """
        wire, _ = split_key(found.field or "")
        with self.desk.read() as conn:
            unsent = outbox.ops_of_record(conn, found.entity, found.record_id, outbox.UNSENT_STATES)
        return any(op.op_id != found.op_id and wire in op.fields for op in unsent)

    def _theirs_seen(self, found: outbox.StoredConflict) -> Any:
        """The bank's value the inbox showed: ``ABSENT`` for a soft-profile key the bank does
        not have (the inbox shows null)."""
        if found.theirs is None and found.field is not None:
            cached = self._server_copy(found.entity, found.record_id)
            if value_at(cached, found.field) is ABSENT:
                return ABSENT
        return found.theirs

    def _server_copy(self, entity: str, record_id: str) -> Mapping[str, Any]:
        with self.desk.read() as conn:
            cached = outbox.load_record(conn, entity, record_id)
        return {} if cached is None else cached.server_copy

    def _settle_if_already_there(self, key: Key) -> None:
        """A decision for the value the bank has, as the desk knows it, sends nothing
        (issues.py): the user's choice is on the bank at once, as an edit is once applied, and a
        later bank change of the field is the bank's later word, shown by the next pull. The
        model took the choice for unsettled until a client write that never comes, and called it
        lost when the back office later changed the field. Only when the bank really holds the
        value: a decision on a stale copy is still the user's, to be kept or put to them."""
        entity, record_id, merge_field = key
        intent = self.intents[key]
        with self.desk.read() as conn:
            cached = outbox.load_record(conn, entity, record_id)
            unsent = outbox.ops_of_record(conn, entity, record_id, outbox.UNSENT_STATES)
        wire, _ = split_key(merge_field)
        bank = self.bank.records[(entity, record_id)].data
        if (
            cached is not None
            and not any(wire in op.fields for op in unsent)
            and value_at(cached.server_copy, merge_field) == intent.value
            and value_at(bank, merge_field) == intent.value
        ):
            intent.settled = True

    @precondition(lambda self: bool(self._refused()))
    @rule(pick=st.integers(0, 3))
    def discard_a_refused_change(self, pick: int) -> None:
        """The user drops the ``pick``-th change the bank refused."""
        self._tick()
        refused = self._refused()
        op = refused[pick % len(refused)]
        discard_rejected(self.desk, op.op_id)
        for wire in op.fields:
            for merge_field in merge_fields_of(op.entity, wire, op.fields):
                key = (op.entity, op.record_id, merge_field)
                intent = self.intents.get(key)
                if intent is not None and intent.value == value_at(op.fields, merge_field):
                    del self.intents[key]
                self.activity[key] = self.step

    # --- rules: the network and the app ---

    @rule(fault=st.sampled_from(Fault.ALL), at=st.integers(1, 5))
    def sync_with_a_fault(self, fault: str, at: int) -> None:
        self._tick()
        self.bank.arm(fault, at)
        try:
            self._round()
        except SyncError:
            pass
        finally:
            self.bank.disarm()

    @rule()
    def sync_once(self) -> None:
        self._tick()
        self._round()

    @rule(crash=st.booleans())
    def restart(self, crash: bool) -> None:
        self._tick()
        self._close(crash=crash)
        self._open()

    @rule()
    def bank_forgets_cursors(self) -> None:
        self._tick()
        self.bank.epoch += 1

    @rule()
    def sync_until_quiet(self) -> None:
        """Rounds without faults until nothing is left to send; then every check."""
        self._tick()
        for _ in range(MAX_QUIET_ROUNDS):
            report = self.engine.run_round()
            with self.desk.read() as conn:
                unsent = outbox.ops_in_states(conn, outbox.UNSENT_STATES)
            if not unsent and report.pushed.sent == 0 and report.pushed_after.sent == 0:
                break
        else:
            raise AssertionError(f"sync did not settle in {MAX_QUIET_ROUNDS} rounds")
        self.check_applied_at_most_once()
        self.check_no_overwrite_nobody_chose()
        self.check_cache_equals_bank()
        self.check_no_edit_lost_silently()
        self.check_conflicts_settled_by_the_rules()
        self.check_rules_decide_only_their_fields()

    # --- checks ---

    def check_applied_at_most_once(self) -> None:
        twice = {op_id: n for op_id, n in self.bank.applied.items() if n > 1}
        assert not twice, f"ops applied more than once: {twice}"

    def check_no_overwrite_nobody_chose(self) -> None:
        assert not self.bank.violations, "\n".join(self.bank.violations)

    def _ops_by_record(self) -> dict[tuple[str, str], list[outbox.StoredOp]]:
        with self.desk.read() as conn:
            ops = outbox.ops_in_states(conn, frozenset(OpState))
        by_record: dict[tuple[str, str], list[outbox.StoredOp]] = {}
        for op in ops:
            by_record.setdefault((op.entity, op.record_id), []).append(op)
        return by_record

    def check_cache_equals_bank(self) -> None:
        ops = self._ops_by_record()
        with self.desk.read() as conn:
            for (entity, record_id), bank in self.bank.records.items():
                cached = outbox.load_record(conn, entity, record_id)
                assert cached is not None, f"{entity} {record_id} is missing from the cache"
                assert cached.rev == bank.rev, (entity, record_id, cached.rev, bank.rev)
                held = {name for op in ops.get((entity, record_id), []) for name in op.fields}
                server_copy = cached.server_copy
                for name, value in bank.data.items():
                    assert server_copy.get(name) == value, (
                        f"{entity} {record_id}.{name}: the cache's server copy has "
                        f"{server_copy.get(name)!r}, the bank {value!r}"
                    )
                    if name not in held:
                        assert cached.visible.get(name) == value, (
                            f"{entity} {record_id}.{name}: the cache shows "
                            f"{cached.visible.get(name)!r}, the bank has {value!r}"
                        )
                if not held:
                    assert cached.base is None, (entity, record_id, "a base with nothing pending")
        for (entity, record_id), record_ops in ops.items():
            states = {op.state for op in record_ops}
            assert states <= {OpState.CONFLICT, OpState.REJECTED}, (entity, record_id, states)

    def check_no_edit_lost_silently(self) -> None:
        """The user's latest value of each field: on the bank, decided by a rule with a journal
        entry, or waiting for the user (inbox, refused list) and still shown."""
        with self.desk.read() as conn:
            waiting = outbox.open_conflicts(conn)
            refused = outbox.ops_in_states(conn, {OpState.REJECTED})
        for key, intent in self.intents.items():
            entity, record_id, merge_field = key
            if merge_field.startswith(SOFT + ".") and intent.value == intent.first_saw:
                # merge.py: a soft-profile key back at its base value is no change of the user's
                intent.settled = True
            if intent.settled:
                continue
            bank = self.bank.records[(entity, record_id)]
            if value_at(bank.data, merge_field) == intent.value:
                intent.settled = True
                continue
            if self._decided_by_a_rule(key, intent):
                intent.settled = True
                continue
            in_inbox = any(
                (c.entity, c.record_id, c.field) == key and c.mine == nullable(intent.value)
                for c in waiting
            )
            wire, _ = split_key(merge_field)
            in_refused = any(
                (op.entity, op.record_id) == (entity, record_id)
                and wire in op.fields
                and value_at(op.fields, merge_field) == intent.value
                for op in refused
            )
            assert in_inbox or in_refused, (
                f"{key}: the user's {intent.value!r} (step {intent.step}) is not on the bank "
                f"({value_at(bank.data, merge_field)!r}), not in the journal, the inbox or the "
                "refused list"
            )
            shown = value_at(self._visible(entity, record_id), merge_field)
            assert shown == intent.value, (
                f"{key}: the user's {intent.value!r} waits for a decision but the cache shows "
                f"{shown!r}"
            )

    def check_conflicts_settled_by_the_rules(self) -> None:
        """Each merge field of each new conflict answer, unless someone touched it since."""
        latest: dict[Key, tuple[ConflictSeen, Expected]] = {}
        handed = self._handed_on()
        for seen in self.bank.conflicts[self.checked_conflicts :]:
            for wire in seen.sent:
                base_copy = self._base_copy(seen, handed)
                copies = (base_copy, seen.sent, seen.theirs)
                for merge_field in merge_fields_of(seen.entity, wire, *copies):
                    b, m, t = (value_at(copy, merge_field) for copy in copies)
                    if wire not in base_copy or (m == b and wire == SOFT):
                        continue  # a key the user did not change: nothing to expect of it
                    if self._superseded(seen, merge_field, m):
                        continue  # a later edit's op carries the user's value (push.py)
                    if wire not in seen.conflicting:
                        outcome = Expected(m)  # not changed on the bank since base_rev
                    else:
                        outcome = expected_outcome(seen.entity, merge_field, b, m, t)
                    latest[(seen.entity, seen.record_id, merge_field)] = (seen, outcome)
        self.checked_conflicts = len(self.bank.conflicts)
        waiting = self._open_conflicts()
        for key, (seen, outcome) in latest.items():
            if self.activity.get(key, 0) > seen.step:
                continue  # someone changed it since: a later check covers it
            entity, record_id, merge_field = key
            now = value_at(self.bank.records[(entity, record_id)].data, merge_field)
            assert now == outcome.value, (
                f"{key}: after the conflict (sent {value_at(seen.sent, merge_field)!r}, base "
                f"{value_at(seen.snapshot or {}, merge_field)!r}, bank "
                f"{value_at(seen.theirs, merge_field)!r}) the bank has {now!r}, the rules say "
                f"{outcome.value!r}"
            )
            if outcome.ask is not ABSENT:
                assert any(
                    (c.entity, c.record_id, c.field) == key and c.mine == nullable(outcome.ask)
                    for c in waiting
                ), f"{key}: {outcome.ask!r} should wait in the inbox; it holds {waiting}"

    def _handed_on(self) -> dict[tuple[str, str], tuple[str, str]]:
        """(op id, wire field) to how an earlier op gave it its base for the field, and that op's
        id (push.py), the latest if more than one did: ``superseded``, the earlier op met a
        conflict while this one carried a later value; ``already_at_bank``, the earlier op was
        applied without changing the field at the bank (``changed_fields``), and this one was
        made on its value. The bank saw this op's snapshot before the earlier answer was
        settled."""
        with self.desk.read() as conn:
            journal = [
                *outbox.journal_entries(conn, "superseded"),
                *outbox.journal_entries(conn, "already_at_bank"),
            ]
        journal.sort(key=lambda entry: int(entry["id"]))
        return {
            (heir, wire): (str(entry["kind"]), str(entry["op_id"]))
            for entry in journal
            for wire, heir in entry["detail"]["fields"].items()
        }

    def _base_copy(
        self, seen: ConflictSeen, handed: Mapping[tuple[str, str], tuple[str, str]]
    ) -> Mapping[str, Any]:
        """The op's base when its answer was merged (:meth:`_base_of`)."""
        return self._base_of(seen.op_id, seen.sent, seen.snapshot, handed)

    def _base_of(
        self,
        op_id: str,
        sent: Mapping[str, Any],
        snapshot: Mapping[str, Any] | None,
        handed: Mapping[tuple[str, str], tuple[str, str]],
    ) -> dict[str, Any]:
        """An op's base when its answer was settled: its snapshot, with the base an earlier op
        handed it (a superseded op's base, or the bank's value where the bank did not list the
        field; an applied op's base where it changed nothing at the bank)."""
        base = dict(snapshot or {})
        for wire in sent:
            how = handed.get((op_id, wire))
            if how is None:
                continue
            kind, origin = how
            if kind == "already_at_bank":
                applied = self.bank.applied_ops.get(origin)
                if applied is not None:
                    base[wire] = self._base_of(origin, *applied, handed).get(wire)
                continue
            earlier = next((c for c in self.bank.conflicts if c.op_id == origin), None)
            if earlier is None:
                continue
            if wire in earlier.conflicting:
                base[wire] = self._base_copy(earlier, handed).get(wire)
            else:
                base[wire] = earlier.theirs.get(wire)
        return base

    def _superseded(self, seen: ConflictSeen, merge_field: str, sent: Any) -> bool:
        """Whether the user had chosen another value for the field than the op carried before
        the bank answered it: the op held an earlier choice, and the later one's op stands."""
        key = (seen.entity, seen.record_id, merge_field)
        before = [c for c in self.bank.choices.get(key, []) if c.step <= seen.step]
        return bool(before) and before[-1].value != sent

    def check_rules_decide_only_their_fields(self) -> None:
        with self.desk.read() as conn:
            journal = outbox.journal_entries(conn, "auto_merge")
        decided = {(e["entity"], e["detail"]["field"]) for e in journal}
        assert decided <= POLICY_FIELDS, f"fields decided without a rule: {decided - POLICY_FIELDS}"


def _checked_settings() -> settings:
    """``make test``: a fixed set of examples (derandomized), so CI fails the same way each run;
    ``make soak``: random exploration, many more examples.

    A seed given on the command line (``--hypothesis-seed``, to replay a failure) still counts:
    Hypothesis ranks ``derandomize`` above it, so it is left off then.
    """
    return settings(
        max_examples=400 if SOAK else 40,
        stateful_step_count=80 if SOAK else 35,
        derandomize=not SOAK and hypothesis_core.global_force_seed is None,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )


SyncMachine.TestCase.settings = _checked_settings()
TestSyncAgainstModelBank = SyncMachine.TestCase


def test_model_bank_refuses_a_reused_op_id_with_another_body() -> None:
    """The model keeps API.md's idempotency rule (a check of the model itself)."""
    bank = ModelBank(initial_records())
    update: dict[str, Any] = {
        "op_id": "op-1",
        "entity": "task",
        "id": "k-1",
        "op": "update",
        "base_rev": 2,
        "fields": {"status": "completed"},
    }
    first = orjson.loads(bank._mutations([update]).content)["results"][0]
    again = orjson.loads(bank._mutations([update]).content)["results"][0]
    other = bank._mutations([{**update, "fields": {"status": "cancelled"}}])

    assert first["status"] == "applied" and again == {**first, "replayed": True}
    assert other.status_code == 422 and bank.applied["op-1"] == 1


def test_an_edit_of_another_soft_profile_key_does_not_send_a_value_waiting_in_the_inbox() -> None:
    """Found by the machine: the profile is written whole, so editing one key sent the user's
    value of a key still waiting in the inbox, and the bank's value was overwritten undecided."""
    machine = SyncMachine()
    try:
        interests = Edit("customer", CUSTOMER, "soft_profile.interests", "")
        machine.edit_on_both_sides((interests, "书法"), bank_first=False)
        machine.sync_until_quiet()  # interests waits in the inbox: mine "", the bank's 书法
        machine.edit_on_the_desk(Edit("customer", CUSTOMER, "soft_profile.family_notes", "二胎"))
        machine.sync_until_quiet()

        bank = machine.bank.records[("customer", CUSTOMER)].data[SOFT]
        shown = machine._visible("customer", CUSTOMER)[SOFT]
        assert (bank["interests"], bank["family_notes"]) == ("书法", "二胎")
        assert (shown["interests"], shown["family_notes"]) == ("", "二胎")
        (waiting,) = machine._open_conflicts()
        assert (waiting.field, waiting.mine, waiting.theirs) == (f"{SOFT}.interests", "", "书法")
    finally:
        machine.teardown()


def test_a_refused_value_on_screen_does_not_turn_the_next_edit_into_a_conflict() -> None:
    """Found by the machine: the bank refused an amount; the amount the user typed next had the
    refused one as its base, so when the bank answered a conflict on another field of the op,
    the merge took the amount for changed on both sides and asked the user about it."""
    machine = SyncMachine()
    try:
        machine.edit_on_the_desk(Edit("opportunity", "o-1", "amount", BAD_AMOUNT))
        machine.sync_until_quiet()  # refused: it stays in the sync issues list, and on screen
        machine.edit_on_the_desk(Edit("opportunity", "o-1", "amount", "1.00"))
        stage = Edit("opportunity", "o-1", "stage", "won")
        machine.edit_on_both_sides((stage, "lost"), bank_first=False)
        machine.sync_until_quiet()

        assert machine.bank.records[("opportunity", "o-1")].data["amount"] == "1.00"
        assert [c.field for c in machine._open_conflicts()] == ["stage"]
    finally:
        machine.teardown()


def test_an_edit_made_while_an_earlier_one_went_unanswered_is_not_taken_for_a_conflict() -> None:
    """Found by the kill tests: two edits of a field waited, sent but unanswered, behind one the
    bank had applied unanswered. In one batch the bank answered the first with a conflict (its
    base rev predated the applied one) and the second too; the second's base was the first's
    value, which the bank did not have yet, so the merge took the bank's older value for a change
    of the bank's and asked the user about their own edit."""
    machine = SyncMachine()

    def remarks(value: str) -> Edit:
        return Edit("customer", CUSTOMER, "soft_profile.remarks", value)

    try:
        machine.edit_on_the_desk(remarks("偏好下午联系"))
        machine.sync_with_a_fault(Fault.DROP_ANSWER, 1)  # applied; the desk never heard
        machine.edit_on_the_desk(remarks("周末勿扰"))  # a new op, on the rev before the first
        machine.sync_with_a_fault(Fault.DROP_REQUEST, 1)  # both left sending
        machine.edit_on_the_desk(remarks("只用微信"))  # its base: 周末勿扰, never on the bank
        machine.sync_until_quiet()

        assert machine.bank.records[("customer", CUSTOMER)].data[SOFT]["remarks"] == "只用微信"
        assert machine._visible("customer", CUSTOMER)[SOFT]["remarks"] == "只用微信"
        assert machine._open_conflicts() == []
    finally:
        machine.teardown()


def test_a_task_the_user_saw_completed_and_reopened_offline_is_reopened() -> None:
    """Found by the machine (seed 205726637567010772271477792211159531809), a fault of the model:
    the user saw 已完成, cancelled the task and then, before a sync, set it back to 未开始 — one
    coalesced op whose base is 已完成. The back office meanwhile cancelled and completed it again,
    so the bank is at the value the user reopened. That is a reopen, not a regression: the merge
    resends 未开始. The model took the chain of edits to start at an older edit a rule had
    already decided, and called the reopen an overwrite nobody chose."""
    machine = SyncMachine()
    try:
        first = Edit("task", "k-1", "status", "not_started")
        machine.edit_a_status_on_both_sides((first, "completed"), bank_first=True)
        machine.sync_once()  # precedence: 已完成 stays; the desk shows it
        cancel = Edit("task", "k-1", "status", "cancelled")
        machine.edit_a_status_on_both_sides((cancel, "cancelled"), bank_first=False)
        reopen = Edit("task", "k-1", "status", "not_started")
        machine.edit_a_status_on_both_sides((reopen, "completed"), bank_first=False)
        machine.sync_until_quiet()

        assert machine.bank.records[("task", "k-1")].data["status"] == "not_started"
        assert machine._visible("task", "k-1")["status"] == "not_started"
        assert machine._open_conflicts() == []
    finally:
        machine.teardown()


def test_an_edit_queued_behind_an_earlier_one_does_not_regress_a_status_the_bank_moved_on() -> None:
    """Found while reading the seed above: the user set 进行中 with a note; that op went unanswered;
    the user set 未开始 and another note (a second op, whose base is the first op's 进行中), and
    the bank completed the task. One batch: the first op's status went to 已完成 by precedence
    and its note was sent again; the second was queued behind it on the rev of the answer, which
    already held 已完成. Sent on that rev, the bank did not list the status as conflicting, the
    merge took 已完成 for the op's base and regressed the task to 未开始, a change the user never
    saw. Kept on its own rev, the bank lists the status and precedence keeps 已完成."""
    machine = SyncMachine()
    try:
        machine.edit_on_the_desk(Edit("task", "k-1", "status", "in_progress"))
        machine.edit_on_the_desk(Edit("task", "k-1", "completion_note", "已电话确认"))
        machine.sync_with_a_fault(Fault.DROP_REQUEST, 1)  # left sending
        machine.edit_on_the_desk(Edit("task", "k-1", "status", "not_started"))
        machine.edit_on_the_desk(Edit("task", "k-1", "completion_note", "客户改期"))
        machine.edit_in_the_back_office(Edit("task", "k-1", "status", "completed"))
        machine.sync_until_quiet()

        bank = machine.bank.records[("task", "k-1")].data
        assert (bank["status"], bank["completion_note"]) == ("completed", "客户改期")
        assert machine._visible("task", "k-1")["status"] == "completed"
        assert machine._open_conflicts() == []
    finally:
        machine.teardown()


def test_a_soft_profile_key_set_to_the_value_it_shows_is_no_change_of_the_users() -> None:
    """Found by the machine, a fault of the model: the user left 免打扰 off (an edit of the key to
    the value it had) while the back office turned it on; the merge took the bank's value, the
    key being no change of the user's. The pull was lost, so the desk showed the bank's 开 from
    the conflict answer, and the user set 开 again while the back office turned it off. That too
    is no change of the user's, and the bank's 关 stands; the model had kept the first edit's
    base as the start of the user's edits, and took 开 for a change lost silently."""
    machine = SyncMachine()
    try:
        off = Edit("customer", CUSTOMER, "soft_profile.do_not_disturb", False)
        machine.edit_on_both_sides((off, True), bank_first=False)
        machine.sync_with_a_fault(Fault.DROP_REQUEST, 2)  # the push answered, the pull lost
        on = Edit("customer", CUSTOMER, "soft_profile.do_not_disturb", True)
        machine.edit_on_both_sides((on, False), bank_first=False)
        machine.sync_until_quiet()

        assert machine.bank.records[("customer", CUSTOMER)].data[SOFT]["do_not_disturb"] is False
        assert machine._visible("customer", CUSTOMER)[SOFT]["do_not_disturb"] is False
        assert machine._open_conflicts() == []
    finally:
        machine.teardown()


def test_an_earlier_edit_resent_after_a_conflict_does_not_overtake_a_later_one_of_the_field() -> (
    None
):
    """Found by the kill tests (soak run 8): four edits of an opportunity's stage each went out
    while the one before was unanswered, all on the same rev, and reached the bank in one batch.
    The first applied; the second met a conflict with it; the third, the same value as the
    first, applied; the fourth met a conflict. The second was resent after the merge and landed
    after the third, so the bank got an older choice of the user's, and the fourth then met that
    value and asked the user to choose between two of their own edits."""
    machine = SyncMachine()

    def stage(value: str) -> Edit:
        return Edit("opportunity", "o-1", "stage", value)

    try:
        machine.edit_on_the_desk(stage("lead"))
        machine.sync_with_a_fault(Fault.DROP_REQUEST, 1)  # left sending
        machine.edit_on_the_desk(stage("needs_confirmed"))  # a new op on the same rev
        machine.sync_with_a_fault(Fault.DROP_REQUEST, 1)
        machine.edit_on_the_desk(stage("lead"))
        machine.sync_with_a_fault(Fault.DROP_REQUEST, 1)
        machine.edit_on_the_desk(stage("closing"))
        machine.sync_until_quiet()

        assert machine.bank.records[("opportunity", "o-1")].data["stage"] == "closing"
        assert machine._visible("opportunity", "o-1")["stage"] == "closing"
        assert machine._open_conflicts() == []
    finally:
        machine.teardown()


def test_an_earlier_edit_resent_after_a_conflict_does_not_undo_the_users_last_choice() -> None:
    """The run above without its last edit: the user's last choice (the first value again) was
    applied, and the second edit, resent after its merge, replaced it on the bank."""
    machine = SyncMachine()

    def stage(value: str) -> Edit:
        return Edit("opportunity", "o-1", "stage", value)

    try:
        machine.edit_on_the_desk(stage("lead"))
        machine.sync_with_a_fault(Fault.DROP_REQUEST, 1)
        machine.edit_on_the_desk(stage("needs_confirmed"))
        machine.sync_with_a_fault(Fault.DROP_REQUEST, 1)
        machine.edit_on_the_desk(stage("lead"))
        machine.sync_until_quiet()

        assert machine.bank.records[("opportunity", "o-1")].data["stage"] == "lead"
        assert machine._visible("opportunity", "o-1")["stage"] == "lead"
        assert machine._open_conflicts() == []
    finally:
        machine.teardown()


def test_a_decision_in_the_inbox_stands_over_a_desk_edit_made_before_it() -> None:
    """Found by the machine (soak seed 82355115943305619243141119731467059386): the user's
    status waited in the inbox against the bank's 已完成; the user set the task's status on the
    desk again (a new op, queued), and then chose 已完成 in the inbox. The bank had that value, so
    the decision sent nothing, and the desk edit made before it went out and cancelled the task
    over the user's last choice."""
    machine = SyncMachine()
    try:
        status = Edit("task", "k-2", "status", "cancelled")
        machine.edit_a_status_on_both_sides((status, "completed"), bank_first=True)
        machine.sync_once()  # completed against cancelled: the user decides
        machine.edit_on_the_desk(status)  # a new op: the first waits in the inbox
        assert len(machine._open_conflicts()) == 1
        machine.decide_a_conflict(0, Choice.VALUE, 2)  # 已完成, the bank's value
        machine.sync_until_quiet()

        assert machine.bank.records[("task", "k-2")].data["status"] == "completed"
        assert machine._visible("task", "k-2")["status"] == "completed"
        assert machine._open_conflicts() == []
    finally:
        machine.teardown()


def test_an_edit_of_a_field_waiting_in_the_inbox_does_not_overwrite_a_bank_change_unseen() -> None:
    """The user's stage waited in the inbox against the bank's; the back office moved the stage
    again and a pull brought it, hidden under the user's value on screen; the user then edited
    the stage. The new op took the record's rev and the shown value as its base, so the bank did
    not report the stage and the user's edit went over a value the user never saw. Its base is
    the waiting op's: the bank's value the inbox shows, at its rev."""
    machine = SyncMachine()
    try:
        machine.edit_on_both_sides((Edit("opportunity", "o-1", "stage", "won"), "lost"), False)
        machine.sync_once()  # won against lost: the user decides
        machine.edit_in_the_back_office(Edit("opportunity", "o-1", "stage", "closing"))
        machine.sync_once()  # the pull brings closing; the screen still shows won
        machine.edit_on_the_desk(Edit("opportunity", "o-1", "stage", "recommended"))
        machine.sync_until_quiet()

        assert machine.bank.records[("opportunity", "o-1")].data["stage"] == "closing"
        assert machine._visible("opportunity", "o-1")["stage"] == "recommended"
        assert [(c.mine, c.theirs) for c in machine._open_conflicts()] == [
            ("won", "lost"),
            ("recommended", "closing"),
        ]
    finally:
        machine.teardown()


def test_an_edit_over_a_status_waiting_in_the_inbox_bases_on_where_the_users_edits_began() -> None:
    """Found by the machine (soak seed 82355115943305619243141119731467059386, once the inbox
    fix above was in): the user's 已取消 waited in the inbox against the bank's 已完成; the user
    set 进行中 on the desk, and the back office cancelled and then completed the task again. The
    new op took the bank's 已完成 the merge had met for its base, so the bank's 已完成 (written
    after the user's edit) looked unchanged and 进行中 was written over it. The user's edits began
    from 进行中, before any of those bank writes: against that base precedence keeps 已完成."""
    machine = SyncMachine()
    try:
        cancel = Edit("task", "k-2", "status", "cancelled")
        machine.edit_a_status_on_both_sides((cancel, "completed"), bank_first=True)
        machine.sync_once()  # completed against cancelled: the user decides
        machine.edit_in_the_back_office(Edit("task", "k-2", "status", "cancelled"))
        machine.edit_on_the_desk(Edit("task", "k-2", "status", "in_progress"))
        machine.edit_in_the_back_office(Edit("task", "k-2", "status", "completed"))
        machine.sync_until_quiet()

        assert machine.bank.records[("task", "k-2")].data["status"] == "completed"
        assert machine.bank.violations == []
    finally:
        machine.teardown()


def test_a_soft_profile_key_the_bank_changed_after_a_conflict_is_not_overwritten_unseen() -> None:
    """Found by the machine (soak seed 82355115943305619243141119731467059386): the user's 书法
    waited in the inbox against the bank's 高尔夫 for interests, in an op holding the whole soft
    profile. The back office then wrote family notes and a pull brought them, hidden under that
    op's copy of the profile (the bank's values from when the conflict happened). The user's next
    edit, of the remarks, sent the profile as shown: the old family notes, over the bank's new
    ones, without a conflict. The held op carries only the user's own keys; the others follow
    the bank."""
    machine = SyncMachine()
    try:
        interests = Edit("customer", CUSTOMER, "soft_profile.interests", "书法")
        machine.edit_on_both_sides((interests, ""), bank_first=False)
        machine.sync_until_quiet()  # interests waits in the inbox: mine 书法, the bank's ""
        family = Edit("customer", CUSTOMER, "soft_profile.family_notes", "父母同住")
        machine.edit_in_the_back_office(family)
        machine.sync_once()  # the pull brings the family notes
        shown = machine._visible("customer", CUSTOMER)[SOFT]
        assert (shown["interests"], shown["family_notes"]) == ("书法", "父母同住")
        machine.edit_on_the_desk(Edit("customer", CUSTOMER, "soft_profile.remarks", "偏好下午联系"))
        machine.sync_until_quiet()

        bank = machine.bank.records[("customer", CUSTOMER)].data[SOFT]
        shown = machine._visible("customer", CUSTOMER)[SOFT]
        assert machine.bank.violations == []
        assert (bank["interests"], bank["family_notes"], bank["remarks"]) == (
            "",
            "父母同住",
            "偏好下午联系",
        )
        assert (shown["interests"], shown["family_notes"], shown["remarks"]) == (
            "书法",
            "父母同住",
            "偏好下午联系",
        )
        (waiting,) = machine._open_conflicts()
        assert (waiting.field, waiting.mine, waiting.theirs) == (f"{SOFT}.interests", "书法", "")
    finally:
        machine.teardown()


def test_an_edit_of_a_soft_profile_key_shown_stale_under_a_held_op_is_reported() -> None:
    """The same, where the user edits the key the bank changed after a pull brought it but before
    the round's push put it on the screen: the user changed the value they saw, not the bank's,
    so the bank's value is put to the user rather than overwritten."""
    machine = SyncMachine()
    try:
        interests = Edit("customer", CUSTOMER, "soft_profile.interests", "书法")
        machine.edit_on_both_sides((interests, ""), bank_first=False)
        machine.sync_until_quiet()
        family = Edit("customer", CUSTOMER, "soft_profile.family_notes", "二胎")
        machine.edit_in_the_back_office(family)
        machine.engine.puller.pull()  # the pull alone: the round's push has not run yet
        machine.edit_on_the_desk(
            Edit("customer", CUSTOMER, "soft_profile.family_notes", "父母同住")
        )
        machine.sync_until_quiet()

        bank = machine.bank.records[("customer", CUSTOMER)].data[SOFT]
        assert (bank["interests"], bank["family_notes"]) == ("", "二胎")
        waiting = sorted((c.field, c.mine, c.theirs) for c in machine._open_conflicts())
        assert waiting == [
            (f"{SOFT}.family_notes", "父母同住", "二胎"),
            (f"{SOFT}.interests", "书法", ""),
        ]
    finally:
        machine.teardown()


def test_an_edit_back_to_where_a_waiting_keys_edits_began_is_sent_once_a_later_value_went() -> None:
    """Found by the machine (soak seed 82355115943305619243141119731467059386, once the fix
    above was in): the user's 父母同住 waited in the inbox against the bank's 二胎, from a base of
    "". The user then set the family notes to 二胎 on the desk (sent, on the bank), and later to
    "", after the back office changed another key. The new op took the conflict's base ""
    (where the undecided edits began) as its own, so the merge saw no change of the user's and
    kept 二胎: the user's "" was lost silently. The
    chain of undecided edits ended when the user's later value went to the bank; "" is a change
    from it."""
    machine = SyncMachine()

    def family(value: str) -> Edit:
        return Edit("customer", CUSTOMER, "soft_profile.family_notes", value)

    try:
        machine.edit_on_both_sides((family("父母同住"), "二胎"), bank_first=True)
        machine.sync_until_quiet()  # 父母同住 against 二胎, from "": the user decides
        machine.edit_on_the_desk(family("二胎"))
        machine.sync_until_quiet()
        dnd = Edit("customer", CUSTOMER, "soft_profile.do_not_disturb", True)
        machine.edit_in_the_back_office(dnd)  # so the bank reports the profile as changed
        machine.sync_until_quiet()
        machine.edit_on_the_desk(family(""))
        machine.sync_until_quiet()

        assert machine.bank.records[("customer", CUSTOMER)].data[SOFT]["family_notes"] == ""
        assert machine._visible("customer", CUSTOMER)[SOFT]["family_notes"] == ""
    finally:
        machine.teardown()


def test_an_edit_over_a_waiting_value_after_the_users_later_one_reached_the_bank() -> None:
    """Found by the machine (soak seed 82355115943305619243141119731467059386, twice): the
    user's lead waited in the inbox against the bank's lost; the user set won on the desk and
    the bank took it, yet the desk showed lead again (the op kept for the inbox). The user's
    next edit took the start of the undecided edits (contacted) for its base, so when the bank
    wrote contacted again after it, the merge took that for unchanged and wrote the edit over
    it. The later edit ended that chain: the desk shows won, and the next edit bases on it."""
    machine = SyncMachine()

    def stage(value: str) -> Edit:
        return Edit("opportunity", "o-1", "stage", value)

    try:
        machine.edit_on_both_sides((stage("lead"), "lost"), bank_first=False)
        machine.sync_until_quiet()  # lead against lost: the user decides
        machine.edit_on_both_sides((stage("won"), "won"), bank_first=True)
        machine.sync_until_quiet()
        assert machine._visible("opportunity", "o-1")["stage"] == "won"
        machine.edit_on_both_sides((stage("lost"), "contacted"), bank_first=False)
        machine.sync_until_quiet()

        assert machine.bank.violations == []
        assert machine.bank.records[("opportunity", "o-1")].data["stage"] == "contacted"
        assert [(c.mine, c.theirs) for c in machine._open_conflicts()] == [
            ("lead", "lost"),
            ("lost", "contacted"),
        ]
    finally:
        machine.teardown()


def test_a_decision_for_the_value_the_bank_already_has_then_changed_by_the_bank() -> None:
    """The user's needs_confirmed waited in the inbox against the bank's lost; the user set it
    again on the desk and the bank took it; the user then chose needs_confirmed in the inbox
    too, and the back office moved the stage to won before the next sync. The bank's won stands,
    and the decision waits against it in the inbox: to the desk, a bank change made after the
    decision looks the same as one made before it, unpulled (the next test), and that one must
    not stand over the user's decision unseen. (Once, nothing was sent for a decision the desk's
    copy of the bank already had, and the model waited for a write that never came.)"""
    machine = SyncMachine()

    def stage(value: str) -> Edit:
        return Edit("opportunity", "o-1", "stage", value)

    try:
        machine.edit_on_both_sides((stage("needs_confirmed"), "lost"), bank_first=True)
        machine.sync_once()  # needs_confirmed against lost: the user decides
        machine.edit_on_the_desk(stage("needs_confirmed"))
        machine.sync_once()
        assert [c.mine for c in machine._open_conflicts()] == ["needs_confirmed"]
        values = EDITABLE_VALUES[("opportunity", "stage")]
        machine.decide_a_conflict(0, Choice.VALUE, values.index("needs_confirmed"))
        machine.edit_in_the_back_office(stage("won"))
        machine.sync_until_quiet()

        assert machine.bank.records[("opportunity", "o-1")].data["stage"] == "won"
        assert machine._visible("opportunity", "o-1")["stage"] == "needs_confirmed"
        assert [(c.mine, c.theirs) for c in machine._open_conflicts()] == [
            ("needs_confirmed", "won")
        ]
    finally:
        machine.teardown()


def test_a_decision_for_the_value_the_desk_thinks_the_bank_has_meets_a_change_unpulled() -> None:
    """Found by the machine (soak seed 82355115943305619243141119731467059386): a value of the
    user's waited in the inbox; the user set the field on the desk and the bank took it; the back
    office then changed it, and before a pull the user chose, in the inbox, the value the desk's
    copy of the bank still had. Nothing was sent, so the bank's newer value, which the user never
    saw, stood over the decision without a word. Sent, the bank reports its change, and the
    user decides between the two."""
    machine = SyncMachine()

    def stage(value: str) -> Edit:
        return Edit("opportunity", "o-1", "stage", value)

    try:
        machine.edit_on_both_sides((stage("lost"), "recommended"), bank_first=False)
        machine.sync_until_quiet()  # lost against recommended: the user decides
        machine.edit_on_the_desk(stage("won"))
        machine.sync_until_quiet()  # the bank takes won; lost still waits in the inbox
        machine.edit_in_the_back_office(stage("lead"))  # not pulled yet
        values = EDITABLE_VALUES[("opportunity", "stage")]
        machine.decide_a_conflict(0, Choice.VALUE, values.index("won"))
        machine.sync_until_quiet()

        assert machine.bank.records[("opportunity", "o-1")].data["stage"] == "lead"
        assert machine._visible("opportunity", "o-1")["stage"] == "won"
        assert [(c.mine, c.theirs) for c in machine._open_conflicts()] == [("won", "lead")]
    finally:
        machine.teardown()


def test_a_decision_in_the_inbox_starts_the_users_edits_again_from_the_banks_value() -> None:
    """Found by the machine (soak seed 233413225179285596416247126729650594010), a fault of the
    model: the user's lost waited in the inbox against the bank's recommended; the user chose
    won there, looking at recommended, and before a sync set the stage to lead on the desk (one
    queued op, based on recommended: the decision goes out as a new update from the server
    copy). The back office meanwhile moved the stage to lead and back to recommended, so the bank
    holds the value the user's edits started from, and lead is sent (API.md §3: changed only by
    the user). The model kept the start of the edits decided in the inbox (contacted) as the
    start of the new ones, and called lead over recommended an overwrite nobody chose."""
    machine = SyncMachine()

    def stage(value: str) -> Edit:
        return Edit("opportunity", "o-1", "stage", value)

    try:
        machine.edit_on_both_sides((stage("lost"), "recommended"), bank_first=False)
        machine.sync_until_quiet()  # lost against recommended: the user decides
        values = EDITABLE_VALUES[("opportunity", "stage")]
        machine.decide_a_conflict(0, Choice.VALUE, values.index("won"))
        machine.edit_on_both_sides((stage("won"), "lead"), bank_first=False)
        machine.edit_on_both_sides((stage("lead"), "recommended"), bank_first=False)
        machine.sync_until_quiet()

        assert machine.bank.violations == []
        assert machine.bank.records[("opportunity", "o-1")].data["stage"] == "lead"
        assert machine._visible("opportunity", "o-1")["stage"] == "lead"
        assert machine._open_conflicts() == []
    finally:
        machine.teardown()


def test_keeping_mine_in_the_inbox_does_not_overwrite_a_bank_change_the_inbox_never_showed() -> (
    None
):
    """The user's lost waited in the inbox against the bank's recommended; the back office then
    set won, and a pull brought it, hidden on screen under the user's lost. The user kept lost
    in the inbox, which still showed recommended. The decision went out from the server copy (won,
    at its rev), so the bank did not report the stage and lost went over won unseen. Sent
    against what the inbox showed, the bank reports won, and the user decides again."""
    machine = SyncMachine()

    def stage(value: str) -> Edit:
        return Edit("opportunity", "o-1", "stage", value)

    try:
        machine.edit_on_both_sides((stage("lost"), "recommended"), bank_first=False)
        machine.sync_until_quiet()  # lost against recommended: the user decides
        machine.edit_in_the_back_office(stage("won"))
        machine.sync_once()  # the pull brings won; the screen still shows lost
        assert machine._visible("opportunity", "o-1")["stage"] == "lost"
        machine.decide_a_conflict(0, Choice.MINE, 0)
        machine.sync_until_quiet()

        assert machine.bank.records[("opportunity", "o-1")].data["stage"] == "won"
        assert machine._visible("opportunity", "o-1")["stage"] == "lost"
        assert [(c.mine, c.theirs) for c in machine._open_conflicts()] == [("lost", "won")]
    finally:
        machine.teardown()
