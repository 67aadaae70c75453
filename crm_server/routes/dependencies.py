"""What routes ask FastAPI for: the server's parts and the signed-in user.

Every authenticated call checks its bearer token, then counts against the user's rate limit.
A revoked device's token is answered ``403 device_revoked`` everywhere but ``GET /device``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from crm_server.scope import Principal
from crm_server.services import Services
from crm_server.sessions import device_revoked_problem
from crm_server.wire import Problem

_bearer = HTTPBearer(auto_error=False, description="An access token from POST /auth/token.")


def get_services(request: Request) -> Services:
    """The server's parts, kept on the app."""
    services = request.app.state.services
    assert isinstance(services, Services)
    return services


ServicesDep = Annotated[Services, Depends(get_services)]
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


def signed_in_any_device(services: ServicesDep, credentials: Credentials) -> Principal:
    """The signed-in user, even on a revoked device (only ``GET /device`` uses this)."""
    authenticated = services.sessions.authenticate(
        credentials.credentials if credentials is not None else None
    )
    services.rate_limiter.check(authenticated.principal.user_id)
    return authenticated.principal


def signed_in(services: ServicesDep, credentials: Credentials) -> Principal:
    """The signed-in user of an active device."""
    authenticated = services.sessions.authenticate(
        credentials.credentials if credentials is not None else None
    )
    if authenticated.device_revoked:
        raise device_revoked_problem()
    services.rate_limiter.check(authenticated.principal.user_id)
    return authenticated.principal


SignedIn = Annotated[Principal, Depends(signed_in)]
SignedInAnyDevice = Annotated[Principal, Depends(signed_in_any_device)]


def problems(*codes: tuple[int, str]) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for problem answers: each status with the codes it may carry."""
    by_status: dict[int, list[str]] = {}
    for status, code in codes:
        by_status.setdefault(status, []).append(code)
    return {
        status: {
            "model": Problem,
            "description": "Problem document; code: " + ", ".join(sorted(names)),
            "content": {"application/problem+json": {}},
        }
        for status, names in sorted(by_status.items())
    }


AUTHENTICATED_PROBLEMS = (
    (401, "unauthorized"),
    (401, "invalid_token"),
    (401, "token_expired"),
    (403, "device_revoked"),
    (429, "rate_limited"),
)
"""Problems every authenticated call may answer."""

REQUEST_PROBLEMS = (
    (400, "validation_error"),
    (413, "payload_too_large"),
    (415, "unsupported_media_type"),
    (503, "service_unavailable"),
)
"""Problems any call may answer besides its own (``app.py`` declares them on every route): a
body that is not JSON, or NUL in the request (``request_body.py``), a body too large or in an
unknown encoding, a busy database. A call's own ``responses`` replace these per status."""
