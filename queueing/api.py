"""Queue API: citizens take a number, follow it and leave; kiosks check in; counters
act (staff session, office scope); the board reads its feed."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from booking.models import PriorityGroup
from core.errors import ApplicationError
from core.ratelimit import client_ip, rate_limit
from offices.models import Counter, Office, OfficeService, Role
from offices.permissions import require_office_role
from queueing import kiosks
from queueing.models import CounterState, Ticket, TicketSource
from queueing.selectors import TicketOutlook, board_calls, ticket_outlook, waiting_counts
from queueing.services.calling import (
    call_next,
    ticket_finish,
    ticket_no_show,
    ticket_park,
    ticket_recall,
    ticket_start,
    ticket_transfer,
)
from queueing.services.check_in import check_in
from queueing.services.citizen import ticket_leave
from queueing.services.counters import counter_set_status, current_ticket
from queueing.services.issue import ticket_issue


class TicketSerializer(serializers.Serializer):
    number = serializers.CharField(source="display_number")
    token = serializers.CharField(
        source="public_token", help_text="Secret: the live ticket page's key."
    )
    office = serializers.CharField(source="office.code")
    service = serializers.CharField(source="office_service.service.code")
    status = serializers.CharField()
    counter = serializers.CharField(source="counter.display_name", allow_null=True, default=None)
    queued_at = serializers.DateTimeField()
    people_ahead = serializers.SerializerMethodField()
    estimate_low_minutes = serializers.SerializerMethodField()
    estimate_high_minutes = serializers.SerializerMethodField()

    def _outlook(self, ticket: Ticket) -> TicketOutlook:
        # The view reads the queue once and passes the outlook; nested use (a counter's
        # current ticket, which is not waiting) computes it, at no cost.
        return self.context.get("outlook") or ticket_outlook(ticket, timezone.now())

    def get_people_ahead(self, ticket: Ticket) -> int | None:
        return self._outlook(ticket).ahead

    def get_estimate_low_minutes(self, ticket: Ticket) -> int | None:
        estimate = self._outlook(ticket).estimate
        return estimate.low_minutes if estimate else None

    def get_estimate_high_minutes(self, ticket: Ticket) -> int | None:
        estimate = self._outlook(ticket).estimate
        return estimate.high_minutes if estimate else None


class TakeNumberSerializer(serializers.Serializer):
    service = serializers.CharField(max_length=40)
    priority_group = serializers.ChoiceField(
        choices=PriorityGroup.choices, required=False, default=""
    )


class CheckInSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=20)


class TransferSerializer(serializers.Serializer):
    service = serializers.CharField(max_length=40)


class BoardCallSerializer(serializers.Serializer):
    number = serializers.CharField()
    counter = serializers.CharField()
    counter_number = serializers.IntegerField()
    called_at = serializers.DateTimeField()


class CounterSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="counter.pk")
    name = serializers.CharField(source="counter.display_name")
    status = serializers.CharField(source="state.status")
    current = TicketSerializer(allow_null=True)
    waiting = serializers.DictField(
        child=serializers.IntegerField(), help_text="Waiting tickets per service code."
    )


def _ticket_response(ticket: Ticket, status: int = 200) -> Response:
    with timezone.override(ticket.office.zone):
        outlook = ticket_outlook(ticket, timezone.now())
        return Response(TicketSerializer(ticket, context={"outlook": outlook}).data, status=status)


def _office(code: str) -> Office:
    return get_object_or_404(Office, code=code, is_active=True)


class TakeNumber(APIView):
    error_statuses = (404, 409, 429)

    @extend_schema(
        request=TakeNumberSerializer,
        responses={201: TicketSerializer},
        summary="Take a same-day number",
    )
    def post(self, request: Request, office: str) -> Response:
        serializer = TakeNumberSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        rate_limit(
            request,
            group="remote-ticket",
            key=client_ip(request),
            rate=settings.GILIRAN_RATE_HOLD_PER_IP,
        )
        office_service = OfficeService.objects.filter(
            office=_office(office), service__code=serializer.validated_data["service"], is_active=True,
            service__accepts_walk_ins=True, remote_walk_in=True,
        ).select_related("office", "service").first()  # fmt: skip
        if office_service is None:
            raise Http404
        ticket = ticket_issue(
            office_service=office_service,
            source=TicketSource.REMOTE,
            priority_group=serializer.validated_data["priority_group"],
            language=getattr(request, "LANGUAGE_CODE", "id"),
        )
        return _ticket_response(ticket, 201)


KIOSK_BEARER = OpenApiParameter(
    "Authorization", str, OpenApiParameter.HEADER, required=True,
    description="'Bearer <device token>' of a kiosk device registered for this office in the admin.",
)  # fmt: skip


class CheckIn(APIView):
    # No session: a kiosk is a device with its own token, not a signed-in person.
    authentication_classes: list[type] = []
    error_statuses = (401, 409, 429)

    @extend_schema(
        request=CheckInSerializer, responses={201: TicketSerializer}, parameters=[KIOSK_BEARER],
        summary="Check in a booking (registered kiosk device)",
    )  # fmt: skip
    def post(self, request: Request, office: str) -> Response:
        # The device first: a caller without one learns nothing, not even the office.
        device = kiosks.kiosk_device_authenticate(
            office_code=office, token=kiosks.bearer_token(request)
        )
        serializer = CheckInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        rate_limit(request, group="kiosk-check-in", key=f"kiosk:{device.pk}",
                   rate=settings.GILIRAN_RATE_CHECK_IN_PER_KIOSK)  # fmt: skip
        ticket = check_in(office=device.office, code=serializer.validated_data["code"])
        return _ticket_response(ticket, 201)


class TicketStatusView(APIView):
    @extend_schema(
        responses=TicketSerializer, summary="A ticket: status, people ahead, estimated wait"
    )
    def get(self, request: Request, token: str) -> Response:
        return _ticket_response(
            get_object_or_404(Ticket.objects.select_related("office"), public_token=token)
        )


class TicketLeave(APIView):
    error_statuses = (409,)

    @extend_schema(request=None, responses=TicketSerializer, summary="Leave the queue")
    def post(self, request: Request, token: str) -> Response:
        ticket = get_object_or_404(Ticket.objects.select_related("office"), public_token=token)
        return _ticket_response(ticket_leave(ticket=ticket))


class BoardFeed(APIView):
    @extend_schema(
        responses=BoardCallSerializer(many=True), summary="Latest calls for the display board"
    )
    def get(self, request: Request, office: str) -> Response:
        place = _office(office)
        with timezone.override(place.zone):
            return Response(BoardCallSerializer(board_calls(place, timezone.now()), many=True).data)


def _counter_body(counter: Counter) -> dict[str, Any]:
    state, _created = CounterState.objects.get_or_create(counter=counter)
    counts = waiting_counts(counter.office, timezone.now())
    codes = dict(
        OfficeService.objects.filter(office=counter.office).values_list("pk", "service__code")
    )
    return {
        "counter": counter,
        "state": state,
        "current": current_ticket(counter),
        "waiting": {codes[pk]: n for pk, n in counts.items() if pk in codes},
    }


class _CounterView(APIView):
    permission_classes = [IsAuthenticated]
    error_statuses = (409,)
    ACTIONS = {
        "next": call_next,
        "recall": ticket_recall,
        "start": ticket_start,
        "finish": ticket_finish,
        "no-show": ticket_no_show,
        "park": ticket_park,
    }

    def _counter(self, request: Request, counter_id: int) -> Counter:
        counter = get_object_or_404(
            Counter.objects.select_related("office"), pk=counter_id, is_active=True
        )
        require_office_role(request.user, counter.office, at_least=Role.CLERK)
        return counter


class CounterAction(_CounterView):
    """A counter: its status, current ticket and waiting counts."""

    @extend_schema(
        responses=CounterSerializer, summary="A counter: status, current ticket, waiting counts"
    )
    def get(self, request: Request, counter_id: int) -> Response:
        counter = self._counter(request, counter_id)
        with timezone.override(counter.office.zone):
            return Response(CounterSerializer(_counter_body(counter)).data)


COUNTER_ACTIONS = [
    "next",
    "recall",
    "start",
    "finish",
    "no-show",
    "park",
    "transfer",
    "open",
    "pause",
    "close",
]


class CounterDo(_CounterView):
    """One action at a counter; `transfer` takes the service code to send the ticket to."""

    @extend_schema(
        request=TransferSerializer, responses=CounterSerializer, summary="Act at a counter",
        parameters=[OpenApiParameter("action", str, OpenApiParameter.PATH, enum=COUNTER_ACTIONS)],
    )  # fmt: skip
    def post(self, request: Request, counter_id: int, action: str) -> Response:
        counter = self._counter(request, counter_id)
        user = request.user
        assert isinstance(user, User)  # IsAuthenticated
        if action in self.ACTIONS:
            self.ACTIONS[action](counter=counter, staff=user)
        elif action in ("open", "pause", "close"):
            counter_set_status(
                counter=counter,
                status={"open": "open", "pause": "paused", "close": "closed"}[action],
                staff=user,
            )
        elif action == "transfer":
            serializer = TransferSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            to = OfficeService.objects.filter(
                office=counter.office, service__code=serializer.validated_data["service"]
            ).first()
            if to is None:
                message = _("Choose a service of this office.")
                raise ApplicationError("invalid", message, fields={"service": [message]})
            ticket_transfer(counter=counter, staff=user, to_service=to)
        else:
            raise Http404
        with timezone.override(counter.office.zone):
            return Response(CounterSerializer(_counter_body(counter)).data)
