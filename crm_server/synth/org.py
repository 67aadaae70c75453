"""The branch network: branches, teams, RMs and team leads, and the seeded users (API.md §4).

One branch holds three teams; a team is a lead and five RMs; an RM's book is about 400 customers.
At demo scale that is exactly the users of API.md: ``rm001``…``rm015`` and ``lead01``…``lead03``,
team ``i`` being ``lead0i`` with ``rm 5(i-1)+1``…``5i``, all in 北京分行朝阳支行. Larger scales add
RMs, teams and branches in the same pattern (``rm016``…, ``lead04``…); smaller ones keep the 15
RMs with smaller books, so every scale has the users the demo and the tests sign in as.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Any

from crm_server.synth.names import NamePools
from crm_server.synth.records import SeedUser
from rm_desk.domain.enums import Role

BOOK_SIZE = 400
RMS_PER_TEAM = 5
TEAMS_PER_BRANCH = 3
MIN_RMS = 15

RM_PERMISSIONS: tuple[str, ...] = ("pii.reveal", "export.csv")
LEAD_PERMISSIONS: tuple[str, ...] = ("pii.reveal", "export.csv", "team.view", "task.reassign")

_BRANCH_NAMES = (
    "朝阳支行", "海淀支行", "金融街支行", "东城支行", "望京支行", "中关村支行", "丰台支行",
    "国贸支行", "亦庄支行", "通州支行", "亚运村支行", "西单支行", "回龙观支行", "大兴支行",
)  # fmt: skip
_TEAM_SUFFIXES = ("财富一组", "财富二组", "财富三组")
_RM_TITLES = ("客户经理", "客户经理", "理财经理", "高级客户经理", "资深客户经理")


@dataclass(frozen=True, slots=True)
class Branch:
    id: str
    name: str  # 北京分行朝阳支行


@dataclass(frozen=True, slots=True)
class Team:
    id: str
    name: str
    branch: Branch
    lead_id: str
    lead_name: str
    rm_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Rm:
    """An RM and their book: customers ``first_seq`` … ``first_seq + customers - 1``."""

    id: str
    index: int  # 0-based position among all RMs
    name: str
    title: str
    team: Team
    first_seq: int
    customers: int
    diligence: float  # how closely the RM keeps the contact cadence (0.7 … 1.3)

    @property
    def branch(self) -> Branch:
        return self.team.branch


@dataclass(frozen=True, slots=True)
class Org:
    """The whole network, and the customer numbers behind each customer sequence position."""

    branches: tuple[Branch, ...]
    teams: tuple[Team, ...]
    rms: tuple[Rm, ...]
    customer_numbers: tuple[int, ...]  # customer seq → the number in its id, a permutation

    def customer_id(self, seq: int) -> str:
        """The id of the customer at sequence position ``seq`` (``c-004711``)."""
        return f"c-{self.customer_numbers[seq]:06d}"

    def users(self) -> list[SeedUser]:
        """The users of the reference server: every RM and team lead, leads after their RMs."""
        users: list[SeedUser] = []
        for rm in self.rms:
            users.append(
                SeedUser(rm.id, rm.name, Role.RM.value, rm.team.id, rm.branch.id, RM_PERMISSIONS)
            )
        for team in self.teams:
            users.append(
                SeedUser(
                    team.lead_id,
                    team.lead_name,
                    Role.TEAM_LEAD.value,
                    team.id,
                    team.branch.id,
                    LEAD_PERMISSIONS,
                )
            )
        return users

    def team_records(self) -> list[dict[str, Any]]:
        """The wire records of the teams."""
        return [
            {
                "id": team.id,
                "name": team.name,
                "branch_id": team.branch.id,
                "branch_name": team.branch.name,
                "lead_id": team.lead_id,
            }
            for team in self.teams
        ]

    def employee_records(self) -> list[dict[str, Any]]:
        """The wire records of the employees: the leads, then the RMs."""
        records: list[dict[str, Any]] = []
        for team in self.teams:
            records.append(
                {
                    "id": team.lead_id,
                    "name": team.lead_name,
                    "role": Role.TEAM_LEAD.value,
                    "team_id": team.id,
                    "branch_id": team.branch.id,
                    "title": "团队长",
                    "active": True,
                }
            )
        for rm in self.rms:
            records.append(
                {
                    "id": rm.id,
                    "name": rm.name,
                    "role": Role.RM.value,
                    "team_id": rm.team.id,
                    "branch_id": rm.branch.id,
                    "title": rm.title,
                    "active": True,
                }
            )
        return records


def build_org(customers: int, seed: int, names: NamePools) -> Org:
    """Lay out the network for ``customers`` customers.

    Book sizes vary by ±25 % around their mean and add up to ``customers`` exactly.
    """
    rng = random.Random(seed * 7_919 + 17)
    rm_count = max(MIN_RMS, round(customers / BOOK_SIZE))
    team_count = math.ceil(rm_count / RMS_PER_TEAM)
    branch_count = math.ceil(team_count / TEAMS_PER_BRANCH)
    branches = tuple(
        Branch(f"b-{n + 1:02d}", "北京分行" + _branch_name(n)) for n in range(branch_count)
    )
    sizes = _book_sizes(rng, customers, rm_count)
    teams: list[Team] = []
    rms: list[Rm] = []
    seq = 0
    for t in range(team_count):
        branch = branches[t // TEAMS_PER_BRANCH]
        team_id = f"tm-{t + 1:02d}"
        lead_name = _person_name(rng, names)
        rm_indexes = range(t * RMS_PER_TEAM, min(rm_count, (t + 1) * RMS_PER_TEAM))
        team = Team(
            id=team_id,
            name=branch.name.removeprefix("北京分行") + _TEAM_SUFFIXES[t % TEAMS_PER_BRANCH],
            branch=branch,
            lead_id=f"lead{t + 1:02d}",
            lead_name=lead_name,
            rm_ids=tuple(f"rm{i + 1:03d}" for i in rm_indexes),
        )
        teams.append(team)
        for i in rm_indexes:
            rms.append(
                Rm(
                    id=f"rm{i + 1:03d}",
                    index=i,
                    name=_person_name(rng, names),
                    title=_RM_TITLES[int(rng.random() * len(_RM_TITLES))],
                    team=team,
                    first_seq=seq,
                    customers=sizes[i],
                    diligence=0.7 + 0.6 * rng.random(),
                )
            )
            seq += sizes[i]
    numbers = list(range(1, customers + 1))
    rng.shuffle(numbers)
    return Org(tuple(branches), tuple(teams), tuple(rms), tuple(numbers))


def _branch_name(n: int) -> str:
    return _BRANCH_NAMES[n] if n < len(_BRANCH_NAMES) else f"第{n + 1}支行"


def _person_name(rng: random.Random, names: NamePools) -> str:
    female = rng.random() < 0.55
    return names.surname(rng) + names.given(rng, female, 1975 + int(rng.random() * 25))


def _book_sizes(rng: random.Random, customers: int, rm_count: int) -> list[int]:
    weights = [0.75 + 0.5 * rng.random() for _ in range(rm_count)]
    total = sum(weights)
    raw = [customers * w / total for w in weights]
    sizes = [int(x) for x in raw]
    # Largest remainders first, so the sizes add up exactly.
    deficit = customers - sum(sizes)
    for i in sorted(range(rm_count), key=lambda i: raw[i] - sizes[i], reverse=True)[:deficit]:
        sizes[i] += 1
    return sizes
