"""Every xlsx download, found from the URL conf, carries no cell that a spreadsheet would run as a formula.

The walk: every URL whose name says export or download, whose route ends in .xlsx, or whose view's code
speaks of xlsx, must be one of `DOWNLOADS` below — a new download fails `test_every_download_is_walked`
until it is added there. Each one is then fetched by someone allowed to, over data whose free text and
unit names are `=1+1`, `+1`, `-1` and `@SUM(A1)`, and read back with openpyxl: no formula cell, no text
starting with `= + - @`, tab or CR, and the hostile values are there, quoted (so the check is not
vacuous). Then the guard itself (`kernel.xlsx`), value by value.

Uploaded files (case attachments, finding photos, evidence) are served as they were uploaded, by
`accountability.files.serve_file`: they are not spreadsheets we write (tests/test_security_files.py).
"""

from __future__ import annotations

import datetime as dt
import inspect
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from io import BytesIO
from typing import Any

import pytest
from django.http import HttpResponse
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.translation import gettext_lazy
from openpyxl import load_workbook

from cases.models import CaseState
from kernel.xlsx import XLSX_CONTENT_TYPE, Sheet, neutralise, xlsx_bytes, xlsx_response
from petitions.tasks import send_annual_supervision_reminders
from registry.models import OrgUnit
from tests.case_factories import advance, draft_case
from tests.conftest import login
from tests.import_files import Importer, roster, xlsx
from tests.personas import Personas, make_person
from tests.petition_factories import register

PAYLOADS = ("=1+1", "+1", "-1", "@SUM(A1)")
# What no text cell of a download may start with, written out here rather than imported from the guard.
DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


# --- Finding the downloads in the URL conf ------------------------------------------------------------

_DOWNLOAD_NAME = re.compile(r"(^|[_:])(export|download)s?($|_)")
_XLSX_IN_CODE = re.compile(r"xlsx|openpyxl|spreadsheetml")


def _patterns(patterns: list[Any], namespace: str = "", route: str = "") -> Iterator[tuple[str, str, Any]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _patterns(pattern.url_patterns, inner, route + str(pattern.pattern))
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}", route + str(pattern.pattern), pattern.callback


def _source(callback: Any) -> str:
    view = getattr(callback, "view_class", None) or inspect.unwrap(callback)
    try:
        return inspect.getsource(view)
    except (OSError, TypeError):
        return ""


def discovered_downloads() -> set[str]:
    return {
        name
        for name, route, callback in _patterns(get_resolver().url_patterns)
        if _DOWNLOAD_NAME.search(name) or ".xlsx" in route or _XLSX_IN_CODE.search(_source(callback))
    }


# --- The data: hostile text wherever people type it ---------------------------------------------------


@dataclass
class World:
    personas: Personas
    bad_batch_pk: int  # the upload whose rows were refused


@pytest.fixture
def world(personas: Personas, client, django_capture_on_commit_callbacks) -> World:
    units = [personas.forestry, personas.finance, personas.township, personas.discipline]
    # Cases: titles; the first one decided (for the annual report), one in each unit.
    advance(draft_case(personas, title=PAYLOADS[0], unit=units[0]), personas, CaseState.DECIDED)
    for payload, unit in zip(PAYLOADS[1:], units[1:], strict=True):
        draft_case(personas, title=payload, unit=unit)
    # Petitions: subjects.
    for payload, unit in zip(PAYLOADS, units, strict=True):
        register(personas, subject=payload, unit=unit)
    # Supervision findings and assessment notes, through their pages.
    send_annual_supervision_reminders()
    login(client, personas.petition_officer)
    for payload, unit in zip(PAYLOADS, units, strict=True):
        plan = unit.supervision_plans.get(year=2026)
        record = reverse("petitions:supervision_record", args=[plan.pk])
        assert client.post(record, {"supervised_on": "2026-11-02", "findings": payload}).status_code == 302
        grade = reverse("petitions:assessment_grade", args=[unit.pk, 2026])
        assert client.post(grade, {"grade": "good", "notes": payload}).status_code == 302
    # The registry: people's names and posts.
    for payload, unit in zip(PAYLOADS, units, strict=True):
        make_person(unit, payload, post=payload)
    # An upload whose names are refused: the bad-rows download gives them back.
    rows = roster(len(PAYLOADS))
    for row, payload in zip(rows, PAYLOADS, strict=True):
        row[1] = payload
    batch = Importer(personas.admin, django_capture_on_commit_callbacks).upload(xlsx(rows))
    assert batch.error_count == len(PAYLOADS)
    # Unit names last, so that nothing above depended on them.
    for payload, unit in zip(PAYLOADS, units, strict=True):
        OrgUnit.objects.filter(pk=unit.pk).update(name=payload)
    client.logout()
    return World(personas, batch.pk)


