"""Loads the shipped reference data: regulations and clauses, deadline rules, the work calendar.

Idempotent. By default it only adds what is missing, so an admin's corrections survive every deploy;
`update=True` (``load_regulations --update``) overwrites the shipped rows with the shipped values.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction

from ..models import Clause, DeadlineRule, Regulation, WorkCalendarDay
from .calendar_data import calendar_rows
from .regulations_data import DEADLINE_RULES, regulations


@dataclass
class LoadReport:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)

    def count(self, kind: str, created: bool) -> None:
        target = self.created if created else self.updated
        target[kind] = target.get(kind, 0) + 1


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _upsert(model, lookup: dict, values: dict, update: bool, existing: dict, report: LoadReport, kind: str):
    key = tuple(lookup.values())
    obj = existing.get(key)
    if obj is None:
        obj = model.objects.create(**lookup, **values)
        report.count(kind, created=True)
    elif update:
        changed = [name for name, value in values.items() if getattr(obj, name) != value]
        if changed:
            for name in changed:
                setattr(obj, name, values[name])
            obj.save(update_fields=changed)
            report.count(kind, created=False)
    return obj


@transaction.atomic
def load_reference_data(*, update: bool = False) -> LoadReport:
    report = LoadReport()
    existing_regulations = {(r.code,): r for r in Regulation.objects.all()}
    existing_clauses = {(c.regulation_id, c.code): c for c in Clause.objects.all()}
    by_code: dict[str, Regulation] = {}
    for spec in regulations():
        clauses = spec.pop("clauses")
        spec["effective_date"] = _date(spec["effective_date"])
        spec["repealed_date"] = _date(spec["repealed_date"])
        code = spec.pop("code")
        regulation = _upsert(
            Regulation, {"code": code}, spec, update, existing_regulations, report, "regulations"
        )
        by_code[code] = regulation
        for clause_code, article, paragraph, item, kind, short_title, text, verified in clauses:
            _upsert(
                Clause,
                {"regulation_id": regulation.pk, "code": clause_code},
                {
                    "article": article,
                    "paragraph": paragraph,
                    "item": item,
                    "kind": kind,
                    "short_title": short_title,
                    "text": text,
                    "verified": verified,
                },
                update,
                existing_clauses,
                report,
                "clauses",
            )

    clause_ids: dict[tuple[str, str | None], int] = {
        (regulation_code, clause_code): clause_id
        for regulation_code, clause_code, clause_id in Clause.objects.values_list(
            "regulation__code", "code", "id"
        )
    }
    existing_rules = {(r.code,): r for r in DeadlineRule.objects.all()}
    for code, name, regulation_code, clause_code, amount, unit, roll, verified, notes in DEADLINE_RULES:
        _upsert(
            DeadlineRule,
            {"code": code},
            {
                "name": name,
                "clause_id": clause_ids.get((regulation_code, clause_code)) if regulation_code else None,
                "amount": amount,
                "unit": unit,
                "roll_over_holidays": roll,
                "verified": verified,
                "notes": notes,
            },
            update,
            existing_rules,
            report,
            "deadline rules",
        )

    existing_days = {(d.date,): d for d in WorkCalendarDay.objects.all()}
    for day, kind, name, verified in calendar_rows():
        _upsert(
            WorkCalendarDay,
            {"date": day},
            {"kind": kind, "name": name, "verified": verified},
            update,
            existing_days,
            report,
            "calendar days",
        )
    return report
