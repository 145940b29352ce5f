"""Who may see which petition, and who sees the petitioner in full. Every view, export and search reads
petitions, plans and assessments through here.

Jurisdiction:
- A petition officer works for the petition department of one level of government (属地): their
  *petition jurisdiction* is the nearest party committee or township at or above their profile unit (the
  county petition bureau, a department of the county, serves the whole county; a township's petition
  officer serves the township). `petition_jurisdiction_path(user)` gives its path.
- Approvers and case officers see the petitions of their ordinary jurisdiction (the subtree of their
  profile unit, as for cases), read-only except for the approvers' extension decisions.
- Everyone else (inspectors, unit contacts, users without a role, admins without superuser) sees none.
Both jurisdictions are built on `registry.jurisdiction`, which reads the profile unit once per request.

A user sees a petition when they hold `petitions.view_petition` and either its responsible unit lies in
their jurisdiction, or (petition officers) they registered it or are one of its handlers.

Personal data of the petitioner (name, ID number, phone, address) is shown in full only to the petition
officers handling it: its handlers and the officer who registered it. Everybody else — the other petition
officers of the jurisdiction (until they are made handlers), approvers, case officers, superusers — sees
it masked, on every page, in search and in every export (`personal_visible` is annotated on the queryset).

Since being a handler unmasks the petitioner, nobody makes themselves one: handlers are assigned and
removed only by the officer who registered the petition and by the leader of the petition unit — an
approver (审批领导, the 本机关负责人 who also approves extensions) whose jurisdiction covers the
petition's responsible unit (`may_assign_handlers`); every assignment and removal is audited. Writes
that choose a unit (the responsible unit at registration or correction, a responsible body) stay inside
the writer's petition jurisdiction (`in_petition_jurisdiction`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet
from django.http import Http404

from accountability import roles
from registry.jurisdiction import ancestor_ids as ancestor_ids
from registry.jurisdiction import enclosing_path, enclosing_paths, jurisdiction_path
from registry.models import OrgUnit
from registry.privacy import mask_id_number, mask_name, mask_phone

from .models import Petition, PetitionHandler, SupervisionPlan

TERRITORIAL_KINDS = (OrgUnit.Kind.PARTY_COMMITTEE, OrgUnit.Kind.TOWNSHIP)
READ_ROLES = (roles.APPROVER, roles.CASE_OFFICER)


def petition_jurisdiction_path(user: User) -> str | None:
    """The level of government a petition officer serves (see the module docstring)."""
    return enclosing_path(user, TERRITORIAL_KINDS)


def petition_jurisdiction_paths(users: Iterable[User]) -> dict[int, str]:
    """user id → petition jurisdiction path, for many users in two queries (the reminder task)."""
    return enclosing_paths(users, TERRITORIAL_KINDS)


def is_petition_officer(user: User | AnonymousUser) -> bool:
    return roles.has_role(user, roles.PETITION_OFFICER)


def can_work_on_petitions(user: User | AnonymousUser) -> bool:
    """May open the petition pages at all (petition officers, approvers, case officers)."""
    return isinstance(user, User) and user.is_active and user.has_perm("petitions.view_petition")


def handled_by(user: User) -> Exists:
    return Exists(PetitionHandler.objects.filter(petition=OuterRef("pk"), user=user))


def personal_data_filter(user: User | AnonymousUser) -> Q:
    """Rows whose petitioner this user sees in full: the petitions they handle or registered."""
    if not isinstance(user, User) or not user.is_active or not is_petition_officer(user):
        return Q(pk__in=[])
    return Q(handled_by(user)) | Q(registered_by=user)


def petition_officer_filter(user: User) -> Q:
    """Rows a petition officer sees at all: their own, and every petition of their petition jurisdiction."""
    visible = personal_data_filter(user)
    path = petition_jurisdiction_path(user)
    if path:
        visible |= Q(responsible_unit__path__startswith=path)
    return visible


def visibility_filter(user: User | AnonymousUser) -> Q:
    if not isinstance(user, User) or not user.is_active:
        return Q(pk__in=[])
    if user.is_superuser:
        return Q()
    if not user.has_perm("petitions.view_petition"):
        return Q(pk__in=[])
    visible = Q(pk__in=[])
    if is_petition_officer(user):
        visible |= petition_officer_filter(user)
    if roles.has_role(user, *READ_ROLES):
        path = jurisdiction_path(user)
        if path:
            visible |= Q(responsible_unit__path__startswith=path)
    return visible


def petitions_for_user(user: User | AnonymousUser) -> QuerySet[Petition]:
    """The one permission-filtered queryset of petitions, with `personal_visible` annotated."""
    return (
        Petition.objects.filter(visibility_filter(user))
        .select_related("responsible_unit", "complained_unit", "complained_person")
        .annotate(personal_visible=ExpressionWrapper(personal_data_filter(user), output_field=BooleanField()))
    )


def get_petition_for_user(user: User | AnonymousUser, pk: Any) -> Petition:
    """The petition, if this user may see it; otherwise 404 (its existence is not revealed)."""
    try:
        return petitions_for_user(user).get(pk=pk)
    except (Petition.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def can_see(user: User | AnonymousUser, petition: Petition) -> bool:
    return Petition.objects.filter(visibility_filter(user), pk=petition.pk).exists()


def in_petition_jurisdiction(user: User, unit: OrgUnit) -> bool:
    """Whether a petition officer may choose this unit in a petition they write: it lies in the level of
    government they serve."""
    path = petition_jurisdiction_path(user)
    return path is not None and unit.path.startswith(path)


def leads_petition_work(user: User | AnonymousUser, unit: OrgUnit) -> bool:
    """Whether the user is a leader of the petition unit responsible for `unit`: an active approver whose
    jurisdiction (profile unit subtree) contains it."""
    if not isinstance(user, User) or not user.is_active or not roles.has_role(user, roles.APPROVER):
        return False
    path = jurisdiction_path(user)
    return path is not None and unit.path.startswith(path)


def may_assign_handlers(user: User | AnonymousUser, petition: Petition) -> bool:
    """Whether the user assigns and removes the petition's handlers: its registering officer (while a
    petition officer) or a leader of the petition unit; never anyone else, so nobody appoints themselves."""
    if not isinstance(user, User) or not user.is_active or not petition.is_open:
        return False
    if petition.registered_by_id == user.pk and is_petition_officer(user):
        return True
    return leads_petition_work(user, petition.responsible_unit)


def mask_address(value: str) -> str:
    """Keep the first six characters (province and prefecture), hide the rest."""
    if not value:
        return ""
    return value[:6] + "****" if len(value) > 6 else "*" * len(value)


def petitioner_for_display(petition: Petition, full: bool) -> dict[str, str]:
    """The petitioner's data as this viewer may see it: in full or masked; empty for anonymous ones."""
    if petition.anonymous:
        return {"name": "", "id_number": "", "phone": "", "address": ""}
    if full:
        return {
            "name": petition.petitioner_name,
            "id_number": petition.petitioner_id_number,
            "phone": petition.petitioner_phone,
            "address": petition.petitioner_address,
        }
    return {
        "name": mask_name(petition.petitioner_name),
        "id_number": mask_id_number(petition.petitioner_id_number),
        "phone": mask_phone(petition.petitioner_phone),
        "address": mask_address(petition.petitioner_address),
    }


