"""Demo cases: 200 cases spread over every state, built through the real actions.

Deterministic (fixed seed, dates relative to today) and idempotent: once the demo officer has registered
the demo cases, running it again adds nothing.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction

from accountability import roles
from registry.models import Clause, OrgUnit, Person

from . import actions
from .deadlines import today
from .models import Case, CaseSource, CaseState, Form, Measure, ResponsibilityLevel

PLAN: list[tuple[str, int]] = [
    (CaseState.DRAFT, 25),
    (CaseState.INITIATED, 25),
    (CaseState.DETERMINED, 20),
    (CaseState.DECIDED, 20),
    (CaseState.DELIVERED, 15),
    (CaseState.RESPONDED, 15),
    (CaseState.APPEALED, 15),
    (CaseState.CLOSED, 35),
    (CaseState.DISMISSED, 18),
    (CaseState.WITHDRAWN, 12),
]
TOPICS = [
    "落实中央八项规定精神不力",
    "专项资金监管失职",
    "安全生产监管不到位",
    "扶贫项目推进不力",
    "群众反映问题推诿扯皮",
    "选人用人把关不严",
    "意识形态工作责任制落实不到位",
    "生态环境保护督察整改不力",
    "食品药品安全监管缺失",
    "基层党组织软弱涣散",
    "违规公务接待",
    "形式主义官僚主义问题突出",
]
LEADER_FORMS: list[list[tuple[str, str]]] = [
    [(Form.NOTICE, "")],
    [(Form.ADMONISHMENT, "")],
    [(Form.ORGANISATIONAL_HANDLING, Measure.REASSIGNMENT)],
    [(Form.DISCIPLINE, Measure.WARNING)],
    [(Form.DISCIPLINE, Measure.SERIOUS_WARNING), (Form.ADMONISHMENT, "")],
    [(Form.ORGANISATIONAL_HANDLING, Measure.REMOVAL)],
]
ORGANISATION_FORMS: list[list[tuple[str, str]]] = [[(Form.ORG_INSPECTION, "")], [(Form.ORG_NOTICE, "")]]
# Clues from inspections, petitions and overdue rectification are opened by those apps' demos, linked to
# their findings, petitions and items; the cases demo uses the sources that need no such record.
STANDALONE_SOURCES = [
    CaseSource.ASSIGNED,
    CaseSource.AUDIT,
    CaseSource.SUPERVISION,
    CaseSource.MEDIA,
    CaseSource.OTHER,
]
STATE_ORDER = [
    CaseState.INITIATED,
    CaseState.DETERMINED,
    CaseState.DECIDED,
    CaseState.DELIVERED,
    CaseState.RESPONDED,
]


class Demo:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.today = today()
        self.officer = User.objects.get(username=roles.CASE_OFFICER)
        self.approver = User.objects.get(username=roles.APPROVER)
        self.units = list(
            OrgUnit.objects.exclude(kind=OrgUnit.Kind.DISCIPLINE).filter(depth__gte=1).order_by("code")
        )
        self.situations = list(
            Clause.objects.filter(regulation__code="ccp-accountability-2019", kind=Clause.Kind.SITUATION)
        )
        self.exemptions = list(
            Clause.objects.filter(regulation__code="ccp-accountability-2019", kind=Clause.Kind.EXEMPTION)
        )
        self.mitigations = list(
            Clause.objects.filter(regulation__code="ccp-accountability-2019", kind=Clause.Kind.MITIGATION)
        )
        self.investigators = list(Person.objects.filter(org_unit__code="YA-JW").order_by("staff_no")[:12])

    def leader_of(self, unit: OrgUnit) -> Person | None:
        return Person.objects.filter(org_unit=unit).order_by("staff_no").first()

    def register(self, index: int, decided_on: dt.date) -> Case:
        unit = self.units[index % len(self.units)]
        leader = self.leader_of(unit)
        targets = [actions.TargetSpec(org_unit=unit)]
        if leader is not None:
            targets.append(actions.TargetSpec(person=leader))
        topic = TOPICS[index % len(TOPICS)]
        return actions.create_case(
            actions.CaseData(
                title=f"{unit.name}{topic}问题",
                source=self.rng.choice(STANDALONE_SOURCES),
                summary=f"经{self.rng.choice(['巡察', '审计', '信访举报', '监督检查'])}发现，{unit.name}{topic}，造成不良影响。",
                conduct_date=decided_on - dt.timedelta(days=self.rng.randint(100, 400)),
                unit=unit,
                lead_officer=self.officer,
                situations=self.rng.sample(self.situations, k=self.rng.choice((1, 2))),
                targets=targets,
            ),
            by=self.officer,
        )

    def investigate(self, case: Case, decided_on: dt.date) -> Case:
        # The report and the statements come before the decision meeting, which is the day before it.
        team = self.rng.sample(self.investigators, k=3)
        actions.record_investigation(
            case,
            by=self.officer,
            team=team,
            leader=team[0],
            report=f"经调查，{case.title}的事实清楚，证据确凿。",
            report_date=decided_on - dt.timedelta(days=10),
        )
        for target in case.targets.all():
            level = (
                ResponsibilityLevel.FULL_LEADERSHIP
                if target.is_organisation
                else self.rng.choice(
                    [ResponsibilityLevel.PRINCIPAL_LEADERSHIP, ResponsibilityLevel.IMPORTANT_LEADERSHIP]
                )
            )
            waived = self.rng.random() < 0.15
            actions.record_target_findings(
                target,
                by=self.officer,
                responsibility=level,
                statement="" if waived else "对调查认定的事实无异议，诚恳接受组织处理。",
                statement_date=None if waived else decided_on - dt.timedelta(days=15),
                statement_waived=waived,
                waiver_note="本人书面表示放弃陈述申辩" if waived else "",
            )
        return case

    def decide(self, case: Case, decided_on: dt.date) -> None:
        decisions = {}
        for target in case.targets.all():
            forms = self.rng.choice(ORGANISATION_FORMS if target.is_organisation else LEADER_FORMS)
            circumstances = [self.rng.choice(self.mitigations)] if self.rng.random() < 0.2 else []
            decisions[target.pk] = actions.TargetDecision(forms=forms, circumstances=circumstances)
        actions.decide_case(
            case,
            actions.DecisionData(
                meeting_date=decided_on - dt.timedelta(days=1),
                meeting_attendees="陈审批、周纪检、吴纪检、郑委员、王委员",
                votes_for=self.rng.randint(4, 7),
                votes_against=0,
                votes_abstaining=self.rng.randint(0, 1),
                decision_date=decided_on,
                facts=case.summary,
                targets=decisions,
            ),
            by=self.approver,
        )

    def build(self, index: int, goal: str) -> None:
        # Every date follows the one before: conduct, report and statements, meeting, decision, delivery.
        recent = goal in (CaseState.DELIVERED, CaseState.RESPONDED, CaseState.APPEALED)
        decided_on = self.today - dt.timedelta(
            days=self.rng.randint(10, 20) if recent else self.rng.randint(70, 300)
        )
        case = self.register(index, decided_on)
        if goal == CaseState.WITHDRAWN:
            actions.withdraw_case(case, by=self.approver, reason="经初步核实，反映问题不属实。")
            return
        delivered_on = decided_on + dt.timedelta(days=2)
        for state in STATE_ORDER:
            if case.state == goal:
                break
            if goal == CaseState.DISMISSED and case.state == CaseState.INITIATED:
                break
            case = Case.objects.get(pk=case.pk)
            if state == CaseState.INITIATED:
                actions.initiate_case(case, by=self.approver, comment="同意启动问责调查。")
            elif state == CaseState.DETERMINED:
                actions.determine_case(self.investigate(case, decided_on), by=self.officer)
            elif state == CaseState.DECIDED:
                self.decide(case, decided_on)
            elif state == CaseState.DELIVERED:
                actions.deliver_case(
                    case,
                    by=self.officer,
                    delivered_on=delivered_on,
                    document_no=f"姚纪问决〔{case.year}〕{case.sequence}号",
                )
            elif state == CaseState.RESPONDED:
                responses = {
                    target.pk: actions.ResponseData(
                        accepts=True,
                        text="接受组织处理，深刻反思。",
                        self_criticism_received=True,
                        response_date=delivered_on + dt.timedelta(days=3),
                    )
                    for target in case.targets.all()
                }
                actions.record_case_response(case, responses, by=self.officer)
            case = Case.objects.get(pk=case.pk)
        case = Case.objects.get(pk=case.pk)
        if goal == CaseState.DISMISSED:
            actions.dismiss_case(
                case, by=self.approver, ground=self.rng.choice(self.exemptions), reason="符合免予问责情形。"
            )
        elif goal == CaseState.APPEALED:
            appellant = case.targets.filter(person__isnull=False).first() or case.targets.first()
            actions.file_case_appeal(
                case,
                by=self.officer,
                appellant=appellant,
                filed_on=delivered_on + dt.timedelta(days=4),
                grounds="认为对其责任认定过重，请求重新审查。",
            )
        elif goal == CaseState.CLOSED:
            actions.close_case(case, by=self.officer, comment="申诉期满，未提出申诉，予以结案。")


@transaction.atomic
def seed(**options: Any) -> dict[str, int]:
    if Case.objects.filter(created_by__username=roles.CASE_OFFICER).exists():
        return {"cases": Case.objects.count()}
    demo = Demo(random.Random(2026))
    index = 0
    for goal, count in PLAN:
        for _ in range(count):
            index += 1
            demo.build(index, goal)
    return {"cases": Case.objects.count()}
