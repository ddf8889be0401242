"""Entering a ballot: one entry per NIK per round, proven by a one-time code sent to the
entrant's phone or email, with up to three ranked (office, day) choices.

The NIK is kept as a booking keeps it (encrypted, keyed hash, last 4 digits); the keyed
hash is unique per round in the database. An entry whose code was never typed is
replaced by a new one for the same NIK (so nobody can block a NIK with a contact they do
not own); a proven entry stays, and a second is refused with `already_entered`."""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ballots.messages import entry_code_send
from ballots.models import Ballot, BallotChoice, BallotEntry, EntryStatus
from ballots.services.rounds import ballot_is_open, choice_allowed
from booking.one_time_codes import one_time_code_clean, one_time_code_new
from booking.services.booking import CitizenDetails, new_booking_code
from booking.services.flows import Caller, hold_limits_check
from core import personal_data
from core.db import lock_for_keys
from core.errors import ApplicationError
from core.message_budget import message_budget_spend
from core.ratelimit import rate_limit_code_send
from offices.models import OfficeService

MAX_CHOICES = 3


@dataclass(frozen=True)
class Choice:
    office_service_id: int
    day: date


def _closed(ballot: Ballot, now: datetime) -> ApplicationError:
    if now < ballot.entries_open_at:
        return ApplicationError(
            "ballot_not_open_yet", _("Entries for this ballot are not open yet."), status_code=409
        )
    return ApplicationError(
        "ballot_closed", _("Entries for this ballot have closed."), status_code=409
    )


def _choices_clean(ballot: Ballot, choices: list[Choice]) -> list[tuple[OfficeService, date]]:
    message = None
    if not 1 <= len(choices) <= MAX_CHOICES:
        message = _("Choose one to three days, your favourite first.")
    elif len(set(choices)) != len(choices):
        message = _("Choose each office and day only once.")
    if message:
        raise ApplicationError("invalid_choices", message, fields={"choices": [message]})
    offered = {
        os.pk: os
        for os in ballot.office_services.select_related("office", "service").filter(
            pk__in=[c.office_service_id for c in choices]
        )
    }
    cleaned = []
    for choice in choices:
        office_service = offered.get(choice.office_service_id)
        if office_service is None or not choice_allowed(ballot, office_service, choice.day):
            message = _("This ballot does not give places for one of the days you chose.")
            raise ApplicationError("invalid_choices", message, fields={"choices": [message]})
        cleaned.append((office_service, choice.day))
    return cleaned


def _new_reference() -> str:
    return "U" + new_booking_code()[:7]


def ballot_enter(
    *,
    ballot: Ballot,
    details: CitizenDetails,
    choices: list[Choice],
    now: datetime | None = None,
) -> BallotEntry:
    """Enter `details` in the round with `choices` (best first) and send the code that
    proves the contact. Serialised per (round, NIK) by an advisory lock, backed by the
    unique index: parallel entries for one NIK leave exactly one."""
    now = now or timezone.now()
    if not ballot_is_open(ballot, now):
        raise _closed(ballot, now)
    cleaned = _choices_clean(ballot, choices)
    nik_hash = personal_data.keyed_hash(details.nik)
    try:
        with transaction.atomic():
            lock_for_keys([f"ballot:{ballot.pk}:{nik_hash}"])
            earlier = BallotEntry.objects.filter(ballot=ballot, nik_hash=nik_hash).first()
            if earlier is not None and earlier.status != EntryStatus.PENDING:
                raise _already_entered()
            if earlier is not None:
                earlier.delete()  # never proven: the NIK's owner may enter again
            entry = BallotEntry.objects.create(
                ballot=ballot,
                reference=_new_reference(),
                token=secrets.token_urlsafe(32),
                **details.stored(),
            )
            BallotChoice.objects.bulk_create(
                BallotChoice(entry=entry, rank=rank, office_service=office_service, day=day)
                for rank, (office_service, day) in enumerate(cleaned, start=1)
            )
            _code_send(entry, now)
    except IntegrityError:
        raise _already_entered() from None
    return entry


def _already_entered() -> ApplicationError:
    message = _("This NIK has already entered this ballot.")
    return ApplicationError(
        "already_entered",
        _("This NIK has already entered this ballot. Each person may enter once."),
        fields={"nik": [message]},
        status_code=409,
    )


