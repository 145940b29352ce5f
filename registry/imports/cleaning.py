"""Cell values to model values. Each function is called once per cell, so each has a fast path.

A problem is returned (not raised) as `(code, params)`, code from `problems.ROW_MESSAGES`.
"""

from __future__ import annotations

import datetime as dt
import re
from operator import mul
from typing import Any

from kernel.xlsx import FORMULA_PREFIXES

from ..validators import ID_CHECK_CHARS, ID_SHAPE, ID_WEIGHTS, PROVINCE_CODES

Problem = tuple[str, dict[str, Any]]

_FULL_WIDTH = str.maketrans(
    "０１２３４５６７８９ＸｘＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＹＺ－",
    "0123456789XXABCDEFGHIJKLMNOPQRSTUVWYZ-",
)


def text_of(value: object) -> str:
    """The text of a cell as a person reads it: 1001.0 is "1001", a date cell is "2020-01-02"."""
    if value.__class__ is str:
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


# A cell whose first character is one of these may be formula-like: test it with `formula_prefix`.
SUSPECT_FIRST = frozenset("=+-@'")


def formula_prefix(text: str) -> str | None:
    """What makes a spreadsheet run this (stripped, non-empty) text as a formula, if anything.

    An apostrophe before it, as our own exports neutralise such text, counts too: an exported `'=1+1` must
    not come back as a different value."""
    if text.startswith(FORMULA_PREFIXES):
        return text[0]
    if text[0] == "'" and text[1:].startswith(FORMULA_PREFIXES):
        return text[:2]
    return None


def ascii_code(text: str) -> str:
    """Full-width digits and letters (ＩＤ numbers typed with a Chinese input method) to ASCII."""
    return text if text.isascii() else text.translate(_FULL_WIDTH)


# Dates --------------------------------------------------------------------------------------------

_SEPARATED = re.compile(r"^(\d{4})([-/.])(\d{1,2})\2(\d{1,2})(?:[ T]0{1,2}:00(?::00(?:\.0+)?)?)?$")
_CHINESE = re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_EXCEL_MAX_SERIAL = 2958465  # 9999-12-31
EARLIEST = dt.date(1900, 1, 1)


def parse_date(value: object) -> dt.date | Problem:
    """An Excel date, or text in one of the usual Chinese forms: 2020-01-02, 2020/1/2, 2020.1.2,
    2020年1月2日, 20200102. A number is read as 20200102 when it has eight digits, as an Excel serial
    date (a date cell that lost its format) otherwise."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if float(value).is_integer():
            number = int(value)
            if 10_000_000 <= number <= 99_999_999:
                return _ymd(str(number), number // 10000, number // 100 % 100, number % 100)
            if 1 <= number <= _EXCEL_MAX_SERIAL:
                return _EXCEL_EPOCH + dt.timedelta(days=number)
        return "date_format", {"value": text_of(value)}
    text = ascii_code(text_of(value))
    match = _SEPARATED.match(text) or _CHINESE.match(text)
    if match:
        groups = [group for group in match.groups() if group not in {"-", "/", "."}]
        return _ymd(text, int(groups[0]), int(groups[1]), int(groups[2]))
    match = _COMPACT.match(text)
    if match:
        return _ymd(text, *(int(group) for group in match.groups()))
    return "date_format", {"value": text}


def _ymd(text: str, year: int, month: int, day: int) -> dt.date | Problem:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return "date_impossible", {"value": text}


# ID numbers (GB 11643) ----------------------------------------------------------------------------

_BIRTH_DATES: dict[str, dt.date | None] = {}
_CHECK_OFFSET = ord("0") * sum(ID_WEIGHTS)


def digits_date(digits: str) -> dt.date | None:
    """The date of YYYYMMDD digits, None if there is no such day. Cached: rosters repeat birth dates."""
    try:
        return _BIRTH_DATES[digits]
    except KeyError:
        pass
    try:
        born: dt.date | None = dt.date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        born = None
    if len(_BIRTH_DATES) < 200_000:
        _BIRTH_DATES[digits] = born
    return born


def plausible_birth_date(digits: str, today: dt.date) -> bool:
    born = digits_date(digits)
    return born is not None and EARLIEST <= born <= today


def check_char(value: str) -> str:
    """The GB 11643 check character of an ID number whose first 17 characters are ASCII digits (so the
    character codes can be weighted directly, their common offset subtracted once)."""
    return ID_CHECK_CHARS[(sum(map(mul, value[:17].encode(), ID_WEIGHTS)) - _CHECK_OFFSET) % 11]


def id_number_problem(value: str, today: dt.date) -> Problem | None:
    """The same checks, codes and parameters as `validators.validate_id_number`, for a normalised value."""
    if not ID_SHAPE.match(value):
        return "id_shape", {}
    if value[:2] not in PROVINCE_CODES:
        return "id_region", {"code": value[:2]}
    if not plausible_birth_date(value[6:14], today):
        return "id_birth_date", {"digits": value[6:14]}
    expected = check_char(value)
    if value[17] != expected:
        return "id_check_digit", {"expected": expected, "given": value[17]}
    return None
