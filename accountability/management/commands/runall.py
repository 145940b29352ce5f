"""Run web, Celery worker and Celery beat together for the one-command local set-up (`make run`).

Whatever stops it — Ctrl+C (SIGINT), SIGTERM from a process manager or `kill`, SIGHUP when its terminal
closes — it stops all three children the same way: SIGTERM to each, a grace period, then SIGKILL, and it
exits only once they are gone, so no web server keeps holding the port and no worker keeps writing.
"""

import os
import signal
import subprocess
import sys
import time
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
GRACE_SECONDS = 10.0


class Command(BaseCommand):
    help = (
        "Start the web server, a Celery worker and Celery beat; stop all three on Ctrl+C, SIGTERM or SIGHUP."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--addr", default="127.0.0.1:8000", help="address:port for the web server")
        parser.add_argument(
            "--grace",
            type=float,
            default=GRACE_SECONDS,
            help="seconds the children get to stop before SIGKILL",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        python = sys.executable
        manage = str(settings.BASE_DIR / "manage.py")
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        commands = {
            "web": [python, manage, "runserver", options["addr"], "--noreload"],
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
        # Handlers first: a signal that arrives while the children start must still stop them.
        received: list[int] = []

        def on_signal(signum: int, _frame: FrameType | None) -> None:
            received.append(signum)

        previous = {signum: signal.signal(signum, on_signal) for signum in STOP_SIGNALS}
        children: dict[str, subprocess.Popen[bytes]] = {}
        try:
            for name, command in commands.items():
                if received:
                    break
                children[name] = subprocess.Popen(command, env=env, cwd=settings.BASE_DIR)  # noqa: S603
            if not received:
                self._announce(options["addr"])
            while not received and all(child.poll() is None for child in children.values()):
                time.sleep(0.2)
            stopped = [name for name, child in children.items() if child.poll() is not None]
            if received:
                self.stdout.write(f"\n{signal.Signals(received[0]).name}: stopping web, worker and beat.")
        finally:
            killed = self._stop(children, grace=options["grace"], received=received)
            for signum, handler in previous.items():
                signal.signal(signum, handler)
        if not received:
            raise CommandError(f"Stopped unexpectedly: {', '.join(stopped)}; stopped the rest.")
        if killed:
            raise CommandError(
                f"Did not stop within {options['grace']:g} s and were killed: {', '.join(killed)}"
            )

    def _announce(self, addr: str) -> None:
        from accountability.demo import DEMO_USERS

        self.stdout.write(self.style.SUCCESS(f"\nThe app runs at http://{addr}/"))
        self.stdout.write(
            f"Demo logins, password {settings.DEMO_PASSWORD}: " + ", ".join(u for u, *_ in DEMO_USERS)
        )
        self.stdout.write("Ctrl+C stops web, worker and beat.\n")

    @staticmethod
    def _stop(
        children: dict[str, "subprocess.Popen[bytes]"], *, grace: float, received: list[int]
    ) -> list[str]:
        """SIGTERM every running child, wait up to `grace` seconds in all (a second stop signal cuts the
        wait short), SIGKILL the rest. Returns the names of the children that had to be killed."""
        already = len(received)
        for child in children.values():
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline and len(received) <= already:
            if all(child.poll() is not None for child in children.values()):
                break
            time.sleep(0.1)
        killed = []
        for name, child in children.items():
            if child.poll() is None:
                child.kill()
                killed.append(name)
            child.wait()
        return killed
