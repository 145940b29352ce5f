"""The embedded default (`make run`: the dev settings on a SQLite file) in a subprocess, for the tests that
must see it as a fresh machine would: no PostgreSQL, no Redis, nothing from the test settings."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# What the test run sets that the embedded default must not inherit.
TEST_ONLY = {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}


def embedded_env(folder: Path, **extra: str) -> dict[str, str]:
    """The environment of the dev settings on `folder/db.sqlite3`, files under `folder/media`."""
    env = {key: value for key, value in os.environ.items() if key not in TEST_ONLY}
    env.update(
        DJANGO_SETTINGS_MODULE="accountability.settings.dev",
        DATABASE_URL=f"sqlite:///{folder / 'db.sqlite3'}",
        MEDIA_ROOT=str(folder / "media"),
        **extra,
    )
    return env


def manage(env: dict[str, str], *args: str, timeout: float = 300) -> str:
    """Run manage.py with `env`; fail the test with its output unless it exits 0. Returns its stdout."""
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout
