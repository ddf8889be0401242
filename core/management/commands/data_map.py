"""Print the data map: `manage.py data_map --markdown > docs/data-map.md`."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from core import data_map


class Command(BaseCommand):
    help = "Print the data map of personal fields (docs/data-map.md with --markdown)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--markdown", action="store_true", help="Print docs/data-map.md (in English)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["markdown"]:
            raise CommandError("Choose an output format: --markdown")
        with translation.override("en"):
            self.stdout.write(data_map.as_markdown(), ending="")
