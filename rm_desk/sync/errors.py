"""What can go wrong talking to the bank's server, in words for people, and the one place that
turns httpx's errors and the server's problem documents into them (:func:`convert_errors`).

::

    RmDeskError                         rm_desk.errors
    └── SyncError                       talking to the bank's server failed      retryable
        ├── Offline                     no connection: refused, DNS, reset, timeout    yes
        ├── UntrustedServer             TLS certificate not verified                   yes
        ├── ServerUnavailable           5xx, 408; 503 with retry_after                 yes
        ├── RateLimited                 429 rate_limited, retry_after from Retry-After yes
        ├── ProtocolError               an answer that cannot be read: malformed,      yes
        │                               truncated or non-JSON body (a proxy's HTML
        │                               page), a problem without a code, a wrong-typed
        │                               field in an envelope, the wrong results
        ├── AuthError                   signing in or staying signed in                no
        │   ├── BadCredentials          401 bad_credentials
        │   ├── AccountLocked           423 account_locked (retry_after when given)
        │   ├── SessionExpired          401 invalid_grant, invalid_token, unauthorized,
        │   │                           or token_expired again after one refresh
        │   └── DeviceRevoked(wipe)     403 device_revoked; wipe: erase the local cache
        ├── CursorExpired               410 cursor_expired: run a replacement sync     no
        ├── PermissionDenied            403 forbidden                                  no
        ├── NotFound                    404 not_found                                  no
        └── RequestRejected             any other 4xx (400, 412, 413, 422 …)           no
            └── IdempotencyMismatch     422 idempotency_mismatch

``retryable`` says whether the sync loop may simply try again later (with backoff, and never
sooner than ``retry_after`` seconds when the server said so). Nothing answered 400, 403, 412 or
422 is retried.

Titles and messages are fixed English text (translated by the GUI through ``tr()`` with the
context ``"errors"``): never a response body, a token, a password or customer data. The machine
facts (``status``, ``code``, ``field_errors``, ``cause``: the name of the library exception) are
attributes for logs and the sync issues list. The library exception is not chained
(``__cause__`` and ``__context__`` are cleared): httpx keeps the request, with its
``Authorization`` header and body, on its exceptions, and a JSON decode error keeps the body.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, ClassVar

import orjson

from rm_desk.errors import RmDeskError

if TYPE_CHECKING:
    import httpx


class SyncError(RmDeskError):
    """Talking to the bank's server failed.

    Args:
        message: Words for people; the class's own when omitted.
        status: The HTTP status, when there was an answer.
        code: The problem document's machine code, when there was one.
        retry_after: Seconds to wait before trying again, when the server said so.
        cause: The name of the library exception, for logs.
    """

    title = "Sync problem"
    default_message: ClassVar[str] = (
        "RM Desk could not complete the exchange with the bank's server. Your changes are kept "
        "on this computer."
    )
    retryable: ClassVar[bool] = True

    def __init__(
        self,
        message: str | None = None,
        *,
        status: int | None = None,
        code: str | None = None,
        retry_after: float | None = None,
        cause: str | None = None,
    ) -> None:
        super().__init__(self.default_message if message is None else message)
        self.status = status
        self.code = code
        self.retry_after = retry_after
        self.cause = cause

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(status={self.status!r}, code={self.code!r}, "
            f"retry_after={self.retry_after!r}, cause={self.cause!r})"
        )


class Offline(SyncError):
    title = "Offline"
    default_message = (
        "RM Desk cannot reach the bank's server. You can keep working; your changes are kept on "
        "this computer and sent when the connection is back."
    )


_TIMEOUT_MESSAGE = (
    "The bank's server did not answer in time. You can keep working; your changes are kept on "
    "this computer and sent later."
)
_INTERRUPTED_MESSAGE = (
    "The connection to the bank's server was interrupted. Your changes are kept on this "
    "computer and sent again."
)


class UntrustedServer(SyncError):
    title = "Connection not secure"
    default_message = (
        "RM Desk could not verify the identity of the bank's server, so it did not connect. If "
        "this keeps happening on the bank's network, contact IT."
    )


class ServerUnavailable(SyncError):
    title = "Server unavailable"
    default_message = (
        "The bank's server is busy or unavailable. RM Desk will try again shortly; your changes "
        "are kept."
    )


class RateLimited(SyncError):
    title = "Server busy"
    default_message = (
        "The bank's server asked RM Desk to slow down. It will try again shortly; your changes "
        "are kept."
    )


class ProtocolError(SyncError):
    title = "Unexpected answer"
    default_message = (
        "The bank's server sent an answer RM Desk could not read. RM Desk will try again; if this "
        "keeps happening, contact IT."
    )


class AuthError(SyncError):
    title = "Sign-in problem"
    default_message = "RM Desk could not sign you in. Please sign in again."
    retryable = False


class BadCredentials(AuthError):
    title = "Sign-in failed"
    default_message = "The username or password is wrong."


class AccountLocked(AuthError):
    title = "Account locked"
    default_message = (
        "Too many failed sign-ins. The account is locked for a while; try again later or contact "
        "IT."
    )


class SessionExpired(AuthError):
    title = "Signed out"
    default_message = "Your session has ended. Please sign in again; your changes are kept."


_WIPE_MESSAGE = (
    "This computer may no longer use RM Desk with the bank's server. Its local data will be "
    "erased. Contact IT."
)


class DeviceRevoked(AuthError):
    """This device may no longer sync; with ``wipe`` its local cache must be erased."""

    title = "Device revoked"
    default_message = "This computer may no longer use RM Desk with the bank's server. Contact IT."

    def __init__(self, *, wipe: bool, status: int | None = None, code: str | None = None) -> None:
        super().__init__(_WIPE_MESSAGE if wipe else None, status=status, code=code)
        self.wipe = wipe

    def __repr__(self) -> str:
        return f"DeviceRevoked(wipe={self.wipe!r}, status={self.status!r})"


class CursorExpired(SyncError):
    title = "Full sync needed"
    default_message = (
        "The bank's server can no longer send only the latest changes. RM Desk will download your "
        "book again; your unsent changes are kept."
    )
    retryable = False


class PermissionDenied(SyncError):
    title = "Not allowed"
    default_message = "You do not have permission for this action."
    retryable = False


class NotFound(SyncError):
    title = "Not found"
    default_message = "The bank's server no longer has this record, or it is not in your book."
    retryable = False


class RequestRejected(SyncError):
    """The server refused the request as it stands; sending it again will not help.

    Args:
        field_errors: The problem document's ``field_errors`` (field path → rule broken).
    """

    title = "Request refused"
    default_message = (
        "The bank's server refused this request. It is kept in the sync issues list so nothing "
        "is lost."
    )
    retryable = False

    def __init__(
        self,
        message: str | None = None,
        *,
        status: int | None = None,
        code: str | None = None,
        field_errors: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message, status=status, code=code)
        self.field_errors: Mapping[str, str] = MappingProxyType(dict(field_errors or {}))


class IdempotencyMismatch(RequestRejected):
    title = "Change sent twice differently"
    default_message = (
        "The bank's server already received a different change under the same number. The "
        "change is kept in the sync issues list so nothing is lost."
    )


# --- what the client hands to convert_errors ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class ProblemFacts:
    """The machine facts of an error answer; never its text.

    Attributes:
        status: The HTTP status.
        code: The problem document's ``code``, or ``None`` when the body had none (or was not a
            problem document at all).
        retry_after: Seconds from the ``Retry-After`` header, when given and readable.
        field_errors: The problem's ``field_errors`` when it is an object of strings.
        wipe: The problem's ``wipe`` member is ``true``.
    """

    status: int
    code: str | None = None
    retry_after: float | None = None
    field_errors: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    wipe: bool = False


class ErrorAnswer(Exception):
    """Raised by the client for an answer that is not a success; only :func:`convert_errors`
    catches it, so it never reaches the rest of the app."""

    def __init__(self, facts: ProblemFacts) -> None:
        super().__init__(facts.status)
        self.facts = facts


class MalformedAnswer(Exception):
    """Raised by the client for a success whose body does not have the contract's shape; only
    :func:`convert_errors` catches it. ``what`` names the member, never its value."""

    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


# --- the one conversion ------------------------------------------------------------------------

_BY_CODE: Mapping[str, type[SyncError]] = MappingProxyType(
    {
        "bad_credentials": BadCredentials,
        "account_locked": AccountLocked,
        "invalid_grant": SessionExpired,
        "token_expired": SessionExpired,  # only reaches here after the one refresh and retry
        "invalid_token": SessionExpired,
        "unauthorized": SessionExpired,
        "cursor_expired": CursorExpired,
        "forbidden": PermissionDenied,
        "not_found": NotFound,
        "idempotency_mismatch": IdempotencyMismatch,
        "validation_error": RequestRejected,
        "field_not_editable": RequestRejected,
        "payload_too_large": RequestRejected,
        "unsupported_media_type": RequestRejected,
        "method_not_allowed": RequestRejected,
        "rate_limited": RateLimited,
        "service_unavailable": ServerUnavailable,
        "internal_error": ServerUnavailable,
    }
)
"""Problem codes of API.md (and the reference server's HTTP-level ones) → error class."""

_BY_STATUS: Mapping[int, type[SyncError]] = MappingProxyType(
    {
        401: SessionExpired,
        403: PermissionDenied,
        404: NotFound,
        410: CursorExpired,
        423: AccountLocked,
        429: RateLimited,
    }
)
"""Status → error class, for a problem whose code this client does not know."""


def error_for(facts: ProblemFacts) -> SyncError:
    """Return the error for an answer that is not a success.

    Checks, in order:

    1. a 5xx or 408: :class:`ServerUnavailable`, whatever the body (a proxy's HTML page too);
    2. a 429: :class:`RateLimited`, whatever the body;
    3. no problem code (an HTML page, a problem without ``code``): :class:`ProtocolError`;
    4. ``device_revoked``: :class:`DeviceRevoked` with the problem's ``wipe``;
    5. a code of API.md: its class;
    6. an unknown code: by status (401 signed out, 403 not allowed, 404, 410, 423, 429), and any
       other 4xx is :class:`RequestRejected`.

    ``retry_after`` is kept on every error; the sync loop honours it where the error is retryable.
    """
    status, code = facts.status, facts.code
    if status >= 500 or status == 408:
        return ServerUnavailable(status=status, code=code, retry_after=facts.retry_after)
    if status == 429:
        return RateLimited(status=status, code=code, retry_after=facts.retry_after)
    if code is None:
        return ProtocolError(status=status)
    if code == "device_revoked":
        return DeviceRevoked(wipe=facts.wipe, status=status, code=code)
    kind = _BY_CODE.get(code) or _BY_STATUS.get(status, RequestRejected)
    if issubclass(kind, RequestRejected):
        return kind(status=status, code=code, field_errors=facts.field_errors)
    return kind(status=status, code=code, retry_after=facts.retry_after)


def _for_httpx(error: httpx.HTTPError) -> SyncError:
    import httpx

    cause = type(error).__name__
    if isinstance(error, httpx.DecodingError | httpx.TooManyRedirects):
        return ProtocolError(cause=cause)  # a gzip body that does not inflate, a redirect loop
    if isinstance(error, httpx.TimeoutException):
        return Offline(_TIMEOUT_MESSAGE, cause=cause)
    if isinstance(error, httpx.ConnectError) and _is_certificate_error(error):
        return UntrustedServer(cause=cause)
    if isinstance(error, httpx.ReadError | httpx.WriteError | httpx.RemoteProtocolError):
        return Offline(_INTERRUPTED_MESSAGE, cause=cause)
    return Offline(cause=cause)


def _is_certificate_error(error: BaseException) -> bool:
    import ssl

    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, ssl.SSLCertVerificationError):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


