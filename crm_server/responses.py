"""JSON answers written with orjson.

Handlers return :class:`JsonResponse` directly, so FastAPI neither validates nor re-encodes them
(the models in :mod:`crm_server.wire` only describe them in the OpenAPI document). A feed page
splices each record's stored JSON text in through :class:`orjson.Fragment`.
"""

from __future__ import annotations

from typing import Any

import orjson
from starlette.responses import Response


class JsonResponse(Response):
    """``application/json`` rendered by orjson (``Decimal`` is not expected: money is text)."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        if isinstance(content, bytes):
            return content
        return orjson.dumps(content)
