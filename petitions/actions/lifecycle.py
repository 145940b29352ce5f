"""The petition's lifecycle: registering and correcting it, its handlers, and its steps from acceptance
to the re-review opinion or withdrawal.

The steps run through the shared kernel (`kernel.workflow`), configured here once as `WORKFLOW`: the
petition's guards (`petitions/guards.py`), its `PetitionTransition` row (flagged `was_late` when the
step came after its deadline), the handlers told of each step, and `next_due_on` refreshed with every
move. The other subjects (extensions, referral) use the same `WORKFLOW` to lock and audit a petition.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accountability import roles
from accountability.grants import record_access_change
from accountability.models import AccessCause, AccessGround
from accountability.notifications import notify
from accountability.numbering import next_number
from accountability.validation import FieldProblem, date_problems
from kernel.workflow import Wording, Workflow
from registry.models import OrgUnit, Person
from registry.validators import normalise_id_number, validate_id_number

from .. import deadlines, guards
from ..access import can_see, in_petition_jurisdiction, may_assign_handlers, personal_data_filter
from ..deadlines import today
from ..models import (
    PETITION_NUMBER_KIND,
    Channel,
    Petition,
    PetitionHandler,
    PetitionState,
    PetitionTransition,
)
from .common import (
    PetitionActionError,
    PetitionConflictError,
    PetitionPermissionError,
    outside_jurisdiction,
    petition_url,
    require_officer,
)

# What being a handler gives, in the access log (accountability/grants.py).
HANDLER_PERMISSION = "handle_petition"
# Before the hand-over a petition needs no handler; from then on it keeps one.
HANDLER_OPTIONAL_STATES = (PetitionState.REGISTERED, PetitionState.ACCEPTED)


def _handlers(petition: Petition) -> list[User]:
    return list(User.objects.filter(pk__in=PetitionHandler.objects.filter(petition=petition).values("user")))


def refresh_next_deadline(petition: Petition) -> list[str]:
    """Set the office's next legal deadline for the petition as it stands; the fields to save."""
    code, due = deadlines.next_deadline(petition, deadlines.rules())
    petition.next_due_rule, petition.next_due_on = code, due
    return ["next_due_rule", "next_due_on"]


def _was_late(petition: Petition, done_on: dt.date | None) -> bool:
    """Was the step that ends the current state done after that state's deadline?"""
    return bool(petition.next_due_on and done_on and done_on > petition.next_due_on)


def _notify_step(petition: Petition, by: User) -> None:
    """Tell the handlers (other than the one acting) what happened; never the petitioner's data."""
    titles = {
        PetitionState.ACCEPTED: _("Petition %(number)s was accepted: hand it over for handling"),
        PetitionState.NOT_ACCEPTED: _("Petition %(number)s was not accepted"),
        PetitionState.HANDLING: _("Petition %(number)s is yours to handle"),
        PetitionState.CONCLUDED: _("Petition %(number)s is concluded"),
        PetitionState.REVIEW_REQUESTED: _("A review of petition %(number)s was requested"),
        PetitionState.REVIEWED: _("The review of petition %(number)s is decided"),
        PetitionState.REREVIEW_REQUESTED: _("A re-review of petition %(number)s was requested"),
        PetitionState.REREVIEWED: _("The re-review of petition %(number)s is decided"),
        PetitionState.WITHDRAWN: _("Petition %(number)s was withdrawn"),
    }
    title = titles.get(PetitionState(petition.state))
    if title is None:
        return
    recipients = [user for user in _handlers(petition) if user.pk != by.pk]
    notify(
        recipients,
        title=title % {"number": petition.number},
        body=petition.subject,
        url=petition_url(petition),
    )


WORKFLOW = Workflow(
    Petition,
    states=PetitionState,
    error=PetitionActionError,
    conflict=PetitionConflictError,
    forbidden=PetitionPermissionError,
    wording=Wording(
        conflict=gettext_lazy(
            "Someone else has just acted on this petition (it is now “%(state)s”). Your action was not "
            "carried out and nothing was lost; check the petition and try again."
        ),
        wrong_state=gettext_lazy("This cannot be done while the petition is “%(state)s”."),
        role=gettext_lazy("Only petition officers may do this."),
        hidden=gettext_lazy("You may not act on this petition."),
    ),
    can_see=can_see,
    guards=guards.GUARDS,
    audit=PetitionTransition,
    audit_key="petition",
    notify=_notify_step,
    refresh=refresh_next_deadline,
)


