"""Notify users: an in-app notification row now, an e-mail by Celery once the transaction commits."""

from collections.abc import Iterable

from django.contrib.auth.models import User
from django.db import transaction

from .models import Notification


def notify(recipients: Iterable[User], *, title: str, body: str = "", url: str = "") -> list[Notification]:
    """Create one notification per distinct active recipient and queue their e-mails on commit."""
    unique = {user.pk: user for user in recipients if user is not None and user.is_active}
    rows = Notification.objects.bulk_create(
        [Notification(recipient_id=pk, title=title[:200], body=body, url=url) for pk in unique]
    )
    ids = [row.pk for row in rows]
    if ids:
        from .tasks import email_notifications

        transaction.on_commit(lambda: email_notifications.delay(ids))
    return rows


def unread_count(user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
