"""Upload of the client's audit log (API.md §4): ``POST /audit``."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from crm_server.audit_log import broken_event, store_client_events
from crm_server.problems import Code, ProblemError
from crm_server.responses import JsonResponse
from crm_server.routes.dependencies import AUTHENTICATED_PROBLEMS, ServicesDep, SignedIn, problems
from crm_server.wire import AuditAnswer, AuditUpload

router = APIRouter(tags=["audit"])


@router.post(
    "/audit",
    response_model=AuditAnswer,
    responses=problems(*AUTHENTICATED_PROBLEMS, (422, "validation_error")),
)
def upload_audit(body: AuditUpload, principal: SignedIn, services: ServicesDep) -> Response:
    """Store hash-chained audit events; answers the highest ``seq`` now safely stored."""
    events = sorted(body.events, key=lambda event: event.seq)
    broken = broken_event(events)
    if broken is not None:
        index = body.events.index(events[broken])
        detail = "hash does not match the event or its predecessor"
        raise ProblemError(
            422,
            Code.VALIDATION_ERROR,
            "An audit event breaks the hash chain; nothing was stored.",
            extra={"field_errors": {f"events[{index}].hash": detail}},
        )
    with services.database.write() as conn:
        acked = store_client_events(
            conn,
            user_id=principal.user_id,
            device_id=principal.device_id,
            events=events,
            now=services.settings.clock(),
        )
    return JsonResponse({"acked_seq": acked})
