"""A clue that cannot be opened is reported once to the admins with its reason, not retried silently.

The issue's example: an item due on 1999-01-01 reached the clue step; opening the case failed (no
version of the regulations was in force on its date) and the clue was tried again every day, for ever,
without anyone being told. Now: a refusal for a reason in the data (CaseActionError) is recorded,
reported once to the users of role admin, and not tried again until an admin asks; any other failure
(a database error, a lost task) is logged and tried again each day, and reported once after
`CLUE_REPORT_AFTER_DAYS` days.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from accountability.models import Notification
from cases.models import Case, CaseSource
from inspections.escalation import CLUE_REPORT_AFTER_DAYS, open_overdue_cases, run_escalation
from inspections.models import Escalation, RectificationItem
from tests import inspection_factories as f
from tests.conftest import login
from tests.personas import Personas

DEADLINE = dt.date(2026, 6, 30)
CLUE_DAY = DEADLINE + dt.timedelta(days=30)  # the accountability step of the shipped ladder
REPORT_TITLE = "整改逾期问责线索未能生成：测试县林业局"


def at(day: dt.date) -> time_machine.travel:
    return time_machine.travel(
        dt.datetime.combine(day, dt.time(6, 30), tzinfo=dt.UTC) - dt.timedelta(hours=8), tick=False
    )


@pytest.fixture
def queued(monkeypatch, django_capture_on_commit_callbacks):
    """The clue ids each run (or retry) hands to the follow-up task, captured instead of sent."""
    from accountability import tasks as accountability_tasks
    from inspections import tasks as inspection_tasks

    sent: list[int] = []
    monkeypatch.setattr(inspection_tasks.open_overdue_rectification_cases, "delay", sent.extend)
    monkeypatch.setattr(accountability_tasks.email_notifications, "delay", lambda ids: None)

    def run_on(day: dt.date) -> list[int]:
        sent.clear()
        with at(day), django_capture_on_commit_callbacks(execute=True):
            run_escalation()
        return list(sent)

    run_on.sent = sent  # type: ignore[attr-defined]
    return run_on


def item_due(personas: Personas, deadline: dt.date = DEADLINE) -> RectificationItem:
    tour = f.tour(personas)
    return f.item(tour.finding_a, personas.team_leader, deadline=deadline, person=f.forestry_head(personas))


def reports(user) -> list[Notification]:
    return list(user.notifications.filter(title__contains="问责线索未能生成"))


def test_a_clue_refused_for_its_data_is_reported_once_and_not_retried(personas: Personas, queued) -> None:
    personas.admin, personas.officer  # noqa: B018 - the admin and a case officer exist
    item = item_due(personas)
    # An item set before deadlines were checked: due in 1999, when no regulation was in force.
    RectificationItem.objects.filter(pk=item.pk).update(
        deadline=dt.date(1999, 1, 1), escalation_due_on=dt.date(1998, 12, 12)
    )
    ids = queued(CLUE_DAY)
    clue = Escalation.objects.get(item=item, step__code="accountability")
    assert ids == [clue.pk]
    with at(CLUE_DAY):
        assert open_overdue_cases(ids) == 0
    clue.refresh_from_db()
    assert clue.case is None and clue.failure_lasting and clue.reported_on == CLUE_DAY
    assert clue.failure == "1999-01-02 时没有施行中的《中国共产党问责条例》版本。"
    (report,) = reports(personas.admin)
    assert report.title == REPORT_TITLE
    assert "原因：1999-01-02 时没有施行中的《中国共产党问责条例》版本。" in report.body
    assert "不会自动重试" in report.body and report.url == "/admin/inspections/escalation/?clue=failed"
    assert reports(personas.officer) == []  # the admins, not everyone
    for later in range(1, 6):  # not queued again, not reported again
        assert queued(CLUE_DAY + dt.timedelta(days=later)) == []
    assert len(reports(personas.admin)) == 1
    assert not Case.objects.filter(source=CaseSource.OVERDUE_RECTIFICATION).exists()


def test_the_leader_sees_why_on_the_item(client, personas: Personas, queued) -> None:
    personas.admin  # noqa: B018
    item = item_due(personas)
    RectificationItem.objects.filter(pk=item.pk).update(deadline=dt.date(1999, 1, 1))
    with at(CLUE_DAY):
        run_escalation()
        open_overdue_cases(Escalation.objects.filter(item=item).values_list("pk", flat=True))
    login(client, personas.team_leader)
    page = client.get(reverse("inspections:item_detail", args=[item.pk])).content.decode()
    assert "问责线索未能生成： 1999-01-02 时没有施行中的《中国共产党问责条例》版本。" in page


def test_a_passing_failure_is_retried_daily_and_reported_once_after_some_days(
    personas: Personas, queued, monkeypatch
) -> None:
    from cases import actions as case_actions

    personas.admin  # noqa: B018
    item_due(personas)
    real_create_case = case_actions.create_case

    def failing_create_case(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(case_actions, "create_case", failing_create_case)
    clue_ids = queued(CLUE_DAY)
    for later in range(CLUE_REPORT_AFTER_DAYS):
        day = CLUE_DAY + dt.timedelta(days=later)
        if later:
            assert queued(day) == clue_ids  # tried again every day
        with at(day):
            assert open_overdue_cases(clue_ids) == 0
        assert reports(personas.admin) == []  # not yet: it may pass
    clue = Escalation.objects.get(pk=clue_ids[0])
    assert (clue.failure, clue.failure_lasting) == ("RuntimeError: the database went away", False)

    assert queued(CLUE_DAY + dt.timedelta(days=CLUE_REPORT_AFTER_DAYS)) == clue_ids
    (report,) = reports(personas.admin)
    assert "原因：RuntimeError: the database went away" in report.body
    assert queued(CLUE_DAY + dt.timedelta(days=CLUE_REPORT_AFTER_DAYS + 1)) == clue_ids  # still tried
    assert len(reports(personas.admin)) == 1  # reported once

    monkeypatch.setattr(case_actions, "create_case", real_create_case)
    with at(CLUE_DAY + dt.timedelta(days=CLUE_REPORT_AFTER_DAYS + 1)):
        assert open_overdue_cases(clue_ids) == 1
    assert queued(CLUE_DAY + dt.timedelta(days=CLUE_REPORT_AFTER_DAYS + 2)) == []


def test_a_lost_task_is_reported_after_some_days(personas: Personas, queued) -> None:
    personas.admin  # noqa: B018
    item_due(personas)
    for later in range(CLUE_REPORT_AFTER_DAYS):  # the follow-up task never runs
        queued(CLUE_DAY + dt.timedelta(days=later))
    assert reports(personas.admin) == []
    queued(CLUE_DAY + dt.timedelta(days=CLUE_REPORT_AFTER_DAYS))
    (report,) = reports(personas.admin)
    assert "原因：生成线索的后台任务未运行（任务消息可能已丢失）" in report.body


def test_an_admin_retries_once_the_cause_is_corrected(
    client, personas: Personas, queued, django_capture_on_commit_callbacks
) -> None:
    from tests.personas import make_user

    item = item_due(personas)
    RectificationItem.objects.filter(pk=item.pk).update(deadline=dt.date(1999, 1, 1))
    ids = queued(CLUE_DAY)
    with at(CLUE_DAY):
        open_overdue_cases(ids)
    root = make_user("root", "admin", unit=personas.county, is_staff=True, is_superuser=True)
    login(client, root)
    listing = client.get(reverse("admin:inspections_escalation_changelist") + "?clue=failed")
    assert listing.status_code == 200 and "1999-01-02" in listing.content.decode()

    # The deadline is corrected (the cause), then the admin asks for the clue again.
    RectificationItem.objects.filter(pk=item.pk).update(deadline=DEADLINE)
    queued.sent.clear()
    with at(CLUE_DAY + dt.timedelta(days=1)), django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:inspections_escalation_changelist"),
            {"action": "retry_clues", "_selected_action": ids},
        )
    assert response.status_code == 302
    assert queued.sent == ids
    clue = Escalation.objects.get(pk=ids[0])
    assert (clue.failure, clue.failure_lasting, clue.reported_on) == ("", False, None)
    with at(CLUE_DAY + dt.timedelta(days=1)):
        assert open_overdue_cases(ids) == 1
    clue.refresh_from_db()
    assert clue.case is not None and clue.case.source == CaseSource.OVERDUE_RECTIFICATION


def test_only_an_admin_may_retry(client, personas: Personas, queued) -> None:
    item = item_due(personas)
    RectificationItem.objects.filter(pk=item.pk).update(deadline=dt.date(1999, 1, 1))
    ids = queued(CLUE_DAY)
    with at(CLUE_DAY):
        open_overdue_cases(ids)
    login(client, personas.officer)
    response = client.post(
        reverse("admin:inspections_escalation_changelist"), {"action": "retry_clues", "_selected_action": ids}
    )
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert Escalation.objects.get(pk=ids[0]).failure_lasting


def test_without_an_admin_the_report_waits_for_one(personas: Personas, queued, caplog) -> None:
    item = item_due(personas)
    RectificationItem.objects.filter(pk=item.pk).update(deadline=dt.date(1999, 1, 1))
    ids = queued(CLUE_DAY)
    with at(CLUE_DAY):
        open_overdue_cases(ids)
    assert "no admin can be told" in caplog.text
    assert Escalation.objects.get(pk=ids[0]).reported_on is None  # not marked told: nobody was
    admin = personas.admin
    assert queued(CLUE_DAY + dt.timedelta(days=CLUE_REPORT_AFTER_DAYS)) == []  # still not retried
    (report,) = reports(admin)
    assert report.title == REPORT_TITLE
