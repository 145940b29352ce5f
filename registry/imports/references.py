"""What stands in the way of a rollback: later changes to the rows, and other records that use them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db.models import ForeignObjectRel, Model

from . import staging


def rows_changed_after(model: type[Model], ids: Sequence[int], when: dt.datetime) -> list[int]:
    """Ids among `ids` with a history row after `when`: edited by hand or by a later import since."""
    history = model.history.model  # type: ignore[attr-defined]
    changed: list[int] = []
    for chunk in staging.chunked(ids, 5000):
        changed.extend(
            history.objects.filter(id__in=chunk, history_date__gt=when)
            .order_by("id")
            .values_list("id", flat=True)
            .distinct()
        )
    return changed


def describe_references(model: type[Model], ids: Sequence[int]) -> tuple[int, str] | None:
    """How many of `ids` other records point at (any relation, whatever its on_delete), and which kinds.

    Deleting such a row would cascade into, protect against, or silently unlink someone else's record,
    so a rollback refuses instead. History tables are not references.
    """
    used: set[int] = set()
    kinds: list[str] = []
    for relation in model._meta.related_objects:
        assert isinstance(relation, ForeignObjectRel)
        related = relation.related_model
        assert isinstance(related, type)
        lookup = f"{relation.field.name}__in"
        hits: set[int] = set()
        for chunk in staging.chunked(ids, 5000):
            hits.update(
                related._default_manager.filter(**{lookup: chunk}).values_list(relation.field.name, flat=True)
            )
        hits.discard(None)
        if related is model:
            # A created row under another created row goes with it; only rows outside the batch count.
            outside = related._default_manager.filter(**{lookup: list(hits)}).exclude(pk__in=list(ids))
            hits = set(outside.values_list(relation.field.name, flat=True))
        if hits:
            used |= hits
            kinds.append(str(related._meta.verbose_name))
    if not used:
        return None
    return len(used), "、".join(kinds)
