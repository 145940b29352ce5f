"""The legal periods of a petition (2022 信访工作条例), computed from DeadlineRule on the work calendar.

Every period is a DeadlineRule row (calendar days that roll over to the next working day when they end on
a rest day), looked up by code:

| state the office is in | what it owes               | rule                       | from            |
|------------------------|----------------------------|----------------------------|-----------------|
| registered             | decide whether to accept   | petition_acceptance (15)   | received_on     |
| accepted               | hand over for handling     | petition_registration (15) | received_on     |
| handling               | conclude                   | petition_conclusion (60)   | decided_on      |
|                        |   + one approved extension | petition_extension (≤30)   |                 |
| review_requested       | issue the review opinion   | petition_review_decision   | review request  |
| rereview_requested     | issue the re-review opinion| petition_rereview_decision | re-review request |

The petitioner's own windows (asking for review or re-review within 30 days of receiving the written
reply) are guards on the requests, not obligations of the office, so they never make a petition overdue.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registry.models import DeadlineRule
from registry.workcalendar import days_left

from .models import Petition, PetitionState

ACCEPTANCE = "petition_acceptance"
REGISTRATION = "petition_registration"
CONCLUSION = "petition_conclusion"
EXTENSION = "petition_extension"
REVIEW_REQUEST = "petition_review_request"
REVIEW_DECISION = "petition_review_decision"
REREVIEW_REQUEST = "petition_rereview_request"
REREVIEW_DECISION = "petition_rereview_decision"

RULE_CODES = (
    ACCEPTANCE,
    REGISTRATION,
    CONCLUSION,
    EXTENSION,
    REVIEW_REQUEST,
    REVIEW_DECISION,
    REREVIEW_REQUEST,
    REREVIEW_DECISION,
)

DEADLINE_LABELS = {
    ACCEPTANCE: _("Decide on acceptance by"),
    REGISTRATION: _("Hand over for handling by"),
    CONCLUSION: _("Conclude by"),
    REVIEW_REQUEST: _("Petitioner may ask for a review until"),
    REVIEW_DECISION: _("Review opinion due"),
    REREVIEW_REQUEST: _("Petitioner may ask for a re-review until"),
    REREVIEW_DECISION: _("Re-review opinion due"),
}

# The rule that governs each state in which the office owes the next step.
STATE_RULES = {
    PetitionState.REGISTERED: ACCEPTANCE,
    PetitionState.ACCEPTED: REGISTRATION,
    PetitionState.HANDLING: CONCLUSION,
    PetitionState.REVIEW_REQUESTED: REVIEW_DECISION,
    PetitionState.REREVIEW_REQUESTED: REREVIEW_DECISION,
}


def today() -> dt.date:
    return timezone.localdate()


def rules() -> dict[str, DeadlineRule]:
    """The petition rules, in one query."""
    return {rule.code: rule for rule in DeadlineRule.objects.filter(code__in=RULE_CODES)}


def rule(code: str) -> DeadlineRule:
    return DeadlineRule.objects.get(code=code)


def _start(petition: Petition, code: str) -> dt.date | None:
    return {
        ACCEPTANCE: petition.received_on,
        REGISTRATION: petition.received_on,
        # Conclusion counts from acceptance; a petition not accepted has no conclusion period.
        CONCLUSION: None if petition.state == PetitionState.NOT_ACCEPTED else petition.decided_on,
        REVIEW_REQUEST: petition.reply_received_on,
        REVIEW_DECISION: petition.review_requested_on,
        REREVIEW_REQUEST: petition.review_reply_received_on,
        REREVIEW_DECISION: petition.rereview_requested_on,
    }.get(code)


def due_date(petition: Petition, code: str, known: dict[str, DeadlineRule] | None = None) -> dt.date | None:
    """The last day of the period `code` for this petition, or None while its start is unknown."""
    start = _start(petition, code)
    if start is None:
        return None
    deadline_rule = (known or {}).get(code) or rule(code)
    extra = petition.extension_days if code == CONCLUSION else 0
    return deadline_rule.due_date(start, extra=extra)


def next_deadline(
    petition: Petition, known: dict[str, DeadlineRule] | None = None
) -> tuple[str, dt.date | None]:
    """The deadline of the office's next step in the current state: (rule code, due date)."""
    code = STATE_RULES.get(PetitionState(petition.state))
    if code is None:
        return "", None
    return code, due_date(petition, code, known)


def max_extension_days(known: dict[str, DeadlineRule] | None = None) -> int:
    return ((known or {}).get(EXTENSION) or rule(EXTENSION)).amount


@dataclass(frozen=True)
class Deadline:
    code: str
    label: str
    due: dt.date
    done_on: dt.date | None
    days_left: int
    current: bool

    @property
    def overdue(self) -> bool:
        return self.current and self.days_left < 0

    @property
    def overdue_days(self) -> int:
        return -self.days_left

    @property
    def late(self) -> bool:
        """The step was done, but after the deadline."""
        return self.done_on is not None and self.done_on > self.due


def deadlines_for_display(petition: Petition, on: dt.date | None = None) -> list[Deadline]:
    """Every period that applies to the petition so far, with days left and whether it was met."""
    on = on or today()
    known = rules()
    done = {
        ACCEPTANCE: petition.decided_on,
        REGISTRATION: petition.handling_started_on,
        CONCLUSION: petition.concluded_on,
        REVIEW_REQUEST: petition.review_requested_on,
        REVIEW_DECISION: petition.review_decided_on,
        REREVIEW_REQUEST: petition.rereview_requested_on,
        REREVIEW_DECISION: petition.rereview_decided_on,
    }
    current_code = STATE_RULES.get(PetitionState(petition.state))
    shown: list[Deadline] = []
    for code in DEADLINE_LABELS:
        if code not in known:
            continue
        if code == REGISTRATION and petition.state == PetitionState.NOT_ACCEPTED:
            continue
        due = due_date(petition, code, known)
        if due is None:
            continue
        # Windows of the petitioner only matter while they are open and not yet used.
        if (
            code in (REVIEW_REQUEST, REREVIEW_REQUEST)
            and done[code] is None
            and petition.state
            not in (
                PetitionState.CONCLUDED,
                PetitionState.REVIEWED,
            )
        ):
            continue
        shown.append(
            Deadline(
                code=code,
                label=str(DEADLINE_LABELS[code]),
                due=due,
                done_on=done[code],
                days_left=days_left(due, on, working=known[code].counts_working_days),
                current=code == current_code,
            )
        )
    return shown
