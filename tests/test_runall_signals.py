"""`manage.py runall` (what `make run` ends with) stops web, worker and beat whichever way it is told to
stop: Ctrl+C (SIGINT), SIGTERM (a process manager, `kill`), SIGHUP (its terminal closed). SIGTERM used to
kill runall alone and leave all three children running, the web server holding its port.

Runs the real command in a subprocess on a temporary SQLite file and on-disk broker, with a free port."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import pytest

from tests import embedded


@pytest.fixture(scope="module")
def embedded_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("runall")
    env = embedded.embedded_env(folder, RUN_DIR=str(folder / "run"))
    embedded.manage(env, "migrate", "--noinput", "-v", "0")
    return env


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            # The fields after the command name, which is in parentheses and may contain spaces.
            fields = stat.rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _wait_for(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def _web_answers(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
            return response.status == 200
    except urllib.error.HTTPError as error:
        return error.code in (200, 503)
    except OSError:
        return False


@contextmanager
def running_runall(env: dict[str, str]) -> Iterator[tuple[subprocess.Popen[bytes], list[int], int]]:
    """runall started and serving: the process, its three children's pids, the web port."""
    port = _free_port()
    runall = subprocess.Popen(
        [sys.executable, "manage.py", "runall", "--addr", f"127.0.0.1:{port}"],
        cwd=embedded.ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        # Its own process group, which the children join: the cleanup below reaches every one of them,
        # even once runall is gone and they have been handed to init.
        start_new_session=True,
    )
    try:
        assert _wait_for(lambda: len(_children(runall.pid)) == 3, 30), "three children start"
        children = _children(runall.pid)
        assert _wait_for(lambda: _web_answers(port), 90), "the web server answers"
        yield runall, children, port
    finally:
        with suppress(ProcessLookupError):
            os.killpg(runall.pid, signal.SIGKILL)
        runall.wait()


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT], ids=lambda s: s.name)
def test_runall_stops_web_worker_and_beat(embedded_env: dict[str, str], stop: signal.Signals) -> None:
    with running_runall(embedded_env) as (runall, children, port):
        runall.send_signal(stop)
        output, _ = runall.communicate(timeout=60)
        assert runall.returncode == 0, output.decode(errors="replace")[-3000:]
        assert _wait_for(lambda: not [pid for pid in children if _alive(pid)], 5), "all three are gone"
        assert not _web_answers(port)


def test_a_child_that_dies_stops_the_others_with_an_error(embedded_env: dict[str, str]) -> None:
    with running_runall(embedded_env) as (runall, children, _port):
        os.kill(children[0], signal.SIGKILL)  # any one of the three
        output, _ = runall.communicate(timeout=60)
        assert runall.returncode == 1
        assert "Stopped unexpectedly" in output.decode(errors="replace")
        assert _wait_for(lambda: not [pid for pid in children if _alive(pid)], 5)
