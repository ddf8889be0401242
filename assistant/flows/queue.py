"""The queue by chat: take a same-day number from afar where the office allows it
(`take_number`), follow a ticket (`queue_position`) and rate the visit (`survey`), all
through the services the phone page and the API use (queueing/services/issue.py,
queueing/selectors.py).

What a citizen may learn about a ticket is what the web shows them: the live ticket page
needs the ticket's secret link, so the chat answers only for the number taken in this
conversation (its id kept in `said.state["ticket"]`) or for the ticket of a checked-in
booking, proved by its code and the last 4 digits of the NIK (booking_find, with its
lock after wrong guesses). A number alone, public on the waiting-room board, says
nothing here. See docs/assistant.md, "Queue and complaints by chat"."""

from __future__ import annotations

import re
from datetime import timedelta

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from assistant.turns import (
    Action,
    Answer,
    Said,
    Suggestion,
    on_flow,
    on_intent,
    skill_for_intent,
)
from booking.services.flows import booking_lookup_for_chat
from core.contacts import normalize_phone
from core.errors import ApplicationError
from core.ratelimit import rate_limit
from core.timezones import format_local_time
from offices.models import Office, OfficeService
from queueing.models import ServiceRating, Ticket, TicketSource, TicketStatus
from queueing.selectors import ticket_outlook
from queueing.services.issue import ticket_issue, walk_in_closed_message, walk_in_service_ended

# Channels whose address is the citizen's mobile number: the number taken there gets
# the queue's messages (by SMS, as a number left on the phone page does).
PHONE_CHANNELS = ("whatsapp", "sms")
_LAST4 = re.compile(r"(?<!\d)(\d{4})(?!\d)")


# --- Which office, which ticket -------------------------------------------------------------


def _office_known(said: Said) -> Office | None:
    if said.entities.offices:
        return said.entities.offices[0].office
    code = said.state.get("office")
    if code:
        return Office.objects.filter(code=code, is_active=True).first()
    return said.conversation.office


def _ask_office(said: Said, flow: str) -> Answer:
    said.flow_start(flow, "office")
    offices = Office.objects.filter(is_active=True).order_by("name")[:4]
    return Answer(
        _("Which office? Write its name or town."),
        suggestions=[Suggestion(office.name, office.name) for office in offices],
    )


def _site(path: str) -> str:
    return settings.GILIRAN_SITE_URL + path


def _live_url(ticket: Ticket) -> str:
    return _site(reverse("ticket-live", kwargs={"token": ticket.public_token}))


def _chat_ticket(said: Said) -> Ticket | None:
    """The ticket taken in this conversation, if any."""
    ticket_id = said.state.get("ticket")
    if not isinstance(ticket_id, int):
        return None
    return (
        Ticket.objects.select_related("office", "office_service__service", "counter")
        .filter(pk=ticket_id)
        .first()
    )


# --- take_number -------------------------------------------------------------------------


def _remote_services(office: Office) -> list[OfficeService]:
    """What the phone page offers: walk-in services open to numbers from afar."""
    return list(
        OfficeService.objects.filter(
            office=office,
            is_active=True,
            service__is_active=True,
            service__accepts_walk_ins=True,
            remote_walk_in=True,
        )
        .select_related("service", "office")
        .order_by("ticket_letter")
    )


def _chosen(said: Said, services: list[OfficeService]) -> OfficeService | None:
    wanted = {match.service.pk for match in said.entities.services}
    for office_service in services:
        if office_service.service_id in wanted:
            return office_service
    words = said.text.strip().lower()
    for office_service in services:
        if words in (office_service.service.name.lower(), office_service.ticket_letter.lower()):
            return office_service
    return None


