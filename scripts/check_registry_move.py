"""Does a database built before the registry had its own app migrate to it without losing anything?

Issue 11 moved the registry's models from the `accountability` app to `registry` (state-only migrations,
then table renames and content types moved in place). This script checks that on a real database:

1. checks out the commit before the move (default 6dab1c9) in a temporary git worktree;
2. builds a PostgreSQL database with *that* code: `migrate`, `load_regulations`, `seed_demo`, then two
   import batches (units, people: new and updated rows, so ImportBatch/ImportFile/ImportChange have rows),
   a third one imported and rolled back, an admin log entry, a django-guardian object permission and a
   user permission on registry models;
3. records every table: its row count, its first and last 20 rows by primary key, and a checksum of all
   its rows (md5 of every row as JSON, in key order) — plus every content type and permission;
4. migrates the same database with this checkout's code;
5. records again and compares, mapping each moved table to its new name (`accountability_person` →
   `registry_person`): same counts, samples and checksums; the moved models' content types keep their
   ids and now say `registry`; no `accountability` content type of a moved model is left, no permission
   is duplicated, every permission keeps its id; the only new rows are those of `django_migrations`.

Usage (PostgreSQL and the Python of this checkout's .venv, which runs both codes; the database is dropped
and created, and dropped again at the end unless --keep):

    .venv/bin/python scripts/check_registry_move.py [--base 6dab1c9] [--database acc_registry_move]
        [--server postgres://postgres@127.0.0.1:5432] [--keep]

Exit status 0 when everything matches, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from importlib import import_module
from pathlib import Path
from typing import Any

import psycopg2
from psycopg2 import sql

ROOT = Path(__file__).resolve().parent.parent
BASE = "6dab1c9"  # main before the move (issue 11, items 1-5 merged)
SAMPLE = 20

# The models that moved, by model name (as the migration that moves their content types lists them); their
# tables were accountability_<name>, now registry_<name>.
MOVED: tuple[str, ...] = import_module("registry.migrations.0003_registry_content_types").MOVED_MODELS
RENAMED = {f"accountability_{name}": f"registry_{name}" for name in MOVED}

# Run by the old code, after seed_demo: rows in every registry table that seed_demo leaves empty, and the
# rows that point at registry models through a content type.
BEFORE_EXTRAS = r"""
import csv, datetime as dt, io
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from guardian.shortcuts import assign_perm
from accountability.models import ImportBatch, OrgUnit, Person
from accountability.services import imports as service
from accountability.validators import id_check_char

User = get_user_model()
admin = User.objects.get(username="admin")
UNIT_HEADERS = ["单位编码", "单位名称", "类别", "上级单位编码"]
PEOPLE_HEADERS = [
    "工号", "姓名", "性别", "身份证号", "出生日期", "政治面貌",
    "单位编码", "单位名称", "职务", "职级", "任职时间", "联系电话",
]

def upload(kind, headers, rows, name):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    writer.writerows(rows)
    content = buffer.getvalue().encode("utf-8-sig")
    batch = service.create_batch(user=admin, kind=kind, file_name=name, content=content)
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.PREVIEW, (batch.status, batch.notice, batch.problems[:3])
    service.confirm_batch(batch, admin)
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.DONE, (batch.status, batch.notice)
    return batch

def id_number(born, sequence):  # an odd sequence for men, even for women
    first17 = f"532325{born:%Y%m%d}{sequence:03d}"
    return first17 + id_check_char(first17)

renamed = OrgUnit.objects.get(code="YA-D02")
upload("units", UNIT_HEADERS, [
    ["MV-01", "迁移检查单位一", "政府工作部门", "YA-00"],
    ["MV-02", "迁移检查单位二", "乡镇", "YA-00"],
    [renamed.code, renamed.name + "（更名）", "政府工作部门", "YA-00"],
], "单位.csv")

rows = []
for n in range(1, 31):
    born = dt.date(1970, 1, 1) + dt.timedelta(days=n * 97)
    rows.append([
        f"MV{n:04d}", f"迁移{n}", "男" if n % 2 else "女", id_number(born, 900 + n), born.isoformat(),
        "中共党员", "MV-01", "", "科员", "一级科员", "2015-03-01", "13812341234",
    ])
for person in Person.objects.order_by("staff_no")[:10]:  # updated: their before-images are kept
    rows.append([
        person.staff_no, person.name, "男" if person.gender == "male" else "女", person.id_number,
        person.birth_date.isoformat(), "中共党员", person.org_unit.code, "", "迁移后职务", person.rank, "",
        person.phone,
    ])
upload("people", PEOPLE_HEADERS, rows, "人员.csv")

