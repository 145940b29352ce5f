"""The yearly assessment: the grade is recorded, honours eligibility is derived from admonishments (诫勉)
decided that year, not revoked, about the unit's petition work."""

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from cases import actions as case_actions
from cases.models import Case, CaseSource, CaseState, DecidedForm, Form
from petitions import actions
from petitions.actions import PetitionActionError, PetitionPermissionError
from petitions.assessment import assessment_rows, honours_eligible
from petitions.models import Assessment, SubjectKind
from registry.models import Clause
from tests.case_factories import DELIVERED_ON
from tests.case_factories import advance as advance_case
from tests.conftest import login
from tests.personas import Personas, make_person
from tests.petition_factories import (
    petition_clock,  # noqa: F401 - autouse: the tests run on 30 Nov 2026
    register,
)

D = dt.date
DECIDED_2026 = D(2026, 3, 2)


def article_11(item: int) -> Clause:
    return Clause.objects.get(regulation__code="petition-responsibility-2016", code=f"11.{item}")


def petition_case(personas: Personas, unit, *, item: int = 2) -> Case:
    """A case opened from a petition-work failure, naming a leader of `unit` (admonished when decided)."""
    petition = register(personas, unit=unit, received_on=D(2025, 12, 1))
    leader = make_person(unit, "责任人")
    responsibility = actions.record_responsibility(
        petition,
        actions.ResponsibilitySpec(
            subject_kind=SubjectKind.LEADING_CADRE, org_unit=unit, person=leader, level="leadership"
        ),
        by=personas.petition_officer,
    )
    failure = actions.refer_failure(
        petition,
        by=personas.petition_officer,
        situation=article_11(item),
        facts="未按规定交办",
        conduct_date=D(2026, 1, 10),
        responsibilities=[responsibility],
    )
    return failure.case


def decided(case: Case, personas: Personas, on: dt.date = DECIDED_2026) -> Case:
    case = advance_case(case, personas, CaseState.DECIDED)
    Case.objects.filter(pk=case.pk).update(decision_date=on)  # the decision's year is what counts
    assert DecidedForm.objects.filter(target__case=case, form=Form.ADMONISHMENT).exists()
    return case


