"""Booking by chat: book, reschedule, cancel and look up a booking, through the booking
app's own services and selectors (booking/services/booking.py, flows.py,
booking/selectors/availability.py), with the web's holds, limits and proofs.

- `book` (flow "book"): office → service → day → time → name → NIK → contact → the
  one-time code sent to that contact → confirmed. What the first message already names
  (an office, a service, a day, a time) is not asked again.
- `cancel` and `reschedule` (flows): the booking code, the last 4 NIK digits (or the
  phone or email it was made with; the lookup counts against the code's lockout), then a
  one-time code sent to the booking's own contact (a chat has no browser session to
  prove the owner, see `owner_code_send`); cancelling asks "ya/yes" first; moving asks
  a new day and time of the same office and service.
- `book_status` (flow "status"): the booking code and the last 4 digits (or contact).

The flow's place (step, office, service, day, slot, booking id) is in `said.state`; the
name, NIK and contact only in `said.secrets` (encrypted, forgotten when the flow ends).
Answers never show a NIK, only its last 4 digits masked. See docs/assistant.md."""

from __future__ import annotations

import re
from datetime import date, datetime

from django.conf import settings
from django.db.models import QuerySet
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from assistant.models import Channel as ChatChannel
from assistant.turns import Action, Answer, Said, Suggestion, on_flow, on_intent
from booking.models import Booking, Channel, PriorityGroup, Source
from booking.selectors import alternatives as where_else
from booking.selectors import availability
from booking.services.booking import (
    CitizenDetails,
    booking_cancel,
    booking_reschedule,
    code_verify,
    details_clean,
)
from booking.services.flows import (
    booking_lookup_for_chat,
    booking_start_for_chat,
    code_resend_for_chat,
    owner_code_send,
    owner_code_verify,
)
from core.contacts import mask_email, mask_phone
from core.errors import ApplicationError
from core.timezones import format_local_time
from offices.models import Office, OfficeService, Service
from releases.outlook import release_outlook

RESEND = frozenset({"kirim ulang", "kirim lagi", "resend", "send again"})
YES = frozenset({"ya", "iya", "y", "yes", "ok", "oke", "setuju"})
THIS_NUMBER = frozenset({"nomor ini", "this number"})
DAYS_OFFERED = 4
OFFICES_OFFERED = 4
SERVICES_OFFERED = 6
TIMES_OFFERED = 6
_CLOCK = re.compile(r"\b([01]?\d|2[0-3])[:.]([0-5]\d)\b")


def _words(said: Said) -> str:
    return " ".join(said.text.lower().split()).strip(" .!?")


def _problems(error: ApplicationError, *fields: str) -> str:
    """The service's own messages for these fields, or its general message."""
    found = [str(m) for name in fields for m in error.fields.get(name, [])]
    return " ".join(found) if found else str(error.message)


# --- Choosing office, service, day and time (book and reschedule) -----------------------


def _bookable() -> QuerySet[OfficeService]:
    """What can be booked at all: active, at an active office, by appointment."""
    return OfficeService.objects.filter(
        is_active=True,
        office__is_active=True,
        service__is_active=True,
        service__accepts_appointments=True,
    )


def _offered(office_code: str, service_code: str) -> OfficeService | None:
    return (
        _bookable()
        .select_related("office", "service")
        .filter(office__code=office_code, service__code=service_code)
        .first()
    )


def _named_office(said: Said) -> Office | None:
    words = _words(said)
    exact = Office.objects.filter(is_active=True, name__iexact=words).first()
    if exact is not None:
        return exact
    return said.entities.offices[0].office if said.entities.offices else None


def _named_service(said: Said) -> Service | None:
    words = _words(said)
    for service in Service.objects.filter(is_active=True):
        if words in (service.name_id.lower(), service.name_en.lower()):
            return service
    return said.entities.services[0].service if said.entities.services else None


def _office_service(said: Said) -> OfficeService | None:
    office, service = said.state.get("office"), said.state.get("service")
    return _offered(office, service) if office and service else None


