"""Pagination that stays fast on very large lists: counting stops at a cap.

Counting 200,000 permission-filtered rows costs more than the page itself. Past `cap` rows the exact
total helps nobody — the user narrows the list with filters — so the paginator counts at most cap + 1
rows and the page says "10000+".
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.core.paginator import Paginator
from django.db.models import QuerySet


class CappedPaginator(Paginator):
    cap = 10_000

    def __init__(self, *args: Any, cap: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if cap is not None:
            self.cap = cap

    @cached_property
    def _counted(self) -> int:
        head = self.object_list[: self.cap + 1]
        return head.count() if isinstance(head, QuerySet) else len(head)

    @cached_property
    def count(self) -> int:
        return min(self._counted, self.cap)

    @property
    def capped(self) -> bool:
        """More rows exist than were counted."""
        return self._counted > self.cap
