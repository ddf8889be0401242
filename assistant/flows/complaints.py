"""Complaints by chat: file one (`complaint`: category, office, what happened, a contact,
confirm, then complaints.services.complaint_file, the web form's service) and follow
it (`complaint_status`: tracking number and access key, complaint_find's proof and
attempt limit).

A complaint filed in a chat is answered in that chat: on WhatsApp and Telegram the
contact is the chat itself (the number, the chat id); on the web and the API the citizen
may give a mobile number or email, or none (SMS is read by its keywords only). A report of pungli
(the category, or words such as "pungli", "suap", "dimintai uang", "bribe") is flagged
and goes to the office's integrity officers. The access key is shown once: it travels
as the answer's `secret`, never in the stored reply text. A photo cannot be sent by
chat: the web form takes one. See docs/assistant.md, "Queue and complaints by chat"."""

from __future__ import annotations

import re

from django.conf import settings
from django.urls import reverse
from django.utils.formats import date_format
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
from complaints.models import Complaint, ComplaintCategory, ComplaintStatus, ContactChannel
from complaints.services import (
    Intake,
    access_key_display,
    complaint_file,
    complaint_find,
    complaint_lookup_failed,
    complaint_text_clean,
    contact_clean,
)
from core.ratelimit import rate_limit
from offices.models import Office

FLOW = "complaint"
STATUS_FLOW = "complaint_status"

# Words that make a report one of pungli, whatever category was chosen.
PUNGLI_WORDS = re.compile(
    r"\b(?:pungli|pungutan\s+liar|suap|disuap|menyuap|sogok\w*|uang\s+pelicin|pemerasan|"
    r"diperas|(?:di|me)?minta(?:i)?\s+(?:uang|duit)|minta\s+duit|bribe\w*|extort\w*|"
    r"asked\s+(?:me\s+)?for\s+(?:money|cash)|kickback)\b",
    re.IGNORECASE,
)
# Words that pick a category, besides its number and its name.
_CATEGORY_WORDS = (
    (ComplaintCategory.SERVICE_DELAY, ("lama", "lambat", "telat", "slow", "delay", "wait")),
    (ComplaintCategory.STAFF_CONDUCT, ("petugas", "pegawai", "kasar", "staff", "rude")),
    (ComplaintCategory.FACILITIES, ("fasilitas", "toilet", "parkir", "ruang", "facilit")),
    (ComplaintCategory.INFORMATION, ("informasi", "info", "information")),
    (ComplaintCategory.ONLINE_SYSTEM, ("online", "aplikasi", "sistem", "website", "app")),
    (ComplaintCategory.OTHER, ("lain", "other")),
)
_YES = frozenset({"ya", "iya", "y", "yes", "ok", "oke", "okay", "benar", "betul", "kirim", "send"})
_NO_CONTACT = frozenset({"tidak", "tidak usah", "tidak perlu", "no", "none", "tanpa", "gak", "ga"})
# On these channels the citizen is told in the chat they wrote from.
CHAT_CONTACTS = {"whatsapp": ContactChannel.WHATSAPP, "telegram": ContactChannel.TELEGRAM}
_NUMBER = re.compile(r"\badu[\s-]?(20\d{2})[\s-]?(\d{1,6})\b", re.IGNORECASE)
_KEY = re.compile(r"(?<![A-Z0-9])([A-HJKMNP-Z2-9]{5})-?([A-HJKMNP-Z2-9]{5})(?![A-Z0-9])")


def is_pungli(text: str) -> bool:
    return bool(PUNGLI_WORDS.search(text))


def _categories() -> list[Suggestion]:
    return [Suggestion(str(label), str(label)) for _value, label in ComplaintCategory.choices]


def _category_in(text: str) -> str | None:
    words = text.strip().lower()
    if not words:
        return None
    choices = ComplaintCategory.choices
    if words.isdigit() and 1 <= int(words) <= len(choices):
        return str(choices[int(words) - 1][0])
    for value, label in choices:
        if words == str(label).lower() or words == str(value):
            return str(value)
    for value, hints in _CATEGORY_WORDS:
        if any(hint in words for hint in hints):
            return str(value)
    return None


def _web_form() -> str:
    return settings.GILIRAN_SITE_URL + reverse("complaint-new")


# --- filing ------------------------------------------------------------------------------