def _step(
    petition: Petition,
    name: str,
    *,
    by: User,
    done_on: dt.date | None,
    comment: str = "",
    changes: Mapping[str, Any],
) -> Petition:
    """Run the step on a prepared petition: its guard judges it as of today; its row says whether
    `done_on` came after the deadline of the state it ends."""
    return WORKFLOW.run(
        petition,
        name,
        by=by,
        comment=comment,
        changes=changes,
        guard_args={"today": today()},
        audit={"was_late": _was_late(petition, done_on)},
    )


# --- Registering -------------------------------------------------------------------------------------


@dataclass
class PetitionData:
    channel: str
    received_on: dt.date | None
    subject: str
    content: str
    responsible_unit: OrgUnit | None
    anonymous: bool = False
    petitioner_name: str = ""
    petitioner_id_number: str = ""
    petitioner_phone: str = ""
    petitioner_address: str = ""
    complained_person: Person | None = None
    complained_unit: OrgUnit | None = None
    handlers: Sequence[User] = field(default_factory=list)


PHONE_CHARACTERS = set("0123456789-+ ")


def _petition_data_problems(data: PetitionData, on: dt.date) -> list[str]:
    problems: list[str] = []
    if data.channel not in Channel.values:
        problems.append(_("Choose how the petition came in."))
    if data.received_on is None:
        problems.append(FieldProblem(_("Enter the date the petition was received."), "received_on"))
    problems += date_problems(data.received_on, field="received_on", label=_("the date received"), today=on)
    if not data.subject.strip():
        problems.append(_("Give the petition a subject."))
    if not data.content.strip():
        problems.append(_("Record what the petition says."))
    if data.responsible_unit is None:
        problems.append(_("Choose the responsible unit."))
    elif not data.responsible_unit.is_active:
        problems.append(_("The responsible unit is no longer active."))
    if data.anonymous:
        if any(
            value.strip()
            for value in (
                data.petitioner_name,
                data.petitioner_id_number,
                data.petitioner_phone,
                data.petitioner_address,
            )
        ):
            problems.append(_("An anonymous petition cannot carry the petitioner's personal data."))
    elif not data.petitioner_name.strip():
        problems.append(_("Enter the petitioner's name, or mark the petition anonymous."))
    if data.petitioner_id_number.strip():
        try:
            validate_id_number(normalise_id_number(data.petitioner_id_number))
        except ValidationError as error:
            problems.extend(str(message) for message in error.messages)
    phone = data.petitioner_phone.strip()
    if phone and (not set(phone) <= PHONE_CHARACTERS or sum(ch.isdigit() for ch in phone) < 7):
        problems.append(_("The phone number may only hold digits, spaces, + and -, at least seven digits."))
    if data.complained_person is not None and not data.complained_person.is_active:
        problems.append(_("The person complained about is no longer active in the registry."))
    return problems


def _names(users: Iterable[User]) -> str:
    return "、".join(user.get_full_name() or user.username for user in users)


def _check_handlers(users: Iterable[User]) -> list[User]:
    users = list({user.pk: user for user in users}.values())
    if not users:
        return users
    officers = set(
        User.objects.filter(
            pk__in=[user.pk for user in users], groups__name=roles.PETITION_OFFICER, is_active=True
        ).values_list("pk", flat=True)
    )
    strangers = [user for user in users if user.pk not in officers]
    if strangers:
        raise PetitionActionError(
            _("Only active petition officers can handle petitions: %(names)s.") % {"names": _names(strangers)}
        )
    return users


def _require_assigner(petition: Petition, by: User, users: Sequence[User]) -> None:
    """Only the registering officer and the petition unit's leader assign handlers; nobody else, and so
    nobody appoints themselves to see the petitioner."""
    if may_assign_handlers(by, petition):
        return
    if any(user.pk == by.pk for user in users):
        raise PetitionPermissionError(
            _(
                "You cannot make yourself a handler of this petition: handlers are assigned by the officer "
                "who registered it or by the leader of the petition unit."
            )
        )
    raise PetitionPermissionError(
        _(
            "Only the officer who registered this petition or the leader of the petition unit may change "
            "its handlers."
        )
    )