rows = []
for n in range(1, 6):
    born = dt.date(1985, 1, n)
    rows.append([
        f"RB{n:04d}", f"回滚{n}", "女", id_number(born, 950 + 2 * n), born.isoformat(), "群众",
        "MV-02", "", "", "", "", "",
    ])
undone = upload("people", PEOPLE_HEADERS, rows, "回滚.csv")
service.request_rollback(undone, admin)
undone.refresh_from_db()
assert undone.status == ImportBatch.Status.ROLLED_BACK, undone.status

person = Person.objects.get(staff_no="MV0001")
officer = User.objects.get(username="case_officer")
assign_perm("accountability.change_person", officer, person)
officer.user_permissions.add(
    Permission.objects.get(content_type__app_label="accountability", codename="change_workcalendarday")
)
LogEntry.objects.create(
    user=admin, content_type=ContentType.objects.get_for_model(Person), object_id=str(person.pk),
    object_repr=str(person), action_flag=CHANGE, change_message="[]",
)
print("extras: 3 import batches (one rolled back), an object permission, a user permission, a log entry")
"""


def run(command: list[str], cwd: Path, env: dict[str, str]) -> None:
    print(f"$ (cd {cwd}) {' '.join(command[:4])}{' ...' if len(command) > 4 else ''}", flush=True)
    subprocess.run(command, cwd=cwd, env=env, check=True)  # noqa: S603


def connect(server: str, database: str) -> Any:
    connection = psycopg2.connect(f"{server.rstrip('/')}/{database}")
    connection.autocommit = True
    return connection


def recreate(server: str, database: str, *, drop_only: bool = False) -> None:
    connection = connect(server, "postgres")
    with connection.cursor() as cursor:
        cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database)))
        if not drop_only:
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
    connection.close()


def primary_key(cursor: Any, table: str) -> list[str]:
    cursor.execute(
        """SELECT a.attname FROM pg_index i
           JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
           WHERE i.indrelid = %s::regclass AND i.indisprimary ORDER BY a.attnum""",
        [f'public."{table}"'],
    )
    return [row[0] for row in cursor.fetchall()]


def snapshot(server: str, database: str) -> dict[str, Any]:
    """Every table's count, first and last rows, and a checksum of all rows; content types; permissions."""
    connection = connect(server, database)
    tables: dict[str, Any] = {}
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
        for (table,) in cursor.fetchall():
            key = primary_key(cursor, table) or ["ctid"]
            order = sql.SQL(", ").join(sql.Identifier(column) for column in key)
            descending = sql.SQL(", ").join(sql.SQL("{} DESC").format(sql.Identifier(c)) for c in key)
            name = sql.Identifier(table)
            cursor.execute(sql.SQL("SELECT count(*) FROM {}").format(name))
            count = cursor.fetchone()[0]
            rows = []
            for direction in (order, descending):
                cursor.execute(
                    sql.SQL(
                        "SELECT row_to_json(t)::text FROM (SELECT * FROM {} ORDER BY {} LIMIT %s) t"
                    ).format(name, direction),
                    [SAMPLE],
                )
                rows.append([json.loads(row[0]) for row in cursor.fetchall()])
            cursor.execute(
                sql.SQL(
                    "SELECT md5(coalesce(string_agg(row_to_json(t)::text, E'\\n' ORDER BY {}), '')) FROM {} t"
                ).format(sql.SQL(", ").join(sql.SQL("t.{}").format(sql.Identifier(c)) for c in key), name)
            )
            tables[table] = {"count": count, "first": rows[0], "last": rows[1], "md5": cursor.fetchone()[0]}
        cursor.execute("SELECT id, app_label, model FROM django_content_type ORDER BY id")
        content_types = {row[0]: (row[1], row[2]) for row in cursor.fetchall()}
        cursor.execute("SELECT id, content_type_id, codename FROM auth_permission ORDER BY id")
        permissions = {row[0]: (row[1], row[2]) for row in cursor.fetchall()}
    connection.close()
    return {"tables": tables, "content_types": content_types, "permissions": permissions}


def moved_content_type(row: dict[str, Any]) -> dict[str, Any]:
    """A django_content_type row as the migration should leave it."""
    if row["app_label"] == "accountability" and row["model"] in MOVED:
        return {**row, "app_label": "registry"}
    return row


