"""The escalation ladder: each step on its boundary day (time frozen), once per item, concurrency-safe."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
import time_machine
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accountability.models import Notification
from cases.models import Case, CaseSource, CaseState
from inspections import actions
from inspections.escalation import open_overdue_cases, run_escalation
from inspections.ladder import DEFAULT_STEPS, colour_filter, colour_on, ladder, load_escalation_ladder
from inspections.models import Escalation, EscalationStep, RectificationItem, RectificationStatus
from tests import inspection_factories as f
from tests.personas import Personas, make_user

DEADLINE = dt.date(2026, 6, 30)
# step code → the first day it is due for an item due on DEADLINE
BOUNDARIES = {
    "green": dt.date(2026, 6, 10),
    "yellow": dt.date(2026, 6, 20),
    "red": dt.date(2026, 7, 1),
    "notice": dt.date(2026, 7, 15),
    "accountability": dt.date(2026, 7, 30),
}


def at(day: dt.date) -> time_machine.travel:
    """Freeze the clock at 06:30 Beijing time on `day` (when beat runs the task)."""
    return time_machine.travel(
        dt.datetime.combine(day, dt.time(6, 30), tzinfo=dt.UTC) - dt.timedelta(hours=8), tick=False
    )


def overdue_item(personas: Personas, deadline: dt.date = DEADLINE) -> RectificationItem:
    tour = f.tour(personas)
    return f.item(tour.finding_a, personas.team_leader, deadline=deadline, person=f.forestry_head(personas))


def fired(item: RectificationItem) -> dict[str, bool]:
    return dict(Escalation.objects.filter(item=item).values_list("step__code", "superseded"))


def test_the_ladder_ships_as_data_and_the_loader_keeps_admin_edits(db) -> None:
    steps = {s.code: s for s in EscalationStep.objects.all()}
    assert {code: s.offset_days for code, s in steps.items()} == {
        "green": -20,
        "yellow": -10,
        "red": 1,
        "notice": 15,
        "accountability": 30,
    }
    assert steps["yellow"].recipients == ["handler", "supervising_leader"]
    assert steps["accountability"].action == "open_case"
    EscalationStep.objects.filter(code="green").update(offset_days=-25)
    assert load_escalation_ladder() == 0
    assert EscalationStep.objects.get(code="green").offset_days == -25
    assert load_escalation_ladder(update=True) == 1
    assert EscalationStep.objects.get(code="green").offset_days == -20
    assert len(DEFAULT_STEPS) == EscalationStep.objects.count()


@pytest.mark.parametrize("code", list(BOUNDARIES))
def test_each_step_fires_on_its_boundary_day_not_the_day_before(personas: Personas, code: str) -> None:
    item = overdue_item(personas)
    boundary = BOUNDARIES[code]
    with at(boundary - dt.timedelta(days=1)):
        run_escalation()
    assert code not in fired(item)
    with at(boundary):
        run = run_escalation()
    assert fired(item)[code] is False, "the step fired that day and acted"
    assert run.fired == 1
    assert Escalation.objects.get(item=item, step__code=code).fired_on == boundary


def test_day_by_day_every_step_fires_once_on_its_day_and_the_top_one_opens_a_clue(personas: Personas) -> None:
    item = overdue_item(personas)
    day = dt.date(2026, 6, 1)
    while day <= dt.date(2026, 8, 10):
        with at(day):
            run = run_escalation()
            open_overdue_cases(
                Escalation.objects.filter(run=run, case__isnull=True).values_list("pk", flat=True)
            )
        day += dt.timedelta(days=1)
    rows = Escalation.objects.filter(item=item).select_related("step")
    assert {row.step.code: row.fired_on for row in rows} == BOUNDARIES
    assert not any(row.superseded for row in rows)
    case = Escalation.objects.get(item=item, step__code="accountability").case
    assert case is not None
    assert (case.state, case.source, case.unit) == (
        CaseState.DRAFT,
        CaseSource.OVERDUE_RECTIFICATION,
        personas.forestry,
    )
    assert {t.name for t in case.targets.all()} == {"测试县林业局", "林局长"}
    assert Case.objects.count() == 1


def test_the_colour_follows_the_ladder_and_the_list_filter_agrees(personas: Personas) -> None:
    tour = f.tour(personas)
    today = dt.date(2026, 7, 1)
    deadlines = {
        "": today + dt.timedelta(days=21),
        "green": today + dt.timedelta(days=20),
        "yellow": today + dt.timedelta(days=10),
        "red": today - dt.timedelta(days=1),
    }
    items = {
        colour: f.item(tour.finding_a, personas.team_leader, deadline=d) for colour, d in deadlines.items()
    }
    rungs = ladder()
    for colour, item in items.items():
        assert colour_on(item.deadline, today, rungs) == colour
        assert list(RectificationItem.objects.filter(colour_filter(colour, today, rungs))) == [item]
    assert colour_on(today - dt.timedelta(days=400), today, rungs) == "red"


def test_a_rerun_the_same_day_changes_nothing(personas: Personas) -> None:
    item = overdue_item(personas)
    with at(BOUNDARIES["red"]):
        first = run_escalation()
        notifications = Notification.objects.count()
        second = run_escalation()
    assert first.fired == 1 and second.fired == 0 and second.notifications == 0
    assert Notification.objects.count() == notifications
    assert fired(item) == {"red": False}


def test_when_several_steps_fall_due_at_once_only_the_highest_fires(personas: Personas) -> None:
    personas.unit_contact, personas.officer  # noqa: B018 - create them
    item = overdue_item(personas)
    with at(BOUNDARIES["notice"]):
        run_escalation()
    assert fired(item) == {"notice": False}
    titles = list(Notification.objects.filter(url__contains="rectification").values_list("title", flat=True))
    assert titles and all("通报" in title for title in titles), titles
    # The skipped lower steps never fire later; the next one does on its day.
    with at(BOUNDARIES["accountability"]):
        assert run_escalation().fired == 1
    assert fired(item) == {"notice": False, "accountability": False}


def test_each_step_notifies_the_people_it_names(personas: Personas) -> None:
    head = f.forestry_head(personas)
    secretary_login = make_user("head", unit=personas.forestry, person=head)
    tour = f.tour(personas)
    item = f.item(tour.finding_a, personas.team_leader, deadline=DEADLINE)
    personas.unit_contact, personas.officer, personas.approver  # noqa: B018 - create them
    make_user("finance_contact", "unit_contact", unit=personas.finance)

    def recipients_on(day: dt.date) -> set[str]:
        before = set(Notification.objects.values_list("pk", flat=True))
        with at(day):
            run_escalation()
        return set(Notification.objects.exclude(pk__in=before).values_list("recipient__username", flat=True))

    assert recipients_on(BOUNDARIES["green"]) == {"unit_contact"}
    assert recipients_on(BOUNDARIES["yellow"]) == {"unit_contact", "team_leader"}
    assert recipients_on(BOUNDARIES["red"]) == {"unit_contact", "head", "officer"}
    assert recipients_on(BOUNDARIES["notice"]) == {"unit_contact", "head", "officer", "approver"}
    assert recipients_on(BOUNDARIES["accountability"]) == {"officer", "team_leader"}
    assert secretary_login.notifications.filter(
        title__contains="红色督办", url__endswith=f"/{item.pk}/"
    ).exists()
    # Overseers get one digest per step and day, linked to the list filtered by the step's colour.
    digest = personas.officer.notifications.get(title__contains="红色督办")
    assert digest.url == "/inspections/rectification/?colour=red" and "1" in digest.title


def test_submitted_and_accepted_items_are_not_escalated_and_a_returned_one_resumes(
    personas: Personas,
) -> None:
    item = overdue_item(personas)
    actions.report_progress(item, by=personas.unit_contact, text="已整改", final=True)
    with at(BOUNDARIES["red"]):
        assert run_escalation().fired == 0
    actions.review_rectification(item, by=personas.team_leader, accept=False, comment="材料不全")
    with at(BOUNDARIES["red"]):
        assert run_escalation().fired == 1
    assert RectificationItem.objects.get(pk=item.pk).status == RectificationStatus.RETURNED


def test_an_inactive_step_does_not_fire(personas: Personas) -> None:
    item = overdue_item(personas)
    EscalationStep.objects.filter(code="green").update(active=False)
    with at(BOUNDARIES["green"]):
        assert run_escalation().fired == 0
    assert fired(item) == {}


def test_the_query_count_does_not_grow_with_the_number_of_items(personas: Personas) -> None:
    tour = f.tour(personas)
    personas.unit_contact, personas.officer  # noqa: B018
    with at(dt.date(2026, 1, 5)):
        run_escalation()  # the first run plans every item's next due day; the daily runs below need not

    def queries_for(count: int, deadline: dt.date) -> int:
        for _ in range(count):
            f.item(tour.finding_a, personas.team_leader, deadline=deadline, person=f.forestry_head(personas))
        with at(deadline + dt.timedelta(days=31)), CaptureQueriesContext(connection) as queries:
            run = run_escalation()
        assert run.fired == count
        # The follow-up task opens the clues, as it does after every run: the next run then finds none
        # pending for days (which it would report to the admins).
        with at(deadline + dt.timedelta(days=31)):
            assert (
                open_overdue_cases(Escalation.objects.filter(run=run).values_list("pk", flat=True)) == count
            )
        return len(queries)

    # Deadlines after the tour's feedback (30 April): an earlier one is refused when the item is set.
    assert queries_for(2, dt.date(2026, 5, 31)) == queries_for(40, dt.date(2026, 6, 30))


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_runs_fire_each_step_once(transactional_personas: Personas) -> None:
    personas = transactional_personas
    personas.unit_contact, personas.officer  # noqa: B018
    tour = f.tour(personas)
    items = [
        f.item(
            tour.finding_a,
            personas.team_leader,
            deadline=DEADLINE - dt.timedelta(days=n),
            person=f.forestry_head(personas),
        )
        for n in range(30)
    ]
    barrier = threading.Barrier(2)
    runs: list[object] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait(timeout=10)
            runs.append(run_escalation(BOUNDARIES["accountability"]))
        except BaseException as error:  # reported by the assertion below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    expected = len(items)  # the clue step only: it supersedes the lower ones
    assert Escalation.objects.count() == expected
    assert sum(r.fired for r in runs) == expected  # type: ignore[attr-defined]
    notifications = Notification.objects.filter(url__contains="/rectification/").count()
    per_item = Notification.objects.filter(url__contains="/rectification/").exclude(url__contains="?")
    assert per_item.count() == len(items)  # the unit contact, once per item; the officer gets one digest
    assert notifications == len(items) + 1
    assert sum(r.notifications for r in runs) == notifications  # type: ignore[attr-defined]
    # A third run, later the same day, does nothing more.
    third = run_escalation(BOUNDARIES["accountability"])
    assert (third.fired, third.notifications, third.cases_queued) == (0, 0, 0)
    assert Notification.objects.filter(url__contains="/rectification/").count() == notifications
    # Each clue is opened once, even when the follow-up task runs twice.
    ids = list(Escalation.objects.filter(step__code="accountability").values_list("pk", flat=True))
    assert open_overdue_cases(ids) == len(items)
    assert open_overdue_cases(ids) == 0
    assert Case.objects.filter(source=CaseSource.OVERDUE_RECTIFICATION).count() == len(items)


# --- Where each item stands on the ladder: the daily run reads only the items whose next step is due ---


def _row_version(item: RectificationItem) -> str:
    """The physical version of the item's row: any UPDATE of it, even one changing nothing, moves it."""
    with connection.cursor() as cursor:
        table = RectificationItem._meta.db_table
        cursor.execute(f"SELECT ctid::text FROM {table} WHERE id = %s", [item.pk])  # noqa: S608 - model table
        return cursor.fetchone()[0]


