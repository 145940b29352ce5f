"""Petition work on the home page: deadlines near or passed, extensions to decide, units to supervise."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accountability import roles
from accountability.dashboard import Card

from .access import plans_for_user, visibility_filter
from .models import Petition, PetitionExtension, PetitionState, SupervisionPlan

SOON_DAYS = 3


def dashboard_cards(user: Any) -> list[Card]:
    is_officer = roles.has_role(user, roles.PETITION_OFFICER)
    is_approver = roles.has_role(user, roles.APPROVER)
    if not (is_officer or is_approver):
        return []
    today = timezone.localdate()
    url = reverse("petitions:list")
    cards: list[Card] = []
    if is_officer:
        counts = Petition.objects.filter(visibility_filter(user)).aggregate(
            overdue=Count("id", filter=Q(next_due_on__lt=today)),
            soon=Count(
                "id", filter=Q(next_due_on__gte=today, next_due_on__lte=today + dt.timedelta(days=SOON_DAYS))
            ),
            to_accept=Count("id", filter=Q(state=PetitionState.REGISTERED)),
        )
        plans = plans_for_user(user).filter(year=today.year, state=SupervisionPlan.State.PLANNED).count()
        cards += [
            Card(_("Petitions past their deadline"), counts["overdue"], f"{url}?overdue=true", "danger"),
            Card(
                _("Petitions due within %(days)s days") % {"days": SOON_DAYS},
                counts["soon"],
                f"{url}?overdue=false&sort=due",  # the soonest deadlines first
                "warn",
            ),
            Card(_("Petitions awaiting acceptance"), counts["to_accept"], f"{url}?state=registered", "info"),
            Card(
                _("Units not yet supervised this year"),
                plans,
                f"{reverse('petitions:supervision')}?year={today.year}",
                "warn" if today.month >= 10 else "info",
            ),
        ]
    if is_approver:
        pending = PetitionExtension.objects.filter(
            decision=PetitionExtension.Decision.PENDING,
            petition__in=Petition.objects.filter(visibility_filter(user)),
        ).count()
        cards.append(Card(_("Extensions awaiting your decision"), pending, url, "warn"))
    for card in cards:
        card.group = _("Petitions")
    return cards
