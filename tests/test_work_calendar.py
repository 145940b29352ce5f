"""Working days on China's calendar, around the 2025 National Day holiday and its make-up days."""

import datetime as dt

import pytest

from registry.models import DeadlineRule, WorkCalendarDay, add_months
from registry.workcalendar import add_working_days, days_left, is_working_day, working_days_between

pytestmark = pytest.mark.django_db

D = dt.date


def test_the_shipped_calendar_has_the_2025_national_day_holiday() -> None:
    holidays = set(
        WorkCalendarDay.objects.filter(
            kind="holiday", date__range=(D(2025, 10, 1), D(2025, 10, 8))
        ).values_list("date", flat=True)
    )
    assert holidays == {D(2025, 10, day) for day in range(1, 9)}
    assert set(
        WorkCalendarDay.objects.filter(kind="workday", date__year=2025).values_list("date", flat=True)
    ) >= {
        D(2025, 9, 28),
        D(2025, 10, 11),
    }


def test_the_make_up_sunday_is_a_working_day_and_the_holiday_weekdays_are_not() -> None:
    assert D(2025, 9, 28).weekday() == 6
    assert is_working_day(D(2025, 9, 28))
    assert not is_working_day(D(2025, 10, 2))  # a Thursday inside the holiday
    assert not is_working_day(D(2025, 9, 27))  # an ordinary Saturday
    assert is_working_day(D(2025, 10, 11))  # the make-up Saturday


def test_adding_working_days_across_national_day() -> None:
    # Friday 26 Sep: the next working day is the make-up Sunday 28 Sep.
    assert add_working_days(D(2025, 9, 26), 1) == D(2025, 9, 28)
    # Tuesday 30 Sep: 1–8 Oct are holidays, so the next working day is Thursday 9 Oct.
    assert add_working_days(D(2025, 9, 30), 1) == D(2025, 10, 9)
    # Five working days from Friday 26 Sep: 28, 29, 30 Sep, 9, 10 Oct.
    assert add_working_days(D(2025, 9, 26), 5) == D(2025, 10, 10)
    # Then Saturday 11 Oct (make-up) and Monday 13 Oct.
    assert add_working_days(D(2025, 9, 26), 7) == D(2025, 10, 13)


def test_counting_working_days_between_dates() -> None:
    assert working_days_between(D(2025, 9, 26), D(2025, 10, 10)) == 5
    assert working_days_between(D(2025, 10, 10), D(2025, 9, 26)) == -5
    assert working_days_between(D(2025, 10, 1), D(2025, 10, 8)) == 0
    assert days_left(D(2025, 10, 10), D(2025, 9, 26), working=True) == 5
    assert days_left(D(2025, 10, 10), D(2025, 9, 26), working=False) == 14


def test_a_spring_festival_span_of_working_days() -> None:
    # 2026: 15–23 Feb holiday, make-up Saturdays 14 and 28 Feb.
    assert add_working_days(D(2026, 2, 13), 1) == D(2026, 2, 14)
    assert add_working_days(D(2026, 2, 14), 1) == D(2026, 2, 24)


def test_a_calendar_period_ending_on_a_holiday_rolls_to_the_next_working_day() -> None:
    rule = DeadlineRule(
        code="x", name="x", amount=15, unit=DeadlineRule.Unit.CALENDAR_DAYS, roll_over_holidays=True
    )
    assert rule.due_date(D(2025, 9, 16)) == D(2025, 10, 9)  # 1 Oct is a holiday
    rule.roll_over_holidays = False
    assert rule.due_date(D(2025, 9, 16)) == D(2025, 10, 1)


def test_a_working_day_rule() -> None:
    rule = DeadlineRule(code="y", name="y", amount=5, unit=DeadlineRule.Unit.WORKING_DAYS)
    assert rule.due_date(D(2025, 9, 26)) == D(2025, 10, 10)


def test_month_periods_end_on_the_corresponding_day_or_the_month_end() -> None:
    assert add_months(D(2026, 1, 31), 1) == D(2026, 2, 28)
    assert add_months(D(2024, 1, 31), 1) == D(2024, 2, 29)
    assert add_months(D(2026, 11, 30), 2) == D(2027, 1, 30)
    rule = DeadlineRule(code="z", name="z", amount=1, unit=DeadlineRule.Unit.MONTHS, roll_over_holidays=True)
    # One month after 1 Sep 2025 is 1 Oct, a holiday: the period ends on 9 Oct.
    assert rule.due_date(D(2025, 9, 1)) == D(2025, 10, 9)


def test_the_shipped_deadline_rules_exist_with_their_verification_flags() -> None:
    rules = {rule.code: rule for rule in DeadlineRule.objects.all()}
    assert rules["appeal_filing"].amount == 1 and rules["appeal_filing"].unit == "months"
    assert not rules["appeal_filing"].verified
    assert rules["organisational_handling"].verified
    assert rules["petition_conclusion"].amount == 60
    assert rules["rectification_report"].amount == 2
