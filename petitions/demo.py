"""Demo data of the petitions app: petitions in every state (some overdue), responsibilities and one
failure referred as a clue, this year's supervision plans (some done), last year's assessment with one
unit made ineligible for honours by a petition-work admonishment.

Deterministic (fixed data, dates relative to today) and idempotent: each petition is created once (keyed
by its subject), plans and assessments are unique per unit and year; a second run changes no counts.
Everything goes through petitions/actions/ (and cases/actions.py for the admonishment).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from accountability import roles
from cases import actions as case_actions
from cases.models import Case, CaseSource, Form, ResponsibilityLevel
from registry.models import OrgUnit, Person
from registry.validators import id_check_char

from . import actions
from .deadlines import today
from .models import (
    Assessment,
    Channel,
    Grade,
    Outcome,
    Petition,
    PetitionResponsibility,
    ReviewOutcome,
    SubjectKind,
    SupervisionPlan,
)

PETITIONERS = [
    ("张建华", "13987801234", "云南省楚雄州姚安县栋川镇大河村12号"),
    ("李秀英", "13508786543", "云南省楚雄州姚安县光禄镇新街社区3组"),
    ("王志强", "15887812345", "云南省楚雄州姚安县前场镇中屯村委会"),
    ("赵丽", "13629876789", "云南省楚雄州姚安县弥兴镇龙岗村5号"),
    ("刘德福", "18208781111", "云南省楚雄州姚安县太平镇马游村委会"),
    ("陈桂兰", "13887806666", "云南省楚雄州姚安县官屯镇连厂村"),
]
# (subject, channel, responsible unit code, complained staff no, days ago received, target state, anonymous)
SPECS: list[tuple[str, str, str, str | None, int, str, bool]] = [
    ("反映征地补偿款未足额发放", Channel.VISIT, "YA-T01", None, 3, "registered", False),
    ("反映村组财务长期未公开", Channel.LETTER, "YA-T01-V1", "P000009", 10, "registered", False),
    ("反映集贸市场占道经营", Channel.PHONE, "YA-D14", None, 20, "registered", True),
    ("反映低保评定不公", Channel.ONLINE, "YA-D08", "P000018", 12, "accepted", False),
    ("反映农村危房改造补助被截留", Channel.HOTLINE_12388, "YA-T02", "P000027", 14, "accepted", False),
    ("反映学校食堂收费问题", Channel.LETTER, "YA-D06", None, 30, "handling", False),
    ("反映林地承包纠纷久拖不决", Channel.VISIT, "YA-D01", "P000036", 75, "handling", False),
    ("反映医保报销拖延", Channel.ONLINE, "YA-D07", None, 50, "handling", False),
    ("反映道路修建质量差", Channel.PHONE, "YA-D12", None, 40, "handling", True),
    ("反映拖欠农民工工资", Channel.VISIT, "YA-D11", None, 90, "concluded", False),
    ("反映村干部优亲厚友", Channel.HOTLINE_12388, "YA-T03-V2", "P000045", 110, "reviewed", False),
    ("反映土地确权错误", Channel.LETTER, "YA-D09", None, 150, "rereviewed", False),
    ("重复反映已终结事项", Channel.VISIT, "YA-T04", None, 8, "not_accepted", False),
    ("反映噪声扰民（已撤回）", Channel.PHONE, "YA-D10", None, 6, "withdrawn", False),
]
REFERRED_SUBJECT = "反映林地承包纠纷久拖不决"


def _id_number(index: int) -> str:
    first17 = f"532325{1960 + index * 3:04d}{(index % 12) + 1:02d}{(index % 27) + 1:02d}{100 + index:03d}"
    return first17 + id_check_char(first17)


def _days_ago(days: int) -> dt.date:
    return today() - dt.timedelta(days=days)


def _advance(petition: Petition, target: str, received_days: int, officer: Any, approver: Any) -> None:
    """Walk the petition along the main path to `target`, with dates after its receipt."""
    received = petition.received_on
    step = max(1, min(5, received_days // 6))
    day = received
    if target == "not_accepted":
        actions.reject_petition(
            petition,
            by=officer,
            decided_on=received + dt.timedelta(days=1),
            reason="同一事实和理由已经复核终结，不再受理。",
        )
        return
    if target == "withdrawn":
        actions.withdraw_petition(petition, by=officer, reason="信访人书面申请撤回。")
        return
    path = [
        "accepted",
        "handling",
        "concluded",
        "review_requested",
        "reviewed",
        "rereview_requested",
        "rereviewed",
    ]
    for state in path[: path.index(target) + 1]:
        day = min(day + dt.timedelta(days=step), today())
        petition = Petition.objects.get(pk=petition.pk)
        if state == "accepted":
            actions.accept_petition(petition, by=officer, decided_on=day, note="属于本级职权范围，予以受理。")
        elif state == "handling":
            actions.start_handling(petition, by=officer, started_on=day, handlers=[officer])
        elif state == "concluded":
            actions.conclude_petition(
                petition,
                by=officer,
                concluded_on=day,
                outcome=Outcome.SUPPORTED,
                opinion="经调查核实，信访人反映情况属实，责成有关单位限期解决。",
                reply_received_on=day,
            )
        elif state == "review_requested":
            actions.request_review(
                petition,
                by=officer,
                requested_on=day,
                review_unit=OrgUnit.objects.get(code="YA-00"),
                grounds="信访人认为处理不到位。",
            )
        elif state == "reviewed":
            actions.decide_review(
                petition,
                by=officer,
                decided_on=day,
                outcome=ReviewOutcome.UPHELD,
                opinion="经复查，维持原处理意见。",
                reply_received_on=day,
            )
        elif state == "rereview_requested":
            actions.request_rereview(
                petition,
                by=officer,
                requested_on=day,
                rereview_unit=OrgUnit.objects.get(code="YA-00"),
                grounds="信访人对复查意见不服。",
            )
        elif state == "rereviewed":
            actions.decide_rereview(
                petition,
                by=officer,
                decided_on=day,
                outcome=ReviewOutcome.UPHELD,
                opinion="经复核，维持复查意见。",
            )


def seed_petitions(officer: Any, approver: Any) -> None:
    existing = set(
        Petition.objects.filter(subject__in=[spec[0] for spec in SPECS]).values_list("subject", flat=True)
    )
    units = {unit.code: unit for unit in OrgUnit.objects.filter(code__in=[spec[2] for spec in SPECS])}
    people = {
        person.staff_no: person
        for person in Person.objects.filter(staff_no__in=[spec[3] for spec in SPECS if spec[3]])
    }
    for index, (subject, channel, unit_code, staff_no, days_ago, target, anonymous) in enumerate(SPECS):
        if subject in existing or unit_code not in units:
            continue
        name, phone, address = PETITIONERS[index % len(PETITIONERS)]
        person = people.get(staff_no) if staff_no else None
        petition = actions.register_petition(
            actions.PetitionData(
                channel=channel,
                received_on=_days_ago(days_ago),
                subject=subject,
                content=f"{subject}，请求有关部门依法处理。",
                responsible_unit=units[unit_code],
                anonymous=anonymous,
                petitioner_name="" if anonymous else name,
                petitioner_id_number="" if anonymous else _id_number(index),
                petitioner_phone="" if anonymous else phone,
                petitioner_address="" if anonymous else address,
                complained_person=person,
                complained_unit=person.org_unit if person else None,
                handlers=[officer],
            ),
            by=officer,
        )
        if target != "registered":
            _advance(petition, target, days_ago, officer, approver)
        if subject == REFERRED_SUBJECT:
            _responsibility_and_referral(Petition.objects.get(pk=petition.pk), officer)


def _responsibility_and_referral(petition: Petition, officer: Any) -> None:
    unit = petition.responsible_unit
    leader = Person.objects.filter(org_unit=unit, is_active=True).order_by("staff_no").first()
    team = actions.record_responsibility(
        petition,
        actions.ResponsibilitySpec(
            subject_kind=SubjectKind.WORKING_DEPARTMENT,
            org_unit=unit,
            duty="对职责范围内的信访事项未依法按政策及时处理。",
        ),
        by=officer,
    )
    chosen = [team]
    if leader is not None:
        chosen.append(
            actions.record_responsibility(
                petition,
                actions.ResponsibilitySpec(
                    subject_kind=SubjectKind.LEADING_CADRE,
                    org_unit=unit,
                    person=leader,
                    level="leadership",
                    duty="未协调处理疑难复杂信访问题。",
                ),
                by=officer,
            )
        )
    situation = next(clause for clause in actions.article_11_situations() if clause.code == "11.3")
    actions.refer_failure(
        petition,
        by=officer,
        situation=situation,
        facts="对群众合理合法诉求推诿扯皮，林地承包纠纷超过办理期限仍未办结。",
        conduct_date=today() - dt.timedelta(days=1),
        responsibilities=chosen,
    )


def seed_supervision(officer: Any) -> None:
    year = today().year
    actions.open_plans(year)
    plans = list(
        SupervisionPlan.objects.filter(year=year, state=SupervisionPlan.State.PLANNED, unit__depth__lte=1)
        .select_related("unit")
        .order_by("unit__path", "unit__code")
    )
    already_done = SupervisionPlan.objects.filter(year=year, state=SupervisionPlan.State.DONE).count()
    for index, plan in enumerate(plans[: max(0, 14 - already_done)]):
        supervised_on = max(dt.date(year, 1, 1), today() - dt.timedelta(days=7 * (index + 1)))
        actions.record_supervision(
            plan,
            by=officer,
            supervised_on=supervised_on,
            findings="信访工作责任制落实总体到位，个别台账不规范，已当场反馈。",
        )


def seed_assessment(officer: Any) -> None:
    year = today().year - 1
    grades = [Grade.EXCELLENT, Grade.GOOD, Grade.GOOD, Grade.FAIR, Grade.GOOD, Grade.POOR]
    graded = set(Assessment.objects.filter(year=year).values_list("unit_id", flat=True))
    units = OrgUnit.objects.filter(is_active=True, depth__lte=1).order_by("path", "code")
    for index, unit in enumerate(units):
        if unit.pk not in graded:
            actions.grade_unit(unit, year=year, grade=grades[index % len(grades)], notes="", by=officer)


ADMONISHMENT_TITLE = "姚安县民政局党组成员信访工作失职问题（演示）"


def seed_admonishment(approver: Any, case_officer: Any) -> None:
    """A decided 诫勉 last year in a petition-work case: the unit loses honours eligibility for that year."""
    if Case.objects.filter(title=ADMONISHMENT_TITLE).exists():
        return
    unit = OrgUnit.objects.get(code="YA-D08")
    people = list(Person.objects.filter(org_unit=unit, is_active=True).order_by("staff_no")[:1])
    team = list(Person.objects.filter(org_unit__code="YA-JW").order_by("staff_no")[:2])
    if not people or len(team) < 2:
        return
    year = today().year - 1
    situation = next(clause for clause in actions.article_11_situations() if clause.code == "11.2")
    case = case_actions.create_case(
        case_actions.CaseData(
            title=ADMONISHMENT_TITLE,
            source=CaseSource.PETITION,
            summary="未按照规定受理、交办信访事项，严重损害信访群众合法权益。",
            conduct_date=dt.date(year, 3, 1),
            unit=unit,
            lead_officer=case_officer,
            situations=[situation],
            targets=[case_actions.TargetSpec(person=people[0])],
        ),
        by=case_officer,
    )
    case_actions.initiate_case(case, by=approver)
    case = Case.objects.get(pk=case.pk)
    case_actions.record_investigation(
        case,
        by=case_officer,
        team=team,
        leader=team[0],
        report="经调查，事实清楚。",
        report_date=dt.date(year, 5, 20),
    )
    target = case.targets.get()
    case_actions.record_target_findings(
        target,
        by=case_officer,
        responsibility=ResponsibilityLevel.DIRECT,
        statement="对事实无异议。",
        statement_date=dt.date(year, 5, 18),
        statement_waived=False,
        waiver_note="",
    )
    case_actions.determine_case(Case.objects.get(pk=case.pk), by=case_officer)
    case = Case.objects.get(pk=case.pk)
    case_actions.decide_case(
        case,
        case_actions.DecisionData(
            meeting_date=dt.date(year, 6, 1),
            meeting_attendees="县纪委常委会",
            votes_for=7,
            votes_against=0,
            votes_abstaining=0,
            decision_date=dt.date(year, 6, 2),
            facts="经查……",
            targets={target.pk: case_actions.TargetDecision(forms=[(Form.ADMONISHMENT, "")])},
        ),
        by=approver,
    )


def _ensure_local_broker() -> None:
    """`make run` seeds before `runall` creates the on-disk broker's folders, and the seeded steps queue
    their notification e-mails on commit: create the folders the same way (nothing to do with Redis)."""
    if str(settings.CELERY_BROKER_URL).startswith("filesystem://"):
        for key in ("data_folder_in", "data_folder_out", "processed_folder"):
            folder = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get(key)
            if folder:
                Path(str(folder)).mkdir(parents=True, exist_ok=True)


@transaction.atomic
def seed(**options: Any) -> dict[str, int]:
    users = {user.username: user for user in get_user_model().objects.filter(username__in=roles.ROLES)}
    officer = users.get(roles.PETITION_OFFICER)
    approver = users.get(roles.APPROVER)
    case_officer = users.get(roles.CASE_OFFICER)
    if officer is None or approver is None or case_officer is None:
        return {}
    _ensure_local_broker()
    seed_petitions(officer, approver)
    seed_supervision(officer)
    actions.run_annual_supervision()  # today's step of the daily task: reminders as the beat would send them
    seed_assessment(officer)
    seed_admonishment(approver, case_officer)
    return {
        "petitions": Petition.objects.count(),
        "responsibilities": PetitionResponsibility.objects.count(),
        "supervision plans": SupervisionPlan.objects.count(),
        "assessments": Assessment.objects.count(),
    }
