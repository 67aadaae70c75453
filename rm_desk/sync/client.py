"""The httpx client of API.md: one method per call, answers as frozen dataclasses or plain dicts.

:class:`ApiClient` is synchronous and used by one thread at a time (the sync worker, whose pull
hands one feed request at a time to a fetch thread and waits for it; a reveal from the GUI goes
through the thread pool with a client of its own). It keeps the session's tokens in memory
only; the caller stores ``session.refresh_token`` in the OS keyring (again after a refresh, should
a server rotate it) and resumes with :meth:`ApiClient.resume`.

How it talks:

- every call but ``/health``, ``/auth/token`` and ``/auth/refresh`` carries
  ``Authorization: Bearer <access token>``; an answer ``401 token_expired`` makes it refresh once
  and send the call once more (a second ``token_expired`` is :class:`SessionExpired`); any
  :class:`AuthError` (session over, device revoked) leaves the client signed out;
- every request carries ``Accept-Encoding: gzip`` (httpx inflates the answer), the device id in
  ``X-Device-Id`` and ``User-Agent: rm-desk/<version>``; bodies are JSON written by orjson, and
  answers are read with orjson from ``response.content`` (a feed page a slice at a time when the
  server writes it one change per line: :mod:`rm_desk.sync.feed_decode`);
- TLS is always verified: against the operating system's trust store (where a bank installs its
  root CA through Group Policy), or against the bank's CA bundle file when one is configured.
  Plain ``http://`` is accepted only for a loopback host (demo and tests), where there is no TLS;
- timeouts: 5 s to connect, 30 s to read or write (:class:`Timeouts`); redirects are not followed
  (a captive portal's redirect is an answer RM Desk cannot read, not a sign-in page to load);
- every failure leaves as one of the errors of :mod:`rm_desk.sync.errors`, converted in
  :func:`~rm_desk.sync.errors.convert_errors`; an answer whose envelope has the wrong shape is a
  :class:`~rm_desk.sync.errors.ProtocolError`. The records inside a feed page are not checked here:
  one bad record is the pull's to quarantine, it must not block the page.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import os
import re
import ssl
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from types import MappingProxyType
from typing import Any, ClassVar, Final, Literal, TypeVar
from urllib.parse import quote

import httpx
import orjson

from rm_desk import __version__
from rm_desk.domain.enums import ConflictKind, OpKind, OpState, Role
from rm_desk.errors import ConfigError
from rm_desk.sync.errors import (
    AuthError,
    ErrorAnswer,
    MalformedAnswer,
    ProblemFacts,
    SessionExpired,
    convert_errors,
)
from rm_desk.sync.feed_decode import decode_feed_body
from rm_desk.sync.identity import Policy, User  # re-exported: the types of the signed-in user

_T = TypeVar("_T")

API_PREFIX: Final = "/api/v1"
MAX_MUTATIONS: Final = 200
"""The most mutations one ``POST /mutations`` may carry (API.md §3)."""
MAX_AUDIT_EVENTS: Final = 5000
"""The most events one ``POST /audit`` may carry (the reference server refuses more)."""

_CODE_PATTERN: Final = re.compile(r"[a-z][a-z0-9_]{0,63}")
"""What a problem ``code`` looks like; anything else is treated as no code at all."""


# --- answers -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Timeouts:
    """Seconds to wait: ``connect`` for a connection (and a free one from the pool), ``read`` for
    each read or write of a request or an answer."""

    connect: float = 5.0
    read: float = 30.0


@dataclass(frozen=True, slots=True)
class Session:
    """A signed-in session. The tokens never show in ``repr``."""

    user: User
    expires_at: datetime
    """When the access token expires, by the client's clock."""
    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)


@dataclass(frozen=True, slots=True)
class MeInfo:
    """``GET /me``: who is signed in, what they may do, and the policy."""

    user: User
    permissions: frozenset[str]
    policy: Policy


