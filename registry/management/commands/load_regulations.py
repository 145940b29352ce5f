from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from registry.reference.loader import load_reference_data


class Command(BaseCommand):
    help = "Load the shipped regulations, clauses, deadline rules and work calendar (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--update",
            action="store_true",
            help="Overwrite shipped rows that an admin has changed (default: only add missing rows).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        report = load_reference_data(update=options["update"])
        created = ", ".join(f"{kind} {n}" for kind, n in report.created.items()) or "nothing"
        updated = ", ".join(f"{kind} {n}" for kind, n in report.updated.items()) or "nothing"
        self.stdout.write(f"Reference data: created {created}; updated {updated}.")
