"""The petition pages: forms with their bad cases, pinned query counts, and refusals for every role
outside petition work (and for the wrong role, and for another county's leader)."""

import datetime as dt
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from cases.models import Case
from petitions import actions
from petitions.models import (
    Assessment,
    Petition,
    PetitionExtension,
    PetitionResponsibility,
    PetitionState,
    SubjectKind,
    SupervisionPlan,
)
from tests.conftest import login
from tests.personas import Personas, make_person
from tests.petition_factories import (
    PetitionPeople,
    advance,
    fresh,
    petition_clock,  # noqa: F401 - autouse: the tests run on 30 Nov 2026
    register,
)

D = dt.date


@pytest.fixture
def world(personas: Personas) -> dict:
    """One petition being handled with a pending extension and a responsibility; the year's plans; a grade."""
    petition = advance(
        register(personas, received_on=D(2026, 10, 1)), personas, "handling", accepted_on=D(2026, 10, 9)
    )
    extension = actions.request_extension(petition, by=personas.petition_officer, days=10, reason="需要鉴定")
    responsibility = actions.record_responsibility(
        petition,
        actions.ResponsibilitySpec(subject_kind=SubjectKind.WORKING_DEPARTMENT, org_unit=personas.forestry),
        by=personas.petition_officer,
    )
    actions.open_plans(2026)
    plan = SupervisionPlan.objects.get(unit=personas.forestry, year=2026)
    return {
        "petition": fresh(petition),
        "extension": extension,
        "responsibility": responsibility,
        "plan": plan,
    }


def urls(world: dict, personas: Personas) -> dict[str, tuple[str, str]]:
    """name → (method, url) of every petition page."""
    petition, plan = world["petition"], world["plan"]
    return {
        "list": ("get", reverse("petitions:list")),
        "export": ("get", reverse("petitions:export")),
        "create": ("get", reverse("petitions:create")),
        "detail": ("get", reverse("petitions:detail", args=[petition.pk])),
        "act": ("get", reverse("petitions:act", args=[petition.pk, "conclude"])),
        "correct": ("get", reverse("petitions:correct", args=[petition.pk])),
        "handlers": ("get", reverse("petitions:handlers", args=[petition.pk])),
        "handler_remove": (
            "post",
            reverse("petitions:handler_remove", args=[petition.pk, personas.petition_officer.pk]),
        ),
        "extension": ("get", reverse("petitions:extension", args=[petition.pk])),
        "extension_decide": (
            "get",
            reverse("petitions:extension_decide", args=[petition.pk, world["extension"].pk]),
        ),
        "responsibility_add": ("get", reverse("petitions:responsibility_add", args=[petition.pk])),
        "responsibility_withdraw": (
            "post",
            reverse("petitions:responsibility_withdraw", args=[petition.pk, world["responsibility"].pk]),
        ),
        "refer": ("get", reverse("petitions:refer", args=[petition.pk])),
        "supervision": ("get", reverse("petitions:supervision")),
        "supervision_export": ("get", reverse("petitions:supervision_export")),
        "supervision_record": ("get", reverse("petitions:supervision_record", args=[plan.pk])),
        "assessment": ("get", reverse("petitions:assessment")),
        "assessment_export": ("get", reverse("petitions:assessment_export")),
        "assessment_grade": ("get", reverse("petitions:assessment_grade", args=[personas.forestry.pk, 2026])),
    }


OBJECT_PAGES = {
    "detail",
    "act",
    "correct",
    "handlers",
    "handler_remove",
    "extension",
    "extension_decide",
    "responsibility_add",
    "responsibility_withdraw",
    "refer",
}


# Pages that change something when posted to.
WRITE_PAGES = (
    "create",
    "act",
    "correct",
    "handlers",
    "handler_remove",
    "extension",
    "extension_decide",
    "responsibility_add",
    "responsibility_withdraw",
    "refer",
    "supervision_record",
    "assessment_grade",
)


