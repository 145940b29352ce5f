"""Issue 10, item 2: a system administrator manages ordinary accounts and can never raise an account — their
own included — to or above their own rights. Every elevation is tried through the real admin pages with
the test client; each is refused and changes nothing. A superuser still manages everything."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from accountability import accounts, roles
from accountability.roles import sync_role_permissions
from registry.models import Profile
from tests.conftest import login
from tests.personas import PASSWORD, Personas, make_user


@pytest.fixture
def superuser(personas: Personas):
    return make_user("root", unit=personas.county, first_name="超级", is_superuser=True, is_staff=True)


@pytest.fixture
def other_admin(personas: Personas):
    return make_user("admin2", roles.ADMIN, unit=personas.township, first_name="另一管理员", is_staff=True)


@pytest.fixture
def admin_client(client, personas: Personas):
    login(client, personas.admin)
    return client


def group(name: str) -> Group:
    return Group.objects.get(name=name)


def change_form(user: Any, **overrides: Any) -> dict[str, Any]:
    """What the admin's change form posts for `user` as it stands; `overrides` change or (None) drop
    fields."""
    profile = Profile.objects.get(user=user)
    data: dict[str, Any] = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on",
        "groups": [str(pk) for pk in user.groups.values_list("pk", flat=True)],
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": "2026-11-30",
        "date_joined_1": "10:00:00",
        "profile-TOTAL_FORMS": "1",
        "profile-INITIAL_FORMS": "1",
        "profile-MIN_NUM_FORMS": "0",
        "profile-MAX_NUM_FORMS": "1",
        "profile-0-id": str(profile.pk),
        "profile-0-user": str(user.pk),
        "profile-0-person": str(profile.person_id or ""),
        "profile-0-unit": str(profile.unit_id or ""),
    }
    for key, value in overrides.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def change_url(user: Any) -> str:
    return reverse("admin:auth_user_change", args=[user.pk])


def password_url(user: Any) -> str:
    return reverse("admin:auth_user_password_change", args=[user.pk])


def rights(user: Any) -> tuple[Any, ...]:
    user.refresh_from_db()
    profile = Profile.objects.get(user=user)
    return (
        user.is_superuser,
        user.is_staff,
        user.is_active,
        user.first_name,
        user.password,
        frozenset(user.groups.values_list("name", flat=True)),
        frozenset(user.user_permissions.values_list("codename", flat=True)),
        profile.unit_id,
    )


class TestWhatAnAdministratorMayDo:
    def test_an_admin_changes_an_ordinary_accounts_role_unit_and_active_flag(
        self, admin_client, personas: Personas
    ) -> None:
        officer = personas.officer
        form = change_form(
            officer,
            first_name="周新名",
            groups=[str(group(roles.APPROVER).pk)],
            **{"profile-0-unit": str(personas.township.pk)},
            is_active=None,
        )
        response = admin_client.post(change_url(officer), form)
        assert response.status_code == 302, response.content.decode()[:2000]
        officer.refresh_from_db()
        assert officer.first_name == "周新名"
        assert set(officer.groups.values_list("name", flat=True)) == {roles.APPROVER}
        assert officer.profile.unit == personas.township
        assert not officer.is_active
        # The admin's change log keeps who changed the account.
        assert LogEntry.objects.filter(user=personas.admin, object_id=str(officer.pk)).exists()

    def test_an_admin_resets_an_ordinary_accounts_password(self, admin_client, personas: Personas) -> None:
        officer = personas.officer
        assert admin_client.get(password_url(officer)).status_code == 200
        response = admin_client.post(
            password_url(officer),
            {"password1": "New-pass-2026-x", "password2": "New-pass-2026-x", "usable_password": "true"},
        )
        assert response.status_code == 302
        officer.refresh_from_db()
        assert officer.check_password("New-pass-2026-x")

    def test_an_admin_adds_an_ordinary_account(self, admin_client, personas: Personas) -> None:
        response = admin_client.post(
            reverse("admin:auth_user_add"),
            {
                "username": "newcomer",
                "usable_password": "true",
                "password1": "Newcomer-2026-x",
                "password2": "Newcomer-2026-x",
                "profile-TOTAL_FORMS": "1",
                "profile-INITIAL_FORMS": "0",
                "profile-MIN_NUM_FORMS": "0",
                "profile-MAX_NUM_FORMS": "1",
                "profile-0-unit": str(personas.forestry.pk),
            },
        )
        assert response.status_code == 302, response.content.decode()[:2000]
        assert Profile.objects.get(user__username="newcomer").unit == personas.forestry

    def test_the_role_choices_are_the_business_roles_only(self, admin_client, personas: Personas) -> None:
        response = admin_client.get(change_url(personas.officer))
        choices = {
            str(label) for _value, label in response.context["adminform"].form.fields["groups"].choices
        }
        assert choices == set(accounts.ORDINARY_ROLES)
        page = response.content.decode()
        assert 'name="is_superuser"' not in page and 'name="is_staff"' not in page
        assert 'name="user_permissions"' not in page


class TestElevationIsRefused:
    """Each POST below is what a forged or tampered form would send; the page answers in Chinese."""

    @pytest.mark.parametrize(
        "field,value,message",
        [
            ("is_superuser", "on", "只有超级用户可以授予超级用户权限。"),
            ("is_staff", "on", "只有超级用户可以授予职员状态（进入管理后台）。"),
        ],
    )
    def test_ticking_superuser_or_staff(
        self, admin_client, personas: Personas, field: str, value: str, message: str
    ) -> None:
        officer = personas.officer
        before = rights(officer)
        response = admin_client.post(
            change_url(officer), change_form(officer, first_name="改名", **{field: value})
        )
        assert response.status_code == 200
        assert message in response.content.decode()
        assert rights(officer) == before

    def test_granting_the_admin_role(self, admin_client, personas: Personas) -> None:
        officer = personas.officer
        before = rights(officer)
        form = change_form(officer, groups=[str(group(roles.ADMIN).pk), str(group(roles.CASE_OFFICER).pk)])
        response = admin_client.post(change_url(officer), form)
        assert response.status_code == 200
        assert "系统管理员角色和其他用户组只能由超级用户授予" in response.content.decode()
        assert rights(officer) == before

    def test_granting_a_group_that_is_not_a_role(self, admin_client, personas: Personas) -> None:
        powerful = Group.objects.create(name="everything")
        powerful.permissions.set(Permission.objects.all())
        officer = personas.officer
        before = rights(officer)
        response = admin_client.post(change_url(officer), change_form(officer, groups=[str(powerful.pk)]))
        assert response.status_code == 200
        assert rights(officer) == before

    def test_granting_individual_permissions(self, admin_client, personas: Personas) -> None:
        officer = personas.officer
        before = rights(officer)
        permission = Permission.objects.get(codename="change_user")
        response = admin_client.post(
            change_url(officer), change_form(officer, user_permissions=[str(permission.pk)])
        )
        assert response.status_code == 200
        assert "只有超级用户可以授予单项权限。" in response.content.decode()
        assert rights(officer) == before

    def test_adding_an_account_with_rights(self, admin_client, personas: Personas) -> None:
        response = admin_client.post(
            reverse("admin:auth_user_add"),
            {
                "username": "mole",
                "usable_password": "true",
                "password1": "Mole-pass-2026-x",
                "password2": "Mole-pass-2026-x",
                "is_superuser": "on",
                "is_staff": "on",
                "groups": [str(group(roles.ADMIN).pk)],
                "profile-TOTAL_FORMS": "1",
                "profile-INITIAL_FORMS": "0",
                "profile-MIN_NUM_FORMS": "0",
                "profile-MAX_NUM_FORMS": "1",
                "profile-0-unit": str(personas.county.pk),
            },
        )
        assert response.status_code == 200
        page = response.content.decode()
        assert "只有超级用户可以授予超级用户权限。" in page
        assert "系统管理员" in page
        assert not Profile.objects.filter(user__username="mole").exists()
        from django.contrib.auth.models import User

        assert not User.objects.filter(username="mole").exists()

    @pytest.mark.parametrize("whose", ["superuser", "other_admin", "self"])
    def test_changing_an_account_at_or_above_ones_own_rights(
        self, request, admin_client, personas: Personas, whose: str
    ) -> None:
        target = personas.admin if whose == "self" else request.getfixturevalue(whose)
        before = rights(target)
        page = admin_client.get(change_url(target))
        assert page.status_code == 200  # shown read-only
        assert 'name="_save"' not in page.content.decode()
        form = change_form(
            target,
            first_name="被改",
            is_active=None,
            groups=[str(group(roles.CASE_OFFICER).pk)],
            **{"profile-0-unit": str(personas.county.pk)},
        )
        assert admin_client.post(change_url(target), form).status_code == 403
        assert rights(target) == before

    @pytest.mark.parametrize("whose", ["superuser", "other_admin", "self"])
    def test_resetting_the_password_of_an_account_at_or_above_ones_own(
        self, request, admin_client, personas: Personas, whose: str
    ) -> None:
        target = personas.admin if whose == "self" else request.getfixturevalue(whose)
        before = rights(target)
        assert admin_client.get(password_url(target)).status_code == 403
        response = admin_client.post(
            password_url(target),
            {"password1": "Taken-over-2026", "password2": "Taken-over-2026", "usable_password": "true"},
        )
        assert response.status_code == 403
        assert rights(target) == before

    def test_widening_ones_own_jurisdiction(self, admin_client, personas: Personas) -> None:
        me = personas.admin
        Profile.objects.filter(user=me).update(unit=personas.township)
        form = change_form(me, **{"profile-0-unit": str(personas.county.pk)})
        assert admin_client.post(change_url(me), form).status_code == 403
        assert Profile.objects.get(user=me).unit == personas.township

    def test_an_account_with_individual_permissions_is_a_superusers_to_manage(
        self, admin_client, personas: Personas
    ) -> None:
        officer = personas.officer
        officer.user_permissions.add(Permission.objects.get(codename="view_user"))
        before = rights(officer)
        assert (
            admin_client.post(change_url(officer), change_form(officer, first_name="改")).status_code == 403
        )
        assert rights(officer) == before

    def test_editing_a_groups_permissions(self, admin_client, personas: Personas) -> None:
        officers = group(roles.CASE_OFFICER)
        before = set(officers.permissions.values_list("pk", flat=True))
        everything = [str(pk) for pk in Permission.objects.values_list("pk", flat=True)]
        url = reverse("admin:auth_group_change", args=[officers.pk])
        assert admin_client.post(url, {"name": officers.name, "permissions": everything}).status_code == 403
        assert set(officers.permissions.values_list("pk", flat=True)) == before
        # Nor a new group for oneself.
        response = admin_client.post(
            reverse("admin:auth_group_add"), {"name": "mine", "permissions": everything}
        )
        assert response.status_code == 403
        assert not Group.objects.filter(name="mine").exists()

    def test_staff_holding_user_permissions_without_the_admin_role_changes_nobody(
        self, client, personas: Personas
    ) -> None:
        clerk = make_user("clerk", unit=personas.county, is_staff=True)
        clerk.user_permissions.add(*Permission.objects.filter(codename__in=["view_user", "change_user"]))
        login(client, clerk)
        officer = personas.officer
        before = rights(officer)
        response = client.post(change_url(officer), change_form(officer, groups=[str(group(roles.ADMIN).pk)]))
        assert response.status_code == 403
        assert rights(officer) == before


class TestSuperusers:
    def test_a_superuser_grants_superuser_staff_and_the_admin_role(
        self, client, personas: Personas, superuser
    ) -> None:
        login(client, superuser)
        officer = personas.officer
        form = change_form(
            officer,
            is_superuser="on",
            is_staff="on",
            groups=[str(group(roles.ADMIN).pk)],
            user_permissions=[str(Permission.objects.get(codename="view_user").pk)],
        )
        response = client.post(change_url(officer), form)
        assert response.status_code == 302, response.content.decode()[:2000]
        officer.refresh_from_db()
        assert officer.is_superuser and officer.is_staff
        assert roles.has_role(officer, roles.ADMIN)

    def test_a_superuser_edits_groups_and_other_admins(
        self, client, personas: Personas, superuser, other_admin
    ) -> None:
        login(client, superuser)
        officers = group(roles.CASE_OFFICER)
        url = reverse("admin:auth_group_change", args=[officers.pk])
        assert client.get(url).status_code == 200
        response = client.post(change_url(other_admin), change_form(other_admin, first_name="已改"))
        assert response.status_code == 302
        other_admin.refresh_from_db()
        assert other_admin.first_name == "已改"


class TestTheSharedRule:
    """The rule any account page uses, without the admin around it."""

    def test_who_manages_whom(self, personas: Personas, superuser, other_admin) -> None:
        admin, officer = personas.admin, personas.officer
        assert accounts.can_manage_account(admin, officer)
        assert accounts.can_manage_account(admin, None)
        assert not accounts.can_manage_account(admin, admin)
        assert not accounts.can_manage_account(admin, other_admin)
        assert not accounts.can_manage_account(admin, superuser)
        assert not accounts.can_manage_account(officer, officer)
        assert not accounts.can_manage_account(officer, personas.approver)
        assert accounts.can_manage_account(superuser, other_admin)
        assert accounts.can_manage_account(superuser, superuser)

    def test_the_rights_an_admin_may_not_hand_out(self, personas: Personas) -> None:
        admin, officer = personas.admin, personas.officer
        assert accounts.account_change_errors(admin, officer, groups=[group(roles.APPROVER)]) == []
        errors = accounts.account_change_errors(
            admin,
            officer,
            is_superuser=True,
            is_staff=True,
            groups=[group(roles.ADMIN)],
            user_permissions=[Permission.objects.first()],
        )
        assert len(errors) == 4
        with pytest.raises(accounts.AccountPermissionError):
            accounts.require_account_change(admin, None, is_staff=True)

    def test_an_inactive_superuser_manages_nothing(self, personas: Personas, superuser) -> None:
        superuser.is_active = False
        assert not accounts.can_manage_account(superuser, personas.officer)

    def test_the_admin_role_no_longer_holds_group_editing(self, personas: Personas) -> None:
        admin_group = group(roles.ADMIN)
        # A database synced by an older version still has the grants; the next sync takes them back.
        admin_group.permissions.add(*Permission.objects.filter(codename__in=["add_group", "change_group"]))
        sync_role_permissions()
        codes = set(admin_group.permissions.values_list("codename", flat=True))
        assert not codes & {"add_group", "change_group"}
        assert {"view_user", "add_user", "change_user", "view_group"} <= codes


def test_an_admin_signs_in_and_still_cannot_open_a_superusers_password_page(
    client, personas: Personas, superuser
) -> None:
    personas.admin  # noqa: B018
    assert client.post(reverse("login"), {"username": "admin", "password": PASSWORD}).status_code == 302
    assert client.get(password_url(superuser)).status_code == 403
