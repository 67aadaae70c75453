"""Seeded schedules of edits and sync rounds through a faulty network, against the real server.

Each schedule (one seed) signs in as one of the bank's RMs through the module's
:class:`~tests.faults.proxy.FaultProxy`, which breaks requests on the seed's schedule (dropped
requests, answers lost after the server applied them, delays, resets, truncated bodies, 5xx, 429).
It starts from an empty encrypted cache (one seed in :data:`COLD_EVERY`: the whole first sync goes
through the faults) or from a copy of the RM's cache synced once per module (it catches up through
the faults), then interleaves a few edits (two of the basic kinds, rotating with the seed, and up
to two more: visits, visit notes, task statuses, opportunity stages, soft-profile remarks, manual
tags added and removed), some saved while a round runs, with sync rounds that may fail (retried
as the sync thread retries them, :class:`~tests.faults.workload.SyncDriver`) and back-office
edits of other fields. It ends with rounds through a clean network until nothing is left to send,
and checks :mod:`tests.faults.invariants`: every op applied exactly once, nothing lost or stuck,
the cache equal to the server.

200 schedules run in ``make test``, 2,000 with ``RM_DESK_SOAK=1`` (``make soak``);
``RM_DESK_FAULT_SCHEDULES=<n>`` runs the first *n*. A failing schedule prints how to replay it
(``RM_DESK_FAULT_SEED=<seed>``) and what happened: the faults met, the edits and the ops.
Schedules share the module's server: each signs in as RM ``seed % 15`` and puts back what it
changed, so a schedule run alone meets the same data.
"""

from __future__ import annotations

import random
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import select

from rm_desk.domain.enums import OpKind, OpState, TaskPriority
from rm_desk.local_store import Store, schema
from rm_desk.local_store.outbox import load_record
from rm_desk.sync.client import ApiClient
from rm_desk.sync.events import OpStateChanged, Progress, SyncEvent
from tests.e2e.conftest import PASSWORD, Bank
from tests.faults.conftest import BANK_NOW, RMS, SEED_VARIABLE, FaultBank, chosen_seeds
from tests.faults.invariants import (
    OpLedger,
    cache_differences,
    check_ops,
    join,
    leftovers,
    records_with_a_base,
    unsent,
)
from tests.faults.proxy import Fault, seeded_schedule
from tests.faults.workload import (
    BASIC_KINDS,
    Book,
    Edit,
    Expectations,
    Kind,
    SyncDriver,
    Workload,
)

SEEDS = chosen_seeds(default=200, soak=2000)
COLD_EVERY = 8  # one schedule in eight starts from an empty cache
INITIAL_SYNC_ACTIONS = 60
QUIET_ROUNDS = 6
THIS_FILE = "tests/faults/test_sync_under_faults.py"


class SwitchableSchedule(Iterator[Fault]):
    """The seed's faults until :attr:`clean` is set, then ``PASS`` for every request."""

    def __init__(self, faults: Iterator[Fault]) -> None:
        self.faults = faults
        self.clean = False

    def __next__(self) -> Fault:
        return Fault.PASS if self.clean else next(self.faults)


@dataclass(frozen=True)
class Step:
    action: str  # edit, sync, back_office, clock
    kind: Kind | None = None
    attempts: int = 0
    during_round: bool = False  # an edit saved while the next round runs (the GUI thread's)


@dataclass(frozen=True)
class Plan:
    """Everything a seed decides before the schedule starts."""

    user: str
    cold: bool  # the first sync fills an empty cache; else it catches up a synced one
    fault_rate: float
    page_limit: int
    batch_size: int
    steps: tuple[Step, ...]

    @classmethod
    def of(cls, seed: int) -> Plan:
        rng = random.Random(f"plan:{seed}")
        # Two of the five basic kinds, rotating, so every five seeds make each of them twice.
        basic = [BASIC_KINDS[(seed + n) % len(BASIC_KINDS)] for n in range(2)]
        kinds: list[Kind | None] = [*basic, *[None] * rng.randint(0, 2)]
        rng.shuffle(kinds)
        steps: list[Step] = []
        for kind in kinds:
            during = rng.random() < 0.2
            steps.append(Step("edit", kind, during_round=during))
            if during or rng.random() < 0.3:
                steps.append(Step("sync", attempts=rng.randint(1, 2)))
            if rng.random() < 0.25:
                steps.append(Step("back_office"))
            if rng.random() < 0.06:
                steps.append(Step("clock"))  # the access token expires: a refresh, through faults
        return cls(
            user=RMS[seed % len(RMS)],
            cold=seed % COLD_EVERY == 0,
            fault_rate=rng.choice([0.15, 0.3, 0.5]),
            page_limit=rng.choice([500, 2000, 5000]),
            batch_size=rng.choice([1, 3, 200]),
            steps=tuple(steps),
        )


