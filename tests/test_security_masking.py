"""Masking that holds: where an ID number is masked the birth date shows the year only, and nothing the
viewer sees masked can be read back through a filter, a search or a sort.

A staff user who is not a registry admin (`clerk`: a case officer with admin access) sees people masked
in the admin; nobody sees petitioners in full in the admin. Every guessed prefix must answer exactly like
any other: no oracle.
"""

from __future__ import annotations

import datetime as dt
from io import BytesIO

import pytest
from django.contrib import admin
from django.contrib.auth.models import AnonymousUser
from django.db.models import Model
from django.test import RequestFactory
from django.urls import reverse
from openpyxl import load_workbook

from accountability import roles
from accountability.admin_masking import masked_fields
from petitions.models import Petition
from registry.imports.resources import PersonResource
from registry.models import Person
from tests.conftest import login
from tests.personas import Personas, make_person, make_user, valid_id_number
from tests.petition_factories import (
    PETITIONER,
    petition_clock,  # noqa: F401 - autouse: the petition tests run on 30 Nov 2026
    register,
)

ID_NUMBER = "532325198001010012"
OTHER_ID_NUMBER = valid_id_number(dt.date(1991, 7, 9), 88, region="110105")


@pytest.fixture
def person(personas: Personas) -> Person:
    return make_person(
        personas.forestry, "钱五", id_number=ID_NUMBER, phone="13812341234", birth_date=dt.date(1980, 1, 1)
    )


@pytest.fixture
def other_person(personas: Personas) -> Person:
    return make_person(
        personas.forestry,
        "孙六",
        id_number=OTHER_ID_NUMBER,
        phone="13600001111",
        birth_date=dt.date(1991, 7, 9),
    )


@pytest.fixture
def clerk(personas: Personas):
    """A case officer who may also open the admin: sees the registry masked there, as on the pages."""
    return make_user("clerk", roles.CASE_OFFICER, unit=personas.county, first_name="何文书", is_staff=True)


@pytest.fixture
def root(personas: Personas):
    return make_user("root", unit=personas.county, is_staff=True, is_superuser=True)


# --- The birth date follows the ID number ---------------------------------------------------------------


def test_where_the_id_number_is_masked_the_page_shows_the_birth_year(
    client, personas: Personas, person
) -> None:
    login(client, personas.officer)
    page = client.get(reverse("registry:person_detail", args=[person.pk])).content.decode()
    assert "5323**********0012" in page
    assert '<dd data-testid="birth-date">1980年</dd>' in page
    assert "1980年1月1日" not in page


def test_admins_see_the_full_birth_date(client, personas: Personas, person) -> None:
    login(client, personas.admin)
    page = client.get(reverse("registry:person_detail", args=[person.pk])).content.decode()
    assert ID_NUMBER in page
    assert '<dd data-testid="birth-date">1980年1月1日</dd>' in page


