"""The integrity record (廉政档案) of a person: cases, decided forms, impact periods; and case links.

Other apps plug in through `<app>/integrity.py`:
- `integrity_sections(person, user)` returns sections for a person's record, each a dict with at least
  "title" and "template" (a template included with `section` in its context);
- `case_links(case, user)` returns where a case came from or what it led to, each a dict with "label"
  and "url" (a finding transferred as this clue, a petition, an overdue rectification item).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch

from kernel.hooks import contributions
from registry.models import Person

from .access import cases_for_user
from .deadlines import today
from .models import DecidedForm, Target


def _hooks(function_name: str) -> list[Any]:
    return contributions("integrity", function_name, collector=__name__)


def other_sections(person: Person, user: Any) -> list[dict[str, Any]]:
    return [section for hook in _hooks("integrity_sections") for section in hook(person, user)]


def case_links(case: Any, user: Any) -> list[dict[str, Any]]:
    return [link for hook in _hooks("case_links") for link in hook(case, user)]


def integrity_record(person: Person, user: Any) -> dict[str, Any]:
    on = today()
    visible_cases = cases_for_user(user)
    targets = list(
        Target.objects.filter(person=person, case__in=visible_cases)
        .select_related("case", "case__unit")
        .prefetch_related(Prefetch("forms", queryset=DecidedForm.objects.order_by("pk")))
        .order_by("-case__year", "-case__sequence")
    )
    periods: list[dict[str, Any]] = [
        {"target": target, "form": form, "running": form.impact_running_on(on)}
        for target in targets
        for form in target.forms.all()
        if form.impact_ends_on is not None
    ]
    running = [period for period in periods if period["running"]]
    return {
        "person": person,
        "targets": targets,
        "periods": periods,
        "running": running,
        "running_until": max((period["form"].impact_ends_on for period in running), default=None),
        "today": on,
        "sections": other_sections(person, user),
    }
