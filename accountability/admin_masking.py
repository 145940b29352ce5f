"""The admin never filters, searches or sorts on personal data the viewer sees masked.

A masked ID number protects nothing if `?id_number__startswith=5323` narrows the change list: trying one
character after the other reads the number back from the result count. Each app declares which fields of
its models are personal data, how each is masked and who sees it in full (`protect`, next to its admin
classes). For everyone else, `MaskedFieldsAdmin`:

- refuses every URL lookup that reaches such a field, directly or through relations
  (`person__id_number`, `complained_person__birth_date__year`), with Django's own answer to a disallowed
  lookup, a 400 (DisallowedModelAdminLookup) — whatever the value, so a right guess and a wrong one look
  the same;
- leaves such fields out of the search fields, the list filters and the ordering;
- masks them in simple-history's list of changes.

Django itself refuses lookups through a relation unless it is a list filter; the guard also covers local
fields, which Django always allows, and relation filters someone might add later.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Model
from django.db.models.constants import LOOKUP_SEP
from django.http import HttpRequest
from simple_history.template_utils import HistoricalRecordContextHelper

Viewer = AbstractBaseUser | AnonymousUser | None
Masker = Callable[[Any], str]


@dataclasses.dataclass(frozen=True)
class Protection:
    maskers: Mapping[str, Masker]
    full_for: Callable[[Viewer], bool]


_PROTECTED: dict[type[Model], Protection] = {}


def never(user: Viewer) -> bool:
    """For data nobody sees in full in the admin (a petitioner's: only the handlers, on the pages)."""
    return False


def protect(model: type[Model], maskers: Mapping[str, Masker], *, full_for: Callable[[Viewer], bool]) -> None:
    """Declare `model`'s personal fields (name → how to mask a value) and who sees them in full."""
    _PROTECTED[model] = Protection(dict(maskers), full_for)


def masked_fields(model: type[Model], user: Viewer) -> Mapping[str, Masker]:
    """The fields of `model` this user sees masked, with their maskers."""
    protection = _PROTECTED.get(model._meta.concrete_model or model)
    if protection is None or protection.full_for(user):
        return {}
    return protection.maskers


def reaches_masked_field(model: type[Model], lookup: str, user: Viewer) -> bool:
    """Whether a lookup path (`targets__person__id_number__startswith`) touches, on any model along the
    way, a field this user sees masked."""
    for part in lookup.split(LOOKUP_SEP):
        if part in masked_fields(model, user):
            return True
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return False
        if not field.is_relation or field.related_model is None:
            # A plain field: the rest are transforms and lookups on its value.
            return False
        model = field.related_model
    return False


def _path(entry: Any) -> str | None:
    """The field path of a search field (`^name`), list filter (`"unit"`, `("unit", Filter)`) or
    ordering (`-birth_date`); None for a SimpleListFilter class, which names no field."""
    if isinstance(entry, (list, tuple)):
        entry = entry[0]
    if isinstance(entry, str):
        return entry.lstrip("-^=@")
    return None


class MaskedHistoryHelper(HistoricalRecordContextHelper):
    """simple-history's diff of two versions, with the viewer's masked fields masked."""

    def __init__(self, model: type[Model], record: Any, *, maskers: Mapping[str, Masker]) -> None:
        super().__init__(model, record)
        self.maskers = maskers

    def format_delta_change(self, change: Any) -> Any:
        formatted = super().format_delta_change(change)
        masker = self.maskers.get(change.field)
        if masker is None:
            return formatted
        return dataclasses.replace(formatted, old=masker(change.old), new=masker(change.new))


class MaskedFieldsAdmin:
    """Mixin for a ModelAdmin (before it in the bases) whose model, or a model it reaches, is protected."""

    model: type[Model]

    def _keep(self, entries: Iterable[Any], request: HttpRequest) -> list[Any]:
        kept = []
        for entry in entries:
            path = _path(entry)
            if path is None or not reaches_masked_field(self.model, path, request.user):
                kept.append(entry)
        return kept

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest | None = None) -> bool:
        user = request.user if request is not None else None
        if reaches_masked_field(self.model, lookup, user):
            return False
        return super().lookup_allowed(lookup, value, request)  # type: ignore[misc]

    def get_search_fields(self, request: HttpRequest) -> Any:
        return self._keep(super().get_search_fields(request), request)  # type: ignore[misc]

    def get_list_filter(self, request: HttpRequest) -> Any:
        return self._keep(super().get_list_filter(request), request)  # type: ignore[misc]

    def get_ordering(self, request: HttpRequest) -> Any:
        return self._keep(super().get_ordering(request) or (), request)  # type: ignore[misc]

    def get_sortable_by(self, request: HttpRequest) -> Any:
        return self._keep(super().get_sortable_by(request), request)  # type: ignore[misc]

    def get_historical_record_context_helper(self, request: HttpRequest, historical_record: Any) -> Any:
        maskers = masked_fields(self.model, request.user)
        if maskers:
            return MaskedHistoryHelper(self.model, historical_record, maskers=maskers)
        return super().get_historical_record_context_helper(request, historical_record)  # type: ignore[misc]
