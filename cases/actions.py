"""Every change to a case happens here: atomic, audited, notifying whoever must act next on commit.

Views, the admin, imports and Celery tasks call these functions; nothing else sets `Case.state`. The
transitions run through the shared kernel (`kernel.workflow`, configured by `WORKFLOW` below); this module
keeps what is the case's own: what each action writes besides the move, and who is told.
Errors are raised as CaseActionError (with Chinese messages), CaseConflictError when someone else moved
the case first, and CasePermissionError when the user may not act.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from accountability import roles
from accountability.grants import sync_object_permissions
from accountability.models import AccessCause, AccessChange
from accountability.notifications import notify
from accountability.numbering import next_number
from accountability.validation import FieldProblem
from kernel.workflow import ActionError, ActionPermissionError, ConflictError, Wording, Workflow
from registry.jurisdiction import profile_unit
from registry.models import Clause, DeadlineRule, OrgUnit, Person, Regulation, regulation_in_force

from . import guards
from .access import can_see, case_grants, in_jurisdiction
from .deadlines import next_deadline, today
from .models import (
    CASE_NUMBER_KIND,
    IMPACT_RULES,
    Attachment,
    Case,
    CaseNamedUser,
    CaseSource,
    CaseState,
    CaseTransition,
    CaseUserObjectPermission,
    DecidedForm,
    InvestigationTeamMember,
    Target,
    form_flags_of,
)
from .uploads import validate_upload


class CaseActionError(ActionError):
    """The action on a case was refused; `messages` say why."""


class CaseConflictError(CaseActionError, ConflictError):
    """Someone else changed the case's state between loading and acting."""


class CasePermissionError(CaseActionError, ActionPermissionError):
    pass


EDITABLE_STATES = (CaseState.DRAFT, CaseState.INITIATED)
INVESTIGATION_STATES = (CaseState.INITIATED,)


def _case_url(case: Case) -> str:
    return reverse("cases:detail", args=[case.pk])


def approvers_for(case: Case) -> list[User]:
    """Approvers who can see the case: named on it, or (if not confidential) with it in their jurisdiction."""
    approvers = User.objects.filter(groups__name=roles.APPROVER, is_active=True).distinct()
    return [user for user in approvers if can_see(user, case)]


def _notify_next(case: Case) -> None:
    url = _case_url(case)
    number = case.number
    if case.state in (CaseState.DRAFT, CaseState.DETERMINED, CaseState.APPEALED):
        messages = {
            CaseState.DRAFT: _("New clue %(number)s awaits your approval to start an investigation"),
            CaseState.DETERMINED: _("Case %(number)s awaits your decision"),
            CaseState.APPEALED: _("An appeal on case %(number)s awaits your decision"),
        }
        notify(approvers_for(case), title=messages[case.state] % {"number": number}, body=case.title, url=url)
        return
    messages = {
        CaseState.INITIATED: _("Investigation of case %(number)s has been approved"),
        CaseState.DECIDED: _("Case %(number)s is decided: deliver the decision"),
        CaseState.DELIVERED: _("Case %(number)s is delivered: record the response"),
        CaseState.RESPONDED: _("Case %(number)s: close it when the appeal window has passed"),
        CaseState.CLOSED: _("Case %(number)s is closed"),
        CaseState.DISMISSED: _("Case %(number)s ended without accountability"),
        CaseState.WITHDRAWN: _("Clue %(number)s was not taken up"),
    }
    recipients = [case.lead_officer] if case.lead_officer else []
    notify(recipients, title=messages[CaseState(case.state)] % {"number": number}, body=case.title, url=url)


def _refresh_next_deadline(case: Case) -> list[str]:
    code, due = next_deadline(case)
    case.next_due_rule, case.next_due_on = code, due
    return ["next_due_rule", "next_due_on"]


WORKFLOW = Workflow(
    Case,
    states=CaseState,
    error=CaseActionError,
    conflict=CaseConflictError,
    forbidden=CasePermissionError,
    wording=Wording(
        conflict=gettext_lazy(
            "Someone else has just acted on this case (it is now “%(state)s”). Your action was not carried "
            "out and nothing was lost; check the case and try again."
        ),
        wrong_state=gettext_lazy("This cannot be done while the case is “%(state)s”."),
        role=gettext_lazy("Your role may not do this."),
        hidden=gettext_lazy("You may not act on this case."),
    ),
    can_see=can_see,
    guards=guards.GUARDS,
    audit=CaseTransition,
    audit_key="case",
    notify=lambda case, by: _notify_next(case),
    refresh=_refresh_next_deadline,
)


