"""The life of an import batch: upload → check (dry run) → confirm → import (all or nothing) → rollback.

Each step is a conditional status change, so a step runs once even if its task is delivered twice.
Small files run each step in the request, right after the transaction that asked for it commits;
larger ones queue a Celery task (`accountability.tasks`), which calls the same function here.
Nothing touches units or people before the import step, and that step writes everything in one
transaction with the batch's final status.
"""

from __future__ import annotations

import gc
import hashlib
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import Any

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone

from ..imports import config, people, units
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


def runs_in_background(batch: ImportBatch) -> bool:
    return batch.file_size > config.sync_max_bytes()


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


@transaction.atomic
def create_batch(*, user: User, kind: str, file_name: str, content: bytes) -> ImportBatch:
    """Keep an uploaded file (already checked for type and size) and queue its check."""
    batch = ImportBatch.objects.create(
        kind=kind,
        file_name=file_name[-255:],
        file_size=len(content),
        file_sha256=hashlib.sha256(content).hexdigest(),
        created_by=user,
    )
    ImportFile.objects.create(batch=batch, content=content)
    _start(batch, "check")
    return batch


@transaction.atomic
def confirm_batch(batch: ImportBatch, user: User) -> bool:
    """Ask for the import of a checked batch without errors; False if it is not in that state."""
    confirmed = ImportBatch.objects.filter(pk=batch.pk, status=Status.PREVIEW, error_count=0).update(
        status=Status.CONFIRMED, confirmed_by=user, confirmed_at=timezone.now(), notice={}
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
        status=Status.ROLLBACK_QUEUED, rolled_back_by=user, notice={}
    )
    if requested:
        _start(batch, "rollback")
    return bool(requested)


# The steps themselves (called here for small files, by the worker for large ones) --------------------------


def _claim(batch_id: int, status: str, running: str) -> ImportBatch | None:
    claimed = ImportBatch.objects.filter(pk=batch_id, status=status).update(
        status=running, step_started_at=timezone.now(), rows_done=0
    )
    return ImportBatch.objects.get(pk=batch_id) if claimed else None


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
    batch = _claim(batch_id, Status.QUEUED, Status.CHECKING)
    if batch is None:
        return
    module = handler(batch)
    try:
        sheet = module.read(_content(batch), batch.file_name)
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
    batch = _claim(batch_id, Status.CONFIRMED, Status.IMPORTING)
    if batch is None:
        return
    module = handler(batch)
    try:
        # The rows as checked at the preview (the file cannot have changed), or the file checked again
        # outside the transaction, so that the progress shows. Then the registry is locked, compared
        # and written in one transaction.
        outcome = _checked_rows(batch, module)
        if outcome is None:
            outcome = module.check(module.read(_content(batch), batch.file_name), _progress(batch_id))
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
            found = module.classify(module.check(module.read(_content(batch), batch.file_name)))
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
    batch = _claim(batch_id, Status.ROLLBACK_QUEUED, Status.ROLLING_BACK)
    if batch is None:
        return
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
