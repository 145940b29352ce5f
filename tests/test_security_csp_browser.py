"""Issue 10, item 8: under the strict Content-Security-Policy, a real Chromium walks the main pages — sign-in,
home, case list and case page, statistics with charts, the annual report's print button, a finding form on a
phone, petitions, the admin's account and export pages — and nothing is blocked: no violation is reported,
the charts draw, htmx swaps its panels and the small scripts (language menu, print, draft keeping) work."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import pytest
from django.utils import timezone

from tests import inspection_factories as inspections
from tests import petition_factories as petitions
from tests.browser import PHONE, chromium_browser, sign_in
from tests.case_factories import draft_case
from tests.personas import PASSWORD, Personas

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, ViewportSize

pytestmark = pytest.mark.browser

# Runs in every document before the page's own scripts (Playwright injects it outside the page's CSP).
LISTEN = """
document.addEventListener("securitypolicyviolation", function (event) {
  var element = event.target && event.target.outerHTML ? event.target.outerHTML.slice(0, 160) : "";
  window.reportViolation(location.pathname + ": " + event.violatedDirective + " blocked " +
                         (event.blockedURI || "inline") + " " + element);
});
"""


@contextmanager
def watched_page(browser: Browser, viewport: ViewportSize | None = None) -> Iterator[tuple[Page, list[str]]]:
    """A page whose CSP violations (events and console reports) land in the returned list."""
    context = browser.new_context(viewport=viewport or {"width": 1280, "height": 900}, locale="zh-CN")
    violations: list[str] = []
    context.expose_function("reportViolation", lambda text: violations.append(text))
    context.add_init_script(LISTEN)
    page = context.new_page()
    page.set_default_timeout(30_000)

    def on_console(message) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            violations.append(message.text)

    page.on("console", on_console)
    try:
        yield page, violations
    finally:
        context.close()


# Predicates are written as functions: Playwright evaluates an expression string with eval() inside the
# page, which the policy (rightly) refuses.


def visit(page: Page, url: str) -> None:
    response = page.goto(url)
    assert response is not None and response.ok, url
    assert "script-src 'self' 'nonce-" in (response.headers.get("content-security-policy") or ""), url
    page.wait_for_load_state("load")


def test_the_main_pages_run_under_the_policy(live_server, transactional_personas: Personas) -> None:
    personas = transactional_personas
    case = draft_case(personas)
    petition = petitions.register(personas, received_on=timezone.localdate())
    personas.approver, personas.admin  # noqa: B018
    base = live_server.url

    with chromium_browser() as browser:
        # The approver: home, cases (list filter and action panel through htmx), statistics, annual report.
        with watched_page(browser) as (page, violations):
            sign_in(page, base, "approver", PASSWORD)
            page.wait_for_url(f"{base}/")
            page.wait_for_function("() => window.htmx !== undefined")

            visit(page, f"{base}/cases/")
            page.get_by_text("林业局履行监督职责不力问题").wait_for()
            visit(page, f"{base}/cases/{case.pk}/")
            page.get_by_test_id("act-initiate").click()
            page.locator("#action-panel form").wait_for()  # htmx swapped the panel in place
            assert page.url == f"{base}/cases/{case.pk}/"

            visit(page, f"{base}/statistics/")
            page.wait_for_function(
                "() => document.querySelectorAll('canvas[data-chart]').length > 0 && "
                "Array.from(document.querySelectorAll('canvas[data-chart]')).every(c => Chart.getChart(c))"
            )

            visit(page, f"{base}/statistics/annual/")
            page.evaluate("window.print = function () { window.printed = true; }")
            page.locator("[data-print]").click()
            assert page.evaluate("window.printed === true")

            # The language menu sends its form without an inline handler.
            with page.expect_navigation():
                page.locator("#language-select").select_option("en")
            assert page.locator("html").get_attribute("lang") == "en"
            assert violations == [], "\n".join(violations)

        # The petition officer: the petition list and the accept panel swapped in by htmx.
        with watched_page(browser) as (page, violations):
            sign_in(page, base, "petition_officer", PASSWORD)
            page.wait_for_url(f"{base}/")
            visit(page, f"{base}/petitions/")
            search = page.locator("form.filters input[name=q]")
            search.fill("查无此事")
            search.press("Enter")
            page.wait_for_url("**/petitions/?*q=*")  # htmx pushed the filtered address...
            page.locator("#petition-table").get_by_text(petition.subject).wait_for(state="detached")
            visit(page, f"{base}/petitions/{petition.pk}/")
            page.get_by_test_id("act-accept").click()
            page.get_by_test_id("submit-action").click()
            page.wait_for_function(
                "() => document.querySelector('[data-testid=petition-state]').innerText === '已受理'"
            )
            assert violations == [], "\n".join(violations)

        # The administrator: the account page and the roster export page of the Django admin.
        with watched_page(browser) as (page, violations):
            sign_in(page, base, "admin", PASSWORD)
            page.wait_for_url(f"{base}/")
            visit(page, f"{base}/accounts/lockouts/")
            page.goto(f"{base}/admin/auth/user/{personas.officer.pk}/change/")
            page.locator("select[name=groups_old]").wait_for(state="attached")
            page.goto(f"{base}/admin/registry/person/export/")
            columns = page.locator(".selectable-field-export-row input[type=checkbox]")
            assert columns.count() > 5 and columns.first.is_checked()
            assert violations == [], "\n".join(violations)


def test_the_finding_form_on_a_phone_runs_under_the_policy(
    live_server, transactional_personas: Personas
) -> None:
    tour = inspections.tour(transactional_personas)
    base = live_server.url
    with chromium_browser() as browser, watched_page(browser, viewport=PHONE) as (page, violations):
        sign_in(page, base, "inspector", PASSWORD)
        page.wait_for_url(f"{base}/")
        visit(page, f"{base}/inspections/assignments/{tour.a.pk}/findings/new/")
        page.get_by_label("发现的问题").fill("食堂采购未经集体研究。")
        # finding_form.js ran: it keeps what was typed as a draft.
        draft = page.evaluate("sessionStorage.getItem('finding-draft:' + location.pathname)")
        assert draft is not None and "食堂采购未经集体研究。" in draft
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        assert violations == []


def test_a_violation_would_be_seen(live_server, transactional_personas: Personas) -> None:
    """The watch itself works: an inline script injected into a page is blocked and reported."""
    transactional_personas.officer  # noqa: B018
    base = live_server.url
    with chromium_browser() as browser, watched_page(browser) as (page, violations):
        sign_in(page, base, "officer", PASSWORD)
        page.wait_for_url(f"{base}/")
        page.evaluate(
            "const s = document.createElement('script'); s.textContent = 'window.ran = true;';"
            "document.body.appendChild(s);"
        )
        page.wait_for_function("() => document.readyState === 'complete'")
        page.wait_for_timeout(200)
        assert page.evaluate("window.ran === undefined")
        assert violations, "the inline script was neither blocked nor reported"
