"""The role groups of DOMAIN.md and the model permissions each one holds.

Groups are created by migration (0002) and kept in sync after every migrate: each app declares the
permissions its roles need in `<app>/permissions.py` as ROLE_PERMISSIONS, and `sync_role_permissions` adds
them. Object-level access (which case, which team) is django-guardian's and the access helpers' business.
"""

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any

from django.apps import apps as global_apps
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, PermissionsMixin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from kernel.hooks import contributions

CASE_OFFICER = "case_officer"
APPROVER = "approver"
INSPECTION_LEADER = "inspection_leader"
INSPECTOR = "inspector"
PETITION_OFFICER = "petition_officer"
UNIT_CONTACT = "unit_contact"
ADMIN = "admin"

ROLE_LABELS = {
    CASE_OFFICER: _("Case officer"),
    APPROVER: _("Approving leader"),
    INSPECTION_LEADER: _("Inspection team leader"),
    INSPECTOR: _("Inspection team member"),
    PETITION_OFFICER: _("Petition officer"),
    UNIT_CONTACT: _("Unit contact"),
    ADMIN: _("System administrator"),
}
ROLES = tuple(ROLE_LABELS)

REGISTRY_MODELS = ("orgunit", "person", "profile", "regulation", "clause", "deadlinerule", "workcalendarday")

# The registry's contribution (the `registry` app's models), declared here with the roles themselves:
# everyone reads the registry; admins run it.
ROLE_PERMISSIONS: dict[str, list[str]] = {
    role: [
        f"registry.view_{model}" for model in ("orgunit", "person", "regulation", "clause", "deadlinerule")
    ]
    for role in ROLES
}
ROLE_PERMISSIONS[ADMIN] = [
    f"registry.{action}_{model}"
    for model in REGISTRY_MODELS
    for action in ("view", "add", "change", "delete")
] + ["auth.view_user", "auth.add_user", "auth.change_user", "auth.view_group"]
# Admins run ordinary accounts (accountability/accounts.py) but never edit a group: a group's permissions
# are its members' rights, their own included. The sync takes back grants listed here that older
# versions made.
REVOKED_ROLE_PERMISSIONS: dict[str, list[str]] = {ADMIN: ["auth.add_group", "auth.change_group"]}


def declared_role_permissions() -> dict[str, set[str]]:
    """ROLE_PERMISSIONS of every installed app that declares them, merged."""
    merged: dict[str, set[str]] = {role: set() for role in ROLES}
    # The registry declares its own here; the other apps in `<app>/permissions.py`.
    for declared in (ROLE_PERMISSIONS, *contributions("permissions", "ROLE_PERMISSIONS")):
        for role, perms in declared.items():
            merged.setdefault(role, set()).update(perms)
    return merged


def sync_role_permissions(
    sender: Any = None, *, apps: Any = global_apps, using: str = "default", **kwargs: Any
) -> None:
    """Create the role groups if missing, grant the declared model permissions and take back the revoked
    ones (REVOKED_ROLE_PERMISSIONS); any other permission an admin added by hand stays."""
    try:
        group_model = apps.get_model("auth", "Group")
        permission_model = apps.get_model("auth", "Permission")
    except LookupError:
        return
    groups = {g.name: g for g in group_model.objects.using(using).filter(name__in=ROLES)}
    for role in ROLES:
        if role not in groups:
            groups[role] = group_model.objects.using(using).create(name=role)
    wanted = declared_role_permissions()
    all_codes = {code for codes in wanted.values() for code in codes}
    by_code = {
        f"{app_label}.{codename}": pk
        for pk, app_label, codename in permission_model.objects.using(using)
        .filter(codename__in={code.split(".", 1)[1] for code in all_codes})
        .values_list("pk", "content_type__app_label", "codename")
    }
    through = group_model.permissions.through
    present = set(
        through.objects.using(using)
        .filter(group_id__in=[g.pk for g in groups.values()])
        .values_list("group_id", "permission_id")
    )
    missing = [
        through(group_id=groups[role].pk, permission_id=by_code[code])
        for role, codes in wanted.items()
        if role in groups
        for code in codes
        if code in by_code and (groups[role].pk, by_code[code]) not in present
    ]
    through.objects.using(using).bulk_create(missing, ignore_conflicts=True)
    for role, codes in REVOKED_ROLE_PERMISSIONS.items():
        if role not in groups:
            continue
        for code in codes:
            app_label, codename = code.split(".", 1)
            through.objects.using(using).filter(
                group_id=groups[role].pk,
                permission__content_type__app_label=app_label,
                permission__codename=codename,
            ).delete()


def role_names(user: AbstractBaseUser | AnonymousUser) -> frozenset[str]:
    """The role groups of a user, read once per user object."""
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_role_names", None)
    if cached is None:
        if not isinstance(user, PermissionsMixin):
            return frozenset()
        cached = frozenset(user.groups.filter(name__in=ROLES).values_list("name", flat=True))
        setattr(user, "_role_names", cached)  # noqa: B010 - a per-object cache, not a model field
    return cached


def has_role(user: AbstractBaseUser | AnonymousUser, *roles: str) -> bool:
    return bool(role_names(user).intersection(roles)) or bool(
        getattr(user, "is_superuser", False) and ADMIN in roles
    )


def role_labels(names: Iterable[str]) -> list[str]:
    return [str(ROLE_LABELS[name]) for name in ROLES if name in set(names)]


View = Callable[..., HttpResponse]


def admin_only(view: View) -> View:
    """Signed-in system administrators (and superusers); everyone else gets 403."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not has_role(request.user, ADMIN):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped
