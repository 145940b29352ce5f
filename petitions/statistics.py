"""Petition figures: timeliness by unit (rolled up the unit tree), channels and states."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accountability.statistics import StatsFilters, Table, UnitTree, jurisdiction_root, percent
from registry.models import OrgUnit

from .access import can_work_on_petitions, visibility_filter
from .models import Channel, Petition, PetitionState, PetitionTransition


def scoped_petitions(user: Any, filters: StatsFilters) -> QuerySet[Petition]:
    petitions = Petition.objects.filter(visibility_filter(user))
    if filters.unit is not None:
        petitions = petitions.filter(
            responsible_unit_id__in=OrgUnit.objects.filter(path__startswith=filters.unit.path).values("pk")
        )
    if filters.date_from:
        petitions = petitions.filter(received_on__gte=filters.date_from)
    if filters.date_to:
        petitions = petitions.filter(received_on__lte=filters.date_to)
    return petitions


def timeliness_by_unit(petitions: QuerySet[Petition], root: OrgUnit | None) -> Table:
    late_step = PetitionTransition.objects.filter(petition=OuterRef("pk"), was_late=True)
    per_unit = (
        petitions.annotate(had_late_step=Exists(late_step))
        .values_list("responsible_unit_id")
        .annotate(
            received=Count("id"),
            concluded=Count("id", filter=Q(concluded_on__isnull=False)),
            late=Count("id", filter=Q(had_late_step=True)),
            overdue=Count("id", filter=Q(next_due_on__lt=timezone.localdate())),
        )
        .order_by()
    )
    tree = UnitTree.load(root)
    rows = tree.roll_up(((unit, figures) for unit, *figures in per_unit), 4)
    for row in rows:
        row.append(percent(row[1] - row[3], row[1]))
    return Table(
        "petition_timeliness",
        _("Petition timeliness by unit (with sub-units)"),
        [_("Unit"), _("Received"), _("Concluded"), _("With a late step"), _("Overdue now"), _("On time (%)")],
        rows,
        chart="bar",
        value_columns=(1, 3),
        note=_("A petition counts as late when any step of the office came after its legal deadline."),
    )


def by_channel(petitions: QuerySet[Petition]) -> Table:
    counts = dict(petitions.values_list("channel").annotate(n=Count("id")).order_by())
    return Table(
        "petitions_by_channel",
        _("Petitions by channel"),
        [_("Channel"), _("Petitions")],
        [[str(label), counts.get(value, 0)] for value, label in Channel.choices],
        chart="pie",
        totals=True,
    )


def by_state(petitions: QuerySet[Petition]) -> Table:
    counts = dict(petitions.values_list("state").annotate(n=Count("id")).order_by())
    return Table(
        "petitions_by_state",
        _("Petitions by state"),
        [_("State"), _("Petitions")],
        [[str(label), counts.get(value, 0)] for value, label in PetitionState.choices],
        chart="bar",
        totals=True,
    )


def statistics_tables(user: Any, filters: StatsFilters) -> list[Table]:
    if not can_work_on_petitions(user):
        return []
    petitions = scoped_petitions(user, filters)
    return [
        timeliness_by_unit(petitions, filters.unit or jurisdiction_root(user)),
        by_channel(petitions),
        by_state(petitions),
    ]
