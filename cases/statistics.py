"""Case figures for the statistics page and the annual report: aggregate queries over the user's cases."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import ExtractQuarter, ExtractYear
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from accountability.statistics import StatsFilters, Table, UnitTree, jurisdiction_root
from registry.models import Clause, OrgUnit

from .access import visibility_filter
from .models import TERMINAL_STATES, Case, CaseSource, CaseState, CaseTransition, DecidedForm, Form, Measure

DECIDED_STATES = (
    CaseState.DECIDED,
    CaseState.DELIVERED,
    CaseState.RESPONDED,
    CaseState.APPEALED,
    CaseState.CLOSED,
)


def scoped_cases(user: Any, filters: StatsFilters) -> QuerySet[Case]:
    """The user's cases (the same visibility as the lists), limited to the unit subtree; no dates."""
    cases = Case.objects.filter(visibility_filter(user))
    if filters.unit is not None:
        cases = cases.filter(
            unit_id__in=OrgUnit.objects.filter(path__startswith=filters.unit.path).values("pk")
        )
    return cases


def _start_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())


def _registered_between(cases: QuerySet[Case], filters: StatsFilters) -> QuerySet[Case]:
    # Compare the timestamp itself with local midnights (not its date), so that the index on it serves.
    if filters.date_from:
        cases = cases.filter(created_at__gte=_start_of(filters.date_from))
    if filters.date_to:
        cases = cases.filter(created_at__lt=_start_of(filters.date_to + dt.timedelta(days=1)))
    return cases


def _decided_between(cases: QuerySet[Case], filters: StatsFilters) -> QuerySet[DecidedForm]:
    """The live forms of the cases decided in the range: the cases first (index on the decision date),
    then their targets' forms through the indexes on the foreign keys."""
    if filters.date_from:
        cases = cases.filter(decision_date__gte=filters.date_from)
    if filters.date_to:
        cases = cases.filter(decision_date__lte=filters.date_to)
    return DecidedForm.objects.filter(revoked=False, target__case__in=cases.values("pk"))


def _choice_rows(counts: dict[str, int], choices: Any) -> list[list[Any]]:
    return [[str(label), counts.get(value, 0)] for value, label in choices]


def by_quarter(cases: QuerySet[Case]) -> Table:
    rows = (
        cases.annotate(y=ExtractYear("created_at"), q=ExtractQuarter("created_at"))
        .values("y", "q")
        .annotate(n=Count("id"))
        .order_by("y", "q")
    )
    return Table(
        "cases_by_quarter",
        _("Cases registered by quarter"),
        [_("Quarter"), _("Cases")],
        [[_("%(year)s Q%(quarter)s") % {"year": row["y"], "quarter": row["q"]}, row["n"]] for row in rows],
        chart="line",
        totals=True,
    )


def by_source(cases: QuerySet[Case]) -> Table:
    counts = dict(cases.values_list("source").annotate(n=Count("id")).order_by())
    return Table(
        "cases_by_source",
        _("Cases by source"),
        [_("Source"), _("Cases")],
        _choice_rows(counts, CaseSource.choices),
        chart="pie",
        totals=True,
    )


def by_state(cases: QuerySet[Case]) -> Table:
    counts = dict(cases.values_list("state").annotate(n=Count("id")).order_by())
    return Table(
        "cases_by_state",
        _("Cases by state"),
        [_("State"), _("Cases")],
        _choice_rows(counts, CaseState.choices),
        chart="bar",
        totals=True,
    )


def form_label(form: str, measure: str) -> str:
    label = str(Form(form).label)
    return f"{label}（{Measure(measure).label}）" if measure else label


def by_form(forms: QuerySet[DecidedForm]) -> Table:
    rows = (
        forms.values("form", "measure")
        .annotate(n=Count("id"), targets=Count("target", distinct=True))
        .order_by("form", "measure")
    )
    form_order = {value: index for index, value in enumerate(Form.values)}
    measure_order = {value: index for index, value in enumerate(["", *Measure.values])}
    ordered = sorted(rows, key=lambda row: (form_order[row["form"]], measure_order[row["measure"]]))
    table_rows = [[form_label(row["form"], row["measure"]), row["n"]] for row in ordered]
    return Table(
        "cases_by_form",
        _("Forms of accountability decided"),
        [_("Form of accountability"), _("Times decided")],
        table_rows,
        chart="bar",
        totals=True,
        note=_("Counted by decision date; revoked forms are left out."),
    )