def _ask_office(said: Said, prefix: str = "") -> Answer:
    said.state["step"] = "office"
    offers = _bookable().select_related("office")
    if said.state.get("service"):
        offers = offers.filter(service__code=said.state["service"])
    offices = sorted({os.office.pk: os.office for os in offers}.values(), key=lambda o: o.name)
    text = _("At which office? Write its name or town.")
    return Answer(
        f"{prefix} {text}".strip(),
        suggestions=[Suggestion(o.name, o.name) for o in offices[:OFFICES_OFFERED]],
    )


def _ask_service(said: Said, prefix: str = "") -> Answer:
    said.state["step"] = "service"
    offers = (
        _bookable()
        .filter(office__code=said.state["office"])
        .select_related("service")
        .order_by("service__code")
    )
    text = _("Which service do you need?")
    return Answer(
        f"{prefix} {text}".strip(),
        suggestions=[
            Suggestion(os.service.name, os.service.name) for os in offers[:SERVICES_OFFERED]
        ],
    )


def _window_days(
    office_service: OfficeService, now: datetime
) -> list[availability.DayAvailability]:
    window = availability.booking_window(office_service, now)
    return availability.days_availability(office_service, window.first_day, window.last_day, now)


def _day_label(day: date) -> str:
    return date_format(day, "l, j F Y")


def _elsewhere(
    office_service: OfficeService, days: list[availability.DayAvailability], now: datetime
) -> str:
    """The web calendar's hint when nothing here is free: the nearest offices with room."""
    found = where_else.alternatives(office_service, days, now) if days else None
    if found is None or not found.nearby:
        return ""
    return _("Nearby offices with free places: %(offices)s.") % {
        "offices": "; ".join(
            f"{near.office.name} ({_day_label(near.first_free_day)})" for near in found.nearby
        )
    }


def _next_release(office_service: OfficeService, now: datetime) -> str:
    """When the next places open, as the calendar page says it."""
    release = release_outlook(office_service, now)
    at = format_local_time(release.opens_at, office_service.office.timezone, with_date=True)
    if release.first_day == release.last_day:
        return _("Places for %(day)s open on %(at)s.") % {
            "day": _day_label(release.first_day),
            "at": at,
        }
    return _("Places from %(first)s to %(last)s open on %(at)s.") % {
        "first": _day_label(release.first_day),
        "last": _day_label(release.last_day),
        "at": at,
    }


def _ask_day(said: Said, office_service: OfficeService, prefix: str = "") -> Answer:
    said.state["step"] = "day"
    outlook = release_outlook(office_service, said.now)
    if outlook.waiting_room_open:
        # A chat cannot wait in the room (the gate would refuse its hold): send the
        # citizen to the room's page rather than let them pick a day first.
        said.flow_end()
        text = _(
            "Many people are booking this service now, so booking goes through the "
            "waiting room: %(link)s"
        ) % {"link": settings.GILIRAN_SITE_URL + outlook.waiting_room}
        return Answer(f"{prefix} {text}".strip())
    window = _window_days(office_service, said.now)
    days = [d.day for d in window if d.status == "available"][:DAYS_OFFERED]
    if not days:
        said.flow_end()
        text = _("%(service)s at %(office)s has no free places in the booking window.") % {
            "service": office_service.service.name,
            "office": office_service.office.name,
        }
        parts = (
            prefix,
            text,
            _next_release(office_service, said.now),
            _elsewhere(office_service, window, said.now),
        )
        return Answer(" ".join(filter(None, parts)))
    text = _("%(service)s at %(office)s: which day? These days still have places:") % {
        "service": office_service.service.name,
        "office": office_service.office.name,
    }
    return Answer(
        f"{prefix} {text}".strip(),
        suggestions=[Suggestion(_day_label(day), day.isoformat()) for day in days],
    )


def _chosen_day(said: Said) -> date | None:
    try:
        return date.fromisoformat(said.text.strip())
    except ValueError:
        pass
    days = [d for d in said.entities.dates if d.precision == "day"]
    return days[0].day if days else None


def _time_label(slot: availability.SlotAvailability, office: Office) -> str:
    return format_local_time(slot.starts_at, office.timezone)


