"""List filters the apps share (django-filter)."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django_filters.constants import EMPTY_VALUES


class OrderingFilter(django_filters.OrderingFilter):
    """django-filter's ordering filter, where one choice may order by several fields.

    A register number reads year then sequence, so `fields` may map a tuple of field names to one
    parameter: `((("year", "sequence"), "number"), ...)`. The stock filter passes the tuple itself to
    `order_by` and the page fails; here `-number` orders by `-year, -sequence`.
    """

    def filter(self, qs: QuerySet[Any], value: Any) -> QuerySet[Any]:
        if value in EMPTY_VALUES:
            return qs
        ordering: list[str] = []
        for param in value:
            if param in EMPTY_VALUES:
                continue
            descending = param.startswith("-")
            name = param[1:] if descending else param
            fields = self.param_map.get(name, name)
            for field in fields if isinstance(fields, tuple) else (fields,):
                ordering.append(f"-{field}" if descending else field)
        return qs.order_by(*ordering)
