"""The daily escalation of rectification items along the ladder (逐级递进), in set-based SQL.

Each item carries `escalation_due_on`: the day its next step falls due (none when no step is left).
One run, for one day, in one transaction, holding a transaction-level advisory lock so that two runs
take turns:

1. One statement claims and fires: an UPDATE of the open or returned items whose next step is due by
   today (one range scan of a partial index; the items already escalated as far as they can be today are
   not read at all) moves each on to the day of its first step still to come, and, in the same
   statement, inserts the (item, step) rows of the highest step now due. The unique constraint on
   (item, step), with ON CONFLICT DO NOTHING, stays the guarantee that a step fires at most once per
   item; the UPDATE's row locks make a concurrent writer wait and then see the item already moved on.
   When several steps fall due at once (the first run, missed days, an item returned after its deadline
   passed) only the highest fires: the lower notifying steps are skipped for good and not recorded.
   A clue-opening step is never skipped: under a higher step it is recorded `superseded` (it notifies
   nobody, the clue still opens).
2. For each step, one INSERT … SELECT writes a notification per item to the people of the item that the
   step names (handler, supervising leader, party secretary: a UNION of one sub-select per kind), and
   one more writes a daily digest per overseer (discipline office, approvers): how many items of their
   jurisdiction reached the step, linked to the list filtered by its colour.
3. The rows of an `open_case` step are handed, by id and on commit, to a follow-up task that opens each
   clue through `cases.actions.create_case` (each case takes a gap-free number under a row lock).
   A clue refused for a lasting reason (a CaseActionError: the item's data cannot make a case, such as
   a deadline before any regulation was in force) is recorded with the reason, reported once to the
   admins and not tried again until an admin asks (`retry_clues`). Any other failure (a database
   error, a lost task) is logged and tried again by each day's run; a clue still not open
   `CLUE_REPORT_AFTER_DAYS` after its step fired is reported once to the admins, with the last reason.

Setting an item plans its first due day. When the active ladder differs from the one the previous run
used (an admin edit), the run first re-plans every item not yet accepted (`schedule`): the lowest step
above the highest it has fired.

The number of queries depends on the number of steps, never on the number of items.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accountability import roles
from accountability.chinese import chinese_date
from accountability.models import Notification
from accountability.notifications import email_on_commit, notify
from registry.models import OrgUnit, Person, Profile

from .models import (
    ACTIVE_STATUSES,
    Action,
    Assignment,
    Escalation,
    EscalationRun,
    EscalationStep,
    Finding,
    InspectionTeam,
    Level,
    Recipient,
    RectificationItem,
    RectificationStatus,
)

logger = logging.getLogger(__name__)

EMAIL_CHUNK = 500
CASE_CHUNK = 100
# The responsible unit's party secretary: a person of the unit whose post names them secretary (书记),
# not a deputy (副书记) nor the discipline secretary (纪委书记); the registry's post is the only record.
SECRETARY_POST = "%书记%"
NOT_SECRETARY_POSTS = ("%副书记%", "%纪%")
# Two runs never overlap: the second waits for the first to commit, then finds nothing left to fire.
RUN_LOCK = 4_020_604
# Below every offset a step can have (SmallIntegerField): "no step fired yet".
BEFORE_ANY_STEP = -32768
# A clue still not open this many days after its step fired is reported to the admins (once).
CLUE_REPORT_AFTER_DAYS = 3
FAILURE_LINES = 20


def _table(model: Any) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def active_steps() -> list[EscalationStep]:
    """The active ladder, highest step first (ties: the later step first)."""
    return list(EscalationStep.objects.filter(active=True).order_by("-offset_days", "-pk"))


def ladder_signature(steps: Sequence[EscalationStep]) -> str:
    """What the planned due days depend on: the active steps and their offsets."""
    return ",".join(f"{step.pk}:{step.offset_days}" for step in sorted(steps, key=lambda s: s.pk))


def first_due_on(deadline: dt.date, steps: Sequence[EscalationStep]) -> dt.date | None:
    """The day the first step of the ladder falls due for a new item (None: an empty ladder)."""
    offsets = [step.offset_days for step in steps]
    return deadline + dt.timedelta(days=min(offsets)) if offsets else None


def _postgresql() -> bool:
    return connection.vendor == "postgresql"


def _plus_days(date_sql: str, days_sql: str) -> str:
    """SQL: a date plus a number of days (PostgreSQL date + integer; SQLite's date modifier)."""
    return f"({date_sql} + {days_sql})" if _postgresql() else f"date({date_sql}, {days_sql} || ' days')"


def _ladder_cte() -> tuple[str, list[Any]]:
    """The active ladder as `ladder (id, offset_days, opens_case)`."""
    sql = f"""ladder (id, offset_days, opens_case) AS (
        SELECT id, offset_days, CASE WHEN action = %s THEN 1 ELSE 0 END
        FROM {_table(EscalationStep)} WHERE active)"""  # noqa: S608 - the model's table; values are parameters
    return sql, [str(Action.OPEN_CASE)]


def _next_due(deadline: str, after: str) -> str:
    """SQL: the day of the lowest active step whose day, for an item due on `deadline`, is after `after`."""
    step_day = _plus_days(deadline, "s.offset_days")
    lowest = f"(SELECT MIN(s.offset_days) FROM ladder s WHERE {step_day} > {after})"  # noqa: S608 - SQL of ours
    return _plus_days(deadline, lowest)


def _lock_runs(cursor: Any) -> None:
    """Runs, and re-planning, take turns (PostgreSQL; SQLite has one writer at a time anyway)."""
    if _postgresql():
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [RUN_LOCK])


