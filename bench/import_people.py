"""Benchmark: bulk import of a people roster (issue 6), ours against stock django-import-export.

    .venv/bin/python bench/import_people.py --rows 100000

Generates a realistic roster once (a unit tree of a county-sized organisation, valid ID numbers, dates as
Excel dates and as Chinese text), caches it in bench/results/, then times in fresh processes, on
PostgreSQL (database `acc_bench_import` unless --database-url), each reporting its peak memory and
the CPU seconds of the Python process and of its database backend:

- parse: python-calamine reading the sheet, nothing else (the floor);
- ours, preview: `services.imports.check_batch`, the dry run the upload runs (read, check every row,
  compare with the registry, keep the checked rows);
- ours, import: `services.imports.import_batch`, the step the worker runs after confirm (compare again
  under a table lock, COPY into a staging table, INSERT … SELECT with history rows, one transaction) —
  into an empty table ("all new"), the same file again ("unchanged"), a copy with every tenth post
  changed ("10% changed"), and all new with SIMPLE_HISTORY_ENABLED=False for reference;
- stock: django-import-export 4 as documented for speed — tablib/openpyxl, `use_bulk`, `batch_size=1000`,
  `skip_diff`, a ForeignKeyWidget on the unit code, keyed on the staff number — on --baseline-rows rows
  (default a tenth of --rows) of the same roster, scaled linearly to --rows.

Each of ours runs --repeat times (default 3); the fastest is reported. Figures: docs/PERFORMANCE.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
sys.path.insert(0, str(ROOT))

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"
    "余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯"
    "龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志红文辉玉兰海燕鹏飞宇"
    "浩然子轩思雨欣怡佳琪俊杰晓东春梅金凤德胜永强建华国庆立新卫东爱民振华"
)
POSTS = [
    "科员",
    "副科长",
    "科长",
    "副主任",
    "主任",
    "副局长",
    "局长",
    "副书记",
    "书记",
    "党委委员",
    "村委会主任",
    "会计",
]
RANKS = [
    "一级科员",
    "二级科员",
    "四级主任科员",
    "三级主任科员",
    "二级主任科员",
    "一级主任科员",
    "副科级",
    "正科级",
    "副处级",
]
POLITICAL = ["中共党员"] * 6 + ["群众"] * 2 + ["共青团员", "民主党派"]
REGIONS = ["530102", "530103", "530111", "530112", "532301", "532322", "110105", "320102", "440305", "510104"]
HEADERS = [
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


def setup_django(database_url: str) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "accountability.settings.test"
    os.environ["DATABASE_URL"] = database_url
    import django

    django.setup()


def unit_tree() -> list[tuple[str, str, str, str]]:
    """A county: party committee, 60 departments, 20 townships of 25 villages each, plus branches: ~2,100."""
    units = [("B-ROOT", "某某县委", "党委", "")]
    for d in range(1, 61):
        units.append((f"B-D{d:02d}", f"某某县第{d}局", "政府工作部门", "B-ROOT"))
        units.append((f"B-D{d:02d}-P", f"某某县第{d}局党组", "党组", f"B-D{d:02d}"))
    for t in range(1, 21):
        units.append((f"B-T{t:02d}", f"第{t}镇党委", "乡镇", "B-ROOT"))
        for v in range(1, 26):
            units.append((f"B-T{t:02d}-V{v:02d}", f"第{t}镇第{v}村党支部", "村(社区)", f"B-T{t:02d}"))
        for b in range(1, 51):
            units.append((f"B-T{t:02d}-B{b:02d}", f"第{t}镇机关第{b}支部", "党总支/党支部", f"B-T{t:02d}"))
    return units


def generate(rows: int, path: Path, changed: bool = False) -> None:
    """The roster: about 70% of the dates as Excel date cells, the rest as Chinese text in varied forms."""
    import openpyxl

    from registry.validators import id_check_char

    rng = random.Random(20261130)
    units = unit_tree()
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("干部名册")
    sheet.append(HEADERS)
    text_forms = [
        "{:%Y-%m-%d}",
        "{d.year}/{d.month}/{d.day}",
        "{d.year}.{d.month}.{d.day}",
        "{d.year}年{d.month}月{d.day}日",
        "{:%Y%m%d}",
    ]
    seen: set[str] = set()
    for n in range(rows):
        born = dt.date(1960, 1, 1) + dt.timedelta(days=rng.randrange(365 * 40))
        while True:
            first17 = f"{rng.choice(REGIONS)}{born:%Y%m%d}{rng.randrange(1000):03d}"
            if first17 not in seen:
                seen.add(first17)
                break
        code, unit_name, _kind, _parent = units[1 + n % (len(units) - 1)]
        appointed = born + dt.timedelta(days=365 * 22 + rng.randrange(365 * 15))
        appointed = min(appointed, dt.date(2025, 12, 31))
        if rng.random() < 0.3:
            form = rng.choice(text_forms)
            appointed_cell: object = (
                form.format(appointed, d=appointed) if "{:" in form else form.format(d=appointed)
            )
        else:
            appointed_cell = appointed
        post = rng.choice(POSTS)
        if changed and n % 10 == 0:
            post = "调整后职务"
        sheet.append(
            [
                f"P{n + 1:07d}",
                rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2)))),
                "男" if int(first17[16]) % 2 else "女",
                first17 + id_check_char(first17),
                born,
                rng.choice(POLITICAL),
                code,
                unit_name,
                post,
                rng.choice(RANKS),
                appointed_cell,
                f"1{rng.choice('3578')}{rng.randrange(10**9):09d}",
            ]
        )
    workbook.save(path)


def roster_file(rows: int, changed: bool = False) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"roster-{rows}{'-changed' if changed else ''}.xlsx"
    if not path.exists():
        started = time.perf_counter()
        generate(rows, path, changed)
        print(f"   generated {path.name} in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return path


def prepare_database(database_url: str) -> None:
    """Create the benchmark database if needed, migrate it, and load the unit tree."""
    import psycopg2
    from psycopg2 import sql

    name = database_url.rsplit("/", 1)[1]
    server = database_url.rsplit("/", 1)[0] + "/postgres"
    connection = psycopg2.connect(server)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    connection.close()
    setup_django(database_url)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from registry.imports.columns import KIND_TOKENS
    from registry.models import OrgUnit
    from registry.services.units import rebuild_unit_paths

    if not OrgUnit.objects.filter(code="B-ROOT").exists():
        created: dict[str, OrgUnit] = {}
        for code, name, kind, parent in unit_tree():
            created[code] = OrgUnit.objects.create(
                code=code, name=name, kind=KIND_TOKENS[kind], parent=created.get(parent)
            )
        rebuild_unit_paths()


def reset_people() -> None:
    from django.db import connection

    from registry.models import ImportBatch, ImportChange, Person

    with connection.cursor() as cursor:
        for model in (ImportChange, ImportBatch, Person.history.model, Person):
            cursor.execute(f"TRUNCATE {model._meta.db_table} CASCADE")
        cursor.execute("VACUUM ANALYZE")


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def server_cpu() -> float:
    """CPU seconds of this connection's PostgreSQL backend so far (same host only; 0 if unreadable)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# Children: one measurement each, in a fresh process --------------------------------------------------------