class TestHonoursEligibility:
    def test_a_petition_work_admonishment_that_year_makes_the_unit_ineligible(
        self, personas: Personas
    ) -> None:
        decided(petition_case(personas, personas.forestry), personas)
        assert honours_eligible(personas.forestry, 2026) is False
        assert honours_eligible(personas.finance, 2026) is True

    def test_only_the_year_of_the_decision(self, personas: Personas) -> None:
        decided(petition_case(personas, personas.forestry), personas, on=D(2025, 12, 31))
        assert honours_eligible(personas.forestry, 2025) is False
        assert honours_eligible(personas.forestry, 2026) is True

    def test_an_undecided_case_does_not_count(self, personas: Personas) -> None:
        advance_case(petition_case(personas, personas.forestry), personas, CaseState.DETERMINED)
        assert honours_eligible(personas.forestry, 2026) is True

    def test_an_admonishment_about_other_work_does_not_count(self, personas: Personas) -> None:
        from tests.case_factories import draft_case

        case = advance_case(draft_case(personas), personas, CaseState.DECIDED)  # an inspection case, Art. 7
        assert case.source == CaseSource.INSPECTION
        assert DecidedForm.objects.filter(target__case=case, form=Form.ADMONISHMENT).exists()
        assert honours_eligible(personas.forestry, 2026) is True

    def test_a_case_citing_a_petition_work_clause_counts_whatever_its_source(
        self, personas: Personas
    ) -> None:
        leader = make_person(personas.finance, "钱局长")
        case = case_actions.create_case(
            case_actions.CaseData(
                title="财政局信访工作问题",
                source=CaseSource.SUPERVISION,
                summary="监督检查发现",
                conduct_date=D(2026, 1, 5),
                unit=personas.finance,
                situations=[article_11(5)],
                targets=[case_actions.TargetSpec(person=leader)],
            ),
            by=personas.officer,
        )
        decided(case, personas)
        assert honours_eligible(personas.finance, 2026) is False

    def test_a_revoked_admonishment_does_not_count(self, personas: Personas) -> None:
        case = advance_case(petition_case(personas, personas.forestry), personas, CaseState.DELIVERED)
        appellant = case.targets.get()
        case_actions.file_case_appeal(
            case, by=personas.officer, appellant=appellant, filed_on=DELIVERED_ON, grounds="不服"
        )
        case_actions.decide_case_appeal(
            Case.objects.get(pk=case.pk),
            by=personas.approver,
            outcome="revoked",
            decided_on=D(2026, 4, 1),
            decision="撤销",
        )
        assert honours_eligible(personas.forestry, 2026) is True

    def test_the_table_derives_the_flag_and_counts_in_one_query(
        self, personas: Personas, django_assert_num_queries
    ) -> None:
        decided(petition_case(personas, personas.forestry), personas)
        decided(petition_case(personas, personas.forestry, item=3), personas)
        actions.grade_unit(
            personas.forestry, year=2026, grade="excellent", notes="", by=personas.petition_officer
        )
        units = personas.county.__class__.objects.filter(pk__in=[personas.forestry.pk, personas.finance.pk])
        with django_assert_num_queries(1):
            rows: dict[str, Any] = {unit.code: unit for unit in assessment_rows(units, 2026)}
        forestry, finance = rows["T-D01"], rows["T-D02"]
        assert (forestry.grade, forestry.admonishments, forestry.honours_eligible) == ("excellent", 2, False)
        assert (finance.grade, finance.admonishments, finance.honours_eligible) == (None, 0, True)

    def test_the_flag_is_not_a_stored_field(self) -> None:
        names = {field.name for field in Assessment._meta.get_fields()}
        assert not any("honour" in name or "eligib" in name for name in names)

    def test_the_page_shows_grade_and_flag(self, client, personas: Personas) -> None:
        personas.finance  # noqa: B018 - a unit without admonishments
        decided(petition_case(personas, personas.forestry), personas)
        actions.grade_unit(
            personas.forestry, year=2026, grade="excellent", notes="", by=personas.petition_officer
        )
        login(client, personas.approver)
        page = client.get(reverse("petitions:assessment") + "?year=2026").content.decode()
        forestry_row = page[page.index('data-testid="unit-T-D01"') :].split("</tr>")[0]
        finance_row = page[page.index('data-testid="unit-T-D02"') :].split("</tr>")[0]
        assert "优秀" in forestry_row and "不得参评" in forestry_row
        assert "可以参评" in finance_row


class TestGrading:
    def test_a_grade_can_be_corrected_and_the_history_keeps_the_old_one(self, personas: Personas) -> None:
        actions.grade_unit(personas.forestry, year=2025, grade="good", notes="", by=personas.petition_officer)
        actions.grade_unit(
            personas.forestry, year=2025, grade="fair", notes="复核后调整", by=personas.petition_officer
        )
        assessment = Assessment.objects.get(unit=personas.forestry, year=2025)
        assert assessment.grade == "fair"
        assert list(assessment.history.order_by("history_id").values_list("grade", flat=True)) == [
            "good",
            "fair",
        ]

    def test_a_grade_must_be_one_of_the_four(self, personas: Personas) -> None:
        with pytest.raises(PetitionActionError) as raised:
            actions.grade_unit(
                personas.forestry, year=2025, grade="perfect", notes="", by=personas.petition_officer
            )
        assert raised.value.messages == ["请选择考核等次。"]
        assert not Assessment.objects.exists()

    def test_only_petition_officers_of_the_jurisdiction_grade(self, personas: Personas) -> None:
        from tests.petition_factories import PetitionPeople

        for user in (
            personas.approver,
            personas.officer,
            personas.unit_contact,
            PetitionPeople(personas).township_officer,
        ):
            with pytest.raises(PetitionPermissionError):
                actions.grade_unit(personas.forestry, year=2025, grade="good", notes="", by=user)
        assert not Assessment.objects.exists()
