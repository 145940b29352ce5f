"""The workflow kernel on its own (kernel/workflow.py, kernel/action_views.py), through a workflow of its
own over the Case model: the guards, wording, errors and notifications are the test's, so that what is
checked is the kernel's part — lock, expected state, role, guard, move, audit row, notification on commit.
"""

from __future__ import annotations

from typing import Any
from unittest import mock

import pytest
from django import forms
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.test import RequestFactory

from accountability.models import Notification
from accountability.notifications import notify
from accountability.validation import FieldProblem
from cases.access import can_see
from cases.models import Case, CaseState, CaseTransition
from kernel.action_views import Step, Steps, cleaned, submit
from kernel.workflow import ActionError, ActionPermissionError, ConflictError, Wording, Workflow
from tests.case_factories import draft_case
from tests.personas import Personas


class TrialError(ActionError):
    pass


class TrialConflictError(TrialError, ConflictError):
    pass


class TrialPermissionError(TrialError, ActionPermissionError):
    pass


class Trial:
    """A workflow over Case whose guard problems are set by each test, and which tells the lead officer."""

    def __init__(self) -> None:
        self.problems: list[str] = []
        self.workflow = Workflow(
            Case,
            states=CaseState,
            error=TrialError,
            conflict=TrialConflictError,
            forbidden=TrialPermissionError,
            wording=Wording(
                conflict="已被他人处理，现为“%(state)s”",
                wrong_state="当前为“%(state)s”，不能办理",
                role="角色不符",
                hidden="无权查看",
            ),
            can_see=can_see,
            guards={"initiate": self.guard, "withdraw": self.guard, "determine": self.guard},
            audit=CaseTransition,
            audit_key="case",
            notify=lambda case, by: notify([case.lead_officer], title=f"{case.number} 已办理", url="/"),
        )

    def guard(self, case: Case, **arguments: Any) -> list[str]:
        return self.problems


@pytest.fixture
def trial() -> Trial:
    return Trial()


def label(state: str) -> str:
    return str(CaseState(state).label)


def initiate(trial: Trial, case: Case, by: Any, expected_state: str | None = "draft", **extra: Any) -> Case:
    with transaction.atomic():
        fresh = trial.workflow.prepare(case, by, expected_state)
        return trial.workflow.run(fresh, "initiate", by=by, comment="同意立案", **extra)


class TestAStep:
    def test_moves_the_record_and_writes_its_audit_row(self, trial: Trial, personas: Personas) -> None:
        case = draft_case(personas)
        initiate(trial, case, personas.approver, changes={"end_reason": "随状态保存"})
        saved = Case.objects.get(pk=case.pk)
        assert (saved.state, saved.end_reason) == (CaseState.INITIATED, "随状态保存")
        row = CaseTransition.objects.filter(case=case).latest("pk")
        assert (row.name, row.source_state, row.target_state, row.by, row.comment) == (
            "initiate",
            "draft",
            "initiated",
            personas.approver,
            "同意立案",
        )

    def test_tells_whoever_the_app_names_and_emails_only_on_commit(
        self, trial: Trial, personas: Personas, django_capture_on_commit_callbacks
    ) -> None:
        case = draft_case(personas)
        with (
            mock.patch("accountability.tasks.email_notifications.delay") as queued,
            django_capture_on_commit_callbacks(execute=True) as callbacks,
        ):
            initiate(trial, case, personas.approver)
            assert not queued.called  # not before the commit
        told = Notification.objects.get(recipient=personas.officer, title=f"{case.number} 已办理")
        assert len(callbacks) == 1
        queued.assert_called_once_with([told.pk])

    def test_rolled_back_it_tells_nobody(
        self, trial: Trial, personas: Personas, django_capture_on_commit_callbacks
    ) -> None:
        case = draft_case(personas)
        before = CaseTransition.objects.filter(case=case).count()

        class AbortError(Exception):
            pass

        with (
            mock.patch("accountability.tasks.email_notifications.delay") as queued,
            django_capture_on_commit_callbacks(execute=True) as callbacks,
            pytest.raises(AbortError),
            transaction.atomic(),
        ):
            initiate(trial, case, personas.approver)
            raise AbortError
        assert callbacks == []
        assert not queued.called
        assert not Notification.objects.filter(title=f"{case.number} 已办理").exists()
        assert Case.objects.get(pk=case.pk).state == CaseState.DRAFT
        assert CaseTransition.objects.filter(case=case).count() == before


