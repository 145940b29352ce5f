"""Dates that make sense: each date a user enters is judged against its context, on the field, in Chinese.

The issue's example: a rectification deadline of 1999-01-01 was accepted, escalated at once to an
accountability clue, and the clue could never open. Each bad date below is refused by the action (so
the admin, imports and tasks meet the same rule), shown on its field of the page (200, or 422 on the
inspection pages, or the htmx panel), and nothing is written.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from accountability import roles
from cases import actions as case_actions
from cases.models import Case, CaseState, Target
from inspections import actions as inspection_actions
from inspections.models import Assignment, InspectionRound, RectificationItem
from petitions import actions as petition_actions
from petitions.models import Petition, PetitionFailure, PetitionState, SubjectKind, SupervisionPlan
from tests import inspection_factories as f
from tests import petition_factories as pf
from tests.case_factories import DECIDED_ON, DELIVERED_ON, advance, draft_case, responses_for
from tests.conftest import login
from tests.personas import Personas, make_person, make_user

petition_clock = pf.petition_clock
D = dt.date


def field_errors(response: Any, field: str) -> list[str]:
    return list(response.context["form"].errors.get(field, []))


def field_of(error: pytest.ExceptionInfo[Any]) -> dict[str, str | None]:
    """Each message of a refused action with the field it names."""
    return {str(message): getattr(message, "field", None) for message in error.value.messages}


# --- Cases ---------------------------------------------------------------------------------------------


class TestCaseDates:
    def _create(self, personas: Personas, conduct_date: str) -> dict[str, Any]:
        return {
            "title": "财政局资金监管问题",
            "source": "audit",
            "summary": "审计发现专项资金被挪用。",
            "conduct_date": conduct_date,
            "unit": str(personas.finance.pk),
            "target_units": [str(personas.finance.pk)],
        }

    @pytest.mark.parametrize(
        ("typed", "message"),
        [
            (
                "0202-05-01",
                "行为发生日期（202年5月1日）不是合理的日期，请填写1949年10月1日至2100年12月31日之间的日期。",
            ),
            ("2027-01-01", "行为发生日期不能晚于今天。"),
            ("2010-01-01", "2010-01-01 时没有施行中的《中国共产党问责条例》版本。"),
        ],
    )
    def test_a_conduct_date_out_of_context_is_refused_on_its_field(
        self, client, personas: Personas, typed: str, message: str
    ) -> None:
        login(client, personas.officer)
        response = client.post(reverse("cases:create"), self._create(personas, typed))
        assert response.status_code == 200
        assert field_errors(response, "conduct_date") == [message]
        assert "财政局资金监管问题" in response.content.decode()  # what was typed is kept
        assert not Case.objects.exists()

    def test_a_report_date_before_the_conduct_is_refused(self, client, personas: Personas) -> None:
        case = advance(draft_case(personas), personas, CaseState.INITIATED)
        team = [make_person(personas.discipline, "调查员甲"), make_person(personas.discipline, "调查员乙")]
        login(client, personas.officer)
        response = client.post(
            reverse("cases:investigation", args=[case.pk]),
            {
                "expected_state": "initiated",
                "team": " ".join(person.staff_no for person in team),
                "report": "经调查……",
                "report_date": "2025-05-01",
            },
        )
        assert response.status_code == 200
        assert field_errors(response, "report_date") == [
            "调查报告日期（2025年5月1日）不能早于行为发生日期（2025年6月1日）。"
        ]
        fresh = Case.objects.get(pk=case.pk)
        assert (fresh.report_date, fresh.investigation_report, fresh.team.count()) == (None, "", 0)

    def test_a_statement_date_in_the_future_is_refused(self, personas: Personas) -> None:
        case = advance(draft_case(personas), personas, CaseState.INITIATED)
        target = case.targets.filter(person__isnull=False).get()
        with pytest.raises(case_actions.CaseActionError) as raised:
            case_actions.record_target_findings(
                target,
                by=personas.officer,
                responsibility="principal_leadership",
                statement="无异议",
                statement_date=D(2026, 12, 1),
                statement_waived=False,
                waiver_note="",
            )
        assert field_of(raised) == {"陈述申辩日期不能晚于今天。": "statement_date"}
        assert Target.objects.get(pk=target.pk).statement == ""

    def _decide(self, case: Case, **dates: str) -> dict[str, Any]:
        data: dict[str, Any] = {
            "expected_state": "determined",
            "meeting_date": "2026-03-01",
            "meeting_attendees": "甲、乙、丙",
            "votes_for": "3",
            "votes_against": "0",
            "votes_abstaining": "0",
            "decision_date": "2026-03-02",
            "facts": "经查……",
        }
        for target in case.targets.all():
            data[f"t{target.pk}_forms"] = ["org_notice"] if target.is_organisation else ["notice"]
        data.update(dates)
        return data

    @pytest.mark.parametrize(
        ("dates", "field", "message"),
        [
            (
                {"meeting_date": "2026-02-19"},  # the report is dated 20 February
                "meeting_date",
                "决定会议日期（2026年2月19日）不能早于调查报告日期（2026年2月20日）。",
            ),
            (
                {"meeting_date": "2026-02-10", "decision_date": "2026-02-21"},  # statements: 18 February
                "meeting_date",
                "决定会议日期（2026年2月10日）不能早于林局长的陈述申辩日期（2026年2月18日）。",
            ),
            (
                {"meeting_date": "2026-12-01", "decision_date": "2026-12-01"},
                "meeting_date",
                "决定会议日期不能晚于今天。",
            ),
            (
                {"decision_date": "2026-02-28"},
                "decision_date",
                "决定日期（2026年2月28日）不能早于决定会议日期（2026年3月1日）。",
            ),
        ],
    )
    def test_the_decision_follows_the_investigation_and_the_meeting(
        self, client, personas: Personas, dates: dict[str, str], field: str, message: str
    ) -> None:
        case = advance(draft_case(personas), personas, CaseState.DETERMINED)
        login(client, personas.approver)
        response = client.post(reverse("cases:act", args=[case.pk, "decide"]), self._decide(case, **dates))
        assert response.status_code == 200
        assert message in field_errors(response, field)
        fresh = Case.objects.get(pk=case.pk)
        assert (fresh.state, fresh.meeting_date, fresh.form_flags) == (CaseState.DETERMINED, None, 0)

    def test_the_htmx_panel_shows_the_refusal_on_the_field(self, client, personas: Personas) -> None:
        case = advance(draft_case(personas), personas, CaseState.DECIDED)
        login(client, personas.officer)
        response = client.post(
            reverse("cases:act", args=[case.pk, "deliver"]),
            {"expected_state": "decided", "delivered_on": "2027-03-05", "document_no": "测纪问决〔2026〕9号"},
            headers={"HX-Request": "true"},
        )
        page = response.content.decode()
        assert response.status_code == 200 and 'class="card action-form"' in page
        assert field_errors(response, "delivered_on") == ["送达日期不能晚于今天。"]
        assert '<div class="field-error">送达日期不能晚于今天。</div>' in page
        assert Case.objects.get(pk=case.pk).state == CaseState.DECIDED

    def test_a_response_before_the_delivery_is_refused_on_the_targets_field(
        self, client, personas: Personas
    ) -> None:
        case = advance(draft_case(personas), personas, CaseState.DELIVERED)
        login(client, personas.officer)
        data: dict[str, Any] = {"expected_state": "delivered"}
        targets = list(case.targets.order_by("pk"))
        for target in targets:
            data.update(
                {
                    f"t{target.pk}_accepts": "yes",
                    f"t{target.pk}_text": "接受处理。",
                    f"t{target.pk}_self_criticism": "on",
                    f"t{target.pk}_date": "2026-03-10",
                }
            )
        data[f"t{targets[0].pk}_date"] = "2026-03-04"
        response = client.post(reverse("cases:act", args=[case.pk, "record_response"]), data)
        assert response.status_code == 200
        assert field_errors(response, f"t{targets[0].pk}_date") == [
            f"{targets[0].name}的回应日期（2026年3月4日）不能早于送达日期（2026年3月5日）。"
        ]
        assert Case.objects.get(pk=case.pk).state == CaseState.DELIVERED
        assert not Target.objects.filter(case=case).exclude(response_text="").exists()

    def test_an_appeal_decided_before_it_was_filed_is_refused(self, personas: Personas) -> None:
        case = advance(draft_case(personas), personas, CaseState.DELIVERED)
        appellant = case.targets.get(person__isnull=False)
        case_actions.file_case_appeal(
            case, by=personas.officer, appellant=appellant, filed_on=D(2026, 3, 20), grounds="认为处理过重"
        )
        with pytest.raises(case_actions.CaseActionError) as raised:
            case_actions.decide_case_appeal(
                Case.objects.get(pk=case.pk),
                by=personas.approver,
                outcome=Case.AppealOutcome.UPHELD,
                decided_on=D(2026, 3, 19),
                decision="维持原决定",
            )
        assert field_of(raised) == {
            "申诉处理日期（2026年3月19日）不能早于申诉提出日期（2026年3月20日）。": "decided_on"
        }
        assert Case.objects.get(pk=case.pk).state == CaseState.APPEALED

    def test_the_chronology_of_the_factories_is_accepted(self, personas: Personas) -> None:
        case = advance(draft_case(personas), personas, CaseState.RESPONDED)
        assert (case.decision_date, case.delivered_on) == (DECIDED_ON, DELIVERED_ON)
        assert all(r.response_date == D(2026, 3, 10) for r in responses_for(case).values())


# --- Inspections ---------------------------------------------------------------------------------------


class TestInspectionDates:
    def test_a_deadline_of_1999_is_refused_on_its_field(self, client, personas: Personas) -> None:
        tour = f.tour(personas)
        login(client, personas.team_leader)
        response = client.post(
            reverse("inspections:finding_rectification", args=[tour.finding_a.pk]),
            {
                "responsible_unit": tour.a.unit.pk,
                "requirement": "建立公务用车登记制度",
                "deadline": "1999-01-01",
            },
        )
        assert response.status_code == 422
        assert field_errors(response, "deadline") == [
            "整改期限（1999年1月1日）不能早于反馈日期（2026年4月30日）。"
        ]
        assert "建立公务用车登记制度" in response.content.decode()
        assert not RectificationItem.objects.exists()

    @pytest.mark.parametrize(
        ("feedback_on", "deadline", "message"),
        [
            (
                D(2026, 4, 30),
                D(2028, 5, 1),
                "整改期限（2028年5月1日）不能晚于反馈日期后2年（2028年4月30日）。",
            ),
            (None, D(2026, 11, 29), "整改期限（2026年11月29日）不能早于今天（2026年11月30日）。"),
            (None, D(2028, 12, 1), "整改期限（2028年12月1日）不能晚于今天起2年后（2028年11月30日）。"),
        ],
    )
    def test_a_deadline_lies_within_two_years_of_the_feedback_or_today(
        self, personas: Personas, feedback_on: dt.date | None, deadline: dt.date, message: str
    ) -> None:
        team = f.team(personas, "第三巡察组", personas.team_leader)
        assignment = f.assignment(team, personas.township, feedback_on=feedback_on)
        finding = f.finding(assignment, personas.team_leader, verified_by=personas.team_leader)
        with pytest.raises(inspection_actions.InspectionActionError) as raised:
            f.item(finding, personas.team_leader, deadline=deadline)
        assert field_of(raised) == {message: "deadline"}
        assert not RectificationItem.objects.exists()

    def test_the_default_and_the_edges_of_the_horizon_are_accepted(self, personas: Personas) -> None:
        tour = f.tour(personas)
        for deadline in (D(2026, 4, 30), D(2028, 4, 30)):
            f.item(tour.finding_a, personas.team_leader, deadline=deadline)
        (default,) = inspection_actions.set_rectification(
            tour.finding_a,
            [inspection_actions.ItemData(responsible_unit=tour.a.unit, requirement="整改")],
            by=personas.team_leader,
        )
        assert default.deadline == D(2026, 6, 30)

    def test_tour_dates_out_of_order_are_shown_on_the_tour_page(self, client, personas: Personas) -> None:
        tour = f.tour(personas)
        login(client, personas.team_leader)
        response = client.post(
            reverse("inspections:assignment_dates", args=[tour.a.pk]),
            {"stationed_on": "2026-03-02", "withdrawn_on": "2026-03-01", "feedback_on": "2026-04-30"},
        )
        assert response.status_code == 422
        assert field_errors(response, "withdrawn_on") == [
            "撤离日期（2026年3月1日）不能早于进驻日期（2026年3月2日）。"
        ]
        page = response.content.decode()
        assert 'value="2026-03-01"' in page and '<details class="edit-dates" open>' in page
        assert Assignment.objects.get(pk=tour.a.pk).withdrawn_on == D(2026, 4, 10)

    def test_tour_dates_stay_near_the_rounds_year(self, personas: Personas) -> None:
        tour = f.tour(personas)  # the round of 2026
        with pytest.raises(inspection_actions.InspectionActionError) as raised:
            inspection_actions.update_assignment_dates(
                tour.a,
                by=personas.team_leader,
                stationed_on=D(1999, 3, 2),
                withdrawn_on=D(1999, 4, 10),
                feedback_on=D(2026, 4, 30),
            )
        assert field_of(raised) == {
            "进驻日期（1999年3月2日）不能早于本轮巡察上一年度的第一天（2025年1月1日）。": "stationed_on",
            "撤离日期（1999年4月10日）不能早于本轮巡察上一年度的第一天（2025年1月1日）。": "withdrawn_on",
        }
        assert Assignment.objects.get(pk=tour.a.pk).stationed_on == D(2026, 3, 2)

    def test_the_admin_meets_the_same_rules(self, client, personas: Personas) -> None:
        tour = f.tour(personas)
        root = make_user("root", roles.ADMIN, unit=personas.county, is_staff=True, is_superuser=True)
        login(client, root)
        response = client.post(
            reverse("admin:inspections_assignment_change", args=[tour.a.pk]),
            {
                "team": tour.team_a.pk,
                "unit": tour.a.unit.pk,
                "stationed_on": "2026-03-02",
                "withdrawn_on": "2026-04-10",
                "feedback_on": "2026-04-01",
                "stage": "preparation",
            },
        )
        assert response.status_code == 200
        assert "反馈日期（2026年4月1日）不能早于撤离日期（2026年4月10日）。" in response.content.decode()
        assert Assignment.objects.get(pk=tour.a.pk).feedback_on == D(2026, 4, 30)
        response = client.post(
            reverse("admin:inspections_inspectionround_add"),
            {
                "name": "测试轮次",
                "year": "2026",
                "starts_on": "2026-05-01",
                "ends_on": "2026-04-01",
                "teams-TOTAL_FORMS": "0",
                "teams-INITIAL_FORMS": "0",
            },
        )
        assert response.status_code == 200
        assert "结束日期（2026年4月1日）不能早于开始日期（2026年5月1日）。" in response.content.decode()
        assert not InspectionRound.objects.filter(name="测试轮次").exists()

    def test_a_transfer_in_the_future_is_refused_on_its_field(self, client, personas: Personas) -> None:
        tour = f.tour(personas)
        login(client, personas.team_leader)
        response = client.post(
            reverse("inspections:finding_transfer", args=[tour.finding_a.pk]),
            {"title": "林业局问题", "summary": "公车私用", "conduct_date": "2027-01-01"},
        )
        assert response.status_code == 422
        assert field_errors(response, "conduct_date") == ["行为发生日期不能晚于今天。"]
        assert not Case.objects.exists()


# --- Petitions -----------------------------------------------------------------------------------------


class TestPetitionDates:
    def test_a_received_date_before_1949_is_refused_on_its_field(self, client, personas: Personas) -> None:
        login(client, personas.petition_officer)
        response = client.post(
            reverse("petitions:create"),
            {
                "channel": "letter",
                "received_on": "0001-01-01",
                "subject": "反映村道塌方无人修复",
                "content": "村道塌方已两个月。",
                "responsible_unit": personas.forestry.pk,
                "anonymous": "on",
            },
        )
        assert response.status_code == 200
        assert field_errors(response, "received_on") == [
            "收到日期（1年1月1日）不是合理的日期，请填写1949年10月1日至2100年12月31日之间的日期。"
        ]
        assert not Petition.objects.exists()

    def test_a_step_dated_before_the_one_it_follows_is_shown_on_its_field(
        self, client, personas: Personas
    ) -> None:
        petition = pf.register(personas)
        login(client, personas.petition_officer)
        response = client.post(
            reverse("petitions:act", args=[petition.pk, "accept"]),
            {"expected_state": "registered", "decided_on": "2025-09-15"},
        )
        assert response.status_code == 200
        assert field_errors(response, "decided_on") == [
            "受理决定日期（2025年9月15日）不能早于收到信访事项的日期（2025年9月16日）。"
        ]
        assert Petition.objects.get(pk=petition.pk).state == PetitionState.REGISTERED

    def test_a_failure_before_the_petition_arrived_is_refused(self, client, personas: Personas) -> None:
        petition = pf.advance(pf.register(personas, received_on=D(2026, 9, 1)), personas, "handling")
        responsibility = petition_actions.record_responsibility(
            petition,
            petition_actions.ResponsibilitySpec(
                subject_kind=SubjectKind.WORKING_DEPARTMENT, org_unit=personas.forestry
            ),
            by=personas.petition_officer,
        )
        situation = next(c for c in petition_actions.article_11_situations() if c.code == "11.2")
        login(client, personas.petition_officer)
        response = client.post(
            reverse("petitions:refer", args=[petition.pk]),
            {
                "situation": situation.pk,
                "conduct_date": "2026-08-31",
                "facts": "未按规定交办",
                "responsibilities": [responsibility.pk],
            },
        )
        assert response.status_code == 200
        assert field_errors(response, "conduct_date") == [
            "失职失责发生的日期（2026年8月31日）不能早于收到信访事项的日期（2026年9月1日）。"
        ]
        assert not PetitionFailure.objects.exists() and not Case.objects.exists()

    def test_the_supervision_date_is_shown_on_its_field(self, client, personas: Personas) -> None:
        plan = SupervisionPlan.objects.create(unit=personas.forestry, year=2026)
        login(client, personas.petition_officer)
        response = client.post(
            reverse("petitions:supervision_record", args=[plan.pk]),
            {"supervised_on": "2026-12-01", "findings": "责任落实到位"},
        )
        assert field_errors(response, "supervised_on") == ["督查日期不能晚于今天。"]
        assert SupervisionPlan.objects.get(pk=plan.pk).state == SupervisionPlan.State.PLANNED


# --- Statistics ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("field", ["date_from", "date_to"])
def test_a_statistics_date_past_any_calendar_is_refused_not_a_500(
    client, personas: Personas, field: str
) -> None:
    login(client, personas.officer)
    response = client.get(reverse("statistics"), {field: "9999-12-31"})
    assert response.status_code == 200
    assert field_errors(response, field)[0].endswith(
        "不是合理的日期，请填写1949年10月1日至2100年12月31日之间的日期。"
    )
