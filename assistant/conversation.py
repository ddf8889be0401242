"""The assistant's one entry point, used by every channel: a citizen's message in, the
reply out (`message_receive`).

In order: the delivery is refused if the platform sent it before (replay), the citizen
is counted against their limit, the conversation is found or started (a conversation
silent for GILIRAN_ASSISTANT_MEMORY_MINUTES starts afresh: a half-done booking is not
resumed an hour later), the message is understood (intent, language, entities), stored
masked, and routed: to the person handling it when handed off, to the flow in progress,
or to the skill of its intent. Two low-confidence messages in a row hand the
conversation to staff (assistant/handoff.py). The reply is stored, and on the channels
whose citizen is not waiting on the HTTP answer (Telegram, WhatsApp, SMS) queued in the
outbox in the same transaction, exactly once (assistant/outbound.py)."""

from __future__ import annotations

import json
import secrets
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from assistant import flows  # noqa: F401  (registers the skills)
from assistant.answers import menu
from assistant.handoff import handoff_start
from assistant.masking import mask_personal
from assistant.models import (
    OPEN_HANDOFFS,
    OUTBOX_CHANNELS,
    Author,
    Channel,
    Conversation,
    Handoff,
    InboundReceipt,
    ReviewItem,
    Turn,
)
from assistant.outbound import reply_queue
from assistant.turns import (
    SECRET_MASK,
    Action,
    Answer,
    Said,
    Skill,
    Suggestion,
    skill_for_flow,
    skill_for_intent,
)
from assistant.understanding.classifier import FALLBACK_INTENT, IntentGuess, intent_of
from assistant.understanding.entities import entities_in
from assistant.understanding.normalise import MAX_CHARS, clean
from core import personal_data
from core.errors import ApplicationError
from core.ratelimit import rate_limit
from offices.models import Office

# Words that end any flow in progress, whatever the model makes of them.
FLOW_EXITS = frozenset({"batal", "stop", "berhenti", "keluar", "menu", "cancel", "quit", "exit"})
# Intents that leave a flow in progress when the model is sure of them: the citizen has
# changed the subject ("saya mau bicara dengan petugas" in the middle of a booking).
FLOW_BREAKERS = frozenset({"human", "greet", "complaint", "thanks"})
BREAK_CONFIDENCE = 0.8


@dataclass(frozen=True)
class ChannelReader:
    """How a channel that does not converse reads its messages instead of the model:
    `guess` gives the intent and language (None: the conversation's), `skill` answers.
    SMS registers one for its keywords (assistant/channels/sms.py)."""

    guess: Callable[[str], tuple[str, str | None]]
    skill: Skill


_READERS: dict[str, ChannelReader] = {}


def channel_reader_register(channel: str, reader: ChannelReader) -> None:
    _READERS[channel] = reader


@dataclass(frozen=True)
class Inbound:
    """A citizen's message as a channel received it. `user` is the channel's id of the
    citizen (a Telegram chat id, a phone number; empty on web and API, which name the
    conversation by its `conversation` token instead); `external_id` is the platform's
    id of the delivery, for replay protection; `language` the page's language on the web,
    used until the citizen writes enough to tell; `client_key` the web's and the API's
    client address, keyed."""

    channel: str
    text: str
    user: str = ""
    conversation: str = ""
    external_id: str = ""
    language: str = ""
    # On the web and the API: the client's address bucket, keyed (core.ratelimit), which
    # the skills' abuse limits count instead of a conversation anyone can start afresh.
    client_key: str = ""


@dataclass(frozen=True)
class Reply:
    conversation: str
    intent: str
    confidence: float
    language: str
    text: str
    suggestions: tuple[Suggestion, ...] = ()
    actions: tuple[Action, ...] = field(default=())
    # The stored reply's id: where a client polling for a person's replies starts.
    turn: int = 0

    def as_dict(self) -> dict[str, object]:
        return {
            "conversation": self.conversation,
            "turn": self.turn,
            "intent": self.intent,
            "confidence": round(self.confidence, 3),
            "language": self.language,
            "reply": self.text,
            "suggestions": [s.as_dict() for s in self.suggestions],
            "actions": [a.as_dict() for a in self.actions],
        }


def printable(text: str) -> str:
    """`text` without control characters (a NUL cannot even be stored in PostgreSQL),
    line breaks and tabs kept."""
    return "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C")


def _user_hash(channel: str, user: str) -> str:
    return personal_data.keyed_hash(f"assistant:{channel}:{user}")


def _expired(conversation: Conversation, now: datetime) -> bool:
    if conversation.handoff in OPEN_HANDOFFS:
        return False  # a person is on it: it stays open until they close it
    silence = timedelta(minutes=settings.GILIRAN_ASSISTANT_MEMORY_MINUTES)
    return conversation.last_message_at < now - silence


