"""The case officer's and approver's pending actions on the home page, counted in one query."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from accountability import roles
from accountability.dashboard import Card

from .access import visibility_filter
from .deadlines import today
from .models import TERMINAL_STATES, Case, CaseState


def dashboard_cards(user: Any) -> list[Card]:
    is_officer = roles.has_role(user, roles.CASE_OFFICER)
    is_approver = roles.has_role(user, roles.APPROVER)
    if not (is_officer or is_approver):
        return []
    url = reverse("cases:list")
    mine = Q(lead_officer_id=user.pk)
    overdue = Q(next_due_on__lt=today()) & ~Q(state__in=TERMINAL_STATES)
    counts = Case.objects.filter(visibility_filter(user)).aggregate(
        to_initiate=Count("id", filter=Q(state=CaseState.DRAFT)),
        to_decide=Count("id", filter=Q(state=CaseState.DETERMINED)),
        appeals=Count("id", filter=Q(state=CaseState.APPEALED)),
        investigating=Count("id", filter=mine & Q(state=CaseState.INITIATED)),
        to_deliver=Count("id", filter=mine & Q(state=CaseState.DECIDED)),
        to_record=Count("id", filter=mine & Q(state=CaseState.DELIVERED)),
        # Responded, and the appeal window (the state's deadline) has passed: the officer may close it.
        to_close=Count("id", filter=mine & Q(state=CaseState.RESPONDED, next_due_on__lt=today())),
        overdue=Count("id", filter=overdue & (mine if is_officer and not is_approver else Q())),
    )
    cards: list[Card] = []
    if is_approver:
        cards += [
            Card(_("Clues awaiting approval"), counts["to_initiate"], f"{url}?state=draft", "warn"),
            Card(_("Cases awaiting your decision"), counts["to_decide"], f"{url}?state=determined", "warn"),
            Card(_("Appeals awaiting decision"), counts["appeals"], f"{url}?state=appealed", "danger"),
        ]
    if is_officer:
        officer = f"&officer={user.pk}"
        cards += [
            Card(
                _("My cases under investigation"),
                counts["investigating"],
                f"{url}?state=initiated{officer}",
                "info",
            ),
            Card(_("Decisions to deliver"), counts["to_deliver"], f"{url}?state=decided{officer}", "warn"),
            Card(_("Responses to record"), counts["to_record"], f"{url}?state=delivered{officer}", "warn"),
            Card(
                _("Cases to close: the appeal window has passed"),
                counts["to_close"],
                f"{url}?state=responded&overdue=true{officer}",
                "info",
            ),
        ]
    cards.append(Card(_("Cases past a deadline"), counts["overdue"], f"{url}?overdue=true", "danger"))
    for card in cards:
        card.group = _("Accountability cases")
    return cards
