"""Bad registry input through the admin pages: refused in Chinese, nothing saved."""

import datetime as dt

import pytest
from django.urls import reverse

from registry.models import OrgUnit, Person
from tests.conftest import login
from tests.personas import Personas, make_person, valid_id_number


def _person_form(unit: OrgUnit, **overrides: str) -> dict[str, str]:
    data = {
        "staff_no": "N0001",
        "name": "李四",
        "gender": "male",
        "id_number": "11010519491231002X",
        "birth_date": "1949-12-31",
        "political_status": "cpc_member",
        "org_unit": str(unit.pk),
        "post": "科员",
        "rank": "",
        "appointed_date": "",
        "phone": "13900001111",
        "is_active": "on",
    }
    data.update(overrides)
    return data


@pytest.fixture
def admin_client(client, personas: Personas):
    login(client, personas.admin)
    return client


def test_admin_adds_a_valid_person(admin_client, personas: Personas) -> None:
    response = admin_client.post(reverse("admin:registry_person_add"), _person_form(personas.forestry))
    assert response.status_code == 302
    assert Person.objects.get(staff_no="N0001").id_number == "11010519491231002X"


def test_a_wrong_check_digit_is_refused_and_nothing_saved(admin_client, personas: Personas) -> None:
    form = _person_form(personas.forestry, id_number="110105194912310021")
    response = admin_client.post(reverse("admin:registry_person_add"), form)
    assert response.status_code == 200
    assert "身份证号校验码错误：应为 X，而不是 1。" in response.content.decode()
    assert not Person.objects.filter(staff_no="N0001").exists()


def test_a_birth_date_that_disagrees_with_the_id_number_is_refused(admin_client, personas: Personas) -> None:
    form = _person_form(personas.forestry, birth_date="1950-01-01")
    response = admin_client.post(reverse("admin:registry_person_add"), form)
    assert "出生日期与身份证号中的出生日期（1949-12-31）不一致。" in response.content.decode()
    assert not Person.objects.filter(staff_no="N0001").exists()


def test_a_duplicate_staff_number_is_refused(admin_client, personas: Personas) -> None:
    make_person(personas.forestry, staff_no="N0001")
    form = _person_form(personas.forestry, id_number=valid_id_number())
    response = admin_client.post(reverse("admin:registry_person_add"), form)
    assert "该工号已存在。" in response.content.decode()
    assert Person.objects.filter(staff_no="N0001").count() == 1


def test_a_duplicate_id_number_is_refused(admin_client, personas: Personas) -> None:
    make_person(personas.forestry, id_number="11010519491231002X", birth_date=dt.date(1949, 12, 31))
    response = admin_client.post(reverse("admin:registry_person_add"), _person_form(personas.forestry))
    assert "该身份证号已存在。" in response.content.decode()
    assert not Person.objects.filter(staff_no="N0001").exists()


def test_a_duplicate_unit_code_is_refused(admin_client, personas: Personas) -> None:
    existing = personas.forestry
    response = admin_client.post(
        reverse("admin:registry_orgunit_add"),
        {
            "code": existing.code,
            "name": "另一个单位",
            "kind": "other",
            "parent": str(personas.county.pk),
            "is_active": "on",
        },
    )
    assert "该单位编码已存在。" in response.content.decode()
    assert OrgUnit.objects.filter(code=existing.code).count() == 1


def test_a_unit_cannot_become_its_own_ancestor(admin_client, personas: Personas) -> None:
    township, village = personas.township, personas.village
    response = admin_client.post(
        reverse("admin:registry_orgunit_change", args=[township.pk]),
        {
            "code": township.code,
            "name": township.name,
            "kind": township.kind,
            "parent": str(village.pk),
            "is_active": "on",
        },
    )
    assert "单位不能设在其自身或其下级单位之下。" in response.content.decode()
    township.refresh_from_db()
    assert township.parent_id == personas.county.pk


def test_a_unit_cannot_be_its_own_parent(admin_client, personas: Personas) -> None:
    unit = personas.finance
    response = admin_client.post(
        reverse("admin:registry_orgunit_change", args=[unit.pk]),
        {"code": unit.code, "name": unit.name, "kind": unit.kind, "parent": str(unit.pk), "is_active": "on"},
    )
    assert "单位不能以自身为上级单位。" in response.content.decode()


def test_moving_a_unit_moves_its_subtree_paths(admin_client, personas: Personas) -> None:
    township, village, forestry = personas.township, personas.village, personas.forestry
    response = admin_client.post(
        reverse("admin:registry_orgunit_change", args=[township.pk]),
        {
            "code": township.code,
            "name": township.name,
            "kind": township.kind,
            "parent": str(forestry.pk),
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    village.refresh_from_db()
    assert village.path == f"{forestry.path}{township.pk}/{village.pk}/"
    assert village.depth == 3
    assert set(OrgUnit.objects.filter(forestry.subtree_filter()).values_list("code", flat=True)) == {
        forestry.code,
        township.code,
        village.code,
    }


def test_non_admin_staff_cannot_open_the_person_admin(client, personas: Personas) -> None:
    login(client, personas.officer)
    response = client.get(reverse("admin:registry_person_changelist"))
    assert response.status_code == 302  # to the admin login: officers are not staff


def test_the_registry_admin_pages_before_the_move_lead_to_the_same_pages(admin_client, personas) -> None:
    """Issue 11 moved the registry's models to the `registry` app, and their admin pages with them."""
    person = make_person(personas.forestry)
    old = admin_client.get(f"/admin/accountability/person/{person.pk}/change/?_changelist_filters=q%3D1")
    assert old.status_code == 301
    assert old["Location"] == f"/admin/registry/person/{person.pk}/change/?_changelist_filters=q%3D1"
    assert admin_client.get(old["Location"]).status_code == 200
    assert admin_client.get("/admin/accountability/orgunit/")["Location"] == "/admin/registry/orgunit/"
    assert admin_client.get("/admin/accountability/")["Location"] == "/admin/registry/"
    # Only the registry's models moved: anything else there is not found.
    assert admin_client.get("/admin/accountability/notification/").status_code == 404
