"""The local audit log: hash-chained events for the bank's audit trail.

Every event (login, unlock, reveal, export, conflict resolution, purge, wipe) is appended with
``seq`` one higher than the last and ``hash = sha256(prev_hash + canonical JSON of the event)``, so
removing or editing an event breaks the chain at that point, which :func:`verify_chain` finds.
Events are uploaded in ``seq`` order and marked ``uploaded`` when the server acks them (API.md §4;
the upload is :mod:`rm_desk.sync.audit_upload`, at the end of every sync round).
Details hold field names and ids, never the revealed values.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import Connection, select, update

from rm_desk.local_store import schema

GENESIS_HASH = "0" * 64


@dataclass(frozen=True, slots=True)
class AuditEvent:
    seq: int
    ts: str
    user_id: str | None
    device_id: str | None
    action: str
    entity: str | None
    record_id: str | None
    field: str | None
    reason: str | None
    detail: Mapping[str, Any] | None
    prev_hash: str
    hash: str

    def to_wire(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "ts": self.ts,
            "user_id": self.user_id,
            "device_id": self.device_id,
            "action": self.action,
            "entity": self.entity,
            "record_id": self.record_id,
            "field": self.field,
            "reason": self.reason,
            "detail": dict(self.detail) if self.detail is not None else None,
            "prev_hash": self.prev_hash,
            "hash": self.hash,
        }


def _event_hash(prev_hash: str, body: Mapping[str, Any]) -> str:
    canonical = orjson.dumps(dict(body), option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(prev_hash.encode("ascii") + canonical).hexdigest()


def append_audit(
    conn: Connection,
    *,
    ts: str,
    action: str,
    user_id: str | None = None,
    device_id: str | None = None,
    entity: str | None = None,
    record_id: str | None = None,
    field: str | None = None,
    reason: str | None = None,
    detail: Mapping[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the chain inside the caller's (write) transaction."""
    table = schema.audit_log
    last = conn.execute(select(table.c.seq, table.c.hash).order_by(table.c.seq.desc()).limit(1))
    row = last.first()
    seq, prev_hash = (row[0] + 1, row[1]) if row is not None else (1, GENESIS_HASH)
    body = {
        "seq": seq,
        "ts": ts,
        "user_id": user_id,
        "device_id": device_id,
        "action": action,
        "entity": entity,
        "record_id": record_id,
        "field": field,
        "reason": reason,
        "detail": dict(detail) if detail is not None else None,
    }
    digest = _event_hash(prev_hash, body)
    conn.execute(
        table.insert().values(
            **{**body, "detail": orjson.dumps(body["detail"]).decode() if detail else None},
            prev_hash=prev_hash,
            hash=digest,
        )
    )
    return AuditEvent(
        seq=seq,
        ts=ts,
        user_id=user_id,
        device_id=device_id,
        action=action,
        entity=entity,
        record_id=record_id,
        field=field,
        reason=reason,
        detail=detail,
        prev_hash=prev_hash,
        hash=digest,
    )


def _event_from_row(row: Mapping[Any, Any]) -> AuditEvent:
    return AuditEvent(
        seq=row["seq"],
        ts=row["ts"],
        user_id=row["user_id"],
        device_id=row["device_id"],
        action=row["action"],
        entity=row["entity"],
        record_id=row["record_id"],
        field=row["field"],
        reason=row["reason"],
        detail=orjson.loads(row["detail"]) if row["detail"] else None,
        prev_hash=row["prev_hash"],
        hash=row["hash"],
    )


def unuploaded_events(conn: Connection, limit: int = 500) -> list[AuditEvent]:
    """The oldest ``limit`` events the server has not acknowledged, in ``seq`` order."""
    table = schema.audit_log
    rows = conn.execute(
        select(table).where(table.c.uploaded.is_(False)).order_by(table.c.seq).limit(limit)
    ).mappings()
    return [_event_from_row(r) for r in rows]


def mark_uploaded(conn: Connection, acked_seq: int) -> None:
    """Mark every event up to ``acked_seq`` uploaded, in the caller's (write) transaction.

    The caller passes no more than the last ``seq`` it sent: an event appended while the upload
    was out must not be marked by an answer that did not cover it.
    """
    table = schema.audit_log
    conn.execute(update(table).where(table.c.seq <= acked_seq).values(uploaded=True))


def verify_chain(conn: Connection) -> int | None:
    """The ``seq`` of the first event that breaks the chain, or ``None`` if it is whole."""
    table = schema.audit_log
    prev_hash = GENESIS_HASH
    expected_seq = None
    for row in conn.execute(select(table).order_by(table.c.seq)).mappings():
        event = _event_from_row(row)
        if expected_seq is not None and event.seq != expected_seq:
            return expected_seq
        body = {k: v for k, v in event.to_wire().items() if k not in ("prev_hash", "hash")}
        if event.prev_hash != prev_hash or _event_hash(prev_hash, body) != event.hash:
            return event.seq
        prev_hash, expected_seq = event.hash, event.seq + 1
    return None
