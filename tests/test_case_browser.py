"""A real Chromium walks one case from clue to closure through the pages, as officer and approver."""

import pytest

from cases.models import Case, CaseState
from tests.browser import chromium_browser, new_page, sign_in
from tests.case_factories import situation_2019
from tests.personas import PASSWORD, Personas, make_person

pytestmark = pytest.mark.browser


def act(page, name: str) -> None:
    # Whether htmx has loaded yet (the panel opens in place) or not (the form page opens), the form
    # ends up inside #action-panel.
    page.get_by_test_id(f"act-{name}").click()
    page.locator("#action-panel form").wait_for()


def submit_and_reload(page) -> None:
    """Submit the open form; on success the server sends the browser back to the case page."""
    with page.expect_navigation():
        page.get_by_test_id("submit-action").click()
    page.wait_for_load_state("load")


def submit_and_wait(page, state_label: str) -> None:
    submit_and_reload(page)
    page.get_by_test_id("case-state").filter(has_text=state_label).wait_for()


def test_a_case_from_draft_to_closed(live_server, transactional_personas: Personas) -> None:
    personas = transactional_personas
    personas.officer, personas.approver  # noqa: B018
    leader = make_person(personas.forestry, "林局长", post="党组书记、局长")
    team = [make_person(personas.discipline, "调查员甲"), make_person(personas.discipline, "调查员乙")]
    situation = situation_2019(9)

    with chromium_browser() as browser:
        officer = new_page(browser)
        approver = new_page(browser)
        sign_in(officer, live_server.url, "officer", PASSWORD)
        sign_in(approver, live_server.url, "approver", PASSWORD)

        # The officer registers the clue.
        officer.goto(f"{live_server.url}/cases/new/")
        officer.get_by_label("标题").fill("林业局对林场监管失职问题")
        officer.get_by_label("线索来源").select_option("inspection")
        officer.get_by_label("线索及事实摘要").fill("巡察发现该局对下属林场长期疏于监管。")
        officer.get_by_label("行为发生日期").fill("2025-06-01")
        officer.get_by_label("涉及单位").select_option(label="测试县林业局")
        officer.locator(f"input[name=situations][value='{situation.pk}']").check()
        officer.get_by_label("问责对象（党组织）").select_option(label="测试县林业局")
        officer.get_by_label("问责对象（党的领导干部工号）").fill(leader.staff_no)
        officer.get_by_test_id("save-case").click()
        officer.get_by_test_id("case-state").filter(has_text="线索登记").wait_for()
        case = Case.objects.get()
        detail = f"{live_server.url}/cases/{case.pk}/"

        # The approver approves the investigation.
        approver.goto(detail)
        act(approver, "initiate")
        approver.locator("#action-panel").get_by_label("意见").fill("同意启动问责调查")
        submit_and_wait(approver, "已启动调查")

        # The officer records the team, the report, and each target's findings, then determines.
        officer.goto(detail)
        officer.get_by_test_id("edit-investigation").click()
        panel = officer.locator("#action-panel")
        panel.get_by_label("调查组成员（工号）").fill(" ".join(p.staff_no for p in team))
        panel.get_by_role("textbox", name="调查报告").fill(
            "经调查，该局党组对林场监管失职，事实清楚，证据确凿。"
        )
        panel.get_by_label("报告日期").fill("2026-02-20")
        submit_and_reload(officer)
        officer.get_by_text("调查情况已保存").wait_for()
        for target in case.targets.order_by("pk"):
            officer.locator(f"[data-testid=target-{target.pk}] a", has_text="认定").click()
            officer.locator("#action-panel form").wait_for()
            level = "全面领导责任" if target.org_unit_id else "主要领导责任"
            panel.get_by_role("combobox", name="责任类型").select_option(label=level)
            panel.get_by_role("textbox", name="陈述和申辩").fill("对调查认定的事实无异议。")
            submit_and_reload(officer)
            officer.get_by_text(
                f"已保存{target.org_unit.name if target.org_unit else target.person.name}的认定情况"
            ).wait_for()
        act(officer, "determine")
        submit_and_wait(officer, "责任已认定")

        # The approver decides: a written self-examination for the bureau, a warning for its head.
        approver.goto(detail)
        act(approver, "decide")
        panel = approver.locator("#action-panel")
        panel.get_by_label("决定会议日期").fill("2026-03-01")
        panel.get_by_label("参会人员").fill("陈审批、周纪检、吴纪检")
        panel.get_by_label("赞成票").fill("5")
        panel.get_by_label("反对票").fill("0")
        panel.get_by_label("弃权票").fill("0")
        panel.get_by_label("决定日期", exact=True).fill("2026-03-02")
        organisation = case.targets.get(org_unit__isnull=False)
        person = case.targets.get(person__isnull=False)
        approver.locator(f"input[name=t{organisation.pk}_forms][value=org_inspection]").check()
        approver.locator(f"input[name=t{person.pk}_forms][value=discipline]").check()
        approver.locator(f"select[name=t{person.pk}_discipline]").select_option("warning")
        submit_and_wait(approver, "已作出决定")

        # The officer delivers, records the response, and closes after the appeal window.
        officer.goto(detail)
        act(officer, "deliver")
        panel = officer.locator("#action-panel")
        panel.get_by_label("送达日期").fill("2026-03-05")
        panel.get_by_label("决定书文号").fill("测纪问决〔2026〕1号")
        submit_and_wait(officer, "已送达")
        act(officer, "record_response")
        for target in (organisation, person):
            officer.locator(f"select[name=t{target.pk}_accepts]").select_option("yes")
            officer.locator(f"textarea[name=t{target.pk}_text]").fill("接受处理决定。")
            officer.locator(f"input[name=t{target.pk}_self_criticism]").check()
        submit_and_wait(officer, "已回应")
        act(officer, "close")
        submit_and_wait(officer, "已结案")

        timeline = officer.get_by_test_id("timeline").inner_text()
        for label in ("线索登记", "已启动调查", "责任已认定", "已作出决定", "已送达", "已回应", "已结案"):
            assert label in timeline

    case.refresh_from_db()
    assert case.state == CaseState.CLOSED
    assert list(case.transitions.values_list("name", flat=True)) == [
        "create",
        "initiate",
        "determine",
        "decide",
        "deliver",
        "record_response",
        "close",
    ]