# --- Creating and editing -------------------------------------------------------------------------


@dataclass
class TargetSpec:
    org_unit: OrgUnit | None = None
    person: Person | None = None
    responsibility: str = ""


@dataclass
class CaseData:
    title: str
    source: str
    summary: str
    conduct_date: dt.date
    unit: OrgUnit
    lead_officer: User | None = None
    confidential: bool = False
    situations: Sequence[Clause] = ()
    targets: Sequence[TargetSpec] = ()
    named_users: Sequence[User] = field(default_factory=list)


def regulation_for(conduct_date: dt.date) -> Regulation:
    regulation = regulation_in_force(Regulation.Family.ACCOUNTABILITY, conduct_date)
    if regulation is None:
        raise CaseActionError(
            FieldProblem(
                _("No version of the Accountability Regulations was in force on %(date)s.")
                % {"date": conduct_date.isoformat()},
                "conduct_date",
            )
        )
    return regulation


def _set_targets(case: Case, targets: Sequence[TargetSpec]) -> None:
    seen: set[tuple[str, int]] = set()
    for spec in targets:
        if (spec.org_unit is None) == (spec.person is None):
            raise CaseActionError(_("Each target is either a party organisation or a party leader."))
        key = ("unit", spec.org_unit.pk) if spec.org_unit else ("person", spec.person.pk)  # type: ignore[union-attr]
        if key in seen:
            raise CaseActionError(_("The same target is named twice."))
        seen.add(key)
    case.targets.all().delete()
    bulk_create_with_history(
        [
            Target(case=case, org_unit=spec.org_unit, person=spec.person, responsibility=spec.responsibility)
            for spec in targets
        ],
        Target,
    )


def _require_jurisdiction(by: User, unit: OrgUnit) -> None:
    """Writes follow the reads: a case goes only to a unit the writer oversees."""
    if not in_jurisdiction(by, unit):
        raise CaseActionError(
            FieldProblem(
                _("%(unit)s is outside your jurisdiction: choose a unit you oversee.") % {"unit": unit.name},
                "unit",
            )
        )


def sync_case_grants(case: Case, *, by: User | None, cause: AccessCause) -> list[AccessChange]:
    """Make the case's object permissions equal what it says now (`access.case_grants`): grants what is
    due, revokes at once what no longer is, one audit row per user. Every action that changes the lead
    officer, the named users or the investigation team calls it, after the change, in its transaction."""
    return sync_object_permissions(case, CaseUserObjectPermission, case_grants(case), by=by, cause=cause)


def _set_named_users(case: Case, users: Sequence[User], by: User | None) -> None:
    """The case's named users become exactly `users` (only case officers and approving leaders)."""
    wanted = {user.pk: user for user in users}
    if wanted:
        allowed = set(
            User.objects.filter(
                pk__in=wanted, is_active=True, groups__name__in=[roles.CASE_OFFICER, roles.APPROVER]
            ).values_list("pk", flat=True)
        )
        strangers = [user for pk, user in wanted.items() if pk not in allowed]
        if strangers:
            names = "、".join(user.get_full_name() or user.username for user in strangers)
            raise CaseActionError(
                FieldProblem(
                    _("Only active case officers and approving leaders can be named on a case: %(names)s.")
                    % {"names": names},
                    "named_users",
                )
            )
    # One by one, so that the history keeps each removal (and who made it).
    for row in CaseNamedUser.objects.filter(case=case).exclude(user_id__in=wanted):
        row.delete()
    present = set(CaseNamedUser.objects.filter(case=case).values_list("user_id", flat=True))
    bulk_create_with_history(
        [
            CaseNamedUser(case=case, user=user, named_by=by)
            for pk, user in wanted.items()
            if pk not in present
        ],
        CaseNamedUser,
        default_user=by,
    )


def _set_situations(case: Case, situations: Sequence[Clause]) -> None:
    problems = guards.situation_problems(case, list(situations))
    if problems:
        raise CaseActionError(problems)
    case.situations.set(situations)


