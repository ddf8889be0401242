"""Celery edges of the ballot: one periodic task, safe to run twice at once (rounds are
made under a unique index; a draw and a sweep lock their round's row)."""

from __future__ import annotations

from celery import shared_task

from ballots.services.drawing import ballot_draw, ballot_offer_unclaimed, ballots_due
from ballots.services.rounds import ballots_make_ahead


@shared_task(name="ballots.tasks.ballots_tick", ignore_result=True)
def ballots_tick() -> dict[str, int]:
    """Make the next rounds ahead, draw the rounds whose entries closed, and pass the
    places of unclaimed holds down the waiting lists."""
    made = ballots_make_ahead()
    to_draw, to_sweep = ballots_due()
    drawn = sum(ballot_draw(ballot_id=pk) for pk in to_draw)
    offered = sum(ballot_offer_unclaimed(ballot_id=pk) for pk in to_sweep)
    return {"made": made, "drawn": drawn, "offered": offered}
