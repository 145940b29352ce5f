"""Celery tasks of the shared registry."""

import datetime as dt
import logging
from typing import Any

from celery import shared_task
from celery.signals import worker_ready
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from .models import Notification

logger = logging.getLogger(__name__)


@shared_task(ignore_result=True)
def email_notifications(notification_ids: list[int]) -> int:
    """E-mail each notification once; a rerun skips what was already sent."""
    sent = 0
    for notification in Notification.objects.filter(
        pk__in=notification_ids, emailed_at__isnull=True
    ).select_related("recipient"):
        with transaction.atomic():
            # Claim the row first so that two workers never send the same e-mail.
            claimed = Notification.objects.filter(pk=notification.pk, emailed_at__isnull=True).update(
                emailed_at=timezone.now()
            )
            if not claimed or not notification.recipient.email:
                continue
            link = f"\n\n{settings.SITE_URL.rstrip('/')}{notification.url}" if notification.url else ""
            send_mail(
                subject=f"[{settings.EMAIL_SUBJECT_PREFIX_TEXT}] {notification.title}",
                message=f"{notification.body}{link}",
                from_email=None,
                recipient_list=[notification.recipient.email],
            )
            sent += 1
    return sent


# Bulk import (issue 6): thin wrappers, the work is in accountability.services.imports.


@shared_task(ignore_result=True)
def check_import(batch_id: int) -> None:
    from .services.imports import check_batch

    check_batch(batch_id)


@shared_task(ignore_result=True)
def run_import(batch_id: int) -> None:
    from .services.imports import import_batch

    import_batch(batch_id)


@shared_task(ignore_result=True)
def rollback_import(batch_id: int) -> None:
    from .services.imports import rollback_batch

    rollback_batch(batch_id)


@shared_task(ignore_result=True)
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
