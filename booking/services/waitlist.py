"""The waiting list: join a full day, receive a freed place as a held offer, accept it.

A day with citizens waiting is full for everyone else: a place freed on it (a
cancellation, an expired hold, more capacity) goes to the first citizen in line as a
hold of GILIRAN_WAITLIST_OFFER_MINUTES, and to the next one if it lapses. Offers are
made by `waitlist_offer_places`, run right after a place frees (booking.tasks) and
every minute by the sweeper, under the day's slot locks, so two runs never offer the
same place twice."""

from __future__ import annotations

import dataclasses
import secrets
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from booking.availability_cache import availability_changed
from booking.messages import BookingMessageKind, booking_message_send
from booking.models import ACTIVE_STATUSES, Booking, BookingStatus, Slot, Source
from booking.models.waitlist import OPEN_WAITLIST_STATUSES, WaitlistEntry, WaitlistStatus
from booking.selectors.availability import booking_window, days_availability_fresh
from booking.services.assigned import Holder
from booking.services.booking import CitizenDetails, booking_confirm, new_booking_code
from booking.services.capacity import bookings_release, slot_claim, slots_lock
from booking.services.freed import waitlist_nudge
from booking.services.no_show import refuse_if_paused
from core import personal_data
from core.errors import ApplicationError
from core.message_budget import message_budget_spend
from core.templatetags.giliran import office_datetime, office_day
from core.timezones import format_local_time
from notifications.services.outbox import Recipient, message_queue
from offices.models import OfficeService
from offices.models.catalog import Allocation


def waitlist_join(
    *,
    office_service: OfficeService,
    day: date,
    details: CitizenDetails,
    now: datetime | None = None,
) -> WaitlistEntry:
    """Put a citizen in line for a full day. Refused if the day is bookable (book it)
    or outside the booking window, or the NIK already has a booking for the service."""
    now = now or timezone.now()
    if office_service.allocation == Allocation.BALLOT:  # its ballot keeps its own line
        raise ApplicationError(
            "ballot_only",
            _("This office gives its places for this service by ballot. Enter the ballot instead."),
            status_code=409,
        )
    window = booking_window(office_service, now)
    # The window first: a day far outside it (9999-12-31) must not reach date arithmetic.
    in_window = window.first_day <= day <= window.last_day
    status = days_availability_fresh(office_service, day, day, now)[0] if in_window else None
    if status is not None and status.status == "available":
        raise ApplicationError(
            "day_has_places",
            _("This day still has free places. Choose a time instead."),
            status_code=409,
        )
    if status is None or status.status != "full":
        raise ApplicationError(
            "day_not_bookable",
            _("This day cannot be booked, so it has no waiting list."),
            status_code=409,
        )
    nik_hash = personal_data.keyed_hash(details.nik)
    refuse_if_paused(nik_hash=nik_hash, now=now)
    if Booking.objects.filter(
        nik_hash=nik_hash, service_id=office_service.service_id, status__in=ACTIVE_STATUSES
    ).exists():
        raise ApplicationError(
            "already_booked",
            _(
                "This NIK already has an active booking for this service. "
                "Cancel or change that one instead."
            ),
            fields={"nik": [_("This NIK already has an active booking for this service.")]},
            status_code=409,
        )
    try:
        with transaction.atomic():
            message_budget_spend(channel=details.channel, phone=details.phone, now=now)
            entry = WaitlistEntry.objects.create(
                office_service=office_service,
                local_date=day,
                token=secrets.token_urlsafe(32),
                **details.stored(),
            )
            availability_changed([office_service.pk])  # the day is full for everyone else
            _tell_joined(entry)
    except IntegrityError:
        raise ApplicationError(
            "already_waiting",
            _("This NIK is already on this day's waiting list."),
            fields={"nik": [_("This NIK is already on this day's waiting list.")]},
            status_code=409,
        ) from None
    return entry


def waitlist_position(entry: WaitlistEntry) -> int:
    """1 for the first citizen in line."""
    ahead = Q(created_at__lt=entry.created_at) | Q(created_at=entry.created_at, pk__lt=entry.pk)
    return (
        WaitlistEntry.objects.filter(
            ahead,
            office_service_id=entry.office_service_id,
            local_date=entry.local_date,
            status=WaitlistStatus.WAITING,
        ).count()
        + 1
    )


def _entry_url(entry: WaitlistEntry) -> str:
    return settings.GILIRAN_SITE_URL + reverse("waitlist-entry", kwargs={"token": entry.token})


def _tell_joined(entry: WaitlistEntry) -> None:
    address = entry.email if entry.channel == "email" else entry.phone
    office_service = entry.office_service
    with translation.override(entry.language):
        context = {
            "service": office_service.service.name,
            "office": office_service.office.name,
            "day": office_day(entry.local_date),
            "position": waitlist_position(entry),
            "minutes": settings.GILIRAN_WAITLIST_OFFER_MINUTES,
            "entry_url": _entry_url(entry),
        }
    message_queue(
        kind=BookingMessageKind.WAITLIST_JOINED,
        dedup_key=f"waitlist:{entry.pk}:joined",
        recipient=Recipient(channel=entry.channel, address=address, language=entry.language),
        context=context,
        office=office_service.office,
    )


def waitlist_leave(*, entry: WaitlistEntry, now: datetime | None = None) -> WaitlistEntry:
    """Leave the line; an offer the citizen holds is given up and passes on."""
    now = now or timezone.now()
    with transaction.atomic():
        if entry.offer_id and entry.status == WaitlistStatus.OFFERED:
            offer = Booking.objects.get(pk=entry.offer_id)
            slots_lock({offer.slot_id})
            Booking.objects.filter(pk=offer.pk, status=BookingStatus.HELD).update(releases_at=now)
            bookings_release(Q(pk=offer.pk), now=now)
        WaitlistEntry.objects.filter(pk=entry.pk, status__in=OPEN_WAITLIST_STATUSES).update(
            status=WaitlistStatus.LEFT
        )
        availability_changed([entry.office_service_id])  # the last one out frees the day
        waitlist_nudge(entry.office_service_id, entry.local_date)
    entry.refresh_from_db()
    return entry


