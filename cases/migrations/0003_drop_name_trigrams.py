"""Drop the trigram indexes on people's and units' names (PostgreSQL only).

Names are two or three characters, too short for trigrams to narrow a search, while keeping a GIN index
up to date made every bulk import of people pay for it. Name searches scan the people table instead,
which is fast at registry sizes; the index on case titles stays.
"""

from django.db import migrations

DROPPED = [
    ("person_name_trgm", "accountability_person", "name"),
    ("orgunit_name_trgm", "accountability_orgunit", "name"),
]


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _column in DROPPED:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, table, column in DROPPED:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ((UPPER("{column}"::text)) gin_trgm_ops)'
        )


class Migration(migrations.Migration):
    dependencies = [("cases", "0002_trigram_search")]

    operations = [migrations.RunPython(drop, create)]
