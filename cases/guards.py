"""The guards of each transition (DOMAIN.md): what must hold before the move, as reasons in Chinese.

Each function returns the list of unmet conditions; empty means the transition may run. A condition on
one input is a `FieldProblem` naming the action's argument (which the case forms share), so the page
shows it on that field. Every date is judged in the case's own chronology: the conduct, the
investigation report and statements, the decision meeting, the decision, its delivery, the response and
the appeal each follow the one before, and none of them lies in the future.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from accountability.validation import FieldProblem, date_problems, number_problems
from registry.models import Clause

from .deadlines import appeal_filing_due, today
from .models import (
    LEADER_FORMS,
    LEADER_LEVELS,
    MEASURES_BY_FORM,
    ORGANISATION_FORMS,
    ORGANISATION_LEVELS,
    Case,
    DecidedForm,
    Form,
    Target,
)

# The most votes a decision meeting records: party committees and their standing committees are far
# smaller, and the columns (PositiveSmallIntegerField) would overflow at 32767.
MAX_VOTES = 999


def target_field(target_pk: int, name: str) -> str:
    """The name of a per-target input of the case forms (`t12_date`), which the guards' problems name."""
    return f"t{target_pk}_{name}"


def _targets(case: Case) -> list[Target]:
    return list(case.targets.select_related("org_unit", "person").order_by("pk"))


def situation_problems(case: Case, clauses: list[Clause]) -> list[str]:
    problems = []
    for clause in clauses:
        if clause.kind != Clause.Kind.SITUATION:
            problems.append(_("%(clause)s is not a situation clause.") % {"clause": clause})
        elif not clause.regulation.in_force_on(case.conduct_date):
            problems.append(
                _("%(clause)s was not in force on the conduct date %(date)s.")
                % {"clause": clause, "date": case.conduct_date.isoformat()}
            )
    return problems


def conduct_date_problems(conduct_date: dt.date | None, on: dt.date) -> list[str]:
    """When the conduct happened: it has happened (by `on`); the regulation in force then is checked
    by the action."""
    return date_problems(
        conduct_date, field="conduct_date", label=_("the conduct date"), required=True, today=on
    )


def investigation_problems(case: Case, report_date: dt.date | None) -> list[str]:
    return date_problems(
        report_date,
        field="report_date",
        label=_("the report date"),
        today=today(),
        not_before=[(case.conduct_date, _("the conduct date"))],
    )


def statement_problems(case: Case, statement_date: dt.date | None) -> list[str]:
    return date_problems(
        statement_date,
        field="statement_date",
        label=_("the statement date"),
        today=today(),
        not_before=[(case.conduct_date, _("the conduct date"))],
    )


def initiate(case: Case) -> list[str]:
    problems = []
    if not case.targets.exists():
        problems.append(_("Name at least one target (a party organisation or a party leader)."))
    situations = list(case.situations.select_related("regulation"))
    if not situations:
        problems.append(_("Cite at least one situation clause."))
    problems += situation_problems(case, situations)
    return problems


def level_problem(target: Target) -> str | None:
    if not target.responsibility:
        return _("Set the responsibility level of %(target)s.") % {"target": target.name}
    allowed = ORGANISATION_LEVELS if target.is_organisation else LEADER_LEVELS
    if target.responsibility not in allowed:
        return _("The responsibility level of %(target)s does not fit a %(kind)s.") % {
            "target": target.name,
            "kind": target.kind_label,
        }
    return None


def determine(case: Case) -> list[str]:
    problems = []
    if case.team.count() < 2:
        problems.append(_("The investigation team needs at least two people."))
    targets = _targets(case)
    if not targets:
        problems.append(_("Name at least one target (a party organisation or a party leader)."))
    for target in targets:
        problem = level_problem(target)
        if problem:
            problems.append(problem)
        if not target.statement_settled:
            problems.append(
                _("Record the statement and defence of %(target)s, or note why it was waived.")
                % {"target": target.name}
            )
    if not case.investigation_report.strip():
        problems.append(_("Write the investigation report."))
    return problems


