"""The life of an import batch: upload → check (dry run) → confirm → import (all or nothing) → rollback.

The upload streams the file against the limits (`imports.scanning`) before anything reads it: a file
over a limit is kept as a refused batch with the reason, and never reaches a reader. What it unpacks
to decides where its steps run: small files in the request, right after the transaction that asked
for the step commits; larger ones in a Celery task (`registry.tasks`), which calls the same
function here.

Each step is a conditional status change, so a step runs once even if its task is delivered twice.
Nothing touches units or people before the import step, and that step writes everything in one
transaction with the batch's final status. A step's runner holds a lock on its batch for as long as it
runs (on PostgreSQL a session advisory lock, which dies with the connection): a batch left in a
running status without that lock lost its runner — a killed worker — and `recover_interrupted` runs
the step once more, or gives it up with the reason on the batch's page.
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import Any

from django.contrib.auth.models import User
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone

from ..imports import config, people, reading, units
from ..imports.cleaning import text_of
from ..imports.problems import ImportRefusedError
from ..imports.ranges import to_ranges
from ..models import ImportBatch, ImportFile

logger = logging.getLogger(__name__)
Status = ImportBatch.Status
PAGE_PROBLEM_ROWS = 200
PROGRESS_EVERY = 5_000


def handler(batch: ImportBatch) -> ModuleType:
    return people if batch.kind == ImportBatch.Kind.PEOPLE else units


# Each step: the status that waits for it, the status while it runs, and where it leaves a batch when
# it is given up after its runner died twice (with the reason on the page).
STEPS = {
    "check": (Status.QUEUED, Status.CHECKING, Status.FAILED, "interrupted_check"),
    "import": (Status.CONFIRMED, Status.IMPORTING, Status.PREVIEW, "interrupted_import"),
    "rollback": (Status.ROLLBACK_QUEUED, Status.ROLLING_BACK, Status.DONE, "interrupted_rollback"),
}
RERUNS = 1  # a step whose runner died is run once more; a second death is more likely the file's doing
# The advisory locks of batches: (this key, batch id), a space of their own.
STEP_LOCK = 4_020_606


def runs_in_background(batch: ImportBatch) -> bool:
    size = batch.unpacked_size if batch.unpacked_size is not None else batch.file_size
    return size > config.sync_max_bytes()


def _start(batch: ImportBatch, step: str) -> None:
    """Run `step` once the current transaction commits: here for a small file, in Celery for a large one."""
    from .. import tasks

    task = {"check": tasks.check_import, "import": tasks.run_import, "rollback": tasks.rollback_import}[step]
    if runs_in_background(batch):
        transaction.on_commit(lambda: task.delay(batch.pk))
    else:
        run = {"check": check_batch, "import": import_batch, "rollback": rollback_batch}[step]
        transaction.on_commit(lambda: run(batch.pk))


# Steps a user asks for -------------------------------------------------------------------------------------


def create_batch(*, user: User, kind: str, file_name: str, content: bytes) -> ImportBatch:
    """Stream the uploaded file against the limits (in bounded memory, here in the request), then keep
    it and queue its check. A refused file is recorded with the reason and its bytes are not kept."""
    try:
        measured = reading.check_file(content, file_name)
    except ImportRefusedError as problem:
        return _create(user, kind, file_name, content, None, problem)
    return _create(user, kind, file_name, content, measured.unpacked, None)


@transaction.atomic
def _create(
    user: User,
    kind: str,
    file_name: str,
    content: bytes,
    unpacked: int | None,
    refused: ImportRefusedError | None,
) -> ImportBatch:
    batch = ImportBatch.objects.create(
        kind=kind,
        file_name=file_name[-255:],
        file_size=len(content),
        unpacked_size=unpacked,
        file_sha256=hashlib.sha256(content).hexdigest(),
        created_by=user,
        status=Status.INVALID if refused else Status.QUEUED,
        notice=refused.as_json() if refused else {},
    )
    if refused is None:
        ImportFile.objects.create(batch=batch, content=content)
        _start(batch, "check")
    return batch


@transaction.atomic
def confirm_batch(batch: ImportBatch, user: User) -> bool:
    """Ask for the import of a checked batch without errors; False if it is not in that state."""
    confirmed = ImportBatch.objects.filter(pk=batch.pk, status=Status.PREVIEW, error_count=0).update(
        status=Status.CONFIRMED, confirmed_by=user, confirmed_at=timezone.now(), notice={}, interruptions=0
    )
    if confirmed:
        _start(batch, "import")
    return bool(confirmed)


@transaction.atomic
def discard_batch(batch: ImportBatch, user: User) -> bool:
    """Drop a batch that was checked but not imported."""
    return bool(
        ImportBatch.objects.filter(pk=batch.pk, status__in=[Status.PREVIEW, Status.INVALID]).update(
            status=Status.CANCELLED
        )
    )


@transaction.atomic
def request_rollback(batch: ImportBatch, user: User) -> bool:
    """Ask for the rollback of an imported batch; False if it is not in that state."""
    requested = ImportBatch.objects.filter(pk=batch.pk, status=Status.DONE).update(
        status=Status.ROLLBACK_QUEUED, rolled_back_by=user, notice={}, interruptions=0
    )
    if requested:
        _start(batch, "rollback")
    return bool(requested)


# The steps themselves (called here for small files, by the worker for large ones) --------------------------


def _postgresql() -> bool:
    return connection.vendor == "postgresql"


def _lock(batch_id: int, *, wait: bool) -> bool:
    """Take the batch's step lock for this database session. SQLite (the embedded demo) has none."""
    if not _postgresql():
        return True
    with connection.cursor() as cursor:
        if wait:
            cursor.execute("SELECT pg_advisory_lock(%s, %s)", [STEP_LOCK, batch_id])
            return True
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [STEP_LOCK, batch_id])
        return bool(cursor.fetchone()[0])


