"""Demo data of the petitions app (extended by the petitions feature work)."""

from typing import Any


def seed(**options: Any) -> dict[str, int]:
    return {}
