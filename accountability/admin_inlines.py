"""Inlines that several apps' admins share: the access log of a record, read-only."""

from typing import Any

from django.contrib.contenttypes.admin import GenericTabularInline
from django.http import HttpRequest

from .models import AccessChange


class AccessChangeInline(GenericTabularInline):
    """The grants and revocations of the record (accountability/grants.py); never edited here."""

    model = AccessChange
    ct_field = "content_type"
    ct_fk_field = "object_id"
    fields = ("at", "user", "granted", "permissions", "grounds", "cause", "by")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Shown on the record's own admin page, to whoever may open it: the log follows the record.
        return True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
