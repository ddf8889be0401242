"""Tanya Giliran over the API (apps, portals, other chat front ends): a message in, the
assistant's reply out, through the same conversation service and limits as every
other channel."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from assistant.models import Channel, Handoff
from assistant.understanding.normalise import MAX_CHARS
from assistant.web import message_from_client, updates_for_client

TOKEN_MAX_LENGTH = 64
# One character or more: drf-spectacular adds "or empty" to a blank-allowed field with a
# pattern, and a pattern matching "" too would make that oneOf match twice (invalid).
NO_NUL = "^[^\\u0000]+$"


class TextField(serializers.CharField):
    """Text as the schema declares it: a JSON string (DRF would take a number or a
    boolean as its text) without NUL characters (refused, as by every text field)."""

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return str(super().to_internal_value(data))


@extend_schema_field({"type": "string", "maxLength": MAX_CHARS, "pattern": NO_NUL})
class MessageTextField(TextField):
    pass


@extend_schema_field({"type": "string", "maxLength": TOKEN_MAX_LENGTH, "pattern": NO_NUL})
class TokenField(TextField):
    pass


class MessageSerializer(serializers.Serializer):
    text = MessageTextField(
        max_length=MAX_CHARS,
        allow_blank=True,
        error_messages={"max_length": _("Write at most {max_length} characters.")},
        help_text="The citizen's message, in Indonesian or English; at most 1000 characters "
        "after leading and trailing spaces are removed. An empty message is answered with "
        "a request to write the question in words.",
    )
    conversation = TokenField(
        max_length=TOKEN_MAX_LENGTH,
        required=False,
        default="",
        allow_blank=True,
        help_text="The token a previous reply returned, to continue that conversation. "
        "Omitted, unknown or expired: a new conversation starts and the reply carries its "
        "token.",
    )


class SuggestionSerializer(serializers.Serializer):
    # A serializer is a Field, whose stubs type `label` as its own text: this one is a field.
    label = serializers.CharField(help_text="What the button shows.")  # type: ignore[assignment]
    text = serializers.CharField(help_text="What pressing it sends as the next message.")


class ActionSerializer(serializers.Serializer):
    kind = serializers.CharField(
        help_text="booking_held, booking_confirmed, booking_rescheduled, booking_cancelled, "
        "ticket_issued, complaint_filed or handoff."
    )
    reference = serializers.CharField(
        help_text="What the citizen would quote: a booking code, a ticket number, a "
        "tracking number; may be empty."
    )


class ReplySerializer(serializers.Serializer):
    conversation = serializers.CharField(help_text="Send it back with the next message.")
    turn = serializers.IntegerField(
        help_text="The reply's id: after a handoff, ask `/api/v1/assistant/updates/` for "
        "what came after it."
    )
    intent = serializers.CharField(help_text="What the assistant understood, e.g. hours.")
    confidence = serializers.FloatField(help_text="The model's probability of the intent, 0–1.")
    language = serializers.ChoiceField(
        choices=["id", "en"], help_text="The reply's language: the citizen's."
    )
    reply = serializers.CharField(help_text="The answer, plain text.")
    suggestions = SuggestionSerializer(many=True)
    actions = ActionSerializer(many=True)


class MessageCreate(APIView):
    error_statuses = (429,)

    @extend_schema(
        request=MessageSerializer,
        responses={200: ReplySerializer},
        summary="Send a message to Tanya Giliran, the assistant",
        description="Answers in the citizen's language (Indonesian or English, guessed "
        "from the message; a message of one or two words keeps the conversation's "
        "language, at first the Accept-Language one). Limited per conversation "
        "(GILIRAN_RATE_ASSISTANT_PER_USER) and per client address "
        "(GILIRAN_RATE_ASSISTANT_PER_IP): 429 beyond. Markup in the text is kept as "
        "typed, never rendered; personal data in it is masked before it is stored.",
        examples=[
            OpenApiExample(
                "A question",
                value={"text": "jam buka kanim jakarta pusat"},
                request_only=True,
            ),
            OpenApiExample(
                "A reply",
                value={
                    "conversation": "Xq2v7Lk0cR3m9aW5tY8uJ1nB4sD6fG0hK2lZ7xC9vB1",
                    "intent": "hours",
                    "confidence": 0.93,
                    "language": "id",
                    "reply": "Kanim Jakarta Pusat buka Senin–Jumat 08.00–16.00 WIB.",
                    "suggestions": [{"label": "Syarat paspor", "text": "syarat paspor baru"}],
                    "actions": [],
                },
                response_only=True,
                status_codes=["200"],
            ),
        ],
    )
    def post(self, request: Request) -> Response:
        serializer = MessageSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data: dict[str, Any] = dict(serializer.validated_data)
        reply = message_from_client(
            request, channel=Channel.API, text=data["text"], conversation=data["conversation"]
        )
        return Response(reply.as_dict())


class UpdatesSerializer(serializers.Serializer):
    conversation = TokenField(
        max_length=TOKEN_MAX_LENGTH, help_text="The token the conversation's replies carry."
    )
    after = serializers.IntegerField(
        min_value=0,
        help_text="The last turn id the client has shown (a reply's `turn`); 0 for all.",
    )


class TurnSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    author = serializers.ChoiceField(
        choices=["citizen", "assistant", "staff"],
        help_text="Who wrote it; a citizen's own words come back masked.",
    )
    text = serializers.CharField()
    created_at = serializers.DateTimeField()


class UpdatesReplySerializer(serializers.Serializer):
    conversation = serializers.CharField()
    handoff = serializers.ChoiceField(
        choices=Handoff.values,
        help_text="waiting or with_staff: a person is on it, ask again in a few seconds.",
    )
    turns = TurnSerializer(many=True)


class UpdatesList(APIView):
    """What a person (after a handoff) or the assistant wrote after a turn: the REST
    client's way to show a person's replies, as the web chat polls for them. A POST, so
    the conversation's token never sits in a logged URL."""

    error_statuses = (404, 429)

    @extend_schema(
        request=UpdatesSerializer,
        responses={200: UpdatesReplySerializer},
        summary="Turns after a given one (a person's replies after a handoff)",
        description="Poll every few seconds while `handoff` is waiting or with_staff. "
        "Limited per client address (GILIRAN_RATE_ASSISTANT_PER_IP). An unknown or "
        "deleted conversation: 404.",
    )
    def post(self, request: Request) -> Response:
        serializer = UpdatesSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data: dict[str, Any] = dict(serializer.validated_data)
        conversation, turns = updates_for_client(
            request, conversation=data["conversation"], after=data["after"]
        )
        return Response(
            {
                "conversation": conversation.token,
                "handoff": conversation.handoff,
                "turns": [
                    {
                        "id": turn.pk,
                        "author": turn.author,
                        "text": turn.text,
                        "created_at": turn.created_at,
                    }
                    for turn in turns
                ],
            }
        )
