"""Who may see and act on which case. Every view, export and search reads cases through here.

A user sees a case when they are named on it (a django-guardian `view_case` object permission: the lead
officer, the team, the named users of a confidential case), or when they hold the `view_case` model
permission and the case is not confidential and its unit lies in their jurisdiction (the subtree of their
profile's unit).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser, Permission, User
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from guardian.shortcuts import assign_perm

from accountability.models import OrgUnit, Profile

from .models import Case, CaseUserObjectPermission

OBJECT_PERMS = ("view_case", "change_case")


def jurisdiction_path(user: User | AnonymousUser) -> str | None:
    """The path of the root of the user's jurisdiction, read once per user object."""
    if not isinstance(user, User):
        return None
    if not hasattr(user, "_jurisdiction_path"):
        path = Profile.objects.filter(user=user).values_list("unit__path", flat=True).first()
        setattr(user, "_jurisdiction_path", path)  # noqa: B010 - per-request cache on the user object
    cached: str | None = getattr(user, "_jurisdiction_path")  # noqa: B009
    return cached


def named_on(user: User) -> Exists:
    # The permission id is an uncorrelated subquery: PostgreSQL runs it once per query, not per row.
    view_case = Permission.objects.filter(content_type__app_label="cases", codename="view_case").values("pk")[
        :1
    ]
    return Exists(
        CaseUserObjectPermission.objects.filter(
            content_object=OuterRef("pk"), user=user, permission_id=Subquery(view_case)
        )
    )


def visibility_filter(user: User | AnonymousUser) -> Q:
    if not isinstance(user, User) or not user.is_active:
        return Q(pk__in=[])
    if user.is_superuser:
        return Q()
    path = jurisdiction_path(user)
    named = Q(named_on(user))
    if not (path and user.has_perm("cases.view_case")):
        return named
    # The jurisdiction test comes first: it is cheap and settles most rows before the named-user check.
    subtree = OrgUnit.objects.filter(path__startswith=path).values("pk")
    return Q(confidential=False, unit_id__in=subtree) | named


def cases_for_user(user: User | AnonymousUser) -> QuerySet[Case]:
    """The one permission-filtered queryset of cases: lists, detail pages, search and exports use it."""
    return Case.objects.filter(visibility_filter(user)).select_related("unit", "lead_officer", "regulation")


def get_case_for_user(user: User | AnonymousUser, pk: Any) -> Case:
    """The case, if this user may see it; otherwise 404 (its existence is not revealed)."""
    try:
        return cases_for_user(user).get(pk=pk)
    except (Case.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def can_see(user: User | AnonymousUser, case: Case) -> bool:
    return cases_for_user(user).filter(pk=case.pk).exists()


def name_on_case(case: Case, *users: User | None) -> None:
    """Give these users the object permissions of people named on the case."""
    for user in {u.pk: u for u in users if u is not None}.values():
        for perm in OBJECT_PERMS:
            assign_perm(f"cases.{perm}", user, case)