def _add_handlers(petition: Petition, users: Sequence[User], by: User, cause: AccessCause) -> list[User]:
    """Make these users handlers (those not yet), audited; the caller has checked who may."""
    present = set(PetitionHandler.objects.filter(petition=petition).values_list("user_id", flat=True))
    new = [user for user in users if user.pk not in present]
    PetitionHandler.objects.bulk_create(
        [PetitionHandler(petition=petition, user=user, assigned_by=by) for user in new]
    )
    record_access_change(
        petition,
        new,
        granted=True,
        permissions=[HANDLER_PERMISSION],
        grounds=[AccessGround.HANDLER],
        cause=cause,
        by=by,
    )
    return new


def _new_handlers(petition: Petition, users: Sequence[User]) -> list[User]:
    present = set(PetitionHandler.objects.filter(petition=petition).values_list("user_id", flat=True))
    return [user for user in users if user.pk not in present]


@transaction.atomic
def register_petition(data: PetitionData, *, by: User, now: dt.date | None = None) -> Petition:
    """Register a petition with the next number of the year; its acceptance deadline starts running."""
    require_officer(by)
    on = now or today()
    problems = _petition_data_problems(data, on)
    if data.responsible_unit is not None and not in_petition_jurisdiction(by, data.responsible_unit):
        problems.append(outside_jurisdiction(data.responsible_unit))
    if problems:
        raise PetitionActionError(problems)
    assert data.received_on is not None and data.responsible_unit is not None
    handlers = _check_handlers(data.handlers)
    petition = Petition(
        year=on.year,
        sequence=next_number(PETITION_NUMBER_KIND, on.year),
        channel=data.channel,
        received_on=data.received_on,
        subject=data.subject.strip(),
        content=data.content.strip(),
        anonymous=data.anonymous,
        petitioner_name="" if data.anonymous else data.petitioner_name.strip(),
        petitioner_id_number="" if data.anonymous else normalise_id_number(data.petitioner_id_number),
        petitioner_phone="" if data.anonymous else data.petitioner_phone.strip(),
        petitioner_address="" if data.anonymous else data.petitioner_address.strip(),
        complained_person=data.complained_person,
        complained_unit=data.complained_unit,
        responsible_unit=data.responsible_unit,
        registered_by=by,
    )
    refresh_next_deadline(petition)
    petition.save()
    # The registering officer assigns the first handlers (themselves included: they see it in full anyway).
    _add_handlers(petition, handlers, by, AccessCause.PETITION_REGISTERED)
    WORKFLOW.record(petition, "register", by=by, source="")
    notify(
        [user for user in handlers if user.pk != by.pk],
        title=_("New petition %(number)s awaits a decision on acceptance") % {"number": petition.number},
        body=petition.subject,
        url=petition_url(petition),
    )
    return petition


CORRECTABLE_FIELDS = [
    "channel",
    "received_on",
    "subject",
    "content",
    "responsible_unit",
    "anonymous",
    "petitioner_name",
    "petitioner_id_number",
    "petitioner_phone",
    "petitioner_address",
    "complained_person",
    "complained_unit",
]


