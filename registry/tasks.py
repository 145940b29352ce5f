"""Celery tasks of the registry's bulk import (issue 6): thin wrappers, the work is in
`registry.services.imports`.

The task names stay those of before the registry had an app of its own (`accountability.tasks.*`, issue
11). A task's name is what a queued message and the beat schedule carry: messages queued by the old code
(a batch waiting in Redis across the upgrade, a worker of the old release during a rolling deploy) are
still understood, and nothing else needs to change with the code's place.
"""

import datetime as dt
import logging
from typing import Any

from celery import shared_task
from celery.signals import worker_ready
from django.utils import timezone

logger = logging.getLogger(__name__)

# The name prefix every import task was queued under before the move; see the module docstring.
TASK_PREFIX = "accountability.tasks."


@shared_task(name=f"{TASK_PREFIX}check_import", ignore_result=True)
def check_import(batch_id: int) -> None:
    from .services.imports import check_batch

    check_batch(batch_id)


@shared_task(name=f"{TASK_PREFIX}run_import", ignore_result=True)
def run_import(batch_id: int) -> None:
    from .services.imports import import_batch

    import_batch(batch_id)


@shared_task(name=f"{TASK_PREFIX}rollback_import", ignore_result=True)
def rollback_import(batch_id: int) -> None:
    from .services.imports import rollback_batch

    rollback_batch(batch_id)


@shared_task(name=f"{TASK_PREFIX}recover_interrupted_imports", ignore_result=True)
def recover_interrupted_imports(started_before: str | None = None) -> list[int]:
    """Batches whose step lost its runner (a killed worker): run the step again, or give it up.
    Queued when a worker starts, and every few minutes by beat."""
    from .services.imports import recover_interrupted

    return recover_interrupted(dt.datetime.fromisoformat(started_before) if started_before else None)


@worker_ready.connect
def _recover_when_a_worker_starts(**kwargs: Any) -> None:
    """A worker that starts may be the restart of one that was killed mid-step. The moment goes with the
    task: on SQLite, where no lock tells a live step from a dead one, only steps started before it count."""
    try:
        recover_interrupted_imports.delay(timezone.now().isoformat())
    except Exception:  # a broker hiccup must not stop the worker; beat sweeps again soon
        logger.exception("could not queue the recovery of interrupted imports")
