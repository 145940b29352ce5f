"""Measure an uploaded spreadsheet in bounded memory, before any reader loads it.

python-calamine holds a whole sheet in memory, and what a file costs it is not what the file weighs: a
zip bomb (a few MB that unpack to a GB), one cell of 240 MB, a shared string that a million cells
repeat (each cell gets its own copy), one stray cell far away (the reader fills the rectangle up to
it), a CSV line of millions of fields. The zip directory's sizes cost nothing to fake, so none of them
is trusted. This module reads the file as a stream — each zip member through a decompressor that
counts the bytes it really produces, the XML piece by piece, the CSV row by row, the .xls records one
by one — and raises ImportRefusedError as soon as a limit of `config` is passed. A refused file costs a
few chunks and some small tables, never its unpacked size. What it measures, the bytes the reader will
unpack, decides whether a step runs in the request or in the worker.

The XML of a sheet is scanned with C-speed searches over each chunk, which rely on the form every
spreadsheet program writes (`<c r="B7" …>`, no comments, no CDATA, no namespace prefixes on cells).
A chunk in any other form sends the member to an exact, slower scan with expat; both refuse the same
files, the fast one only ever overestimates.
"""

from __future__ import annotations

import csv
import io
import re
import struct
import zipfile
import zlib
from array import array
from collections.abc import Generator
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any
from xml.parsers import expat

from . import config
from .problems import ImportRefusedError

XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

CHUNK = 256 * 1024  # unpacked bytes handled at a time
MAX_MEMBERS = 10_000  # an .xlsx has a few dozen; zipfile builds one object per directory entry
CSV_ROW_CELLS = 4  # a CSV row may be as long as this many maximal cells


@dataclass(frozen=True)
class Limits:
    unpacked: int
    cell: int
    last_row: int  # the data rows allowed, and the rows a header may sit below
    cells: int
    rows: int

    @classmethod
    def from_settings(cls) -> Limits:
        rows = config.max_rows()
        return cls(
            unpacked=config.max_unpacked_bytes(),
            cell=config.max_cell_bytes(),
            last_row=rows + config.HEADER_SEARCH_ROWS,
            cells=config.max_cells(),
            rows=rows,
        )


@dataclass
class Measure:
    """What the reader will hold: `unpacked` bytes, and a used area of `rows` × `columns`."""

    unpacked: int = 0
    rows: int = 0
    columns: int = 0


class _Tally:
    """The running totals, checked against the limits as they grow."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.measure = Measure()

    def add(self, size: int) -> None:
        self.measure.unpacked += size
        if self.measure.unpacked > self.limits.unpacked:
            raise ImportRefusedError("too_big_unpacked", limit=self.limits.unpacked // (1024 * 1024))

    def cell(self, size: int) -> None:
        if size > self.limits.cell:
            raise ImportRefusedError("cell_too_big", limit=self.limits.cell // 1024)

    def extent(self, rows: int, columns: int) -> None:
        """A cell with a value at (rows, columns), 1-based: the used area reaches at least there."""
        measure = self.measure
        measure.rows = max(measure.rows, rows)
        measure.columns = max(measure.columns, columns)
        if measure.rows > self.limits.last_row:
            raise ImportRefusedError("rows_beyond", row=self.limits.last_row, limit=self.limits.rows)
        if measure.rows * measure.columns > self.limits.cells:
            raise ImportRefusedError(
                "too_many_cells", rows=measure.rows, columns=measure.columns, limit=self.limits.cells
            )

    def strings(self, count: int) -> None:
        # More distinct texts than cells cannot all be shown; each costs a slot in the table of lengths.
        if count > self.limits.cells:
            raise ImportRefusedError("too_many_strings", limit=self.limits.cells)


def _unreadable() -> ImportRefusedError:
    return ImportRefusedError("unreadable")


def measure(content: bytes, file_name: str) -> Measure:
    """Stream the file against the limits of `config`; raise ImportRefusedError at the first one passed."""
    tally = _Tally(Limits.from_settings())
    if PurePath(file_name).suffix.lower() == ".csv":
        _measure_csv(content, tally)
    elif content.startswith(XLS_MAGIC):
        _measure_xls(content, tally)
    else:
        _measure_xlsx(content, tally)
    return tally.measure


# .xlsx: the zip ----------------------------------------------------------------------------------------


def _member_count(content: bytes) -> int:
    """The entry count of the zip's end record, read before zipfile parses the directory."""
    end = content.rfind(b"PK\x05\x06", max(0, len(content) - 65_557))
    if end < 0 or end + 22 > len(content):
        raise _unreadable()
    count: int = struct.unpack_from("<H", content, end + 10)[0]
    if count == 0xFFFF and end >= 20 and content[end - 20 : end - 16] == b"PK\x06\x07":
        # Zip64: the count is in the zip64 end record the locator points at.
        offset: int = struct.unpack_from("<Q", content, end - 12)[0]
        if content[offset : offset + 4] != b"PK\x06\x06":
            raise _unreadable()
        count = struct.unpack_from("<Q", content, offset + 32)[0]
    return count


