"""China's work calendar 2024–2027: statutory holidays and make-up working days (调休).

2024–2026 follow the State Council General Office notices (国办发明电〔2023〕7号, 〔2024〕12号, and the notice
of 2025-11-04), checked against published copies. The 2027 notice was not available when this was written:
its rows are an estimate from the holiday rules in force since 2025 and are marked unverified, for an
admin to replace with the notice's dates (admin → work calendar, or `load_work_calendar`).
"""

import datetime as dt

HOLIDAY = "holiday"
WORKDAY = "workday"


def _span(first: str, last: str) -> list[dt.date]:
    start, end = dt.date.fromisoformat(first), dt.date.fromisoformat(last)
    return [start + dt.timedelta(days=offset) for offset in range((end - start).days + 1)]


# (name, first holiday, last holiday, make-up working days, verified)
HOLIDAY_PERIODS: list[tuple[str, str, str, list[str], bool]] = [
    # 2024
    ("元旦", "2024-01-01", "2024-01-01", [], True),
    ("春节", "2024-02-10", "2024-02-17", ["2024-02-04", "2024-02-18"], True),
    ("清明节", "2024-04-04", "2024-04-06", ["2024-04-07"], True),
    ("劳动节", "2024-05-01", "2024-05-05", ["2024-04-28", "2024-05-11"], True),
    ("端午节", "2024-06-10", "2024-06-10", [], True),
    ("中秋节", "2024-09-15", "2024-09-17", ["2024-09-14"], True),
    ("国庆节", "2024-10-01", "2024-10-07", ["2024-09-29", "2024-10-12"], True),
    # 2025
    ("元旦", "2025-01-01", "2025-01-01", [], True),
    ("春节", "2025-01-28", "2025-02-04", ["2025-01-26", "2025-02-08"], True),
    ("清明节", "2025-04-04", "2025-04-06", [], True),
    ("劳动节", "2025-05-01", "2025-05-05", ["2025-04-27"], True),
    ("端午节", "2025-05-31", "2025-06-02", [], True),
    ("国庆节、中秋节", "2025-10-01", "2025-10-08", ["2025-09-28", "2025-10-11"], True),
    # 2026
    ("元旦", "2026-01-01", "2026-01-03", ["2026-01-04"], True),
    ("春节", "2026-02-15", "2026-02-23", ["2026-02-14", "2026-02-28"], True),
    ("清明节", "2026-04-04", "2026-04-06", [], True),
    ("劳动节", "2026-05-01", "2026-05-05", ["2026-05-09"], True),
    ("端午节", "2026-06-19", "2026-06-21", [], True),
    ("中秋节", "2026-09-25", "2026-09-27", [], True),
    ("国庆节", "2026-10-01", "2026-10-07", ["2026-09-20", "2026-10-10"], True),
    # 2027: estimated, unverified (see the module docstring).
    ("元旦", "2027-01-01", "2027-01-03", [], False),
    ("春节", "2027-02-05", "2027-02-12", ["2027-01-31", "2027-02-20"], False),
    ("清明节", "2027-04-03", "2027-04-05", [], False),
    ("劳动节", "2027-05-01", "2027-05-05", ["2027-05-08"], False),
    ("端午节", "2027-06-09", "2027-06-09", [], False),
    ("中秋节", "2027-09-15", "2027-09-15", [], False),
    ("国庆节", "2027-10-01", "2027-10-07", ["2027-09-26", "2027-10-09"], False),
]


def calendar_rows() -> list[tuple[dt.date, str, str, bool]]:
    """(date, kind, name, verified) for every exception to the Monday–Friday week."""
    rows: list[tuple[dt.date, str, str, bool]] = []
    for name, first, last, workdays, verified in HOLIDAY_PERIODS:
        rows.extend((day, HOLIDAY, name, verified) for day in _span(first, last))
        rows.extend((dt.date.fromisoformat(day), WORKDAY, f"{name}调休上班", verified) for day in workdays)
    return rows
