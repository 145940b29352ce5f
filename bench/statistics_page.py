"""Benchmark of the statistics page and the annual report with 200,000 cases (issue 7).

Uses the bench database of `bench/cases_list.py` (seeding it first if needed), then times, in the same
process, p50/p95 server time and the query count of the statistics page (all its tables: cases,
rectification, petitions), the same page filtered to a date range and a unit subtree, the annual
report, and as the baseline the Django admin changelist of the cases.

    python bench/statistics_page.py [--cases 200000] [--requests 20] [--database acc_bench_cases]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cases_list import configure, measure, seed, settle


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cases", type=int, default=200_000)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--database", default="acc_bench_cases")
    args = parser.parse_args()
    configure(args.database)

    from django.contrib.auth.models import User
    from django.test import Client

    from cases.models import Case
    from registry.models import OrgUnit

    seed(args.cases)
    settle()
    officer = User.objects.get(username="case_officer")
    superuser, _ = User.objects.get_or_create(
        username="bench_superuser", defaults={"is_staff": True, "is_superuser": True}
    )
    officer_client, admin_client = Client(), Client()
    officer_client.force_login(officer, backend="django.contrib.auth.backends.ModelBackend")
    admin_client.force_login(superuser, backend="django.contrib.auth.backends.ModelBackend")
    township = OrgUnit.objects.filter(kind=OrgUnit.Kind.TOWNSHIP).order_by("code").first()
    scenarios = [
        ("admin changelist (baseline)", admin_client, lambda i: "/admin/cases/case/"),
        ("statistics page", officer_client, lambda i: "/statistics/"),
        (
            "statistics, 2024-2025 and one township",
            officer_client,
            lambda i: (
                f"/statistics/?date_from=2024-01-01&date_to=2025-12-31&unit={township.pk if township else ''}"
            ),
        ),
        ("annual report 2024", officer_client, lambda i: "/statistics/annual/?year=2024"),
        ("annual report 2024, Excel", officer_client, lambda i: "/statistics/annual/?year=2024&format=xlsx"),
    ]
    total = Case.objects.count()
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
