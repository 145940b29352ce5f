"""Working-day arithmetic on China's work calendar: statutory holidays and make-up working days (调休).

A day is a working day when it is a make-up working day, or a Monday–Friday that is not a holiday.
Each call reads the calendar exceptions for its window in one query.
"""

import datetime as dt

from .models import WorkCalendarDay

ONE_DAY = dt.timedelta(days=1)


def _exceptions(start: dt.date, end: dt.date) -> dict[dt.date, str]:
    return dict(WorkCalendarDay.objects.filter(date__gte=start, date__lte=end).values_list("date", "kind"))


def _is_working(day: dt.date, exceptions: dict[dt.date, str]) -> bool:
    kind = exceptions.get(day)
    if kind == WorkCalendarDay.Kind.WORKDAY:
        return True
    if kind == WorkCalendarDay.Kind.HOLIDAY:
        return False
    return day.weekday() < 5


def is_working_day(day: dt.date) -> bool:
    return _is_working(day, _exceptions(day, day))


def add_working_days(start: dt.date, count: int) -> dt.date:
    """The `count`-th working day after `start` (`start` itself is not counted)."""
    if count < 0:
        raise ValueError("count must not be negative")
    # Two calendar weeks hold at least six working days even around the Spring Festival.
    window_end = start + dt.timedelta(days=count * 2 + 21)
    exceptions = _exceptions(start, window_end)
    day, remaining = start, count
    while remaining:
        day += ONE_DAY
        if day > window_end:
            window_end = day + dt.timedelta(days=60)
            exceptions.update(_exceptions(day, window_end))
        if _is_working(day, exceptions):
            remaining -= 1
    return day


def next_working_day_on_or_after(day: dt.date) -> dt.date:
    exceptions = _exceptions(day, day + dt.timedelta(days=21))
    while not _is_working(day, exceptions):
        day += ONE_DAY
    return day


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days in (start, end]; negative when end is before start."""
    if end < start:
        return -working_days_between(end, start)
    exceptions = _exceptions(start, end)
    day, count = start, 0
    while day < end:
        day += ONE_DAY
        if _is_working(day, exceptions):
            count += 1
    return count


def days_left(due: dt.date, today: dt.date, *, working: bool) -> int:
    """Days from today until the due date: negative once it has passed."""
    if working:
        return working_days_between(today, due)
    return (due - today).days
