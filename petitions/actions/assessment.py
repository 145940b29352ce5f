"""The yearly assessment of units' petition work (Art. 39): a grade per unit and year, corrected in place
with the history keeping every earlier grade. Honours eligibility is derived, not stored
(`petitions/assessment.py`)."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _

from registry.models import OrgUnit

from ..access import units_for_user
from ..deadlines import today
from ..models import Assessment, Grade
from .common import PetitionActionError, PetitionPermissionError


@transaction.atomic
def grade_unit(unit: OrgUnit, *, year: int, grade: str, notes: str, by: User) -> Assessment:
    """Record (or correct) a unit's grade for the year; the history keeps every earlier grade."""
    if not by.has_perm("petitions.change_assessment"):
        raise PetitionPermissionError(_("Only petition officers may record assessments."))
    if not units_for_user(by).filter(pk=unit.pk).exists():
        raise PetitionPermissionError(_("This unit is outside your jurisdiction."))
    problems: list[str] = []
    if grade not in Grade.values:
        problems.append(_("Choose a grade."))
    if year < 2000 or year > today().year:
        problems.append(_("Assessments are for past years or the current year."))
    if problems:
        raise PetitionActionError(problems)
    assessment = Assessment.objects.select_for_update().filter(unit=unit, year=year).first()
    if assessment is None:
        return Assessment.objects.create(
            unit=unit, year=year, grade=grade, notes=notes.strip(), assessed_by=by
        )
    assessment.grade, assessment.notes, assessment.assessed_by = grade, notes.strip(), by
    assessment.save(update_fields=["grade", "notes", "assessed_by", "assessed_at"])
    return assessment
