"""Who sees and who writes which records.

A record's book is ``(rm_id, team_id)``: an RM's customer and its children carry the RM and the
RM's team; team-level KPIs carry the team only; records for the whole bank (products, employees,
teams, rule configuration, branch KPIs) carry neither.

| user | sees | writes |
|---|---|---|
| RM | own book, bank-wide records | own book |
| team lead | team's book (all its RMs, team KPIs), bank-wide records | the team's book |

What a user may write inside a record they may write is decided per entity and field
(:mod:`rm_desk.domain.fields`, applied in :mod:`crm_server.mutations`).
"""

from __future__ import annotations

from dataclasses import dataclass

from rm_desk.domain.enums import Role


@dataclass(frozen=True, slots=True)
class Principal:
    """The signed-in user of a request, with the device and session the token belongs to."""

    user_id: str
    name: str
    role: Role
    team_id: str
    branch_id: str
    permissions: frozenset[str]
    device_id: str
    session_id: str

    @property
    def is_team_lead(self) -> bool:
        """Whether the user leads a team (and so sees the whole team's book)."""
        return self.role is Role.TEAM_LEAD

    def may_see(self, rm_id: str | None, team_id: str | None) -> bool:
        """Whether a record of this book is in the user's feed."""
        if rm_id is None and team_id is None:
            return True
        if self.is_team_lead:
            return team_id == self.team_id
        return rm_id == self.user_id

    def may_write(self, rm_id: str | None, team_id: str | None) -> bool:
        """Whether the user may change records of this book (bank-wide records: never)."""
        if rm_id is None and team_id is None:
            return False
        if self.is_team_lead:
            return team_id == self.team_id
        return rm_id == self.user_id

    def own_book(self) -> tuple[str | None, str]:
        """The book of a record this user creates without a customer (a lead stub, say)."""
        return (None if self.is_team_lead else self.user_id), self.team_id
