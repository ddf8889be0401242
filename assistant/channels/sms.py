"""SMS: the keyword fallback for citizens without a smartphone, `POST /webhooks/sms/`.

The SMS gateway posts each message it receives, the mirror of the outbound contract
(notifications/channels.py): `{"id", "from", "text"}` with `Authorization: Bearer
<GILIRAN_SMS_INBOUND_TOKEN>`; anything else is 403 before the body is read. The gateway's
id is the replay key. SMS does not go through the chat assistant (a conversation by SMS
costs the citizen per message and the model cannot be steered in 160 characters): it
understands keywords only, and answers anything else with a short help text.

    ANTRE <kode> / QUEUE <code>   the queue number and how many are ahead, today
    STATUS <kode>                 the booking's status, service, office and time
    BANTUAN / HELP (or anything)  the keywords

The proof of a claim to a booking is that the SMS comes from the number the booking was
made with (`booking_find`, which also counts wrong guesses and locks a code after too
many); otherwise the answer gives no detail. Indonesian keywords answer in Indonesian,
English ones in English, STATUS and the rest in the conversation's language. The message
and its reply go through `message_receive` like any channel's (replay, limit, masked
turns, the reply queued in the outbox in the same transaction), which reads an SMS by
its keywords (`channel_reader_register`) instead of the model."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from assistant.channels.common import (
    assistant_receive,
    body_of,
    json_of,
    phone_of,
    secret_matches,
)
from assistant.conversation import (
    ChannelReader,
    Inbound,
    channel_reader_register,
)
from assistant.models import Channel
from assistant.turns import Answer, Said
from booking.models import Booking, BookingStatus
from booking.services.booking import booking_find
from core.errors import ApplicationError
from queueing.models import Ticket, TicketStatus
from queueing.selectors import ticket_outlook

# Three SMS segments: a longer message is no keyword anyway.
MAX_SMS_CHARS = 480
# keyword → (what it asks, the language it is in; None: the conversation's).
KEYWORDS: dict[str, tuple[str, str | None]] = {
    "ANTRE": ("queue", "id"),
    "ANTRI": ("queue", "id"),
    "QUEUE": ("queue", "en"),
    "STATUS": ("status", None),
    "BANTUAN": ("help", "id"),
    "HELP": ("help", "en"),
}
INTENT_OF = {"queue": "queue_position", "status": "book_status", "help": "out_of_scope"}


def sms_keyword(text: str) -> tuple[str, str, str | None]:
    """(what is asked: queue/status/help, the booking code or "", its language)."""
    words = text.split()
    asked, language = KEYWORDS.get(words[0].upper(), ("help", None)) if words else ("help", None)
    code = "".join(words[1:]).upper() if asked != "help" else ""
    if asked != "help" and not code:
        asked = "help"
    return asked, code[:12], language


def _help() -> str:
    return _(
        "Giliran SMS: send QUEUE <booking code> for your queue number, or STATUS <booking "
        "code> for your booking."
    )


def _booking(code: str, phone: str) -> Booking | None:
    """The booking `code` if it was made with `phone`; a hold is nobody's booking yet."""
    booking = booking_find(code=code, secret=phone)
    if booking is None or booking.status in (BookingStatus.HELD, BookingStatus.EXPIRED):
        return None
    return booking


def _when(booking: Booking) -> str:
    office = booking.slot.office_service.office
    starts = timezone.localtime(booking.slot.starts_at, office.zone)
    return f"{starts:%d-%m-%Y %H:%M} {office.zone_abbreviation}"


def _status(booking: Booking) -> str:
    return _("Booking %(code)s: %(status)s. %(service)s at %(office)s, %(when)s.") % {
        "code": booking.code,
        "status": booking.get_status_display(),
        "service": booking.service.name,
        "office": booking.slot.office_service.office.name,
        "when": _when(booking),
    }


def _queue(booking: Booking, now: datetime) -> str:
    office = booking.slot.office_service.office
    today = timezone.localtime(now, office.zone).date()
    ticket = Ticket.objects.filter(booking=booking, local_date=today).first()
    if ticket is None:
        if booking.status != BookingStatus.CONFIRMED:
            return _status(booking)
        return _(
            "Booking %(code)s has no queue number yet. Check in at the office's kiosk or "
            "counter when you arrive (%(when)s) to get one."
        ) % {"code": booking.code, "when": _when(booking)}
    if ticket.status == TicketStatus.WAITING:
        outlook = ticket_outlook(ticket, now)
        return _("Your queue number is %(number)s; %(ahead)s people ahead of you.") % {
            "number": ticket.display_number,
            "ahead": outlook.ahead or 0,
        }
    if ticket.status == TicketStatus.CALLED and ticket.counter is not None:
        return _("Your number %(number)s is being called: go to counter %(counter)s.") % {
            "number": ticket.display_number,
            "counter": ticket.counter.number,
        }
    return _("Your queue number %(number)s: %(status)s.") % {
        "number": ticket.display_number,
        "status": ticket.get_status_display(),
    }


def sms_answer(asked: str, code: str, *, phone: str, now: datetime) -> str:
    """The reply to a keyword, in the active language."""
    if asked == "help":
        return _help()
    try:
        booking = _booking(code, phone)
    except ApplicationError as refusal:  # the code is locked after wrong guesses
        return str(refusal.message)
    if booking is None:
        return _(
            "No booking %(code)s was made with this number. Check the code, or send "
            "STATUS <code> from the number you booked with."
        ) % {"code": code}
    return _queue(booking, now) if asked == "queue" else _status(booking)


def _read(text: str) -> tuple[str, str | None]:
    asked, _code, language = sms_keyword(text)
    return INTENT_OF[asked], language


def _answer(said: Said) -> Answer:
    asked, code, _language = sms_keyword(said.text[:MAX_SMS_CHARS])
    return Answer(sms_answer(asked, code, phone=said.address, now=said.now))


# SMS is answered through the one conversation service, by its keywords instead of the
# model: the receipt, the limit, the masked turns and the outbox are message_receive's.
channel_reader_register(Channel.SMS, ChannelReader(guess=_read, skill=_answer))


@csrf_exempt
@require_POST
def sms_webhook(request: HttpRequest) -> HttpResponse:
    authorization = request.headers.get("Authorization", "")
    token = authorization.removeprefix("Bearer ") if authorization.startswith("Bearer ") else ""
    if not secret_matches(token, settings.GILIRAN_SMS_INBOUND_TOKEN):
        return HttpResponse(status=403)
    body = body_of(request)
    message = json_of(body) if body is not None else None
    if (
        not isinstance(message, dict)
        or not all(isinstance(message.get(key), str) and message[key] for key in ("id", "from"))
        or not isinstance(message.get("text"), str)
    ):
        return JsonResponse({"error": 'expected {"id", "from", "text"}'}, status=400)
    phone = phone_of(message["from"])
    if phone is None:
        return JsonResponse({"error": '"from" is no phone number'}, status=400)
    inbound = Inbound(
        channel=Channel.SMS, text=message["text"], user=phone, external_id=message["id"]
    )
    reply = assistant_receive(inbound)
    return JsonResponse({"id": message["id"], "answered": reply is not None})