def _conversation_new(inbound: Inbound, now: datetime, language: str) -> Conversation:
    return Conversation.objects.create(
        token=secrets.token_urlsafe(32),
        channel=inbound.channel,
        user_hash=_user_hash(inbound.channel, inbound.user) if inbound.user else "",
        address_encrypted=personal_data.encrypt(inbound.user) if inbound.user else "",
        language=language,
        started_at=now,
        last_message_at=now,
    )


def conversation_for(inbound: Inbound, *, now: datetime) -> Conversation:
    """The conversation this message continues, locked for the turn, or a new one. A
    token that names no live conversation (unknown, expired) starts a new one: the
    reply carries its token."""
    language = inbound.language if inbound.language in ("id", "en") else "id"
    # Only the conversation's row is locked ("of"): PostgreSQL cannot lock the nullable
    # side of the join to its office.
    rows = Conversation.objects.select_for_update(of=("self",)).select_related("office")
    if inbound.user:
        current = (
            rows.filter(
                channel=inbound.channel, user_hash=_user_hash(inbound.channel, inbound.user)
            )
            .order_by("-last_message_at")
            .first()
        )
    elif inbound.conversation:
        current = rows.filter(channel=inbound.channel, token=inbound.conversation[:64]).first()
    else:
        current = None
    if current is None or _expired(current, now):
        if current is not None and (current.state or current.secrets_encrypted):
            # What a lapsed flow collected goes with it; the transcript stays until retention.
            Conversation.objects.filter(pk=current.pk).update(state={}, secrets_encrypted="")
        return _conversation_new(inbound, now, current.language if current else language)
    return current


def _office_of(conversation: Conversation) -> Office | None:
    """The office the conversation is about: handed to, or named in the flow so far
    (dates in the message are read in its zone)."""
    if conversation.office is not None:
        return conversation.office
    code = conversation.state.get("office")
    return Office.objects.filter(code=code).first() if code else None


def _secrets(conversation: Conversation) -> dict[str, str]:
    if not conversation.secrets_encrypted:
        return {}
    loaded = json.loads(personal_data.decrypt(conversation.secrets_encrypted))
    return loaded if isinstance(loaded, dict) else {}


def _language(inbound: Inbound, text: str, guessed: str, conversation: Conversation) -> str:
    """A message of two words or fewer ("ya", "3", "jam 9") is too short to tell: it
    keeps the conversation's language, or the page's if it is the first; so does one in
    the middle of a flow. Otherwise the message's own language is the reply's."""
    short = len(text.split()) <= 2
    if conversation.last_inbound_at is None:
        return inbound.language if short and inbound.language in ("id", "en") else guessed
    if conversation.state.get("flow") or short:
        return conversation.language
    return guessed


def _limit(inbound: Inbound, conversation: Conversation) -> str:
    """Count the message against the citizen's limit; the key the skills' own limits
    (holds, codes, look-ups, complaints) count by. A chat's or number's own hash; on the
    web and the API the client's address, since a new conversation is free to start."""
    own = conversation.user_hash or personal_data.keyed_hash(f"assistant:{conversation.token}")
    rate_limit(None, group="assistant-user", key=own, rate=settings.GILIRAN_RATE_ASSISTANT_PER_USER)
    return inbound.client_key or own


def _seen_before(inbound: Inbound, now: datetime) -> bool:
    if not inbound.external_id:
        return False
    try:
        with transaction.atomic():
            InboundReceipt.objects.create(
                channel=inbound.channel, external_id=inbound.external_id[:128], received_at=now
            )
    except IntegrityError:
        return True
    return False


def _route(said: Said) -> Answer:
    """The skill that answers `said`: the flow in progress, unless the citizen leaves
    it; the intent's skill; or, when the model is unsure, a request to rephrase (the
    second in a row hands the conversation to a person)."""
    words = said.text.strip().lower()
    if said.flow:
        if words in FLOW_EXITS:
            said.flow_end()
            return Answer(_("All right, I stopped that. What else can I help you with?"))
        # A complaint's own description reads as `complaint`: the flow it is in goes on.
        breaks = (
            said.intent in FLOW_BREAKERS
            and said.intent != said.flow
            and said.confidence >= BREAK_CONFIDENCE
        )
        step = skill_for_flow(said.flow)
        if step is not None and not breaks:
            return step(said)
        said.flow_end()
    low = said.confidence < settings.GILIRAN_ASSISTANT_MIN_CONFIDENCE
    if low and said.intent != "human":
        said.conversation.low_confidence_turns += 1
        ReviewItem.objects.create(
            text=mask_personal(said.text),
            language=said.language,
            guessed_intent=said.intent,
            confidence=said.confidence,
            created_at=said.now,
        )
        if said.conversation.low_confidence_turns >= 2:
            return handoff_start(said, reason="low_confidence")
        return Answer(
            _(
                "Sorry, I did not understand that. You can ask about requirements, opening "
                "hours, fees, a booking, your queue number or a complaint."
            ),
            suggestions=menu(),
        )
    said.conversation.low_confidence_turns = 0
    skill = skill_for_intent(said.intent) or skill_for_intent(FALLBACK_INTENT)
    assert skill is not None, "out_of_scope has a skill"
    return skill(said)


