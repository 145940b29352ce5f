"""Building cases for tests, through the real actions, up to any state of the lifecycle."""

from __future__ import annotations

import datetime as dt

from cases import actions
from cases.models import Case, CaseSource, CaseState, Form, Measure, ResponsibilityLevel
from registry.models import Clause
from tests.personas import Personas, make_person

DECIDED_ON = dt.date(2026, 3, 2)
DELIVERED_ON = dt.date(2026, 3, 5)


def clause(regulation_code: str, code: str) -> Clause:
    return Clause.objects.get(regulation__code=regulation_code, code=code)


def situation_2019(item: int = 1) -> Clause:
    return clause("ccp-accountability-2019", f"7.{item}")


def draft_case(
    personas: Personas,
    *,
    title: str = "林业局履行监督职责不力问题",
    with_targets: bool = True,
    confidential: bool = False,
    named_users=(),
    unit=None,
    conduct_date=dt.date(2025, 6, 1),
) -> Case:
    leader = make_person(personas.forestry, "林局长", post="党组书记、局长")
    targets = (
        [
            actions.TargetSpec(org_unit=personas.forestry),
            actions.TargetSpec(person=leader),
        ]
        if with_targets
        else []
    )
    return actions.create_case(
        actions.CaseData(
            title=title,
            source=CaseSource.INSPECTION,
            summary="巡察发现该局对下属林场监管缺失。",
            conduct_date=conduct_date,
            unit=unit or personas.forestry,
            lead_officer=personas.officer,
            confidential=confidential,
            situations=[situation_2019(9)] if with_targets else [],
            targets=targets,
            named_users=list(named_users),
        ),
        by=personas.officer,
    )


def investigate(case: Case, personas: Personas) -> Case:
    """Fill in what `determine` needs: a team of two, levels, statements, the report."""
    team = [make_person(personas.discipline, "调查员甲"), make_person(personas.discipline, "调查员乙")]
    actions.record_investigation(
        case,
        by=personas.officer,
        team=team,
        leader=team[0],
        report="经调查，林业局党组对林场监管失职，事实清楚。",
        report_date=dt.date(2026, 2, 20),
    )
    for target in case.targets.all():
        level = (
            ResponsibilityLevel.FULL_LEADERSHIP
            if target.is_organisation
            else ResponsibilityLevel.PRINCIPAL_LEADERSHIP
        )
        actions.record_target_findings(
            target,
            by=personas.officer,
            responsibility=level,
            statement="对事实无异议。",
            statement_date=dt.date(2026, 2, 18),
            statement_waived=False,
            waiver_note="",
        )
    return Case.objects.get(pk=case.pk)


def decision_for(case: Case) -> actions.DecisionData:
    decisions = {}
    for target in case.targets.all():
        forms = (
            [(Form.ORG_INSPECTION, "")]
            if target.is_organisation
            else [(Form.ADMONISHMENT, ""), (Form.DISCIPLINE, Measure.WARNING)]
        )
        decisions[target.pk] = actions.TargetDecision(forms=forms)
    return actions.DecisionData(
        meeting_date=dt.date(2026, 3, 1),
        meeting_attendees="陈审批、周纪检、吴纪检",
        votes_for=5,
        votes_against=0,
        votes_abstaining=1,
        decision_date=DECIDED_ON,
        facts="经查……",
        targets=decisions,
    )


def responses_for(case: Case) -> dict[int, actions.ResponseData]:
    return {
        target.pk: actions.ResponseData(
            accepts=True, text="接受处理。", self_criticism_received=True, response_date=dt.date(2026, 3, 10)
        )
        for target in case.targets.all()
    }


def advance(case: Case, personas: Personas, to: str) -> Case:
    """Walk the case forward along the main path until it reaches state `to`."""
    path = [
        CaseState.INITIATED,
        CaseState.DETERMINED,
        CaseState.DECIDED,
        CaseState.DELIVERED,
        CaseState.RESPONDED,
    ]
    for state in path:
        case = Case.objects.get(pk=case.pk)
        if case.state == to:
            return case
        if state == CaseState.INITIATED:
            actions.initiate_case(case, by=personas.approver)
        elif state == CaseState.DETERMINED:
            case = investigate(case, personas)
            actions.determine_case(case, by=personas.officer)
        elif state == CaseState.DECIDED:
            actions.decide_case(case, decision_for(case), by=personas.approver)
        elif state == CaseState.DELIVERED:
            actions.deliver_case(
                case,
                by=personas.officer,
                delivered_on=DELIVERED_ON,
                document_no=f"姚纪问决〔2026〕{case.pk}号",
            )
        elif state == CaseState.RESPONDED:
            actions.record_case_response(case, responses_for(case), by=personas.officer)
    case = Case.objects.get(pk=case.pk)
    assert case.state == to, (case.state, to)
    return case