def _members(content: bytes) -> list[zipfile.ZipInfo]:
    if _member_count(content) > MAX_MEMBERS:
        raise _unreadable()
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, struct.error, EOFError, OSError, NotImplementedError) as error:
        raise _unreadable() from error
    if len(members) > MAX_MEMBERS:
        raise _unreadable()
    return members


def _unpack(content: bytes, info: zipfile.ZipInfo) -> Generator[bytes, None, None]:
    """The member's bytes, CHUNK at a time, from its compressed data (not from the sizes the directory
    claims): the decompressor runs to the end of its stream, and the true size and checksum must agree
    with the directory, as the readers' own checks will demand."""
    if info.flag_bits & 0x1 or content[info.header_offset : info.header_offset + 4] != XLSX_MAGIC:
        raise _unreadable()  # encrypted, or the directory points at no member
    name_length, extra_length = struct.unpack_from("<HH", content, info.header_offset + 26)
    start = info.header_offset + 30 + name_length + extra_length
    view = memoryview(content)
    produced = crc = 0
    if info.compress_type == zipfile.ZIP_STORED:
        end = min(start + info.compress_size, len(content))
        for position in range(start, end, CHUNK):
            piece = bytes(view[position : min(position + CHUNK, end)])
            produced += len(piece)
            crc = zlib.crc32(piece, crc)
            yield piece
    elif info.compress_type == zipfile.ZIP_DEFLATED:
        inflater = zlib.decompressobj(-15)
        position = start
        try:
            while not inflater.eof:
                if inflater.unconsumed_tail:
                    piece = inflater.decompress(inflater.unconsumed_tail, CHUNK)
                elif position < len(content):
                    piece = inflater.decompress(view[position : position + 65_536], CHUNK)
                    position += 65_536
                else:
                    raise _unreadable()  # the stream is cut short
                if piece:
                    produced += len(piece)
                    if produced > info.file_size:
                        raise _unreadable()  # more than the directory says: it lies
                    crc = zlib.crc32(piece, crc)
                    yield piece
        except zlib.error as error:
            raise _unreadable() from error
    else:
        raise _unreadable()  # Excel writes deflate only
    if produced != info.file_size or crc != info.CRC:
        raise _unreadable()


_ROOT = re.compile(rb"\A(?:\xef\xbb\xbf)?\s*(?:<\?xml[^<>]*\?>\s*)?<(?:[A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)")
# python-calamine reads the shared strings from this member, and sheets from these folders only.
_STRINGS = "xl/sharedstrings.xml"
_SHEET_FOLDERS = ("xl/worksheets/", "xl/chartsheets/", "xl/dialogsheets/", "xl/macrosheets/")
_SHEET_ROOTS = {b"worksheet", b"chartsheet", b"dialogsheet", b"macrosheet"}


def _role(info: zipfile.ZipInfo, first: bytes) -> str:
    """'strings', 'sheet' (what the reader parses cell by cell) or 'other' (only counted)."""
    name = info.filename.lower()
    if name == _STRINGS:
        role = "strings"
    elif name.startswith(_SHEET_FOLDERS):
        role = "sheet"
    else:
        root = _ROOT.match(first)
        return "sheet" if root is not None and root.group(1) in _SHEET_ROOTS else "other"
    if first.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise _unreadable()  # UTF-16 XML, which spreadsheet programs do not write
    return role


