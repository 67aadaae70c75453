"""Small named values sync keeps between runs: the feed cursor, the last server contact, the
device id, the last acknowledged audit event.

Keys are the constants below; values are text. Writes happen inside the caller's transaction, so
the cursor always commits with the page it belongs to.
"""

from __future__ import annotations

from sqlalchemy import Connection, select
from sqlalchemy.dialects.sqlite import insert

from rm_desk.local_store import schema

AUDIT_ACKED_SEQ = "audit_acked_seq"
"""The highest audit ``seq`` the server acknowledged (``POST /audit``)."""
CURSOR = "cursor"
DEVICE_ID = "device_id"
"""The device id the cache signs in with (the app's and ``rm-desk sync``'s)."""
LAST_SERVER_CONTACT = "last_server_contact"
LAST_SERVER_TIME = "last_server_time"
LAST_SUCCESS = "last_success"


def get_state(conn: Connection, key: str) -> str | None:
    table = schema.sync_state
    value = conn.execute(select(table.c.value).where(table.c.key == key)).scalar_one_or_none()
    return None if value is None else str(value)


def set_state(conn: Connection, key: str, value: str | None) -> None:
    table = schema.sync_state
    stmt = insert(table).values(key=key, value=value)
    conn.execute(stmt.on_conflict_do_update(index_elements=[table.c.key], set_={"value": value}))
