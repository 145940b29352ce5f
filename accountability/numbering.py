"""Gap-free document numbers per kind and year (问责〔2026〕第0001号), safe under concurrent creation.

The sequence row is locked (SELECT … FOR UPDATE) inside the caller's transaction, so two concurrent
creations queue on it, and a rolled-back creation rolls its number back too: no gaps, no duplicates.
"""

from django.db import transaction

from .models import DocumentSequence


def next_number(kind: str, year: int) -> int:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("next_number must run inside the transaction that stores the number")
    # Create the row if this is the year's first number; a concurrent creator's row wins harmlessly.
    DocumentSequence.objects.bulk_create([DocumentSequence(kind=kind, year=year)], ignore_conflicts=True)
    sequence = DocumentSequence.objects.select_for_update().get(kind=kind, year=year)
    sequence.last_value += 1
    sequence.save(update_fields=["last_value"])
    return sequence.last_value
