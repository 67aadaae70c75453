"""The server against its own OpenAPI document: Schemathesis over every operation, then
hand-written stateful sequences.

**Stateless.** Schemathesis generates requests for every operation of the document a server
started with ``--dev`` serves (the bank-facing calls and the ``/dev`` ones): its examples,
coverage and fuzzing phases, at most :data:`MAX_EXAMPLES` fuzzed cases per operation, from a fixed
seed so that CI sees the same cases every run. Requests carry the bearer token of ``lead01``
(a team lead with every permission), so protected operations are exercised past ``401``;
Schemathesis leaves the token out where it tests a missing one. Every answer is checked: no
``5xx``; status, ``Content-Type``, headers and body as documented; schema-violating requests
refused; and every error a problem document (``application/problem+json`` with a ``code``).
Schemathesis's ``positive_data_acceptance`` is off: a schema-valid request may still be refused
for what no schema can say (a wrong password, a foreign cursor, a customer of another book).

**Stateful.** Schemathesis builds state machines from OpenAPI links, and this contract's state
does not travel in links: a bearer token in a header, a cursor threaded through a query, record
ids and revs inside the free-form ``data`` of feed changes, an ``op_id`` sent twice on purpose.
The links it infers by itself here are noise (``GET /me`` → ``POST /audit``). So a Hypothesis
rule-based state machine does it by hand: two devices of ``rm001`` and the bank's back office
pull, create, edit the same task field, replay ops, reuse op ids with another body and move a
customer between books; each answer is validated against the same OpenAPI document, and the
server is checked against a model: predicted conflicts, replays answered from the stored result,
nothing applied twice, and each device's cache equal to a fresh full pull.
"""

from __future__ import annotations

import shutil
import tempfile
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    initialize,
    precondition,
    rule,
    run_state_machine_as_test,
)
from schemathesis import AuthContext, Case, CheckContext, Response

from crm_server.openapi import build_document
from crm_server.problems import PROBLEM_MEDIA_TYPE, Code
from crm_server.runner import RunningServer, start_server
from tests.conftest import FakeClock
from tests.server import bank
from tests.server.conftest import server_settings

MAX_EXAMPLES = 50  # fuzzed cases per operation; about 30 s for the whole stateless run
FUZZ_USER = "lead01"
STATEFUL_RUNS = 20
STATEFUL_STEPS = 15

CONFIG = schemathesis.Config.from_dict(
    {
        "seed": 20261120,
        "generation": {"max-examples": MAX_EXAMPLES},
        "checks": {"positive_data_acceptance": {"enabled": False}},
    }
)
schema = schemathesis.openapi.from_dict(build_document(dev=True), config=CONFIG)


def start(folder: Path) -> RunningServer:
    settings = server_settings(folder, FakeClock(bank.NOW), rate_limit_per_minute=None)
    return start_server(settings, bank.seed_data())


def sign_in(http: httpx.Client, user_id: str, device_id: str) -> str:
    response = http.post(
        "/auth/token",
        json={
            "username": user_id,
            "password": bank.PASSWORD,
            "device_id": device_id,
            "device_name": "schemathesis",
        },
    )
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


# ---- stateless ----------------------------------------------------------------------------------


SIGNED_IN = "Bearer <token of the fuzz user>"
"""What the auth provider puts on cases (they are made before any server runs, some while the
tests are collected); the test swaps in the real token."""


@schema.auth(refresh_interval=None, retry_on=[])
class FuzzUserToken:
    """Marks every case that does not test a missing token as signed in."""

    def get(self, case: Case, ctx: AuthContext) -> str:
        return SIGNED_IN

    def set(self, case: Case, data: str, ctx: AuthContext) -> None:
        case.headers = case.headers or {}
        case.headers["Authorization"] = data


@pytest.fixture(scope="module")
def fuzz_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    server = start(tmp_path_factory.mktemp("fuzz"))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def fuzz_token(fuzz_server: RunningServer) -> str:
    with httpx.Client(base_url=fuzz_server.api_url, timeout=30) as http:
        return sign_in(http, FUZZ_USER, "dev-fuzz")


