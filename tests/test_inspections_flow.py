"""Tours end to end through the pages: log, verify, transfer, rectify, report, accept; the demo round."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from accountability.models import Notification
from cases.models import Case, CaseSource, CaseState
from inspections import actions
from inspections.actions import InspectionActionError, InspectionPermissionError
from inspections.models import (
    Assignment,
    ChecklistItem,
    Escalation,
    EscalationRun,
    Finding,
    FindingStatus,
    InspectionRound,
    InspectionTeam,
    RectificationItem,
    RectificationReport,
    RectificationStatus,
)
from registry.models import DeadlineRule
from tests import inspection_factories as f
from tests.conftest import login
from tests.personas import Personas, make_person

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def photo(name: str = "现场照片.png", content: bytes = PNG) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="image/png")


class TestQuickForm:
    def test_a_member_logs_a_finding_with_people_units_and_a_photo(self, client, personas: Personas) -> None:
        tour = f.tour(personas)
        person = make_person(personas.forestry, "赵会计")
        login(client, personas.inspector)
        response = client.post(
            reverse("inspections:finding_create", args=[tour.a.pk]),
            {
                "category": "eight_rules",
                "description": "林场账目中有3笔公务接待超标准。",
                "units": [personas.forestry.pk],
                "people": f"赵会计，{person.staff_no}",
                "attachments": [photo()],
            },
        )
        assert response.status_code == 302
        finding = Finding.objects.exclude(pk=tour.finding_a.pk).get(
            assignment=tour.a, description__contains="公务接待"
        )
        assert finding.status == FindingStatus.LOGGED and finding.logged_by == personas.inspector
        assert list(finding.people.all()) == [person]
        assert list(finding.units.all()) == [personas.forestry]
        assert finding.attachments.get().original_name == "现场照片.png"
        assert Notification.objects.filter(recipient=personas.team_leader, title__contains="待核实").exists()

    def test_a_failed_submit_keeps_what_was_typed_and_says_why(self, client, personas: Personas) -> None:
        tour = f.tour(personas)
        login(client, personas.inspector)
        response = client.post(
            reverse("inspections:finding_create", args=[tour.a.pk]),
            {
                "description": "食堂采购未经集体研究，金额较大。",
                "people": "查无此人",
                "attachments": [photo()],
            },
        )
        assert response.status_code == 422
        page = response.content.decode()
        assert "食堂采购未经集体研究，金额较大。" in page
        assert 'value="查无此人"' in page
        assert "未找到名为查无此人" in page  # the unknown person
        assert "这个字段是必填项" in page  # the missing category
        assert "重新选择" in page  # the chosen photo must be chosen again
        assert Finding.objects.filter(assignment=tour.a).count() == 1

    def test_a_renamed_file_is_refused_with_its_reason(self, client, personas: Personas) -> None:
        tour = f.tour(personas)
        login(client, personas.inspector)
        response = client.post(
            reverse("inspections:finding_create", args=[tour.a.pk]),
            {
                "category": "other",
                "description": "违规问题",
                "attachments": [photo("病毒.png", b"MZ\x90\x00binary")],
            },
        )
        assert response.status_code == 422
        page = response.content.decode()
        assert "病毒.png" in page and "不符" in page and "违规问题" in page

    def test_two_people_of_the_same_name_need_a_staff_number(self, client, personas: Personas) -> None:
        tour = f.tour(personas)
        make_person(personas.forestry, "李明")
        make_person(personas.forestry, "李明")
        login(client, personas.inspector)
        response = client.post(
            reverse("inspections:finding_create", args=[tour.a.pk]),
            {"category": "other", "description": "问题", "people": "李明"},
        )
        assert response.status_code == 422
        assert "工号" in response.content.decode()

    def test_the_list_filters_by_category_and_status(self, client, personas: Personas) -> None:
        tour = f.tour(personas)
        actions.log_finding(
            tour.a,
            actions.FindingData(category="party_building", description="组织生活会缺失"),
            by=personas.inspector,
        )
        login(client, personas.team_leader)
        url = reverse("inspections:finding_list", args=[tour.a.pk])
        assert client.get(url).context["page"].paginator.count == 2
        assert client.get(url, {"category": "party_building"}).context["page"].paginator.count == 1
        assert client.get(url, {"status": "verified"}).context["page"].paginator.count == 1
        assert client.get(url, {"q": "组织生活"}).context["page"].paginator.count == 1


class TestLeader:
    def test_reject_needs_a_reason_and_stays_on_record(self, personas: Personas) -> None:
        tour = f.tour(personas)
        finding = f.finding(tour.a, personas.inspector)
        with pytest.raises(InspectionActionError):
            actions.review_finding(finding, by=personas.team_leader, verified=False)
        actions.review_finding(finding, by=personas.team_leader, verified=False, comment="查无实据")
        finding.refresh_from_db()
        assert (finding.status, finding.review_comment) == (FindingStatus.REJECTED, "查无实据")

    def test_a_member_cannot_verify(self, personas: Personas) -> None:
        tour = f.tour(personas)
        with pytest.raises(InspectionPermissionError):
            actions.review_finding(tour.finding_a, by=personas.inspector, verified=True)

    def test_an_unverified_finding_cannot_be_transferred(self, personas: Personas) -> None:
        tour = f.tour(personas)
        finding = f.finding(tour.a, personas.inspector)
        with pytest.raises(InspectionActionError):
            actions.transfer_finding(
                finding, by=personas.team_leader, title="t", summary="s", conduct_date=dt.date(2026, 3, 1)
            )

    def test_transfer_opens_a_draft_case_with_the_targets_linked_both_ways(
        self, client, personas: Personas
    ) -> None:
        tour = f.tour(personas)
        head = f.forestry_head(personas)
        finding = f.finding(tour.a, personas.inspector, verified_by=personas.team_leader, people=[head])
        login(client, personas.team_leader)
        response = client.post(
            reverse("inspections:finding_transfer", args=[finding.pk]),
            {"title": "林业局党组主体责任落实不力", "summary": "巡察发现……", "conduct_date": "2026-03-01"},
        )
        assert response.status_code == 302
        finding.refresh_from_db()
        case = finding.case
        assert case is not None
        assert (case.state, case.source, case.unit) == (
            CaseState.DRAFT,
            CaseSource.INSPECTION,
            personas.forestry,
        )
        assert {t.name for t in case.targets.all()} == {"测试县林业局", "林局长"}
        assert (
            case.number
            in client.get(reverse("inspections:finding_detail", args=[finding.pk])).content.decode()
        )
        case_page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
        assert reverse("inspections:finding_detail", args=[finding.pk]) in case_page
        again = client.post(
            reverse("inspections:finding_transfer", args=[finding.pk]),
            {"title": "重复移交", "summary": "…", "conduct_date": "2026-03-01"},
        )
        assert again.status_code == 422 and Case.objects.count() == 1

    def test_the_rectification_deadline_defaults_from_the_feedback_date(
        self, client, personas: Personas
    ) -> None:
        tour = f.tour(personas)
        login(client, personas.team_leader)
        response = client.post(
            reverse("inspections:finding_rectification", args=[tour.finding_a.pk]),
            {"responsible_unit": personas.forestry.pk, "requirement": "建章立制", "responsible_person": ""},
        )
        assert response.status_code == 302
        item = RectificationItem.objects.get(finding=tour.finding_a)
        rule = DeadlineRule.objects.get(code="rectification_report")
        assert item.deadline == rule.due_date(dt.date(2026, 4, 30)) == dt.date(2026, 6, 30)

    def test_without_a_feedback_date_the_deadline_must_be_given(self, personas: Personas) -> None:
        team = f.team(personas, "第三巡察组", personas.team_leader)
        assignment = f.assignment(team, personas.township, feedback_on=None)
        finding = f.finding(assignment, personas.team_leader, verified_by=personas.team_leader)
        with pytest.raises(InspectionActionError, match="反馈"):
            actions.set_rectification(
                finding,
                [actions.ItemData(responsible_unit=personas.township, requirement="整改")],
                by=personas.team_leader,
            )

    def test_the_checklist_records_who_ticked_and_when_and_the_stage_moves_on(
        self, client, personas: Personas
    ) -> None:
        tour = f.tour(personas)
        login(client, personas.inspector)
        client.post(reverse("inspections:checklist_step", args=[tour.a.pk, "interviews"]), {"done": "1"})
        row = tour.a.checklist.get(step="interviews")
        assert row.done_by == personas.inspector and row.done_at is not None
        assert tour.a.checklist.count() == 14
        login(client, personas.team_leader)
        client.post(
            reverse("inspections:assignment_stage", args=[tour.a.pk]), {"expected_stage": "preparation"}
        )
        tour.a.refresh_from_db()
        assert tour.a.stage == "stationed"


class TestRectification:
    def test_the_unit_reports_the_leader_returns_then_accepts(self, client, personas: Personas) -> None:
        tour = f.tour(personas)
        item = f.item(tour.finding_a, personas.team_leader, deadline=dt.date(2026, 12, 31))
        login(client, personas.unit_contact)
        url = reverse("inspections:item_report", args=[item.pk])
        refused = client.post(url, {"text": "已整改", "final": "on", "attachments": [photo("x.exe")]})
        assert refused.status_code == 422 and "已整改" in refused.content.decode()
        done = client.post(
            url,
            {
                "text": "已建立登记制度",
                "final": "on",
                "attachments": [SimpleUploadedFile("制度.pdf", b"%PDF-1.7 x")],
            },
        )
        assert done.status_code == 302
        item.refresh_from_db()
        assert item.status == RectificationStatus.SUBMITTED
        assert item.reports.get().attachments.get().original_name == "制度.pdf"

        login(client, personas.team_leader)
        client.post(
            reverse("inspections:item_review", args=[item.pk]), {"decision": "return", "comment": "缺少台账"}
        )
        item.refresh_from_db()
        assert item.status == RectificationStatus.RETURNED
        assert Notification.objects.filter(recipient=personas.unit_contact, title__contains="退回").exists()

        login(client, personas.unit_contact)
        client.post(url, {"text": "补充台账", "final": "on"})
        login(client, personas.team_leader)
        client.post(reverse("inspections:item_review", args=[item.pk]), {"decision": "accept"})
        item.refresh_from_db()
        assert item.status == RectificationStatus.ACCEPTED and item.closed_on is not None

    def test_the_list_shows_each_items_colour_and_filters_on_it(self, client, personas: Personas) -> None:
        tour = f.tour(personas)
        with time_machine.travel(dt.datetime(2026, 7, 1, 2, 0, tzinfo=dt.UTC), tick=False):
            red = f.item(tour.finding_a, personas.team_leader, deadline=dt.date(2026, 6, 20))
            yellow = f.item(tour.finding_a, personas.team_leader, deadline=dt.date(2026, 7, 8))
            none = f.item(tour.finding_a, personas.team_leader, deadline=dt.date(2026, 9, 1))
            login(client, personas.team_leader)
            page = client.get(reverse("inspections:item_list")).content.decode()
            for item, colour in ((red, "red"), (yellow, "yellow"), (none, "none")):
                row = page.split(f'data-testid="item-{item.pk}"')[1].split("</tr>")[0]
                assert f'data-colour="{colour}"' in row
            only_red = client.get(reverse("inspections:item_list"), {"colour": "red"})
            assert [i.pk for i in only_red.context["page"].object_list] == [red.pk]


def test_seed_demo_adds_a_round_of_three_teams_with_items_in_every_colour(client, db) -> None:
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    round_ = InspectionRound.objects.get()
    assert round_.teams.count() == 3
    assert Finding.objects.filter(case__isnull=False).count() == 3
    from registry.models import Profile

    login(client, Profile.objects.get(user__username="admin").user)
    page = client.get(reverse("inspections:item_list")).content.decode()
    for colour in ("none", "green", "yellow", "red"):
        assert f'data-colour="{colour}"' in page, colour
    assert Case.objects.filter(source=CaseSource.OVERDUE_RECTIFICATION).count() == 1
    assert {"inspection_leader2", "inspection_leader3"} <= set(
        round_.teams.values_list("leader__username", flat=True)
    )

    def counts() -> dict[str, int]:
        models = (
            InspectionRound,
            InspectionTeam,
            Assignment,
            ChecklistItem,
            Finding,
            RectificationItem,
            RectificationReport,
            Escalation,
            EscalationRun,
            Case,
            Notification,
            get_user_model(),
        )
        return {model.__name__: model.objects.count() for model in models}

    first = counts()
    assert first["Escalation"] > 0 and first["RectificationReport"] > 0
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert counts() == first
    # A year later (the round's name carries the year), a rerun still finds the demo round. The petitions
    # demo runs that day's supervision step, which rightly notifies about the new year's plans, so
    # notifications are left out of this comparison.
    with time_machine.travel(dt.datetime.now(tz=dt.UTC) + dt.timedelta(days=366), tick=False):
        call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    later = counts()
    assert {k: v for k, v in later.items() if k != "Notification"} == {
        k: v for k, v in first.items() if k != "Notification"
    }


def test_the_integrity_record_lists_verified_findings_within_the_users_reach(
    client, personas: Personas
) -> None:
    from accountability import roles as role_names
    from tests.inspection_factories import finding, forestry_head, tour
    from tests.personas import make_user

    visit = tour(personas)
    head = forestry_head(personas)
    finding(visit.a, personas.inspector, verified_by=personas.team_leader, people=[head], text="违规发放津贴")
    page_url = reverse("cases:integrity", args=[head.pk])
    login(client, personas.officer)  # county jurisdiction: the forestry bureau is inside it
    assert "违规发放津贴" in client.get(page_url).content.decode()
    far = make_user("far_officer", role_names.CASE_OFFICER, unit=personas.village)
    login(client, far)  # jurisdiction: one village; the finding is at the forestry bureau
    assert "违规发放津贴" not in client.get(page_url).content.decode()
