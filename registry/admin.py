"""The registry's admin: units, people, regulations and clauses, deadline rules, the work calendar.

People's personal fields are masked for everyone but registry admins (`registry.privacy`, through the
shell's `accountability.admin_masking`); the roster's import and export buttons lead to the registry's own
import pages (`registry.import_views`), which keep every batch for rollback.
"""

from typing import Any

from django.apps import apps
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.encoding import iri_to_uri
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportMixin
from import_export.formats.base_formats import XLSX
from import_export.forms import SelectableFieldsExportForm
from simple_history.admin import SimpleHistoryAdmin

from accountability import roles
from accountability.admin_masking import MaskedFieldsAdmin, protect

from .imports.resources import OrgUnitResource, PersonResource
from .models import Clause, DeadlineRule, OrgUnit, Person, Regulation, WorkCalendarDay
from .privacy import is_registry_admin, mask_birth_date, mask_id_number, mask_phone
from .services.units import save_unit


class RosterExportForm(SelectableFieldsExportForm):
    """import-export's export form without its "select all" box: the box carries an inline onchange
    handler, which the Content-Security-Policy refuses (and reports). Each column keeps its own box."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            # The template draws the box above the field marked as the first of its resource.
            if getattr(field, "initial_field", False):
                field.initial_field = False


class RosterImportExportMixin(ImportExportMixin):
    """Import and export buttons for system administrators. Exports use the resource (formula-like cells
    neutralised); imports go to the registry's import page, which previews, imports all or nothing in
    the background, and keeps every batch for rollback."""

    formats = [XLSX]
    export_form_class = RosterExportForm
    import_kind = ""

    def has_import_permission(self, request: HttpRequest) -> bool:
        return roles.has_role(request.user, roles.ADMIN)

    def has_export_permission(self, request: HttpRequest) -> bool:
        return roles.has_role(request.user, roles.ADMIN)

    def import_action(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        if not self.has_import_permission(request):
            raise PermissionDenied
        return redirect(f"{reverse('registry:import_list')}?kind={self.import_kind}")

    def process_import(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        # The stock confirm step would write without a batch (no rollback, no all-or-nothing report).
        return self.import_action(request, **kwargs)


@admin.register(OrgUnit)
class OrgUnitAdmin(MaskedFieldsAdmin, RosterImportExportMixin, SimpleHistoryAdmin):
    list_display = ("code", "name", "kind", "parent", "depth", "is_active")
    list_filter = ("kind", "is_active", "depth")
    search_fields = ("code", "name")
    list_select_related = ("parent",)
    autocomplete_fields = ("parent",)
    readonly_fields = ("path", "depth")
    resource_classes = [OrgUnitResource]
    import_kind = "units"

    def save_model(self, request: HttpRequest, obj: OrgUnit, form: Any, change: bool) -> None:
        save_unit(obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Units referenced by cases are protected; deactivating is the normal path.
        return super().has_delete_permission(request, obj)


# ID number, phone and birth date: in full for registry admins, masked for every other staff user — in
# the list, the form, the history, and never a filter, search or sort key for them (admin_masking.py).
protect(
    Person,
    {"id_number": mask_id_number, "phone": mask_phone, "birth_date": mask_birth_date},
    full_for=is_registry_admin,
)


@admin.register(Person)
class PersonAdmin(MaskedFieldsAdmin, RosterImportExportMixin, SimpleHistoryAdmin):
    list_display = ("staff_no", "name", "gender", "masked_id_number", "org_unit", "post", "rank", "is_active")
    list_filter = ("gender", "political_status", "is_active")
    search_fields = ("staff_no", "name")
    list_select_related = ("org_unit",)
    autocomplete_fields = ("org_unit",)
    show_full_result_count = False
    resource_classes = [PersonResource]
    import_kind = "people"

    def get_list_display(self, request: HttpRequest) -> Any:
        if is_registry_admin(request.user):
            return [("id_number" if name == "masked_id_number" else name) for name in self.list_display]
        return self.list_display

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if is_registry_admin(request.user):
            return ()
        return ("masked_id_number", "masked_birth_date", "masked_phone")

    def get_exclude(self, request: HttpRequest, obj: Any = None) -> Any:
        return () if is_registry_admin(request.user) else ("id_number", "birth_date", "phone")

    def get_export_resource_kwargs(self, request: HttpRequest, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_export_resource_kwargs(request, **kwargs), "viewer": request.user}

    @admin.display(description=_("ID number"))
    def masked_id_number(self, obj: Person) -> str:
        return mask_id_number(obj.id_number)

    @admin.display(description=_("birth date"))
    def masked_birth_date(self, obj: Person) -> str:
        return mask_birth_date(obj.birth_date)

    @admin.display(description=_("phone"))
    def masked_phone(self, obj: Person) -> str:
        return mask_phone(obj.phone)


class ClauseInline(admin.TabularInline):
    model = Clause
    extra = 0
    fields = ("code", "article", "paragraph", "item", "kind", "short_title", "verified")
    show_change_link = True


@admin.register(Regulation)
class RegulationAdmin(SimpleHistoryAdmin):
    list_display = (
        "short_title",
        "version",
        "family",
        "issuer",
        "effective_date",
        "repealed_date",
        "verified",
    )
    list_filter = ("family", "verified")
    search_fields = ("title", "short_title", "code")
    inlines = [ClauseInline]


@admin.register(Clause)
class ClauseAdmin(SimpleHistoryAdmin):
    list_display = ("regulation", "code", "citation", "kind", "short_title", "verified")
    list_filter = ("regulation", "kind", "verified")
    search_fields = ("short_title", "text", "code")
    list_select_related = ("regulation",)


@admin.register(DeadlineRule)
class DeadlineRuleAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name", "amount", "unit", "roll_over_holidays", "verified")
    list_filter = ("unit", "verified")
    search_fields = ("code", "name")
    autocomplete_fields = ("clause",)


@admin.register(WorkCalendarDay)
class WorkCalendarDayAdmin(SimpleHistoryAdmin):
    list_display = ("date", "kind", "name", "verified")
    list_filter = ("kind", "verified")
    date_hierarchy = "date"
    search_fields = ("name",)


def moved_admin_page(request: HttpRequest, model: str = "", rest: str = "") -> HttpResponse:
    """An admin page of the registry at its address before issue 11, `/admin/accountability/[<model>/...]`
    (bookmarks, links in old e-mails and notes), sent on to the same page under `/admin/registry/`."""
    if model and model not in {m._meta.model_name for m in apps.get_app_config("registry").get_models()}:
        raise Http404
    query = request.META.get("QUERY_STRING", "")
    page = f"{model}/{rest}" if model else ""
    url = f"{reverse('admin:index')}registry/{page}" + (f"?{query}" if query else "")
    return HttpResponsePermanentRedirect(iri_to_uri(url))