class TestRefusals:
    def test_a_stale_expected_state_is_a_typed_conflict(self, trial: Trial, personas: Personas) -> None:
        case = draft_case(personas)
        with pytest.raises(TrialConflictError) as raised:
            initiate(trial, case, personas.approver, expected_state="initiated")
        assert isinstance(raised.value, ConflictError)
        assert raised.value.messages == [f"已被他人处理，现为“{label('draft')}”"]

    def test_a_record_moved_on_since_loading_is_a_conflict(self, trial: Trial, personas: Personas) -> None:
        case = draft_case(personas)
        stale = Case.objects.get(pk=case.pk)
        initiate(trial, case, personas.approver)
        with pytest.raises(TrialConflictError) as raised:
            initiate(trial, stale, personas.approver)
        assert raised.value.messages == [f"已被他人处理，现为“{label('initiated')}”"]
        assert list(CaseTransition.objects.filter(case=case).values_list("name", flat=True)) == [
            "create",
            "initiate",
        ]

    def test_a_change_during_the_save_is_a_conflict(self, trial: Trial, personas: Personas) -> None:
        """The save meets a row whose state changed after the lock was taken (here by this very
        transaction, as no other can): django-fsm-2's ConcurrentTransition, reported as the conflict."""
        case = draft_case(personas)
        with pytest.raises(TrialConflictError) as raised, transaction.atomic():
            fresh = trial.workflow.prepare(case, personas.approver, "draft")
            Case.objects.filter(pk=case.pk).update(state=CaseState.WITHDRAWN)
            trial.workflow.run(fresh, "initiate", by=personas.approver)
        assert raised.value.messages == [f"已被他人处理，现为“{label('withdrawn')}”"]
        assert Case.objects.get(pk=case.pk).state == CaseState.DRAFT
        assert not CaseTransition.objects.filter(case=case, name="initiate").exists()

    def test_the_wrong_role_is_refused_as_permission_denied(self, trial: Trial, personas: Personas) -> None:
        case = draft_case(personas)
        with pytest.raises(TrialPermissionError) as raised:
            initiate(trial, case, personas.officer)  # a case officer may not approve an investigation
        assert isinstance(raised.value, PermissionDenied)
        assert raised.value.messages == ["角色不符"]
        assert Case.objects.get(pk=case.pk).state == CaseState.DRAFT

    def test_a_record_the_user_cannot_see_is_refused(self, trial: Trial, personas: Personas) -> None:
        case = draft_case(personas)
        with pytest.raises(TrialPermissionError) as raised:
            initiate(trial, case, personas.petition_officer)
        assert raised.value.messages == ["无权查看"]

    def test_a_failed_guard_says_why_and_changes_nothing(self, trial: Trial, personas: Personas) -> None:
        case = draft_case(personas)
        trial.problems = ["线索材料不全", FieldProblem("请填写意见", "comment")]
        with pytest.raises(TrialError) as raised:
            initiate(trial, case, personas.approver)
        assert not isinstance(raised.value, ConflictError | PermissionDenied)
        assert raised.value.messages == ["线索材料不全", "请填写意见"]
        assert raised.value.messages[1].field == "comment"  # type: ignore[attr-defined]
        assert Case.objects.get(pk=case.pk).state == CaseState.DRAFT
        assert not CaseTransition.objects.filter(case=case, name="initiate").exists()

    def test_a_step_the_state_does_not_allow_says_so(self, trial: Trial, personas: Personas) -> None:
        case = draft_case(personas)
        with pytest.raises(TrialError) as raised, transaction.atomic():
            fresh = trial.workflow.prepare(case, personas.officer)
            trial.workflow.run(fresh, "determine", by=personas.officer)
        assert raised.value.messages == [f"当前为“{label('draft')}”，不能办理"]


class CommentForm(forms.Form):
    expected_state = forms.CharField(required=False)
    comment = forms.CharField(required=False)


def trial_steps(trial: Trial) -> Steps[Case]:
    def initiate_action(case: Case, *, by: Any, expected_state: str | None, comment: str) -> Case:
        with transaction.atomic():
            fresh = trial.workflow.prepare(case, by, expected_state)
            return trial.workflow.run(fresh, "initiate", by=by, comment=comment)

    return Steps(
        {
            "initiate": Step(CommentForm, "批准", initiate_action, cleaned("comment")),
            "withdraw": Step(CommentForm, "不予立案", initiate_action, cleaned("comment"), warning=True),
        }
    )


class TestTheSharedPages:
    def test_the_buttons_are_what_state_and_role_allow(self, trial: Trial, personas: Personas) -> None:
        case = draft_case(personas)
        steps = trial_steps(trial)
        assert steps.available(case, personas.approver) == [
            {"name": "initiate", "label": "批准", "warning": False},
            {"name": "withdraw", "label": "不予立案", "warning": True},
        ]
        assert steps.available(case, personas.officer) == []

    def test_a_role_that_may_never_take_the_step_gets_403(self, trial: Trial, personas: Personas) -> None:
        case = draft_case(personas)
        with pytest.raises(PermissionDenied):
            trial_steps(trial).form("initiate", case, None, personas.officer)

    def test_a_conflict_is_409_with_the_message_on_the_form(self, trial: Trial, personas: Personas) -> None:
        case = draft_case(personas)
        steps = trial_steps(trial)
        request = RequestFactory().post("/")
        request.user = personas.approver
        form = steps.form("initiate", case, {"expected_state": "initiated", "comment": "同意"}, request.user)
        sent = steps.submit(request, "initiate", case, form)
        assert (sent.done, sent.status) == (False, 409)
        assert form.non_field_errors() == [f"已被他人处理，现为“{label('draft')}”"]

    def test_a_done_step_returns_the_moved_record(self, trial: Trial, personas: Personas) -> None:
        case = draft_case(personas)
        steps = trial_steps(trial)
        request = RequestFactory().post("/")
        request.user = personas.approver
        form = steps.form("initiate", case, {"expected_state": "draft", "comment": "同意"}, request.user)
        sent = steps.submit(request, "initiate", case, form)
        assert sent.done and sent.result.state == CaseState.INITIATED

    def test_a_refusal_for_who_the_user_is_becomes_403(self, personas: Personas) -> None:
        request = RequestFactory().post("/")
        form = CommentForm({"comment": ""})

        def refuse() -> None:
            raise TrialPermissionError("角色不符")

        with pytest.raises(PermissionDenied):
            submit(request, form, refuse)
