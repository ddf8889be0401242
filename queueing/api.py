"""Queue API: citizens take a number, follow it and leave; kiosks check in; counters
act (staff session, office scope); the board reads its feed."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from booking.models import PriorityGroup
from core.errors import ApplicationError
from core.http import AuthenticatedApiRequest
from core.ratelimit import client_ip, rate_limit
from offices.models import Counter, Office, OfficeService
from queueing import kiosks
from queueing.models import Ticket, TicketSource
from queueing.selectors import (
    TicketOutlook,
    board_calls,
    counter_console,
    staff_counter,
    ticket_by_number,
    ticket_outlook,
)
from queueing.services.check_in import check_in
from queueing.services.citizen import ticket_leave
from queueing.services.counter_actions import (
    CONFIRMED_ACTIONS,
    SERVICE_ACTIONS,
    TICKET_ACTIONS,
    TICKET_ERROR,
    CounterAction,
    counter_act,
)
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


class CounterActSerializer(serializers.Serializer):
    """What an action names; each action reads only its own fields (see `action`)."""

    ticket = serializers.CharField(
        max_length=12,
        required=False,
        allow_blank=True,
        default="",
        help_text="call, unpark: a ticket's number as shown, e.g. A-023 (today's, this "
        "office); no-show, recall (optional): the ticket confirmed, refused if it is no longer "
        "the counter's current ticket.",
    )
    service = serializers.CharField(
        max_length=40,
        required=False,
        allow_blank=True,
        default="",
        help_text="transfer, issue: a service's code.",
    )
    priority_group = serializers.ChoiceField(
        choices=PriorityGroup.choices,
        required=False,
        default="",
        help_text="issue: the citizen's priority group, if any.",
    )
    code = serializers.CharField(
        max_length=20,
        required=False,
        allow_blank=True,
        default="",
        help_text="check-in: the booking code.",
    )
    confirm = serializers.BooleanField(
        required=False,
        default=False,
        help_text="no-show, and recall past the office's recall limit (which is a no-show): "
        "true to confirm. Without it nothing changes and the answer is 409 "
        "`confirm_required`, whose `ticket` names the ticket to confirm.",
    )


class BoardCallSerializer(serializers.Serializer):
    number = serializers.CharField()
    counter = serializers.CharField()
    counter_number = serializers.IntegerField()
    called_at = serializers.DateTimeField()


class QueuedTicketSerializer(serializers.Serializer):
    number = serializers.CharField(source="display_number")
    service = serializers.CharField(source="office_service.service.code")
    priority_group = serializers.CharField()
    queued_at = serializers.DateTimeField()


class CounterSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="counter.pk")
    name = serializers.CharField(source="counter.display_name")
    status = serializers.CharField(
        source="state.status", help_text="open, paused or closed (a counter never opened)."
    )
    current = TicketSerializer(allow_null=True)
    waiting = serializers.DictField(
        child=serializers.IntegerField(),
        help_text="Waiting tickets per service code, for the services this counter serves.",
    )
    queue = QueuedTicketSerializer(
        many=True, help_text="The first 30 tickets this counter may call, in calling order."
    )
    parked = QueuedTicketSerializer(many=True, help_text="Today's parked tickets.")


class CounterActedSerializer(CounterSerializer):
    ticket = TicketSerializer(
        allow_null=True,
        help_text="The ticket the action called, changed, issued or checked in; null for "
        "open, pause and close, and for next when nobody is waiting.",
    )
    notice = serializers.CharField(
        help_text="A message for the clerk in the request's language, or empty."
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
        office_service = (
            OfficeService.objects.filter(
                office=_office(office),
                service__code=serializer.validated_data["service"],
                is_active=True,
                service__accepts_walk_ins=True,
                remote_walk_in=True,
            )
            .select_related("office", "service")
            .first()
        )
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
    "Authorization",
    str,
    OpenApiParameter.HEADER,
    required=True,
    description="'Bearer <device token>' "
    "of a kiosk device registered for this office in the admin.",
)


class CheckIn(APIView):
    # No session: a kiosk is a device with its own token, not a signed-in person.
    authentication_classes: list[type] = []
    error_statuses = (401, 409, 429)

    @extend_schema(
        request=CheckInSerializer,
        responses={201: TicketSerializer},
        parameters=[KIOSK_BEARER],
        summary="Check in a booking (registered kiosk device)",
    )
    def post(self, request: Request, office: str) -> Response:
        # The device first: a caller without one learns nothing, not even the office.
        device = kiosks.kiosk_device_authenticate(
            office_code=office, token=kiosks.bearer_token(request)
        )
        serializer = CheckInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        rate_limit(
            request,
            group="kiosk-check-in",
            key=f"kiosk:{device.pk}",
            rate=settings.GILIRAN_RATE_CHECK_IN_PER_KIOSK,
        )
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
    """What the console shows, read by the same selector: a counter never opened reads
    as closed, and reading it writes nothing."""
    console = counter_console(counter, timezone.now())
    return {
        "counter": counter,
        "state": console.state,
        "current": console.current,
        "waiting": {os.service.code: n for os, n in console.counts},
        "queue": console.waiting,
        "parked": console.parked,
    }


class CounterDetail(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses=CounterSerializer,
        summary="A counter: status, current ticket, its queue (read-only)",
    )
    def get(self, request: AuthenticatedApiRequest, counter_id: int) -> Response:
        counter = staff_counter(counter_id=counter_id, staff=request.user)
        with timezone.override(counter.office.zone):
            return Response(CounterSerializer(_counter_body(counter)).data)


ACTION_HELP = """What to do; the same actions as the counter console's buttons:

