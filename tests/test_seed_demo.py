"""seed_demo gives every role a login and demo data in every state, and a second run changes no counts."""

import io

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from accountability import roles
from cases.models import Case, CaseState
from registry.models import OrgUnit, Person
from registry.validators import validate_id_number


def _counts() -> dict[str, int]:
    """Rows of every model of our apps: a second run must not change any of them."""
    return {
        model._meta.label: model._default_manager.count()
        for app in ("accountability", "registry", "cases", "inspections", "petitions")
        for model in apps.get_app_config(app).get_models()
    }


def test_seed_demo(client, db) -> None:
    call_command("seed_demo", stdout=io.StringIO())
    first = _counts()
    assert OrgUnit.objects.count() == 60
    assert Person.objects.count() == 2000
    assert Case.objects.count() >= 200
    assert set(Case.objects.values_list("state", flat=True)) == set(CaseState.values)

    call_command("seed_demo", stdout=io.StringIO())
    assert _counts() == first

    # Every role has a login that works with the published demo password.
    for role in roles.ROLES:
        user = get_user_model().objects.get(username=role)
        assert user.groups.filter(name=role).exists()
        response = client.post(reverse("login"), {"username": role, "password": settings.DEMO_PASSWORD})
        assert response.status_code == 302, role
        client.post(reverse("logout"))

    # The registry is well formed.
    for id_number in Person.objects.values_list("id_number", flat=True):
        validate_id_number(id_number)
    root = OrgUnit.objects.get(code="YA-00")
    assert OrgUnit.objects.filter(root.subtree_filter()).count() == 60
    assert OrgUnit.objects.filter(depth=2).count() == 32  # villages under townships
