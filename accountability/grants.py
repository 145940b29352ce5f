"""Access that always equals what the record says, and an audit row for every change of it.

Who may see a confidential case, work in an inspection team or see a petitioner in full follows from the
record itself: the case's lead officer, creator, named users and investigation team; the team's leader
and members; the petition's handlers. Each app works out from its own fields *who* should hold *what*
(`cases.access.case_grants`, `inspections.actions.team_grants`) and calls `sync_object_permissions` in the
transaction of the change: it adds the django-guardian rows that are missing, deletes those no longer due
— so a removal takes effect on the very next request — and writes one `AccessChange` per user who gained
or lost anything. Access that is not a guardian permission (petition handlers) is audited with
`record_access_change`. `access_log` reads the rows back for the record's page.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import Permission, User
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from .models import AccessCause, AccessChange, AccessGround

# The object permissions and pseudo-permissions the audit speaks of, as the pages show them.
PERMISSION_LABELS = {
    "view_case": _("see the case"),
    "change_case": _("edit the case"),
    "view_inspectionteam": _("see the team's tours"),
    "work_in_team": _("work in the team"),
    "lead_team": _("lead the team"),
    "handle_petition": _("handle the petition and see the petitioner in full"),
}


@dataclass(frozen=True)
class Grant:
    """What one user should hold on one record, and why."""

    permissions: frozenset[str]
    grounds: tuple[str, ...]


def grants_from(
    grounds_by_user: Mapping[int, Iterable[str]], permissions: Mapping[str, Iterable[str]]
) -> dict[int, Grant]:
    """user id → Grant, from each user's grounds and the permissions each ground carries."""
    wanted: dict[int, Grant] = {}
    for user_id, grounds in grounds_by_user.items():
        ordered = tuple(dict.fromkeys(grounds))
        codenames = frozenset(code for ground in ordered for code in permissions[ground])
        wanted[user_id] = Grant(codenames, ordered)
    return wanted


def _codes(values: Iterable[str]) -> str:
    return " ".join(sorted(values))


def sync_object_permissions(
    obj: models.Model,
    perm_model: type[Any],
    wanted: Mapping[int, Grant],
    *,
    by: User | None,
    cause: AccessCause,
) -> list[AccessChange]:
    """Make the user object permissions held on `obj` equal `wanted`; audit each user's change.

    `perm_model` is the direct-FK guardian table of `obj`'s model. Callers hold the record's row lock
    (or run in the admin's transaction), so two changes of one record do not interleave.
    """
    content_type = ContentType.objects.get_for_model(obj)
    held: dict[int, dict[str, int]] = {}
    for row_id, user_id, codename in perm_model.objects.filter(content_object=obj).values_list(
        "pk", "user_id", "permission__codename"
    ):
        held.setdefault(user_id, {})[codename] = row_id
    needed = {code for grant in wanted.values() for code in grant.permissions}
    permission_ids = dict(
        Permission.objects.filter(content_type=content_type, codename__in=needed).values_list(
            "codename", "pk"
        )
    )
    missing_codes = needed - set(permission_ids)
    if missing_codes:
        raise ValueError(f"Unknown permissions for {content_type}: {sorted(missing_codes)}")

    new_rows = []
    stale_row_ids: list[int] = []
    audit = []
    for user_id in sorted(set(wanted) | set(held)):
        grant = wanted.get(user_id)
        want = grant.permissions if grant else frozenset()
        have = held.get(user_id, {})
        added = want - set(have)
        removed = set(have) - want
        new_rows += [
            perm_model(content_object=obj, user_id=user_id, permission_id=permission_ids[code])
            for code in added
        ]
        stale_row_ids += [have[code] for code in removed]
        if added:
            audit.append(
                AccessChange(
                    content_type=content_type,
                    object_id=obj.pk,
                    user_id=user_id,
                    granted=True,
                    permissions=_codes(added),
                    grounds=" ".join(grant.grounds) if grant else "",
                    cause=cause,
                    by=by,
                )
            )
        if removed:
            audit.append(
                AccessChange(
                    content_type=content_type,
                    object_id=obj.pk,
                    user_id=user_id,
                    granted=False,
                    permissions=_codes(removed),
                    cause=cause,
                    by=by,
                )
            )
    if stale_row_ids:
        perm_model.objects.filter(pk__in=stale_row_ids).delete()
    if new_rows:
        perm_model.objects.bulk_create(new_rows)
    return AccessChange.objects.bulk_create(audit)


def record_access_change(
    obj: models.Model,
    users: Iterable[User],
    *,
    granted: bool,
    permissions: Iterable[str],
    grounds: Iterable[str] = (),
    cause: AccessCause,
    by: User | None,
) -> list[AccessChange]:
    """Audit access held outside django-guardian (a petition's handler rows), one row per user."""
    content_type = ContentType.objects.get_for_model(obj)
    return AccessChange.objects.bulk_create(
        [
            AccessChange(
                content_type=content_type,
                object_id=obj.pk,
                user=user,
                granted=granted,
                permissions=_codes(permissions),
                grounds=" ".join(grounds) if granted else "",
                cause=cause,
                by=by,
            )
            for user in {user.pk: user for user in users}.values()
        ]
    )


GROUND_LABELS = dict(AccessGround.choices)


def access_log(obj: models.Model) -> list[AccessChange]:
    """The record's grants and revocations, oldest first, with their labels ready for the page."""
    rows = list(
        AccessChange.objects.filter(
            content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk
        ).select_related("user", "by")
    )
    for row in rows:
        row.permission_labels = [  # type: ignore[attr-defined]
            str(PERMISSION_LABELS.get(code, code)) for code in row.permissions.split()
        ]
        row.ground_labels = [  # type: ignore[attr-defined]
            str(GROUND_LABELS.get(code, code)) for code in row.grounds.split()
        ]
    return rows
