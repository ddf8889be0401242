"""Handing a conversation to a person: on request (the `human` intent) or after two
low-confidence messages in a row. The conversation goes to the inbox of the office it is
about (asked for first if no office is known yet), with an answer due
GILIRAN_ASSISTANT_HANDOFF_SLA_MINUTES after the handoff, counted from the next opening
when the office is closed, which is also what the citizen is told. Staff read the
history and reply through the same channel (assistant/inbox.py)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.utils.translation import gettext as _

from assistant.models import Conversation, Handoff
from assistant.turns import Action, Answer, Said, Suggestion, on_flow, on_intent
from core.timezones import format_local_time
from offices.models import Office
from offices.selectors import office_opening


def handoff_due(office: Office, now: datetime) -> tuple[datetime, datetime | None]:
    """When a person should have answered, and when the office next opens if it is
    closed now (None when open)."""
    sla = timedelta(minutes=settings.GILIRAN_ASSISTANT_HANDOFF_SLA_MINUTES)
    opening = office_opening(office, now)
    if opening.is_open:
        return now + sla, None
    opens = opening.next_opens_at
    return (opens or now) + sla, opens


def _hand_over(said: Said, office: Office) -> Answer:
    conversation: Conversation = said.conversation
    due, opens = handoff_due(office, said.now)
    conversation.office = office
    conversation.handoff = Handoff.WAITING
    conversation.handoff_at = said.now
    conversation.handoff_due_at = due
    conversation.low_confidence_turns = 0
    said.flow_end()
    said.state["office"] = office.code
    if opens is None:
        text = _(
            "I have passed your conversation to the staff of %(office)s. A person will "
            "answer here, usually within %(minutes)d minutes."
        ) % {"office": office.name, "minutes": settings.GILIRAN_ASSISTANT_HANDOFF_SLA_MINUTES}
    else:
        text = _(
            "I have passed your conversation to the staff of %(office)s. The office is "
            "closed now; a person will answer here after it opens, %(opens)s."
        ) % {
            "office": office.name,
            "opens": format_local_time(opens, office.timezone, with_date=True),
        }
    return Answer(text, actions=[Action("handoff", office.code)])


def _office_known(said: Said) -> Office | None:
    if said.entities.offices:
        return said.entities.offices[0].office
    if said.conversation.office is not None:
        return said.conversation.office
    code = said.state.get("office")
    return Office.objects.filter(code=code, is_active=True).first() if code else None


def _ask_office(said: Said) -> Answer:
    said.flow_start("handoff", "office")
    offices = Office.objects.filter(is_active=True).order_by("name")[:4]
    return Answer(
        _("Which office is your question about? Write its name, e.g. the town."),
        suggestions=[Suggestion(office.name, office.name) for office in offices],
    )


def handoff_start(said: Said, *, reason: str) -> Answer:
    """Hand the conversation to the staff of the office it is about; ask which office
    first if none is known. `reason` is "asked" or "low_confidence"."""
    office = _office_known(said)
    if office is None:
        answer = _ask_office(said)
        if reason == "low_confidence":
            answer.text = _(
                "Sorry, I still do not understand; I will pass you to a person. Which "
                "office is your question about? Write its name, e.g. the town."
            )
        return answer
    return _hand_over(said, office)


@on_intent("human")
def human(said: Said) -> Answer:
    return handoff_start(said, reason="asked")


@on_flow("handoff")
def handoff_office(said: Said) -> Answer:
    office = said.entities.offices[0].office if said.entities.offices else None
    if office is None:
        return Answer(
            _('I could not find that office. Write its name or town, e.g. "Jakarta Pusat".'),
        )
    return _hand_over(said, office)