def child(args: argparse.Namespace) -> dict[str, object]:
    setup_django(args.database_url)
    if args.no_history:
        from django.conf import settings

        settings.SIMPLE_HISTORY_ENABLED = False
    path = Path(args.file)
    content = path.read_bytes()
    base_mb = peak_mb()
    if args.child == "parse":
        from python_calamine import CalamineWorkbook

        client = time.process_time()
        started = time.perf_counter()
        rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python(skip_empty_area=False)
        seconds = time.perf_counter() - started
        return {
            "seconds": seconds,
            "client_cpu": time.process_time() - client,
            "server_cpu": 0.0,
            "rows": len(rows) - 1,
            "peak_mb": peak_mb(),
            "base_mb": base_mb,
        }
    if args.child == "stock":
        return stock(args, content, base_mb)
    from registry.models import ImportBatch, ImportFile
    from registry.services import imports as service

    if args.child == "preview":
        # Upload and check, as the upload step does; the batch goes on to the import child.
        if args.reset:
            reset_people()
        batch = ImportBatch.objects.create(
            kind="people", file_name=path.name, file_size=len(content), file_sha256=""
        )
        ImportFile.objects.create(batch=batch, content=content)
        server, client = server_cpu(), time.process_time()
        started = time.perf_counter()
        service.check_batch(batch.pk)
        seconds = time.perf_counter() - started
        expected = ImportBatch.Status.PREVIEW
    else:
        # Confirm the checked batch, then the import step the worker runs: from the bytes in the database
        # to the committed rows.
        from django.contrib.auth import get_user_model

        admin, _created = get_user_model().objects.get_or_create(username="bench-admin")
        batch = ImportBatch.objects.get(pk=args.batch)
        ImportBatch.objects.filter(pk=batch.pk, status=ImportBatch.Status.PREVIEW).update(
            status=ImportBatch.Status.CONFIRMED, confirmed_by=admin
        )
        server, client = server_cpu(), time.process_time()
        started = time.perf_counter()
        service.import_batch(batch.pk)
        seconds = time.perf_counter() - started
        expected = ImportBatch.Status.DONE
    batch.refresh_from_db()
    assert batch.status == expected, (batch.status, batch.notice, batch.problems[:3])
    return {
        "seconds": seconds,
        "client_cpu": time.process_time() - client,
        "server_cpu": server_cpu() - server,
        "batch": batch.pk,
        "rows": batch.rows_total,
        "new": batch.created_count,
        "updated": batch.updated_count,
        "unchanged": batch.unchanged_count,
        "errors": batch.error_count,
        "peak_mb": peak_mb(),
        "base_mb": base_mb,
    }