def _ask_time(said: Said, office_service: OfficeService, day: date, prefix: str = "") -> Answer:
    said.state["step"] = "time"
    said.state["day"] = day.isoformat()
    slots = availability.day_slots(office_service, day, said.now)
    office = office_service.office
    text = _("Which time on %(day)s?") % {"day": _day_label(day)}
    return Answer(
        f"{prefix} {text}".strip(),
        suggestions=[
            Suggestion(_time_label(s, office), f"{s.starts_at.astimezone(office.zone):%H:%M}")
            for s in slots[:TIMES_OFFERED]
        ],
    )


def _chosen_slot(said: Said, office_service: OfficeService, day: date) -> int | None:
    match = _CLOCK.search(said.text)
    wanted = (
        (int(match.group(1)), int(match.group(2)))
        if match
        else (
            (said.entities.times[0].hour, said.entities.times[0].minute)
            if said.entities.times
            else None
        )
    )
    if wanted is None:
        return None
    zone = office_service.office.zone
    for slot in availability.day_slots(office_service, day, said.now):
        local = slot.starts_at.astimezone(zone)
        if (local.hour, local.minute) == wanted:
            return slot.slot_id
    return None


def _day_step(said: Said, office_service: OfficeService) -> Answer:
    """Take the day from the message and ask the time, or ask the day again."""
    day = _chosen_day(said)
    if day is None:
        return _ask_day(said, office_service, _("Choose a day from the list, or write a date."))
    status = availability.days_availability(office_service, day, day, said.now)[0]
    if status.status != "available":
        return _ask_day(
            said, office_service, _("%(day)s has no free places.") % {"day": _day_label(day)}
        )
    return _ask_time(said, office_service, day)


# --- Book ----------------------------------------------------------------------------------


def _next_question(said: Said, prefix: str = "") -> Answer:
    """Ask for the first thing the booking still lacks."""
    state = said.state
    if not state.get("office") and not state.get("service"):
        return _ask_service_anywhere(said, prefix)
    if not state.get("office"):
        return _ask_office(said, prefix)
    if not state.get("service"):
        return _ask_service(said, prefix)
    office_service = _office_service(said)
    if office_service is None:
        state.pop("service", None)
        office = Office.objects.get(code=state["office"])
        return _ask_service(
            said,
            _("%(office)s does not take bookings for that service.") % {"office": office.name},
        )
    if not state.get("day"):
        return _ask_day(said, office_service, prefix)
    if not state.get("slot"):
        return _ask_time(said, office_service, date.fromisoformat(state["day"]), prefix)
    state["step"] = "name"
    return Answer(f"{prefix} {_('Your full name, as on your KTP?')}".strip())


def _ask_service_anywhere(said: Said, prefix: str) -> Answer:
    said.state["step"] = "service"
    services = Service.objects.filter(is_active=True, accepts_appointments=True).order_by("code")
    text = _("Which service do you want to book?")
    return Answer(
        f"{prefix} {text}".strip(),
        suggestions=[Suggestion(s.name, s.name) for s in services[:SERVICES_OFFERED]],
    )


def _take_entities(said: Said) -> str:
    """Take what the message names up front (office, service, day, time); returns what to
    say first when the day it names has no places ("" otherwise)."""
    state = said.state
    if said.entities.offices and not state.get("office"):
        state["office"] = said.entities.offices[0].office.code
    if said.entities.services and not state.get("service"):
        state["service"] = said.entities.services[0].service.code
    office_service = _office_service(said)
    if office_service is None:
        return ""
    day = next((d.day for d in said.entities.dates if d.precision == "day"), None)
    if day is not None and not state.get("day"):
        status = availability.days_availability(office_service, day, day, said.now)[0]
        if status.status != "available":
            return _("%(day)s has no free places.") % {"day": _day_label(day)}
        state["day"] = day.isoformat()
    if state.get("day") and said.entities.times and not state.get("slot"):
        slot = _chosen_slot(said, office_service, date.fromisoformat(state["day"]))
        if slot is not None:
            state["slot"] = slot
    return ""


