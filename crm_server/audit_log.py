"""Audit: the server's own trail, and the clients' hash-chained logs they upload.

The server records what it must be able to show an auditor without trusting a client: sign-ins
(and refusals), reveals of personal data (granted or refused, with the reason given), sign-outs
and device revocations. Entries name users, devices, records and fields, never revealed values.

Client logs (``POST /audit``) are checked event by event — each ``hash`` must be
``sha256(prev_hash + canonical JSON of the event)``, and an event following another in the same
upload must chain to it — then stored as sent, once: a re-sent event is acknowledged again
without a second copy. The answer's ``acked_seq`` is the highest ``seq`` of the upload (or the
device's last stored one for an empty upload), so the client marks everything up to it uploaded.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import Connection, func, insert, select

from crm_server.schema import audit_event, client_audit_event
from crm_server.timestamps import to_epoch, to_wire
from crm_server.wire import AuditEvent

_HASH_FIELDS = ("prev_hash", "hash")


def record_event(
    conn: Connection,
    *,
    now: datetime,
    action: str,
    outcome: str,
    user_id: str | None = None,
    device_id: str | None = None,
    entity: str | None = None,
    record_id: str | None = None,
    field: str | None = None,
    reason: str | None = None,
) -> None:
    """Append one event to the server's audit trail, in the caller's transaction."""
    conn.execute(
        insert(audit_event).values(
            ts=to_wire(now),
            user_id=user_id,
            device_id=device_id,
            action=action,
            outcome=outcome,
            entity=entity,
            record_id=record_id,
            field=field,
            reason=reason,
        )
    )


def broken_event(events: Sequence[AuditEvent]) -> int | None:
    """Return the index of the first event whose hash or chain link is wrong, or ``None``.

    Checks, in order, for each event:

    1. its ``hash`` is the SHA-256 of ``prev_hash`` followed by the canonical JSON (sorted keys)
       of the event without ``prev_hash`` and ``hash`` — the rule of
       ``rm_desk.local_store.audit``;
    2. when the previous event of the upload has ``seq`` one lower, ``prev_hash`` is its ``hash``.
    """
    previous: AuditEvent | None = None
    for index, event in enumerate(events):
        body = event.model_dump(exclude=set(_HASH_FIELDS))
        canonical = orjson.dumps(body, option=orjson.OPT_SORT_KEYS)
        digest = hashlib.sha256(event.prev_hash.encode("ascii") + canonical).hexdigest()
        if digest != event.hash:
            return index
        follows = previous is not None and previous.seq + 1 == event.seq
        if follows and previous is not None and event.prev_hash != previous.hash:
            return index
        previous = event
    return None


def store_client_events(
    conn: Connection, *, user_id: str, device_id: str, events: Sequence[AuditEvent], now: datetime
) -> int:
    """Store uploaded events not stored yet and return the ``acked_seq`` to answer."""
    table = client_audit_event
    if events:
        wanted = {(event.seq, event.hash) for event in events}
        seqs = sorted({event.seq for event in events})
        stored = set(
            conn.execute(
                select(table.c.seq, table.c.hash).where(
                    table.c.user_id == user_id,
                    table.c.device_id == device_id,
                    table.c.seq.in_(seqs),
                )
            ).tuples()
        )
        fresh: list[dict[str, Any]] = []
        for event in events:
            key = (event.seq, event.hash)
            if key in wanted and key not in stored:
                stored.add(key)
                fresh.append(
                    {
                        "user_id": user_id,
                        "device_id": device_id,
                        "seq": event.seq,
                        "hash": event.hash,
                        "received_at": to_epoch(now),
                        "event": orjson.dumps(event.model_dump()).decode(),
                    }
                )
        if fresh:
            conn.execute(insert(table), fresh)
        return max(seqs)
    last = conn.execute(
        select(func.max(table.c.seq)).where(
            table.c.user_id == user_id, table.c.device_id == device_id
        )
    ).scalar()
    return int(last or 0)
