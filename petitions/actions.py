"""Every change to petitions, supervision plans and assessments happens here: atomic, audited, notifying
whoever must act next once the transaction commits.

Views, the admin, the demo seeder and the Celery task call these functions; nothing else sets
`Petition.state`. Errors are PetitionActionError (messages in the user's language), PetitionConflictError
when someone else moved the petition first, PetitionPermissionError when the user may not act.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition, has_transition_perm
from simple_history.utils import bulk_create_with_history

from accountability import roles
from accountability.chinese import chinese_date
from accountability.grants import record_access_change
from accountability.models import AccessCause, AccessGround, Clause, OrgUnit, Person, Profile
from accountability.notifications import notify
from accountability.numbering import next_number
from accountability.validation import FieldProblem, date_problems
from accountability.validators import normalise_id_number, validate_id_number
from accountability.workcalendar import next_working_day_on_or_after
from cases import actions as case_actions
from cases.models import CaseSource

from . import deadlines, guards
from .access import (
    ancestor_ids,
    can_see,
    in_petition_jurisdiction,
    may_assign_handlers,
    personal_data_filter,
    petition_jurisdiction_paths,
    plans_for_user,
    units_for_user,
)
from .deadlines import today
from .models import (
    ARTICLE_11_SITUATIONS,
    COLLECTIVE_LEVELS,
    INDIVIDUAL_LEVELS,
    PETITION_NUMBER_KIND,
    RESPONSIBILITY_REGULATION,
    Assessment,
    Channel,
    Grade,
    Petition,
    PetitionExtension,
    PetitionFailure,
    PetitionHandler,
    PetitionResponsibility,
    PetitionState,
    PetitionTransition,
    SubjectKind,
    SupervisionPlan,
    SupervisionReminder,
)


class PetitionActionError(Exception):
    """The action was refused; `messages` say why, in the user's language."""

    def __init__(self, messages: str | Sequence[str]):
        self.messages = [messages] if isinstance(messages, str) else list(messages)
        super().__init__("; ".join(self.messages))


class PetitionConflictError(PetitionActionError):
    """Someone else changed the petition's state between loading and acting."""


class PetitionPermissionError(PetitionActionError, PermissionDenied):
    pass


# --- Helpers ------------------------------------------------------------------------------------------

# What being a handler gives, in the access log (accountability/grants.py).
HANDLER_PERMISSION = "handle_petition"
# Before the hand-over a petition needs no handler; from then on it keeps one.
HANDLER_OPTIONAL_STATES = (PetitionState.REGISTERED, PetitionState.ACCEPTED)


def _outside_jurisdiction(unit: OrgUnit) -> str:
    return _("%(unit)s is outside the area you serve: choose a unit of your petition jurisdiction.") % {
        "unit": unit.name
    }


def _conflict(petition: Petition) -> PetitionConflictError:
    current = (
        Petition.objects.filter(pk=petition.pk).values_list("state", flat=True).first() or petition.state
    )
    return PetitionConflictError(
        _(
            "Someone else has just acted on this petition (it is now “%(state)s”). Your action was not "
            "carried out and nothing was lost; check the petition and try again."
        )
        % {"state": PetitionState(current).label}
    )


def _require_officer(by: User) -> None:
    if not by.has_perm("petitions.process_petition"):
        raise PetitionPermissionError(_("Only petition officers may do this."))


def _require_visible(petition: Petition, by: User) -> None:
    if not can_see(by, petition):
        raise PetitionPermissionError(_("You may not act on this petition."))


def _locked(petition: Petition, expected_state: str | None = None) -> Petition:
    """Re-read the petition under a row lock so that competing actions queue instead of interleaving."""
    if expected_state and expected_state != petition.state:
        raise _conflict(petition)
    fresh = Petition.objects.select_for_update().get(pk=petition.pk)
    if fresh.state != petition.state:
        raise _conflict(petition)
    return fresh


def _url(petition: Petition) -> str:
    return reverse("petitions:detail", args=[petition.pk])


