"""The role groups exist, carry their permissions, and syncing twice changes nothing."""

import pytest
from django.contrib.auth.models import Group, Permission

from accountability import roles
from accountability.roles import sync_role_permissions
from tests.personas import Personas

pytestmark = pytest.mark.django_db


def test_every_role_of_the_domain_has_a_group() -> None:
    assert set(Group.objects.values_list("name", flat=True)) >= {
        "case_officer",
        "approver",
        "inspection_leader",
        "inspector",
        "petition_officer",
        "unit_contact",
        "admin",
    }


def test_roles_carry_their_model_permissions(personas: Personas) -> None:
    assert personas.officer.has_perm("registry.view_person")
    assert not personas.officer.has_perm("registry.change_person")
    assert personas.admin.has_perm("registry.add_person")
    assert personas.admin.has_perm("registry.change_orgunit")
    assert personas.admin.has_perm("registry.change_clause")
    assert personas.admin.has_perm("auth.add_user")
    assert not personas.outsider.has_perm("registry.view_person")


def test_sync_is_idempotent() -> None:
    sync_role_permissions()
    before = Group.permissions.through.objects.count()
    sync_role_permissions()
    assert Group.permissions.through.objects.count() == before
    assert Permission.objects.filter(group__name=roles.ADMIN).exists()


def test_role_names_reads_groups_once(personas: Personas, django_assert_num_queries) -> None:
    user = personas.approver
    with django_assert_num_queries(1):
        assert roles.has_role(user, roles.APPROVER)
        assert not roles.has_role(user, roles.CASE_OFFICER)