def form_problems(target: Target, forms: list[tuple[str, str]]) -> list[str]:
    """Forms must fit the target's kind; organisational handling and sanctions need their measure."""
    problems = []
    allowed = ORGANISATION_FORMS if target.is_organisation else LEADER_FORMS
    for form, measure in forms:
        label = str(Form(form).label)
        if form not in allowed:
            problems.append(
                _("%(form)s cannot be applied to %(target)s (a %(kind)s).")
                % {"form": label, "target": target.name, "kind": target.kind_label}
            )
            continue
        measures = MEASURES_BY_FORM.get(form, ())
        if measures and measure not in measures:
            problems.append(
                _("Choose the measure of %(form)s for %(target)s.") % {"form": label, "target": target.name}
            )
        if not measures and measure:
            problems.append(_("%(form)s has no measures to choose.") % {"form": label})
    return problems


def decide(case: Case) -> list[str]:
    problems = []
    forms_by_target: dict[int, list[tuple[str, str]]] = {}
    for target_id, form, measure in DecidedForm.objects.filter(target__case=case, revoked=False).values_list(
        "target_id", "form", "measure"
    ):
        forms_by_target.setdefault(target_id, []).append((form, measure))
    targets = _targets(case)
    for target in targets:
        forms = forms_by_target.get(target.pk, [])
        if not forms and target.exemption_ground_id is None:
            problems.append(
                _("Decide at least one form of accountability for %(target)s, or record an exemption ground.")
                % {"target": target.name}
            )
        problems += form_problems(target, forms)
    on = today()
    if case.meeting_date is None:
        problems.append(FieldProblem(_("Record the date of the decision meeting."), "meeting_date"))
    # The meeting decides on the investigation's findings: it follows the report and every statement.
    after_findings = [
        (case.conduct_date, _("the conduct date")),
        (case.report_date, _("the date of the investigation report")),
    ] + [
        (target.statement_date, _("the statement date of %(target)s") % {"target": target.name})
        for target in targets
    ]
    problems += date_problems(
        case.meeting_date,
        field="meeting_date",
        label=_("the date of the decision meeting"),
        today=on,
        not_before=after_findings,
    )
    if not case.meeting_attendees.strip():
        problems.append(FieldProblem(_("Record who attended the decision meeting."), "meeting_attendees"))
    votes = {
        "votes_for": (case.votes_for, _("Votes for")),
        "votes_against": (case.votes_against, _("Votes against")),
        "votes_abstaining": (case.votes_abstaining, _("Abstentions")),
    }
    out_of_range = [
        problem
        for name, (value, label) in votes.items()
        for problem in number_problems(value, field=name, label=str(label), lowest=0, highest=MAX_VOTES)
    ]
    problems += out_of_range
    if case.votes_for is None or case.votes_against is None or case.votes_abstaining is None:
        problems.append(_("Record the vote of the decision meeting (for, against, abstaining)."))
    elif not out_of_range and case.votes_for <= case.votes_against:
        problems.append(
            _("The decision meeting did not carry the decision: more votes for than against are needed.")
        )
    if case.decision_date is None:
        problems.append(FieldProblem(_("Record the decision date."), "decision_date"))
    problems += date_problems(
        case.decision_date,
        field="decision_date",
        label=_("the decision date"),
        today=on,
        not_before=[(case.meeting_date, _("the date of the decision meeting"))],
    )
    return problems


def deliver(case: Case) -> list[str]:
    problems: list[str] = []
    if case.delivered_on is None:
        problems.append(FieldProblem(_("Record the delivery date."), "delivered_on"))
    problems += date_problems(
        case.delivered_on,
        field="delivered_on",
        label=_("the delivery date"),
        today=today(),
        not_before=[(case.decision_date, _("the decision date"))],
    )
    if not case.decision_document_no.strip():
        problems.append(FieldProblem(_("Record the decision document number."), "document_no"))
    return problems


