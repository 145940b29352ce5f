"""Statistics and the annual report: figures checked against small hand-computed data, per scope."""

import datetime as dt
import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from accountability import roles
from accountability.statistics import StatsFilters
from cases import actions
from cases.models import CaseState
from cases.statistics import annual_tables, statistics_tables
from tests.case_factories import advance, clause, draft_case
from tests.conftest import login
from tests.personas import Personas, make_user


def card_counts(page: str) -> dict[str, int]:
    """The home page's pending-action cards: title → count."""
    return {
        title.strip(): int(count)
        for count, title in re.findall(r'<span class="count">(\d+)</span>([^<]+)', page)
    }


def table(tables, key: str) -> dict[str, list]:
    """A table's rows keyed by their label column, without the total row."""
    found = next(t for t in tables if t.key == key)
    rows = found.rows[:-1] if found.has_total else found.rows
    return {str(row[0]): row[1:] for row in rows}


@pytest.fixture
def data(personas: Personas) -> dict[str, object]:
    """Four cases: two at the forestry bureau, one in the village, one confidential at finance.

    decided:   forestry, source inspection: the bureau 检查, its head 诫勉 + 警告
    dismissed: forestry, source inspection
    draft:     village, source petition
    draft:     finance, confidential, named only to the officer (source other)
    """
    decided = advance(draft_case(personas, title="已决定"), personas, CaseState.DECIDED)
    dismissed = advance(draft_case(personas, title="免予问责"), personas, CaseState.INITIATED)
    actions.dismiss_case(
        dismissed,
        by=personas.approver,
        ground=clause("ccp-accountability-2019", "17.1.1"),
        reason="探索性失误",
    )
    village = actions.create_case(
        actions.CaseData(
            title="村务问题",
            source="petition",
            summary="…",
            conduct_date=dt.date(2025, 3, 1),
            unit=personas.village,
            situations=[clause("ccp-accountability-2019", "7.10")],
        ),
        by=personas.officer,
    )
    secret = draft_case(personas, title="涉密", unit=personas.finance, confidential=True)
    return {"decided": decided, "dismissed": dismissed, "village": village, "secret": secret}


def test_figures_for_an_officer_with_the_whole_county(personas: Personas, data) -> None:
    tables = statistics_tables(personas.officer, StatsFilters())
    assert table(tables, "cases_by_state")["责任已认定"] == [0]
    states = table(tables, "cases_by_state")
    assert (states["线索登记"], states["已作出决定"], states["不予（免予）问责"]) == ([2], [1], [1])
    sources = table(tables, "cases_by_source")
    assert (sources["巡察移交"], sources["信访举报"], sources["其他"]) == ([3], [1], [0])
    forms = table(tables, "cases_by_form")
    assert forms == {"检查（党组织）": [1], "诫勉": [1], "纪律处分（警告）": [1]}
    units = table(tables, "cases_by_unit")
    # Rolled up to the county's direct children: the village's case counts for its township.
    assert units["测试县林业局"] == [2, 1, 1]  # the decided case is still open; the dismissed one is not
    assert units["测试镇党委"] == [1, 0, 1]
    assert units["测试县财政局"] == [1, 0, 1]
    situations = table(tables, "cases_by_situation")
    assert situations[
        "问责条例（2019年修订）第七条第（九）项 履行管理、监督职责不力，发生重特大事故事件"
    ] == [3]
    quarter = next(t for t in tables if t.key == "cases_by_quarter")
    assert quarter.rows[-1] == ["合计", 4]


def test_confidential_cases_count_only_for_their_named_users(personas: Personas, data) -> None:
    units = table(statistics_tables(personas.officer2, StatsFilters()), "cases_by_unit")
    assert "测试县财政局" not in units
    assert sum(row[0] for row in units.values()) == 3


def test_an_officer_with_a_smaller_jurisdiction_sees_only_it(personas: Personas, data) -> None:
    township_officer = make_user("township_officer", roles.CASE_OFFICER, unit=personas.township)
    tables = statistics_tables(township_officer, StatsFilters())
    assert table(tables, "cases_by_unit") == {"测试村党总支": [1, 0, 1]}
    assert table(tables, "cases_by_form") == {}


def test_the_unit_filter_rolls_up_below_the_chosen_unit(personas: Personas, data) -> None:
    tables = statistics_tables(personas.officer, StatsFilters(unit=personas.township))
    assert table(tables, "cases_by_unit") == {"测试村党总支": [1, 0, 1]}


def test_the_date_range_limits_registrations(personas: Personas, data) -> None:
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    tables = statistics_tables(personas.officer, StatsFilters(date_from=tomorrow))
    assert sum(row[0] for row in table(tables, "cases_by_source").values()) == 0
    # Forms are counted by decision date (2 March 2026 in the factory).
    assert (
        table(statistics_tables(personas.officer, StatsFilters(date_to=dt.date(2026, 3, 1))), "cases_by_form")
        == {}
    )
    assert (
        len(
            table(
                statistics_tables(personas.officer, StatsFilters(date_to=dt.date(2026, 3, 2))),
                "cases_by_form",
            )
        )
        == 3
    )


