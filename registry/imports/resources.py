"""django-import-export resources of the registry: the columns of the roster files, in one place.

They drive the exports (the admin's and the site's) and the admin's import buttons. Their widgets clean
values with the same functions as the fast importer (`cleaning`), so the two read a file the same way;
large files go through `people`/`units`, which check whole columns at once and write set-based.
Every exported cell, the admin's included, passes the formula guard of `kernel.xlsx` last.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from import_export import fields, resources, widgets

from kernel.xlsx import neutralise

from ..models import OrgUnit, Person
from ..privacy import is_registry_admin, mask_birth_date, mask_id_number, mask_phone
from .cleaning import parse_date, text_of
from .columns import (
    GENDER_LABELS,
    GENDER_TOKENS,
    KIND_LABELS,
    KIND_TOKENS,
    PERSON_COLUMNS,
    POLITICAL_LABELS,
    POLITICAL_TOKENS,
    UNIT_COLUMNS,
    header_of,
)
from .problems import render


def _birth_year(value: Any) -> str:
    # A date when exported with native types (xlsx), its `YYYY-MM-DD` text otherwise.
    return mask_birth_date(value) if isinstance(value, dt.date) else f"{str(value)[:4]}年"


# What an export shows to a viewer who sees the person's data masked.
PERSONAL_MASKERS: dict[str, Callable[[Any], str]] = {
    "id_number": mask_id_number,
    "phone": mask_phone,
    "birth_date": _birth_year,
}


class TokenWidget(widgets.Widget):
    """A choice field written with the file's tokens (男, 中共党员, 乡镇) instead of its stored values."""

    def __init__(self, tokens: dict[str, Any], labels: dict[Any, str]) -> None:
        super().__init__(coerce_to_string=True)
        self.tokens = tokens
        self.labels = labels

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Any:
        text = text_of(value)
        if not text:
            return None
        if text not in self.tokens:
            raise ValueError(render("choice", {"value": text, "choices": "、".join(self.labels.values())}))
        return self.tokens[text]

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        return self.labels.get(value, "")


class ChineseDateWidget(widgets.DateWidget):
    """Excel dates and 2020-01-02, 2020/1/2, 2020.1.2, 2020年1月2日, 20200102."""

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> dt.date | None:
        if value is None or text_of(value) == "":
            return None
        parsed = parse_date(value)
        if isinstance(parsed, dt.date):
            return parsed
        code, params = parsed
        raise ValueError(render(code, params))


class NeutralisingResource(resources.ModelResource):
    """Each exported row through the formula guard, after every field's own export (masking included), so
    that no subclass can put text after the guard."""

    def export_resource(self, instance: Any, selected_fields: Any = None, **kwargs: Any) -> list[Any]:
        row = super().export_resource(instance, selected_fields, **kwargs)
        return [neutralise(value) for value in row]


def _person_header(key: str) -> str:
    return header_of(PERSON_COLUMNS, key)


def _unit_header(key: str) -> str:
    return header_of(UNIT_COLUMNS, key)


class PersonResource(NeutralisingResource):
    """The people roster. Exports hold the ID number, phone and birth date in full only for a `viewer` who
    sees them in full (registry/privacy.py); without a viewer, or for anyone else, they are masked."""

    staff_no = fields.Field(attribute="staff_no", column_name=_person_header("staff_no"))
    name = fields.Field(attribute="name", column_name=_person_header("name"))
    gender = fields.Field(
        attribute="gender",
        column_name=_person_header("gender"),
        widget=TokenWidget(GENDER_TOKENS, GENDER_LABELS),
    )
    id_number = fields.Field(attribute="id_number", column_name=_person_header("id_number"))
    birth_date = fields.Field(
        attribute="birth_date", column_name=_person_header("birth_date"), widget=ChineseDateWidget()
    )
    political_status = fields.Field(
        attribute="political_status",
        column_name=_person_header("political_status"),
        widget=TokenWidget(POLITICAL_TOKENS, POLITICAL_LABELS),
    )
    unit_code = fields.Field(
        attribute="org_unit",
        column_name=_person_header("unit_code"),
        widget=widgets.ForeignKeyWidget(OrgUnit, field="code"),
    )
    unit_name = fields.Field(
        attribute="org_unit__name", column_name=_person_header("unit_name"), readonly=True
    )
    post = fields.Field(attribute="post", column_name=_person_header("post"))
    rank = fields.Field(attribute="rank", column_name=_person_header("rank"))
    appointed_date = fields.Field(
        attribute="appointed_date", column_name=_person_header("appointed_date"), widget=ChineseDateWidget()
    )
    phone = fields.Field(attribute="phone", column_name=_person_header("phone"))

    class Meta:
        model = Person
        fields = tuple(column.key for column in PERSON_COLUMNS)
        export_order = fields
        import_id_fields = ("staff_no",)
        skip_unchanged = True
        use_transactions = True

    def __init__(self, viewer: Any = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.full_personal_data = is_registry_admin(viewer)

    def get_queryset(self) -> Any:
        return Person.objects.select_related("org_unit").order_by("staff_no")

    def export_field(self, field: fields.Field, instance: Any, **kwargs: Any) -> Any:
        value = super().export_field(field, instance, **kwargs)
        masker = None if self.full_personal_data else PERSONAL_MASKERS.get(field.attribute or "")
        return masker(value) if masker and value not in (None, "") else value


class OrgUnitResource(NeutralisingResource):
    code = fields.Field(attribute="code", column_name=_unit_header("code"))
    name = fields.Field(attribute="name", column_name=_unit_header("name"))
    kind = fields.Field(
        attribute="kind", column_name=_unit_header("kind"), widget=TokenWidget(KIND_TOKENS, KIND_LABELS)
    )
    parent_code = fields.Field(
        attribute="parent",
        column_name=_unit_header("parent_code"),
        widget=widgets.ForeignKeyWidget(OrgUnit, field="code"),
    )

    class Meta:
        model = OrgUnit
        fields = tuple(column.key for column in UNIT_COLUMNS)
        export_order = fields
        import_id_fields = ("code",)
        skip_unchanged = True
        use_transactions = True

    def get_queryset(self) -> Any:
        # Tree order: every parent comes before its children.
        return OrgUnit.objects.select_related("parent").order_by("path", "code")
