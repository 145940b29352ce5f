"""Benchmark of the petitions app, as ratios against baselines measured in the same run.

1. The petition list's query (permission filter, personal-data flag, overdue filter, count and first page)
   against the same page read without any permission logic, at 2,000 and 20,000 petitions.
2. The daily supervision run (missed, open, remind) for 100 and 1,000 units: time and query count.

Runs on a scratch PostgreSQL database of its own (`bench_petitions`, created and dropped here):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/acc_petitions .venv/bin/python bench/petition_work.py
"""

from __future__ import annotations

import datetime as dt
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accountability.settings.test")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

REPEAT = 7


def timed(function: Callable[[], object]) -> float:
    """Median wall time of REPEAT runs, after one warm-up run."""
    function()
    samples = []
    for _ in range(REPEAT):
        start = time.perf_counter()
        function()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def build_tree(units: int) -> list:
    from registry.models import OrgUnit
    from registry.services.units import save_unit

    root = OrgUnit.objects.filter(code="B-ROOT").first() or save_unit(
        OrgUnit(code="B-ROOT", name="基准县委", kind=OrgUnit.Kind.PARTY_COMMITTEE)
    )
    existing = OrgUnit.objects.filter(code__startswith="B-U").count()
    for index in range(existing, units - 1):
        save_unit(OrgUnit(code=f"B-U{index:04d}", name=f"基准单位{index}", parent=root))
    return list(OrgUnit.objects.filter(root.subtree_filter()))


def add_petitions(total: int, units: list, officer) -> None:
    from petitions.models import Petition

    rng = random.Random(20261130)
    today = dt.date(2026, 11, 30)
    start = Petition.objects.count()
    rows = []
    for number in range(start + 1, total + 1):
        received = today - dt.timedelta(days=rng.randrange(0, 365))
        state = rng.choice(["registered", "accepted", "handling", "concluded", "handling"])
        rows.append(
            Petition(
                year=2026,
                sequence=number,
                channel="letter",
                received_on=received,
                subject=f"基准信访事项{number}",
                content="……",
                petitioner_name="张某",
                petitioner_phone="13800001111",
                responsible_unit=rng.choice(units),
                state=state,
                next_due_on=None
                if state == "concluded"
                else received + dt.timedelta(days=rng.choice((15, 75))),
                registered_by=officer,
            )
        )
    Petition.objects.bulk_create(rows, batch_size=2000)


def list_page(user) -> Callable[[], object]:
    from petitions.access import petitions_for_user

    def run() -> object:
        queryset = (
            petitions_for_user(user)
            .filter(next_due_on__lt=dt.date(2026, 11, 30))
            .order_by("-year", "-sequence")
        )
        return queryset.count(), list(queryset[:30])

    return run


def baseline_page() -> object:
    from petitions.models import Petition

    queryset = Petition.objects.filter(next_due_on__lt=dt.date(2026, 11, 30)).order_by("-year", "-sequence")
    return queryset.count(), list(queryset.select_related("responsible_unit")[:30])


def supervision_run(year: int) -> tuple[float, int, float]:
    """Median time and query count of the October run, each repeat from the same starting point (last
    year's plans open, this year's not yet): only the run itself is timed."""
    from petitions import actions
    from petitions.models import SupervisionPlan, SupervisionReminder

    def reset() -> None:
        # Raw deletes: the benchmark's own clean-up must not spend its time in history signals.
        SupervisionReminder.objects.all()._raw_delete(connection.alias)
        SupervisionPlan.objects.all()._raw_delete(connection.alias)
        actions.open_plans(year - 1)

    samples, in_database = [], []
    queries = 0
    for repeat in range(REPEAT + 1):
        reset()
        with CaptureQueriesContext(connection) as context:
            start = time.perf_counter()
            actions.run_annual_supervision(dt.date(year, 10, 8))
            elapsed = time.perf_counter() - start
        queries = len(context.captured_queries)
        if repeat:  # the first run warms up
            samples.append(elapsed)
            in_database.append(sum(float(query["time"]) for query in context.captured_queries))
    return statistics.median(samples), queries, statistics.median(in_database)


def main() -> None:
    from django.contrib.auth.models import Group, User

    from accountability import roles
    from accountability.celery import app
    from registry.models import Profile

    # The notifications' e-mails run in-process: a benchmark puts nothing on a shared broker.
    app.conf.task_always_eager = True
    settings.DATABASES["default"]["TEST"]["NAME"] = "bench_petitions"
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        units = build_tree(100)
        officer = User.objects.create_user("bench_officer")
        officer.groups.add(Group.objects.get(name=roles.PETITION_OFFICER))
        approver = User.objects.create_user("bench_approver")
        approver.groups.add(Group.objects.get(name=roles.APPROVER))
        for user in (officer, approver):
            Profile.objects.create(user=user, unit=units[0])
        reset_queries()

        print("petition list (overdue filter, first page and count) against the bare query")
        for total in (2_000, 20_000):
            add_petitions(total, units, officer)
            connection.cursor().execute("ANALYZE petitions_petition")
            base = timed(baseline_page)
            for label, user in (
                ("petition officer", User.objects.get(pk=officer.pk)),
                ("approver", User.objects.get(pk=approver.pk)),
            ):
                page = timed(list_page(user))
                print(f"  {total:>6} petitions, {label:<16} {page * 1000:7.2f} ms  ratio {page / base:4.2f}")
            print(f"  {total:>6} petitions, baseline         {base * 1000:7.2f} ms")

        print("daily supervision run on 8 October (missed + open + escalate)")
        small_time, small_queries, small_db = supervision_run(2026)
        build_tree(1_000)
        large_time, large_queries, large_db = supervision_run(2026)
        for label, seconds, in_db, count in (
            ("100 units:  ", small_time, small_db, small_queries),
            ("1,000 units:", large_time, large_db, large_queries),
        ):
            print(
                f"  {label} {seconds * 1000:7.1f} ms ({in_db * 1000:.1f} ms in the database), {count} queries"
            )
        time_ratio, query_ratio = large_time / small_time, large_queries / small_queries
        print(f"  ratio 1,000/100 units (×10 units): time {time_ratio:4.2f}, queries {query_ratio:4.2f}")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