class TestRefusals:
    @pytest.mark.parametrize("who", ["inspector", "unit_contact", "outsider", "team_leader", "admin"])
    def test_roles_outside_petition_work_are_refused_everywhere(
        self, client, personas: Personas, world, who
    ) -> None:
        login(client, getattr(personas, who))
        for name, (method, url) in urls(world, personas).items():
            response = getattr(client, method)(url)
            # Object pages do not reveal that the petition exists; the others say "forbidden".
            expected = 404 if name in OBJECT_PAGES else 403
            if name == "supervision_record":
                expected = 403
            assert response.status_code == expected, (who, name, response.status_code)
        assert fresh(world["petition"]).state == PetitionState.HANDLING
        assert not PetitionResponsibility.objects.filter(withdrawn=True).exists()

    @pytest.mark.parametrize("who", ["inspector", "unit_contact", "outsider", "team_leader", "admin"])
    def test_roles_outside_petition_work_cannot_write_by_posting(
        self, client, personas: Personas, world, who
    ) -> None:
        login(client, getattr(personas, who))
        petition = world["petition"]
        before = (Petition.objects.count(), PetitionResponsibility.objects.count(), Case.objects.count())
        pages = urls(world, personas)
        for name in WRITE_PAGES:
            response = client.post(pages[name][1], {"reason": "x", "days": "10", "subject": "x"})
            expected = 404 if name in OBJECT_PAGES else 403
            assert response.status_code == expected, (who, name, response.status_code)
        assert fresh(petition).state == PetitionState.HANDLING
        assert fresh(petition).subject == petition.subject
        assert (
            Petition.objects.count(),
            PetitionResponsibility.objects.count(),
            Case.objects.count(),
        ) == before
        world["extension"].refresh_from_db()
        assert world["extension"].decision == PetitionExtension.Decision.PENDING
        assert not Assessment.objects.exists()

    def test_every_petition_url_is_covered(self, personas: Personas, world) -> None:
        from petitions.urls import urlpatterns

        assert {pattern.name for pattern in urlpatterns} == set(urls(world, personas))

    def test_the_navigation_offers_petitions_only_to_petition_roles(self, client, personas: Personas) -> None:
        login(client, personas.inspector)
        assert "/petitions/" not in client.get(reverse("home")).content.decode()
        login(client, personas.petition_officer)
        page = client.get(reverse("home")).content.decode()
        assert reverse("petitions:list") in page and reverse("petitions:supervision") in page

    @pytest.mark.parametrize("who", ["approver", "officer"])
    def test_leaders_and_case_officers_read_but_do_not_act(
        self, client, personas: Personas, world, who
    ) -> None:
        login(client, getattr(personas, who))
        pages = urls(world, personas)
        for name in ("list", "export", "detail"):
            assert client.get(pages[name][1]).status_code == 200, name
        for name in (
            "create",
            "act",
            "correct",
            "extension",
            "responsibility_add",
            "refer",
            "supervision_record",
        ):
            method, url = pages[name]
            assert getattr(client, method)(url).status_code == 403, (who, name)
        # The approver leads the petition unit: they assign handlers (tests/test_security_handlers.py).
        assert client.get(pages["handlers"][1]).status_code == (200 if who == "approver" else 403)
        assert client.post(pages["responsibility_withdraw"][1]).status_code == 403
        assert client.post(pages["act"][1], {"concluded_on": "2026-11-01"}).status_code == 403

    def test_a_case_officer_has_no_supervision_or_assessment_pages(
        self, client, personas: Personas, world
    ) -> None:
        login(client, personas.officer)
        pages = urls(world, personas)
        for name in (
            "supervision",
            "supervision_export",
            "assessment",
            "assessment_export",
            "assessment_grade",
        ):
            assert client.get(pages[name][1]).status_code == 403, name

    def test_only_an_approver_decides_extensions(self, client, personas: Personas, world) -> None:
        url = urls(world, personas)["extension_decide"][1]
        login(client, personas.petition_officer)
        assert client.get(url).status_code == 403
        assert client.post(url, {"decision": "approve"}).status_code == 403
        assert PetitionExtension.objects.get().decision == "pending"

    def test_another_countys_leader_sees_nothing_of_this_county(
        self, client, personas: Personas, world
    ) -> None:
        outside = PetitionPeople(personas).outside_approver
        login(client, outside)
        pages = urls(world, personas)
        for name in ("detail", "extension_decide"):
            assert client.get(pages[name][1]).status_code == 404, name
        assert client.post(pages["extension_decide"][1], {"decision": "approve"}).status_code == 404
        assert client.get(pages["list"][1]).context["page"].paginator.count == 0
        board = client.get(pages["supervision"][1])
        assert board.context["totals"]["total"] == 0
        assert personas.forestry.name not in client.get(pages["assessment"][1]).content.decode()
        assert PetitionExtension.objects.get().decision == "pending"

    def test_the_township_officer_cannot_record_a_county_departments_supervision(
        self, client, personas: Personas, world
    ) -> None:
        login(client, PetitionPeople(personas).township_officer)
        url = urls(world, personas)["supervision_record"][1]
        assert client.get(url).status_code == 404
        assert client.post(url, {"supervised_on": "2026-11-01", "findings": "x"}).status_code == 404
        assert SupervisionPlan.objects.get(pk=world["plan"].pk).state == "planned"