@dataclass
class BackOffice:
    """Edits the bank makes behind the user's back: never a merge field the user edits."""

    bank: Bank
    label: str
    expectations: Expectations
    originals: dict[tuple[str, str], dict[str, Any]]
    done: list[str] = field(default_factory=list)

    def current(self, entity: str, record_id: str) -> dict[str, Any]:
        record = self.bank.edit(entity, record_id)["record"]
        assert isinstance(record, dict)
        self.originals.setdefault((entity, record_id), dict(record))
        return record

    def edit(self, rng: random.Random, book: Book, others: list[str]) -> None:
        choices = []
        if book.tasks:
            choices.append(self._task_priority)
        if book.opportunities:
            choices.append(self._expected_close)
        if book.customers:
            choices.extend([self._review_date, self._interests])
        if others:
            choices.append(self._other_customer)
        rng.choice(choices)(rng, book, others)

    def _change(self, entity: str, record_id: str, expect: dict[str, Any], **fields: Any) -> None:
        self.bank.edit(entity, record_id, **fields)
        self.expectations.add(entity, record_id, expect)
        self.done.append(f"{entity} {record_id} {sorted(expect)}")

    def _task_priority(self, rng: random.Random, book: Book, _others: list[str]) -> None:
        task_id = rng.choice(book.tasks)
        now = self.current("task", task_id)["priority"]
        priority = rng.choice([p.value for p in TaskPriority if p.value != now])
        self._change("task", task_id, {"priority": priority}, priority=priority)

    def _expected_close(self, rng: random.Random, book: Book, _others: list[str]) -> None:
        opportunity_id = rng.choice(book.opportunities)
        self.current("opportunity", opportunity_id)
        day = f"2027-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        self._change("opportunity", opportunity_id, {"expected_close": day}, expected_close=day)

    def _review_date(self, rng: random.Random, book: Book, _others: list[str]) -> None:
        self._review(rng, rng.choice(book.customers))

    def _other_customer(self, rng: random.Random, _book: Book, others: list[str]) -> None:
        self._review(rng, rng.choice(others))

    def _review(self, rng: random.Random, customer_id: str) -> None:
        self.current("customer", customer_id)
        when = f"2027-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T02:00:00Z"
        self._change("customer", customer_id, {"next_review_at": when}, next_review_at=when)

    def _interests(self, rng: random.Random, book: Book, _others: list[str]) -> None:
        """Another key of the soft profile the user writes: the same wire field, another merge
        field (API.md: merged key by key)."""
        customer_id = rng.choice(book.customers)
        profile = dict(self.current("customer", customer_id).get("soft_profile") or {})
        interests = f"{self.label} 兴趣{rng.randint(1, 999)}"
        profile["interests"] = interests
        self._change(
            "customer", customer_id, {"soft_profile.interests": interests}, soft_profile=profile
        )


