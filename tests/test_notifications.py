"""In-app notifications, and their e-mails sent by a real Celery worker once the transaction commits."""

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse

from accountability.models import Notification
from accountability.notifications import notify
from tests.conftest import login, wait_for
from tests.personas import Personas


@pytest.mark.celery
def test_a_notification_is_emailed_by_the_worker_after_commit(
    celery_worker, transactional_personas: Personas
) -> None:
    officer = transactional_personas.officer
    officer.email = "officer@example.gov.cn"
    officer.save(update_fields=["email"])
    mail.outbox.clear()
    with transaction.atomic():
        notify([officer, officer], title="案件待处理", body="请尽快办理。", url="/cases/1/")
        assert Notification.objects.filter(recipient=officer).count() == 1
    wait_for(lambda: len(mail.outbox) == 1)
    message = mail.outbox[0]
    assert message.to == ["officer@example.gov.cn"]
    assert "案件待处理" in message.subject
    assert Notification.objects.get(recipient=officer).emailed_at is not None


@pytest.mark.celery
def test_nothing_is_sent_when_the_transaction_rolls_back(
    celery_worker, transactional_personas: Personas
) -> None:
    officer = transactional_personas.officer
    officer.email = "officer@example.gov.cn"
    officer.save(update_fields=["email"])
    mail.outbox.clear()

    class AbortError(Exception):
        pass

    with pytest.raises(AbortError), transaction.atomic():
        notify([officer], title="不应发送")
        raise AbortError
    assert not Notification.objects.exists()
    # Queue a real one afterwards: once it arrives, the rolled-back one would have arrived before it.
    with transaction.atomic():
        notify([officer], title="应当发送")
    wait_for(lambda: len(mail.outbox) == 1)
    assert [m.subject for m in mail.outbox] == ["[问责案件管理系统] 应当发送"]


def test_the_list_shows_only_my_notifications_and_marks_them_read(client, personas: Personas) -> None:
    mine = Notification.objects.create(recipient=personas.officer, title="给我的", url="/")
    Notification.objects.create(recipient=personas.approver, title="给别人的")
    login(client, personas.officer)
    page = client.get(reverse("notifications")).content.decode()
    assert "给我的" in page and "给别人的" not in page
    assert client.post(reverse("notification_read", args=[mine.pk])).status_code == 302
    mine.refresh_from_db()
    assert mine.read_at is not None


def test_someone_elses_notification_cannot_be_marked(client, personas: Personas) -> None:
    theirs = Notification.objects.create(recipient=personas.approver, title="给别人的")
    login(client, personas.officer)
    assert client.post(reverse("notification_read", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None
