"""Uploaded files: unguessable names on disk, served only by the download views after the access check.

Every file view is tried by the signed-out visitor, by users who may not see the object, and by one
who may; `/media/` answers 404 in the test and the development settings; the nginx hand-off
(X-Accel-Redirect) keeps the same checks; the data migrations move old files to unguessable names.
"""

from __future__ import annotations

import datetime as dt
import importlib
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cases import actions as case_actions
from cases.models import Attachment
from inspections import actions as inspection_actions
from inspections.models import FindingAttachment, FindingCategory, ReportAttachment
from tests import inspection_factories as f
from tests.case_factories import draft_case
from tests.conftest import login
from tests.personas import Personas

PDF = b"%PDF-1.7 evidence"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
STORED = re.compile(r"(?:cases|inspections/findings|inspections/reports)/\d{4}/[0-9a-f]{32}\.(?:pdf|png)")


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PROTECTED_MEDIA_ACCEL_PREFIX = ""
    return settings.MEDIA_ROOT


def name_of(row) -> str:
    """The stored name of an attachment row's file."""
    name = row.file.name
    assert name
    return name


def case_attachment(personas: Personas, name: str = "调查笔录.pdf") -> Attachment:
    case = draft_case(personas)
    return case_actions.add_attachment(
        case, by=personas.officer, kind="evidence", upload=SimpleUploadedFile(name, PDF)
    )


def finding_photo(personas: Personas, tour: f.Tour) -> FindingAttachment:
    finding = inspection_actions.log_finding(
        tour.a,
        inspection_actions.FindingData(
            category=FindingCategory.EIGHT_RULES,
            description="食堂超标准接待",
            units=[tour.a.unit],
            files=[SimpleUploadedFile("食堂.png", PNG)],
        ),
        by=personas.inspector,
    )
    return finding.attachments.get()


def report_evidence(personas: Personas, tour: f.Tour) -> ReportAttachment:
    item = f.item(tour.finding_a, personas.team_leader, deadline=dt.date(2026, 12, 31))
    report = inspection_actions.report_progress(
        item,
        by=personas.unit_contact,
        text="已完成整改",
        final=True,
        files=[SimpleUploadedFile("整改报告.pdf", PDF)],
    )
    return report.attachments.get()


def case_url(attachment: Attachment) -> str:
    return reverse("cases:attachment", args=[attachment.case_id, attachment.pk])


def finding_url(attachment: FindingAttachment) -> str:
    return reverse("inspections:finding_attachment", args=[attachment.finding_id, attachment.pk])


def report_url(attachment: ReportAttachment) -> str:
    return reverse("inspections:report_attachment", args=[attachment.report.item_id, attachment.pk])


# --- Stored names -------------------------------------------------------------------------------------


def test_stored_names_reveal_neither_the_object_nor_the_file_name(personas: Personas) -> None:
    first = case_attachment(personas, "调查笔录.pdf")
    second = case_attachment(personas, "调查笔录.pdf")
    tour = f.tour(personas)
    photo, evidence = finding_photo(personas, tour), report_evidence(personas, tour)
    for stored in (first, second, photo, evidence):
        assert STORED.fullmatch(name_of(stored)), name_of(stored)
        assert stored.original_name in ("调查笔录.pdf", "食堂.png", "整改报告.pdf")
        assert stored.original_name not in name_of(stored)
        assert (Path(settings.MEDIA_ROOT) / name_of(stored)).is_file()
    assert name_of(first).startswith("cases/2026/")
    assert name_of(photo).startswith("inspections/findings/2026/")
    assert name_of(evidence).startswith("inspections/reports/2026/")
    # The same name on the same day gives another random name: nothing to count through.
    assert name_of(first) != name_of(second)
    assert f"/{first.case_id}/" not in name_of(first)


def test_every_file_field_of_the_project_stores_unguessable_names() -> None:
    """Any FileField added later must use an unguessable `upload_to` too; import files are not on disk."""
    from django.db.models import FileField

    from accountability.files import UNGUESSABLE

    project_apps = {"accountability", "registry", "cases", "inspections", "petitions"}
    fields = [
        field
        for model in django_apps.get_models()
        if model._meta.app_label in project_apps
        for field in model._meta.get_fields()
        if isinstance(field, FileField)
    ]
    assert {f"{field.model.__name__}.{field.name}" for field in fields} == {
        "Attachment.file",
        "FindingAttachment.file",
        "ReportAttachment.file",
    }
    for field in fields:
        name = field.generate_filename(field.model(), "../某单位/调查笔录.PDF")
        assert UNGUESSABLE.fullmatch(name), name
        assert name.endswith(".pdf")


# --- Who gets the bytes ---------------------------------------------------------------------------------


