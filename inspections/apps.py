from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def load_ladder_after_migrate(sender: AppConfig, **kwargs: Any) -> None:
    """Add the shipped escalation steps that are missing, after migrate or a test flush."""
    if sender.name != "inspections" or kwargs.get("plan") == []:
        return
    from .ladder import load_escalation_ladder

    load_escalation_ladder()


class InspectionsConfig(AppConfig):
    name = "inspections"
    verbose_name = _("Inspection tours")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        post_migrate.connect(load_ladder_after_migrate, dispatch_uid="inspections.load_escalation_ladder")
