"""The shapes every skill of the assistant shares: one citizen message as understood
(`Said`), what a skill answers (`Answer`, with `Suggestion` buttons and the `Action`s it
took), and the registry that routes an intent, or the next message of a flow in
progress, to its skill.

A skill is a function `Said -> Answer`, registered for the intents it answers
(`@on_intent("hours")`) or for the steps of its flow (`@on_flow("book")`); it runs with
the citizen's language active, so it writes its words with gettext as any view does.
A flow keeps its place in `said.state` (plain JSON, no personal data: it is stored as
is) and what it collects that is personal in `said.secrets` (stored encrypted, and
dropped when the flow ends or the conversation expires). See docs/assistant.md.

A skill runs in a savepoint: an ApplicationError it raises becomes the reply and undoes
what it wrote. So a skill that calls a service which counts an attempt (a wrong code, a
wrong access key) answers the refusal instead of raising it, or the count is undone."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.utils.functional import Promise

from assistant.models import Conversation
from assistant.understanding.entities import Entities


@dataclass(frozen=True)
class Suggestion:
    """A button under the reply: what it shows and what pressing it sends."""

    label: str
    text: str

    def as_dict(self) -> dict[str, str]:
        return {"label": self.label, "text": self.text}


@dataclass(frozen=True)
class Action:
    """Something the assistant did through another app's service, named for clients:
    `booking_held`, `booking_confirmed`, `booking_rescheduled`, `booking_cancelled`,
    `ticket_issued`, `complaint_filed`, `handoff`; `reference` is what the citizen would
    quote (a booking code, a ticket number, a tracking number), never personal data."""

    kind: str
    reference: str = ""

    def as_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "reference": self.reference}


@dataclass
class Answer:
    """A skill's reply. `secret` is a value the citizen sees once in `text` (a
    complaint's access key) and that is never stored: the stored turn has it masked, and
    on channels answered through the outbox it rides in the message's context under the
    key the outbox erases once sent (assistant/outbound.py)."""

    text: str | Promise
    suggestions: list[Suggestion] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)
    secret: str = ""


@dataclass
class Said:
    """One message from a citizen, understood, with the conversation's memory. `text` is
    what they wrote (never stored as is); `address` is where the channel answers them (a
    phone number on WhatsApp and SMS, a chat id on Telegram, empty on web and API)."""

    text: str
    intent: str
    confidence: float
    language: str
    entities: Entities
    now: datetime
    conversation: Conversation
    channel: str
    address: str
    # The key the abuse limits count this citizen by (a keyed hash, never an address).
    limit_key: str
    state: dict[str, Any] = field(default_factory=dict)
    secrets: dict[str, str] = field(default_factory=dict)
    # Set by a skill when the message itself is a secret (a one-time code, an access
    # key): the stored turn then reads "••••" instead of the citizen's words.
    private_input: bool = False

    @property
    def flow(self) -> str:
        return str(self.state.get("flow", ""))

    def flow_start(self, name: str, step: str, **values: Any) -> None:
        self.flow_end()
        self.state.update(flow=name, step=step, **values)

    def flow_end(self) -> None:
        # What the conversation is about stays: "and the fees?" after the hours of an
        # office, "where is my number?" after taking one.
        self.state = {k: v for k, v in self.state.items() if k in REMEMBERED}
        self.secrets = {}


# What a conversation remembers between flows: the office and service it is about, the
# ticket taken in it (codes and ids, no personal data).
REMEMBERED = ("office", "service", "ticket")

# What a stored turn shows in place of a secret.
SECRET_MASK = "••••"  # noqa: S105  (a mask, not a password)

Skill = Callable[[Said], Answer]

_BY_INTENT: dict[str, Skill] = {}
_BY_FLOW: dict[str, Skill] = {}


def on_intent(*intents: str) -> Callable[[Skill], Skill]:
    def register(skill: Skill) -> Skill:
        for intent in intents:
            if _BY_INTENT.setdefault(intent, skill) is not skill:
                raise ValueError(f"intent {intent!r} has two skills")
        return skill

    return register


def on_flow(name: str) -> Callable[[Skill], Skill]:
    def register(skill: Skill) -> Skill:
        if _BY_FLOW.setdefault(name, skill) is not skill:
            raise ValueError(f"flow {name!r} has two skills")
        return skill

    return register


def skill_for_intent(intent: str) -> Skill | None:
    return _BY_INTENT.get(intent)


def skill_for_flow(name: str) -> Skill | None:
    return _BY_FLOW.get(name)
