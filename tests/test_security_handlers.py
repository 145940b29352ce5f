"""Who makes a petition officer a handler (and so shows them the petitioner in full).

Handlers are assigned and removed by the officer who registered the petition and by the leader of the
petition unit (an approver whose jurisdiction covers the petition's responsible unit); nobody else, and
in particular no officer appoints themselves — not on the handlers page, not through the hand-over step.
A removed handler sees the petitioner masked on the very next request. Every change is in the access log.
"""

from __future__ import annotations

from io import BytesIO

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from openpyxl import load_workbook

from accountability import roles
from accountability.models import AccessCause, AccessChange
from petitions import actions
from petitions.actions import PetitionActionError, PetitionPermissionError
from petitions.models import Petition, PetitionHandler, PetitionState
from tests.conftest import login
from tests.personas import Personas, make_user
from tests.petition_factories import (
    PETITIONER,
    PetitionPeople,
    advance,
    fresh,
    petition_clock,  # noqa: F401 - autouse: the tests run on 30 Nov 2026
    register,
)

FULL_NAME = PETITIONER["petitioner_name"]
FULL_PHONE = PETITIONER["petitioner_phone"]


@pytest.fixture
def people(personas: Personas) -> PetitionPeople:
    return PetitionPeople(personas)


def sees_in_full(client, user, petition: Petition) -> bool:
    """Whether the user sees the petitioner in full on the page and in the export (which must agree)."""
    login(client, user)
    page = client.get(reverse("petitions:detail", args=[petition.pk]))
    assert page.status_code == 200
    on_page = FULL_NAME in page.content.decode()
    sheet = load_workbook(BytesIO(client.get(reverse("petitions:export")).content)).active
    assert sheet is not None
    in_export = any(FULL_PHONE in row for row in sheet.iter_rows(min_row=2, values_only=True))
    assert on_page == in_export
    return on_page


def handlers(petition: Petition) -> set[str]:
    return set(PetitionHandler.objects.filter(petition=petition).values_list("user__username", flat=True))


def access_log(petition: Petition) -> list[tuple[str, bool, str, str]]:
    return [
        (row.user.username, row.granted, row.cause, row.by.username if row.by else "")
        for row in AccessChange.objects.filter(
            content_type=ContentType.objects.get_for_model(Petition), object_id=petition.pk
        )
        .select_related("user", "by")
        .order_by("at", "pk")
    ]


class TestNobodyAppointsThemselves:
    def test_an_officer_of_the_jurisdiction_cannot_add_themselves(
        self, client, personas: Personas, people: PetitionPeople
    ) -> None:
        petition = register(personas)  # by the county petition officer
        assert not sees_in_full(client, people.bureau_officer, petition)
        with pytest.raises(PetitionPermissionError) as raised:
            actions.assign_handlers(petition, [people.bureau_officer], by=people.bureau_officer)
        assert raised.value.messages == [
            "您不能指定自己为该信访事项的承办人：承办人由登记该事项的信访干部或信访部门负责人指定。"
        ]
        assert handlers(petition) == set()
        assert not sees_in_full(client, people.bureau_officer, petition)
        assert access_log(petition) == []

    def test_nor_through_the_handlers_page(self, client, personas: Personas, people: PetitionPeople) -> None:
        petition = register(personas)
        login(client, people.bureau_officer)
        url = reverse("petitions:handlers", args=[petition.pk])
        assert (
            'data-testid="add-handlers"'
            not in client.get(reverse("petitions:detail", args=[petition.pk])).content.decode()
        )
        assert client.get(url).status_code == 403
        assert client.post(url, {"handlers": [people.bureau_officer.pk]}).status_code == 403
        assert handlers(petition) == set()

    def test_nor_through_the_hand_over(self, client, personas: Personas, people: PetitionPeople) -> None:
        petition = advance(register(personas), personas, "accepted")
        login(client, people.bureau_officer)
        response = client.post(
            reverse("petitions:act", args=[petition.pk, "start_handling"]),
            {
                "expected_state": "accepted",
                "started_on": "2025-09-20",
                "handlers": [people.bureau_officer.pk],
            },
        )
        assert response.status_code == 403
        assert fresh(petition).state == PetitionState.ACCEPTED
        assert handlers(petition) == set()
        assert not sees_in_full(client, people.bureau_officer, petition)

    def test_nor_do_they_choose_the_handlers_of_others(
        self, personas: Personas, people: PetitionPeople
    ) -> None:
        petition = register(personas)
        with pytest.raises(PetitionPermissionError) as raised:
            actions.assign_handlers(petition, [people.township_officer], by=people.bureau_officer)
        assert raised.value.messages == ["只有登记该信访事项的信访干部或信访部门负责人可以调整承办人。"]
        assert handlers(petition) == set()

    def test_the_hand_over_by_another_officer_is_fine_when_it_adds_nobody(
        self, personas: Personas, people: PetitionPeople
    ) -> None:
        """Handling may be started by any officer of the area; only new handlers need the assigner."""
        petition = advance(register(personas, handlers=[people.bureau_officer]), personas, "accepted")
        actions.start_handling(
            petition,
            by=people.bureau_officer,
            started_on=petition.decided_on,
            handlers=[people.bureau_officer],
        )
        assert fresh(petition).state == PetitionState.HANDLING


