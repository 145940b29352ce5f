"""Notify users: an in-app notification row now, an e-mail by Celery once the transaction commits.

`email_on_commit` is the one place that queues notification e-mails (`notify` and the escalation run use
it), so `in_app_only()` can stop them all: the demo seed creates hundreds of notifications at once, which
users read in the app; e-mailing them would only keep the worker writing for minutes while the first
people sign in (on the embedded SQLite default, every e-mail is a write).
"""

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar

from django.contrib.auth.models import User
from django.db import transaction

from .models import Notification

_in_app_only: ContextVar[bool] = ContextVar("notifications_in_app_only", default=False)


@contextmanager
def in_app_only() -> Iterator[None]:
    """Notifications created inside stay in the app: their e-mails are never queued."""
    token = _in_app_only.set(True)
    try:
        yield
    finally:
        _in_app_only.reset(token)


def email_on_commit(notification_ids: Sequence[int], *, chunk: int = 0) -> None:
    """Queue the e-mails of these notifications once the transaction commits, `chunk` ids a task
    (all in one task when 0), unless called inside `in_app_only()`."""
    ids = list(notification_ids)
    if not ids or _in_app_only.get():
        return
    size = chunk or len(ids)

    def queue() -> None:
        from .tasks import email_notifications

        for start in range(0, len(ids), size):
            email_notifications.delay(ids[start : start + size])

    transaction.on_commit(queue)


def notify(recipients: Iterable[User], *, title: str, body: str = "", url: str = "") -> list[Notification]:
    """Create one notification per distinct active recipient and queue their e-mails on commit."""
    unique = {user.pk: user for user in recipients if user is not None and user.is_active}
    rows = Notification.objects.bulk_create(
        [Notification(recipient_id=pk, title=title[:200], body=body, url=url) for pk in unique]
    )
    email_on_commit([row.pk for row in rows])
    return rows


def unread_count(user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
