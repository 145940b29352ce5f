"""One submit, one record: the same create page sent twice creates one record, even when the two race.

The issue's example: two quick clicks on "register clue" created two cases. Every create form carries a
one-time key (`accountability/submissions.py`); the second submission with the same key creates nothing
and is shown the record the first one created.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse

from accountability.models import SubmissionKey
from cases.models import Attachment, Case
from inspections.models import Finding, FindingAttachment, RectificationItem, RectificationReport
from petitions.models import Petition
from tests import inspection_factories as f
from tests import petition_factories as pf
from tests.case_factories import draft_case
from tests.conftest import login
from tests.personas import Personas

petition_clock = pf.petition_clock
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def png() -> SimpleUploadedFile:
    return SimpleUploadedFile("现场照片.png", PNG, content_type="image/png")


def case_form(personas: Personas) -> dict[str, Any]:
    return {
        "title": "财政局资金监管问题",
        "source": "audit",
        "summary": "审计发现专项资金被挪用。",
        "conduct_date": "2025-08-01",
        "unit": str(personas.finance.pk),
        "target_units": [str(personas.finance.pk)],
    }


@dataclass
class CreateForm:
    """One create page: who sends it, where (GET shows the key), its data, the rows it creates."""

    who: str
    url: Callable[[dict[str, Any]], str]
    data: Callable[[dict[str, Any]], dict[str, Any]]
    rows: Callable[[], int]


FORMS = {
    "register-clue": CreateForm(
        "officer", lambda w: reverse("cases:create"), lambda w: case_form(w["personas"]), Case.objects.count
    ),
    "case-attachment": CreateForm(
        "officer",
        lambda w: reverse("cases:detail", args=[w["case"].pk]),
        lambda w: {"kind": "evidence", "file": SimpleUploadedFile("笔录.pdf", b"%PDF-1.7 x")},
        Attachment.objects.count,
    ),
    "log-finding": CreateForm(
        "inspector",
        lambda w: reverse("inspections:finding_create", args=[w["tour"].a.pk]),
        lambda w: {"category": "eight_rules", "description": "公务接待超标准。", "attachments": [png()]},
        Finding.objects.count,
    ),
    "edit-finding-with-photos": CreateForm(
        "team_leader",
        lambda w: reverse("inspections:finding_edit", args=[w["tour"].finding_a.pk]),
        lambda w: {"category": "eight_rules", "description": "公车私用问题", "attachments": [png()]},
        FindingAttachment.objects.count,
    ),
    "rectification-item": CreateForm(
        "team_leader",
        lambda w: reverse("inspections:finding_rectification", args=[w["tour"].finding_a.pk]),
        lambda w: {"responsible_unit": w["tour"].a.unit.pk, "requirement": "建立登记制度", "deadline": ""},
        RectificationItem.objects.count,
    ),
    "progress-report": CreateForm(
        "unit_contact",
        lambda w: reverse("inspections:item_detail", args=[w["item"].pk]),
        lambda w: {"text": "已制定制度草案", "attachments": [png()]},
        RectificationReport.objects.count,
    ),
    "register-petition": CreateForm(
        "petition_officer",
        lambda w: reverse("petitions:create"),
        lambda w: {
            "channel": "letter",
            "received_on": "2026-11-20",
            "subject": "反映村道塌方无人修复",
            "content": "村道塌方已两个月。",
            "responsible_unit": w["personas"].forestry.pk,
            "anonymous": "on",
        },
        Petition.objects.count,
    ),
}
POST_URLS: dict[str, Callable[[dict[str, Any]], str]] = {
    "case-attachment": lambda w: reverse("cases:attachment_add", args=[w["case"].pk]),
    "progress-report": lambda w: reverse("inspections:item_report", args=[w["item"].pk]),
}
KEY = re.compile(r'name="submission_key" value="([0-9a-f-]{36})"')


class World(dict):
    def __init__(self, personas: Personas) -> None:
        super().__init__(personas=personas)
        self.builders: dict[str, Callable[[], Any]] = {
            "case": lambda: draft_case(personas),
            "tour": lambda: f.tour(personas),
            "item": lambda: f.item(
                self["tour"].finding_a, personas.team_leader, deadline=dt.date(2026, 12, 31)
            ),
        }

    def __missing__(self, key: str) -> Any:
        self[key] = self.builders[key]()
        return self[key]


@pytest.mark.parametrize("name", list(FORMS))
def test_the_same_page_sent_twice_creates_one_record(client, personas: Personas, name: str) -> None:
    form, world = FORMS[name], World(personas)
    login(client, getattr(personas, form.who))
    page = client.get(form.url(world)).content.decode()
    (key,) = KEY.findall(page)  # a fresh one-time key in the page
    post_url = POST_URLS.get(name, form.url)(world)
    before = form.rows()
    first = client.post(post_url, {**form.data(world), "submission_key": key})
    assert first.status_code == 302, first.content.decode()[:2000]
    assert form.rows() == before + 1
    second = client.post(post_url, {**form.data(world), "submission_key": key})
    assert second.status_code == 302 and second["Location"] == first["Location"]
    assert form.rows() == before + 1
    assert "该表单此前已经提交过，本次没有重复创建记录。以下是此前提交所创建的记录。" in [
        str(message) for message in get_messages(second.wsgi_request)
    ]
    assert SubmissionKey.objects.get(key=key).url == first["Location"]


def test_each_showing_of_the_page_carries_a_new_key(client, personas: Personas) -> None:
    login(client, personas.officer)
    keys = {KEY.findall(client.get(reverse("cases:create")).content.decode())[0] for _ in range(3)}
    assert len(keys) == 3


def test_a_refused_submission_keeps_its_key_for_the_corrected_one(client, personas: Personas) -> None:
    login(client, personas.officer)
    key = str(uuid.uuid4())
    refused = client.post(
        reverse("cases:create"), {**case_form(personas), "conduct_date": "2027-01-01", "submission_key": key}
    )
    assert refused.status_code == 200
    assert f'value="{key}"' in refused.content.decode()  # the corrected page sends the same key
    assert not SubmissionKey.objects.exists()  # the refusal rolled the claim back
    accepted = client.post(reverse("cases:create"), {**case_form(personas), "submission_key": key})
    assert accepted.status_code == 302 and Case.objects.count() == 1


def test_the_htmx_answer_to_a_repeat_is_a_redirect_header(client, personas: Personas) -> None:
    login(client, personas.officer)
    data = {**case_form(personas), "submission_key": str(uuid.uuid4())}
    first = client.post(reverse("cases:create"), data)
    repeat = client.post(reverse("cases:create"), data, headers={"HX-Request": "true"})
    assert repeat.status_code == 204 and repeat["HX-Redirect"] == first["Location"]
    assert Case.objects.count() == 1


def test_a_key_is_one_users_own(client, personas: Personas) -> None:
    """Another officer's page with the same key is another submission (the pair is (user, key))."""
    key = str(uuid.uuid4())
    login(client, personas.officer)
    client.post(reverse("cases:create"), {**case_form(personas), "submission_key": key})
    login(client, personas.officer2)
    second = client.post(reverse("cases:create"), {**case_form(personas), "submission_key": key})
    assert second.status_code == 302 and Case.objects.count() == 2


