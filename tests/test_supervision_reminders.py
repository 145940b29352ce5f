"""The annual supervision: the daily Celery beat task at each key date of the year, with time frozen, run
by a real worker, and rerun the same day without effect; then the same steps in detail, set-based.

Key dates (2026 work calendar): New Year 1–3 January off, Sunday 4 January a make-up working day (the
first working day of the year); 1 February is a Sunday (first working day Monday 2 February); National
Day 1–7 October off (first working day Thursday 8 October).
"""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accountability import roles
from accountability.models import Notification
from accountability.tasks import email_notifications
from petitions import actions
from petitions.actions import PetitionActionError, PetitionPermissionError, supervision
from petitions.models import SupervisionPlan, SupervisionReminder
from petitions.tasks import send_annual_supervision_reminders
from registry.models import OrgUnit
from tests.conftest import wait_for
from tests.personas import Personas, make_unit, make_user
from tests.petition_factories import petition_clock  # noqa: F401 - autouse: the tests run on 30 Nov 2026

D = dt.date
SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: dt.date, hour: int = 7) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, 0, tzinfo=SHANGHAI)


def snapshot() -> dict[str, object]:
    return {
        "plans": sorted(SupervisionPlan.objects.values_list("unit__code", "year", "state")),
        "reminders": sorted(SupervisionReminder.objects.values_list("plan__unit__code", "kind", "period")),
        "notifications": sorted(Notification.objects.values_list("recipient__username", "title")),
    }


class Worker:
    """Runs the beat task on the real worker and waits until it has finished.

    The worker takes tasks in order; a sentinel e-mail task queued after the reminder task has been sent
    once the reminder task is done, so even a run that changes nothing can be waited for.
    """

    def __init__(self) -> None:
        self.sentinel_user = make_user("sentinel", email="sentinel@example.gov.cn")

    def run(self) -> None:
        send_annual_supervision_reminders.delay()
        sentinel = Notification.objects.create(recipient=self.sentinel_user, title="sentinel")
        email_notifications.delay([sentinel.pk])
        wait_for(
            lambda: Notification.objects.filter(pk=sentinel.pk, emailed_at__isnull=False).exists(), timeout=30
        )
        sentinel.delete()


def titles_for(user) -> list[str]:
    return list(Notification.objects.filter(recipient=user).order_by("pk").values_list("title", flat=True))


