"""Booking a slot: hold → one-time code → confirm; cancel and reschedule; staff booking.

Every writing function runs in one transaction and raises ApplicationError (with a
translated message) when it refuses, changing nothing. Capacity moves only through
booking.services.capacity."""

from __future__ import annotations

import contextlib
import copy
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import Count, F, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from booking.messages import BookingMessageKind, booking_message_send, booking_reminders_queue
from booking.models import (
    ACTIVE_STATUSES,
    Booking,
    BookingStatus,
    Channel,
    PriorityGroup,
    Slot,
    Source,
    VerificationCode,
)
from booking.one_time_codes import one_time_code_clean, one_time_code_new
from booking.selectors.availability import slot_refusal
from booking.services.capacity import bookings_release, slot_claim, slot_give_back, slots_lock
from booking.services.freed import waitlist_nudge_for_slot
from booking.services.no_show import bookings_release_no_shows, no_show_candidates, refuse_if_paused
from booking.tokens import manage_tokens_revoke
from core import personal_data
from core.audit import record_update
from core.client_marks import NO_CLIENT, ClientMark
from core.contacts import normalize_email, normalize_phone
from core.db import lock_for_keys, retry_on_deadlock
from core.errors import ApplicationError
from core.message_budget import message_budget_check, message_budget_spend
from core.nik import normalize_nik
from offices.models.staff import Role
from offices.permissions import require_office_role
from releases.rooms import room_for

# Short and unambiguous when read aloud or typed: no 0/O, 1/I/L, and no vowels that could
# spell words.
CODE_ALPHABET = "23456789BCDFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 8


@dataclass(frozen=True)
class CitizenDetails:
    full_name: str
    nik: str
    phone: str
    email: str
    channel: str
    priority_group: str
    language: str

    def stored(self) -> dict[str, str]:
        """The fields a booking, a waiting-list entry or a ballot entry keeps of the
        citizen: the NIK encrypted, as its keyed hash and its last four digits, never in
        clear."""
        return {
            "full_name": self.full_name,
            "nik_encrypted": personal_data.encrypt(self.nik),
            "nik_hash": personal_data.keyed_hash(self.nik),
            "nik_last4": self.nik[-4:],
            "phone": self.phone,
            "email": self.email,
            "channel": self.channel,
            "language": self.language,
            "priority_group": self.priority_group,
        }


def details_clean(
    *,
    full_name: str,
    nik: str,
    phone: str = "",
    email: str = "",
    channel: str = "",
    priority_group: str = "",
    language: str = "id",
    at_the_office: bool = False,
) -> CitizenDetails:
    """Validate and normalise what a citizen typed; every problem is reported at once.
    `at_the_office`: staff book for someone who may have no phone and no email."""
    errors: dict[str, list[object]] = {}

    def field(name: str, check: object) -> str:
        try:
            return check()  # type: ignore[operator]
        except ApplicationError as error:
            errors.setdefault(name, []).extend(error.fields.get(name, [str(error.message)]))
            return ""

    name = " ".join(full_name.split())
    if not name:
        errors["full_name"] = [_("Enter your full name as on your KTP.")]
    elif len(name) > 120:
        errors["full_name"] = [_("A name can have at most 120 characters.")]
    clean_nik = field("nik", lambda: normalize_nik(nik))
    clean_phone = field("phone", lambda: normalize_phone(phone)) if phone.strip() else ""
    clean_email = field("email", lambda: normalize_email(email)) if email.strip() else ""
    if not phone.strip() and not email.strip():
        if at_the_office:
            channel = Channel.NONE
        else:
            errors["phone"] = [
                _("Enter a mobile number or an email address, so we can send your code.")
            ]
    if channel not in Channel.values or (channel == Channel.NONE and not at_the_office):
        errors["channel"] = [_("Choose how we should send your messages.")]
    elif channel == Channel.EMAIL and not email.strip() and "email" not in errors:
        errors["email"] = [_("Enter an email address to receive messages by email.")]
    elif channel in (Channel.SMS, Channel.WHATSAPP) and not phone.strip() and "phone" not in errors:
        errors["phone"] = [_("Enter a mobile number to receive messages by SMS or WhatsApp.")]
    if priority_group not in PriorityGroup.values:
        errors["priority_group"] = [_("Choose a priority group from the list.")]
    if errors:
        raise ApplicationError(
            "invalid_details",
            _("Please correct the details below."),
            fields=errors,  # type: ignore[arg-type]
        )
    return CitizenDetails(
        name,
        clean_nik,
        clean_phone,
        clean_email,
        channel,
        priority_group,
        language if language in ("id", "en") else "id",
    )


