"""Benchmark of the case pages on PostgreSQL with 200,000 cases.

Seeds (once) a bench database with the demo registry and N cases spread over every state and 8 years,
each with targets, a situation clause, decided forms where decided, and the object permissions the
actions grant to its lead officer (40 officers share the cases; 2% are confidential). The measured user
is a case officer whose jurisdiction is the whole county: every non-confidential case is visible to them.
Then times, in the same process, p50/p95 server time and the query count of: the case list, filtered
lists, searches, the detail page, and as the baseline the Django admin changelist of the same model.

    python bench/cases_list.py [--cases 200000] [--requests 40] [--database acc_bench_cases]

Server time is measured around Django's test client (middleware, view, template; no network).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def configure(database: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accountability.settings.test")
    os.environ["DATABASE_URL"] = os.environ.get(
        "BENCH_DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/{database}"
    )
    import psycopg2

    admin = psycopg2.connect(host="127.0.0.1", user="postgres", dbname="postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{database}"')
    admin.close()
    import django

    django.setup()


STATES_WITH_DEADLINES = ("delivered", "responded", "appealed")
OFFICERS = 40  # cases are led by 40 officers; the measured one leads 1/40 and sees all by jurisdiction


def seed(total: int) -> None:
    from django.contrib.auth.models import Permission, User
    from django.core.management import call_command
    from django.db import transaction
    from django.db.models import F

    from accountability import demo as login_demo
    from cases.models import (
        Case,
        CaseSource,
        CaseState,
        CaseUserObjectPermission,
        DecidedForm,
        Form,
        Measure,
        Target,
        form_bit,
    )
    from registry import demo as registry_demo
    from registry.models import Clause, OrgUnit, Person, Regulation

    call_command("migrate", verbosity=0)
    registry_demo.seed()  # the demo county's units and people
    login_demo.seed()  # the demo logins, case_officer among them
    from django.contrib.auth.models import Group

    from registry.models import Profile

    officer_group = Group.objects.get(name="case_officer")
    root = OrgUnit.objects.get(code="YA-00")
    officers = [User.objects.get(username="case_officer")]
    for number in range(1, OFFICERS):
        user, created = User.objects.get_or_create(username=f"bench_officer_{number:02d}")
        if created:
            user.groups.add(officer_group)
            Profile.objects.create(user=user, unit=root)
        officers.append(user)
    existing = Case.objects.count()
    if existing >= total:
        print(f"bench database already holds {existing} cases")
        return
    print(f"seeding {total - existing} cases ...", flush=True)
    rng = random.Random(42)
    units = list(OrgUnit.objects.exclude(depth=0))
    people_by_unit: dict[int, list[int]] = {}
    for pk, unit_id in Person.objects.values_list("pk", "org_unit_id"):
        people_by_unit.setdefault(unit_id, []).append(pk)
    regulation = Regulation.objects.get(code="ccp-accountability-2019")
    situations = list(
        Clause.objects.filter(regulation=regulation, kind="situation").values_list("pk", flat=True)
    )
    perms = {
        p.codename: p
        for p in Permission.objects.filter(
            content_type__app_label="cases", codename__in=["view_case", "change_case"]
        )
    }
    states = [s.value for s in CaseState]
    decided_states = {"decided", "delivered", "responded", "appealed", "closed"}
    today = dt.date(2026, 11, 30)
    batch = 5000
    sequence_start = Case.objects.filter(year=2026).count()
    through = Case.situations.through
    start = time.perf_counter()
    for offset in range(existing, total, batch):
        size = min(batch, total - offset)
        with transaction.atomic():
            cases = []
            for i in range(size):
                n = offset + i
                state = states[n % len(states)]
                unit = units[n % len(units)]
                year = 2019 + n % 8
                decided = state in decided_states
                cases.append(
                    Case(
                        year=year,
                        sequence=n + 1 + sequence_start,
                        title=f"{unit.name}第{n}号问题线索",
                        source=CaseSource.values[n % len(CaseSource.values)],
                        summary="基准测试数据。",
                        conduct_date=dt.date(year - 1, 1 + n % 12, 1 + n % 28),
                        regulation=regulation,
                        unit=unit,
                        lead_officer=officers[n % OFFICERS],
                        confidential=n % 50 == 0,
                        state=state,
                        decision_date=dt.date(year, 1 + n % 12, 1 + n % 28) if decided else None,
                        delivered_on=dt.date(year, 1 + n % 12, 1 + n % 28)
                        if state in ("delivered", "responded", "appealed", "closed")
                        else None,
                        next_due_on=today - dt.timedelta(days=rng.randint(-60, 60))
                        if state in ("delivered", "responded", "appealed")
                        else None,
                        created_by=officers[n % OFFICERS],
                    )
                )
            Case.objects.bulk_create(cases, batch_size=batch)
            targets, links, grants = [], [], []
            for case in cases:
                targets.append(Target(case=case, org_unit=case.unit, responsibility="full_leadership"))
                people = people_by_unit.get(case.unit_id) or []
                if people:
                    targets.append(
                        Target(
                            case=case,
                            person_id=people[case.sequence % len(people)],
                            responsibility="principal_leadership",
                        )
                    )
                links.append(through(case_id=case.pk, clause_id=situations[case.sequence % len(situations)]))
                grants += [
                    CaseUserObjectPermission(
                        content_object=case, user=case.lead_officer, permission=perms["view_case"]
                    ),
                    CaseUserObjectPermission(
                        content_object=case, user=case.lead_officer, permission=perms["change_case"]
                    ),
                ]
            Target.objects.bulk_create(targets, batch_size=batch)
            through.objects.bulk_create(links, batch_size=batch)
            CaseUserObjectPermission.objects.bulk_create(grants, batch_size=batch)
            forms = []
            for target in targets:
                if target.case.state in decided_states:
                    if target.org_unit_id:
                        forms.append(DecidedForm(target=target, form=Form.ORG_NOTICE))
                    elif target.case.decision_date is not None:
                        decided_on = target.case.decision_date
                        forms.append(
                            DecidedForm(
                                target=target,
                                form=Form.DISCIPLINE,
                                measure=Measure.WARNING,
                                impact_starts_on=decided_on,
                                impact_ends_on=decided_on + dt.timedelta(days=365),
                            )
                        )
            DecidedForm.objects.bulk_create(forms, batch_size=batch)
        done = offset + size
        if done % 50000 == 0 or done == total:
            print(f"  {done} cases ({time.perf_counter() - start:.0f} s)", flush=True)
    spread_registration_dates()
    # The flags the decide action keeps on each case, set here in one UPDATE per form.
    for form in Form.values:
        with_form = DecidedForm.objects.filter(form=form, revoked=False).values("target__case_id")
        Case.objects.filter(pk__in=with_form).update(form_flags=F("form_flags").bitor(form_bit(form)))


def settle() -> None:
    """VACUUM ANALYZE, as autovacuum would after a bulk load: the updates above (and any data migration
    run on the bench database) leave a dead row version per case, which would double the heap read."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def spread_registration_dates() -> None:
    """created_at is set on insert; spread it over each case's year as if registered through 8 years."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE cases_case SET created_at = make_timestamptz(year, 1, 1, 9, 0, 0, 'Asia/Shanghai') "
            "+ ((sequence % 360) || ' days')::interval "
            "WHERE created_at::date = CURRENT_DATE AND year < EXTRACT(YEAR FROM CURRENT_DATE)"
        )


def measure(client: Any, url_for: Callable[[int], str], requests: int) -> dict[str, float]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for warm in range(3):
        client.get(url_for(warm))
    times, counts = [], []
    for i in range(requests):
        url = url_for(i)
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(url)
            elapsed = time.perf_counter() - started
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
        times.append(elapsed * 1000)
        counts.append(len(queries))
    times.sort()
    return {
        "p50": statistics.median(times),
        "p95": times[min(len(times) - 1, round(0.95 * (len(times) - 1)))],
        "queries": max(counts),
        "queries_min": min(counts),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cases", type=int, default=200_000)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--database", default="acc_bench_cases")
    args = parser.parse_args()
    configure(args.database)

    from django.contrib.auth.models import User
    from django.test import Client

    from cases.access import cases_for_user
    from cases.models import Case

    seed(args.cases)
    settle()
    total = Case.objects.count()
    rng = random.Random(7)
    officer = User.objects.get(username="case_officer")
    # Detail pages of cases the officer may open (confidential ones answer 404, as they should).
    ids = list(cases_for_user(officer).order_by("?").values_list("pk", flat=True)[:200])
    unit_of = dict(Case.objects.filter(pk__in=ids).values_list("pk", "unit_id"))
    superuser, _ = User.objects.get_or_create(
        username="bench_superuser", defaults={"is_staff": True, "is_superuser": True}
    )
    officer_client, admin_client = Client(), Client()
    officer_client.force_login(officer, backend="django.contrib.auth.backends.ModelBackend")
    admin_client.force_login(superuser, backend="django.contrib.auth.backends.ModelBackend")

    last_page = max(1, min(300, total // 100))  # the admin shows 100 rows a page, the list 30
    pages = lambda i: rng.randint(1, last_page)  # noqa: E731
    scenarios: list[tuple[str, object, Callable[[int], str]]] = [
        ("admin changelist (baseline)", admin_client, lambda i: f"/admin/cases/case/?p={pages(i)}"),
        ("case list", officer_client, lambda i: f"/cases/?page={pages(i)}"),
        (
            "filtered list (state + year + overdue)",
            officer_client,
            lambda i: f"/cases/?state={STATES_WITH_DEADLINES[i % 3]}&year={2019 + i % 8}&overdue=true",
        ),
        (
            "filtered list (unit subtree + form)",
            officer_client,
            lambda i: f"/cases/?unit={unit_of[ids[i % len(ids)]]}&form=discipline",
        ),
        ("search (title or target name)", officer_client, lambda i: f"/cases/?q=第{rng.randint(1, total)}号"),
        (
            "search (case number)",
            officer_client,
            lambda i: f"/cases/?q={2019 + i % 8}-{rng.randint(1, total)}",
        ),
        ("detail", officer_client, lambda i: f"/cases/{ids[i % len(ids)]}/"),
    ]
    print(f"\n{total} cases in PostgreSQL; {args.requests} requests per scenario after 3 warm-ups\n")
    print(f"{'scenario':42} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8} {'p95 / baseline':>15}")
    baseline = None
    for name, client, url_for in scenarios:
        result = measure(client, url_for, args.requests)
        baseline = baseline or result["p95"]
        queries = (
            f"{result['queries']}"
            if result["queries"] == result["queries_min"]
            else f"{result['queries_min']}-{result['queries']}"
        )
        ratio = result["p95"] / baseline
        print(f"{name:42} {result['p50']:8.1f} {result['p95']:8.1f} {queries:>8} {ratio:15.2f}")


if __name__ == "__main__":
    main()