def test_the_annual_report(personas: Personas, data) -> None:
    overview = table(annual_tables(personas.officer, 2026, StatsFilters()), "annual_overview")
    assert overview["登记线索"] == [4]
    assert overview["启动问责调查"] == [2]
    assert overview["作出问责决定"] == [1]
    assert overview["不予（免予）问责"] == [1]
    assert overview["问责党组织（个）"] == [1]
    assert overview["问责党的领导干部（人）"] == [1]
    assert table(annual_tables(personas.officer, 2025, StatsFilters()), "annual_overview")["登记线索"] == [0]


def test_roles_without_case_access_get_no_case_figures(personas: Personas, data) -> None:
    for persona in ("outsider", "unit_contact", "petition_officer", "inspector"):
        assert statistics_tables(getattr(personas, persona), StatsFilters()) == []


class TestPages:
    def test_the_statistics_page_and_its_query_count(
        self, client, personas: Personas, data, django_assert_num_queries
    ) -> None:
        login(client, personas.officer)
        # session, user, user perms, group perms, the profile unit (read once per request: the cases,
        # petitions and rectification filters, the jurisdiction root and the form's unit choices share
        # it), units for the filter form, cases: one aggregate per table (quarter, source, state, form,
        # unit + tree, situations + clauses); petitions (officers read them): timeliness + tree, channel,
        # state; rectification: the aggregate, tree; nav roles, unread count
        with django_assert_num_queries(22):
            response = client.get(reverse("statistics"))
        page = response.content.decode()
        assert response.status_code == 200
        assert "按线索来源统计" in page and 'data-chart="cases_by_source-data"' in page
        assert "vendor/chartjs/chart.umd.min.js" in page

    def test_each_table_downloads_as_excel(self, client, personas: Personas, data) -> None:
        login(client, personas.officer)
        response = client.get(reverse("statistics"), {"export": "cases_by_source"})
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
        rows = [row for row in sheet.values if row and row[0]]
        assert ["巡察移交", 3] in [list(row[:2]) for row in rows]
        everything = load_workbook(io.BytesIO(client.get(reverse("statistics"), {"export": "all"}).content))
        assert len(everything.worksheets) == 10  # six case tables, three petition tables, rectification

    def test_without_a_range_the_page_shows_this_year(self, client, personas: Personas, data) -> None:
        login(client, personas.officer)
        page = client.get(reverse("statistics")).content.decode()
        assert 'name="date_from" value="2026-01-01"' in page
        everything = client.get(reverse("statistics"), {"date_from": "", "date_to": ""}).content.decode()
        assert 'name="date_from" value="2026-01-01"' not in everything

    def test_the_unit_choices_stop_at_the_users_jurisdiction(self, client, personas: Personas, data) -> None:
        township_officer = make_user("township_officer", roles.CASE_OFFICER, unit=personas.township)
        login(client, township_officer)
        page = client.get(reverse("statistics")).content.decode()
        assert personas.village.name in page and personas.forestry.name not in page
        outside = client.get(reverse("statistics"), {"unit": personas.forestry.pk}).content.decode()
        assert "选择一个有效的选项" in outside

    def test_bad_dates_are_explained(self, client, personas: Personas, data) -> None:
        login(client, personas.officer)
        page = client.get(
            reverse("statistics"), {"date_from": "2026-05-01", "date_to": "2026-01-01"}
        ).content.decode()
        assert "起始日期晚于截止日期。" in page

    def test_the_annual_report_page_and_download(self, client, personas: Personas, data) -> None:
        login(client, personas.approver)
        page = client.get(reverse("annual_report"), {"year": "2026"}).content.decode()
        assert "2026年度问责工作统计" in page and "问责方式统计" in page
        response = client.get(reverse("annual_report"), {"year": "2026", "format": "xlsx"})
        book = load_workbook(io.BytesIO(response.content))
        assert book.worksheets[0]["A1"].value == "2026年度问责工作统计"

    @pytest.mark.parametrize("persona", ["outsider", "unit_contact"])
    def test_people_without_figures_are_refused(self, client, personas: Personas, persona: str) -> None:
        login(client, getattr(personas, persona))
        assert client.get(reverse("statistics")).status_code == 403
        assert client.get(reverse("annual_report")).status_code == 403