# A booking with its place and service: what its messages and answers read.
WITH_PLACE = Booking.objects.select_related(
    "slot__office_service__office", "slot__office_service__service", "service"
)


def new_booking_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def _bookable_slot(slot_id: int, now: datetime) -> Slot:
    try:
        slot = Slot.objects.select_related("office_service__office", "office_service__service").get(
            pk=slot_id
        )
    except Slot.DoesNotExist:
        raise ApplicationError(
            "slot_not_found", _("This time is not available."), status_code=404
        ) from None
    refusal = slot_refusal(slot, now)
    if refusal:
        raise ApplicationError(refusal[0], refusal[1], status_code=409)
    return slot


def _slot_full() -> ApplicationError:
    return ApplicationError(
        "slot_full",
        _("Sorry, this time has just been taken. Please choose another time."),
        status_code=409,
    )


def _hold_lock_keys(
    *, nik_hash: str, service_id: int, details: CitizenDetails, source: str
) -> list[str]:
    """The advisory locks a hold takes, in their one order: the citizen and service
    first (parallel requests for them run one at a time), then, for a citizen's own hold
    (not staff's), the NIK's and each contact's live-hold caps, sorted."""
    keys = [f"hold:{nik_hash}:{service_id}"]
    if source != Source.STAFF:
        contacts = [value for value in (details.phone, details.email) if value]
        caps = [f"holds:nik:{nik_hash}"]
        caps += [f"holds:contact:{personal_data.keyed_hash(value)}" for value in contacts]
        keys += sorted(caps)
    return keys


def _refuse_if_over_limits(
    *, nik_hash: str, service_id: int, details: CitizenDetails, source: str, now: datetime
) -> None:
    """The caps a hold must fit, counted in one query over the NIK's and the contact's
    bookings, refused in this order:

    - at most GILIRAN_MAX_HOLDS_PER_NIK live holds per NIK and
      GILIRAN_MAX_HOLDS_PER_CONTACT per phone or email, across offices and services (a
      calo cannot sit on many places while looking for buyers; not for staff's holds);
    - one active booking per NIK and service (the partial unique index backs it);
    - at most GILIRAN_MAX_ACTIVE_PER_CONTACT confirmed bookings per phone or email.

    Call under the hold's advisory locks (`_hold_lock_keys`), so parallel holds count
    one after another."""
    mine = Q(nik_hash=nik_hash)
    contact = Q()
    if details.phone:
        contact |= Q(phone=details.phone)
    if details.email:
        contact |= Q(email=details.email)
    live = Q(status=BookingStatus.HELD, occupies_slot=True, releases_at__gt=now)
    counts = {
        "nik_holds": Count("pk", filter=mine & live),
        "active_here": Count(
            "pk", filter=mine & Q(service_id=service_id, status__in=ACTIVE_STATUSES)
        ),
    }
    if contact:
        counts["contact_holds"] = Count("pk", filter=contact & live)
        counts["contact_confirmed"] = Count(
            "pk", filter=contact & Q(status=BookingStatus.CONFIRMED)
        )
    found = Booking.objects.filter(mine | contact if contact else mine).aggregate(**counts)
    if source != Source.STAFF:  # at the office, staff may still help in person
        if found["nik_holds"] >= settings.GILIRAN_MAX_HOLDS_PER_NIK:
            raise ApplicationError(
                "hold_limit",
                _("This NIK already holds %(count)d places. Confirm or let them expire first.")
                % {"count": settings.GILIRAN_MAX_HOLDS_PER_NIK},
                status_code=409,
            )
        if found.get("contact_holds", 0) >= settings.GILIRAN_MAX_HOLDS_PER_CONTACT:
            raise ApplicationError(
                "hold_limit",
                _(
                    "This phone number or email already holds %(count)d places. "
                    "Confirm or let them expire first."
                )
                % {"count": settings.GILIRAN_MAX_HOLDS_PER_CONTACT},
                status_code=409,
            )
    if found["active_here"]:
        raise _nik_already_booked()
    if found.get("contact_confirmed", 0) >= settings.GILIRAN_MAX_ACTIVE_PER_CONTACT:
        raise ApplicationError(
            "contact_limit",
            _("This phone number or email already has %(count)d active bookings, the most allowed.")
            % {"count": settings.GILIRAN_MAX_ACTIVE_PER_CONTACT},
            status_code=409,
        )


