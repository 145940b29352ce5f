"""What must hold before each step of a petition, as reasons in the user's language.

Each guard returns the list of unmet conditions; empty means the step may run. The actions set the new
values on the petition first, then ask the guard, so nothing is saved when a guard refuses. A problem
with a date names the step's argument (`FieldProblem`), which the step's form shares.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from accountability.chinese import chinese_date
from accountability.validation import FieldProblem, date_problems

from . import deadlines
from .models import Outcome, Petition, PetitionHandler, ReviewOutcome


def _date_problems(
    day: dt.date | None,
    label: str,
    *,
    field: str,
    after: dt.date | None,
    after_label: str,
    today: dt.date,
) -> list[str]:
    """A step's date: entered, not in the future, not before the step it follows."""
    return date_problems(
        day, field=field, label=label, required=True, today=today, not_before=[(after, after_label)]
    )


def accept(petition: Petition, today: dt.date) -> list[str]:
    return _date_problems(
        petition.decided_on,
        _("the date of the acceptance decision"),
        field="decided_on",
        after=petition.received_on,
        after_label=_("the date the petition was received"),
        today=today,
    )


def reject(petition: Petition, today: dt.date) -> list[str]:
    problems = accept(petition, today)
    if not petition.acceptance_note.strip():
        problems.append(_("Give the reason for not accepting the petition."))
    return problems


def start_handling(petition: Petition, today: dt.date) -> list[str]:
    problems = _date_problems(
        petition.handling_started_on,
        _("the date handling started"),
        field="started_on",
        after=petition.decided_on,
        after_label=_("the date of the acceptance decision"),
        today=today,
    )
    if not PetitionHandler.objects.filter(petition=petition).exists():
        problems.append(_("Assign at least one handler."))
    return problems


def conclude(petition: Petition, today: dt.date) -> list[str]:
    problems = _date_problems(
        petition.concluded_on,
        _("the conclusion date"),
        field="concluded_on",
        after=petition.handling_started_on,
        after_label=_("the date handling started"),
        today=today,
    )
    if petition.outcome not in Outcome.values:
        problems.append(_("Choose the outcome of the handling opinion."))
    if not petition.opinion.strip():
        problems.append(_("Write the handling opinion."))
    problems += _date_problems(
        petition.reply_received_on,
        _("the date the petitioner received the written reply"),
        field="reply_received_on",
        after=petition.concluded_on,
        after_label=_("the conclusion date"),
        today=today,
    )
    return problems


def _request_window(
    requested_on: dt.date | None, window_code: str, petition: Petition, what: str
) -> list[str]:
    if requested_on is None:
        return []
    due = deadlines.due_date(petition, window_code)
    if due is not None and requested_on > due:
        return [
            FieldProblem(
                _("The %(what)s was requested on %(day)s, after the 30-day window closed on %(due)s.")
                % {"what": what, "day": chinese_date(requested_on), "due": chinese_date(due)},
                "requested_on",
            )
        ]
    return []


def request_review(petition: Petition, today: dt.date) -> list[str]:
    problems = _date_problems(
        petition.review_requested_on,
        _("the date the review was requested"),
        field="requested_on",
        after=petition.reply_received_on,
        after_label=_("the date the petitioner received the written reply"),
        today=today,
    )
    problems += _request_window(petition.review_requested_on, deadlines.REVIEW_REQUEST, petition, _("review"))
    if petition.review_unit_id is None:
        problems.append(_("Choose the body that reviews (the next level up)."))
    if not petition.review_grounds.strip():
        problems.append(_("Record the petitioner's grounds for the review."))
    return problems


def decide_review(petition: Petition, today: dt.date) -> list[str]:
    problems = _date_problems(
        petition.review_decided_on,
        _("the date of the review opinion"),
        field="decided_on",
        after=petition.review_requested_on,
        after_label=_("the date the review was requested"),
        today=today,
    )
    if petition.review_outcome not in ReviewOutcome.values:
        problems.append(_("Choose the outcome of the review."))
    if not petition.review_opinion.strip():
        problems.append(_("Write the review opinion."))
    problems += _date_problems(
        petition.review_reply_received_on,
        _("the date the petitioner received the review opinion"),
        field="reply_received_on",
        after=petition.review_decided_on,
        after_label=_("the date of the review opinion"),
        today=today,
    )
    return problems


def request_rereview(petition: Petition, today: dt.date) -> list[str]:
    problems = _date_problems(
        petition.rereview_requested_on,
        _("the date the re-review was requested"),
        field="requested_on",
        after=petition.review_reply_received_on,
        after_label=_("the date the petitioner received the review opinion"),
        today=today,
    )
    problems += _request_window(
        petition.rereview_requested_on, deadlines.REREVIEW_REQUEST, petition, _("re-review")
    )
    if petition.rereview_unit_id is None:
        problems.append(_("Choose the body that re-reviews (the next level up from the reviewing body)."))
    if not petition.rereview_grounds.strip():
        problems.append(_("Record the petitioner's grounds for the re-review."))
    return problems


def decide_rereview(petition: Petition, today: dt.date) -> list[str]:
    problems = _date_problems(
        petition.rereview_decided_on,
        _("the date of the re-review opinion"),
        field="decided_on",
        after=petition.rereview_requested_on,
        after_label=_("the date the re-review was requested"),
        today=today,
    )
    if petition.rereview_outcome not in ReviewOutcome.values:
        problems.append(_("Choose the outcome of the re-review."))
    if not petition.rereview_opinion.strip():
        problems.append(_("Write the re-review opinion."))
    return problems


def withdraw(petition: Petition, today: dt.date) -> list[str]:
    return [] if petition.end_reason.strip() else [_("Explain why the petition is withdrawn.")]


GUARDS = {
    "accept": accept,
    "reject": reject,
    "start_handling": start_handling,
    "conclude": conclude,
    "request_review": request_review,
    "decide_review": decide_review,
    "request_rereview": request_rereview,
    "decide_rereview": decide_rereview,
    "withdraw": withdraw,
}