def _for_office(said: Said, office: Office) -> Answer:
    """The office is known: refuse as the phone page would (closed, nothing offered from
    afar), else ask which service, or issue straight away if the citizen named one."""
    said.state["office"] = office.code
    closed = walk_in_closed_message(office, said.now)
    if closed is not None:
        said.flow_end()
        return Answer(closed)
    services = _remote_services(office)
    if not services:
        said.flow_end()
        return Answer(
            _(
                "%(office)s gives no numbers from afar. Take a number at the kiosk when "
                "you arrive, or book a visit."
            )
            % {"office": office.name}
        )
    chosen = _chosen(said, services) or (services[0] if len(services) == 1 else None)
    if chosen is not None:
        return _issue(said, chosen)
    said.flow_start("take_number", "service", office=office.code)
    return Answer(
        _("Which service at %(office)s is the number for?") % {"office": office.name},
        suggestions=[
            Suggestion(s.service.name, s.service.name)
            for s in services
            if walk_in_service_ended(s, said.now) is None
        ][:6],
    )


def _issue(said: Said, office_service: OfficeService) -> Answer:
    rate_limit(
        None,
        group="remote-ticket-chat",
        key=said.limit_key,
        rate=settings.GILIRAN_RATE_HOLD_PER_IP,
    )
    phone = ""
    if said.channel in PHONE_CHANNELS and said.address:
        try:
            phone = normalize_phone(said.address)
        except ApplicationError:
            phone = ""  # not a mobile number: no queue messages, as with no phone
    try:
        ticket = ticket_issue(
            office_service=office_service,
            source=TicketSource.REMOTE,
            now=said.now,
            contact_phone=phone,
            language=said.language,
        )
    except ApplicationError:
        said.flow_end()
        raise  # the service's own words (closed, walk-ins ended, quota full) are the reply
    said.flow_end()
    said.state["office"] = office_service.office.code
    said.state["ticket"] = ticket.pk
    return Answer(
        _("Your number at %(office)s for %(service)s is %(number)s.")
        % {
            "office": office_service.office.name,
            "service": office_service.service.name,
            "number": ticket.display_number,
        }
        + " "
        + _position_text(said, ticket)
        + " "
        + _("Follow it live: %(url)s") % {"url": _live_url(ticket)},
        suggestions=[Suggestion(_("My queue number"), _("Where is my queue number?"))],
        actions=[Action("ticket_issued", ticket.display_number)],
    )


@on_intent("take_number")
def take_number(said: Said) -> Answer:
    office = _office_known(said)
    if office is None:
        return _ask_office(said, "take_number")
    return _for_office(said, office)


@on_flow("take_number")
def take_number_step(said: Said) -> Answer:
    if said.state.get("step") == "office":
        office = said.entities.offices[0].office if said.entities.offices else None
        if office is None:
            return Answer(
                _('I could not find that office. Write its name or town, e.g. "Bandung".')
            )
        return _for_office(said, office)
    office = Office.objects.filter(code=said.state.get("office"), is_active=True).first()
    if office is None:
        said.flow_end()
        return Answer(_("Sorry, that office is no longer available. Which office?"))
    services = _remote_services(office)
    chosen = _chosen(said, services)
    if chosen is None:
        return Answer(
            _("Choose one of the services below, or write its name."),
            suggestions=[Suggestion(s.service.name, s.service.name) for s in services][:6],
        )
    return _issue(said, chosen)


# --- queue_position ----------------------------------------------------------------------


def _position_text(said: Said, ticket: Ticket) -> str:
    """Where the ticket stands, as the live page says it, times in the office's zone."""
    number = ticket.display_number
    if ticket.status == TicketStatus.WAITING:
        outlook = ticket_outlook(ticket, said.now)
        ahead = outlook.ahead or 0
        text = _("%(number)s: %(ahead)d people ahead of you.") % {
            "number": number,
            "ahead": ahead,
        }
        if outlook.estimate is not None:
            low = said.now + timedelta(minutes=outlook.estimate.low_minutes)
            high = said.now + timedelta(minutes=outlook.estimate.high_minutes)
            zone = ticket.office.timezone
            text += " " + _("Expected between %(low)s and %(high)s.") % {
                "low": format_local_time(low, zone),
                "high": format_local_time(high, zone),
            }
        else:
            text += " " + _("No counter is serving this service right now, so I cannot estimate.")
        return text
    if ticket.status in (TicketStatus.CALLED, TicketStatus.SERVING) and ticket.counter:
        return _("%(number)s has been called to counter %(counter)d.") % {
            "number": number,
            "counter": ticket.counter.number,
        }
    if ticket.status == TicketStatus.PARKED:
        return _("%(number)s is set aside; the counter will call it again.") % {"number": number}
    if ticket.status == TicketStatus.FINISHED:
        return _("%(number)s has been served.") % {"number": number}
    return _("%(number)s is no longer in the queue (%(status)s).") % {
        "number": number,
        "status": ticket.get_status_display(),
    }


