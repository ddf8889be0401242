"""Reads: what Giliran holds about one citizen (by the keyed hash of their NIK), the
processing trail, and the staff's queue of requests."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from booking.models import Booking, Channel, WaitlistEntry
from core.contacts import mask_email, mask_phone
from core.templatetags.giliran import office_datetime
from notifications.models import Message
from notifications.registry import message_kind_label
from offices.models import Office, Role
from offices.permissions import offices_for
from privacy.models import OPEN_REQUEST_STATUSES, DataEvent, DataEventKind, DataRequest
from privacy.services.proof import Contact
from queueing.models import ServiceRating, Ticket, TicketEvent, TicketEventKind

DEFAULT_ZONE = "Asia/Jakarta"


def made_with(contact: Contact | None) -> Q:
    """Rows made with the proven contact; every row of the NIK when `contact` is None
    (staff, and the erasure of a deletion request)."""
    if contact is None:
        return Q()
    if contact.channel == Channel.EMAIL:
        return Q(email=contact.address)
    return Q(phone=contact.address)


def citizen_bookings(nik_hash: str, contact: Contact | None = None) -> QuerySet[Booking]:
    return Booking.objects.filter(made_with(contact), nik_hash=nik_hash)


def citizen_waitlist(nik_hash: str, contact: Contact | None = None) -> QuerySet[WaitlistEntry]:
    return WaitlistEntry.objects.filter(made_with(contact), nik_hash=nik_hash)


def citizen_tickets(nik_hash: str, contact: Contact | None = None) -> QuerySet[Ticket]:
    return Ticket.objects.filter(booking__in=citizen_bookings(nik_hash, contact))


def citizen_requests(nik_hash: str, contact: Contact | None = None) -> QuerySet[DataRequest]:
    requests = DataRequest.objects.filter(nik_hash=nik_hash)
    if contact is not None:
        requests = requests.filter(address=contact.address)
    return requests


def citizen_messages(nik_hash: str, contact: Contact | None = None) -> QuerySet[Message]:
    """Messages about their bookings and tickets, their waiting-list entries and their
    data requests (the last two are found by their deduplication keys)."""
    bookings = citizen_bookings(nik_hash, contact)
    by_key = Q()
    for entry_id in citizen_waitlist(nik_hash, contact).values_list("pk", flat=True):
        by_key |= Q(dedup_key__startswith=f"waitlist:{entry_id}:")
    for request_id in citizen_requests(nik_hash, contact).values_list("pk", flat=True):
        by_key |= Q(dedup_key__startswith=f"privacy:{request_id}:")
    return Message.objects.filter(
        Q(booking__in=bookings) | Q(ticket__booking__in=bookings) | by_key
    ).distinct()


def citizen_offices(nik_hash: str, contact: Contact | None = None) -> list[Office]:
    return list(
        Office.objects.filter(
            Q(office_services__slots__bookings__in=citizen_bookings(nik_hash, contact))
            | Q(office_services__waitlist__in=citizen_waitlist(nik_hash, contact))
        ).distinct()
    )


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _masked(address: str) -> str:
    return mask_email(address) if "@" in address else mask_phone(address)


def citizen_data(nik_hash: str, contact: Contact | None = None) -> dict[str, Any]:
    """Everything held about this citizen, as JSON values, NIK masked. The same dict is
    shown on the page, downloaded as a file and returned by the API.

    The citizen (`contact` = the contact they proved) sees only what was made with that
    contact: a NIK is not proof of identity, anyone can book with someone else's, so
    proving a phone shows the rows made with that phone and no others."""
    bookings = citizen_bookings(nik_hash, contact).select_related(
        "slot__office_service__office", "slot__office_service__service"
    )
    tickets = citizen_tickets(nik_hash, contact).select_related("office", "office_service__service")
    ratings = ServiceRating.objects.filter(ticket__in=citizen_tickets(nik_hash, contact))
    return {
        "generated_at": timezone.now().isoformat(),
        "bookings": [
            {
                "code": b.code,
                "office": b.slot.office_service.office.name,
                "service": b.slot.office_service.service.name,
                "starts_at": b.slot.starts_at.isoformat(),
                "status": b.status,
                "status_label": str(b.get_status_display()),
                "full_name": b.full_name,
                "nik": b.masked_nik,
                "phone": b.phone,
                "email": b.email,
                "channel": b.channel,
                "language": b.language,
                "priority_group": b.priority_group,
                "made_through": b.source,
                # The network the hold came from (a /24 or /48, never the address), and
                # whether a device was recorded: its keyed hash means nothing to anyone.
                "client_network": b.client_network,
                "device_recorded": bool(b.device_hash),
                "created_at": _iso(b.created_at),
                "confirmed_at": _iso(b.confirmed_at),
                "cancelled_at": _iso(b.cancelled_at),
            }
            for b in bookings
        ],
        "waiting_list": [
            {
                "office": w.office_service.office.name,
                "service": w.office_service.service.name,
                "day": w.local_date.isoformat(),
                "status": w.status,
                "status_label": str(w.get_status_display()),
                "full_name": w.full_name,
                "nik": w.masked_nik,
                "phone": w.phone,
                "email": w.email,
                "joined_at": _iso(w.created_at),
            }
            for w in citizen_waitlist(nik_hash, contact).select_related(
                "office_service__office", "office_service__service"
            )
        ],
        "queue_tickets": [
            {
                "number": t.display_number,
                "booking_code": t.booking.code if t.booking else None,
                "office": t.office.name,
                "service": t.office_service.service.name,
                "day": t.local_date.isoformat(),
                "status": t.status,
                "status_label": str(t.get_status_display()),
                "queued_at": _iso(t.queued_at),
                "called_at": _iso(t.called_at),
                "finished_at": _iso(t.finished_at),
            }
            for t in tickets.select_related("booking")
        ],
        "survey_answers": [
            {
                "ticket": r.ticket.display_number,
                "score": r.score,
                "comment": r.comment,
                "answered_at": _iso(r.created_at),
            }
            for r in ratings.select_related("ticket")
        ],
        "messages": [
            {
                "kind": m.kind,
                "kind_label": m.kind_label,
                "channel": m.channel,
                "channel_label": str(m.get_channel_display()),
                "to": _masked(m.recipient),
                "status": m.status,
                "queued_at": _iso(m.created_at),
                "sent_at": _iso(m.sent_at),
            }
            for m in citizen_messages(nik_hash, contact).order_by("created_at")
        ],
        "requests": [
            {
                "reference": r.reference,
                "kind": r.kind,
                "kind_label": str(r.get_kind_display()),
                "status": r.status,
                "status_label": str(r.get_status_display()),
                "field": r.field,
                "filed_at": _iso(r.filed_at),
                "due_at": _iso(r.due_at),
                "decided_at": _iso(r.decided_at),
                "refusal_reason": r.refusal_reason,
            }
            for r in citizen_requests(nik_hash, contact).order_by("filed_at")
        ],
        "processing_trail": processing_trail(nik_hash, contact),
    }


STEP_LABELS = {
    "booking_made": _("Booking made"),
    "booking_confirmed": _("Booking confirmed"),
    "booking_cancelled": _("Booking cancelled"),
    "waitlist_joined": _("Joined a waiting list"),
    "waitlist_offered": _("A freed place was offered"),
}
ACTOR_LABELS = {"citizen": _("you"), "staff": _("staff"), "system": _("Giliran")}


def _step_label(what: str) -> str:
    if what in STEP_LABELS:
        return str(STEP_LABELS[what])
    family, _sep, rest = what.partition("_")
    if family == "ticket" and rest in TicketEventKind.values:
        return str(_("Queue number: %(step)s") % {"step": TicketEventKind(rest).label})
    if family == "privacy" and rest in DataEventKind.values:
        return str(DataEventKind(rest).label)
    if family == "message":
        kind, _sep, stage = rest.rpartition("_")
        label = message_kind_label(kind)
        if stage == "sent":
            return str(_("Message sent: %(kind)s") % {"kind": label})
        return str(_("Message queued: %(kind)s") % {"kind": label})
    return what


def processing_trail(nik_hash: str, contact: Contact | None = None) -> list[dict[str, Any]]:
    """What was done with the citizen's data and when, oldest first. `by` is "citizen",
    "system" or "staff" (staff are not named to the citizen); `what` is a stable code,
    `label` says it in the active language."""
    trail: list[dict[str, Any]] = []
    offices = citizen_offices(nik_hash, contact)
    zone = offices[0].timezone if offices else DEFAULT_ZONE

    def add(at: datetime | None, what: str, by: str, ref: str = "") -> None:
        if at is not None:
            trail.append(
                {
                    "at": at.isoformat(),
                    "when": office_datetime(at, zone),
                    "what": what,
                    "label": _step_label(what),
                    "by": by,
                    "by_label": str(ACTOR_LABELS[by]),
                    "reference": ref,
                }
            )

    for b in citizen_bookings(nik_hash, contact):
        made_by = "staff" if b.created_by_id else "citizen"
        add(b.created_at, "booking_made", made_by, b.code)
        add(b.confirmed_at, "booking_confirmed", made_by, b.code)
        add(b.cancelled_at, "booking_cancelled", "citizen", b.code)
    for w in citizen_waitlist(nik_hash, contact):
        add(w.created_at, "waitlist_joined", "citizen")
        add(w.offered_at, "waitlist_offered", "system")
    for event in TicketEvent.objects.filter(
        ticket__in=citizen_tickets(nik_hash, contact)
    ).select_related("ticket"):
        add(
            event.at,
            f"ticket_{event.kind}",
            "staff" if event.staff_id else "system",
            event.ticket.display_number,
        )
    for m in citizen_messages(nik_hash, contact):
        add(m.created_at, f"message_{m.kind}_queued", "system")
        add(m.sent_at, f"message_{m.kind}_sent", "system")
    events = DataEvent.objects.filter(nik_hash=nik_hash)
    if contact is not None:  # their own requests' steps, and their own views/exports
        events = events.filter(
            Q(request__in=citizen_requests(nik_hash, contact)) | Q(request__isnull=True)
        )
    for e in events.select_related("request"):
        add(
            e.at,
            f"privacy_{e.kind}",
            "staff" if e.staff_id else "citizen",
            e.request.reference if e.request else "",
        )
    trail.sort(key=lambda item: item["at"])
    return trail


# --- Staff -------------------------------------------------------------------------------

AnyUser = AbstractBaseUser | AnonymousUser


def requests_for_staff(user: AnyUser, *, open_only: bool = False) -> QuerySet[DataRequest]:
    """Requests involving an office where `user` is at least a supervisor (every
    request for national administrators)."""
    requests = DataRequest.objects.all()
    if not getattr(user, "is_superuser", False):
        requests = requests.filter(
            offices__in=offices_for(user, at_least=Role.SUPERVISOR)
        ).distinct()
    if open_only:
        requests = requests.filter(status__in=OPEN_REQUEST_STATUSES)
    return requests.select_related("assignee").prefetch_related("offices").order_by("due_at", "pk")


def request_zone(request: DataRequest) -> str:
    """The zone a request's deadline is shown in: its first office's (WIB by default)."""
    offices = sorted(request.offices.all(), key=lambda office: office.pk)
    return offices[0].timezone if offices else DEFAULT_ZONE


def request_deadline(request: DataRequest) -> str:
    """'Jumat, 4 Desember 2026, 10:00 WIB' in the active language."""
    return office_datetime(request.due_at, request_zone(request))


def request_overdue(request: DataRequest, now: datetime | None = None) -> bool:
    return request.is_open and (now or timezone.now()) > request.due_at


def request_bookings_for(user: AnyUser, nik_hash: str) -> list[dict[str, Any]]:
    """The citizen's bookings as the staff member handling their request sees them: in
    full (code, name, masked NIK) at the offices where they are at least a supervisor,
    at any office for national administrators; elsewhere only that there is one (office,
    service, day, status), since their work needs to know it exists, not its details.
    `booking` is the row shown in full (for the access log), None for a summary."""
    rows = citizen_bookings(nik_hash).select_related(
        "slot__office_service__office", "slot__office_service__service"
    )
    if getattr(user, "is_superuser", False):
        mine: set[int] | None = None
    else:
        mine = set(offices_for(user, at_least=Role.SUPERVISOR).values_list("pk", flat=True))
    shown = []
    for b in rows.order_by("slot__starts_at", "pk"):
        office = b.slot.office_service.office
        full = mine is None or office.pk in mine
        shown.append(
            {
                "booking": b if full else None,
                "code": b.code if full else "",
                "full_name": b.full_name if full else "",
                "nik": b.masked_nik if full else "",
                "office": office.name,
                "service": b.slot.office_service.service.name,
                "day": b.slot.local_date,
                "status_label": str(b.get_status_display()),
            }
        )
    return shown
