"""Every change of a complaint, in one place: intake, the staff's three steps (take,
answer, close) and the citizen's status look-up. Pages, the API and (later) the chat
channels call these functions; each writes its event and queues its message in the
same transaction.

The status moves one way: received → in_progress → answered → closed (a complaint may
be answered straight from received). Each step is one conditional UPDATE on the
status, so two staff members pressing the same button change it once, and the message
about it has the deduplication key `complaint:<id>:<status>`: the citizen is told once
per change, whatever retries or double clicks happen."""

from __future__ import annotations

import copy
import hmac
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from complaints.messages import ComplaintMessageKind
from complaints.models import (
    ANSWER_MAX_LENGTH,
    TEXT_MAX_LENGTH,
    TEXT_MIN_LENGTH,
    Complaint,
    ComplaintCategory,
    ComplaintCounter,
    ComplaintEvent,
    ComplaintPhoto,
    ComplaintStatus,
    ContactChannel,
    EventKind,
)
from core import personal_data
from core.audit import record_update
from core.challenge import challenge_gate
from core.contacts import normalize_email, normalize_phone
from core.errors import ApplicationError
from core.ratelimit import client_ip, rate_limit
from notifications.services.outbox import Recipient, message_queue
from offices.models import Office, Role
from offices.permissions import has_office_role, integrity_offices_for
from offices.selectors import closed_days

AnyUser = AbstractBaseUser | AnonymousUser

# The access key: 10 characters of an alphabet without look-alikes (no 0/O, 1/I/L),
# about 49 bits, shown as two groups of five (`K7QMX-2PA9D`).
KEY_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
KEY_LENGTH = 10


# --- Intake ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Intake:
    office_code: str
    category: str
    text: str
    contact: str = ""
    pungli: bool = False
    language: str = "id"
    photo: bytes | None = None  # as uploaded: checked by photo_clean
    # The chat channel the complaint came by (whatsapp, telegram, sms): `contact` is then
    # that channel's address and the citizen is told there; "" for a page or the API.
    channel: str = ""


@dataclass(frozen=True)
class Filed:
    complaint: Complaint
    access_key: str  # shown once to the citizen and sent to their contact; never stored


def _field_error(code: str, field: str, message: str | Promise) -> ApplicationError:
    return ApplicationError(code, message, fields={field: [message]})


def complaint_text_clean(raw: str) -> str:
    """The citizen's words, trimmed; plain text (pages escape it, nothing renders it as
    markup), between TEXT_MIN_LENGTH and TEXT_MAX_LENGTH characters, without control
    characters."""
    text = "".join(ch for ch in raw.replace("\r\n", "\n") if ch in "\n\t" or ch.isprintable())
    text = text.strip()
    if len(text) < TEXT_MIN_LENGTH:
        message = _("Describe what happened in at least %(count)d characters.") % {
            "count": TEXT_MIN_LENGTH
        }
        raise _field_error("text_too_short", "text", message)
    if len(text) > TEXT_MAX_LENGTH:
        message = _("Keep your complaint within %(count)d characters.") % {"count": TEXT_MAX_LENGTH}
        raise _field_error("text_too_long", "text", message)
    return text


def contact_clean(raw: str, *, channel: str = "") -> tuple[str, str]:
    """(channel, address): an email address, or an Indonesian mobile number (told by
    SMS, which reaches every phone); ("none", "") for no contact. A complaint filed by
    chat names its `channel`: the address is then the chat's (a WhatsApp number, a
    Telegram chat id) and the citizen is told in that chat."""
    text = raw.strip()
    if not text:
        return ContactChannel.NONE, ""
    if channel == ContactChannel.TELEGRAM:
        if not text.lstrip("-").isdigit():
            raise _field_error("invalid_contact", "contact", _("Unknown Telegram chat."))
        return ContactChannel.TELEGRAM, text
    if channel == ContactChannel.WHATSAPP:
        return ContactChannel.WHATSAPP, normalize_phone(text)
    try:
        if "@" in text:
            return ContactChannel.EMAIL, normalize_email(text)
        return ContactChannel.SMS, normalize_phone(text)
    except ApplicationError as error:
        messages = [m for msgs in error.fields.values() for m in msgs]
        raise ApplicationError(error.code, error.message, fields={"contact": messages}) from None


