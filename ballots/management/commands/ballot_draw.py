"""Draw a ballot round now (if its entries have closed) and print where its published
JSON is. Drawing twice changes nothing."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ballots.models import Ballot
from ballots.services.drawing import ballot_draw


class Command(BaseCommand):
    help = "Draw a ballot round whose entries have closed (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("ballot_id", type=int)

    def handle(self, *args: Any, ballot_id: int, **options: Any) -> None:
        if not Ballot.objects.filter(pk=ballot_id).exists():
            raise CommandError(f"no ballot {ballot_id}")
        drew = ballot_draw(ballot_id=ballot_id)
        ballot = Ballot.objects.get(pk=ballot_id)
        if drew:
            self.stdout.write(f"ballot {ballot_id} drawn; seed {ballot.seed}")
        elif ballot.seed:
            self.stdout.write(f"ballot {ballot_id} was already drawn; seed {ballot.seed}")
        else:
            raise CommandError(f"ballot {ballot_id} closes at {ballot.release_at.isoformat()}")
