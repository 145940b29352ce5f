"""Extending a petition's handling period (Art. 34): asked for by a petition officer before the period
ends, decided by an approving leader (the 本机关负责人) who did not ask; an approved extension moves the
conclusion deadline once."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _

from accountability import roles
from accountability.chinese import chinese_date
from accountability.notifications import notify
from accountability.validation import FieldProblem
from registry.models import OrgUnit

from .. import deadlines
from ..access import ancestor_ids
from ..deadlines import today
from ..models import Petition, PetitionExtension, PetitionState
from .common import PetitionActionError, PetitionPermissionError, petition_url, require_officer
from .lifecycle import WORKFLOW, refresh_next_deadline


def _users_with_role_over(role: str, unit: OrgUnit) -> list[User]:
    """Active users of `role` whose profile unit is the unit or one of its ancestors."""
    return list(
        User.objects.filter(
            groups__name=role, is_active=True, profile__unit_id__in=ancestor_ids(unit.path)
        ).distinct()
    )


@transaction.atomic
def request_extension(
    petition: Petition, *, by: User, days: int | None, reason: str, on: dt.date | None = None
) -> PetitionExtension:
    """Ask a leader to extend the handling period once, by at most the `petition_extension` rule's days,
    before the period has run out."""
    require_officer(by)
    petition = WORKFLOW.prepare(petition, by)
    on = on or today()
    known = deadlines.rules()
    problems: list[str] = []
    if petition.state != PetitionState.HANDLING:
        problems.append(_("Only a petition being handled can have its period extended."))
    if PetitionExtension.objects.filter(
        petition=petition, decision=PetitionExtension.Decision.APPROVED
    ).exists():
        problems.append(_("The handling period has already been extended once; it cannot be extended again."))
    if PetitionExtension.objects.filter(
        petition=petition, decision=PetitionExtension.Decision.PENDING
    ).exists():
        problems.append(_("An extension is already awaiting approval."))
    limit = deadlines.max_extension_days(known)
    if days is None or days < 1 or days > limit:
        problems.append(
            FieldProblem(_("An extension is between 1 and %(limit)d days.") % {"limit": limit}, "days")
        )
    if not reason.strip():
        problems.append(_("Give the reason for the extension (it is told to the petitioner)."))
    due = deadlines.due_date(petition, deadlines.CONCLUSION, known)
    if due is not None and petition.state == PetitionState.HANDLING and on > due:
        problems.append(
            _("The handling period ended on %(due)s; an extension must be asked for before it ends.")
            % {"due": chinese_date(due)}
        )
    if problems:
        raise PetitionActionError(problems)
    assert days is not None
    extension = PetitionExtension.objects.create(
        petition=petition, days=days, reason=reason.strip(), requested_by=by, requested_on=on
    )
    notify(
        [
            user
            for user in _users_with_role_over(roles.APPROVER, petition.responsible_unit)
            if user.pk != by.pk
        ],
        title=_("Extension of petition %(number)s awaits your approval") % {"number": petition.number},
        body=reason.strip(),
        url=petition_url(petition),
    )
    return extension


@transaction.atomic
def decide_extension(
    extension: PetitionExtension, *, by: User, approve: bool, note: str = "", on: dt.date | None = None
) -> PetitionExtension:
    """An approving leader (审批领导, the 本机关负责人 of Art. 34) approves or refuses the extension; an
    approved one moves the conclusion deadline."""
    if not by.has_perm("petitions.approve_extension"):
        raise PetitionPermissionError(_("Only an approving leader may decide on an extension."))
    petition = WORKFLOW.prepare(extension.petition, by)
    extension = PetitionExtension.objects.select_for_update().get(pk=extension.pk)
    problems: list[str] = []
    if extension.decision != PetitionExtension.Decision.PENDING:
        problems.append(_("This extension has already been decided."))
    if petition.state != PetitionState.HANDLING:
        problems.append(_("Only a petition being handled can have its period extended."))
    if extension.requested_by_id == by.pk:
        problems.append(_("An extension cannot be approved by the person who asked for it."))
    if not approve and not note.strip():
        problems.append(_("Give the reason for refusing the extension."))
    if problems:
        raise PetitionActionError(problems)
    extension.decision = (
        PetitionExtension.Decision.APPROVED if approve else PetitionExtension.Decision.REFUSED
    )
    extension.decided_by, extension.decided_on, extension.decision_note = by, on or today(), note.strip()
    extension.save(update_fields=["decision", "decided_by", "decided_on", "decision_note"])
    if approve:
        petition.extension_days = extension.days
        petition.save(update_fields=["extension_days", "updated_at", *refresh_next_deadline(petition)])
    WORKFLOW.record(
        petition,
        "extension_approved" if approve else "extension_refused",
        by=by,
        comment=(
            _("Handling period extended by %(days)d days to %(due)s.")
            % {"days": extension.days, "due": chinese_date(petition.next_due_on)}
            if approve
            else note.strip()
        ),
    )
    notify(
        [extension.requested_by],
        title=(
            _("Extension of petition %(number)s approved")
            if approve
            else _("Extension of petition %(number)s refused")
        )
        % {"number": petition.number},
        body=note.strip(),
        url=petition_url(petition),
    )
    return extension
