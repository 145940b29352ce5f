"""The statistics page and the annual report, for any user who may see at least one app's figures."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kernel.xlsx import xlsx_response
from registry.models import OrgUnit

from .statistics import StatsFilters, annual_tables, jurisdiction_root, statistics_tables, table_sheets
from .typing import AuthenticatedRequest
from .validation import LATEST_YEAR, date_problems, show_problems
from .widgets import QuickSelect


class StatsFilterForm(forms.Form):
    date_from = forms.DateField(
        label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=gettext_lazy("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    unit = forms.ModelChoiceField(
        label=gettext_lazy("Unit (with sub-units)"),
        queryset=OrgUnit.objects.filter(is_active=True).order_by("path"),
        required=False,
        widget=QuickSelect,
        empty_label=gettext_lazy("All"),
    )

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Units to choose from: the user's own jurisdiction subtree (everything for a superuser or a
        # login with no unit); the figures themselves are limited by each app's permission filter.
        root = jurisdiction_root(user) if user is not None else None
        if root is not None:
            field: forms.ModelChoiceField = self.fields["unit"]  # type: ignore[assignment]
            field.queryset = field.queryset.filter(path__startswith=root.path)  # type: ignore[union-attr]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name, label in (("date_from", _("the start date")), ("date_to", _("the end date"))):
            # Plausible dates only: the day after 9999-12-31, which the figures would ask for, does not exist.
            show_problems(self, date_problems(data.get(name), field=name, label=label))
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError(_("The start date is after the end date."))
        return data

    def filters(self) -> StatsFilters:
        if not self.is_valid():
            return StatsFilters()
        data = self.cleaned_data
        return StatsFilters(data.get("date_from"), data.get("date_to"), data.get("unit"))


class AnnualForm(StatsFilterForm):
    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=2016, max_value=LATEST_YEAR)


@login_required
def statistics_page(request: AuthenticatedRequest) -> HttpResponse:
    data = request.GET.copy()
    if "date_from" not in data and "date_to" not in data:
        # Without a range the page shows this year so far: the figures people ask for first, and a scan
        # of one year's rows rather than of every case ever registered.
        data["date_from"] = timezone.localdate().replace(month=1, day=1).isoformat()
    form = StatsFilterForm(data, user=request.user)
    tables = statistics_tables(request.user, form.filters())
    if not tables:
        raise PermissionDenied
    export = request.GET.get("export")
    if export:
        chosen = tables if export == "all" else [table for table in tables if table.key == export]
        if not chosen:
            raise PermissionDenied
        return xlsx_response(f"statistics-{export}.xlsx", *table_sheets(chosen, _("Statistics")))
    return render(
        request, "statistics/page.html", {"form": form, "tables": tables, "query": data.urlencode()}
    )


@login_required
def annual_report(request: AuthenticatedRequest) -> HttpResponse:
    this_year = timezone.localdate().year
    data = request.GET.copy()
    data.setdefault("year", str(this_year))
    form = AnnualForm(data, user=request.user)
    year = form.cleaned_data["year"] if form.is_valid() else this_year
    tables = annual_tables(request.user, year, form.filters())
    if not tables:
        raise PermissionDenied
    title = _("Accountability work statistics, %(year)s") % {"year": year}
    if request.GET.get("format") == "xlsx":
        return xlsx_response(f"annual-report-{year}.xlsx", *table_sheets(tables, title))
    context = {"form": form, "tables": tables, "year": year, "title": title, "today": timezone.localdate()}
    return render(request, "statistics/annual.html", context)