def record_response(case: Case) -> list[str]:
    problems = []
    sanctioned = set(
        DecidedForm.objects.filter(target__case=case, revoked=False).values_list("target_id", flat=True)
    )
    on = today()
    for target in _targets(case):
        problems += date_problems(
            target.response_date,
            field=target_field(target.pk, "date"),
            label=_("the response date of %(target)s") % {"target": target.name},
            today=on,
            not_before=[(case.delivered_on, _("the delivery date"))],
        )
        if target.response_accepts is None:
            problems.append(_("Record whether %(target)s accepts or objects.") % {"target": target.name})
        if not target.response_text.strip():
            problems.append(_("Record the response of %(target)s.") % {"target": target.name})
        if target.pk in sanctioned and not target.self_criticism_received:
            problems.append(
                _("Record that the written self-criticism of %(target)s was received.")
                % {"target": target.name}
            )
    return problems


def file_appeal(case: Case) -> list[str]:
    problems = []
    if case.appellant_id is None:
        problems.append(_("Choose which target appeals."))
    if not case.appeal_grounds.strip():
        problems.append(_("Record the grounds of appeal."))
    if case.appeal_filed_on is None:
        problems.append(FieldProblem(_("Record the date the appeal was filed."), "filed_on"))
        return problems
    dates = date_problems(
        case.appeal_filed_on,
        field="filed_on",
        label=_("the filing date of the appeal"),
        today=today(),
        not_before=[(case.delivered_on, _("the delivery date"))],
    )
    due = appeal_filing_due(case) if not dates else None
    if due is not None and case.appeal_filed_on > due:
        dates.append(
            FieldProblem(
                _("The appeal was filed on %(filed)s, after the appeal window closed on %(due)s.")
                % {"filed": case.appeal_filed_on.isoformat(), "due": due.isoformat()},
                "filed_on",
            )
        )
    return problems + dates


def decide_appeal(case: Case) -> list[str]:
    problems = []
    if not case.appeal_outcome:
        problems.append(_("Choose the outcome of the appeal."))
    if case.appeal_decided_on is None:
        problems.append(FieldProblem(_("Record the date of the appeal decision."), "decided_on"))
    problems += date_problems(
        case.appeal_decided_on,
        field="decided_on",
        label=_("the date of the appeal decision"),
        today=today(),
        not_before=[(case.appeal_filed_on, _("the filing date of the appeal"))],
    )
    if not case.appeal_decision.strip():
        problems.append(_("Write the appeal decision."))
    return problems


def close(case: Case, on: dt.date | None = None) -> list[str]:
    due = appeal_filing_due(case)
    if due is None:
        return [_("The decision has not been delivered.")]
    if (on or today()) <= due:
        return [
            _("The appeal window is open until %(due)s; the case can be closed after that.")
            % {"due": due.isoformat()}
        ]
    return []


def dismiss(case: Case) -> list[str]:
    problems = []
    if case.dismissal_ground is None:
        problems.append(_("Cite the ground for no or exempted accountability (Article 17)."))
    elif case.dismissal_ground.kind != Clause.Kind.EXEMPTION:
        problems.append(_("The ground must be a clause on no or exempted accountability."))
    if not case.end_reason.strip():
        problems.append(_("Explain the reason."))
    return problems


def withdraw(case: Case) -> list[str]:
    return [] if case.end_reason.strip() else [_("Explain why the clue is not taken up.")]


GUARDS = {
    "initiate": initiate,
    "determine": determine,
    "decide": decide,
    "deliver": deliver,
    "record_response": record_response,
    "file_appeal": file_appeal,
    "decide_appeal": decide_appeal,
    "close": close,
    "dismiss": dismiss,
    "withdraw": withdraw,
}
