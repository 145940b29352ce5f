"""Faults: a real Celery worker killed with SIGKILL in the middle of an import and of the daily escalation
(issue 10). After a restart the import must have finished whole or left nothing, and no escalation step
may have fired twice or been lost.

    .venv/bin/python bench/faults.py [--rows 100000] [--items 50000]

Needs PostgreSQL and Redis (DATABASE_URL, REDIS_URL: the script uses their server and Redis database,
and its own PostgreSQL databases `<name>_faults` and `<name>_faults_escalation`, created and seeded once).
It empties its Redis database first. The worker is `celery -A accountability worker --pool=solo`, a
subprocess with CELERY_VISIBILITY_TIMEOUT=60 (production keeps 3600 s), so that the killed escalation's
unacknowledged message comes back within the run; its logs go to bench/results/faults-worker-*.log.

1. Import, killed once: a 100,000-row roster (bench/import_people.py) is uploaded, checked by the worker
   and confirmed; when the worker's import transaction holds the lock on the people table, the worker
   is killed. With the connection gone PostgreSQL rolls the transaction back: no person of the batch,
   and the batch still says "importing". The worker restarts; at start it queues the recovery, which
   finds the batch without its runner's lock and runs the import again: every row, once.
2. Import, killed twice: the same, and the rerun is killed too. The recovery gives the step up: the
   batch is back to its preview with the reason in Chinese, nobody imported; confirming again imports
   every row.
3. Escalation: N open rectification items (10% overdue, bench/escalation.py's seed), the daily task
   queued; killed while its run's transaction holds the run lock. Nothing of the run survives. The
   worker restarts after the visibility timeout, Redis hands the task out again, and the run completes:
   each (item, step) recorded once, every item in reach of a step escalated, none out of reach; a
   further run fires nothing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
VISIBILITY_TIMEOUT = 60
RESULT = "RESULT "
DAY = dt.date(2026, 11, 30)


def log(message: str) -> None:
    print(f"[{dt.datetime.now(dt.UTC):%H:%M:%S}] {message}", flush=True)


def wait_for(predicate: Callable[[], Any], timeout: float, what: str, interval: float = 0.05) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise SystemExit(f"FAILED: {what} not within {timeout:.0f} s")


class Worker:
    """`celery worker --pool=solo` in a subprocess on the given database; killed with SIGKILL."""

    def __init__(self, database_url: str, scenario: str) -> None:
        self.environment = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "accountability.settings.test",
            "DATABASE_URL": database_url,
            "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
        }
        self.process: subprocess.Popen[bytes] | None = None
        RESULTS.mkdir(parents=True, exist_ok=True)
        self.log_path = RESULTS / f"faults-worker-{scenario}.log"
        self.log_path.write_bytes(b"")
        self.starts = 0

    def start(self) -> None:
        self.starts += 1
        log_file = self.log_path.open("ab")
        log_file.write(f"\n===== start {self.starts} =====\n".encode())
        log_file.flush()
        self.process = subprocess.Popen(
            [
                str(ROOT / ".venv" / "bin" / "celery"),
                "-A",
                "accountability",
                "worker",
                "--pool=solo",
                "--loglevel=INFO",
                "--without-mingle",
                "--without-gossip",
                "-n",
                f"faults-{os.getpid()}-{self.starts}@%h",
            ],
            cwd=ROOT,
            env=self.environment,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
        offset = max(0, self.log_path.stat().st_size - 64)
        try:
            wait_for(lambda: b" ready." in self.log_path.read_bytes()[offset:], 120, "the worker to start")
        except SystemExit:
            self.stop()
            raise
        log(f"worker started (pid {self.process.pid})")

    def kill(self) -> None:
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait()
        log(f"worker killed with SIGKILL (pid {self.process.pid})")
        self.process = None

    def stop(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=120)
            except subprocess.TimeoutExpired:
                self.process.kill()
            self.process = None


def setup(database_url: str) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "accountability.settings.test"
    os.environ["DATABASE_URL"] = database_url
    import django

    django.setup()


def other_backends_holding(sql: str, params: list[Any]) -> list[int]:
    """PostgreSQL backends other than ours that hold a lock matching `sql` (over pg_locks `l`)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT l.pid FROM pg_locks l WHERE l.granted AND l.pid <> pg_backend_pid() AND {sql}", params
        )
        return [row[0] for row in cursor.fetchall()]


