"""Data-subject requests: a citizen files one (correction or deletion), staff take it,
then correct, erase or refuse; the citizen is told the outcome through the outbox.

Every writer runs in one transaction, claims the request with a conditional UPDATE on
its status (two staff members acting at once: one wins, the other is told), records a
`DataEvent`, and queues its message in the same transaction."""

from __future__ import annotations

import copy
import secrets
from datetime import datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from audit.services import audit_entries_erase
from booking.models import Booking, BookingStatus, WaitlistEntry
from booking.models.waitlist import OPEN_WAITLIST_STATUSES
from booking.services.booking import booking_cancel
from booking.services.capacity import bookings_release, slots_lock
from booking.services.waitlist import waitlist_leave
from core import personal_data
from core.audit import record_update
from core.contacts import normalize_email, normalize_phone
from core.errors import ApplicationError
from notifications.models import Message, MessageStatus
from notifications.services.outbox import Recipient, message_queue
from offices.models import Role
from offices.permissions import has_office_role
from privacy import selectors
from privacy.messages import PrivacyMessageKind
from privacy.models import (
    ANSWER_WITHIN,
    OPEN_REQUEST_STATUSES,
    CorrectableField,
    DataEvent,
    DataEventKind,
    DataRequest,
    RequestKind,
    RequestStatus,
)
from privacy.services import anonymise
from privacy.services.proof import Contact

AnyUser = AbstractBaseUser | AnonymousUser
REFERENCE_ALPHABET = "23456789BCDFGHJKMNPQRSTVWXYZ"
MAX_OPEN_REQUESTS = 5


def _event(
    request: DataRequest | None,
    *,
    nik_hash: str,
    kind: str,
    now: datetime,
    staff: User | None = None,
    **details: Any,
) -> None:
    DataEvent.objects.create(
        nik_hash=nik_hash,
        request=request,
        kind=kind,
        at=now,
        staff=staff,
        details=details,
    )


def citizen_access_record(*, nik_hash: str, exported: bool, now: datetime | None = None) -> None:
    """The citizen read or downloaded their data: part of their processing trail."""
    kind = DataEventKind.EXPORTED if exported else DataEventKind.VIEWED
    _event(None, nik_hash=nik_hash, kind=kind, now=now or timezone.now())


def correction_value_clean(*, field: str, value: str) -> str:
    """The new value for `field`, normalised as the booking form would; errors name
    the form field `new_value`."""
    try:
        if field == CorrectableField.FULL_NAME:
            name = " ".join(value.split())
            if not name or len(name) > 120:
                message = _("Enter the full name as on your KTP (at most 120 characters).")
                raise ApplicationError("invalid_name", message, fields={"new_value": [message]})
            return name
        if field == CorrectableField.PHONE:
            return normalize_phone(value)
        if field == CorrectableField.EMAIL:
            return normalize_email(value)
    except ApplicationError as error:
        messages = [m for msgs in error.fields.values() for m in msgs] or [str(error.message)]
        raise ApplicationError(error.code, error.message, fields={"new_value": messages}) from None
    message = _("Choose which detail should be corrected.")
    raise ApplicationError("invalid_field", message, fields={"field": [message]})


def data_request_file(
    *,
    nik_hash: str,
    kind: str,
    contact: Contact,
    field: str = "",
    new_value: str = "",
    reason: str = "",
    language: str = "id",
    now: datetime | None = None,
) -> DataRequest:
    """File a request for the proved citizen; the answer is due 3×24 hours later."""
    now = now or timezone.now()
    if kind not in RequestKind.values:
        message = _("Choose correction or deletion.")
        raise ApplicationError("invalid_kind", message, fields={"kind": [message]})
    if len(reason) > 1000:
        message = _("An explanation can have at most 1000 characters.")
        raise ApplicationError("invalid_reason", message, fields={"reason": [message]})
    encrypted = ""
    if kind == RequestKind.CORRECTION:
        encrypted = personal_data.encrypt(correction_value_clean(field=field, value=new_value))
    else:
        field = ""
    with transaction.atomic():
        held = selectors.citizen_bookings(nik_hash).exclude(anonymised_at__isnull=False)
        last4 = held.values_list("nik_last4", flat=True).first() or ""
        if not last4:
            raise ApplicationError(
                "nothing_held", _("Giliran holds no personal data for this NIK."), status_code=404
            )
        if (
            DataRequest.objects.filter(nik_hash=nik_hash, status__in=OPEN_REQUEST_STATUSES).count()
            >= MAX_OPEN_REQUESTS
        ):
            raise ApplicationError(
                "too_many_requests",
                _("You already have %(count)d open requests. Please wait for their answers.")
                % {"count": MAX_OPEN_REQUESTS},
                status_code=429,
            )
        request = DataRequest.objects.create(
            reference="DS-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8)),
            kind=kind,
            nik_hash=nik_hash,
            nik_last4=last4,
            field=field,
            new_value_encrypted=encrypted,
            reason=reason.strip(),
            channel=contact.channel,
            address=contact.address,
            language=language if language in ("id", "en") else "id",
            filed_at=now,
            due_at=now + ANSWER_WITHIN,
        )
        request.offices.set(selectors.citizen_offices(nik_hash))
        _event(
            request,
            nik_hash=nik_hash,
            kind=DataEventKind.FILED,
            now=now,
            request_kind=kind,
            field=field,
        )
    return request