def _unlock(batch_id: int) -> None:
    if not _postgresql() or connection.connection is None:
        return  # no lock, or the session that held it is gone, and the lock with it
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [STEP_LOCK, batch_id])
    except DatabaseError:
        # The session is unusable; the lock goes when Django closes it.
        logger.warning("could not release the step lock of import batch %s", batch_id, exc_info=True)


@contextmanager
def _running(batch_id: int, step: str) -> Iterator[ImportBatch | None]:
    """Claim the waiting step (None if it is not waiting) and hold the batch's lock while it runs. The
    lock comes first, so that a batch seen running without its lock has surely lost its runner."""
    waiting, running = STEPS[step][:2]
    _lock(batch_id, wait=True)  # a second delivery of the task waits, then finds the step taken
    try:
        claimed = ImportBatch.objects.filter(pk=batch_id, status=waiting).update(
            status=running, step_started_at=timezone.now(), rows_done=0
        )
        yield ImportBatch.objects.get(pk=batch_id) if claimed else None
    finally:
        _unlock(batch_id)


def _progress(batch_id: int) -> Callable[[int, int], None]:
    last = [-PROGRESS_EVERY]

    def report(done: int, total: int) -> None:
        if done - last[0] >= PROGRESS_EVERY or done >= total:
            last[0] = done
            ImportBatch.objects.filter(pk=batch_id).update(rows_done=done, rows_total=total)

    return report


def _content(batch: ImportBatch) -> bytes:
    return bytes(ImportFile.objects.values_list("content", flat=True).get(batch_id=batch.pk))


def _bad_rows(outcome: Any) -> list[dict[str, Any]]:
    sheet = outcome.sheet
    return [
        {
            "row": sheet.row_number(index),
            "cells": [text_of(cell) for cell in sheet.rows[index]],
            "problems": found,
        }
        for index, found in sorted(outcome.problems.items())
    ]


def _counts(outcome: Any) -> dict[str, Any]:
    return {
        "rows_total": outcome.total,
        "rows_done": outcome.total,
        "created_count": len(outcome.new),
        "updated_count": len(outcome.updated),
        "unchanged_count": len(outcome.unchanged),
        "error_count": len(outcome.problems),
        "blank_count": outcome.blank,
    }


def _save_findings(batch: ImportBatch, outcome: Any, status: str, notice: dict[str, Any]) -> None:
    bad = _bad_rows(outcome)
    module = handler(batch)
    preview = module.preview(outcome, config.preview_rows())
    preview["headers"] = outcome.sheet.headers
    preview["ignored"] = outcome.sheet.ignored
    pack = getattr(module, "pack", None)
    checked = pack(outcome) if pack and status == Status.PREVIEW else b""
    with transaction.atomic():
        ImportFile.objects.filter(batch_id=batch.pk).update(bad_rows=bad, checked_rows=checked)
        ImportBatch.objects.filter(pk=batch.pk).update(
            status=status,
            preview=preview,
            problems=[{"row": row["row"], "problems": row["problems"]} for row in bad[:PAGE_PROBLEM_ROWS]],
            notice=notice,
            **_counts(outcome),
        )