def stock(args: argparse.Namespace, content: bytes, base_mb: float) -> dict[str, object]:
    import tablib
    from import_export import fields, resources, widgets

    from registry.imports.resources import ChineseDateWidget
    from registry.models import OrgUnit, Person

    class StockPersonResource(resources.ModelResource):
        staff_no = fields.Field(attribute="staff_no", column_name="工号")
        name = fields.Field(attribute="name", column_name="姓名")
        gender = fields.Field(attribute="gender", column_name="性别")
        id_number = fields.Field(attribute="id_number", column_name="身份证号")
        birth_date = fields.Field(attribute="birth_date", column_name="出生日期", widget=ChineseDateWidget())
        political_status = fields.Field(attribute="political_status", column_name="政治面貌")
        org_unit = fields.Field(
            attribute="org_unit",
            column_name="单位编码",
            widget=widgets.ForeignKeyWidget(OrgUnit, field="code"),
        )
        post = fields.Field(attribute="post", column_name="职务")
        rank = fields.Field(attribute="rank", column_name="职级")
        appointed_date = fields.Field(
            attribute="appointed_date", column_name="任职时间", widget=ChineseDateWidget()
        )
        phone = fields.Field(attribute="phone", column_name="联系电话")

        class Meta:
            model = Person
            fields = (
                "staff_no",
                "name",
                "gender",
                "id_number",
                "birth_date",
                "political_status",
                "org_unit",
                "post",
                "rank",
                "appointed_date",
                "phone",
            )
            import_id_fields = ("staff_no",)
            use_bulk = True
            batch_size = 1000
            skip_diff = True
            use_transactions = True

    reset_people()
    server, client = server_cpu(), time.process_time()
    started = time.perf_counter()
    dataset = tablib.Dataset().load(content, format="xlsx")
    parsed = time.perf_counter() - started
    result = StockPersonResource().import_data(
        dataset, dry_run=False, use_transactions=True, raise_errors=True
    )
    seconds = time.perf_counter() - started
    assert not result.has_errors() and not result.has_validation_errors()
    return {
        "seconds": seconds,
        "client_cpu": time.process_time() - client,
        "server_cpu": server_cpu() - server,
        "parse_seconds": parsed,
        "rows": len(dataset),
        "written": Person.objects.count(),
        "peak_mb": peak_mb(),
        "base_mb": base_mb,
    }


# The parent: runs the children and reports ------------------------------------------------------------------