class TestDashboard:
    def test_the_approver_sees_what_awaits_approval(self, client, personas: Personas, data) -> None:
        login(client, personas.approver)
        page = client.get(reverse("home")).content.decode()
        assert "待审批启动的线索" in page
        found = card_counts(page)
        assert (
            found["待审批启动的线索"] == 1
        )  # the village clue; the confidential one is not named to the approver
        assert found["待作出决定的案件"] == 0

    def test_the_officer_sees_their_own_work(self, client, personas: Personas, data) -> None:
        login(client, personas.officer)
        page = client.get(reverse("home")).content.decode()
        found = card_counts(page)
        assert found["待送达的决定"] == 1
        assert found["我承办的调查中案件"] == 0
        assert found["可结案（申诉期已过）"] == 0
        advance(draft_case(personas), personas, CaseState.RESPONDED)  # the appeal window ended 7 April
        page = client.get(reverse("home")).content.decode()
        assert '<span class="count">1</span>可结案（申诉期已过）' in page
        assert "state=responded&amp;overdue=true" in page


class TestPetitionFigures:
    def test_timeliness_and_channels(self, personas: Personas) -> None:
        from petitions.statistics import statistics_tables as petition_tables
        from tests.petition_factories import register

        register(personas, channel="letter")
        register(personas, channel="visit")
        tables = petition_tables(personas.petition_officer, StatsFilters())
        channels = table(tables, "petitions_by_channel")
        assert channels["来信"] == [1] and channels["来访"] == [1]
        timeliness = next(t for t in tables if t.key == "petition_timeliness")
        assert sum(row[1] for row in timeliness.rows) == 2

    def test_the_petition_officers_home_page(self, client, personas: Personas) -> None:
        from tests.petition_factories import register

        register(personas, received_on=dt.date(2026, 11, 30))  # to accept; its 15-day period has just begun
        login(client, personas.petition_officer)
        page = client.get(reverse("home")).content.decode()
        found = card_counts(page)
        assert found["待决定是否受理的信访事项"] == 1
        assert found["已逾期的信访事项"] == 0
        assert "overdue=false&amp;sort=due" in page  # the due-soon card lists the soonest deadlines first

    def test_no_petition_figures_outside_petition_work(self, personas: Personas) -> None:
        from petitions.statistics import statistics_tables as petition_tables

        assert petition_tables(personas.inspector, StatsFilters()) == []
        assert petition_tables(personas.outsider, StatsFilters()) == []


class TestRectificationFigures:
    """Team A's finding at the forestry bureau has three items (deadlines relative to 30 November 2026):
    one 40 days overdue (red), one due in 5 days (yellow), one due in 60 days (no colour yet)."""

    @pytest.fixture
    def items(self, personas: Personas):
        from tests.inspection_factories import item, tour

        visit = tour(personas)
        on = dt.date(2026, 11, 30)
        return [
            item(visit.finding_a, personas.team_leader, deadline=on - dt.timedelta(days=40)),
            item(visit.finding_a, personas.team_leader, deadline=on + dt.timedelta(days=5)),
            item(visit.finding_a, personas.team_leader, deadline=on + dt.timedelta(days=60)),
        ]

    def test_completion_and_overdue_rates_by_unit(self, personas: Personas, items) -> None:
        from inspections.statistics import statistics_tables as inspection_tables

        rows = table(inspection_tables(personas.officer, StatsFilters()), "rectification_by_unit")
        # items, accepted, accepted late, overdue now, completion %, overdue %
        assert rows["测试县林业局"] == [3, 0, 0, 1, 0.0, 33.3]

    def test_accepted_items_on_time_and_late(self, personas: Personas, items) -> None:
        from inspections import actions as inspection_actions
        from inspections.statistics import statistics_tables as inspection_tables
        from tests.inspection_factories import item

        on = dt.date(2026, 11, 30)
        finding = items[0].finding
        on_time = item(finding, personas.team_leader, deadline=on + dt.timedelta(days=5))
        late = item(finding, personas.team_leader, deadline=on - dt.timedelta(days=10))
        for accepted in (on_time, late):
            inspection_actions.report_progress(accepted, by=personas.unit_contact, text="已整改", final=True)
            inspection_actions.review_rectification(accepted, by=personas.team_leader, accept=True)
        rows = table(inspection_tables(personas.officer, StatsFilters()), "rectification_by_unit")
        # five items: two accepted today (one after its deadline); of the three still open one is overdue
        assert rows["测试县林业局"] == [5, 2, 1, 1, 40.0, 20.0]

    def test_unit_contacts_and_outsiders_get_no_figures(self, personas: Personas, items) -> None:
        from inspections.statistics import statistics_tables as inspection_tables

        assert inspection_tables(personas.unit_contact, StatsFilters()) == []
        assert inspection_tables(personas.outsider, StatsFilters()) == []

    def test_the_leaders_home_page_counts_items_by_colour(self, client, personas: Personas, items) -> None:
        login(client, personas.team_leader)
        page = client.get(reverse("home")).content.decode()
        found = card_counts(page)
        assert found["逾期的整改事项（红色及以上）"] == 1
        assert found["临近期限的整改事项（黄色）"] == 1
        assert found["即将到期的整改事项（绿色）"] == 0
