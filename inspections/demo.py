"""Demo data of the inspections app: a round of three teams at the seed material's three units.

The round is dated relative to today, so that its rectification items show every colour of the ladder;
the escalation runs once at the end (the +30-day clue is opened at once rather than by the worker).
Idempotent: a second run finds the round and changes no counts.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from accountability import roles
from registry.models import OrgUnit, Person, Profile

from . import actions
from .escalation import open_overdue_cases, run_escalation
from .models import (
    Action,
    Assignment,
    Escalation,
    Finding,
    FindingCategory,
    InspectionRound,
    InspectionTeam,
    RectificationItem,
)

ROUND_NAME = "县委{year}年第一轮巡察"
# team name, leader username, inspected unit code (the seed's 林业局, 供销社, 科技局)
TEAMS = [
    ("第一巡察组", roles.INSPECTION_LEADER, "YA-D01"),
    ("第二巡察组", "inspection_leader2", "YA-D02"),
    ("第三巡察组", "inspection_leader3", "YA-D03"),
]
EXTRA_LEADERS = {"inspection_leader2": "郑组长", "inspection_leader3": "钱组长"}

FINDINGS = [
    (FindingCategory.EIGHT_RULES, "下属林场2025年违规使用公务用车办理私事3次，未按规定登记。"),
    (FindingCategory.RESPONSIBILITY, "党组对下属单位财务监管缺失，林业专项资金拨付无审批记录。"),
    (FindingCategory.PARTY_BUILDING, "两个党支部未按规定召开组织生活会，“三会一课”记录不全。"),
    (FindingCategory.GRASSROOTS, "护林员补助发放存在优亲厚友现象，群众反映强烈。"),
    (FindingCategory.DECISIONS, "退耕还林政策落实迟缓，部分补偿资金滞留未发。"),
]
# Days from today to each item's deadline, and its status: every colour of the ladder, and the other states.
ITEM_PLAN: list[tuple[int, str, str]] = [
    (45, "open", "建立公务用车使用登记制度并公开"),
    (15, "open", "完善专项资金拨付审批流程"),
    (6, "open", "补开组织生活会并规范“三会一课”记录"),
    (-3, "open", "清退违规发放的护林员补助"),
    (-20, "returned", "对补偿资金滞留问题逐户核查整改"),
    (-40, "open", "追回违规拨付资金并追究相关人员责任"),
    (10, "submitted", "整改公务接待超标准问题"),
    (-5, "accepted", "修订财务管理制度"),
]


def _user(username: str, display_name: str, role: str, unit: OrgUnit) -> Any:
    user_model = get_user_model()
    user, created = user_model.objects.get_or_create(username=username, defaults={"first_name": display_name})
    if created:
        user.email = ""  # like every demo account: in-app notifications only, no e-mail
        user.set_password(settings.DEMO_PASSWORD)
        user.save()
    user.groups.add(Group.objects.get(name=role))
    Profile.objects.get_or_create(user=user, defaults={"unit": unit})
    return user


@transaction.atomic
def seed(**options: Any) -> dict[str, int]:
    today = timezone.localdate()
    units = {unit.code: unit for unit in OrgUnit.objects.filter(code__in=["YA-JW", *[t[2] for t in TEAMS]])}
    if len(units) < 4:
        return {}
    # The demo round is found by its first team, not by its name: the name carries the year it was seeded.
    seeded = InspectionTeam.objects.filter(name=TEAMS[0][0], leader__username=TEAMS[0][1]).exists()
    if not seeded:
        round_ = InspectionRound.objects.create(
            name=ROUND_NAME.format(year=today.year),
            year=today.year,
            starts_on=today - dt.timedelta(days=160),
        )
        _seed_round(round_, units, today)
    return {
        "rounds": InspectionRound.objects.count(),
        "teams": InspectionTeam.objects.count(),
        "findings": Finding.objects.count(),
        "rectification items": RectificationItem.objects.count(),
    }


def _seed_round(round_: InspectionRound, units: dict[str, OrgUnit], today: dt.date) -> None:
    user_model = get_user_model()
    inspector = user_model.objects.get(username=roles.INSPECTOR)
    stationed, withdrawn, feedback = (today - dt.timedelta(days=days) for days in (150, 110, 95))
    for index, (team_name, leader_name, unit_code) in enumerate(TEAMS):
        leader = (
            user_model.objects.get(username=leader_name)
            if leader_name == roles.INSPECTION_LEADER
            else _user(leader_name, EXTRA_LEADERS[leader_name], roles.INSPECTION_LEADER, units["YA-JW"])
        )
        team = InspectionTeam.objects.create(round=round_, name=team_name, leader=leader)
        if index == 0:
            team.members.add(inspector)
        actions.sync_team_permissions(team)
        unit = units[unit_code]
        assignment = actions.create_assignment(
            team, unit, stationed_on=stationed, withdrawn_on=withdrawn, feedback_on=feedback
        )
        assignment.stage = "rectification"
        assignment.save(update_fields=["stage"])
        for step in list(assignment.checklist.order_by("position"))[:13]:
            actions.set_checklist_step(assignment, step.step, by=leader, done=True)
        _seed_findings(assignment, leader, inspector if index == 0 else leader, today, plan_all=index == 0)
    run = run_escalation(today)
    open_overdue_cases(
        Escalation.objects.filter(run=run, step__action=Action.OPEN_CASE, case__isnull=True).values_list(
            "pk", flat=True
        ),
        on=today,
    )


def _seed_findings(
    assignment: Assignment, leader: Any, author: Any, today: dt.date, *, plan_all: bool
) -> None:
    unit = assignment.unit
    people = list(Person.objects.filter(org_unit=unit).order_by("staff_no")[:4])
    findings = []
    for number, (category, text) in enumerate(FINDINGS):
        finding = actions.log_finding(
            assignment,
            actions.FindingData(
                category=category, description=text, units=[unit], people=people[number % 2 : number % 2 + 1]
            ),
            by=author,
        )
        findings.append(finding)
    # The last one stays unverified; one is rejected; the others are verified.
    actions.review_finding(findings[3], by=leader, verified=False, comment="经核实，补助发放符合规定。")
    for finding in findings[:3]:
        actions.review_finding(finding, by=leader, verified=True)
    actions.transfer_finding(
        findings[1],
        by=leader,
        title=f"{unit.name}党组履行全面从严治党主体责任不力问题",
        summary=findings[1].description,
        conduct_date=assignment.stationed_on or today,
    )
    plan = ITEM_PLAN if plan_all else ITEM_PLAN[1:4]
    contact = get_user_model().objects.filter(groups__name=roles.UNIT_CONTACT, profile__unit=unit).first()
    for number, (days, status, requirement) in enumerate(plan):
        (item,) = actions.set_rectification(
            findings[number % 3],
            [
                actions.ItemData(
                    responsible_unit=unit,
                    responsible_person=people[0] if people else None,
                    requirement=requirement,
                    deadline=today + dt.timedelta(days=days),
                )
            ],
            by=leader,
        )
        if status == "open" or contact is None:
            continue
        actions.report_progress(item, by=contact, text="已完成整改，报请验收。", final=True)
        if status != "submitted":
            actions.review_rectification(
                item,
                by=leader,
                accept=status == "accepted",
                comment="" if status == "accepted" else "整改不彻底，请补充材料。",
            )
