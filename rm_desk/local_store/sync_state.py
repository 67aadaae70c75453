"""Small named values sync keeps between runs: the feed cursor, the last server contact, the
device id, the last acknowledged audit event.

Keys are the constants below; values are text. Writes happen inside the caller's transaction, so
the cursor always commits with the page it belongs to.
"""

from __future__ import annotations

from sqlalchemy import Connection

AUDIT_ACKED_SEQ = "audit_acked_seq"
"""The highest audit ``seq`` the server acknowledged (``POST /audit``)."""
CURSOR = "cursor"
DEVICE_ID = "device_id"
"""The device id the cache signs in with (the app's and ``rm-desk sync``'s)."""
LAST_SERVER_CONTACT = "last_server_contact"
LAST_SERVER_TIME = "last_server_time"
LAST_SUCCESS = "last_success"


# Written out rather than built with SQLAlchemy: an idle sync round reads and writes these a few
# times, and building an upsert statement cost more than running it.
_GET_SQL = 'SELECT "value" FROM "sync_state" WHERE "key" = ?'
_SET_SQL = (
    'INSERT INTO "sync_state" ("key", "value") VALUES (?, ?) '
    'ON CONFLICT ("key") DO UPDATE SET "value" = excluded."value"'
)


def get_state(conn: Connection, key: str) -> str | None:
    value = conn.exec_driver_sql(_GET_SQL, (key,)).scalar_one_or_none()
    return None if value is None else str(value)


def set_state(conn: Connection, key: str, value: str | None) -> None:
    conn.exec_driver_sql(_SET_SQL, (key, value))
