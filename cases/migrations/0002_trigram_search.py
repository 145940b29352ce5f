"""Trigram indexes for substring search of case titles and of people's and units' names (PostgreSQL only).

Django's `icontains` becomes `UPPER(col::text) LIKE UPPER(%s)`, so the indexes are on that expression.
On SQLite (the embedded default) this migration does nothing and search scans, which is fine at demo size.
"""

from django.db import migrations

INDEXES = [
    ("case_title_trgm", "cases_case", "title"),
    ("person_name_trgm", "accountability_person", "name"),
    ("orgunit_name_trgm", "accountability_orgunit", "name"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, column in INDEXES:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ((UPPER("{column}"::text)) gin_trgm_ops)'
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _column in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0001_initial"),
        ("accountability", "0003_documents_and_notifications"),
    ]

    operations = [migrations.RunPython(create, drop)]