@transaction.atomic
def create_case(
    data: CaseData, *, by: User | None, now: dt.date | None = None, enforce_permission: bool = True
) -> Case:
    """Register a clue as a `draft` case with the next number of the year.

    `by` is None when the system opens the case (an overdue rectification, for instance). Other apps that
    open clues under their own rules (an inspection leader transferring a verified finding, a petition
    officer referring a failure) check their permission themselves and pass `enforce_permission=False`;
    `by` is then named on the case, so they can follow it.
    """
    if enforce_permission and by is not None and not by.has_perm("cases.add_case"):
        raise CasePermissionError(_("Your role may not register clues."))
    if enforce_permission and by is not None:
        _require_jurisdiction(by, data.unit)
    if not data.title.strip():
        raise CaseActionError(_("Give the case a title."))
    if data.source not in CaseSource.values:
        raise CaseActionError(_("Choose a valid source."))
    year = (now or today()).year
    problems = guards.conduct_date_problems(data.conduct_date, now or today())
    if problems:
        raise CaseActionError(problems)
    case = Case(
        year=year,
        sequence=next_number(CASE_NUMBER_KIND, year),
        title=data.title.strip(),
        source=data.source,
        summary=data.summary,
        conduct_date=data.conduct_date,
        regulation=regulation_for(data.conduct_date),
        unit=data.unit,
        lead_officer=data.lead_officer or (by if by and roles.has_role(by, roles.CASE_OFFICER) else None),
        confidential=data.confidential,
        created_by=by,
    )
    case.save()
    _set_situations(case, data.situations)
    _set_targets(case, data.targets)
    _set_named_users(case, data.named_users, by)
    sync_case_grants(case, by=by, cause=AccessCause.CASE_CREATED)
    WORKFLOW.record(case, "create", by=by, source="")
    _notify_next(case)
    return case


@transaction.atomic
def update_case(case: Case, data: CaseData, *, by: User, expected_state: str | None = None) -> Case:
    """Edit the clue while it is a draft or under investigation."""
    case = WORKFLOW.prepare(case, by)
    WORKFLOW.require_state(case, EDITABLE_STATES, expected_state)
    if not by.has_perm("cases.change_case", case) and not by.has_perm("cases.change_case"):
        raise CasePermissionError(_("You may not edit this case."))
    problems = guards.conduct_date_problems(data.conduct_date, today())
    if problems:
        raise CaseActionError(problems)
    if data.unit.pk != case.unit_id:
        _require_jurisdiction(by, data.unit)
    case.title = data.title.strip()
    case.source = data.source
    case.summary = data.summary
    case.conduct_date = data.conduct_date
    case.regulation = regulation_for(data.conduct_date)
    case.unit = data.unit
    case.confidential = data.confidential
    if data.lead_officer is not None:
        case.lead_officer = data.lead_officer
    case.save(
        update_fields=[
            "title",
            "source",
            "summary",
            "conduct_date",
            "regulation",
            "unit",
            "confidential",
            "lead_officer",
            "updated_at",
        ]
    )
    _set_situations(case, data.situations)
    _set_named_users(case, data.named_users, by)
    sync_case_grants(case, by=by, cause=AccessCause.CASE_EDITED)
    return case


@transaction.atomic
def set_case_targets(
    case: Case, targets: Sequence[TargetSpec], *, by: User, expected_state: str | None = None
) -> Case:
    case = WORKFLOW.prepare(case, by)
    WORKFLOW.require_state(case, (CaseState.DRAFT,), expected_state)
    _set_targets(case, targets)
    return case


@transaction.atomic
def add_target(case: Case, spec: TargetSpec, *, by: User, expected_state: str | None = None) -> Target:
    case = WORKFLOW.prepare(case, by)
    WORKFLOW.require_state(case, EDITABLE_STATES, expected_state)
    if (spec.org_unit is None) == (spec.person is None):
        raise CaseActionError(_("Each target is either a party organisation or a party leader."))
    duplicate = case.targets.filter(
        Q(org_unit=spec.org_unit) if spec.org_unit else Q(person=spec.person)
    ).exists()
    if duplicate:
        raise CaseActionError(_("The same target is named twice."))
    return Target.objects.create(
        case=case, org_unit=spec.org_unit, person=spec.person, responsibility=spec.responsibility
    )


@transaction.atomic
def remove_target(target: Target, *, by: User) -> None:
    case = target.case
    case = WORKFLOW.prepare(case, by)
    WORKFLOW.require_state(case, EDITABLE_STATES, None)
    target.delete()