def _booking_ticket(said: Said) -> Ticket | str | None:
    """The ticket of the booking whose code and last 4 NIK digits the message gives:
    None when the message has no such proof, "" when the proof fails or the booking has
    no ticket (one answer for both)."""
    if not said.entities.booking_codes:
        return None
    code = said.entities.booking_codes[0]
    rest = said.text.upper().replace(code, " ")
    last4 = _LAST4.search(rest)
    if last4 is None:
        return None
    said.private_input = True  # a booking's proof is never stored
    booking = booking_lookup_for_chat(
        limit_key=said.limit_key, code=code, secret=last4[1], now=said.now
    )
    if booking is None:
        return ""
    ticket = (
        Ticket.objects.select_related("office", "office_service__service", "counter")
        .filter(booking=booking)
        .first()
    )
    return ticket or ""


def _ask_proof(said: Said) -> Answer:
    said.flow_start("queue_position", "proof")
    return Answer(
        _(
            "To keep numbers private I can follow the number taken in this chat, or the "
            "number of a checked-in booking: send its booking code and the last 4 digits "
            "of the NIK, e.g. K7Q2MZ9D 0001. You can also open the link on your ticket."
        )
    )


def _position(said: Said) -> Answer:
    found = _booking_ticket(said)
    if found == "":
        said.flow_end()
        return Answer(
            _(
                "I found no checked-in number for that booking code and those NIK digits. "
                "Check both; a booking gets its number when it is checked in at the office."
            )
        )
    if isinstance(found, Ticket):
        said.flow_end()
        return Answer(_position_text(said, found))
    ticket = _chat_ticket(said)
    named = said.entities.tickets
    if ticket is not None and (not named or ticket.display_number in named):
        said.flow_end()
        return Answer(_position_text(said, ticket))
    return _ask_proof(said)


@on_intent("queue_position")
def queue_position(said: Said) -> Answer:
    return _position(said)


@on_flow("queue_position")
def queue_position_step(said: Said) -> Answer:
    if _booking_ticket_given(said):
        return _position(said)
    said.flow_end()
    other = skill_for_intent(said.intent)
    sure = said.confidence >= settings.GILIRAN_ASSISTANT_MIN_CONFIDENCE
    if other is not None and sure and said.intent != "queue_position":
        return other(said)  # not a proof but another question: answer that
    return Answer(_("I did not find a booking code and 4 NIK digits there."))


def _booking_ticket_given(said: Said) -> bool:
    return bool(said.entities.booking_codes) and bool(
        _LAST4.search(said.text.upper().replace(said.entities.booking_codes[0], " "))
    )


# --- survey ------------------------------------------------------------------------------


@on_intent("survey")
def survey(said: Said) -> Answer:
    ticket = _chat_ticket(said)
    if ticket is None:
        return Answer(
            _(
                "After your visit Giliran sends a link to rate it (one question, 1 to 5), "
                "and the page of your ticket shows it too. Open the link on your ticket or "
                "in the message you received."
            )
        )
    if ticket.status != TicketStatus.FINISHED:
        return Answer(_("You can rate a visit once it is finished."))
    if ServiceRating.objects.filter(ticket=ticket).exists():
        return Answer(_("Thank you, this visit has already been rated."))
    link = _site(reverse("ticket-survey", kwargs={"token": ticket.public_token}))
    return Answer(
        _("How was the service for %(number)s? Rate it here: %(url)s")
        % {"number": ticket.display_number, "url": link}
    )
