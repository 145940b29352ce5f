"""Running a transition: the one copy that every domain app's actions use (issue 11).

An app describes its record once, as a `Workflow`: the model and its state labels, its error classes
and their wording, who may see a record, the guards of each transition, the row that audits a step, who
is told and which due dates a move refreshes. Its action functions then call `prepare` (may the user
see it; is it still in the state the user saw; lock the row) and `run` (may the state and the role take
this step; do the guards hold; the fsm method, the save, the audit row, the notifications), inside the
action's own transaction. The app keeps only what is its own: guards, transitions, forms, and what an
action writes besides the move.

What it guarantees:
- **A conflict is a typed error.** Competing actions queue on the row lock, and the second finds the
  record no longer in the state its user saw: `ConflictError`, naming the state it is in now. Should a
  save still meet a changed row, django-fsm-2's `ConcurrentTransitionMixin` raises `ConcurrentTransition`,
  which becomes the same error (its type is caught, not the database's wording).
- **Refusals say why.** The wrong state and a failed guard are `ActionError`s whose `messages` the page
  shows (a `FieldProblem` on its field); the wrong role is `ActionPermissionError`, also Django's
  `PermissionDenied`, so a view that lets it through answers 403. Each app's own error classes subclass
  these, so `except CaseActionError` and the like keep working.
- **The move, its audit row and its notifications commit together.** The in-app notifications are rows
  of the same transaction and vanish with it; their e-mails are queued on commit only
  (`accountability.notifications`), so a rolled-back step tells nobody.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.utils.functional import Promise
from django_fsm import ConcurrentTransition, has_transition_perm

M = TypeVar("M", bound=models.Model)


class ActionError(Exception):
    """The action was refused; `messages` say why, in the user's language (a `FieldProblem` names the
    input it is about)."""

    def __init__(self, messages: str | Sequence[str]):
        self.messages = [messages] if isinstance(messages, str) else list(messages)
        super().__init__("; ".join(self.messages))


class ConflictError(ActionError):
    """Someone else changed the record between the page its user saw and the action."""


class ActionPermissionError(ActionError, PermissionDenied):
    """The user may not do this (a page answers 403)."""


def lock(record: M, *, field: str, expected: str | None, conflict: Callable[[M], ConflictError]) -> M:
    """Re-read `record` under a row lock, so that competing actions queue instead of interleaving, and
    refuse with `conflict(record)` when its `field` is no longer what the user saw (`expected`, or the
    record's own value when the page did not say)."""
    seen = getattr(record, field)
    if expected and expected != seen:
        raise conflict(record)
    fresh = type(record)._default_manager.select_for_update().get(pk=record.pk)
    if getattr(fresh, field) != seen:
        raise conflict(record)
    return fresh


@dataclass(frozen=True)
class Wording:
    """An app's refusals, in its own catalogue. Each may use `%(state)s`, the label of the record's
    current state."""

    conflict: str | Promise  # someone else moved it first
    wrong_state: str | Promise  # the step does not start from this state
    role: str | Promise  # the user's role may not take the step
    hidden: str | Promise  # the user may not see the record


class Workflow(Generic[M]):
    """One app's record as the kernel runs it (see the module docstring)."""

    def __init__(
        self,
        model: type[M],
        *,
        states: type[models.TextChoices],
        error: type[ActionError],
        conflict: type[ConflictError],
        forbidden: type[ActionPermissionError],
        wording: Wording,
        can_see: Callable[[Any, M], bool],
        guards: Mapping[str, Callable[..., Sequence[str]]],
        audit: type[models.Model],
        audit_key: str,
        notify: Callable[[M, User], object],
        refresh: Callable[[M], Sequence[str]] = lambda record: (),
        field: str = "state",
        touched: Sequence[str] = ("updated_at",),
    ):
        self.model = model
        self.states = states
        self.error = error
        self.conflict = conflict
        self.forbidden = forbidden
        self.wording = wording
        self.can_see = can_see
        self.guards = guards
        self.audit = audit
        self.audit_key = audit_key  # the audit row's foreign key to the record, e.g. `case`
        self.notify = notify
        self.refresh = refresh
        self.field = field
        self.touched = tuple(touched)

    # --- Refusals -------------------------------------------------------------------------------------

    def state_label(self, state: str) -> str:
        return str(self.states(state).label)

    def _worded(self, text: str | Promise, state: str) -> str:
        return str(text) % {"state": self.state_label(state)}

    def conflict_error(self, record: M) -> ConflictError:
        """The conflict, naming the state the record is in now (as committed, not as the caller saw it)."""
        current = self.model._default_manager.filter(pk=record.pk).values_list(
            self.field, flat=True
        ).first() or getattr(record, self.field)
        return self.conflict(self._worded(self.wording.conflict, current))

    def wrong_state(self, record: M) -> ActionError:
        return self.error(self._worded(self.wording.wrong_state, getattr(record, self.field)))

    def require_visible(self, record: M, by: User) -> None:
        if not self.can_see(by, record):
            raise self.forbidden(str(self.wording.hidden))

    def require_state(self, record: M, states: Sequence[str], expected_state: str | None = None) -> None:
        """The record is in one of `states`, and still in the one the user saw."""
        if expected_state and expected_state != getattr(record, self.field):
            raise self.conflict_error(record)
        if getattr(record, self.field) not in states:
            raise self.wrong_state(record)

    def require_role(self, record: M, name: str, by: User) -> None:
        """The permission the transition declares (django-fsm's `has_transition_perm`)."""
        if not has_transition_perm(getattr(record, name), by):
            raise self.forbidden(str(self.wording.role))

    # --- Before the step ------------------------------------------------------------------------------

    def lock(self, record: M, expected_state: str | None = None) -> M:
        """The record re-read under a row lock, refused if it has moved on from what the user saw."""
        return lock(record, field=self.field, expected=expected_state, conflict=self.conflict_error)

    def prepare(self, record: M, by: User, expected_state: str | None = None) -> M:
        """What every action on a record starts with: the user may see it, it is still in the state the
        user saw, and it is locked for the rest of the transaction."""
        self.require_visible(record, by)
        return self.lock(record, expected_state)

    # --- The step -------------------------------------------------------------------------------------

    def run(
        self,
        record: M,
        name: str,
        *,
        by: User,
        comment: str = "",
        changes: Mapping[str, Any] | None = None,
        fields: Sequence[str] = (),
        guard_args: Mapping[str, Any] | None = None,
        audit: Mapping[str, Any] | None = None,
    ) -> M:
        """Take the transition `name` on a record that `prepare` returned, in the caller's transaction.

        `changes` are set on the record first (the guards judge them) and saved with the move, as are the
        `fields` the action set itself; `guard_args` go to the transition's guard, `audit` to its row.
        """
        for attribute, value in (changes or {}).items():
            setattr(record, attribute, value)
        method = getattr(record, name)
        if not method._django_fsm.has_transition(getattr(record, self.field)):
            raise self.wrong_state(record)
        self.require_role(record, name, by)
        problems = self.guards[name](record, **(guard_args or {}))
        if problems:
            raise self.error(problems)
        source = getattr(record, self.field)
        method()
        saved = [self.field, *self.touched, *(changes or {}), *fields, *self.refresh(record)]
        try:
            # In a savepoint: a failed save marks the transaction for rollback, and the conflict still has
            # to read the state the record is in now.
            with transaction.atomic():
                record.save(update_fields=list(dict.fromkeys(saved)))
        except ConcurrentTransition as error:
            raise self.conflict_error(record) from error
        self.record(record, name, by=by, comment=comment, source=source, **(audit or {}))
        self.notify(record, by)
        return record

    def record(
        self,
        record: M,
        name: str,
        *,
        by: User | None,
        comment: str = "",
        source: str | None = None,
        **extra: Any,
    ) -> models.Model:
        """The audit row of a step: its name, the state before (`source`, by default the current one: a
        step that does not move the record) and after, who, and why."""
        target = getattr(record, self.field)
        return self.audit._default_manager.create(
            **{self.audit_key: record},
            name=name,
            source_state=target if source is None else source,
            target_state=target,
            by=by,
            comment=comment,
            **extra,
        )
