"""The server's tables (SQLAlchemy Core), the same on SQLite and PostgreSQL.

Records of every entity share one table: the wire form is kept as JSON text in ``data``, and the
record's whole entry of the change feed (``{"entity", "id", "rev", "op", "data"}``, or the delete
form of a tombstone) as UTF-8 JSON bytes in ``change``, written with the row, so a feed page is
joined from stored bytes with no work per record. Beside them, the columns the server filters on:
the book (``rm_id``, ``team_id``), the customer a child belongs to, ``rev`` and a tombstone flag.
``field_revs`` maps a field to the ``rev`` at which it last changed (fields absent from it have not
changed since the record was created), for per-field conflict detection (API.md §3).

Nothing of a session lives in process memory: tokens, devices, sign-in failures, rate-limit
counters and the results of mutations are rows, so several server processes can share a database.
Instants the server compares are integer Unix seconds.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

# SQLite only autoincrements an INTEGER PRIMARY KEY; PostgreSQL gets a 64-bit identity.
_SERIAL = BigInteger().with_variant(Integer(), "sqlite")

server_meta = Table(
    "server_meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)
"""Facts about this database: ``epoch`` (random, set at creation; cursors carry it)."""

rev_counter = Table(
    "rev_counter",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("rev", BigInteger, nullable=False),
)
"""One row: the last ``rev`` handed out. Locked by each writing transaction (see revs.py)."""

record = Table(
    "record",
    metadata,
    Column("entity", String(32), nullable=False),
    Column("id", String(128), nullable=False),
    Column("rev", BigInteger, nullable=False),
    Column("rm_id", String(64)),
    Column("team_id", String(64)),
    Column("customer_id", String(128)),
    Column("deleted", Boolean, nullable=False, default=False),
    Column("data", Text, nullable=False),
    Column("field_revs", Text, nullable=False, default="{}"),
    Column("change", LargeBinary, nullable=False),
    PrimaryKeyConstraint("entity", "id", name="pk_record"),
    Index("ix_record_rm_rev", "rm_id", "rev"),
    Index("ix_record_team_rev", "team_id", "rev"),
    Index("ix_record_rev", "rev", unique=True),
    Index("ix_record_customer", "customer_id"),
)
"""Every record of the feed, tombstones included (``deleted``; ``data`` keeps the last copy).
``change`` must be rewritten whenever ``rev``, ``deleted`` or ``data`` change
(:func:`crm_server.record_store.feed_entry`)."""

scope_exit = Table(
    "scope_exit",
    metadata,
    Column("rev", BigInteger, primary_key=True, autoincrement=False),
    Column("rm_id", String(64)),
    Column("team_id", String(64)),
    Column("entity", String(32), nullable=False),
    Column("id", String(128), nullable=False),
    Index("ix_scope_exit_rm_rev", "rm_id", "rev"),
    Index("ix_scope_exit_team_rev", "team_id", "rev"),
)
"""A record that left a book: the RM ``rm_id`` stops seeing it, and the lead of ``team_id`` too
when ``team_id`` is set (the record moved to another team). Feeds show it as ``out_of_scope``."""

history = Table(
    "history",
    metadata,
    Column("id", String(128), primary_key=True),
    Column("customer_id", String(128), nullable=False),
    Column("ts", String(32), nullable=False),
    Column("data", Text, nullable=False),
    Index("ix_history_customer_ts", "customer_id", "ts", "id"),
)
"""Transactions older than the cached window (``GET /customers/{id}/transactions``)."""

pii = Table(
    "pii",
    metadata,
    Column("record_id", String(128), nullable=False),
    Column("field", String(32), nullable=False),
    Column("customer_id", String(128), nullable=False),
    Column("value", Text, nullable=False),
    PrimaryKeyConstraint("record_id", "field", name="pk_pii"),
)
"""Full C2 values for reveal; never sent in the feed."""

app_user = Table(
    "app_user",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("name", Text, nullable=False),
    Column("role", String(16), nullable=False),
    Column("team_id", String(64), nullable=False),
    Column("branch_id", String(64), nullable=False),
    Column("permissions", Text, nullable=False),
    Column("password_hash", Text, nullable=False),
)
"""Users who may sign in; ``permissions`` is a JSON list, ``password_hash`` a scrypt string."""

device = Table(
    "device",
    metadata,
    Column("device_id", String(128), nullable=False),
    Column("user_id", String(64), nullable=False),
    Column("name", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("wipe", Boolean, nullable=False),
    Column("first_seen", BigInteger, nullable=False),
    Column("last_seen", BigInteger, nullable=False),
    PrimaryKeyConstraint("device_id", "user_id", name="pk_device"),
)
"""A device a user signed in from; ``status`` is ``active`` or ``revoked``."""

auth_session = Table(
    "auth_session",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("user_id", String(64), nullable=False),
    Column("device_id", String(128), nullable=False),
    Column("refresh_hash", String(64), nullable=False, unique=True),
    Column("created_at", BigInteger, nullable=False),
    Column("expires_at", BigInteger, nullable=False),
    Column("revoked", Boolean, nullable=False),
)
"""One sign-in: its refresh token (hashed) lives until ``expires_at`` or logout."""

access_token = Table(
    "access_token",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("session_id", String(64), nullable=False),
    Column("expires_at", BigInteger, nullable=False),
    Index("ix_access_token_session", "session_id"),
)
"""Access tokens (hashed); kept past expiry until their session ends, to answer token_expired."""

login_failure = Table(
    "login_failure",
    metadata,
    Column("id", _SERIAL, primary_key=True, autoincrement=True),
    Column("username", String(128), nullable=False),
    Column("at", BigInteger, nullable=False),
    Index("ix_login_failure_username_at", "username", "at"),
)

op_result = Table(
    "op_result",
    metadata,
    Column("op_id", String(128), primary_key=True),
    Column("user_id", String(64), nullable=False),
    Column("body_hash", String(64), nullable=False),
    Column("result", Text, nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Index("ix_op_result_created_at", "created_at"),
)
"""The answer given to each ``op_id``, replayed to a repeat (kept ``op_retention``)."""

op_apply = Table(
    "op_apply",
    metadata,
    Column("op_id", String(128), primary_key=True),
    Column("applied_count", Integer, nullable=False),
)
"""How many times each op changed data; never purged, so a double apply shows even after the
op's stored result has expired (``GET /dev/ops/{op_id}``)."""

