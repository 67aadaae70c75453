"""The local audit log reaches the reference server's audit table exactly once: a sign-in, a
reveal and an export written on the desk, uploaded by the sync round, also when the server's
answer to the upload is lost after it stored the events."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import orjson
import pytest

from rm_desk.config import Config
from rm_desk.local_store import Store
from rm_desk.local_store.audit import append_audit, unuploaded_events
from rm_desk.paths import AppPaths
from rm_desk.session import MemoryTokenStore, SignedIn, sign_in_online, sign_out, token_name_for
from rm_desk.sync.client import ApiClient
from rm_desk.sync.engine import SyncEngine
from rm_desk.sync.errors import Offline
from tests.conftest import FakeClock, PersistentTestVault
from tests.e2e.conftest import FAST_KDF, PASSWORD, Bank


class DropFirstAuditAnswer(httpx.BaseTransport):
    """Loses the answer of the first ``POST /audit`` after the server stored the events."""

    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()
        self.dropped = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        if request.url.path.endswith("/audit") and not self.dropped:
            response.read()
            response.close()
            self.dropped += 1
            raise httpx.ReadError("connection reset after the answer was sent", request=request)
        return response

    def close(self) -> None:
        self.inner.close()


@pytest.fixture
def tokens() -> MemoryTokenStore:
    return MemoryTokenStore()


@pytest.fixture
def signed(
    bank: Bank,
    tmp_path: Path,
    vault: PersistentTestVault,
    clock: FakeClock,
    tokens: MemoryTokenStore,
) -> Iterator[SignedIn]:
    paths = AppPaths(tmp_path / "data", tmp_path / "config", tmp_path / "logs").ensure()
    config = Config(server_url=bank.url, unlock_kdf_cost=FAST_KDF)
    session = sign_in_online(
        config, paths, "rm001", PASSWORD, vault=vault, clock=clock, tokens=tokens
    )
    yield session
    sign_out(session, wait_s=1.0)


def sync_client(
    signed: SignedIn, tokens: MemoryTokenStore, transport: httpx.BaseTransport | None = None
) -> ApiClient:
    """A client of the session's device resuming its stored session, through ``transport``."""
    token = tokens.load(token_name_for(signed.server_url, signed.user.id))
    assert token is not None
    client = signed.credentials.new_client(transport=transport)
    client.resume(token)
    return client


def reveal_and_export(signed: SignedIn, bank: Bank, clock: FakeClock) -> str:
    """Reveal one customer's mobile on the server and export a list, auditing both as the views
    do (after the sign-in's own ``login`` event)."""
    customer_id = min(bank.scope()["customer"])
    assert signed.online.reveal(customer_id, "mobile", "回访核实")  # the value is not kept
    now = clock().isoformat()
    with signed.store.write() as conn:
        append_audit(
            conn,
            ts=now,
            action="reveal",
            user_id=signed.user.id,
            device_id=signed.device_id,
            entity="customer",
            record_id=customer_id,
            field="mobile",
            reason="回访核实",
        )
        append_audit(
            conn,
            ts=now,
            action="export",
            user_id=signed.user.id,
            device_id=signed.device_id,
            entity="customer",
            detail={"rows": 12, "columns": ["name", "tier"]},
        )
    return str(customer_id)


def local_events(store: Store) -> list[tuple[int, str]]:
    with store.read() as conn:
        rows = conn.exec_driver_sql("SELECT seq, hash FROM audit_log ORDER BY seq").all()
    return [(seq, digest) for seq, digest in rows]


def waiting(store: Store) -> list[int]:
    with store.read() as conn:
        return [event.seq for event in unuploaded_events(conn)]


def test_sign_in_reveal_and_export_reach_the_servers_audit_table_once(
    signed: SignedIn, bank: Bank, clock: FakeClock, tokens: MemoryTokenStore
) -> None:
    with sync_client(signed, tokens) as client:
        SyncEngine(signed.store, client).run_round()  # the sign-in event goes with the first sync
        customer_id = reveal_and_export(signed, bank, clock)
        SyncEngine(signed.store, client).run_round()
        SyncEngine(signed.store, client).run_round()  # nothing new: nothing sent twice

    stored = bank.client_audit()
    assert [(row["seq"], row["hash"]) for row in stored] == local_events(signed.store)
    events = [orjson.loads(row["event"]) for row in stored]
    assert [event["action"] for event in events] == ["login", "reveal", "export"]
    assert events[1]["record_id"] == customer_id and events[1]["reason"] == "回访核实"
    assert {(row["user_id"], row["device_id"]) for row in stored} == {("rm001", signed.device_id)}
    assert waiting(signed.store) == []


def test_an_upload_whose_answer_was_lost_is_stored_once(
    signed: SignedIn, bank: Bank, clock: FakeClock, tokens: MemoryTokenStore
) -> None:
    reveal_and_export(signed, bank, clock)
    with sync_client(signed, tokens, DropFirstAuditAnswer()) as client:
        with pytest.raises(Offline):
            SyncEngine(signed.store, client).run_round()
        assert len(bank.client_audit()) == 3, "the server stored them before the answer was lost"
        assert waiting(signed.store) == [1, 2, 3], "not acknowledged: kept to be sent again"

        SyncEngine(signed.store, client).run_round()

    stored = bank.client_audit()
    assert [(row["seq"], row["hash"]) for row in stored] == local_events(signed.store)
    assert waiting(signed.store) == []