def may_handle(user: AnyUser, request: DataRequest) -> bool:
    """Supervisors and administrators of an office involved, and national administrators."""
    if getattr(user, "is_superuser", False) and user.is_active:
        return True
    return any(
        has_office_role(user, office, at_least=Role.SUPERVISOR) for office in request.offices.all()
    )


def _require_handler(user: AnyUser, request: DataRequest) -> None:
    if not may_handle(user, request):
        raise ApplicationError(
            "forbidden", _("You do not have access to this request."), status_code=403
        )


def _claim(request: DataRequest, **changes: Any) -> None:
    """Move an open request on; refuse if someone else closed it meanwhile."""
    if not DataRequest.objects.filter(pk=request.pk, status__in=OPEN_REQUEST_STATUSES).update(
        **changes
    ):
        raise ApplicationError(
            "request_closed",
            _("This request has already been answered."),
            status_code=409,
        )
    request.refresh_from_db()


def data_request_take(
    *, request: DataRequest, staff: User, now: datetime | None = None
) -> DataRequest:
    """The staff member takes the request: it is theirs, and in progress."""
    now = now or timezone.now()
    _require_handler(staff, request)
    with transaction.atomic():
        _claim(request, status=RequestStatus.IN_PROGRESS, assignee=staff)
        _event(
            request, nik_hash=request.nik_hash, kind=DataEventKind.ASSIGNED, now=now, staff=staff
        )
    return request


def _tell(request: DataRequest, kind: str, context: dict[str, str]) -> None:
    office = min(request.offices.all(), key=lambda o: o.pk, default=None)
    message_queue(
        kind=kind,
        dedup_key=f"privacy:{request.pk}:{kind}",
        recipient=Recipient(
            channel=request.channel, address=request.address, language=request.language
        ),
        context={"reference": request.reference, **context},
        office=office,
    )


def data_request_refuse(
    *, request: DataRequest, staff: User, reason: str, now: datetime | None = None
) -> DataRequest:
    """Refuse with a reason the citizen is told."""
    now = now or timezone.now()
    _require_handler(staff, request)
    reason = reason.strip()
    if not reason or len(reason) > 1000:
        message = _("Say why the request is refused (at most 1000 characters).")
        raise ApplicationError("reason_required", message, fields={"reason": [message]})
    with transaction.atomic():
        _claim(
            request,
            status=RequestStatus.REFUSED,
            refusal_reason=reason,
            decided_at=now,
            assignee=staff,
            new_value_encrypted="",
        )
        _event(request, nik_hash=request.nik_hash, kind=DataEventKind.REFUSED, now=now, staff=staff)
        _tell(request, PrivacyMessageKind.PRIVACY_REFUSED, {"reason": reason})
        _event(request, nik_hash=request.nik_hash, kind=DataEventKind.TOLD, now=now)
    return request


def personal_data_correct(*, nik_hash: str, contact: Contact, field: str, value: str) -> int:
    """Set `field` to `value` on the citizen's bookings and waiting-list entries made
    with the proven `contact`. Only those: the NIK is not proof of identity (anyone can
    book with someone else's NIK), so a correction proven through one contact must not
    rewrite rows made with another."""
    if field not in CorrectableField.values:
        raise ApplicationError("invalid_field", _("Choose which detail should be corrected."))
    changes = {field: value}
    mine = selectors.made_with(contact)
    bookings = Booking.objects.filter(mine, nik_hash=nik_hash, anonymised_at__isnull=True)
    entries = WaitlistEntry.objects.filter(mine, nik_hash=nik_hash)
    # update() is invisible to the audit log: record each row's change (masked) first.
    for row in [*bookings, *entries]:
        before = copy.copy(row)
        setattr(row, field, value)
        record_update(before, row)
    rows = bookings.update(**changes)
    rows += entries.update(**changes)
    return rows


