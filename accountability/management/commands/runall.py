"""Run web, Celery worker and Celery beat together for the one-command local set-up (`make run`)."""

import os
import signal
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Start the web server, a Celery worker and Celery beat; stop all three on Ctrl+C."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--addr", default="127.0.0.1:8000", help="address:port for the web server")

    def handle(self, *args: Any, **options: Any) -> None:
        python = sys.executable
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        commands = {
            "web": [python, "manage.py", "runserver", options["addr"], "--noreload"],
            "worker": [python, "-m", "celery", "-A", "accountability", "worker", "-l", "info", "--pool=solo"],
            "beat": [
                python,
                "-m",
                "celery",
                "-A",
                "accountability",
                "beat",
                "-l",
                "info",
                "-s",
                str(settings.RUN_DIR / "celerybeat-schedule"),
            ],
        }
        children = {name: subprocess.Popen(command, env=env) for name, command in commands.items()}  # noqa: S603
        from accountability.demo import DEMO_USERS

        self.stdout.write(self.style.SUCCESS(f"\nThe app runs at http://{options['addr']}/"))
        self.stdout.write(
            f"Demo logins, password {settings.DEMO_PASSWORD}: " + ", ".join(u for u, *_ in DEMO_USERS)
        )
        self.stdout.write("Ctrl+C stops web, worker and beat.\n")
        try:
            while all(child.poll() is None for child in children.values()):
                time.sleep(0.5)
            stopped = [name for name, child in children.items() if child.poll() is not None]
            self.stderr.write(f"Stopped unexpectedly: {', '.join(stopped)}; stopping the rest.")
        except KeyboardInterrupt:
            pass
        finally:
            for child in children.values():
                if child.poll() is None:
                    child.send_signal(signal.SIGTERM)
            for child in children.values():
                try:
                    child.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    child.kill()