def _nik_already_booked() -> ApplicationError:
    return ApplicationError(
        "already_booked",
        _(
            "This NIK already has an active booking for this service. "
            "Cancel or change that one instead."
        ),
        fields={"nik": [_("This NIK already has an active booking for this service.")]},
        status_code=409,
    )


@retry_on_deadlock()
def booking_hold(
    *,
    slot_id: int,
    details: CitizenDetails,
    source: str,
    now: datetime | None = None,
    client: ClientMark = NO_CLIENT,
) -> Booking:
    """Hold a place in a slot for GILIRAN_HOLD_MINUTES while the citizen confirms (see
    _booking_hold); a deadlock runs it again."""
    return _booking_hold(slot_id=slot_id, details=details, source=source, now=now, client=client)


def _booking_hold(
    *,
    slot_id: int,
    details: CitizenDetails,
    source: str,
    now: datetime | None = None,
    client: ClientMark = NO_CLIENT,
) -> Booking:
    """Hold a place in a slot for GILIRAN_HOLD_MINUTES while the citizen confirms.

    A citizen's own earlier hold for the same service is released first (they went back
    and picked another time). The partial unique index on (NIK hash, service) makes a
    second active booking for the same NIK impossible, even from parallel requests."""
    now = now or timezone.now()
    slot = _bookable_slot(slot_id, now)
    nik_hash = personal_data.keyed_hash(details.nik)
    service_id = slot.office_service.service_id
    try:
        with transaction.atomic():
            # One round trip for every advisory lock, in their one order (before any
            # slot row: no slot locker waits for these locks while holding a slot).
            lock_for_keys(
                _hold_lock_keys(
                    nik_hash=nik_hash, service_id=service_id, details=details, source=source
                )
            )
            mine = Q(nik_hash=nik_hash, service_id=service_id, status=BookingStatus.HELD)
            earlier = set(
                Booking.objects.filter(mine, occupies_slot=True).values_list("slot_id", flat=True)
            )
            # Their missed appointments become no-shows now, not at the next job run.
            missed = no_show_candidates(Q(nik_hash=nik_hash), now=now)
            slots_lock(earlier | {slot.pk} | {slot_id for _pk, slot_id in missed})
            if earlier:
                Booking.objects.filter(mine, occupies_slot=True).update(releases_at=now)
                bookings_release(mine, now=now)
            if missed:
                bookings_release_no_shows(Q(pk__in=[pk for pk, _slot in missed]), now=now)
            if source != Source.STAFF:  # at the office, staff may still help in person
                refuse_if_paused(nik_hash=nik_hash, now=now)
            _refuse_if_over_limits(
                nik_hash=nik_hash, service_id=service_id, details=details, source=source, now=now
            )
            if not slot_claim(slot=slot, now=now):
                raise _slot_full()
            return Booking.objects.create(
                code=new_booking_code(),
                slot=slot,
                service_id=service_id,
                status=BookingStatus.HELD,
                releases_at=now + timedelta(minutes=settings.GILIRAN_HOLD_MINUTES),
                hold_token=secrets.token_urlsafe(32),
                **details.stored(),
                source=source,
                client_network=client.network,
                device_hash=client.device_hash,
            )
    except IntegrityError:
        # A parallel request for the same NIK won the unique index: this one changed nothing.
        if Booking.objects.filter(
            nik_hash=nik_hash, service_id=service_id, status__in=ACTIVE_STATUSES
        ).exists():
            raise _nik_already_booked() from None
        raise