def _office(code: str) -> Office:
    office = Office.objects.filter(code=code.strip().lower(), is_active=True).first()
    if office is None:
        raise _field_error("unknown_office", "office", _("Choose an office from the list."))
    return office


def _category(value: str) -> str:
    if value not in ComplaintCategory.values:
        raise _field_error("unknown_category", "category", _("Choose a category from the list."))
    return value


# What a photo's first bytes say it is; its name and the browser's claim are ignored.
_IMAGE_SIGNATURES = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)


def photo_clean(data: bytes | None) -> str | None:
    """The photo's content type (JPEG, PNG or WebP, told by its content), None for no
    photo; ApplicationError on the `photo` field for anything else or beyond
    GILIRAN_COMPLAINT_PHOTO_MAX_BYTES."""
    if not data:
        return None
    if len(data) > settings.GILIRAN_COMPLAINT_PHOTO_MAX_BYTES:
        megabytes = settings.GILIRAN_COMPLAINT_PHOTO_MAX_BYTES / (1024 * 1024)
        message = _("The photo is too large: at most %(size)s MB.") % {"size": f"{megabytes:g}"}
        raise _field_error("photo_too_large", "photo", message)
    for signature, content_type in _IMAGE_SIGNATURES:
        if data.startswith(signature):
            return content_type
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    raise _field_error("photo_type", "photo", _("Attach a photo in JPEG, PNG or WebP format."))


def access_key_new() -> str:
    return "".join(secrets.choice(KEY_ALPHABET) for _ in range(KEY_LENGTH))


def access_key_clean(raw: str) -> str:
    return "".join(ch for ch in raw.upper() if ch.isalnum())


def access_key_display(key: str) -> str:
    return f"{key[:5]}-{key[5:]}"


def _key_hash(complaint_number: str, key: str) -> str:
    return personal_data.keyed_hash(f"complaint:{complaint_number}:{key}")


def complaint_due_on(office: Office, filed_on: date) -> date:
    """The GILIRAN_COMPLAINT_SLA_DAYS-th working day after `filed_on` (the office's local
    date): Monday to Friday, skipping national holidays, cuti bersama and the office's
    own closures."""
    days = settings.GILIRAN_COMPLAINT_SLA_DAYS
    # Generous window: a year has far fewer closed weekdays than this allows for.
    last = filed_on + timedelta(days=days * 2 + 60)
    closed = {closed_day.day for closed_day in closed_days(office, filed_on, last)}
    day, counted = filed_on, 0
    while counted < days:
        day += timedelta(days=1)
        if day.weekday() < 5 and day not in closed:
            counted += 1
    return day


