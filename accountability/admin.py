"""The shell's admin: the site's titles and user accounts (with their profile) and role groups, under
the account rule of `accountability.accounts`. The registry's models have theirs in `registry/admin.py`."""

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group
from django.forms.widgets import CheckboxInput
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from registry.models import Profile

from . import accounts

admin.site.site_header = _("Accountability case system administration")
admin.site.site_title = _("Accountability case system")
admin.site.index_title = _("Administration")


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
