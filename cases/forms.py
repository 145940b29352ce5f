"""Forms of the case pages. They only parse and validate input; the actions do the work."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.contrib.auth.models import User
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from accountability import roles
from accountability.submissions import OnceForm
from registry.models import Clause, OrgUnit, Person

from . import actions
from .guards import MAX_VOTES, target_field
from .models import (
    LEADER_FORMS,
    LEADER_LEVELS,
    MEASURES_BY_FORM,
    ORGANISATION_FORMS,
    ORGANISATION_LEVELS,
    Attachment,
    Case,
    CaseSource,
    Form,
    Measure,
    ResponsibilityLevel,
    Target,
)

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class StateForm(forms.Form):
    """Every form that changes a case carries the state the user saw, to detect concurrent changes."""

    expected_state = forms.CharField(widget=forms.HiddenInput, required=False)


def officers() -> QuerySet[User]:
    return (
        User.objects.filter(groups__name=roles.CASE_OFFICER, is_active=True).order_by("username").distinct()
    )


def case_users() -> QuerySet[User]:
    return (
        User.objects.filter(groups__name__in=[roles.CASE_OFFICER, roles.APPROVER], is_active=True)
        .order_by("username")
        .distinct()
    )


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.get_full_name() or obj.username


class UserMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.get_full_name() or obj.username


class ClauseChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.regulation.short_title}（{obj.regulation.version}）{obj.citation} {obj.short_title}"


class SingleClauseChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.regulation.short_title}（{obj.regulation.version}）{obj.citation} {obj.short_title}"


STAFF_NUMBER_SPLIT = re.compile(r"[\s,，、;；]+")


class CaseForm(StateForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    source = forms.ChoiceField(label=_("Source"), choices=CaseSource.choices)
    summary = forms.CharField(label=_("Facts and clue summary"), widget=forms.Textarea)
    conduct_date = forms.DateField(
        label=_("Conduct date"),
        widget=DATE_WIDGET,
        help_text=_("When the conduct happened: it decides which regulation version applies."),
    )
    unit = forms.ModelChoiceField(label=_("Unit concerned"), queryset=OrgUnit.objects.filter(is_active=True))
    lead_officer = UserChoiceField(label=_("Lead officer"), queryset=User.objects.none(), required=False)
    situations = ClauseChoiceField(
        label=_("Situation clauses"),
        queryset=Clause.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Only clauses of the regulation version in force on the conduct date can be cited."),
    )
    confidential = forms.BooleanField(
        label=_("Confidential"), required=False, help_text=_("Visible only to the users named on the case.")
    )
    named_users = UserMultipleChoiceField(
        label=_("Named users"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("They can see and work on the case even outside their jurisdiction."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lead_officer"].queryset = officers()  # type: ignore[attr-defined]
        self.fields["named_users"].queryset = case_users()  # type: ignore[attr-defined]
        self.fields["situations"].queryset = (  # type: ignore[attr-defined]
            Clause.objects.filter(kind=Clause.Kind.SITUATION)
            .select_related("regulation")
            .order_by("regulation__family", "-regulation__effective_date", "article", "item")
        )

    def case_data(self) -> actions.CaseData:
        data = self.cleaned_data
        return actions.CaseData(
            title=data["title"],
            source=data["source"],
            summary=data["summary"],
            conduct_date=data["conduct_date"],
            unit=data["unit"],
            lead_officer=data.get("lead_officer"),
            confidential=data.get("confidential", False),
            situations=list(data.get("situations") or []),
            targets=self.target_specs(),
            named_users=list(data.get("named_users") or []),
        )

    def target_specs(self) -> list[actions.TargetSpec]:
        return []


class CaseCreateForm(OnceForm, CaseForm):
    target_units = forms.ModelMultipleChoiceField(
        label=_("Target party organisations"),
        queryset=OrgUnit.objects.filter(is_active=True),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    target_people = forms.CharField(
        label=_("Target party leaders (staff numbers)"),
        required=False,
        help_text=_("Staff numbers separated by commas or spaces."),
    )

    def clean_target_people(self) -> list[Person]:
        raw = self.cleaned_data.get("target_people", "")
        numbers = [number for number in STAFF_NUMBER_SPLIT.split(raw.strip()) if number]
        people = {person.staff_no: person for person in Person.objects.filter(staff_no__in=numbers)}
        unknown = [number for number in numbers if number not in people]
        if unknown:
            raise forms.ValidationError(
                _("No person has the staff number %(numbers)s."), params={"numbers": "、".join(unknown)}
            )
        return [people[number] for number in dict.fromkeys(numbers)]

    def target_specs(self) -> list[actions.TargetSpec]:
        units = [actions.TargetSpec(org_unit=unit) for unit in self.cleaned_data.get("target_units") or []]
        people = [
            actions.TargetSpec(person=person) for person in self.cleaned_data.get("target_people") or []
        ]
        return units + people


class TargetAddForm(StateForm):
    org_unit = forms.ModelChoiceField(
        label=_("Party organisation"), queryset=OrgUnit.objects.filter(is_active=True), required=False
    )
    staff_no = forms.CharField(label=_("Party leader (staff number)"), required=False, max_length=32)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        unit, staff_no = data.get("org_unit"), (data.get("staff_no") or "").strip()
        if bool(unit) == bool(staff_no):
            raise forms.ValidationError(_("Choose either a party organisation or a party leader."))
        if staff_no:
            person = Person.objects.filter(staff_no=staff_no).first()
            if person is None:
                raise forms.ValidationError(
                    _("No person has the staff number %(numbers)s."), params={"numbers": staff_no}
                )
            data["person"] = person
        return data

    def spec(self) -> actions.TargetSpec:
        return actions.TargetSpec(
            org_unit=self.cleaned_data.get("org_unit"), person=self.cleaned_data.get("person")
        )


class InvestigationForm(StateForm):
    team = forms.CharField(
        label=_("Investigation team (staff numbers)"),
        help_text=_("At least two people; the first is the team leader."),
    )
    report = forms.CharField(label=_("Investigation report"), widget=forms.Textarea, required=False)
    report_date = forms.DateField(label=_("Report date"), widget=DATE_WIDGET, required=False)

    def clean_team(self) -> list[Person]:
        numbers = [number for number in STAFF_NUMBER_SPLIT.split(self.cleaned_data["team"].strip()) if number]
        people = {person.staff_no: person for person in Person.objects.filter(staff_no__in=numbers)}
        unknown = [number for number in numbers if number not in people]
        if unknown:
            raise forms.ValidationError(
                _("No person has the staff number %(numbers)s."), params={"numbers": "、".join(unknown)}
            )
        return [people[number] for number in dict.fromkeys(numbers)]


class TargetFindingsForm(StateForm):
    responsibility = forms.ChoiceField(label=_("Responsibility level"), choices=(), required=False)
    statement = forms.CharField(label=_("Statement and defence"), widget=forms.Textarea, required=False)
    statement_date = forms.DateField(label=_("Statement date"), widget=DATE_WIDGET, required=False)
    statement_waived = forms.BooleanField(label=_("Statement waived"), required=False)
    waiver_note = forms.CharField(label=_("Waiver note"), required=False, max_length=300)

    def __init__(self, *args: Any, target: Target, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        levels = ORGANISATION_LEVELS if target.is_organisation else LEADER_LEVELS
        self.fields["responsibility"].choices = [("", "—")] + [  # type: ignore[attr-defined]
            (level.value, level.label) for level in ResponsibilityLevel if level in levels
        ]


class CommentForm(StateForm):
    comment = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


def _circumstance_clauses(case: Case) -> QuerySet[Clause]:
    kinds = (Clause.Kind.EXEMPTION, Clause.Kind.MITIGATION, Clause.Kind.AGGRAVATION)
    return Clause.objects.filter(regulation=case.regulation, kind__in=kinds).select_related("regulation")


def _exemption_clauses(case: Case) -> QuerySet[Clause]:
    return Clause.objects.filter(
        Q(regulation=case.regulation)
        | Q(regulation__family="accountability", regulation__repealed_date__isnull=True),
        kind=Clause.Kind.EXEMPTION,
    ).select_related("regulation")


class TargetDecisionFields:
    """Per-target fields of the decision and appeal forms: forms, measures, circumstances, exemption."""

    def add_target_fields(self, form: forms.Form, case: Case, targets: list[Target]) -> None:
        self.targets = targets
        circumstances = _circumstance_clauses(case)
        for target in targets:
            allowed = ORGANISATION_FORMS if target.is_organisation else LEADER_FORMS
            prefix = f"t{target.pk}_"
            form.fields[prefix + "forms"] = forms.MultipleChoiceField(
                label=_("Forms of accountability"),
                choices=[(value.value, value.label) for value in Form if value in allowed],
                widget=forms.CheckboxSelectMultiple,
                required=False,
            )
            if not target.is_organisation:
                for form_value in (Form.ORGANISATIONAL_HANDLING, Form.DISCIPLINE):
                    form.fields[prefix + form_value] = forms.ChoiceField(
                        label=_("Measure of %(form)s") % {"form": Form(form_value).label},
                        choices=[("", "—")]
                        + [
                            (value.value, value.label)
                            for value in Measure
                            if value in MEASURES_BY_FORM[form_value]
                        ],
                        required=False,
                    )
            form.fields[prefix + "circumstances"] = ClauseChoiceField(
                label=_("Circumstances"),
                queryset=circumstances,
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )
            form.fields[prefix + "exemption"] = SingleClauseChoiceField(
                label=_("Exemption ground"), queryset=_exemption_clauses(case), required=False
            )

    def target_groups(self) -> list[tuple[Target, list[forms.BoundField]]]:
        form: forms.Form = self  # type: ignore[assignment]
        return [
            (target, [form[name] for name in form.fields if name.startswith(f"t{target.pk}_")])
            for target in self.targets
        ]

    def decisions(self, data: dict[str, Any]) -> dict[int, actions.TargetDecision]:
        result = {}
        for target in self.targets:
            prefix = f"t{target.pk}_"
            chosen = []
            for form_value in data.get(prefix + "forms") or []:
                measure = data.get(prefix + form_value, "") if form_value in MEASURES_BY_FORM else ""
                chosen.append((form_value, measure))
            result[target.pk] = actions.TargetDecision(
                forms=chosen,
                circumstances=list(data.get(prefix + "circumstances") or []),
                exemption_ground=data.get(prefix + "exemption"),
            )
        return result


class DecideForm(TargetDecisionFields, StateForm):
    meeting_date = forms.DateField(label=_("Decision meeting date"), widget=DATE_WIDGET, required=False)
    meeting_attendees = forms.CharField(
        label=_("Meeting attendees"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    votes_for = forms.IntegerField(label=_("Votes for"), min_value=0, max_value=MAX_VOTES, required=False)
    votes_against = forms.IntegerField(
        label=_("Votes against"), min_value=0, max_value=MAX_VOTES, required=False
    )
    votes_abstaining = forms.IntegerField(
        label=_("Abstentions"), min_value=0, max_value=MAX_VOTES, required=False
    )
    decision_date = forms.DateField(label=_("Decision date"), widget=DATE_WIDGET, required=False)
    decision_body = forms.ModelChoiceField(
        label=_("Decision-making body"),
        queryset=OrgUnit.objects.filter(is_active=True),
        required=False,
        help_text=_("It signs the decision document. Left empty: your own unit."),
    )
    facts = forms.CharField(label=_("Facts stated in the decision"), widget=forms.Textarea, required=False)
    comment = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args: Any, case: Case, targets: list[Target], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.add_target_fields(self, case, targets)

    def decision_data(self) -> actions.DecisionData:
        data = self.cleaned_data
        return actions.DecisionData(
            meeting_date=data.get("meeting_date"),
            meeting_attendees=data.get("meeting_attendees", ""),
            votes_for=data.get("votes_for"),
            votes_against=data.get("votes_against"),
            votes_abstaining=data.get("votes_abstaining"),
            decision_date=data.get("decision_date"),
            facts=data.get("facts", ""),
            targets=self.decisions(data),
            decision_body=data.get("decision_body"),
        )


class DeliverForm(StateForm):
    delivered_on = forms.DateField(label=_("Delivered on"), widget=DATE_WIDGET, required=False)
    document_no = forms.CharField(label=_("Decision document number"), max_length=64, required=False)
    comment = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


ACCEPTS_CHOICES = [("", "—"), ("yes", _("Accepts")), ("no", _("Objects"))]


class ResponseForm(StateForm):
    comment = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args: Any, targets: list[Target], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.targets = targets
        for target in targets:
            prefix = target_field(target.pk, "")
            self.fields[prefix + "accepts"] = forms.ChoiceField(
                label=_("Accepts or objects"), choices=ACCEPTS_CHOICES, required=False
            )
            self.fields[prefix + "text"] = forms.CharField(
                label=_("Response"), widget=forms.Textarea(attrs={"rows": 2}), required=False
            )
            self.fields[prefix + "self_criticism"] = forms.BooleanField(
                label=_("Written self-criticism received"), required=False
            )
            self.fields[prefix + "date"] = forms.DateField(
                label=_("Response date"), widget=DATE_WIDGET, required=False
            )

    def target_groups(self) -> list[tuple[Target, list[forms.BoundField]]]:
        return [
            (target, [self[name] for name in self.fields if name.startswith(f"t{target.pk}_")])
            for target in self.targets
        ]

    def responses(self) -> dict[int, actions.ResponseData]:
        data = self.cleaned_data
        result = {}
        for target in self.targets:
            prefix = f"t{target.pk}_"
            accepts = {"yes": True, "no": False}.get(data.get(prefix + "accepts") or "")
            result[target.pk] = actions.ResponseData(
                accepts=accepts,
                text=data.get(prefix + "text", ""),
                self_criticism_received=bool(data.get(prefix + "self_criticism")),
                response_date=data.get(prefix + "date"),
            )
        return result


class AppealForm(StateForm):
    appellant = forms.ModelChoiceField(label=_("Appellant"), queryset=Target.objects.none(), required=False)
    filed_on = forms.DateField(label=_("Appeal filed on"), widget=DATE_WIDGET, required=False)
    grounds = forms.CharField(label=_("Grounds of appeal"), widget=forms.Textarea, required=False)
    comment = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["appellant"].queryset = case.targets.select_related("org_unit", "person")  # type: ignore[attr-defined]


class AppealDecisionForm(TargetDecisionFields, StateForm):
    outcome = forms.ChoiceField(
        label=_("Appeal outcome"), choices=[("", "—"), *Case.AppealOutcome.choices], required=False
    )
    decided_on = forms.DateField(label=_("Appeal decided on"), widget=DATE_WIDGET, required=False)
    decision = forms.CharField(label=_("Appeal decision"), widget=forms.Textarea, required=False)
    comment = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args: Any, case: Case, targets: list[Target], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.add_target_fields(self, case, targets)


class DismissForm(StateForm):
    ground = SingleClauseChoiceField(
        label=_("Ground (Article 17)"), queryset=Clause.objects.none(), required=False
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["ground"].queryset = _exemption_clauses(case)  # type: ignore[attr-defined]


class WithdrawForm(StateForm):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class AttachmentForm(OnceForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=Attachment.Kind.choices)
    file = forms.FileField(label=_("File"))
