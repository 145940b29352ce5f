"""The demo seed notifies in the app only: `make run` must not start by e-mailing hundreds of demo
notifications (on the embedded SQLite default the worker's e-mail writes made sign-ins fail with
"database is locked"). Outside the seed, a notification is still e-mailed."""

from unittest import mock

from django.core.management import call_command

from accountability.models import Notification
from accountability.notifications import in_app_only, notify
from tests.personas import Personas


def _recorded_email_batches(django_capture_on_commit_callbacks, run) -> list[list[int]]:
    queued: list[list[int]] = []
    with (
        mock.patch("accountability.tasks.email_notifications.delay", side_effect=queued.append),
        mock.patch("inspections.tasks.open_overdue_rectification_cases.delay"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        run()
    return queued


def test_the_demo_seed_queues_no_email(db, django_capture_on_commit_callbacks) -> None:
    queued = _recorded_email_batches(
        django_capture_on_commit_callbacks,
        lambda: call_command("seed_demo", stdout=open("/dev/null", "w")),  # noqa: SIM115
    )
    # The seed ran the actions that notify (cases, the escalation ladder, supervision reminders)...
    assert Notification.objects.count() > 100
    # ...and none of those notifications was queued for e-mail.
    assert queued == []
    assert not Notification.objects.filter(emailed_at__isnull=False).exists()


def test_a_notification_outside_the_seed_is_still_emailed(
    personas: Personas, django_capture_on_commit_callbacks
) -> None:
    officer = personas.officer
    queued = _recorded_email_batches(
        django_capture_on_commit_callbacks, lambda: notify([officer], title="案件待处理")
    )
    assert queued == [[Notification.objects.get(recipient=officer).pk]]


def test_in_app_only_ends_with_its_block(personas: Personas, django_capture_on_commit_callbacks) -> None:
    officer = personas.officer

    def run() -> None:
        with in_app_only():
            notify([officer], title="只在系统内")
        notify([officer], title="也发邮件")

    queued = _recorded_email_batches(django_capture_on_commit_callbacks, run)
    assert queued == [[Notification.objects.get(title="也发邮件").pk]]
