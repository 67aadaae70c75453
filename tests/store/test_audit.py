"""The local audit log is a hash chain: any edit or removal is found."""

from __future__ import annotations

from sqlalchemy import text

from rm_desk.local_store.audit import (
    append_audit,
    mark_uploaded,
    unuploaded_events,
    verify_chain,
)


def _append_three(store):
    with store.write() as conn:
        append_audit(
            conn, ts="2026-11-20T01:00:00Z", action="login", user_id="rm001", device_id="dev-1"
        )
        append_audit(
            conn,
            ts="2026-11-20T01:05:00Z",
            action="reveal",
            user_id="rm001",
            device_id="dev-1",
            entity="customer",
            record_id="c-1",
            field="mobile",
            reason="客户来电核实身份",
        )
        append_audit(
            conn,
            ts="2026-11-20T01:09:00Z",
            action="export",
            user_id="rm001",
            device_id="dev-1",
            detail={"rows": 120},
        )


def test_events_chain_and_verify(store):
    _append_three(store)
    with store.read() as conn:
        events = unuploaded_events(conn)
        assert verify_chain(conn) is None

    assert [e.seq for e in events] == [1, 2, 3]
    assert events[1].prev_hash == events[0].hash and events[2].prev_hash == events[1].hash
    assert events[2].detail == {"rows": 120}


def test_an_edited_event_breaks_the_chain_at_that_event(store):
    _append_three(store)
    with store.write() as conn:
        conn.execute(text("UPDATE audit_log SET reason = 'changed' WHERE seq = 2"))
    with store.read() as conn:
        assert verify_chain(conn) == 2


def test_a_removed_event_breaks_the_chain(store):
    _append_three(store)
    with store.write() as conn:
        conn.execute(text("DELETE FROM audit_log WHERE seq = 2"))
    with store.read() as conn:
        assert verify_chain(conn) == 2


def test_acked_events_are_not_uploaded_again(store):
    _append_three(store)
    with store.write() as conn:
        mark_uploaded(conn, 2)
    with store.read() as conn:
        assert [e.seq for e in unuploaded_events(conn)] == [3]
