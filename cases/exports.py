"""Excel export of a case list (the same permission-filtered queryset as the page); written, and every
cell guarded against formulas, by `kernel.xlsx`."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _

from kernel.xlsx import Sheet

from .models import Case, CaseSource, CaseState


def cases_sheet(cases: Iterable[Case]) -> Sheet:
    def rows() -> Iterable[list[Any]]:
        for case in cases:
            targets = "、".join(target.name for target in case.targets.all())
            lead = case.lead_officer
            officer = lead.get_full_name() or lead.username if lead else ""
            yield [
                case.number,
                case.title,
                str(CaseState(case.state).label),
                str(CaseSource(case.source).label),
                case.unit.name,
                targets,
                officer,
                case.conduct_date,
                case.decision_date,
                case.delivered_on,
                case.next_due_on,
            ]

    return Sheet(
        _("Cases"),
        [
            _("Number"),
            _("Title"),
            _("State"),
            _("Source"),
            _("Unit concerned"),
            _("Targets"),
            _("Lead officer"),
            _("Conduct date"),
            _("Decision date"),
            _("Delivered on"),
            _("Next deadline"),
        ],
        rows(),
    )
