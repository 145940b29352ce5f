"""A real Chromium: upload a roster, read the preview, confirm, roll back; and a large file whose progress
bar is polled by htmx while a real Celery worker checks it."""

from __future__ import annotations

import threading

import pytest
from playwright.sync_api import expect

from registry.models import ImportBatch, Person
from registry.services import imports as service
from tests.browser import chromium_page, sign_in
from tests.import_files import person_row, roster, xlsx
from tests.personas import PASSWORD, Personas

pytestmark = pytest.mark.browser


def test_upload_preview_confirm_and_roll_back(
    live_server, transactional_personas: Personas, tmp_path
) -> None:
    personas = transactional_personas
    personas.forestry  # noqa: B018
    personas.admin  # noqa: B018
    roster_file = tmp_path / "干部名册.xlsx"
    roster_file.write_bytes(xlsx(roster(12)))
    with chromium_page() as page:
        sign_in(page, live_server.url, "admin", PASSWORD)
        page.get_by_role("navigation").get_by_role("link", name="导入导出").click()
        page.get_by_label("人员").check()
        page.get_by_label("电子表格").set_input_files(str(roster_file))
        page.get_by_role("button", name="上传并检查").click()

        expect(page.get_by_test_id("status")).to_have_text("已检查，待确认")
        assert page.get_by_test_id("count-new").inner_text() == "12"
        assert page.get_by_test_id("count-errors").inner_text() == "0"
        new_rows = page.get_by_test_id("preview-new")
        expect(new_rows).to_contain_text("前 10 行：")
        expect(new_rows).to_contain_text("人员1")
        assert not Person.objects.filter(staff_no__startswith="R").exists(), "the preview writes nothing"

        page.get_by_test_id("confirm").click()
        expect(page.get_by_test_id("status")).to_have_text("已导入")
        expect(page.get_by_role("heading", name="导入结果")).to_be_visible()
        assert Person.objects.filter(staff_no__startswith="R").count() == 12

        page.once("dialog", lambda dialog: dialog.accept())
        page.get_by_test_id("rollback").click()
        expect(page.get_by_test_id("status")).to_have_text("已回滚")
        assert not Person.objects.filter(staff_no__startswith="R").exists()


def test_errors_are_listed_and_confirm_is_not_offered(
    live_server, transactional_personas: Personas, tmp_path
) -> None:
    personas = transactional_personas
    personas.forestry  # noqa: B018
    personas.admin  # noqa: B018
    rows = roster(3)
    rows.append(person_row("BAD", id_number="110105194912310021", born=rows[0][4]))  # type: ignore[arg-type]
    bad_file = tmp_path / "名册.xlsx"
    bad_file.write_bytes(xlsx(rows))
    with chromium_page() as page:
        sign_in(page, live_server.url, "admin", PASSWORD)
        page.goto(f"{live_server.url}/registry/imports/?kind=people")
        page.get_by_label("电子表格").set_input_files(str(bad_file))
        page.get_by_role("button", name="上传并检查").click()
        expect(page.get_by_test_id("status")).to_have_text("有错误，未导入")
        errors = page.get_by_test_id("errors")
        expect(errors).to_contain_text("身份证号校验码错误：应为 X，而不是 1。")
        expect(errors.locator("tbody tr").first.locator("td").first).to_have_text("5")
        expect(page.get_by_test_id("confirm")).to_have_count(0)
        with page.expect_download() as download:
            page.get_by_test_id("bad-rows").click()
        assert download.value.suggested_filename.endswith(".xlsx")
    assert not Person.objects.filter(staff_no__startswith="R").exists()


@pytest.mark.celery
def test_a_large_file_shows_its_progress_and_the_preview_appears(
    live_server, celery_worker, transactional_personas: Personas, settings, tmp_path, monkeypatch
) -> None:
    settings.IMPORT_SYNC_MAX_BYTES = 1024
    # Hold the worker at the start of the check until the test has seen the progress bar.
    gate = threading.Event()
    check_batch = service.check_batch

    def gated_check(batch_id: int) -> None:
        gate.wait(30)
        check_batch(batch_id)

    monkeypatch.setattr(service, "check_batch", gated_check)
    personas = transactional_personas
    personas.forestry  # noqa: B018
    personas.admin  # noqa: B018
    big = tmp_path / "全县名册.xlsx"
    big.write_bytes(xlsx(roster(3000)))
    with chromium_page() as page:
        sign_in(page, live_server.url, "admin", PASSWORD)
        page.goto(f"{live_server.url}/registry/imports/?kind=people")
        page.get_by_label("电子表格").set_input_files(str(big))
        page.get_by_role("button", name="上传并检查").click()
        progress = page.get_by_test_id("progress")
        expect(progress).to_contain_text("正在等待后台任务检查文件")
        expect(progress).to_have_attribute("hx-trigger", "every 1s")
        page.reload()
        expect(progress).to_contain_text("正在等待后台任务检查文件")
        gate.set()
        # The page polls; when the worker is done, htmx reloads it with the preview.
        expect(page.get_by_test_id("status")).to_have_text("已检查，待确认", timeout=60_000)
        assert page.get_by_test_id("count-new").inner_text() == "3000"
        batch = ImportBatch.objects.get()
        assert (batch.rows_done, batch.rows_total) == (3000, 3000)
        page.reload()
        expect(page.get_by_test_id("status")).to_have_text("已检查，待确认")

        page.get_by_test_id("confirm").click()
        expect(page.get_by_test_id("status")).to_have_text("已导入", timeout=60_000)
    assert Person.objects.filter(staff_no__startswith="R").count() == 3000
