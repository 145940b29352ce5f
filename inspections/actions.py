"""Every change to tours, findings and rectification items happens here: atomic, permission-checked.

Views, the admin, the demo seeder and Celery tasks call these functions. They raise InspectionActionError
(messages in the user's language) when the change is refused, InspectionConflictError when someone else
moved the tour on first, and InspectionPermissionError when the user may not make it: the kernel's error
classes (`kernel.workflow`), as in the other apps.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accountability.grants import Grant, grants_from, sync_object_permissions
from accountability.models import AccessCause, AccessChange, AccessGround
from accountability.notifications import notify
from accountability.validation import FieldProblem
from cases import actions as case_actions
from cases.models import Case, CaseSource
from cases.uploads import validate_upload
from kernel.workflow import ActionError, ActionPermissionError, ConflictError, lock
from registry.models import DeadlineRule, OrgUnit, Person

from . import guards
from .access import leads, reports_for, works_in
from .escalation import active_steps, first_due_on
from .models import (
    CHECKLIST_ORDER,
    UPLOAD_EXTENSIONS,
    Assignment,
    ChecklistItem,
    ChecklistStep,
    Finding,
    FindingAttachment,
    FindingStatus,
    InspectionTeam,
    InspectionTeamUserObjectPermission,
    RectificationItem,
    RectificationReport,
    RectificationReview,
    RectificationStatus,
    ReportAttachment,
    Stage,
)

RECTIFICATION_RULE = "rectification_report"
MAX_FILES = 10
LEADER_PERMS = ("view_inspectionteam", "work_in_team", "lead_team")
MEMBER_PERMS = ("view_inspectionteam", "work_in_team")
GROUND_PERMISSIONS: dict[str, tuple[str, ...]] = {
    AccessGround.TEAM_LEADER: LEADER_PERMS,
    AccessGround.TEAM_MEMBER: MEMBER_PERMS,
}


class InspectionActionError(ActionError):
    """The change to a tour, finding or rectification item was refused; `messages` say why."""


class InspectionConflictError(InspectionActionError, ConflictError):
    """Someone else moved the tour on between loading and acting."""


class InspectionPermissionError(InspectionActionError, ActionPermissionError):
    pass


def today() -> dt.date:
    return timezone.localdate()


# --- Teams and assignments ------------------------------------------------------------------------


def team_grants(team: InspectionTeam) -> dict[int, Grant]:
    """user id → what the team gives them now: its leader leads, its members work in it."""
    grounds: dict[int, list[str]] = {team.leader_id: [AccessGround.TEAM_LEADER]}
    for user_id in team.members.values_list("pk", flat=True):
        grounds.setdefault(user_id, []).append(AccessGround.TEAM_MEMBER)
    return grants_from(grounds, GROUND_PERMISSIONS)


@transaction.atomic
def sync_team_permissions(team: InspectionTeam, *, by: User | None = None) -> list[AccessChange]:
    """Make the team's object permissions match its leader and members: adds and revokes at once, one
    audit row per user who gained or lost access (`by` None: the system, e.g. the demo seeder)."""
    InspectionTeam.objects.select_for_update().filter(pk=team.pk).first()
    return sync_object_permissions(
        team,
        InspectionTeamUserObjectPermission,
        team_grants(team),
        by=by,
        cause=AccessCause.INSPECTION_TEAM_SAVED,
    )


def ensure_checklist(assignment: Assignment) -> None:
    """The fourteen steps of the tour, unticked; existing rows are left as they are."""
    ChecklistItem.objects.bulk_create(
        [
            ChecklistItem(assignment=assignment, step=step, position=CHECKLIST_ORDER[step])
            for step in ChecklistStep.values
        ],
        ignore_conflicts=True,
    )


@transaction.atomic
def create_assignment(team: InspectionTeam, unit: OrgUnit, **dates: dt.date | None) -> Assignment:
    assignment = Assignment(team=team, unit=unit, **dates)
    problems = guards.assignment_problems(assignment)
    if problems:
        raise InspectionActionError(problems)
    assignment.save()
    ensure_checklist(assignment)
    return assignment


def _require_member(user: User, team: InspectionTeam) -> None:
    if not works_in(user, team):
        raise InspectionPermissionError(_("Only the members of this inspection team may do this."))


def _require_leader(user: User, team: InspectionTeam) -> None:
    if not leads(user, team):
        raise InspectionPermissionError(_("Only the leader of this inspection team may do this."))


@transaction.atomic
def set_checklist_step(assignment: Assignment, step: str, *, by: User, done: bool) -> ChecklistItem:
    _require_member(by, assignment.team)
    if step not in ChecklistStep.values:
        raise InspectionActionError(_("There is no such step."))
    ensure_checklist(assignment)
    row = ChecklistItem.objects.select_for_update().get(assignment=assignment, step=step)
    if done and row.done_at is None:
        row.done_by, row.done_at = by, timezone.now()
    elif not done:
        row.done_by, row.done_at = None, None
    row.save(update_fields=["done_by", "done_at"])
    return row


def _moved_on(assignment: Assignment) -> InspectionConflictError:
    return InspectionConflictError(_("Someone else has just moved this tour on; check it and try again."))


@transaction.atomic
def advance_stage(assignment: Assignment, *, by: User, expected_stage: str = "") -> Assignment:
    """Move the tour to its next stage (准备 → 进驻了解 → 报告 → 反馈 → 移交 → 整改)."""
    _require_leader(by, assignment.team)
    fresh = lock(assignment, field="stage", expected=expected_stage, conflict=_moved_on)
    following = fresh.next_stage
    if following is None:
        raise InspectionActionError(_("The tour is already at its last stage."))
    if following == Stage.FEEDBACK and fresh.feedback_on is None:
        raise InspectionActionError(_("Record the feedback date before moving to feedback."))
    fresh.stage = following
    fresh.save(update_fields=["stage"])
    return fresh


@transaction.atomic
def update_assignment_dates(
    assignment: Assignment,
    *,
    by: User,
    stationed_on: dt.date | None,
    withdrawn_on: dt.date | None,
    feedback_on: dt.date | None,
) -> Assignment:
    _require_leader(by, assignment.team)
    assignment.stationed_on, assignment.withdrawn_on, assignment.feedback_on = (
        stationed_on,
        withdrawn_on,
        feedback_on,
    )
    problems = guards.assignment_problems(assignment)
    if problems:
        raise InspectionActionError(problems)
    assignment.save(update_fields=["stationed_on", "withdrawn_on", "feedback_on"])
    return assignment


# --- Findings -------------------------------------------------------------------------------------


@dataclass
class FindingData:
    category: str
    description: str
    units: Sequence[OrgUnit] = ()
    people: Sequence[Person] = ()
    files: Sequence[Any] = field(default_factory=list)


def _check_files(files: Sequence[Any]) -> list[str]:
    if len(files) > MAX_FILES:
        return [_("Attach at most %(count)d files at a time.") % {"count": MAX_FILES}]
    problems = []
    for upload in files:
        for problem in validate_upload(upload, extensions=UPLOAD_EXTENSIONS):
            problems.append(f"{upload.name}：{problem}")
    return problems


def _attach(model: type[Any], owner: dict[str, Any], files: Iterable[Any], by: User) -> None:
    for upload in files:
        model.objects.create(
            **owner, file=upload, original_name=upload.name[:200], size=upload.size, uploaded_by=by
        )


def _check_finding(assignment: Assignment, data: FindingData) -> None:
    problems = []
    if not data.description.strip():
        problems.append(_("Describe the problem."))
    outside = [unit.name for unit in data.units if not assignment.unit.contains(unit)]
    if outside:
        problems.append(
            _("%(units)s: a finding names the inspected unit or units under it.")
            % {"units": "、".join(outside)}
        )
    problems += _check_files(data.files)
    if problems:
        raise InspectionActionError(problems)


@transaction.atomic
def log_finding(assignment: Assignment, data: FindingData, *, by: User) -> Finding:
    """A team member logs what they found; the leader verifies it later."""
    _require_member(by, assignment.team)
    _check_finding(assignment, data)
    finding = Finding.objects.create(
        assignment=assignment, category=data.category, description=data.description.strip(), logged_by=by
    )
    finding.units.set(data.units)
    finding.people.set(data.people)
    _attach(FindingAttachment, {"finding": finding}, data.files, by)
    if by.pk != assignment.team.leader_id:
        notify(
            [assignment.team.leader],
            title=_("New finding at %(unit)s awaits verification") % {"unit": assignment.unit.name},
            body=finding.summary,
            url=reverse("inspections:finding_detail", args=[finding.pk]),
        )
    return finding


def _locked_finding(finding: Finding) -> Finding:
    return (
        Finding.objects.select_related("assignment__team", "assignment__unit")
        .select_for_update(of=("self",))
        .get(pk=finding.pk)
    )


@transaction.atomic
def edit_finding(finding: Finding, data: FindingData, *, by: User) -> Finding:
    """The leader edits a finding (its author may too while it awaits verification)."""
    finding = _locked_finding(finding)
    team = finding.assignment.team
    own_draft = (
        finding.logged_by_id == by.pk and finding.status == FindingStatus.LOGGED and works_in(by, team)
    )
    if not (own_draft or leads(by, team)):
        raise InspectionPermissionError(_("Only the team leader may edit this finding."))
    if finding.case_id is not None:
        raise InspectionActionError(_("A finding transferred as a clue can no longer be edited."))
    _check_finding(finding.assignment, data)
    finding.category, finding.description = data.category, data.description.strip()
    finding.save(update_fields=["category", "description"])
    finding.units.set(data.units)
    finding.people.set(data.people)
    _attach(FindingAttachment, {"finding": finding}, data.files, by)
    return finding


@transaction.atomic
def review_finding(finding: Finding, *, by: User, verified: bool, comment: str = "") -> Finding:
    """The leader verifies or rejects a finding (a rejected one stays on record, never deleted)."""
    finding = _locked_finding(finding)
    _require_leader(by, finding.assignment.team)
    if finding.case_id is not None or finding.rectification_items.exists():
        raise InspectionActionError(_("This finding has already been acted on."))
    if not verified and not comment.strip():
        raise InspectionActionError(_("Give the reason for rejecting the finding."))
    finding.status = FindingStatus.VERIFIED if verified else FindingStatus.REJECTED
    finding.reviewed_by, finding.reviewed_at, finding.review_comment = by, timezone.now(), comment.strip()
    finding.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_comment"])
    return finding


@transaction.atomic
def withdraw_finding_attachment(attachment: FindingAttachment, *, by: User) -> FindingAttachment:
    """A photo or document logged by mistake is withdrawn, never deleted; who withdrew it and when is kept.

    As for editing: the team leader, or the file's uploader while the finding awaits verification. The
    evidence of a finding transferred as a clue stays.
    """
    finding = _locked_finding(attachment.finding)
    team = finding.assignment.team
    own_draft = (
        attachment.uploaded_by_id == by.pk and finding.status == FindingStatus.LOGGED and works_in(by, team)
    )
    if not (own_draft or leads(by, team)):
        raise InspectionPermissionError(_("Only the team leader may withdraw this file."))
    if finding.case_id is not None:
        raise InspectionActionError(_("A finding transferred as a clue keeps its evidence."))
    return _withdraw(FindingAttachment, attachment, by)


def _withdraw(model: type[Any], attachment: Any, by: User) -> Any:
    attachment = model.objects.select_for_update().get(pk=attachment.pk)
    if attachment.withdrawn:
        raise InspectionActionError(_("This file has already been withdrawn."))
    attachment.withdrawn, attachment.withdrawn_by, attachment.withdrawn_at = True, by, timezone.now()
    attachment.save(update_fields=["withdrawn", "withdrawn_by", "withdrawn_at"])
    return attachment


def _require_verified(finding: Finding) -> None:
    if finding.status != FindingStatus.VERIFIED:
        raise InspectionActionError(_("Only a verified finding can be transferred or rectified."))


@transaction.atomic
def transfer_finding(finding: Finding, *, by: User, title: str, summary: str, conduct_date: dt.date) -> Case:
    """Transfer a verified finding as a `draft` case (source 巡察移交), linked both ways.

    Its targets are the units and people involved; the leader is named on the case to follow it.
    """
    finding = _locked_finding(finding)
    _require_leader(by, finding.assignment.team)
    _require_verified(finding)
    if finding.case_id is not None:
        raise InspectionActionError(_("This finding has already been transferred."))
    targets = [case_actions.TargetSpec(org_unit=unit) for unit in finding.units.order_by("pk")] + [
        case_actions.TargetSpec(person=person) for person in finding.people.order_by("pk")
    ]
    try:
        case = case_actions.create_case(
            case_actions.CaseData(
                title=title,
                source=CaseSource.INSPECTION,
                summary=summary,
                conduct_date=conduct_date,
                unit=finding.assignment.unit,
                targets=targets,
            ),
            by=by,
            enforce_permission=False,
        )
    except case_actions.CaseActionError as error:
        raise InspectionActionError(error.messages) from error
    finding.case = case
    finding.save(update_fields=["case"])
    return case


def default_deadline(assignment: Assignment) -> dt.date | None:
    """The feedback date plus the `rectification_report` rule (2 months), when feedback is recorded."""
    if assignment.feedback_on is None:
        return None
    rule = DeadlineRule.objects.filter(code=RECTIFICATION_RULE).first()
    return rule.due_date(assignment.feedback_on) if rule else None


@dataclass
class ItemData:
    responsible_unit: OrgUnit
    requirement: str
    responsible_person: Person | None = None
    deadline: dt.date | None = None


@transaction.atomic
def set_rectification(finding: Finding, items: Sequence[ItemData], *, by: User) -> list[RectificationItem]:
    """Turn a verified finding into rectification items; the deadline defaults from the feedback date."""
    finding = _locked_finding(finding)
    _require_leader(by, finding.assignment.team)
    _require_verified(finding)
    fallback = default_deadline(finding.assignment)
    ladder = active_steps()
    inspected = finding.assignment.unit
    created = []
    for data in items:
        if not data.requirement.strip():
            raise InspectionActionError(_("State what must be rectified."))
        # The responsible unit's contacts will see the item and report on it: only the inspected unit
        # and the units under it are the tour's to task.
        if not inspected.contains(data.responsible_unit):
            raise InspectionActionError(
                _("%(unit)s is not %(inspected)s or a unit under it: choose a unit this tour inspected.")
                % {"unit": data.responsible_unit.name, "inspected": inspected.name}
            )
        deadline = data.deadline or fallback
        if deadline is None:
            raise InspectionActionError(
                FieldProblem(
                    _("Give a deadline, or record the tour's feedback date so that it can be computed."),
                    "deadline",
                )
            )
        problems = guards.deadline_problems(deadline, finding.assignment, today())
        if problems:
            raise InspectionActionError(problems)
        created.append(
            RectificationItem.objects.create(
                finding=finding,
                responsible_unit=data.responsible_unit,
                responsible_person=data.responsible_person,
                requirement=data.requirement.strip(),
                deadline=deadline,
                escalation_due_on=first_due_on(deadline, ladder),
                created_by=by,
            )
        )
    return created


# --- Rectification --------------------------------------------------------------------------------


def _locked_item(item: RectificationItem) -> RectificationItem:
    return (
        RectificationItem.objects.select_related("finding__assignment__team__leader", "responsible_unit")
        .select_for_update(of=("self",))
        .get(pk=item.pk)
    )


@transaction.atomic
def report_progress(
    item: RectificationItem, *, by: User, text: str, final: bool, files: Sequence[Any] = ()
) -> RectificationReport:
    """The responsible unit's contact reports progress; a final report submits the item for acceptance."""
    item = _locked_item(item)
    if not reports_for(by, item):
        raise InspectionPermissionError(_("Only the responsible unit's contact may report on this item."))
    problems = [] if text.strip() else [_("Describe the progress.")]
    problems += _check_files(files)
    if item.status not in (RectificationStatus.OPEN, RectificationStatus.RETURNED):
        problems.append(
            _("This item is not open for reports (it is “%(status)s”).")
            % {"status": item.get_status_display()}
        )
    if problems:
        raise InspectionActionError(problems)
    report = RectificationReport.objects.create(item=item, text=text.strip(), final=final, submitted_by=by)
    _attach(ReportAttachment, {"report": report}, files, by)
    if final:
        item.status = RectificationStatus.SUBMITTED
        item.save(update_fields=["status"])
        notify(
            [item.finding.assignment.team.leader],
            title=_("Rectification by %(unit)s submitted for acceptance")
            % {"unit": item.responsible_unit.name},
            body=item.requirement[:200],
            url=reverse("inspections:item_detail", args=[item.pk]),
        )
    return report


