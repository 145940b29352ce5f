"""One jurisdiction helper (registry/jurisdiction.py), read once per request.

Every access module (cases, inspections, petitions) and the statistics ask it for the user's profile
unit; within a request the first answer is shared, keyed by user id, and a new request reads again.
Outside a request nothing is cached, so a long-lived user object never keeps an old unit.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser, User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accountability import roles
from accountability.statistics import jurisdiction_root
from cases import access as case_access
from inspections import access as inspection_access
from petitions import access as petition_access
from registry import jurisdiction
from registry.models import Profile
from tests.conftest import login
from tests.personas import Personas, make_user


def profile_reads(context: CaptureQueriesContext) -> int:
    """How many of the captured queries read a profile's unit."""
    return sum('"registry_profile"' in query["sql"] for query in context.captured_queries)


def warm(user: User) -> User:
    """Fill the user object's own caches (roles, model permissions), so that only the jurisdiction is left
    to count."""
    roles.role_names(user)
    user.has_perm("cases.view_case")
    return user


@pytest.fixture(autouse=True)
def units(personas: Personas) -> None:
    """The personas' units exist before anything is counted (they are made on first use)."""
    for unit in ("county", "discipline", "forestry", "finance", "township", "village"):
        getattr(personas, unit)


class TestOncePerRequest:
    def test_every_access_module_and_the_statistics_share_one_read(
        self, personas: Personas, django_assert_num_queries
    ) -> None:
        approver = warm(personas.approver)
        contact = personas.unit_contact
        # The same login loaded elsewhere in the request (a case's named user, a notification's recipient).
        same_login = User.objects.get(pk=approver.pk)
        with jurisdiction.request_scope():
            with django_assert_num_queries(1):  # the profile unit, once
                case_access.visibility_filter(approver)
                assert case_access.in_jurisdiction(approver, personas.village)
                inspection_access.rectification_filter(approver)
                petition_access.visibility_filter(approver)
                assert petition_access.leads_petition_work(approver, personas.forestry)
                assert jurisdiction_root(approver) == personas.county
                assert jurisdiction.jurisdiction_path(same_login) == personas.county.path
            # Another user is another read.
            with django_assert_num_queries(1):
                assert jurisdiction.profile_unit(contact) == personas.forestry

    def test_the_petition_jurisdiction_is_built_on_it_and_read_once(
        self, personas: Personas, django_assert_num_queries
    ) -> None:
        """A petition officer of a county department serves the county (the nearest party committee)."""
        officer = make_user("bureau_officer", roles.PETITION_OFFICER, unit=personas.forestry)
        roles.role_names(officer)
        officer.has_perm("petitions.view_petition")
        with jurisdiction.request_scope():
            with django_assert_num_queries(2):  # the profile unit, the territorial ancestors
                assert petition_access.petition_jurisdiction_path(officer) == personas.county.path
            with django_assert_num_queries(0):
                petition_access.visibility_filter(officer)
                assert petition_access.in_petition_jurisdiction(officer, personas.village)
                assert petition_access.oversight_path(officer) == personas.county.path

    def test_a_page_asking_every_app_reads_the_profile_once(self, client, personas: Personas) -> None:
        """The statistics page: the cases, petitions and rectification tables, the roll-up root and the
        unit choices of the filter form all ask for the officer's jurisdiction."""
        login(client, personas.officer)
        with CaptureQueriesContext(connection) as context:
            assert client.get(reverse("statistics")).status_code == 200
        assert profile_reads(context) == 1


class TestANewRequestReadsAgain:
    def test_a_changed_profile_unit_shows_on_the_next_request(self, client, personas: Personas) -> None:
        officer = make_user("moving_officer", roles.CASE_OFFICER, unit=personas.township)
        login(client, officer)
        page = client.get(reverse("statistics")).content.decode()
        assert personas.village.name in page and personas.forestry.name not in page
        Profile.objects.filter(user=officer).update(unit=personas.county)
        page = client.get(reverse("statistics")).content.decode()
        assert personas.forestry.name in page

    def test_the_scope_ends_with_the_request(self, personas: Personas) -> None:
        officer = make_user("moving_officer", roles.CASE_OFFICER, unit=personas.township)
        with jurisdiction.request_scope():
            assert jurisdiction.jurisdiction_path(officer) == personas.township.path
            Profile.objects.filter(user=officer).update(unit=personas.county)
            # Within the request the first answer holds: one page, one jurisdiction.
            assert jurisdiction.jurisdiction_path(officer) == personas.township.path
        with jurisdiction.request_scope():
            assert jurisdiction.jurisdiction_path(officer) == personas.county.path

    def test_outside_a_request_a_long_lived_user_object_is_never_stale(
        self, personas: Personas, django_assert_num_queries
    ) -> None:
        """A task's or a command's user object: every call reads, so it follows the profile."""
        officer = make_user("moving_officer", roles.CASE_OFFICER, unit=personas.township)
        with django_assert_num_queries(1):
            assert not case_access.in_jurisdiction(officer, personas.forestry)
        Profile.objects.filter(user=officer).update(unit=personas.county)
        with django_assert_num_queries(1):
            assert case_access.in_jurisdiction(officer, personas.forestry)


class TestEdges:
    def test_anonymous_visitors_and_logins_without_a_unit_have_none(
        self, personas: Personas, django_assert_num_queries
    ) -> None:
        nowhere = make_user("nowhere", roles.CASE_OFFICER)
        with django_assert_num_queries(0):
            assert jurisdiction.profile_unit(AnonymousUser()) is None
        with jurisdiction.request_scope(), django_assert_num_queries(1):
            assert jurisdiction.jurisdiction_path(nowhere) is None
            assert jurisdiction.jurisdiction_path(nowhere) is None  # "none" is remembered too
            assert jurisdiction.enclosing_path(nowhere, petition_access.TERRITORIAL_KINDS) is None

    @pytest.mark.parametrize("many", [2, 6])
    def test_the_bulk_forms_agree_with_the_single_ones_in_fixed_queries(
        self, personas: Personas, django_assert_num_queries, many: int
    ) -> None:
        units = [personas.county, personas.forestry, personas.township, personas.village, personas.finance]
        users = [
            make_user(f"bulk{index}", roles.PETITION_OFFICER, unit=units[index % len(units)])
            for index in range(many)
        ]
        users.append(make_user("bulk_without_unit", roles.PETITION_OFFICER))
        kinds = petition_access.TERRITORIAL_KINDS
        with django_assert_num_queries(1):
            paths = jurisdiction.profile_paths(users)
        with django_assert_num_queries(2):
            enclosing = jurisdiction.enclosing_paths(users, kinds)
        for user in users:
            assert paths.get(user.pk) == jurisdiction.jurisdiction_path(user)
            assert enclosing.get(user.pk) == jurisdiction.enclosing_path(user, kinds)
        assert enclosing[users[1].pk] == personas.county.path  # forestry → the county
        if many > 3:
            assert enclosing[users[3].pk] == personas.township.path  # village → the township
