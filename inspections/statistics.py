"""Rectification figures: completion and overdue rates by responsible unit, rolled up the unit tree."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, F, Q
from django.utils.translation import gettext as _

from accountability import roles
from accountability.statistics import StatsFilters, Table, UnitTree, jurisdiction_root, percent
from registry.models import OrgUnit

from .access import may_see_rectification, rectification_filter
from .actions import today
from .models import ACTIVE_STATUSES, RectificationItem, RectificationStatus


def rectification_by_unit(user: Any, filters: StatsFilters) -> Table:
    items = RectificationItem.objects.filter(rectification_filter(user))
    if filters.unit is not None:
        items = items.filter(
            responsible_unit_id__in=OrgUnit.objects.filter(path__startswith=filters.unit.path).values("pk")
        )
    if filters.date_from:
        items = items.filter(deadline__gte=filters.date_from)
    if filters.date_to:
        items = items.filter(deadline__lte=filters.date_to)
    on = today()
    per_unit = (
        items.values_list("responsible_unit_id")
        .annotate(
            total=Count("id"),
            accepted=Count("id", filter=Q(status=RectificationStatus.ACCEPTED)),
            accepted_late=Count(
                "id", filter=Q(status=RectificationStatus.ACCEPTED, closed_on__gt=F("deadline"))
            ),
            overdue=Count("id", filter=Q(status__in=ACTIVE_STATUSES, deadline__lt=on)),
        )
        .order_by()
    )
    tree = UnitTree.load(filters.unit or jurisdiction_root(user))
    rows = tree.roll_up(((unit, figures) for unit, *figures in per_unit), 4)
    for row in rows:
        total, accepted, _late, overdue = row[1:5]
        row += [percent(accepted, total), percent(overdue, total)]
    return Table(
        "rectification_by_unit",
        _("Rectification by responsible unit (with sub-units)"),
        [
            _("Unit"),
            _("Items"),
            _("Accepted"),
            _("Accepted after the deadline"),
            _("Overdue now"),
            _("Completion rate (%)"),
            _("Overdue rate (%)"),
        ],
        rows,
        chart="bar",
        value_columns=(2, 4),
        note=_("Items are counted by their deadline; the rates are shares of all items of the unit."),
    )


STATISTICS_ROLES = (roles.INSPECTION_LEADER, roles.INSPECTOR, roles.CASE_OFFICER, roles.APPROVER)


def statistics_tables(user: Any, filters: StatsFilters) -> list[Table]:
    """For the inspection teams and the discipline office; unit contacts follow their items in the list."""
    if not (may_see_rectification(user) and roles.has_role(user, *STATISTICS_ROLES)):
        return []
    return [rectification_by_unit(user, filters)]