def _measure_xlsx(content: bytes, tally: _Tally) -> None:
    members = _members(content)
    sheets: list[zipfile.ZipInfo] = []
    lengths: array[int] | None = None
    # Everything but the sheets first, so that the shared strings' lengths are known when a sheet
    # refers to them; a sheet's first chunk is unpacked twice, to recognise it.
    for info in members:
        chunks = _unpack(content, info)
        first = next(chunks, b"")
        role = _role(info, first)
        if role == "sheet":
            chunks.close()
            sheets.append(info)
        elif role == "strings":
            if lengths is not None:
                raise _unreadable()  # two tables of shared strings: which one would the reader take?
            lengths = _scan(_StringsScan(tally), _ExactStringsScan(tally), first, chunks, content, info)
        else:
            tally.add(len(first))
            for piece in chunks:
                tally.add(len(piece))
    for info in sheets:
        chunks = _unpack(content, info)
        first = next(chunks, b"")
        _scan(_SheetScan(tally, lengths), _ExactSheetScan(tally, lengths), first, chunks, content, info)


def _scan(
    fast: Any, exact: Any, first: bytes, chunks: Generator[bytes, None, None], content: bytes, info: Any
) -> Any:
    """Feed the member to the fast scan; at the first chunk it cannot vouch for, start again exactly
    (what the fast scan counted is taken back first)."""
    tally: _Tally = fast.tally
    area = (tally.measure.rows, tally.measure.columns)
    if fast.feed(first) and all(fast.feed(piece) for piece in chunks) and fast.close():
        return fast.result()
    chunks.close()
    tally.measure.unpacked -= fast.added
    tally.measure.rows, tally.measure.columns = area
    for piece in _unpack(content, info):
        exact.feed(piece)
    exact.close()
    return exact.result()


# The fast scans: C-speed searches over the form spreadsheet programs write --------------------------------

_DECLARATION = re.compile(rb"\A(?:\xef\xbb\xbf)?\s*<\?xml[^<>]*\?>")
# Anything but a cell written `<c r="B7"` (1–3 capitals, a row without leading zeros), or a cell with a
# namespace prefix: left to the exact scan.
_ODD_CELL = re.compile(rb'<c(?:[>/\t\r\n]| (?!r="[A-Z]{1,3}[1-9][0-9]{0,6}"))')
_PREFIXED_CELL = re.compile(rb":c[\s>/]")
_CELL_REF = re.compile(rb'<c r="([A-Z]{1,3})([1-9][0-9]{0,6})"')
_SHARED_REF = re.compile(rb' t="s"[^<>]*><v>([0-9]{1,10})</v>')


def _odd_markup(body: bytes) -> bool:
    """Comments, CDATA, DTDs and processing instructions could hide or fake the tags the searches count.
    `!` and `?` are rare bytes (Chinese text uses the full-width ！？), so the search for them is quick."""
    return (b"!" in body and b"<!" in body) or (b"?" in body and b"<?" in body)


def column_number(letters: bytes | str) -> int:
    number = 0
    for letter in letters.upper() if isinstance(letters, str) else letters.decode().upper():
        number = number * 26 + ord(letter) - 64
    return number


def _column_letters(number: int) -> str:
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _at_most_number(number: int) -> str:
    """A pattern for the numerals from 1 to `number`, without leading zeros."""
    digits = str(number)
    options = [f"[1-9][0-9]{{0,{len(digits) - 2}}}"] if len(digits) > 1 else []
    for index, digit in enumerate(digits):
        low = 1 if index == 0 else 0
        if int(digit) > low:
            options.append(f"{digits[:index]}[{low}-{int(digit) - 1}][0-9]{{{len(digits) - index - 1}}}")
    options.append(digits)
    return "(?:" + "|".join(options) + ")"


def _at_most_column(number: int) -> str:
    """A pattern for the column letters from A to column `number` (at most 3 letters)."""
    letters = _column_letters(number)
    options = [f"[A-Z]{{1,{len(letters) - 1}}}"] if len(letters) > 1 else []
    for index, letter in enumerate(letters):
        if letter != "A":
            options.append(f"{letters[:index]}[A-{chr(ord(letter) - 1)}][A-Z]{{{len(letters) - index - 1}}}")
    options.append(letters)
    return "(?:" + "|".join(options) + ")"


def _outside(rows: int, columns: int) -> re.Pattern[bytes]:
    """A cell start that is not `<c r="…"` with a reference within `rows` × `columns`: a cell further
    out, or a cell in any other form."""
    inside = f"{_at_most_column(columns)}{_at_most_number(rows)}" if rows and columns else "(?!)"
    return re.compile(f'<c(?=[\\s>/])(?! r="{inside}")'.encode())