@retry_on_deadlock()
def booking_hold_and_send_code(
    *,
    slot_id: int,
    details: CitizenDetails,
    source: str,
    now: datetime | None = None,
    client: ClientMark = NO_CLIENT,
) -> Booking:
    """Hold a place and send its first one-time code in one transaction: when the code
    is refused (the message budget), the hold is rolled back and no place stays blocked
    without a code. Per-request rate limits are checked by the caller before this.

    A spent budget is refused before any lock is taken; a deadlock runs the whole
    transaction again (the retry is here, around the transaction, not inside it)."""
    now = now or timezone.now()
    message_budget_check(channel=details.channel, phone=details.phone, now=now)
    with transaction.atomic():
        booking = _booking_hold(
            slot_id=slot_id, details=details, source=source, now=now, client=client
        )
        # The hold was made in this transaction: no one else sees its row yet, and it
        # has no code, so `code_send`'s row lock and count have nothing to guard.
        _refuse_if_sent_enough(0)
        message_budget_spend(channel=booking.channel, phone=booking.phone, now=now)
        _code_issue(booking=booking, now=now)
    return booking


def _live_hold(booking: Booking, now: datetime) -> None:
    if booking.status == BookingStatus.CONFIRMED:
        raise ApplicationError(
            "already_confirmed", _("This booking is already confirmed."), status_code=409
        )
    if (
        booking.status != BookingStatus.HELD
        or booking.releases_at is None
        or booking.releases_at <= now
    ):
        raise ApplicationError(
            "hold_expired",
            _("Your hold has expired and the place was released. Please choose a time again."),
            status_code=410,
        )


def code_send(*, booking: Booking, now: datetime | None = None) -> VerificationCode:
    """Send a new one-time code for a hold (the previous one stops working)."""
    now = now or timezone.now()
    _live_hold(booking, now)
    with transaction.atomic():
        # Lock the hold's row so that parallel sends are counted one after another, and
        # count its codes under that lock, in one round trip.
        codes = VerificationCode.objects.filter(booking=OuterRef("pk")).order_by()
        sent = (
            Booking.objects.select_for_update()
            .filter(pk=booking.pk)
            .annotate(sent=Subquery(codes.values("booking").annotate(n=Count("pk")).values("n")))
            .values_list("sent", flat=True)
            .first()
        )
        _refuse_if_sent_enough(sent or 0)
        message_budget_spend(channel=booking.channel, phone=booking.phone, now=now)
        booking.codes.filter(used_at__isnull=True, expires_at__gt=now).update(expires_at=now)
        return _code_issue(booking=booking, now=now)


def _refuse_if_sent_enough(sent: int) -> None:
    if sent >= settings.GILIRAN_CODE_SENDS:
        raise ApplicationError(
            "too_many_codes",
            _("We have already sent %(count)d codes. Please start again.") % {"count": sent},
            status_code=429,
        )