def position(item: RectificationItem) -> tuple[str | None, dt.date | None]:
    """The highest step the item has fired, and the day its next one falls due."""
    highest = Escalation.objects.filter(item=item).order_by("-step__offset_days").first()
    due_on = RectificationItem.objects.values_list("escalation_due_on", flat=True).get(pk=item.pk)
    return (highest.step.code if highest else None, due_on)


def test_an_item_records_the_day_its_next_step_falls_due(personas: Personas) -> None:
    item = overdue_item(personas)
    assert position(item) == (None, BOUNDARIES["green"]), "a new item waits for the first step"
    with at(BOUNDARIES["yellow"]):
        run_escalation()  # green was never run for it: only yellow fires
    assert position(item) == ("yellow", BOUNDARIES["red"])
    with at(BOUNDARIES["accountability"]):
        run_escalation()
    assert position(item) == ("accountability", None), "no step is left after the top one"
    assert set(fired(item)) == {"yellow", "accountability"}


def test_the_daily_run_leaves_untouched_the_items_with_no_step_due(personas: Personas) -> None:
    tour = f.tour(personas)
    waiting = f.item(tour.finding_a, personas.team_leader, deadline=dt.date(2026, 8, 29))  # green on 8-09
    at_red = f.item(tour.finding_a, personas.team_leader, deadline=DEADLINE)
    due = f.item(tour.finding_a, personas.team_leader, deadline=dt.date(2026, 7, 15))  # yellow on 7-05
    with at(BOUNDARIES["red"]):
        run_escalation()
    assert position(waiting) == (None, dt.date(2026, 8, 9))
    assert position(at_red) == ("red", BOUNDARIES["notice"])
    assert position(due) == ("green", dt.date(2026, 7, 5))
    versions = {item.pk: _row_version(item) for item in (waiting, at_red)}
    with at(dt.date(2026, 7, 5)):
        run = run_escalation()
    assert run.fired == 1 and fired(due) == {"green": False, "yellow": False}
    assert position(due) == ("yellow", dt.date(2026, 7, 16))
    # The item waiting for its first step and the one already at red were not even updated.
    assert {item.pk: _row_version(item) for item in (waiting, at_red)} == versions


