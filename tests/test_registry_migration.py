"""The registry's move to an app of its own (issue 11) keeps an existing database whole.

Self-contained (no old checkout; `scripts/check_registry_move.py` does the same on a seeded database built
by the old code): this test database is migrated back to just before the move, rows are written with the
models of that moment (units, a person, a profile, a case and its target pointing at them, permissions
bound to the moved models' content types: a user's, a group's and a django-guardian object permission,
an admin log entry), then it is migrated forward and everything is read through today's `registry` models.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group, Permission, User
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from guardian.core import ObjectPermissionChecker

from cases.models import Case
from registry.models import Clause, OrgUnit, Person, Profile

pytestmark = pytest.mark.django_db(transaction=True)

# Each app at its last migration before the move; unapplying `registry` unapplies what depends on it.
BEFORE_MOVE = [
    ("accountability", "0008_import_unpacked_size_and_interruptions"),
    ("cases", "0010_attachment_unguessable_names"),
    ("inspections", "0005_clue_failures_and_date_bounds"),
    ("petitions", "0001_initial"),
    ("registry", None),
]
MOVED_MODELS = {model._meta.model_name for model in (OrgUnit, Person, Profile, Clause)}


def leaves() -> list[tuple[str, str]]:
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.fixture
def before_the_move() -> Iterator[Any]:
    """The database just before the move, and the models of that moment; migrated back to the latest
    state afterwards whatever happens, so that the database stays usable for the tests after this one."""
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate(BEFORE_MOVE)
    at_that_moment = [node for node in BEFORE_MOVE if node[1]] + [
        node for node in latest if node[0] not in {app for app, _name in BEFORE_MOVE}
    ]
    try:
        yield MigrationExecutor(connection).loader.project_state(at_that_moment).apps
    finally:
        MigrationExecutor(connection).migrate(latest)
        ContentType.objects.clear_cache()


def write_before_the_move(apps: Any) -> dict[str, int]:
    """Rows written by the code of before the move (the historical models of that state)."""
    content_type = apps.get_model("contenttypes", "ContentType")
    permission = apps.get_model("auth", "Permission")
    unit_model = apps.get_model("accountability", "OrgUnit")
    person_ct = content_type.objects.get(app_label="accountability", model="person")
    unit_ct = content_type.objects.get(app_label="accountability", model="orgunit")

    county = unit_model.objects.create(code="MIG-00", name="迁移县委", kind="party_committee")
    county.path = f"/{county.pk}/"
    county.save()
    office = unit_model.objects.create(
        code="MIG-01", name="迁移县财政局", kind="government_dept", parent=county, depth=1
    )
    office.path = f"{county.path}{office.pk}/"
    office.save()
    person = apps.get_model("accountability", "Person").objects.create(
        staff_no="MIG0001",
        name="迁移人",
        gender="male",
        id_number="11010519491231002X",
        birth_date=dt.date(1949, 12, 31),
        org_unit=office,
    )
    user = apps.get_model("auth", "User").objects.create(username="mover")
    apps.get_model("accountability", "Profile").objects.create(user=user, person=person, unit=county)
    regulation = apps.get_model("accountability", "Regulation").objects.create(
        code="mig-2019",
        family="accountability",
        title="迁移条例",
        short_title="迁移条例",
        version="2019",
        issuer="中共中央",
        effective_date=dt.date(2019, 8, 25),
    )
    clause = apps.get_model("accountability", "Clause").objects.create(
        regulation=regulation, code="7.1", article=7, item=1, kind="situation", short_title="迁移情形"
    )
    case = apps.get_model("cases", "Case").objects.create(
        year=2026,
        sequence=9001,
        title="迁移案件",
        source="assigned",
        summary="迁移",
        conduct_date=dt.date(2026, 1, 5),
        regulation=regulation,
        unit=office,
        decision_body=county,
    )
    case.situations.add(clause)
    apps.get_model("cases", "Target").objects.create(case=case, person=person)

    change_person = permission.objects.get(content_type=person_ct, codename="change_person")
    user.user_permissions.add(change_person)
    apps.get_model("guardian", "UserObjectPermission").objects.create(
        user=user, permission=change_person, content_type=person_ct, object_pk=str(person.pk)
    )
    view_unit = permission.objects.get(content_type=unit_ct, codename="view_orgunit")
    group = apps.get_model("auth", "Group").objects.create(name="迁移组")
    group.permissions.add(view_unit)
    apps.get_model("admin", "LogEntry").objects.create(
        user=user,
        content_type=person_ct,
        object_id=str(person.pk),
        object_repr="迁移人",
        action_flag=2,
        change_message="[]",
    )
    # A `migrate` stopped half-way can have created the new content type (and its default permissions,
    # granted by the role sync) before the move of the old one: the migration merges the two.
    early = content_type.objects.create(app_label="registry", model="orgunit")
    early_view = permission.objects.create(content_type=early, codename="view_orgunit", name="Can view unit")
    group.permissions.add(early_view)
    return {
        "county": county.pk,
        "office": office.pk,
        "person": person.pk,
        "user": user.pk,
        "clause": clause.pk,
        "case": case.pk,
        "group": group.pk,
        "person_ct": person_ct.pk,
        "unit_ct": unit_ct.pk,
        "change_person": change_person.pk,
        "view_unit": view_unit.pk,
    }


def test_the_rows_foreign_keys_and_permissions_survive_the_move(before_the_move: Any) -> None:
    ids = write_before_the_move(before_the_move)
    MigrationExecutor(connection).migrate(leaves())
    ContentType.objects.clear_cache()

    # The rows, under the registry's tables, with their foreign keys.
    tables = set(connection.introspection.table_names())
    assert {"registry_orgunit", "registry_person", "registry_profile"} <= tables
    assert not {"accountability_orgunit", "accountability_person", "accountability_profile"} & tables
    person = Person.objects.get(pk=ids["person"])
    assert (person.staff_no, person.org_unit_id) == ("MIG0001", ids["office"])
    assert OrgUnit.objects.get(pk=ids["office"]).parent_id == ids["county"]
    profile = Profile.objects.get(user_id=ids["user"])
    assert (profile.person_id, profile.unit_id) == (ids["person"], ids["county"])
    case = Case.objects.get(pk=ids["case"])
    assert (case.unit_id, case.decision_body_id) == (ids["office"], ids["county"])
    assert list(case.situations.values_list("pk", flat=True)) == [ids["clause"]]
    assert case.targets.get().person == person

    # The content types moved in place: same ids, the registry's label, none left behind or doubled.
    assert ContentType.objects.get_for_model(Person).pk == ids["person_ct"]
    assert ContentType.objects.get_for_model(OrgUnit).pk == ids["unit_ct"]
    assert not ContentType.objects.filter(app_label="accountability", model__in=MOVED_MODELS).exists()
    assert ContentType.objects.filter(app_label="registry", model="orgunit").count() == 1
    assert Permission.objects.filter(content_type__app_label="registry", codename="view_orgunit").count() == 1

    # The permissions bound to them: a user's, an object permission, a group's (kept once, on the old id).
    user = User.objects.get(pk=ids["user"])
    assert user.has_perm("registry.change_person")
    assert Permission.objects.get(pk=ids["change_person"]).content_type.app_label == "registry"
    assert ObjectPermissionChecker(user).has_perm("change_person", person)
    assert list(Group.objects.get(pk=ids["group"]).permissions.values_list("pk", flat=True)) == [
        ids["view_unit"]
    ]
    entry = LogEntry.objects.get(object_id=str(person.pk), content_type_id=ids["person_ct"])
    assert entry.get_edited_object() == person
    assert entry.get_admin_url() == f"/admin/registry/person/{person.pk}/change/"
