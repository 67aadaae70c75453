"""Request and answer bodies of API.md as pydantic models: validation and the OpenAPI document.

Requests are strict (no coercion: ``"12"`` is not an integer) and refuse unknown members, so a
client that sends a field the contract does not know hears about it (``422 validation_error``).
Answers are written with orjson for speed; their models here describe them in the OpenAPI
document, which a test compares with API.md.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Id = Annotated[str, Field(min_length=1, max_length=128)]
ShortText = Annotated[str, Field(max_length=512)]


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class _Answer(BaseModel):
    model_config = ConfigDict(extra="allow")


# --- Identity and session (API.md §1) ------------------------------------------------------------


class TokenRequest(_Request):
    """``POST /auth/token``."""

    username: Annotated[str, Field(min_length=1, max_length=128)]
    password: Annotated[str, Field(min_length=1, max_length=1024)]
    device_id: Id
    device_name: ShortText


class RefreshRequest(_Request):
    """``POST /auth/refresh``."""

    refresh_token: Annotated[str, Field(min_length=1, max_length=256)]
    device_id: Id


class LogoutRequest(_Request):
    """``POST /auth/logout``."""

    refresh_token: Annotated[str, Field(min_length=1, max_length=256)]


class User(_Answer):
    id: str
    name: str
    role: Literal["rm", "team_lead"]
    team_id: str
    branch_id: str


class TokenAnswer(_Answer):
    access_token: str
    refresh_token: str
    token_type: Literal["Bearer"]
    expires_in: int
    user: User


class Policy(_Answer):
    idle_lock_minutes: int
    session_max_hours: int
    offline_block_hours: int
    offline_wipe_days: int
    retention_days: int
    transaction_window_days: int
    max_failed_unlocks: int


class MeAnswer(_Answer):
    user: User
    permissions: list[str]
    policy: Policy


# --- Pull (API.md §2) ----------------------------------------------------------------------------


class Change(_Answer):
    entity: str
    id: str
    rev: int
    op: Literal["upsert", "delete"]
    data: dict[str, Any] | None = None
    reason: Literal["deleted", "out_of_scope"] | None = None


class ChangesAnswer(_Answer):
    changes: list[Change]
    cursor: str
    has_more: bool
    estimated_remaining: int
    server_time: str


# --- Push (API.md §3) ----------------------------------------------------------------------------


class Mutation(_Request):
    """One mutation; its ``fields`` are checked per entity when it is applied."""

    op_id: Id
    entity: Annotated[str, Field(min_length=1, max_length=32)]
    id: Id
    op: Literal["create", "update", "delete"]
    base_rev: Annotated[int, Field(ge=0)] | None = None
    fields: dict[str, Any] | None = None


class MutationBatch(_Request):
    """``POST /mutations``."""

    mutations: Annotated[list[Mutation], Field(max_length=200)]


class MutationResult(_Answer):
    op_id: str
    status: Literal["applied", "conflict", "rejected"]
    rev: int | None = None
    record: dict[str, Any] | None = None
    kind: Literal["fields", "deleted", "modified"] | None = None
    field_revs: dict[str, int] | None = None
    conflicting_fields: list[str] | None = None
    changed_fields: list[str] | None = Field(
        default=None,
        description=(
            "Of an applied update: the sent fields it changed (the others already held the "
            "values sent). An addition to API.md; clients must not require it."
        ),
    )
    code: Literal["validation_error", "field_not_editable", "forbidden", "not_found"] | None = None
    message: str | None = None
    field_errors: dict[str, str] | None = None
    replayed: bool | None = None


class MutationsAnswer(_Answer):
    results: list[MutationResult]


# --- Other calls (API.md §4) ---------------------------------------------------------------------


class RevealRequest(_Request):
    """``POST /customers/{id}/reveal``; ``account_id`` names the account for
    ``account_number``."""

    field: Literal["mobile", "id_no", "address", "account_number"]
    reason: Annotated[str, Field(min_length=1, max_length=500, pattern=r"\S")]
    account_id: Id | None = None


class RevealAnswer(_Answer):
    customer_id: str
    field: str
    record_id: str
    value: str


class TransactionsAnswer(_Answer):
    transactions: list[dict[str, Any]]
    has_more: bool
    next_before: str | None


class AuditEvent(_Request):
    """One event of the client's hash-chained audit log (``rm_desk.local_store.audit``)."""

    seq: Annotated[int, Field(ge=1, le=2**53)]
    ts: Annotated[str, Field(max_length=40)]
    user_id: Annotated[str, Field(max_length=128)] | None = None
    device_id: Annotated[str, Field(max_length=128)] | None = None
    action: Annotated[str, Field(min_length=1, max_length=64)]
    entity: Annotated[str, Field(max_length=32)] | None = None
    record_id: Annotated[str, Field(max_length=128)] | None = None
    field: Annotated[str, Field(max_length=64)] | None = None
    reason: Annotated[str, Field(max_length=1000)] | None = None
    detail: dict[str, Any] | None = None
    prev_hash: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
    hash: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]


class AuditUpload(_Request):
    """``POST /audit``."""

    events: Annotated[list[AuditEvent], Field(max_length=5000)]


class AuditAnswer(_Answer):
    acked_seq: int


class DeviceAnswer(_Answer):
    status: Literal["active", "revoked"]
    wipe: bool


class HealthAnswer(_Answer):
    status: Literal["ok"]
    server_time: str


class Problem(_Answer):
    """An RFC 9457 problem document (``application/problem+json``)."""

    type: str
    title: str
    status: int
    detail: str
    code: str
    field_errors: dict[str, str] | None = None
    wipe: bool | None = None


# --- Reference server only (API.md §4, ``--dev``) ------------------------------------------------


class DevEditRequest(_Request):
    """``POST /dev/edit``: any field of any record; ``deleted`` deletes it as the bank would."""

    entity: Annotated[str, Field(min_length=1, max_length=32)]
    id: Id
    fields: dict[str, Any] = Field(default_factory=dict)
    deleted: bool = False


class DevEditAnswer(_Answer):
    rev: int
    record: dict[str, Any] | None


class DevReassignRequest(_Request):
    """``POST /dev/reassign``."""

    customer_id: Id
    to_rm: Id


class DevReassignAnswer(_Answer):
    customer_id: str
    from_rm: str | None
    to_rm: str
    records: int
    rev: int


class DevRevokeRequest(_Request):
    """``POST /dev/revoke-device``."""

    device_id: Id


class DevRevokeAnswer(_Answer):
    device_id: str
    status: Literal["revoked"]


class DevStatsAnswer(_Answer):
    records: dict[str, int]
    ops_applied: int
    ops_applied_twice: int


class DevOpAnswer(_Answer):
    applied_count: int
