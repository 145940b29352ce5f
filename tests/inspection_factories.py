"""Building tours, findings and rectification items for tests, through the real actions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from inspections import actions
from inspections.models import (
    Assignment,
    Finding,
    FindingCategory,
    InspectionRound,
    InspectionTeam,
    RectificationItem,
)
from registry.models import OrgUnit
from tests.personas import Personas, make_person


def team(
    personas: Personas, name: str, leader, members=(), round_: InspectionRound | None = None
) -> InspectionTeam:
    round_ = (
        round_ or InspectionRound.objects.get_or_create(name="测试县委第一轮巡察", defaults={"year": 2026})[0]
    )
    created = InspectionTeam.objects.create(round=round_, name=name, leader=leader)
    created.members.add(*members)
    actions.sync_team_permissions(created)
    return created


def assignment(
    team_: InspectionTeam, unit: OrgUnit, feedback_on: dt.date | None = dt.date(2026, 4, 30)
) -> Assignment:
    return actions.create_assignment(
        team_,
        unit,
        stationed_on=dt.date(2026, 3, 2),
        withdrawn_on=dt.date(2026, 4, 10),
        feedback_on=feedback_on,
    )


def finding(assignment_: Assignment, by, *, verified_by=None, people=(), text="公车私用问题") -> Finding:
    logged = actions.log_finding(
        assignment_,
        actions.FindingData(
            category=FindingCategory.EIGHT_RULES,
            description=text,
            units=[assignment_.unit],
            people=list(people),
        ),
        by=by,
    )
    if verified_by is not None:
        logged = actions.review_finding(logged, by=verified_by, verified=True)
    return logged


def item(
    finding_: Finding, by, *, deadline: dt.date, person=None, unit: OrgUnit | None = None
) -> RectificationItem:
    (created,) = actions.set_rectification(
        finding_,
        [
            actions.ItemData(
                responsible_unit=unit or finding_.assignment.unit,
                responsible_person=person,
                requirement="建立公务用车登记制度",
                deadline=deadline,
            )
        ],
        by=by,
    )
    return created


@dataclass
class Tour:
    """Team A (team_leader, inspector) at the forestry bureau; team B (other_team_leader) at finance."""

    team_a: InspectionTeam
    team_b: InspectionTeam
    a: Assignment
    b: Assignment
    finding_a: Finding
    finding_b: Finding


def tour(personas: Personas) -> Tour:
    team_a = team(personas, "第一巡察组", personas.team_leader, [personas.inspector])
    team_b = team(personas, "第二巡察组", personas.other_team_leader)
    a, b = assignment(team_a, personas.forestry), assignment(team_b, personas.finance)
    return Tour(
        team_a=team_a,
        team_b=team_b,
        a=a,
        b=b,
        finding_a=finding(a, personas.inspector, verified_by=personas.team_leader),
        finding_b=finding(b, personas.other_team_leader, verified_by=personas.other_team_leader),
    )


def forestry_head(personas: Personas):
    return make_person(personas.forestry, "林局长", post="党组书记、局长")