@transaction.atomic
def record_investigation(
    case: Case,
    *,
    by: User,
    team: Sequence[Person],
    leader: Person | None,
    report: str,
    report_date: dt.date | None,
    expected_state: str | None = None,
) -> Case:
    """The investigation team and report, while the investigation runs."""
    WORKFLOW.require_visible(case, by)
    if not by.has_perm("cases.process_case"):
        raise CasePermissionError(_("Your role may not do this."))
    case = WORKFLOW.lock(case)
    WORKFLOW.require_state(case, INVESTIGATION_STATES, expected_state)
    if leader is not None and leader not in team:
        raise CaseActionError(_("The team leader must be a member of the team."))
    problems = guards.investigation_problems(case, report_date)
    if problems:
        raise CaseActionError(problems)
    case.team.all().delete()
    bulk_create_with_history(
        [InvestigationTeamMember(case=case, person=person, is_leader=person == leader) for person in team],
        InvestigationTeamMember,
    )
    sync_case_grants(case, by=by, cause=AccessCause.TEAM_RECORDED)
    case.investigation_report = report
    case.report_date = report_date
    case.save(update_fields=["investigation_report", "report_date", "updated_at"])
    return case


@transaction.atomic
def record_target_findings(
    target: Target,
    *,
    by: User,
    responsibility: str,
    statement: str,
    statement_date: dt.date | None,
    statement_waived: bool,
    waiver_note: str,
) -> Target:
    """A target's responsibility level and statement and defence (陈述申辩), or its waiver."""
    case = target.case
    WORKFLOW.require_visible(case, by)
    if not by.has_perm("cases.process_case"):
        raise CasePermissionError(_("Your role may not do this."))
    case = WORKFLOW.lock(case)
    WORKFLOW.require_state(case, INVESTIGATION_STATES, None)
    target.responsibility = responsibility
    problem = guards.level_problem(target) if responsibility else None
    if problem:
        raise CaseActionError(problem)
    if statement_waived and not waiver_note.strip():
        raise CaseActionError(_("Note why the statement was waived."))
    problems = guards.statement_problems(case, statement_date)
    if problems:
        raise CaseActionError(problems)
    target.statement = statement
    target.statement_date = statement_date
    target.statement_waived = statement_waived
    target.waiver_note = waiver_note
    target.save(
        update_fields=["responsibility", "statement", "statement_date", "statement_waived", "waiver_note"]
    )
    return target


# --- Transitions ------------------------------------------------------------------------------------


@transaction.atomic
def initiate_case(case: Case, *, by: User, comment: str = "", expected_state: str | None = None) -> Case:
    case = WORKFLOW.prepare(case, by, expected_state)
    return WORKFLOW.run(case, "initiate", by=by, comment=comment)


@transaction.atomic
def determine_case(case: Case, *, by: User, comment: str = "", expected_state: str | None = None) -> Case:
    case = WORKFLOW.prepare(case, by, expected_state)
    return WORKFLOW.run(case, "determine", by=by, comment=comment)


@dataclass
class TargetDecision:
    forms: Sequence[tuple[str, str]] = ()  # (form, measure or "")
    circumstances: Sequence[Clause] = ()
    exemption_ground: Clause | None = None


@dataclass
class DecisionData:
    meeting_date: dt.date | None
    meeting_attendees: str
    votes_for: int | None
    votes_against: int | None
    votes_abstaining: int | None
    decision_date: dt.date | None
    facts: str
    targets: dict[int, TargetDecision]
    # Empty: the approving leader's own unit (the body they sit in).
    decision_body: OrgUnit | None = None


def _impact_period(form: str, measure: str, start: dt.date, rules: dict[str, DeadlineRule]) -> dt.date | None:
    codes = IMPACT_RULES.get(measure, ()) if measure else IMPACT_RULES.get(form, ())
    ends = [rules[code].due_date(start) for code in codes if code in rules]
    return max(ends) if ends else None


