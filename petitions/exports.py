"""Excel exports: the petition list (the same permission-filtered queryset as the page, the petitioner
masked wherever the page masks it), the supervision board and the assessment table."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from io import BytesIO
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook

from accountability.validators import looks_like_formula

from .access import petitioner_for_display
from .models import Petition

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def safe_cell(value: object) -> object:
    """Text a spreadsheet would run as a formula is prefixed with a quote and stays text."""
    if looks_like_formula(value):
        return "'" + str(value)
    return value


def workbook(title: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title)
    sheet.append(list(header))
    for row in rows:
        sheet.append([safe_cell(value) for value in row])
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def petitions_workbook(petitions: Iterable[Petition], on: dt.date) -> bytes:
    header = [
        _("Number"),
        _("Channel"),
        _("Received on"),
        _("Subject"),
        _("Petitioner"),
        _("ID number"),
        _("Phone"),
        _("Address"),
        _("Person complained about"),
        _("Unit complained about"),
        _("Responsible unit"),
        _("State"),
        _("Next deadline"),
        _("Days left"),
        _("Overdue"),
    ]

    def rows() -> Iterable[list[Any]]:
        for petition in petitions:
            shown = petitioner_for_display(petition, bool(getattr(petition, "personal_visible", False)))
            days = (petition.next_due_on - on).days if petition.next_due_on else None
            yield [
                petition.number,
                petition.get_channel_display(),
                petition.received_on,
                petition.subject,
                _("Anonymous") if petition.anonymous else shown["name"],
                shown["id_number"],
                shown["phone"],
                shown["address"],
                petition.complained_person.name if petition.complained_person else "",
                petition.complained_unit.name if petition.complained_unit else "",
                petition.responsible_unit.name,
                petition.get_state_display(),
                petition.next_due_on,
                days,
                _("Yes") if petition.is_overdue(on) else "",
            ]

    return workbook(_("Petitions"), header, rows())
