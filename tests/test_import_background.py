"""Large files are checked, imported and rolled back by a real Celery worker; the page shows progress
(rows done, total, time left) from the database, so it survives a reload and any web process can serve it."""

from __future__ import annotations

import datetime as dt

import pytest
from celery.signals import task_prerun
from django.urls import reverse
from django.utils import timezone

from registry.models import ImportBatch, ImportFile, Person
from registry.services import imports as service
from tests.conftest import login, wait_for
from tests.import_files import roster, xlsx
from tests.personas import Personas

Status = ImportBatch.Status


@pytest.fixture
def ran_tasks():
    # Recorded when the worker starts a task: the status a test waits for is written inside the task,
    # so by the time it shows, the name is here (task_postrun would race the status check).
    names: list[str] = []

    def record(sender=None, **kwargs) -> None:
        names.append(sender.name)

    task_prerun.connect(record, weak=False)
    yield names
    task_prerun.disconnect(record)


def _status(batch: ImportBatch) -> str:
    batch.refresh_from_db()
    return batch.status


@pytest.mark.celery
def test_a_large_file_goes_through_the_worker(
    celery_worker, transactional_personas: Personas, settings, client, ran_tasks
) -> None:
    settings.IMPORT_SYNC_MAX_BYTES = 1024  # every real roster is "large" here
    personas = transactional_personas
    personas.forestry  # noqa: B018
    content = xlsx(roster(1200))
    assert len(content) > settings.IMPORT_SYNC_MAX_BYTES
    batch = service.create_batch(user=personas.admin, kind="people", file_name="名册.xlsx", content=content)
    # The web process kept the file in the database; the worker reads it from there.
    assert bytes(ImportFile.objects.get(batch=batch).content) == content
    wait_for(lambda: _status(batch) == Status.PREVIEW, timeout=60)
    assert "accountability.tasks.check_import" in ran_tasks
    assert (batch.rows_done, batch.rows_total, batch.created_count) == (1200, 1200, 1200)
    assert not Person.objects.filter(staff_no__startswith="R").exists()

    login(client, personas.admin)
    assert client.post(reverse("registry:import_confirm", args=[batch.pk])).status_code == 302
    wait_for(lambda: _status(batch) == Status.DONE, timeout=60)
    assert "accountability.tasks.run_import" in ran_tasks
    assert Person.objects.filter(staff_no__startswith="R").count() == 1200
    assert batch.confirmed_by == personas.admin

    assert client.post(reverse("registry:import_rollback", args=[batch.pk])).status_code == 302
    wait_for(lambda: _status(batch) == Status.ROLLED_BACK, timeout=60)
    assert "accountability.tasks.rollback_import" in ran_tasks
    assert not Person.objects.filter(staff_no__startswith="R").exists()


@pytest.mark.celery
def test_a_worker_failure_marks_the_batch_and_writes_nothing(
    celery_worker, transactional_personas: Personas, settings, monkeypatch
) -> None:
    settings.IMPORT_SYNC_MAX_BYTES = 1024
    personas = transactional_personas
    personas.forestry  # noqa: B018
    batch = service.create_batch(
        user=personas.admin, kind="people", file_name="名册.xlsx", content=xlsx(roster(400))
    )
    wait_for(lambda: _status(batch) == Status.PREVIEW, timeout=60)

    from registry.imports import people

    write_staged = people._write_staged
    seen_inside: list[int] = []

    def fails_after_writing(*args, **kwargs) -> None:
        write_staged(*args, **kwargs)
        seen_inside.append(Person.objects.filter(staff_no__startswith="R").count())  # in the worker
        raise RuntimeError("disk full")

    monkeypatch.setattr(people, "_write_staged", fails_after_writing)
    service.confirm_batch(batch, personas.admin)
    wait_for(lambda: _status(batch) == Status.FAILED, timeout=60)
    assert batch.notice == {"code": "failed", "params": {"batch": batch.pk}}
    assert seen_inside == [400], "the rows were written, then rolled back"
    assert not Person.objects.filter(staff_no__startswith="R").exists()


# The progress bar -------------------------------------------------------------------------------


@pytest.fixture
def running(personas: Personas) -> ImportBatch:
    return ImportBatch.objects.create(
        kind=ImportBatch.Kind.PEOPLE,
        status=Status.CHECKING,
        file_name="全省名册.xlsx",
        file_size=8_000_000,
        file_sha256="0" * 64,
        created_by=personas.admin,
        step_started_at=timezone.now() - dt.timedelta(seconds=100),
        rows_done=25_000,
        rows_total=100_000,
    )


def test_the_page_shows_rows_done_total_and_time_left_after_a_reload(
    client, personas: Personas, running: ImportBatch
) -> None:
    login(client, personas.admin)
    for _reload in range(2):
        page = client.get(reverse("registry:import_detail", args=[running.pk])).content.decode()
        assert '<progress max="100000" value="25000"' in page
        assert "已处理 25000 / 100000 行" in page
        assert "预计剩余约 6 分钟" in page
        assert f'hx-get="{reverse("registry:import_progress", args=[running.pk])}"' in page
        assert 'hx-trigger="every 1s"' in page


def test_the_progress_fragment_follows_the_batch_and_reloads_the_page_at_the_end(
    client, personas: Personas, running: ImportBatch
) -> None:
    login(client, personas.admin)
    url = reverse("registry:import_progress", args=[running.pk])
    response = client.get(url, headers={"HX-Request": "true"})
    assert "HX-Refresh" not in response
    assert "已处理 25000 / 100000 行" in response.content.decode()

    ImportBatch.objects.filter(pk=running.pk).update(rows_done=90_000)
    assert "已处理 90000 / 100000 行" in client.get(url).content.decode()

    ImportBatch.objects.filter(pk=running.pk).update(status=Status.IMPORTING, rows_done=100_000)
    assert "正在写入基础信息库" in client.get(url).content.decode()

    ImportBatch.objects.filter(pk=running.pk).update(status=Status.PREVIEW)
    response = client.get(url)
    assert response["HX-Refresh"] == "true"
    assert "hx-get" not in response.content.decode(), "polling stops"
