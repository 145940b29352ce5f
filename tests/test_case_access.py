"""Who sees which case, and who may act: one permission-filtered queryset for list, detail, search, export."""

import datetime as dt

import pytest

from accountability import roles
from cases import actions
from cases.access import cases_for_user, get_case_for_user
from cases.actions import CaseActionError, CasePermissionError
from cases.models import Case, CaseState
from tests.case_factories import advance, draft_case
from tests.personas import Personas, make_user


@pytest.fixture
def township_officer(personas: Personas):
    """A case officer whose jurisdiction is only the township."""
    return make_user("township_officer", roles.CASE_OFFICER, unit=personas.township)


def test_officers_see_cases_in_their_jurisdiction(personas: Personas, township_officer) -> None:
    county_case = draft_case(personas)  # unit: forestry, under the county
    village_case = draft_case(personas, unit=personas.village)
    assert set(cases_for_user(personas.officer2)) == {county_case, village_case}
    assert set(cases_for_user(township_officer)) == {village_case}


def test_assigned_users_see_cases_outside_their_jurisdiction(personas: Personas, township_officer) -> None:
    case = draft_case(personas, named_users=[township_officer])
    assert case in cases_for_user(township_officer)


def test_a_confidential_case_is_visible_only_to_its_named_users(personas: Personas) -> None:
    case = draft_case(personas, confidential=True, named_users=[personas.approver])
    assert case in cases_for_user(personas.officer)  # the creator and lead officer
    assert case in cases_for_user(personas.approver)  # named
    assert case not in cases_for_user(personas.officer2)  # same jurisdiction, not named
    with pytest.raises(CaseActionError):
        actions.initiate_case(case, by=personas.officer2)


@pytest.mark.parametrize("persona", ["outsider", "inspector", "unit_contact", "petition_officer", "admin"])
def test_people_outside_case_work_see_nothing(personas: Personas, persona: str) -> None:
    draft_case(personas)
    assert not cases_for_user(getattr(personas, persona)).exists()


def test_get_case_for_user_hides_what_it_refuses(personas: Personas, township_officer) -> None:
    from django.http import Http404

    case = draft_case(personas)
    with pytest.raises(Http404):
        get_case_for_user(township_officer, case.pk)
    with pytest.raises(Http404):
        get_case_for_user(personas.officer, "not-a-number")


class TestRolesMayOnlyDoTheirPart:
    def test_an_officer_cannot_initiate(self, personas: Personas) -> None:
        case = draft_case(personas)
        with pytest.raises(CasePermissionError):
            actions.initiate_case(case, by=personas.officer)
        assert Case.objects.get(pk=case.pk).state == CaseState.DRAFT

    def test_an_officer_cannot_decide(self, personas: Personas) -> None:
        case = advance(draft_case(personas), personas, CaseState.DETERMINED)
        from tests.case_factories import decision_for

        with pytest.raises(CasePermissionError):
            actions.decide_case(case, decision_for(case), by=personas.officer)

    def test_an_officer_cannot_dismiss_or_withdraw(self, personas: Personas) -> None:
        case = draft_case(personas)
        with pytest.raises(CasePermissionError):
            actions.withdraw_case(case, by=personas.officer, reason="x")

    def test_an_approver_cannot_determine_deliver_or_close(self, personas: Personas) -> None:
        case = advance(draft_case(personas), personas, CaseState.INITIATED)
        from tests.case_factories import investigate

        case = investigate(case, personas)
        with pytest.raises(CasePermissionError):
            actions.determine_case(case, by=personas.approver)
        delivered = advance(draft_case(personas), personas, CaseState.DECIDED)
        with pytest.raises(CasePermissionError):
            actions.deliver_case(
                delivered, by=personas.approver, delivered_on=dt.date(2026, 3, 5), document_no="X"
            )

    def test_an_approver_cannot_register_clues(self, personas: Personas) -> None:
        with pytest.raises(CasePermissionError):
            draft_case_by(personas, personas.approver)

    def test_an_outsider_cannot_act_even_with_the_object(self, personas: Personas) -> None:
        case = draft_case(personas)
        with pytest.raises(CaseActionError):
            actions.initiate_case(case, by=personas.outsider)


def draft_case_by(personas: Personas, user):
    return actions.create_case(
        actions.CaseData(
            title="x", source="other", summary="x", conduct_date=dt.date(2025, 1, 1), unit=personas.forestry
        ),
        by=user,
    )
