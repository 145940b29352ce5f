"""Hooks into the cases app: where a case came from, and findings in a person's integrity record."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from accountability import roles
from cases.models import CaseSource
from registry.jurisdiction import jurisdiction_path
from registry.models import Person

from .access import findings_for_user, items_for_user
from .models import Escalation, Finding, FindingStatus


def case_links(case: Any, user: Any) -> list[dict[str, Any]]:
    """The finding transferred as this clue, or the overdue rectification item that opened it."""
    links: list[dict[str, Any]] = []
    # Only transferred clues and overdue-rectification clues come from here: others cost no query.
    source = getattr(case, "source", "")
    finding = (
        Finding.objects.filter(case=case).select_related("assignment__unit").first()
        if source == CaseSource.INSPECTION
        else None
    )
    if finding is not None and findings_for_user(user).filter(pk=finding.pk).exists():
        links.append(
            {
                "label": _("Inspection finding at %(unit)s: %(summary)s")
                % {"unit": finding.assignment.unit.name, "summary": finding.summary},
                "url": reverse("inspections:finding_detail", args=[finding.pk]),
            }
        )
    escalation = (
        Escalation.objects.filter(case=case).select_related("item__responsible_unit").first()
        if source == CaseSource.OVERDUE_RECTIFICATION
        else None
    )
    if escalation is not None and items_for_user(user).filter(pk=escalation.item_id).exists():
        links.append(
            {
                "label": _("Overdue rectification item of %(unit)s (due %(deadline)s)")
                % {
                    "unit": escalation.item.responsible_unit.name,
                    "deadline": escalation.item.deadline.isoformat(),
                },
                "url": reverse("inspections:item_detail", args=[escalation.item_id]),
            }
        )
    return links


def integrity_sections(person: Person, user: Any) -> list[dict[str, Any]]:
    """Verified findings about the person that this user may see: their own teams' findings, and for the
    discipline office (case officers, approvers) findings at units within their jurisdiction."""
    visible = Q(pk__in=findings_for_user(user).values("pk"))
    path = jurisdiction_path(user) if roles.has_role(user, roles.CASE_OFFICER, roles.APPROVER) else None
    if path:
        visible |= Q(assignment__unit__path__startswith=path)
    findings = list(
        Finding.objects.filter(visible, people=person, status=FindingStatus.VERIFIED)
        .select_related("assignment__team__round", "assignment__unit")
        .order_by("-logged_at")
    )
    if not findings:
        return []
    return [
        {
            "title": _("Inspection findings"),
            "template": "inspections/_integrity_findings.html",
            "findings": findings,
        }
    ]