@dataclass(frozen=True, slots=True)
class FeedPage:
    """One page of ``GET /changes``. The changes are the server's dicts, unchecked."""

    changes: list[dict[str, Any]]
    cursor: str
    has_more: bool
    estimated_remaining: int
    server_time: str


@dataclass(frozen=True, slots=True)
class Mutation:
    """One mutation of ``POST /mutations``; ``op_id`` is its idempotency key."""

    op_id: str
    entity: str
    id: str
    op: OpKind
    base_rev: int | None = None
    fields: Mapping[str, Any] | None = None

    def to_wire(self) -> dict[str, Any]:
        """The mutation as API.md spells it (``base_rev`` and ``fields`` only when set)."""
        wire: dict[str, Any] = {
            "op_id": self.op_id,
            "entity": self.entity,
            "id": self.id,
            "op": self.op.value,
        }
        if self.base_rev is not None:
            wire["base_rev"] = self.base_rev
        if self.fields is not None:
            wire["fields"] = dict(self.fields)
        return wire


@dataclass(frozen=True, slots=True)
class MutationApplied:
    """``applied``: ``record`` (``None`` after a delete) is the server's new copy at ``rev``.

    ``changed_fields`` names the fields of an update the op itself changed (the others already
    held the values sent); ``None`` when the server does not say (docs/sync.md, "What the bank
    says it changed").
    """

    state: ClassVar[OpState] = OpState.APPLIED

    op_id: str
    rev: int
    record: dict[str, Any] | None
    replayed: bool = False
    changed_fields: frozenset[str] | None = None


@dataclass(frozen=True, slots=True)
class MutationConflict:
    """``conflict``: nothing of the op was applied; ``record`` is the server's copy (``None`` when
    it was deleted)."""

    state: ClassVar[OpState] = OpState.CONFLICT

    op_id: str
    kind: ConflictKind
    rev: int | None
    record: dict[str, Any] | None
    field_revs: Mapping[str, int]
    conflicting_fields: tuple[str, ...]
    replayed: bool = False


@dataclass(frozen=True, slots=True)
class MutationRejected:
    """``rejected``: refused for good; the op and its data go to the sync issues list.

    ``message`` is the server's text for people; ``code`` is ``validation_error``,
    ``field_not_editable``, ``forbidden`` or ``not_found``.
    """

    state: ClassVar[OpState] = OpState.REJECTED

    op_id: str
    code: str
    message: str
    field_errors: Mapping[str, str]
    replayed: bool = False


MutationResult = MutationApplied | MutationConflict | MutationRejected


@dataclass(frozen=True, slots=True)
class TransactionPage:
    """``GET /customers/{id}/transactions``: older history, newest first."""

    transactions: list[dict[str, Any]]
    has_more: bool
    next_before: str | None


@dataclass(frozen=True, slots=True)
class DeviceStatus:
    """``GET /device``."""

    status: Literal["active", "revoked"]
    wipe: bool


@dataclass(frozen=True, slots=True)
class Health:
    """``GET /health``."""

    status: str
    server_time: str | None


# --- reading answers ---------------------------------------------------------------------------