@transaction.atomic
def correct_petition(
    petition: Petition, data: PetitionData, *, by: User, reason: str, expected_state: str | None = None
) -> Petition:
    """Correct what was registered (nothing is deleted: the history keeps the old values, except the
    petitioner's personal data, which stays out of the history tables). Only the officers who see the
    petitioner in full may correct it; the deadlines follow a corrected receipt date."""
    require_officer(by)
    WORKFLOW.require_visible(petition, by)
    if not Petition.objects.filter(personal_data_filter(by), pk=petition.pk).exists():
        raise PetitionPermissionError(_("Only the petition officers handling this petition may correct it."))
    petition = WORKFLOW.lock(petition, expected_state)
    if not petition.is_open:
        raise WORKFLOW.wrong_state(petition)
    problems = _petition_data_problems(data, today())
    if (
        data.responsible_unit is not None
        and data.responsible_unit.pk != petition.responsible_unit_id
        and not in_petition_jurisdiction(by, data.responsible_unit)
    ):
        problems.append(outside_jurisdiction(data.responsible_unit))
    if not reason.strip():
        problems.append(_("Say what is corrected and why."))
    if data.received_on and petition.decided_on and data.received_on > petition.decided_on:
        problems.append(
            FieldProblem(_("The date received cannot be after the acceptance decision."), "received_on")
        )
    if problems:
        raise PetitionActionError(problems)
    assert data.received_on is not None and data.responsible_unit is not None
    petition.channel, petition.received_on = data.channel, data.received_on
    petition.subject, petition.content = data.subject.strip(), data.content.strip()
    petition.responsible_unit = data.responsible_unit
    petition.anonymous = data.anonymous
    petition.petitioner_name = "" if data.anonymous else data.petitioner_name.strip()
    petition.petitioner_id_number = "" if data.anonymous else normalise_id_number(data.petitioner_id_number)
    petition.petitioner_phone = "" if data.anonymous else data.petitioner_phone.strip()
    petition.petitioner_address = "" if data.anonymous else data.petitioner_address.strip()
    petition.complained_person, petition.complained_unit = data.complained_person, data.complained_unit
    petition.save(update_fields=[*CORRECTABLE_FIELDS, "updated_at", *refresh_next_deadline(petition)])
    WORKFLOW.record(petition, "correct", by=by, comment=reason.strip())
    return petition


@transaction.atomic
def assign_handlers(petition: Petition, users: Sequence[User], *, by: User) -> list[User]:
    """Add handlers to an open petition: by its registering officer or the petition unit's leader."""
    petition = WORKFLOW.prepare(petition, by)
    if not petition.is_open:
        raise WORKFLOW.wrong_state(petition)
    _require_assigner(petition, by, users)
    if not users:
        raise PetitionActionError(_("Choose at least one handler."))
    new = _add_handlers(petition, _check_handlers(users), by, AccessCause.HANDLERS_ASSIGNED)
    notify(
        [user for user in new if user.pk != by.pk],
        title=_("Petition %(number)s is yours to handle") % {"number": petition.number},
        body=petition.subject,
        url=petition_url(petition),
    )
    return new


@transaction.atomic
def remove_handler(petition: Petition, user: User, *, by: User) -> None:
    """Take a handler off the petition: they stop seeing the petitioner in full at once (unless they
    registered it). Audited; a petition being handled keeps at least one handler."""
    petition = WORKFLOW.prepare(petition, by)
    if not petition.is_open:
        raise WORKFLOW.wrong_state(petition)
    _require_assigner(petition, by, [])
    handlers = PetitionHandler.objects.filter(petition=petition)
    if not handlers.filter(user=user).exists():
        raise PetitionActionError(_("%(name)s is not a handler of this petition.") % {"name": _names([user])})
    if petition.state not in HANDLER_OPTIONAL_STATES and handlers.count() == 1:
        raise PetitionActionError(
            _("A petition being handled keeps at least one handler: assign another one first.")
        )
    handlers.filter(user=user).delete()
    record_access_change(
        petition,
        [user],
        granted=False,
        permissions=[HANDLER_PERMISSION],
        cause=AccessCause.HANDLER_REMOVED,
        by=by,
    )


# --- Steps -------------------------------------------------------------------------------------------


@transaction.atomic
def accept_petition(
    petition: Petition,
    *,
    by: User,
    decided_on: dt.date | None,
    note: str = "",
    expected_state: str | None = None,
) -> Petition:
    petition = WORKFLOW.prepare(petition, by, expected_state)
    return _step(
        petition,
        "accept",
        by=by,
        done_on=decided_on,
        comment=note,
        changes={"decided_on": decided_on, "acceptance_note": note.strip()},
    )


@transaction.atomic
def reject_petition(
    petition: Petition,
    *,
    by: User,
    decided_on: dt.date | None,
    reason: str,
    expected_state: str | None = None,
) -> Petition:
    petition = WORKFLOW.prepare(petition, by, expected_state)
    return _step(
        petition,
        "reject",
        by=by,
        done_on=decided_on,
        comment=reason,
        changes={"decided_on": decided_on, "acceptance_note": reason.strip()},
    )


