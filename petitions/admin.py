"""A read-only view of petitions for superusers: changes go through petitions/actions/, not the admin.

The petitioner's personal data is shown masked here too: only the petition officers handling a petition
see it in full (petitions/access.py). Nobody may filter, search or sort on it here either
(accountability/admin_masking.py): a filter on a masked field would read it back one guess at a time.
"""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from accountability.admin_inlines import AccessChangeInline
from accountability.admin_masking import MaskedFieldsAdmin, never, protect
from registry.privacy import mask_id_number, mask_name, mask_phone

from .access import mask_address, petitioner_for_display
from .models import Assessment, Petition, PetitionTransition, SupervisionPlan

PERSONAL_FIELDS = ("petitioner_name", "petitioner_id_number", "petitioner_phone", "petitioner_address")

protect(
    Petition,
    {
        "petitioner_name": mask_name,
        "petitioner_id_number": mask_id_number,
        "petitioner_phone": mask_phone,
        "petitioner_address": mask_address,
    },
    full_for=never,
)


class ReadOnlyAdmin(MaskedFieldsAdmin, SimpleHistoryAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class TransitionInline(admin.TabularInline):
    model = PetitionTransition
    fields = ("name", "source_state", "target_state", "by", "at", "comment", "was_late")
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Petition)
class PetitionAdmin(ReadOnlyAdmin):
    list_display = ("number", "subject", "state", "channel", "responsible_unit", "received_on", "next_due_on")
    list_filter = ("state", "channel", "year")
    search_fields = ("subject",)
    list_select_related = ("responsible_unit",)
    exclude = PERSONAL_FIELDS
    readonly_fields = ("petitioner_masked",)
    inlines = [TransitionInline, AccessChangeInline]
    show_full_result_count = False

    @admin.display(description=_("petitioner (masked)"))
    def petitioner_masked(self, obj: Petition) -> str:
        shown = petitioner_for_display(obj, full=False)
        return " ".join(value for value in shown.values() if value) or "—"


@admin.register(SupervisionPlan)
class SupervisionPlanAdmin(ReadOnlyAdmin):
    list_display = ("unit", "year", "state", "supervised_on", "missed_on")
    list_filter = ("year", "state")
    list_select_related = ("unit",)


@admin.register(Assessment)
class AssessmentAdmin(ReadOnlyAdmin):
    list_display = ("unit", "year", "grade", "assessed_by", "assessed_at")
    list_filter = ("year", "grade")
    list_select_related = ("unit", "assessed_by")
