"""Pagination that stays fast on very large lists: counting stops at a cap, and the filters run once.

Counting 200,000 permission-filtered rows costs more than the page itself. Past `cap` rows the exact
total helps nobody — the user narrows the list with filters — so the paginator reads at most cap + 1
rows and the page says "10000+".

For a queryset it reads those rows' primary keys, in the list's order, in one query: that gives the count
and the keys of every page, so the filters (permissions, a unit subtree, a form of accountability) are
evaluated once per request instead of once for the count and again for the page. The page's rows are
then fetched by primary key: through the same queryset, or through the `rows` lookup a caller passes
when rebuilding its filters would cost more than the lookup (the case list).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import cached_property
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet


class CappedPaginator(Paginator):
    cap = 10_000

    def __init__(
        self,
        *args: Any,
        cap: int | None = None,
        rows: Callable[[list[Any]], Iterable[Any]] | None = None,
        **kwargs: Any,
    ) -> None:
        """`rows(keys)` fetches a page's rows by primary key; by default the list's own queryset does,
        its filters applied again. A caller whose filters are costly to build passes a plain lookup."""
        super().__init__(*args, **kwargs)
        if cap is not None:
            self.cap = cap
        self.rows = rows

    @cached_property
    def _head_keys(self) -> list[Any] | None:
        if not isinstance(self.object_list, QuerySet):
            return None
        return list(self.object_list.values_list("pk", flat=True)[: self.cap + 1])

    @cached_property
    def _counted(self) -> int:
        keys = self._head_keys
        return len(keys) if keys is not None else len(self.object_list[: self.cap + 1])

    @cached_property
    def count(self) -> int:
        return min(self._counted, self.cap)

    @property
    def capped(self) -> bool:
        """More rows exist than were counted."""
        return self._counted > self.cap

    def page(self, number: Any) -> Page:
        keys = self._head_keys
        if keys is None:
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        wanted = keys[bottom:top]
        if self.rows is not None:
            found = self.rows(wanted)
        else:
            queryset: QuerySet[Any] = self.object_list  # type: ignore[assignment]
            found = queryset.order_by().filter(pk__in=wanted)
        rows = {row.pk: row for row in found}
        # A row deleted between the two queries is left out rather than shown as a gap.
        return Page([rows[key] for key in wanted if key in rows], number, self)
