"""The home page dashboard: each app lists the user's pending actions in `<app>/dashboard.py`.

`dashboard_cards(user)` returns Cards (title, count, link, style); the home page groups them by app.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from typing import Any

from django.apps import apps


@dataclass
class Card:
    title: str
    count: int
    url: str
    style: str = ""  # "", "info", "warn", "danger", or a rectification colour: "green", "yellow", "red"
    group: str = ""


def dashboard_cards(user: Any) -> list[Card]:
    cards: list[Card] = []
    for config in apps.get_app_configs():
        module_name = f"{config.name}.dashboard"
        if config.name == "accountability":
            continue
        try:
            module = import_module(module_name)
        except ModuleNotFoundError as error:
            if error.name != module_name:
                raise
            continue
        cards.extend(module.dashboard_cards(user))
    return cards


def grouped(cards: list[Card]) -> list[tuple[str, list[Card]]]:
    groups: dict[str, list[Card]] = {}
    for card in cards:
        groups.setdefault(card.group, []).append(card)
    return list(groups.items())
