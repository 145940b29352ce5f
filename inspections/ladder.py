"""The escalation ladder as shipped data, its idempotent loader, and the colour an item shows.

The loader adds missing steps only (by `code`), so an admin's edits survive every migrate; it runs after
each migrate (and after a test flush), like the registry's reference data. When it writes, the items'
next due days are re-planned.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import models

from .models import Action, Colour, EscalationStep, Level, Recipient

# code, name, offset from the deadline in days, level, colour, recipients, action (DOMAIN.md, Inspections).
DEFAULT_STEPS: list[tuple[str, str, int, str, str, list[str], str]] = [
    ("green", "绿色提醒", -20, Level.REMINDER, Colour.GREEN, [Recipient.HANDLER], Action.NOTIFY),
    (
        "yellow",
        "黄色预警",
        -10,
        Level.WARNING,
        Colour.YELLOW,
        [Recipient.HANDLER, Recipient.SUPERVISING_LEADER],
        Action.NOTIFY,
    ),
    (
        "red",
        "红色督办",
        1,
        Level.SUPERVISION,
        Colour.RED,
        [Recipient.PARTY_SECRETARY, Recipient.DISCIPLINE_OFFICE, Recipient.HANDLER],
        Action.NOTIFY,
    ),
    (
        "notice",
        "逾期通报",
        15,
        Level.NOTICE,
        Colour.RED,
        [Recipient.PARTY_SECRETARY, Recipient.DISCIPLINE_OFFICE, Recipient.APPROVER, Recipient.HANDLER],
        Action.NOTIFY,
    ),
    (
        "accountability",
        "问责线索",
        30,
        Level.ACCOUNTABILITY,
        Colour.RED,
        [Recipient.DISCIPLINE_OFFICE, Recipient.SUPERVISING_LEADER],
        Action.OPEN_CASE,
    ),
]


def load_escalation_ladder(*, update: bool = False) -> int:
    """Add the shipped steps that are missing (or, with update, overwrite them); returns rows written."""
    existing = {step.code: step for step in EscalationStep.objects.all()}
    written = 0
    for code, name, offset, level, colour, recipients, action in DEFAULT_STEPS:
        values: dict[str, Any] = {
            "name": name,
            "offset_days": offset,
            "level": str(level),
            "colour": str(colour),
            "recipients": [str(r) for r in recipients],
            "action": str(action),
        }
        step = existing.get(code)
        if step is None:
            EscalationStep.objects.create(code=code, **values)
            written += 1
        elif update and any(getattr(step, key) != value for key, value in values.items()):
            for key, value in values.items():
                setattr(step, key, value)
            step.save()
            written += 1
    if written:
        from .escalation import schedule

        schedule()
    return written


@dataclass(frozen=True)
class Rung:
    offset_days: int
    colour: str


def ladder(steps: Sequence[EscalationStep] | None = None) -> list[Rung]:
    """The active steps as (offset, colour), lowest offset first: what the colour of an item follows."""
    if steps is None:
        steps = list(EscalationStep.objects.filter(active=True).order_by("offset_days", "pk"))
    return [Rung(step.offset_days, step.colour) for step in sorted(steps, key=lambda s: s.offset_days)]


def colour_on(deadline: dt.date, today: dt.date, rungs: Sequence[Rung]) -> str:
    """The colour of the highest step due by `today` for this deadline; "" before the first one."""
    colour = ""
    for rung in rungs:
        if deadline + dt.timedelta(days=rung.offset_days) <= today:
            colour = rung.colour
    return colour


def colour_filter(colour: str, today: dt.date, rungs: Sequence[Rung], prefix: str = "") -> models.Q:
    """A Q on `deadline` matching the active items that show `colour` today ("" = no colour yet).

    Step k covers deadlines in (today − offset[k+1], today − offset[k]]: one date range per step.
    """
    q = models.Q(pk__in=[])
    bounds = [*rungs, None]
    if colour == "" and rungs:
        return models.Q(**{f"{prefix}deadline__gt": today - dt.timedelta(days=rungs[0].offset_days)})
    for rung, following in itertools.pairwise(bounds):
        assert rung is not None
        if rung.colour != colour:
            continue
        part = models.Q(**{f"{prefix}deadline__lte": today - dt.timedelta(days=rung.offset_days)})
        if following is not None:
            part &= models.Q(**{f"{prefix}deadline__gt": today - dt.timedelta(days=following.offset_days)})
        q |= part
    return q
