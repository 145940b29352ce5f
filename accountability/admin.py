"""The registry's admin: units, people, regulations, deadline rules, the work calendar; user accounts."""

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.forms.widgets import CheckboxInput
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportMixin
from import_export.formats.base_formats import XLSX
from import_export.forms import SelectableFieldsExportForm
from simple_history.admin import SimpleHistoryAdmin

from . import accounts, roles
from .admin_masking import MaskedFieldsAdmin, protect
from .imports.resources import OrgUnitResource, PersonResource
from .models import Clause, DeadlineRule, OrgUnit, Person, Profile, Regulation, WorkCalendarDay
from .privacy import is_registry_admin, mask_birth_date, mask_id_number, mask_phone
from .services.units import save_unit

admin.site.site_header = _("Accountability case system administration")
admin.site.site_title = _("Accountability case system")
admin.site.index_title = _("Administration")


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


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False
    autocomplete_fields = ("person", "unit")
    verbose_name_plural = _("profile")

    # The profile's unit is a jurisdiction: it follows the account rule like the roles do.
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_add_permission(request, obj) and accounts.can_manage_account(request.user, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_change_permission(request, obj) and accounts.can_manage_account(request.user, obj)


class AccountRightsFormMixin(forms.BaseForm):
    """Refuses, with the rule's own words, a submitted account form that asks for rights beyond the
    submitter's: the fields they may not edit are not in their form, so such a request can only be
    forged, and it is refused whole rather than silently trimmed."""

    actor: Any = None
    target: Any = None

    def _raw_flag(self, name: str) -> bool:
        return bool(CheckboxInput().value_from_datadict(self.data, self.files, self.add_prefix(name)))

    def _raw_ids(self, name: str) -> list[int]:
        values = self.data.getlist(self.add_prefix(name)) if hasattr(self.data, "getlist") else []
        return [int(value) for value in values if str(value).isdigit()]

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        requested: dict[str, Any] = {}
        for flag in ("is_superuser", "is_staff"):
            requested[flag] = bool(cleaned.get(flag)) if flag in self.fields else self._raw_flag(flag)
        if "groups" in self.fields:
            requested["groups"] = list(cleaned.get("groups") or ())
        else:
            requested["groups"] = list(Group.objects.filter(pk__in=self._raw_ids("groups")))
        if "user_permissions" in self.fields:
            requested["user_permissions"] = list(cleaned.get("user_permissions") or ())
        else:
            requested["user_permissions"] = self._raw_ids("user_permissions")
        for message in accounts.account_change_errors(self.actor, self.target, **requested):
            self.add_error(None, message)
        return cleaned


User = get_user_model()
admin.site.unregister(User)
admin.site.unregister(Group)

PRIVILEGED_FIELDS = ("is_staff", "is_superuser")


@admin.register(User)
class AccountUserAdmin(UserAdmin):
    """Accounts, under the rule of `accountability.accounts`: system administrators manage ordinary
    accounts (business roles, unit, active flag, password); superusers manage everything."""

    inlines = [ProfileInline]
    list_display = ("username", "first_name", "last_name", "email", "is_staff", "is_active")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and accounts.can_manage_accounts(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Per object: the change form, its POST and the password page all ask this.
        if not super().has_change_permission(request, obj):
            return False
        if obj is None:
            return accounts.can_manage_accounts(request.user)
        return accounts.can_manage_account(request.user, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if not super().has_delete_permission(request, obj):
            return False
        if obj is None:
            return accounts.can_manage_accounts(request.user)
        return accounts.can_manage_account(request.user, obj)

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or request.user.is_superuser:
            return fieldsets
        # Individual permissions are not shown to those who may not grant them.
        return [
            (name, {**options, "fields": [f for f in options["fields"] if f != "user_permissions"]})
            for name, options in fieldsets
        ]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        readonly = tuple(super().get_readonly_fields(request, obj))
        if request.user.is_superuser:
            return readonly
        return readonly + PRIVILEGED_FIELDS

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "groups":
            kwargs["queryset"] = accounts.assignable_groups(request.user)
            kwargs["error_messages"] = {
                "invalid_choice": _(
                    "Only the business roles can be granted here; the system administrator role and other "
                    "groups are granted by a superuser."
                )
            }
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (AccountRightsFormMixin, form), {"actor": request.user, "target": obj})


@admin.register(Group)
class RoleGroupAdmin(GroupAdmin):
    """A group's permissions are the rights of all its members: only superusers edit groups."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return accounts.can_edit_groups(request.user) and super().has_add_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return accounts.can_edit_groups(request.user) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return accounts.can_edit_groups(request.user) and super().has_delete_permission(request, obj)
