"""Set-based writes shared by the imports: a temporary staging table filled in one go, then plain SQL.

PostgreSQL fills the staging table with COPY; other databases (the embedded SQLite) with one executemany.
The statements that follow (INSERT … SELECT, UPDATE … FROM, DELETE … IN) are the same on both.
Identifiers in the SQL come from model metadata, never from user input; values are always parameters.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from django.db import connection
from django.db.models import Field, Model

STAGE = "import_stage"


def q(name: str) -> str:
    return connection.ops.quote_name(name)


def table(model: type[Model]) -> str:
    return q(model._meta.db_table)


def column(model: type[Model], name: str) -> str:
    field = model._meta.get_field(name)
    assert isinstance(field, Field)
    return q(str(field.column))


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def use_copy() -> bool:
    """Fill staging tables with COPY (PostgreSQL) rather than executemany (the portable path)."""
    return is_postgres()


def lock_tables(*models: type[Model]) -> None:
    """Hold off other writers of these tables until the transaction ends (PostgreSQL). SQLite has a
    single writer anyway."""
    if is_postgres():
        with connection.cursor() as cursor:
            for model in models:
                cursor.execute(f"LOCK TABLE {table(model)} IN SHARE ROW EXCLUSIVE MODE")


def create_stage(columns: Sequence[tuple[str, str]]) -> None:
    """A temporary table `import_stage` with (name, SQL type) columns; dropped by `drop_stage`."""
    definition = ", ".join(f"{q(name)} {sql_type}" for name, sql_type in columns)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {q(STAGE)}")
        cursor.execute(f"CREATE TEMPORARY TABLE {q(STAGE)} ({definition})")


def drop_stage() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {q(STAGE)}")


def fill_stage(names: Sequence[str], rows: Iterable[Sequence[Any]], *, not_null: Sequence[str] = ()) -> None:
    """Load rows into the staging table: COPY on PostgreSQL, executemany in chunks elsewhere.

    `not_null` names the text columns whose empty strings must stay empty strings (not NULL) under COPY.
    """
    with connection.cursor() as cursor:
        if use_copy():
            buffer = io.StringIO()
            # str() of a date is its ISO form, of None an empty (NULL) field: no conversion needed.
            csv.writer(buffer, lineterminator="\n").writerows(rows)
            buffer.seek(0)
            options = "FORMAT csv"
            if not_null:
                options += f", FORCE_NOT_NULL ({', '.join(q(name) for name in not_null)})"
            sql = f"COPY {q(STAGE)} ({', '.join(q(name) for name in names)}) FROM STDIN WITH ({options})"
            cursor.cursor.copy_expert(sql, buffer)
        else:
            placeholders = ", ".join(["%s"] * len(names))
            sql = f"INSERT INTO {q(STAGE)} ({', '.join(q(name) for name in names)}) VALUES ({placeholders})"  # noqa: S608
            for chunk in chunked(rows, 5000):
                cursor.executemany(sql, chunk)


def rows_where_in(
    model: type[Model], key: str, keys: Sequence[str], fields: Sequence[str]
) -> Iterator[tuple[Any, ...]]:
    """`fields` of the rows whose `key` is among `keys`: one query with an array on PostgreSQL, chunks of
    the ORM's IN elsewhere. No per-row queries either way."""
    if not keys:
        return
    if is_postgres():
        names = []
        for name in fields:
            field = model._meta.pk if name == "pk" else model._meta.get_field(name)
            assert isinstance(field, Field)
            names.append(q(str(field.column)))
        # One text parameter split by the server is cheaper to send and parse than a 100,000-element
        # array literal; the unit separator cannot be in a key that went through the checks.
        joined = "\x1f".join(keys)
        if joined.count("\x1f") == len(keys) - 1:
            condition, param = "= ANY(string_to_array(%s, chr(31)))", joined
        else:
            condition, param = "= ANY(%s)", list(keys)  # type: ignore[assignment]
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {', '.join(names)} FROM {table(model)} WHERE {column(model, key)} {condition}",  # noqa: S608
                [param],
            )
            yield from cursor.fetchall()
        return
    for chunk in chunked(keys, 5000):
        yield from model._default_manager.filter(**{f"{key}__in": chunk}).values_list(*fields)


def chunked(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def json_param_cast(expression: str) -> str:
    """`expression` (JSON text) as a value for a JSONField column."""
    return f"CAST({expression} AS jsonb)" if is_postgres() else expression


def sql_type(model: type[Model], name: str) -> str:
    field = model._meta.get_field(name)
    assert isinstance(field, Field)
    if field.is_relation:
        target = field.target_field  # type: ignore[attr-defined]
        return str(target.rel_db_type(connection))
    return str(field.db_type(connection))


def fetch(sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def execute(sql: str, params: Sequence[Any] = ()) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return int(cursor.rowcount)
