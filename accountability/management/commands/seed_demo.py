"""Demo data and demo accounts for every role; the seeders of `settings.DEMO_SEEDERS` run in order.

The seed runs the real actions, which notify whoever acts next: those notifications stay in the app
(`in_app_only`); queuing their hundreds of e-mails would keep the worker writing while the first users
sign in, on the embedded SQLite default a write lock taken for every e-mail.
"""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.module_loading import import_string

from accountability.notifications import in_app_only
from accountability.roles import sync_role_permissions
from registry.reference.loader import load_reference_data


class Command(BaseCommand):
    help = "Load demo data and demo accounts for every role (idempotent: a second run changes no counts)."

    def handle(self, *args: Any, **options: Any) -> None:
        load_reference_data()
        sync_role_permissions()
        with in_app_only():
            for dotted in settings.DEMO_SEEDERS:
                counts = import_string(dotted)() or {}
                summary = ", ".join(f"{name} {count}" for name, count in counts.items())
                self.stdout.write(f"{dotted}: {summary}")
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password: {settings.DEMO_PASSWORD}):")
        from accountability.demo import DEMO_USERS
        from accountability.roles import ROLE_LABELS

        for username, _name, _unit in DEMO_USERS:
            self.stdout.write(f"  {username:<18} {ROLE_LABELS[username]}")