def test_a_page_without_a_key_still_works(client, personas: Personas) -> None:
    login(client, personas.officer)
    assert client.post(reverse("cases:create"), case_form(personas)).status_code == 302
    assert client.post(reverse("cases:create"), case_form(personas)).status_code == 302
    assert Case.objects.count() == 2 and not SubmissionKey.objects.exists()


def test_a_refused_repeat_is_refused_for_the_right_reason(client, personas: Personas) -> None:
    """Permission is checked before the key: a user who may not register gets 403, not the first case."""
    login(client, personas.officer)
    data = {**case_form(personas), "submission_key": str(uuid.uuid4())}
    client.post(reverse("cases:create"), data)
    login(client, personas.approver)
    assert client.post(reverse("cases:create"), data).status_code == 403
    assert Case.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_submits_racing_create_one_case(transactional_personas: Personas, monkeypatch) -> None:
    """Two POSTs of the same page at the same moment, each in its own connection: the second waits on
    the key's unique index until the first commits, then is shown the first one's case."""
    from cases import actions

    personas = transactional_personas
    assert connection.vendor == "postgresql"
    personas.officer, personas.finance  # noqa: B018 - create them before the threads start
    real_create_case = actions.create_case

    def slow_create_case(*args: Any, **kwargs: Any) -> Case:
        time.sleep(0.5)  # the first holds its claim, uncommitted, while the second arrives
        return real_create_case(*args, **kwargs)

    monkeypatch.setattr(actions, "create_case", slow_create_case)
    data = {**case_form(personas), "submission_key": str(uuid.uuid4())}
    barrier = threading.Barrier(2)
    answers: list[Any] = []
    errors: list[BaseException] = []

    def submit() -> None:
        client = Client()
        login(client, personas.officer)
        try:
            barrier.wait()
            answers.append(client.post(reverse("cases:create"), data))
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    (case,) = Case.objects.all()
    url = reverse("cases:detail", args=[case.pk])
    assert [(answer.status_code, answer["Location"]) for answer in answers] == [(302, url), (302, url)]
    assert SubmissionKey.objects.count() == 1
