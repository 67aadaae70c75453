"""What the synthetic bank produces, and what the server stores: the seed contract.

The generator (:mod:`crm_server.synth.generate`) yields these; the server's loader writes them into
its database. Records are in their wire form (API.md §2, DOMAIN.md fields, the codes of
``rm_desk.domain.enums``), with every C2 field already masked (``rm_desk.domain.masking``). The full
values that reveal (API.md §4) answers with are kept apart as :class:`SeedPii`.

Scope: every record carries the book it belongs to. ``rm_id`` is the RM whose book holds it and
``team_id`` that RM's team; a team lead sees every record of their team. Records visible to all
users of the bank (products, employees, teams, rule config, branch-level KPIs) have both ``None``.
Team-level KPI records have ``team_id`` only.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any


class Scale(StrEnum):
    DEMO = "demo"  # 3 teams x 5 RMs, about 6,000 customers
    BENCH = "bench"  # about 50,000 customers, 1,000,000 records


@dataclass(frozen=True, slots=True)
class SeedUser:
    id: str  # "rm001" ... "rm015", "lead01" ... "lead03": also the username
    name: str
    role: str  # "rm" | "team_lead"
    team_id: str
    branch_id: str
    permissions: tuple[str, ...]  # e.g. "pii.reveal", "team.view", "task.reassign", "export.csv"


@dataclass(frozen=True, slots=True)
class SeedRecord:
    entity: str
    id: str
    rm_id: str | None
    team_id: str | None
    customer_id: str | None  # the customer a child record belongs to (None for others)
    data: Mapping[str, Any]  # the wire form, "id" included; the server stamps "rev"


@dataclass(frozen=True, slots=True)
class SeedPii:
    """A full C2 value the reveal call may return (never in the feed)."""

    customer_id: str
    field: str  # "mobile" | "id_no" | "address" | "account_number"
    record_id: str  # the customer id, or the account id for account numbers
    value: str


@dataclass(frozen=True, slots=True)
class Recipe:
    """What the generator made a bank from: enough to make any part of it again, in another
    process (the same recipe always gives the same bank)."""

    customers: int
    seed: int
    today: date


@dataclass
class SeedData:
    users: list[SeedUser]
    records: Iterator[SeedRecord]  # parents before children; customers before their accounts
    pii: Iterator[SeedPii]
    history: Iterator[SeedRecord] = field(default_factory=lambda: iter(()))
    """Transactions older than the cached window, for ``GET /customers/{id}/transactions``."""
    recipe: Recipe | None = None
    """How the generator made this bank; ``None`` for data made otherwise (tests)."""