def compare(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    old_tables, new_tables = before["tables"], after["tables"]
    print(f"\n{'table before':<44} {'table after':<40} {'rows':>7} {'after':>7}  samples  checksum")
    for old_name in sorted(old_tables):
        new_name = RENAMED.get(old_name, old_name)
        old = old_tables[old_name]
        new = new_tables.get(new_name)
        if new is None:
            problems.append(f"{old_name}: no table {new_name} after the migration")
            print(f"{old_name:<44} {new_name:<40} {old['count']:>7} {'—':>7}  MISSING")
            continue
        if old_name == "django_migrations":
            grew = new["count"] - old["count"]
            print(f"{old_name:<44} {new_name:<40} {old['count']:>7} {new['count']:>7}  +{grew} migrations")
            if grew <= 0:
                problems.append("django_migrations: no migration was applied")
            continue
        if old_name == "django_content_type":
            samples = all(
                [moved_content_type(row) for row in old[end]] == new[end] for end in ("first", "last")
            )
            checksum = "(app labels moved)"
        else:
            samples = old["first"] == new["first"] and old["last"] == new["last"]
            checksum = "same" if old["md5"] == new["md5"] else "DIFFERENT"
            if old["md5"] != new["md5"]:
                problems.append(f"{old_name}: the rows differ (checksum)")
        if old["count"] != new["count"]:
            problems.append(f"{old_name}: {old['count']} rows before, {new['count']} after")
        if not samples:
            problems.append(f"{old_name}: the first/last {SAMPLE} rows differ")
        print(
            f"{old_name:<44} {new_name:<40} {old['count']:>7} {new['count']:>7}  "
            f"{'same' if samples else 'DIFFERENT':<7}  {checksum}"
        )
    expected_new = {RENAMED.get(name, name) for name in old_tables}
    for extra in sorted(set(new_tables) - expected_new):
        problems.append(f"{extra}: a table that did not exist before")

    # Content types: every one keeps its id; the moved ones say registry; none is left behind or doubled.
    old_types, new_types = before["content_types"], after["content_types"]
    moved = 0
    for pk, (app_label, model) in old_types.items():
        expected = (
            ("registry", model) if app_label == "accountability" and model in MOVED else (app_label, model)
        )
        moved += expected[0] != app_label
        if new_types.get(pk) != expected:
            problems.append(f"content type {pk} {app_label}.{model}: now {new_types.get(pk)}, not {expected}")
    for pk in set(new_types) - set(old_types):
        problems.append(f"content type {pk} {new_types[pk]} is new")
    stale = [f"{a}.{m}" for a, m in new_types.values() if a == "accountability" and m in MOVED]
    if stale:
        problems.append(f"stale content types: {stale}")
    if len(set(new_types.values())) != len(new_types):
        problems.append("a content type is duplicated")
    # Permissions: same rows (id, content type id, codename), none added or lost.
    if before["permissions"] != after["permissions"]:
        problems.append("the permissions changed")
    registry_permissions = sum(new_types[ct][0] == "registry" for ct, _code in after["permissions"].values())
    print(
        f"\ncontent types: {len(old_types)} before, {len(new_types)} after, {moved} moved to registry "
        f"in place (same ids); permissions: {len(before['permissions'])} before, "
        f"{len(after['permissions'])} after (same ids), {registry_permissions} now registry.*"
    )
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", default=BASE, help="the commit before the move (default %(default)s)")
    parser.add_argument("--database", default="acc_registry_move", help="dropped and created")
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--keep", action="store_true", help="keep the database and the old checkout")
    args = parser.parse_args()

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "accountability.settings.test",
        "DATABASE_URL": f"{args.server.rstrip('/')}/{args.database}",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    env.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")
    python = sys.executable
    old_checkout = Path(tempfile.mkdtemp(prefix="registry-move-base-")) / "checkout"
    run(["git", "worktree", "add", "--detach", "--quiet", str(old_checkout), args.base], ROOT, env)
    try:
        recreate(args.server, args.database)
        for command in (["migrate", "--noinput", "-v", "0"], ["load_regulations"], ["seed_demo"]):
            run([python, "manage.py", *command], old_checkout, env)
        run([python, "manage.py", "shell", "-c", BEFORE_EXTRAS], old_checkout, env)
        before = snapshot(args.server, args.database)
        run([python, "manage.py", "migrate", "--noinput"], ROOT, env)
        after = snapshot(args.server, args.database)
        problems = compare(before, after)
    finally:
        if not args.keep:
            subprocess.run(["git", "worktree", "remove", "--force", str(old_checkout)], cwd=ROOT, check=False)  # noqa: S603, S607
            recreate(args.server, args.database, drop_only=True)
    rows = sum(table["count"] for table in before["tables"].values())
    if problems:
        print(f"\nFAILED: {len(problems)} problem(s)")
        for problem in problems:
            print(f"  - {problem}")
        return 1
    print(
        f"\nOK: {len(before['tables'])} tables, {rows} rows before; every table's count, first and last "
        f"{SAMPLE} rows and checksum of all rows are the same after the migration "
        f"({len(RENAMED)} tables renamed accountability_* -> registry_*)."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