def personal_data_erase(*, nik_hash: str, now: datetime) -> dict[str, Any]:
    """Cancel the citizen's upcoming bookings (they are told, as for any cancellation),
    take them off waiting lists and release their holds, then erase their personal
    fields everywhere, keeping the rows for the figures. Rows other workers hold are
    waited for, and nothing is left unerased (`anonymise._erase_all`), except the
    messages still to be delivered.

    Refuses, changing nothing, if a booking cannot be cancelled any more (today's
    appointment): staff finish the request after it."""
    # Messages waiting from before (reminders of the bookings about to be cancelled, a
    # code nobody will use): never sent now, erased below. The notices queued from here
    # on (cancellations) are delivered, and erased by the retention job after sending.
    waiting = list(
        selectors.citizen_messages(nik_hash)
        .filter(status=MessageStatus.PENDING)
        .values_list("pk", flat=True)
    )
    cancelled: list[str] = []
    for booking in Booking.objects.filter(nik_hash=nik_hash, status=BookingStatus.CONFIRMED):
        try:
            booking_cancel(booking=booking, now=now)
        except ApplicationError:
            raise ApplicationError(
                "active_booking",
                _(
                    "Booking %(code)s can no longer be cancelled. "
                    "Finish this request after that appointment."
                )
                % {"code": booking.code},
                status_code=409,
            ) from None
        cancelled.append(booking.code)
    # Nobody may be offered a place, or hold one, under an erased name.
    for entry in WaitlistEntry.objects.filter(nik_hash=nik_hash, status__in=OPEN_WAITLIST_STATUSES):
        waitlist_leave(entry=entry, now=now)
    holds = Booking.objects.filter(nik_hash=nik_hash, status=BookingStatus.HELD)
    slots_lock(set(holds.values_list("slot_id", flat=True)))
    holds.update(releases_at=now)
    bookings_release(Q(nik_hash=nik_hash, status=BookingStatus.HELD), now=now)
    # Conditional: a message the outbox claimed meanwhile is being sent; it stays.
    Message.objects.filter(pk__in=waiting, status=MessageStatus.PENDING).update(
        status=MessageStatus.SKIPPED
    )
    tickets = selectors.citizen_tickets(nik_hash)
    messages = selectors.citizen_messages(nik_hash)
    # What the audit log recorded of these rows goes with them (names and contacts).
    audit_entries_erase(
        [*selectors.citizen_bookings(nik_hash), *selectors.citizen_waitlist(nik_hash), *tickets]
    )
    counts = {
        "messages": anonymise.messages_anonymise(messages=messages, now=now),
        "tickets": anonymise.tickets_anonymise(tickets=tickets, now=now),
        "waiting_list": anonymise.waitlist_entries_anonymise(
            entries=selectors.citizen_waitlist(nik_hash), now=now
        ),
    }
    counts["bookings"] = anonymise.bookings_anonymise(
        bookings=selectors.citizen_bookings(nik_hash), now=now
    )
    return {"cancelled": cancelled, **counts}


def data_request_complete(
    *, request: DataRequest, staff: User, now: datetime | None = None
) -> DataRequest:
    """Do what the request asks (correct the field, or erase the citizen's data), mark it
    done and tell the citizen."""
    now = now or timezone.now()
    _require_handler(staff, request)
    with transaction.atomic():
        # Read the new value under the row lock, then erase it with the claim.
        token = (
            DataRequest.objects.select_for_update()
            .filter(pk=request.pk)
            .values_list("new_value_encrypted", flat=True)
            .first()
        )
        _claim(
            request,
            status=RequestStatus.DONE,
            decided_at=now,
            assignee=staff,
            new_value_encrypted="",
        )
        with translation.override(request.language):
            if request.kind == RequestKind.CORRECTION:
                value = personal_data.decrypt(token or "")
                rows = personal_data_correct(
                    nik_hash=request.nik_hash,
                    contact=Contact(request.channel, request.address),
                    field=request.field,
                    value=value,
                )
                _event(
                    request,
                    nik_hash=request.nik_hash,
                    kind=DataEventKind.CORRECTED,
                    now=now,
                    staff=staff,
                    field=request.field,
                    rows=rows,
                )
                outcome = gettext(
                    "Your %(field)s has been corrected "
                    "in all your bookings and waiting-list entries."
                ) % {"field": CorrectableField(request.field).label.lower()}
            else:
                erased = personal_data_erase(nik_hash=request.nik_hash, now=now)
                for code in erased["cancelled"]:
                    _event(
                        request,
                        nik_hash=request.nik_hash,
                        now=now,
                        staff=staff,
                        kind=DataEventKind.BOOKING_CANCELLED,
                        booking=code,
                    )
                _event(
                    request,
                    nik_hash=request.nik_hash,
                    kind=DataEventKind.ANONYMISED,
                    now=now,
                    staff=staff,
                    **erased,
                )
                outcome = gettext(
                    "Your personal data has been erased; only anonymous figures remain."
                )
                if erased["cancelled"]:
                    outcome += " " + gettext(
                        "Your upcoming bookings were cancelled first: %(codes)s."
                    ) % {"codes": ", ".join(erased["cancelled"])}
            _tell(request, PrivacyMessageKind.PRIVACY_DONE, {"outcome": outcome})
        _event(request, nik_hash=request.nik_hash, kind=DataEventKind.TOLD, now=now)
    return request