def _code_send(entry: BallotEntry, now: datetime) -> None:
    """Within the caller's transaction, on the entry's locked row."""
    if entry.code_sends >= settings.GILIRAN_CODE_SENDS:
        raise ApplicationError(
            "too_many_codes",
            _("We have already sent %(count)d codes. Please start again.")
            % {"count": entry.code_sends},
            status_code=429,
        )
    message_budget_spend(channel=entry.channel, phone=entry.phone, now=now)
    code = one_time_code_new()
    expires_at = now + timedelta(minutes=settings.GILIRAN_CODE_MINUTES)
    entry.code_hash = personal_data.keyed_hash(f"ballot:{entry.pk}:{code}")
    entry.code_expires_at = expires_at
    entry.code_attempts = 0
    entry.code_sends += 1
    entry.save(update_fields=["code_hash", "code_expires_at", "code_attempts", "code_sends"])
    entry_code_send(
        entry=entry, code=code, minutes=settings.GILIRAN_CODE_MINUTES, expires_at=expires_at
    )


def entry_code_resend(*, entry: BallotEntry, now: datetime | None = None) -> BallotEntry:
    """A new code for an entry not proven yet (the previous one stops working)."""
    now = now or timezone.now()
    if entry.status != EntryStatus.PENDING:
        raise ApplicationError(
            "already_verified", _("This entry is already confirmed."), status_code=409
        )
    if not ballot_is_open(entry.ballot, now):
        raise _closed(entry.ballot, now)
    with transaction.atomic():
        locked = BallotEntry.objects.select_for_update().get(pk=entry.pk)
        _code_send(locked, now)
    entry.refresh_from_db()
    return entry


def entry_verify(*, entry: BallotEntry, code: str, now: datetime | None = None) -> BallotEntry:
    """Check the contact's code: the entry joins the draw. Attempts are counted by a
    conditional UPDATE before the comparison, as for a hold's code; a code works once."""
    now = now or timezone.now()
    code = one_time_code_clean(code)
    if entry.status != EntryStatus.PENDING:
        raise ApplicationError(
            "already_verified", _("This entry is already confirmed."), status_code=409
        )
    if not ballot_is_open(entry.ballot, now):
        raise _closed(entry.ballot, now)
    if entry.code_expires_at is None or entry.code_expires_at <= now:
        raise ApplicationError(
            "code_expired", _("This code has expired. Ask for a new one."), status_code=410
        )
    counted = BallotEntry.objects.filter(
        pk=entry.pk,
        status=EntryStatus.PENDING,
        code_attempts__lt=settings.GILIRAN_CODE_ATTEMPTS,
    ).update(code_attempts=F("code_attempts") + 1)
    if not counted:
        raise ApplicationError(
            "too_many_attempts", _("Too many wrong codes. Ask for a new code."), status_code=429
        )
    expected = personal_data.keyed_hash(f"ballot:{entry.pk}:{code}")
    if not hmac.compare_digest(entry.code_hash, expected):
        entry.refresh_from_db(fields=["code_attempts"])
        left = settings.GILIRAN_CODE_ATTEMPTS - entry.code_attempts
        message = _("That code is not right. %(left)d attempts left.") % {"left": left}
        raise ApplicationError("wrong_code", message, fields={"code": [message]})
    BallotEntry.objects.filter(pk=entry.pk, status=EntryStatus.PENDING).update(
        status=EntryStatus.ENTERED, verified_at=now, code_hash=""
    )
    entry.refresh_from_db()
    return entry


def ballot_enter_for(
    *, caller: Caller, ballot: Ballot, details: CitizenDetails, choices: list[Choice]
) -> BallotEntry:
    """`ballot_enter` behind the abuse limits a hold has (challenge, per address, per
    NIK) and the code-sending limits, checked before any transaction."""
    hold_limits_check(caller=caller, nik=details.nik)
    rate_limit_code_send(caller.request, contact=details.phone or details.email)
    return ballot_enter(ballot=ballot, details=details, choices=choices)


def entry_code_resend_for(*, caller: Caller, entry: BallotEntry) -> BallotEntry:
    rate_limit_code_send(caller.request, contact=entry.phone or entry.email)
    return entry_code_resend(entry=entry)
