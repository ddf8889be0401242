"""Proving who you are before seeing your personal data: the NIK plus a one-time code
sent to a phone or email Giliran already holds for that NIK.

The code reuses the booking machinery: a `booking.VerificationCode` row (only its keyed
hash stored, attempts counted by a conditional UPDATE) on the citizen's latest booking
made with that contact, and an outbox message of kind `privacy_code`. Its hash covers
a `privacy:` prefix, so it can never confirm a hold, and holds are never used as anchors.

The answer is the same whether or not the NIK and contact are known: a proof is issued
either way (an encrypted reference that says nothing), the lookup and the sending happen
afterwards in a Celery task, and checking a code against an unknown proof fails exactly
like a wrong code."""

from __future__ import annotations

import contextlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cryptography.fernet import InvalidToken
from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from booking.models import Booking, BookingStatus, Channel, VerificationCode
from booking.one_time_codes import one_time_code_clean, one_time_code_new
from core import personal_data
from core.contacts import normalize_email, normalize_phone
from core.errors import ApplicationError
from core.message_budget import message_budget_spend
from core.nik import normalize_nik
from notifications.services.outbox import Recipient, message_queue
from privacy.messages import PrivacyMessageKind

GRANT_SALT = "giliran.privacy.grant"


@dataclass(frozen=True)
class Contact:
    channel: str
    address: str


def contact_clean(raw: str) -> Contact:
    """A phone number or an email address, normalised; the field is called `contact`."""
    text = raw.strip()
    if not text:
        message = _("Enter the mobile number or email address you used with Giliran.")
        raise ApplicationError("invalid_contact", message, fields={"contact": [message]})
    try:
        if "@" in text:
            return Contact(Channel.EMAIL, normalize_email(text))
        return Contact(Channel.SMS, normalize_phone(text))
    except ApplicationError as error:
        messages = [m for msgs in error.fields.values() for m in msgs]
        raise ApplicationError(error.code, error.message, fields={"contact": messages}) from None


def _anchor(nik_hash: str, contact: Contact) -> Booking | None:
    """The citizen's latest booking made with this contact that was confirmed at some
    point (confirmed, attended, missed, or cancelled after confirming). Never a hold,
    live or expired: anyone can hold a place with someone else's NIK and their own
    phone, but confirming needs the code sent to that phone, and a live hold's own
    confirmation code must stay the latest one."""
    bookings = Booking.objects.filter(
        nik_hash=nik_hash, anonymised_at__isnull=True, confirmed_at__isnull=False
    ).exclude(status__in=[BookingStatus.HELD, BookingStatus.EXPIRED])
    if contact.channel == Channel.EMAIL:
        bookings = bookings.filter(email=contact.address)
    else:
        bookings = bookings.filter(phone=contact.address)
    return bookings.select_related("slot__office_service__office").order_by("-pk").first()


def _code_hash(booking_id: int, code: str) -> str:
    return personal_data.keyed_hash(f"privacy:{booking_id}:{''.join(code.split())}")


@dataclass(frozen=True)
class Proof:
    nonce: str
    issued_at: datetime
    contact: Contact


def proof_encode(nonce: str, issued_at: datetime, contact: Contact) -> str:
    """An opaque, encrypted reference: it does not tell whether a code was sent. It
    carries the contact, where the answers to the citizen's requests will go."""
    payload = {
        "p": nonce,
        "t": int(issued_at.timestamp()),
        "c": [contact.channel, contact.address],
    }
    return personal_data.encrypt(json.dumps(payload))


def proof_decode(proof: str) -> Proof | None:
    try:
        payload = json.loads(personal_data.decrypt(proof))
        channel, address = payload["c"]
        return Proof(
            str(payload["p"]),
            datetime.fromtimestamp(int(payload["t"]), tz=UTC),
            Contact(str(channel), str(address)),
        )
    except (InvalidToken, ValueError, KeyError, TypeError):
        return None


def _proof_key(nonce: str) -> str:
    """Where the code sent for a proof is found (the cache holds no secret: a keyed
    hash of the proof's random nonce, and a row id)."""
    return f"privacy-proof:{personal_data.keyed_hash(nonce)}"


def identity_proof_start(
    *, nik: str, contact: str, language: str = "id", now: datetime | None = None
) -> str:
    """Ask for a code for this NIK and contact. Returns a proof reference in every case;
    the caller says "if the details match, a code was sent".

    The same work whether or not the details are known: check them, and send a task
    when the transaction commits. The task (`identity_proof_send`) looks for a booking,
    makes the code and queues the message, so neither the answer nor its time tells
    whether the NIK and contact are known. The task gets the keyed NIK hash and the
    contact encrypted, never the NIK."""
    now = now or timezone.now()
    clean_nik = normalize_nik(nik)
    clean_contact = contact_clean(contact)
    nonce = secrets.token_urlsafe(16)
    task_args = {
        "nik_hash": personal_data.keyed_hash(clean_nik),
        "contact": personal_data.encrypt(
            json.dumps([clean_contact.channel, clean_contact.address])
        ),
        "language": language,
        "proof_key": _proof_key(nonce),
    }
    transaction.on_commit(lambda: _send_soon(task_args), robust=True)
    return proof_encode(nonce, now, clean_contact)


