"""Validators for the registry: resident ID numbers (GB 11643-1999). The formula guard of the cells we
write is `kernel.xlsx`."""

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"
# First two digits: the province-level division of the issuing region (GB/T 2260).
PROVINCE_CODES = frozenset(
    {
        "11",
        "12",
        "13",
        "14",
        "15",
        "21",
        "22",
        "23",
        "31",
        "32",
        "33",
        "34",
        "35",
        "36",
        "37",
        "41",
        "42",
        "43",
        "44",
        "45",
        "46",
        "50",
        "51",
        "52",
        "53",
        "54",
        "61",
        "62",
        "63",
        "64",
        "65",
        "71",
        "81",
        "82",
        "83",
    }
)
ID_SHAPE = re.compile(r"^\d{17}[\dX]$")


def id_check_char(first17: str) -> str:
    """The check character of GB 11643 for the first 17 digits."""
    total = sum(int(digit) * weight for digit, weight in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK_CHARS[total % 11]


def normalise_id_number(value: str) -> str:
    return (value or "").strip().upper()


def birth_date_from_id(value: str) -> dt.date | None:
    try:
        return dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return None


def validate_id_number(value: str) -> None:
    """Refuse an ID number whose shape, region, birth date or check digit is wrong."""
    value = normalise_id_number(value)
    if not ID_SHAPE.match(value):
        raise ValidationError(
            _("An ID number has 18 characters: 17 digits and a check digit (0–9 or X)."),
            code="id_shape",
        )
    if value[:2] not in PROVINCE_CODES:
        raise ValidationError(
            _("The ID number's region code %(code)s is not a valid province code."),
            code="id_region",
            params={"code": value[:2]},
        )
    born = birth_date_from_id(value)
    if born is None or born.year < 1900 or born > dt.date.today():  # noqa: DTZ011 - a calendar date
        raise ValidationError(
            _("The birth date %(digits)s in the ID number is not a possible date."),
            code="id_birth_date",
            params={"digits": value[6:14]},
        )
    expected = id_check_char(value[:17])
    if value[17] != expected:
        raise ValidationError(
            _("The ID number's check digit is wrong: it should be %(expected)s, not %(given)s."),
            code="id_check_digit",
            params={"expected": expected, "given": value[17]},
        )
