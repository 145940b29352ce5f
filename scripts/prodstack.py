"""The production stack on this machine, for the checks that must see what production runs: gunicorn
and a Celery worker under `accountability.settings.production`, on a PostgreSQL database of their own
(dropped and created afresh) and Redis, with the static files collected by the manifest storage.

Used by `scripts/production_smoke.py` (CI) and `bench/load_test.py` (the load figures). Everything binds
to 127.0.0.1. Production settings redirect plain HTTP to HTTPS; behind the real proxy the request says
`X-Forwarded-Proto: https`, so the client here says it too (`HttpClient`), and the configuration tested
is the one that ships, redirect included.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from types import FrameType
from typing import IO

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/accountability"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/14"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def database_url_for(name: str) -> str:
    """The URL of database `name` on the server of DATABASE_URL (the suite's server by default)."""
    parts = urllib.parse.urlsplit(os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL))
    return urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))


def _on_server(url: str, *statements: str) -> None:
    """Run statements about the database of `url` on its server's `postgres` database ({} is its name)."""
    import psycopg2
    from psycopg2 import sql

    parts = urllib.parse.urlsplit(url)
    admin = psycopg2.connect(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
        user=urllib.parse.unquote(parts.username or "postgres"),
        password=urllib.parse.unquote(parts.password) if parts.password else None,
        dbname="postgres",
    )
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            for statement in statements:
                cursor.execute(sql.SQL(statement).format(sql.Identifier(parts.path.lstrip("/"))))
    finally:
        admin.close()


def recreate_database(url: str) -> None:
    """Drop (closing its sessions) and create the database of `url`: every run starts from nothing."""
    _on_server(url, "DROP DATABASE IF EXISTS {} WITH (FORCE)", "CREATE DATABASE {}")


def drop_database(url: str) -> None:
    _on_server(url, "DROP DATABASE IF EXISTS {} WITH (FORCE)")