def backend_gone(pids: list[int]) -> bool:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = ANY(%s)", [pids])
        return cursor.fetchone()[0] == 0


def flush_broker() -> None:
    import redis

    redis.Redis.from_url(os.environ["REDIS_URL"]).flushdb()


# The import -------------------------------------------------------------------------------------------


def import_scenario(database_url: str, rows: int, kills: int, kill_after: float) -> dict[str, Any]:
    from import_people import prepare_database, reset_people, roster_file

    path = roster_file(rows)
    prepare_database(database_url)  # created, migrated, the unit tree loaded; Django set up on it
    from django.contrib.auth import get_user_model

    from registry.models import ImportBatch, Person
    from registry.services import imports as service

    reset_people()
    admin, _ = get_user_model().objects.get_or_create(username="faults-admin")
    flush_broker()
    worker = Worker(database_url, f"import-{kills}")
    worker.start()
    result: dict[str, Any] = {"rows": rows, "kills": kills}
    try:
        batch = service.create_batch(
            user=admin, kind="people", file_name=path.name, content=path.read_bytes()
        )
        unpacked = (batch.unpacked_size or 0) / 1024 / 1024
        log(f"batch {batch.pk}: {unpacked:.0f} MB unpacked, checked by the worker")

        def status() -> str:
            return ImportBatch.objects.values_list("status", flat=True).get(pk=batch.pk)

        wait_for(lambda: status() == ImportBatch.Status.PREVIEW, 600, "the check")
        service.confirm_batch(ImportBatch.objects.get(pk=batch.pk), admin)
        log("confirmed")
        holding = "l.locktype = 'relation' AND l.relation = %s::regclass AND l.mode = 'ShareRowExclusiveLock'"
        table = [Person._meta.db_table]
        for kill in range(1, kills + 1):
            pids = wait_for(lambda: other_backends_holding(holding, table), 600, "the import transaction")
            log(f"the import transaction is open (backend {pids[0]} locks the people table)")
            time.sleep(kill_after)
            still_open = bool(other_backends_holding(holding, table))
            worker.kill()
            wait_for(partial(backend_gone, pids), 120, "PostgreSQL to end the dead worker's session")
            people = Person.objects.count()
            stuck = status()
            log(f"kill {kill}: transaction open at the kill: {still_open}; people: {people}; batch: {stuck}")
            result[f"kill_{kill}"] = {
                "open_at_kill": still_open,
                "people_after": people,
                "status_after": stuck,
            }
            worker.start()
        finished = (ImportBatch.Status.DONE, ImportBatch.Status.PREVIEW, ImportBatch.Status.FAILED)
        ended = wait_for(lambda: status() if status() in finished else None, 600, "the recovery")
        batch.refresh_from_db()
        log(f"after the restart: {ended}, interruptions {batch.interruptions}, notice {batch.notice}")
        result["recovered"] = {
            "status": ended,
            "interruptions": batch.interruptions,
            "notice": batch.notice.get("code"),
            "people": Person.objects.count(),
        }
        if ended == ImportBatch.Status.PREVIEW:
            service.confirm_batch(batch, admin)  # the administrator tries again
            wait_for(lambda: status() == ImportBatch.Status.DONE, 600, "the import confirmed again")
            result["confirmed_again"] = {"status": status(), "people": Person.objects.count()}
            log(f"confirmed again: {result['confirmed_again']}")
        batch.refresh_from_db()
        result["created"] = batch.created_count
        took = wait_for(
            lambda: deliveries(worker.log_path, "accountability.tasks.run_import")[1], 60, "the log"
        )
        result["uninterrupted_import_seconds"] = round(took[-1], 2)
        result["distinct_staff_numbers"] = Person.objects.values("staff_no").distinct().count()
    finally:
        worker.stop()
        flush_broker()
    return result


# The escalation ---------------------------------------------------------------------------------------


def deliveries(log_path: Path, task: str) -> tuple[list[tuple[str, int]], list[float]]:
    """From the worker's log: how often each message of `task` was received (the first one queued comes
    first), and how long each successful run took, in order."""
    import re

    text = log_path.read_text(errors="replace")
    counts: dict[str, int] = {}
    for message in re.findall(rf"Task {re.escape(task)}\[([0-9a-f-]+)\] received", text):
        counts[message] = counts.get(message, 0) + 1
    took = re.findall(rf"Task {re.escape(task)}\[[0-9a-f-]+\] succeeded in ([0-9.]+)s", text)
    return list(counts.items()), [float(seconds) for seconds in took]


