"""Reference-server-only calls (API.md §4), mounted only with ``--dev``; loopback callers only.

They let tests and demos act as the bank's back office: edit a record, move a customer to another
RM, revoke a device, and count what happened (records per entity, ops applied once or twice).
"""

from __future__ import annotations

import ipaddress
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from sqlalchemy import func, select
from starlette.responses import Response

from crm_server.backoffice import edit_record, reassign_customer
from crm_server.problems import Code, ProblemError
from crm_server.responses import JsonResponse
from crm_server.routes.dependencies import ServicesDep, problems
from crm_server.schema import op_apply, record
from crm_server.wire import (
    DevEditAnswer,
    DevEditRequest,
    DevOpAnswer,
    DevReassignAnswer,
    DevReassignRequest,
    DevRevokeAnswer,
    DevRevokeRequest,
    DevStatsAnswer,
)


def loopback_only(request: Request) -> None:
    """Refuse callers that are not on this machine."""
    host = request.client.host if request.client is not None else ""
    try:
        local = ipaddress.ip_address(host).is_loopback
    except ValueError:
        local = host in ("localhost", "testclient")
    if not local:
        raise ProblemError(403, Code.FORBIDDEN, "Development calls answer loopback callers only.")


router = APIRouter(
    prefix="/dev", tags=["reference server only"], dependencies=[Depends(loopback_only)]
)


@router.post(
    "/edit",
    response_model=DevEditAnswer,
    responses=problems((403, "forbidden"), (404, "not_found"), (422, "validation_error")),
)
def dev_edit(body: DevEditRequest, services: ServicesDep) -> Response:
    """Change any field of a record (or delete it) as a back-office user would."""
    stored = edit_record(services.database, body.entity, body.id, body.fields, deleted=body.deleted)
    return JsonResponse({"rev": stored.rev, "record": stored.answer()})


@router.post(
    "/reassign",
    response_model=DevReassignAnswer,
    responses=problems((403, "forbidden"), (404, "not_found"), (422, "validation_error")),
)
def dev_reassign(body: DevReassignRequest, services: ServicesDep) -> Response:
    """Move a customer and all its records to another RM's book."""
    return JsonResponse(reassign_customer(services.database, body.customer_id, body.to_rm))


@router.post(
    "/revoke-device",
    response_model=DevRevokeAnswer,
    responses=problems((403, "forbidden"), (404, "not_found"), (422, "validation_error")),
)
def dev_revoke_device(body: DevRevokeRequest, services: ServicesDep) -> Response:
    """Revoke a device: its next refresh gets ``403 device_revoked`` with ``wipe``."""
    if not services.sessions.revoke_device(body.device_id):
        raise ProblemError(404, Code.NOT_FOUND, "No user has signed in on this device.")
    return JsonResponse({"device_id": body.device_id, "status": "revoked"})


@router.get("/stats", response_model=DevStatsAnswer, responses=problems((403, "forbidden")))
def dev_stats(services: ServicesDep) -> Response:
    """Live records per entity, and how many ops were applied once and more than once."""
    with services.database.read() as conn:
        counts = conn.execute(
            select(record.c.entity, func.count())
            .where(record.c.deleted.is_(False))
            .group_by(record.c.entity)
        ).tuples()
        records = {entity: int(count) for entity, count in counts}
        applied = conn.execute(
            select(func.count()).select_from(op_apply).where(op_apply.c.applied_count >= 1)
        ).scalar_one()
        twice = conn.execute(
            select(func.count()).select_from(op_apply).where(op_apply.c.applied_count >= 2)
        ).scalar_one()
    return JsonResponse(
        {"records": records, "ops_applied": int(applied), "ops_applied_twice": int(twice)}
    )


@router.get(
    "/ops/{op_id}",
    response_model=DevOpAnswer,
    responses=problems((403, "forbidden"), (422, "validation_error")),
)
def dev_op(
    op_id: Annotated[str, Path(min_length=1, max_length=128)], services: ServicesDep
) -> Response:
    """How many times one op changed data (0 for an op never applied)."""
    with services.database.read() as conn:
        count = conn.execute(
            select(op_apply.c.applied_count).where(op_apply.c.op_id == op_id)
        ).scalar()
    return JsonResponse({"applied_count": int(count or 0)})
