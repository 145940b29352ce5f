"""Who may see and act on which case. Every view, export and search reads cases through here.

A user sees a case when they are named on it (a django-guardian `view_case` object permission), or when
they hold the `view_case` model permission and the case is not confidential and its unit lies in their
jurisdiction (the subtree of their profile's unit, `registry.jurisdiction`).

The object permissions are never granted by hand: `case_grants` says what the case gives whom now (its
lead officer, the user who registered it, its named users in `CaseNamedUser`, and the users linked to its
investigation team's people), and `cases.actions.sync_case_grants` makes the stored permissions equal to
it in the transaction of every change, with an audit row for each grant and revocation
(accountability/grants.py). A case is written only for a unit in the writer's jurisdiction
(`in_jurisdiction`), as it is read.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser, Permission, User
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.http import Http404

from accountability.grants import Grant, grants_from
from accountability.models import AccessGround
from registry.jurisdiction import jurisdiction_path
from registry.models import OrgUnit, Profile

from .models import Case, CaseNamedUser, CaseUserObjectPermission, InvestigationTeamMember

OBJECT_PERMS = ("view_case", "change_case")
# What each ground gives. Those who work on the case may edit it; whoever registered the clue (an
# inspection leader transferring a finding, a petition officer referring a failure, the officer who
# opened it) keeps seeing it, to follow what became of it, but does not edit it on that ground alone.
GROUND_PERMISSIONS: dict[str, tuple[str, ...]] = {
    AccessGround.LEAD_OFFICER: OBJECT_PERMS,
    AccessGround.NAMED: OBJECT_PERMS,
    AccessGround.INVESTIGATOR: OBJECT_PERMS,
    AccessGround.CREATOR: ("view_case",),
}


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


def in_jurisdiction(user: User, unit: OrgUnit) -> bool:
    """Whether the user may put a case in this unit: the unit lies in the subtree they oversee."""
    if user.is_superuser:
        return True
    path = jurisdiction_path(user)
    if not path:
        return False
    return unit.path.startswith(path)


def case_grants(case: Case) -> dict[int, Grant]:
    """user id → the object permissions the case gives them now, and on which grounds."""
    grounds: dict[int, list[str]] = {}
    for user_id, ground in (
        (case.lead_officer_id, AccessGround.LEAD_OFFICER),
        (case.created_by_id, AccessGround.CREATOR),
    ):
        if user_id is not None:
            grounds.setdefault(user_id, []).append(ground)
    for user_id in CaseNamedUser.objects.filter(case=case).values_list("user_id", flat=True):
        grounds.setdefault(user_id, []).append(AccessGround.NAMED)
    team = InvestigationTeamMember.objects.filter(case=case).values("person_id")
    for user_id in Profile.objects.filter(person_id__in=team).values_list("user_id", flat=True):
        grounds.setdefault(user_id, []).append(AccessGround.INVESTIGATOR)
    return grants_from(grounds, GROUND_PERMISSIONS)
