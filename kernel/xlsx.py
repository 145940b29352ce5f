"""Every .xlsx file the project hands out is written here, and every cell passes the formula guard.

Text people typed (a case title, a petition's subject, a person's post, a unit's name, a cell of an
uploaded roster) ends up in the spreadsheets we hand out. openpyxl stores text starting with `=` as a
formula, and a spreadsheet program evaluates text starting with `=`, `+`, `-` or `@` as soon as the cell
is edited or the sheet goes through CSV; a leading tab or carriage return hides such a start. OWASP's
"CSV Injection" advice, which holds for .xlsx as well: no cell may begin with `= + - @`, tab or carriage
return; prefix it with a single quote so that it stays text.

- `neutralise` is the guard: formula-like text gets a leading apostrophe (`=1+1` becomes `'=1+1`),
  anything else stays as it is, and applying it twice changes nothing. Characters an .xlsx cannot hold
  (the C0 controls but tab, LF and CR) are dropped first, so that a stray one neither breaks the download
  nor hides a formula behind it. The registry's django-import-export resources, and so the admin's
  export, run their cells through it too (`registry/imports/resources.py`).
- `xlsx_bytes` writes `Sheet`s (lines above, the header in bold, the rows, lines below): numbers, dates
  and booleans as such, every other value as guarded text (lazy translations included), never a formula
  or an error cell.
- `xlsx_response` is the download: the file as an attachment with a UTF-8 file name (Django's
  `content_disposition_header`, as for uploaded files). `Cache-Control: no-store` is not set here: the
  middleware adds it to every response for a signed-in user (`accountability/security.py`).

A new download builds `Sheet`s and returns `xlsx_response(...)`; `tests/test_xlsx_downloads.py` walks
every download URL and fails on one it does not know.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from io import BytesIO

from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES
from openpyxl.styles import Font
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# What a cell's text may not start with (OWASP CSV Injection); the import refuses such cells as well
# (`registry/imports/cleaning.py`), so that a file we wrote comes back unchanged.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

# Values a sheet stores as they are (numbers, dates, booleans); everything else is written as text.
_NATIVE = (bool, int, float, Decimal, dt.date, dt.time, dt.timedelta)
# C0 controls but tab, LF and CR: XML 1.0 has no way to write them (openpyxl refuses them).
_UNWRITABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# Excel's own sheet-name rules: at most 31 characters, none of these.
_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_BOLD = Font(bold=True)


def neutralise(value: object) -> object:
    """The guard: text that would run as a formula made inert (`=1+1` becomes `'=1+1`), after dropping the
    characters no .xlsx can hold (a control character before `=1+1` must not hide it, nor turn into a
    writer's `-` in front of it). Every other value is returned as it is."""
    if not isinstance(value, str):
        return value
    text = _UNWRITABLE.sub("", value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


@dataclass(frozen=True)
class Sheet:
    """One worksheet: `above` (e.g. a report's title line), the header in bold, the rows, `below` (a note).

    `rows` may be a generator: it is read once, while the file is written."""

    title: str
    header: Sequence[object]
    rows: Iterable[Sequence[object]]
    above: Sequence[Sequence[object]] = ()
    below: Sequence[Sequence[object]] = ()


def _cell(sheet: WriteOnlyWorksheet, value: object, *, bold: bool = False) -> object:
    """What openpyxl is given for one value: the value itself, or a cell when it needs a style or a type
    openpyxl would not infer."""
    if value is None:
        return None
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        value = timezone.make_naive(value)  # Excel has no time zones: the local time people expect
    if not isinstance(value, _NATIVE):
        value = neutralise(str(value))
    is_error_code = isinstance(value, str) and value in ERROR_CODES
    if not (bold or is_error_code):
        return value
    cell = WriteOnlyCell(sheet, value=value)  # type: ignore[arg-type]  # any value openpyxl stores
    if is_error_code:
        cell.data_type = "s"  # `#N/A` typed as text stays text, not an error cell
    if bold:
        cell.font = _BOLD
    return cell


def _sheet_name(title: str) -> str:
    return _SHEET_NAME_FORBIDDEN.sub("-", title)[:31] or "Sheet"


def xlsx_bytes(*sheets: Sheet) -> bytes:
    """The .xlsx file of these sheets, in order, every text cell guarded."""
    book = Workbook(write_only=True)
    for spec in sheets:
        sheet: WriteOnlyWorksheet = book.create_sheet(title=_sheet_name(str(spec.title)))
        for line in spec.above:
            sheet.append([_cell(sheet, value) for value in line])
        if spec.header:
            sheet.append([_cell(sheet, value, bold=True) for value in spec.header])
        for row in spec.rows:
            sheet.append([_cell(sheet, value) for value in row])
        for line in spec.below:
            sheet.append([_cell(sheet, value) for value in line])
    if not sheets:
        book.create_sheet()  # a workbook needs one sheet
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def xlsx_response(filename: str, *sheets: Sheet) -> HttpResponse:
    """The download of these sheets as `filename` (any characters: sent as RFC 6266's UTF-8 name)."""
    response = HttpResponse(xlsx_bytes(*sheets), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response
