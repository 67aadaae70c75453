"""Errors as RFC 9457 problem documents, for every 4xx and 5xx the server answers.

A problem body is ``{"type", "title", "status", "detail", "code", …}`` with
``Content-Type: application/problem+json``; ``code`` is one of :class:`Code`, the machine words of
API.md, and extra members (``field_errors``, ``wipe``) follow. Handlers here turn everything that
can go wrong into such a body: :class:`ProblemError` raised by the server's own code, FastAPI's
request validation (``validation_error`` with ``field_errors``), Starlette's 404 and 405, a busy
database (``503`` with ``Retry-After``) and any other exception (``500``, no details).

Messages never carry request values: they may be personal data.

::

    Exception
     └── ProblemError(status, code, detail)   answered as a problem document
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from sqlalchemy.exc import DBAPIError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

PROBLEM_MEDIA_TYPE = "application/problem+json"
_TYPE_PREFIX = "urn:rm-desk:problem:"

log = logging.getLogger(__name__)


class Code(StrEnum):
    """Machine codes of problem documents (API.md's codes, then HTTP-level ones)."""

    BAD_CREDENTIALS = "bad_credentials"
    ACCOUNT_LOCKED = "account_locked"
    INVALID_GRANT = "invalid_grant"
    DEVICE_REVOKED = "device_revoked"
    TOKEN_EXPIRED = "token_expired"
    CURSOR_EXPIRED = "cursor_expired"
    VALIDATION_ERROR = "validation_error"
    FIELD_NOT_EDITABLE = "field_not_editable"
    FORBIDDEN = "forbidden"
    NOT_FOUND = "not_found"
    IDEMPOTENCY_MISMATCH = "idempotency_mismatch"
    UNAUTHORIZED = "unauthorized"
    INVALID_TOKEN = "invalid_token"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    PAYLOAD_TOO_LARGE = "payload_too_large"
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type"
    RATE_LIMITED = "rate_limited"
    SERVICE_UNAVAILABLE = "service_unavailable"
    INTERNAL_ERROR = "internal_error"


TITLES: Mapping[Code, str] = {
    Code.BAD_CREDENTIALS: "Wrong username or password",
    Code.ACCOUNT_LOCKED: "Account locked",
    Code.INVALID_GRANT: "Session no longer valid",
    Code.DEVICE_REVOKED: "Device revoked",
    Code.TOKEN_EXPIRED: "Access token expired",
    Code.CURSOR_EXPIRED: "Feed cursor expired",
    Code.VALIDATION_ERROR: "Invalid request",
    Code.FIELD_NOT_EDITABLE: "Field not editable",
    Code.FORBIDDEN: "Not allowed",
    Code.NOT_FOUND: "Not found",
    Code.IDEMPOTENCY_MISMATCH: "Operation id reused with a different body",
    Code.UNAUTHORIZED: "Sign-in required",
    Code.INVALID_TOKEN: "Access token not recognised",
    Code.METHOD_NOT_ALLOWED: "Method not allowed",
    Code.PAYLOAD_TOO_LARGE: "Request body too large",
    Code.UNSUPPORTED_MEDIA_TYPE: "Unsupported content encoding",
    Code.RATE_LIMITED: "Too many requests",
    Code.SERVICE_UNAVAILABLE: "Service busy",
    Code.INTERNAL_ERROR: "Internal server error",
}


class ProblemError(Exception):
    """An error the server answers with a problem document.

    Args:
        status: HTTP status.
        code: Machine code.
        detail: What went wrong, for people; never request values.
        headers: Extra response headers (``Retry-After``, ``WWW-Authenticate``).
        extra: Extra members of the problem document (``field_errors``, ``wipe``).
    """

    def __init__(
        self,
        status: int,
        code: Code,
        detail: str,
        *,
        headers: Mapping[str, str] | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.headers = dict(headers or {})
        self.extra = dict(extra or {})


def problem_body(
    status: int, code: Code, detail: str, extra: Mapping[str, Any] | None = None
) -> bytes:
    """The JSON bytes of a problem document."""
    document: dict[str, Any] = {
        "type": _TYPE_PREFIX + code.value,
        "title": TITLES[code],
        "status": status,
        "detail": detail,
        "code": code.value,
    }
    document.update(extra or {})
    return orjson.dumps(document)


def problem_response(
    status: int,
    code: Code,
    detail: str,
    *,
    headers: Mapping[str, str] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> Response:
    """A problem document as a response."""
    return Response(
        problem_body(status, code, detail, extra),
        status_code=status,
        headers=dict(headers or {}),
        media_type=PROBLEM_MEDIA_TYPE,
    )


def field_path(location: Sequence[int | str]) -> str:
    """Turn a pydantic error location into a path: ``("body", "mutations", 3, "op")`` →
    ``mutations[3].op``; the leading ``body`` / ``query`` / ``path`` part is dropped."""
    parts = list(location)
    if parts and parts[0] in ("body", "query", "path", "header"):
        parts = parts[1:]
    path = ""
    for part in parts:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path or "body"


def install_problem_handlers(app: FastAPI) -> None:
    """Register the handlers that answer every error with a problem document."""
    app.add_exception_handler(ProblemError, _on_problem)
    app.add_exception_handler(RequestValidationError, _on_validation)
    app.add_exception_handler(StarletteHTTPException, _on_http)
    app.add_exception_handler(DBAPIError, _on_database)
    app.add_exception_handler(Exception, _on_unexpected)


async def _on_problem(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ProblemError)
    return problem_response(exc.status, exc.code, exc.detail, headers=exc.headers, extra=exc.extra)


async def _on_validation(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = list(exc.errors())
    if any(error.get("type") == "json_invalid" for error in errors):
        return problem_response(400, Code.VALIDATION_ERROR, "The request body is not valid JSON.")
    field_errors: dict[str, str] = {}
    for error in errors:
        # "msg" describes the rule broken; "input" (the value) is left out on purpose.
        field_errors.setdefault(field_path(error.get("loc", ())), str(error.get("msg", "")))
    return problem_response(
        422,
        Code.VALIDATION_ERROR,
        "The request does not match the contract.",
        extra={"field_errors": field_errors},
    )


_HTTP_CODES: Mapping[int, Code] = {
    400: Code.VALIDATION_ERROR,
    401: Code.UNAUTHORIZED,
    403: Code.FORBIDDEN,
    404: Code.NOT_FOUND,
    405: Code.METHOD_NOT_ALLOWED,
    413: Code.PAYLOAD_TOO_LARGE,
    415: Code.UNSUPPORTED_MEDIA_TYPE,
    422: Code.VALIDATION_ERROR,
    429: Code.RATE_LIMITED,
}


async def _on_http(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    code = _HTTP_CODES.get(exc.status_code, Code.INTERNAL_ERROR)
    detail = {
        Code.NOT_FOUND: "There is nothing at this address.",
        Code.METHOD_NOT_ALLOWED: "This address does not accept this method.",
    }.get(code, str(exc.detail))
    return problem_response(exc.status_code, code, detail, headers=exc.headers)


async def _on_database(request: Request, exc: Exception) -> Response:
    if isinstance(exc, OperationalError) and _is_busy(exc):
        return problem_response(
            503,
            Code.SERVICE_UNAVAILABLE,
            "The database is busy; try again shortly.",
            headers={"Retry-After": "1"},
        )
    return await _on_unexpected(request, exc)


async def _on_unexpected(request: Request, exc: Exception) -> Response:
    _log_unexpected(request.method, request.url.path, exc)
    return _internal_error()


def _internal_error() -> Response:
    return problem_response(500, Code.INTERNAL_ERROR, "The server failed to answer this request.")


def _log_unexpected(method: str, path: str, exc: BaseException) -> None:
    # The frames, not the message: an exception's text may quote request values (personal data).
    frames = "".join(traceback.format_tb(exc.__traceback__))
    log.error("unexpected %s on %s %s\n%s", type(exc).__name__, method, path, frames)


class UnexpectedErrorMiddleware:
    """Answer an exception no handler took with a ``500`` problem document, and log it without
    its message. (Starlette's own last-resort handler re-raises, so the server would log the
    message too.)"""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watch(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except Exception as exc:
            _log_unexpected(scope.get("method", ""), scope.get("path", ""), exc)
            if started:
                raise  # too late for a problem document; the connection is dropped
            await _internal_error()(scope, receive, send)


def _is_busy(exc: OperationalError) -> bool:
    text = str(exc.orig).lower()
    busy_words = ("database is locked", "database is busy", "deadlock", "could not serialize")
    return any(word in text for word in busy_words)
