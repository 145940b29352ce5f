"""Celery tasks of the shell: the e-mail copy of in-app notifications."""

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from .models import Notification


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
