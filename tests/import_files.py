"""Spreadsheets for the import tests, built in memory: .xlsx (openpyxl), .xls (xlwt) and .csv."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence

import openpyxl
from django.urls import reverse

from registry.models import ImportBatch
from registry.services import imports as service
from tests.personas import valid_id_number

PEOPLE_HEADERS = [
    "工号",
    "姓名",
    "性别",
    "身份证号",
    "出生日期",
    "政治面貌",
    "单位编码",
    "单位名称",
    "职务",
    "职级",
    "任职时间",
    "联系电话",
]
UNIT_HEADERS = ["单位编码", "单位名称", "类别", "上级单位编码"]


def person_row(
    staff_no: str,
    name: str = "张三",
    *,
    born: dt.date = dt.date(1980, 5, 17),
    sequence: int | None = None,
    gender: str = "男",
    id_number: object = None,
    birth_date: object = None,
    political: str = "中共党员",
    unit_code: str = "T-D01",
    post: str = "科员",
    rank: str = "一级科员",
    appointed: object = "2015-03-01",
    phone: object = "13812341234",
) -> list[object]:
    if id_number is None:
        id_number = valid_id_number(born, sequence)
    return [
        staff_no,
        name,
        gender,
        id_number,
        born if birth_date is None else birth_date,
        political,
        unit_code,
        "",
        post,
        rank,
        appointed,
        phone,
    ]


def roster(count: int, *, unit_code: str = "T-D01", prefix: str = "R") -> list[list[object]]:
    return [
        person_row(
            f"{prefix}{n:05d}",
            f"人员{n}",
            sequence=n,
            born=dt.date(1970, 1, 1) + dt.timedelta(days=n * 37 % 15000),  # unique for n < 15000
            unit_code=unit_code,
        )
        for n in range(1, count + 1)
    ]


def xlsx(rows: Sequence[Sequence[object]], headers: Sequence[str] = PEOPLE_HEADERS, *, above=()) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in above:
        sheet.append(list(row))
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    for cells in sheet.iter_rows():
        for cell in cells:
            # Keep text that looks like a formula as text: what a user typed, not a formula cell.
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xls(rows: Sequence[Sequence[object]], headers: Sequence[str] = PEOPLE_HEADERS) -> bytes:
    import xlwt

    workbook = xlwt.Workbook(encoding="utf-8")
    sheet = workbook.add_sheet("花名册")
    date_style = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    for column, header in enumerate(headers):
        sheet.write(0, column, header)
    for number, row in enumerate(rows, start=1):
        for column, value in enumerate(row):
            if isinstance(value, dt.date):
                sheet.write(number, column, value, date_style)
            else:
                sheet.write(number, column, value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(
    rows: Sequence[Sequence[object]], headers: Sequence[str] = PEOPLE_HEADERS, *, encoding: str = "utf-8-sig"
) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    for row in rows:
        writer.writerow([value.isoformat() if isinstance(value, dt.date) else value for value in row])
    return buffer.getvalue().encode(encoding)


class Importer:
    """Drives the import service as the admin would, running the steps that small files run right after
    the commit (tests with the `db` fixture never commit, so the callbacks are captured and executed)."""

    def __init__(self, user, capture) -> None:
        self.user = user
        self.capture = capture

    def upload(self, content: bytes, name: str = "花名册.xlsx", kind: str = "people") -> ImportBatch:
        with self.capture(execute=True):
            batch = service.create_batch(user=self.user, kind=kind, file_name=name, content=content)
        batch.refresh_from_db()
        return batch

    def confirm(self, batch: ImportBatch) -> ImportBatch:
        with self.capture(execute=True):
            service.confirm_batch(batch, self.user)
        batch.refresh_from_db()
        return batch

    def run(self, content: bytes, name: str = "花名册.xlsx", kind: str = "people") -> ImportBatch:
        """Upload, check and confirm; the batch must have been clean."""
        batch = self.upload(content, name, kind)
        assert batch.status == ImportBatch.Status.PREVIEW, (batch.status, batch.notice, batch.problems[:3])
        return self.confirm(batch)

    def rollback(self, batch: ImportBatch) -> ImportBatch:
        with self.capture(execute=True):
            service.request_rollback(batch, self.user)
        batch.refresh_from_db()
        return batch


def messages_of(batch: ImportBatch) -> list[tuple[int, str, str]]:
    """(row, column, message in the active language) for every problem shown on the page."""
    from registry.imports.problems import render

    return [
        (entry["row"], found["column"], render(found["code"], found["params"]))
        for entry in batch.problems
        for found in entry["problems"]
    ]


def detail_page(client, batch: ImportBatch) -> str:
    return client.get(reverse("registry:import_detail", args=[batch.pk])).content.decode()
