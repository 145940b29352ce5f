"""The yearly assessment table: grades as recorded, honours eligibility derived (never stored).

A unit is not eligible for comprehensive honours in a year when an admonishment (诫勉) decided that year —
not revoked — concerns its petition work: a case opened from a petition (source `petition`) or citing a
clause of the petition-work responsibility measures, whose target is the unit itself or a person of the
unit.
"""

from __future__ import annotations

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from cases.models import CaseSource, DecidedForm, Form
from registry.models import OrgUnit

from .models import RESPONSIBILITY_REGULATION, Assessment


def petition_work_admonishments(year: int) -> QuerySet[DecidedForm]:
    """Admonishments decided in `year`, not revoked, in cases about petition work."""
    petition_work = Q(target__case__source=CaseSource.PETITION) | Q(
        target__case__situations__regulation__code=RESPONSIBILITY_REGULATION
    )
    return DecidedForm.objects.filter(
        petition_work,
        form=Form.ADMONISHMENT,
        revoked=False,
        target__case__decision_date__year=year,
    )


def _about_unit(queryset: QuerySet[DecidedForm]) -> QuerySet[DecidedForm]:
    return queryset.filter(Q(target__org_unit=OuterRef("pk")) | Q(target__person__org_unit=OuterRef("pk")))


def assessment_rows(units: QuerySet[OrgUnit], year: int) -> QuerySet[OrgUnit]:
    """Units annotated with the year's grade, the admonishment count and `honours_eligible`, in one query."""
    admonishments = _about_unit(petition_work_admonishments(year))
    counted = (
        admonishments.order_by()
        .annotate(group=Value(1))
        .values("group")
        .annotate(total=Count("pk", distinct=True))
        .values("total")
    )
    grade = Assessment.objects.filter(unit=OuterRef("pk"), year=year)
    return units.annotate(
        grade=Subquery(grade.values("grade")[:1]),
        assessment_id=Subquery(grade.values("pk")[:1]),
        assessment_notes=Subquery(grade.values("notes")[:1]),
        admonishments=Coalesce(Subquery(counted, output_field=IntegerField()), 0),
        honours_eligible=~Exists(admonishments),
    ).order_by("path", "code")


def honours_eligible(unit: OrgUnit, year: int) -> bool:
    return (
        not petition_work_admonishments(year)
        .filter(Q(target__org_unit=unit) | Q(target__person__org_unit=unit))
        .exists()
    )
