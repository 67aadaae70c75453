"""Identity and session (API.md §1): ``/auth/token``, ``/auth/refresh``, ``/auth/logout``,
``/me`` and ``/device``."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from crm_server.responses import JsonResponse
from crm_server.routes.dependencies import (
    AUTHENTICATED_PROBLEMS,
    ServicesDep,
    SignedIn,
    SignedInAnyDevice,
    problems,
)
from crm_server.wire import (
    DeviceAnswer,
    LogoutRequest,
    MeAnswer,
    RefreshRequest,
    TokenAnswer,
    TokenRequest,
)

router = APIRouter(tags=["identity and session"])


@router.post(
    "/auth/token",
    response_model=TokenAnswer,
    responses=problems(
        (401, "bad_credentials"),
        (403, "device_revoked"),
        (422, "validation_error"),
        (423, "account_locked"),
    ),
)
def sign_in(body: TokenRequest, services: ServicesDep) -> Response:
    """Sign in with a password on a device; answers an access and a refresh token."""
    answer = services.sessions.sign_in(
        body.username, body.password, body.device_id, body.device_name
    )
    return JsonResponse(answer, headers={"Cache-Control": "no-store"})


@router.post(
    "/auth/refresh",
    response_model=TokenAnswer,
    responses=problems((401, "invalid_grant"), (403, "device_revoked"), (422, "validation_error")),
)
def refresh(body: RefreshRequest, services: ServicesDep) -> Response:
    """Get a new access token with the refresh token of a live session."""
    answer = services.sessions.refresh(body.refresh_token, body.device_id)
    return JsonResponse(answer, headers={"Cache-Control": "no-store"})


@router.post(
    "/auth/logout",
    status_code=204,
    response_class=Response,
    responses=problems((422, "validation_error")),
)
def sign_out(body: LogoutRequest, services: ServicesDep) -> Response:
    """End the session of a refresh token (unknown tokens too: signing out twice is fine)."""
    services.sessions.sign_out(body.refresh_token)
    return Response(status_code=204)


@router.get("/me", response_model=MeAnswer, responses=problems(*AUTHENTICATED_PROBLEMS))
def me(principal: SignedIn, services: ServicesDep) -> Response:
    """The signed-in user, their permissions and the policy the client must obey."""
    return JsonResponse(
        {
            "user": {
                "id": principal.user_id,
                "name": principal.name,
                "role": principal.role.value,
                "team_id": principal.team_id,
                "branch_id": principal.branch_id,
            },
            "permissions": sorted(principal.permissions),
            "policy": dict(services.settings.policy),
        }
    )


@router.get(
    "/device",
    response_model=DeviceAnswer,
    responses=problems(*(p for p in AUTHENTICATED_PROBLEMS if p[1] != "device_revoked")),
)
def device_state(principal: SignedInAnyDevice, services: ServicesDep) -> Response:
    """Whether this device is still active, or revoked and to be wiped."""
    status, wipe = services.sessions.device_state(principal)
    return JsonResponse({"status": status, "wipe": wipe})