def schedule() -> int:
    """Re-plan the next due day of every item not yet accepted, in one statement (the ladder changed):
    the deadline plus the lowest active offset above the highest step it has fired. Returns the number
    of items whose due day changed."""
    cte, params = _ladder_cte()
    highest_fired = f"""COALESCE((
        SELECT MAX(f.offset_days) FROM {_table(Escalation)} e
        JOIN {_table(EscalationStep)} f ON f.id = e.step_id WHERE e.item_id = i.id
    ), {BEFORE_ANY_STEP})"""  # noqa: S608 - table names from the models' metadata
    next_offset = f"(SELECT MIN(s.offset_days) FROM ladder s WHERE s.offset_days > {highest_fired})"  # noqa: S608
    differs = "IS DISTINCT FROM" if _postgresql() else "IS NOT"
    item = _table(RectificationItem)
    sql = f"""
        WITH {cte}
        UPDATE {item} SET escalation_due_on = planned.due
        FROM (
            SELECT i.id, {_plus_days("i.deadline", next_offset)} AS due FROM {item} i WHERE i.status <> %s
        ) planned
        WHERE {item}.id = planned.id AND {item}.escalation_due_on {differs} planned.due
    """  # noqa: S608 - table names from the models' metadata; values are parameters
    with transaction.atomic(), connection.cursor() as cursor:
        _lock_runs(cursor)
        cursor.execute(sql, [*params, str(RectificationStatus.ACCEPTED)])
        return max(cursor.rowcount, 0)


def _fire(run: EscalationRun, day: dt.date) -> int:
    """Claim the items whose next step is due by `day` and record what fires; returns the rows inserted.

    Only the active items with `escalation_due_on <= day` are read (the partial index
    `rectification_escalation_due`). Each moves on to the day of its first step still to come. Recorded:
    the highest step due by the day (every step fired so far was due earlier, so it is a new one), any
    other step at the same offset, and any clue-opening step passed over (superseded).
    """
    cte, ladder_params = _ladder_cte()
    statuses = [str(status) for status in ACTIVE_STATUSES]
    due = f"i.status IN ({', '.join(['%s'] * len(statuses))}) AND i.escalation_due_on <= %s"
    step_day = _plus_days("i.deadline", "l.offset_days")
    # The offset of the highest step due for item `i` by the day.
    top = f"(SELECT MAX(l.offset_days) FROM ladder l WHERE {step_day} <= %s)"  # noqa: S608 - SQL of ours
    record = f"""
        INSERT INTO {_table(Escalation)} (item_id, step_id, run_id, fired_on, superseded)
        SELECT c.id, s.id, %s, %s, s.offset_days < c.top
        FROM claimed c
        JOIN ladder s ON s.offset_days = c.top OR (s.opens_case = 1 AND s.offset_days < c.top)
        WHERE TRUE
        ON CONFLICT (item_id, step_id) DO NOTHING
    """  # noqa: S608 - table names from the models' metadata; values are parameters
    record_params: list[Any] = [run.pk, day]
    move = f"""
        UPDATE {_table(RectificationItem)} AS i SET escalation_due_on = {_next_due("i.deadline", "%s")}
        WHERE {due}
    """  # noqa: S608 - table names from the models' metadata; values are parameters
    move_params: list[Any] = [day, *statuses, day]
    with connection.cursor() as cursor:
        if _postgresql():
            # One statement: the UPDATE claims the items (row locks: a concurrent writer waits, then
            # finds them moved on) and the INSERT records what fires for exactly those.
            cursor.execute(
                f"WITH {cte}, claimed AS ({move} RETURNING i.id, {top} AS top) {record}",
                [*ladder_params, *move_params, day, *record_params],
            )
            return max(cursor.rowcount, 0)
        # SQLite (the embedded demo) admits one writer at a time, and this transaction is one: the INSERT
        # records for the items as they stand, then the UPDATE moves the same items on.
        items = _table(RectificationItem)
        claimed = f"claimed (id, top) AS (SELECT i.id, {top} FROM {items} i WHERE {due})"  # noqa: S608
        cursor.execute(
            f"WITH {cte}, {claimed} {record}", [*ladder_params, day, *statuses, day, *record_params]
        )
        cursor.execute("SELECT changes()")  # sqlite3's rowcount misses statements opening with WITH
        inserted = int(cursor.fetchone()[0])
        cursor.execute(f"WITH {cte} {move}", [*ladder_params, *move_params])
        return inserted


