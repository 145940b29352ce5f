"""The inspection office's admin: rounds, teams, assignments and the escalation ladder.

Findings, rectification items and escalations are read-only here: they change through the pages and
`inspections/actions.py`. Saving a team syncs its object permissions (audited: the team page lists every
grant and revocation); saving an assignment adds its checklist.
"""

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from accountability.admin_inlines import AccessChangeInline

from . import actions, escalation
from .escalation import schedule
from .models import (
    Action,
    Assignment,
    Escalation,
    EscalationRun,
    EscalationStep,
    Finding,
    InspectionRound,
    InspectionTeam,
    Recipient,
    RectificationItem,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class TeamInline(admin.TabularInline):
    model = InspectionTeam
    fields = ("name", "leader")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(InspectionRound)
class InspectionRoundAdmin(SimpleHistoryAdmin):
    list_display = ("name", "year", "starts_on", "ends_on")
    search_fields = ("name",)
    inlines = [TeamInline]


@admin.register(InspectionTeam)
class InspectionTeamAdmin(SimpleHistoryAdmin):
    list_display = ("name", "round", "leader")
    list_filter = ("round",)
    list_select_related = ("round", "leader")
    filter_horizontal = ("members",)
    search_fields = ("name",)
    inlines = [AccessChangeInline]

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        actions.sync_team_permissions(form.instance, by=request.user)  # type: ignore[arg-type]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Assignment)
class AssignmentAdmin(SimpleHistoryAdmin):
    list_display = ("team", "unit", "stage", "stationed_on", "withdrawn_on", "feedback_on")
    list_filter = ("team__round", "stage")
    list_select_related = ("team__round", "unit")
    autocomplete_fields = ("unit",)

    def save_model(self, request: HttpRequest, obj: Assignment, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        actions.ensure_checklist(obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class EscalationStepForm(forms.ModelForm):
    recipients = forms.MultipleChoiceField(
        label=_("recipients"), choices=Recipient.choices, widget=forms.CheckboxSelectMultiple, required=False
    )

    class Meta:
        model = EscalationStep
        fields = ["code", "name", "offset_days", "level", "colour", "recipients", "action", "active"]


@admin.register(EscalationStep)
class EscalationStepAdmin(SimpleHistoryAdmin):
    form = EscalationStepForm
    list_display = ("name", "offset_days", "level", "colour", "action", "active")
    list_editable = ("active",)
    ordering = ("offset_days",)

    def save_model(self, request: HttpRequest, obj: EscalationStep, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        # The items' next due days follow the ladder (the daily run would also notice the change).
        schedule()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # A fired step is history: deactivate it instead.
        return (
            obj is not None and not obj.escalations.exists() and super().has_delete_permission(request, obj)
        )


@admin.register(EscalationRun)
class EscalationRunAdmin(ReadOnlyAdmin):
    list_display = ("day", "started_at", "finished_at", "fired", "notifications", "cases_queued")
    date_hierarchy = "day"


class ClueFilter(admin.SimpleListFilter):
    """The clue-opening steps by how their clue stands; `?clue=failed` is linked from the admins' report."""

    title = _("accountability clue")
    parameter_name = "clue"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("failed", _("Could not be opened")), ("opened", _("Opened"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Escalation]) -> QuerySet[Escalation]:
        clues = queryset.filter(step__action=Action.OPEN_CASE)
        if self.value() == "failed":
            return clues.filter(case__isnull=True).exclude(failure="", reported_on__isnull=True)
        if self.value() == "opened":
            return clues.filter(case__isnull=False)
        return queryset


@admin.register(Escalation)
class EscalationAdmin(ReadOnlyAdmin):
    list_display = ("item", "step", "fired_on", "superseded", "case", "failure", "reported_on")
    list_filter = (ClueFilter, "step", "superseded")
    list_select_related = ("item__responsible_unit", "step", "case")
    show_full_result_count = False
    actions = ["retry_clues"]

    @admin.action(description=_("Try opening the clues again"), permissions=["view"])
    def retry_clues(self, request: HttpRequest, queryset: QuerySet[Escalation]) -> None:
        ids = escalation.retry_clues(queryset.values_list("pk", flat=True))
        self.message_user(
            request, _("%(count)d clues will be tried again in the background.") % {"count": len(ids)}
        )


@admin.register(Finding)
class FindingAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "assignment", "status", "logged_by", "logged_at")
    list_filter = ("status", "category")
    list_select_related = ("assignment__team", "assignment__unit", "logged_by")


@admin.register(RectificationItem)
class RectificationItemAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "responsible_person", "deadline", "status")
    list_filter = ("status",)
    list_select_related = ("responsible_unit", "responsible_person")
    date_hierarchy = "deadline"
    show_full_result_count = False
