"""The pages' side of the workflow, shared by every app (issue 11).

An app declares its transitions once, as `Steps`: name → `Step` (the form, the button's label, whether
the button warns because the step ends the record, the action and its arguments from the valid form).
From that one table come the buttons of a record's page (`Steps.available`), the form of one step and
its refusal of a role that may never take it, and taking it (`Steps.submit`). `submit` is also how any
other action form runs its action, and `done` is what a page answers once an action is done. The app's
view keeps only what is its own: how it loads the record, its template and its success message.

What the pages guarantee, for every app alike:
- a role that may never take a step is refused with 403; a step the record's state no longer allows (a
  stale button) shows its form, and the action says why it cannot be done;
- a refused action keeps what was typed and shows each message on its field; a conflict (someone else
  acted first) answers 409, which htmx swaps in like any other answer (`templates/base.html`);
- a done action redirects to the record with a message (for htmx: 204 with `HX-Redirect`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.functional import Promise
from django_fsm import has_transition_perm

from accountability.validation import show_problems

from .workflow import ActionError, ActionPermissionError, ConflictError

M = TypeVar("M", bound=models.Model)


def cleaned(*names: str, **renamed: str) -> Callable[[Any], dict[str, Any]]:
    """The action's arguments taken from the form's cleaned data: `names` as they are, and each
    `argument="form field"` of `renamed`."""

    def arguments(form: Any) -> dict[str, Any]:
        data = form.cleaned_data
        return {**{name: data[name] for name in names}, **{arg: data[key] for arg, key in renamed.items()}}

    return arguments


def _nothing(record: Any) -> Mapping[str, Any]:
    return {}


@dataclass(frozen=True)
class Step(Generic[M]):
    """One transition as the pages offer it.

    The form is built as `form(data, initial={"expected_state": …, **initial(record)},
    **options(record)}`; the action is called as `action(record, by=user, expected_state=…,
    **arguments(form))`.
    """

    form: type[Any]
    label: str | Promise
    action: Callable[..., M]
    arguments: Callable[[Any], Mapping[str, Any]]
    warning: bool = False  # the step ends the record: its button says so
    initial: Callable[[M], Mapping[str, Any]] = field(default=_nothing)
    options: Callable[[M], Mapping[str, Any]] = field(default=_nothing)


@dataclass
class Submitted:
    """What became of a submitted form: `done`, with what the action returned (`result`), or not, with
    the `status` to show the form again with (200, or 409 for a conflict)."""

    done: bool = False
    result: Any = None
    status: int = 200


def submit(request: HttpRequest, form: Any, perform: Callable[[], object]) -> Submitted:
    """On a POST with a valid form, run its action. Refused: the messages go on the form (each on its
    field); refused for who the user is: 403."""
    if request.method != "POST" or not form.is_valid():
        return Submitted()
    try:
        return Submitted(done=True, result=perform())
    except ActionPermissionError as error:
        raise PermissionDenied from error
    except ActionError as error:
        show_problems(form, error.messages)
        return Submitted(status=409 if isinstance(error, ConflictError) else 200)


def done(request: Any, url: str, message: str = "") -> HttpResponse:
    """An action is done: back to `url` with its message (htmx follows `HX-Redirect` on a 204)."""
    if message:
        messages.success(request, message)
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return HttpResponseRedirect(url)


class Steps(Generic[M]):
    """An app's transitions, as its pages offer them (see the module docstring)."""

    def __init__(self, steps: Mapping[str, Step[M]], *, field: str = "state"):
        self.steps = dict(steps)
        self.field = field

    def __getitem__(self, name: str) -> Step[M]:
        """The step, or 404 for a name the app does not offer."""
        try:
            return self.steps[name]
        except KeyError:
            raise Http404 from None

    def available(self, record: M, user: Any) -> list[dict[str, Any]]:
        """The buttons of the record's page: the steps its state allows and the user's role may take."""
        buttons = []
        for name, step in self.steps.items():
            method = getattr(record, name)
            if method._django_fsm.has_transition(getattr(record, self.field)) and has_transition_perm(
                method, user
            ):
                buttons.append({"name": name, "label": step.label, "warning": step.warning})
        return buttons

    def form(self, name: str, record: M, data: Any, user: Any) -> Any:
        """The step's form. A role that may never take the step is refused (403); a step the state does
        not allow (a stale button) still shows its form, and the action explains why it cannot be done."""
        step = self[name]
        method = getattr(record, name)
        if method._django_fsm.has_transition(getattr(record, self.field)) and not has_transition_perm(
            method, user
        ):
            raise PermissionDenied
        initial = {"expected_state": getattr(record, self.field), **step.initial(record)}
        return step.form(data, initial=initial, **step.options(record))

    def submit(self, request: Any, name: str, record: M, form: Any) -> Submitted:
        """Take the step with the form's input, as the user who sent it, from the state they saw."""
        step = self[name]
        return submit(
            request,
            form,
            lambda: step.action(
                record,
                by=request.user,
                expected_state=form.cleaned_data.get("expected_state") or None,
                **step.arguments(form),
            ),
        )