def complaint_number_next(year: int) -> str:
    """The next tracking number of `year`. Call inside a transaction: the year's counter
    row is created if missing (a conflict-ignoring INSERT, so two first intakes of a
    year do not collide) and then locked with SELECT FOR UPDATE until commit, so
    concurrent intakes take consecutive, distinct numbers."""
    ComplaintCounter.objects.bulk_create([ComplaintCounter(year=year)], ignore_conflicts=True)
    counter = ComplaintCounter.objects.select_for_update().get(year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"ADU-{year}-{counter.last:05d}"


def complaint_file(*, intake: Intake, now: datetime | None = None) -> Filed:
    """Check the intake, then in one transaction: number, row, event and the citizen's
    confirmation message (with the access key, sent once). Nothing is written if any
    check fails."""
    now = now or timezone.now()
    office = _office(intake.office_code)
    category = _category(intake.category)
    text = complaint_text_clean(intake.text)
    channel, address = contact_clean(intake.contact, channel=intake.channel)
    photo_type = photo_clean(intake.photo)
    language = intake.language if intake.language in ("id", "en") else "id"
    key = access_key_new()
    filed_on = office.local_date(now)
    with transaction.atomic():
        number = complaint_number_next(filed_on.year)
        complaint = Complaint.objects.create(
            number=number,
            office=office,
            category=category,
            pungli=intake.pungli or category == ComplaintCategory.PUNGLI,
            text=text,
            language=language,
            channel=channel,
            contact_encrypted=personal_data.encrypt(address) if address else "",
            contact_hash=personal_data.keyed_hash(address) if address else "",
            access_key_hash=_key_hash(number, key),
            filed_at=now,
            due_on=complaint_due_on(office, filed_on),
        )
        if photo_type is not None and intake.photo:
            ComplaintPhoto.objects.create(
                complaint=complaint, content_type=photo_type, data=intake.photo
            )
        ComplaintEvent.objects.create(complaint=complaint, kind=EventKind.FILED, at=now)
        _tell(complaint, ComplaintMessageKind.RECEIVED, extra={"code": access_key_display(key)})
    return Filed(complaint, key)


# --- What the citizen is told -----------------------------------------------------------


def _tell(
    complaint: Complaint, kind: ComplaintMessageKind, extra: dict[str, str] | None = None
) -> None:
    """Queue the message about this change, once (its deduplication key names the
    complaint and the kind). No contact, no message."""
    if complaint.channel == ContactChannel.NONE or not complaint.contact_encrypted:
        return
    address = personal_data.decrypt(complaint.contact_encrypted)
    with translation.override(complaint.language):
        context = {
            "number": complaint.number,
            "office": complaint.office.name,
            "due": date_format(complaint.due_on, "l, j F Y"),
            **(extra or {}),
        }
        message_queue(
            kind=kind,
            dedup_key=f"complaint:{complaint.pk}:{kind.value}",
            recipient=Recipient(
                channel=complaint.channel, address=address, language=complaint.language
            ),
            context=context,
            # A pungli report is not the office's business: its messages stay out of the
            # office's message log.
            office=None if complaint.pungli else complaint.office,
            subject=complaint,
        )


# --- Staff ------------------------------------------------------------------------------


def may_handle(user: AnyUser, complaint: Complaint) -> bool:
    """Pungli reports: the office's integrity officers (and national administrators).
    Others: the office's supervisors and administrators. Clerks handle none."""
    if complaint.pungli:
        return integrity_offices_for(user).filter(pk=complaint.office_id).exists()
    return has_office_role(user, complaint.office_id, at_least=Role.SUPERVISOR)


def _require(user: AnyUser, complaint: Complaint) -> None:
    if not may_handle(user, complaint):
        raise PermissionDenied(_("You do not have access to this complaint."))


def _not_now() -> ApplicationError:
    return ApplicationError(
        "complaint_status_changed",
        _("This complaint has already moved on. Reload the page to see its status."),
        status_code=409,
    )


# Which statuses each step starts from.
_STEP_FROM = {
    ComplaintStatus.IN_PROGRESS: [ComplaintStatus.RECEIVED],
    ComplaintStatus.ANSWERED: [ComplaintStatus.RECEIVED, ComplaintStatus.IN_PROGRESS],
    ComplaintStatus.CLOSED: [ComplaintStatus.ANSWERED],
}
_STEP_EVENT = {
    ComplaintStatus.IN_PROGRESS: (EventKind.TAKEN, ComplaintMessageKind.IN_PROGRESS),
    ComplaintStatus.ANSWERED: (EventKind.ANSWERED, ComplaintMessageKind.ANSWERED),
    ComplaintStatus.CLOSED: (EventKind.CLOSED, ComplaintMessageKind.CLOSED),
}


def _step(
    *, complaint: Complaint, to: ComplaintStatus, by: AnyUser, now: datetime, **changes: object
) -> Complaint:
    """Move `complaint` to `to` with one conditional UPDATE (WHERE status is one it may
    come from), then write the event and queue the message. A step from any other
    status, or one that another request made first, changes nothing (409)."""
    _require(by, complaint)
    before = copy.copy(complaint)
    with transaction.atomic():
        moved = Complaint.objects.filter(
            pk=complaint.pk, status__in=_STEP_FROM[to], anonymised_at__isnull=True
        ).update(status=to, **changes)
        if not moved:
            raise _not_now()
        complaint.refresh_from_db()
        record_update(before, complaint)  # the audit log, as save() would have
        event, kind = _STEP_EVENT[to]
        ComplaintEvent.objects.create(complaint=complaint, kind=event, at=now, staff_id=by.pk)
        extra = {"answer": complaint.answer} if to == ComplaintStatus.ANSWERED else None
        _tell(complaint, kind, extra=extra)
    return complaint


def complaint_take(*, complaint: Complaint, by: AnyUser, now: datetime | None = None) -> Complaint:
    """received → in_progress, with `by` as the one handling it."""
    return _step(
        complaint=complaint,
        to=ComplaintStatus.IN_PROGRESS,
        by=by,
        now=now or timezone.now(),
        assignee_id=by.pk,
    )


def complaint_answer_clean(raw: str) -> str:
    text = raw.replace("\r\n", "\n").strip()
    if not text:
        raise _field_error("answer_empty", "answer", _("Write the answer the citizen will read."))
    if len(text) > ANSWER_MAX_LENGTH:
        message = _("Keep the answer within %(count)d characters.") % {"count": ANSWER_MAX_LENGTH}
        raise _field_error("answer_too_long", "answer", message)
    return text


def complaint_answer(
    *, complaint: Complaint, by: AnyUser, answer: str, now: datetime | None = None
) -> Complaint:
    """received or in_progress → answered, with the answer as the staff member typed it
    (sent to the citizen in full)."""
    now = now or timezone.now()
    text = complaint_answer_clean(answer)
    return _step(
        complaint=complaint,
        to=ComplaintStatus.ANSWERED,
        by=by,
        now=now,
        answer=text,
        answered_at=now,
        assignee_id=complaint.assignee_id or by.pk,
    )


def complaint_close(*, complaint: Complaint, by: AnyUser, now: datetime | None = None) -> Complaint:
    """answered → closed."""
    now = now or timezone.now()
    return _step(complaint=complaint, to=ComplaintStatus.CLOSED, by=by, now=now, closed_at=now)


# --- The citizen's status look-up ---------------------------------------------------------


def complaint_find(*, number: str, access_key: str) -> Complaint | None:
    """The complaint, if `access_key` is its key. None for an unknown number, a wrong key
    and a number locked after GILIRAN_COMPLAINT_LOOKUP_ATTEMPTS wrong keys alike, so the
    answer says nothing about whether a number exists. A wrong key is counted by a
    conditional UPDATE before the comparison's outcome is used."""
    clean_number = number.strip().upper()
    key = access_key_clean(access_key)
    complaint = (
        Complaint.objects.select_related("office").filter(number=clean_number).first()
        if clean_number
        else None
    )
    if complaint is None or complaint.lookup_failures >= settings.GILIRAN_COMPLAINT_LOOKUP_ATTEMPTS:
        return None
    if hmac.compare_digest(complaint.access_key_hash, _key_hash(complaint.number, key)):
        return complaint
    Complaint.objects.filter(pk=complaint.pk).update(lookup_failures=F("lookup_failures") + 1)
    return None


def complaint_lookup_failed() -> ApplicationError:
    message = _(
        "No complaint matches this tracking number and access key. Check both and try again."
    )
    return ApplicationError("complaint_not_found", message, status_code=404)


def contact_of(complaint: Complaint) -> str:
    """The decrypted contact, for the staff detail page (masked there)."""
    if not complaint.contact_encrypted:
        return ""
    return personal_data.decrypt(complaint.contact_encrypted)


# --- The edges' entry points: abuse limits first, then the service ------------------------


def complaint_file_limited(
    *, request: HttpRequest, intake: Intake, challenge_token: str = "", challenge_solution: str = ""
) -> Filed:
    """Intake from an anonymous page or API call: the challenge beyond the soft
    per-address limit, the hard per-address limit (GILIRAN_RATE_COMPLAINT_PER_IP), then
    `complaint_file`. The limits count in the cache, before any transaction."""
    challenge_gate(request, token=challenge_token, solution=challenge_solution)
    rate_limit(
        request,
        group="complaint-ip",
        key=client_ip(request),
        rate=settings.GILIRAN_RATE_COMPLAINT_PER_IP,
    )
    return complaint_file(intake=intake)


def complaint_lookup(*, request: HttpRequest, number: str, access_key: str) -> Complaint:
    """The citizen's complaint for a tracking number and its access key, within the
    per-address look-up limit shared with booking look-ups; one answer (404) for every
    failure."""
    rate_limit(
        request, group="lookup-ip", key=client_ip(request), rate=settings.GILIRAN_RATE_LOOKUP_PER_IP
    )
    complaint = complaint_find(number=number, access_key=access_key)
    if complaint is None:
        raise complaint_lookup_failed()
    return complaint