def _recipient_selects(kinds: Iterable[str], run_id: int, step_id: int) -> tuple[list[str], list[Any]]:
    """One sub-select of (item_id, user_id) per per-item recipient kind, over this run's acting rows `e`."""
    item, profile = _table(RectificationItem), _table(Profile)
    acting = f"FROM {_table(Escalation)} e JOIN {item} i ON i.id = e.item_id"
    where = "WHERE e.run_id = %s AND e.step_id = %s AND NOT e.superseded"
    in_role = (
        f"JOIN {_table(User.groups.through)} ug ON ug.user_id = p.user_id "
        f"JOIN {_table(Group)} g ON g.id = ug.group_id AND g.name = %s"
    )
    selects: list[str] = []
    params: list[Any] = []
    for kind in dict.fromkeys(kinds):
        if kind == Recipient.HANDLER:
            selects.append(
                f"SELECT e.item_id, p.user_id {acting} "
                f"JOIN {profile} p ON p.unit_id = i.responsible_unit_id {in_role} {where}"
            )
            params += [roles.UNIT_CONTACT, run_id, step_id]
            selects.append(
                f"SELECT e.item_id, p.user_id {acting} "
                f"JOIN {profile} p ON p.person_id = i.responsible_person_id {where}"
            )
            params += [run_id, step_id]
        elif kind == Recipient.SUPERVISING_LEADER:
            selects.append(
                f"SELECT e.item_id, t.leader_id AS user_id {acting} "
                f"JOIN {_table(Finding)} f ON f.id = i.finding_id "
                f"JOIN {_table(Assignment)} a ON a.id = f.assignment_id "
                f"JOIN {_table(InspectionTeam)} t ON t.id = a.team_id {where}"
            )
            params += [run_id, step_id]
        elif kind == Recipient.PARTY_SECRETARY:
            selects.append(
                f"SELECT e.item_id, p.user_id {acting} "
                f"JOIN {_table(Person)} pe ON pe.org_unit_id = i.responsible_unit_id AND pe.is_active "
                f"JOIN {profile} p ON p.person_id = pe.id {where} "
                "AND pe.post LIKE %s AND pe.post NOT LIKE %s AND pe.post NOT LIKE %s"
            )
            params += [run_id, step_id, SECRETARY_POST, *NOT_SECRETARY_POSTS]
    return selects, params


def _titles(step: EscalationStep) -> tuple[str, str]:
    """The notification's title prefix (the unit's name follows) and body prefix, in the default language."""
    titles: dict[str, str] = {
        Level.REMINDER: _("Rectification reminder: "),
        Level.WARNING: _("Rectification warning (yellow): "),
        Level.SUPERVISION: _("Overdue rectification, supervision order (red): "),
        Level.NOTICE: _("Overdue rectification circulated: "),
        Level.ACCOUNTABILITY: _("Overdue rectification handed over for accountability: "),
    }
    bodies: dict[str, str] = {
        Level.REMINDER: _("The deadline is near; report progress in time."),
        Level.WARNING: _("The deadline is close and the item is not yet done."),
        Level.SUPERVISION: _("The deadline has passed; rectify at once and report."),
        Level.NOTICE: _("The item is still not rectified; it is circulated."),
        Level.ACCOUNTABILITY: _("The item is still not rectified; an accountability clue is opened."),
    }
    return str(titles.get(step.level, step.name)), str(bodies.get(step.level, step.name))


