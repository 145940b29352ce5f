"""From uploaded bytes to a header and rows of raw cell values. Excel files are read by python-calamine.

python-calamine holds the whole sheet in memory, so no bytes reach it before `scanning.measure` has
streamed them against the limits (the caller may say it already did, for the same bytes).

Only the first sheet is read. The header is the first row, among the first few, that holds the key
column (工号 for people, 单位编码 for units): rosters often carry a title row above it. Row numbers are
the spreadsheet's own, so that errors point at the row a user sees in Excel.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import PurePath

from python_calamine import CalamineError, CalamineWorkbook

from . import config, scanning
from .columns import IGNORABLE_HEADERS, Column, alias_map
from .config import HEADER_SEARCH_ROWS
from .problems import ImportRefusedError
from .scanning import XLS_MAGIC, XLSX_MAGIC

EXTENSIONS = {".xlsx": "Excel", ".xls": "Excel", ".csv": "CSV"}


@dataclass
class Sheet:
    """Raw rows under a header. Data row `i` is spreadsheet row `first_row + i`."""

    headers: list[str]
    rows: list[list[object]]
    first_row: int
    columns: dict[str, int] = field(default_factory=dict)  # field key -> column index
    ignored: list[str] = field(default_factory=list)  # headers we do not import

    def row_number(self, index: int) -> int:
        return self.first_row + index


def normalise_header(value: object) -> str:
    """`* 工 号 ` and `工号（必填）` read as 工号."""
    text = "" if value is None else str(value)
    for junk in ("*", "＊", " ", "\u3000", "\xa0", "\n", "\r", "\t"):
        text = text.replace(junk, "")
    for marker in ("(必填)", "（必填）", "(选填)", "（选填）"):
        text = text.replace(marker, "")
    return text


def check_upload(file_name: str, size: int, head: bytes) -> None:
    """Refuse what is not an .xlsx, .xls or .csv of an acceptable size; raise ImportRefusedError."""
    suffix = PurePath(file_name).suffix.lower()
    if suffix not in EXTENSIONS:
        raise ImportRefusedError("bad_type", name=PurePath(file_name).name)
    if size == 0:
        raise ImportRefusedError("empty")
    limit = config.max_upload_bytes()
    if size > limit:
        raise ImportRefusedError("too_big", size=f"{size / 1048576:.1f}", limit=f"{limit / 1048576:.0f}")
    is_excel = head.startswith((XLSX_MAGIC, XLS_MAGIC))
    if (suffix == ".csv") == is_excel or (suffix == ".csv" and b"\x00" in head):
        raise ImportRefusedError("content_mismatch", name=PurePath(file_name).name, kind=EXTENSIONS[suffix])


def _excel_rows(content: bytes) -> list[list[object]]:
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
        sheet = workbook.get_sheet_by_index(0)
        rows: list[list[object]] = sheet.to_python(skip_empty_area=False)  # type: ignore[assignment]
    except (CalamineError, ValueError, OSError, IndexError) as error:
        raise ImportRefusedError("unreadable") from error
    except Exception as error:  # calamine raises its own error classes, not all of them exported
        raise ImportRefusedError("unreadable") from error
    return rows


def _csv_rows(content: bytes) -> list[list[object]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ImportRefusedError("encoding")
    try:
        dialect = scanning.csv_dialect(text[:4096])
        return list(csv.reader(io.StringIO(text, newline=""), dialect))  # type: ignore[arg-type]
    except csv.Error as error:
        if "field larger than field limit" in str(error):
            raise ImportRefusedError("cell_too_big", limit=config.max_cell_bytes() // 1024) from error
        raise ImportRefusedError("unreadable") from error


def is_blank(row: Sequence[object]) -> bool:
    for cell in row:
        if cell is None:
            continue
        if isinstance(cell, str):
            if cell.strip():
                return False
        else:
            return False
    return True


def check_file(content: bytes, file_name: str) -> scanning.Measure:
    """The whole check before any reader: type and size, then the stream against the limits."""
    check_upload(file_name, len(content), content[:8192])
    return scanning.measure(content, file_name)


def read_sheet(
    content: bytes, file_name: str, columns: tuple[Column, ...], *, measured: bool = False
) -> Sheet:
    """Read the first sheet and find our columns in its header (the first column is the key).

    `measured`: these bytes already passed `check_file`. Raises ImportRefusedError for a file over a
    limit, unreadable, without a header row or a required column, or with too many rows.
    """
    if not measured:
        check_file(content, file_name)
    rows = _csv_rows(content) if PurePath(file_name).suffix.lower() == ".csv" else _excel_rows(content)
    aliases = alias_map(columns)
    key_header = columns[0].header
    header_index = None
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        if any(aliases.get(normalise_header(cell)) == columns[0].key for cell in row):
            header_index = index
            break
    if header_index is None:
        raise ImportRefusedError("no_header", column=key_header, rows=HEADER_SEARCH_ROWS)
    headers = [normalise_header(cell) for cell in rows[header_index]]
    found: dict[str, int] = {}
    ignored: list[str] = []
    importable = {column.key for column in columns if column.imported}
    for index, header in enumerate(headers):
        if not header:
            continue
        key = aliases.get(header)
        if key is None or key not in importable:
            if key is None and header not in IGNORABLE_HEADERS:
                ignored.append(header)
            continue
        if key in found:
            raise ImportRefusedError("duplicate_columns", column=header)
        found[key] = index
    missing = [column.header for column in columns if column.required and column.key not in found]
    if missing:
        raise ImportRefusedError("missing_columns", columns="、".join(missing))

    data = rows[header_index + 1 :]
    while data and is_blank(data[-1]):
        data.pop()
    if not data:
        raise ImportRefusedError("no_rows")
    if len(data) > config.max_rows():
        raise ImportRefusedError("too_many_rows", rows=len(data), limit=config.max_rows())
    width = len(headers)
    for index, row in enumerate(data):
        if len(row) < width:
            data[index] = list(row) + [""] * (width - len(row))
    return Sheet(headers=headers, rows=data, first_row=header_index + 2, columns=found, ignored=ignored)
