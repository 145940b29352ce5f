import datetime as dt
import os
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests.personas import Personas

# Playwright's sync API runs an event loop in the test thread; the Django ORM calls made by tests that
# drive the browser are ordinary blocking calls, so the async-safety guard does not apply here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


TODAY = dt.date(2026, 11, 30)


@pytest.fixture(autouse=True)
def fixed_clock(request: pytest.FixtureRequest):
    """Tests run on 30 November 2026 (Asia/Shanghai) whatever the real date, so that numbers like
    问责〔2026〕, "today" and the deadlines do not drift. The clock ticks from there. Browser tests keep
    the real clock: Chromium judges cookie expiry by its own."""
    if request.node.get_closest_marker("browser"):
        yield
        return
    start = dt.datetime(TODAY.year, TODAY.month, TODAY.day, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    with time_machine.travel(start, tick=True):
        yield


@pytest.fixture(autouse=True)
def chinese_by_default():
    """Each test starts in the default language, whatever a previous request activated in this thread."""
    from django.utils import translation

    with translation.override("zh-hans"):
        yield


@pytest.fixture
def personas(db: None) -> Personas:
    return Personas()


@pytest.fixture
def transactional_personas(transactional_db: None) -> Personas:
    return Personas()


def login(client, user) -> None:
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")


@pytest.fixture
def celery_worker(transactional_db: None):
    """A real Celery worker on the Redis broker, in a thread of this process (not eager mode).

    Tests using it run with transactional_db, so the worker's own database connection sees their data.
    """
    from celery.contrib.testing.worker import start_worker

    from accountability.celery import app

    app.control.purge()
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30) as worker:
        yield worker
    app.control.purge()


def wait_for(predicate, timeout: float = 20.0, interval: float = 0.1):
    """Poll until predicate() is truthy; used to wait for the worker thread, never to time code."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError("condition not met in time")