def _next(said: Said) -> Answer:
    """Ask for what is still missing, in order: category, office, text, contact; then
    ask to confirm."""
    state = said.state
    if not state.get("category"):
        state["step"] = "category"
        return Answer(
            _("What is your complaint about? Choose a category."), suggestions=_categories()
        )
    if not state.get("office"):
        state["step"] = "office"
        offices = Office.objects.filter(is_active=True).order_by("name")[:4]
        return Answer(
            _("Which office is your complaint about? Write its name or town."),
            suggestions=[Suggestion(office.name, office.name) for office in offices],
        )
    if "text" not in said.secrets:
        state["step"] = "text"
        return Answer(
            _(
                "Describe what happened, in at least 20 characters: when, where, what. A "
                "photo cannot be sent by chat; to add one, use the form at %(url)s."
            )
            % {"url": _web_form()}
        )
    if said.channel not in CHAT_CONTACTS and "contact" not in said.secrets:
        state["step"] = "contact"
        return Answer(
            _(
                "Where should we tell you about its progress? Write a mobile number or an "
                'email address, or "no" to be told nothing (keep the access key then).'
            ),
            suggestions=[Suggestion(_("No contact"), _("no"))],
        )
    state["step"] = "confirm"
    return Answer(_summary(said), suggestions=[Suggestion(_("Send"), _("yes"))])


def _summary(said: Said) -> str:
    office = Office.objects.filter(code=said.state["office"]).first()
    category = ComplaintCategory(said.state["category"]).label
    if said.channel in CHAT_CONTACTS:
        told = _("You will be told of every change here, in this chat.")
    elif said.secrets.get("contact"):
        told = _("You will be told of every change at the contact you gave.")
    else:
        told = _("You will not be sent messages: check the status with the access key.")
    text = _(
        "Your complaint about %(office)s (%(category)s): %(told)s Send it? Reply yes to "
        "send, or cancel."
    ) % {"office": office.name if office else "", "category": category, "told": told}
    if said.state.get("pungli"):
        text = (
            _(
                "It is a pungli report: the office's integrity officers handle it, not its "
                "own staff."
            )
            + " "
            + text
        )
    return text


def _step_category(said: Said) -> Answer:
    category = _category_in(said.text)
    if category is None:
        return Answer(_("Choose one of the categories below."), suggestions=_categories())
    said.state["category"] = category
    if category == ComplaintCategory.PUNGLI:
        said.state["pungli"] = True
    return _next(said)


def _step_office(said: Said) -> Answer:
    if not said.entities.offices:
        return Answer(_('I could not find that office. Write its name or town, e.g. "Bandung".'))
    said.state["office"] = said.entities.offices[0].office.code
    return _next(said)


def _step_text(said: Said) -> Answer:
    # The complaint lives in its record, which only its handlers read (pungli: only
    # integrity officers); the transcript, which the office's staff may read after a
    # handoff, keeps none of it.
    said.private_input = True
    text = complaint_text_clean(said.text)  # its refusal (too short, too long) is the answer
    said.secrets["text"] = text
    if is_pungli(text):
        said.state["pungli"] = True
    return _next(said)


def _step_contact(said: Said) -> Answer:
    words = said.text.strip()
    if words.lower() in _NO_CONTACT:
        said.secrets["contact"] = ""
    else:
        contact_clean(words)  # a bad number or email: its message is the answer
        said.secrets["contact"] = words
    return _next(said)


def _file(said: Said) -> Answer:
    rate_limit(
        None,
        group="complaint-chat",
        key=said.limit_key,
        rate=settings.GILIRAN_RATE_COMPLAINT_PER_IP,
    )
    contact = said.address if said.channel in CHAT_CONTACTS else said.secrets.get("contact", "")
    filed = complaint_file(
        intake=Intake(
            office_code=str(said.state["office"]),
            category=str(said.state["category"]),
            text=said.secrets.get("text", ""),
            contact=contact,
            pungli=bool(said.state.get("pungli")),
            language=said.language,
            channel=CHAT_CONTACTS.get(said.channel, ""),
        ),
        now=said.now,
    )
    said.flow_end()
    complaint = filed.complaint
    text = _(
        "Your complaint is filed with tracking number %(number)s. %(office)s answers by "
        "%(due)s. Keep the access key given with this reply: with the number it shows the "
        "status, and it is not shown again."
    ) % {
        "number": complaint.number,
        "office": complaint.office.name,
        "due": date_format(complaint.due_on, "l, j F Y"),
    }
    if complaint.channel != ContactChannel.NONE:
        text += " " + _("It is also in the confirmation message sent to you.")
    key = access_key_display(filed.access_key)
    return Answer(
        text + "\n\n" + _("Access key: %(key)s") % {"key": key},
        suggestions=[Suggestion(_("Complaint status"), _("What is the status of my complaint?"))],
        actions=[Action("complaint_filed", complaint.number)],
        secret=key,  # shown once, stored masked (assistant/turns.py)
    )


