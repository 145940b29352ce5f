"""A read-only view of cases for superusers: changes go through cases/actions.py, not the admin."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from accountability.admin_inlines import AccessChangeInline

from .models import Case, CaseTransition, Target


class TargetInline(admin.TabularInline):
    model = Target
    fields = ("org_unit", "person", "responsibility")
    readonly_fields = fields
    extra = 0
    can_delete = False


class TransitionInline(admin.TabularInline):
    model = CaseTransition
    fields = ("name", "source_state", "target_state", "by", "at", "comment")
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Case)
class CaseAdmin(SimpleHistoryAdmin):
    list_display = ("number", "title", "state", "source", "unit", "lead_officer", "created_at")
    list_filter = ("state", "source", "year", "confidential")
    search_fields = ("title",)
    list_select_related = ("unit", "lead_officer")
    inlines = [TargetInline, TransitionInline, AccessChangeInline]
    show_full_result_count = False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [field.name for field in Case._meta.fields] + ["situations"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
