"""The assistant's answers from the records: greetings, and what the catalog says
(requirements, opening hours today in the office's zone, closures and holidays,
location, fees and the service standard). Nothing here is a second copy: each answer
reads the catalog as the pages do."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from assistant.turns import Answer, Said, Suggestion, on_flow, on_intent, skill_for_intent
from core.timezones import format_local_time
from offices.models import Office, OfficeService, OpeningHours, Service
from offices.selectors import active_offices, active_services, closed_days, office_opening


def menu() -> list[Suggestion]:
    """The buttons of a fresh start, in the active language."""
    return [
        Suggestion(_("Requirements"), _("What are the requirements?")),
        Suggestion(_("Book a visit"), _("I want to book a visit")),
        Suggestion(_("My queue number"), _("Where is my queue number?")),
        Suggestion(_("File a complaint"), _("I want to file a complaint")),
    ]


@on_intent("greet")
def greet(said: Said) -> Answer:
    return Answer(
        _(
            "Hello, I am Tanya Giliran, the assistant of public-service offices. Ask me about "
            "requirements, opening hours and fees, or book a visit, follow your queue number "
            "or file a complaint."
        ),
        suggestions=menu(),
    )


@on_intent("thanks")
def thanks(said: Said) -> Answer:
    return Answer(_("You are welcome. Anything else I can help with?"), suggestions=menu())


@on_intent("out_of_scope")
def out_of_scope(said: Said) -> Answer:
    return Answer(
        _(
            "I can only help with the services of the offices on Giliran: requirements, "
            "opening hours, fees, bookings, queue numbers and complaints."
        ),
        suggestions=menu(),
    )


# --- What the catalog says ------------------------------------------------------------------

# Upcoming closures named in an answer about hours: the next two weeks.
CLOSURES_AHEAD_DAYS = 14


def _office(said: Said) -> Office | None:
    """The office the message names, else the one the conversation is about."""
    if said.entities.offices:
        office = said.entities.offices[0].office
        said.state["office"] = office.code
        return office
    code = said.state.get("office")
    return active_offices().filter(code=code).first() if code else None


def _service(said: Said) -> Service | None:
    if said.entities.services:
        service = said.entities.services[0].service
        said.state["service"] = service.code
        return service
    code = said.state.get("service")
    return active_services().filter(code=code).first() if code else None


def _ask(said: Said, what: str) -> Answer:
    """Ask for the office or service the intent needs; the next message answers the
    same intent with it (flow "need")."""
    said.flow_start("need", what, intent=said.intent)
    if what == "office":
        offices = active_offices().order_by("name")[:4]
        return Answer(
            _('Which office? Write its name or town, e.g. "Kanim Jakarta Pusat".'),
            suggestions=[Suggestion(o.name, o.name) for o in offices],
        )
    services = active_services().order_by("code")[:4]
    return Answer(
        _("Which service? For example a new passport, a KTP-el or a family card (KK)."),
        suggestions=[Suggestion(s.name, s.name) for s in services],
    )


@on_flow("need")
def need(said: Said) -> Answer:
    """The office or service asked for: answer the intent that asked, if this message
    names what was missing; otherwise it is a new question."""
    intent = str(said.state.get("intent", ""))
    found = said.entities.offices if said.state.get("step") == "office" else said.entities.services
    said.flow_end()
    skill = skill_for_intent(intent) if found else None
    if skill is None:
        skill = skill_for_intent(said.intent) or out_of_scope
    else:
        said.intent = intent
    return skill(said)


def _requirement_lines(service: Service) -> str:
    return "\n".join(f"• {line}" for line in service.requirements)


@on_intent("requirements")
def requirements(said: Said) -> Answer:
    service = _service(said)
    if service is None:
        return _ask(said, "service")
    if not service.requirements:
        return Answer(
            _("No documents are listed for %(service)s; ask the office before you go.")
            % {"service": service.name}
        )
    return Answer(
        _("To apply for %(service)s, bring:\n%(documents)s")
        % {"service": service.name, "documents": _requirement_lines(service)},
        suggestions=[
            Suggestion(_("Fees"), _("How much does %(service)s cost?") % {"service": service.name}),
            Suggestion(_("Book a visit"), _("I want to book a visit")),
        ],
    )


@on_intent("document_check")
def document_check(said: Said) -> Answer:
    """Whether the citizen's own documents will do is for a person to judge: the list
    the office asks for, and the offer of a person."""
    service = _service(said)
    intro = _(
        "I cannot check your own documents; the officer at the counter decides. A person "
        "can answer a specific question."
    )
    talk = Suggestion(_("Talk to a person"), _("I want to talk to a person"))
    if service is None or not service.requirements:
        return Answer(intro, suggestions=[talk])
    return Answer(
        _("%(intro)s For %(service)s the office asks for:\n%(documents)s")
        % {"intro": intro, "service": service.name, "documents": _requirement_lines(service)},
        suggestions=[talk],
    )


def _hours_line(hours: OpeningHours, zone: str) -> str:
    values = {
        "day": hours.get_weekday_display(),
        "opens": f"{hours.opens_at:%H:%M}",
        "closes": format_local_time(hours.closes_at, zone),
    }
    if hours.break_starts_at and hours.break_ends_at:
        return _("%(day)s: %(opens)s–%(closes)s (break %(break_starts)s–%(break_ends)s)") % {
            **values,
            "break_starts": f"{hours.break_starts_at:%H:%M}",
            "break_ends": f"{hours.break_ends_at:%H:%M}",
        }
    return _("%(day)s: %(opens)s–%(closes)s") % values


def _today(office: Office, now: datetime) -> str:
    opening = office_opening(office, now)
    if opening.is_open and opening.break_ends_at:
        return _("%(office)s is on its break now; the counters resume at %(time)s.") % {
            "office": office.name,
            "time": format_local_time(opening.break_ends_at, office.timezone),
        }
    if opening.is_open:
        return _("%(office)s is open now.") % {"office": office.name}
    if opening.next_opens_at is None:
        return _("%(office)s is closed for the coming weeks.") % {"office": office.name}
    return _("%(office)s is closed now; it opens %(opens)s.") % {
        "office": office.name,
        "opens": format_local_time(opening.next_opens_at, office.timezone, with_date=True),
    }


@on_intent("hours")
def hours(said: Said) -> Answer:
    office = _office(said)
    if office is None:
        return _ask(said, "office")
    week = [_hours_line(h, office.timezone) for h in office.opening_hours.order_by("weekday")]
    lines = [_today(office, said.now), "", _("Opening hours:"), *week]
    today = office.local_date(said.now)
    closed = closed_days(office, today, today + timedelta(days=CLOSURES_AHEAD_DAYS))
    if closed:
        lines += ["", _("Closed:")]
        lines += [f"• {date_format(c.day, 'l, j F Y')}: {c.reason}" for c in closed]
    return Answer(
        "\n".join(str(line) for line in lines),
        suggestions=[
            Suggestion(_("Location"), _("Where is %(office)s?") % {"office": office.name}),
            Suggestion(_("Book a visit"), _("I want to book a visit")),
        ],
    )


@on_intent("location")
def location(said: Said) -> Answer:
    office = _office(said)
    if office is None:
        return _ask(said, "office")
    lines = [
        _("%(office)s: %(address)s, %(regency)s, %(province)s.")
        % {
            "office": office.name,
            "address": office.address,
            "regency": office.regency,
            "province": office.province,
        },
        _("Map: %(url)s") % {"url": office.map_url},
    ]
    if office.phone:
        lines.append(_("Phone: %(phone)s") % {"phone": office.phone})
    return Answer(
        "\n".join(lines),
        suggestions=[
            Suggestion(_("Opening hours"), _("When is %(office)s open?") % {"office": office.name})
        ],
    )


@on_intent("fees")
def fees(said: Said) -> Answer:
    service = _service(said)
    if service is None:
        return _ask(said, "service")
    if service.fee_rupiah == 0:
        lines = [_("%(service)s is free.") % {"service": service.name}]
    elif service.fee:
        lines = [_("%(service)s costs %(fee)s.") % {"service": service.name, "fee": service.fee}]
    else:
        lines = [_("The fee for %(service)s depends on the case.") % {"service": service.name}]
    if service.fee_note:
        lines.append(service.fee_note)
    office = _office(said)
    offered = (
        OfficeService.objects.filter(office=office, service=service, is_active=True)
        .select_related("service")
        .first()
        if office
        else None
    )
    standard = offered.service_standard if offered else service.service_standard
    if standard:
        where = office.name if offered and office else ""
        lines.append(
            _("Promised completion at %(office)s: %(standard)s.")
            % {"office": where, "standard": standard}
            if where
            else _("Promised completion: %(standard)s.") % {"standard": standard}
        )
    return Answer(
        "\n".join(str(line) for line in lines),
        suggestions=[
            Suggestion(
                _("Requirements"),
                _("What are the requirements for %(service)s?") % {"service": service.name},
            ),
        ],
    )
