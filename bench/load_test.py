"""Load test: 50 simulated staff for 60 s against the production stack, mixed reads and writes.

Starts what production runs (`scripts/prodstack.py`): gunicorn with the production settings (3 workers,
as the Dockerfile), a Celery worker, PostgreSQL (its own database, `acc_bench_load`, dropped and seeded
with the demo afresh unless --reuse) and Redis (REDIS_URL, default redis://127.0.0.1:6379/14), on
127.0.0.1 only. Then runs Locust headless with the users of `bench/load/locustfile.py` (case officers,
inspection team leaders on phones, petition officers, approvers): they start and sign in at
--spawn-rate, then --duration seconds are measured; it prints, per page, the requests,
errors, p50 and p95 in milliseconds and their ratio to the baseline measured in the same run: the login
page as a new visitor sees it (a Django page with no database work). Exits 1 on any error.

    python bench/load_test.py [--users 50] [--duration 60] [--spawn-rate 2] [--reuse]

Needs Locust (`make bench` installs the `bench` extra). The load generator shares the machine with the
servers: the figures are the whole machine's, which is why they are read as ratios.
"""

from __future__ import annotations

import argparse
import csv
import math
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from prodstack import DEFAULT_REDIS_URL, Stack, database_url_for, stop_signals_raise  # noqa: E402

BASELINE = "login page (baseline)"


def seeded(database_url: str) -> bool:
    import psycopg2

    try:
        connection = psycopg2.connect(database_url)
    except psycopg2.OperationalError:
        return False
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT to_regclass('cases_case') IS NOT NULL")
            row = cursor.fetchone()
            if not row or not row[0]:
                return False
            cursor.execute("SELECT count(*) FROM cases_case")
            row = cursor.fetchone()
            return bool(row and row[0] >= 200)
    finally:
        connection.close()


def read_stats(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def report(rows: list[dict[str, str]]) -> int:
    """Print the table; return the number of failed requests."""
    baseline = next((row for row in rows if row["Name"] == BASELINE), None)
    base50 = float(baseline["50%"]) if baseline else 0.0
    base95 = float(baseline["95%"]) if baseline else 0.0
    header = ("requests", "errors", "p50 ms", "p95 ms", "p50/base", "p95/base")
    print(f"\n{'page':<34} " + " ".join(f"{title:>8}" for title in header))
    failures = 0
    for row in sorted(rows, key=lambda r: (r["Name"] == "Aggregated", r["Name"])):
        p50, p95 = float(row["50%"]), float(row["95%"])
        failures += int(row["Failure Count"]) if row["Name"] != "Aggregated" else 0
        ratio50 = f"{p50 / base50:.1f}" if base50 else "-"
        ratio95 = f"{p95 / base95:.1f}" if base95 else "-"
        name = ("all requests" if row["Name"] == "Aggregated" else row["Name"])[:34]
        print(
            f"{name:<34} {row['Request Count']:>8} {row['Failure Count']:>8} {p50:>8.0f} {p95:>8.0f}"
            f" {ratio50:>8} {ratio95:>8}"
        )
    return failures


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--spawn-rate", type=float, default=2, help="users started per second")
    parser.add_argument("--duration", type=int, default=60, help="seconds measured once all have started")
    parser.add_argument("--web-workers", type=int, default=3)
    parser.add_argument("--database", default="acc_bench_load")
    parser.add_argument("--reuse", action="store_true", help="keep an already seeded database")
    args = parser.parse_args()

    database_url = database_url_for(args.database)
    redis_url = os.environ.get("REDIS_URL", DEFAULT_REDIS_URL)
    with stop_signals_raise(), Stack(database_url, redis_url, web_workers=args.web_workers) as stack:
        if args.reuse and seeded(database_url):
            stack.manage("migrate", "--noinput", "-v", "0")
            stack.manage("collectstatic", "--noinput", "-v", "0")
        else:
            stack.prepare(seed=True)
        stack.start()
        print(
            f"Locust: {args.users} users started at {args.spawn_rate:g}/s, then {args.duration} s measured,"
            f" against {stack.base_url}"
            f" (gunicorn {args.web_workers} workers, production settings, {args.database}, {redis_url})",
            flush=True,
        )
        prefix = stack.folder / "load"
        # Staff sign in once and then work: the ramp-up, where every user signs in (a deliberately slow
        # password hash each), is run but not measured (--reset-stats once all users have started).
        ramp = math.ceil(args.users / args.spawn_rate)
        started = time.monotonic()
        locust = subprocess.run(
            [
                sys.executable,
                "-m",
                "locust",
                "-f",
                str(ROOT / "bench" / "load" / "locustfile.py"),
                "--headless",
                "--users",
                str(args.users),
                "--spawn-rate",
                str(args.spawn_rate),
                "--run-time",
                f"{ramp + args.duration}s",
                "--reset-stats",
                "--host",
                stack.base_url,
                "--csv",
                str(prefix),
                "--only-summary",
                "--stop-timeout",
                "10",
                "--loglevel",
                "WARNING",
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=ramp + args.duration + 300,
            check=False,
        )
        elapsed = time.monotonic() - started
        stack.check_running()
        stats = prefix.with_name("load_stats.csv")
        if not stats.exists():
            print(locust.stdout[-5000:], locust.stderr[-5000:], sep="\n", file=sys.stderr)
            return 1
        failures = report(read_stats(stats))
        errors_file = prefix.with_name("load_failures.csv")
        if failures and errors_file.exists():
            print("\nFailures:")
            for row in read_stats(errors_file)[:20]:
                print(f"  {row['Occurrences']} × {row['Method']} {row['Name']}: {row['Error'][:300]}")
        server_errors = stack.log("gunicorn", tail=10**7).count("Internal Server Error")
        worker_errors = sum(
            1
            for line in stack.log("worker", tail=10**7).splitlines()
            if "ERROR" in line or "Traceback" in line
        )
        print(
            f"\nLocust ran {elapsed:.0f} s; failed requests {failures};"
            f" 500s logged by gunicorn {server_errors}; error lines in the worker's log {worker_errors}",
            flush=True,
        )
        return 1 if failures or server_errors or worker_errors else 0


if __name__ == "__main__":
    sys.exit(main())