def by_unit(cases: QuerySet[Case], filters: StatsFilters, root: OrgUnit | None) -> Table:
    per_unit = (
        cases.values_list("unit_id")
        .annotate(
            total=Count("id"),
            decided=Count("id", filter=Q(state__in=DECIDED_STATES)),
            open=Count("id", filter=~Q(state__in=TERMINAL_STATES)),
        )
        .order_by()
    )
    tree = UnitTree.load(filters.unit or root)
    rows = tree.roll_up(
        ((unit_id, (total, decided, still_open)) for unit_id, total, decided, still_open in per_unit), 3
    )
    return Table(
        "cases_by_unit",
        _("Cases by unit (with sub-units)"),
        [_("Unit"), _("Cases"), _("Decided"), pgettext("case", "Open")],
        rows,
        chart="bar",
        value_columns=(1, 2),
        totals=True,
    )


def by_situation(cases: QuerySet[Case]) -> Table:
    # From the chosen cases to their clauses (the index on case_id), not the other way round.
    counts = dict(
        cases.filter(situations__isnull=False).values_list("situations").annotate(n=Count("id")).order_by()
    )
    clauses = (
        Clause.objects.filter(pk__in=counts)
        .select_related("regulation")
        .order_by("regulation__family", "-regulation__effective_date", "article", "item")
    )
    rows = [
        [
            f"{clause.regulation.short_title}（{clause.regulation.version}）"
            f"{clause.citation} {clause.short_title}",
            counts[clause.pk],
        ]
        for clause in clauses
    ]
    return Table(
        "cases_by_situation",
        _("Cases by situation clause"),
        [_("Situation clause"), _("Cases")],
        rows,
        chart="bar",
        note=_("A case citing several clauses counts once for each."),
    )


def statistics_tables(user: Any, filters: StatsFilters) -> list[Table]:
    if not (user.has_perm("cases.view_case") or getattr(user, "is_superuser", False)):
        return []
    scoped = scoped_cases(user, filters)
    cases = _registered_between(scoped, filters)
    forms = _decided_between(scoped, filters)
    root = filters.unit or jurisdiction_root(user)
    return [
        by_quarter(cases),
        by_source(cases),
        by_state(cases),
        by_form(forms),
        by_unit(cases, filters, root),
        by_situation(cases),
    ]


def annual_tables(user: Any, year: int, filters: StatsFilters) -> list[Table]:
    if not (user.has_perm("cases.view_case") or getattr(user, "is_superuser", False)):
        return []
    scoped = scoped_cases(user, filters)
    registered = scoped.filter(created_at__year=year)
    decided_cases = scoped.filter(decision_date__year=year)
    forms = DecidedForm.objects.filter(target__case__in=decided_cases, revoked=False)
    moves = dict(
        CaseTransition.objects.filter(case__in=scoped, at__year=year)
        .values_list("name")
        .annotate(n=Count("id"))
        .order_by()
    )
    targets = forms.aggregate(
        organisations=Count("target__org_unit", distinct=True),
        leaders=Count("target__person", distinct=True),
    )
    overview = Table(
        "annual_overview",
        _("Overview"),
        [_("Item"), _("Number")],
        [
            [_("Clues registered"), moves.get("create", 0)],
            [_("Investigations started"), moves.get("initiate", 0)],
            [_("Decisions made"), moves.get("decide", 0)],
            [_("No or exempted accountability"), moves.get("dismiss", 0)],
            [_("Clues not taken up"), moves.get("withdraw", 0)],
            [_("Appeals filed"), moves.get("file_appeal", 0)],
            [_("Cases closed"), moves.get("close", 0) + moves.get("decide_appeal", 0)],
            [_("Party organisations held accountable"), targets["organisations"]],
            [_("Party leaders held accountable"), targets["leaders"]],
        ],
        chart="",
    )
    year_filters = StatsFilters(unit=filters.unit)
    return [
        overview,
        by_form(forms),
        by_situation(decided_cases),
        by_source(registered),
        by_unit(decided_cases, year_filters, filters.unit or jurisdiction_root(user)),
    ]
