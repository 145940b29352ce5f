"""The registry as a Django app (label `registry`): units, people and profiles, regulations and clauses,
deadline rules, the work calendar, and the import batches. The shipped reference data is loaded after
every migrate."""

from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def load_reference_data_after_migrate(sender: AppConfig, *, using: str = "default", **kwargs: Any) -> None:
    """Add missing reference rows (regulations, deadline rules, calendar) after migrate or a test flush."""
    if sender.name != "registry" or kwargs.get("plan") == []:
        return
    from .reference.loader import load_reference_data

    load_reference_data()


class RegistryConfig(AppConfig):
    name = "registry"
    verbose_name = _("Shared registry")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        post_migrate.connect(load_reference_data_after_migrate, dispatch_uid="registry.load_reference_data")