# The row bound of the search moves in steps of this many rows, so that it is rarely compiled again.
ROW_STEP = 4096


class _FastScan:
    """Chunks of one member, each cut after its last complete element (see `_cut`), checked whole."""

    def __init__(self, tally: _Tally) -> None:
        self.tally = tally
        self.tail = b""
        self.added = 0  # what this scan added to the tally, taken back if the exact scan takes over
        self.started = False

    def _add(self, size: int) -> None:
        self.added += size
        self.tally.add(size)

    def feed(self, chunk: bytes) -> bool:
        """False: the chunk is not in the expected form; the member must be scanned exactly."""
        self._add(len(chunk))
        data = self.tail + chunk
        if not self.started:
            self.started = True
            declaration = _DECLARATION.match(data)
            if declaration:
                data = data[declaration.end() :]
        cut = self._cut(data)
        body, self.tail = data[:cut], data[cut:]
        if len(self.tail) > self.tally.limits.cell:
            self.tally.cell(len(self.tail))  # one cell, or one tag, longer than a cell may be
        return not body or self._check(body)

    def close(self) -> bool:
        body, self.tail = self.tail, b""
        return not body or self._check(body)

    def _cut(self, data: bytes) -> int:
        raise NotImplementedError

    def _check(self, body: bytes) -> bool:
        raise NotImplementedError


