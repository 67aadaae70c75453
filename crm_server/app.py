"""The FastAPI application of the reference server: routes under ``/api/v1``, problem answers,
request body limits and gzip both ways."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

import rm_desk
from crm_server.compression import FastGZipMiddleware
from crm_server.problems import UnexpectedErrorMiddleware, install_problem_handlers
from crm_server.request_body import RequestBodyMiddleware
from crm_server.routes import audit, customers, dev, health, session, sync
from crm_server.routes.dependencies import REQUEST_PROBLEMS, problems
from crm_server.services import Services

API_PREFIX = "/api/v1"


def create_app(services: Services) -> FastAPI:
    """Build the app over the server's parts; the ``/dev`` calls only with ``settings.dev``."""
    app = FastAPI(
        title="RM Desk reference CRM server",
        summary="The sync contract of RM Desk (API.md), v1.",
        version=rm_desk.__version__,
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=f"{API_PREFIX}/docs",
        redoc_url=None,
    )
    app.state.services = services
    install_problem_handlers(app)
    api = APIRouter(prefix=API_PREFIX, responses=problems(*REQUEST_PROBLEMS))
    for module in (session, sync, customers, audit, health):
        api.include_router(module.router)
    if services.settings.dev:
        api.include_router(dev.router)
    app.include_router(api)
    app.add_middleware(UnexpectedErrorMiddleware)
    app.add_middleware(RequestBodyMiddleware, max_bytes=services.settings.max_body_bytes)
    # The fastest level, with ISA-L where installed: compressing a feed page of 5,000 records at
    # zlib's level 6 took longer than building the page (see crm_server.compression).
    app.add_middleware(FastGZipMiddleware, minimum_size=1024)
    return app