@contextmanager
def convert_errors() -> Iterator[None]:
    """Turn everything that can go wrong in an exchange into a :class:`SyncError`.

    Checks, in order:

    1. errors of the app's own tree pass through unchanged;
    2. :class:`ErrorAnswer` (an answer that is not a success): :func:`error_for`;
    3. :class:`MalformedAnswer` and JSON that does not decode: :class:`ProtocolError`;
    4. httpx errors: a gzip body that does not inflate (or a redirect loop) is a
       :class:`ProtocolError`; a certificate that does not verify is :class:`UntrustedServer`;
       timeouts, refused connections, DNS failures, proxies that fail, resets and connections
       closed mid-answer are :class:`Offline`.

    The converted error is raised with no link to the original, which may hold the request's
    ``Authorization`` header or the body (see the module docstring).
    """
    # Here, not at the top: the window names these errors at start-up, and only an exchange
    # (which has loaded the HTTP client already) needs httpx's.
    import httpx

    converted: SyncError | None = None
    try:
        yield
    except RmDeskError:
        raise
    except ErrorAnswer as answer:
        converted = error_for(answer.facts)
    except MalformedAnswer as malformed:
        converted = ProtocolError(cause=f"MalformedAnswer({malformed.what})")
    except orjson.JSONDecodeError:
        converted = ProtocolError(cause="JSONDecodeError")
    except httpx.HTTPError as error:
        converted = _for_httpx(error)
    if converted is not None:
        try:
            raise converted from None
        finally:
            converted.__context__ = None  # `from None` only hides it; drop it for good


__all__ = [
    "AccountLocked",
    "AuthError",
    "BadCredentials",
    "CursorExpired",
    "DeviceRevoked",
    "ErrorAnswer",
    "IdempotencyMismatch",
    "MalformedAnswer",
    "NotFound",
    "Offline",
    "PermissionDenied",
    "ProblemFacts",
    "ProtocolError",
    "RateLimited",
    "RequestRejected",
    "ServerUnavailable",
    "SessionExpired",
    "SyncError",
    "UntrustedServer",
    "convert_errors",
    "error_for",
]
