"""Inspection work on the home page: findings to verify, reports to accept, rectification items by colour."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from accountability import roles
from accountability.dashboard import Card

from .access import findings_for_user, may_see_rectification, rectification_filter
from .actions import today
from .ladder import colour_filter, ladder
from .models import ACTIVE_STATUSES, Colour, FindingStatus, RectificationItem, RectificationStatus


def dashboard_cards(user: Any) -> list[Card]:
    cards: list[Card] = []
    if roles.has_role(user, roles.INSPECTION_LEADER):
        to_verify = (
            findings_for_user(user).filter(status=FindingStatus.LOGGED, assignment__team__leader=user).count()
        )
        cards.append(
            Card(_("Findings awaiting your verification"), to_verify, reverse("inspections:home"), "warn")
        )
    if may_see_rectification(user) and not roles.has_role(user, roles.ADMIN):
        on, rungs = today(), ladder()
        active = Q(status__in=ACTIVE_STATUSES)
        counts = RectificationItem.objects.filter(rectification_filter(user)).aggregate(
            submitted=Count("id", filter=Q(status=RectificationStatus.SUBMITTED)),
            overdue=Count("id", filter=active & Q(deadline__lt=on)),
            **{
                colour: Count("id", filter=active & colour_filter(colour, on, rungs))
                for colour in (Colour.GREEN, Colour.YELLOW, Colour.RED)
            },
        )
        url = reverse("inspections:item_list")
        labels = {
            Colour.GREEN: _("Rectification items due soon (green)"),
            Colour.YELLOW: _("Rectification items near their deadline (yellow)"),
            Colour.RED: _("Rectification items overdue (red and above)"),
        }
        cards += [Card(labels[colour], counts[colour], f"{url}?colour={colour}", colour) for colour in labels]
        if roles.has_role(user, roles.INSPECTION_LEADER):
            cards.append(
                Card(
                    _("Progress reports awaiting acceptance"),
                    counts["submitted"],
                    f"{url}?status=submitted",
                    "info",
                )
            )
    for card in cards:
        card.group = _("Inspection tours")
    return cards