def test_the_integrity_record_shows_neither_number_nor_birth_date(client, personas: Personas, person) -> None:
    login(client, personas.officer)
    response = client.get(reverse("cases:integrity", args=[person.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "钱五" in page
    for leak in (ID_NUMBER, "13812341234", "1980年1月1日", "1980-01-01"):
        assert leak not in page, leak


def test_the_admin_form_shows_the_birth_year_to_masked_viewers(client, clerk, person) -> None:
    login(client, clerk)
    response = client.get(reverse("admin:registry_person_change", args=[person.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "5323**********0012" in page
    assert "138****1234" in page
    assert "1980年" in page
    for leak in (ID_NUMBER, "13812341234", "1980-01-01", "1980年1月1日", "1980/01/01"):
        assert leak not in page, leak


def test_the_admin_form_keeps_everything_for_registry_admins(client, personas: Personas, person) -> None:
    login(client, personas.admin)
    page = client.get(reverse("admin:registry_person_change", args=[person.pk])).content.decode()
    assert ID_NUMBER in page
    assert "13812341234" in page
    assert 'name="birth_date" value="1980/01/01"' in page


def test_the_admin_history_masks_changed_personal_data(client, clerk, personas: Personas, person) -> None:
    person.phone = "13900009999"
    person.birth_date = dt.date(1980, 1, 2)
    person.post = "副局长"
    person.save()
    url = reverse("admin:registry_person_history", args=[person.pk])

    login(client, clerk)
    page = client.get(url).content.decode()
    assert "副局长" in page  # the change list is there…
    assert "139****9999" in page  # …with the personal data masked
    for leak in ("13900009999", "13812341234", "1980-01-02", "1980-01-01"):
        assert leak not in page, leak

    login(client, personas.admin)
    assert "13900009999" in client.get(url).content.decode()


def test_a_masked_export_shows_the_birth_year(person, other_person, personas: Personas, clerk) -> None:
    def rows(viewer) -> dict[str, dict[str, object]]:
        dataset = PersonResource(viewer=viewer).export(force_native_type=True)
        headers = list(dataset.headers)
        return {row[headers.index("工号")]: dict(zip(headers, row, strict=True)) for row in dataset}

    masked = rows(clerk)[person.staff_no]
    assert masked["身份证号"] == "5323**********0012"
    assert masked["出生日期"] == "1980年"
    assert masked["联系电话"] == "138****1234"
    # Without a viewer, nothing in full either.
    assert rows(None)[person.staff_no]["身份证号"] == "5323**********0012"
    full = rows(personas.admin)[person.staff_no]
    assert full["身份证号"] == ID_NUMBER
    assert full["出生日期"] == dt.date(1980, 1, 1)
    assert full["联系电话"] == "13812341234"


def test_the_registry_export_page_stays_in_full_for_admins(client, personas: Personas, person) -> None:
    login(client, personas.admin)
    sheet = load_workbook(BytesIO(client.get(reverse("registry:export_people")).content)).worksheets[0]
    cells = [cell for row in sheet.iter_rows(values_only=True) for cell in row]
    assert ID_NUMBER in cells


# --- No oracle in the admin's change lists ------------------------------------------------------------------


def _changelist(client, name: str, params: dict[str, str]):
    return client.get(reverse(f"admin:{name}_changelist"), params)


@pytest.mark.parametrize(
    ("lookup", "right", "wrong"),
    [
        ("id_number__startswith", ID_NUMBER[:6], "110105"),
        ("id_number", ID_NUMBER, OTHER_ID_NUMBER[:-1] + "0"),
        ("id_number__contains", "19800101", "19700101"),
        ("birth_date__year", "1980", "1970"),
        ("birth_date__gte", "1980-01-01", "2020-01-01"),
        ("phone__startswith", "1381234", "1390000"),
        ("org_unit__people__id_number__startswith", ID_NUMBER[:6], "110105"),
    ],
)
def test_a_guessed_prefix_answers_like_any_other(
    client, clerk, person, other_person, lookup, right, wrong
) -> None:
    login(client, clerk)
    assert _changelist(client, "registry_person", {}).status_code == 200
    answers = [_changelist(client, "registry_person", {lookup: value}) for value in (right, wrong)]
    assert [answer.status_code for answer in answers] == [400, 400]
    assert answers[0].content == answers[1].content
    assert "请求未被接受" in answers[0].content.decode()


def test_units_cannot_be_filtered_by_their_peoples_numbers(client, clerk, person) -> None:
    login(client, clerk)
    for value in (ID_NUMBER[:6], "110105"):
        response = _changelist(client, "registry_orgunit", {"people__id_number__startswith": value})
        assert response.status_code == 400


def test_registry_admins_may_filter_what_they_see_in_full(
    client, personas: Personas, person, other_person
) -> None:
    login(client, personas.admin)
    narrowed = _changelist(client, "registry_person", {"id_number__startswith": ID_NUMBER[:6]})
    assert narrowed.status_code == 200
    assert ID_NUMBER in narrowed.content.decode()
    assert OTHER_ID_NUMBER not in narrowed.content.decode()


def test_the_person_admin_search_does_not_match_masked_fields(client, clerk, person, other_person) -> None:
    login(client, clerk)
    guessed = _changelist(client, "registry_person", {"q": ID_NUMBER[:6]}).context["cl"]
    other = _changelist(client, "registry_person", {"q": "110105"}).context["cl"]
    assert guessed.result_count == other.result_count == 0
    assert _changelist(client, "registry_person", {"q": "钱五"}).context["cl"].result_count == 1


@pytest.mark.parametrize(
    ("lookup", "right", "wrong"),
    [
        ("petitioner_id_number__startswith", PETITIONER["petitioner_id_number"][:6], "110105"),
        ("petitioner_name__contains", "张", "李"),
        ("petitioner_phone__startswith", "1398780", "1300000"),
        ("petitioner_address__contains", "大河村", "小河村"),
        ("complained_person__id_number__startswith", ID_NUMBER[:6], "110105"),
    ],
)
def test_nobody_filters_petitions_on_the_petitioner(
    client, root, personas: Personas, person, lookup, right, wrong
) -> None:
    register(personas, complained_person=person)
    register(personas, petitioner_id_number=OTHER_ID_NUMBER, petitioner_name="李四", petitioner_phone="")
    login(client, root)
    assert _changelist(client, "petitions_petition", {}).status_code == 200
    answers = [_changelist(client, "petitions_petition", {lookup: value}) for value in (right, wrong)]
    assert [answer.status_code for answer in answers] == [400, 400]
    assert answers[0].content == answers[1].content


def _paths_to_masked_fields(model: type[Model], user, depth: int = 3, prefix: str = "") -> set[str]:
    """Every lookup path from `model`, through up to `depth` relations, that ends on a masked field."""
    found = {prefix + name for name in masked_fields(model, user)}
    if depth == 0:
        return found
    for field in model._meta.get_fields():
        related = field.related_model
        if not field.is_relation or related is None or isinstance(related, str):
            continue
        found |= _paths_to_masked_fields(related, user, depth - 1, f"{prefix}{field.name}__")
    return found


def test_no_admin_allows_a_lookup_on_masked_data(clerk, root) -> None:
    """Every registered admin, every path to a masked field (directly or through relations): refused,
    for a masked viewer and, for petitioners, for superusers too."""
    checked = 0
    for viewer in (clerk, root, AnonymousUser()):
        request = RequestFactory().get("/")
        request.user = viewer
        for model, model_admin in admin.site._registry.items():
            for path in _paths_to_masked_fields(model, viewer):
                for lookup in (path, f"{path}__startswith", f"{path}__isnull"):
                    allowed = model_admin.lookup_allowed(lookup, "1", request)
                    assert not allowed, (type(model_admin).__name__, lookup)
                    checked += 1
    assert checked > 100  # Person and Petition are reached from many admins


def test_superusers_still_see_the_registry_in_full(root) -> None:
    assert masked_fields(Person, root) == {}
    assert set(masked_fields(Petition, root)) == {
        "petitioner_name",
        "petitioner_id_number",
        "petitioner_phone",
        "petitioner_address",
    }


# --- No oracle in the pages' search boxes ------------------------------------------------------------------


def test_the_registry_search_does_not_match_id_numbers(
    client, personas: Personas, person, other_person
) -> None:
    login(client, personas.officer)

    def found(query: str) -> list[str]:
        page = client.get(reverse("registry:person_list"), {"q": query})
        return [entry.staff_no for entry in page.context["page"]]

    assert found(ID_NUMBER[:6]) == found("110105") == found("999999") == []
    assert found(ID_NUMBER) == []


def test_the_petition_search_does_not_match_the_petitioners_id_number(client, personas: Personas) -> None:
    register(personas)
    register(personas, petitioner_id_number=OTHER_ID_NUMBER, petitioner_name="李四")
    login(client, personas.approver)

    def found(query: str) -> int:
        return len(client.get(reverse("petitions:list"), {"q": query}).context["filter"].qs)

    petitioner_id = PETITIONER["petitioner_id_number"]
    assert found(petitioner_id[:6]) == found(OTHER_ID_NUMBER[:6]) == found("999999")
    assert found(petitioner_id) == found(OTHER_ID_NUMBER) == 0
