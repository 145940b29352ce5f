"""Who may see and act on which team, assignment, finding and rectification item.

Every view reads through these helpers, so lists and detail pages cannot disagree:
- a team's leader and members hold django-guardian object permissions on the team (kept by
  `actions.sync_team_permissions`): they see the team's assignments, findings and rectification items;
  only the leader holds `lead_team` (verify, transfer, set and accept rectification);
- a unit contact sees the rectification items of their own unit (`profile.unit`), and reports on them;
  the profile unit and the jurisdiction are `registry.jurisdiction`'s, read once per request;
- case officers and approvers see, read-only, the rectification items of units in their jurisdiction
  (the escalation notifies them: the link they get must open);
- admins see everything, read-only except for the reference data in the Django admin.
Anything else is 404 for an object (its existence is not revealed) and 403 for a page of one's role.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from accountability import roles
from registry.jurisdiction import profile_unit

from .models import (
    Assignment,
    Finding,
    InspectionTeam,
    InspectionTeamUserObjectPermission,
    RectificationItem,
)

TEAM_ROLES = (roles.INSPECTION_LEADER, roles.INSPECTOR)
OVERSIGHT_ROLES = (roles.CASE_OFFICER, roles.APPROVER)


def is_admin(user: User | AnonymousUser) -> bool:
    return roles.has_role(user, roles.ADMIN)


def _in_team(user: User, codename: str) -> Exists:
    return Exists(
        InspectionTeamUserObjectPermission.objects.filter(
            content_object=OuterRef("pk"), user=user, permission__codename=codename
        )
    )


def teams_for_user(user: User | AnonymousUser) -> QuerySet[InspectionTeam]:
    if not isinstance(user, User) or not user.is_active:
        return InspectionTeam.objects.none()
    if is_admin(user):
        return InspectionTeam.objects.all()
    if not roles.has_role(user, *TEAM_ROLES):
        return InspectionTeam.objects.none()
    return InspectionTeam.objects.filter(_in_team(user, "view_inspectionteam"))


def may_use_inspections(user: User | AnonymousUser) -> bool:
    """The role check of the tour pages (assignments, findings): others get 403."""
    return roles.has_role(user, *TEAM_ROLES, roles.ADMIN)


def may_see_rectification(user: User | AnonymousUser) -> bool:
    return roles.has_role(user, *TEAM_ROLES, *OVERSIGHT_ROLES, roles.UNIT_CONTACT, roles.ADMIN)


def assignments_for_user(user: User | AnonymousUser) -> QuerySet[Assignment]:
    return Assignment.objects.filter(team__in=teams_for_user(user)).select_related(
        "team__round", "team__leader", "unit"
    )


def findings_for_user(user: User | AnonymousUser) -> QuerySet[Finding]:
    return Finding.objects.filter(assignment__team__in=teams_for_user(user)).select_related(
        "assignment__team__round", "assignment__unit", "logged_by", "case"
    )


def get_or_404(queryset: QuerySet[Any], pk: Any) -> Any:
    try:
        return queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def get_assignment_for_user(user: User | AnonymousUser, pk: Any) -> Assignment:
    return get_or_404(assignments_for_user(user), pk)


def get_finding_for_user(user: User | AnonymousUser, pk: Any) -> Finding:
    return get_or_404(findings_for_user(user), pk)


def rectification_filter(user: User | AnonymousUser) -> Q:
    if not isinstance(user, User) or not user.is_active:
        return Q(pk__in=[])
    if is_admin(user):
        return Q()
    visible = Q(pk__in=[])
    if roles.has_role(user, *TEAM_ROLES):
        visible |= Q(finding__assignment__team__in=teams_for_user(user))
    unit = profile_unit(user)
    if roles.has_role(user, roles.UNIT_CONTACT) and unit is not None:
        visible |= Q(responsible_unit_id=unit.pk)
    if roles.has_role(user, *OVERSIGHT_ROLES) and unit is not None and unit.path:
        visible |= Q(responsible_unit__path__startswith=unit.path)
    return visible


def items_for_user(user: User | AnonymousUser) -> QuerySet[RectificationItem]:
    return RectificationItem.objects.filter(rectification_filter(user)).select_related(
        "responsible_unit", "responsible_person", "finding__assignment__team", "finding__assignment__unit"
    )


def get_item_for_user(user: User | AnonymousUser, pk: Any) -> RectificationItem:
    return get_or_404(items_for_user(user), pk)


def leads(user: User | AnonymousUser, team: InspectionTeam) -> bool:
    """Whether the user leads this team (object permission `lead_team`)."""
    return (
        isinstance(user, User)
        and roles.has_role(user, roles.INSPECTION_LEADER)
        and InspectionTeamUserObjectPermission.objects.filter(
            content_object=team, user=user, permission__codename="lead_team"
        ).exists()
    )


def works_in(user: User | AnonymousUser, team: InspectionTeam) -> bool:
    return (
        isinstance(user, User)
        and roles.has_role(user, *TEAM_ROLES)
        and InspectionTeamUserObjectPermission.objects.filter(
            content_object=team, user=user, permission__codename="work_in_team"
        ).exists()
    )


def reports_for(user: User | AnonymousUser, item: RectificationItem) -> bool:
    """Whether the user reports progress on the item: a contact of its responsible unit."""
    if not isinstance(user, User) or not roles.has_role(user, roles.UNIT_CONTACT):
        return False
    unit = profile_unit(user)
    return unit is not None and unit.pk == item.responsible_unit_id
