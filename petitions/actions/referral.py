"""Petition-work responsibility and its referral to accountability (Art. 11): the responsible bodies and
people recorded on a petition, and a failure in one of the six ways of Art. 11 opened as a draft case
(source 信访举报) through `cases.actions.create_case`, linked back by `PetitionFailure.case`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _

from accountability.validation import FieldProblem, date_problems
from cases import actions as case_actions
from cases.models import CaseSource
from registry.models import Clause, OrgUnit, Person

from ..access import in_petition_jurisdiction
from ..models import (
    ARTICLE_11_SITUATIONS,
    COLLECTIVE_LEVELS,
    INDIVIDUAL_LEVELS,
    RESPONSIBILITY_REGULATION,
    Petition,
    PetitionFailure,
    PetitionResponsibility,
    SubjectKind,
)
from .common import PetitionActionError, outside_jurisdiction, require_officer
from .lifecycle import WORKFLOW


@dataclass
class ResponsibilitySpec:
    subject_kind: str
    org_unit: OrgUnit | None
    person: Person | None = None
    level: str = ""
    duty: str = ""


def _responsibility_problems(spec: ResponsibilitySpec) -> list[str]:
    problems: list[str] = []
    if spec.subject_kind not in SubjectKind.values:
        problems.append(_("Choose the kind of responsibility subject."))
    if spec.org_unit is None:
        problems.append(_("Choose the responsible body."))
    if spec.subject_kind == SubjectKind.LEADING_CADRE and spec.person is None:
        problems.append(_("Name the leading cadre."))
    if spec.person is None and spec.level:
        problems.append(
            _("A responsibility level is set for a person; a body alone bears collective responsibility.")
        )
    if spec.person is not None:
        if spec.level not in (*INDIVIDUAL_LEVELS, *COLLECTIVE_LEVELS):
            problems.append(
                _(
                    "Set the responsibility level of %(person)s: direct or leadership responsibility, or for "
                    "collective responsibility principal, important or no leadership responsibility."
                )
                % {"person": spec.person.name}
            )
        if spec.org_unit is not None and spec.person.org_unit_id != spec.org_unit.pk:
            problems.append(
                _("%(person)s does not belong to %(unit)s.")
                % {"person": spec.person.name, "unit": spec.org_unit.name}
            )
    return problems


@transaction.atomic
def record_responsibility(
    petition: Petition, spec: ResponsibilitySpec, *, by: User
) -> PetitionResponsibility:
    require_officer(by)
    petition = WORKFLOW.prepare(petition, by)
    problems = _responsibility_problems(spec)
    if spec.org_unit is not None and not in_petition_jurisdiction(by, spec.org_unit):
        problems.append(outside_jurisdiction(spec.org_unit))
    if problems:
        raise PetitionActionError(problems)
    assert spec.org_unit is not None
    duplicate = PetitionResponsibility.objects.filter(
        petition=petition, org_unit=spec.org_unit, person=spec.person, withdrawn=False
    ).exists()
    if duplicate:
        raise PetitionActionError(_("This responsibility is already recorded."))
    return PetitionResponsibility.objects.create(
        petition=petition,
        subject_kind=spec.subject_kind,
        org_unit=spec.org_unit,
        person=spec.person,
        level=spec.level if spec.person else "",
        duty=spec.duty.strip(),
        recorded_by=by,
    )


@transaction.atomic
def withdraw_responsibility(responsibility: PetitionResponsibility, *, by: User) -> PetitionResponsibility:
    """Recorded in error: withdrawn, never deleted. One already referred stays."""
    require_officer(by)
    WORKFLOW.require_visible(responsibility.petition, by)
    if responsibility.failures.exists():
        raise PetitionActionError(
            _("This responsibility was referred for accountability and stays on record.")
        )
    responsibility.withdrawn = True
    responsibility.save(update_fields=["withdrawn"])
    return responsibility


def article_11_situations() -> list[Clause]:
    return list(
        Clause.objects.filter(regulation__code=RESPONSIBILITY_REGULATION, code__in=ARTICLE_11_SITUATIONS)
        .select_related("regulation")
        .order_by("item")
    )


@transaction.atomic
def refer_failure(
    petition: Petition,
    *,
    by: User,
    situation: Clause | None,
    facts: str,
    conduct_date: dt.date | None,
    responsibilities: Sequence[PetitionResponsibility],
) -> PetitionFailure:
    """A failure of petition work in one of the six ways of Art. 11 opens a draft accountability case
    (source 信访举报) citing that clause, with the responsible bodies and people as its targets."""
    require_officer(by)
    petition = WORKFLOW.prepare(petition, by)
    problems: list[str] = []
    allowed = {clause.pk for clause in article_11_situations()}
    if situation is None or situation.pk not in allowed:
        problems.append(_("Choose which of the six situations of Article 11 the failure is."))
    elif PetitionFailure.objects.filter(petition=petition, situation=situation).exists():
        problems.append(_("This failure has already been referred for accountability."))
    if not facts.strip():
        problems.append(_("Describe the facts of the failure."))
    if conduct_date is None:
        problems.append(FieldProblem(_("Enter the date of the failure."), "conduct_date"))
    # The failure is in the handling of this petition: it cannot come before the petition arrived
    # (that it has happened, the case's own rule checks).
    problems += date_problems(
        conduct_date,
        field="conduct_date",
        label=_("the date of the failure"),
        not_before=[(petition.received_on, _("the date the petition was received"))],
    )
    chosen = [r for r in responsibilities if r.petition_id == petition.pk and not r.withdrawn]
    if len(chosen) != len(responsibilities):
        problems.append(_("Only responsibilities recorded on this petition can be referred."))
    if not chosen:
        problems.append(_("Choose at least one responsible body or person."))
    if problems:
        raise PetitionActionError(problems)
    assert situation is not None and conduct_date is not None
    targets: dict[tuple[str, int], case_actions.TargetSpec] = {}
    for responsibility in chosen:
        if responsibility.person is not None:
            targets.setdefault(
                ("person", responsibility.person.pk),
                case_actions.TargetSpec(person=responsibility.person, responsibility=responsibility.level),
            )
        else:
            targets.setdefault(
                ("unit", responsibility.org_unit.pk),
                case_actions.TargetSpec(org_unit=responsibility.org_unit),
            )
    try:
        case = case_actions.create_case(
            case_actions.CaseData(
                title=f"{petition.number} {situation.short_title}"[:200],
                source=CaseSource.PETITION,
                summary=facts.strip(),
                conduct_date=conduct_date,
                unit=petition.responsible_unit,
                lead_officer=None,
                situations=[situation],
                targets=list(targets.values()),
            ),
            by=by,
            enforce_permission=False,
        )
    except case_actions.CaseActionError as error:
        raise PetitionActionError(error.messages) from error
    failure = PetitionFailure.objects.create(
        petition=petition,
        situation=situation,
        facts=facts.strip(),
        conduct_date=conduct_date,
        case=case,
        created_by=by,
    )
    failure.responsibilities.set(chosen)
    WORKFLOW.record(
        petition,
        "refer_failure",
        by=by,
        comment=_("Referred as accountability clue %(number)s (%(clause)s).")
        % {"number": case.number, "clause": f"{situation.regulation.short_title}{situation.citation}"},
    )
    return failure