def waitlist_accept(*, entry: WaitlistEntry, now: datetime | None = None) -> Booking:
    """The citizen takes the offered place: its hold becomes a confirmed booking. The
    link that brought them here went to their phone or email, which proves the contact
    as the one-time code does for an ordinary booking."""
    now = now or timezone.now()
    if entry.status != WaitlistStatus.OFFERED or entry.offer is None:
        raise ApplicationError(
            "no_offer", _("There is no place on offer for you at the moment."), status_code=409
        )
    if entry.offer.releases_at is None or entry.offer.releases_at <= now:
        raise ApplicationError(
            "offer_lapsed",
            _("This offer has ended, and the place is passing to the next person in line."),
            status_code=410,
        )
    with transaction.atomic():
        booking = booking_confirm(booking=entry.offer, now=now)
        WaitlistEntry.objects.filter(pk=entry.pk, status=WaitlistStatus.OFFERED).update(
            status=WaitlistStatus.BOOKED
        )
    entry.refresh_from_db()
    return booking


def waitlist_offer_places(
    *, office_service: OfficeService, day: date, now: datetime | None = None
) -> int:
    """Offer every free place of the day to the citizens waiting for it, first in line
    first. Locks the day's slot rows (ascending, like every claim) before anything else,
    so parallel runs for one day take turns and cannot offer one place twice."""
    now = now or timezone.now()
    with transaction.atomic():
        slots = list(
            Slot.objects.filter(
                office_service=office_service, local_date=day, starts_at__gt=now
            ).order_by("starts_at")
        )
        slots_lock({slot.pk for slot in slots})
        availability_changed([office_service.pk])  # entries leave the line
        bookings_release(Q(slot__in=slots), now=now)  # lapsed offers free their places
        _settle_offers(office_service, day)
        in_line = list(
            WaitlistEntry.objects.filter(
                office_service=office_service, local_date=day, status=WaitlistStatus.WAITING
            ).order_by("created_at", "pk")
        )
        offered = 0
        for slot in slots:
            slot.refresh_from_db(fields=["capacity", "taken"])
            while in_line and slot.taken < slot.capacity:
                entry = in_line.pop(0)
                if _offer(entry, slot, now):
                    offered += 1
                    slot.taken += 1
    return offered


def _settle_offers(office_service: OfficeService, day: date) -> None:
    """Offers whose hold was confirmed are booked; those whose hold ended have lapsed."""
    offered = WaitlistEntry.objects.filter(
        office_service=office_service, local_date=day, status=WaitlistStatus.OFFERED
    )
    offered.filter(offer__status=BookingStatus.CONFIRMED).update(status=WaitlistStatus.BOOKED)
    offered.exclude(offer__status__in=ACTIVE_STATUSES).update(status=WaitlistStatus.LAPSED)


def _offer(entry: WaitlistEntry, slot: Slot, now: datetime) -> bool:
    """Hold `slot` for `entry` and tell them. False (and the entry leaves the line) if
    they have meanwhile booked this service some other way."""
    if Booking.objects.filter(
        nik_hash=entry.nik_hash,
        service_id=slot.office_service.service_id,
        status__in=ACTIVE_STATUSES,
    ).exists():
        WaitlistEntry.objects.filter(pk=entry.pk).update(status=WaitlistStatus.LEFT)
        return False
    if not slot_claim(slot=slot, now=now):
        return False
    offer = Booking.objects.create(
        code=new_booking_code(),
        slot=slot,
        service_id=slot.office_service.service_id,
        status=BookingStatus.HELD,
        releases_at=now + timedelta(minutes=settings.GILIRAN_WAITLIST_OFFER_MINUTES),
        hold_token=secrets.token_urlsafe(32),
        **dataclasses.asdict(Holder.of(entry)),
        source=Source.WAITLIST,
    )
    WaitlistEntry.objects.filter(pk=entry.pk).update(
        status=WaitlistStatus.OFFERED, offer=offer, offered_at=now
    )
    zone = slot.office_service.office.timezone
    with translation.override(entry.language):
        context = {
            "entry_url": _entry_url(entry),
            "until": format_local_time(offer.releases_at, zone),  # type: ignore[arg-type]
            "when": office_datetime(slot.starts_at, zone),
        }
    booking_message_send(
        booking=offer,
        kind=BookingMessageKind.WAITLIST_OFFER,
        context=context,
        stale_after=offer.releases_at,
    )
    return True


def waitlist_sweep(*, now: datetime | None = None) -> int:
    """Every open day with a line: offer what is free; close lines of days gone by."""
    now = now or timezone.now()
    offered = 0
    open_days = (
        WaitlistEntry.objects.filter(status__in=OPEN_WAITLIST_STATUSES)
        .values_list("office_service_id", "local_date")
        .distinct()
    )
    for office_service_id, day in sorted(set(open_days)):
        office_service = OfficeService.objects.select_related("office", "service").get(
            pk=office_service_id
        )
        today = office_service.office.local_date(now)
        if day < today:
            WaitlistEntry.objects.filter(
                office_service=office_service, local_date=day, status=WaitlistStatus.WAITING
            ).update(status=WaitlistStatus.CLOSED)
            availability_changed([office_service.pk])
            _settle_offers(office_service, day)
            continue
        offered += waitlist_offer_places(office_service=office_service, day=day, now=now)
    return offered
