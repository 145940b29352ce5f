"""The navigation bar, by role. Each app lists its entries in `<app>/navigation.py` as NAV_ITEMS."""

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from kernel.hooks import contributions

from . import roles


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    roles: tuple[str, ...] = ()  # empty: every signed-in user
    order: int = 50


NAV_ITEMS = [
    NavItem(_("Home"), "home", order=0),
    NavItem(
        _("Statistics"),
        "statistics",
        (roles.CASE_OFFICER, roles.APPROVER, roles.INSPECTION_LEADER, roles.PETITION_OFFICER),
        order=85,
    ),
    NavItem(_("Sign-in lockouts"), "accounts:lockout_list", (roles.ADMIN,), order=95),
    NavItem(_("Administration"), "admin:index", (roles.ADMIN,), order=99),
]


def _all_items() -> list[NavItem]:
    """Every app's NAV_ITEMS (this module's own included), by `order`."""
    items = [item for app_items in contributions("navigation", "NAV_ITEMS") for item in app_items]
    return sorted(items, key=lambda item: item.order)


def items_for(user: AbstractBaseUser | AnonymousUser, current_path: str) -> list[dict[str, object]]:
    if not user.is_authenticated:
        return []
    names = roles.role_names(user)
    superuser = getattr(user, "is_superuser", False)
    visible: list[dict[str, object]] = []
    for item in _all_items():
        if item.roles and not (superuser or names.intersection(item.roles)):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        active = current_path == url if url == "/" else current_path.startswith(url)
        visible.append({"label": item.label, "url": url, "active": active})
    return visible
