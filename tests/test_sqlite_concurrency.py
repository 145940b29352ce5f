"""The embedded default (`make run`) serves the web, the worker and beat from one SQLite file. With
SQLite's defaults, a transaction that read before writing (django-axes recording a failed sign-in, an
action notifying someone) failed at once with "database is locked" whenever another process was writing:
4 of 7 wrong-password sign-ins answered 500 while the worker sent e-mails. Here several processes write
the same file at once — failed sign-ins through the login view, notifications, and the worker's e-mail
claims — and every write must land without an error.

Runs manage.py in subprocesses with the dev settings on a fresh SQLite file (no PostgreSQL, no Redis:
the broker is Kombu's in-memory transport, so nothing leaves the processes)."""

from __future__ import annotations

import json
import subprocess
import sys
import time

from tests.embedded import ROOT, embedded_env, manage

EMAILS = 300
SIGN_INS = 8  # per web process, two per username: far below the lockout
NOTIFICATIONS = 40  # per writer process
WEB, WRITERS = 3, 2

SETUP = f"""
from django.contrib.auth import get_user_model
from accountability.models import Notification
officer = get_user_model().objects.create_user(
    "officer", email="officer@example.gov.cn", password="x-Officer-2026"
)
Notification.objects.bulk_create(
    [Notification(recipient=officer, title=f"待办{{i}}") for i in range({EMAILS})]
)
"""

# One script, three roles; every process waits for the go file so that they all write at the same time.
ROLE = f"""
import json, os, time
from pathlib import Path
from django.db import connection, transaction
from django.contrib.auth import get_user_model
from accountability.models import Notification

role, index, go = os.environ["ROLE"], int(os.environ["INDEX"]), Path(os.environ["GO_FILE"])
connection.ensure_connection()
while not go.exists():
    time.sleep(0.005)
errors, out = [], {{}}
if role == "worker":
    from accountability.tasks import email_notifications
    ids = list(Notification.objects.order_by("pk").values_list("pk", flat=True)[:{EMAILS}])
    sent = 0
    for start in range(0, len(ids), 10):
        try:
            sent += email_notifications(ids[start:start + 10])
        except Exception as exc:
            errors.append(repr(exc))
    out["sent"] = sent
elif role == "web":
    from django.test import Client
    client = Client(raise_request_exception=False)
    statuses = []
    for attempt in range({SIGN_INS}):
        response = client.post(
            "/accounts/login/", {{"username": f"ghost{{index}}-{{attempt % 4}}", "password": "wrong"}}
        )
        statuses.append(response.status_code)
        if response.status_code >= 500:
            errors.append(f"sign-in answered {{response.status_code}}")
    out["statuses"] = statuses
else:
    from accountability.notifications import notify
    officer = get_user_model().objects.get(username="officer")
    for number in range({NOTIFICATIONS}):
        try:
            with transaction.atomic():
                # Read, then write, in one transaction: the pattern that SQLite's deferred BEGIN broke.
                unread = Notification.objects.filter(recipient=officer, read_at__isnull=True).count()
                notify([officer], title=f"写入{{index}}-{{number}}", body=str(unread))
        except Exception as exc:
            errors.append(repr(exc))
out["errors"] = errors
print("RESULT " + json.dumps(out))
"""

CHECK = """
import json
from django.db import connection
from django.db.models import Sum
from axes.models import AccessAttempt
from accountability.models import Notification
with connection.cursor() as cursor:
    cursor.execute("PRAGMA journal_mode")
    mode = cursor.fetchone()[0]
print("RESULT " + json.dumps({
    "journal_mode": mode,
    "notifications": Notification.objects.count(),
    "emailed": Notification.objects.filter(emailed_at__isnull=False).count(),
    "failures": AccessAttempt.objects.aggregate(total=Sum("failures_since_start"))["total"],
}))
"""


def test_concurrent_writers_on_the_embedded_sqlite_default(tmp_path) -> None:
    env = embedded_env(
        tmp_path,
        # Kombu's in-memory transport: the notifications' e-mail tasks go nowhere outside the process.
        REDIS_URL="memory://",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        LOG_LEVEL="ERROR",
    )

    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "shell", "-c", SETUP)

    go = tmp_path / "go"
    roles = [("worker", 0)] + [("web", i) for i in range(WEB)] + [("writer", i) for i in range(WRITERS)]
    processes = [
        subprocess.Popen(
            [sys.executable, "manage.py", "shell", "-c", ROLE],
            cwd=ROOT,
            env={**env, "ROLE": role, "INDEX": str(index), "GO_FILE": str(go)},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for role, index in roles
    ]
    time.sleep(3)  # let every process start Django and connect
    go.touch()
    results = {}
    for (role, index), process in zip(roles, processes, strict=True):
        stdout, stderr = process.communicate(timeout=300)
        assert "database is locked" not in stdout + stderr, f"{role} {index}: {stderr[-2000:]}"
        assert process.returncode == 0, f"{role} {index}: {stderr[-2000:]}"
        results[role, index] = json.loads(stdout.split("RESULT ", 1)[1])

    assert all(result["errors"] == [] for result in results.values()), results
    assert results["worker", 0]["sent"] == EMAILS
    assert all(results["web", i]["statuses"] == [200] * SIGN_INS for i in range(WEB))

    final = json.loads(manage(env, "shell", "-c", CHECK).split("RESULT ", 1)[1])
    assert final == {
        "journal_mode": "wal",
        "notifications": EMAILS + WRITERS * NOTIFICATIONS,
        "emailed": EMAILS,
        "failures": WEB * SIGN_INS,
    }
