"""The case list's filters, search and sorting (django-filter)."""

from __future__ import annotations

import re
from typing import Any

import django_filters
from django.contrib.auth.models import User
from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from accountability.filters import OrderingFilter
from accountability.validation import EARLIEST_DATE, LATEST_YEAR
from accountability.widgets import QuickSelect
from registry.models import OrgUnit, Person

from .deadlines import today
from .forms import officers
from .models import TERMINAL_STATES, Case, CaseSource, CaseState, Form, Target, form_bit

# A case number as users type it: 问责〔2026〕第0012号, 2026-12, 2026/0012, or just 12.
NUMBER_PATTERN = re.compile(
    r"^\s*(?:问责)?\s*[〔\[(（]?\s*(?:(\d{4})\s*[〕\])）\-/年.]\s*)?第?\s*0*(\d{1,7})\s*号?\s*$"
)


class CaseFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    state = django_filters.ChoiceFilter(label=_("State"), choices=CaseState.choices, widget=QuickSelect)
    source = django_filters.ChoiceFilter(label=_("Source"), choices=CaseSource.choices, widget=QuickSelect)
    year = django_filters.NumberFilter(
        label=_("Year"), min_value=EARLIEST_DATE.year, max_value=LATEST_YEAR, decimal_places=0
    )
    unit = django_filters.ModelChoiceFilter(
        label=_("Unit (with sub-units)"),
        queryset=OrgUnit.objects.filter(is_active=True),
        method="in_unit",
        widget=QuickSelect,
        empty_label=_("All"),
    )
    form = django_filters.ChoiceFilter(
        label=_("Form of accountability"), choices=Form.choices, method="with_form", widget=QuickSelect
    )
    officer = django_filters.ModelChoiceFilter(
        label=_("Lead officer"),
        queryset=User.objects.none(),
        field_name="lead_officer",
        widget=QuickSelect,
        empty_label=_("All"),
    )
    overdue = django_filters.BooleanFilter(
        label=_("Overdue"),
        method="only_overdue",
        widget=QuickSelect(choices=[("", _("All")), ("true", _("Yes")), ("false", _("No"))]),
    )
    sort = OrderingFilter(
        label=_("Sort by"),
        widget=QuickSelect,
        empty_label=None,
        fields=(
            (("year", "sequence"), "number"),
            ("created_at", "created"),
            ("state", "state"),
            ("next_due_on", "due"),
        ),
        choices=[
            ("-number", _("Number, newest first")),
            ("number", _("Number, oldest first")),
            ("-created", _("Registered, newest first")),
            ("created", _("Registered, oldest first")),
            ("state", _("State")),
            ("due", _("Deadline, soonest first")),
            ("-due", _("Deadline, latest first")),
        ],
    )

    class Meta:
        model = Case
        fields: list[str] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        officer_filter = self.filters["officer"]
        officer_filter.queryset = officers()
        officer_filter.field.label_from_instance = lambda user: user.get_full_name() or user.username

    def search(self, queryset: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        """A case number finds that case; other text matches titles and the names of targets.

        Matching ids come from the trigram indexes (title, person and unit names) in one UNION, which
        PostgreSQL joins to the cases by primary key: the cost follows the matches, not the table.
        """
        value = value.strip()
        if not value:
            return queryset
        match = NUMBER_PATTERN.match(value)
        if match:
            year, sequence = match.groups()
            number = Q(sequence=int(sequence))
            return queryset.filter(number & Q(year=int(year)) if year else number)
        by_title = Case.objects.filter(title__icontains=value).values("pk")
        people = Person.objects.filter(name__icontains=value).values("pk")
        units = OrgUnit.objects.filter(name__icontains=value).values("pk")
        by_target = Target.objects.filter(Q(person_id__in=people) | Q(org_unit_id__in=units)).values(
            "case_id"
        )
        return queryset.filter(pk__in=by_title.union(by_target))

    def in_unit(self, queryset: QuerySet[Case], name: str, value: OrgUnit | None) -> QuerySet[Case]:
        if not value:
            return queryset
        return queryset.filter(unit_id__in=OrgUnit.objects.filter(path__startswith=value.path).values("pk"))

    def with_form(self, queryset: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        if not value:
            return queryset
        bit = form_bit(value)
        return queryset.alias(has_form=F("form_flags").bitand(bit)).filter(has_form=bit)

    def only_overdue(self, queryset: QuerySet[Case], name: str, value: bool | None) -> QuerySet[Case]:
        if value is None:
            return queryset
        overdue = Q(next_due_on__lt=today()) & ~Q(state__in=TERMINAL_STATES)
        return queryset.filter(overdue) if value else queryset.exclude(overdue)
