"""The annual special supervision of petition-work responsibility (Art. 38; the 2016 measures: every
unit at least once a year): recording it, and the daily run that opens the year's plans, reminds from
the first working day of each month, escalates from October and marks the plans of a past year missed.
Each dated step is claimed by the unique (plan, kind, period) of `SupervisionReminder`, so a rerun, or a
second worker, changes nothing."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from accountability import roles
from accountability.notifications import notify
from accountability.validation import FieldProblem
from registry.jurisdiction import profile_paths
from registry.models import OrgUnit
from registry.workcalendar import next_working_day_on_or_after

from ..access import petition_jurisdiction_paths, plans_for_user
from ..deadlines import today
from ..models import SupervisionPlan, SupervisionReminder
from .common import PetitionActionError, PetitionPermissionError, require_officer


@transaction.atomic
def record_supervision(
    plan: SupervisionPlan, *, by: User, supervised_on: dt.date | None, findings: str
) -> SupervisionPlan:
    """The year's special supervision of the unit took place."""
    require_officer(by)
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
    paths = petition_jurisdiction_paths(users) if role == roles.PETITION_OFFICER else profile_paths(users)
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
