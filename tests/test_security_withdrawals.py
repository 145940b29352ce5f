"""Withdrawing an attachment keeps it on record with who withdrew it and when, in cases and inspections,
and only those whose part it is may withdraw it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cases import actions as case_actions
from cases.models import Attachment
from inspections import actions
from inspections.models import FindingAttachment, FindingCategory, ReportAttachment
from tests import inspection_factories as f
from tests.case_factories import draft_case
from tests.conftest import login
from tests.personas import Personas

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def png(name: str = "现场.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG)


class TestCaseAttachments:
    def test_the_withdrawal_records_who_and_when_and_the_file_is_no_longer_served(
        self, client, personas: Personas
    ) -> None:
        case = draft_case(personas)
        attachment = case_actions.add_attachment(
            case, by=personas.officer, kind="evidence", upload=SimpleUploadedFile("笔录.pdf", b"%PDF-1.7 x")
        )
        login(client, personas.officer)
        url = reverse("cases:attachment_withdraw", args=[case.pk, attachment.pk])
        assert client.post(url).status_code == 302

        attachment.refresh_from_db()
        assert (attachment.withdrawn, attachment.withdrawn_by) == (True, personas.officer)
        assert attachment.withdrawn_at is not None
        download = reverse("cases:attachment", args=[case.pk, attachment.pk])
        assert client.get(download).status_code == 404
        page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
        assert "已撤回的附件" in page and "周纪检 于" in page and "撤回" in page
        assert client.post(url).status_code == 404  # already withdrawn: nothing left to withdraw

    def test_an_approver_does_not_withdraw(self, client, personas: Personas) -> None:
        case = draft_case(personas)
        attachment = case_actions.add_attachment(
            case, by=personas.officer, kind="evidence", upload=SimpleUploadedFile("笔录.pdf", b"%PDF-1.7 x")
        )
        login(client, personas.approver)
        assert (
            client.post(reverse("cases:attachment_withdraw", args=[case.pk, attachment.pk])).status_code
            == 403
        )
        assert not Attachment.objects.get(pk=attachment.pk).withdrawn

    def test_the_action_refuses_a_second_withdrawal(self, personas: Personas) -> None:
        case = draft_case(personas)
        attachment = case_actions.add_attachment(
            case, by=personas.officer, kind="evidence", upload=SimpleUploadedFile("笔录.pdf", b"%PDF-1.7 x")
        )
        case_actions.withdraw_attachment(attachment, by=personas.officer)
        with pytest.raises(case_actions.CaseActionError) as raised:
            case_actions.withdraw_attachment(attachment, by=personas.officer2)
        assert raised.value.messages == ["该附件已经撤回。"]
        assert Attachment.objects.get(pk=attachment.pk).withdrawn_by == personas.officer


class TestFindingAttachments:
    def _logged_finding(self, personas: Personas):
        tour = f.tour(personas)
        finding = actions.log_finding(
            tour.a,
            actions.FindingData(
                category=FindingCategory.EIGHT_RULES,
                description="超标准接待",
                units=[tour.a.unit],
                files=[png()],
            ),
            by=personas.inspector,
        )
        return finding, finding.attachments.get()

    def test_the_uploader_withdraws_while_the_finding_awaits_verification(
        self, client, personas: Personas
    ) -> None:
        finding, attachment = self._logged_finding(personas)
        login(client, personas.inspector)
        detail = reverse("inspections:finding_detail", args=[finding.pk])
        assert f'data-testid="withdraw-file-{attachment.pk}"' in client.get(detail).content.decode()
        url = reverse("inspections:finding_attachment_withdraw", args=[finding.pk, attachment.pk])
        assert client.post(url).status_code == 302
        attachment.refresh_from_db()
        assert (attachment.withdrawn, attachment.withdrawn_by) == (True, personas.inspector)
        assert attachment.withdrawn_at is not None
        download = reverse("inspections:finding_attachment", args=[finding.pk, attachment.pk])
        assert client.get(download).status_code == 404
        assert "王组员 于" in client.get(detail).content.decode()

    def test_once_verified_only_the_leader_withdraws(self, client, personas: Personas) -> None:
        finding, attachment = self._logged_finding(personas)
        actions.review_finding(finding, by=personas.team_leader, verified=True)
        with pytest.raises(actions.InspectionPermissionError):
            actions.withdraw_finding_attachment(attachment, by=personas.inspector)
        assert not FindingAttachment.objects.get(pk=attachment.pk).withdrawn
        actions.withdraw_finding_attachment(attachment, by=personas.team_leader)
        assert FindingAttachment.objects.get(pk=attachment.pk).withdrawn_by == personas.team_leader

    def test_a_transferred_finding_keeps_its_evidence(self, personas: Personas) -> None:
        finding, attachment = self._logged_finding(personas)
        actions.review_finding(finding, by=personas.team_leader, verified=True)
        actions.transfer_finding(
            finding,
            by=personas.team_leader,
            title="超标准接待问题",
            summary="经查属实",
            conduct_date=dt.date(2026, 3, 1),
        )
        with pytest.raises(actions.InspectionActionError) as raised:
            actions.withdraw_finding_attachment(attachment, by=personas.team_leader)
        assert raised.value.messages == ["已作为线索移交的问题，其证据材料不能撤回。"]
        assert not FindingAttachment.objects.get(pk=attachment.pk).withdrawn


class TestReportAttachments:
    def test_the_unit_contact_withdraws_until_the_item_is_submitted(self, client, personas: Personas) -> None:
        tour = f.tour(personas)
        item = f.item(tour.finding_a, personas.team_leader, deadline=dt.date(2026, 12, 31))
        draft = actions.report_progress(
            item, by=personas.unit_contact, text="正在整改", final=False, files=[png("进展.png")]
        )
        attachment = draft.attachments.get()
        login(client, personas.unit_contact)
        url = reverse("inspections:report_attachment_withdraw", args=[item.pk, attachment.pk])
        assert client.post(url).status_code == 302
        attachment.refresh_from_db()
        assert (attachment.withdrawn, attachment.withdrawn_by) == (True, personas.unit_contact)

        final = actions.report_progress(
            item, by=personas.unit_contact, text="整改完成", final=True, files=[png("完成.png")]
        )
        kept = final.attachments.get()
        with pytest.raises(actions.InspectionActionError) as raised:
            actions.withdraw_report_attachment(kept, by=personas.unit_contact)
        assert raised.value.messages == ["已报请验收事项的材料须留存，不能撤回。"]
        with pytest.raises(actions.InspectionPermissionError):
            actions.withdraw_report_attachment(kept, by=personas.team_leader)
        assert not ReportAttachment.objects.get(pk=kept.pk).withdrawn
        page = client.get(reverse("inspections:item_detail", args=[item.pk])).content.decode()
        assert "孙联络 于" in page