@on_intent("book")
def book(said: Said) -> Answer:
    said.flow_start("book", "office")
    return _next_question(said, _take_entities(said))


def _contact_details(said: Said, text: str) -> dict[str, str]:
    chat_phone = said.channel in (ChatChannel.WHATSAPP, ChatChannel.SMS)
    if text.lower() in THIS_NUMBER and chat_phone and said.address:
        text = said.address
    if "@" in text:
        return {"phone": "", "email": text, "channel": Channel.EMAIL}
    channel = Channel.WHATSAPP if said.channel == ChatChannel.WHATSAPP else Channel.SMS
    return {"phone": text, "email": "", "channel": channel}


def _details(said: Said, **given: str) -> CitizenDetails:
    values = {
        "full_name": said.secrets.get("name", ""),
        "nik": said.secrets.get("nik", ""),
        "phone": said.secrets.get("phone", ""),
        "email": said.secrets.get("email", ""),
        "channel": said.secrets.get("channel", ""),
        **given,
    }
    return details_clean(
        full_name=values["full_name"],
        nik=values["nik"],
        phone=values["phone"],
        email=values["email"],
        channel=values["channel"],
        priority_group=PriorityGroup.NONE,
        language=said.language,
    )


def _field_problem(said: Said, fields: tuple[str, ...], **given: str) -> str:
    """details_clean's own words about these fields only ("" when they are right)."""
    try:
        _details(said, **given)
    except ApplicationError as error:
        return _problems(error, *fields) if any(f in error.fields for f in fields) else ""
    return ""


def _ask_contact(said: Said, prefix: str = "") -> Answer:
    said.state["step"] = "contact"
    suggestions = []
    if said.channel in (ChatChannel.WHATSAPP, ChatChannel.SMS) and said.address:
        suggestions.append(
            Suggestion(
                _("This number (%(phone)s)") % {"phone": mask_phone(said.address)}, _("this number")
            )
        )
    text = _("Your mobile number or email address? We send the one-time code there.")
    return Answer(f"{prefix} {text}".strip(), suggestions=suggestions)


def _masked_contact(booking: Booking) -> str:
    return (
        mask_email(booking.email) if booking.channel == Channel.EMAIL else mask_phone(booking.phone)
    )


def _hold(said: Said) -> Answer:
    details = _details(said)
    booking = booking_start_for_chat(
        limit_key=said.limit_key,
        slot_id=int(said.state["slot"]),
        details=details,
        source=Source.API,
        now=said.now,
    )
    said.state["booking"] = booking.pk
    said.state["step"] = "code"
    return Answer(
        _(
            "We hold this time for you for %(minutes)d minutes. We sent a 6-digit code to "
            '%(contact)s: type it here. Write "resend" for a new code.'
        )
        % {"minutes": settings.GILIRAN_HOLD_MINUTES, "contact": _masked_contact(booking)},
        suggestions=[Suggestion(_("Send a new code"), _("resend"))],
        actions=[Action("booking_held", booking.code)],
    )


def _booking_summary(booking: Booking) -> str:
    office_service = booking.slot.office_service
    office = office_service.office
    return _("%(service)s at %(office)s, %(when)s") % {
        "service": office_service.service.name,
        "office": office.name,
        "when": format_local_time(booking.slot.starts_at, office.timezone, with_date=True),
    }


def _book_details_step(said: Said) -> Answer:
    step = said.state["step"]
    text = said.text.strip()
    said.private_input = True  # a name, a NIK, a phone or email: the turn keeps "••••"
    if step == "name":
        problem = _field_problem(said, ("full_name",), full_name=text)
        if problem:
            return Answer(problem)
        said.secrets["name"] = " ".join(text.split())
        said.state["step"] = "nik"
        return Answer(_("Your NIK (16 digits, as on your KTP)?"))
    if step == "nik":
        nik = said.entities.niks[0].reveal() if said.entities.niks else text
        problem = _field_problem(said, ("nik",), nik=nik)
        if problem:
            return Answer(problem)
        said.secrets["nik"] = "".join(nik.split())
        return _ask_contact(said)
    contact = _contact_details(said, text)
    problem = _field_problem(said, ("phone", "email", "channel"), **contact)
    if problem:
        return _ask_contact(said, problem)
    said.secrets.update(contact)
    return _hold(said)