def problem_documents(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    """Every 4xx and 5xx answer is an RFC 9457 problem document carrying one of the codes."""
    if response.status_code < 400:
        return None
    media_type = response.headers.get("content-type", [""])[0].split(";")[0].strip()
    assert media_type == PROBLEM_MEDIA_TYPE, f"error answered as {media_type!r}"
    body = response.json()
    assert isinstance(body, dict), "a problem document is a JSON object"
    assert body.get("code") in {code.value for code in Code}, f"unknown code {body.get('code')!r}"
    assert body.get("status") == response.status_code, "status member differs from the status"
    return None


@schema.parametrize()
@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_operation_answers_every_generated_request_as_documented(
    case: Case, fuzz_server: RunningServer, fuzz_token: str
) -> None:
    if case.headers and case.headers.get("Authorization") == SIGNED_IN:
        case.headers["Authorization"] = f"Bearer {fuzz_token}"
    case.call_and_validate(
        base_url=fuzz_server.url, additional_checks=[problem_documents], timeout=30
    )


def test_problem_check_refuses_errors_that_are_not_problem_documents() -> None:
    operation = schema["/api/v1/health"]["GET"]
    case = operation.Case()
    request = httpx.Request("GET", "http://127.0.0.1/api/v1/health")

    def answer(status: int, content_type: str, body: bytes) -> Response:
        answered = httpx.Response(
            status, headers={"content-type": content_type}, content=body, request=request
        )
        answered.elapsed = timedelta(0)
        return Response.from_any(answered)

    problem = b'{"type":"t","title":"t","status":503,"detail":"d","code":"service_unavailable"}'
    assert problem_documents(None, answer(503, PROBLEM_MEDIA_TYPE, problem), case) is None
    with pytest.raises(AssertionError, match="error answered as 'text/plain'"):
        problem_documents(None, answer(500, "text/plain", b"Internal Server Error"), case)
    with pytest.raises(AssertionError, match="unknown code"):
        problem_documents(None, answer(404, PROBLEM_MEDIA_TYPE, b'{"status":404}'), case)


# ---- stateful -----------------------------------------------------------------------------------

TASK_ID = "k-0001"  # c-0001's task: assigned to rm001 by lead01; c-0001 never changes books
NOTES = ("已电话联系客户", "客户已续作", "下周回访", "客户暂无意向")
STATUSES = ("not_started", "in_progress", "completed")
MOVED_CUSTOMER = "c-0002"  # moves between rm001 and rm002 (team t-01)


def validated(response: httpx.Response, path: str) -> httpx.Response:
    """The response, after checking it against the OpenAPI document (status, type, body)."""
    schema[path][response.request.method].validate_response(response)
    assert response.status_code < 500, response.text
    return response


@dataclass
class Device:
    """One signed-in device of ``rm001`` and the cache it builds from its feed."""

    name: str
    http: httpx.Client
    token: str
    cursor: str | None = None
    cache: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    revs: dict[tuple[str, str], int] = field(default_factory=dict)

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.http.get(path, headers={"Authorization": f"Bearer {self.token}"}, **kwargs)

    def post(self, path: str, body: dict[str, Any]) -> httpx.Response:
        return self.http.post(path, json=body, headers={"Authorization": f"Bearer {self.token}"})

    def pull(self) -> None:
        """Pull to the end of the feed from the stored cursor, applying pages as sync does."""
        while True:
            params = {"limit": 7} if self.cursor is None else {"cursor": self.cursor, "limit": 7}
            page = validated(self.get("/changes", params=params), "/api/v1/changes").json()
            apply_changes(self.cache, self.revs, page["changes"])
            self.cursor = page["cursor"]
            if not page["has_more"]:
                return


def apply_changes(
    cache: dict[tuple[str, str], dict[str, Any]],
    revs: dict[tuple[str, str], int],
    changes: list[dict[str, Any]],
) -> None:
    """Apply feed changes to a cache as the client does; a customer that left the book takes
    its children with it (API.md §2)."""
    for change in changes:
        key = (change["entity"], change["id"])
        if change["op"] == "upsert":
            cache[key] = change["data"]
            revs[key] = change["rev"]
            continue
        gone = [key]
        if change["entity"] == "customer" and change["reason"] == "out_of_scope":
            gone += [held for held, data in cache.items() if customer_of(data) == change["id"]]
        for held in gone:
            cache.pop(held, None)
            revs.pop(held, None)


def customer_of(data: dict[str, Any]) -> str | None:
    """The customer a record belongs to (a visit's first customer, a relationship's source)."""
    visit_customers = data.get("customer_ids") or [None]
    return data.get("customer_id") or data.get("from_customer_id") or visit_customers[0]


@dataclass(frozen=True)
class SentOp:
    """A mutation pushed once, and the result the server gave it."""

    body: dict[str, Any]
    result: dict[str, Any]


class TwoDevicesAndTheBackOffice(RuleBasedStateMachine):
    """``rm001`` on two devices, and the bank editing and moving records underneath them.

    The model keeps, for the task both devices edit, each field's value and the rev at which it
    last changed, so it can tell which updates must conflict (API.md §3: a sent field changed on
    the server after ``base_rev`` to another value).
    """

    template: Path  # the seeded test bank; each run gets a server over a copy of its own
    folder: Path
    seen: Counter[str]  # what the runs did, over all of them, so the test knows each path ran

    sent = Bundle("sent")

    def __init__(self) -> None:
        super().__init__()
        folder = Path(tempfile.mkdtemp(dir=self.folder))
        shutil.copyfile(self.template, folder / "crm.db")
        self.server = start(folder)
        self.http = httpx.Client(base_url=self.server.api_url, timeout=30)
        self.devices: list[Device] = []
        self.task: dict[str, Any] = {}
        self.field_revs: dict[str, int] = {}  # fields changed during this run, and when
        self.applied_op_ids: list[str] = []
        self.owner = bank.CUSTOMERS[MOVED_CUSTOMER]

    @initialize()
    def sign_in_two_devices(self) -> None:
        for name in ("a", "b"):
            device_id = f"dev-{name}-{uuid.uuid4().hex[:8]}"
            self.devices.append(Device(name, self.http, sign_in(self.http, "rm001", device_id)))
        for device in self.devices:
            device.pull()
        self.task = dict(self.devices[0].cache[("task", TASK_ID)])

    # --- what the devices do -----------------------------------------------------------------

    @rule(device=st.integers(0, 1))
    def pull(self, device: int) -> None:
        self.devices[device].pull()

    @rule(target=sent, device=st.integers(0, 1))
    def create_visit(self, device: int) -> SentOp:
        body = {
            "op_id": str(uuid.uuid4()),
            "entity": "visit",
            "id": str(uuid.uuid4()),
            "op": "create",
            "fields": {
                "customer_ids": ["c-0001"],
                "channel": "phone",
                "purpose": "care",
                "start_at": bank.iso(bank.NOW),
            },
        }
        [result] = self.push(device, body)
        assert result["status"] == "applied", result
        self.applied_op_ids.append(body["op_id"])
        return SentOp(body, result)

    @rule(
        target=sent,
        device=st.integers(0, 1),
        name=st.sampled_from(("completion_note", "status")),
        choice=st.integers(0, 3),
    )
    def edit_task(self, device: int, name: str, choice: int) -> SentOp:
        value = NOTES[choice] if name == "completion_note" else STATUSES[choice % 3]
        base_rev = self.devices[device].revs[("task", TASK_ID)]
        body = {
            "op_id": str(uuid.uuid4()),
            "entity": "task",
            "id": TASK_ID,
            "op": "update",
            "base_rev": base_rev,
            "fields": {name: value},
        }
        must_conflict = self.field_revs.get(name, 0) > base_rev and self.task[name] != value
        [result] = self.push(device, body)
        self.seen[result["status"]] += 1
        if must_conflict:
            assert result["status"] == "conflict", result
            assert (result["kind"], result["conflicting_fields"]) == ("fields", [name])
            assert result["record"][name] == self.task[name]
        else:
            assert result["status"] == "applied", result
            assert result["record"][name] == value
            self.server_changed_task({name: value}, result["rev"], result["record"])
            self.applied_op_ids.append(body["op_id"])
        return SentOp(body, result)

    @rule(device=st.integers(0, 1), op=sent)
    def replay(self, device: int, op: SentOp) -> None:
        """A push whose answer was lost is sent again: the stored answer, marked replayed."""
        [result] = self.push(device, op.body)
        assert result == {**op.result, "replayed": True}
        self.seen["replayed"] += 1

    @rule(device=st.integers(0, 1), op=consumes(sent))
    def reuse_op_id_with_another_body(self, device: int, op: SentOp) -> None:
        before = self.dev_get(f"ops/{op.body['op_id']}", "ops/{op_id}")
        other = {**op.body, "id": str(uuid.uuid4())}
        response = self.devices[device].post("/mutations", {"mutations": [other]})
        validated(response, "/api/v1/mutations")
        assert response.status_code == 422
        assert response.json()["code"] == "idempotency_mismatch"
        assert self.dev_get(f"ops/{op.body['op_id']}", "ops/{op_id}") == before
        self.seen["idempotency_mismatch"] += 1

    # --- what the bank does ------------------------------------------------------------------

    @rule(choice=st.integers(0, 3))
    def back_office_edits_the_task_note(self, choice: int) -> None:
        note = NOTES[choice]
        answer = self.dev_post(
            "edit", {"entity": "task", "id": TASK_ID, "fields": {"completion_note": note}}
        )
        if answer["record"]["completion_note"] != self.task["completion_note"]:
            self.server_changed_task({"completion_note": note}, answer["rev"], answer["record"])

    @rule(to_rm=st.sampled_from(("rm001", "rm002")))
    def back_office_moves_a_customer(self, to_rm: str) -> None:
        self.dev_post("reassign", {"customer_id": MOVED_CUSTOMER, "to_rm": to_rm})
        self.owner = to_rm

    # --- checks ------------------------------------------------------------------------------

    @precondition(lambda self: bool(self.devices))
    @rule(device=st.integers(0, 1))
    def cache_equals_a_fresh_full_pull(self, device: int) -> None:
        self.devices[device].pull()
        fresh = Device("fresh", self.http, self.devices[device].token)
        fresh.pull()
        assert self.devices[device].cache == fresh.cache
        assert self.devices[device].revs == fresh.revs
        assert (("customer", MOVED_CUSTOMER) in fresh.cache) == (self.owner == "rm001")
        self.seen["compared"] += 1

    def teardown(self) -> None:
        try:
            assert self.dev_get("stats")["ops_applied_twice"] == 0
            for op_id in self.applied_op_ids:
                assert self.dev_get(f"ops/{op_id}", "ops/{op_id}") == {"applied_count": 1}
        finally:
            self.http.close()
            self.server.stop()

    # --- helpers -----------------------------------------------------------------------------

    def push(self, device: int, body: dict[str, Any]) -> list[dict[str, Any]]:
        response = self.devices[device].post("/mutations", {"mutations": [body]})
        validated(response, "/api/v1/mutations")
        assert response.status_code == 200, response.text
        results: list[dict[str, Any]] = response.json()["results"]
        return results

    def server_changed_task(self, values: dict[str, Any], rev: int, record: dict[str, Any]) -> None:
        for name, value in values.items():
            if self.task.get(name) != value:
                self.field_revs[name] = rev
        self.task = dict(record)

    def dev_get(self, path: str, template: str | None = None) -> dict[str, Any]:
        response = validated(self.http.get(f"/dev/{path}"), f"/api/v1/dev/{template or path}")
        assert response.status_code == 200, response.text
        answer: dict[str, Any] = response.json()
        return answer

    def dev_post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = validated(self.http.post(f"/dev/{path}", json=body), f"/api/v1/dev/{path}")
        assert response.status_code == 200, response.text
        answer: dict[str, Any] = response.json()
        return answer


def test_two_devices_and_the_back_office_keep_the_contract_in_any_order(
    tmp_path: Path, seeded_sqlite: Path
) -> None:
    TwoDevicesAndTheBackOffice.template = seeded_sqlite
    TwoDevicesAndTheBackOffice.folder = tmp_path
    TwoDevicesAndTheBackOffice.seen = Counter()

    run_state_machine_as_test(
        TwoDevicesAndTheBackOffice,
        settings=settings(
            max_examples=STATEFUL_RUNS,
            stateful_step_count=STATEFUL_STEPS,
            deadline=None,
            derandomize=True,  # the same runs on every machine; a new seed is a code change
            # Every attempt to shrink a failing run starts a server: shrinking could spend
            # Hypothesis's five minutes on it. A failure is reported with all its steps instead.
            phases=[Phase.explicit, Phase.generate],
        ),
    )

    seen = TwoDevicesAndTheBackOffice.seen
    assert all(
        seen[path]
        for path in ("applied", "conflict", "replayed", "idempotency_mismatch", "compared")
    ), seen
