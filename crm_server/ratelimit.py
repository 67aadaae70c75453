"""A per-user limit on calls, counted in the database so every server process shares it.

Fixed one-minute windows: each authenticated call adds one to the user's counter for the current
minute; past ``rate_limit_per_minute`` the call is refused with ``429 rate_limited`` and a
``Retry-After`` of the seconds left in the minute. The first call of a window drops the user's
older windows, so the table stays small.
"""

from __future__ import annotations

from sqlalchemy import delete

from crm_server.database import Database
from crm_server.problems import Code, ProblemError
from crm_server.schema import rate_limit
from crm_server.settings import Settings
from crm_server.timestamps import to_epoch

_WINDOW_S = 60


class RateLimiter:
    """Counts calls per user and minute; see the module docstring.

    Args:
        database: Where the counters live.
        settings: The limit (``None``: no limit) and the clock.
    """

    def __init__(self, database: Database, settings: Settings) -> None:
        self.db = database
        self.settings = settings

    def check(self, user_id: str) -> None:
        """Count one call of ``user_id``.

        Raises:
            ProblemError: 429 ``rate_limited`` with ``Retry-After`` when over the limit.
        """
        limit = self.settings.rate_limit_per_minute
        if limit is None:
            return
        now = to_epoch(self.settings.clock())
        window = now - now % _WINDOW_S
        with self.db.write() as conn:
            count = conn.execute(
                self.db.upsert(
                    rate_limit,
                    {"user_id": user_id, "window_start": window, "count": 1},
                    keys=("user_id", "window_start"),
                    update={"count": rate_limit.c.count + 1},
                ).returning(rate_limit.c.count)
            ).scalar_one()
            if count == 1:
                conn.execute(
                    delete(rate_limit).where(
                        rate_limit.c.user_id == user_id, rate_limit.c.window_start < window
                    )
                )
        if count > limit:
            raise ProblemError(
                429,
                Code.RATE_LIMITED,
                f"At most {limit} calls a minute are allowed; wait before calling again.",
                headers={"Retry-After": str(max(1, window + _WINDOW_S - now))},
            )
