"""Statistics shared by every app: filters, tables, roll-up along the unit tree, the tables as sheets.

Each app contributes tables through `<app>/statistics.py`:
- `statistics_tables(user, filters)` returns the tables of the statistics page;
- `annual_tables(user, year, filters)` returns the tables of the annual report (年度问责工作统计).
Every table is built from aggregate queries over the app's own permission-filtered queryset.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from kernel.hooks import contributions
from kernel.xlsx import Sheet
from registry.jurisdiction import profile_unit
from registry.models import OrgUnit


@dataclass(frozen=True)
class StatsFilters:
    """Date range (inclusive) and a unit whose subtree limits the figures."""

    date_from: dt.date | None = None
    date_to: dt.date | None = None
    unit: OrgUnit | None = None

    @property
    def unit_path(self) -> str | None:
        return self.unit.path if self.unit else None


@dataclass
class Table:
    key: str
    title: str
    columns: list[str]
    rows: list[list[Any]]
    chart: str = "bar"  # "bar", "line", "pie", or "" for a table only
    value_columns: Sequence[int] = (1,)  # the columns drawn in the chart; column 0 holds the labels
    note: str = ""
    totals: bool = False  # append a total row over the numeric columns
    has_total: bool = field(default=False, init=False)

    def __post_init__(self) -> None:
        if self.totals and self.rows:
            total: list[Any] = [_("Total")]
            for index in range(1, len(self.columns)):
                values = [row[index] for row in self.rows]
                total.append(sum(values) if all(isinstance(v, int) for v in values) else "")
            self.rows.append(total)
            self.has_total = True

    def chart_data(self) -> dict[str, Any]:
        rows = self.rows[:-1] if self.has_total else self.rows
        return {
            "type": self.chart,
            "labels": [str(row[0]) for row in rows],
            "datasets": [
                {"label": str(self.columns[index]), "data": [row[index] for row in rows]}
                for index in self.value_columns
            ],
        }


def jurisdiction_root(user: Any) -> OrgUnit | None:
    """Where figures roll up: the root of the user's jurisdiction; None (the whole tree) for superusers.
    Every app's tables and the filter form ask; `profile_unit` reads it once per request."""
    if getattr(user, "is_superuser", False):
        return None
    return profile_unit(user)


def percent(part: int, whole: int) -> float | str:
    return round(100 * part / whole, 1) if whole else "—"


def _hooks(function_name: str) -> list[Any]:
    return contributions("statistics", function_name, collector=__name__)


def statistics_tables(user: Any, filters: StatsFilters) -> list[Table]:
    return [table for hook in _hooks("statistics_tables") for table in hook(user, filters)]


def annual_tables(user: Any, year: int, filters: StatsFilters) -> list[Table]:
    return [table for hook in _hooks("annual_tables") for table in hook(user, year, filters)]


@dataclass
class UnitTree:
    """The units under a root, able to roll per-unit figures up to the root's direct children."""

    root: OrgUnit | None
    units: dict[int, tuple[str, str, int]] = field(default_factory=dict)  # id -> (path, name, depth)

    @classmethod
    def load(cls, root: OrgUnit | None) -> UnitTree:
        units = OrgUnit.objects.all()
        if root is not None:
            units = units.filter(path__startswith=root.path)
        return cls(
            root,
            {
                pk: (path, name, depth)
                for pk, path, name, depth in units.values_list("pk", "path", "name", "depth")
            },
        )

    def branch_of(self, unit_id: int) -> int | None:
        """The root's child that contains the unit (the root itself for its own rows)."""
        entry = self.units.get(unit_id)
        if entry is None:
            return None
        ids = [int(part) for part in entry[0].strip("/").split("/")]
        level = (self.root.depth + 1) if self.root is not None else 0
        if self.root is not None and len(ids) <= level:
            return self.root.pk
        return ids[level] if len(ids) > level else ids[-1]

    def roll_up(self, per_unit: Iterable[tuple[int, Sequence[int]]], width: int) -> list[list[Any]]:
        """Sum per-unit figures (`width` numbers each) into one row per branch, largest first."""
        sums: dict[int, list[int]] = {}
        for unit_id, figures in per_unit:
            branch = self.branch_of(unit_id)
            if branch is None:
                continue
            row = sums.setdefault(branch, [0] * width)
            for index, value in enumerate(figures):
                row[index] += value or 0
        rows = [[self.units[branch][1], *figures] for branch, figures in sums.items() if branch in self.units]
        return sorted(rows, key=lambda row: (-row[1], row[0]))


def table_sheets(tables: Sequence[Table], title: str = "") -> list[Sheet]:
    """One sheet per table (`1.按线索来源统计`…), the report's title above the header and the table's note
    below; `kernel.xlsx` writes them."""
    return [
        Sheet(
            f"{index}.{table.title}",
            [str(column) for column in table.columns],
            table.rows,
            above=[[title], []] if title else (),
            below=[[], [str(table.note)]] if table.note else (),
        )
        for index, table in enumerate(tables, start=1)
    ]
