"""The xlsx files we hand out: exports and the bad rows of a batch.

Every text cell is written as text, and text that a spreadsheet would run as a formula (it starts with
=, +, -, @, a tab or a carriage return) is neutralised with a leading apostrophe, as OWASP advises for
CSV/formula injection.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Sequence

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from ..validators import looks_like_formula

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_DATE_FORMAT = "yyyy-mm-dd"


def neutralise(value: object) -> object:
    """Text that would run as a formula, made inert: `=1+1` becomes `'=1+1`."""
    if isinstance(value, str) and looks_like_formula(value):
        return "'" + value
    return value


def write_xlsx(title: str, headers: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """One sheet: a bold header row, then the rows; dates as Excel dates, text as text."""
    workbook = Workbook(write_only=True)
    sheet: WriteOnlyWorksheet = workbook.create_sheet(title=title[:31])
    bold = Font(bold=True)
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=str(neutralise(header)))
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        out: list[object] = []
        for value in row:
            if isinstance(value, str):
                cell = WriteOnlyCell(sheet, value=str(neutralise(value)))
                cell.data_type = "s"
                out.append(cell)
            elif isinstance(value, dt.date):
                cell = WriteOnlyCell(sheet, value=value)  # type: ignore[arg-type]  # a date is fine
                cell.number_format = _DATE_FORMAT
                out.append(cell)
            else:
                out.append(value)
        sheet.append(out)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
