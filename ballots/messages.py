"""What a ballot entrant is told: the code that proves their contact, that they were
drawn (a place held until the claim deadline), or that they were not (their number on
the waiting list). Call inside the transaction whose change the message reports.
Registered with the outbox when BallotsConfig.ready() imports this module."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from ballots.models import BallotEntry
from booking.models import Booking, Channel
from core.templatetags.giliran import office_datetime
from core.timezones import format_local_time
from notifications.registry import message_kind_register
from notifications.services.outbox import Recipient, message_queue


class BallotMessageKind(models.TextChoices):
    CODE = "ballot_code", _("Ballot entry code")
    WON = "ballot_won", _("Drawn in the ballot")
    NOT_DRAWN = "ballot_not_drawn", _("Not drawn in the ballot")


def entry_url(entry: BallotEntry) -> str:
    return settings.GILIRAN_SITE_URL + reverse("ballot-entry", kwargs={"token": entry.token})


def _recipient(entry: BallotEntry) -> Recipient:
    address = entry.email if entry.channel == Channel.EMAIL else entry.phone
    return Recipient(channel=entry.channel, address=address, language=entry.language)


def _send(
    entry: BallotEntry,
    kind: str,
    occasion: str,
    context: dict[str, Any],
    stale_after: datetime | None = None,
) -> None:
    first = entry.ballot.office_services.select_related("office").first()
    message_queue(
        kind=kind,
        dedup_key=f"ballot-entry:{entry.pk}:{kind}:{occasion}",
        recipient=_recipient(entry),
        context={"reference": entry.reference, "entry_url": entry_url(entry), **context},
        office=first.office if first else None,
        stale_after=stale_after,
    )


def entry_code_send(*, entry: BallotEntry, code: str, minutes: int, expires_at: datetime) -> None:
    with translation.override(entry.language):
        service = entry.ballot.service.name
    _send(
        entry,
        BallotMessageKind.CODE,
        str(entry.code_sends),
        {"code": code, "minutes": minutes, "service": service},
        stale_after=expires_at,
    )


def entry_won_send(*, entry: BallotEntry, hold: Booking) -> None:
    slot = hold.slot
    zone = slot.office_service.office.timezone
    with translation.override(entry.language):
        context = {
            "service": slot.office_service.service.name,
            "office": slot.office_service.office.name,
            "when": office_datetime(slot.starts_at, zone),
            "until": format_local_time(hold.releases_at, zone, with_date=True),  # type: ignore[arg-type]
        }
    _send(entry, BallotMessageKind.WON, str(hold.pk), context, stale_after=hold.releases_at)


def entry_not_drawn_send(*, entry: BallotEntry) -> None:
    with translation.override(entry.language):
        service = entry.ballot.service.name
    _send(
        entry,
        BallotMessageKind.NOT_DRAWN,
        "draw",
        {"service": service, "number": entry.waiting_number},
    )


# Codes are erased once sent and never resent; the rest are about an entry, found by
# their deduplication key (the entry has no reverse relation to the outbox).
message_kind_register(BallotMessageKind.CODE, resendable=False)
message_kind_register(BallotMessageKind.WON)
message_kind_register(BallotMessageKind.NOT_DRAWN)
