"""People rosters: column-wise checks, classification against the registry, set-based writes, rollback.

Keyed on 工号 (staff_no) and 身份证号: a row whose staff number exists updates that person only when the ID
numbers agree; a row with a new staff number is refused if its ID number belongs to someone else.
Columns absent from the file are left alone on update; 出生日期 may be left out (the ID number has it).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import zlib
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone

from ..models import ImportBatch, ImportChange, OrgUnit, Person
from ..validators import PROVINCE_CODES
from . import staging
from .cleaning import (
    EARLIEST,
    SUSPECT_FIRST,
    Problem,
    ascii_code,
    check_char,
    digits_date,
    formula_prefix,
    id_number_problem,
    parse_date,
    plausible_birth_date,
    text_of,
)
from .columns import GENDER_LABELS, GENDER_TOKENS, PERSON_COLUMNS, POLITICAL_LABELS, POLITICAL_TOKENS
from .problems import ImportRefusedError, problem
from .ranges import ids_in
from .reading import Sheet, is_blank, read_sheet
from .references import describe_references, rows_changed_after

# The model fields an import writes, in this order everywhere (records, staging table, SQL).
FIELDS = (
    "staff_no",
    "name",
    "gender",
    "id_number",
    "birth_date",
    "political_status",
    "org_unit_id",
    "post",
    "rank",
    "appointed_date",
    "phone",
)
TEXT_FIELDS = ("staff_no", "name", "gender", "id_number", "political_status", "post", "rank", "phone")
DATE_FIELDS = ("birth_date", "appointed_date")
_FIELD_OF_KEY = {name: name for name in FIELDS if name != "org_unit_id"} | {"unit_code": "org_unit_id"}
_KEY_OF_FIELD = {value: key for key, value in _FIELD_OF_KEY.items()}
_COLUMN = {column.key: column for column in PERSON_COLUMNS}
CHUNK = 10_000
Progress = Callable[[int, int], None]


@dataclass
class Outcome:
    """What a file would do: row indices by kind, the problems, and the cleaned records."""

    sheet: Sheet
    fields: tuple[str, ...]  # the fields this file sets: its columns, and the birth date always
    records: dict[int, tuple[Any, ...]] = field(default_factory=dict)  # row index -> FIELDS values
    problems: dict[int, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    blank: int = 0
    units: dict[str, int] = field(default_factory=dict)  # unit code -> id
    # Every row's staff number and ID number ("" if blank or unusable), by row index: for duplicates.
    keys: dict[str, list[str]] = field(default_factory=lambda: {"staff_no": [], "id_number": []})
    new: list[int] = field(default_factory=list)
    updated: list[tuple[int, int, dict[str, Any]]] = field(default_factory=list)  # index, id, old values
    unchanged: list[int] = field(default_factory=list)
    created_ids: list[int] = field(default_factory=list)  # filled by the writes
    total: int = 0  # rows in the file, blank ones included

    def add(self, index: int, key: str, found: Problem) -> None:
        code, params = found
        self.problems[index].append(problem(self.sheet.row_number(index), _COLUMN[key].header, code, params))

    @property
    def update_fields(self) -> tuple[str, ...]:
        """What an update may change: the fields of the file except the two keys."""
        return tuple(name for name in self.fields if name not in {"staff_no", "id_number"})


def read(content: bytes, file_name: str, *, measured: bool = False) -> Sheet:
    return read_sheet(content, file_name, PERSON_COLUMNS, measured=measured)


# Checks that need only the file -------------------------------------------------------------------


def check(sheet: Sheet, progress: Progress | None = None) -> Outcome:
    """Row-level problems of every row, and duplicates within the file. Reads only the unit codes."""
    present = {_FIELD_OF_KEY[key] for key in sheet.columns}
    fields = tuple(name for name in FIELDS if name in present or name == "birth_date")
    total = len(sheet.rows)
    outcome = Outcome(sheet=sheet, fields=fields, units=_unit_ids(sheet), total=total)
    today = timezone.localdate()
    for start in range(0, total, CHUNK):
        end = min(start + CHUNK, total)
        _Chunk(outcome, start, end, today).check()
        if progress:
            progress(end, total)
    _mark_duplicates(outcome)
    for index in outcome.problems:
        outcome.records.pop(index, None)
    return outcome


def _mark_duplicates(outcome: Outcome) -> None:
    """Staff numbers and ID numbers that appear on more than one row: a problem on each of those rows."""
    for key in ("staff_no", "id_number"):
        values = outcome.keys[key]
        repeated = {value for value, count in Counter(values).items() if count > 1 and value}
        if not repeated:
            continue
        where: dict[str, list[int]] = defaultdict(list)
        for index, value in enumerate(values):
            if value in repeated:
                where[value].append(index)
        for value, indices in where.items():
            rows = "、".join(str(outcome.sheet.row_number(index)) for index in indices[:10])
            rows += "…" if len(indices) > 10 else ""
            for index in indices:
                outcome.add(index, key, ("duplicate_in_file", {"value": value, "rows": rows}))


def _unit_ids(sheet: Sheet) -> dict[str, int]:
    position = sheet.columns["unit_code"]
    codes = {text_of(row[position]) for row in sheet.rows}
    codes.discard("")
    return dict(staging.rows_where_in(OrgUnit, "code", sorted(codes), ("code", "pk")))


# A line of joined column text that a spreadsheet would run, or that needs a closer look: one regex scan
# of the whole column finds out whether any cell needs the per-cell loop.
_SUSPECT_LINE = re.compile(r"^[=+\-@']", re.MULTILINE)
_ID_COLUMN = re.compile(r"(?:\d{17}[\dX]\n)*\d{17}[\dX]")


class _Chunk:
    """The rows [start, end) of a sheet, checked one whole column at a time.

    Each check first asks a question of the whole column with C-level builtins (is any cell blank, too
    long, formula-like, of another type); only a column that answers yes is walked cell by cell.
    """

    def __init__(self, outcome: Outcome, start: int, end: int, today: dt.date) -> None:
        self.outcome = outcome
        self.start = start
        self.size = end - start
        rows = outcome.sheet.rows[start:end]
        # The chunk's columns. Every row is at least as wide as the header (reading pads them).
        self.cells = list(zip(*rows))  # noqa: B905
        self.rows = rows
        self.columns = outcome.sheet.columns
        self.today = today
        self.blank: set[int] = set()
        self.bad: set[int] = set()  # offsets with a problem

    def add(self, offset: int, key: str, found: Problem) -> None:
        self.bad.add(offset)
        self.outcome.add(self.start + offset, key, found)

    def column(self, key: str) -> tuple[object, ...] | None:
        position = self.columns.get(key)
        return None if position is None else self.cells[position]

    def raw_texts(self, key: str) -> list[str]:
        cells = self.column(key)
        if cells is None:
            return [""] * self.size
        if set(map(type, cells)) == {str}:
            return list(map(str.strip, cells))  # type: ignore[arg-type]
        return [value.strip() if value.__class__ is str else text_of(value) for value in cells]

    def texts(self, key: str, values: list[str] | None = None) -> list[str]:
        """The stripped texts of a column; blank (if required), formula-like and overlong cells refused."""
        values = self.raw_texts(key) if values is None else values
        column = _COLUMN[key]
        limit = column.max_length
        if column.required and "" in values:
            for offset, text in enumerate(values):
                if not text and offset not in self.blank:
                    self.add(offset, key, ("required", {}))
        if _SUSPECT_LINE.search("\n".join(values)):
            for offset, text in enumerate(values):
                if text and text[0] in SUSPECT_FIRST and formula_prefix(text):
                    self.add(offset, key, ("formula", {"char": formula_prefix(text)}))
        if limit is not None and values and max(map(len, values)) > limit:
            for offset, text in enumerate(values):
                if len(text) > limit and not formula_prefix(text):
                    self.add(offset, key, ("too_long", {"limit": limit, "length": len(text)}))
        return values

    def choices(self, key: str, tokens: dict[str, str], labels: dict[Any, str]) -> list[str | None]:
        values = self.texts(key)
        out = list(map(tokens.get, values))
        if None in out:
            accepted = "、".join(labels.values())
            for offset, (text, choice) in enumerate(zip(values, out, strict=True)):
                if choice is None and text and not (text[0] in SUSPECT_FIRST and formula_prefix(text)):
                    self.add(offset, key, ("choice", {"value": text, "choices": accepted}))
        return out

    def dates(self, key: str) -> list[dt.date | None]:
        cells = self.column(key)
        if cells is None:
            return [None] * self.size
        out: list[dt.date | None] = list(cells)  # type: ignore[arg-type]
        # Date cells are the common case; everything else (text, numbers, blanks) is looked at one by one.
        others = [offset for offset, cell in enumerate(cells) if cell.__class__ is not dt.date]
        cache: dict[object, dt.date | Problem | None] = {}
        for offset in others:
            cell = cells[offset]
            parsed = cache.get(cell, _UNSEEN)
            if parsed is _UNSEEN:
                parsed = _parse_date_cell(cell, self.today)
                if len(cache) < 50_000:
                    cache[cell] = parsed
            if parsed is None or isinstance(parsed, dt.date):
                out[offset] = parsed
            else:
                out[offset] = None
                self.add(offset, key, parsed)
        present = [value for value in out if value is not None]
        if present and not EARLIEST <= min(present) <= max(present) <= self.today:
            for offset, value in enumerate(out):
                if value is not None and not EARLIEST <= value <= self.today:
                    self.add(offset, key, ("date_out_of_range", {"value": value.isoformat()}))
                    out[offset] = None
        return out

    def id_numbers(self) -> tuple[list[str], set[int]]:
        """Normalised ID numbers, and the offsets whose ID number is unusable."""
        cells = self.column("id_number")
        assert cells is not None
        bad: set[int] = set()
        if set(map(type, cells)) == {str}:
            values = list(map(str.upper, map(str.strip, cells)))  # type: ignore[arg-type]
        else:
            values = []
            for offset, cell in enumerate(cells):
                if isinstance(cell, int | float) and not isinstance(cell, bool):
                    self.add(offset, "id_number", ("id_as_number", {}))
                    bad.add(offset)
                    values.append("")
                else:
                    values.append(text_of(cell).upper())
        if not all(map(str.isascii, values)):
            values = [value if value.isascii() else ascii_code(value).upper() for value in values]
        joined = "\n".join(values)
        regions = {value[:2] for value in values}
        births = {value[6:14] for value in values}
        today = self.today
        simple = (
            _ID_COLUMN.fullmatch(joined) is not None
            and regions <= PROVINCE_CODES
            and all(plausible_birth_date(digits, today) for digits in births)
        )
        for offset, value in enumerate(values):
            if offset in bad:
                continue
            if simple:
                # Shape, region and birth date hold for the whole column: only the check digit is left.
                if value[17] == check_char(value):
                    continue
                found: Problem | None = id_number_problem(value, today)
            elif not value:
                found = ("required", {}) if offset not in self.blank else None
            elif value[0] in SUSPECT_FIRST and formula_prefix(value):
                found = ("formula", {"char": formula_prefix(value)})
            else:
                found = id_number_problem(value, today)
            if found is not None:
                self.add(offset, "id_number", found)
                bad.add(offset)
        return values, bad

    def check(self) -> None:
        outcome = self.outcome
        staff_nos = self.raw_texts("staff_no")
        names = self.raw_texts("name")
        if "" in staff_nos:
            for offset, (staff_no, name) in enumerate(zip(staff_nos, names, strict=True)):
                if not staff_no and not name and is_blank(self.rows[offset]):
                    self.blank.add(offset)
        outcome.blank += len(self.blank)
        self.texts("staff_no", staff_nos)
        self.texts("name", names)
        id_numbers, bad_ids = self.id_numbers()
        genders = self.choices("gender", GENDER_TOKENS, GENDER_LABELS)
        statuses = self.choices("political_status", POLITICAL_TOKENS, POLITICAL_LABELS)
        unit_codes = self.texts("unit_code")
        posts = self.texts("post")
        ranks = self.texts("rank")
        phones = self.texts("phone")
        births = self.dates("birth_date")
        appointed = self.dates("appointed_date")
        unit_ids = list(map(outcome.units.get, unit_codes))
        if None in unit_ids:
            for offset, (code, unit_id) in enumerate(zip(unit_codes, unit_ids, strict=True)):
                if unit_id is None and code and not (code[0] in SUSPECT_FIRST and formula_prefix(code)):
                    self.add(offset, "unit_code", ("unknown_unit", {"code": code}))
        # The birth date: from the ID number where the column is blank, and it must agree where it is not.
        from_ids = [
            digits_date(value[6:14]) if offset not in bad_ids and value else None
            for offset, value in enumerate(id_numbers)
        ]
        if births != from_ids:
            for offset, (born, from_id) in enumerate(zip(births, from_ids, strict=True)):
                if born is None:
                    births[offset] = from_id
                elif from_id is not None and born != from_id:
                    self.add(offset, "birth_date", ("birth_date_mismatch", {"date": from_id.isoformat()}))
        for offset, (started, born) in enumerate(zip(appointed, births, strict=True)):
            if started is not None and born is not None and started < born:
                self.add(offset, "appointed_date", ("appointed_before_birth", {"value": started.isoformat()}))
        outcome.keys["staff_no"].extend(staff_nos)
        outcome.keys["id_number"].extend(
            value if offset not in bad_ids else "" for offset, value in enumerate(id_numbers)
        )
        start = self.start
        records = zip(
            staff_nos,
            names,
            genders,
            id_numbers,
            births,
            statuses,
            unit_ids,
            posts,
            ranks,
            appointed,
            phones,
            strict=True,
        )
        skip = self.blank | self.bad
        if skip:
            outcome.records.update(
                (start + offset, record) for offset, record in enumerate(records) if offset not in skip
            )
        else:
            outcome.records.update(zip(range(start, start + self.size), records, strict=True))


_UNSEEN: Any = object()


def _parse_date_cell(cell: object, today: dt.date) -> dt.date | Problem | None:
    """None for a blank cell, a date, or a problem."""
    if cell.__class__ is str:
        text = cell.strip()
        if not text:
            return None
        if text[0] in SUSPECT_FIRST and formula_prefix(text):
            return ("formula", {"char": formula_prefix(text)})
        cell = text
    elif cell is None:
        return None
    return parse_date(cell)


# The checked rows, kept between the check and the import steps ----------------------------------------

_PACK_VERSION = 1


def pack(outcome: Outcome) -> bytes:
    """The good rows of a checked file, compressed: the import step starts from these instead of reading
    and checking the file again. Units travel by code, to be looked up again at import time."""
    code_of = {pk: code for code, pk in outcome.units.items()}
    unit = FIELDS.index("org_unit_id")
    rows = [
        [index, *record[:unit], code_of[record[unit]], *record[unit + 1 :]]
        for index, record in outcome.records.items()
    ]
    payload = {
        "version": _PACK_VERSION,
        "first_row": outcome.sheet.first_row,
        "total": outcome.total,
        "blank": outcome.blank,
        "fields": outcome.fields,
        "rows": rows,
    }
    return zlib.compress(json.dumps(payload, ensure_ascii=False, default=_date_text).encode(), 1)


def unpack(data: bytes) -> Outcome | None:
    """The outcome of `check` from `pack`, with the unit codes looked up again (a unit deleted since is
    a row problem, as at check time); None if the data is from another version."""
    payload = json.loads(zlib.decompress(data))
    if payload.get("version") != _PACK_VERSION:
        return None
    sheet = Sheet(headers=[], rows=[], first_row=payload["first_row"])
    outcome = Outcome(
        sheet=sheet, fields=tuple(payload["fields"]), total=payload["total"], blank=payload["blank"]
    )
    rows = payload["rows"]
    unit = FIELDS.index("org_unit_id")
    codes = sorted({row[unit + 1] for row in rows})
    outcome.units = dict(staging.rows_where_in(OrgUnit, "code", codes, ("code", "pk")))
    dates = [FIELDS.index(name) + 1 for name in DATE_FIELDS]
    fromiso = dt.date.fromisoformat
    for row in rows:
        for position in dates:
            if row[position]:
                row[position] = fromiso(row[position])
            else:
                row[position] = None
        unit_id = outcome.units.get(row[unit + 1])
        if unit_id is None:
            outcome.add(row[0], "unit_code", ("unknown_unit", {"code": row[unit + 1]}))
            continue
        row[unit + 1] = unit_id
        outcome.records[row[0]] = tuple(row[1:])
    return outcome


# Classification against the registry --------------------------------------------------------------

_DB_FIELDS = ("pk", *FIELDS)


def classify(outcome: Outcome) -> Outcome:
    """Sort the good rows into new, updated and unchanged; refuse those that clash with the registry.
    Two queries, whatever the number of rows."""
    records = outcome.records
    indices = list(records)
    staff_nos = [records[index][0] for index in indices]
    existing = {row[1]: row for row in staging.rows_where_in(Person, "staff_no", staff_nos, _DB_FIELDS)}
    new_ids = [records[index][3] for index in indices if records[index][0] not in existing]
    holders = {
        id_number: (staff_no, name)
        for id_number, staff_no, name in staging.rows_where_in(
            Person, "id_number", new_ids, ("id_number", "staff_no", "name")
        )
    }
    positions = [FIELDS.index(name) for name in outcome.update_fields]
    outcome.unchanged = []
    new: list[int] = []
    updated: list[tuple[int, int, dict[str, Any]]] = []
    for index in indices:
        record = records[index]
        current = existing.get(record[0])
        if current is None:
            holder = holders.get(record[3])
            if holder is None:
                new.append(index)
            else:
                outcome.add(
                    index, "id_number", ("id_number_taken", {"staff_no": holder[0], "name": holder[1]})
                )
            continue
        if current[4] != record[3]:
            outcome.add(index, "staff_no", ("staff_no_taken", {"value": record[0], "name": current[2]}))
            continue
        if all(current[position + 1] == record[position] for position in positions):
            outcome.unchanged.append(index)
        else:
            before = {FIELDS[position]: _json_value(current[position + 1]) for position in positions}
            updated.append((index, current[0], before))
    outcome.new, outcome.updated = new, updated
    for index in outcome.problems:
        records.pop(index, None)
    return outcome


def _json_value(value: object) -> object:
    return value.isoformat() if isinstance(value, dt.date) else value


# Preview ------------------------------------------------------------------------------------------


def display(record: Sequence[Any]) -> dict[str, str]:
    """A record as the cells of its row, by column key."""
    values = dict(zip(FIELDS, record, strict=True))
    return {
        "staff_no": values["staff_no"],
        "name": values["name"],
        "gender": GENDER_LABELS.get(values["gender"], ""),
        "id_number": values["id_number"],
        "birth_date": _date_text(values["birth_date"]),
        "political_status": POLITICAL_LABELS.get(values["political_status"], ""),
        "unit_code": "",  # filled by the caller, which knows the codes
        "post": values["post"],
        "rank": values["rank"],
        "appointed_date": _date_text(values["appointed_date"]),
        "phone": values["phone"],
    }


def _date_text(value: object) -> str:
    return value.isoformat() if isinstance(value, dt.date) else ""


def preview(outcome: Outcome, limit: int) -> dict[str, Any]:
    """The first rows of each kind, for the preview page (JSON)."""
    code_of = {unit_id: code for code, unit_id in outcome.units.items()}
    keys = [_KEY_OF_FIELD[name] for name in FIELDS if name in outcome.fields]
    columns = [_COLUMN[key].header for key in keys]

    def row(index: int) -> dict[str, Any]:
        record = outcome.records[index]
        cells = display(record)
        cells["unit_code"] = code_of.get(record[6], "")
        return {"row": outcome.sheet.row_number(index), "cells": [cells[key] for key in keys]}

    updated = []
    for index, _pk, before in outcome.updated[:limit]:
        entry = row(index)
        record = outcome.records[index]
        changes = []
        for name, old in before.items():
            new = _json_value(record[FIELDS.index(name)])
            if new != old:
                key = _KEY_OF_FIELD[name]
                changes.append([_COLUMN[key].header, _show(name, old, code_of), _show(name, new, code_of)])
        entry["changes"] = changes
        updated.append(entry)
    return {
        "columns": columns,
        "new": [row(index) for index in outcome.new[:limit]],
        "updated": updated,
        "unchanged": [row(index) for index in outcome.unchanged[:limit]],
    }


def _show(name: str, value: object, code_of: dict[int, str]) -> str:
    if value is None:
        return ""
    if name == "gender":
        return GENDER_LABELS.get(str(value), str(value))
    if name == "political_status":
        return POLITICAL_LABELS.get(str(value), str(value))
    if name == "org_unit_id":
        return code_of.get(int(str(value)), "") or _unit_code(int(str(value)))
    return str(value)


def _unit_code(unit_id: int) -> str:
    return OrgUnit.objects.filter(pk=unit_id).values_list("code", flat=True).first() or str(unit_id)


# Writes -------------------------------------------------------------------------------------------

_HISTORY_REASON = "import:{batch}"


def lock() -> None:
    staging.lock_tables(Person)


def write(outcome: Outcome, batch: ImportBatch, user_id: int | None, now: dt.datetime) -> None:
    """Insert the new people, update the changed ones, log both for rollback, and add history rows for
    the changes (a created person's provenance is its import batch).

    Runs inside the caller's transaction, after `lock()` and `classify()`: a handful of statements,
    whatever the number of rows.
    """
    if not outcome.new and not outcome.updated:
        return
    _create_stage()
    try:
        _write_part(outcome, outcome.new, outcome.updated, batch, user_id, now)
    finally:
        staging.drop_stage()


_STAGE_COLUMNS = ("rownum", "action", "person_id", *FIELDS, "before")


def _create_stage() -> None:
    types = {"rownum": "integer", "action": "varchar(1)", "person_id": "bigint", "before": "text"}
    staging.create_stage(
        [(name, types[name] if name in types else staging.sql_type(Person, name)) for name in _STAGE_COLUMNS]
    )


def _write_part(
    outcome: Outcome,
    new: list[int],
    updated: list[tuple[int, int, dict[str, Any]]],
    batch: ImportBatch,
    user_id: int | None,
    now: dt.datetime,
) -> None:
    """Stage these rows (COPY, or executemany), write them, and empty the staging table."""
    if not new and not updated:
        return
    records = outcome.records
    rows: list[Sequence[Any]] = [(index, "n", None, *records[index], None) for index in new]
    rows += [
        (index, "u", pk, *records[index], json.dumps(before, ensure_ascii=False))
        for index, pk, before in updated
    ]
    staging.fill_stage(
        _STAGE_COLUMNS, rows, not_null=[name for name in TEXT_FIELDS if name in outcome.fields] + ["action"]
    )
    _write_staged(outcome, bool(new), bool(updated), batch, user_id, now)
    staging.execute(f"DELETE FROM {staging.q(staging.STAGE)}")  # noqa: S608 - a constant name


def _write_staged(
    outcome: Outcome,
    has_new: bool,
    has_updated: bool,
    batch: ImportBatch,
    user_id: int | None,
    now: dt.datetime,
) -> None:
    """From the staging table: the new rows (action 'n') and the updates (action 'u'), with the history
    rows, the before-images of the updates and the ids of the new rows (for a rollback). On PostgreSQL
    each is one statement whose data-modifying CTEs feed the rest from RETURNING; elsewhere a few
    statements joined on the keys."""
    person = staging.table(Person)
    change = staging.table(ImportChange)
    stage = staging.q(staging.STAGE)
    cols = ", ".join(staging.column(Person, name) for name in FIELDS)
    is_active = staging.column(Person, "is_active")
    change_cols = ", ".join(staging.column(ImportChange, name) for name in ("batch", "object_id", "before"))
    history_into, history_values, history_params = _history_parts(batch, user_id, now)
    assignments = ", ".join(
        f"{staging.column(Person, name)} = s.{staging.q(name)}" for name in outcome.update_fields
    )
    before = staging.json_param_cast("before")
    history = history_enabled()
    if staging.is_postgres():
        if has_new:
            # People an import creates get no history row: the batch records who created them, when,
            # from which file, and their ids. Their history starts with their first change.
            outcome.created_ids.extend(
                row[0]
                for row in staging.fetch(
                    f"INSERT INTO {person} ({cols}, {is_active}) "  # noqa: S608 - identifiers from metadata
                    f"SELECT {cols}, TRUE FROM {stage} WHERE action = 'n' ORDER BY rownum RETURNING id",
                )
            )
        if has_updated:
            hist = (
                f", hist AS ({history_into} SELECT {history_values('upd')}, '~' FROM upd)"  # noqa: S608
                if history
                else ""
            )
            staging.execute(
                f"WITH upd AS (UPDATE {person} SET {assignments} FROM {stage} s "  # noqa: S608
                f"WHERE {person}.id = s.person_id AND s.action = 'u' RETURNING {person}.*, s.before)"
                f"{hist} INSERT INTO {change} ({change_cols}) SELECT %s, id, {before} FROM upd",
                [*(history_params if history else []), batch.pk],
            )
        return
    if has_new:
        staging.execute(
            f"INSERT INTO {person} ({cols}, {is_active}) "  # noqa: S608
            f"SELECT {cols}, %s FROM {stage} WHERE action = 'n' ORDER BY rownum",
            [True],
        )
        outcome.created_ids.extend(
            row[0]
            for row in staging.fetch(
                f"SELECT p.id FROM {person} p JOIN {stage} s ON p.staff_no = s.staff_no "  # noqa: S608
                "WHERE s.action = 'n'"
            )
        )
    if has_updated:
        staging.execute(
            f"INSERT INTO {change} ({change_cols}) "  # noqa: S608
            f"SELECT %s, person_id, {before} FROM {stage} WHERE action = 'u'",
            [batch.pk],
        )
        staging.execute(
            f"UPDATE {person} SET {assignments} FROM {stage} s "  # noqa: S608
            f"WHERE {person}.id = s.person_id AND s.action = 'u'"
        )
    if history and has_updated:
        staging.execute(
            f"{history_into} SELECT {history_values('p')}, '~' "  # noqa: S608
            f"FROM {person} p JOIN {stage} s ON p.staff_no = s.staff_no WHERE s.action = 'u'",
            history_params,
        )


def _history_parts(
    batch: ImportBatch, user_id: int | None, now: dt.datetime
) -> tuple[str, Callable[[str], str], list[Any]]:
    """`INSERT INTO <history> (…)`, the select list of a person source (without the history type, which
    comes last), and its parameters: one django-simple-history row per person."""
    history = Person.history.model
    tracked = [f.column for f in history._meta.concrete_fields if not f.name.startswith("history_")]
    targets = [*tracked, "history_date", "history_change_reason", "history_user_id", "history_type"]
    into = f"INSERT INTO {staging.table(history)} ({', '.join(staging.q(c) for c in targets)})"

    def values(source: str) -> str:
        return ", ".join(f"{source}.{staging.q(c)}" for c in tracked) + ", %s, %s, %s"

    params = [connection.ops.adapt_datetimefield_value(now), _HISTORY_REASON.format(batch=batch.pk), user_id]
    return into, values, params


def history_enabled() -> bool:
    """django-simple-history's own switch, honoured by the set-based writes as by its bulk helpers."""
    return bool(getattr(settings, "SIMPLE_HISTORY_ENABLED", True))


def write_history(
    source_sql: str, params: list[Any], batch: ImportBatch, user_id: int | None, now: dt.datetime
) -> None:
    """Add a history row per person of `source_sql` (the person columns, then `history_type`)."""
    if not history_enabled():
        return
    into, values, history_params = _history_parts(batch, user_id, now)
    staging.execute(
        f"{into} SELECT {values('src')}, src.history_type FROM ({source_sql}) src",  # noqa: S608
        [*history_params, *params],
    )


# Rollback -----------------------------------------------------------------------------------------


def rollback(batch: ImportBatch, user_id: int | None, now: dt.datetime) -> None:
    """Delete the people the batch created and restore those it updated. Raises ImportRefusedError if
    that would undo later work. Runs in the caller's transaction, after `lock()`."""
    created = list(ids_in(batch.created_ranges))
    updated: list[tuple[int, dict[str, Any]]] = list(
        ImportChange.objects.filter(batch=batch).values_list("object_id", "before")
    )
    assert batch.finished_at is not None
    later = rows_changed_after(Person, created + [pk for pk, _before in updated], batch.finished_at)
    if later:
        raise ImportRefusedError("rollback_changed_later", count=len(later), example=_example(later[0]))
    references = describe_references(Person, created)
    if references:
        count, where = references
        raise ImportRefusedError("rollback_referenced", count=count, where=where)
    person = staging.table(Person)
    for chunk in staging.chunked(created, 10_000):
        placeholders = ", ".join(["%s"] * len(chunk))
        write_history(
            f"SELECT p.*, '-' AS history_type FROM {person} p WHERE p.id IN ({placeholders})",  # noqa: S608
            chunk,
            batch,
            user_id,
            now,
        )
        staging.execute(f"DELETE FROM {person} WHERE id IN ({placeholders})", chunk)  # noqa: S608
    if updated:
        names = sorted({name for _pk, before in updated for name in before})
        stage_columns = [("person_id", "bigint")] + [(name, staging.sql_type(Person, name)) for name in names]
        staging.create_stage(stage_columns)
        try:
            rows = [[pk, *(_from_json(name, before.get(name)) for name in names)] for pk, before in updated]
            staging.fill_stage(
                [name for name, _type in stage_columns], rows, not_null=[n for n in names if n in TEXT_FIELDS]
            )
            stage = staging.q(staging.STAGE)
            assignments = ", ".join(f"{staging.column(Person, name)} = s.{staging.q(name)}" for name in names)
            staging.execute(
                f"UPDATE {person} SET {assignments} FROM {stage} s WHERE {person}.id = s.person_id"  # noqa: S608
            )
            write_history(
                f"SELECT p.*, '~' AS history_type FROM {person} p "  # noqa: S608
                f"JOIN {stage} s ON p.id = s.person_id",
                [],
                batch,
                user_id,
                now,
            )
        finally:
            staging.drop_stage()


def _from_json(name: str, value: Any) -> Any:
    if name in DATE_FIELDS and value:
        return dt.date.fromisoformat(value)
    return value


def _example(pk: int) -> str:
    person = Person.objects.filter(pk=pk).values_list("name", "staff_no").first()
    return f"{person[0]}（{person[1]}）" if person else str(pk)
