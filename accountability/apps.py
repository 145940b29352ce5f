from pathlib import Path
from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def load_reference_data_after_migrate(sender: AppConfig, *, using: str = "default", **kwargs: Any) -> None:
    """Add missing reference rows (regulations, deadline rules, calendar) after migrate or a test flush."""
    if sender.name != "accountability" or kwargs.get("plan") == []:
        return
    from .reference.loader import load_reference_data

    load_reference_data()


class AccountabilityConfig(AppConfig):
    name = "accountability"
    verbose_name = _("Shared registry")

    def ready(self) -> None:
        from django.conf import settings
        from django.db.models.signals import post_migrate

        # The embedded broker is a folder: make sure it exists before anything publishes to it.
        for key in ("data_folder_in", "data_folder_out", "processed_folder"):
            folder = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get(key)
            if settings.CELERY_BROKER_URL.startswith("filesystem") and folder:
                Path(str(folder)).mkdir(parents=True, exist_ok=True)

        from .roles import sync_role_permissions

        post_migrate.connect(sync_role_permissions, dispatch_uid="accountability.sync_role_permissions")
        post_migrate.connect(
            load_reference_data_after_migrate, dispatch_uid="accountability.load_reference_data"
        )