class TestQueryCounts:
    def test_the_list(self, client, personas: Personas, django_assert_num_queries) -> None:
        for _ in range(5):
            advance(register(personas), personas, "handling")
        register(personas, anonymous=True)
        login(client, personas.petition_officer)
        client.get(reverse("petitions:list"))  # warm the per-process caches (content types)
        # 1 session, 2 user, 3-4 user and group model permissions, 5 role names, 6 profile unit,
        # 7 territorial ancestors (petition jurisdiction), 8 count, 9 the page of petitions with their units
        # and the personal-data flag, 10 unread notifications, 11 the unit filter's options.
        with django_assert_num_queries(11):
            response = client.get(reverse("petitions:list"))
        assert len(response.context["rows"]) == 6

    def test_the_list_does_not_grow_with_the_rows(
        self, client, personas: Personas, django_assert_num_queries
    ) -> None:
        for _ in range(25):
            register(personas)
        login(client, personas.petition_officer)
        client.get(reverse("petitions:list"))
        with django_assert_num_queries(11):
            client.get(reverse("petitions:list"))

    def test_the_detail(self, client, personas: Personas, world, django_assert_num_queries) -> None:
        login(client, personas.petition_officer)
        url = reverse("petitions:detail", args=[world["petition"].pk])
        client.get(url)
        # 1 session, 2 user, 3-4 permissions, 5 role names, 6 profile unit, 7 territorial ancestors,
        # 8 the petition, 9 extensions, 10 responsibilities, 11 handlers, 12 deadline rules,
        # 13-15 the work calendar around the three due dates shown (acceptance, hand-over, conclusion),
        # 16 timeline, 17 referred failures, 18 the access log, 19 unread notifications.
        with django_assert_num_queries(19):
            response = client.get(url)
        assert response.status_code == 200


