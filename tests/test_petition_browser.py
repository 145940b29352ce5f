"""A petition officer registers a petition and accepts it in a real Chromium; the board fits a phone."""

import pytest

from petitions import actions
from petitions.models import Petition, PetitionState
from registry.models import OrgUnit
from tests.browser import PHONE, chromium_page, sign_in
from tests.personas import PASSWORD, Personas

pytestmark = pytest.mark.browser


def test_register_then_accept_in_the_browser(live_server, transactional_personas: Personas) -> None:
    personas = transactional_personas
    village = personas.village
    personas.petition_officer  # noqa: B018
    with chromium_page() as page:
        sign_in(page, live_server.url, "petition_officer", PASSWORD)
        page.goto(f"{live_server.url}/petitions/new/")
        page.get_by_label("信访渠道").select_option("letter")
        page.get_by_label("事由").fill("反映村道塌方无人修复")
        page.get_by_label("信访内容").fill("村道塌方已两个月。")
        page.get_by_label("责任单位", exact=True).select_option(str(village.pk))
        page.get_by_label("信访人姓名").fill("李四")
        page.get_by_label("信访人电话").fill("abc")
        page.get_by_test_id("submit").click()
        # Refused in Chinese, and what was typed is still there.
        assert "电话号码只能包含数字" in page.locator(".form-errors").inner_text()
        assert page.get_by_label("事由").input_value() == "反映村道塌方无人修复"
        page.get_by_label("信访人电话").fill("13800001111")
        page.get_by_test_id("submit").click()
        page.wait_for_url(f"{live_server.url}/petitions/*/")
        assert page.get_by_test_id("petition-state").inner_text() == "已登记"
        assert page.get_by_test_id("petitioner-phone").inner_text() == "13800001111"
        # Accept through the htmx panel.
        page.get_by_test_id("act-accept").click()
        page.get_by_test_id("submit-action").click()
        # A function, not an expression: Playwright would eval() an expression, which the CSP refuses.
        page.wait_for_function(
            "() => document.querySelector('[data-testid=petition-state]').innerText === '已受理'"
        )
        page.goto(f"{live_server.url}/petitions/")
        assert (
            "反映村道塌方无人修复"
            in page.get_by_test_id(f"petition-{Petition.objects.get().pk}").inner_text()
        )
    assert Petition.objects.get().state == PetitionState.ACCEPTED


def test_the_board_and_the_list_fit_a_phone(live_server, transactional_personas: Personas) -> None:
    personas = transactional_personas
    personas.village, personas.finance, personas.petition_officer  # noqa: B018
    actions.open_plans(2026)
    assert OrgUnit.objects.count() >= 3
    with chromium_page(viewport=PHONE) as page:
        sign_in(page, live_server.url, "petition_officer", PASSWORD)
        for path in ("/petitions/supervision/", "/petitions/", "/petitions/assessment/"):
            page.goto(f"{live_server.url}{path}")
            scroll_width = page.evaluate("document.documentElement.scrollWidth")
            assert scroll_width <= PHONE["width"], f"{path} scrolls sideways at 375 px"
