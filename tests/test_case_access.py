"""Who sees which case, and who may act: one permission-filtered queryset for list, detail, search, export."""

import datetime as dt

import pytest

from accountability import roles
from cases import actions
from cases.access import cases_for_user, get_case_for_user
from cases.actions import CaseActionError, CasePermissionError
from cases.models import Case, CaseState, CaseTransition
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


# --- Every transition refused to every role that may not make it -----------------------------------

APPROVER_MOVES = ("initiate", "decide", "decide_appeal", "dismiss", "withdraw")
OFFICER_MOVES = ("determine", "deliver", "record_response", "file_appeal", "close")
OTHER_ROLES = ("team_leader", "inspector", "petition_officer", "unit_contact", "admin")


def _case_ready_for(move: str, personas: Personas) -> Case:
    from tests.case_factories import investigate

    start = {
        "initiate": CaseState.DRAFT,
        "withdraw": CaseState.DRAFT,
        "determine": CaseState.INITIATED,
        "dismiss": CaseState.INITIATED,
        "decide": CaseState.DETERMINED,
        "deliver": CaseState.DECIDED,
        "record_response": CaseState.DELIVERED,
        "file_appeal": CaseState.DELIVERED,
        "close": CaseState.RESPONDED,
        "decide_appeal": CaseState.DELIVERED,
    }[move]
    case = advance(draft_case(personas), personas, start)
    if move == "determine":
        case = investigate(case, personas)
    if move == "decide_appeal":
        case = actions.file_case_appeal(
            case,
            by=personas.officer,
            appellant=case.targets.get(person__isnull=False),
            filed_on=dt.date(2026, 3, 20),
            grounds="认为处理过重",
        )
    return Case.objects.get(pk=case.pk)


def _make(move: str, case: Case, user) -> None:
    from tests.case_factories import clause, decision_for, responses_for

    if move == "initiate":
        actions.initiate_case(case, by=user)
    elif move == "determine":
        actions.determine_case(case, by=user)
    elif move == "decide":
        actions.decide_case(case, decision_for(case), by=user)
    elif move == "deliver":
        actions.deliver_case(
            case, by=user, delivered_on=dt.date(2026, 3, 5), document_no="姚纪问决〔2026〕99号"
        )
    elif move == "record_response":
        actions.record_case_response(case, responses_for(case), by=user)
    elif move == "file_appeal":
        actions.file_case_appeal(
            case,
            by=user,
            appellant=case.targets.get(person__isnull=False),
            filed_on=dt.date(2026, 3, 20),
            grounds="不服",
        )
    elif move == "decide_appeal":
        actions.decide_case_appeal(
            case, by=user, outcome="upheld", decided_on=dt.date(2026, 4, 15), decision="维持原决定"
        )
    elif move == "close":
        actions.close_case(case, by=user)
    elif move == "dismiss":
        actions.dismiss_case(
            case, by=user, ground=clause("ccp-accountability-2019", "17.1.3"), reason="不可抗力"
        )
    elif move == "withdraw":
        actions.withdraw_case(case, by=user, reason="线索不实")


@pytest.mark.parametrize(
    ("move", "who"),
    [(move, who) for move in APPROVER_MOVES for who in ("officer", *OTHER_ROLES)]
    + [(move, who) for move in OFFICER_MOVES for who in ("approver", *OTHER_ROLES)],
)
def test_each_transition_is_refused_to_the_roles_that_may_not_make_it(
    personas: Personas, move: str, who: str
) -> None:
    """Named on the case (so seeing it is not what stops them), the user is refused for their role."""
    from accountability.models import AccessCause
    from cases.actions import sync_case_grants
    from cases.models import CaseNamedUser

    case = _case_ready_for(move, personas)
    user = getattr(personas, who)
    # Named directly: the actions name only case officers and approvers, and these roles are the point.
    CaseNamedUser.objects.create(case=case, user=user)
    sync_case_grants(case, by=None, cause=AccessCause.CASE_EDITED)
    before = (case.state, CaseTransition.objects.filter(case=case).count())
    with pytest.raises(CasePermissionError):
        _make(move, case, user)
    after = Case.objects.get(pk=case.pk)
    assert (after.state, CaseTransition.objects.filter(case=case).count()) == before


@pytest.mark.parametrize("move", APPROVER_MOVES + OFFICER_MOVES)
def test_each_transition_goes_through_for_its_own_role(personas: Personas, move: str) -> None:
    """The same calls as above succeed for the role DOMAIN.md gives the move: the refusals are real."""
    case = _case_ready_for(move, personas)
    user = personas.approver if move in APPROVER_MOVES else personas.officer
    _make(move, case, user)
    assert Case.objects.get(pk=case.pk).state != case.state