# --- How each download is fetched, and which hostile values it must show ------------------------------

Fetch = Callable[[Any, World], HttpResponse]


def _get(who: str, url: Callable[[World], str], params: dict[str, str] | None = None) -> Fetch:
    def fetch(client: Any, world: World) -> HttpResponse:
        login(client, getattr(world.personas, who))
        return client.get(url(world), params or {})

    return fetch


def _admin_export(model: str) -> Fetch:
    def fetch(client: Any, world: World) -> HttpResponse:
        login(client, world.personas.admin)
        url = reverse(f"admin:registry_{model}_export")
        form = client.get(url).context["form"]
        data = {"format": "0", "resource": "0"}
        data |= {name: "on" for name in form.fields if name.startswith(f"{model}resource_")}
        return client.post(url, data)

    return fetch


ALL = frozenset(PAYLOADS)

DOWNLOADS: dict[str, tuple[Fetch, frozenset[str]]] = {
    "cases:export": (_get("officer", lambda w: reverse("cases:export")), ALL),
    "petitions:export": (_get("petition_officer", lambda w: reverse("petitions:export")), ALL),
    "petitions:supervision_export": (
        _get("petition_officer", lambda w: reverse("petitions:supervision_export"), {"year": "2026"}),
        ALL,
    ),
    "petitions:assessment_export": (
        _get("petition_officer", lambda w: reverse("petitions:assessment_export"), {"year": "2026"}),
        ALL,
    ),
    # The statistics page's downloads: one table or all of them; the units' figures roll up to the
    # county's direct children, which are the four hostile units.
    "statistics": (_get("officer", lambda w: reverse("statistics"), {"export": "all"}), ALL),
    # The annual report's units are those with a decision that year: the forestry bureau only.
    "annual_report": (
        _get("approver", lambda w: reverse("annual_report"), {"year": "2026", "format": "xlsx"}),
        frozenset({PAYLOADS[0]}),
    ),
    "registry:export_people": (_get("admin", lambda w: reverse("registry:export_people")), ALL),
    "registry:export_units": (_get("admin", lambda w: reverse("registry:export_units")), ALL),
    "registry:import_bad_rows": (
        _get("admin", lambda w: reverse("registry:import_bad_rows", args=[w.bad_batch_pk])),
        ALL,
    ),
    # Headers only: nobody's text is in it, but it is a file we write.
    "registry:import_template": (
        _get("admin", lambda w: reverse("registry:import_template", args=["people"])),
        frozenset(),
    ),
    "admin:registry_person_export": (_admin_export("person"), ALL),
    "admin:registry_orgunit_export": (_admin_export("orgunit"), ALL),
}


def test_every_download_is_walked() -> None:
    assert discovered_downloads() == set(DOWNLOADS), (
        "a download URL was added or removed: write it with kernel.xlsx and add it to DOWNLOADS"
    )


def _cells(content: bytes) -> Iterator[tuple[str, Any, str]]:
    book = load_workbook(BytesIO(content))
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value is not None:
                    yield f"{sheet.title}!{cell.coordinate}", cell.value, cell.data_type