def _book_code_step(said: Said) -> Answer:
    said.private_input = True
    booking = Booking.objects.select_related(
        "slot__office_service__office", "slot__office_service__service"
    ).get(pk=said.state["booking"])
    if _words(said) in RESEND:
        code_resend_for_chat(limit_key=said.limit_key, booking=booking, now=said.now)
        return Answer(_("A new code is on its way. The previous one no longer works."))
    try:
        booking = code_verify(booking=booking, code=said.text, now=said.now)
    except ApplicationError as error:
        if error.code in ("hold_expired", "already_confirmed"):
            said.flow_end()
        return Answer(_problems(error, "code"))
    said.flow_end()
    requirements = booking.slot.office_service.service.requirements
    text = _("Your booking is confirmed: %(what)s. Your booking code is %(code)s.") % {
        "what": _booking_summary(booking),
        "code": booking.code,
    }
    if requirements:
        text += " " + _("Bring: %(list)s.") % {"list": "; ".join(requirements)}
    return Answer(text, actions=[Action("booking_confirmed", booking.code)])


@on_flow("book")
def book_step(said: Said) -> Answer:
    state = said.state
    step = state.get("step")
    if step == "office":
        office = _named_office(said)
        if office is None:
            return _ask_office(said, _("I could not find that office."))
        state["office"] = office.code
        return _next_question(said, _take_entities(said))
    if step == "service":
        service = _named_service(said)
        if service is None:
            if not state.get("office"):
                return _ask_service_anywhere(said, _("I could not find that service."))
            return _ask_service(said, _("I could not find that service."))
        state["service"] = service.code
        return _next_question(said, _take_entities(said))
    office_service = _office_service(said)
    if office_service is None:
        said.flow_end()
        return Answer(_("This service is no longer offered here. Please start again."))
    if step == "day":
        return _day_step(said, office_service)
    if step == "time":
        day = date.fromisoformat(state["day"])
        slot = _chosen_slot(said, office_service, day)
        if slot is None:
            return _ask_time(
                said, office_service, day, _("That time is not free. Choose one from the list.")
            )
        state["slot"] = slot
        state["step"] = "name"
        return Answer(_("Your full name, as on your KTP?"))
    if step in ("name", "nik", "contact"):
        return _book_details_step(said)
    return _book_code_step(said)


# --- Proving a booking is yours (cancel, reschedule, status) -----------------------------


def _start_owned(said: Said, flow: str) -> Answer:
    said.flow_start(flow, "code")
    if said.entities.booking_codes:
        said.secrets["code"] = said.entities.booking_codes[0]
        said.state["step"] = "secret"
        return _ask_secret()
    return Answer(_("What is your booking code? It is in the message we sent you."))


def _ask_secret() -> Answer:
    return Answer(
        _(
            "To check it is yours: the last 4 digits of the NIK, or the mobile number or "
            "email the booking was made with?"
        )
    )


def _not_found() -> str:
    return _("No booking matches this code and these details. Check both and try again.")


def _owned_step(said: Said) -> Booking | Answer:
    """The code and secret steps; the booking once proven."""
    state = said.state
    if state["step"] == "code":
        codes = said.entities.booking_codes
        said.secrets["code"] = codes[0] if codes else "".join(said.text.split()).upper()[:12]
        state["step"] = "secret"
        return _ask_secret()
    if state["step"] == "secret":
        said.private_input = True  # the last NIK digits, a phone or an email
        booking = booking_lookup_for_chat(
            limit_key=said.limit_key,
            code=said.secrets.get("code", ""),
            secret=said.text,
            now=said.now,
        )
        if booking is None:
            return Answer(_not_found())
        state["booking"] = booking.pk
        return booking
    return Booking.objects.select_related(
        "slot__office_service__office", "slot__office_service__service"
    ).get(pk=state["booking"])


