"""Every number a user can type is bounded: a huge or negative value is refused in Chinese, never a 500.

The issue's example: `votes_for=99999` overflowed the decision's PositiveSmallIntegerField (a DataError,
a 500 page). The table below drives every numeric input of the pages (form fields, list filters, page
numbers, the admin's number fields) with values past any column; each answer is below 500 and writes
nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import reverse

from accountability import roles
from cases import actions as case_actions
from cases.models import Case, CaseState
from inspections.models import EscalationStep, InspectionRound
from petitions.models import PetitionExtension
from registry.models import DeadlineRule
from tests import petition_factories as pf
from tests.case_factories import advance, decision_for, draft_case
from tests.conftest import login
from tests.personas import Personas, make_user

petition_clock = pf.petition_clock

HUGE = ["99999", "32768", str(10**30), "-99999"]


@dataclass
class Input:
    """One numeric input: who sends it, where, the rest of the form, and what must not have changed."""

    who: str
    url: Callable[[dict[str, Any]], str]
    method: str
    field: str
    data: Callable[[dict[str, Any]], dict[str, Any]]
    unchanged: Callable[[dict[str, Any]], Any]


def _decide_data(world: dict[str, Any]) -> dict[str, Any]:
    case = world["determined"]
    forms = {}
    for target in case.targets.all():
        forms[f"t{target.pk}_forms"] = ["org_notice"] if target.is_organisation else ["notice"]
    return {
        "expected_state": "determined",
        "meeting_date": "2026-03-01",
        "meeting_attendees": "甲、乙、丙",
        "votes_for": "3",
        "votes_against": "0",
        "votes_abstaining": "0",
        "decision_date": "2026-03-02",
        "facts": "经查……",
        **forms,
    }


def _rule() -> DeadlineRule:
    return DeadlineRule.objects.get(code="appeal_filing")


def _step_data(world: dict[str, Any]) -> dict[str, Any]:
    return {
        "code": "late_check",
        "name": "逾期复查",
        "offset_days": "5",
        "level": "notice",
        "colour": "red",
        "recipients": ["discipline_office"],
        "action": "notify",
        "active": "on",
    }


INPUTS = {
    **{
        f"decide-{field}": Input(
            "approver",
            lambda w: reverse("cases:act", args=[w["determined"].pk, "decide"]),
            "post",
            field,
            _decide_data,
            lambda w: Case.objects.get(pk=w["determined"].pk).state,
        )
        for field in ("votes_for", "votes_against", "votes_abstaining")
    },
    "extension-days": Input(
        "petition_officer",
        lambda w: reverse("petitions:extension", args=[w["handling"].pk]),
        "post",
        "days",
        lambda w: {"days": "10", "reason": "需要鉴定"},
        lambda w: PetitionExtension.objects.count(),
    ),
    "case-list-year": Input(
        "officer", lambda w: reverse("cases:list"), "get", "year", lambda w: {}, lambda w: None
    ),
    "case-list-page": Input(
        "officer", lambda w: reverse("cases:list"), "get", "page", lambda w: {}, lambda w: None
    ),
    "petition-list-year": Input(
        "petition_officer", lambda w: reverse("petitions:list"), "get", "year", lambda w: {}, lambda w: None
    ),
    "petition-list-page": Input(
        "petition_officer", lambda w: reverse("petitions:list"), "get", "page", lambda w: {}, lambda w: None
    ),
    "supervision-year": Input(
        "petition_officer",
        lambda w: reverse("petitions:supervision"),
        "get",
        "year",
        lambda w: {},
        lambda w: None,
    ),
    "rectification-list-page": Input(
        "officer", lambda w: reverse("inspections:item_list"), "get", "page", lambda w: {}, lambda w: None
    ),
    "annual-report-year": Input(
        "officer", lambda w: reverse("annual_report"), "get", "year", lambda w: {}, lambda w: None
    ),
    "admin-step-offset": Input(
        "superuser",
        lambda w: reverse("admin:inspections_escalationstep_add"),
        "post",
        "offset_days",
        _step_data,
        lambda w: EscalationStep.objects.filter(code="late_check").exists(),
    ),
    "admin-rule-amount": Input(
        "superuser",
        lambda w: reverse("admin:registry_deadlinerule_change", args=[_rule().pk]),
        "post",
        "amount",
        lambda w: {
            "code": "appeal_filing",
            "name": _rule().name,
            "amount": "1",
            "unit": "months",
            "roll_over_holidays": "on",
        },
        lambda w: _rule().amount,
    ),
    "admin-round-year": Input(
        "superuser",
        lambda w: reverse("admin:inspections_inspectionround_add"),
        "post",
        "year",
        lambda w: {"name": "测试轮次", "year": "2026", "teams-TOTAL_FORMS": "0", "teams-INITIAL_FORMS": "0"},
        lambda w: InspectionRound.objects.filter(name="测试轮次").exists(),
    ),
}


class World(dict):
    """What the inputs need, built on first use: most inputs need neither a case nor a petition."""

    def __init__(self, personas: Personas) -> None:
        super().__init__(personas=personas)
        self.builders: dict[str, Callable[[], Any]] = {
            "superuser": lambda: make_user(
                "root", roles.ADMIN, unit=personas.county, is_staff=True, is_superuser=True
            ),
            "determined": lambda: advance(draft_case(personas), personas, CaseState.DETERMINED),
            "handling": lambda: pf.advance(
                pf.register(personas, received_on=dt.date(2026, 10, 1)),
                personas,
                "handling",
                accepted_on=dt.date(2026, 10, 9),
            ),
        }

    def __missing__(self, key: str) -> Any:
        self[key] = self.builders[key]()
        return self[key]


@pytest.fixture
def world(personas: Personas) -> World:
    return World(personas)


@pytest.mark.parametrize("value", HUGE)
@pytest.mark.parametrize("name", list(INPUTS))
def test_a_number_past_any_column_is_refused_not_a_500(client, world, name: str, value: str) -> None:
    spec = INPUTS[name]
    user = world["superuser"] if spec.who == "superuser" else getattr(world["personas"], spec.who)
    login(client, user)
    before = spec.unchanged(world)
    data = {**spec.data(world), spec.field: value}
    response = getattr(client, spec.method)(spec.url(world), data)
    assert response.status_code < 500
    assert spec.unchanged(world) == before
    if spec.method == "post":
        # Refused on the page, in Chinese, with what was typed kept.
        page = response.content.decode()
        assert response.status_code == 200, page[:2000]
        assert any(word in page for word in ("确保该值", "应在", "之间", "请输入")), page[:3000]


def test_the_decision_refuses_a_vote_past_the_bound_on_its_field(client, personas: Personas) -> None:
    case = advance(draft_case(personas), personas, CaseState.DETERMINED)
    login(client, personas.approver)
    data = {**_decide_data({"determined": case}), "votes_for": "1000"}
    page = client.post(reverse("cases:act", args=[case.pk, "decide"]), data).content.decode()
    assert "确保该值小于或等于999" in page
    assert Case.objects.get(pk=case.pk).state == CaseState.DETERMINED


def test_the_action_itself_bounds_the_votes_for_the_admin_imports_and_tasks(personas: Personas) -> None:
    case = advance(draft_case(personas), personas, CaseState.DETERMINED)
    data = decision_for(case)
    data.votes_for = 99999
    with pytest.raises(case_actions.CaseActionError) as raised:
        case_actions.decide_case(case, data, by=personas.approver)
    (problem,) = raised.value.messages
    assert problem == "赞成票应在0至999之间。"
    assert problem.field == "votes_for"  # type: ignore[attr-defined]
    fresh = Case.objects.get(pk=case.pk)
    assert (fresh.state, fresh.votes_for, fresh.meeting_date) == (CaseState.DETERMINED, None, None)


def test_a_sane_vote_still_decides(personas: Personas) -> None:
    case = advance(draft_case(personas), personas, CaseState.DETERMINED)
    data = decision_for(case)
    data.votes_for, data.votes_against, data.votes_abstaining = 999, 0, 0
    case_actions.decide_case(case, data, by=personas.approver)
    assert Case.objects.get(pk=case.pk).state == CaseState.DECIDED