def _step_confirm(said: Said) -> Answer:
    if said.text.strip().lower().rstrip(".!") in _YES:
        return _file(said)
    return Answer(_summary(said), suggestions=[Suggestion(_("Send"), _("yes"))])


_STEPS = {
    "category": _step_category,
    "office": _step_office,
    "text": _step_text,
    "contact": _step_contact,
    "confirm": _step_confirm,
}


@on_intent("complaint")
def complaint(said: Said) -> Answer:
    office = said.entities.offices[0].office if said.entities.offices else None
    pungli = is_pungli(said.text)
    said.flow_start(FLOW, "category")
    if office is not None:
        said.state["office"] = office.code
    if pungli:
        said.state["pungli"] = True
        said.state["category"] = ComplaintCategory.PUNGLI.value
    return _next(said)


@on_flow(FLOW)
def complaint_step(said: Said) -> Answer:
    step = _STEPS.get(str(said.state.get("step")), _step_category)
    return step(said)


# --- status ------------------------------------------------------------------------------


def _proof_in(text: str) -> tuple[str, str] | None:
    number = _NUMBER.search(text)
    if number is None:
        return None
    rest = (text[: number.start()] + " " + text[number.end() :]).upper()
    key = _KEY.search(rest)
    if key is None:
        return None
    return f"ADU-{number[1]}-{int(number[2]):05d}", key[1] + key[2]


def _status_text(complaint: Complaint) -> str:
    text = _("%(number)s about %(office)s: %(status)s.") % {
        "number": complaint.number,
        "office": complaint.office.name,
        "status": complaint.get_status_display(),
    }
    if complaint.is_open:
        text += " " + _("The office answers by %(due)s.") % {
            "due": date_format(complaint.due_on, "l, j F Y")
        }
    if complaint.status in (ComplaintStatus.ANSWERED, ComplaintStatus.CLOSED) and complaint.answer:
        text += " " + _("The office's answer: %(answer)s") % {"answer": complaint.answer}
    return text


def _status(said: Said) -> Answer:
    proof = _proof_in(said.text)
    if proof is None:
        said.flow_start(STATUS_FLOW, "proof")
        return Answer(
            _(
                "Send the tracking number and the access key together, e.g. "
                "ADU-2026-00012 K7QMX-2PA9D."
            )
        )
    said.flow_end()
    said.private_input = True  # the access key is never stored
    rate_limit(
        None, group="lookup-chat", key=said.limit_key, rate=settings.GILIRAN_RATE_LOOKUP_PER_IP
    )
    number, key = proof
    found = complaint_find(number=number, access_key=key)
    if found is None:
        # Answered, not raised: a raise would roll back the wrong key's count with the
        # skill's savepoint, and the number's lock would never come.
        return Answer(str(complaint_lookup_failed().message))
    return Answer(_status_text(found))


@on_intent("complaint_status")
def complaint_status(said: Said) -> Answer:
    return _status(said)


@on_flow(STATUS_FLOW)
def complaint_status_step(said: Said) -> Answer:
    if _proof_in(said.text) is None:
        said.flow_end()
        other = skill_for_intent(said.intent)
        sure = said.confidence >= settings.GILIRAN_ASSISTANT_MIN_CONFIDENCE
        if other is not None and sure and said.intent != STATUS_FLOW:
            return other(said)  # not a proof but another question: answer that
        return Answer(
            _("I did not find a tracking number (ADU-…) and an access key there."),
            suggestions=[
                Suggestion(_("Complaint status"), _("What is the status of my complaint?"))
            ],
        )
    return _status(said)
