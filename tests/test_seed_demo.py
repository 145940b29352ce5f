"""seed_demo gives every role a login and the demo registry, and a second run changes no counts."""

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from accountability import roles
from accountability.models import OrgUnit, Person
from accountability.validators import validate_id_number


def _counts() -> dict[str, int]:
    return {
        "units": OrgUnit.objects.count(),
        "people": Person.objects.count(),
        "users": get_user_model().objects.count(),
    }


def test_seed_demo_twice_gives_the_same_counts(db) -> None:
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    first = _counts()
    assert first["units"] == 60
    assert first["people"] == 2000
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert _counts() == first


def test_every_role_gets_a_demo_login_that_works(client, db) -> None:
    from django.conf import settings

    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    for role in roles.ROLES:
        user = get_user_model().objects.get(username=role)
        assert user.groups.filter(name=role).exists()
        response = client.post(reverse("login"), {"username": role, "password": settings.DEMO_PASSWORD})
        assert response.status_code == 302, role
        client.post(reverse("logout"))


def test_demo_people_have_valid_id_numbers_and_the_tree_is_rooted(db) -> None:
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    for id_number in Person.objects.values_list("id_number", flat=True)[:2000]:
        validate_id_number(id_number)
    root = OrgUnit.objects.get(code="YA-00")
    assert OrgUnit.objects.filter(root.subtree_filter()).count() == 60
    assert OrgUnit.objects.filter(depth=2).count() == 32  # villages under townships
