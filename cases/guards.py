"""The guards of each transition (DOMAIN.md): what must hold before the move, as reasons in Chinese.

Each function returns the list of unmet conditions; empty means the transition may run.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from accountability.models import Clause

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
    for target in _targets(case):
        forms = forms_by_target.get(target.pk, [])
        if not forms and target.exemption_ground_id is None:
            problems.append(
                _("Decide at least one form of accountability for %(target)s, or record an exemption ground.")
                % {"target": target.name}
            )
        problems += form_problems(target, forms)
    if case.meeting_date is None:
        problems.append(_("Record the date of the decision meeting."))
    if not case.meeting_attendees.strip():
        problems.append(_("Record who attended the decision meeting."))
    if case.votes_for is None or case.votes_against is None or case.votes_abstaining is None:
        problems.append(_("Record the vote of the decision meeting (for, against, abstaining)."))
    elif case.votes_for <= case.votes_against:
        problems.append(
            _("The decision meeting did not carry the decision: more votes for than against are needed.")
        )
    if case.decision_date is None:
        problems.append(_("Record the decision date."))
    elif case.decision_date > today():
        problems.append(_("The decision date cannot be in the future."))
    elif case.meeting_date and case.decision_date < case.meeting_date:
        problems.append(_("The decision date cannot be before the decision meeting."))
    return problems


def deliver(case: Case) -> list[str]:
    problems = []
    if case.delivered_on is None:
        problems.append(_("Record the delivery date."))
    elif case.decision_date and case.delivered_on < case.decision_date:
        problems.append(_("The delivery date cannot be before the decision date."))
    elif case.delivered_on > today():
        problems.append(_("The delivery date cannot be in the future."))
    if not case.decision_document_no.strip():
        problems.append(_("Record the decision document number."))
    return problems


def record_response(case: Case) -> list[str]:
    problems = []
    sanctioned = set(
        DecidedForm.objects.filter(target__case=case, revoked=False).values_list("target_id", flat=True)
    )
    for target in _targets(case):
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
        problems.append(_("Record the date the appeal was filed."))
    else:
        due = appeal_filing_due(case)
        if due is not None and case.appeal_filed_on > due:
            problems.append(
                _("The appeal was filed on %(filed)s, after the appeal window closed on %(due)s.")
                % {"filed": case.appeal_filed_on.isoformat(), "due": due.isoformat()}
            )
        if case.delivered_on and case.appeal_filed_on < case.delivered_on:
            problems.append(_("An appeal cannot be filed before the decision was delivered."))
        if case.appeal_filed_on > today():
            problems.append(_("The filing date cannot be in the future."))
    return problems


def decide_appeal(case: Case) -> list[str]:
    problems = []
    if not case.appeal_outcome:
        problems.append(_("Choose the outcome of the appeal."))
    if case.appeal_decided_on is None:
        problems.append(_("Record the date of the appeal decision."))
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