def _send_owner_code(said: Said, booking: Booking) -> Answer:
    record = owner_code_send(
        limit_key=said.limit_key,
        booking=booking,
        now=said.now,
    )
    said.state["owner_code"] = record.pk
    said.state["step"] = "owner_code"
    return Answer(
        _(
            "Found: %(what)s. To make sure it is you, we sent a 6-digit code to %(contact)s: "
            "type it here."
        )
        % {"what": _booking_summary(booking), "contact": _masked_contact(booking)},
        suggestions=[Suggestion(_("Send a new code"), _("resend"))],
    )


def _owner_code_step(said: Said, booking: Booking) -> Answer | None:
    """None once the code is right."""
    said.private_input = True
    if _words(said) in RESEND:
        return _send_owner_code(said, booking)
    try:
        owner_code_verify(
            booking=booking, code_id=int(said.state["owner_code"]), code=said.text, now=said.now
        )
    except ApplicationError as error:
        return Answer(_problems(error, "code"))
    return None


@on_intent("cancel")
def cancel(said: Said) -> Answer:
    return _start_owned(said, "cancel")


@on_flow("cancel")
def cancel_step(said: Said) -> Answer:
    found = _owned_step(said)
    if isinstance(found, Answer):
        return found
    step = said.state["step"]
    if step == "secret":
        return _send_owner_code(said, found)
    if step == "owner_code":
        wrong = _owner_code_step(said, found)
        if wrong is not None:
            return wrong
        said.state["step"] = "confirm"
        return Answer(
            _('Cancel %(what)s? Write "yes" to cancel.') % {"what": _booking_summary(found)},
            suggestions=[Suggestion(_("Yes, cancel"), _("yes")), Suggestion(_("No"), "batal")],
        )
    said.flow_end()
    if _words(said) not in YES:
        return Answer(_("All right, your booking stays as it is."))
    booking = booking_cancel(booking=found, now=said.now)
    return Answer(
        _("Your booking %(code)s is cancelled. We have sent you a message about it.")
        % {"code": booking.code},
        actions=[Action("booking_cancelled", booking.code)],
    )


@on_intent("reschedule")
def reschedule(said: Said) -> Answer:
    return _start_owned(said, "reschedule")


@on_flow("reschedule")
def reschedule_step(said: Said) -> Answer:
    found = _owned_step(said)
    if isinstance(found, Answer):
        return found
    step = said.state["step"]
    if step == "secret":
        return _send_owner_code(said, found)
    office_service = found.slot.office_service
    if step == "owner_code":
        wrong = _owner_code_step(said, found)
        if wrong is not None:
            return wrong
        if found.reschedule_count >= office_service.max_reschedules:
            said.flow_end()
            return Answer(_("This booking has already been rescheduled the most times allowed."))
        return _ask_day(said, office_service)
    if step == "day":
        return _day_step(said, office_service)
    day = date.fromisoformat(said.state["day"])
    slot = _chosen_slot(said, office_service, day)
    if slot is None:
        return _ask_time(
            said, office_service, day, _("That time is not free. Choose one from the list.")
        )
    booking = booking_reschedule(booking=found, slot_id=slot, now=said.now)
    said.flow_end()
    return Answer(
        _("Your booking %(code)s is moved: %(what)s.")
        % {"code": booking.code, "what": _booking_summary(booking)},
        actions=[Action("booking_rescheduled", booking.code)],
    )


@on_intent("book_status")
def book_status(said: Said) -> Answer:
    return _start_owned(said, "status")


@on_flow("status")
def status_step(said: Said) -> Answer:
    found = _owned_step(said)
    if isinstance(found, Answer):
        return found
    said.flow_end()
    service = found.slot.office_service.service
    text = _("Booking %(code)s (NIK ****%(last4)s): %(status)s. %(what)s.") % {
        "code": found.code,
        "last4": found.nik_last4,
        "status": found.get_status_display(),
        "what": _booking_summary(found),
    }
    if service.requirements:
        text += " " + _("Bring: %(list)s.") % {"list": "; ".join(service.requirements)}
    return Answer(text)
