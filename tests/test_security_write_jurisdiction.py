"""Writes follow the reads: a unit chosen in a write lies in the writer's jurisdiction.

A township case officer reads the township's cases only; they cannot register (or move) a case into a
county department either. The same for a township petition officer registering or correcting a
petition, or recording a responsible body, and for an inspection team naming units outside the tour.
Each refusal is a Chinese message on the form (or the action's error), and nothing is written.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from accountability import roles
from cases import actions as case_actions
from cases.models import Case
from inspections import actions as inspection_actions
from inspections.models import FindingCategory, RectificationItem
from petitions import actions as petition_actions
from petitions.models import Petition, PetitionResponsibility, SubjectKind
from tests import inspection_factories as f
from tests.case_factories import draft_case
from tests.conftest import login
from tests.personas import Personas, make_user
from tests.petition_factories import (
    PETITIONER,
    PetitionPeople,
    petition_clock,  # noqa: F401 - autouse: the tests run on 30 Nov 2026
    register,
)


@pytest.fixture
def township_officer(personas: Personas):
    return make_user("township_officer", roles.CASE_OFFICER, unit=personas.township, first_name="镇纪委")


def case_form(personas: Personas, unit) -> dict[str, object]:
    return {
        "title": "村级财务管理混乱问题",
        "source": "supervision",
        "summary": "监督检查发现村级财务管理混乱。",
        "conduct_date": "2025-08-01",
        "unit": str(unit.pk),
        "situations": [],
        "target_units": [str(unit.pk)],
        "target_people": "",
    }


class TestCases:
    def test_a_township_officer_cannot_register_a_county_departments_case(
        self, client, personas: Personas, township_officer
    ) -> None:
        login(client, township_officer)
        response = client.post(reverse("cases:create"), case_form(personas, personas.forestry))
        assert response.status_code == 200
        assert response.context["form"].errors["unit"] == [
            "测试县林业局不在您的管辖范围内：请选择您管辖的单位。"
        ]
        assert "测试县林业局不在您的管辖范围内" in response.content.decode()
        assert not Case.objects.exists()

    def test_but_registers_one_of_the_township(self, client, personas: Personas, township_officer) -> None:
        login(client, township_officer)
        response = client.post(reverse("cases:create"), case_form(personas, personas.village))
        assert response.status_code == 302
        assert Case.objects.get().unit == personas.village

    def test_the_action_refuses_it_too(self, personas: Personas, township_officer) -> None:
        with pytest.raises(case_actions.CaseActionError) as raised:
            case_actions.create_case(
                case_actions.CaseData(
                    title="x",
                    source="other",
                    summary="x",
                    conduct_date=dt.date(2025, 1, 1),
                    unit=personas.finance,
                ),
                by=township_officer,
            )
        assert [getattr(problem, "field", None) for problem in raised.value.messages] == ["unit"]
        assert not Case.objects.exists()

    def test_an_officer_named_on_a_county_case_edits_it_but_cannot_move_it(
        self, client, personas: Personas, township_officer
    ) -> None:
        case = draft_case(personas, named_users=[township_officer])
        login(client, township_officer)
        url = reverse("cases:edit", args=[case.pk])
        data = {
            "expected_state": case.state,
            "title": "林业局监管缺失问题（补充）",
            "source": case.source,
            "summary": case.summary,
            "conduct_date": case.conduct_date.isoformat(),
            "unit": case.unit_id,
            "lead_officer": case.lead_officer_id,
            "situations": list(case.situations.values_list("pk", flat=True)),
            "named_users": [township_officer.pk],
        }
        assert client.post(url, data).status_code == 302  # the unit it already has: fine
        moved = client.post(url, {**data, "title": "改到财政局", "unit": personas.finance.pk})
        assert moved.status_code == 200
        assert moved.context["form"].errors["unit"] == [
            "测试县财政局不在您的管辖范围内：请选择您管辖的单位。"
        ]
        case.refresh_from_db()
        assert (case.unit, case.title) == (personas.forestry, "林业局监管缺失问题（补充）")


def petition_data(unit, **extra) -> petition_actions.PetitionData:
    return petition_actions.PetitionData(
        channel="letter",
        received_on=dt.date(2026, 11, 20),
        subject="反映村道损毁",
        content="村道损毁无人修复。",
        responsible_unit=unit,
        **{**PETITIONER, **extra},
    )


class TestPetitions:
    def test_a_township_petition_officer_cannot_register_for_a_county_department(
        self, client, personas: Personas
    ) -> None:
        login(client, PetitionPeople(personas).township_officer)
        response = client.post(
            reverse("petitions:create"),
            {
                "channel": "letter",
                "received_on": "2026-11-20",
                "subject": "反映林地纠纷",
                "content": "林地被占用。",
                "responsible_unit": personas.forestry.pk,
                "petitioner_name": "李四",
            },
        )
        assert response.status_code == 200
        assert "测试县林业局不在您负责的信访工作范围内" in response.content.decode()
        assert not Petition.objects.exists()

    def test_nor_correct_a_petition_into_one(self, personas: Personas) -> None:
        officer = PetitionPeople(personas).township_officer
        petition = register(personas, by=officer, unit=personas.village)
        with pytest.raises(petition_actions.PetitionActionError) as raised:
            petition_actions.correct_petition(
                petition, petition_data(personas.forestry), by=officer, reason="改为林业局"
            )
        assert "测试县林业局不在您负责的信访工作范围内：请选择您属地范围内的单位。" in raised.value.messages
        assert Petition.objects.get(pk=petition.pk).responsible_unit == personas.village

    def test_nor_record_a_county_department_as_responsible(self, personas: Personas) -> None:
        officer = PetitionPeople(personas).township_officer
        petition = register(personas, by=officer, unit=personas.village)
        with pytest.raises(petition_actions.PetitionActionError):
            petition_actions.record_responsibility(
                petition,
                petition_actions.ResponsibilitySpec(
                    subject_kind=SubjectKind.WORKING_DEPARTMENT, org_unit=personas.forestry
                ),
                by=officer,
            )
        assert not PetitionResponsibility.objects.exists()
        petition_actions.record_responsibility(
            petition,
            petition_actions.ResponsibilitySpec(
                subject_kind=SubjectKind.WORKING_DEPARTMENT, org_unit=personas.township
            ),
            by=officer,
        )
        assert PetitionResponsibility.objects.count() == 1


class TestInspections:
    def test_a_rectification_item_goes_only_to_the_inspected_units(self, personas: Personas) -> None:
        tour = f.tour(personas)  # team A at the forestry bureau
        with pytest.raises(inspection_actions.InspectionActionError) as raised:
            inspection_actions.set_rectification(
                tour.finding_a,
                [inspection_actions.ItemData(responsible_unit=personas.finance, requirement="整改")],
                by=personas.team_leader,
            )
        assert raised.value.messages == ["测试县财政局不是测试县林业局或其下属单位：请选择本次巡察的单位。"]
        assert not RectificationItem.objects.exists()

    def test_a_finding_names_only_the_inspected_units(self, personas: Personas) -> None:
        tour = f.tour(personas)
        with pytest.raises(inspection_actions.InspectionActionError) as raised:
            inspection_actions.log_finding(
                tour.a,
                inspection_actions.FindingData(
                    category=FindingCategory.EIGHT_RULES, description="违规接待", units=[personas.finance]
                ),
                by=personas.inspector,
            )
        assert raised.value.messages == ["测试县财政局：发现问题只能涉及被巡察单位及其下属单位。"]
        assert tour.a.findings.count() == 1
