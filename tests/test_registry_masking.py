"""ID and phone numbers: in full for admins, masked for everyone else."""

import datetime as dt

import pytest
from django.urls import reverse

from registry.privacy import mask_id_number, mask_name, mask_phone
from tests.conftest import login
from tests.personas import Personas, make_person


def test_masks_follow_the_conventions() -> None:
    assert mask_id_number("532325198001010012") == "5323**********0012"
    assert mask_phone("13812341234") == "138****1234"
    assert mask_name("张三") == "张*"
    assert mask_name("欧阳明月") == "欧阳**"
    assert mask_id_number("") == ""


@pytest.fixture
def person(personas: Personas):
    return make_person(
        personas.forestry,
        "钱五",
        id_number="532325198001010012",
        phone="13812341234",
        birth_date=dt.date(1980, 1, 1),
    )


@pytest.mark.parametrize("persona", ["officer", "approver", "petition_officer"])
def test_staff_see_masked_numbers(client, personas: Personas, person, persona: str) -> None:
    login(client, getattr(personas, persona))
    page = client.get(reverse("registry:person_detail", args=[person.pk])).content.decode()
    assert "5323**********0012" in page
    assert "532325198001010012" not in page
    assert "138****1234" in page
    assert "13812341234" not in page


def test_admins_see_the_full_numbers(client, personas: Personas, person) -> None:
    login(client, personas.admin)
    page = client.get(reverse("registry:person_detail", args=[person.pk])).content.decode()
    assert "532325198001010012" in page
    assert "13812341234" in page
    listing = client.get(reverse("admin:registry_person_changelist")).content.decode()
    assert "532325198001010012" in listing


def test_the_person_list_masks_for_officers(client, personas: Personas, person) -> None:
    login(client, personas.officer)
    page = client.get(reverse("registry:person_list"), {"q": "钱五"}).content.decode()
    assert "5323**********0012" in page
    assert "532325198001010012" not in page


def test_people_without_the_view_permission_are_refused(client, personas: Personas, person) -> None:
    login(client, personas.outsider)
    assert client.get(reverse("registry:person_list")).status_code == 403
    assert client.get(reverse("registry:person_detail", args=[person.pk])).status_code == 403


def test_signed_out_visitors_are_sent_to_login(client, personas: Personas, person) -> None:
    response = client.get(reverse("registry:person_detail", args=[person.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
