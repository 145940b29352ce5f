"""The permission matrix: every inspection URL, for every role, answers what it should.

Team A (team_leader, inspector) tours the forestry bureau; team B (other_team_leader) tours finance.
The rectification item belongs to forestry, whose contact is `unit_contact`; `finance_contact` is the
contact of another unit. Another team's leader gets 404 on every object of team A.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse

from inspections import actions
from inspections.models import FindingAttachment, ReportAttachment
from tests import inspection_factories as f
from tests.conftest import login
from tests.personas import Personas, make_user

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64

ROLES = [
    "anonymous",
    "team_leader",
    "inspector",
    "other_team_leader",
    "unit_contact",
    "finance_contact",
    "officer",
    "approver",
    "petition_officer",
    "admin",
    "outsider",
]


@dataclass
class World:
    personas: Personas
    tour: f.Tour
    item: Any
    finding_attachment: FindingAttachment
    report_attachment: ReportAttachment

    def user(self, role: str) -> Any:
        if role == "finance_contact":
            if not hasattr(self, "_finance_contact"):
                self._finance_contact = make_user(
                    "finance_contact", "unit_contact", unit=self.personas.finance
                )
            return self._finance_contact
        return getattr(self.personas, role)


@pytest.fixture
def world(personas: Personas) -> World:
    tour = f.tour(personas)
    item = f.item(tour.finding_a, personas.team_leader, deadline=dt.date(2026, 12, 31))
    FindingAttachment.objects.create(
        finding=tour.finding_a,
        file=SimpleUploadedFile("现场.png", PNG),
        original_name="现场.png",
        size=len(PNG),
        uploaded_by=personas.inspector,
    )
    report = actions.report_progress(
        item,
        by=personas.unit_contact,
        text="已完成整改",
        final=True,
        files=[SimpleUploadedFile("整改报告.pdf", b"%PDF-1.4 test")],
    )
    return World(
        personas=personas,
        tour=tour,
        item=item,
        finding_attachment=tour.finding_a.attachments.get(),
        report_attachment=report.attachments.get(),
    )


def forbidden_except(
    allowed: dict[str, int], *, not_found: tuple[str, ...] = ("other_team_leader",)
) -> dict[str, int]:
    expected = dict.fromkeys(ROLES, 403)
    expected["anonymous"] = 302
    expected.update(dict.fromkeys(not_found, 404))
    expected.update(allowed)
    return expected


TOUR_READ = forbidden_except({"team_leader": 200, "inspector": 200, "admin": 200})
TEAM_WRITE = forbidden_except({"team_leader": 302, "inspector": 302})
LEADER_PAGE = forbidden_except({"team_leader": 200})
LEADER_WRITE = forbidden_except({"team_leader": 302})
ITEM_READ = forbidden_except(
    dict.fromkeys(("team_leader", "inspector", "unit_contact", "officer", "approver", "admin"), 200),
    not_found=("other_team_leader", "finance_contact"),
)


def _dates() -> dict[str, str]:
    return {"stationed_on": "2026-03-02", "withdrawn_on": "2026-04-10", "feedback_on": "2026-04-30"}


# url name, method, url kwargs, form data, expected status per role
MATRIX: list[tuple[str, str, Any, Any, dict[str, int]]] = [
    (
        "home",
        "get",
        lambda w: {},
        None,
        forbidden_except(
            {"team_leader": 200, "inspector": 200, "other_team_leader": 200, "admin": 200}, not_found=()
        ),
    ),
    ("assignment_detail", "get", lambda w: {"pk": w.tour.a.pk}, None, TOUR_READ),
    ("assignment_dates", "post", lambda w: {"pk": w.tour.a.pk}, lambda w: _dates(), LEADER_WRITE),
    ("assignment_stage", "post", lambda w: {"pk": w.tour.a.pk}, lambda w: {}, LEADER_WRITE),
    (
        "checklist_step",
        "post",
        lambda w: {"pk": w.tour.a.pk, "step": "notice"},
        lambda w: {"done": "1"},
        TEAM_WRITE,
    ),
    ("finding_list", "get", lambda w: {"pk": w.tour.a.pk}, None, TOUR_READ),
    (
        "finding_create",
        "get",
        lambda w: {"pk": w.tour.a.pk},
        None,
        forbidden_except({"team_leader": 200, "inspector": 200}),
    ),
    (
        "finding_create",
        "post",
        lambda w: {"pk": w.tour.a.pk},
        lambda w: {"category": "eight_rules", "description": "违规发放津贴"},
        TEAM_WRITE,
    ),
    ("finding_detail", "get", lambda w: {"pk": w.tour.finding_a.pk}, None, TOUR_READ),
    ("finding_edit", "get", lambda w: {"pk": w.tour.finding_a.pk}, None, LEADER_PAGE),
    (
        "finding_edit",
        "post",
        lambda w: {"pk": w.tour.finding_a.pk},
        lambda w: {"category": "eight_rules", "description": "改写后的描述"},
        LEADER_WRITE,
    ),
    (
        "finding_review",
        "post",
        lambda w: {"pk": w.tour.finding_a.pk},
        lambda w: {"decision": "verify"},
        LEADER_WRITE,
    ),
    ("finding_transfer", "get", lambda w: {"pk": w.tour.finding_a.pk}, None, LEADER_PAGE),
    (
        "finding_transfer",
        "post",
        lambda w: {"pk": w.tour.finding_a.pk},
        lambda w: {"title": "林业局公车私用问题", "summary": "经查属实", "conduct_date": "2026-03-01"},
        LEADER_WRITE,
    ),
    ("finding_rectification", "get", lambda w: {"pk": w.tour.finding_a.pk}, None, LEADER_PAGE),
    (
        "finding_rectification",
        "post",
        lambda w: {"pk": w.tour.finding_a.pk},
        lambda w: {"responsible_unit": w.personas.forestry.pk, "requirement": "整改"},
        LEADER_WRITE,
    ),
    (
        "finding_attachment",
        "get",
        lambda w: {"pk": w.tour.finding_a.pk, "attachment_pk": w.finding_attachment.pk},
        None,
        TOUR_READ,
    ),
    (
        "finding_attachment_withdraw",
        "post",
        lambda w: {"pk": w.tour.finding_a.pk, "attachment_pk": w.finding_attachment.pk},
        lambda w: {},
        LEADER_WRITE,  # the uploader too, but only while the finding awaits verification
    ),
    (
        "item_list",
        "get",
        lambda w: {},
        None,
        forbidden_except(
            dict.fromkeys(
                (
                    "team_leader",
                    "inspector",
                    "other_team_leader",
                    "unit_contact",
                    "finance_contact",
                    "officer",
                    "approver",
                    "admin",
                ),
                200,
            ),
            not_found=(),
        ),
    ),
    ("item_detail", "get", lambda w: {"pk": w.item.pk}, None, ITEM_READ),
    (
        "report_attachment",
        "get",
        lambda w: {"pk": w.item.pk, "attachment_pk": w.report_attachment.pk},
        None,
        ITEM_READ,
    ),
    (
        "report_attachment_withdraw",
        "post",
        lambda w: {"pk": w.item.pk, "attachment_pk": w.report_attachment.pk},
        lambda w: {},
        # The unit's contact is told the files of a submitted item stay (a redirect with the message).
        forbidden_except({"unit_contact": 302}, not_found=("other_team_leader", "finance_contact")),
    ),
    (
        "item_report",
        "post",
        lambda w: {"pk": w.item.pk},
        lambda w: {"text": "进展"},
        forbidden_except({"unit_contact": 422}, not_found=("other_team_leader", "finance_contact")),
    ),
    (
        "item_review",
        "post",
        lambda w: {"pk": w.item.pk},
        lambda w: {"decision": "accept"},
        forbidden_except({"team_leader": 302}, not_found=("other_team_leader", "finance_contact")),
    ),
]


@pytest.mark.parametrize(
    ("name", "method", "kwargs", "data", "expected"),
    [pytest.param(*row, id=f"{row[1]}-{row[0]}") for row in MATRIX],
)
def test_the_permission_matrix(client, world: World, name, method, kwargs, data, expected) -> None:
    """Each role in turn, inside a savepoint rolled back afterwards: every role meets the same data."""
    users = {role: world.user(role) for role in ROLES if role != "anonymous"}
    url = reverse(f"inspections:{name}", kwargs=kwargs(world))
    answers = {}
    for role in ROLES:
        with transaction.atomic():
            client.logout()
            if role != "anonymous":
                login(client, users[role])
            response = getattr(client, method)(url, data(world) if data else None)
            answers[role] = response.status_code
            if role == "anonymous":
                assert response["Location"].startswith(reverse("login"))
            transaction.set_rollback(True)
    assert answers == expected, url


def test_every_inspection_url_is_in_the_matrix() -> None:
    from inspections.urls import urlpatterns

    assert {pattern.name for pattern in urlpatterns} == {row[0] for row in MATRIX}


def test_another_team_leader_never_sees_team_a_in_lists(client, world: World) -> None:
    login(client, world.personas.other_team_leader)
    home = client.get(reverse("inspections:home")).content.decode()
    assert "测试县财政局" in home and "测试县林业局" not in home
    items = client.get(reverse("inspections:item_list")).content.decode()
    assert "建立公务用车登记制度" not in items


def test_a_unit_contact_lists_only_their_own_units_items(client, world: World) -> None:
    f.item(world.tour.finding_b, world.personas.other_team_leader, deadline=dt.date(2026, 12, 1))
    login(client, world.personas.unit_contact)
    response = client.get(reverse("inspections:item_list"))
    assert response.context["page"].paginator.count == 1
    assert response.context["page"].object_list[0].responsible_unit == world.personas.forestry