def _write_forms(case: Case, decisions: dict[int, TargetDecision], start: dt.date | None) -> None:
    targets = {target.pk: target for target in case.targets.all()}
    unknown = set(decisions) - set(targets)
    if unknown:
        raise CaseActionError(_("A decision names a target that is not on this case."))
    impact_codes = {code for codes in IMPACT_RULES.values() for code in codes}
    rules = {rule.code: rule for rule in DeadlineRule.objects.filter(code__in=impact_codes)}
    problems: list[str] = []
    for target_id, decision in decisions.items():
        target = targets[target_id]
        problems += guards.form_problems(target, list(decision.forms))
        for clause in decision.circumstances:
            if clause.kind not in (Clause.Kind.EXEMPTION, Clause.Kind.MITIGATION, Clause.Kind.AGGRAVATION):
                problems.append(_("%(clause)s is not a circumstance clause.") % {"clause": clause})
        if decision.exemption_ground is not None and decision.exemption_ground.kind != Clause.Kind.EXEMPTION:
            problems.append(_("The exemption ground must be a clause on no or exempted accountability."))
    if problems:
        raise CaseActionError(problems)
    # Forms already decided (an appeal that modifies them) are revoked, not deleted: the record keeps
    # what was decided first.
    _revoke_forms(case)
    rows = []
    for target_id, decision in decisions.items():
        target = targets[target_id]
        target.exemption_ground = decision.exemption_ground
        target.save(update_fields=["exemption_ground"])
        target.circumstances.set(decision.circumstances)
        for form, measure in dict.fromkeys(decision.forms):
            ends = _impact_period(form, measure, start, rules) if start else None
            rows.append(
                DecidedForm(
                    target=target,
                    form=form,
                    measure=measure or "",
                    impact_starts_on=start if ends else None,
                    impact_ends_on=ends,
                )
            )
    bulk_create_with_history(rows, DecidedForm)
    case.form_flags = form_flags_of(row.form for row in rows)


def _revoke_forms(case: Case) -> None:
    forms = list(DecidedForm.objects.filter(target__case=case, revoked=False))
    for form in forms:
        form.revoked = True
    bulk_update_with_history(forms, DecidedForm, ["revoked"])
    case.form_flags = 0


@transaction.atomic
def decide_case(
    case: Case, data: DecisionData, *, by: User, comment: str = "", expected_state: str | None = None
) -> Case:
    """Record the decision meeting and each target's forms, then move to `decided`."""
    case = WORKFLOW.prepare(case, by, expected_state)
    WORKFLOW.require_role(case, "decide", by)
    WORKFLOW.require_state(case, (CaseState.DETERMINED,), None)
    _write_forms(case, data.targets, data.decision_date)
    return WORKFLOW.run(
        case,
        "decide",
        by=by,
        comment=comment,
        changes={
            "meeting_date": data.meeting_date,
            "meeting_attendees": data.meeting_attendees,
            "votes_for": data.votes_for,
            "votes_against": data.votes_against,
            "votes_abstaining": data.votes_abstaining,
            "decision_date": data.decision_date,
            "decision_facts": data.facts,
            "decision_body": data.decision_body or profile_unit(by),
        },
        fields=["form_flags"],  # set by _write_forms
    )


@transaction.atomic
def deliver_case(
    case: Case,
    *,
    by: User,
    delivered_on: dt.date | None,
    document_no: str,
    comment: str = "",
    expected_state: str | None = None,
) -> Case:
    case = WORKFLOW.prepare(case, by, expected_state)
    document_no = document_no.strip()
    if document_no and Case.objects.filter(decision_document_no=document_no).exclude(pk=case.pk).exists():
        raise CaseActionError(
            _("The decision document number %(number)s is already used.") % {"number": document_no}
        )
    return WORKFLOW.run(
        case,
        "deliver",
        by=by,
        comment=comment,
        changes={"delivered_on": delivered_on, "decision_document_no": document_no},
    )


@dataclass
class ResponseData:
    accepts: bool | None
    text: str
    self_criticism_received: bool
    response_date: dt.date | None


@transaction.atomic
def record_case_response(
    case: Case,
    responses: dict[int, ResponseData],
    *,
    by: User,
    comment: str = "",
    expected_state: str | None = None,
) -> Case:
    case = WORKFLOW.prepare(case, by, expected_state)
    WORKFLOW.require_role(case, "record_response", by)
    WORKFLOW.require_state(case, (CaseState.DELIVERED,), None)
    targets = {target.pk: target for target in case.targets.all()}
    for target_id, response in responses.items():
        target = targets.get(target_id)
        if target is None:
            raise CaseActionError(_("A response names a target that is not on this case."))
        target.response_accepts = response.accepts
        target.response_text = response.text
        target.self_criticism_received = response.self_criticism_received
        target.response_date = response.response_date
        target.save(
            update_fields=["response_accepts", "response_text", "self_criticism_received", "response_date"]
        )
    return WORKFLOW.run(case, "record_response", by=by, comment=comment)


