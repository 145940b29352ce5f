"""What the petition actions of every subject share: their error classes and the checks they all start
with. The errors are the kernel's (`kernel.workflow`), so pages treat them as they treat every app's."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.urls import reverse
from django.utils.translation import gettext as _

from kernel.workflow import ActionError, ActionPermissionError, ConflictError
from registry.models import OrgUnit

from ..models import Petition


class PetitionActionError(ActionError):
    """The action was refused; `messages` say why, in the user's language."""


class PetitionConflictError(PetitionActionError, ConflictError):
    """Someone else changed the petition's state between loading and acting."""


class PetitionPermissionError(PetitionActionError, ActionPermissionError):
    pass


def require_officer(by: User) -> None:
    if not by.has_perm("petitions.process_petition"):
        raise PetitionPermissionError(_("Only petition officers may do this."))


def outside_jurisdiction(unit: OrgUnit) -> str:
    return _("%(unit)s is outside the area you serve: choose a unit of your petition jurisdiction.") % {
        "unit": unit.name
    }


def petition_url(petition: Petition) -> str:
    return reverse("petitions:detail", args=[petition.pk])
