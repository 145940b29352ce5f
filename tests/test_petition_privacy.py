"""The petitioner's personal data: in full for the petition officers handling the petition, masked for
everyone else, on the list, the detail page and in the Excel export; not even searchable by name for
those who see it masked.

Handling officers: the petition's handlers and the officer who registered it. The other petition officers
whose petition jurisdiction (the level of government they serve) holds the responsible unit see the
petition, masked, until they are made handlers.
"""

from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from petitions import actions
from petitions.models import Petition
from tests.conftest import login
from tests.personas import Personas, make_user
from tests.petition_factories import (
    PETITIONER,
    PetitionPeople,
    petition_clock,  # noqa: F401 - autouse: the tests run on 30 Nov 2026
    register,
)

FULL = {
    "name": PETITIONER["petitioner_name"],
    "id": PETITIONER["petitioner_id_number"],
    "phone": PETITIONER["petitioner_phone"],
    "address": PETITIONER["petitioner_address"],
}
MASKED = {
    "name": "张**",
    "id": PETITIONER["petitioner_id_number"][:4] + "*" * 10 + PETITIONER["petitioner_id_number"][-4:],
    "phone": "139****1234",
    "address": "云南省楚雄州****",
}


def detail(client, user, petition) -> dict[str, str]:
    login(client, user)
    response = client.get(reverse("petitions:detail", args=[petition.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    return {
        key: value
        for key, value in {**FULL, **{f"masked_{k}": v for k, v in MASKED.items()}}.items()
        if value in page
    }


def shows_full(found: dict[str, str]) -> bool:
    return all(key in found for key in FULL)


def shows_masked_only(found: dict[str, str]) -> bool:
    return all(f"masked_{key}" in found for key in MASKED) and not any(key in found for key in FULL)


def export_rows(client, user) -> list[tuple]:
    login(client, user)
    response = client.get(reverse("petitions:export"))
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.content)).active
    assert sheet is not None
    return list(sheet.iter_rows(min_row=2, values_only=True))


@pytest.fixture
def people(personas: Personas) -> PetitionPeople:
    return PetitionPeople(personas)


class TestWhoSeesTheDetailInFull:
    def test_the_county_petition_officer(self, client, personas: Personas) -> None:
        petition = register(personas)
        assert shows_full(detail(client, personas.petition_officer, petition))

    def test_a_petition_officer_at_a_county_department_serves_the_county_once_a_handler(
        self, client, personas: Personas, people: PetitionPeople
    ) -> None:
        petition = register(personas)
        assert shows_masked_only(detail(client, people.bureau_officer, petition))
        actions.assign_handlers(petition, [people.bureau_officer], by=personas.petition_officer)
        assert shows_full(detail(client, people.bureau_officer, petition))

    def test_the_township_officer_for_the_townships_villages_once_a_handler(
        self, client, personas: Personas, people: PetitionPeople
    ) -> None:
        petition = register(personas, unit=personas.village)
        assert shows_masked_only(detail(client, people.township_officer, petition))
        actions.assign_handlers(petition, [people.township_officer], by=personas.petition_officer)
        assert shows_full(detail(client, people.township_officer, petition))

    def test_a_handler_from_another_county(self, client, personas: Personas, people: PetitionPeople) -> None:
        petition = register(personas, handlers=[people.outside_officer])
        assert shows_full(detail(client, people.outside_officer, petition))

    def test_the_officer_who_registered_it_handed_to_another_area(
        self, client, personas: Personas, people: PetitionPeople
    ) -> None:
        """An officer registers only in their own area (tests/test_security_write_jurisdiction.py); once
        a county handler corrects the petition to a county unit, its registering officer still sees it in
        full."""
        petition = register(personas, by=people.township_officer, unit=personas.village)
        actions.assign_handlers(petition, [personas.petition_officer], by=people.township_officer)
        data = actions.PetitionData(
            channel=petition.channel,
            received_on=petition.received_on,
            subject=petition.subject,
            content=petition.content,
            responsible_unit=personas.forestry,
            petitioner_name=PETITIONER["petitioner_name"],
            petitioner_id_number=PETITIONER["petitioner_id_number"],
            petitioner_phone=PETITIONER["petitioner_phone"],
            petitioner_address=PETITIONER["petitioner_address"],
        )
        actions.correct_petition(petition, data, by=personas.petition_officer, reason="属县林业局职责")
        petition = Petition.objects.get(pk=petition.pk)
        assert petition.responsible_unit == personas.forestry
        assert shows_full(detail(client, people.township_officer, petition))


class TestWhoSeesItMasked:
    def test_a_petition_officer_of_the_jurisdiction_not_handling_it(
        self, client, personas: Personas, people: PetitionPeople
    ) -> None:
        petition = register(personas, by=people.bureau_officer)
        found = detail(client, personas.petition_officer, petition)
        assert shows_masked_only(found), found
        assert FULL["name"] not in str(export_rows(client, personas.petition_officer))

    @pytest.mark.parametrize("who", ["approver", "officer"])
    def test_leaders_and_case_officers(self, client, personas: Personas, who: str) -> None:
        petition = register(personas)
        found = detail(client, getattr(personas, who), petition)
        assert shows_masked_only(found), found

    def test_a_superuser(self, client, personas: Personas) -> None:
        root = make_user("root", unit=personas.county, is_superuser=True, is_staff=True)
        petition = register(personas)
        assert shows_masked_only(detail(client, root, petition))

    def test_the_admin_page_masks_too(self, client, personas: Personas) -> None:
        root = make_user("root", unit=personas.county, is_superuser=True, is_staff=True)
        petition = register(personas)
        login(client, root)
        page = client.get(reverse("admin:petitions_petition_change", args=[petition.pk])).content.decode()
        assert MASKED["phone"] in page and FULL["phone"] not in page and FULL["id"] not in page


class TestWhoDoesNotSeeItAtAll:
    def test_the_township_officer_for_a_county_department(
        self, client, personas: Personas, people: PetitionPeople
    ) -> None:
        petition = register(personas, unit=personas.forestry)
        login(client, people.township_officer)
        assert client.get(reverse("petitions:detail", args=[petition.pk])).status_code == 404

    def test_another_countys_officer_and_leader(
        self, client, personas: Personas, people: PetitionPeople
    ) -> None:
        petition = register(personas)
        for user in (people.outside_officer, people.outside_approver):
            login(client, user)
            assert client.get(reverse("petitions:detail", args=[petition.pk])).status_code == 404


class TestTheList:
    def test_the_handler_sees_the_name_the_approver_a_masked_one(self, client, personas: Personas) -> None:
        register(personas)
        login(client, personas.petition_officer)
        assert FULL["name"] in client.get(reverse("petitions:list")).content.decode()
        login(client, personas.approver)
        page = client.get(reverse("petitions:list")).content.decode()
        assert MASKED["name"] in page and FULL["name"] not in page

    def test_anonymous_petitions_show_no_one(self, client, personas: Personas) -> None:
        register(personas, anonymous=True)
        login(client, personas.petition_officer)
        page = client.get(reverse("petitions:list")).content.decode()
        assert "匿名" in page

    def test_the_name_is_searchable_only_by_those_who_see_it(self, client, personas: Personas) -> None:
        register(personas)
        url = reverse("petitions:list") + "?q=张建华"
        login(client, personas.petition_officer)
        assert client.get(url).context["page"].paginator.count == 1
        login(client, personas.approver)
        assert client.get(url).context["page"].paginator.count == 0


class TestTheExport:
    def test_the_handling_officer_exports_in_full(self, client, personas: Personas) -> None:
        register(personas)
        (row,) = export_rows(client, personas.petition_officer)
        assert (row[4], row[5], row[6], row[7]) == (FULL["name"], FULL["id"], FULL["phone"], FULL["address"])

    @pytest.mark.parametrize("who", ["approver", "officer"])
    def test_everyone_else_exports_masked(self, client, personas: Personas, who: str) -> None:
        register(personas)
        (row,) = export_rows(client, getattr(personas, who))
        assert (row[4], row[5], row[6], row[7]) == (
            MASKED["name"],
            MASKED["id"],
            MASKED["phone"],
            MASKED["address"],
        )

    def test_mixed_rows_follow_the_rule_row_by_row(
        self, client, personas: Personas, people: PetitionPeople
    ) -> None:
        """An outside handler sees their own petition in full; nothing else of this county at all."""
        register(personas, subject="甲", handlers=[people.outside_officer])
        register(personas, subject="乙")
        rows = export_rows(client, people.outside_officer)
        assert [(row[3], row[6]) for row in rows] == [("甲", FULL["phone"])]

    def test_formula_like_text_is_neutralised(self, client, personas: Personas) -> None:
        register(personas, subject='=HYPERLINK("http://evil")')
        (row,) = export_rows(client, personas.petition_officer)
        assert row[3] == '\'=HYPERLINK("http://evil")'


def test_the_notifications_never_carry_the_petitioner(personas: Personas) -> None:
    from accountability.models import Notification

    petition = register(personas, handlers=[PetitionPeople(personas).bureau_officer])
    actions.accept_petition(petition, by=personas.petition_officer, decided_on=petition.received_on)
    texts = " ".join(f"{n.title} {n.body}" for n in Notification.objects.all())
    assert Notification.objects.exists()
    assert not any(value in texts for value in FULL.values())