class _Object:
    """A JSON object of an answer, read member by member; a wrong type is a MalformedAnswer that
    names the member (never its value)."""

    def __init__(self, value: Any, where: str) -> None:
        if not isinstance(value, dict):
            raise MalformedAnswer(where)
        self.value: dict[str, Any] = value
        self.where = where

    def _bad(self, key: str) -> MalformedAnswer:
        return MalformedAnswer(f"{self.where}.{key}")

    def text(self, key: str) -> str:
        value = self.value.get(key)
        if not isinstance(value, str):
            raise self._bad(key)
        return value

    def optional_text(self, key: str) -> str | None:
        value = self.value.get(key)
        if value is not None and not isinstance(value, str):
            raise self._bad(key)
        return value

    def integer(self, key: str, default: int | None = None) -> int:
        value = self.value.get(key, default)
        if type(value) is not int:  # a bool is an int to isinstance, not to the contract
            raise self._bad(key)
        return value

    def optional_integer(self, key: str) -> int | None:
        return None if self.value.get(key) is None else self.integer(key)

    def flag(self, key: str, default: bool | None = None) -> bool:
        """A boolean; ``default`` also stands for null."""
        value = self.value.get(key)
        if value is None:
            value = default
        if not isinstance(value, bool):
            raise self._bad(key)
        return value

    def member(self, key: str) -> _Object:
        return _Object(self.value.get(key), f"{self.where}.{key}")

    def optional_record(self, key: str) -> dict[str, Any] | None:
        value = self.value.get(key)
        if value is not None and not isinstance(value, dict):
            raise self._bad(key)
        return value

    def records(self, key: str) -> list[dict[str, Any]]:
        value = self.value.get(key)
        if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
            raise self._bad(key)
        return value

    def texts(self, key: str, *, optional: bool = False) -> list[str]:
        value = self.value.get(key)
        if value is None and optional:
            return []
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise self._bad(key)
        return value

    def mapping_of(self, key: str, kind: type[Any]) -> Mapping[str, Any]:
        """An object whose values are all exactly of type ``kind``; null reads as empty."""
        value = self.value.get(key)
        if value is None:
            return MappingProxyType({})
        if not isinstance(value, dict) or not all(type(item) is kind for item in value.values()):
            raise self._bad(key)
        return MappingProxyType(value)


def _user(answer: _Object) -> User:
    user = answer.member("user")
    try:
        role = Role(user.text("role"))
    except ValueError:
        raise MalformedAnswer(f"{user.where}.role") from None
    return User(
        id=user.text("id"),
        name=user.text("name"),
        role=role,
        team_id=user.text("team_id"),
        branch_id=user.text("branch_id"),
    )


def _me(body: Any) -> MeInfo:
    answer = _Object(body, "me")
    policy = answer.member("policy")
    defaults = Policy()
    # A member the server leaves out keeps API.md's default; one of the wrong type is an error.
    values = {
        f.name: policy.integer(f.name, getattr(defaults, f.name))
        for f in dataclasses.fields(Policy)
    }
    return MeInfo(
        user=_user(answer),
        permissions=frozenset(answer.texts("permissions")),
        policy=Policy(**values),
    )


def _feed_page(body: Any) -> FeedPage:
    answer = _Object(body, "changes")
    return FeedPage(
        changes=answer.records("changes"),
        cursor=answer.text("cursor"),
        has_more=answer.flag("has_more"),
        estimated_remaining=answer.integer("estimated_remaining"),
        server_time=answer.text("server_time"),
    )


def _mutation_result(item: _Object) -> MutationResult:
    op_id = item.text("op_id")
    replayed = item.flag("replayed", False)
    status = item.text("status")
    if status == "applied":
        changed = item.value.get("changed_fields")
        return MutationApplied(
            op_id,
            item.integer("rev"),
            item.optional_record("record"),
            replayed,
            None if changed is None else frozenset(item.texts("changed_fields")),
        )
    if status == "conflict":
        try:
            kind = ConflictKind(item.text("kind"))
        except ValueError:
            raise MalformedAnswer(f"{item.where}.kind") from None
        return MutationConflict(
            op_id,
            kind,
            item.optional_integer("rev"),
            item.optional_record("record"),
            item.mapping_of("field_revs", int),
            tuple(item.texts("conflicting_fields", optional=True)),
            replayed,
        )
    if status == "rejected":
        return MutationRejected(
            op_id,
            item.text("code"),
            item.optional_text("message") or "",
            item.mapping_of("field_errors", str),
            replayed,
        )
    raise MalformedAnswer(f"{item.where}.status")


def _push_results(mutations: Sequence[Mutation]) -> Callable[[Any], list[MutationResult]]:
    """The reader of a push answer: one result per mutation, in order, for the same op ids."""

    def read(body: Any) -> list[MutationResult]:
        items = _Object(body, "mutations").records("results")
        if len(items) != len(mutations):
            raise MalformedAnswer("mutations.results")
        results = [_mutation_result(_Object(item, f"results[{i}]")) for i, item in enumerate(items)]
        for index, (mutation, result) in enumerate(zip(mutations, results, strict=True)):
            if result.op_id != mutation.op_id:
                raise MalformedAnswer(f"results[{index}].op_id")
        return results

    return read


