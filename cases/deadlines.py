"""The legal deadlines of a case, computed from DeadlineRule on the work calendar."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registry.models import DeadlineRule
from registry.workcalendar import days_left

from .models import Case, CaseState, DecidedForm, Form, Target

APPEAL_FILING = "appeal_filing"
APPEAL_DECISION = "appeal_decision"
ORGANISATIONAL_HANDLING = "organisational_handling"

DEADLINE_LABELS = {
    APPEAL_FILING: _("Appeal window"),
    APPEAL_DECISION: _("Appeal decision due"),
    ORGANISATIONAL_HANDLING: _("Organisational handling completed by"),
}


def today() -> dt.date:
    return timezone.localdate()


def rule(code: str) -> DeadlineRule:
    return DeadlineRule.objects.get(code=code)


def appeal_filing_due(case: Case) -> dt.date | None:
    if case.delivered_on is None:
        return None
    return rule(APPEAL_FILING).due_date(case.delivered_on)


def next_deadline(case: Case) -> tuple[str, dt.date | None]:
    """The deadline that governs the case in its current state: (rule code, due date)."""
    if case.state in (CaseState.DELIVERED, CaseState.RESPONDED):
        return APPEAL_FILING, appeal_filing_due(case)
    if case.state == CaseState.APPEALED and case.appeal_filed_on:
        return APPEAL_DECISION, rule(APPEAL_DECISION).due_date(case.appeal_filed_on)
    if case.state == CaseState.DECIDED and case.decision_date and has_organisational_handling(case):
        return ORGANISATIONAL_HANDLING, rule(ORGANISATIONAL_HANDLING).due_date(case.decision_date)
    return "", None


def has_organisational_handling(case: Case, targets: list[Target] | None = None) -> bool:
    """Whether a live organisational-handling form was decided; uses prefetched targets when given."""
    if targets is not None:
        return any(
            form.form == Form.ORGANISATIONAL_HANDLING and not form.revoked
            for target in targets
            for form in target.forms.all()
        )
    return DecidedForm.objects.filter(
        target__case=case, form=Form.ORGANISATIONAL_HANDLING, revoked=False
    ).exists()


@dataclass(frozen=True)
class Deadline:
    code: str
    label: str
    due: dt.date
    working_days: bool
    days_left: int
    current: bool

    @property
    def overdue(self) -> bool:
        return self.days_left < 0

    @property
    def overdue_days(self) -> int:
        return -self.days_left


def deadlines_for_display(
    case: Case, on: dt.date | None = None, targets: list[Target] | None = None
) -> list[Deadline]:
    """The deadlines that apply to the case so far, with days left (working days where the rule says)."""
    on = on or today()
    rules = {r.code: r for r in DeadlineRule.objects.filter(code__in=list(DEADLINE_LABELS))}
    starts: list[tuple[str, dt.date | None]] = [
        (ORGANISATIONAL_HANDLING, case.decision_date if has_organisational_handling(case, targets) else None),
        (APPEAL_FILING, case.delivered_on),
        (APPEAL_DECISION, case.appeal_filed_on),
    ]
    current_code, _due = (case.next_due_rule, case.next_due_on)
    shown: list[Deadline] = []
    for code, start in starts:
        if start is None or code not in rules:
            continue
        deadline_rule = rules[code]
        due = deadline_rule.due_date(start)
        shown.append(
            Deadline(
                code=code,
                label=str(DEADLINE_LABELS[code]),
                due=due,
                working_days=deadline_rule.counts_working_days,
                days_left=days_left(due, on, working=deadline_rule.counts_working_days),
                current=code == current_code and case.is_open,
            )
        )
    return shown
