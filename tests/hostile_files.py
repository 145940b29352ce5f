"""Hostile and broken spreadsheets, written as streams so that even the large ones cost little memory to
build: small ones for the limit tests, large ones for bench/import_memory.py."""

from __future__ import annotations

import io
import struct
import zipfile
from collections.abc import Iterable, Iterator

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOCUMENT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
SPREADSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml"


def _package_parts(strings: bool) -> dict[str, str]:
    override = f'<Override PartName="/xl/sharedStrings.xml" ContentType="{SPREADSHEET}.sharedStrings+xml"/>'
    relation = f'<Relationship Id="rId2" Type="{DOCUMENT}/sharedStrings" Target="sharedStrings.xml"/>'
    return {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{SPREADSHEET}.sheet.main+xml"/>'
            f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{SPREADSHEET}.worksheet+xml"/>'
            f"{override if strings else ''}</Types>"
        ),
        "_rels/.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{RELS}">'
            f'<Relationship Id="rId1" Type="{DOCUMENT}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>"
        ),
        "xl/workbook.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{DOCUMENT}">'
            '<sheets><sheet name="花名册" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{RELS}">'
            f'<Relationship Id="rId1" Type="{DOCUMENT}/worksheet" Target="worksheets/sheet1.xml"/>'
            f"{relation if strings else ''}</Relationships>"
        ),
    }


def workbook(sheet: Iterable[bytes], strings: Iterable[bytes] | None = None) -> bytes:
    """An .xlsx whose first sheet's XML, and shared strings, are the pieces given, deflated as they come."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, text in _package_parts(strings is not None).items():
            archive.writestr(name, text)
        members = [("xl/worksheets/sheet1.xml", sheet)]
        if strings is not None:
            members.append(("xl/sharedStrings.xml", strings))
        for name, pieces in members:
            with archive.open(name, "w") as member:
                for piece in pieces:
                    member.write(piece)
    return buffer.getvalue()


def sheet_xml(rows: Iterable[bytes]) -> Iterator[bytes]:
    yield b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    yield f'<worksheet xmlns="{MAIN}"><sheetData>'.encode()
    yield from rows
    yield b"</sheetData></worksheet>"


def column_letters(number: int) -> str:
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def text_row(row: int, values: Iterable[str]) -> bytes:
    cells = "".join(
        f'<c r="{column_letters(column)}{row}" t="inlineStr"><is><t>{value}</t></is></c>'
        for column, value in enumerate(values, start=1)
    )
    return f'<row r="{row}">{cells}</row>'.encode()


def zip_bomb(unpacked: int, *, columns: int = 20, cell: int = 1000) -> bytes:
    """A plausible sheet of `unpacked` bytes — rows of long repeated text — that deflates to a few MB."""
    value = "问责" * (cell // 6) + "x" * (cell % 6)
    row_size = len(text_row(1, [value] * columns))

    def rows() -> Iterator[bytes]:
        for row in range(1, unpacked // row_size + 2):
            yield text_row(row, [value] * columns)

    return workbook(sheet_xml(rows()))


def huge_cell(size: int) -> bytes:
    """A header row, then one cell holding `size` bytes of text."""

    def rows() -> Iterator[bytes]:
        yield text_row(1, ["工号", "姓名"])
        yield b'<row r="2"><c r="A2" t="inlineStr"><is><t>'
        piece = b"x" * (1 << 20)
        for _ in range(size >> 20):
            yield piece
        yield b"x" * (size & ((1 << 20) - 1))
        yield b"</t></is></c></row>"

    return workbook(sheet_xml(rows()))


def shared_string_bomb(cells: int, length: int, *, columns: int = 20) -> bytes:
    """One shared string of `length` bytes that `cells` cells repeat: the reader copies it into each."""

    def strings() -> Iterator[bytes]:
        yield b'<?xml version="1.0" encoding="UTF-8"?>'
        yield f'<sst xmlns="{MAIN}" count="{cells}" uniqueCount="1">'.encode()
        yield b"<si><t>" + b"x" * length + b"</t></si></sst>"

    def rows() -> Iterator[bytes]:
        for row in range(1, cells // columns + 1):
            refs = "".join(
                f'<c r="{column_letters(c)}{row}" t="s"><v>0</v></c>' for c in range(1, columns + 1)
            )
            yield f'<row r="{row}">{refs}</row>'.encode()

    return workbook(sheet_xml(rows()), strings())


def far_cell(reference: str = "XFD1048576") -> bytes:
    """Two cells, A1 and one far away: the reader fills the rectangle between them."""
    row = int("".join(ch for ch in reference if ch.isdigit()))
    return workbook(
        sheet_xml(
            [
                text_row(1, ["工号"]),
                f'<row r="{row}"><c r="{reference}" t="inlineStr"><is><t>x</t></is></c></row>'.encode(),
            ]
        )
    )


def lying_sizes(content: bytes, member: str = "xl/worksheets/sheet1.xml", claimed: int = 1024) -> bytes:
    """The same zip, with the directory (and the member's local header) claiming `claimed` bytes unpacked."""
    data = bytearray(content)
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        info = archive.getinfo(member)
    struct.pack_into("<I", data, info.header_offset + 22, claimed)
    position = data.find(b"PK\x01\x02")
    while position >= 0:
        name_length = struct.unpack_from("<H", data, position + 28)[0]
        if data[position + 46 : position + 46 + name_length] == member.encode():
            struct.pack_into("<I", data, position + 24, claimed)
        position = data.find(b"PK\x01\x02", position + 4)
    return bytes(data)


def cells_without_references(count: int) -> bytes:
    """One row of `count` cells with no `r` attribute: positions implied, as some writers do."""
    cells = b'<c t="inlineStr"><is><t>x</t></is></c>' * count
    return workbook(sheet_xml([text_row(1, ["工号"]), b"<row>" + cells + b"</row>"]))


def csv_long_line(size: int) -> bytes:
    """A CSV header, then one line of `size` bytes of two-letter fields."""
    return "工号,姓名\n".encode() + b"ab," * (size // 3)
