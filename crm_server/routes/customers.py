"""Online-only customer calls (API.md §4): reveal of a masked value, older transactions."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from starlette.responses import Response

from crm_server.problems import Code, ProblemError
from crm_server.responses import JsonResponse
from crm_server.routes.dependencies import AUTHENTICATED_PROBLEMS, ServicesDep, SignedIn, problems
from crm_server.timestamps import from_wire, to_wire
from crm_server.wire import RevealAnswer, RevealRequest, TransactionsAnswer

router = APIRouter(tags=["customers"])

CustomerId = Annotated[str, Path(min_length=1, max_length=128)]


@router.post(
    "/customers/{customer_id}/reveal",
    response_model=RevealAnswer,
    responses=problems(
        *AUTHENTICATED_PROBLEMS, (403, "forbidden"), (404, "not_found"), (422, "validation_error")
    ),
)
def reveal(
    customer_id: CustomerId, body: RevealRequest, principal: SignedIn, services: ServicesDep
) -> Response:
    """The full value of one masked field; needs ``pii.reveal`` and a reason; audited."""
    answer = services.reveals.reveal(
        principal, customer_id, body.field, body.reason, body.account_id
    )
    return JsonResponse(answer, headers={"Cache-Control": "no-store"})


@router.get(
    "/customers/{customer_id}/transactions",
    response_model=TransactionsAnswer,
    responses=problems(*AUTHENTICATED_PROBLEMS, (404, "not_found"), (422, "validation_error")),
)
def transactions(
    customer_id: CustomerId,
    principal: SignedIn,
    services: ServicesDep,
    before: Annotated[str | None, Query(max_length=40)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> Response:
    """Transactions older than ``before`` (exclusive), newest first."""
    bound = None
    if before is not None:
        try:
            bound = to_wire(from_wire(before))
        except ValueError:
            detail = "before must be an RFC 3339 timestamp with a time zone"
            raise ProblemError(
                422, Code.VALIDATION_ERROR, detail, extra={"field_errors": {"before": detail}}
            ) from None
    return JsonResponse(services.history.page(principal, customer_id, bound, limit))