@pytest.mark.celery
def test_the_task_through_the_year_on_a_real_worker(celery_worker, transactional_personas: Personas) -> None:
    p = transactional_personas
    units = [p.county, p.discipline, p.forestry, p.finance, p.township, p.village]
    contact, officer, approver = p.unit_contact, p.petition_officer, p.approver  # forestry's contact
    # Last year: the forestry bureau was supervised, the finance bureau was not.
    SupervisionPlan.objects.create(
        unit=p.forestry, year=2025, state=SupervisionPlan.State.DONE, supervised_on=D(2025, 6, 1)
    )
    SupervisionPlan.objects.create(unit=p.finance, year=2025)
    worker = Worker()

    def run_twice(day: dt.date) -> dict[str, object]:
        with time_machine.travel(at(day), tick=True):
            worker.run()
            first = snapshot()
            worker.run()
            assert snapshot() == first, f"a rerun on {day} changed something"
        return first

    # 1 January, a holiday: the year's plans open, last year's open plan is missed; no reminder yet.
    run_twice(D(2026, 1, 1))
    assert SupervisionPlan.objects.filter(year=2026, state="planned").count() == len(units)
    assert SupervisionPlan.objects.get(unit=p.finance, year=2025).state == "missed"
    assert SupervisionPlan.objects.get(unit=p.forestry, year=2025).state == "done"
    assert not SupervisionReminder.objects.filter(kind__in=["reminder", "escalation"]).exists()
    assert titles_for(officer) == ["1个单位未完成2025年度信访工作专项督查"]
    assert titles_for(approver) == ["1个单位未完成2025年度信访工作专项督查"]
    assert titles_for(contact) == []

    # 2 January is still a holiday: nothing.
    before = snapshot()
    run_twice(D(2026, 1, 2))
    assert snapshot() == before

    # Sunday 4 January, the make-up working day, is the first working day: every unit is reminded.
    run_twice(D(2026, 1, 4))
    assert SupervisionReminder.objects.filter(kind="reminder", period="2026-01").count() == len(units)
    assert titles_for(contact)[-1] == "提醒：本单位2026年度信访工作专项督查尚未开展"
    assert titles_for(officer)[-1] == f"仍有{len(units)}个单位本年度未开展信访工作专项督查"
    assert len(titles_for(approver)) == 1  # leaders hear only of escalations and missed plans

    # The forestry bureau is supervised in January; Monday 2 February reminds only the others.
    actions.record_supervision(
        SupervisionPlan.objects.get(unit=p.forestry, year=2026),
        by=officer,
        supervised_on=D(2026, 1, 20),
        findings="责任落实到位",
    )
    run_twice(D(2026, 2, 1))  # a Sunday: February's first working day is the 2nd
    assert not SupervisionReminder.objects.filter(period="2026-02").exists()
    run_twice(D(2026, 2, 2))
    reminded = set(
        SupervisionReminder.objects.filter(period="2026-02").values_list("plan__unit__code", flat=True)
    )
    assert reminded == {unit.code for unit in units} - {p.forestry.code}
    assert len(titles_for(contact)) == 1  # forestry was not reminded again

    # National Day: nothing on 1 October; Thursday 8 October escalates to the leaders as well.
    run_twice(D(2026, 10, 1))
    assert not SupervisionReminder.objects.filter(period="2026-10").exists()
    run_twice(D(2026, 10, 8))
    assert SupervisionReminder.objects.filter(kind="escalation", period="2026-10").count() == len(units) - 1
    assert titles_for(approver)[-1] == f"第四季度督办：仍有{len(units) - 1}个单位本年度未开展信访工作专项督查"

    # 31 December is still a day for supervision: nothing is missed yet.
    run_twice(D(2026, 12, 31))
    assert not SupervisionPlan.objects.filter(year=2026, state="missed").exists()

    # The first run of 2027 marks the year's unsupervised plans missed and opens 2027.
    run_twice(D(2027, 1, 1))
    assert SupervisionPlan.objects.filter(year=2026, state="missed").count() == len(units) - 1
    assert SupervisionPlan.objects.get(unit=p.forestry, year=2026).state == "done"
    assert SupervisionPlan.objects.filter(year=2027).count() == len(units)
    assert titles_for(approver)[-1] == f"{len(units) - 1}个单位未完成2026年度信访工作专项督查"