- `open`, `pause`, `close`: the counter's status;
- `next`: call the next waiting ticket this counter may serve (`ticket` is null and
  `notice` says so when nobody is waiting); `call`: call the waiting ticket `ticket`;
- `recall`, `start`, `finish`, `no-show`, `park`: the counter's current ticket; a
  `no-show` needs `confirm: true` (so does a `recall` past the office's recall limit,
  which makes it a no-show), otherwise 409 `confirm_required` and nothing changes;
- `unpark`: the parked ticket `ticket` returns to the queue at its place;
- `transfer`: the current ticket joins the queue of `service`, keeping its time;
- `issue`: a new number for `service` (and `priority_group`), as at the kiosk;
- `check-in`: the booking with code `code` gets its number."""


ACTION = OpenApiParameter(
    "action", str, OpenApiParameter.PATH, enum=CounterAction.values, description=ACTION_HELP
)


def _named_ticket(counter: Counter, number: str) -> Ticket | None:
    """The ticket named by its number; None if none is named (a number naming no ticket
    of today at this office is refused)."""
    if not number:
        return None
    found = ticket_by_number(counter.office, number, timezone.now())
    if found is None:
        raise ApplicationError("invalid", TICKET_ERROR, fields={"ticket": [TICKET_ERROR]})
    return found


def _named_service(counter: Counter, code: str) -> OfficeService | None:
    if not code:
        return None
    found = OfficeService.objects.filter(office=counter.office, service__code=code)
    return found.select_related("office", "service").first()


def _acted_on(ticket: Ticket | None, current: Ticket | None) -> Ticket | None:
    """The ticket an action changed, read with what its answer shows: usually the
    counter's current ticket, already read with it."""
    if ticket is None:
        return None
    if current is not None and current.pk == ticket.pk:
        return current
    return Ticket.objects.select_related("office", "office_service__service", "counter").get(
        pk=ticket.pk
    )


class CounterAct(APIView):
    """One action at a counter (queueing.services.counter_actions.counter_act)."""

    permission_classes = [IsAuthenticated]
    error_statuses = (409,)

    @extend_schema(
        request=CounterActSerializer,
        responses=CounterActedSerializer,
        summary="Act at a counter",
        parameters=[ACTION],
    )
    def post(self, request: AuthenticatedApiRequest, counter_id: int, action: str) -> Response:
        counter = staff_counter(counter_id=counter_id, staff=request.user)
        if action not in CounterAction.values:
            raise Http404
        # An action that names nothing does not read the body: a bare POST does it.
        takes = action in (
            *TICKET_ACTIONS,
            *SERVICE_ACTIONS,
            *CONFIRMED_ACTIONS,
            CounterAction.CHECK_IN,
        )
        serializer = CounterActSerializer(data=request.data if takes else {})
        serializer.is_valid(raise_exception=True)
        sent = serializer.validated_data
        names_ticket = (*TICKET_ACTIONS, *CONFIRMED_ACTIONS)
        outcome = counter_act(
            counter=counter,
            staff=request.user,
            action=action,
            ticket=_named_ticket(counter, sent["ticket"]) if action in names_ticket else None,
            service=_named_service(counter, sent["service"]) if action in SERVICE_ACTIONS else None,
            priority_group=sent["priority_group"],
            code=sent["code"],
            confirm=sent["confirm"],
        )
        body = _counter_body(counter)
        body |= {"ticket": _acted_on(outcome.ticket, body["current"]), "notice": outcome.notice}
        with timezone.override(counter.office.zone):
            return Response(CounterActedSerializer(body).data)