def test_no_download_has_a_formula_like_cell(client, world: World) -> None:
    failures = []
    for name, (fetch, expected) in DOWNLOADS.items():
        response = fetch(client, world)
        assert response.status_code == 200, name
        assert response["Content-Type"] == XLSX_CONTENT_TYPE, name
        assert response["Content-Disposition"].startswith("attachment;"), name
        assert "no-store" in response["Cache-Control"], name
        texts = set()
        for where, value, data_type in _cells(response.content):
            if data_type == "f" or (isinstance(value, str) and value.startswith(DANGEROUS)):
                failures.append(f"{name} {where}: {value!r} ({data_type})")
            if isinstance(value, str):
                texts.add(value)
        missing = {payload for payload in expected if f"'{payload}" not in texts}
        if missing:
            failures.append(f"{name}: the hostile values {sorted(missing)} are missing, quoted or not")
    assert not failures, "\n".join(failures)


# --- The guard and the writer -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
        ("'=1+1", "'=1+1"),  # already neutralised: unchanged
        ("\x01=1+1", "'=1+1"),  # a control character neither hides the formula nor stays
        ("a=1", "a=1"),
        (" =1", " =1"),
        ("测试县林业局", "测试县林业局"),
        ("", ""),
        (-1, -1),
        (Decimal("-1.5"), Decimal("-1.5")),
        (dt.date(2026, 1, 1), dt.date(2026, 1, 1)),
        (None, None),
    ],
)
def test_the_guard(value: object, written: object) -> None:
    assert neutralise(value) == written
    assert neutralise(neutralise(value)) == written


def _read(content: bytes) -> Any:
    return load_workbook(BytesIO(content))


def _trimmed(row: tuple[Any, ...]) -> list[Any]:
    values = list(row)
    while values and values[-1] is None:
        values.pop()
    return values


def test_the_writer_keeps_types_and_guards_text() -> None:
    lazy = gettext_lazy("Cases")  # a lazy translation is written as its text
    aware = dt.datetime(2026, 11, 30, 2, 0, tzinfo=dt.UTC)
    content = xlsx_bytes(
        Sheet(
            "a/b:c[1]*?\\" + "x" * 40,
            ["=header", lazy],
            [
                ["=1+1", -1, 2.5, Decimal("3"), dt.date(2026, 1, 2), True, None, "#N/A"],
                [aware, ["not", "a", "scalar"]],
            ],
            above=[["@title"], []],
            below=[[], ["-note"]],
        ),
        Sheet("second", ["x"], ()),
    )
    book = _read(content)
    first, second = book.worksheets
    assert first.title == "a-b-c-1----" + "x" * 20 and second.title == "second"
    rows = [_trimmed(row) for row in first.iter_rows(values_only=True)]
    assert rows[0] == ["'@title"] and rows[1] == []
    assert rows[2] == ["'=header", "问责案件"]
    assert first["A3"].font.b and first["B3"].font.b and not first["A4"].font.b
    assert rows[3] == ["'=1+1", -1, 2.5, 3, dt.datetime(2026, 1, 2), True, None, "#N/A"]
    assert first["H4"].data_type == "s", "text that reads like an error code stays text"
    assert first["E4"].number_format == "yyyy-mm-dd"
    assert rows[4] == [dt.datetime(2026, 11, 30, 10, 0), "['not', 'a', 'scalar']"]  # local time, no zone
    assert rows[5:] == [[], ["'-note"]]
    assert all(cell.data_type != "f" for row in first.iter_rows() for cell in row)
    assert [_trimmed(row) for row in second.iter_rows(values_only=True)] == [["x"]]


def test_the_response_names_the_file_in_utf8() -> None:
    response = xlsx_response("cases.xlsx", Sheet("x", ["a"], [["=1"]]))
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    assert response["Content-Disposition"] == 'attachment; filename="cases.xlsx"'
    chinese = xlsx_response("人员-20261130.xlsx", Sheet("x", ["a"], []))
    assert chinese["Content-Disposition"] == ("attachment; filename*=utf-8''%E4%BA%BA%E5%91%98-20261130.xlsx")
    assert _read(response.content).worksheets[0]["A2"].value == "'=1"