def _fail(batch: ImportBatch, status: str, notice: dict[str, Any]) -> None:
    ImportBatch.objects.filter(pk=batch.pk).update(status=status, notice=notice)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """A step builds millions of small lists, tuples and strings and no reference cycles; pausing the
    cyclic garbage collector, which would rescan them again and again, saves about a third of the checks'
    time (see docs/PERFORMANCE.md). Reference counting still frees everything."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def check_batch(batch_id: int) -> None:
    """The dry run: read, check every row, compare with the registry; store counts and the preview."""
    with _collector_paused():
        _check_batch(batch_id)


def _check_batch(batch_id: int) -> None:
    with _running(batch_id, "check") as batch:
        if batch is not None:
            _check_claimed(batch)


def _measured(batch: ImportBatch) -> bool:
    """The stored bytes passed the scan at upload: the readers need not stream them again."""
    return batch.unpacked_size is not None


def _check_claimed(batch: ImportBatch) -> None:
    batch_id = batch.pk
    module = handler(batch)
    try:
        sheet = module.read(_content(batch), batch.file_name, measured=_measured(batch))
        outcome = module.classify(module.check(sheet, _progress(batch_id)))
    except ImportRefusedError as problem:
        _fail(batch, Status.INVALID, problem.as_json())
        return
    except Exception:
        logger.exception("checking import batch %s failed", batch_id)
        _fail(batch, Status.FAILED, {"code": "failed", "params": {"batch": batch_id}})
        return
    _save_findings(batch, outcome, Status.INVALID if outcome.problems else Status.PREVIEW, {})


class _RejectedError(Exception):
    def __init__(self, outcome: Any) -> None:
        super().__init__("rows no longer valid")
        self.outcome = outcome


def import_batch(batch_id: int) -> None:
    """Check the file again, then write every row in one transaction, or nothing."""
    with _collector_paused():
        _import_batch(batch_id)


def _checked_rows(batch: ImportBatch, module: ModuleType) -> Any:
    """The rows as the check step left them, if it kept them (people), else None."""
    unpack = getattr(module, "unpack", None)
    if unpack is None:
        return None
    packed = ImportFile.objects.values_list("checked_rows", flat=True).get(batch_id=batch.pk)
    return unpack(bytes(packed)) if packed else None


def _import_batch(batch_id: int) -> None:
    with _running(batch_id, "import") as batch:
        if batch is not None:
            _import_claimed(batch)


def _import_claimed(batch: ImportBatch) -> None:
    batch_id = batch.pk
    module = handler(batch)
    try:
        # The rows as checked at the preview (the file cannot have changed), or the file checked again
        # outside the transaction, so that the progress shows. Then the registry is locked, compared
        # and written in one transaction.
        outcome = _checked_rows(batch, module)
        if outcome is None:
            sheet = module.read(_content(batch), batch.file_name, measured=_measured(batch))
            outcome = module.check(sheet, _progress(batch_id))
        else:
            ImportBatch.objects.filter(pk=batch_id).update(rows_done=outcome.total, rows_total=outcome.total)
        with transaction.atomic():
            module.lock()
            module.classify(outcome)
            if outcome.problems:
                raise _RejectedError(outcome)
            now = timezone.now()
            module.write(outcome, batch, batch.confirmed_by_id, now)
            ImportBatch.objects.filter(pk=batch_id).update(
                status=Status.DONE,
                finished_at=now,
                created_ranges=to_ranges(outcome.created_ids),
                **_counts(outcome),
            )
    except _RejectedError:
        # Nothing was written. Report what the registry now makes wrong, with every bad row's cells:
        # the dry run again, from the file.
        try:
            sheet = module.read(_content(batch), batch.file_name, measured=_measured(batch))
            found = module.classify(module.check(sheet))
            _save_findings(batch, found, Status.INVALID, {"code": "changed_since_check", "params": {}})
        except Exception:
            logger.exception("reporting the problems of import batch %s failed", batch_id)
            _fail(batch, Status.FAILED, {"code": "failed", "params": {"batch": batch_id}})
    except ImportRefusedError as problem:
        _fail(batch, Status.INVALID, problem.as_json())
    except IntegrityError:
        logger.warning("import batch %s clashed with a concurrent change", batch_id, exc_info=True)
        _fail(batch, Status.FAILED, {"code": "concurrent_change", "params": {}})
    except Exception:
        logger.exception("import batch %s failed", batch_id)
        _fail(batch, Status.FAILED, {"code": "failed", "params": {"batch": batch_id}})


def rollback_batch(batch_id: int) -> None:
    """Undo an imported batch in one transaction; if later work stands in the way, change nothing."""
    with _running(batch_id, "rollback") as batch:
        if batch is not None:
            _rollback_claimed(batch)


def _rollback_claimed(batch: ImportBatch) -> None:
    batch_id = batch.pk
    module = handler(batch)
    try:
        with transaction.atomic():
            module.lock()
            now = timezone.now()
            module.rollback(batch, batch.rolled_back_by_id, now)
            ImportBatch.objects.filter(pk=batch_id).update(status=Status.ROLLED_BACK, rolled_back_at=now)
    except ImportRefusedError as problem:
        ImportBatch.objects.filter(pk=batch_id).update(
            status=Status.DONE, rolled_back_by=None, notice=problem.as_json()
        )
    except Exception:
        logger.exception("rolling back import batch %s failed", batch_id)
        ImportBatch.objects.filter(pk=batch_id).update(
            status=Status.DONE,
            rolled_back_by=None,
            notice={"code": "rollback_failed", "params": {"batch": batch_id}},
        )


# Steps whose runner died ------------------------------------------------------------------------------


def recover_interrupted(started_before: dt.datetime | None = None) -> list[int]:
    """Find the batches left running by a runner that died (a worker killed mid-step, by SIGKILL or the
    out-of-memory killer, or a web process gone mid-request) and put each right; returns their ids.

    Nothing a dead runner did survives: an import or rollback writes in one transaction with the
    batch's final status, which the dead connection rolled back, and a check writes nothing. So the
    step is queued again, once; a step whose runner dies a second time is given up, with the reason
    on the batch's page (the check as failed, the import back to its preview, the rollback back to
    imported), for the administrator to try again or report.

    On PostgreSQL a batch is orphaned when its step lock is free; on SQLite, which has no such lock,
    only when its step started before `started_before` (the start of the one worker that runs there),
    and never without it.
    """
    if not _postgresql() and started_before is None:
        return []
    recovered: list[int] = []
    running = ImportBatch.objects.filter(status__in=ImportBatch.RUNNING_STATUSES)
    if started_before is not None and not _postgresql():
        running = running.filter(step_started_at__lt=started_before)
    for batch_id in running.order_by("pk").values_list("pk", flat=True):
        if not _lock(batch_id, wait=False):
            continue  # its runner is alive
        try:
            if _recover(batch_id):
                recovered.append(batch_id)
        finally:
            _unlock(batch_id)
    return recovered


@transaction.atomic
def _recover(batch_id: int) -> bool:
    batch = (
        ImportBatch.objects.select_for_update()
        .filter(pk=batch_id, status__in=ImportBatch.RUNNING_STATUSES)
        .first()
    )
    if batch is None:
        return False  # finished meanwhile
    step = next(name for name, states in STEPS.items() if states[1] == batch.status)
    waiting, _running_status, given_up, reason = STEPS[step]
    if batch.interruptions < RERUNS:
        logger.warning("import batch %s: the %s step lost its runner; running it again", batch_id, step)
        ImportBatch.objects.filter(pk=batch_id).update(
            status=waiting, interruptions=batch.interruptions + 1, rows_done=0
        )
        _start(batch, step)
    else:
        logger.error("import batch %s: the %s step lost its runner again; given up", batch_id, step)
        changes: dict[str, Any] = {
            "status": given_up,
            "notice": {"code": reason, "params": {"batch": batch_id}},
        }
        if step == "rollback":
            changes["rolled_back_by"] = None
        ImportBatch.objects.filter(pk=batch_id).update(interruptions=batch.interruptions + 1, **changes)
    return True
