"""The project package as a Django app: the shell's models (notifications, the access log, document numbers,
submission keys), its templates and catalogue, and the role groups kept in sync after every migrate."""

from pathlib import Path

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountabilityConfig(AppConfig):
    name = "accountability"
    # The label the shell's models have always shown in the admin's permission lists; the registry's
    # models, which moved to the `registry` app (issue 11), show the same one.
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
