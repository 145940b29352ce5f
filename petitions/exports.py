"""Excel export of the petition list: the same permission-filtered queryset as the page, the petitioner
masked wherever the page masks it; written, and every cell guarded against formulas, by `kernel.xlsx`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _

from kernel.xlsx import Sheet

from .access import petitioner_for_display
from .models import Petition


def petitions_sheet(petitions: Iterable[Petition], on: dt.date) -> Sheet:
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

    return Sheet(_("Petitions"), header, rows())