class _SheetScan(_FastScan):
    """A worksheet: the bytes of each cell, the used area, the shared strings its cells repeat."""

    def __init__(self, tally: _Tally, lengths: array[int] | None) -> None:
        super().__init__(tally)
        self.lengths = lengths
        self.longest = max(lengths) if lengths else 0
        self.rows = self.columns = 0
        self.pattern: re.Pattern[bytes] | None = None
        self.pattern_for = (-1, -1)

    def result(self) -> None:
        return None

    def _cut(self, data: bytes) -> int:
        """Before the last tag, or before a cell still open, which then goes whole into the next chunk."""
        cut = data.rfind(b"<")
        if cut < 0:
            return 0
        last_end = data.rfind(b"</c>", 0, cut)
        opened = data.rfind(b'<c r="', last_end + 4 if last_end >= 0 else 0, cut)
        if opened >= 0:
            closing = data.find(b">", opened, cut)
            if closing < 0 or data[closing - 1] != 0x2F:  # not `<c …/>`, which holds nothing
                return opened
        return cut

    def _check(self, body: bytes) -> bool:
        if _odd_markup(body) or _PREFIXED_CELL.search(body):
            return False
        return self._cells(body) and self._extent(body) and self._shared(body)

    def _cells(self, body: bytes) -> bool:
        """Every cell within the limit: between two cell ends at most `limit` apart lie only shorter
        cells, so only the rare longer gaps are looked at, each for the one cell that ends there."""
        limit = self.tally.limits.cell
        start = 0
        while True:
            end = body.rfind(b"</c>", start, start + limit)
            if end < 0:
                end = body.find(b"</c>", start + limit)
                if end < 0:
                    return True
                opened = body.rfind(b'<c r="', start, end)
                if opened < 0:
                    return False
                self.tally.cell(end + 4 - opened)
            start = end + 4

    def _extent(self, body: bytes) -> bool:
        """The used area. Rows come in order, so the chunk's last cell names its last row; one search for
        a cell outside the rectangle known so far (its rows rounded up to a step, never past what the
        limits allow) finds the cells that do not fit, and only then are all the references read."""
        position = body.rfind(b'<c r="')
        last = _CELL_REF.match(body, position) if position >= 0 else None
        rows = max(self.rows, int(last.group(2)) if last else 0)
        limits = self.tally.limits
        bound = min(-(-rows // ROW_STEP) * ROW_STEP, limits.last_row, limits.cells // max(self.columns, 1))
        if self.pattern is None or self.pattern_for != (bound, self.columns):
            self.pattern, self.pattern_for = _outside(bound, self.columns), (bound, self.columns)
        if self.pattern.search(body):
            if _ODD_CELL.search(body):
                return False
            references = _CELL_REF.findall(body)
            rows = max(rows, *(int(row) for _, row in references))
            letters = {column for column, _ in references}
            self.columns = max(self.columns, *(column_number(column) for column in letters))
        self.rows = rows
        if rows:
            self.tally.extent(self.rows, self.columns)
        return True

    def _shared(self, body: bytes) -> bool:
        """Each cell showing a shared string costs that string once more."""
        count = body.count(b' t="s"')
        if not count or self.lengths is None:
            return True
        if count * self.longest <= CHUNK:
            self._add(count * self.longest)  # an upper bound, cheaper than reading the indexes
            return True
        indexes = _SHARED_REF.findall(body)
        if len(indexes) != count:
            return False
        try:
            self._add(sum(map(self.lengths.__getitem__, map(int, indexes))))
        except IndexError as error:
            raise _unreadable() from error
        return True


class _StringsScan(_FastScan):
    """The shared strings (`<si>` elements): the bytes of each, kept in a table of lengths."""

    def __init__(self, tally: _Tally) -> None:
        super().__init__(tally)
        self.lengths: array[int] = array("I")

    def result(self) -> array[int]:
        return self.lengths

    def _cut(self, data: bytes) -> int:
        end = data.rfind(b"</si>")
        return end + 5 if end >= 0 else 0

    def close(self) -> bool:
        tail, self.tail = self.tail, b""
        return not _odd_markup(tail) and b"<si" not in tail and b":si" not in tail

    def _check(self, body: bytes) -> bool:
        if _odd_markup(body) or b":si" in body or b"<rPh" in body:
            return False
        pieces = body.split(b"</si>")
        pieces.pop()  # after the last end: empty, the body ends there
        # The reader numbers only the strings with a text (`<t>`) or rich runs; anything else would put
        # the table out of step with the indexes the cells use.
        if body.count(b"<si>") != len(pieces) or not all(b"<t" in piece for piece in pieces):
            return False
        self.tally.cell(max(map(len, pieces)))
        self.lengths.extend(map(len, pieces))
        self.tally.strings(len(self.lengths))
        return True


# The exact scans, with expat, for XML in any other form ------------------------------------------------


class _ExactScan:
    """expat over a member; refuses DTDs (entities), and any single token longer than a cell may be."""

    def __init__(self, tally: _Tally) -> None:
        self.tally = tally
        self.parser = expat.ParserCreate()
        self.parser.StartElementHandler = self._start
        self.parser.EndElementHandler = self._end
        self.parser.CharacterDataHandler = self._text
        self.parser.StartDoctypeDeclHandler = self._refuse
        self.parser.EntityDeclHandler = self._refuse
        self.fed = 0
        self.last_event = 0
        self.open_at: int | None = None  # where the element being measured (a cell, a string) began

    def _refuse(self, *args: Any) -> None:
        raise _unreadable()

    def feed(self, piece: bytes) -> None:
        self.tally.add(len(piece))
        self.fed += len(piece)
        try:
            self.parser.Parse(piece, False)
        except expat.ExpatError as error:
            raise _unreadable() from error
        limit = self.tally.limits.cell
        if self.fed - self.last_event > limit or (
            self.open_at is not None and self.fed - self.open_at > limit
        ):
            self.tally.cell(limit + 1)  # a token, or the element being measured, past the limit

    def close(self) -> None:
        try:
            self.parser.Parse(b"", True)
        except expat.ExpatError as error:
            raise _unreadable() from error

    def _seen(self) -> int:
        self.last_event = self.parser.CurrentByteIndex
        return self.last_event

    def _start(self, name: str, attributes: dict[str, str]) -> None:
        self._seen()

    def _end(self, name: str) -> None:
        self._seen()

    def _text(self, text: str) -> None:
        self._seen()


def _local(name: str) -> str:
    return name.rpartition(":")[2]


_REFERENCE = re.compile(r"([A-Za-z]{1,3})([0-9]{1,7})")


class _ExactSheetScan(_ExactScan):
    def __init__(self, tally: _Tally, lengths: array[int] | None) -> None:
        super().__init__(tally)
        self.lengths = lengths
        self.row = self.column = 0
        self.cell_row = 0
        self.has_value = self.shared = self.in_value = False
        self.value = ""

    def result(self) -> None:
        return None

    def _start(self, name: str, attributes: dict[str, str]) -> None:
        at = self._seen()
        local = _local(name)
        if local == "row":
            self.row = self._number(attributes.get("r"), self.row + 1)
            self.column = 0
        elif local == "c":
            reference = attributes.get("r")
            if reference is None:
                self.column += 1
                self.cell_row = self.row
            else:
                match = _REFERENCE.fullmatch(reference)
                if match is None:
                    raise _unreadable()
                self.column, self.cell_row = column_number(match.group(1)), int(match.group(2))
            self.open_at = at
            self.has_value = False
            self.shared = attributes.get("t") == "s"
        elif self.open_at is not None and local in ("v", "is"):
            self.has_value = True
            self.in_value = local == "v" and self.shared
            self.value = ""

    @staticmethod
    def _number(text: str | None, default: int) -> int:
        if text is None:
            return default
        if not text.isdigit() or len(text) > 7:
            raise _unreadable()
        return int(text)

    def _end(self, name: str) -> None:
        at = self._seen()
        local = _local(name)
        if local == "c" and self.open_at is not None:
            self.tally.cell(at - self.open_at)
            if self.has_value:
                self.tally.extent(self.cell_row, self.column)
            self.open_at = None
        elif local == "v" and self.in_value:
            self.in_value = False
            if self.lengths is not None:
                index = self._number(self.value.strip() or None, 0)
                if index >= len(self.lengths):
                    raise _unreadable()
                self.tally.add(self.lengths[index])

    def _text(self, text: str) -> None:
        self._seen()
        if self.in_value:
            self.value += text
            if len(self.value) > 20:
                raise _unreadable()


class _ExactStringsScan(_ExactScan):
    """As python-calamine numbers them: a string counts if it has rich runs or a text outside the
    phonetic guide (`<rPh>`); an empty `<si/>` takes no number."""

    def __init__(self, tally: _Tally) -> None:
        super().__init__(tally)
        self.lengths: array[int] = array("I")
        self.counts = self.phonetic = False

    def result(self) -> array[int]:
        return self.lengths

    def _start(self, name: str, attributes: dict[str, str]) -> None:
        at = self._seen()
        local = _local(name)
        if local == "si":
            self.open_at = at
            self.counts = self.phonetic = False
        elif local == "rPh":
            self.phonetic = True
        elif local == "r" or (local == "t" and not self.phonetic):
            self.counts = True

    def _end(self, name: str) -> None:
        at = self._seen()
        local = _local(name)
        if local == "rPh":
            self.phonetic = False
        elif local == "si" and self.open_at is not None:
            self.tally.cell(at - self.open_at)
            if self.counts:
                self.lengths.append(at + 5 - self.open_at)
                self.tally.strings(len(self.lengths))
            self.open_at = None


# .xls: the BIFF records of the workbook stream ---------------------------------------------------------

_SST, _CONTINUE = 0x00FC, 0x003C
_LABEL_SST, _MULRK = 0x00FD, 0x00BD
_TEXT_CELLS = {0x0204, 0x00D6}  # LABEL, RSTRING: the text is in the record
# NUMBER, RK, BOOLERR, FORMULA: cells with a value and no text of their own. BLANK and MULBLANK, empty
# formatted cells, are not read as cells.
_VALUE_CELLS = {0x0203, 0x027E, 0x0205, 0x0006}
_CELLS = _VALUE_CELLS | _TEXT_CELLS | {_LABEL_SST}


def _measure_xls(content: bytes, tally: _Tally) -> None:
    """The workbook stream of the compound file, record by record: a cell's row and column are in its
    record, a text cell's length in its record or in the shared string table (SST) it points to."""
    from xlrd.compdoc import CompDoc, CompDocError

    try:
        document = CompDoc(content, logfile=io.StringIO())
        stream = document.get_named_stream("Workbook") or document.get_named_stream("Book")
    except (CompDocError, ValueError, IndexError, struct.error, AssertionError) as error:
        raise _unreadable() from error
    if not stream:
        raise _unreadable()
    tally.add(len(stream))
    lengths: array[int] = array("I")
    rows = columns = expanded = position = 0
    size = len(stream)
    unpack = struct.unpack_from
    try:
        while position + 4 <= size:
            kind, length = unpack("<HH", stream, position)
            start = position + 4
            position = start + length
            if kind in _CELLS:
                row, column = unpack("<HH", stream, start)
                rows, columns = max(rows, row + 1), max(columns, column + 1)
                if kind == _LABEL_SST:
                    expanded += lengths[unpack("<I", stream, start + 6)[0]]
                elif kind in _TEXT_CELLS:
                    text = unpack("<H", stream, start + 6)[0] * 3
                    tally.cell(text)
                    expanded += text
            elif kind == _MULRK:
                row = unpack("<H", stream, start)[0]
                rows, columns = max(rows, row + 1), max(columns, unpack("<H", stream, position - 2)[0] + 1)
            elif kind == _SST:
                parts = [memoryview(stream)[start:position]]
                while position + 4 <= size and unpack("<H", stream, position)[0] == _CONTINUE:
                    following = position + 4 + unpack("<H", stream, position + 2)[0]
                    parts.append(memoryview(stream)[position + 4 : following])
                    position = following
                lengths = _sst_lengths(parts, tally)
            if expanded > CHUNK:
                tally.add(expanded)
                expanded = 0
    except (struct.error, IndexError) as error:
        raise _unreadable() from error
    tally.add(expanded)
    if rows:
        tally.extent(rows, columns)


def _sst_lengths(parts: list[memoryview], tally: _Tally) -> array[int]:
    """The length (UTF-8 bytes, at most) of each string of the SST, which CONTINUE records may split:
    a string's characters carry a new flags byte where they continue, its formatting runs do not."""
    lengths: array[int] = array("I")
    unpack = struct.unpack_from
    index, data, position = 0, parts[0], 8
    unique = unpack("<I", data, 4)[0]
    tally.strings(unique)
    for _ in range(unique):
        if position >= len(data):
            index += 1
            if index >= len(parts):
                break
            data, position = parts[index], 0
        characters, flags = unpack("<HB", data, position)
        position += 3
        runs = extra = 0
        if flags & 0x08:
            runs = unpack("<H", data, position)[0]
            position += 2
        if flags & 0x04:
            extra = max(unpack("<i", data, position)[0], 0)
            position += 4
        width = 2 if flags & 0x01 else 1
        got = 0
        while True:
            available = min((len(data) - position) // width, characters - got)
            position += available * width
            got += available
            if got >= characters:
                break
            index += 1
            if index >= len(parts):
                raise _unreadable()
            data = parts[index]
            width, position = (2 if data[0] & 0x01 else 1), 1
        skip = 4 * runs + extra
        while skip:
            room = len(data) - position
            if skip <= room:
                position += skip
                break
            skip -= room
            index += 1
            if index >= len(parts):
                break
            data, position = parts[index], 0
        text = characters * (3 if width == 2 else 2)
        tally.cell(text)
        lengths.append(text)
    return lengths


# .csv: row by row --------------------------------------------------------------------------------------


class _Lines:
    """The lines csv reads, each at most a row's worth long; `row` counts what the current row took."""

    def __init__(self, stream: io.TextIOBase, limit: int) -> None:
        self.stream = stream
        self.limit = limit
        self.row = 0

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        line = self.stream.readline(self.limit + 1)
        if not line:
            raise StopIteration
        self.row += len(line)
        if self.row > self.limit:
            raise ImportRefusedError("row_too_long", limit=self.limit // 1024)
        return line


def csv_dialect(sample: str) -> type[csv.Dialect] | csv.Dialect:
    try:
        return csv.Sniffer().sniff(sample, delimiters=",\t;")
    except csv.Error:
        return csv.excel


def _measure_csv(content: bytes, tally: _Tally) -> None:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            _scan_csv(content, encoding, tally)
        except UnicodeDecodeError:
            tally.measure = Measure()
            continue
        tally.add(len(content))
        return
    raise ImportRefusedError("encoding")


def _scan_csv(content: bytes, encoding: str, tally: _Tally) -> None:
    stream = io.TextIOWrapper(io.BytesIO(content), encoding=encoding, newline="")
    dialect = csv_dialect(stream.read(4096))
    stream.seek(0)
    limit = tally.limits.cell
    lines = _Lines(stream, limit * CSV_ROW_CELLS)
    rows = 0
    try:
        for row in csv.reader(lines, dialect):
            lines.row = 0
            rows += 1
            if row:
                longest = max(map(len, row))
                if longest > limit:
                    tally.cell(longest)
                tally.extent(rows, len(row))
            elif rows > tally.limits.last_row:
                tally.extent(rows, 1)
    except csv.Error as error:
        if "field larger than field limit" in str(error):
            raise ImportRefusedError("cell_too_big", limit=limit // 1024) from error
        raise ImportRefusedError("unreadable") from error