# --- Supervision and assessment ------------------------------------------------------------------


def oversight_path(user: User | AnonymousUser) -> str | None:
    """The subtree whose supervision plans and assessments a user sees: a petition officer's petition
    jurisdiction, an approver's jurisdiction; None for anyone else (and "" for a superuser: all)."""
    if not isinstance(user, User) or not user.is_active:
        return None
    if user.is_superuser:
        return ""
    if not user.has_perm("petitions.view_supervisionplan"):
        return None
    if is_petition_officer(user):
        return petition_jurisdiction_path(user)
    if roles.has_role(user, roles.APPROVER):
        return jurisdiction_path(user)
    return None


def plans_for_user(user: User | AnonymousUser) -> QuerySet[SupervisionPlan]:
    path = oversight_path(user)
    if path is None:
        return SupervisionPlan.objects.none()
    return SupervisionPlan.objects.filter(unit__path__startswith=path).select_related("unit", "supervised_by")


def get_plan_for_user(user: User | AnonymousUser, pk: Any) -> SupervisionPlan:
    try:
        return plans_for_user(user).get(pk=pk)
    except (SupervisionPlan.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def units_for_user(user: User | AnonymousUser) -> QuerySet[OrgUnit]:
    """The units whose supervision and assessment this user oversees."""
    path = oversight_path(user)
    if path is None:
        return OrgUnit.objects.none()
    return OrgUnit.objects.filter(path__startswith=path)
