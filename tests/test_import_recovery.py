"""A step whose runner died — a worker killed mid-import — is run once more and finishes whole, or, if
it dies again, is given up with the reason in Chinese; a step whose runner is alive is never touched
(issue 10). bench/faults.py does the same with a real worker killed by SIGKILL."""

from __future__ import annotations

import datetime as dt

import psycopg2
import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.utils import timezone

from accountability.celery import app
from registry import tasks
from registry.imports import people
from registry.models import ImportBatch, Person
from registry.services import imports as service
from tests.conftest import login
from tests.import_files import Importer, detail_page, roster, xlsx
from tests.personas import Personas

Status = ImportBatch.Status


@pytest.fixture
def importer(personas: Personas, django_capture_on_commit_callbacks) -> Importer:
    personas.forestry  # noqa: B018 - unit T-D01
    return Importer(personas.admin, django_capture_on_commit_callbacks)


def _died_in(batch: ImportBatch, status: str, **changes: object) -> None:
    """The runner claimed the step and died: the status says running, and nobody holds the lock."""
    ImportBatch.objects.filter(pk=batch.pk).update(status=status, step_started_at=timezone.now(), **changes)


def _recover(importer: Importer, **kwargs: object) -> list[int]:
    with importer.capture(execute=True):
        return service.recover_interrupted(**kwargs)  # type: ignore[arg-type]


def _confirmed(importer: Importer, rows: int = 40) -> ImportBatch:
    batch = importer.upload(xlsx(roster(rows)))
    with importer.capture(execute=False):  # confirmed; its import not started
        service.confirm_batch(batch, importer.user)
    return batch


def _people() -> int:
    return Person.objects.filter(staff_no__startswith="R").count()


def test_an_import_whose_worker_died_runs_again_and_finishes_whole(importer: Importer) -> None:
    batch = _confirmed(importer)
    _died_in(batch, Status.IMPORTING)
    assert _recover(importer) == [batch.pk]
    batch.refresh_from_db()
    assert (batch.status, batch.interruptions, batch.created_count) == (Status.DONE, 1, 40)
    assert _people() == 40


def test_a_check_and_a_rollback_whose_worker_died_run_again(importer: Importer) -> None:
    checked = importer.upload(xlsx(roster(20, prefix="C")[10:]))  # other ID numbers than R00001…
    _died_in(checked, Status.CHECKING)
    done = importer.run(xlsx(roster(10)))
    _died_in(done, Status.ROLLING_BACK, rolled_back_by=importer.user)
    assert _recover(importer) == [checked.pk, done.pk]
    checked.refresh_from_db()
    done.refresh_from_db()
    assert (checked.status, checked.created_count) == (Status.PREVIEW, 10)
    assert done.status == Status.ROLLED_BACK
    assert _people() == 0


@pytest.mark.parametrize(
    ("running", "left_in", "code", "message"),
    [
        (
            Status.CHECKING,
            Status.FAILED,
            "interrupted_check",
            "后台进程在检查此文件时两次中断，未写入任何数据。请重新上传文件",
        ),
        (
            Status.IMPORTING,
            Status.PREVIEW,
            "interrupted_import",
            "后台进程在导入此批次时两次中断，未写入任何数据。请再次确认导入",
        ),
        (
            Status.ROLLING_BACK,
            Status.DONE,
            "interrupted_rollback",
            "后台进程在回滚此批次时两次中断，未作任何更改。请再次回滚",
        ),
    ],
)
def test_a_step_whose_worker_dies_twice_is_given_up_with_the_reason_in_chinese(
    importer: Importer, client, running: str, left_in: str, code: str, message: str
) -> None:
    batch = importer.run(xlsx(roster(10))) if running == Status.ROLLING_BACK else _confirmed(importer, 10)
    people_before = _people()
    _died_in(batch, running, interruptions=1)
    assert _recover(importer) == [batch.pk]
    batch.refresh_from_db()
    assert (batch.status, batch.interruptions) == (left_in, 2)
    assert batch.notice == {"code": code, "params": {"batch": batch.pk}}
    assert _people() == people_before
    login(client, importer.user)
    assert message in detail_page(client, batch)


