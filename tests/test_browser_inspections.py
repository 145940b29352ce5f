"""A team member logs a finding through the real page on a phone-sized Chromium (375 px)."""

import pytest
from playwright.sync_api import FilePayload

from inspections.models import Finding
from tests import inspection_factories as f
from tests.browser import PHONE, chromium_page, sign_in
from tests.personas import PASSWORD, Personas

pytestmark = pytest.mark.browser

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def fits_the_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_a_member_logs_a_finding_on_a_phone(live_server, transactional_personas: Personas) -> None:
    personas = transactional_personas
    tour = f.tour(personas)
    with chromium_page(viewport=PHONE) as page:
        sign_in(page, live_server.url, "inspector", PASSWORD)
        page.wait_for_url(f"{live_server.url}/")
        page.goto(f"{live_server.url}/inspections/")
        page.get_by_test_id(f"assignment-{tour.a.pk}").get_by_role("link", name="记录问题").click()
        page.wait_for_url(f"**/inspections/assignments/{tour.a.pk}/findings/new/")
        assert fits_the_phone(page), "the quick form scrolls sideways at 375 px"

        # A first try without a category fails, keeps what was typed, and says why.
        page.get_by_label("发现的问题").fill("林场食堂采购3万元未经集体研究。")
        page.get_by_label("涉及人员").fill("查无此人")
        page.get_by_test_id("save-finding").click()
        errors = page.get_by_test_id("form-errors")
        errors.wait_for()
        assert "未保存" in errors.inner_text()
        assert page.get_by_label("发现的问题").input_value() == "林场食堂采购3万元未经集体研究。"
        assert "未找到名为查无此人" in page.content()
        assert fits_the_phone(page)

        page.get_by_label("问题类别").select_option("eight_rules")
        page.get_by_label("涉及人员").fill("")
        page.get_by_label(personas.forestry.name).check()
        upload: FilePayload = {"name": "食堂.png", "mimeType": "image/png", "buffer": PNG}
        page.get_by_label("照片和文件").set_input_files(files=[upload])
        page.get_by_test_id("save-finding").click()
        page.wait_for_url("**/inspections/findings/*/")
        assert "林场食堂采购3万元未经集体研究。" in page.get_by_test_id("finding-description").inner_text()
        assert page.get_by_test_id("finding-status").inner_text() == "待核实"
        assert fits_the_phone(page)

    finding = Finding.objects.get(description="林场食堂采购3万元未经集体研究。")
    assert finding.logged_by == personas.inspector
    assert list(finding.units.all()) == [personas.forestry]
    assert finding.attachments.get().original_name == "食堂.png"
