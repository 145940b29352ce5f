"""Excel export of a case list (the same permission-filtered queryset as the page)."""

from __future__ import annotations

from collections.abc import Iterable
from io import BytesIO

from django.utils.translation import gettext as _
from openpyxl import Workbook

from accountability.validators import looks_like_formula

from .models import Case, CaseSource, CaseState


def safe_cell(value: object) -> object:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe-like quote."""
    if looks_like_formula(value):
        return "'" + str(value)
    return value


def cases_workbook(cases: Iterable[Case]) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Cases"))
    sheet.append(
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
        ]
    )
    for case in cases:
        targets = "、".join(target.name for target in case.targets.all())
        officer = case.lead_officer.get_full_name() or case.lead_officer.username if case.lead_officer else ""
        sheet.append(
            [
                safe_cell(value)
                for value in (
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
                )
            ]
        )
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()
