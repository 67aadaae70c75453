"""The server over the synthetic bank of ``crm_server.synth.generate``: what the seeded users see
is their book, every record reaches the client's domain types, reveal finds the full values."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from crm_server.runner import RunningServer, start_server
from crm_server.settings import Settings
from rm_desk.domain.entities import ENTITY_TYPES
from rm_desk.domain.enums import Entity
from rm_desk.domain.masking import mask_mobile
from tests.server.conftest import FAST_KDF

generate_module = pytest.importorskip("crm_server.synth.generate")

CUSTOMERS = 150
PASSWORD = "rmdesk-demo"
SEEDED_USERS = [f"rm{n:03d}" for n in range(1, 16)] + [f"lead{n:02d}" for n in range(1, 4)]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    folder: Path = tmp_path_factory.mktemp("generated")
    settings = Settings(
        db_url=f"sqlite:///{folder / 'crm.db'}",
        dev=True,
        kdf_cost=FAST_KDF,
        rate_limit_per_minute=None,
    )
    running = start_server(settings, generate_module.generate(CUSTOMERS, 5))
    yield running
    running.stop()


@pytest.fixture(scope="module")
def http(server: RunningServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.api_url, timeout=60) as client:
        yield client


def sign_in(http: httpx.Client, user_id: str) -> dict[str, str]:
    response = http.post(
        "/auth/token",
        json={
            "username": user_id,
            "password": PASSWORD,
            "device_id": f"d-{user_id}",
            "device_name": "t",
        },
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def full_feed(http: httpx.Client, headers: dict[str, str]) -> list[dict]:
    changes: list[dict] = []
    params: dict = {"limit": 5000}
    while True:
        page = http.get("/changes", headers=headers, params=params).json()
        changes += page["changes"]
        if not page["has_more"]:
            return changes
        params = {"limit": 5000, "cursor": page["cursor"]}


def test_every_seeded_user_signs_in_with_the_demo_password(http: httpx.Client):
    for user_id in SEEDED_USERS:
        me = http.get("/me", headers=sign_in(http, user_id)).json()
        assert me["user"]["id"] == user_id
        assert me["user"]["role"] == ("team_lead" if user_id.startswith("lead") else "rm")


def test_rm_feed_is_the_rms_own_book_and_parses_into_domain_records(http: httpx.Client):
    changes = full_feed(http, sign_in(http, "rm001"))

    customers = {c["id"]: c["data"] for c in changes if c["entity"] == "customer"}
    assert customers
    assert {data["primary_rm_id"] for data in customers.values()} == {"rm001"}
    for change in changes:
        assert change["op"] == "upsert"
        ENTITY_TYPES[Entity(change["entity"])].from_wire({**change["data"], "rev": change["rev"]})
        owner = change["data"].get("customer_id")
        if change["entity"] in ("account", "holding", "transaction", "customer_tag") and owner:
            assert owner in customers


def test_team_lead_sees_the_customers_of_every_rm_of_the_team(http: httpx.Client):
    lead = sign_in(http, "lead01")
    team = http.get("/me", headers=lead).json()["user"]["team_id"]
    lead_customers = {c["id"] for c in full_feed(http, lead) if c["entity"] == "customer"}

    employees = [c["data"] for c in full_feed(http, lead) if c["entity"] == "employee"]
    team_rms = [e["id"] for e in employees if e["team_id"] == team and e["role"] == "rm"]
    rm_customers: set[str] = set()
    for rm_id in team_rms:
        rm_customers |= {
            c["id"] for c in full_feed(http, sign_in(http, rm_id)) if c["entity"] == "customer"
        }

    assert team_rms and lead_customers == rm_customers


def test_reveal_answers_the_value_behind_the_mask(http: httpx.Client):
    headers = sign_in(http, "rm001")
    me = http.get("/me", headers=headers).json()
    if "pii.reveal" not in me["permissions"]:
        pytest.skip("rm001 of this bank has no pii.reveal")
    customer = next(
        c
        for c in full_feed(http, headers)
        if c["entity"] == "customer" and c["data"].get("mobile_masked")
    )

    response = http.post(
        f"/customers/{customer['id']}/reveal",
        headers=headers,
        json={"field": "mobile", "reason": "test"},
    )

    assert response.status_code == 200, response.text
    assert mask_mobile(response.json()["value"]) == customer["data"]["mobile_masked"]


def test_stats_count_what_was_seeded(http: httpx.Client, server: RunningServer):
    stats = http.get("/dev/stats").json()

    assert stats["records"]["customer"] == CUSTOMERS
    assert server.seeded is not None and server.seeded.users == len(SEEDED_USERS)