class TestWhoAssigns:
    def test_the_registering_officer_assigns_and_it_is_audited(
        self, client, personas: Personas, people: PetitionPeople
    ) -> None:
        petition = register(personas)
        login(client, personas.petition_officer)
        url = reverse("petitions:handlers", args=[petition.pk])
        assert client.post(url, {"handlers": [people.bureau_officer.pk]}).status_code == 302
        assert sees_in_full(client, people.bureau_officer, petition)
        assert access_log(petition) == [
            ("bureau_officer", True, AccessCause.HANDLERS_ASSIGNED, "petition_officer")
        ]

    def test_registering_with_handlers_is_audited(self, personas: Personas, people: PetitionPeople) -> None:
        petition = register(personas, handlers=[personas.petition_officer, people.bureau_officer])
        assert sorted(access_log(petition)) == [
            ("bureau_officer", True, AccessCause.PETITION_REGISTERED, "petition_officer"),
            ("petition_officer", True, AccessCause.PETITION_REGISTERED, "petition_officer"),
        ]

    def test_the_leader_of_the_petition_unit_assigns(
        self, client, personas: Personas, people: PetitionPeople
    ) -> None:
        petition = register(personas, by=people.bureau_officer)
        login(client, personas.approver)  # the county's approving leader
        detail = client.get(reverse("petitions:detail", args=[petition.pk])).content.decode()
        assert 'data-testid="add-handlers"' in detail
        url = reverse("petitions:handlers", args=[petition.pk])
        assert client.post(url, {"handlers": [personas.petition_officer.pk]}).status_code == 302
        assert handlers(petition) == {"petition_officer"}
        assert access_log(petition) == [("petition_officer", True, AccessCause.HANDLERS_ASSIGNED, "approver")]
        assert not sees_in_full(client, personas.approver, petition)  # the leader assigns, not reads

    def test_a_leader_only_for_the_units_they_lead(
        self, client, personas: Personas, people: PetitionPeople
    ) -> None:
        township_leader = make_user("town_leader", roles.APPROVER, unit=personas.township)
        county_petition = register(personas)  # forestry, a county department
        village_petition = register(personas, unit=personas.village)
        login(client, township_leader)
        assert client.get(reverse("petitions:handlers", args=[county_petition.pk])).status_code == 404
        assert client.get(reverse("petitions:handlers", args=[village_petition.pk])).status_code == 200
        login(client, people.outside_approver)
        assert client.get(reverse("petitions:handlers", args=[county_petition.pk])).status_code == 404
        with pytest.raises(PetitionPermissionError):
            actions.assign_handlers(county_petition, [people.bureau_officer], by=people.outside_approver)

    def test_case_officers_do_not_assign(self, client, personas: Personas, people: PetitionPeople) -> None:
        petition = register(personas)
        login(client, personas.officer)
        url = reverse("petitions:handlers", args=[petition.pk])
        assert client.get(url).status_code == 403
        assert client.post(url, {"handlers": [people.bureau_officer.pk]}).status_code == 403
        assert handlers(petition) == set()


class TestRemoval:
    def test_a_removed_handler_sees_the_petitioner_masked_at_once(
        self, client, personas: Personas, people: PetitionPeople
    ) -> None:
        petition = register(personas, handlers=[personas.petition_officer, people.bureau_officer])
        assert sees_in_full(client, people.bureau_officer, petition)

        login(client, personas.petition_officer)
        url = reverse("petitions:handler_remove", args=[petition.pk, people.bureau_officer.pk])
        assert client.post(url).status_code == 302

        assert handlers(petition) == {"petition_officer"}
        assert not sees_in_full(client, people.bureau_officer, petition)
        assert access_log(petition)[-1] == (
            "bureau_officer",
            False,
            AccessCause.HANDLER_REMOVED,
            "petition_officer",
        )
        login(client, personas.petition_officer)
        page = client.get(reverse("petitions:detail", args=[petition.pk])).content.decode()
        assert 'data-testid="access-revoked-bureau_officer"' in page and "撤销承办人" in page

    def test_a_handler_does_not_remove_others(
        self, client, personas: Personas, people: PetitionPeople
    ) -> None:
        petition = register(personas, handlers=[personas.petition_officer, people.bureau_officer])
        login(client, people.bureau_officer)
        url = reverse("petitions:handler_remove", args=[petition.pk, personas.petition_officer.pk])
        assert client.post(url).status_code == 403
        assert handlers(petition) == {"petition_officer", "bureau_officer"}

    def test_a_petition_being_handled_keeps_one_handler(self, personas: Personas) -> None:
        petition = advance(register(personas), personas, "handling")
        with pytest.raises(PetitionActionError) as raised:
            actions.remove_handler(petition, personas.petition_officer, by=personas.petition_officer)
        assert raised.value.messages == ["正在办理的信访事项至少须保留一名承办人：请先指定其他承办人。"]
        assert handlers(petition) == {"petition_officer"}

    def test_a_closed_petition_keeps_its_handlers(self, personas: Personas, people: PetitionPeople) -> None:
        petition = register(personas, handlers=[people.bureau_officer])
        actions.withdraw_petition(petition, by=personas.petition_officer, reason="信访人撤回")
        with pytest.raises(PetitionActionError):
            actions.remove_handler(fresh(petition), people.bureau_officer, by=personas.petition_officer)
        assert handlers(petition) == {"bureau_officer"}