@transaction.atomic
def file_case_appeal(
    case: Case,
    *,
    by: User,
    appellant: Target | None,
    filed_on: dt.date | None,
    grounds: str,
    comment: str = "",
    expected_state: str | None = None,
) -> Case:
    case = WORKFLOW.prepare(case, by, expected_state)
    if appellant is not None and appellant.case_id != case.pk:
        raise CaseActionError(_("The appellant must be a target of this case."))
    return WORKFLOW.run(
        case,
        "file_appeal",
        by=by,
        comment=comment,
        changes={"appellant": appellant, "appeal_filed_on": filed_on, "appeal_grounds": grounds},
    )


@transaction.atomic
def decide_case_appeal(
    case: Case,
    *,
    by: User,
    outcome: str,
    decided_on: dt.date | None,
    decision: str,
    revised: dict[int, TargetDecision] | None = None,
    comment: str = "",
    expected_state: str | None = None,
) -> Case:
    """Decide the appeal. Revoked: the forms stop having effect. Modified: the revised forms replace them."""
    case = WORKFLOW.prepare(case, by, expected_state)
    WORKFLOW.require_role(case, "decide_appeal", by)
    WORKFLOW.require_state(case, (CaseState.APPEALED,), None)
    if outcome and outcome not in Case.AppealOutcome.values:
        raise CaseActionError(_("Choose the outcome of the appeal."))
    case.appeal_outcome, case.appeal_decided_on, case.appeal_decision = outcome, decided_on, decision
    if outcome == Case.AppealOutcome.REVOKED:
        _revoke_forms(case)
    elif outcome == Case.AppealOutcome.MODIFIED:
        if not revised:
            raise CaseActionError(_("Enter the modified forms of accountability."))
        _write_forms(case, revised, case.decision_date)
    return WORKFLOW.run(
        case,
        "decide_appeal",
        by=by,
        comment=comment,
        changes={"closed_on": decided_on},
        fields=["appeal_outcome", "appeal_decided_on", "appeal_decision", "form_flags"],
    )


@transaction.atomic
def close_case(
    case: Case, *, by: User, comment: str = "", on: dt.date | None = None, expected_state: str | None = None
) -> Case:
    case = WORKFLOW.prepare(case, by, expected_state)
    return WORKFLOW.run(
        case, "close", by=by, comment=comment, changes={"closed_on": on or today()}, guard_args={"on": on}
    )


@transaction.atomic
def dismiss_case(
    case: Case, *, by: User, ground: Clause | None, reason: str, expected_state: str | None = None
) -> Case:
    case = WORKFLOW.prepare(case, by, expected_state)
    return WORKFLOW.run(
        case,
        "dismiss",
        by=by,
        comment=reason,
        changes={"dismissal_ground": ground, "end_reason": reason, "closed_on": today()},
    )


@transaction.atomic
def withdraw_case(case: Case, *, by: User, reason: str, expected_state: str | None = None) -> Case:
    case = WORKFLOW.prepare(case, by, expected_state)
    return WORKFLOW.run(
        case, "withdraw", by=by, comment=reason, changes={"end_reason": reason, "closed_on": today()}
    )


# --- Attachments -------------------------------------------------------------------------------------


@transaction.atomic
def add_attachment(case: Case, *, by: User, kind: str, upload: Any) -> Attachment:
    WORKFLOW.require_visible(case, by)
    if not (by.has_perm("cases.process_case") or by.has_perm("cases.decide_case")):
        raise CasePermissionError(_("Your role may not do this."))
    if kind not in Attachment.Kind.values:
        raise CaseActionError(_("Choose the kind of attachment."))
    problems = validate_upload(upload)
    if problems:
        raise CaseActionError(problems)
    return Attachment.objects.create(
        case=case, kind=kind, file=upload, original_name=upload.name[:200], size=upload.size, uploaded_by=by
    )


@transaction.atomic
def withdraw_attachment(attachment: Attachment, *, by: User) -> Attachment:
    """Attachments are part of the record: withdrawn, never deleted; who withdrew it and when is kept."""
    WORKFLOW.require_visible(attachment.case, by)
    if not by.has_perm("cases.process_case"):
        raise CasePermissionError(_("Your role may not do this."))
    attachment = Attachment.objects.select_for_update().get(pk=attachment.pk)
    if attachment.withdrawn:
        raise CaseActionError(_("This attachment has already been withdrawn."))
    attachment.withdrawn, attachment.withdrawn_by, attachment.withdrawn_at = True, by, timezone.now()
    attachment.save(update_fields=["withdrawn", "withdrawn_by", "withdrawn_at"])
    return attachment