def _notify(step: EscalationStep, run: EscalationRun, now: dt.datetime) -> list[int]:
    """Write this run's notifications of one step in one statement; returns their ids."""
    selects, union_params = _recipient_selects(step.recipients or [], run.pk, step.pk)
    if not selects:
        return []
    title, body = _titles(step)
    url_head, url_tail = reverse("inspections:item_detail", args=[987654321]).split("987654321")
    sql = f"""
        INSERT INTO {_table(Notification)} (recipient_id, title, body, url, created_at)
        SELECT r.user_id,
               SUBSTR(%s || u.name, 1, 200),
               %s || %s || CAST(i.deadline AS TEXT) || %s || SUBSTR(i.requirement, 1, 1000),
               %s || CAST(i.id AS TEXT) || %s,
               %s
        FROM ({" UNION ".join(selects)}) r
        JOIN {_table(RectificationItem)} i ON i.id = r.item_id
        JOIN {_table(OrgUnit)} u ON u.id = i.responsible_unit_id
        JOIN {_table(User)} au ON au.id = r.user_id AND au.is_active
        RETURNING id
    """  # noqa: S608 - table names from the models' metadata; values are parameters
    params = [
        title,
        body,
        "\n" + _("Deadline: "),
        "\n" + _("Requirement: "),
        url_head,
        url_tail,
        now,
        *union_params,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


OVERSIGHT = {Recipient.DISCIPLINE_OFFICE: roles.CASE_OFFICER, Recipient.APPROVER: roles.APPROVER}


def _digest(step: EscalationStep, run: EscalationRun, now: dt.datetime) -> list[int]:
    """One notification per overseer (case officers, approvers) and step: how many items of their
    jurisdiction (the subtree of their profile's unit) reached the step today, linked to the list."""
    overseer_roles = [OVERSIGHT[kind] for kind in OVERSIGHT if kind in (step.recipients or [])]
    if not overseer_roles:
        return []
    title, body = _titles(step)
    url = f"{reverse('inspections:item_list')}?colour={step.colour}"
    placeholders = ", ".join(["%s"] * len(overseer_roles))
    sql = f"""
        WITH overseers AS (
            SELECT DISTINCT p.user_id, pu.path
            FROM {_table(Profile)} p
            JOIN {_table(OrgUnit)} pu ON pu.id = p.unit_id AND pu.path <> ''
            JOIN {_table(User)} au ON au.id = p.user_id AND au.is_active
            JOIN {_table(User.groups.through)} ug ON ug.user_id = p.user_id
            JOIN {_table(Group)} g ON g.id = ug.group_id AND g.name IN ({placeholders})
        )
        INSERT INTO {_table(Notification)} (recipient_id, title, body, url, created_at)
        SELECT o.user_id, %s || CAST(COUNT(*) AS TEXT) || %s, %s, %s, %s
        FROM {_table(Escalation)} e
        JOIN {_table(RectificationItem)} i ON i.id = e.item_id
        JOIN {_table(OrgUnit)} u ON u.id = i.responsible_unit_id
        JOIN overseers o ON u.path LIKE o.path || '%%'
        WHERE e.run_id = %s AND e.step_id = %s AND NOT e.superseded
        GROUP BY o.user_id
        RETURNING id
    """  # noqa: S608 - table names from the models' metadata; values are parameters
    params: list[Any] = [
        *overseer_roles,
        title,
        _(" items in your jurisdiction"),
        body,
        url,
        now,
        run.pk,
        step.pk,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def _chunks(values: Sequence[int], size: int) -> list[list[int]]:
    return [list(values[start : start + size]) for start in range(0, len(values), size)]


def run_escalation(day: dt.date | None = None) -> EscalationRun:
    """Fire every ladder step that has fallen due by `day` (today), once per item. Idempotent."""
    from .tasks import open_overdue_rectification_cases

    day = day or timezone.localdate()
    with translation.override(settings.LANGUAGE_CODE), transaction.atomic():
        with connection.cursor() as cursor:
            _lock_runs(cursor)
        steps = active_steps()
        signature = ladder_signature(steps)
        previous = EscalationRun.objects.order_by("-pk").values_list("ladder", flat=True).first()
        if previous != signature:
            schedule()
        run = EscalationRun.objects.create(day=day, ladder=signature)
        fired = _fire(run, day) if steps else 0
        now = timezone.now()
        notification_ids = (
            [pk for step in steps for pk in (*_notify(step, run, now), *_digest(step, run, now))]
            if fired
            else []
        )
        # Today's clue-opening steps, and those of earlier days still without their case: a clue whose
        # opening failed or whose task was lost is tried again the next day (opening one is idempotent),
        # while a rerun on the same day queues nothing more. One refused for a lasting reason waits for
        # an admin; those pending for days are reported to the admins, once.
        case_rows = list(
            Escalation.objects.filter(step__action=Action.OPEN_CASE, case__isnull=True, failure_lasting=False)
            .filter(Q(run=run) | Q(fired_on__lt=day))
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        report_clue_failures(
            Escalation.objects.filter(
                step__action=Action.OPEN_CASE,
                case__isnull=True,
                reported_on__isnull=True,
                fired_on__lte=day - dt.timedelta(days=CLUE_REPORT_AFTER_DAYS),
            ),
            day,
        )
        run.fired, run.notifications, run.cases_queued = fired, len(notification_ids), len(case_rows)
        run.finished_at = timezone.now()
        run.save(update_fields=["fired", "notifications", "cases_queued", "finished_at"])

        def queue() -> None:
            for chunk in _chunks(case_rows, CASE_CHUNK):
                open_overdue_rectification_cases.delay(chunk)

        # On-commit callbacks run in the order they were registered: the e-mails are queued first.
        email_on_commit(notification_ids, chunk=EMAIL_CHUNK)
        transaction.on_commit(queue)
    logger.info(
        "escalation %s: %d steps fired, %d notifications, %d clues queued",
        day,
        run.fired,
        run.notifications,
        run.cases_queued,
    )
    return run


# --- Opening the clue of an overdue item ---------------------------------------------------------


def open_overdue_case(escalation_id: int, *, on: dt.date | None = None) -> Any:
    """Open the `draft` case (source 整改逾期) of one fired open_case step, once; returns it or None."""
    from cases import actions as case_actions
    from cases.models import CaseSource

    with transaction.atomic():
        escalation = (
            Escalation.objects.select_for_update(of=("self",))
            .select_related(
                "item__responsible_unit", "item__responsible_person", "item__finding__assignment__unit"
            )
            .filter(pk=escalation_id, case__isnull=True, step__action=Action.OPEN_CASE)
            .first()
        )
        if escalation is None:
            return None
        item = escalation.item
        on = on or timezone.localdate()
        targets = [case_actions.TargetSpec(org_unit=item.responsible_unit)]
        if item.responsible_person is not None:
            targets.append(case_actions.TargetSpec(person=item.responsible_person))
        with translation.override(settings.LANGUAGE_CODE):
            data = case_actions.CaseData(
                title=_("Rectification overdue: %(unit)s") % {"unit": item.responsible_unit.name},
                source=CaseSource.OVERDUE_RECTIFICATION,
                summary=_(
                    "The rectification item set by the inspection of %(inspected)s was due on %(deadline)s "
                    "and is still not rectified.\nRequirement: %(requirement)s"
                )
                % {
                    "inspected": item.finding.assignment.unit.name,
                    "deadline": item.deadline.isoformat(),
                    "requirement": item.requirement,
                },
                conduct_date=min(item.deadline + dt.timedelta(days=1), on),
                unit=item.responsible_unit,
                targets=targets,
            )
        case = case_actions.create_case(data, by=None, now=on)
        escalation.case = case
        escalation.save(update_fields=["case"])
        return case


def open_overdue_cases(escalation_ids: Iterable[int], on: dt.date | None = None) -> int:
    """Open each clue; one failing must not block the others. A refusal is recorded and reported."""
    from cases.actions import CaseActionError

    on = on or timezone.localdate()
    opened = 0
    refused: list[int] = []
    for escalation_id in escalation_ids:
        try:
            with translation.override(settings.LANGUAGE_CODE):
                opened += open_overdue_case(escalation_id, on=on) is not None
        except CaseActionError as error:
            logger.warning("the clue of escalation %s was refused: %s", escalation_id, error)
            _record_failure(escalation_id, "；".join(error.messages), lasting=True, on=on)
            refused.append(escalation_id)
        except Exception as error:
            # Perhaps passing (the database, the broker): tried again by the next day's run.
            logger.exception("could not open the clue of escalation %s", escalation_id)
            _record_failure(escalation_id, f"{type(error).__name__}: {error}"[:1000], lasting=False, on=on)
    if refused:
        report_clue_failures(Escalation.objects.filter(pk__in=refused), on)
    return opened


def _record_failure(escalation_id: int, reason: str, *, lasting: bool, on: dt.date) -> None:
    Escalation.objects.filter(pk=escalation_id, case__isnull=True).update(
        failure=reason, failed_on=on, failure_lasting=lasting
    )


def report_clue_failures(escalations: QuerySet[Escalation], on: dt.date) -> int:
    """Tell the admins, once, about the clues among `escalations` not yet reported; returns how many.

    Each row is claimed by setting `reported_on` under a row lock (rows another worker holds are left
    to it), so a clue is reported once however many runs and workers see it.
    """
    # Inside the daily run's transaction no savepoint is needed: a failure here fails the run.
    with transaction.atomic(savepoint=False):
        rows = list(
            escalations.filter(case__isnull=True, reported_on__isnull=True)
            .select_for_update(of=("self",), skip_locked=True)
            .select_related("item__responsible_unit")
            .order_by("pk")
        )
        if not rows:
            return 0
        admins = list(User.objects.filter(groups__name=roles.ADMIN, is_active=True).distinct())
        if not admins:
            # Left unreported, so that the first admin account to exist is told.
            logger.error(
                "%d overdue-rectification clues could not be opened and no admin can be told", len(rows)
            )
            return 0
        Escalation.objects.filter(pk__in=[row.pk for row in rows]).update(reported_on=on)
        with translation.override(settings.LANGUAGE_CODE):
            lines = [_failure_line(row) for row in rows[:FAILURE_LINES]]
            if len(rows) > FAILURE_LINES:
                lines.append(_("…and %(count)d more.") % {"count": len(rows) - FAILURE_LINES})
            title = (
                _("An overdue-rectification clue could not be opened: %(unit)s")
                % {"unit": rows[0].item.responsible_unit.name}
                if len(rows) == 1
                else _("%(count)d overdue-rectification clues could not be opened") % {"count": len(rows)}
            )
            advice = _(
                "Those refused for a reason in their data are not tried again by themselves: once the cause "
                "is corrected, choose “Try opening the clues again” in the admin, or register the clue by "
                "hand. The others are tried again every day."
            )
            notify(admins, title=title, body="\n".join([*lines, "", advice]), url=failed_clues_url())
    return len(rows)


def _failure_line(row: Escalation) -> str:
    item = row.item
    reason = row.failure or _("the task that opens it has not run (its message may have been lost)")
    return _("%(unit)s: %(requirement)s (deadline %(deadline)s). Reason: %(reason)s") % {
        "unit": item.responsible_unit.name,
        "requirement": " ".join(item.requirement.split())[:60],
        "deadline": chinese_date(item.deadline),
        "reason": reason,
    }


def failed_clues_url() -> str:
    """The admin's list of the clues that could not be opened."""
    return f"{reverse('admin:inspections_escalation_changelist')}?clue=failed"


def retry_clues(escalation_ids: Iterable[int]) -> list[int]:
    """An admin corrected the cause: clear the failure and queue the clues again; returns their ids."""
    from .tasks import open_overdue_rectification_cases

    with transaction.atomic():
        ids = list(
            Escalation.objects.select_for_update(of=("self",))
            .filter(pk__in=list(escalation_ids), case__isnull=True, step__action=Action.OPEN_CASE)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        Escalation.objects.filter(pk__in=ids).update(
            failure="", failed_on=None, failure_lasting=False, reported_on=None
        )

        def queue() -> None:
            for chunk in _chunks(ids, CASE_CHUNK):
                open_overdue_rectification_cases.delay(chunk)

        transaction.on_commit(queue)
    return ids


# --- Recipients for ordinary notifications -------------------------------------------------------


def handlers_of(item: RectificationItem) -> list[User]:
    """The responsible unit's contacts and the responsible person's login."""
    handler = Q(profile__unit_id=item.responsible_unit_id, groups__name=roles.UNIT_CONTACT)
    if item.responsible_person_id is not None:
        handler |= Q(profile__person_id=item.responsible_person_id)
    return list(User.objects.filter(handler, is_active=True).distinct())