def _code_issue(*, booking: Booking, now: datetime) -> VerificationCode:
    """A new code for the hold and its message in the outbox (queued, not rendered:
    the message is written when a worker sends it). Call in the sending transaction."""
    code = one_time_code_new()
    record = VerificationCode.objects.create(
        booking=booking,
        code_hash=personal_data.keyed_hash(f"{booking.pk}:{code}"),
        channel=booking.channel,
        expires_at=now + timedelta(minutes=settings.GILIRAN_CODE_MINUTES),
    )
    booking_message_send(
        booking=booking,
        kind="code",
        context={"code": code, "minutes": settings.GILIRAN_CODE_MINUTES},
        occasion=str(record.pk),
        stale_after=record.expires_at,
    )
    return record


def code_verify(*, booking: Booking, code: str, now: datetime | None = None) -> Booking:
    """Check the one-time code and confirm the booking.

    Each attempt is counted by a conditional UPDATE committed before the comparison, so
    parallel guesses cannot exceed GILIRAN_CODE_ATTEMPTS; a code works once. A code that
    is not 6 digits is refused before it counts (booking.one_time_codes)."""
    now = now or timezone.now()
    code = one_time_code_clean(code)  # before an attempt is counted
    _live_hold(booking, now)
    latest = booking.codes.filter(used_at__isnull=True).order_by("-pk").first()
    if latest is None or latest.expires_at <= now:
        raise ApplicationError(
            "code_expired", _("This code has expired. Ask for a new one."), status_code=410
        )
    counted = VerificationCode.objects.filter(
        pk=latest.pk, used_at__isnull=True, attempts__lt=settings.GILIRAN_CODE_ATTEMPTS
    ).update(attempts=F("attempts") + 1)
    if not counted:
        raise ApplicationError(
            "too_many_attempts", _("Too many wrong codes. Ask for a new code."), status_code=429
        )
    expected = personal_data.keyed_hash(f"{booking.pk}:{code}")
    if not hmac.compare_digest(latest.code_hash, expected):
        left = settings.GILIRAN_CODE_ATTEMPTS - latest.attempts - 1
        message = _("That code is not right. %(left)d attempts left.") % {"left": left}
        raise ApplicationError("wrong_code", message, fields={"code": [message]})
    with transaction.atomic():
        if not VerificationCode.objects.filter(pk=latest.pk, used_at__isnull=True).update(
            used_at=now
        ):
            raise ApplicationError(
                "code_used", _("This code has already been used."), status_code=409
            )
        return booking_confirm(booking=booking, now=now)


def booking_confirm(*, booking: Booking, now: datetime | None = None) -> Booking:
    """HELD → CONFIRMED, if the hold is still live. Call inside or outside a transaction
    (inside one, a refusal is raised through it: there is no savepoint to go back to)."""
    now = now or timezone.now()
    with transaction.atomic(savepoint=False):
        confirmed = Booking.objects.filter(
            pk=booking.pk, status=BookingStatus.HELD, occupies_slot=True, releases_at__gt=now
        ).update(
            status=BookingStatus.CONFIRMED, releases_at=None, hold_token=None, confirmed_at=now
        )
        # The row as it is now, with what its messages need, in one query (a plain
        # refresh would read the slot, office-service, office and service one by one).
        booking.refresh_from_db(from_queryset=WITH_PLACE)
        if not confirmed:
            _live_hold(booking, now)  # raises the right reason
        booking_message_send(booking=booking, kind="confirmed")
        booking_reminders_queue(booking=booking, now=now)
    return booking


def booking_book_for_citizen(*, slot_id: int, details: CitizenDetails, staff_user: User) -> Booking:
    """A counter clerk or supervisor books for a citizen at the office: no code needed,
    recorded as staff-made. Only staff of the slot's office may do it."""
    now = timezone.now()
    office_id = (
        Slot.objects.filter(pk=slot_id).values_list("office_service__office_id", flat=True).first()
    )
    if office_id is None:
        raise ApplicationError("slot_not_found", _("This time is not available."), status_code=404)
    require_office_role(staff_user, office_id, at_least=Role.CLERK)
    with transaction.atomic():
        booking = booking_hold(slot_id=slot_id, details=details, source=Source.STAFF, now=now)
        Booking.objects.filter(pk=booking.pk).update(created_by=staff_user)
        return booking_confirm(booking=booking, now=now)