class FaultSchedule:
    """One seed's schedule (see the module docstring)."""

    def __init__(self, seed: int, fault_bank: FaultBank) -> None:
        self.seed = seed
        self.folder = fault_bank.scratch / f"seed-{seed}"
        self.folder.mkdir()
        self.bank = fault_bank.bank
        self.clock = fault_bank.clock
        self.plan = Plan.of(seed)
        self.label = f"s{seed}"
        self.clock.now = BANK_NOW
        cache = self.folder / "cache.db"
        self.store: Store = (
            fault_bank.fresh_cache(cache)
            if self.plan.cold
            else fault_bank.synced_cache(self.plan.user, cache)
        )
        self.ledger = OpLedger()
        self.edits: list[Edit] = []
        self.expectations = Expectations()
        self.originals: dict[tuple[str, str], dict[str, Any]] = {}
        self.created: list[tuple[str, str]] = []
        self.back_office = BackOffice(self.bank, self.label, self.expectations, self.originals)
        self.fault_bank = fault_bank
        self.applied_before = fault_bank.applied_so_far()
        fault_bank.ops_applied = None  # until this schedule's check counts them again
        self.faults = SwitchableSchedule(seeded_schedule(seed, fault_rate=self.plan.fault_rate))
        self.proxy = fault_bank.proxy(self.faults)
        self.driver = SyncDriver(
            self.store,
            self._connect,
            self._on_event,
            seed=seed,
            page_limit=self.plan.page_limit,
            batch_size=self.plan.batch_size,
        )
        self.book: Book | None = None
        self.workload: Workload | None = None
        self.waiting: list[tuple[int, Kind | None]] = []
        self.scope: dict[str, dict[str, dict[str, Any]]] | None = None

    def _connect(self) -> ApiClient:
        client = ApiClient(
            self.proxy.url,
            device_id=f"faults-{self.seed}",
            device_name="fault test laptop",
            clock=self.clock,
        )
        try:
            client.login(self.plan.user, PASSWORD)
        except BaseException:
            client.close()
            raise
        return client

    def _on_event(self, event: SyncEvent) -> None:
        self.ledger.on_event(self.store, event)
        sending = isinstance(event, OpStateChanged) and event.state is OpState.SENDING
        if self.waiting and (sending or isinstance(event, Progress)):
            # The user saves an edit while the round is under way: just after a batch was marked
            # as sending (its request about to leave), or after a feed page was stored.
            self._edit_now()

    def _edit_now(self) -> None:
        assert self.workload is not None
        waiting, self.waiting = self.waiting, []
        for number, kind in waiting:
            self._save(self.workload.edit(number, kind))

    def _save(self, edit: Edit) -> None:
        self.edits.append(edit)
        if edit.op_id is None:
            self.ledger.cancel(edit.entity, edit.record_id)
        self.ledger.note_op_id(self.store, edit.op_id)
        if edit.op is OpKind.CREATE:
            self.created.append((edit.entity, edit.record_id))

    # --- the schedule --------------------------------------------------------------------------

    def play(self) -> None:
        first = self.driver.sync(INITIAL_SYNC_ACTIONS)
        assert first.completed, f"no sync round completed in {INITIAL_SYNC_ACTIONS} attempts"
        self.book = book = Book.pick(self.store, self.plan.user, random.Random(f"book:{self.seed}"))
        with self.store.read() as conn:
            for entity, record_id in book.records():
                record = load_record(conn, entity, record_id)
                assert record is not None
                self.originals[(entity, record_id)] = dict(record.visible)
        others = self._other_customers(book)
        self.workload = Workload(self.store, self.plan.user, self.label, book, self.clock)
        rng = random.Random(f"steps:{self.seed}")
        for number, step in enumerate(self.plan.steps):
            if step.action == "edit" and step.during_round:
                self.waiting.append((number, step.kind))
            elif step.action == "edit":
                self._save(self.workload.edit(number, step.kind))
            elif step.action == "sync":
                self.driver.sync(step.attempts)
                self._edit_now()  # a round that failed before it sent or received anything
                self.ledger.scan(self.store)
            elif step.action == "back_office":
                self.back_office.edit(rng, book, others)
            else:
                self.clock.advance(minutes=16)
        self.faults.clean = True
        for _ in range(QUIET_ROUNDS):
            outcome = self.driver.sync(1)
            assert outcome.completed, "a round through the clean network failed"
            # Nothing left to send after a whole round (it pulls, then pushes what the pull
            # rebased) is as quiet as it gets: the checks compare the rest with the server.
            if _quiet(outcome.events) or not unsent(self.store):
                return
        raise AssertionError(f"sync did not go quiet in {QUIET_ROUNDS} clean rounds")

    def _other_customers(self, book: Book) -> list[str]:
        c = schema.customer
        with self.store.read() as conn:
            ids = conn.execute(
                select(c.c.id).where(c.c.primary_rm_id == self.plan.user).order_by(c.c.id)
            ).scalars()
            return [i for i in ids if i not in book.customers][:5]

    # --- the checks ----------------------------------------------------------------------------

    def check(self) -> None:
        self.ledger.scan(self.store)
        self.scope = scope = self.fault_bank.scope(self.plan.user)
        problems: list[str] = []
        left = leftovers(self.store)
        if left:
            # The back office never writes a merge field the user writes, so no decision can be
            # left to the user and nothing can be refused: an op left over is a bug.
            problems.append("ops left in the outbox:" + join(left))
        problems += cache_differences(self.store, scope)
        wanted = Expectations()
        for edit in self.edits:
            wanted.add(edit.entity, edit.record_id, edit.expect)
        for key, values in self.expectations.values.items():
            wanted.add(*key, values)
        problems += wanted.problems(scope)
        verdict = check_ops(self.bank, self.store, self.ledger, applied_before=self.applied_before)
        self.fault_bank.ops_applied = verdict.server_applied
        problems += verdict.problems
        problems += [f"{r} keeps a merge base" for r in records_with_a_base(self.store)]
        assert not problems, join(problems)

    # --- after the schedule --------------------------------------------------------------------

    def close(self) -> None:
        try:
            self.driver.stop()
        finally:
            self.store.close()
            shutil.rmtree(self.folder, ignore_errors=True)
        self._put_back()

    def _put_back(self) -> None:
        """Restore what the schedule changed on the server, so the next one of this RM (or this
        one run again on its own) starts from the same data."""
        for (entity, record_id), original in self.originals.items():
            if self.scope is not None and record_id in self.scope.get(entity, {}):
                now = self.scope[entity][record_id]
            else:
                now = self.bank.edit(entity, record_id)["record"]
            fields = {
                name: value
                for name, value in original.items()
                if name not in ("id", "rev") and name in now and now[name] != value
            }
            if fields:
                self.bank.edit(entity, record_id, **fields)
        for entity, record_id in self.created:
            if self.scope is not None and record_id not in self.scope.get(entity, {}):
                continue  # never reached the server, or removed again
            # Created records go; their tombstones stay (the feed only grows).
            self.bank.http.post(
                "/dev/edit", json={"entity": entity, "id": record_id, "fields": {}, "deleted": True}
            )

    def report(self) -> str:
        lines = [
            f"replay: {SEED_VARIABLE}={self.seed} .venv/bin/python -m pytest {THIS_FILE} -q",
            f"    or: .venv/bin/python -m pytest '{THIS_FILE}::{_TEST_NAME}[seed_{self.seed}]'"
            + ("  (RM_DESK_SOAK=1 for seeds over 199)" if self.seed >= 200 else ""),
            f"plan: user={self.plan.user} cold={self.plan.cold} fault_rate={self.plan.fault_rate} "
            f"page_limit={self.plan.page_limit} batch_size={self.plan.batch_size}",
            "steps: " + " ".join(_step_text(s) for s in self.plan.steps),
            "faults met: "
            + " ".join(
                f"{method} {path.rsplit('/', 1)[-1]}:{fault.value}"
                for method, path, fault in self.proxy.applied
                if fault is not Fault.PASS
            ),
            f"requests: {len(self.proxy.applied)}; rounds: {self.driver.rounds} "
            f"({self.driver.failures} failed)",
            "edits:",
            *(
                f"  {e.step:>2} {e.kind.value:<12} {e.entity} {e.record_id} op={e.op_id}"
                for e in self.edits
            ),
            "back office: " + "; ".join(self.back_office.done),
            "ops (outbox row: op ids, client-seen outcome):",
            *(
                f"  {chain.seq} {chain.entity} {chain.record_id}: "
                + ", ".join(f"{i}={self.ledger.outcomes.get(i, '?')}" for i in chain.op_ids)
                for chain in self.ledger.chains
            ),
        ]
        return "\n".join(lines)


_TEST_NAME = "test_seeded_edits_reach_the_bank_exactly_once_through_a_faulty_network"


def _step_text(step: Step) -> str:
    if step.action == "edit":
        during = "(during the round)" if step.during_round else ""
        return f"edit:{step.kind.value if step.kind else 'any'}{during}"
    if step.action == "sync":
        return f"sync:{step.attempts}"
    return step.action


def _quiet(events: list[SyncEvent]) -> bool:
    """A round that sent nothing and received nothing."""
    return not any(
        isinstance(e, OpStateChanged) or (isinstance(e, Progress) and e.done) for e in events
    )


@pytest.mark.parametrize("seed", SEEDS, ids=[f"seed_{s}" for s in SEEDS])
def test_seeded_edits_reach_the_bank_exactly_once_through_a_faulty_network(
    seed: int, fault_bank: FaultBank
) -> None:
    schedule = FaultSchedule(seed, fault_bank)
    try:
        schedule.play()
        schedule.check()
    except BaseException as failure:
        failure.add_note(schedule.report())
        raise
    finally:
        schedule.close()
