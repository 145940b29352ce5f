"""Locust users for the load test (`bench/load_test.py` starts the stack and runs this headless).

Four kinds of staff, signed in with the demo accounts (password `Demo@2026`; never a wrong one, so the
sign-in lockout never trips), each reading and now and then writing through the real forms:

- case officers: the case list, filtered and searched, case pages, and registering a clue;
- inspection team leaders on a phone (a phone's User-Agent): their tours, the findings of an assignment,
  logging a finding;
- petition officers: the petition list, petition pages, registering a petition;
- approvers: the home page's pending actions, the clues waiting for them, case pages, the statistics.

Every user also fetches `/healthz` and the login page now and then: the baselines of the figures.
The app runs under the production settings behind a pretend HTTPS proxy: every request says
`X-Forwarded-Proto: https`, the Secure cookies are sent back (the browser's side is HTTPS), and each form
post carries its page's CSRF token with the Origin and Referer a browser would send.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
import re
from collections.abc import Iterable, Mapping
from html.parser import HTMLParser
from typing import Any

from locust import HttpUser, between, task

PASSWORD = "Demo@2026"  # noqa: S105 - the published password of the demo accounts
PHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)
DESKTOP = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0 Safari/537.36"
)
LEADERS = itertools.cycle(["inspection_leader", "inspection_leader2", "inspection_leader3"])
CASE_STATES = ["draft", "initiated", "determined", "decided", "delivered", "responded", "closed"]
SEARCHES = ["林业", "资金", "违规", "问责", "乡"]
TODAY = dt.datetime.now(tz=dt.timezone(dt.timedelta(hours=8))).date()  # Asia/Shanghai


class FormParser(HTMLParser):
    """The fields of the forms on a page, as a browser would submit them untouched, and the choices of
    every select, checkbox and radio."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []
        self._select: str | None = None
        self._textarea: str | None = None
        self._option: dict[str, Any] | None = None

    @property
    def _form(self) -> dict[str, Any]:
        if not self.forms:
            self.forms.append({"action": "", "fields": {}, "choices": {}})
        return self.forms[-1]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        if tag == "form":
            self.forms.append({"action": a.get("action", ""), "fields": {}, "choices": {}})
        elif tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                self._form["choices"].setdefault(a["name"], []).append(a.get("value", "on"))
                if "checked" in a:
                    self._form["fields"].setdefault(a["name"], []).append(a.get("value", "on"))
            elif kind not in ("file", "submit", "button"):
                self._form["fields"][a["name"]] = a.get("value", "")
        elif tag == "select" and a.get("name"):
            self._select = a["name"]
            self._form["choices"][self._select] = []
        elif tag == "option" and self._select:
            value = a.get("value")
            self._option = {"value": value, "text": "", "selected": "selected" in a}
        elif tag == "textarea" and a.get("name"):
            self._textarea = a["name"]
            self._form["fields"][self._textarea] = ""

    def handle_data(self, data: str) -> None:
        if self._option is not None:
            self._option["text"] += data
        elif self._textarea:
            self._form["fields"][self._textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "option" and self._option is not None and self._select:
            option = self._option
            value = option["value"] if option["value"] is not None else option["text"].strip()
            self._form["choices"][self._select].append(value)
            if option["selected"]:
                self._form["fields"][self._select] = value
            self._option = None
        elif tag == "select" and self._select:
            choices = self._form["choices"][self._select]
            self._form["fields"].setdefault(self._select, choices[0] if choices else "")
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def page_form(html: str, field: str) -> dict[str, Any]:
    """The form of the page that has `field`."""
    parser = FormParser()
    parser.feed(html)
    for form in parser.forms:
        if field in form["fields"] or field in form["choices"]:
            return form
    raise LookupError(f"no form with the field {field!r}")


def pick(form: Mapping[str, Any], name: str) -> str:
    """A random non-empty choice of a select or checkbox group."""
    choices = [value for value in form["choices"].get(name, []) if value]
    if not choices:
        raise LookupError(f"no choice for {name!r}")
    return random.choice(choices)


def links(html: str, pattern: str) -> list[str]:
    return list(dict.fromkeys(re.findall(pattern, html)))


class Staff(HttpUser):
    abstract = True
    # A busy officer's pace: a page every two to five seconds, reading before the next click.
    wait_time = between(2, 5)
    username = ""
    user_agent = DESKTOP

    def on_start(self) -> None:
        self.origin = (self.host or "").replace("http://", "https://", 1)
        # requests sends a Secure cookie over HTTPS only, and the connection to gunicorn is plain HTTP
        # (the proxy's side is HTTPS): clear the flag on the stored cookies before every request.
        send = self.client.request

        def request(method: str, url: str, *args: Any, **kwargs: Any) -> Any:
            for cookie in self.client.cookies:
                cookie.secure = False
            return send(method, url, *args, **kwargs)

        self.client.__dict__["request"] = request  # an instance attribute: get() and post() call it
        self.client.headers.update({"X-Forwarded-Proto": "https", "User-Agent": self.user_agent})
        self.sign_in()

    def sign_in(self) -> None:
        page = self.get("/accounts/login/", "login page")
        token = page_form(page, "username")["fields"]["csrfmiddlewaretoken"]
        self.submit(
            "/accounts/login/",
            {"csrfmiddlewaretoken": token, "username": self.username, "password": PASSWORD},
            name="sign in",
        )

    def submit(self, path: str, fields: Mapping[str, Any], *, name: str, referer: str | None = None) -> str:
        """Post a form as the browser would; a redirect (303/302) is success, the page again is not."""
        data: list[tuple[str, str]] = []
        for key, value in fields.items():
            values: Iterable[Any] = value if isinstance(value, list) else [value]
            data.extend((key, str(item)) for item in values)
        with self.client.post(
            path,
            data=data,
            headers={"Origin": self.origin, "Referer": self.origin + (referer or path)},
            allow_redirects=False,
            name=name,
            catch_response=True,
        ) as response:
            if response.status_code in (301, 302, 303):
                response.success()
                return str(response.headers.get("Location", ""))
            errors = re.findall(
                r'class="(?:field-error|form-errors)"[^>]*>(.*?)</', response.text or "", re.S
            )
            response.failure(f"{response.status_code}: {' | '.join(errors)[:300]}")
            return ""

    def get(self, path: str, name: str) -> str:
        """A page that must answer 200 itself: a redirect (to the login page, say) is a failure."""
        with self.client.get(path, name=name, allow_redirects=False, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code} {response.headers.get('Location', '')}")
            return response.text or ""

    @task(1)
    def baselines(self) -> None:
        self.get("/healthz", "healthz (baseline)")
        # Signed in, the login page would redirect: fetch it as a new visitor would, without cookies.
        with self.client.get(
            "/accounts/login/",
            name="login page (baseline)",
            cookies=None,
            headers={"Cookie": ""},
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(str(response.status_code))


class CaseOfficer(Staff):
    weight = 15
    username = "case_officer"

    def on_start(self) -> None:
        super().on_start()
        self.case_pages = links(self.get("/cases/", "case list"), r'href="(/cases/\d+/)"')

    @task(4)
    def case_list(self) -> None:
        page = self.get(f"/cases/?page={random.randint(1, 5)}", "case list")
        self.case_pages = links(page, r'href="(/cases/\d+/)"') or self.case_pages

    @task(3)
    def filtered(self) -> None:
        self.get(
            f"/cases/?state={random.choice(CASE_STATES)}&year={TODAY.year - random.randint(0, 1)}",
            "case list, filtered",
        )

    @task(2)
    def search(self) -> None:
        self.get(f"/cases/?q={random.choice(SEARCHES)}", "case list, searched")

    @task(4)
    def case_page(self) -> None:
        if self.case_pages:
            self.get(random.choice(self.case_pages), "case page")

    @task(1)
    def register_clue(self) -> None:
        form = page_form(self.get("/cases/new/", "new clue form"), "title")
        fields = dict(form["fields"])
        fields.update(
            title=f"压力测试线索{random.randint(1, 10**9)}",
            summary="群众反映该单位违规发放补贴，需核实。",
            conduct_date=(TODAY - dt.timedelta(days=random.randint(30, 300))).isoformat(),
            unit=pick(form, "unit"),
            source="other",
        )
        fields.pop("situations", None)
        self.submit("/cases/new/", fields, name="register a clue (post)")


class InspectionLeader(Staff):
    """On a phone, during the tour."""

    weight = 10
    user_agent = PHONE

    def on_start(self) -> None:
        self.username = next(LEADERS)
        super().on_start()
        self.assignments = links(
            self.get("/inspections/", "tours (phone)"), r'href="(/inspections/assignments/\d+/)"'
        )

    @task(3)
    def tours(self) -> None:
        self.get("/inspections/", "tours (phone)")

    @task(3)
    def assignment(self) -> None:
        if self.assignments:
            self.get(random.choice(self.assignments), "assignment (phone)")

    @task(3)
    def findings(self) -> None:
        if self.assignments:
            self.get(random.choice(self.assignments) + "findings/", "findings (phone)")

    @task(2)
    def log_finding(self) -> None:
        if not self.assignments:
            return
        path = random.choice(self.assignments) + "findings/new/"
        form = page_form(self.get(path, "finding form (phone)"), "description")
        fields = dict(form["fields"])
        fields.update(
            category=pick(form, "category"), description="现场查阅账目发现：专项资金拨付无审批记录。"
        )
        self.submit(path, fields, name="log a finding (phone, post)")


class PetitionOfficer(Staff):
    weight = 15
    username = "petition_officer"

    def on_start(self) -> None:
        super().on_start()
        self.petition_pages = links(self.get("/petitions/", "petition list"), r'href="(/petitions/\d+/)"')

    @task(4)
    def petition_list(self) -> None:
        page = self.get("/petitions/", "petition list")
        self.petition_pages = links(page, r'href="(/petitions/\d+/)"') or self.petition_pages

    @task(2)
    def overdue(self) -> None:
        self.get("/petitions/?overdue=true", "petition list, overdue")

    @task(4)
    def petition_page(self) -> None:
        if self.petition_pages:
            self.get(random.choice(self.petition_pages), "petition page")

    @task(1)
    def register_petition(self) -> None:
        form = page_form(self.get("/petitions/new/", "new petition form"), "subject")
        fields = dict(form["fields"])
        fields.update(
            channel=pick(form, "channel"),
            subject=f"反映村务公开不及时{random.randint(1, 10**9)}",
            content="来信反映村集体收支未按时公开。",
            responsible_unit=pick(form, "responsible_unit"),
            anonymous="on",
        )
        fields.pop("handlers", None)
        self.submit("/petitions/new/", fields, name="register a petition (post)")


class Approver(Staff):
    weight = 10
    username = "approver"

    def on_start(self) -> None:
        super().on_start()
        self.case_pages = links(self.get("/cases/?state=draft", "clues to approve"), r'href="(/cases/\d+/)"')

    @task(3)
    def home(self) -> None:
        self.get("/", "home")

    @task(2)
    def clues(self) -> None:
        page = self.get("/cases/?state=draft", "clues to approve")
        self.case_pages = links(page, r'href="(/cases/\d+/)"') or self.case_pages

    @task(3)
    def case_page(self) -> None:
        if self.case_pages:
            self.get(random.choice(self.case_pages), "case page")

    @task(1)
    def statistics(self) -> None:
        self.get("/statistics/", "statistics")
