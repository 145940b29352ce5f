"""Export of units and people to xlsx: the import's columns, full ID numbers, formula-like text neutralised,
and a round trip: an exported file imports again without changing anything."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.urls import reverse
from python_calamine import CalamineWorkbook

from registry.models import ImportBatch
from tests.conftest import login
from tests.import_files import PEOPLE_HEADERS, UNIT_HEADERS, Importer
from tests.personas import Personas, make_person


def _sheet(content: bytes) -> list[list[Any]]:
    return CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()


@pytest.fixture
def registry(personas: Personas):
    personas.village  # noqa: B018
    make_person(
        personas.forestry,
        '=HYPERLINK("http://evil")',
        staff_no="E1",
        gender="female",
        political_status="cyl_member",
        post="-",
        rank="@rank",
        phone="+8613800000000",
        appointed_date=dt.date(2019, 7, 1),
        birth_date=dt.date(1985, 3, 9),
    )
    make_person(personas.township, "李四", staff_no="E2", birth_date=dt.date(1979, 12, 31))
    return personas


def test_people_export_has_the_import_columns_and_neutralises_formulas(client, registry: Personas) -> None:
    login(client, registry.admin)
    response = client.get(reverse("registry:export_people"))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    rows = _sheet(response.content)
    assert rows[0] == PEOPLE_HEADERS
    e1 = next(row for row in rows if row[0] == "E1")
    assert e1[1] == '\'=HYPERLINK("http://evil")'
    assert e1[2] == "女"
    assert len(str(e1[3])) == 18, "admins get full ID numbers"
    assert e1[4] == dt.date(1985, 3, 9), "dates are Excel dates"
    assert e1[5] == "共青团员"
    assert (e1[6], e1[7]) == ("T-D01", "测试县林业局")
    assert (e1[8], e1[9], e1[10], e1[11]) == ("'-", "'@rank", dt.date(2019, 7, 1), "'+8613800000000")


def test_units_export_lists_parents_before_children(client, registry: Personas) -> None:
    login(client, registry.admin)
    rows = _sheet(client.get(reverse("registry:export_units")).content)
    assert rows[0] == UNIT_HEADERS
    codes = [row[0] for row in rows[1:]]
    assert codes.index("T-ROOT") < codes.index("T-T01") < codes.index("T-T01-V1")
    assert ["T-T01-V1", "测试村党总支", "村(社区)", "T-T01"] in rows


def test_an_exported_roster_imports_again_without_changes(
    client, registry: Personas, django_capture_on_commit_callbacks
) -> None:
    make_person(registry.finance, "王五", staff_no="E3")
    login(client, registry.admin)
    importer = Importer(registry.admin, django_capture_on_commit_callbacks)
    units = importer.upload(client.get(reverse("registry:export_units")).content, "单位.xlsx", "units")
    assert (units.status, units.unchanged_count, units.created_count, units.updated_count) == (
        ImportBatch.Status.PREVIEW,
        5,
        0,
        0,
    )
    people = importer.upload(client.get(reverse("registry:export_people")).content, "人员.xlsx", "people")
    # The one person with formula-like values cannot come back in: the import refuses such cells.
    assert people.status == ImportBatch.Status.INVALID
    assert {entry["row"] for entry in people.problems} == {2}
    assert (people.unchanged_count, people.created_count, people.updated_count) == (2, 0, 0)


def test_the_template_has_the_headers_only(client, registry: Personas) -> None:
    login(client, registry.admin)
    assert _sheet(client.get(reverse("registry:import_template", args=["people"])).content) == [
        PEOPLE_HEADERS
    ]
    assert _sheet(client.get(reverse("registry:import_template", args=["units"])).content) == [UNIT_HEADERS]
    assert client.get(reverse("registry:import_template", args=["cases"])).status_code == 404


def test_the_admin_export_uses_the_same_resource(client, registry: Personas) -> None:
    login(client, registry.admin)
    url = reverse("admin:registry_person_export")
    form = client.get(url).context["form"]
    data = {"format": "0", "resource": "0"}
    data |= {name: "on" for name in form.fields if name.startswith("personresource_")}
    response = client.post(url, data)
    assert response.status_code == 200
    rows = _sheet(response.content)
    assert rows[0] == PEOPLE_HEADERS
    e1 = next(row for row in rows if row[0] == "E1")
    assert e1[1] == '\'=HYPERLINK("http://evil")'
    assert e1[2] == "女"