def run_child(
    args: argparse.Namespace,
    kind: str,
    path: Path,
    *,
    reset: bool = False,
    batch: object = None,
    no_history: bool = False,
) -> dict[str, object]:
    command = [
        sys.executable,
        __file__,
        "--child",
        kind,
        "--file",
        str(path),
        "--database-url",
        args.database_url,
    ]
    if reset:
        command.append("--reset")
    if batch is not None:
        command += ["--batch", str(batch)]
    if no_history:
        command.append("--no-history")
    result = subprocess.run(command, check=False, capture_output=True, text=True, cwd=ROOT)
    if result.returncode:
        sys.exit(f"{kind} failed:\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument(
        "--baseline-rows", type=int, default=None, help="rows for the stock run (default rows/10)"
    )
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each of ours; the fastest is kept")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/acc_bench_import"),
    )
    parser.add_argument("--child", choices=["parse", "ours", "preview", "stock"], help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    parser.add_argument("--reset", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--batch", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--no-history", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args)))
        return

    prepare_database(args.database_url)
    path = roster_file(args.rows)
    changed = roster_file(args.rows, changed=True)
    baseline_rows = args.baseline_rows or max(args.rows // 10, 1)
    runs: dict[str, dict[str, object]] = {}

    def keep_fastest(name: str, run: dict[str, object]) -> None:
        if name not in runs or float(run["seconds"]) < float(runs[name]["seconds"]):  # type: ignore[arg-type]
            runs[name] = run

    for _repeat in range(args.repeat):
        keep_fastest("parse (calamine only)", run_child(args, "parse", path))
        for name, roster, reset in (
            ("all new", path, True),
            ("unchanged", path, False),
            ("10% changed", changed, False),
        ):
            preview = run_child(args, "preview", roster, reset=reset)
            keep_fastest(f"ours: preview, {name}", preview)
            keep_fastest(f"ours: import, {name}", run_child(args, "ours", roster, batch=preview["batch"]))
        # For reference: the same import without django-simple-history's rows (SIMPLE_HISTORY_ENABLED=False).
        preview = run_child(args, "preview", path, reset=True)
        keep_fastest(
            "ours: import, all new, no history",
            run_child(args, "ours", path, batch=preview["batch"], no_history=True),
        )
    if not args.no_baseline:
        small = roster_file(baseline_rows)
        runs[f"stock: {baseline_rows} rows"] = run_child(args, "stock", small, reset=True)

    rows = args.rows
    print(
        f"\nBulk import of people: {rows} rows ({path.name}, {path.stat().st_size / 1e6:.1f} MB), PostgreSQL"
    )
    print(
        f"fastest of {args.repeat} runs each; CPU: seconds in the Python process (py) and its database (db)"
    )
    print(f"{'run':30} {'seconds':>8} {'rows/s':>8} {'CPU py':>7} {'CPU db':>7} {'peak MB':>8}  counts")
    for name, run in runs.items():
        counts = ", ".join(f"{k} {run[k]}" for k in ("new", "updated", "unchanged") if k in run)
        speed = float(run["rows"]) / float(run["seconds"])  # type: ignore[arg-type]
        print(
            f"{name:30} {run['seconds']:8.2f} {speed:8.0f} {run['client_cpu']:7.2f} {run['server_cpu']:7.2f} "
            f"{run['peak_mb']:8.0f}  {counts}"
        )
    parse = float(runs["parse (calamine only)"]["seconds"])  # type: ignore[arg-type]
    ours = float(runs["ours: import, all new"]["seconds"])  # type: ignore[arg-type]
    both = ours + float(runs["ours: preview, all new"]["seconds"])  # type: ignore[arg-type]
    print(f"\nours, import step (all new) / parse alone: {ours / parse:.2f}x")
    print(f"ours, preview + import (all new) / parse alone: {both / parse:.2f}x")
    if not args.no_baseline:
        stock_run = runs[f"stock: {baseline_rows} rows"]
        scaled = float(stock_run["seconds"]) * rows / baseline_rows  # type: ignore[arg-type]
        print(f"stock, scaled linearly from {baseline_rows} to {rows} rows: {scaled:.0f} s")
        print(
            f"stock (scaled) / ours: import step {scaled / ours:.0f}x, preview + import {scaled / both:.0f}x"
        )


if __name__ == "__main__":
    main()