def _change_allowed(booking: Booking, now: datetime) -> None:
    if booking.status != BookingStatus.CONFIRMED:
        raise ApplicationError(
            "not_active", _("Only a confirmed booking can be changed."), status_code=409
        )
    office_service = booking.slot.office_service
    today = office_service.office.local_date(now)
    last_day = booking.slot.local_date - timedelta(days=office_service.change_until_days_before)
    if today > last_day:
        raise ApplicationError(
            "too_late",
            _("Changes are possible until %(day)s. Please contact the office.")
            % {"day": last_day.strftime("%d-%m-%Y")},
            status_code=409,
        )


@retry_on_deadlock()
def booking_cancel(*, booking: Booking, now: datetime | None = None) -> Booking:
    """Cancel a confirmed booking. Its place returns to the pool at once, or after the
    office-service's anti-trading delay. Cancelling twice changes nothing."""
    now = now or timezone.now()
    if booking.status == BookingStatus.CANCELLED:
        return booking
    _change_allowed(booking, now)
    delay = timedelta(minutes=booking.slot.office_service.cancel_release_minutes)
    before = copy.copy(booking)
    with transaction.atomic():
        slots_lock({booking.slot_id})
        cancelled = Booking.objects.filter(pk=booking.pk, status=BookingStatus.CONFIRMED).update(
            status=BookingStatus.CANCELLED,
            cancelled_at=now,
            releases_at=now + delay,
            manage_token_version=F("manage_token_version") + 1,  # old links end here
        )
        if cancelled:
            booking.refresh_from_db()
            record_update(before, booking)  # update() is invisible to the audit log
            if bookings_release(Q(pk=booking.pk), now=now):
                waitlist_nudge_for_slot(booking.slot)
            booking_message_send(booking=booking, kind="cancelled")
    booking.refresh_from_db()
    return booking


@retry_on_deadlock()
def booking_reschedule(*, booking: Booking, slot_id: int, now: datetime | None = None) -> Booking:
    """Move a confirmed booking to another time of the same office and service, as many
    times as the office-service allows (once by default)."""
    now = now or timezone.now()
    _change_allowed(booking, now)
    office_service = booking.slot.office_service
    if booking.reschedule_count >= office_service.max_reschedules:
        raise ApplicationError(
            "reschedule_limit",
            _("This booking has already been rescheduled the most times allowed."),
            status_code=409,
        )
    new_slot = _bookable_slot(slot_id, now)
    if new_slot.office_service_id != office_service.pk:
        raise ApplicationError(
            "other_service",
            _("A booking can only move to another time of the same office and service."),
            fields={"slot": [_("Choose a time of the same office and service.")]},
        )
    if new_slot.pk == booking.slot_id:
        raise ApplicationError(
            "same_slot",
            _("This is already your booking's time."),
            fields={"slot": [_("Choose another time.")]},
        )
    if room_for(office_service, now) is not None:
        # A booking moved in while citizens wait in line would skip the line.
        raise ApplicationError(
            "waiting_room_open",
            _(
                "Bookings cannot be moved while the waiting room of a release is open. "
                "Try again after the release."
            ),
            status_code=409,
        )
    old_slot = booking.slot
    old_slot_id = old_slot.pk
    before = copy.copy(booking)
    with transaction.atomic():
        slots_lock({old_slot_id, new_slot.pk})  # both, in id order: swaps cannot deadlock
        if not slot_claim(slot=new_slot, now=now):
            raise _slot_full()
        moved = Booking.objects.filter(
            pk=booking.pk,
            status=BookingStatus.CONFIRMED,
            slot_id=old_slot_id,
            reschedule_count=booking.reschedule_count,
        ).update(
            slot=new_slot,
            reschedule_count=F("reschedule_count") + 1,
            manage_token_version=F("manage_token_version") + 1,  # old links end here
        )
        if not moved:
            raise ApplicationError(
                "changed_meanwhile",
                _("This booking changed meanwhile. Please reload."),
                status_code=409,
            )
        slot_give_back(slot=old_slot)
        waitlist_nudge_for_slot(old_slot)  # its day and office-service never change
        booking.refresh_from_db()
        record_update(before, booking)  # update() is invisible to the audit log
        booking_message_send(
            booking=booking, kind="rescheduled", occasion=str(booking.reschedule_count)
        )
        booking_reminders_queue(booking=booking, now=now)
    return booking


