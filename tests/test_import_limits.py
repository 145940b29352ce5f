"""Import memory limits (issue 10): a file is streamed against the limits at upload, before any reader
loads it; one over a limit is refused in the request, in Chinese, with nothing kept, and in bounded
memory; ordinary files still import; where the steps run follows what the file unpacks to."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest

from registry import tasks
from registry.imports import scanning
from registry.imports.problems import ImportRefusedError, render
from registry.models import ImportBatch, ImportFile, Person
from tests import hostile_files as hostile
from tests.conftest import login
from tests.import_files import PEOPLE_HEADERS, Importer, csv_bytes, detail_page, roster, xls, xlsx
from tests.personas import Personas

ROOT = Path(__file__).resolve().parent.parent
Status = ImportBatch.Status
TIGHT = {
    "IMPORT_MAX_UNPACKED_BYTES": 1024 * 1024,
    "IMPORT_MAX_CELL_BYTES": 4096,
    "IMPORT_MAX_ROWS": 1000,
    "IMPORT_MAX_CELLS": 30_000,
}


@pytest.fixture
def importer(personas: Personas, django_capture_on_commit_callbacks) -> Importer:
    personas.forestry  # noqa: B018 - unit T-D01
    return Importer(personas.admin, django_capture_on_commit_callbacks)


@pytest.fixture
def tight(settings) -> None:
    for name, value in TIGHT.items():
        setattr(settings, name, value)


def shared_strings_xlsx(rows: list[list[object]]) -> bytes:
    """As Excel saves it: text in the shared strings table (openpyxl's normal mode)."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(PEOPLE_HEADERS)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def long_text_xls(cells: int, length: int) -> bytes:
    """An .xls whose one long text (in its shared string table) fills `cells` cells."""
    import xlwt

    workbook = xlwt.Workbook(encoding="utf-8")
    sheet = workbook.add_sheet("花名册")
    text = "问" * length
    for index in range(cells):
        sheet.write(index // 20, index % 20, text)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def far_xls(row: int) -> bytes:
    import xlwt

    workbook = xlwt.Workbook(encoding="utf-8")
    sheet = workbook.add_sheet("花名册")
    sheet.write(0, 0, "工号")
    sheet.write(row - 1, 0, "x")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def raw_sheet(*rows: bytes) -> bytes:
    return hostile.workbook(hostile.sheet_xml([hostile.text_row(1, ["工号"]), *rows]))


HOSTILE: list[tuple[str, Callable[[], bytes], str, dict[str, object]]] = [
    (
        "huge-cell",
        lambda: hostile.huge_cell(64 * 1024),
        "xlsx",
        {"code": "cell_too_big", "params": {"limit": 4}},
    ),
    (
        "zip-bomb",
        lambda: hostile.zip_bomb(3 * 1024 * 1024),
        "xlsx",
        {"code": "too_big_unpacked", "params": {"limit": 1}},
    ),
    (
        "shared-string-bomb",
        lambda: hostile.shared_string_bomb(2000, 2000),
        "xlsx",
        {"code": "too_big_unpacked", "params": {"limit": 1}},
    ),
    (
        "far-row",
        lambda: hostile.far_cell("A5000"),
        "xlsx",
        {"code": "rows_beyond", "params": {"row": 1020, "limit": 1000}},
    ),
    (
        "wide-area",
        lambda: hostile.far_cell("CV900"),
        "xlsx",
        {"code": "too_many_cells", "params": {"rows": 900, "columns": 100, "limit": 30_000}},
    ),
    (
        "directory-lies",
        lambda: hostile.lying_sizes(xlsx(roster(50))),
        "xlsx",
        {"code": "unreadable", "params": {}},
    ),
    (
        "cells-without-references",
        lambda: hostile.cells_without_references(20_000),
        "xlsx",
        {"code": "too_many_cells", "params": {"rows": 2, "columns": 15_001, "limit": 30_000}},  # stops there,
    ),
    (
        "cdata-hides-cell-ends",
        lambda: raw_sheet(
            b'<row r="2"><c r="A2" t="inlineStr"><is><t><![CDATA['
            + b"x</c>" * 2000
            + b"]]></t></is></c></row>"
        ),
        "xlsx",
        {"code": "cell_too_big", "params": {"limit": 4}},
    ),
    (
        "prefixed-cells",
        lambda: raw_sheet(
            f'<row r="5000"><x:c xmlns:x="{hostile.MAIN}" r="A5000" t="inlineStr"><x:is><x:t>x</x:t>'
            "</x:is></x:c></row>".encode()
        ),
        "xlsx",
        {"code": "rows_beyond", "params": {"row": 1020, "limit": 1000}},
    ),
    (
        "lowercase-reference",
        lambda: raw_sheet(b'<row r="5000"><c r="a5000" t="inlineStr"><is><t>x</t></is></c></row>'),
        "xlsx",
        {"code": "rows_beyond", "params": {"row": 1020, "limit": 1000}},
    ),
    (
        "doctype",
        lambda: hostile.workbook(
            [
                b'<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY a "aaaa">]>',
                b"<worksheet><sheetData/></worksheet>",
            ]
        ),
        "xlsx",
        {"code": "unreadable", "params": {}},
    ),
    (
        "xls-long-shared-text",
        lambda: long_text_xls(600, 1000),
        "xls",
        {"code": "too_big_unpacked", "params": {"limit": 1}},
    ),
    (
        "xls-far-row",
        lambda: far_xls(5000),
        "xls",
        {"code": "rows_beyond", "params": {"row": 1020, "limit": 1000}},
    ),
    (
        "csv-long-line",
        lambda: hostile.csv_long_line(64 * 1024),
        "csv",
        {"code": "row_too_long", "params": {"limit": 16}},
    ),
    (
        "csv-long-field",
        lambda: "工号,姓名\nR1,".encode() + b"x" * 10_000 + b"\n",
        "csv",
        {"code": "cell_too_big", "params": {"limit": 4}},
    ),
    (
        "csv-too-many-rows",
        lambda: csv_bytes([["R", "x"]] * 1100, ["工号", "姓名"]),
        "csv",
        {"code": "rows_beyond", "params": {"row": 1020, "limit": 1000}},
    ),
]


@pytest.mark.parametrize(
    ("build", "suffix", "notice"), [case[1:] for case in HOSTILE], ids=[c[0] for c in HOSTILE]
)
def test_a_file_over_a_limit_is_refused_at_upload_in_chinese_and_nothing_is_kept(
    importer: Importer,
    client,
    tight: None,
    build: Callable[[], bytes],
    suffix: str,
    notice: dict[str, object],
) -> None:
    people = Person.objects.count()
    batch = importer.upload(build(), f"名册.{suffix}")
    assert (batch.status, batch.notice) == (Status.INVALID, notice)
    assert batch.unpacked_size is None
    assert not ImportFile.objects.filter(batch=batch).exists(), "a refused file's bytes are not kept"
    assert Person.objects.count() == people
    login(client, importer.user)
    message = render(str(notice["code"]), notice["params"])  # type: ignore[arg-type]
    assert message in detail_page(client, batch)
    assert any("\u4e00" <= char <= "\u9fff" for char in message), message


@pytest.mark.parametrize(
    ("build", "name"),
    [
        (lambda: xlsx(roster(300)), "名册.xlsx"),
        (lambda: shared_strings_xlsx(roster(300)), "名册.xlsx"),
        (lambda: xls(roster(300)), "名册.xls"),
        (lambda: csv_bytes(roster(300)), "名册.csv"),
    ],
    ids=["xlsx-inline-strings", "xlsx-shared-strings", "xls", "csv"],
)
def test_ordinary_rosters_still_import_under_the_same_limits(
    importer: Importer, tight: None, build: Callable[[], bytes], name: str
) -> None:
    batch = importer.run(build(), name)
    assert batch.status == Status.DONE, (batch.status, batch.notice)
    assert batch.created_count == 300
    assert Person.objects.filter(staff_no__startswith="R").count() == 300
    assert batch.unpacked_size is not None and batch.unpacked_size > 0


def test_the_file_of_the_issue_is_refused_in_the_request(importer: Importer) -> None:
    """Issue 10: a small upload with one enormous cell was read in the web request (1.44 GB). With the
    default limits it is now refused there, before any reader, and no step is queued."""
    content = hostile.huge_cell(8 * 1024 * 1024)
    assert len(content) < 64 * 1024
    batch = importer.upload(content)
    assert (batch.status, batch.notice["code"]) == (Status.INVALID, "cell_too_big")


def test_where_the_steps_run_follows_the_unpacked_size_not_the_upload(
    importer: Importer, settings, monkeypatch
) -> None:
    queued: list[int] = []
    monkeypatch.setattr(tasks.check_import, "delay", queued.append)
    settings.IMPORT_SYNC_MAX_BYTES = 64 * 1024
    content = xlsx(roster(300))
    assert len(content) < settings.IMPORT_SYNC_MAX_BYTES  # small to upload…

    batch = importer.upload(content)
    assert batch.unpacked_size > settings.IMPORT_SYNC_MAX_BYTES  # …large to read: the worker's
    assert (batch.status, queued) == (Status.QUEUED, [batch.pk])

    small = importer.upload(xlsx(roster(20), above=[["某某县干部名册"]]))
    assert small.unpacked_size < settings.IMPORT_SYNC_MAX_BYTES
    assert small.status == Status.PREVIEW, "checked within the request"
    assert queued == [batch.pk]


def test_the_steps_do_not_scan_the_stored_bytes_again(importer: Importer, monkeypatch) -> None:
    scans: list[str] = []
    measure = scanning.measure

    def counted(content: bytes, file_name: str) -> scanning.Measure:
        scans.append(file_name)
        return measure(content, file_name)

    monkeypatch.setattr(scanning, "measure", counted)
    batch = importer.run(xlsx(roster(30)))
    assert batch.status == Status.DONE
    assert scans == ["花名册.xlsx"], "once, at upload"


# The two scans of a sheet ------------------------------------------------------------------------


def _exact_only(monkeypatch) -> None:
    monkeypatch.setattr(scanning._SheetScan, "_check", lambda self, body: False)
    monkeypatch.setattr(scanning._StringsScan, "_check", lambda self, body: False)


def _outcome(content: bytes) -> object:
    try:
        found = scanning.measure(content, "名册.xlsx")
    except ImportRefusedError as problem:
        return problem.as_json()
    return (found.rows, found.columns, found.unpacked)


@pytest.mark.parametrize(
    "build",
    [
        lambda: xlsx(roster(300)),
        lambda: shared_strings_xlsx(roster(300)),
        lambda: hostile.huge_cell(64 * 1024),
        lambda: hostile.zip_bomb(3 * 1024 * 1024),
        lambda: hostile.shared_string_bomb(2000, 2000),
        lambda: hostile.far_cell("A5000"),
        lambda: hostile.far_cell("CV900"),
        lambda: raw_sheet(b'<row r="7"><c r="C7" t="inlineStr"><is><t>x</t></is></c></row>'),
    ],
    ids=["inline", "shared", "huge-cell", "zip-bomb", "shared-bomb", "far-row", "wide-area", "one-cell"],
)
def test_the_fast_scan_refuses_what_the_exact_scan_refuses(tight: None, monkeypatch, build) -> None:
    """The fast scan searches the XML with patterns that rely on its usual form; the exact one parses it
    with expat. On the same file they refuse the same way, and the fast one never counts less."""
    content = build()
    fast = _outcome(content)
    _exact_only(monkeypatch)
    exact = _outcome(content)
    if isinstance(exact, dict):
        assert fast == exact
    else:
        assert isinstance(fast, tuple) and isinstance(exact, tuple)
        assert fast[:2] == exact[:2]
        assert exact[2] <= fast[2] <= exact[2] * 1.05


def test_a_chunk_boundary_inside_a_cell_is_no_hiding_place(settings) -> None:
    """A cell just over the limit, placed across the boundary of two unpacked chunks, is still seen."""
    settings.IMPORT_MAX_CELL_BYTES = 64 * 1024
    padding = [hostile.text_row(row, ["x" * 900]) for row in range(2, 2 + scanning.CHUNK // 960)]
    big = b'<row r="999"><c r="A999" t="inlineStr"><is><t>' + b"y" * (65 * 1024) + b"</t></is></c></row>"
    with pytest.raises(ImportRefusedError) as refused:
        scanning.measure(raw_sheet(*padding, big), "名册.xlsx")
    assert refused.value.code == "cell_too_big"
    fits = b'<row r="999"><c r="A999" t="inlineStr"><is><t>' + b"y" * (60 * 1024) + b"</t></is></c></row>"
    assert scanning.measure(raw_sheet(*padding, fits), "名册.xlsx").rows == 999


# Memory ------------------------------------------------------------------------------------------

CHILD = r"""
import json, os, sys
import django
django.setup()
from tests import hostile_files as hostile
from registry.imports.problems import ImportRefusedError
from registry.imports.reading import check_file

def peak_kb():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])

content = {"cell": lambda: hostile.huge_cell(96 * 1024 * 1024),
           "shared": lambda: hostile.shared_string_bomb(400_000, 32_000)}[sys.argv[1]]()
with open("/proc/self/clear_refs", "w") as reset:  # the peak from here on
    reset.write("5")
before = peak_kb()
try:
    check_file(content, "名册.xlsx")
    code = None
except ImportRefusedError as problem:
    code = problem.code
print("RESULT " + json.dumps({"code": code, "grew_kb": peak_kb() - before, "size": len(content)}))
"""


@pytest.mark.parametrize(("kind", "code"), [("cell", "cell_too_big"), ("shared", "too_big_unpacked")])
def test_refusing_a_hostile_file_takes_little_memory(kind: str, code: str) -> None:
    """In a child process, so the peak is the check's own: a 96 MB cell, and 400,000 cells that each
    repeat a 32 KB shared string (12 GB for the reader), are refused within a few MB."""
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "accountability.settings.test"}
    completed = subprocess.run(
        [sys.executable, "-c", CHILD, kind],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    line = next(line for line in completed.stdout.splitlines() if line.startswith("RESULT "))
    result = json.loads(line.removeprefix("RESULT "))
    assert result["code"] == code
    assert result["grew_kb"] < 48 * 1024, result
