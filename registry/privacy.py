"""Who may see personal data, and how it is masked for everyone else.

One rule decides whether a viewer sees a registry person's ID number in full: `is_registry_admin`. The
phone number and the birth date follow it. A masked ID number keeps its first four characters (province
and prefecture) and its last four (sequence and check digit); shown beside the full birth date, that leaves
a handful of county codes and one check digit to try, so wherever the ID number is masked the birth date
shows the year only (`1975年`): on the pages, in the exports and in the admin.
"""

import datetime as dt

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from accountability.chinese import chinese_date

ADMIN_ROLE = "admin"


def mask_middle(value: str, keep_start: int, keep_end: int) -> str:
    if not value:
        return ""
    if len(value) <= keep_start + keep_end:
        return "*" * len(value)
    return value[:keep_start] + "*" * (len(value) - keep_start - keep_end) + value[-keep_end:]


def mask_id_number(value: str) -> str:
    """`5323**********123X`: the first four and the last four characters stay visible."""
    return mask_middle(value, 4, 4)


def mask_phone(value: str) -> str:
    """`138****1234`: the first three and the last four digits stay visible."""
    return mask_middle(value, 3, 4)


def mask_birth_date(value: dt.date | None) -> str:
    """`1975年`: the year only."""
    return f"{value.year}年" if value else ""


def mask_name(value: str) -> str:
    """`张*`, `欧阳**`: the family name stays, the given name is hidden."""
    if not value:
        return ""
    keep = 2 if len(value) >= 4 else 1
    return value[:keep] + "*" * (len(value) - keep)


def is_registry_admin(user: AbstractBaseUser | AnonymousUser | None) -> bool:
    """Admins (and superusers) see ID numbers, phone numbers and birth dates in full; everyone else masked."""
    if user is None:
        return False
    if not user.is_authenticated:
        return False
    if getattr(user, "is_superuser", False):
        return True
    cached = getattr(user, "_role_names", None)
    if cached is None:
        from accountability.roles import role_names

        cached = role_names(user)
    return ADMIN_ROLE in cached


def id_number_for(value: str, user: AbstractBaseUser | AnonymousUser | None) -> str:
    return value if is_registry_admin(user) else mask_id_number(value)


def phone_for(value: str, user: AbstractBaseUser | AnonymousUser | None) -> str:
    return value if is_registry_admin(user) else mask_phone(value)


def birth_date_for(value: dt.date | None, user: AbstractBaseUser | AnonymousUser | None) -> str:
    """`1975年5月17日` for those who see the ID number in full, `1975年` for everyone else."""
    return chinese_date(value) if is_registry_admin(user) else mask_birth_date(value)