def booking_find(*, code: str, secret: str, now: datetime | None = None) -> Booking | None:
    """The booking with this code, if `secret` is the last 4 digits of its NIK or the
    phone or email it was made with. None otherwise, without saying which part was wrong.

    Guessing the secret of a known code is limited per code, whatever the guessers'
    addresses: after GILIRAN_LOOKUP_FAILURES wrong answers the code is locked for
    GILIRAN_LOOKUP_LOCK_MINUTES (even the right answer is refused) and the citizen is told
    once per lockout. Each attempt is decided under the booking's row lock, so parallel
    guesses cannot slip past the count."""
    now = now or timezone.now()
    code = "".join(code.split()).upper()
    secret = secret.strip()
    booking = (
        Booking.objects.filter(code=code)
        .select_related("slot__office_service__office", "slot__office_service__service")
        .first()
    )
    if booking is None or booking.anonymised_at is not None:
        return None  # an anonymised booking belongs to no one any more
    candidates = [booking.nik_last4]
    if booking.email:
        candidates.append(booking.email.lower())
    if booking.phone:
        candidates.append(booking.phone)
    given = [secret.lower()]
    with contextlib.suppress(ApplicationError):
        given.append(normalize_phone(secret))
    matched = bool(secret) and any(hmac.compare_digest(a, b) for a in candidates for b in given)
    if not _lookup_counted(booking=booking, matched=matched, now=now):
        raise ApplicationError(
            "lookup_locked",
            _(
                "Too many wrong attempts for this booking code. "
                "Looking it up is paused for a while; the booking's owner has been told."
            ),
            status_code=429,
        )
    return booking if matched else None


def _lookup_counted(*, booking: Booking, matched: bool, now: datetime) -> bool:
    """Record one look-up of `booking`; False when its code is locked. Locks the booking's
    row for the decision; the lockout notice is queued in the same transaction."""
    with transaction.atomic():
        row = (
            Booking.objects.select_for_update()
            .filter(pk=booking.pk)
            .values("lookup_failures", "lookup_locked_until")
            .get()
        )
        if row["lookup_locked_until"] is not None and row["lookup_locked_until"] > now:
            return False
        if matched:
            if row["lookup_failures"]:
                Booking.objects.filter(pk=booking.pk).update(lookup_failures=0)
            return True
        failures = row["lookup_failures"] + 1
        if failures < settings.GILIRAN_LOOKUP_FAILURES:
            Booking.objects.filter(pk=booking.pk).update(lookup_failures=failures)
            return True
        locked_until = now + timedelta(minutes=settings.GILIRAN_LOOKUP_LOCK_MINUTES)
        Booking.objects.filter(pk=booking.pk).update(
            lookup_failures=0, lookup_locked_until=locked_until
        )
        # Someone is after this booking: links and browser grants issued so far end too
        # (the owner's notice carries a fresh link, minted when it is sent).
        manage_tokens_revoke(booking_id=booking.pk)
        booking_message_send(
            booking=booking,
            kind=BookingMessageKind.LOOKUP_LOCKED,
            context={"attempts": failures, "minutes": settings.GILIRAN_LOOKUP_LOCK_MINUTES},
            occasion=locked_until.isoformat(),
        )
    return True