class TestTheSteps:
    """The same action, called directly, for the details and the bad cases."""

    def test_inactive_units_get_no_plan_and_new_units_get_one_on_the_next_run(
        self, personas: Personas
    ) -> None:
        personas.forestry  # noqa: B018
        closed = make_unit("T-X", "已撤销单位", personas.county)
        OrgUnit.objects.filter(pk=closed.pk).update(is_active=False)
        first = actions.run_annual_supervision(D(2026, 3, 10))
        assert not SupervisionPlan.objects.filter(unit=closed).exists()
        added = make_unit("T-NEW", "新设单位", personas.county)
        second = actions.run_annual_supervision(D(2026, 3, 11))
        assert (first["opened"], second["opened"]) == (
            2,
            1,
        )  # the county and its forestry bureau, then the new one
        assert SupervisionPlan.objects.filter(unit=added, year=2026).exists()

    def test_a_late_first_run_catches_up_the_months_reminder_once(self, personas: Personas) -> None:
        """If the beat was down on the first working day, the next run sends the month's reminder."""
        personas.forestry  # noqa: B018
        assert actions.run_annual_supervision(D(2026, 3, 5))["reminded"] == 2
        assert actions.run_annual_supervision(D(2026, 3, 6))["reminded"] == 0

    def test_two_runs_racing_claim_each_reminder_once(self, personas: Personas) -> None:
        personas.forestry  # noqa: B018
        actions.open_plans(2026)
        plans = list(SupervisionPlan.objects.filter(year=2026))
        first = supervision._claim(plans, SupervisionReminder.Kind.REMINDER, "2026-05", D(2026, 5, 6))
        second = supervision._claim(plans, SupervisionReminder.Kind.REMINDER, "2026-05", D(2026, 5, 6))
        assert (len(first), second) == (len(plans), [])

    def test_the_work_is_set_based(self, personas: Personas) -> None:
        """The number of queries does not grow with the number of units."""
        personas.unit_contact, personas.petition_officer, personas.approver  # noqa: B018

        def queries(year: int) -> int:
            """Last year's plans still open, then the October run: missed, opened, escalated."""
            actions.open_plans(year - 1)
            with CaptureQueriesContext(connection) as context:
                summary = actions.run_annual_supervision(D(year, 10, 8))
            assert summary["missed"] == summary["opened"] == summary["escalated"] > 0
            return len(context.captured_queries)

        small = queries(2026)
        for index in range(40):
            make_unit(f"T-B{index:02d}", f"批量单位{index}", personas.county)
        large = queries(2027)
        assert SupervisionPlan.objects.filter(year=2027).count() > 40
        assert large == small

    def test_a_done_or_missed_plan_cannot_be_recorded_and_bad_input_is_refused(
        self, personas: Personas
    ) -> None:
        personas.petition_officer  # noqa: B018 - and the county, before the plans open
        actions.open_plans(2026)
        plan = SupervisionPlan.objects.get(unit=personas.county, year=2026)
        with pytest.raises(PetitionActionError) as raised:
            actions.record_supervision(plan, by=personas.petition_officer, supervised_on=None, findings=" ")
        assert raised.value.messages == ["请填写督查日期。", "请填写督查发现的情况。"]
        with pytest.raises(PetitionActionError):
            actions.record_supervision(
                plan, by=personas.petition_officer, supervised_on=D(2099, 1, 1), findings="x"
            )
        actions.record_supervision(
            plan, by=personas.petition_officer, supervised_on=D(2026, 5, 1), findings="到位"
        )
        with pytest.raises(PetitionActionError) as raised:
            actions.record_supervision(
                plan, by=personas.petition_officer, supervised_on=D(2026, 5, 2), findings="再次"
            )
        assert raised.value.messages == ["该单位本年度的专项督查已经登记。"]
        missed = SupervisionPlan.objects.create(
            unit=personas.county, year=2025, state=SupervisionPlan.State.MISSED
        )
        with pytest.raises(PetitionActionError):
            actions.record_supervision(
                missed, by=personas.petition_officer, supervised_on=D(2025, 12, 1), findings="x"
            )

    def test_only_petition_officers_record(self, personas: Personas) -> None:
        personas.petition_officer  # noqa: B018 - and the county, before the plans open
        actions.open_plans(2026)
        plan = SupervisionPlan.objects.get(unit=personas.county, year=2026)
        for user in (personas.approver, personas.unit_contact, personas.inspector):
            with pytest.raises(PetitionPermissionError):
                actions.record_supervision(plan, by=user, supervised_on=D(2026, 5, 1), findings="x")
        assert SupervisionPlan.objects.get(pk=plan.pk).state == "planned"

    def test_the_history_records_the_missed_marking(self, personas: Personas) -> None:
        plan = SupervisionPlan.objects.create(unit=personas.county, year=2025)
        actions.run_annual_supervision(D(2026, 1, 1))
        assert list(plan.history.order_by("history_id").values_list("state", flat=True)) == [
            "planned",
            "missed",
        ]

    def test_contacts_of_other_units_are_not_reminded(self, personas: Personas) -> None:
        make_user("finance_contact", roles.UNIT_CONTACT, unit=personas.finance)
        forestry_plan_done = personas.unit_contact  # forestry's contact
        actions.open_plans(2026)
        actions.record_supervision(
            SupervisionPlan.objects.get(unit=personas.finance, year=2026),
            by=personas.petition_officer,
            supervised_on=D(2026, 1, 10),
            findings="到位",
        )
        actions.run_annual_supervision(D(2026, 2, 2))
        assert Notification.objects.filter(recipient__username="finance_contact").count() == 0
        reminder = Notification.objects.get(recipient=forestry_plan_done)
        assert reminder.url == ""  # unit contacts cannot open the board: no dead link
