"""Benchmark: one escalation run over 1,000,000 rectification items (10% overdue) in PostgreSQL.

    .venv/bin/python bench/escalation.py [--items 1000000] [--sample 2000]

Uses its own database (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/acc_bench_inspections),
created and migrated on first use. The items are seeded once with INSERT … SELECT generate_series; each
invocation clears the escalations and notifications of earlier invocations and then:

1. times yesterday's run, the first one ever: it catches up with every item in reach of a step;
2. for today's run, the daily one, runs a naive per-item loop (the ORM, one item at a time: check each
   step, insert, resolve recipients, notify) on a random sample of the items the run has to look at, in
   a transaction rolled back afterwards, and scales its time and query count to all of them;
3. times today's real run (`inspections.escalation.run_escalation`) and counts its queries;
4. times a second run today, which must fire nothing.

The Celery messages queued on commit (e-mails, clue opening) are counted, not sent: publishing them is
the broker's work, not the run's.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import time
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/acc_bench_inspections"
os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accountability.settings.test")

UNITS = 200
FINDINGS = 20


def ensure_database(url: str) -> None:
    import psycopg2
    from psycopg2 import sql

    name = url.rsplit("/", 1)[1]
    connection = psycopg2.connect(url.rsplit("/", 1)[0] + "/postgres")
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    connection.close()


def seed(items: int, today: dt.date) -> None:
    """Units, people, logins of every recipient kind, a round, and `items` items (10% overdue)."""
    from django.contrib.auth.models import Group, User
    from django.db import connection, transaction

    from accountability import roles
    from accountability.models import OrgUnit, Person, Profile
    from accountability.services.units import rebuild_unit_paths
    from inspections import actions
    from inspections.models import Finding, InspectionRound, InspectionTeam, RectificationItem

    if RectificationItem.objects.count() == items:
        return
    print(f"seeding {items:,} rectification items…", flush=True)
    started = time.perf_counter()
    with transaction.atomic():
        with connection.cursor() as cursor:  # a different size: start again (no ORM cascade over 1M rows)
            cursor.execute(f"TRUNCATE {RectificationItem._meta.db_table} CASCADE")
        root, _ = OrgUnit.objects.get_or_create(code="B-ROOT", defaults={"name": "基准县委"})
        OrgUnit.objects.bulk_create(
            [OrgUnit(code=f"B-{n:04d}", name=f"基准单位{n}", parent=root) for n in range(UNITS)],
            ignore_conflicts=True,
        )
        rebuild_unit_paths()
        units = list(OrgUnit.objects.filter(code__startswith="B-0").order_by("code"))
        groups = {group.name: group for group in Group.objects.filter(name__in=roles.ROLES)}

        def login(username: str, role: str, unit: OrgUnit, person: Person | None = None) -> User:
            user, _ = User.objects.get_or_create(username=username)
            user.groups.add(groups[role])
            Profile.objects.get_or_create(user=user, defaults={"unit": unit, "person": person})
            return user

        login("bench_officer", roles.CASE_OFFICER, root)
        login("bench_approver", roles.APPROVER, root)
        for number, unit in enumerate(units):
            login(f"bench_contact_{number}", roles.UNIT_CONTACT, unit)
        leader = login("bench_leader", roles.INSPECTION_LEADER, root)
        round_, _ = InspectionRound.objects.get_or_create(name="基准轮次", defaults={"year": today.year})
        team, _ = InspectionTeam.objects.get_or_create(
            round=round_, name="基准巡察组", defaults={"leader": leader}
        )
        actions.sync_team_permissions(team)
        assignment = (
            actions.create_assignment(team, units[0])
            if not team.assignments.exists()
            else team.assignments.get()
        )
        if not Finding.objects.filter(assignment=assignment).exists():
            Finding.objects.bulk_create(
                [
                    Finding(
                        assignment=assignment,
                        category="other",
                        description=f"基准问题{n}",
                        logged_by=leader,
                        status="verified",
                    )
                    for n in range(FINDINGS)
                ]
            )
        findings = list(Finding.objects.filter(assignment=assignment).values_list("pk", flat=True))
        unit_ids = [unit.pk for unit in units]
        with connection.cursor() as cursor:
            # Every tenth item overdue by 1–45 days; the others due in 1–180 days.
            cursor.execute(
                f"""
                INSERT INTO {RectificationItem._meta.db_table}
                    (finding_id, responsible_unit_id, requirement, deadline, status, created_at)
                SELECT (%s::bigint[])[1 + n %% {FINDINGS}],
                       (%s::bigint[])[1 + (n / 7) %% {UNITS}],
                       '整改要求' || n,
                       CASE WHEN n %% 10 = 0 THEN %s::date - (1 + (n / 10) %% 45)
                            ELSE %s::date + (1 + n %% 180) END,
                       'open',
                       now()
                FROM generate_series(1, %s) AS n
                """,
                [findings, unit_ids, today, today, items],
            )
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {RectificationItem._meta.db_table}")
    print(f"seeded in {time.perf_counter() - started:.1f} s", flush=True)


def clear() -> None:
    from django.db import connection

    from accountability.models import Notification
    from cases.models import Case
    from inspections.models import Escalation, EscalationRun

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE "
            + ", ".join(model._meta.db_table for model in (Escalation, EscalationRun, Notification))
        )
    assert not Case.objects.exists()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def naive_loop(item_ids: list[int], today: dt.date) -> None:
    """What the task would be without set-based SQL: per item, per step, one decision at a time."""
    from django.contrib.auth.models import User
    from django.db.models import Q

    from accountability import roles
    from accountability.notifications import notify
    from inspections.escalation import handlers_of
    from inspections.models import Action, Escalation, EscalationRun, EscalationStep, RectificationItem

    run = EscalationRun.objects.create(day=today)
    steps = list(EscalationStep.objects.filter(active=True).order_by("-offset_days"))
    for item_id in item_ids:
        item = RectificationItem.objects.select_related(
            "responsible_unit", "finding__assignment__team__leader"
        ).get(pk=item_id)
        if not item.is_active:
            continue
        acted = False
        for step in steps:
            if step.due_on(item.deadline) > today or Escalation.objects.filter(item=item, step=step).exists():
                continue
            higher = Escalation.objects.filter(item=item, step__offset_days__gt=step.offset_days).exists()
            Escalation.objects.create(
                item=item, step=step, run=run, fired_on=today, superseded=acted or higher
            )
            if acted or higher:
                continue
            acted = True
            recipients: list[User] = []
            if "handler" in step.recipients:
                recipients += handlers_of(item)
            if "supervising_leader" in step.recipients:
                recipients.append(item.finding.assignment.team.leader)
            for kind, role in (("discipline_office", roles.CASE_OFFICER), ("approver", roles.APPROVER)):
                if kind in step.recipients:
                    recipients += [
                        user
                        for user in User.objects.filter(groups__name=role).select_related("profile__unit")
                        if user.profile.unit and item.responsible_unit.path.startswith(user.profile.unit.path)
                    ]
            if "party_secretary" in step.recipients:
                recipients += list(
                    User.objects.filter(
                        Q(profile__person__org_unit=item.responsible_unit),
                        profile__person__post__contains="书记",
                    )
                )
            notify(recipients, title=f"{step.name}：{item.responsible_unit.name}", body=item.requirement)
            if step.action == Action.OPEN_CASE:
                pass  # queued by id, as in the real run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--sample", type=int, default=2_000, help="items of the naive loop's sample")
    args = parser.parse_args()
    ensure_database(os.environ["DATABASE_URL"])

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from inspections.escalation import run_escalation
    from inspections.models import ACTIVE_STATUSES, EscalationRun, EscalationStep, RectificationItem

    call_command("migrate", verbosity=0)
    today = dt.date(2026, 11, 30)
    seed(args.items, today)
    clear()

    reach = today - dt.timedelta(
        days=min(EscalationStep.objects.filter(active=True).values_list("offset_days", flat=True))
    )
    candidates = list(
        RectificationItem.objects.filter(status__in=ACTIVE_STATUSES, deadline__lte=reach).values_list(
            "pk", flat=True
        )
    )
    sample = random.Random(4).sample(candidates, min(args.sample, len(candidates)))
    queued = {"email": 0, "cases": 0}

    def counting(kind: str):
        return lambda chunk: queued.__setitem__(kind, queued[kind] + len(chunk))

    def timed(day: dt.date) -> tuple[float, int, EscalationRun]:
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            run = run_escalation(day)
            return time.perf_counter() - started, len(queries), run

    with (
        mock.patch("accountability.tasks.email_notifications.delay", side_effect=counting("email")),
        mock.patch("inspections.tasks.open_overdue_rectification_cases.delay", side_effect=counting("cases")),
    ):
        # Yesterday's run: the first ever, catching up with every item in reach.
        catch_up_seconds, catch_up_queries, catch_up = timed(today - dt.timedelta(days=1))
        # Today's run, the daily one: the naive loop first (rolled back), then the real one.
        with transaction.atomic(), CaptureQueriesContext(connection) as naive_queries:
            started = time.perf_counter()
            naive_loop(sample, today)
            naive_seconds = time.perf_counter() - started
            transaction.set_rollback(True)
        scale = len(candidates) / len(sample)
        run_seconds, run_queries, run = timed(today)
        rerun_seconds, rerun_queries, rerun = timed(today)

    naive_total = naive_seconds * scale
    print(f"items: {RectificationItem.objects.count():,}; within reach of a step today: {len(candidates):,}")
    print(
        f"first run (yesterday, catching up): {catch_up_seconds:.2f} s, {catch_up_queries} queries; "
        f"fired {catch_up.fired:,} steps, {catch_up.notifications:,} notifications, "
        f"{catch_up.cases_queued:,} clues queued"
    )
    print(
        f"naive per-item loop, today: {len(sample):,} sampled items in {naive_seconds:.2f} s, "
        f"{len(naive_queries):,} queries → scaled ×{scale:.1f}: {naive_total:.0f} s, "
        f"{len(naive_queries) * scale:,.0f} queries"
    )
    print(
        f"set-based run, today: {run_seconds:.2f} s, {run_queries} queries; "
        f"fired {run.fired:,} steps, {run.notifications:,} notifications, {run.cases_queued:,} clues queued"
    )
    print(f"second run today: {rerun_seconds:.2f} s, {rerun_queries} queries, fired {rerun.fired}")
    print(
        "Celery messages counted, not sent: "
        f"e-mails for {queued['email']:,} notifications, {queued['cases']:,} clues"
    )
    print(f"speed-up of today's run over the naive loop: ×{naive_total / run_seconds:.0f}")
    if run_seconds > 10 or naive_total / run_seconds < 50 or rerun.fired:
        print("GOAL MISSED: under 10 s, at least 50× the naive loop, nothing fired twice")
        sys.exit(1)


if __name__ == "__main__":
    main()