def _handlers(petition: Petition) -> list[User]:
    return list(User.objects.filter(pk__in=PetitionHandler.objects.filter(petition=petition).values("user")))


def _users_with_role_over(role: str, unit: OrgUnit) -> list[User]:
    """Active users of `role` whose profile unit is the unit or one of its ancestors."""
    return list(
        User.objects.filter(
            groups__name=role, is_active=True, profile__unit_id__in=ancestor_ids(unit.path)
        ).distinct()
    )


def _refresh_next_deadline(petition: Petition) -> list[str]:
    code, due = deadlines.next_deadline(petition, deadlines.rules())
    petition.next_due_rule, petition.next_due_on = code, due
    return ["next_due_rule", "next_due_on"]


def _was_late(petition: Petition, done_on: dt.date | None) -> bool:
    """Was the step that ends the current state done after that state's deadline?"""
    return bool(petition.next_due_on and done_on and done_on > petition.next_due_on)


def _transition(
    petition: Petition,
    name: str,
    *,
    by: User,
    done_on: dt.date | None,
    comment: str = "",
    fields: Sequence[str] = (),
    on: dt.date | None = None,
) -> Petition:
    """Run a transition inside the caller's transaction: permission, state, guard, save, audit, notify."""
    method = getattr(petition, name)
    if not method._django_fsm.has_transition(petition.state):
        raise PetitionActionError(
            _("This cannot be done while the petition is “%(state)s”.")
            % {"state": PetitionState(petition.state).label}
        )
    if not has_transition_perm(method, by):
        raise PetitionPermissionError(_("Only petition officers may do this."))
    problems = guards.GUARDS[name](petition, on or today())
    if problems:
        raise PetitionActionError(problems)
    source = petition.state
    late = _was_late(petition, done_on)
    method()
    update_fields = ["state", "updated_at", *fields, *_refresh_next_deadline(petition)]
    try:
        petition.save(update_fields=list(dict.fromkeys(update_fields)))
    except (ConcurrentTransition, DatabaseError) as error:
        if isinstance(error, ConcurrentTransition) or "did not affect any rows" in str(error):
            raise _conflict(petition) from error
        raise
    PetitionTransition.objects.create(
        petition=petition,
        name=name,
        source_state=source,
        target_state=petition.state,
        by=by,
        comment=comment,
        was_late=late,
    )
    _notify_step(petition, by)
    return petition


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
    notify(recipients, title=title % {"number": petition.number}, body=petition.subject, url=_url(petition))


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
    _require_officer(by)
    on = now or today()
    problems = _petition_data_problems(data, on)
    if data.responsible_unit is not None and not in_petition_jurisdiction(by, data.responsible_unit):
        problems.append(_outside_jurisdiction(data.responsible_unit))
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
    _refresh_next_deadline(petition)
    petition.save()
    # The registering officer assigns the first handlers (themselves included: they see it in full anyway).
    _add_handlers(petition, handlers, by, AccessCause.PETITION_REGISTERED)
    PetitionTransition.objects.create(
        petition=petition, name="register", source_state="", target_state=petition.state, by=by
    )
    notify(
        [user for user in handlers if user.pk != by.pk],
        title=_("New petition %(number)s awaits a decision on acceptance") % {"number": petition.number},
        body=petition.subject,
        url=_url(petition),
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
    _require_officer(by)
    _require_visible(petition, by)
    if not Petition.objects.filter(personal_data_filter(by), pk=petition.pk).exists():
        raise PetitionPermissionError(_("Only the petition officers handling this petition may correct it."))
    petition = _locked(petition, expected_state)
    if not petition.is_open:
        raise PetitionActionError(
            _("This cannot be done while the petition is “%(state)s”.") % {"state": petition.state_label}
        )
    problems = _petition_data_problems(data, today())
    if (
        data.responsible_unit is not None
        and data.responsible_unit.pk != petition.responsible_unit_id
        and not in_petition_jurisdiction(by, data.responsible_unit)
    ):
        problems.append(_outside_jurisdiction(data.responsible_unit))
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
    petition.save(update_fields=[*CORRECTABLE_FIELDS, "updated_at", *_refresh_next_deadline(petition)])
    PetitionTransition.objects.create(
        petition=petition,
        name="correct",
        source_state=petition.state,
        target_state=petition.state,
        by=by,
        comment=reason.strip(),
    )
    return petition


@transaction.atomic
def assign_handlers(petition: Petition, users: Sequence[User], *, by: User) -> list[User]:
    """Add handlers to an open petition: by its registering officer or the petition unit's leader."""
    _require_visible(petition, by)
    petition = _locked(petition)
    if not petition.is_open:
        raise PetitionActionError(
            _("This cannot be done while the petition is “%(state)s”.") % {"state": petition.state_label}
        )
    _require_assigner(petition, by, users)
    if not users:
        raise PetitionActionError(_("Choose at least one handler."))
    new = _add_handlers(petition, _check_handlers(users), by, AccessCause.HANDLERS_ASSIGNED)
    notify(
        [user for user in new if user.pk != by.pk],
        title=_("Petition %(number)s is yours to handle") % {"number": petition.number},
        body=petition.subject,
        url=_url(petition),
    )
    return new


@transaction.atomic
def remove_handler(petition: Petition, user: User, *, by: User) -> None:
    """Take a handler off the petition: they stop seeing the petitioner in full at once (unless they
    registered it). Audited; a petition being handled keeps at least one handler."""
    _require_visible(petition, by)
    petition = _locked(petition)
    if not petition.is_open:
        raise PetitionActionError(
            _("This cannot be done while the petition is “%(state)s”.") % {"state": petition.state_label}
        )
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


def _prepare(petition: Petition, by: User, expected_state: str | None) -> Petition:
    _require_visible(petition, by)
    return _locked(petition, expected_state)


@transaction.atomic
def accept_petition(
    petition: Petition,
    *,
    by: User,
    decided_on: dt.date | None,
    note: str = "",
    expected_state: str | None = None,
) -> Petition:
    petition = _prepare(petition, by, expected_state)
    petition.decided_on, petition.acceptance_note = decided_on, note.strip()
    return _transition(
        petition, "accept", by=by, done_on=decided_on, comment=note, fields=["decided_on", "acceptance_note"]
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
    petition = _prepare(petition, by, expected_state)
    petition.decided_on, petition.acceptance_note = decided_on, reason.strip()
    return _transition(
        petition,
        "reject",
        by=by,
        done_on=decided_on,
        comment=reason,
        fields=["decided_on", "acceptance_note"],
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
    petition = _prepare(petition, by, expected_state)
    if petition.state == PetitionState.ACCEPTED:
        new = _new_handlers(petition, handlers)
        if new:
            _require_assigner(petition, by, new)
            _add_handlers(petition, _check_handlers(new), by, AccessCause.HANDLERS_ASSIGNED)
    petition.handling_started_on = started_on
    return _transition(
        petition, "start_handling", by=by, done_on=started_on, comment=comment, fields=["handling_started_on"]
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
    petition = _prepare(petition, by, expected_state)
    petition.concluded_on, petition.outcome, petition.opinion = concluded_on, outcome, opinion.strip()
    petition.reply_received_on = reply_received_on
    return _transition(
        petition,
        "conclude",
        by=by,
        done_on=concluded_on,
        comment=comment,
        fields=["concluded_on", "outcome", "opinion", "reply_received_on"],
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
    petition = _prepare(petition, by, expected_state)
    petition.review_requested_on, petition.review_unit = requested_on, review_unit
    petition.review_grounds = grounds.strip()
    return _transition(
        petition,
        "request_review",
        by=by,
        done_on=None,
        comment=comment,
        fields=["review_requested_on", "review_unit", "review_grounds"],
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
    petition = _prepare(petition, by, expected_state)
    petition.review_decided_on, petition.review_outcome = decided_on, outcome
    petition.review_opinion, petition.review_reply_received_on = opinion.strip(), reply_received_on
    return _transition(
        petition,
        "decide_review",
        by=by,
        done_on=decided_on,
        comment=comment,
        fields=["review_decided_on", "review_outcome", "review_opinion", "review_reply_received_on"],
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
    petition = _prepare(petition, by, expected_state)
    petition.rereview_requested_on, petition.rereview_unit = requested_on, rereview_unit
    petition.rereview_grounds = grounds.strip()
    return _transition(
        petition,
        "request_rereview",
        by=by,
        done_on=None,
        comment=comment,
        fields=["rereview_requested_on", "rereview_unit", "rereview_grounds"],
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
    petition = _prepare(petition, by, expected_state)
    petition.rereview_decided_on, petition.rereview_outcome = decided_on, outcome
    petition.rereview_opinion = opinion.strip()
    return _transition(
        petition,
        "decide_rereview",
        by=by,
        done_on=decided_on,
        comment=comment,
        fields=["rereview_decided_on", "rereview_outcome", "rereview_opinion"],
    )


@transaction.atomic
def withdraw_petition(
    petition: Petition, *, by: User, reason: str, expected_state: str | None = None
) -> Petition:
    """The petitioner withdrew it, or it was registered in error: it stays on record as withdrawn."""
    petition = _prepare(petition, by, expected_state)
    petition.end_reason = reason.strip()
    return _transition(petition, "withdraw", by=by, done_on=None, comment=reason, fields=["end_reason"])


# --- Extension (Art. 34) -----------------------------------------------------------------------------


@transaction.atomic
def request_extension(
    petition: Petition, *, by: User, days: int | None, reason: str, on: dt.date | None = None
) -> PetitionExtension:
    """Ask a leader to extend the handling period once, by at most the `petition_extension` rule's days,
    before the period has run out."""
    _require_officer(by)
    _require_visible(petition, by)
    petition = _locked(petition)
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
        url=_url(petition),
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
    petition = extension.petition
    _require_visible(petition, by)
    petition = _locked(petition)
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
        petition.save(update_fields=["extension_days", "updated_at", *_refresh_next_deadline(petition)])
    PetitionTransition.objects.create(
        petition=petition,
        name="extension_approved" if approve else "extension_refused",
        source_state=petition.state,
        target_state=petition.state,
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
        url=_url(petition),
    )
    return extension


# --- Responsibility and referral to accountability --------------------------------------------------


@dataclass
class ResponsibilitySpec:
    subject_kind: str
    org_unit: OrgUnit | None
    person: Person | None = None
    level: str = ""
    duty: str = ""


def _responsibility_problems(spec: ResponsibilitySpec) -> list[str]:
    problems: list[str] = []
    if spec.subject_kind not in SubjectKind.values:
        problems.append(_("Choose the kind of responsibility subject."))
    if spec.org_unit is None:
        problems.append(_("Choose the responsible body."))
    if spec.subject_kind == SubjectKind.LEADING_CADRE and spec.person is None:
        problems.append(_("Name the leading cadre."))
    if spec.person is None and spec.level:
        problems.append(
            _("A responsibility level is set for a person; a body alone bears collective responsibility.")
        )
    if spec.person is not None:
        if spec.level not in (*INDIVIDUAL_LEVELS, *COLLECTIVE_LEVELS):
            problems.append(
                _(
                    "Set the responsibility level of %(person)s: direct or leadership responsibility, or for "
                    "collective responsibility principal, important or no leadership responsibility."
                )
                % {"person": spec.person.name}
            )
        if spec.org_unit is not None and spec.person.org_unit_id != spec.org_unit.pk:
            problems.append(
                _("%(person)s does not belong to %(unit)s.")
                % {"person": spec.person.name, "unit": spec.org_unit.name}
            )
    return problems


@transaction.atomic
def record_responsibility(
    petition: Petition, spec: ResponsibilitySpec, *, by: User
) -> PetitionResponsibility:
    _require_officer(by)
    _require_visible(petition, by)
    petition = _locked(petition)
    problems = _responsibility_problems(spec)
    if spec.org_unit is not None and not in_petition_jurisdiction(by, spec.org_unit):
        problems.append(_outside_jurisdiction(spec.org_unit))
    if problems:
        raise PetitionActionError(problems)
    assert spec.org_unit is not None
    duplicate = PetitionResponsibility.objects.filter(
        petition=petition, org_unit=spec.org_unit, person=spec.person, withdrawn=False
    ).exists()
    if duplicate:
        raise PetitionActionError(_("This responsibility is already recorded."))
    return PetitionResponsibility.objects.create(
        petition=petition,
        subject_kind=spec.subject_kind,
        org_unit=spec.org_unit,
        person=spec.person,
        level=spec.level if spec.person else "",
        duty=spec.duty.strip(),
        recorded_by=by,
    )


@transaction.atomic
def withdraw_responsibility(responsibility: PetitionResponsibility, *, by: User) -> PetitionResponsibility:
    """Recorded in error: withdrawn, never deleted. One already referred stays."""
    _require_officer(by)
    _require_visible(responsibility.petition, by)
    if responsibility.failures.exists():
        raise PetitionActionError(
            _("This responsibility was referred for accountability and stays on record.")
        )
    responsibility.withdrawn = True
    responsibility.save(update_fields=["withdrawn"])
    return responsibility


def article_11_situations() -> list[Clause]:
    return list(
        Clause.objects.filter(regulation__code=RESPONSIBILITY_REGULATION, code__in=ARTICLE_11_SITUATIONS)
        .select_related("regulation")
        .order_by("item")
    )


@transaction.atomic
def refer_failure(
    petition: Petition,
    *,
    by: User,
    situation: Clause | None,
    facts: str,
    conduct_date: dt.date | None,
    responsibilities: Sequence[PetitionResponsibility],
) -> PetitionFailure:
    """A failure of petition work in one of the six ways of Art. 11 opens a draft accountability case
    (source 信访举报) citing that clause, with the responsible bodies and people as its targets."""
    _require_officer(by)
    _require_visible(petition, by)
    petition = _locked(petition)
    problems: list[str] = []
    allowed = {clause.pk for clause in article_11_situations()}
    if situation is None or situation.pk not in allowed:
        problems.append(_("Choose which of the six situations of Article 11 the failure is."))
    elif PetitionFailure.objects.filter(petition=petition, situation=situation).exists():
        problems.append(_("This failure has already been referred for accountability."))
    if not facts.strip():
        problems.append(_("Describe the facts of the failure."))
    if conduct_date is None:
        problems.append(FieldProblem(_("Enter the date of the failure."), "conduct_date"))
    # The failure is in the handling of this petition: it cannot come before the petition arrived
    # (that it has happened, the case's own rule checks).
    problems += date_problems(
        conduct_date,
        field="conduct_date",
        label=_("the date of the failure"),
        not_before=[(petition.received_on, _("the date the petition was received"))],
    )
    chosen = [r for r in responsibilities if r.petition_id == petition.pk and not r.withdrawn]
    if len(chosen) != len(responsibilities):
        problems.append(_("Only responsibilities recorded on this petition can be referred."))
    if not chosen:
        problems.append(_("Choose at least one responsible body or person."))
    if problems:
        raise PetitionActionError(problems)
    assert situation is not None and conduct_date is not None
    targets: dict[tuple[str, int], case_actions.TargetSpec] = {}
    for responsibility in chosen:
        if responsibility.person is not None:
            targets.setdefault(
                ("person", responsibility.person.pk),
                case_actions.TargetSpec(person=responsibility.person, responsibility=responsibility.level),
            )
        else:
            targets.setdefault(
                ("unit", responsibility.org_unit.pk),
                case_actions.TargetSpec(org_unit=responsibility.org_unit),
            )
    try:
        case = case_actions.create_case(
            case_actions.CaseData(
                title=f"{petition.number} {situation.short_title}"[:200],
                source=CaseSource.PETITION,
                summary=facts.strip(),
                conduct_date=conduct_date,
                unit=petition.responsible_unit,
                lead_officer=None,
                situations=[situation],
                targets=list(targets.values()),
            ),
            by=by,
            enforce_permission=False,
        )
    except case_actions.CaseActionError as error:
        raise PetitionActionError(error.messages) from error
    failure = PetitionFailure.objects.create(
        petition=petition,
        situation=situation,
        facts=facts.strip(),
        conduct_date=conduct_date,
        case=case,
        created_by=by,
    )
    failure.responsibilities.set(chosen)
    PetitionTransition.objects.create(
        petition=petition,
        name="refer_failure",
        source_state=petition.state,
        target_state=petition.state,
        by=by,
        comment=_("Referred as accountability clue %(number)s (%(clause)s).")
        % {"number": case.number, "clause": f"{situation.regulation.short_title}{situation.citation}"},
    )
    return failure


# --- Annual supervision (Art. 38; 2016 measures: at least once a year) -------------------------------


@transaction.atomic
def record_supervision(
    plan: SupervisionPlan, *, by: User, supervised_on: dt.date | None, findings: str
) -> SupervisionPlan:
    """The year's special supervision of the unit took place."""
    _require_officer(by)
    if not plans_for_user(by).filter(pk=plan.pk).exists():
        raise PetitionPermissionError(_("This unit is outside your jurisdiction."))
    plan = SupervisionPlan.objects.select_for_update().get(pk=plan.pk)
    problems: list[str] = []
    if plan.state == SupervisionPlan.State.DONE:
        problems.append(_("This unit's supervision for the year is already recorded."))
    if plan.state == SupervisionPlan.State.MISSED:
        problems.append(_("The year has ended and this plan was marked missed; it cannot be recorded now."))
    if supervised_on is None:
        problems.append(FieldProblem(_("Enter the date of the supervision."), "supervised_on"))
    elif supervised_on.year != plan.year:
        problems.append(
            FieldProblem(
                _("The supervision must take place in %(year)d.") % {"year": plan.year}, "supervised_on"
            )
        )
    elif supervised_on > today():
        problems.append(
            FieldProblem(_("The date of the supervision cannot be in the future."), "supervised_on")
        )
    if not findings.strip():
        problems.append(_("Record what the supervision found."))
    if problems:
        raise PetitionActionError(problems)
    plan.state, plan.supervised_on, plan.supervised_by = SupervisionPlan.State.DONE, supervised_on, by
    plan.findings = findings.strip()
    plan.save(update_fields=["state", "supervised_on", "supervised_by", "findings"])
    return plan


def first_working_day(year: int, month: int) -> dt.date:
    return next_working_day_on_or_after(dt.date(year, month, 1))


ESCALATION_FROM_MONTH = 10  # the fourth quarter


def open_plans(year: int) -> int:
    """Open the year's plan for every active unit that has none (idempotent: unique (unit, year))."""
    missing = (
        OrgUnit.objects.filter(is_active=True)
        .exclude(Exists(SupervisionPlan.objects.filter(unit=OuterRef("pk"), year=year)))
        .values_list("pk", flat=True)
    )
    rows = [SupervisionPlan(unit_id=pk, year=year) for pk in missing]
    if not rows:
        return 0
    before = SupervisionPlan.objects.filter(year=year).count()
    # A concurrent run may open some of the same plans: the unique constraint lets only one through.
    try:
        with transaction.atomic():
            bulk_create_with_history(rows, SupervisionPlan, batch_size=500)
    except IntegrityError:
        SupervisionPlan.objects.bulk_create(rows, ignore_conflicts=True)
    return SupervisionPlan.objects.filter(year=year).count() - before


def _claim(plans: Iterable[SupervisionPlan], kind: str, period: str, on: dt.date) -> list[SupervisionPlan]:
    """Claim the reminder (plan, kind, period) for each plan; return the plans this run claimed.

    The unique constraint makes a rerun, or a second worker, claim nothing already claimed.
    """
    plans = list(plans)
    if not plans:
        return []
    run = uuid.uuid4()
    SupervisionReminder.objects.bulk_create(
        [SupervisionReminder(plan=plan, kind=kind, period=period, run=run, sent_on=on) for plan in plans],
        ignore_conflicts=True,
    )
    claimed = set(SupervisionReminder.objects.filter(run=run).values_list("plan_id", flat=True))
    return [plan for plan in plans if plan.pk in claimed]


def _overseers(role: str, units: Sequence[OrgUnit]) -> dict[User, list[OrgUnit]]:
    """Users of `role` and the units among `units` they oversee (petition officers by petition
    jurisdiction, approvers by their own), in a fixed number of queries."""
    users = list(User.objects.filter(groups__name=role, is_active=True).distinct())
    if role == roles.PETITION_OFFICER:
        paths = petition_jurisdiction_paths(users)
    else:
        paths = dict(
            Profile.objects.filter(user__in=users, unit__isnull=False).values_list("user_id", "unit__path")
        )
    result: dict[User, list[OrgUnit]] = {}
    for user in users:
        path = paths.get(user.pk)
        if not path:
            continue
        mine = [unit for unit in units if unit.path.startswith(path)]
        if mine:
            result[user] = mine
    return result


def _board_url(year: int) -> str:
    return f"{reverse('petitions:supervision')}?year={year}"


def _notify_units(plans: Sequence[SupervisionPlan], *, title: str, body: str) -> None:
    """One notification to the contacts of every unit concerned (the same text for all). No link: unit
    contacts do not open the supervision board."""
    contacts = User.objects.filter(
        groups__name=roles.UNIT_CONTACT,
        is_active=True,
        profile__unit_id__in=[plan.unit_id for plan in plans],
    ).distinct()
    notify(contacts, title=title, body=body)


def _notify_overseers(
    role: str, plans: Sequence[SupervisionPlan], *, title: str, url: str, **params: object
) -> None:
    """A digest per overseer naming the units of their jurisdiction among `plans`."""
    units = [plan.unit for plan in plans]
    for user, mine in _overseers(role, units).items():
        names = "、".join(unit.name for unit in mine[:20]) + ("……" if len(mine) > 20 else "")
        notify([user], title=title % {"count": len(mine), **params}, body=names, url=url)


def _pending_plans(year: int) -> list[SupervisionPlan]:
    return list(
        SupervisionPlan.objects.filter(year=year, state=SupervisionPlan.State.PLANNED)
        .select_related("unit")
        .order_by("unit__path")
    )


def send_monthly_reminders(on: dt.date) -> tuple[int, int]:
    """From the first working day of each month: remind the units not yet supervised (Jan–Sep), or
    escalate to the leaders as well (Oct–Dec). Returns (reminded, escalated)."""
    if on < first_working_day(on.year, on.month):
        return 0, 0
    escalate = on.month >= ESCALATION_FROM_MONTH
    kind = SupervisionReminder.Kind.ESCALATION if escalate else SupervisionReminder.Kind.REMINDER
    claimed = _claim(_pending_plans(on.year), kind, f"{on.year}-{on.month:02d}", on)
    if not claimed:
        return 0, 0
    url = _board_url(on.year)
    if escalate:
        _notify_units(
            claimed,
            title=_("Urgent: your unit's %(year)d petition-work supervision has not taken place")
            % {"year": on.year},
            body=_("The year ends on 31 December; arrange the special supervision now."),
        )
        _notify_overseers(
            roles.APPROVER,
            claimed,
            title=_("Fourth quarter: %(count)d units have not had this year's petition-work supervision"),
            url=url,
        )
    else:
        _notify_units(
            claimed,
            title=_("Reminder: your unit's %(year)d petition-work supervision is still to come")
            % {"year": on.year},
            body=_(
                "Every unit receives at least one special supervision of petition-work responsibility a year."
            ),
        )
    _notify_overseers(
        roles.PETITION_OFFICER,
        claimed,
        title=(
            _("Fourth quarter: %(count)d units have not had this year's petition-work supervision")
            if escalate
            else _("%(count)d units have not had this year's petition-work supervision yet")
        ),
        url=url,
    )
    return (0, len(claimed)) if escalate else (len(claimed), 0)


def mark_missed_plans(on: dt.date) -> int:
    """On the first run after 31 December: the previous years' plans still open are missed."""
    stale = list(
        SupervisionPlan.objects.filter(year__lt=on.year, state=SupervisionPlan.State.PLANNED).select_related(
            "unit"
        )
    )
    claimed: list[SupervisionPlan] = []
    for year in sorted({plan.year for plan in stale}):
        claimed += _claim(
            [plan for plan in stale if plan.year == year], SupervisionReminder.Kind.MISSED, str(year), on
        )
    if not claimed:
        return 0
    # One UPDATE for all the claimed plans, then their history rows in one batched INSERT.
    SupervisionPlan.objects.filter(pk__in=[plan.pk for plan in claimed]).update(
        state=SupervisionPlan.State.MISSED, missed_on=on
    )
    for plan in claimed:
        plan.state, plan.missed_on = SupervisionPlan.State.MISSED, on
    SupervisionPlan.history.bulk_history_create(claimed, update=True, batch_size=500)
    by_year: dict[int, list[SupervisionPlan]] = {}
    for plan in claimed:
        by_year.setdefault(plan.year, []).append(plan)
    for year, plans in by_year.items():
        title = _("%(count)d units missed their %(year)d petition-work supervision")
        for role in (roles.PETITION_OFFICER, roles.APPROVER):
            _notify_overseers(role, plans, title=title, url=_board_url(year), year=year)
    return len(claimed)


@transaction.atomic
def run_annual_supervision(on: dt.date | None = None) -> dict[str, int]:
    """The daily step of the annual supervision; each dated step happens once, however often it runs.

    - every run: the year's plans exist for every active unit (the first run of January opens them all;
      a unit added later gets its plan on the next run);
    - the first run after 31 December marks the previous year's unsupervised plans missed (31 December
      itself is still a day on which the supervision can take place);
    - from the first working day of each month: a reminder to the units not yet supervised and a digest
      to the petition officers; from October on, an escalation that also goes to the approving leaders.
    """
    on = on or today()
    missed = mark_missed_plans(on)
    opened = open_plans(on.year)
    reminded, escalated = send_monthly_reminders(on)
    return {"opened": opened, "missed": missed, "reminded": reminded, "escalated": escalated}


# --- Assessment (Art. 39) ----------------------------------------------------------------------------


@transaction.atomic
def grade_unit(unit: OrgUnit, *, year: int, grade: str, notes: str, by: User) -> Assessment:
    """Record (or correct) a unit's grade for the year; the history keeps every earlier grade."""
    if not by.has_perm("petitions.change_assessment"):
        raise PetitionPermissionError(_("Only petition officers may record assessments."))
    if not units_for_user(by).filter(pk=unit.pk).exists():
        raise PetitionPermissionError(_("This unit is outside your jurisdiction."))
    problems: list[str] = []
    if grade not in Grade.values:
        problems.append(_("Choose a grade."))
    if year < 2000 or year > today().year:
        problems.append(_("Assessments are for past years or the current year."))
    if problems:
        raise PetitionActionError(problems)
    assessment = Assessment.objects.select_for_update().filter(unit=unit, year=year).first()
    if assessment is None:
        return Assessment.objects.create(
            unit=unit, year=year, grade=grade, notes=notes.strip(), assessed_by=by
        )
    assessment.grade, assessment.notes, assessment.assessed_by = grade, notes.strip(), by
    assessment.save(update_fields=["grade", "notes", "assessed_by", "assessed_at"])
    return assessment
