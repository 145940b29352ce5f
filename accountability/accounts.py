"""Who may manage which account, and which rights they may hand out: the one rule for every account page.

The system administrator role (`admin`) runs ordinary accounts — their business role, unit, name and
active flag, and their password — but must never reach rights at or above their own: only a superuser
grants superuser or staff status, the `admin` role, any other group, or individual permissions, and only a
superuser edits the groups' permissions. An account that already holds any of those is managed by
superusers alone, and nobody but a superuser manages their own account (their unit is their jurisdiction,
their groups their rights). The Django admin enforces this through the functions below (form fields,
choices, per-object permissions, the password page), and so must any future account page.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, Group
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from . import roles

# The business roles an administrator may hand out: every role but their own.
ORDINARY_ROLES = tuple(role for role in roles.ROLES if role != roles.ADMIN)

Actor = AbstractBaseUser | AnonymousUser


class AccountPermissionError(PermissionDenied):
    """The account change was refused; `messages` say why, in the user's language."""

    def __init__(self, messages: str | Iterable[str]):
        self.messages = [messages] if isinstance(messages, str) else list(messages)
        super().__init__("; ".join(self.messages))


def _is_superuser(user: Any) -> bool:
    return bool(getattr(user, "is_superuser", False)) and bool(getattr(user, "is_active", False))


def can_manage_accounts(actor: Actor) -> bool:
    """Superusers and system administrators manage accounts; holding auth permissions alone is not enough."""
    if not actor.is_authenticated or not getattr(actor, "is_active", False):
        return False
    return _is_superuser(actor) or roles.ADMIN in roles.role_names(actor)


def privileged_accounts(users: QuerySet[Any]) -> QuerySet[Any]:
    """Those of `users` holding any right beyond the ordinary business roles: superuser or staff status,
    the `admin` role or another group, or individual permissions."""
    beyond_roles = Group.objects.exclude(name__in=ORDINARY_ROLES)
    return users.filter(
        Q(is_superuser=True)
        | Q(is_staff=True)
        | Q(user_permissions__isnull=False)
        | Q(groups__in=beyond_roles)
    ).distinct()


def is_privileged(user: Any) -> bool:
    if user.is_superuser or user.is_staff:
        return True
    if user.pk is None:
        return False
    return privileged_accounts(get_user_model().objects.filter(pk=user.pk)).exists()


def can_manage_account(actor: Actor, target: Any | None) -> bool:
    """May `actor` change `target` (its fields, roles, unit, password)? `None` asks about a new account."""
    if not can_manage_accounts(actor):
        return False
    if _is_superuser(actor):
        return True
    if target is None:
        return True
    if target.pk is not None and target.pk == actor.pk:
        return False
    return not is_privileged(target)


def manageable_ids(actor: Actor, users: Iterable[Any]) -> set[int]:
    """The ids of those `users` that `actor` may manage: `can_manage_account` for a list, in one query."""
    if not can_manage_accounts(actor):
        return set()
    ids = {user.pk for user in users if user.pk is not None}
    if _is_superuser(actor):
        return ids
    ids.discard(actor.pk)
    privileged = privileged_accounts(get_user_model().objects.filter(pk__in=ids)).values_list("pk", flat=True)
    return ids - set(privileged)


def can_edit_groups(actor: Actor) -> bool:
    """A group's permissions are rights of everyone in it: only superusers edit them."""
    return _is_superuser(actor)


def assignable_groups(actor: Actor) -> QuerySet[Group]:
    """The groups `actor` may put an account in."""
    if _is_superuser(actor):
        return Group.objects.order_by("name")
    if can_manage_accounts(actor):
        return Group.objects.filter(name__in=ORDINARY_ROLES).order_by("name")
    return Group.objects.none()


def account_change_errors(
    actor: Actor,
    target: Any | None,
    *,
    is_superuser: bool = False,
    is_staff: bool = False,
    groups: Iterable[Group] = (),
    user_permissions: Iterable[Any] = (),
) -> list[str]:
    """Why `actor` may not give `target` (None: a new account) these rights; empty when allowed.

    The rights are those the change asks for (the whole new state, not a difference): a manageable
    account holds none of the privileged ones, so asking for one is always an elevation.
    """
    if not can_manage_account(actor, target):
        return [
            _(
                "You may not change this account. Superuser, staff and system administrator accounts are "
                "managed by superusers only, and nobody but a superuser changes their own account."
            )
        ]
    if _is_superuser(actor):
        return []
    errors: list[str] = []
    if is_superuser:
        errors.append(_("Only a superuser can make an account a superuser."))
    if is_staff:
        errors.append(_("Only a superuser can give an account staff status (access to the administration)."))
    allowed = set(assignable_groups(actor).values_list("pk", flat=True))
    refused = sorted(group.name for group in groups if group.pk not in allowed)
    if refused:
        labels = [str(roles.ROLE_LABELS.get(name, name)) for name in refused]
        errors.append(
            _("Only a superuser can grant these roles or groups: %(groups)s.") % {"groups": "、".join(labels)}
        )
    if any(True for _permission in user_permissions):
        errors.append(_("Only a superuser can grant individual permissions."))
    return errors


def require_account_change(actor: Actor, target: Any | None, **rights: Any) -> None:
    """Raise AccountPermissionError unless `actor` may make this change."""
    errors = account_change_errors(actor, target, **rights)
    if errors:
        raise AccountPermissionError(errors)
