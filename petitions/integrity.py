"""Petitions in other apps' pages: the case a petition-work failure opened links back to the petition,
and a person's integrity record (廉政档案) lists the petitions about them and their petition-work
responsibilities."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from cases.models import CaseSource
from registry.models import Person

from .access import petitions_for_user
from .models import PetitionFailure, PetitionResponsibility


def case_links(case: Any, user: Any) -> list[dict[str, Any]]:
    # Only clues referred from petition work come from here: others cost no query.
    if getattr(case, "source", "") != CaseSource.PETITION:
        return []
    failures = PetitionFailure.objects.filter(
        case=case, petition__in=petitions_for_user(user)
    ).select_related("petition", "situation")
    return [
        {
            "label": _("Petition %(number)s (petition-work failure: %(situation)s)")
            % {"number": failure.petition.number, "situation": failure.situation.short_title},
            "url": reverse("petitions:detail", args=[failure.petition_id]),
        }
        for failure in failures
    ]


def integrity_sections(person: Person, user: Any) -> list[dict[str, Any]]:
    visible = petitions_for_user(user)
    about = list(visible.filter(complained_person=person).order_by("-year", "-sequence")[:100])
    responsibilities = list(
        PetitionResponsibility.objects.filter(person=person, withdrawn=False, petition__in=visible)
        .select_related("petition", "org_unit")
        .order_by("-petition__year", "-petition__sequence")[:100]
    )
    if not about and not responsibilities:
        return []
    return [
        {
            "title": _("Petitions"),
            "template": "petitions/_integrity_section.html",
            "petitions": about,
            "responsibilities": responsibilities,
        }
    ]
