"""A real Chromium signs in through the login page and sees the home page."""

import pytest

from tests.browser import PHONE, chromium_page, sign_in
from tests.personas import PASSWORD, Personas

pytestmark = pytest.mark.browser


def test_signing_in_through_the_real_page(live_server, transactional_personas: Personas) -> None:
    transactional_personas.officer  # noqa: B018
    with chromium_page() as page:
        sign_in(page, live_server.url, "officer", PASSWORD)
        page.wait_for_url(f"{live_server.url}/")
        assert page.get_by_role("heading", level=1).inner_text() == "欢迎您，周纪检"
        assert "纪检监察干部" in page.get_by_test_id("roles").inner_text()


def test_the_home_page_fits_a_phone(live_server, transactional_personas: Personas) -> None:
    transactional_personas.approver  # noqa: B018
    with chromium_page(viewport=PHONE) as page:
        sign_in(page, live_server.url, "approver", PASSWORD)
        page.wait_for_url(f"{live_server.url}/")
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        assert scroll_width <= PHONE["width"], "the page scrolls sideways at 375 px"


def test_a_wrong_password_is_refused_in_the_page(live_server, transactional_personas: Personas) -> None:
    transactional_personas.officer  # noqa: B018
    with chromium_page() as page:
        sign_in(page, live_server.url, "officer", "not-the-password")
        assert "请输入一个正确的" in page.locator(".form-errors").inner_text()
