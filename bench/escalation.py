"""Benchmark: the daily escalation run over 1,000,000 rectification items (10% overdue) in PostgreSQL.

    .venv/bin/python bench/escalation.py [--items 100000 1000000] [--sample 2000]

Each size runs in its own process on its own database (BENCH_DATABASE_URL plus `_<items>`, default
postgres://postgres@127.0.0.1:5432/acc_bench_inspections_<items>), created, migrated and seeded once with
INSERT … SELECT generate_series. Each invocation puts every item back on the first rung of the ladder,
clears the escalations and notifications of earlier invocations, and then:

1. times yesterday's run, the first one ever: it plans every item's next due day (the ladder is new to
   it) and catches up with every item in reach of a step;
2. for today's run, the daily one, runs a naive per-item loop (the ORM, one item at a time: check each
   step, insert, resolve recipients, notify) on a random sample of the items in reach of a step, in a
   transaction rolled back afterwards, and scales its time and query count to all of them;
3. times today's real run (`inspections.escalation.run_escalation`) and counts its queries;
4. times a second run today, which must fire nothing.

Queries are counted with `connection.execute_wrapper` (no cap, unlike Django's 9,000-entry query log).
The Celery messages queued on commit (e-mails, clue opening) are counted, not sent: publishing them is
the broker's work, not the run's. The goals (issue 4) are checked at the largest size: today's run under
10 s and at least 50× faster than the naive loop; its query count the same at every size.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/acc_bench_inspections"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accountability.settings.test")
RESULT = "RESULT "

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
    from inspections import actions
    from inspections.models import Finding, InspectionRound, InspectionTeam, RectificationItem
    from registry.models import OrgUnit, Person, Profile
    from registry.services.units import rebuild_unit_paths

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
    print(f"seeded in {time.perf_counter() - started:.1f} s", flush=True)


def clear() -> None:
    """Every item back on the first rung (as `actions.set_rectification` leaves it); no escalation,
    run or notification left from an earlier invocation."""
    from django.db import connection

    from accountability.models import Notification
    from cases.models import Case
    from inspections.escalation import active_steps
    from inspections.models import Escalation, EscalationRun, RectificationItem

    first_offset = min(step.offset_days for step in active_steps())
    table = RectificationItem._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE "
            + ", ".join(model._meta.db_table for model in (Escalation, EscalationRun, Notification))
        )
        cursor.execute(
            f"""
            UPDATE {table} SET escalation_due_on = deadline + %s
            WHERE escalation_due_on IS DISTINCT FROM deadline + %s
            """,
            [first_offset, first_offset],
        )
    assert not Case.objects.exists()
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {table}")
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


class QueryCounter:
    """Counts every statement sent through Django's connection (`connection.execute_wrapper`)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        self.count += 1
        return execute(sql, params, many, context)