def test_a_case_attachment_goes_only_to_those_who_see_the_case(client, personas: Personas) -> None:
    attachment = case_attachment(personas)
    url = case_url(attachment)

    signed_out = client.get(url)
    assert signed_out.status_code == 302
    assert signed_out["Location"].startswith(reverse("login"))
    for persona in ("outsider", "unit_contact", "petition_officer", "inspector"):
        login(client, getattr(personas, persona))
        assert client.get(url).status_code == 404, persona

    login(client, personas.approver)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''%E8%B0%83%E6%9F%A5%E7%AC%94%E5%BD%95.pdf"
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"


def test_another_cases_id_in_the_url_finds_nothing(client, personas: Personas) -> None:
    attachment = case_attachment(personas)
    other = draft_case(personas, title="另一个案件")
    login(client, personas.officer)
    assert client.get(reverse("cases:attachment", args=[other.pk, attachment.pk])).status_code == 404


def test_a_withdrawn_attachment_is_no_longer_served(client, personas: Personas) -> None:
    attachment = case_attachment(personas)
    case_actions.withdraw_attachment(attachment, by=personas.officer)
    login(client, personas.officer)
    assert client.get(case_url(attachment)).status_code == 404
    # The file itself stays: nothing in a case record is deleted.
    assert (Path(settings.MEDIA_ROOT) / name_of(attachment)).is_file()


def test_a_file_missing_from_the_disk_is_a_404_not_a_500(client, personas: Personas) -> None:
    attachment = case_attachment(personas)
    (Path(settings.MEDIA_ROOT) / name_of(attachment)).unlink()
    login(client, personas.officer)
    assert client.get(case_url(attachment)).status_code == 404


