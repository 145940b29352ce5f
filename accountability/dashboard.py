"""The home page dashboard: each app lists the user's pending actions in `<app>/dashboard.py`.

`dashboard_cards(user)` returns Cards (title, count, link, style); the home page groups them by app.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kernel.hooks import contributions


@dataclass
class Card:
    title: str
    count: int
    url: str
    style: str = ""  # "", "info", "warn", "danger", or a rectification colour: "green", "yellow", "red"
    group: str = ""


def dashboard_cards(user: Any) -> list[Card]:
    return [
        card
        for hook in contributions("dashboard", "dashboard_cards", collector=__name__)
        for card in hook(user)
    ]


def grouped(cards: list[Card]) -> list[tuple[str, list[Card]]]:
    groups: dict[str, list[Card]] = {}
    for card in cards:
        groups.setdefault(card.group, []).append(card)
    return list(groups.items())
