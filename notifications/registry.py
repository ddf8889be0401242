"""What the outbox knows of the apps that send messages, told by those apps: their
message kinds, what each kind is about, and what each kind needs at delivery. The outbox
imports no such app; each registers here from its `AppConfig.ready()` (by importing its
`messages.py`, as `privacy.py` is imported for core/data_map.py):

    class BookingMessageKind(models.TextChoices):      # value, translated label
        REMINDER_SOON = "reminder_soon", _("Reminder shortly before")

    message_kind_register(
        BookingMessageKind.REMINDER_SOON,
        subject=Booking,                    # what such a message is about (Message.subject)
        relevance=reminder_still_relevant,  # why it no longer applies, checked at delivery
        at_delivery=manage_link,            # context made when it is sent, never stored
    )
    message_subject_register(
        Booking.objects.select_related("slot__office_service__office"),  # a batch's fetch
        search=lambda term: Q(code=term),   # the staff log's search box finds them by code
    )

Two context keys mean something to the transports (set them from `at_delivery`):
"suggestions", a list of {"label", "text"} offered as buttons on chat channels, and
"window_open", whether the citizen wrote within WhatsApp's 24-hour window (free text
then; otherwise the Cloud API sends the approved template).

Queueing a kind nobody registered is a programming error (`UnknownMessageKind`), caught
by the first test that queues it instead of a dead letter in production. See
docs/architecture.md, "Messages" and "How apps talk to a lower layer"."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import Q, QuerySet
from django.utils.functional import Promise

if TYPE_CHECKING:
    from notifications.models import Message

# (filename, content, mimetype), attached to email only.
Attachment = tuple[str, str, str]
# Each hook gets the message and its subject: the row it is about as it is at delivery
# (fetched once for a whole batch), or None if the message is about nothing stored.
RelevanceCheck = Callable[["Message", Any], str | None]
DeliveryContext = Callable[["Message", Any], dict[str, Any]]
Attachments = Callable[["Message", Any], tuple[Attachment, ...]]


# Message.kind's column width: a longer value could not be stored.
KIND_MAX_LENGTH = 24


class UnknownMessageKind(LookupError):
    """A message of a kind no app registered: a programming error, never bad input."""


@dataclass(frozen=True)
class RegisteredKind:
    value: str
    label: str | Promise
    # The model a message of this kind is about; None: about nothing stored.
    subject: type[models.Model] | None = None
    # A reason the message should no longer go out, or None to send it.
    relevance: RelevanceCheck | None = None
    # Context added just before rendering and never stored, such as a signed link
    # (a token in the outbox row would outlive its use in every backup).
    at_delivery: DeliveryContext | None = None
    attachments: Attachments | None = None
    # False for one-time codes: erased from the row once sent, so never sent again.
    resendable: bool = True


@dataclass(frozen=True)
class RegisteredSubject:
    queryset: QuerySet[Any]
    search: Callable[[str], Q] | None = None


_KINDS: dict[str, RegisteredKind] = {}
_SUBJECTS: dict[type[models.Model], RegisteredSubject] = {}


def message_kind_register(
    kind: models.TextChoices,
    *,
    subject: type[models.Model] | None = None,
    relevance: RelevanceCheck | None = None,
    at_delivery: DeliveryContext | None = None,
    attachments: Attachments | None = None,
    resendable: bool = True,
) -> None:
    """Make `kind` (its value and translated label) known to the outbox, with its hooks.

    Call once per kind from the owning app's `ready()`; registering one value again
    with other hooks is a programming error."""
    entry = RegisteredKind(
        value=str(kind.value),
        label=kind.label,
        subject=subject,
        relevance=relevance,
        at_delivery=at_delivery,
        attachments=attachments,
        resendable=resendable,
    )
    if len(entry.value) > KIND_MAX_LENGTH:
        raise ValueError(f"message kind {entry.value!r} is longer than {KIND_MAX_LENGTH}")
    if _KINDS.get(entry.value, entry) != entry:
        raise ValueError(f"message kind {entry.value!r} is registered twice, differently")
    _KINDS[entry.value] = entry


def message_subject_register(
    queryset: QuerySet[Any], *, search: Callable[[str], Q] | None = None
) -> None:
    """How the outbox fetches messages' subjects of `queryset.model` (a batch at a time,
    with what the kinds' hooks read), and how a search term finds them (`search`: a
    search term, spaces removed and upper-cased, to a filter on that model)."""
    _SUBJECTS[queryset.model] = RegisteredSubject(queryset=queryset, search=search)


def message_kind(value: str) -> RegisteredKind:
    try:
        return _KINDS[value]
    except KeyError:
        raise UnknownMessageKind(
            f"no app registered the message kind {value!r} (notifications/registry.py)"
        ) from None


def message_kind_hooks(value: str) -> RegisteredKind:
    """The kind's hooks at delivery; none for a kind no longer registered (a row queued
    by an app since removed), which is then only rendered and sent."""
    return _KINDS.get(value) or RegisteredKind(value=value, label=value)


def message_kind_label(value: str) -> str:
    """The kind's name in the active language; the raw value if nobody registered it."""
    entry = _KINDS.get(value)
    return str(entry.label) if entry else value


def message_kind_choices() -> list[tuple[str, str]]:
    """Every registered kind as (value, label in the active language), in the order
    the apps registered them."""
    return [(entry.value, str(entry.label)) for entry in _KINDS.values()]


def message_subject_queryset(model: type[models.Model]) -> QuerySet[Any]:
    registered = _SUBJECTS.get(model)
    return registered.queryset.all() if registered else model._default_manager.all()


def message_subject_searches() -> list[tuple[type[models.Model], Callable[[str], Q]]]:
    return [(model, entry.search) for model, entry in _SUBJECTS.items() if entry.search]