class TestRegisterForm:
    def test_the_form_registers_and_redirects(self, client, personas: Personas) -> None:
        login(client, personas.petition_officer)
        assert client.get(reverse("petitions:create")).status_code == 200
        response = client.post(
            reverse("petitions:create"),
            {
                "channel": "letter",
                "received_on": "2026-11-20",
                "subject": "反映路灯损坏",
                "content": "村口路灯损坏三个月无人修理。",
                "responsible_unit": personas.village.pk,
                "petitioner_name": "李四",
                "petitioner_phone": "13800001111",
                "handlers": [personas.petition_officer.pk],
            },
        )
        petition = Petition.objects.get()
        assert response.status_code == 302 and response["Location"] == reverse(
            "petitions:detail", args=[petition.pk]
        )
        assert (petition.channel, petition.responsible_unit, petition.petitioner_name) == (
            "letter",
            personas.village,
            "李四",
        )
        assert petition.next_due_on == D(2026, 12, 7)  # +15 = Saturday 5 Dec

    def test_bad_input_is_explained_in_chinese_and_kept(self, client, personas: Personas) -> None:
        login(client, personas.petition_officer)
        response = client.post(
            reverse("petitions:create"),
            {
                "channel": "visit",
                "received_on": "2026-11-20",
                "subject": "",
                "content": "这段文字不能丢失",
                "responsible_unit": personas.village.pk,
                "petitioner_id_number": "110105198005170011",
                "petitioner_phone": "13800001111",
                "complained_person": "NOSUCH",
            },
        )
        assert response.status_code == 200
        page = response.content.decode()
        assert "没有工号为NOSUCH的人员" in page
        assert "这段文字不能丢失" in page and "13800001111" in page
        assert not Petition.objects.exists()

    def test_rule_errors_come_back_on_the_form(self, client, personas: Personas) -> None:
        login(client, personas.petition_officer)
        response = client.post(
            reverse("petitions:create"),
            {
                "channel": "visit",
                "received_on": "2026-11-20",
                "subject": "事由",
                "content": "内容",
                "responsible_unit": personas.village.pk,
            },
        )
        page = response.content.decode()
        assert response.status_code == 200 and "请填写信访人姓名，或标记为匿名信访。" in page
        assert 'value="事由"' in page
        assert not Petition.objects.exists()

    def test_a_malformed_date_is_refused_not_crashed(self, client, personas: Personas) -> None:
        login(client, personas.petition_officer)
        response = client.post(reverse("petitions:create"), {"received_on": "2026-13-45", "subject": "x"})
        assert response.status_code == 200 and "有效的日期" in response.content.decode()


class TestStepForms:
    def test_accept_through_the_page(self, client, personas: Personas) -> None:
        petition = register(personas, received_on=D(2026, 11, 20))
        login(client, personas.petition_officer)
        url = reverse("petitions:act", args=[petition.pk, "accept"])
        assert "受理" in client.get(url).content.decode()
        response = client.post(
            url, {"expected_state": "registered", "decided_on": "2026-11-25", "note": "予以受理"}
        )
        assert response.status_code == 302
        assert fresh(petition).state == PetitionState.ACCEPTED

    def test_a_refused_step_keeps_the_input(self, client, personas: Personas) -> None:
        petition = register(personas, received_on=D(2026, 11, 20))
        login(client, personas.petition_officer)
        response = client.post(
            reverse("petitions:act", args=[petition.pk, "reject"]),
            {"expected_state": "registered", "decided_on": "2026-11-19", "reason": "我写的理由"},
        )
        page = response.content.decode()
        assert response.status_code == 200
        assert "不能早于收到信访事项的日期" in page and "我写的理由" in page
        assert fresh(petition).state == PetitionState.REGISTERED

    def test_a_stale_page_gets_409(self, client, personas: Personas) -> None:
        petition = register(personas, received_on=D(2026, 11, 20))
        actions.accept_petition(petition, by=personas.petition_officer, decided_on=D(2026, 11, 21))
        login(client, personas.petition_officer)
        response = client.post(
            reverse("petitions:act", args=[petition.pk, "reject"]),
            {"expected_state": "registered", "decided_on": "2026-11-21", "reason": "x"},
        )
        assert response.status_code == 409
        assert "有人刚刚办理了该信访事项" in response.content.decode()

    def test_htmx_success_redirects_by_header(self, client, personas: Personas) -> None:
        petition = register(personas, received_on=D(2026, 11, 20))
        login(client, personas.petition_officer)
        response = client.post(
            reverse("petitions:act", args=[petition.pk, "accept"]),
            {"expected_state": "registered", "decided_on": "2026-11-21"},
            headers={"HX-Request": "true"},
        )
        assert response.status_code == 204
        assert response["HX-Redirect"] == reverse("petitions:detail", args=[petition.pk])

    def test_an_unknown_step_is_404(self, client, personas: Personas) -> None:
        petition = register(personas)
        login(client, personas.petition_officer)
        assert client.get(reverse("petitions:act", args=[petition.pk, "delete"])).status_code == 404

    def test_extension_asked_and_approved_through_the_pages(self, client, personas: Personas) -> None:
        petition = advance(
            register(personas, received_on=D(2026, 10, 1)), personas, "handling", accepted_on=D(2026, 10, 9)
        )
        login(client, personas.petition_officer)
        url = reverse("petitions:extension", args=[petition.pk])
        bad = client.post(url, {"days": "45", "reason": "复杂"})
        assert bad.status_code == 200 and "延长期限应在1至30日之间" in bad.content.decode()
        assert client.post(url, {"days": "20", "reason": "需要鉴定"}).status_code == 302
        extension = PetitionExtension.objects.get()
        login(client, personas.approver)
        decide = reverse("petitions:extension_decide", args=[petition.pk, extension.pk])
        assert "请选择同意或不同意延期" in client.post(decide, {"decision": ""}).content.decode()
        assert client.post(decide, {"decision": "approve", "note": "同意"}).status_code == 302
        assert fresh(petition).next_due_on == D(2026, 12, 28)  # 9 Oct + 60 + 20 days = Monday 28 Dec