def escalation_notifications() -> int:
    """The escalation's own notifications (they link to rectification items), not those of the clues
    its follow-up task opens as cases."""
    from django.urls import reverse

    from accountability.models import Notification

    return Notification.objects.filter(url__startswith=reverse("inspections:item_list")).count()


def escalation_scenario(database_url: str, items: int, kill_after: float) -> dict[str, Any]:
    from escalation import clear, ensure_database, seed

    ensure_database(database_url)
    setup(database_url)
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from cases.models import Case

    if Case.objects.exists():  # the clues an earlier invocation opened, and what refers to them
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {Case._meta.db_table} CASCADE")
    seed(items, DAY)
    clear()
    from accountability.models import Notification
    from inspections.escalation import RUN_LOCK, active_steps
    from inspections.models import Escalation, EscalationRun, RectificationItem
    from inspections.tasks import escalate_overdue_rectifications

    first_offset = min(step.offset_days for step in active_steps())
    in_reach = set(
        RectificationItem.objects.filter(deadline__lte=DAY - dt.timedelta(days=first_offset)).values_list(
            "pk", flat=True
        )
    )
    log(f"{items:,} items, {len(in_reach):,} in reach of a step on {DAY}")
    flush_broker()
    worker = Worker(database_url, "escalation")
    worker.start()
    result: dict[str, Any] = {"items": items, "in_reach": len(in_reach)}
    holding = "l.locktype = 'advisory' AND l.classid = 0 AND l.objid = %s"
    try:
        escalate_overdue_rectifications.delay(DAY.isoformat())
        pids = wait_for(lambda: other_backends_holding(holding, [RUN_LOCK]), 600, "the escalation run")
        log(f"the run's transaction is open (backend {pids[0]} holds the run lock)")
        time.sleep(kill_after)
        still_open = bool(other_backends_holding(holding, [RUN_LOCK]))
        worker.kill()
        killed_at = time.monotonic()
        wait_for(lambda: backend_gone(pids), 120, "PostgreSQL to end the dead worker's session")
        left = {
            "runs": EscalationRun.objects.filter(day=DAY).count(),
            "escalations": Escalation.objects.count(),
            "notifications": Notification.objects.count(),
        }
        log(f"killed with the transaction open: {still_open}; left behind: {left}")
        result["after_kill"] = {"open_at_kill": still_open, **left}
        time.sleep(max(0.0, VISIBILITY_TIMEOUT + 2 - (time.monotonic() - killed_at)))
        worker.start()  # at start Redis restores the messages unacknowledged past the visibility timeout
        run = wait_for(
            lambda: EscalationRun.objects.filter(day=DAY, finished_at__isnull=False).first(),
            600,
            "the redelivered escalation",
        )
        log(f"the redelivered task ran: run {run.pk}, {run.fired:,} steps fired")

        escalated = set(Escalation.objects.values_list("item_id", flat=True).distinct())
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT count(*) FROM (SELECT 1 FROM {Escalation._meta.db_table} "
                "GROUP BY item_id, step_id HAVING count(*) > 1) twice"
            )
            twice = cursor.fetchone()[0]
        notifications = escalation_notifications()
        escalate_overdue_rectifications.delay(DAY.isoformat())  # the next delivery, or a second beat
        again = wait_for(
            lambda: (
                EscalationRun.objects.filter(day=DAY, finished_at__isnull=False).exclude(pk=run.pk).first()
            ),
            600,
            "a second run",
        )
        task = "inspections.tasks.escalate_overdue_rectifications"
        wait_for(lambda: len(deliveries(worker.log_path, task)[1]) >= 2, 60, "the log of the second run")
        received, took = deliveries(worker.log_path, task)
        result["deliveries_of_the_killed_message"] = received[0][1]
        result["uninterrupted_run_seconds"] = round(took[0], 2)  # the redelivered run, whole
        result["after_restart"] = {
            "runs": EscalationRun.objects.filter(day=DAY).count(),
            "fired": run.fired,
            "escalations": Escalation.objects.count(),
            "fired_twice": twice,
            "in_reach_not_escalated": len(in_reach - escalated),
            "escalated_out_of_reach": len(escalated - in_reach),
            "second_run_fired": again.fired,
            "notifications": notifications,
            "notifications_added_by_second_run": escalation_notifications() - notifications,
        }
        log(f"after the restart: {result['after_restart']}")
    finally:
        worker.stop()
        flush_broker()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--rows", type=int, default=100_000, help="rows of the imported roster")
    parser.add_argument("--items", type=int, default=50_000, help="rectification items")
    parser.add_argument(
        "--kill-after", type=float, default=0.5, help="seconds from seeing the lock to SIGKILL"
    )
    parser.add_argument("--only", choices=["import-1", "import-2", "escalation"], help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if not ("DATABASE_URL" in os.environ and "REDIS_URL" in os.environ):
        # It empties its Redis database: it must be told which one.
        print("skipped: set DATABASE_URL and REDIS_URL (its Redis database is emptied)")
        return
    base_url = os.environ["DATABASE_URL"]
    if arguments.only:  # one scenario, in its own process: each has its own database
        if arguments.only == "escalation":
            outcome = escalation_scenario(
                base_url + "_faults_escalation", arguments.items, arguments.kill_after
            )
        else:
            kills = int(arguments.only[-1])
            outcome = import_scenario(base_url + "_faults", arguments.rows, kills, arguments.kill_after)
        print(RESULT + json.dumps(outcome), flush=True)
        return
    RESULTS.mkdir(parents=True, exist_ok=True)
    outcomes: dict[str, Any] = {}
    for scenario in ("import-1", "import-2", "escalation"):
        log(f"== {scenario}")
        command = [sys.executable, __file__, "--only", scenario, "--rows", str(arguments.rows)]
        command += ["--items", str(arguments.items), "--kill-after", str(arguments.kill_after)]
        with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as child:
            assert child.stdout is not None
            for line in child.stdout:
                if line.startswith(RESULT):
                    outcomes[scenario] = json.loads(line.removeprefix(RESULT))
                else:
                    print(line, end="", flush=True)
        if child.returncode:
            raise SystemExit(f"FAILED: the {scenario} scenario stopped ({child.returncode})")
    print()
    for name, outcome in outcomes.items():
        print(f"{name}: {json.dumps(outcome, ensure_ascii=False)}")
    failures = check(outcomes, arguments.rows)
    if failures:
        print("FAILED: " + "; ".join(failures))
        sys.exit(1)
    print("every check passed")


def check(outcomes: dict[str, Any], rows: int) -> list[str]:
    failures = []
    for name, outcome in outcomes.items():
        if name.startswith("import"):
            for kill in range(1, outcome["kills"] + 1):
                after = outcome[f"kill_{kill}"]
                if not after["open_at_kill"]:
                    failures.append(
                        f"{name}: the transaction had ended before kill {kill} (use --kill-after 0)"
                    )
                if after["people_after"] != 0:
                    failures.append(f"{name}: {after['people_after']} people left after kill {kill}")
            final = outcome.get("confirmed_again") or outcome["recovered"]
            if final["people"] != rows or outcome["distinct_staff_numbers"] != rows:
                failures.append(f"{name}: {final['people']} people at the end, not {rows}")
            if outcome["kills"] == 1 and outcome["recovered"]["status"] != "done":
                failures.append(f"{name}: not imported by the rerun")
            if outcome["kills"] == 2 and outcome["recovered"]["notice"] != "interrupted_import":
                failures.append(f"{name}: not given up after the second kill")
        else:
            after, restarted = outcome["after_kill"], outcome["after_restart"]
            if not after["open_at_kill"] or after["escalations"] or after["runs"] or after["notifications"]:
                failures.append(f"escalation: something of the killed run survived, or it had ended: {after}")
            if (
                restarted["fired_twice"]
                or restarted["second_run_fired"]
                or restarted["notifications_added_by_second_run"]
            ):
                failures.append(f"escalation: a step fired twice: {restarted}")
            if outcome["deliveries_of_the_killed_message"] != 2:
                failures.append("escalation: the killed task's message was not delivered again")
            if restarted["in_reach_not_escalated"] or restarted["escalated_out_of_reach"]:
                failures.append(f"escalation: a due step was lost, or one fired early: {restarted}")
    return failures


if __name__ == "__main__":
    main()
