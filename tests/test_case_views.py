"""The case pages: list, filters, detail, forms, transitions, attachments, documents, integrity record."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from accountability import roles
from cases.models import Attachment, Case, CaseState
from registry.models import Person
from tests.case_factories import advance, draft_case
from tests.conftest import login
from tests.personas import Personas, make_person, make_user


@pytest.fixture
def officer_client(client, personas: Personas):
    login(client, personas.officer)
    return client


@pytest.fixture
def approver_client(client, personas: Personas):
    login(client, personas.approver)
    return client


class TestList:
    def test_lists_visible_cases_with_their_targets(self, officer_client, personas: Personas) -> None:
        case = draft_case(personas)
        page = officer_client.get(reverse("cases:list")).content.decode()
        assert case.number in page and "林局长" in page and "测试县林业局" in page
        assert "共 1 件" in page

    def test_query_count_does_not_grow_with_the_cases(
        self, officer_client, personas: Personas, django_assert_num_queries
    ) -> None:
        for _ in range(3):
            draft_case(personas)
        # session, user, user perms, group perms, jurisdiction, count, page of cases, their targets,
        # units and officers for the filter form, nav roles, unread count
        with django_assert_num_queries(12):
            officer_client.get(reverse("cases:list"))
        for _ in range(5):
            draft_case(personas)
        with django_assert_num_queries(12):
            officer_client.get(reverse("cases:list"))

    @pytest.mark.parametrize("persona", ["outsider", "inspector", "unit_contact", "petition_officer"])
    def test_roles_outside_case_work_are_refused(self, client, personas: Personas, persona: str) -> None:
        login(client, getattr(personas, persona))
        assert client.get(reverse("cases:list")).status_code == 403
        assert client.get(reverse("cases:export")).status_code == 403

    def test_signed_out_visitors_go_to_login(self, client, db) -> None:
        assert client.get(reverse("cases:list")).status_code == 302

    def test_filters_and_search(self, officer_client, personas: Personas) -> None:
        first = draft_case(personas, title="林场监管失职")
        second = advance(
            draft_case(personas, title="村务公开问题", unit=personas.village), personas, CaseState.INITIATED
        )

        def numbers(**params: str) -> set[str]:
            page = officer_client.get(reverse("cases:list"), params).content.decode()
            return {case.number for case in (first, second) if case.number in page}

        assert numbers(state="initiated") == {second.number}
        assert numbers(unit=str(personas.township.pk)) == {second.number}
        assert numbers(q="林场") == {first.number}
        assert numbers(q="林局长") == {first.number, second.number}
        assert numbers(q=f"{second.year}-{second.sequence}") == {second.number}
        assert numbers(q=second.number) == {second.number}
        assert numbers(source="inspection") == {first.number, second.number}
        assert numbers(year="2025") == set()
        assert numbers(overdue="true") == set()

    def test_the_overdue_and_form_filters(self, officer_client, personas: Personas) -> None:
        responded = advance(
            draft_case(personas), personas, CaseState.RESPONDED
        )  # appeal window ended 2026-04-07
        fresh = draft_case(personas)
        page = officer_client.get(reverse("cases:list"), {"overdue": "true"}).content.decode()
        assert responded.number in page and fresh.number not in page
        page = officer_client.get(reverse("cases:list"), {"form": "admonishment"}).content.decode()
        assert responded.number in page and fresh.number not in page
        page = officer_client.get(reverse("cases:list"), {"form": "org_reorganisation"}).content.decode()
        assert responded.number not in page

    def test_the_export_follows_the_filters_and_permissions(self, officer_client, personas: Personas) -> None:
        mine = draft_case(personas, title='=HYPERLINK("http://x")')
        hidden = draft_case(personas, confidential=True, named_users=[])
        hidden.lead_officer = personas.officer2
        hidden.save(update_fields=["lead_officer"])
        from guardian.shortcuts import remove_perm

        remove_perm("cases.view_case", personas.officer, hidden)
        response = officer_client.get(reverse("cases:export"))
        sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
        rows = list(sheet.values)
        numbers = [row[0] for row in rows[1:]]
        assert mine.number in numbers and hidden.number not in numbers
        assert str(rows[1][1]).startswith("'=")


class TestDetail:
    def test_shows_the_case_and_the_buttons_of_the_role(self, client, personas: Personas) -> None:
        case = draft_case(personas)
        login(client, personas.approver)
        page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
        assert case.number in page and "审批启动调查" in page and "线索不予立案" in page
        assert "认定责任" not in page
        login(client, personas.officer)
        page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
        assert "审批启动调查" not in page

    def test_query_count_is_pinned(
        self, officer_client, personas: Personas, django_assert_num_queries
    ) -> None:
        case = advance(draft_case(personas), personas, CaseState.DELIVERED)
        # session, user, jurisdiction, user perms, group perms, case, targets, their forms, their
        # circumstances, situations, team, transitions, attachments (in use and withdrawn), the access
        # log, deadline rules, work calendar, nav roles, unread count, and the inspections link hook
        # looking for the transferred finding (the case's source is 巡察移交; the petitions hook asks
        # nothing of other sources)
        with django_assert_num_queries(19):
            response = officer_client.get(reverse("cases:detail", args=[case.pk]))
        assert response.status_code == 200
        page = response.content.decode()
        assert "申诉期限" in page and "2026年4月7日" in page

    @pytest.mark.parametrize(
        "persona", ["outsider", "inspector", "unit_contact", "petition_officer", "admin"]
    )
    def test_others_get_404(self, client, personas: Personas, persona: str) -> None:
        case = draft_case(personas)
        login(client, getattr(personas, persona))
        for name in (
            "cases:detail",
            "cases:edit",
            "cases:investigation",
            "cases:target_add",
            "cases:decision_document",
        ):
            assert client.get(reverse(name, args=[case.pk])).status_code == 404, name
        assert client.get(reverse("cases:act", args=[case.pk, "initiate"])).status_code == 404

    def test_an_officer_outside_the_jurisdiction_gets_404(self, client, personas: Personas) -> None:
        case = draft_case(personas)
        login(client, make_user("far_officer", roles.CASE_OFFICER, unit=personas.village))
        assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 404


class TestCreate:
    def _form(self, personas: Personas, **overrides: object) -> dict[str, object]:
        leader = make_person(personas.forestry, "钱局长")
        data: dict[str, object] = {
            "title": "财政局资金监管问题",
            "source": "audit",
            "summary": "审计发现专项资金被挪用。",
            "conduct_date": "2025-08-01",
            "unit": str(personas.finance.pk),
            "lead_officer": str(personas.officer.pk),
            "situations": [],
            "target_units": [str(personas.finance.pk)],
            "target_people": leader.staff_no,
        }
        data.update(overrides)
        return data

    def test_an_officer_registers_a_clue(self, officer_client, personas: Personas) -> None:
        from tests.case_factories import situation_2019

        data = self._form(personas, situations=[str(situation_2019(7).pk)])
        response = officer_client.post(reverse("cases:create"), data)
        case = Case.objects.get()
        assert response.status_code == 302 and response["Location"] == reverse("cases:detail", args=[case.pk])
        assert case.targets.count() == 2 and case.situations.count() == 1

    def test_bad_input_is_explained_and_kept(self, officer_client, personas: Personas) -> None:
        data = self._form(personas, title="", conduct_date="2025-02-30", target_people="NOPE1 NOPE2")
        response = officer_client.post(reverse("cases:create"), data)
        page = response.content.decode()
        assert response.status_code == 200
        assert "找不到工号为 NOPE1、NOPE2 的人员" in page
        assert "这个字段是必填项" in page
        assert "审计发现专项资金被挪用" in page  # what was typed is kept
        assert not Case.objects.exists()

    def test_an_old_situation_is_refused_for_new_conduct(self, officer_client, personas: Personas) -> None:
        from tests.case_factories import clause

        data = self._form(personas, situations=[str(clause("ccp-accountability-2016", "6.1").pk)])
        page = officer_client.post(reverse("cases:create"), data).content.decode()
        assert "不在施行期内" in page
        assert not Case.objects.exists()

    def test_approvers_cannot_register(self, approver_client, personas: Personas) -> None:
        assert approver_client.get(reverse("cases:create")).status_code == 403
        assert approver_client.post(reverse("cases:create"), self._form(personas)).status_code == 403


class TestTransitionPages:
    def test_the_approver_initiates_through_the_page(self, approver_client, personas: Personas) -> None:
        case = draft_case(personas)
        url = reverse("cases:act", args=[case.pk, "initiate"])
        assert "审批启动调查" in approver_client.get(url).content.decode()
        response = approver_client.post(url, {"expected_state": "draft", "comment": "同意"})
        assert response.status_code == 302
        assert Case.objects.get(pk=case.pk).state == CaseState.INITIATED

    def test_htmx_gets_a_redirect_header(self, approver_client, personas: Personas) -> None:
        case = draft_case(personas)
        response = approver_client.post(
            reverse("cases:act", args=[case.pk, "initiate"]),
            {"expected_state": "draft"},
            HTTP_HX_REQUEST="true",
        )
        assert response.status_code == 204
        assert response["HX-Redirect"] == reverse("cases:detail", args=[case.pk])

    def test_a_guard_failure_is_shown_and_nothing_moves(self, approver_client, personas: Personas) -> None:
        case = draft_case(personas, with_targets=False)
        response = approver_client.post(
            reverse("cases:act", args=[case.pk, "initiate"]), {"expected_state": "draft"}
        )
        assert response.status_code == 200
        assert "请至少援引一项问责情形条款。" in response.content.decode()
        assert Case.objects.get(pk=case.pk).state == CaseState.DRAFT

    def test_a_conflict_is_409_and_keeps_the_input(self, approver_client, personas: Personas) -> None:
        case = draft_case(personas)
        from cases import actions

        actions.initiate_case(case, by=personas.approver)
        response = approver_client.post(
            reverse("cases:act", args=[case.pk, "withdraw"]),
            {"expected_state": "draft", "reason": "我写的理由"},
        )
        assert response.status_code == 409
        page = response.content.decode()
        assert "该案件刚被他人处理" in page and "我写的理由" in page

    def test_an_officer_may_not_initiate(self, officer_client, personas: Personas) -> None:
        case = draft_case(personas)
        url = reverse("cases:act", args=[case.pk, "initiate"])
        assert officer_client.get(url).status_code == 403
        assert officer_client.post(url, {"expected_state": "draft"}).status_code == 403
        assert Case.objects.get(pk=case.pk).state == CaseState.DRAFT

    def test_an_unknown_transition_is_404(self, approver_client, personas: Personas) -> None:
        case = draft_case(personas)
        assert approver_client.get(reverse("cases:act", args=[case.pk, "explode"])).status_code == 404

    def test_a_move_from_the_wrong_state_gives_a_message(self, officer_client, personas: Personas) -> None:
        case = draft_case(personas)
        response = officer_client.post(
            reverse("cases:act", args=[case.pk, "deliver"]),
            {"expected_state": "draft", "delivered_on": "2026-03-05", "document_no": "X"},
        )
        assert response.status_code == 200
        assert "不能进行此操作" in response.content.decode()

    def test_the_decision_form_has_a_section_per_target(self, approver_client, personas: Personas) -> None:
        case = advance(draft_case(personas), personas, CaseState.DETERMINED)
        page = approver_client.get(reverse("cases:act", args=[case.pk, "decide"])).content.decode()
        assert page.count("<fieldset") == 2
        assert "诫勉" in page and "改组（党组织）" in page

    def test_decide_through_the_page(self, approver_client, personas: Personas) -> None:
        case = advance(draft_case(personas), personas, CaseState.DETERMINED)
        organisation = case.targets.get(org_unit__isnull=False)
        leader = case.targets.get(person__isnull=False)
        data = {
            "expected_state": "determined",
            "meeting_date": "2026-03-01",
            "meeting_attendees": "甲、乙、丙",
            "votes_for": "3",
            "votes_against": "0",
            "votes_abstaining": "0",
            "decision_date": "2026-03-02",
            "facts": "经查……",
            f"t{organisation.pk}_forms": ["org_notice"],
            f"t{leader.pk}_forms": ["discipline"],
            f"t{leader.pk}_discipline": "serious_warning",
        }
        response = approver_client.post(reverse("cases:act", args=[case.pk, "decide"]), data)
        assert response.status_code == 302, response.content.decode()
        assert leader.forms.get().impact_ends_on == dt.date(2027, 9, 2)


class TestAttachments:
    def test_upload_and_download(self, officer_client, personas: Personas) -> None:
        case = draft_case(personas)
        upload = SimpleUploadedFile("调查笔录.pdf", b"%PDF-1.7 test", content_type="application/pdf")
        response = officer_client.post(
            reverse("cases:attachment_add", args=[case.pk]), {"kind": "evidence", "file": upload}
        )
        assert response.status_code == 302
        attachment = Attachment.objects.get()
        download = officer_client.get(reverse("cases:attachment", args=[case.pk, attachment.pk]))
        assert b"".join(download.streaming_content) == b"%PDF-1.7 test"

    @pytest.mark.parametrize(
        "name,content,message",
        [
            ("run.exe", b"MZ", "不接受.exe类型的文件"),
            ("fake.pdf", b"MZ\x90\x00", "文件内容与其扩展名.pdf不符"),
            ("empty.pdf", b"", "所提交的是空文件"),
        ],
    )
    def test_bad_files_are_refused(self, officer_client, personas: Personas, name, content, message) -> None:
        case = draft_case(personas)
        upload = SimpleUploadedFile(name, content)
        response = officer_client.post(
            reverse("cases:attachment_add", args=[case.pk]), {"kind": "evidence", "file": upload}, follow=True
        )
        assert message in response.content.decode()
        assert not Attachment.objects.exists()

    def test_outsiders_cannot_download(self, client, officer_client, personas: Personas) -> None:
        case = draft_case(personas)
        upload = SimpleUploadedFile("a.pdf", b"%PDF-1.7")
        officer_client.post(
            reverse("cases:attachment_add", args=[case.pk]), {"kind": "evidence", "file": upload}
        )
        attachment = Attachment.objects.get()
        login(client, personas.outsider)
        assert client.get(reverse("cases:attachment", args=[case.pk, attachment.pk])).status_code == 404


class TestDocumentsAndRecords:
    def test_the_decision_document(self, officer_client, personas: Personas) -> None:
        case = advance(draft_case(personas), personas, CaseState.DELIVERED)
        page = officer_client.get(reverse("cases:decision_document", args=[case.pk])).content.decode()
        assert "问责决定书" in page and case.decision_document_no in page
        assert "第七条第（九）项" in page and "警告" in page and "诫勉" in page
        assert "本决定自2026年3月2日起生效" in page
        assert "1个月内" in page and "书面申诉" in page
        # Signed by the body that decided (the approver's unit), not by the unit concerned.
        signature = page.split('class="signature"')[1]
        assert personas.county.name in signature and case.unit.name not in signature

    def test_the_decision_document_is_signed_by_the_body_chosen(self, client, personas: Personas) -> None:
        case = advance(draft_case(personas), personas, CaseState.DETERMINED)
        login(client, personas.approver)
        data = {
            "expected_state": "determined",
            "meeting_date": "2026-03-01",
            "meeting_attendees": "陈审批、周纪检",
            "votes_for": "5",
            "votes_against": "0",
            "votes_abstaining": "0",
            "decision_date": "2026-03-02",
            "facts": "经查……",
            "decision_body": str(personas.discipline.pk),
        }
        for target in case.targets.all():
            data[f"t{target.pk}_forms"] = "org_inspection" if target.is_organisation else "admonishment"
        response = client.post(reverse("cases:act", args=[case.pk, "decide"]), data)
        assert response.status_code in (200, 302), response.content.decode()[:2000]
        case.refresh_from_db()
        assert (case.state, case.decision_body) == (CaseState.DECIDED, personas.discipline)
        page = client.get(reverse("cases:decision_document", args=[case.pk])).content.decode()
        assert personas.discipline.name in page.split('class="signature"')[1]

    def test_no_decision_document_before_a_decision(self, officer_client, personas: Personas) -> None:
        case = draft_case(personas)
        assert officer_client.get(reverse("cases:decision_document", args=[case.pk])).status_code == 404

    def test_the_integrity_record_shows_running_impact_periods(
        self, officer_client, personas: Personas
    ) -> None:
        case = advance(draft_case(personas), personas, CaseState.DECIDED)
        leader = Person.objects.get(accountability_targets__case=case)
        page = officer_client.get(reverse("cases:integrity", args=[leader.pk])).content.decode()
        assert case.number in page
        assert "2027年3月2日" in page  # the warning's impact period ends a year after the decision
        assert "影响期未满" in page

    def test_the_integrity_record_is_refused_to_outsiders(self, client, personas: Personas) -> None:
        person = make_person(personas.forestry)
        login(client, personas.outsider)
        assert client.get(reverse("cases:integrity", args=[person.pk])).status_code == 403
