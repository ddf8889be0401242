"""The assistant's answers from the records: greetings, and what the catalog says
(requirements, opening hours today in the office's zone, closures and holidays,
location, fees and the service standard). Nothing here is a second copy: each answer
reads the catalog as the pages do."""

from __future__ import annotations

from django.utils.translation import gettext as _

from assistant.turns import Answer, Said, Suggestion, on_intent


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
