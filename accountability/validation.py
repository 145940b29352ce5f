"""The input rules the three apps share: problems that name their field, dates judged in their context.

Actions refuse bad input with a list of messages in the user's language (CaseActionError,
InspectionActionError, PetitionActionError). A message about one input is a `FieldProblem`: a plain
string wherever messages are joined, logged or compared, which also carries the name of the action's
argument it is about. The forms name their fields after those arguments, so `show_problems` puts each
message next to the field the user must correct, and the rest above the form.

The rules live in each app's guards and actions, not in the forms, so that the admin, imports and
Celery tasks meet them too; `date_problems` is the one way they judge a date: required or not, never
before `EARLIEST_DATE` (a typo such as 0202 for 2020, and the floor that keeps date arithmetic in
range), not in the future where the event has happened, and not before (or after) the dates of its
context, each named in the message.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from .chinese import chinese_date

# The founding of the People's Republic: no date of this system's records can fall before it.
EARLIEST_DATE = dt.date(1949, 10, 1)
# The last year any form accepts (statistics, filters, planned dates): far enough, and well inside what
# the database and Python's date arithmetic can hold.
LATEST_YEAR = 2100
LATEST_DATE = dt.date(LATEST_YEAR, 12, 31)


class FieldProblem(str):
    """A message about one input: still a `str`, with the name of the field it concerns."""

    field: str | None

    def __new__(cls, message: str, field: str | None = None) -> FieldProblem:
        problem = super().__new__(cls, message)
        problem.field = field
        return problem


def from_validation_error(error: ValidationError) -> list[str]:
    """A model's `clean()` error as action problems, each on the field the model named."""
    if not hasattr(error, "error_dict"):
        return list(error.messages)
    problems: list[str] = []
    for field, errors in error.message_dict.items():
        target = None if field == "__all__" else field
        problems += [FieldProblem(message, target) for message in errors]
    return problems


def to_validation_error(problems: Sequence[str]) -> ValidationError:
    """Action problems as a model's `clean()` error, for the admin's forms."""
    by_field: dict[str, list[str]] = {}
    for problem in problems:
        by_field.setdefault(getattr(problem, "field", None) or "__all__", []).append(str(problem))
    return ValidationError(by_field)


def show_problems(form: Any, messages: Iterable[str]) -> None:
    """Show an action's refusal on the form: each problem on its field when the form has it."""
    for message in messages:
        field = getattr(message, "field", None)
        form.add_error(field if field in form.fields else None, str(message))


def add_years(day: dt.date, years: int) -> dt.date:
    """The same day `years` later (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def date_problems(
    day: dt.date | None,
    *,
    field: str,
    label: str,
    required: bool = False,
    today: dt.date | None = None,
    not_before: Sequence[tuple[dt.date | None, str]] = (),
    not_after: Sequence[tuple[dt.date | None, str]] = (),
) -> list[str]:
    """What is wrong with a date entered as `label`, in its context.

    `today`: the event has happened, so the date cannot be later. `not_before` and `not_after`: the dates
    it follows or precedes, with what they are (a bound that is None is not known yet and not checked).
    """
    if day is None:
        return [FieldProblem(_("Enter %(what)s.") % {"what": label}, field)] if required else []
    what = capfirst(label)
    if day < EARLIEST_DATE or day > LATEST_DATE:
        return [
            FieldProblem(
                _("%(what)s (%(day)s) is not a plausible date: enter one from %(earliest)s to %(latest)s.")
                % {
                    "what": what,
                    "day": chinese_date(day),
                    "earliest": chinese_date(EARLIEST_DATE),
                    "latest": chinese_date(LATEST_DATE),
                },
                field,
            )
        ]
    problems: list[str] = []
    if today is not None and day > today:
        problems.append(FieldProblem(_("%(what)s cannot be in the future.") % {"what": what}, field))
    for bound, bound_label in not_before:
        if bound is not None and day < bound:
            problems.append(
                FieldProblem(
                    _("%(what)s (%(day)s) cannot be before %(other)s (%(other_day)s).")
                    % {
                        "what": what,
                        "day": chinese_date(day),
                        "other": bound_label,
                        "other_day": chinese_date(bound),
                    },
                    field,
                )
            )
    for bound, bound_label in not_after:
        if bound is not None and day > bound:
            problems.append(
                FieldProblem(
                    _("%(what)s (%(day)s) cannot be after %(other)s (%(other_day)s).")
                    % {
                        "what": what,
                        "day": chinese_date(day),
                        "other": bound_label,
                        "other_day": chinese_date(bound),
                    },
                    field,
                )
            )
    return problems


def number_problems(value: int | None, *, field: str, label: str, lowest: int, highest: int) -> list[str]:
    """A whole number entered as `label` must lie between `lowest` and `highest` (both included)."""
    if value is None or lowest <= value <= highest:
        return []
    return [
        FieldProblem(
            _("%(what)s must be between %(lowest)d and %(highest)d.")
            % {"what": capfirst(label), "lowest": lowest, "highest": highest},
            field,
        )
    ]
