"""Bulk import of people: preview, each row error in Chinese, all or nothing, idempotent, rollback."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from python_calamine import CalamineWorkbook

from registry.imports import people, staging
from registry.models import ImportBatch, ImportChange, ImportFile, Person, Profile
from tests.conftest import login
from tests.hostile_files import zip_bomb
from tests.import_files import (
    PEOPLE_HEADERS,
    Importer,
    csv_bytes,
    detail_page,
    messages_of,
    person_row,
    roster,
    xls,
    xlsx,
)
from tests.personas import Personas, make_person, valid_id_number

Status = ImportBatch.Status


@pytest.fixture
def importer(personas: Personas, django_capture_on_commit_callbacks) -> Importer:
    personas.forestry  # noqa: B018 - unit T-D01
    personas.finance  # noqa: B018 - unit T-D02
    return Importer(personas.admin, django_capture_on_commit_callbacks)


@pytest.fixture(params=["copy", "executemany"])
def write_mode(request, monkeypatch) -> str:
    """The two ways the staging table is filled: COPY (PostgreSQL) and executemany (the portable path,
    as on SQLite); the statements after it are the same."""
    monkeypatch.setattr(staging, "use_copy", lambda: request.param == "copy")
    return request.param


def _people(prefix: str = "R") -> dict[str, Person]:
    return {
        p.staff_no: p for p in Person.objects.filter(staff_no__startswith=prefix).select_related("org_unit")
    }


# The happy path -----------------------------------------------------------------------------------


def test_the_preview_writes_nothing_and_confirm_writes_every_row(
    importer: Importer, personas: Personas, write_mode: str
) -> None:
    batch = importer.upload(xlsx(roster(25)))
    assert batch.status == Status.PREVIEW
    assert (batch.created_count, batch.updated_count, batch.unchanged_count, batch.error_count) == (
        25,
        0,
        0,
        0,
    )
    assert [row["row"] for row in batch.preview["new"]] == list(range(2, 12)), (
        "the first ten rows, by row number"
    )
    assert batch.preview["new"][0]["cells"][:3] == ["R00001", "人员1", "男"]
    assert not _people(), "nothing is written before confirm"

    batch = importer.confirm(batch)
    assert batch.status == Status.DONE
    everyone = _people()
    assert len(everyone) == 25
    first = everyone["R00001"]
    assert first.name == "人员1"
    assert first.gender == Person.Gender.MALE
    assert first.political_status == Person.PoliticalStatus.CPC_MEMBER
    assert first.org_unit == personas.forestry
    assert first.birth_date == dt.date(1970, 2, 7)
    assert first.id_number == valid_id_number(dt.date(1970, 2, 7), 1)
    assert (first.post, first.rank, first.appointed_date, first.phone) == (
        "科员",
        "一级科员",
        dt.date(2015, 3, 1),
        "13812341234",
    )
    created = sorted(person.pk for person in everyone.values())
    assert batch.created_ranges == [[created[0], created[-1]]]
    assert not batch.changes.exists(), "before-images are for updates only"
    # A created person's provenance is its batch (who, when, which file, the ids); no history row yet.
    assert (batch.created_by, batch.created_ranges) == (personas.admin, [[created[0], created[-1]]])
    assert not first.history.exists()


def test_values_map_to_the_model_choices(importer: Importer) -> None:
    rows = [
        person_row("M1", gender="女", political="共青团员", sequence=1),
        person_row("M2", gender="男", political="民主党派", sequence=2),
        person_row("M3", gender="女性", political="群众", sequence=3),
        person_row("M4", political="中共预备党员", sequence=4),
    ]
    importer.run(xlsx(rows))
    got = {
        p.staff_no: (p.gender, p.political_status) for p in Person.objects.filter(staff_no__startswith="M")
    }
    assert got == {
        "M1": ("female", "cyl_member"),
        "M2": ("male", "democratic_party"),
        "M3": ("female", "masses"),
        "M4": ("male", "cpc_member"),
    }


@pytest.mark.parametrize(
    "written",
    [
        dt.date(2020, 1, 2),
        "2020-01-02",
        "2020/1/2",
        "2020.1.2",
        "2020年1月2日",
        "20200102",
        20200102,
        "２０２０年１月２日",
    ],
    ids=["excel-date", "iso", "slashes", "dots", "chinese", "compact-text", "compact-number", "full-width"],
)
def test_dates_in_the_usual_forms(importer: Importer, written: object) -> None:
    importer.run(xlsx([person_row("D1", appointed=written)]))
    assert Person.objects.get(staff_no="D1").appointed_date == dt.date(2020, 1, 2)


def test_the_birth_date_may_be_left_out_and_comes_from_the_id_number(importer: Importer) -> None:
    headers = [h for h in PEOPLE_HEADERS if h != "出生日期"]
    row = person_row("B1", born=dt.date(1966, 6, 30))
    del row[4]
    importer.run(xlsx([row], headers))
    assert Person.objects.get(staff_no="B1").birth_date == dt.date(1966, 6, 30)


@pytest.mark.parametrize("fmt", ["xls", "csv-utf8", "csv-gbk"])
def test_xls_and_csv_files(importer: Importer, fmt: str) -> None:
    rows = roster(3)
    content, name = {
        "xls": (lambda: xls(rows), "名册.xls"),
        "csv-utf8": (lambda: csv_bytes(rows), "名册.csv"),
        "csv-gbk": (lambda: csv_bytes(rows, encoding="gb18030"), "名册.csv"),
    }[fmt]
    batch = importer.run(content(), name)
    assert batch.status == Status.DONE
    assert _people()["R00002"].name == "人员2"
    assert _people()["R00002"].birth_date == dt.date(1970, 3, 16)


def test_a_title_row_above_the_header_and_blank_rows_are_handled(importer: Importer) -> None:
    rows = roster(3)
    rows.insert(1, [""] * len(PEOPLE_HEADERS))
    batch = importer.upload(xlsx(rows, above=[["某县干部花名册"], []]))
    assert batch.status == Status.PREVIEW
    assert (batch.created_count, batch.blank_count) == (3, 1)
    assert [row["row"] for row in batch.preview["new"]] == [4, 6, 7], "row numbers are the spreadsheet's"


def test_unknown_columns_are_reported_and_ignored(importer: Importer, client) -> None:
    headers = [*PEOPLE_HEADERS, "备注"]
    batch = importer.upload(xlsx([[*person_row("U1"), "随便"]], headers))
    assert batch.status == Status.PREVIEW
    assert batch.preview["ignored"] == ["备注"]
    login(client, importer.user)
    assert "未导入的列：" in detail_page(client, batch)


# Every kind of row error --------------------------------------------------------------------------

ROW_ERRORS = [
    pytest.param(
        {"id_number": "110105194912310021", "born": dt.date(1949, 12, 31)},
        "身份证号",
        "身份证号校验码错误：应为 X，而不是 1。",
        id="id-check-digit",
    ),
    pytest.param({"id_number": "11010519491231002"}, "身份证号", "身份证号应为18位", id="id-shape"),
    pytest.param(
        {"id_number": 110105194912310020}, "身份证号", "身份证号被存成了数字，末几位已丢失", id="id-as-number"
    ),
    pytest.param(
        {"appointed": "2020-02-30"}, "任职时间", "“2020-02-30”不是存在的日期。", id="impossible-date"
    ),
    pytest.param(
        {"appointed": "2019年13月1日"}, "任职时间", "“2019年13月1日”不是存在的日期。", id="impossible-month"
    ),
    pytest.param({"appointed": "去年三月"}, "任职时间", "“去年三月”不是日期。", id="not-a-date"),
    pytest.param({"appointed": "2999-01-01"}, "任职时间", "日期 2999-01-01 不合理", id="future-date"),
    pytest.param(
        {"appointed": "1960-01-01"}, "任职时间", "任职时间 1960-01-01 早于出生日期。", id="before-birth"
    ),
    pytest.param(
        {"birth_date": "1980-05-18"},
        "出生日期",
        "出生日期与身份证号中的出生日期（1980-05-17）不一致。",
        id="birth-date-mismatch",
    ),
    pytest.param(
        {"unit_code": "NOPE-9"}, "单位编码", "没有单位编码为 NOPE-9 的单位，请先导入单位。", id="unknown-unit"
    ),
    pytest.param({"name": ""}, "姓名", "此项为必填项，不能为空。", id="missing-name"),
    pytest.param({"unit_code": " "}, "单位编码", "此项为必填项，不能为空。", id="missing-unit"),
    pytest.param({"id_number": ""}, "身份证号", "此项为必填项，不能为空。", id="missing-id"),
    pytest.param({"gender": "未知"}, "性别", "“未知”不是可接受的值：男、女。", id="bad-gender"),
    pytest.param(
        {"political": "无党派"},
        "政治面貌",
        "“无党派”不是可接受的值：中共党员、共青团员、民主党派、群众。",
        id="bad-political",
    ),
    pytest.param(
        {"name": '=HYPERLINK("http://x")'},
        "姓名",
        "单元格以“=”开头，电子表格会将其当作公式执行",
        id="formula-equals",
    ),
    pytest.param({"post": "+cmd|' /C calc'!A0"}, "职务", "单元格以“+”开头", id="formula-plus"),
    pytest.param({"rank": "-2+3"}, "职级", "单元格以“-”开头", id="formula-minus"),
    pytest.param({"phone": "@SUM(1,2)"}, "联系电话", "单元格以“@”开头", id="formula-at"),
    pytest.param({"post": "'=1+1"}, "职务", "单元格以“'=”开头", id="formula-neutralised-by-an-export"),
    pytest.param({"post": "长" * 101}, "职务", "最多 100 个字符，此处有 101 个。", id="too-long"),
]


@pytest.mark.parametrize(("change", "column", "message"), ROW_ERRORS)
def test_each_row_error_is_named_in_chinese_and_nothing_is_written(
    importer: Importer, client, change: dict[str, object], column: str, message: str
) -> None:
    rows = roster(3)
    rows.insert(1, person_row("BAD1", **change))  # type: ignore[arg-type]
    batch = importer.upload(xlsx(rows))
    assert batch.status == Status.INVALID
    assert batch.error_count == 1
    found = messages_of(batch)
    assert [(row, col) for row, col, _msg in found] == [(3, column)], found
    assert message in found[0][2]
    login(client, importer.user)
    page = detail_page(client, batch)
    assert message.split("“")[0] in page
    assert "有错误，未导入" in page
    assert 'data-testid="confirm"' not in page, "a batch with errors cannot be confirmed"
    assert not Person.objects.filter(staff_no__in=["BAD1", "R00001"]).exists()


def test_duplicate_staff_numbers_and_id_numbers_within_the_file(importer: Importer) -> None:
    rows = roster(4)
    rows.append(person_row("R00002", "重复工号", sequence=99))
    rows.append(person_row("X9", "重复身份证", id_number=rows[0][3]))
    batch = importer.upload(xlsx(rows))
    assert batch.status == Status.INVALID
    found = messages_of(batch)
    assert (3, "工号", "R00002 在文件中重复出现（第 3、6 行）。") in found
    assert (6, "工号", "R00002 在文件中重复出现（第 3、6 行）。") in found
    id_number = rows[0][3]
    assert (2, "身份证号", f"{id_number} 在文件中重复出现（第 2、7 行）。") in found
    assert (7, "身份证号", f"{id_number} 在文件中重复出现（第 2、7 行）。") in found
    assert batch.error_count == 4
    assert not _people()


def test_an_id_number_that_belongs_to_someone_else_in_the_registry(
    importer: Importer, personas: Personas
) -> None:
    holder = make_person(personas.finance, "王五", staff_no="OLD1")
    batch = importer.upload(xlsx([person_row("NEW1", id_number=holder.id_number, born=holder.birth_date)]))
    assert messages_of(batch) == [(2, "身份证号", "该身份证号在库中已属于王五（工号 OLD1）。")]
    assert not Person.objects.filter(staff_no="NEW1").exists()


def test_a_staff_number_that_belongs_to_someone_else_in_the_registry(
    importer: Importer, personas: Personas
) -> None:
    make_person(personas.finance, "王五", staff_no="S1")
    batch = importer.upload(xlsx([person_row("S1", "李四", sequence=77)]))
    [(row, column, message)] = messages_of(batch)
    assert (row, column) == (2, "工号")
    assert message.startswith("工号 S1 在库中属于王五，但身份证号与本行不同")
    assert Person.objects.get(staff_no="S1").name == "王五"


# File-level errors --------------------------------------------------------------------------------


def _upload_page(client, content: bytes, name: str, kind: str = "people"):
    upload = io.BytesIO(content)
    upload.name = name
    return client.post(reverse("registry:import_upload"), {"kind": kind, "file": upload})


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"hello", "名册.txt", "只能导入 .xlsx、.xls 和 .csv 文件，不能导入“名册.txt”。"),
        (b"", "名册.xlsx", "所提交的是空文件。"),
        ("工号,姓名\n".encode(), "名册.xlsx", "不是真正的 Excel 文件"),
        (b"PK\x03\x04" + b"\x00" * 64, "名册.csv", "不是真正的 CSV 文件"),
    ],
    ids=["extension", "empty", "csv-renamed-xlsx", "xlsx-renamed-csv"],
)
def test_a_wrong_file_is_refused_at_upload(
    client, personas: Personas, content: bytes, name: str, message: str
) -> None:
    login(client, personas.admin)
    response = _upload_page(client, content, name)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_a_file_that_is_too_big_is_refused(client, personas: Personas, settings) -> None:
    settings.IMPORT_MAX_UPLOAD_BYTES = 1024 * 1024
    login(client, personas.admin)
    response = _upload_page(client, b"PK\x03\x04" + b"0" * (1024 * 1024), "名册.xlsx")
    assert response.status_code == 400
    assert "一次最多可导入 1 MB" in response.content.decode()
    assert not ImportBatch.objects.exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (xlsx([["R1", "张三"]], ["工号", "姓名"]), "文件缺少必需的列：性别、身份证号、政治面貌、单位编码。"),
        (xlsx([["张三"]], ["名字"]), "前 20 行中没有找到含“工号”列的表头行。"),
        (xlsx([], PEOPLE_HEADERS), "文件只有表头，没有数据行。"),
        (b"PK\x03\x04" + b"garbage" * 50, "无法读取文件"),
        (xlsx([person_row("A1")], [*PEOPLE_HEADERS[:-1], "工号"]), "表头中“工号”列出现了不止一次。"),
    ],
    ids=["missing-columns", "no-header", "no-rows", "corrupt", "duplicate-column"],
)
def test_file_level_problems_are_shown_in_chinese(
    importer: Importer, client, content: bytes, message: str
) -> None:
    batch = importer.upload(content)
    assert batch.status == Status.INVALID
    login(client, importer.user)
    page = detail_page(client, batch)
    assert message in page
    assert not Person.objects.filter(staff_no__in=["R1", "A1"]).exists()


def test_a_zip_bomb_is_refused_before_it_is_unpacked(importer: Importer, settings) -> None:
    settings.IMPORT_MAX_UNPACKED_BYTES = 1024 * 1024
    content = zip_bomb(3 * 1024 * 1024)  # rows of long repeated text: 3 MB, a few KB packed
    assert len(content) < 64 * 1024
    batch = importer.upload(content)
    assert batch.status == Status.INVALID
    # The scan stops at the limit, so it says "more than", not how much (issue 10).
    assert batch.notice == {"code": "too_big_unpacked", "params": {"limit": 1}}


def test_too_many_rows(importer: Importer, settings) -> None:
    settings.IMPORT_MAX_ROWS = 5
    batch = importer.upload(xlsx(roster(6)))
    assert batch.status == Status.INVALID
    assert batch.notice == {"code": "too_many_rows", "params": {"rows": 6, "limit": 5}}


# All or nothing -----------------------------------------------------------------------------------


def test_one_bad_row_in_the_middle_keeps_every_row_out(importer: Importer) -> None:
    rows = roster(60)
    rows[30][3] = "110105194912310021"  # wrong check digit, row 32
    batch = importer.upload(xlsx(rows))
    assert (batch.status, batch.error_count, batch.created_count) == (Status.INVALID, 1, 59)
    assert importer.confirm(batch).status == Status.INVALID, "confirm is refused"
    assert not _people()
    assert not ImportChange.objects.exists()


def test_a_row_that_turns_bad_between_preview_and_confirm_keeps_every_row_out(
    importer: Importer, personas: Personas, write_mode: str
) -> None:
    rows = roster(40)
    batch = importer.upload(xlsx(rows))
    assert batch.status == Status.PREVIEW
    # Meanwhile someone registers the person of row 22 by hand, under another staff number.
    make_person(personas.finance, "抢先录入", staff_no="HAND1", id_number=rows[20][3], birth_date=rows[20][4])
    batch = importer.confirm(batch)
    assert batch.status == Status.INVALID
    assert batch.notice["code"] == "changed_since_check"
    assert messages_of(batch) == [(22, "身份证号", "该身份证号在库中已属于抢先录入（工号 HAND1）。")]
    assert not _people(), "not even the 39 good rows"
    assert not ImportChange.objects.filter(batch=batch).exists()


def test_the_import_step_starts_from_the_rows_the_preview_checked(importer: Importer, monkeypatch) -> None:
    batch = importer.upload(xlsx(roster(12)))
    assert ImportFile.objects.get(batch=batch).checked_rows

    def no_second_reading(*args, **kwargs):
        raise AssertionError("the file was read again")

    monkeypatch.setattr(people, "read", no_second_reading)
    batch = importer.confirm(batch)
    assert batch.status == Status.DONE
    assert len(_people()) == 12


def test_a_unit_deleted_between_preview_and_confirm_keeps_every_row_out(
    importer: Importer, personas: Personas
) -> None:
    rows = roster(5)
    rows[3][6] = "T-D02"
    batch = importer.upload(xlsx(rows))
    assert batch.status == Status.PREVIEW
    personas.finance.delete()
    batch = importer.confirm(batch)
    assert batch.status == Status.INVALID
    assert messages_of(batch) == [(5, "单位编码", "没有单位编码为 T-D02 的单位，请先导入单位。")]
    assert not _people()
    assert not ImportFile.objects.get(batch=batch).checked_rows


# Re-running, updating -----------------------------------------------------------------------------


def test_importing_the_same_file_twice_changes_nothing_the_second_time(
    importer: Importer, write_mode: str
) -> None:
    content = xlsx(roster(30))
    importer.run(content)
    before = {p.pk: (p.name, p.post, p.appointed_date, p.org_unit_id) for p in _people().values()}
    history_rows = Person.history.count()
    again = importer.upload(content)
    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 30)
    again = importer.confirm(again)
    assert again.status == Status.DONE
    assert {p.pk: (p.name, p.post, p.appointed_date, p.org_unit_id) for p in _people().values()} == before
    assert Person.history.count() == history_rows, "no history rows: nothing was written"
    assert not again.changes.exists()


def test_changed_rows_update_and_absent_columns_are_left_alone(
    importer: Importer, personas: Personas, write_mode: str
) -> None:
    importer.run(xlsx(roster(5)))
    rows = roster(5)
    rows[1][8] = "副科长"  # post of R00002
    rows[2][6] = "T-D02"  # unit of R00003
    batch = importer.upload(xlsx(rows))
    assert (batch.created_count, batch.updated_count, batch.unchanged_count) == (0, 2, 3)
    assert batch.preview["updated"][0]["changes"] == [["职务", "科员", "副科长"]]
    assert batch.preview["updated"][1]["changes"] == [["单位编码", "T-D01", "T-D02"]]
    importer.confirm(batch)
    people = _people()
    assert people["R00002"].post == "副科长"
    assert people["R00003"].org_unit == personas.finance
    assert people["R00002"].history.first().history_type == "~"

    # A file without the 职务, 职级 and 联系电话 columns leaves those fields as they are.
    keep = [i for i, h in enumerate(PEOPLE_HEADERS) if h not in {"职务", "职级", "联系电话"}]
    slim = [[row[i] for i in keep] for row in roster(5)]
    slim[0][1] = "改名"
    batch = importer.run(xlsx(slim, [PEOPLE_HEADERS[i] for i in keep]))
    assert (batch.updated_count, batch.unchanged_count) == (2, 3)  # R00001 renamed, R00003 back to T-D01
    people = _people()
    assert (people["R00001"].name, people["R00002"].post) == ("改名", "副科长")


# Rollback -----------------------------------------------------------------------------------------


def test_a_batch_is_rolled_back_from_its_page(
    importer: Importer, personas: Personas, client, write_mode: str
) -> None:
    importer.run(xlsx(roster(3)))
    rows = roster(5)
    rows[0][8] = "科长"
    rows[0][10] = "2021年7月1日"
    batch = importer.run(xlsx(rows))
    assert (batch.created_count, batch.updated_count) == (2, 1)

    login(client, personas.admin)
    with importer.capture(execute=True):
        response = client.post(reverse("registry:import_rollback", args=[batch.pk]))
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == Status.ROLLED_BACK
    assert batch.rolled_back_by == personas.admin
    people = _people()
    assert sorted(people) == ["R00001", "R00002", "R00003"]
    assert (people["R00001"].post, people["R00001"].appointed_date) == ("科员", dt.date(2015, 3, 1))
    deleted = Person.history.filter(history_type="-").values_list("staff_no", flat=True)
    assert sorted(deleted) == ["R00004", "R00005"]
    assert "已回滚" in detail_page(client, batch)


def test_rollback_is_refused_when_a_record_was_edited_afterwards(importer: Importer) -> None:
    batch = importer.run(xlsx(roster(3)))
    person = Person.objects.get(staff_no="R00002")
    person.post = "手工修改"
    person.save()
    batch = importer.rollback(batch)
    assert batch.status == Status.DONE
    assert batch.notice["code"] == "rollback_changed_later"
    assert "人员2（R00002）" in str(batch.notice["params"]["example"])
    assert Person.objects.filter(staff_no__startswith="R").count() == 3


def test_rollback_is_refused_when_a_created_person_is_used_elsewhere(
    importer: Importer, personas: Personas, client
) -> None:
    batch = importer.run(xlsx(roster(3)))
    Profile.objects.filter(user=personas.outsider).update(person=Person.objects.get(staff_no="R00001"))
    batch = importer.rollback(batch)
    assert batch.status == Status.DONE
    login(client, personas.admin)
    assert "该批次无法回滚：其新增的记录中有 1 条已被其他数据使用（用户资料）。" in detail_page(client, batch)
    assert Person.objects.filter(staff_no__startswith="R").count() == 3


def test_a_later_import_blocks_the_rollback_of_an_earlier_one(importer: Importer) -> None:
    first = importer.run(xlsx(roster(3)))
    rows = roster(3)
    rows[2][1] = "新名字"
    importer.run(xlsx(rows))
    first = importer.rollback(first)
    assert first.status == Status.DONE
    assert first.notice["code"] == "rollback_changed_later"


# The bad rows as a spreadsheet --------------------------------------------------------------------


def test_the_bad_rows_download_has_the_rows_and_the_reasons(importer: Importer, client) -> None:
    rows = roster(4)
    rows[1][3] = "110105194912310021"
    rows[3][1] = "=1+1"
    batch = importer.upload(xlsx(rows))
    login(client, importer.user)
    response = client.get(reverse("registry:import_bad_rows", args=[batch.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0).to_python()
    assert sheet[0] == ["原行号", *PEOPLE_HEADERS, "错误原因"]
    assert [row[0] for row in sheet[1:]] == [3.0, 5.0]
    assert sheet[1][4] == "110105194912310021"
    assert sheet[1][-1] == "「身份证号」身份证号校验码错误：应为 X，而不是 1。"
    assert sheet[2][2] == "'=1+1", "a formula-like cell is neutralised in the download"
    assert str(sheet[2][-1]).startswith("「姓名」单元格以“=”开头")


def test_bad_rows_are_all_in_the_download_even_beyond_the_page(
    importer: Importer, client, monkeypatch
) -> None:
    from registry.services import imports

    monkeypatch.setattr(imports, "PAGE_PROBLEM_ROWS", 2)
    rows = roster(5)
    for row in rows:
        row[2] = "?"
    batch = importer.upload(xlsx(rows))
    assert batch.error_count == 5
    assert len(batch.problems) == 2
    login(client, importer.user)
    assert "仅显示 5 个错误行中的前 2 行" in detail_page(client, batch)
    content = client.get(reverse("registry:import_bad_rows", args=[batch.pk])).content
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()
    assert len(sheet) == 6


# The fast checks agree with the model's validator ------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "11010519491231002X",
        "110105194912310021",
        "99010519491231002X",
        "110105194902300021",
        "110105180001010011",
        "1101051949123100",
        "11010519491231002Y",
        valid_id_number(dt.date(2001, 2, 28), 5, "530102"),
    ],
)
def test_the_column_check_of_id_numbers_matches_the_model_validator(value: str) -> None:
    from django.core.exceptions import ValidationError

    from registry.imports.cleaning import id_number_problem
    from registry.validators import validate_id_number

    try:
        validate_id_number(value)
        expected = None
    except ValidationError as error:
        expected = (error.code, error.params or {})
    assert id_number_problem(value, dt.date.today()) == expected


def test_history_rows_follow_simple_historys_switch(importer: Importer, settings, write_mode: str) -> None:
    importer.run(xlsx(roster(3)))
    changed = roster(3)
    changed[1][8] = "股长"
    importer.run(xlsx(changed))
    assert Person.history.filter(staff_no__startswith="R").count() == 1, "a history row for the one update"
    settings.SIMPLE_HISTORY_ENABLED = False
    rows = roster(4)
    rows[1][8] = "股长"  # as the previous import left it
    rows[0][8] = "科长"
    batch = importer.run(xlsx(rows))
    assert (batch.created_count, batch.updated_count) == (1, 1)
    assert Person.history.filter(staff_no__startswith="R").count() == 1, "no history rows while it is off"
    assert batch.changes.count() == 1, "the before-image for rollback is kept regardless"
