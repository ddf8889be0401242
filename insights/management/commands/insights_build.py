"""Build (or build again) the facts of a range of ended days, for every office or one.
Building a day twice gives the same rows."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.errors import ApplicationError
from insights.services import facts_build
from offices.models import Office


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"not a day (YYYY-MM-DD): {value}") from None


class Command(BaseCommand):
    help = "Build the facts of the days FIRST..LAST (office time) for every office or one."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("first", help="first day, YYYY-MM-DD")
        parser.add_argument("last", nargs="?", help="last day (default: the first)")
        parser.add_argument("--office", help="an office's code (default: every active office)")

    def handle(
        self, *args: Any, first: str, last: str | None, office: str | None, **options: Any
    ) -> None:
        start, end = _day(first), _day(last or first)
        if end < start:
            raise CommandError("the last day comes before the first")
        offices = Office.objects.filter(is_active=True).order_by("code")
        if office:
            offices = offices.filter(code=office)
            if not offices:
                raise CommandError(f"no active office {office}")
        days = [start + timedelta(days=n) for n in range((end - start).days + 1)]
        for each in offices:
            for day in days:
                try:
                    facts_build(office=each, day=day)
                except ApplicationError as refused:
                    raise CommandError(f"{each.code} {day}: {refused.message}") from None
        self.stdout.write(f"built {len(days)} day(s) of {len(offices)} office(s)")
