"""Writes to the unit tree. The materialised `path` is derived here and nowhere else."""

from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr

from ..models import OrgUnit


def _path_for(parent: OrgUnit | None, unit_id: int) -> str:
    return f"{parent.path if parent else '/'}{unit_id}/"


@transaction.atomic
def save_unit(unit: OrgUnit) -> OrgUnit:
    """Create or update a unit (already validated with full_clean) and keep the paths of its subtree right."""
    old_path = ""
    if unit.pk is not None:
        old_path = OrgUnit.objects.filter(pk=unit.pk).values_list("path", flat=True).first() or ""
    parent = OrgUnit.objects.select_for_update().get(pk=unit.parent_id) if unit.parent_id else None
    unit.save()
    new_path = _path_for(parent, unit.pk)
    new_depth = new_path.count("/") - 2
    if new_path != unit.path or new_depth != unit.depth:
        unit.path, unit.depth = new_path, new_depth
        unit.save(update_fields=["path", "depth"])
    if old_path and old_path != new_path:
        # Re-root every descendant in one statement.
        descendants = OrgUnit.objects.filter(path__startswith=old_path).exclude(pk=unit.pk)
        descendants.update(
            path=Concat(Value(new_path), Substr(F("path"), len(old_path) + 1)),
            depth=F("depth") + (new_depth - (old_path.count("/") - 2)),
        )
    return unit


@transaction.atomic
def rebuild_unit_paths() -> int:
    """Recompute every unit's path from the parent links (after a bulk import). Returns the units changed."""
    rows = list(OrgUnit.objects.values_list("pk", "parent_id", "path", "depth"))
    parent_of = {pk: parent_id for pk, parent_id, _path, _depth in rows}
    computed: dict[int, str] = {}

    def path_of(pk: int) -> str:
        chain: list[int] = []
        cursor: int | None = pk
        while cursor is not None and cursor not in computed:
            if cursor in chain:
                raise ValueError(f"unit {cursor} is its own ancestor")
            chain.append(cursor)
            cursor = parent_of.get(cursor)
        prefix = computed[cursor] if cursor is not None else "/"
        for node in reversed(chain):
            prefix = f"{prefix}{node}/"
            computed[node] = prefix
        return computed[pk]

    changed = []
    for pk, _parent_id, path, depth in rows:
        new_path = path_of(pk)
        new_depth = new_path.count("/") - 2
        if new_path != path or new_depth != depth:
            changed.append(OrgUnit(pk=pk, path=new_path, depth=new_depth))
    OrgUnit.objects.bulk_update(changed, ["path", "depth"], batch_size=1000)
    return len(changed)
