"""Only system administrators (and superusers) may import or export: every URL, every other role refused."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from registry.models import ImportBatch, ImportFile, Person
from tests.conftest import login
from tests.import_files import roster, xlsx
from tests.personas import Personas


@pytest.fixture
def batch(personas: Personas) -> ImportBatch:
    batch = ImportBatch.objects.create(
        kind=ImportBatch.Kind.PEOPLE,
        status=ImportBatch.Status.PREVIEW,
        file_name="名册.xlsx",
        file_size=10,
        file_sha256="0" * 64,
        created_by=personas.admin,
        rows_total=1,
        error_count=1,
        problems=[{"row": 2, "problems": [{"row": 2, "column": "性别", "code": "required", "params": {}}]}],
        preview={"headers": ["工号"]},
    )
    ImportFile.objects.create(batch=batch, content=b"x", bad_rows=[])
    return batch


def _urls(batch: ImportBatch) -> list[tuple[str, str]]:
    pk = [batch.pk]
    return [
        ("get", reverse("registry:import_list")),
        ("post", reverse("registry:import_upload")),
        ("get", reverse("registry:import_detail", args=pk)),
        ("get", reverse("registry:import_progress", args=pk)),
        ("post", reverse("registry:import_confirm", args=pk)),
        ("post", reverse("registry:import_discard", args=pk)),
        ("post", reverse("registry:import_rollback", args=pk)),
        ("get", reverse("registry:import_bad_rows", args=pk)),
        ("get", reverse("registry:import_template", args=["people"])),
        ("get", reverse("registry:export_people")),
        ("get", reverse("registry:export_units")),
    ]


@pytest.mark.parametrize("who", ["outsider", "officer", "approver", "unit_contact", "petition_officer"])
def test_other_roles_are_refused_everywhere(client, personas: Personas, batch: ImportBatch, who: str) -> None:
    login(client, getattr(personas, who))
    for method, url in _urls(batch):
        response = getattr(client, method)(url)
        assert response.status_code == 403, (who, url)
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.PREVIEW


def test_anonymous_visitors_are_sent_to_sign_in(client, batch: ImportBatch) -> None:
    for method, url in _urls(batch):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login"))


def test_an_officer_cannot_upload_even_a_valid_file(client, personas: Personas) -> None:
    personas.forestry  # noqa: B018
    login(client, personas.officer)
    upload = io.BytesIO(xlsx(roster(2)))
    upload.name = "名册.xlsx"
    response = client.post(reverse("registry:import_upload"), {"kind": "people", "file": upload})
    assert response.status_code == 403
    assert not ImportBatch.objects.exists()
    assert not Person.objects.filter(staff_no__startswith="R").exists()


def test_admins_and_superusers_get_in(client, personas: Personas, batch: ImportBatch) -> None:
    superuser = get_user_model().objects.create_superuser("root", password="x-Root-pass-2026")
    for user in (personas.admin, superuser):
        login(client, user)
        assert client.get(reverse("registry:import_list")).status_code == 200
        assert client.get(reverse("registry:import_detail", args=[batch.pk])).status_code == 200
        assert client.get(reverse("registry:export_units")).status_code == 200


def test_the_navigation_shows_the_import_page_to_admins_only(client, personas: Personas) -> None:
    url = reverse("registry:import_list")
    login(client, personas.admin)
    assert f'href="{url}"' in client.get(reverse("home")).content.decode()
    login(client, personas.officer)
    assert f'href="{url}"' not in client.get(reverse("home")).content.decode()


def test_csrf_is_required_for_every_change(personas: Personas, batch: ImportBatch) -> None:
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    login(client, personas.admin)
    for method, url in _urls(batch):
        if method == "post":
            assert client.post(url).status_code == 403, url
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.PREVIEW


# The Django admin ----------------------------------------------------------------------------------


@pytest.mark.parametrize("model", ["person", "orgunit"])
def test_the_admin_export_and_import_are_for_admins(client, personas: Personas, model: str) -> None:
    export = reverse(f"admin:registry_{model}_export")
    imports = reverse(f"admin:registry_{model}_import")
    login(client, personas.officer)  # not staff: the admin sends them to its login
    assert client.get(export).status_code == 302
    assert client.get(imports).status_code == 302
    staff = get_user_model().objects.create_user("clerk", password="x-Clerk-pass-2026", is_staff=True)
    login(client, staff)  # staff without the admin role
    assert client.get(export).status_code == 403
    assert client.get(imports).status_code == 403

    login(client, personas.admin)
    response = client.get(imports)
    kind = "people" if model == "person" else "units"
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('registry:import_list')}?kind={kind}"
    # The stock confirm step is closed too: every import goes through a batch.
    process = client.post(reverse(f"admin:registry_{model}_process_import"), {"import_file_name": "x"})
    assert process.status_code == 302
    assert process["Location"] == f"{reverse('registry:import_list')}?kind={kind}"
    changelist = client.get(reverse(f"admin:registry_{model}_changelist")).content.decode()
    assert export in changelist and imports in changelist
