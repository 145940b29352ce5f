"""Template filters for the conventions users expect: Chinese dates, masked personal data."""

import datetime as dt

from django import template

from accountability.chinese import chinese_date

from .. import privacy

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
    return privacy.id_number_for(value, user)  # type: ignore[arg-type]


@register.filter
def phone_for(value: str, user: object) -> str:
    return privacy.phone_for(value, user)  # type: ignore[arg-type]


@register.filter
def birth_date_for(value: dt.date | None, user: object) -> str:
    """The full date where the ID number is shown in full, the year only where it is masked."""
    return privacy.birth_date_for(value, user)  # type: ignore[arg-type]