def test_after_giving_up_the_administrator_can_confirm_again(importer: Importer) -> None:
    batch = _confirmed(importer)
    _died_in(batch, Status.IMPORTING, interruptions=1)
    _recover(importer)
    batch = importer.confirm(ImportBatch.objects.get(pk=batch.pk))
    assert (batch.status, batch.interruptions, batch.notice) == (Status.DONE, 0, {})
    assert _people() == 40


def _other_session() -> psycopg2.extensions.connection:
    params = connection.get_connection_params()
    other = psycopg2.connect(**{k: v for k, v in params.items() if k != "cursor_factory"})
    other.autocommit = True
    return other


def test_a_step_whose_runner_is_alive_is_left_alone(importer: Importer) -> None:
    batch = _confirmed(importer)
    _died_in(batch, Status.IMPORTING)
    runner = _other_session()  # a live worker holds the batch's lock while it imports
    try:
        with runner.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s, %s)", [service.STEP_LOCK, batch.pk])
        assert _recover(importer) == []
        batch.refresh_from_db()
        assert (batch.status, batch.interruptions) == (Status.IMPORTING, 0)
    finally:
        runner.close()  # the worker dies: its lock goes with its connection
    assert _recover(importer) == [batch.pk]
    assert ImportBatch.objects.get(pk=batch.pk).status == Status.DONE


def test_a_runner_holds_the_lock_for_the_whole_step(importer: Importer, monkeypatch) -> None:
    observer = _other_session()
    seen: list[bool] = []
    check = people.check

    def watched(*args, **kwargs):
        running = ImportBatch.objects.get(status=Status.CHECKING)
        with observer.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [service.STEP_LOCK, running.pk])
            seen.append(cursor.fetchone()[0])
        return check(*args, **kwargs)

    monkeypatch.setattr(people, "check", watched)
    try:
        batch = importer.upload(xlsx(roster(5)))
        with observer.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [service.STEP_LOCK, batch.pk])
            free_after = cursor.fetchone()[0]
    finally:
        observer.close()
    assert batch.status == Status.PREVIEW
    assert seen == [False], "taken while the check ran"
    assert free_after, "released when it ended"


def test_a_large_batch_is_handed_back_to_the_worker(importer: Importer, settings, monkeypatch) -> None:
    queued: list[int] = []
    monkeypatch.setattr(tasks.run_import, "delay", queued.append)
    batch = _confirmed(importer)
    settings.IMPORT_SYNC_MAX_BYTES = 1024
    _died_in(batch, Status.IMPORTING)
    assert _recover(importer) == [batch.pk]
    assert (ImportBatch.objects.get(pk=batch.pk).status, queued) == (Status.CONFIRMED, [batch.pk])


def test_without_locks_only_steps_started_before_the_worker_count(importer: Importer, monkeypatch) -> None:
    """SQLite, the embedded demo, has no advisory locks: a worker that starts recovers only the steps
    that started before it, and the periodic sweep recovers nothing."""
    monkeypatch.setattr(service, "_postgresql", lambda: False)
    before, after = _confirmed(importer), _confirmed(importer)
    _died_in(before, Status.IMPORTING)
    started = timezone.now() + dt.timedelta(seconds=1)
    ImportBatch.objects.filter(pk=after.pk).update(
        status=Status.IMPORTING, step_started_at=started + dt.timedelta(seconds=1)
    )
    assert _recover(importer) == []
    assert _recover(importer, started_before=started) == [before.pk]
    assert ImportBatch.objects.get(pk=after.pk).status == Status.IMPORTING


def test_a_worker_that_starts_queues_the_recovery(monkeypatch) -> None:
    queued: list[str] = []
    monkeypatch.setattr(tasks.recover_interrupted_imports, "delay", queued.append)
    tasks._recover_when_a_worker_starts()
    assert len(queued) == 1
    assert abs(dt.datetime.fromisoformat(queued[0]) - timezone.now()) < dt.timedelta(seconds=5)


def test_a_killed_workers_task_is_not_lost_with_it() -> None:
    """Acknowledged when it ends: the broker hands the task out again if the worker dies mid-run, after
    the visibility timeout, which must outlast the longest task or a running task would run twice."""
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1
    timeout = django_settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    assert timeout > app.conf.task_time_limit