class TestResponsibilityAndReferral:
    def test_recording_refuses_a_cadre_without_a_person(self, client, personas: Personas) -> None:
        petition = register(personas)
        login(client, personas.petition_officer)
        url = reverse("petitions:responsibility_add", args=[petition.pk])
        response = client.post(url, {"subject_kind": "leading_cadre", "org_unit": personas.forestry.pk})
        assert "请填写领导干部" in response.content.decode()
        assert not PetitionResponsibility.objects.exists()

    def test_record_withdraw_and_refer(self, client, personas: Personas) -> None:
        leader = make_person(personas.forestry, "林局长", post="局长")
        petition = advance(register(personas, received_on=D(2026, 9, 1)), personas, "handling")
        login(client, personas.petition_officer)
        url = reverse("petitions:responsibility_add", args=[petition.pk])
        response = client.post(
            url,
            {
                "subject_kind": "leading_cadre",
                "org_unit": personas.forestry.pk,
                "person": leader.staff_no,
                "level": "leadership",
            },
        )
        assert response.status_code == 302
        wrong = actions.record_responsibility(
            petition,
            actions.ResponsibilitySpec(
                subject_kind=SubjectKind.WORKING_DEPARTMENT, org_unit=personas.finance
            ),
            by=personas.petition_officer,
        )
        client.post(reverse("petitions:responsibility_withdraw", args=[petition.pk, wrong.pk]))
        assert PetitionResponsibility.objects.get(pk=wrong.pk).withdrawn
        cadre = PetitionResponsibility.objects.get(person=leader)
        refer = reverse("petitions:refer", args=[petition.pk])
        assert "第十一条第（二）项" in client.get(refer).content.decode()
        situation = next(c for c in actions.article_11_situations() if c.code == "11.2")
        response = client.post(
            refer,
            {
                "situation": situation.pk,
                "conduct_date": "2026-11-01",
                "facts": "未按规定交办",
                "responsibilities": [cadre.pk],
            },
            follow=True,
        )
        case = Case.objects.get()
        assert f"已由本信访事项生成问责线索{case.number}" in response.content.decode()

    def test_a_referral_with_nothing_chosen_is_explained(self, client, personas: Personas) -> None:
        petition = register(personas)
        actions.record_responsibility(
            petition,
            actions.ResponsibilitySpec(
                subject_kind=SubjectKind.WORKING_DEPARTMENT, org_unit=personas.forestry
            ),
            by=personas.petition_officer,
        )
        login(client, personas.petition_officer)
        response = client.post(reverse("petitions:refer", args=[petition.pk]), {"facts": "事实"})
        page = response.content.decode()
        assert "请选择属于第十一条六种情形中的哪一种" in page and "请至少选择一个责任单位或责任人" in page
        assert "事实" in page
        assert not Case.objects.exists()