audit_event = Table(
    "audit_event",
    metadata,
    Column("id", _SERIAL, primary_key=True, autoincrement=True),
    Column("ts", String(32), nullable=False),
    Column("user_id", String(64)),
    Column("device_id", String(128)),
    Column("action", String(64), nullable=False),
    Column("entity", String(32)),
    Column("record_id", String(128)),
    Column("field", String(64)),
    Column("reason", Text),
    Column("outcome", String(32), nullable=False),
)
"""The server's own audit trail: sign-ins, reveals (granted or refused), revocations."""

client_audit_event = Table(
    "client_audit_event",
    metadata,
    Column("id", _SERIAL, primary_key=True, autoincrement=True),
    Column("user_id", String(64), nullable=False),
    Column("device_id", String(128), nullable=False),
    Column("seq", BigInteger, nullable=False),
    Column("hash", String(64), nullable=False),
    Column("received_at", BigInteger, nullable=False),
    Column("event", Text, nullable=False),
    UniqueConstraint("user_id", "device_id", "seq", "hash", name="uq_client_audit_event"),
)
"""Hash-chained events uploaded by clients (``POST /audit``), as sent."""

rate_limit = Table(
    "rate_limit",
    metadata,
    Column("user_id", String(64), nullable=False),
    Column("window_start", BigInteger, nullable=False),
    Column("count", Integer, nullable=False),
    PrimaryKeyConstraint("user_id", "window_start", name="pk_rate_limit"),
)
"""Calls per user per minute (``window_start`` is the minute's Unix seconds)."""
