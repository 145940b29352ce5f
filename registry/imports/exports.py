"""The registry's downloads as sheets for `kernel.xlsx`: the registry (through the resources), empty
templates, a batch's bad rows."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from kernel.xlsx import Sheet

from ..models import ImportBatch, ImportFile
from .columns import PERSON_COLUMNS, REASON_HEADER, ROW_HEADER, UNIT_COLUMNS
from .problems import render
from .resources import OrgUnitResource, PersonResource


def export_people(viewer: Any) -> Sheet:
    """The people roster as `viewer` may see it (ID number, phone and birth date masked unless in full)."""
    dataset = PersonResource(viewer=viewer).export(force_native_type=True)
    return Sheet(_("People"), dataset.headers, dataset)


def export_units() -> Sheet:
    dataset = OrgUnitResource().export(force_native_type=True)
    return Sheet(_("Units"), dataset.headers, dataset)


def template(kind: str) -> Sheet:
    """An empty roster with the right headers."""
    if kind == ImportBatch.Kind.PEOPLE:
        return Sheet(_("People"), [column.header for column in PERSON_COLUMNS], [])
    return Sheet(_("Units"), [column.header for column in UNIT_COLUMNS], [])


def describe(problems: list[dict[str, object]]) -> str:
    """`「身份证号」身份证号校验码错误…；「单位编码」…` for the reason column."""
    return "；".join(
        f"「{found['column']}」{render(str(found['code']), found.get('params') or {})}"  # type: ignore[arg-type]
        for found in problems
    )


def bad_rows(batch: ImportBatch) -> Sheet:
    """The rows that failed, as read, with their row number and the reasons: to fix and upload again."""
    stored = ImportFile.objects.filter(batch=batch).values_list("bad_rows", flat=True).first() or []
    headers = list(batch.preview.get("headers", []))
    rows = []
    for entry in stored:
        cells = list(entry["cells"]) + [""] * (len(headers) - len(entry["cells"]))
        rows.append([entry["row"], *cells, describe(entry["problems"])])
    return Sheet(_("Rows with errors"), [ROW_HEADER, *headers, REASON_HEADER], rows)