@transaction.atomic
def start_handling(
    petition: Petition,
    *,
    by: User,
    started_on: dt.date | None,
    handlers: Sequence[User] = (),
    comment: str = "",
    expected_state: str | None = None,
) -> Petition:
    """Hand the accepted petition over for handling (转送/交办) to its handlers."""
    petition = WORKFLOW.prepare(petition, by, expected_state)
    if petition.state == PetitionState.ACCEPTED:
        new = _new_handlers(petition, handlers)
        if new:
            _require_assigner(petition, by, new)
            _add_handlers(petition, _check_handlers(new), by, AccessCause.HANDLERS_ASSIGNED)
    return _step(
        petition,
        "start_handling",
        by=by,
        done_on=started_on,
        comment=comment,
        changes={"handling_started_on": started_on},
    )


@transaction.atomic
def conclude_petition(
    petition: Petition,
    *,
    by: User,
    concluded_on: dt.date | None,
    outcome: str,
    opinion: str,
    reply_received_on: dt.date | None,
    comment: str = "",
    expected_state: str | None = None,
) -> Petition:
    petition = WORKFLOW.prepare(petition, by, expected_state)
    return _step(
        petition,
        "conclude",
        by=by,
        done_on=concluded_on,
        comment=comment,
        changes={
            "concluded_on": concluded_on,
            "outcome": outcome,
            "opinion": opinion.strip(),
            "reply_received_on": reply_received_on,
        },
    )


@transaction.atomic
def request_review(
    petition: Petition,
    *,
    by: User,
    requested_on: dt.date | None,
    review_unit: OrgUnit | None,
    grounds: str,
    comment: str = "",
    expected_state: str | None = None,
) -> Petition:
    """The petitioner asks the next level up for a review (复查), within 30 days of the written reply."""
    petition = WORKFLOW.prepare(petition, by, expected_state)
    return _step(
        petition,
        "request_review",
        by=by,
        done_on=None,
        comment=comment,
        changes={
            "review_requested_on": requested_on,
            "review_unit": review_unit,
            "review_grounds": grounds.strip(),
        },
    )


@transaction.atomic
def decide_review(
    petition: Petition,
    *,
    by: User,
    decided_on: dt.date | None,
    outcome: str,
    opinion: str,
    reply_received_on: dt.date | None,
    comment: str = "",
    expected_state: str | None = None,
) -> Petition:
    petition = WORKFLOW.prepare(petition, by, expected_state)
    return _step(
        petition,
        "decide_review",
        by=by,
        done_on=decided_on,
        comment=comment,
        changes={
            "review_decided_on": decided_on,
            "review_outcome": outcome,
            "review_opinion": opinion.strip(),
            "review_reply_received_on": reply_received_on,
        },
    )


@transaction.atomic
def request_rereview(
    petition: Petition,
    *,
    by: User,
    requested_on: dt.date | None,
    rereview_unit: OrgUnit | None,
    grounds: str,
    comment: str = "",
    expected_state: str | None = None,
) -> Petition:
    """The petitioner asks for a re-review (复核), within 30 days of receiving the review opinion."""
    petition = WORKFLOW.prepare(petition, by, expected_state)
    return _step(
        petition,
        "request_rereview",
        by=by,
        done_on=None,
        comment=comment,
        changes={
            "rereview_requested_on": requested_on,
            "rereview_unit": rereview_unit,
            "rereview_grounds": grounds.strip(),
        },
    )


@transaction.atomic
def decide_rereview(
    petition: Petition,
    *,
    by: User,
    decided_on: dt.date | None,
    outcome: str,
    opinion: str,
    comment: str = "",
    expected_state: str | None = None,
) -> Petition:
    """The re-review opinion is final: the same facts and grounds are not taken up again (Art. 36)."""
    petition = WORKFLOW.prepare(petition, by, expected_state)
    return _step(
        petition,
        "decide_rereview",
        by=by,
        done_on=decided_on,
        comment=comment,
        changes={
            "rereview_decided_on": decided_on,
            "rereview_outcome": outcome,
            "rereview_opinion": opinion.strip(),
        },
    )


@transaction.atomic
def withdraw_petition(
    petition: Petition, *, by: User, reason: str, expected_state: str | None = None
) -> Petition:
    """The petitioner withdrew it, or it was registered in error: it stays on record as withdrawn."""
    petition = WORKFLOW.prepare(petition, by, expected_state)
    return _step(
        petition, "withdraw", by=by, done_on=None, comment=reason, changes={"end_reason": reason.strip()}
    )
