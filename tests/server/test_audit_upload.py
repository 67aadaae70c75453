"""Upload of the client's hash-chained audit log (API.md §4)."""

from __future__ import annotations

import hashlib

import orjson
from sqlalchemy import func, select

from crm_server.schema import client_audit_event
from tests.server.conftest import Api

GENESIS = "0" * 64


def chain(count: int, first_seq: int = 1, prev: str = GENESIS) -> list[dict]:
    """Events made the way ``rm_desk.local_store.audit`` makes them."""
    events = []
    for seq in range(first_seq, first_seq + count):
        body = {
            "seq": seq,
            "ts": "2026-11-20T08:00:00Z",
            "user_id": "rm001",
            "device_id": "d1",
            "action": "reveal",
            "entity": "customer",
            "record_id": "c-0001",
            "field": "mobile",
            "reason": "回访",
            "detail": {"screen": "360"},
        }
        canonical = orjson.dumps(body, option=orjson.OPT_SORT_KEYS)
        digest = hashlib.sha256(prev.encode("ascii") + canonical).hexdigest()
        events.append({**body, "prev_hash": prev, "hash": digest})
        prev = digest
    return events


def stored(api: Api) -> int:
    with api.server.services.database.read() as conn:
        return conn.execute(select(func.count()).select_from(client_audit_event)).scalar_one()


def test_upload_answers_the_highest_seq_stored(api: Api):
    rm = api.login("rm001")

    response = rm.post("/audit", json={"events": chain(3)})

    assert response.status_code == 200
    assert response.json() == {"acked_seq": 3}
    assert stored(api) == 3


def test_upload_sent_again_is_acked_without_a_second_copy(api: Api):
    rm = api.login("rm001")
    events = chain(3)
    rm.post("/audit", json={"events": events})

    again = rm.post("/audit", json={"events": events})
    more = rm.post("/audit", json={"events": chain(2, 4, events[-1]["hash"])})

    assert again.json() == {"acked_seq": 3}
    assert more.json() == {"acked_seq": 5}
    assert stored(api) == 5


def test_empty_upload_answers_the_last_seq_stored(api: Api):
    rm = api.login("rm001")

    assert rm.post("/audit", json={"events": []}).json() == {"acked_seq": 0}
    rm.post("/audit", json={"events": chain(2)})
    assert rm.post("/audit", json={"events": []}).json() == {"acked_seq": 2}


def test_tampered_event_is_422_and_nothing_is_stored(api: Api):
    rm = api.login("rm001")
    events = chain(3)
    events[1]["reason"] = "changed afterwards"

    response = rm.post("/audit", json={"events": events})

    assert response.status_code == 422
    assert response.json()["field_errors"] == {
        "events[1].hash": "hash does not match the event or its predecessor"
    }
    assert stored(api) == 0


def test_broken_link_between_events_is_422(api: Api):
    rm = api.login("rm001")
    events = chain(1) + chain(1, 2, prev="1" * 64)

    response = rm.post("/audit", json={"events": events})

    assert response.status_code == 422
