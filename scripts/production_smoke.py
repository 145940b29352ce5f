"""Production smoke test (run by `.ci/run`): does the app serve under `accountability.settings.production`?

The test suite runs the test settings, where static files are served unhashed; production uses WhiteNoise's
manifest storage, where a vendored file that names a missing source map made `collectstatic` fail and
every page, the login page included, answer 500. This script runs what a deployment runs, on a fresh
PostgreSQL database and Redis: migrate, load_regulations, seed_demo, collectstatic, then gunicorn and a
Celery worker; and checks over real HTTP, as a browser behind the HTTPS proxy would:

  plain HTTP is redirected to HTTPS, except /healthz; the login page and its hashed CSS and script
  answer 200; /healthz reports the database and the broker ok; a sign-in with the CSRF cookie and token
  succeeds; the home page, a case list and a case page answer 200; the statistics page and its hashed
  Chart.js answer 200; the worker answers a ping over the broker.

Then it stops gunicorn and the worker (SIGTERM, SIGKILL after a grace period; also when interrupted) and
drops its database.

    python scripts/production_smoke.py [--database acc_prod_smoke] [--keep]

The database server is the one of DATABASE_URL (the suite's by default); Redis is REDIS_URL
(default redis://127.0.0.1:6379/14).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from prodstack import (
    DEFAULT_REDIS_URL,
    HttpClient,
    Stack,
    database_url_for,
    drop_database,
    stop_signals_raise,
)

DEMO_USER = "case_officer"
DEMO_PASSWORD = "Demo@2026"  # noqa: S105 - the published demo password (settings.DEMO_PASSWORD)


class SmokeError(AssertionError):
    pass


def check(condition: bool, message: str) -> None:
    if not condition:
        raise SmokeError(message)
    print(f"  ok  {message}", flush=True)


def static_link(page: str, pattern: str) -> str:
    found = re.search(pattern, page)
    if not found:
        raise SmokeError(f"no link matching {pattern} in the page")
    return found.group(1)


def run_checks(stack: Stack) -> None:
    plain = HttpClient(stack.port, https=False)
    response = plain.get("/accounts/login/")
    check(
        response.status == 301 and response.headers.get("Location", "").startswith("https://"),
        "plain HTTP is redirected to HTTPS (production settings in force)",
    )
    check(plain.get("/healthz").status == 200, "/healthz answers plain HTTP (a health check's)")

    browser = HttpClient(stack.port)
    login_page = browser.get("/accounts/login/")
    check(login_page.status == 200, f"login page: {login_page.status}")
    check("csrftoken" in browser.cookies, "the login page sets the CSRF cookie")
    css = static_link(login_page.text, r'href="(/static/css/app\.[0-9a-f]{12}\.css)"')
    response = browser.get(css)
    check(
        response.status == 200 and response.headers.get("Content-Type", "").startswith("text/css"),
        f"the login page's CSS, named by the manifest: {css} {response.status}",
    )
    check("immutable" in response.headers.get("Cache-Control", ""), "hashed static files are cached for good")
    script = static_link(login_page.text, r'src="(/static/vendor/htmx/htmx\.min\.[0-9a-f]{12}\.js)"')
    check(browser.get(script).status == 200, f"htmx: {script}")

    health = browser.get("/healthz")
    check(
        health.status == 200 and health.json() == {"status": "ok", "database": "ok", "broker": "ok"},
        f"/healthz: {health.status} {health.text}",
    )

    signed_in = browser.login(DEMO_USER, DEMO_PASSWORD)
    check(
        signed_in.status == 302 and signed_in.headers.get("Location") == "/",
        f"sign-in with the CSRF cookie and token: {signed_in.status} {signed_in.headers.get('Location')}",
    )
    check("sessionid" in browser.cookies, "a session cookie was set")
    check(
        any(
            "sessionid=" in header and "Secure" in header and "HttpOnly" in header
            for header in browser.last_set_cookie
        ),
        "the session cookie is Secure and HttpOnly",
    )
    home = browser.get("/")
    check(home.status == 200, f"home page: {home.status}")
    cases = browser.get("/cases/")
    check(cases.status == 200, f"case list: {cases.status}")
    case_path = static_link(cases.text, r'href="(/cases/\d+/)"')
    case = browser.get(case_path)
    check(case.status == 200, f"case page {case_path}: {case.status}")
    statistics = browser.get("/statistics/")
    check(statistics.status == 200, f"statistics page: {statistics.status}")
    chart = static_link(statistics.text, r'src="(/static/vendor/chartjs/chart\.umd\.min\.[0-9a-f]{12}\.js)"')
    check(browser.get(chart).status == 200, f"Chart.js: {chart}")

    check(stack.worker_answers(), "the Celery worker answers a ping over Redis")
    stack.check_running()


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", default="acc_prod_smoke")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()

    started = time.monotonic()
    database_url = database_url_for(args.database)
    redis_url = os.environ.get("REDIS_URL", DEFAULT_REDIS_URL)
    print(f"Production smoke test on {args.database} and {redis_url}", flush=True)
    try:
        with stop_signals_raise(), Stack(database_url, redis_url) as stack:
            stack.prepare()
            stack.start()
            try:
                run_checks(stack)
            except SmokeError as error:
                print(f"  FAILED  {error}", file=sys.stderr)
                print(f"--- gunicorn log ---\n{stack.log('gunicorn')}", file=sys.stderr)
                print(f"--- worker log ---\n{stack.log('worker')}", file=sys.stderr)
                return 1
            killed = stack.stop()
            check(not killed, "gunicorn and the worker stop on SIGTERM within the grace period")
    finally:
        if not args.keep:
            drop_database(database_url)
    print(f"Production smoke test passed in {time.monotonic() - started:.0f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