@transaction.atomic
def withdraw_report_attachment(attachment: ReportAttachment, *, by: User) -> ReportAttachment:
    """The responsible unit's contact withdraws a file sent by mistake while the item is still the unit's
    to work on; once it is submitted for acceptance its evidence stays as the unit recorded it."""
    item = _locked_item(attachment.report.item)
    if not reports_for(by, item):
        raise InspectionPermissionError(_("Only the responsible unit's contact may withdraw this file."))
    if item.status not in (RectificationStatus.OPEN, RectificationStatus.RETURNED):
        raise InspectionActionError(_("The files of an item submitted for acceptance stay on record."))
    return _withdraw(ReportAttachment, attachment, by)


@transaction.atomic
def review_rectification(
    item: RectificationItem, *, by: User, accept: bool, comment: str = ""
) -> RectificationItem:
    """The team leader accepts a submitted item, or returns it to the unit (escalation then resumes)."""
    item = _locked_item(item)
    _require_leader(by, item.finding.assignment.team)
    if item.status != RectificationStatus.SUBMITTED:
        raise InspectionActionError(_("Only an item submitted for acceptance can be accepted or returned."))
    if not accept and not comment.strip():
        raise InspectionActionError(_("Say what is still missing."))
    RectificationReview.objects.create(
        item=item,
        outcome=RectificationReview.Outcome.ACCEPTED if accept else RectificationReview.Outcome.RETURNED,
        comment=comment.strip(),
        by=by,
    )
    item.status = RectificationStatus.ACCEPTED if accept else RectificationStatus.RETURNED
    item.closed_on = today() if accept else None
    item.save(update_fields=["status", "closed_on"])
    from .escalation import handlers_of

    notify(
        handlers_of(item),
        title=(_("Rectification accepted: %(unit)s") if accept else _("Rectification returned: %(unit)s"))
        % {"unit": item.responsible_unit.name},
        body=comment.strip() or item.requirement[:200],
        url=reverse("inspections:item_detail", args=[item.pk]),
    )
    return item