@contextlib.contextmanager
def stop_signals_raise() -> Iterator[None]:
    """SIGTERM and SIGHUP end the script like Ctrl+C does, so that its `finally` blocks stop the
    servers it started (CI ending a run, a closed terminal) instead of leaving them running."""

    def raise_interrupt(signum: int, _frame: FrameType | None) -> None:
        raise KeyboardInterrupt(signal.Signals(signum).name)

    previous = {signum: signal.signal(signum, raise_interrupt) for signum in (signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


@dataclass
class Stack:
    """gunicorn and a Celery worker under the production settings; a context manager that stops both."""

    database_url: str
    redis_url: str
    web_workers: int = 2
    web_threads: int = 1
    extra_env: Mapping[str, str] = field(default_factory=dict)
    port: int = field(default_factory=free_port)
    folder: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="prodstack-")))
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    logs: dict[str, IO[bytes]] = field(default_factory=dict)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def env(self) -> dict[str, str]:
        keep = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "CELERY_"))}
        return {
            **keep,
            "DJANGO_SETTINGS_MODULE": "accountability.settings.production",
            # Production refuses to start without its secrets: give it real-looking ones.
            "SECRET_KEY": self._secret_key,
            "DATABASE_URL": self.database_url,
            "REDIS_URL": self.redis_url,
            "STATIC_ROOT": str(self.folder / "static"),
            "MEDIA_ROOT": str(self.folder / "media"),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
            **self.extra_env,
        }

    def __post_init__(self) -> None:
        self._secret_key = secrets.token_urlsafe(50)

    def manage(self, *args: str, timeout: float = 1800) -> str:
        """Run a manage.py command under the production settings; its output, or SystemExit on failure."""
        started = time.monotonic()
        result = subprocess.run(  # noqa: S603
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        print(f"  manage.py {' '.join(args)}: {time.monotonic() - started:.1f} s", flush=True)
        if result.returncode != 0:
            raise SystemExit(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def prepare(self, *, seed: bool = True) -> None:
        """The static files collected (first: it needs no database, and fails fast), and a fresh
        database with the reference data (and the demo)."""
        self.manage("collectstatic", "--noinput", "-v", "0")
        recreate_database(self.database_url)
        self.manage("migrate", "--noinput", "-v", "0")
        self.manage("load_regulations")
        if seed:
            self.manage("seed_demo")

    def _start(self, name: str, command: list[str]) -> None:
        log = (self.folder / f"{name}.log").open("wb")
        self.logs[name] = log
        self.processes[name] = subprocess.Popen(  # noqa: S603
            command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT
        )

    def start(self) -> None:
        self._start(
            "gunicorn",
            [
                sys.executable,
                "-m",
                "gunicorn",
                "accountability.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(self.web_workers),
                "--threads",
                str(self.web_threads),
                "--graceful-timeout",
                "10",
                "--timeout",
                "60",
            ],
        )
        self._start(
            "worker",
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "accountability",
                "worker",
                "-l",
                "warning",
                "--concurrency",
                "1",
                "-n",
                f"prodstack-{self.port}@%h",
            ],
        )
        self.wait_until_serving()

    def wait_until_serving(self, timeout: float = 60) -> None:
        client = HttpClient(self.port)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.check_running()
            with contextlib.suppress(OSError):
                if client.get("/healthz").status in (200, 503):
                    return
            time.sleep(0.3)
        raise SystemExit(f"gunicorn did not answer within {timeout:g} s\n{self.log('gunicorn')}")

    def check_running(self) -> None:
        for name, process in self.processes.items():
            if process.poll() is not None:
                raise SystemExit(f"{name} exited with {process.returncode}\n{self.log(name)}")

    def worker_answers(self) -> bool:
        """The worker replies to a broadcast ping over the broker."""
        result = subprocess.run(  # noqa: S603
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "accountability",
                "inspect",
                "ping",
                "--timeout",
                "10",
                "-d",
                f"prodstack-{self.port}@{socket.gethostname()}",
            ],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        return result.returncode == 0 and "pong" in result.stdout

    def log(self, name: str, tail: int = 4000) -> str:
        path = self.folder / f"{name}.log"
        return path.read_text(errors="replace")[-tail:] if path.exists() else ""

    def stop(self, grace: float = 20) -> list[str]:
        """SIGTERM (gunicorn's graceful stop, the worker's warm shutdown), then SIGKILL after `grace`
        seconds. Returns the names of those that had to be killed."""
        for process in self.processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + grace
        killed = []
        for name, process in self.processes.items():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
                killed.append(name)
        for log in self.logs.values():
            log.close()
        return killed

    def __enter__(self) -> Stack:
        return self

    def __exit__(self, *exc: object) -> None:
        killed = self.stop()
        if killed:
            print(f"  killed after the grace period: {', '.join(killed)}", file=sys.stderr)
        shutil.rmtree(self.folder, ignore_errors=True)


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def json(self) -> object:
        return json.loads(self.body)


class HttpClient:
    """A browser's part of the conversation, over plain HTTP to 127.0.0.1 as if through the HTTPS proxy:
    `X-Forwarded-Proto: https`, the cookies it was given (Secure ones included: the browser's side of
    the connection is HTTPS), and Origin and Referer on posts, as Django's CSRF check for HTTPS wants."""

    def __init__(self, port: int, *, user_agent: str = "prodstack", https: bool = True) -> None:
        self.port = port
        self.https = https
        self.user_agent = user_agent
        self.cookies: dict[str, str] = {}
        self.last_set_cookie: list[str] = []

    @property
    def origin(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def request(
        self, method: str, path: str, *, body: bytes | None = None, headers: Mapping[str, str] | None = None
    ) -> Response:
        all_headers = {"Host": f"127.0.0.1:{self.port}", "User-Agent": self.user_agent}
        if self.https:
            all_headers["X-Forwarded-Proto"] = "https"
        if self.cookies:
            all_headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        all_headers.update(headers or {})
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            connection.request(method, path, body=body, headers=all_headers)
            raw = connection.getresponse()
            response = Response(raw.status, raw.headers, raw.read())
        finally:
            connection.close()
        self.last_set_cookie = response.headers.get_all("Set-Cookie") or []
        for header in self.last_set_cookie:
            for name, morsel in SimpleCookie(header).items():
                if morsel.value:
                    self.cookies[name] = morsel.value
                else:
                    self.cookies.pop(name, None)
        return response

    def get(self, path: str, headers: Mapping[str, str] | None = None) -> Response:
        return self.request("GET", path, headers=headers)

    def post(
        self, path: str, data: Mapping[str, str], *, token: str = "", referer: str | None = None
    ) -> Response:
        """A form post carrying the CSRF token of the page it came from (`token`; by default the
        cookie's, which Django accepts as well), with the browser's Origin and Referer."""
        fields = {"csrfmiddlewaretoken": token or self.cookies.get("csrftoken", ""), **data}
        return self.request(
            "POST",
            path,
            body=urllib.parse.urlencode(fields).encode(),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": self.origin,
                "Referer": self.origin + (referer or path),
            },
        )

    def login(self, username: str, password: str) -> Response:
        page = self.get("/accounts/login/")
        return self.post(
            "/accounts/login/", {"username": username, "password": password}, token=csrf_token(page.text)
        )


def csrf_token(page: str) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    return found.group(1) if found else ""
