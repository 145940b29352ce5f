"""The petitions demo data: every state, a referral, plans and grades; a second run changes no counts."""

from django.core.management import call_command

from cases.models import Case
from petitions.models import (
    Assessment,
    Petition,
    PetitionFailure,
    PetitionResponsibility,
    PetitionTransition,
    SupervisionPlan,
)
from tests.petition_factories import petition_clock  # noqa: F401 - autouse: the tests run on 30 Nov 2026


def _counts() -> dict[str, int]:
    return {
        "petitions": Petition.objects.count(),
        "steps": PetitionTransition.objects.count(),
        "responsibilities": PetitionResponsibility.objects.count(),
        "failures": PetitionFailure.objects.count(),
        "plans": SupervisionPlan.objects.count(),
        "done": SupervisionPlan.objects.filter(state="done").count(),
        "assessments": Assessment.objects.count(),
        "cases": Case.objects.count(),
    }


def test_seeding_twice_gives_the_same_counts(db) -> None:
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    first = _counts()
    assert first["petitions"] == 14
    assert first["failures"] == 1 and first["plans"] == 60 and first["done"] == 14
    assert set(Petition.objects.values_list("state", flat=True)) >= {
        "registered",
        "accepted",
        "not_accepted",
        "handling",
        "concluded",
        "reviewed",
        "rereviewed",
        "withdrawn",
    }
    assert Petition.objects.filter(next_due_on__isnull=False).exists()
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert _counts() == first