def measure(items: int, sample_size: int) -> dict[str, Any]:
    """One size, in this process: seed, clear, then the four timed steps. Prints as it goes."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from inspections.escalation import run_escalation
    from inspections.models import ACTIVE_STATUSES, EscalationRun, EscalationStep, RectificationItem

    call_command("migrate", verbosity=0)
    today = dt.date(2026, 11, 30)
    seed(items, today)
    clear()

    reach = today - dt.timedelta(
        days=min(EscalationStep.objects.filter(active=True).values_list("offset_days", flat=True))
    )
    candidates = list(
        RectificationItem.objects.filter(status__in=ACTIVE_STATUSES, deadline__lte=reach).values_list(
            "pk", flat=True
        )
    )
    sample = random.Random(4).sample(candidates, min(sample_size, len(candidates)))
    queued = {"email": 0, "cases": 0}

    def counting(kind: str) -> Callable[[list[int]], None]:
        return lambda chunk: queued.__setitem__(kind, queued[kind] + len(chunk))

    def timed(day: dt.date) -> tuple[float, int, EscalationRun]:
        counter = QueryCounter()
        with connection.execute_wrapper(counter):
            started = time.perf_counter()
            run = run_escalation(day)
            return time.perf_counter() - started, counter.count, run

    with (
        mock.patch("accountability.tasks.email_notifications.delay", side_effect=counting("email")),
        mock.patch("inspections.tasks.open_overdue_rectification_cases.delay", side_effect=counting("cases")),
    ):
        # Yesterday's run: the first ever, planning every item and catching up with every item in reach.
        catch_up_seconds, catch_up_queries, catch_up = timed(today - dt.timedelta(days=1))
        due_today = RectificationItem.objects.filter(
            status__in=ACTIVE_STATUSES, escalation_due_on__lte=today
        ).count()
        # Today's run, the daily one: the naive loop first (rolled back), then the real one.
        naive_counter = QueryCounter()
        with transaction.atomic(), connection.execute_wrapper(naive_counter):
            started = time.perf_counter()
            naive_loop(sample, today)
            naive_seconds = time.perf_counter() - started
            transaction.set_rollback(True)
        scale = len(candidates) / len(sample)
        run_seconds, run_queries, run = timed(today)
        rerun_seconds, rerun_queries, rerun = timed(today)

    naive_total = naive_seconds * scale
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"items: {RectificationItem.objects.count():,}; within reach of a step today: {len(candidates):,}")
    print(f"machine: {os.cpu_count()} cores, load average {load} (1, 5, 15 min) after the runs")
    print(
        "first run (yesterday, planning and catching up): "
        f"{catch_up_seconds:.2f} s, {catch_up_queries} queries; "
        f"fired {catch_up.fired:,} steps, {catch_up.notifications:,} notifications, "
        f"{catch_up.cases_queued:,} clues queued"
    )
    print(
        f"naive per-item loop, today: {len(sample):,} sampled items in {naive_seconds:.2f} s, "
        f"{naive_counter.count:,} queries → scaled ×{scale:.1f}: {naive_total:.0f} s, "
        f"{naive_counter.count * scale:,.0f} queries"
    )
    print(
        f"set-based run, today: {run_seconds:.2f} s, {run_queries} queries; "
        f"{due_today:,} items with a step due; fired {run.fired:,} steps, "
        f"{run.notifications:,} notifications, {run.cases_queued:,} clues queued"
    )
    print(f"second run today: {rerun_seconds:.2f} s, {rerun_queries} queries, fired {rerun.fired}")
    print(
        "Celery messages counted, not sent: "
        f"e-mails for {queued['email']:,} notifications, {queued['cases']:,} clues"
    )
    print(f"speed-up of today's run over the naive loop: ×{naive_total / run_seconds:.0f}", flush=True)
    return {
        "items": items,
        "in_reach": len(candidates),
        "due_today": due_today,
        "catch_up_seconds": catch_up_seconds,
        "catch_up_queries": catch_up_queries,
        "catch_up_fired": catch_up.fired,
        "naive_seconds": naive_total,
        "naive_queries": round(naive_counter.count * scale),
        "run_seconds": run_seconds,
        "run_queries": run_queries,
        "run_fired": run.fired,
        "run_notifications": run.notifications,
        "rerun_seconds": rerun_seconds,
        "rerun_queries": rerun_queries,
        "rerun_fired": rerun.fired,
        "speed_up": naive_total / run_seconds,
        "load": load,
    }


def database_url(items: int) -> str:
    return f"{os.environ.get('BENCH_DATABASE_URL', DEFAULT_URL)}_{items}"


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--items", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--sample", type=int, default=2_000, help="items of the naive loop's sample")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:  # one size, in its own process, on its own database
        (items,) = args.items
        os.environ["DATABASE_URL"] = database_url(items)
        ensure_database(os.environ["DATABASE_URL"])
        print(RESULT + json.dumps(measure(items, args.sample)), flush=True)
        return

    results = []
    for items in sorted(args.items):
        print(f"== {items:,} items", flush=True)
        command = [sys.executable, __file__, "--child", "--items", str(items), "--sample", str(args.sample)]
        with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as child:
            assert child.stdout is not None
            for line in child.stdout:
                if line.startswith(RESULT):
                    results.append(json.loads(line.removeprefix(RESULT)))
                else:
                    print(line, end="", flush=True)
        if child.returncode:
            sys.exit(child.returncode)

    print("\n| items | daily run | queries | naive loop (scaled) | speed-up | second run | queries |")
    print("|---|---|---|---|---|---|---|")
    for r in results:
        print(
            f"| {r['items']:,} | {r['run_seconds']:.2f} s | {r['run_queries']} | {r['naive_seconds']:,.0f} s "
            f"| ×{r['speed_up']:.0f} | {r['rerun_seconds']:.3f} s | {r['rerun_queries']} |"
        )
    largest = results[-1]
    missed = [
        text
        for text, failed in (
            ("the daily run under 10 s", largest["run_seconds"] >= 10),
            ("at least 50× the naive loop", any(r["speed_up"] < 50 for r in results)),
            ("the same query count at every size", len({r["run_queries"] for r in results}) != 1),
            ("nothing fired twice", any(r["rerun_fired"] for r in results)),
        )
        if failed
    ]
    if missed:
        print("GOAL MISSED: " + "; ".join(missed))
        sys.exit(1)
    print("goals met: " + ", ".join(["under 10 s", "≥ 50× the naive loop", "constant query count"]))


if __name__ == "__main__":
    main()