def _transaction_page(body: Any) -> TransactionPage:
    answer = _Object(body, "transactions")
    return TransactionPage(
        transactions=answer.records("transactions"),
        has_more=answer.flag("has_more"),
        next_before=answer.optional_text("next_before"),
    )


def _device_status(body: Any) -> DeviceStatus:
    answer = _Object(body, "device")
    status = answer.text("status")
    if status == "active":
        return DeviceStatus("active", answer.flag("wipe"))
    if status == "revoked":
        return DeviceStatus("revoked", answer.flag("wipe"))
    raise MalformedAnswer("device.status")


def _health(body: Any) -> Health:
    answer = _Object(body, "health")
    return Health(answer.text("status"), answer.optional_text("server_time"))


def _nothing(_body: Any) -> None:
    return None


# --- the client --------------------------------------------------------------------------------


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class ApiClient:
    """The client of API.md for one device, used by one thread at a time.

    Args:
        base_url: The server's address, e.g. ``https://crm-sync.bank.example``; the API's base
            path ``/api/v1`` is added unless the address already ends with it.
        transport: An httpx transport to use instead of the network (tests).
        verify: ``True`` for the operating system's trust store, or the path of the bank's CA
            bundle (PEM). Verification cannot be turned off.
        timeout: Connect and read timeouts; 5 s and 30 s when omitted.
        device_id: This installation's id, sent on sign-in and on every request.
        device_name: A name for people (the computer's name), sent on sign-in.
        clock: The current time (UTC); tests pass a fake clock.

    Raises:
        ConfigError: The address is not ``https://`` (nor ``http://`` on a loopback host) or
            carries a password, or the CA bundle cannot be read, or ``verify`` is neither
            ``True`` nor a path.
    """

    def __init__(
        self,
        base_url: str,
        *,
        transport: httpx.BaseTransport | None = None,
        verify: Literal[True] | str | os.PathLike[str] = True,
        timeout: Timeouts | None = None,
        device_id: str,
        device_name: str,
        clock: Callable[[], datetime],
    ) -> None:
        if verify is not True and not isinstance(verify, str | os.PathLike):
            raise ConfigError("TLS verification cannot be turned off.")
        root = base_url.strip().rstrip("/")
        try:
            url = httpx.URL(root)
        except httpx.InvalidURL:
            raise ConfigError("The server address is not a valid web address.") from None
        if url.userinfo:
            raise ConfigError("The server address must not contain a user name or password.")
        tls: ssl.SSLContext | bool
        if url.scheme == "http" and _is_loopback(url.host):
            tls = False  # plain HTTP on this computer: there is no TLS to verify
        elif url.scheme == "https" and url.host:
            # A transport of the caller's (tests) does its own TLS: no trust store to load.
            tls = True if transport is not None else _tls_context(verify)
        else:
            raise ConfigError(
                "The server address must start with https:// (plain http:// only for this "
                "computer itself)."
            )
        if not root.endswith(API_PREFIX):
            root += API_PREFIX
        timeouts = timeout or Timeouts()
        self._base_url = root
        self.device_id = device_id
        self.device_name = device_name
        self._clock = clock
        self._session: Session | None = None
        self._last_contact: datetime | None = None
        self._http = httpx.Client(
            base_url=root,
            transport=transport,
            verify=tls,
            timeout=httpx.Timeout(
                connect=timeouts.connect,
                read=timeouts.read,
                write=timeouts.read,
                pool=timeouts.connect,
            ),
            follow_redirects=False,
            headers={
                "Accept": "application/json",
                "Accept-Encoding": "gzip",
                "User-Agent": f"rm-desk/{__version__}",
                "X-Device-Id": device_id,
            },
        )

    def __repr__(self) -> str:
        return (
            f"ApiClient(base_url={self._base_url!r}, device_id={self.device_id!r}, "
            f"signed_in={self._session is not None})"
        )

    def close(self) -> None:
        """Close the connections."""
        self._http.close()

    def __enter__(self) -> ApiClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def session(self) -> Session | None:
        """The current session, or ``None`` when signed out."""
        return self._session

    @property
    def last_contact_at(self) -> datetime | None:
        """When the server last answered a call successfully (for the offline lease)."""
        return self._last_contact

    # --- identity and session (API.md §1) ------------------------------------------------------

    def login(self, username: str, password: str) -> Session:
        """Sign in with a password (``POST /auth/token``); the password is not kept.

        Raises:
            BadCredentials: ``401 bad_credentials``.
            AccountLocked: ``423 account_locked``.
            DeviceRevoked: This device was revoked.
            SyncError: Any other failure.
        """
        body = {
            "username": username,
            "password": password,
            "device_id": self.device_id,
            "device_name": self.device_name,
        }
        session = self._exchange("POST", "/auth/token", body, self._session_from, auth=False)
        self._session = session
        return session

    def resume(self, refresh_token: str) -> Session:
        """Resume a session from a stored refresh token: a refresh, with no access token yet.

        Raises:
            SessionExpired: ``invalid_grant``: signed out.
            DeviceRevoked: This device was revoked: signed out.
            SyncError: Any other failure; nothing changes.
        """
        return self._refresh(refresh_token)

    def refresh(self) -> Session:
        """Get a new access token with the session's refresh token (``POST /auth/refresh``).

        Raises:
            SessionExpired: Not signed in, or ``invalid_grant``: signed out.
            DeviceRevoked: This device was revoked: signed out.
            SyncError: Any other failure; the session is kept.
        """
        if self._session is None:
            raise SessionExpired()
        return self._refresh(self._session.refresh_token)

    def logout(self) -> None:
        """End the session on the server (``POST /auth/logout``) and forget it here.

        The session is forgotten even when the server cannot be told; the error is raised after.
        """
        session = self._session
        if session is None:
            return
        try:
            self._call("POST", "/auth/logout", {"refresh_token": session.refresh_token}, _nothing)
        finally:
            self._session = None

    def me(self) -> MeInfo:
        """``GET /me``: the user, the permissions, and the policy (API.md defaults for members
        the server leaves out)."""
        return self._call("GET", "/me", None, _me)

    # --- pull and push (API.md §2, §3) -----------------------------------------------------------

    def changes(self, cursor: str | None = None, limit: int | None = None) -> FeedPage:
        """One page of the change feed after ``cursor`` (``None``: from the beginning).

        Raises:
            CursorExpired: ``410 cursor_expired``: the caller runs a replacement sync.
        """
        params: dict[str, str | int] = {}
        if cursor is not None:
            params["cursor"] = cursor
        if limit is not None:
            params["limit"] = limit
        # Streamed: the body is read by _decode and kept by no response object. httpx's
        # responses sit in reference cycles, which a pull leaves to the young collections only
        # (see rm_desk.sync.pull): a page's 2 MB body held by one would outlive it.
        return self._call(
            "GET", "/changes", None, _feed_page, params=params, loads=decode_feed_body, stream=True
        )

    def push(self, mutations: Sequence[Mutation]) -> list[MutationResult]:
        """Send up to 200 mutations; one result each, in the same order.

        Raises:
            ValueError: More than :data:`MAX_MUTATIONS` mutations (the caller batches).
            IdempotencyMismatch: An ``op_id`` was sent before with another body; nothing of the
                batch was applied.
            ProtocolError: The results do not answer the mutations one for one, in order.
        """
        if len(mutations) > MAX_MUTATIONS:
            raise ValueError(f"at most {MAX_MUTATIONS} mutations per push, got {len(mutations)}")
        if not mutations:
            return []
        body = {"mutations": [mutation.to_wire() for mutation in mutations]}
        return self._call("POST", "/mutations", body, _push_results(mutations))

    # --- other calls (API.md §4) -----------------------------------------------------------------

    def reveal(
        self, customer_id: str, field: str, reason: str, *, account_id: str | None = None
    ) -> str:
        """The full value of one masked field (online only, audited by the server).

        ``account_id`` names the account for ``field="account_number"``. The value is C2 data:
        show it, never store or log it.

        Raises:
            PermissionDenied: The user lacks ``pii.reveal``.
            NotFound: No such customer in the user's book.
        """
        body = {"field": field, "reason": reason}
        if account_id is not None:
            body["account_id"] = account_id
        path = f"/customers/{quote(customer_id, safe='')}/reveal"
        return self._call(
            "POST", path, body, lambda answer: _Object(answer, "reveal").text("value")
        )

    def older_transactions(
        self, customer_id: str, before: str | None = None, limit: int = 200
    ) -> TransactionPage:
        """Transactions older than ``before`` (RFC 3339; ``None``: the newest), online only."""
        params: dict[str, str | int] = {"limit": limit}
        if before is not None:
            params["before"] = before
        path = f"/customers/{quote(customer_id, safe='')}/transactions"
        return self._call("GET", path, None, _transaction_page, params=params)

    def upload_audit(self, events: Sequence[Mapping[str, Any]]) -> int:
        """Upload audit events (their wire form); return ``acked_seq``, the highest sequence
        number the server keeps.

        Raises:
            ValueError: More than :data:`MAX_AUDIT_EVENTS` events (the caller batches).
            RequestRejected: The server refused the upload (``422`` for an event that breaks the
                hash chain, with ``field_errors`` naming it; ``413`` for a body too large).
        """
        if len(events) > MAX_AUDIT_EVENTS:
            raise ValueError(f"at most {MAX_AUDIT_EVENTS} events per upload, got {len(events)}")
        body = {"events": [dict(event) for event in events]}
        return self._call(
            "POST", "/audit", body, lambda answer: _Object(answer, "audit").integer("acked_seq")
        )

    def device_status(self) -> DeviceStatus:
        """``GET /device``: whether this device is active, or revoked and to be wiped."""
        return self._call("GET", "/device", None, _device_status)

    def health(self) -> Health:
        """``GET /health``, no sign-in needed: whether the server is alive."""
        return self._exchange("GET", "/health", None, _health, auth=False)

    # --- the exchange ----------------------------------------------------------------------------

    def _call(
        self,
        method: str,
        path: str,
        body: Any,
        read: Callable[[Any], _T],
        *,
        params: Mapping[str, str | int] | None = None,
        loads: Callable[[bytes], Any] = orjson.loads,
        stream: bool = False,
    ) -> _T:
        """An authenticated call: on ``401 token_expired``, refresh once and send it once more.

        Any :class:`AuthError` ends the session here too: its words tell the user to sign in.
        ``loads`` decodes the body of a success; with ``stream`` the body is read as it is decoded
        and the response object never holds it.
        """
        try:
            with convert_errors():
                response = self._send(method, path, body, params=params, auth=True, stream=stream)
                try:
                    if (
                        response.status_code == 401
                        and self._facts(response).code == "token_expired"
                    ):
                        response.close()
                        self.refresh()
                        response = self._send(
                            method, path, body, params=params, auth=True, stream=stream
                        )
                    return read(self._decode(response, loads))
                finally:
                    response.close()
        except AuthError:
            self._session = None
            raise

    def _exchange(
        self,
        method: str,
        path: str,
        body: Any,
        read: Callable[[Any], _T],
        *,
        auth: bool,
    ) -> _T:
        """One request and its answer, read by ``read``, every failure converted."""
        with convert_errors():
            return read(self._decode(self._send(method, path, body, auth=auth)))

    def _send(
        self,
        method: str,
        path: str,
        body: Any,
        *,
        auth: bool,
        params: Mapping[str, str | int] | None = None,
        stream: bool = False,
    ) -> httpx.Response:
        """The answer to one request; with ``stream``, its body is still to be read (and the
        caller closes it)."""
        headers: dict[str, str] = {}
        if auth:
            if self._session is None:
                raise SessionExpired()
            headers["Authorization"] = f"Bearer {self._session.access_token}"
        content = None
        if body is not None:
            content = orjson.dumps(body)
            headers["Content-Type"] = "application/json"
        request = self._http.build_request(
            method, path, content=content, params=dict(params or {}), headers=headers
        )
        return self._http.send(request, stream=stream)

    def _decode(
        self, response: httpx.Response, loads: Callable[[bytes], Any] = orjson.loads
    ) -> Any:
        """The body of a success decoded by ``loads`` (``None`` when empty); an
        :class:`ErrorAnswer` for any other answer."""
        if not response.is_success:
            raise ErrorAnswer(self._facts(response))
        # One chunk, the very bytes, for an answer read already; a streamed one is read here.
        content = b"".join(response.iter_bytes())
        self._last_contact = self._clock()
        if not content:
            return None
        return loads(content)

    def _facts(self, response: httpx.Response) -> ProblemFacts:
        """The machine facts of an error answer: the RFC 9457 ``code`` when the body is a problem
        document (any other body gives none), ``field_errors``, ``wipe`` and ``Retry-After``."""
        try:
            body = orjson.loads(response.read())
        except orjson.JSONDecodeError:
            body = None
        code: str | None = None
        wipe = False
        field_errors: dict[str, str] = {}
        if isinstance(body, dict):
            raw_code = body.get("code")
            if isinstance(raw_code, str) and _CODE_PATTERN.fullmatch(raw_code):
                code = raw_code
            wipe = body.get("wipe") is True
            raw_errors = body.get("field_errors")
            if isinstance(raw_errors, dict):
                field_errors = {
                    str(key): value for key, value in raw_errors.items() if isinstance(value, str)
                }
        return ProblemFacts(
            status=response.status_code,
            code=code,
            retry_after=self._retry_after(response.headers.get("Retry-After")),
            field_errors=MappingProxyType(field_errors),
            wipe=wipe,
        )

    def _retry_after(self, value: str | None) -> float | None:
        """Seconds from a ``Retry-After`` header: a number of seconds, or an HTTP date."""
        if value is None:
            return None
        value = value.strip()
        if value.isdigit():
            return float(value)
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        return max(0.0, (when - self._clock()).total_seconds())

    def _refresh(self, refresh_token: str) -> Session:
        body = {"refresh_token": refresh_token, "device_id": self.device_id}
        try:
            session = self._exchange("POST", "/auth/refresh", body, self._session_from, auth=False)
        except AuthError:
            self._session = None  # the session is over: the user signs in again
            raise
        self._session = session
        return session

    def _session_from(self, body: Any) -> Session:
        answer = _Object(body, "token")
        expires_in = answer.integer("expires_in")
        return Session(
            user=_user(answer),
            expires_at=self._clock() + timedelta(seconds=expires_in),
            access_token=answer.text("access_token"),
            refresh_token=answer.text("refresh_token"),
        )


def _tls_context(verify: object) -> ssl.SSLContext:
    """The TLS context: the system's trust store, or the bank's CA bundle. Never unverified."""
    if verify is True:
        return ssl.create_default_context()
    if not isinstance(verify, str | os.PathLike):
        raise ConfigError("TLS verification cannot be turned off.")
    try:
        return ssl.create_default_context(cafile=os.fspath(verify))
    except (OSError, ssl.SSLError):
        raise ConfigError("The bank's CA certificate file cannot be read.") from None


__all__ = [
    "API_PREFIX",
    "MAX_AUDIT_EVENTS",
    "MAX_MUTATIONS",
    "ApiClient",
    "DeviceStatus",
    "FeedPage",
    "Health",
    "MeInfo",
    "Mutation",
    "MutationApplied",
    "MutationConflict",
    "MutationRejected",
    "MutationResult",
    "Policy",
    "Session",
    "Timeouts",
    "User",
]
