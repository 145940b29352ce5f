"""Unit rosters (单位编码, 单位名称, 类别, 上级单位编码): checks, classification, writes, rollback.

Units number thousands, not hundreds of thousands, so the writes use the ORM's bulk operations; the
materialised paths are rebuilt once at the end by `services.units.rebuild_unit_paths`, their only writer.
A parent may come later in the file than its children; loops through the file and the registry are refused.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Model

from ..models import ImportBatch, ImportChange, OrgUnit
from ..services.units import rebuild_unit_paths
from . import staging
from .cleaning import SUSPECT_FIRST, Problem, formula_prefix, text_of
from .columns import KIND_LABELS, KIND_TOKENS, UNIT_COLUMNS
from .problems import ImportRefusedError, problem
from .ranges import ids_in
from .reading import Sheet, is_blank, read_sheet
from .references import describe_references, rows_changed_after

_COLUMN = {column.key: column for column in UNIT_COLUMNS}
# Update-able fields, by column key.
_FIELD_OF_KEY = {"name": "name", "kind": "kind", "parent_code": "parent_id"}
Progress = Callable[[int, int], None]


@dataclass
class Outcome:
    sheet: Sheet
    records: dict[int, tuple[str, str, str, str]] = field(default_factory=dict)  # code, name, kind, parent
    problems: dict[int, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    blank: int = 0
    new: list[int] = field(default_factory=list)
    updated: list[tuple[int, int, dict[str, Any]]] = field(default_factory=list)
    unchanged: list[int] = field(default_factory=list)
    created_ids: list[int] = field(default_factory=list)  # filled by the writes
    total: int = 0  # rows in the file, blank ones included
    existing: dict[str, tuple[int, str, str, int | None]] = field(default_factory=dict)  # code -> pk, …

    def add(self, index: int, key: str, found: Problem) -> None:
        code, params = found
        self.problems[index].append(problem(self.sheet.row_number(index), _COLUMN[key].header, code, params))

    @property
    def update_keys(self) -> tuple[str, ...]:
        return tuple(key for key in ("name", "kind", "parent_code") if key in self.sheet.columns)


def read(content: bytes, file_name: str, *, measured: bool = False) -> Sheet:
    return read_sheet(content, file_name, UNIT_COLUMNS, measured=measured)


def check(sheet: Sheet, progress: Progress | None = None) -> Outcome:
    outcome = Outcome(sheet=sheet, total=len(sheet.rows))
    columns = sheet.columns
    codes_at: dict[str, list[int]] = defaultdict(list)
    for index, row in enumerate(sheet.rows):
        if is_blank(row):
            outcome.blank += 1
            continue
        values: dict[str, str] = {}
        for key in ("code", "name", "kind", "parent_code"):
            position = columns.get(key)
            text = text_of(row[position]) if position is not None else ""
            column = _COLUMN[key]
            if not text:
                if column.required:
                    outcome.add(index, key, ("required", {}))
            elif text[0] in SUSPECT_FIRST and formula_prefix(text):
                outcome.add(index, key, ("formula", {"char": formula_prefix(text)}))
            elif column.max_length is not None and len(text) > column.max_length:
                outcome.add(index, key, ("too_long", {"limit": column.max_length, "length": len(text)}))
            values[key] = text
        kind = OrgUnit.Kind.OTHER.value
        if values["kind"]:
            token = KIND_TOKENS.get(values["kind"])
            if token is None:
                if not formula_prefix(values["kind"]):
                    choices = "、".join(KIND_LABELS.values())
                    outcome.add(index, "kind", ("choice", {"value": values["kind"], "choices": choices}))
            else:
                kind = token
        if values["code"]:
            codes_at[values["code"]].append(index)
            if values["code"] == values["parent_code"]:
                outcome.add(index, "parent_code", ("own_parent", {}))
        outcome.records[index] = (values["code"], values["name"], kind, values["parent_code"])
        if progress and index % 1000 == 0:
            progress(index, len(sheet.rows))
    for code, indices in codes_at.items():
        if len(indices) > 1:
            rows = "、".join(str(sheet.row_number(index)) for index in indices[:10])
            for index in indices:
                outcome.add(index, "code", ("duplicate_in_file", {"value": code, "rows": rows}))
    if progress:
        progress(len(sheet.rows), len(sheet.rows))
    return outcome


def classify(outcome: Outcome) -> Outcome:
    """Parents must exist (in the file or the registry) and form no loop; then new / updated / unchanged."""
    rows = list(OrgUnit.objects.values_list("code", "pk", "name", "kind", "parent_id"))
    outcome.existing = {code: (pk, name, kind, parent_id) for code, pk, name, kind, parent_id in rows}
    code_of = {pk: code for code, pk, *_rest in rows}
    parent_of: dict[str, str] = {
        code: code_of[parent_id] for code, _pk, _name, _kind, parent_id in rows if parent_id is not None
    }
    in_file = {record[0] for record in outcome.records.values() if record[0]}
    moves_parent = "parent_code" in outcome.sheet.columns
    if moves_parent:
        for record in outcome.records.values():
            if record[0]:
                if record[3]:
                    parent_of[record[0]] = record[3]
                else:
                    parent_of.pop(record[0], None)
    safe: set[str] = set()
    for index, (code, _name, _kind, parent_code) in outcome.records.items():
        if not parent_code or parent_code == code or formula_prefix(parent_code):
            continue
        if parent_code not in in_file and parent_code not in outcome.existing:
            outcome.add(index, "parent_code", ("unknown_parent", {"code": parent_code}))
            continue
        chain = [code]
        cursor: str | None = parent_code
        while cursor is not None and cursor not in safe:
            if cursor in chain:
                loop = [*chain[chain.index(cursor) :], cursor]
                outcome.add(index, "parent_code", ("parent_cycle", {"chain": " → ".join(loop)}))
                break
            chain.append(cursor)
            cursor = parent_of.get(cursor)
        else:
            safe.update(chain)
    for index in outcome.problems:
        outcome.records.pop(index, None)
    keys = outcome.update_keys
    for index, (code, name, kind, parent_code) in outcome.records.items():
        current = outcome.existing.get(code)
        if current is None:
            outcome.new.append(index)
            continue
        pk, old_name, old_kind, old_parent_id = current
        old = {
            "name": old_name,
            "kind": old_kind,
            "parent_code": code_of.get(old_parent_id, "") if old_parent_id else "",
        }
        new = {"name": name, "kind": kind, "parent_code": parent_code}
        if all(old[key] == new[key] for key in keys):
            outcome.unchanged.append(index)
        else:
            before = {
                _FIELD_OF_KEY[key]: (old_parent_id if key == "parent_code" else old[key]) for key in keys
            }
            outcome.updated.append((index, pk, before))
    return outcome


def preview(outcome: Outcome, limit: int) -> dict[str, Any]:
    keys = [
        key
        for key in ("code", "name", "kind", "parent_code")
        if key == "code" or key in outcome.sheet.columns
    ]
    columns = [_COLUMN[key].header for key in keys]
    code_of = {pk: code for code, (pk, *_rest) in outcome.existing.items()}

    def cells(record: tuple[str, str, str, str]) -> dict[str, str]:
        code, name, kind, parent_code = record
        return {"code": code, "name": name, "kind": KIND_LABELS.get(kind, kind), "parent_code": parent_code}

    def row(index: int) -> dict[str, Any]:
        values = cells(outcome.records[index])
        return {"row": outcome.sheet.row_number(index), "cells": [values[key] for key in keys]}

    updated = []
    for index, _pk, before in outcome.updated[:limit]:
        entry = row(index)
        new = cells(outcome.records[index])
        changes = []
        for key in outcome.update_keys:
            old_value = before[_FIELD_OF_KEY[key]]
            if key == "parent_code":
                old_text = code_of.get(old_value, "") if old_value else ""
            elif key == "kind":
                old_text = KIND_LABELS.get(old_value, old_value)
            else:
                old_text = old_value
            if old_text != new[key]:
                changes.append([_COLUMN[key].header, old_text, new[key]])
        entry["changes"] = changes
        updated.append(entry)
    return {
        "columns": columns,
        "new": [row(index) for index in outcome.new[:limit]],
        "updated": updated,
        "unchanged": [row(index) for index in outcome.unchanged[:limit]],
    }


def lock() -> None:
    staging.lock_tables(OrgUnit)


def write(outcome: Outcome, batch: ImportBatch, user_id: int | None, now: dt.datetime) -> None:
    if not outcome.new and not outcome.updated:
        return
    records = outcome.records
    created = OrgUnit.objects.bulk_create(
        [OrgUnit(code=records[i][0], name=records[i][1], kind=records[i][2]) for i in outcome.new],
        batch_size=1000,
    )
    pk_of = {code: pk for code, (pk, *_rest) in outcome.existing.items()}
    pk_of.update({unit.code: unit.pk for unit in created})
    moves_parent = "parent_code" in outcome.sheet.columns
    for unit, index in zip(created, outcome.new, strict=True):
        parent_code = records[index][3]
        unit.parent_id = pk_of[parent_code] if parent_code else None
    OrgUnit.objects.bulk_update([u for u in created if u.parent_id], ["parent"], batch_size=1000)
    updated_units = []
    for index, pk, _before in outcome.updated:
        code, name, kind, parent_code = records[index]
        unit = OrgUnit(pk=pk, code=code, name=name, kind=kind)
        unit.parent_id = pk_of[parent_code] if parent_code else None
        updated_units.append(unit)
    fields = [{"name": "name", "kind": "kind", "parent_code": "parent"}[key] for key in outcome.update_keys]
    if updated_units and fields:
        OrgUnit.objects.bulk_update(updated_units, fields, batch_size=1000)
    if moves_parent or created:
        rebuild_unit_paths()
    ImportChange.objects.bulk_create(
        [ImportChange(batch=batch, object_id=pk, before=before) for _index, pk, before in outcome.updated],
        batch_size=2000,
    )
    created_ids = [unit.pk for unit in created]
    outcome.created_ids.extend(created_ids)
    write_history(OrgUnit.objects.filter(pk__in=created_ids), "+", batch, user_id, now)
    write_history(
        OrgUnit.objects.filter(pk__in=[pk for _i, pk, _b in outcome.updated]), "~", batch, user_id, now
    )


def write_history(
    units: Iterable[Model], history_type: str, batch: ImportBatch, user_id: int | None, now: dt.datetime
) -> None:
    if not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        return
    history = OrgUnit.history.model
    tracked = [f.attname for f in history.tracked_fields]
    history.objects.bulk_create(
        [
            history(
                history_date=now,
                history_type=history_type,
                history_user_id=user_id,
                history_change_reason=f"import:{batch.pk}",
                **{name: getattr(unit, name) for name in tracked},
            )
            for unit in units
        ],
        batch_size=2000,
    )


def rollback(batch: ImportBatch, user_id: int | None, now: dt.datetime) -> None:
    created = list(ids_in(batch.created_ranges))
    updated = list(ImportChange.objects.filter(batch=batch).values_list("object_id", "before"))
    assert batch.finished_at is not None
    later = rows_changed_after(OrgUnit, created + [pk for pk, _before in updated], batch.finished_at)
    if later:
        example = OrgUnit.objects.filter(pk=later[0]).values_list("name", flat=True).first() or str(later[0])
        raise ImportRefusedError("rollback_changed_later", count=len(later), example=example)
    references = describe_references(OrgUnit, created)
    if references:
        count, where = references
        raise ImportRefusedError("rollback_referenced", count=count, where=where)
    restored = []
    for pk, before in updated:
        assert isinstance(before, dict)
        unit = OrgUnit(pk=pk)
        for name, value in before.items():
            setattr(unit, name, value)
        restored.append((unit, list(before)))
    for names in {tuple(names) for _unit, names in restored}:
        OrgUnit.objects.bulk_update(
            [unit for unit, unit_names in restored if tuple(unit_names) == names],
            [("parent" if name == "parent_id" else name) for name in names],
            batch_size=1000,
        )
    if created:
        write_history(OrgUnit.objects.filter(pk__in=created), "-", batch, user_id, now)
        # Checked above: nothing outside the batch points at these units. Plain SQL, so that no signal
        # writes a second history row for each.
        for chunk in staging.chunked(created, 5000):
            placeholders = ", ".join(["%s"] * len(chunk))
            staging.execute(
                f"DELETE FROM {staging.table(OrgUnit)} WHERE id IN ({placeholders})",  # noqa: S608
                chunk,
            )
    rebuild_unit_paths()
    write_history(OrgUnit.objects.filter(pk__in=[pk for pk, _before in updated]), "~", batch, user_id, now)
