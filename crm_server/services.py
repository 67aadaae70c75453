"""The server's parts, built once per app and shared by its routes."""

from __future__ import annotations

from dataclasses import dataclass

from crm_server.database import Database
from crm_server.feed import Feed
from crm_server.history import History
from crm_server.mutations import Mutations
from crm_server.ratelimit import RateLimiter
from crm_server.reveal import Reveals
from crm_server.sessions import Sessions
from crm_server.settings import Settings


@dataclass(frozen=True, slots=True)
class Services:
    """Everything a route may call; none of it keeps state outside the database."""

    settings: Settings
    database: Database
    sessions: Sessions
    rate_limiter: RateLimiter
    feed: Feed
    mutations: Mutations
    reveals: Reveals
    history: History


def build_services(settings: Settings, database: Database) -> Services:
    """Wire the parts of one server over one database."""
    return Services(
        settings=settings,
        database=database,
        sessions=Sessions(database, settings),
        rate_limiter=RateLimiter(database, settings),
        feed=Feed(database, settings),
        mutations=Mutations(database, settings),
        reveals=Reveals(database, settings),
        history=History(database),
    )