class TestSupervisionAndAssessmentPages:
    def test_the_board_counts_and_records(self, client, personas: Personas, world) -> None:
        login(client, personas.petition_officer)
        board = client.get(reverse("petitions:supervision") + "?year=2026")
        assert board.context["totals"]["total"] == SupervisionPlan.objects.filter(year=2026).count()
        url = reverse("petitions:supervision_record", args=[world["plan"].pk])
        bad = client.post(url, {"supervised_on": "2025-12-01", "findings": ""})
        assert (
            "督查日期应在2026年内" in bad.content.decode() and "请填写督查发现的情况" in bad.content.decode()
        )
        assert (
            client.post(url, {"supervised_on": "2026-11-02", "findings": "责任落实到位"}).status_code == 302
        )
        board = client.get(reverse("petitions:supervision") + "?year=2026&status=done")
        assert [row["plan"].unit for row in board.context["rows"]] == [personas.forestry]
        export = client.get(reverse("petitions:supervision_export") + "?year=2026&status=done")
        sheet = load_workbook(BytesIO(export.content)).active
        assert sheet is not None
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[1][:4] == (personas.forestry.code, personas.forestry.name, 2026, "已督查")

    def test_grading_through_the_page(self, client, personas: Personas, world) -> None:
        login(client, personas.petition_officer)
        url = reverse("petitions:assessment_grade", args=[personas.forestry.pk, 2026])
        assert "请选择考核等次" in client.post(url, {"grade": ""}).content.decode()
        assert client.post(url, {"grade": "good", "notes": "较好"}).status_code == 302
        assert Assessment.objects.get(unit=personas.forestry, year=2026).grade == "good"
        page = client.get(reverse("petitions:assessment") + "?year=2026").content.decode()
        assert "良好" in page
        future = reverse("petitions:assessment_grade", args=[personas.forestry.pk, 2030])
        assert "只能登记以往年度或本年度的考核" in client.post(future, {"grade": "good"}).content.decode()

    def test_a_bad_year_parameter_falls_back(self, client, personas: Personas, world) -> None:
        login(client, personas.petition_officer)
        assert client.get(reverse("petitions:supervision") + "?year=abc").context["year"] == 2026
        assert client.get(reverse("petitions:assessment") + "?year=1").context["year"] == 2000


class TestHandlersPage:
    def test_add_a_handler_and_refuse_an_empty_choice(self, client, personas: Personas) -> None:
        people = PetitionPeople(personas)
        petition = register(personas)
        login(client, personas.petition_officer)
        url = reverse("petitions:handlers", args=[petition.pk])
        assert "请至少选择一名承办人" in client.post(url, {}).content.decode()
        assert client.post(url, {"handlers": [people.township_officer.pk]}).status_code == 302
        assert list(petition.handlers.values_list("username", flat=True)) == ["town_officer"]
        not_an_officer = client.post(url, {"handlers": [personas.officer.pk]})
        assert not_an_officer.status_code == 200  # not offered: the choice is refused by the form
        assert list(petition.handlers.values_list("username", flat=True)) == ["town_officer"]


class TestCorrectionPage:
    def test_the_form_is_prefilled_and_a_bad_submit_keeps_the_input(self, client, personas: Personas) -> None:
        petition = register(personas, received_on=D(2026, 11, 20))
        login(client, personas.petition_officer)
        url = reverse("petitions:correct", args=[petition.pk])
        page = client.get(url).content.decode()
        assert "13987801234" in page and "反映林地承包纠纷久拖不决" in page
        response = client.post(url, {"subject": "新的事由", "received_on": "2026-11-20", "reason": ""})
        assert response.status_code == 200
        assert (
            "新的事由" in response.content.decode() and "请说明更正的内容和理由" in response.content.decode()
        )
        assert fresh(petition).subject == "反映林地承包纠纷久拖不决"

    def test_those_who_see_it_masked_cannot_open_it(self, client, personas: Personas) -> None:
        from tests.personas import make_user

        petition = register(personas)
        url = reverse("petitions:correct", args=[petition.pk])
        for user in (make_user("root", unit=personas.county, is_superuser=True), personas.approver):
            login(client, user)
            response = client.get(url)
            assert response.status_code == 403
            assert "13987801234" not in response.content.decode()


def test_the_list_filters_answer_htmx_with_the_table_only(client, personas: Personas) -> None:
    register(personas, subject="甲事由")
    register(personas, subject="乙事由")
    login(client, personas.petition_officer)
    response = client.get(
        reverse("petitions:list") + "?q=甲", headers={"HX-Request": "true", "HX-Target": "petition-table"}
    )
    page = response.content.decode()
    assert "<html" not in page and "甲事由" in page and "乙事由" not in page