def test_the_daily_claim_is_one_range_scan_of_the_due_index(personas: Personas) -> None:
    tour = f.tour(personas)
    f.item(tour.finding_a, personas.team_leader, deadline=DEADLINE)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a handful of rows: make the planner show its hand
        cursor.execute(
            f"""EXPLAIN SELECT id FROM {RectificationItem._meta.db_table}
            WHERE status IN ('open', 'returned') AND escalation_due_on <= %s""",  # noqa: S608 - model table
            [BOUNDARIES["red"]],
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "rectification_escalation_due" in plan, plan


def test_an_accepted_item_never_escalates(personas: Personas) -> None:
    item = overdue_item(personas)
    actions.report_progress(item, by=personas.unit_contact, text="已整改", final=True)
    actions.review_rectification(item, by=personas.team_leader, accept=True)
    for day in (*BOUNDARIES.values(), dt.date(2026, 12, 31)):
        with at(day):
            assert run_escalation().fired == 0
    EscalationStep.objects.filter(code="green").update(offset_days=-25)  # a ladder change re-plans items
    with at(dt.date(2027, 1, 4)):
        assert run_escalation().fired == 0
    assert fired(item) == {}
    assert not Case.objects.exists()


def test_an_item_returned_to_the_unit_does_not_fire_again_what_it_had(personas: Personas) -> None:
    item = overdue_item(personas)
    with at(BOUNDARIES["red"]):
        run_escalation()
    with at(BOUNDARIES["red"] + dt.timedelta(days=1)):
        actions.report_progress(item, by=personas.unit_contact, text="已整改", final=True)
        actions.review_rectification(item, by=personas.team_leader, accept=False, comment="材料不全")
    notifications = Notification.objects.count()
    day = BOUNDARIES["red"] + dt.timedelta(days=1)
    while day < BOUNDARIES["notice"]:
        with at(day):
            assert run_escalation().fired == 0, day
        day += dt.timedelta(days=1)
    assert Notification.objects.count() == notifications
    with at(BOUNDARIES["notice"]):
        assert run_escalation().fired == 1
    assert fired(item) == {"red": False, "notice": False}


def test_an_item_returned_after_steps_fell_due_gets_only_the_highest(personas: Personas) -> None:
    item = overdue_item(personas)
    with at(BOUNDARIES["green"]):
        run_escalation()
        actions.report_progress(item, by=personas.unit_contact, text="已整改", final=True)
    for day in (BOUNDARIES["yellow"], BOUNDARIES["red"]):
        with at(day):
            assert run_escalation().fired == 0  # submitted: it waits for the leader's review
    with at(BOUNDARIES["notice"] + dt.timedelta(days=2)):
        actions.review_rectification(item, by=personas.team_leader, accept=False, comment="材料不全")
        assert run_escalation().fired == 1
    assert fired(item) == {"green": False, "notice": False}
    assert position(item) == ("notice", BOUNDARIES["accountability"])


def test_a_changed_ladder_replans_the_next_due_day(personas: Personas) -> None:
    item = overdue_item(personas)
    with at(BOUNDARIES["green"] - dt.timedelta(days=10)):
        run_escalation()
    # Outside the admin (a shell, a data fix): the next run sees the ladder changed and re-plans first.
    EscalationStep.objects.filter(code="green").update(offset_days=-25)
    with at(DEADLINE - dt.timedelta(days=25)):
        assert run_escalation().fired == 1
    assert fired(item) == {"green": False}
    assert position(item) == ("green", BOUNDARIES["yellow"])


def test_saving_a_step_in_the_admin_replans_at_once(client, personas: Personas) -> None:
    from tests.conftest import login

    item = overdue_item(personas)
    yellow = EscalationStep.objects.get(code="yellow")
    with at(BOUNDARIES["green"]):
        run_escalation()
    assert position(item) == ("green", BOUNDARIES["yellow"])
    login(client, personas.admin)
    response = client.post(
        reverse("admin:inspections_escalationstep_change", args=[yellow.pk]),
        {
            "code": "yellow",
            "name": yellow.name,
            "offset_days": -7,
            "level": yellow.level,
            "colour": yellow.colour,
            "recipients": yellow.recipients,
            "action": yellow.action,
            "active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert position(item) == ("green", DEADLINE - dt.timedelta(days=7))


def test_a_clue_step_passed_over_is_recorded_superseded_and_still_opens_the_clue(personas: Personas) -> None:
    personas.officer  # noqa: B018 - create them
    EscalationStep.objects.create(
        code="second_notice",
        name="二次通报",
        offset_days=45,
        level="notice",
        colour="red",
        recipients=["discipline_office"],
        action="notify",
    )
    item = overdue_item(personas)
    with at(DEADLINE + dt.timedelta(days=50)):
        run = run_escalation()
        open_overdue_cases(Escalation.objects.filter(run=run, case__isnull=True).values_list("pk", flat=True))
    assert fired(item) == {"second_notice": False, "accountability": True}
    assert run.fired == 2
    clue = Escalation.objects.get(item=item, step__code="accountability").case
    assert clue is not None and clue.source == CaseSource.OVERDUE_RECTIFICATION
    # The superseded step notified nobody: the officer's only digest is the second notice's, and the
    # team leader (a recipient of the clue step only) got nothing about the item.
    (digest,) = personas.officer.notifications.all()
    assert digest.url == "/inspections/rectification/?colour=red" and "通报" in digest.title
    assert not personas.team_leader.notifications.filter(url__contains="/rectification/").exists()


def test_steps_at_the_same_offset_fire_together(personas: Personas) -> None:
    EscalationStep.objects.create(
        code="red_copy",
        name="红色督办（抄送）",
        offset_days=1,
        level="supervision",
        colour="red",
        recipients=["approver"],
        action="notify",
    )
    item = overdue_item(personas)
    with at(BOUNDARIES["red"]):
        assert run_escalation().fired == 2
    assert fired(item) == {"red": False, "red_copy": False}


def test_a_clue_that_failed_to_open_is_queued_again_the_next_day(
    personas: Personas, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    from accountability import tasks as accountability_tasks
    from cases import actions as case_actions
    from inspections import tasks as inspection_tasks

    item = overdue_item(personas)
    queued: list[list[int]] = []
    monkeypatch.setattr(inspection_tasks.open_overdue_rectification_cases, "delay", queued.append)
    monkeypatch.setattr(accountability_tasks.email_notifications, "delay", lambda ids: None)

    def run_on(day: dt.date):
        queued.clear()
        with at(day), django_capture_on_commit_callbacks(execute=True):
            run = run_escalation()
        return run, [pk for chunk in queued for pk in chunk]

    day = BOUNDARIES["accountability"]
    run, ids = run_on(day)
    clue = Escalation.objects.get(item=item, step__code="accountability")
    assert (run.cases_queued, ids) == (1, [clue.pk])

    real_create_case = case_actions.create_case

    def failing_create_case(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(case_actions, "create_case", failing_create_case)
    with at(day):
        assert open_overdue_cases(ids) == 0
    clue.refresh_from_db()
    assert clue.case is None

    rerun, ids = run_on(day)  # later the same day: nothing more
    assert (rerun.fired, rerun.cases_queued, ids) == (0, 0, [])

    monkeypatch.setattr(case_actions, "create_case", real_create_case)
    next_run, ids = run_on(day + dt.timedelta(days=1))
    assert (next_run.fired, next_run.cases_queued, ids) == (0, 1, [clue.pk])
    with at(day + dt.timedelta(days=1)):
        assert open_overdue_cases(ids) == 1
    clue.refresh_from_db()
    assert clue.case is not None and clue.case.source == CaseSource.OVERDUE_RECTIFICATION

    _, ids = run_on(day + dt.timedelta(days=2))  # opened: never queued again
    assert ids == []