def _empty_reply() -> Answer:
    return Answer(_("Please write your question in words."), suggestions=menu())


def message_receive(inbound: Inbound, *, now: datetime | None = None) -> Reply | None:
    """Answer one message from a citizen; None when the platform delivered this message
    before (`external_id`), in which case nothing is done again. Raises ApplicationError
    (429) when the citizen is over their limit."""
    now = now or timezone.now()
    if inbound.channel not in Channel.values:
        raise ValueError(f"unknown channel {inbound.channel!r}")
    # Control characters go before anything reads the text: a NUL reaching a query is a
    # PostgreSQL error.
    text = printable(inbound.text or "")[:MAX_CHARS]
    with transaction.atomic():
        if _seen_before(inbound, now):
            return None
        conversation = conversation_for(inbound, now=now)
        limit_key = _limit(inbound, conversation)
        reader = _READERS.get(inbound.channel)
        if reader is None:
            guess = intent_of(text)
            language = _language(inbound, text, guess.language, conversation)
        else:
            intent, read_language = reader.guess(text)
            guess = IntentGuess(intent, 1.0, read_language or conversation.language)
            language = guess.language
        said_office = _office_of(conversation)
        zone = said_office.timezone if said_office else None
        said = Said(
            text=text,
            intent=guess.intent,
            confidence=guess.confidence,
            language=language,
            entities=entities_in(text, now=now, zone=zone),
            now=now,
            conversation=conversation,
            channel=inbound.channel,
            address=inbound.user,
            limit_key=limit_key,
            state=dict(conversation.state),
            secrets=_secrets(conversation),
        )
        with translation.override(language):
            if conversation.handoff == Handoff.WAITING and text.strip().lower() in FLOW_EXITS:
                # Nobody has taken it yet: the citizen may take it back.
                conversation.handoff = Handoff.CLOSED
                answer = Answer(
                    _("All right, I stopped that. What else can I help you with?"),
                    suggestions=menu(),
                )
            elif conversation.handoff in OPEN_HANDOFFS:
                answer = Answer(_("Your message has been passed on; a person will answer here."))
            elif not clean(text) and reader is None:
                answer = _empty_reply()
            else:
                try:
                    with transaction.atomic():
                        answer = reader.skill(said) if reader else _route(said)
                except ApplicationError as refusal:
                    # A service's refusal is the answer: what the page would have shown.
                    # Whatever the skill changed before it is undone with it.
                    answer = Answer(str(refusal.message))
            reply_text = str(answer.text)
        Turn.objects.create(
            conversation=conversation,
            author=Author.CITIZEN,
            text=SECRET_MASK if said.private_input else (mask_personal(text) or "…"),
            intent=guess.intent,
            confidence=guess.confidence,
            created_at=now,
        )
        conversation.language = language
        conversation.state = said.state
        conversation.secrets_encrypted = (
            personal_data.encrypt(json.dumps(said.secrets)) if said.secrets else ""
        )
        conversation.last_message_at = now
        conversation.last_inbound_at = now
        conversation.save(
            update_fields=[
                "language",
                "state",
                "secrets_encrypted",
                "last_message_at",
                "last_inbound_at",
                "low_confidence_turns",
                "office",
                "handoff",
                "handoff_at",
                "handoff_due_at",
            ]
        )
        stored = reply_text.replace(answer.secret, SECRET_MASK) if answer.secret else reply_text
        turn = Turn.objects.create(
            conversation=conversation,
            author=Author.ASSISTANT,
            text=stored,
            suggestions=[s.as_dict() for s in answer.suggestions],
            created_at=now,
        )
        if conversation.channel in OUTBOX_CHANNELS:
            reply_queue(turn=turn, address=inbound.user, secret=answer.secret)
    return Reply(
        conversation=conversation.token,
        intent=said.intent,
        confidence=said.confidence,
        language=language,
        text=reply_text,
        suggestions=tuple(answer.suggestions),
        actions=tuple(answer.actions),
        turn=turn.pk,
    )
