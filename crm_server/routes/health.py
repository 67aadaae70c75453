"""Liveness (API.md §4): ``GET /health``, without authentication."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import text
from starlette.responses import Response

from crm_server.responses import JsonResponse
from crm_server.routes.dependencies import ServicesDep
from crm_server.timestamps import to_wire
from crm_server.wire import HealthAnswer

router = APIRouter(tags=["health"])


@router.get("/health", response_model=HealthAnswer)
def health(services: ServicesDep) -> Response:
    """``ok`` when the server answers and its database does."""
    with services.database.read() as conn:
        conn.execute(text("SELECT 1"))
    return JsonResponse({"status": "ok", "server_time": to_wire(services.settings.clock())})