def _send_soon(task_args: dict[str, str]) -> None:
    from privacy.tasks import identity_proof_send_task

    identity_proof_send_task.delay(**task_args)


def identity_proof_send(
    *,
    nik_hash: str,
    contact: Contact,
    language: str,
    proof_key: str,
    now: datetime | None = None,
) -> bool:
    """Send a code if this NIK has a (once confirmed) booking made with this contact and
    the hour's message budget allows; remember which code the proof stands for. Returns
    whether a code was sent (nobody is told)."""
    now = now or timezone.now()
    anchor = _anchor(nik_hash, contact)
    if anchor is None:
        return False
    channel = contact.channel
    if channel != Channel.EMAIL:
        channel = (
            anchor.channel if anchor.channel in (Channel.SMS, Channel.WHATSAPP) else Channel.SMS
        )
    code = one_time_code_new()
    with transaction.atomic():
        try:
            # The hour's SMS/WhatsApp budget, as for booking codes. Spent: no code, and
            # the same answer as for unknown details.
            message_budget_spend(channel=channel, phone=contact.address, now=now)
        except ApplicationError:
            return False
        record = VerificationCode.objects.create(
            booking=anchor,
            code_hash=_code_hash(anchor.pk, code),
            channel=channel,
            expires_at=now + timedelta(minutes=settings.GILIRAN_CODE_MINUTES),
        )
        with translation.override(language):
            message_queue(
                kind=PrivacyMessageKind.PRIVACY_CODE,
                dedup_key=f"privacy:code:{record.pk}",
                recipient=Recipient(channel=channel, address=contact.address, language=language),
                context={
                    "code": code,
                    "reference": anchor.code,
                    "minutes": settings.GILIRAN_CODE_MINUTES,
                },
                office=anchor.slot.office_service.office,
                subject=anchor,
                stale_after=record.expires_at,
            )
    cache.set(proof_key, record.pk, timeout=settings.GILIRAN_CODE_MINUTES * 60)
    return True


def _wrong_code() -> ApplicationError:
    message = _("That code is not right, or it has expired. Check it or ask for a new one.")
    return ApplicationError("wrong_code", message, fields={"code": [message]})


def identity_proof_verify(*, proof: str, code: str, now: datetime | None = None) -> Grant:
    """What the code proves (keyed NIK hash and the contact), or ApplicationError. A
    proof for unknown details fails like a wrong code; attempts are counted first."""
    now = now or timezone.now()
    code = one_time_code_clean(code)  # before an attempt is counted
    decoded = proof_decode(proof)
    if decoded is None:
        raise _wrong_code()
    if now - decoded.issued_at > timedelta(minutes=settings.GILIRAN_CODE_MINUTES):
        raise ApplicationError(
            "code_expired", _("This code has expired. Ask for a new one."), status_code=410
        )
    proof_id = cache.get(_proof_key(decoded.nonce))
    record = (
        VerificationCode.objects.select_related("booking").filter(pk=proof_id).first()
        if isinstance(proof_id, int)
        else None
    )
    if record is None or record.used_at is not None or record.expires_at <= now:
        raise _wrong_code()
    counted = VerificationCode.objects.filter(
        pk=record.pk, used_at__isnull=True, attempts__lt=settings.GILIRAN_CODE_ATTEMPTS
    ).update(attempts=F("attempts") + 1)
    if not counted:
        raise _wrong_code()
    if not hmac.compare_digest(record.code_hash, _code_hash(record.booking_id, code)):
        raise _wrong_code()
    if not VerificationCode.objects.filter(pk=record.pk, used_at__isnull=True).update(used_at=now):
        raise _wrong_code()
    return Grant(record.booking.nik_hash, decoded.contact)


# --- The grant: what proving yourself gives, for GILIRAN_PRIVACY_GRANT_MINUTES ---------


@dataclass(frozen=True)
class Grant:
    nik_hash: str
    contact: Contact


def grant_token(grant: Grant) -> str:
    """Kept in the session, or given to API clients for `Authorization: Bearer …`
    (never in a URL). Signed and expiring; the contact inside is encrypted."""
    contact = personal_data.encrypt(json.dumps([grant.contact.channel, grant.contact.address]))
    return signing.dumps({"h": grant.nik_hash, "c": contact}, salt=GRANT_SALT)


def grant_read(token: str) -> Grant | None:
    """The grant, if the token is genuine and younger than GILIRAN_PRIVACY_GRANT_MINUTES."""
    with contextlib.suppress(signing.BadSignature, InvalidToken, ValueError, KeyError, TypeError):
        value = signing.loads(
            token, salt=GRANT_SALT, max_age=settings.GILIRAN_PRIVACY_GRANT_MINUTES * 60
        )
        channel, address = json.loads(personal_data.decrypt(value["c"]))
        return Grant(str(value["h"]), Contact(str(channel), str(address)))
    return None


def grant_expires_at(now: datetime | None = None) -> datetime:
    return (now or timezone.now()) + timedelta(minutes=settings.GILIRAN_PRIVACY_GRANT_MINUTES)