def test_a_finding_photo_goes_only_to_the_team(client, personas: Personas) -> None:
    tour = f.tour(personas)
    photo = finding_photo(personas, tour)
    url = finding_url(photo)

    assert client.get(url).status_code == 302
    login(client, personas.other_team_leader)
    assert client.get(url).status_code == 404
    for persona in ("outsider", "unit_contact", "officer"):
        login(client, getattr(personas, persona))
        assert client.get(url).status_code == 403, persona

    login(client, personas.inspector)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG
    # A photo shows in the page; the type is ours, never sniffed.
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("inline;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"


def test_rectification_evidence_goes_only_to_those_who_see_the_item(client, personas: Personas) -> None:
    tour = f.tour(personas)
    evidence = report_evidence(personas, tour)
    url = report_url(evidence)

    assert client.get(url).status_code == 302
    for persona in ("other_team_leader",):
        login(client, getattr(personas, persona))
        assert client.get(url).status_code == 404, persona
    for persona in ("outsider", "petition_officer"):
        login(client, getattr(personas, persona))
        assert client.get(url).status_code == 403, persona

    for persona in ("unit_contact", "team_leader"):
        login(client, getattr(personas, persona))
        response = client.get(url)
        assert response.status_code == 200, persona
        assert b"".join(response.streaming_content) == PDF
        assert response["Content-Disposition"].startswith("attachment;")
        assert response["Cache-Control"] == "private, no-store"


# --- No direct route to MEDIA_ROOT ------------------------------------------------------------------------


def test_media_urls_answer_404_under_the_test_settings(client, personas: Personas) -> None:
    attachment = case_attachment(personas)
    login(client, personas.officer)
    for path in (f"/media/{name_of(attachment)}", f"/media/cases/{attachment.case_id}/调查笔录.pdf"):
        assert client.get(path).status_code == 404


def test_media_urls_answer_404_under_the_development_settings(tmp_path: Path) -> None:
    """`make run` (DEBUG on) used to serve MEDIA_ROOT to anyone; a file placed there must not come out."""
    media = tmp_path / "dev-media"
    (media / "cases" / "1").mkdir(parents=True)
    (media / "cases" / "1" / "decision.pdf").write_bytes(PDF)
    script = (
        "import django; django.setup()\n"
        "from django.conf import settings\n"
        "from django.test import Client\n"
        "assert settings.DEBUG\n"
        "print(Client().get('/media/cases/1/decision.pdf').status_code)\n"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "accountability.settings.dev",
        "DJANGO_DEBUG": "true",
        "MEDIA_ROOT": str(media),
        "DATABASE_URL": "sqlite://:memory:",
    }
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "404"


# --- Handing the bytes to nginx ---------------------------------------------------------------------------


def test_with_the_accel_prefix_nginx_sends_the_file(client, settings, personas: Personas) -> None:
    settings.PROTECTED_MEDIA_ACCEL_PREFIX = "/protected-media/"
    attachment = case_attachment(personas)
    url = case_url(attachment)

    login(client, personas.outsider)
    refused = client.get(url)
    assert refused.status_code == 404
    assert "X-Accel-Redirect" not in refused

    login(client, personas.officer)
    response = client.get(url)
    assert response.status_code == 200
    assert response.content == b""
    assert response["X-Accel-Redirect"] == f"/protected-media/{name_of(attachment)}"
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"


def test_the_accel_path_also_serves_finding_photos_inline(client, settings, personas: Personas) -> None:
    settings.PROTECTED_MEDIA_ACCEL_PREFIX = "/protected-media"
    tour = f.tour(personas)
    photo = finding_photo(personas, tour)
    login(client, personas.team_leader)
    response = client.get(finding_url(photo))
    assert response["X-Accel-Redirect"] == f"/protected-media/{name_of(photo)}"
    assert response["Content-Disposition"].startswith("inline;")


# --- The data migrations -----------------------------------------------------------------------------------


def _with_old_name(row, old_name: str, content: bytes | None) -> None:
    """Put a row back the way the old code stored it: `<kind>/<id>/<original name>`."""
    if content is not None:
        path = Path(settings.MEDIA_ROOT) / old_name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    type(row).objects.filter(pk=row.pk).update(file=old_name)


def _migration(app: str, name: str):
    return importlib.import_module(f"{app}.migrations.{name}")


def test_the_case_migration_moves_old_files_to_unguessable_names(
    personas: Personas, django_capture_on_commit_callbacks
) -> None:
    kept = case_attachment(personas, "会议纪要.pdf")
    moved = case_attachment(personas, "调查笔录.pdf")
    lost = case_attachment(personas, "送达回证.pdf")
    old = f"cases/{moved.case_id}/调查笔录.pdf"
    _with_old_name(moved, old, PDF)
    _with_old_name(lost, f"cases/{lost.case_id}/送达回证.pdf", None)
    already = name_of(kept)

    with django_capture_on_commit_callbacks(execute=True):
        _migration("cases", "0010_attachment_unguessable_names").rename(django_apps, None)

    moved.refresh_from_db()
    assert STORED.fullmatch(name_of(moved))
    assert name_of(moved).startswith("cases/2026/")
    assert (Path(settings.MEDIA_ROOT) / name_of(moved)).read_bytes() == PDF
    assert not (Path(settings.MEDIA_ROOT) / old).exists()
    assert moved.original_name == "调查笔录.pdf"
    # A missing file is tolerated: its row keeps the old name and nothing fails.
    lost.refresh_from_db()
    assert name_of(lost) == f"cases/{lost.case_id}/送达回证.pdf"
    # Files already under unguessable names stay where they are.
    kept.refresh_from_db()
    assert name_of(kept) == already


def test_the_old_copy_stays_until_the_rows_are_committed(personas: Personas) -> None:
    """If the migration's transaction rolled back, the rows would still point at the old files."""
    from accountability.files import move_to_unguessable_names

    attachment = case_attachment(personas)
    old = f"cases/{attachment.case_id}/调查笔录.pdf"
    _with_old_name(attachment, old, PDF)
    assert move_to_unguessable_names(Attachment, prefix="cases") == (1, 0)
    # No commit has happened in this test's transaction: the old copy is still there.
    assert (Path(settings.MEDIA_ROOT) / old).read_bytes() == PDF
    attachment.refresh_from_db()
    assert (Path(settings.MEDIA_ROOT) / name_of(attachment)).read_bytes() == PDF


def test_the_inspection_migration_moves_photos_and_evidence(
    client, personas: Personas, django_capture_on_commit_callbacks
) -> None:
    tour = f.tour(personas)
    photo, evidence = finding_photo(personas, tour), report_evidence(personas, tour)
    old_photo = f"inspections/findings/{photo.finding_id}/食堂.png"
    old_evidence = f"inspections/reports/{evidence.report_id}/整改报告.pdf"
    _with_old_name(photo, old_photo, PNG)
    _with_old_name(evidence, old_evidence, PDF)

    with django_capture_on_commit_callbacks(execute=True):
        _migration("inspections", "0004_upload_unguessable_names").rename(django_apps, None)

    photo.refresh_from_db()
    evidence.refresh_from_db()
    assert name_of(photo).startswith("inspections/findings/2026/")
    assert name_of(evidence).startswith("inspections/reports/2026/")
    for row in (photo, evidence):
        assert STORED.fullmatch(name_of(row))
    assert not (Path(settings.MEDIA_ROOT) / old_photo).exists()
    assert not (Path(settings.MEDIA_ROOT) / old_evidence).exists()
    # And the moved files are served from their new names.
    login(client, personas.team_leader)
    assert b"".join(client.get(finding_url(photo)).streaming_content) == PNG
    assert b"".join(client.get(report_url(evidence)).streaming_content) == PDF
