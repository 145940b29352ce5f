"""Template filters for the conventions users expect: Chinese dates, masked personal data."""

import datetime as dt

from django import template

from ..chinese import chinese_date
from ..privacy import is_registry_admin, mask_id_number, mask_phone

register = template.Library()


@register.filter
def cn_date(value: dt.date | dt.datetime | None) -> str:
    """2026年11月30日."""
    if isinstance(value, dt.datetime):
        from django.utils import timezone

        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return chinese_date(value)


@register.filter
def id_number_for(value: str, user: object) -> str:
    """The ID number in full for admins, masked (5323**********123X) for everyone else."""
    return value if is_registry_admin(user) else mask_id_number(value)  # type: ignore[arg-type]


@register.filter
def phone_for(value: str, user: object) -> str:
    return value if is_registry_admin(user) else mask_phone(value)  # type: ignore[arg-type]
