"""The petition list's filters, search and sorting (django-filter)."""

from __future__ import annotations

import re
from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accountability.filters import OrderingFilter
from accountability.validation import EARLIEST_DATE, LATEST_YEAR
from registry.models import OrgUnit

from .access import personal_data_filter
from .deadlines import today
from .models import Channel, Petition, PetitionState

NUMBER_PATTERN = re.compile(r"(?:(\d{4})\D+)?0*(\d{1,6})\D*$")


class PetitionFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    state = django_filters.ChoiceFilter(label=_("State"), choices=PetitionState.choices)
    channel = django_filters.ChoiceFilter(label=_("Channel"), choices=Channel.choices)
    year = django_filters.NumberFilter(
        label=_("Year"), min_value=EARLIEST_DATE.year, max_value=LATEST_YEAR, decimal_places=0
    )
    unit = django_filters.ModelChoiceFilter(
        label=_("Responsible unit (with sub-units)"),
        queryset=OrgUnit.objects.filter(is_active=True),
        method="in_unit",
    )
    overdue = django_filters.BooleanFilter(
        label=_("Overdue"), method="only_overdue", widget=django_filters.widgets.BooleanWidget()
    )
    sort = OrderingFilter(
        label=_("Sort by"),
        fields=(
            (("year", "sequence"), "number"),
            ("received_on", "received"),
            ("next_due_on", "due"),
        ),
        # Keyed by the fields, not the parameters (django-filter's convention).
        field_labels={
            ("year", "sequence"): _("Number"),
            "received_on": _("Received on"),
            "next_due_on": pgettext_lazy("petition", "Deadline"),
        },
    )

    class Meta:
        model = Petition
        fields: list[str] = []

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def search(self, queryset: QuerySet[Petition], name: str, value: str) -> QuerySet[Petition]:
        value = value.strip()
        if not value:
            return queryset
        condition = (
            Q(subject__icontains=value)
            | Q(complained_person__name__icontains=value)
            | Q(complained_unit__name__icontains=value)
        )
        match = NUMBER_PATTERN.search(value)
        if match and any(ch.isdigit() for ch in value):
            year, sequence = match.groups()
            number = Q(sequence=int(sequence))
            condition |= number & Q(year=int(year)) if year else number
        # The petitioner's name is searchable only where this user may see it in full.
        condition |= Q(petitioner_name__icontains=value) & personal_data_filter(self.user)
        return queryset.filter(condition)

    def in_unit(self, queryset: QuerySet[Petition], name: str, value: OrgUnit | None) -> QuerySet[Petition]:
        return queryset.filter(responsible_unit__path__startswith=value.path) if value else queryset

    def only_overdue(self, queryset: QuerySet[Petition], name: str, value: bool | None) -> QuerySet[Petition]:
        if value is None:
            return queryset
        # next_due_on is only set while the office owes a step: overdue is one indexed comparison.
        overdue = Q(next_due_on__lt=today())
        return queryset.filter(overdue) if value else queryset.exclude(overdue)
