"""Forms of the inspection pages. They parse and validate input; the actions do the work."""

from __future__ import annotations

import re
from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accountability.submissions import OnceForm
from registry.models import OrgUnit, Person

from . import actions
from .models import (
    Assignment,
    Colour,
    Finding,
    FindingCategory,
    FindingStatus,
    RectificationItem,
    RectificationStatus,
)

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
NAME_SPLIT = re.compile(r"[\s,，、;；]+")
FILE_ACCEPT = ".jpg,.jpeg,.png,.pdf,.doc,.docx,.xls,.xlsx,.ofd,.txt,image/jpeg,image/png"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one input (Django's documented pattern); type and size are checked by the action."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": FILE_ACCEPT}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


def unit_choices(assignment: Assignment) -> QuerySet[OrgUnit]:
    """The inspected unit and the units under it: those a finding or an item may name."""
    return OrgUnit.objects.filter(assignment.unit.subtree_filter(), is_active=True).order_by("path", "code")


def resolve_people(raw: str, assignment: Assignment) -> tuple[list[Person], list[str]]:
    """Staff numbers (anywhere) or names (within the inspected unit's subtree) → people, and problems."""
    tokens = list(dict.fromkeys(token for token in NAME_SPLIT.split(raw or "") if token))
    if not tokens:
        return [], []
    by_staff_no = {p.staff_no: p for p in Person.objects.filter(staff_no__in=tokens, is_active=True)}
    names = [token for token in tokens if token not in by_staff_no]
    by_name: dict[str, list[Person]] = {}
    if names:
        for person in Person.objects.filter(
            assignment.unit.subtree_filter("org_unit__"), name__in=names, is_active=True
        ).select_related("org_unit"):
            by_name.setdefault(person.name, []).append(person)
    people, problems = [], []
    for token in tokens:
        if token in by_staff_no:
            people.append(by_staff_no[token])
        elif len(by_name.get(token, [])) == 1:
            people.append(by_name[token][0])
        elif token in by_name:
            problems.append(
                str(
                    _("Several people named %(name)s work here; give the staff number instead.")
                    % {"name": token}
                )
            )
        else:
            problems.append(
                str(
                    _("No one named %(name)s (or with that staff number) was found in the inspected unit.")
                    % {"name": token}
                )
            )
    return people, problems


class FindingForm(OnceForm):
    """The quick form of a team member on a phone: category, what was found, who and which units, photos."""

    category = forms.ChoiceField(label=_("Category"), choices=[("", "—"), *FindingCategory.choices])
    description = forms.CharField(
        label=_("What was found"),
        widget=forms.Textarea(attrs={"rows": 5, "autocomplete": "off"}),
        max_length=5000,
    )
    units = forms.ModelMultipleChoiceField(
        label=_("Units involved"),
        queryset=OrgUnit.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    people = forms.CharField(
        label=_("People involved"),
        required=False,
        max_length=500,
        help_text=_("Names or staff numbers, separated by commas."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    attachments = MultipleFileField(
        label=_("Photos and documents"),
        help_text=_("JPG, PNG, PDF, Word, Excel or OFD; at most 20 MB each."),
    )

    def __init__(self, *args: Any, assignment: Assignment, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.assignment = assignment
        self.fields["units"].queryset = unit_choices(assignment)  # type: ignore[attr-defined]
        self.people_found: list[Person] = []

    def clean_people(self) -> str:
        raw: str = self.cleaned_data.get("people", "")
        self.people_found, problems = resolve_people(raw, self.assignment)
        if problems:
            raise forms.ValidationError(problems)
        return raw

    def finding_data(self) -> actions.FindingData:
        data = self.cleaned_data
        return actions.FindingData(
            category=data["category"],
            description=data["description"],
            units=list(data.get("units") or []),
            people=self.people_found,
            files=data.get("attachments") or [],
        )

    @classmethod
    def initial_for(cls, finding: Finding) -> dict[str, Any]:
        return {
            "category": finding.category,
            "description": finding.description,
            "units": list(finding.units.all()),
            "people": "、".join(person.staff_no for person in finding.people.all()),
        }


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("verify", _("Verify")), ("reject", _("Reject"))], widget=forms.HiddenInput
    )
    comment = forms.CharField(
        label=_("Comment (required to reject)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class TransferForm(forms.Form):
    title = forms.CharField(label=_("Case title"), max_length=200)
    summary = forms.CharField(label=_("Facts and clue summary"), widget=forms.Textarea)
    conduct_date = forms.DateField(
        label=_("Conduct date"),
        widget=DATE_WIDGET,
        help_text=_("When the conduct happened: it decides which regulation version applies."),
    )


class ItemForm(OnceForm):
    responsible_unit = forms.ModelChoiceField(label=_("Responsible unit"), queryset=OrgUnit.objects.none())
    responsible_person = forms.CharField(
        label=_("Responsible person"),
        required=False,
        max_length=64,
        help_text=_("Name or staff number."),
    )
    requirement = forms.CharField(label=_("Requirement"), widget=forms.Textarea(attrs={"rows": 3}))
    deadline = forms.DateField(
        label=pgettext_lazy("rectification", "Deadline"),
        required=False,
        widget=DATE_WIDGET,
        help_text=_("Leave empty for the feedback date plus the rectification period."),
    )

    def __init__(self, *args: Any, assignment: Assignment, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.assignment = assignment
        self.fields["responsible_unit"].queryset = unit_choices(assignment)  # type: ignore[attr-defined]
        self.person: Person | None = None

    def clean_responsible_person(self) -> str:
        raw: str = self.cleaned_data.get("responsible_person", "")
        people, problems = resolve_people(raw, self.assignment)
        if problems:
            raise forms.ValidationError(problems)
        if len(people) > 1:
            raise forms.ValidationError(_("Name one responsible person."))
        self.person = people[0] if people else None
        return raw

    def item_data(self) -> actions.ItemData:
        return actions.ItemData(
            responsible_unit=self.cleaned_data["responsible_unit"],
            responsible_person=self.person,
            requirement=self.cleaned_data["requirement"],
            deadline=self.cleaned_data.get("deadline"),
        )


class DatesForm(forms.Form):
    stationed_on = forms.DateField(label=_("Stationed on"), required=False, widget=DATE_WIDGET)
    withdrawn_on = forms.DateField(label=_("Withdrawn on"), required=False, widget=DATE_WIDGET)
    feedback_on = forms.DateField(label=_("Feedback on"), required=False, widget=DATE_WIDGET)


class ReportForm(OnceForm):
    text = forms.CharField(label=_("Progress"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)
    final = forms.BooleanField(label=_("Rectification is complete: submit for acceptance"), required=False)
    attachments = MultipleFileField(
        label=_("Supporting documents"),
        help_text=_("JPG, PNG, PDF, Word, Excel or OFD; at most 20 MB each."),
    )


class ItemReviewForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("accept", pgettext_lazy("rectification", "Accept")), ("return", _("Return"))],
        widget=forms.HiddenInput,
    )
    comment = forms.CharField(
        label=_("Comment (required to return)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class FindingFilter(django_filters.FilterSet):
    category = django_filters.ChoiceFilter(label=_("Category"), choices=FindingCategory.choices)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=FindingStatus.choices)
    q = django_filters.CharFilter(label=_("Search"), method="search")
    transferred = django_filters.BooleanFilter(
        label=_("Transferred as a clue"), field_name="case", lookup_expr="isnull", exclude=True
    )

    class Meta:
        model = Finding
        fields = ["category", "status"]

    def search(self, queryset: QuerySet[Finding], name: str, value: str) -> QuerySet[Finding]:
        return queryset.filter(Q(description__icontains=value) | Q(people__name=value)).distinct()


class ItemFilter(django_filters.FilterSet):
    colour = django_filters.ChoiceFilter(
        label=_("Colour"), choices=[("none", _("No warning yet")), *Colour.choices], method="by_colour"
    )
    status = django_filters.ChoiceFilter(label=_("Status"), choices=RectificationStatus.choices)
    unit = django_filters.CharFilter(label=_("Responsible unit"), method="by_unit")

    class Meta:
        model = RectificationItem
        fields = ["status"]

    def __init__(self, *args: Any, rungs: Any = (), today: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rungs, self.today = rungs, today

    def by_colour(
        self, queryset: QuerySet[RectificationItem], name: str, value: str
    ) -> QuerySet[RectificationItem]:
        from .ladder import colour_filter
        from .models import ACTIVE_STATUSES

        colour = "" if value == "none" else value
        return queryset.filter(colour_filter(colour, self.today, self.rungs), status__in=ACTIVE_STATUSES)

    def by_unit(
        self, queryset: QuerySet[RectificationItem], name: str, value: str
    ) -> QuerySet[RectificationItem]:
        return queryset.filter(responsible_unit__name__icontains=value)
