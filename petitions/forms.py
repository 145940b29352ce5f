"""Forms of the petition pages. They only parse input; the actions validate the rules and do the work."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accountability import roles
from accountability.submissions import OnceForm
from registry.models import Clause, OrgUnit, Person

from . import actions
from .models import (
    COLLECTIVE_LEVELS,
    INDIVIDUAL_LEVELS,
    SUBJECT_DUTIES,
    Channel,
    Grade,
    Outcome,
    PetitionResponsibility,
    ReviewOutcome,
    SubjectKind,
)

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# What the days field accepts before the action checks the `petition_extension` rule (30 days): a year at
# most, well inside the column (PositiveSmallIntegerField).
MAX_EXTENSION_DAYS = 366


def petition_officers() -> QuerySet[User]:
    return (
        User.objects.filter(groups__name=roles.PETITION_OFFICER, is_active=True)
        .order_by("username")
        .distinct()
    )


def active_units() -> QuerySet[OrgUnit]:
    return OrgUnit.objects.filter(is_active=True).order_by("path", "code")


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.code} {obj.name}"


class UserMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.get_full_name() or obj.username


class ClauseChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.citation} {obj.short_title}"


class StaffNumberField(forms.CharField):
    """A person of the registry, typed as their staff number (工号)."""

    def clean(self, value: Any) -> Person | None:
        number = (super().clean(value) or "").strip()
        if not number:
            return None
        person = Person.objects.filter(staff_no=number).select_related("org_unit").first()
        if person is None:
            raise forms.ValidationError(
                _("No person has the staff number %(number)s."), params={"number": number}
            )
        return person


class StateForm(forms.Form):
    """Every form that moves a petition carries the state the user saw, to detect concurrent changes."""

    expected_state = forms.CharField(widget=forms.HiddenInput, required=False)


class PetitionForm(OnceForm):
    channel = forms.ChoiceField(label=_("Channel"), choices=[("", "—"), *Channel.choices], required=False)
    received_on = forms.DateField(label=_("Received on"), widget=DATE_WIDGET, required=False)
    subject = forms.CharField(label=_("Subject"), max_length=200, required=False)
    content = forms.CharField(label=_("Content of the petition"), widget=forms.Textarea, required=False)
    responsible_unit = UnitChoiceField(
        label=_("Responsible unit"),
        queryset=OrgUnit.objects.none(),
        required=False,
        help_text=_("The unit responsible under territorial management (属地管理)."),
    )
    complained_unit = UnitChoiceField(
        label=_("Unit complained about"), queryset=OrgUnit.objects.none(), required=False
    )
    complained_person = StaffNumberField(
        label=_("Person complained about (staff number)"), required=False, max_length=32
    )
    anonymous = forms.BooleanField(label=_("Anonymous petition"), required=False)
    petitioner_name = forms.CharField(label=_("Petitioner's name"), max_length=64, required=False)
    petitioner_id_number = forms.CharField(label=_("Petitioner's ID number"), max_length=18, required=False)
    petitioner_phone = forms.CharField(label=_("Petitioner's phone"), max_length=20, required=False)
    petitioner_address = forms.CharField(label=_("Petitioner's address"), max_length=200, required=False)
    handlers = UserMultipleChoiceField(
        label=_("Handlers"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Petition officers who handle it; they see the petitioner's personal data."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["responsible_unit"].queryset = active_units()  # type: ignore[attr-defined]
        self.fields["complained_unit"].queryset = active_units()  # type: ignore[attr-defined]
        self.fields["handlers"].queryset = petition_officers()  # type: ignore[attr-defined]

    def petition_data(self) -> actions.PetitionData:
        data = self.cleaned_data
        return actions.PetitionData(
            channel=data.get("channel") or "",
            received_on=data.get("received_on"),
            subject=data.get("subject") or "",
            content=data.get("content") or "",
            responsible_unit=data.get("responsible_unit"),
            anonymous=bool(data.get("anonymous")),
            petitioner_name=data.get("petitioner_name") or "",
            petitioner_id_number=data.get("petitioner_id_number") or "",
            petitioner_phone=data.get("petitioner_phone") or "",
            petitioner_address=data.get("petitioner_address") or "",
            complained_person=data.get("complained_person"),
            complained_unit=data.get("complained_unit"),
            handlers=list(data.get("handlers") or []),
        )


class CorrectionForm(PetitionForm):
    expected_state = forms.CharField(widget=forms.HiddenInput, required=False)
    reason = forms.CharField(
        label=_("What is corrected and why"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A correction creates nothing: the state the user saw guards it instead.
        del self.fields["handlers"], self.fields["submission_key"]


def _comment() -> forms.CharField:
    return forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class AcceptForm(StateForm):
    decided_on = forms.DateField(label=_("Decided on"), widget=DATE_WIDGET, required=False)
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class RejectForm(StateForm):
    decided_on = forms.DateField(label=_("Decided on"), widget=DATE_WIDGET, required=False)
    reason = forms.CharField(
        label=_("Reason for not accepting"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class StartHandlingForm(StateForm):
    started_on = forms.DateField(label=_("Handed over on"), widget=DATE_WIDGET, required=False)
    handlers = UserMultipleChoiceField(
        label=_("Handlers"), queryset=User.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    comment = _comment()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["handlers"].queryset = petition_officers()  # type: ignore[attr-defined]


class ConcludeForm(StateForm):
    concluded_on = forms.DateField(label=_("Concluded on"), widget=DATE_WIDGET, required=False)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=[("", "—"), *Outcome.choices], required=False)
    opinion = forms.CharField(label=_("Handling opinion"), widget=forms.Textarea, required=False)
    reply_received_on = forms.DateField(
        label=_("Written reply received on"),
        widget=DATE_WIDGET,
        required=False,
        help_text=_("The petitioner's 30 days to ask for a review count from this day."),
    )
    comment = _comment()


class ReviewRequestForm(StateForm):
    requested_on = forms.DateField(label=_("Requested on"), widget=DATE_WIDGET, required=False)
    unit = UnitChoiceField(label=_("Reviewing body"), queryset=OrgUnit.objects.none(), required=False)
    grounds = forms.CharField(label=_("Grounds"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    comment = _comment()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = active_units()  # type: ignore[attr-defined]


class ReviewDecisionForm(StateForm):
    decided_on = forms.DateField(label=_("Opinion issued on"), widget=DATE_WIDGET, required=False)
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=[("", "—"), *ReviewOutcome.choices], required=False
    )
    opinion = forms.CharField(label=_("Opinion"), widget=forms.Textarea, required=False)
    reply_received_on = forms.DateField(
        label=_("Opinion received on"),
        widget=DATE_WIDGET,
        required=False,
        help_text=_("The petitioner's 30 days to ask for a re-review count from this day."),
    )
    comment = _comment()


class RereviewDecisionForm(StateForm):
    decided_on = forms.DateField(label=_("Opinion issued on"), widget=DATE_WIDGET, required=False)
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=[("", "—"), *ReviewOutcome.choices], required=False
    )
    opinion = forms.CharField(label=_("Opinion"), widget=forms.Textarea, required=False)
    comment = _comment()


class WithdrawForm(StateForm):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class HandlersForm(forms.Form):
    handlers = UserMultipleChoiceField(
        label=_("Handlers"), queryset=User.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["handlers"].queryset = petition_officers()  # type: ignore[attr-defined]


class ExtensionForm(forms.Form):
    days = forms.IntegerField(label=_("Days"), min_value=1, max_value=MAX_EXTENSION_DAYS, required=False)
    reason = forms.CharField(
        label=_("Reason (told to the petitioner)"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class ExtensionDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Approval decision"),
        choices=[("", "—"), ("approve", _("Approve")), ("refuse", _("Refuse"))],
        required=False,
    )
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def clean_decision(self) -> str:
        value: str = self.cleaned_data.get("decision") or ""
        if not value:
            raise forms.ValidationError(_("Approve or refuse the extension."))
        return value


def _subject_help() -> str:
    return " ".join(f"{kind.label}：{SUBJECT_DUTIES[kind]}" for kind in SubjectKind)


class ResponsibilityForm(forms.Form):
    subject_kind = forms.ChoiceField(
        label=_("Kind of responsibility subject"), choices=[("", "—"), *SubjectKind.choices], required=False
    )
    org_unit = UnitChoiceField(label=_("Responsible body"), queryset=OrgUnit.objects.none(), required=False)
    person = StaffNumberField(label=_("Responsible person (staff number)"), required=False, max_length=32)
    level = forms.ChoiceField(label=_("Responsibility level"), required=False)
    duty = forms.CharField(
        label=_("Duty concerned"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].queryset = active_units()  # type: ignore[attr-defined]
        from .models import ResponsibilityLevel

        individual = [
            (level.value, level.label) for level in ResponsibilityLevel if level in INDIVIDUAL_LEVELS
        ]
        collective = [
            (level.value, level.label) for level in ResponsibilityLevel if level in COLLECTIVE_LEVELS
        ]
        self.fields["level"].choices = [  # type: ignore[attr-defined]
            ("", _("— (a body: collective responsibility)")),
            (_("Individual responsibility"), individual),
            (_("Collective responsibility"), collective),
        ]
        self.fields["subject_kind"].help_text = _subject_help()

    def spec(self) -> actions.ResponsibilitySpec:
        data = self.cleaned_data
        return actions.ResponsibilitySpec(
            subject_kind=data.get("subject_kind") or "",
            org_unit=data.get("org_unit"),
            person=data.get("person"),
            level=data.get("level") or "",
            duty=data.get("duty") or "",
        )


class FailureForm(forms.Form):
    situation = ClauseChoiceField(
        label=_("Situation (Article 11)"), queryset=Clause.objects.none(), required=False
    )
    conduct_date = forms.DateField(label=_("Date of the failure"), widget=DATE_WIDGET, required=False)
    facts = forms.CharField(
        label=_("Facts of the failure"),
        widget=forms.Textarea,
        required=False,
        help_text=_("The case file is read by others: do not copy the petitioner's personal data here."),
    )
    responsibilities = forms.ModelMultipleChoiceField(
        label=_("Responsible"),
        queryset=PetitionResponsibility.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, responsibilities: QuerySet[PetitionResponsibility], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["situation"].queryset = Clause.objects.filter(  # type: ignore[attr-defined]
            pk__in=[clause.pk for clause in actions.article_11_situations()]
        ).order_by("item")
        self.fields["responsibilities"].queryset = responsibilities  # type: ignore[attr-defined]
        self.fields["responsibilities"].label_from_instance = (  # type: ignore[attr-defined]
            lambda row: (
                f"{row.name}（{row.get_subject_kind_display()}"
                + (f"，{row.get_level_display()}" if row.level else "")
                + "）"
            )
        )


class SupervisionForm(forms.Form):
    supervised_on = forms.DateField(label=_("Supervised on"), widget=DATE_WIDGET, required=False)
    findings = forms.CharField(label=_("Supervision findings"), widget=forms.Textarea, required=False)


class AssessmentForm(forms.Form):
    grade = forms.ChoiceField(label=_("Grade"), choices=[("", "—"), *Grade.choices], required=False)
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
