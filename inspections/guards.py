"""What the dates of a tour and of its rectification items must be, as reasons in the user's language.

One place for the rules, used by the actions (pages, demo, tasks) and by the models' `clean()` (the
admin): each function returns the unmet conditions, each a `FieldProblem` naming the input it is
about; empty means the dates may be saved.

- A tour's dates (进驻 ≤ 撤离 ≤ 反馈) lie within its round's year, the year before or the year after
  (a round is planned the year before and its feedback may fall early the next year); they may be
  planned ahead, so the future is allowed.
- A rectification deadline falls on or after the tour's feedback date and at most
  `RECTIFICATION_HORIZON_YEARS` after it; without a feedback date, from today to the same horizon. A
  deadline long past (1999-01-01, a typo) would otherwise escalate at once to an accountability clue.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from accountability.validation import EARLIEST_DATE, LATEST_YEAR, add_years, date_problems, number_problems

if TYPE_CHECKING:
    from .models import Assignment, InspectionRound

RECTIFICATION_HORIZON_YEARS = 2
Bound = tuple[dt.date | None, str]


def _window(round_: InspectionRound) -> tuple[list[Bound], list[Bound]]:
    """The days a tour of the round can fall on: the round's year, the year before and the year after
    (no window for an implausible year, which `round_problems` reports)."""
    if not EARLIEST_DATE.year < (round_.year or 0) < LATEST_YEAR:
        return [], []
    return (
        [(dt.date(round_.year - 1, 1, 1), _("the first day of the year before the round"))],
        [(dt.date(round_.year + 1, 12, 31), _("the last day of the year after the round"))],
    )


def round_problems(round_: InspectionRound) -> list[str]:
    """A round's year is plausible, its dates lie in its window, and it ends after it starts."""
    problems = number_problems(
        round_.year,
        field="year",
        label=_("The year of the round"),
        lowest=EARLIEST_DATE.year + 1,
        highest=LATEST_YEAR - 1,
    )
    window, window_end = _window(round_)
    problems += date_problems(
        round_.starts_on,
        field="starts_on",
        label=_("the start date"),
        not_before=window,
        not_after=window_end,
    )
    problems += date_problems(
        round_.ends_on,
        field="ends_on",
        label=_("the end date"),
        not_before=[*window, (round_.starts_on, _("the start date"))],
        not_after=window_end,
    )
    return problems


def assignment_problems(assignment: Assignment) -> list[str]:
    """进驻 ≤ 撤离 ≤ 反馈, each within the round's window."""
    window, window_end = _window(assignment.team.round)
    stationed, withdrawn = _("the date the team was stationed"), _("the date the team withdrew")
    problems = date_problems(
        assignment.stationed_on,
        field="stationed_on",
        label=stationed,
        not_before=window,
        not_after=window_end,
    )
    problems += date_problems(
        assignment.withdrawn_on,
        field="withdrawn_on",
        label=withdrawn,
        not_before=[*window, (assignment.stationed_on, stationed)],
        not_after=window_end,
    )
    problems += date_problems(
        assignment.feedback_on,
        field="feedback_on",
        label=_("the feedback date"),
        not_before=[
            *window,
            (assignment.withdrawn_on, withdrawn)
            if assignment.withdrawn_on
            else (assignment.stationed_on, stationed),
        ],
        not_after=window_end,
    )
    return problems


def deadline_problems(deadline: dt.date | None, assignment: Assignment, today: dt.date) -> list[str]:
    """A rectification deadline: after the tour's feedback (or today) and within the horizon."""
    label = _("the rectification deadline")
    years = {"years": RECTIFICATION_HORIZON_YEARS}
    if assignment.feedback_on is not None:
        start, start_label = assignment.feedback_on, _("the feedback date")
        horizon_label = _("%(years)d years after the feedback date") % years
    else:
        start, start_label = today, _("today")
        horizon_label = _("%(years)d years from today") % years
    return date_problems(
        deadline,
        field="deadline",
        label=label,
        not_before=[(start, start_label)],
        not_after=[(add_years(start, RECTIFICATION_HORIZON_YEARS), horizon_label)],
    )
