"""People rosters: column-wise checks, classification against the registry, set-based writes, rollback.

Keyed on 工号 (staff_no) and 身份证号: a row whose staff number exists updates that person only when the ID
numbers agree; a row with a new staff number is refused if its ID number belongs to someone else.
Columns absent from the file are left alone on update; 出生日期 may be left out (the ID number has it).
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from ..models import ImportBatch, ImportChange, OrgUnit, Person
from . import staging
from .cleaning import (
    EARLIEST,
    SUSPECT_FIRST,
    Problem,
    ascii_code,
    formula_prefix,
    id_birth_date,
    id_number_problem,
    parse_date,
    text_of,
)
from .columns import GENDER_LABELS, GENDER_TOKENS, PERSON_COLUMNS, POLITICAL_LABELS, POLITICAL_TOKENS
from .problems import ImportRefusedError, problem
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
    keys: dict[str, dict[str, list[int]]] = field(
        default_factory=lambda: {"staff_no": defaultdict(list), "id_number": defaultdict(list)}
    )
    new: list[int] = field(default_factory=list)
    updated: list[tuple[int, int, dict[str, Any]]] = field(default_factory=list)  # index, id, old values
    unchanged: list[int] = field(default_factory=list)

    def add(self, index: int, key: str, found: Problem) -> None:
        code, params = found
        self.problems[index].append(problem(self.sheet.row_number(index), _COLUMN[key].header, code, params))

    @property
    def update_fields(self) -> tuple[str, ...]:
        """What an update may change: the fields of the file except the two keys."""
        return tuple(name for name in self.fields if name not in {"staff_no", "id_number"})


def read(content: bytes, file_name: str) -> Sheet:
    return read_sheet(content, file_name, PERSON_COLUMNS)


# Checks that need only the file -------------------------------------------------------------------


def check(sheet: Sheet, progress: Progress | None = None) -> Outcome:
    """Row-level problems of every row, and duplicates within the file. Reads only the unit codes."""
    present = {_FIELD_OF_KEY[key] for key in sheet.columns}
    fields = tuple(name for name in FIELDS if name in present or name == "birth_date")
    outcome = Outcome(sheet=sheet, fields=fields, units=_unit_ids(sheet))
    total = len(sheet.rows)
    today = timezone.localdate()
    for start in range(0, total, CHUNK):
        end = min(start + CHUNK, total)
        _Chunk(outcome, start, end, today).check()
        if progress:
            progress(end, total)
    for key in ("staff_no", "id_number"):
        for value, indices in outcome.keys[key].items():
            if len(indices) > 1:
                rows = "、".join(str(sheet.row_number(index)) for index in indices[:10])
                rows += "…" if len(indices) > 10 else ""
                for index in indices:
                    outcome.add(index, key, ("duplicate_in_file", {"value": value, "rows": rows}))
    for index in outcome.problems:
        outcome.records.pop(index, None)
    return outcome


def _unit_ids(sheet: Sheet) -> dict[str, int]:
    position = sheet.columns["unit_code"]
    codes = {text_of(row[position]) for row in sheet.rows}
    codes.discard("")
    found: dict[str, int] = {}
    for chunk in staging.chunked(sorted(codes), 5000):
        found.update(OrgUnit.objects.filter(code__in=chunk).values_list("code", "pk"))
    return found


class _Chunk:
    """The rows [start, end) of a sheet, checked one column at a time."""

    def __init__(self, outcome: Outcome, start: int, end: int, today: dt.date) -> None:
        self.outcome = outcome
        self.start = start
        self.rows = outcome.sheet.rows[start:end]
        self.columns = outcome.sheet.columns
        self.today = today
        self.blank: set[int] = set()

    def add(self, offset: int, key: str, found: Problem) -> None:
        self.outcome.add(self.start + offset, key, found)

    def raw_texts(self, key: str) -> list[str]:
        position = self.columns.get(key)
        if position is None:
            return [""] * len(self.rows)
        return [
            value.strip() if value.__class__ is str else text_of(value)
            for value in (row[position] for row in self.rows)
        ]

    def texts(self, key: str, values: list[str] | None = None) -> list[str]:
        """The stripped texts of a column; blank (if required), formula-like and overlong cells refused."""
        values = self.raw_texts(key) if values is None else values
        column = _COLUMN[key]
        limit = column.max_length
        for offset, text in enumerate(values):
            if not text:
                if column.required and offset not in self.blank:
                    self.add(offset, key, ("required", {}))
            elif text[0] in SUSPECT_FIRST and formula_prefix(text):
                self.add(offset, key, ("formula", {"char": formula_prefix(text)}))
            elif limit is not None and len(text) > limit:
                self.add(offset, key, ("too_long", {"limit": limit, "length": len(text)}))
        return values

    def choices(self, key: str, tokens: dict[str, str], labels: dict[Any, str]) -> list[str | None]:
        accepted = "、".join(labels.values())
        out: list[str | None] = []
        for offset, text in enumerate(self.texts(key)):
            choice = tokens.get(text)
            if choice is None and text and not (text[0] in SUSPECT_FIRST and formula_prefix(text)):
                self.add(offset, key, ("choice", {"value": text, "choices": accepted}))
            out.append(choice)
        return out

    def dates(self, key: str) -> list[dt.date | None]:
        position = self.columns.get(key)
        if position is None:
            return [None] * len(self.rows)
        cache: dict[object, dt.date | Problem] = {}
        out: list[dt.date | None] = []
        for offset, row in enumerate(self.rows):
            cell = row[position]
            if cell.__class__ is str:
                cell = cell.strip()
                if cell and cell[0] in SUSPECT_FIRST and formula_prefix(cell):
                    self.add(offset, key, ("formula", {"char": formula_prefix(cell)}))
                    out.append(None)
                    continue
            if cell == "" or cell is None:
                out.append(None)
                continue
            parsed = cache.get(cell)
            if parsed is None:
                parsed = parse_date(cell)
                if isinstance(parsed, dt.date) and not EARLIEST <= parsed <= self.today:
                    parsed = ("date_out_of_range", {"value": parsed.isoformat()})
                if len(cache) < 50_000:
                    cache[cell] = parsed
            if isinstance(parsed, dt.date):
                out.append(parsed)
            else:
                self.add(offset, key, parsed)
                out.append(None)
        return out

    def id_numbers(self) -> tuple[list[str], set[int]]:
        """Normalised ID numbers, and the offsets whose ID number is unusable."""
        position = self.columns["id_number"]
        values: list[str] = []
        bad: set[int] = set()
        for offset, row in enumerate(self.rows):
            cell = row[position]
            if cell.__class__ is str:
                value = cell.strip().upper()
                if not value.isascii():
                    value = ascii_code(value).upper()
            elif isinstance(cell, int | float) and not isinstance(cell, bool):
                self.add(offset, "id_number", ("id_as_number", {}))
                values.append("")
                bad.add(offset)
                continue
            else:
                value = text_of(cell).upper()
            values.append(value)
            found: Problem | None = None
            if not value:
                if offset not in self.blank:
                    found = ("required", {})
            elif value[0] in SUSPECT_FIRST and formula_prefix(value):
                found = ("formula", {"char": formula_prefix(value)})
            else:
                found = id_number_problem(value, self.today)
            if found is not None:
                self.add(offset, "id_number", found)
                bad.add(offset)
        return values, bad

    def check(self) -> None:
        outcome = self.outcome
        staff_nos = self.raw_texts("staff_no")
        names = self.raw_texts("name")
        id_position = self.columns["id_number"]
        for offset, row in enumerate(self.rows):
            if not staff_nos[offset] and not names[offset] and is_blank(row):
                self.blank.add(offset)
        outcome.blank += len(self.blank)
        self.texts("staff_no", staff_nos)
        self.texts("name", names)
        id_numbers, bad_ids = self.id_numbers()
        del id_position
        genders = self.choices("gender", GENDER_TOKENS, GENDER_LABELS)
        statuses = self.choices("political_status", POLITICAL_TOKENS, POLITICAL_LABELS)
        unit_codes = self.texts("unit_code")
        posts = self.texts("post")
        ranks = self.texts("rank")
        phones = self.texts("phone")
        births = self.dates("birth_date")
        appointed = self.dates("appointed_date")
        units = outcome.units
        problems = outcome.problems
        for offset in range(len(self.rows)):
            if offset in self.blank:
                continue
            index = self.start + offset
            code = unit_codes[offset]
            unit_id = units.get(code)
            if unit_id is None and code and not (code[0] in SUSPECT_FIRST and formula_prefix(code)):
                self.add(offset, "unit_code", ("unknown_unit", {"code": code}))
            id_number = id_numbers[offset]
            born = births[offset]
            if offset not in bad_ids and id_number:
                from_id = id_birth_date(id_number)
                if born is None:
                    born = from_id
                elif born != from_id:
                    self.add(offset, "birth_date", ("birth_date_mismatch", {"date": from_id.isoformat()}))
            started = appointed[offset]
            if started is not None and born is not None and started < born:
                self.add(offset, "appointed_date", ("appointed_before_birth", {"value": started.isoformat()}))
            if staff_nos[offset]:
                outcome.keys["staff_no"][staff_nos[offset]].append(index)
            if id_number:
                outcome.keys["id_number"][id_number].append(index)
            if index in problems:
                continue
            outcome.records[index] = (
                staff_nos[offset],
                names[offset],
                genders[offset],
                id_number,
                born,
                statuses[offset],
                unit_id,
                posts[offset],
                ranks[offset],
                started,
                phones[offset],
            )


# Classification against the registry --------------------------------------------------------------

_DB_FIELDS = ("pk", *FIELDS)


def classify(outcome: Outcome) -> Outcome:
    """Sort the good rows into new, updated and unchanged; refuse those that clash with the registry."""
    records = outcome.records
    existing: dict[str, tuple[Any, ...]] = {}
    for chunk in staging.chunked(sorted(record[0] for record in records.values()), 5000):
        for row in Person.objects.filter(staff_no__in=chunk).values_list(*_DB_FIELDS):
            existing[row[1]] = row
    holders: dict[str, tuple[str, str]] = {}
    new_ids = sorted(record[3] for record in records.values() if record[0] not in existing)
    for chunk in staging.chunked(new_ids, 5000):
        for id_number, staff_no, name in Person.objects.filter(id_number__in=chunk).values_list(
            "id_number", "staff_no", "name"
        ):
            holders[id_number] = (staff_no, name)
    positions = [FIELDS.index(name) for name in outcome.update_fields]
    outcome.new, outcome.updated, outcome.unchanged = [], [], []
    for index, record in records.items():
        current = existing.get(record[0])
        if current is None:
            holder = holders.get(record[3])
            if holder is None:
                outcome.new.append(index)
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
            outcome.updated.append((index, current[0], before))
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
    """Insert the new people, update the changed ones, log both for rollback, and add history rows.

    Runs inside the caller's transaction, after `lock()` and `classify()`: a handful of statements,
    whatever the number of rows.
    """
    if not outcome.new and not outcome.updated:
        return
    stage_columns = [("rownum", "integer"), ("action", "varchar(1)"), ("person_id", "bigint")]
    stage_columns += [(name, staging.sql_type(Person, name)) for name in FIELDS]
    stage_columns += [("before", "text")]
    staging.create_stage(stage_columns)
    try:
        records = outcome.records
        rows: list[Sequence[Any]] = [(index, "n", None, *records[index], None) for index in outcome.new]
        rows += [
            (index, "u", pk, *records[index], json.dumps(before, ensure_ascii=False))
            for index, pk, before in outcome.updated
        ]
        staging.fill_stage(
            [name for name, _type in stage_columns],
            rows,
            not_null=[name for name in TEXT_FIELDS if name in outcome.fields] + ["action"],
        )
        _write_staged(outcome, batch, user_id, now)
    finally:
        staging.drop_stage()


def _write_staged(outcome: Outcome, batch: ImportBatch, user_id: int | None, now: dt.datetime) -> None:
    person = staging.table(Person)
    change = staging.table(ImportChange)
    stage = staging.q(staging.STAGE)
    cols = [staging.column(Person, name) for name in FIELDS]
    is_active = staging.column(Person, "is_active")
    change_cols = (
        f"{staging.column(ImportChange, 'batch')}, {staging.column(ImportChange, 'object_id')}, "
        f"{staging.column(ImportChange, 'action')}, {staging.column(ImportChange, 'before')}"
    )
    if outcome.new:
        staging.execute(
            f"INSERT INTO {person} ({', '.join(cols)}, {is_active}) "  # noqa: S608 - identifiers from metadata
            f"SELECT {', '.join(cols)}, %s FROM {stage} WHERE action = 'n' ORDER BY rownum",
            [True],
        )
        staging.execute(
            f"INSERT INTO {change} ({change_cols}) "  # noqa: S608
            f"SELECT %s, p.id, %s, NULL FROM {person} p JOIN {stage} s ON p.staff_no = s.staff_no "
            "WHERE s.action = 'n'",
            [batch.pk, ImportChange.Action.CREATED],
        )
    if outcome.updated:
        staging.execute(
            f"INSERT INTO {change} ({change_cols}) "  # noqa: S608
            f"SELECT %s, person_id, %s, {staging.json_param_cast('before')} FROM {stage} WHERE action = 'u'",
            [batch.pk, ImportChange.Action.UPDATED],
        )
        assignments = ", ".join(
            f"{staging.column(Person, name)} = s.{staging.q(name)}" for name in outcome.update_fields
        )
        staging.execute(
            f"UPDATE {person} SET {assignments} FROM {stage} s "  # noqa: S608
            f"WHERE {person}.id = s.person_id AND s.action = 'u'"
        )
    write_history(
        f"SELECT p.*, CASE s.action WHEN 'n' THEN '+' ELSE '~' END AS history_type "  # noqa: S608
        f"FROM {person} p JOIN {stage} s ON p.staff_no = s.staff_no",
        [],
        batch,
        user_id,
        now,
    )


def write_history(
    source_sql: str, params: list[Any], batch: ImportBatch, user_id: int | None, now: dt.datetime
) -> None:
    """Add a django-simple-history row per person of `source_sql` (person columns and history_type)."""
    from django.db import connection

    history = Person.history.model
    tracked = [f.column for f in history._meta.concrete_fields if not f.name.startswith("history_")]
    targets = [*tracked, "history_date", "history_change_reason", "history_type", "history_user_id"]
    staging.execute(
        f"INSERT INTO {staging.table(history)} ({', '.join(staging.q(c) for c in targets)}) "  # noqa: S608
        f"SELECT {', '.join('src.' + staging.q(c) for c in tracked)}, %s, %s, src.history_type, %s "
        f"FROM ({source_sql}) src",
        [
            connection.ops.adapt_datetimefield_value(now),
            _HISTORY_REASON.format(batch=batch.pk),
            user_id,
            *params,
        ],
    )


# Rollback -----------------------------------------------------------------------------------------


def rollback(batch: ImportBatch, user_id: int | None, now: dt.datetime) -> None:
    """Delete the people the batch created and restore those it updated. Raises ImportRefusedError if
    that would undo later work. Runs in the caller's transaction, after `lock()`."""
    changes = ImportChange.objects.filter(batch=batch)
    created = list(changes.filter(action=ImportChange.Action.CREATED).values_list("object_id", flat=True))
    updated: list[tuple[int, dict[str, Any]]] = list(
        changes.filter(action=ImportChange.Action.UPDATED).values_list("object_id", "before")  # type: ignore[arg-type]
    )
    touched = created + [pk for pk, _before in updated]
    assert batch.finished_at is not None
    later = rows_changed_after(Person, touched, batch.finished_at)
    if later:
        raise ImportRefusedError("rollback_changed_later", count=len(later), example=_example(later[0]))
    references = describe_references(Person, created)
    if references:
        count, where = references
        raise ImportRefusedError("rollback_referenced", count=count, where=where)
    person = staging.table(Person)
    change = staging.table(ImportChange)
    created_sql = f"SELECT object_id FROM {change} WHERE batch_id = %s AND action = %s"  # noqa: S608
    if created:
        write_history(
            f"SELECT p.*, '-' AS history_type FROM {person} p WHERE p.id IN ({created_sql})",  # noqa: S608
            [batch.pk, ImportChange.Action.CREATED],
            batch,
            user_id,
            now,
        )
        staging.execute(
            f"DELETE FROM {person} WHERE id IN ({created_sql})",  # noqa: S608
            [batch.pk, ImportChange.Action.CREATED],
        )
    if updated:
        names = sorted({name for _pk, before in updated for name in before})
        stage_columns = [("person_id", "bigint")] + [(name, staging.sql_type(Person, name)) for name in names]
        staging.create_stage(stage_columns)
        try:
            rows = []
            for pk, before in updated:
                rows.append([pk, *(_from_json(name, before.get(name)) for name in names)])
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
