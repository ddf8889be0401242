"""Booking API for chatbots and apps: availability, hold, code, confirm, and managing a
booking with the token returned on confirmation or lookup. Thin: every decision is in
booking.services and booking.selectors."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.http import Http404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from booking.api import booking_serializers as s
from booking.models import Booking, BookingStatus, Source
from booking.selectors import availability
from booking.selectors.alternatives import alternatives
from booking.services import booking as booking_services
from booking.services import flows
from booking.tokens import booking_for_token, booking_id_from_token, manage_token
from booking.views.booking_flow import offered_or_404
from core.challenge import SOLUTION_HEADER, TOKEN_HEADER
from core.dates import parse_day, parse_month
from core.idempotency import IDEMPOTENCY_KEY_SCHEMA, idempotent, resource_response
from offices.models import Office, OfficeService
from releases.api import ADMISSION_HEADER, TICKET_HEADER, WAITING_ROOM_HEADERS
from releases.outlook import release_outlook

IDEMPOTENCY = OpenApiParameter(
    "Idempotency-Key",
    IDEMPOTENCY_KEY_SCHEMA,
    OpenApiParameter.HEADER,
    required=False,
    description="Any unique string (≤100 characters): a retry with the same key, credential and "
    "body returns the current state of what the first request made, without acting twice.",
)
BEARER = OpenApiParameter(
    "Authorization",
    str,
    OpenApiParameter.HEADER,
    required=True,
    description="'Bearer <manage_token>' from confirm or lookup.",
)
CHALLENGE_HEADERS = [
    OpenApiParameter(
        TOKEN_HEADER,
        str,
        OpenApiParameter.HEADER,
        required=False,
        description="The token of a challenge from a challenge_required answer (429).",
    ),
    OpenApiParameter(
        SOLUTION_HEADER,
        str,
        OpenApiParameter.HEADER,
        required=False,
        description="Its solution: the proof-of-work number, or 'wait' after wait_seconds.",
    ),
]
MONTH = OpenApiParameter(
    "month",
    str,
    description="YYYY-MM; default: the month of the first bookable day.",
    pattern=r"^\d{4}-\d{2}$",
)

DAY = OpenApiParameter(
    "day",
    OpenApiTypes.DATE,
    OpenApiParameter.PATH,
    description="YYYY-MM-DD, from the first of this month "
    "to the end of the month after the last bookable day.",
)


def office_time(office: Office) -> Any:
    """Times in API answers carry the office's own UTC offset (+07:00 WIB, +08:00 WITA,
    +09:00 WIT), which is what a chatbot should read out."""
    return timezone.override(office.zone)


def api_caller(request: Request) -> flows.Caller:
    """The request, with the answer to a challenge from its headers."""
    return flows.Caller(
        request,
        challenge_token=request.headers.get(TOKEN_HEADER, "")[:2000],
        challenge_solution=request.headers.get(SOLUTION_HEADER, "")[:40],
        admission=request.headers.get(ADMISSION_HEADER, "")[:500],
        ticket=request.headers.get(TICKET_HEADER, "")[:500],
    )


def _booking_response(serializer: type, booking: Booking, code: int = 200) -> Response:
    with office_time(booking.slot.office_service.office):
        return Response(serializer(booking).data, status=code)


def _managed_response(booking: Booking) -> Response:
    with office_time(booking.slot.office_service.office):
        body = s.ManagedBookingSerializer(
            {"booking": booking, "manage_token": manage_token(booking)}
        ).data
    return resource_response(Response(body), booking.pk)


def _booking(pk: str) -> Booking | None:
    return (
        Booking.objects.select_related(
            "slot__office_service__office", "slot__office_service__service"
        )
        .filter(pk=int(pk) if pk.isdigit() else 0)
        .first()
    )


def _valid(serializer_class: type, request: Request) -> dict[str, Any]:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class MonthAvailability(APIView):
    error_statuses = (400,)

    @extend_schema(
        parameters=[MONTH], responses=s.MonthSerializer, summary="Days of a month with free places"
    )
    def get(self, request: Request, office: str, service: str) -> Response:
        office_service = offered_or_404(office, service)
        now = timezone.now()
        window = availability.booking_window(office_service, now)
        first, last = availability.calendar_range(office_service, now)
        raw = request.query_params.get("month", "")
        month = (
            parse_month(raw, field="month", first=first, last=last)
            if raw
            else window.first_day.replace(day=1)
        )
        days = availability.month_availability(office_service, month.year, month.month, now)
        body = {
            "office": office,
            "service": service,
            "timezone": office_service.office.timezone,
            "window": window,
            "days": days,
            **_outlook(office_service, days, now),
            "release": release_outlook(office_service, now),
        }
        with office_time(office_service.office):
            return Response(s.MonthSerializer(body).data)


def _outlook(
    office_service: OfficeService, days: list[availability.DayAvailability], now: datetime
) -> dict[str, object]:
    """The page's rule for the API: what these days add up to, when they open if they
    have not yet, and where there is room if they are full (nothing when they are not)."""
    summary = availability.days_summary(days)
    if summary.status == "full":
        flows.release_sold_out_check(office_service=office_service, now=now)
    found = alternatives(office_service, days, now)
    return {
        "summary": summary,
        "next_free_day": found.next_free_day if found else None,
        "nearby": found.nearby if found else [],
    }


class DayAvailability(APIView):
    error_statuses = (400,)

    @extend_schema(
        operation_id="availability_day",
        responses=s.DaySlotsSerializer,
        summary="Times of a day",
        parameters=[DAY],
    )
    def get(self, request: Request, office: str, service: str, day: str) -> Response:
        office_service = offered_or_404(office, service)
        now = timezone.now()
        first, last = availability.calendar_range(office_service, now)
        chosen = parse_day(day, field="day", first=first, last=last)
        status_ = availability.days_availability(office_service, chosen, chosen, now)[0]
        body = {
            "date": chosen,
            "status": status_.status,
            "reason": status_.reason,
            "opens_at": status_.opens_at,
            "times": availability.day_slots(office_service, chosen, now),
            **_outlook(office_service, [status_], now),
        }
        with office_time(office_service.office):
            return Response(s.DaySlotsSerializer(body).data)


class HoldCreate(APIView):
    error_statuses = (403, 404, 409, 410, 422, 429)

    @extend_schema(
        request=s.HoldRequestSerializer,
        responses={201: s.HoldSerializer},
        parameters=[IDEMPOTENCY, *CHALLENGE_HEADERS, *WAITING_ROOM_HEADERS],
        summary="Hold a time and send the one-time code",
        description=(
            f"The place is held for {settings.GILIRAN_HOLD_MINUTES} min (GILIRAN_HOLD_MINUTES) "
            f"and the code works for {settings.GILIRAN_CODE_MINUTES} min (GILIRAN_CODE_MINUTES)."
        ),
    )
    @idempotent
    def post(self, request: Request) -> Response:
        data = _valid(s.HoldRequestSerializer, request)
        slot_id = data.pop("slot")
        details = booking_services.details_clean(**data)
        booking = flows.booking_start(
            caller=api_caller(request), slot_id=slot_id, details=details, source=Source.API
        )
        response = _booking_response(s.HoldSerializer, booking, status.HTTP_201_CREATED)
        return resource_response(response, booking.pk)

    def replay(self, request: Request, resource: str, status: int) -> Response | None:
        """The same body (NIK and all) proves the caller as the first time did."""
        booking = _booking(resource)
        if booking is None or booking.status != BookingStatus.HELD or not booking.hold_token:
            return None
        return _booking_response(s.HoldSerializer, booking, status)


def _hold(token: str) -> Booking:
    booking = (
        Booking.objects.select_related(
            "slot__office_service__office", "slot__office_service__service", "service"
        )
        .filter(hold_token=token)
        .first()
    )
    if booking is None:
        raise Http404  # confirmed (the token is spent), expired long ago, or never issued
    return booking


class HoldCode(APIView):
    error_statuses = (409, 410, 429)

    @extend_schema(
        request=None, responses={202: s.HoldSerializer}, summary="Send a new one-time code"
    )
    def post(self, request: Request, token: str) -> Response:
        booking = _hold(token)
        flows.code_resend(caller=api_caller(request), booking=booking)
        return _booking_response(s.HoldSerializer, booking, status.HTTP_202_ACCEPTED)


class HoldConfirm(APIView):
    error_statuses = (409, 410, 422, 429)

    @extend_schema(
        request=s.CodeSerializer,
        responses=s.ManagedBookingSerializer,
        parameters=[IDEMPOTENCY],
        summary="Confirm a hold with its one-time code",
    )
    @idempotent
    def post(self, request: Request, token: str) -> Response:
        data = _valid(s.CodeSerializer, request)
        booking = booking_services.code_verify(booking=_hold(token), code=data["code"])
        return _managed_response(booking)

    def replay(self, request: Request, resource: str, status: int, token: str) -> Response | None:
        """The hold token (in the path) and the code (in the body) prove the caller as
        the first time did; a fresh manage token is minted for the booking as it is."""
        booking = _booking(resource)
        if booking is None or booking.status != BookingStatus.CONFIRMED:
            return None
        return _managed_response(booking)


class BookingLookup(APIView):
    error_statuses = (404, 429)

    @extend_schema(
        request=s.LookupSerializer, responses=s.ManagedBookingSerializer, summary="Find a booking"
    )
    def post(self, request: Request) -> Response:
        data = _valid(s.LookupSerializer, request)
        booking = flows.booking_lookup(
            caller=flows.Caller(request), code=data["code"], secret=data["secret"]
        )
        if booking is None:
            raise Http404
        return _managed_response(booking)


def _bearer(request: Request) -> str:
    scheme, _sep, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def _managed(request: Request, code: str) -> Booking:
    """The booking named in the URL, if the bearer token is valid and current for it;
    404 otherwise, so the API does not tell which codes exist."""
    booking = booking_for_token(_bearer(request), code=code)
    if booking is None:
        raise Http404
    return booking


def _changed(booking: Booking) -> str:
    """What a change returns for its replay: the booking and the version it left."""
    return f"{booking.pk}:{booking.manage_token_version}"


def _replayed_change(request: Request, code: str, resource: str) -> Booking | None:
    """Authorize a replayed change as the first request was: the same bearer token
    (the key's scope includes it), still signed for this booking and unexpired. The
    change itself ended that token's version, so the version checked is the one the
    change left: if anything happened to the booking since, the replay is refused."""
    booking_id = booking_id_from_token(_bearer(request))
    pk, _sep, version = resource.partition(":")
    if booking_id is None or str(booking_id) != pk:
        raise Http404
    booking = _booking(pk)
    if booking is None or booking.code != code.upper():
        raise Http404
    return booking if str(booking.manage_token_version) == version else None


class BookingDetail(APIView):
    error_statuses = ()

    @extend_schema(parameters=[BEARER], responses=s.BookingSerializer, summary="A booking")
    def get(self, request: Request, code: str) -> Response:
        return _booking_response(s.BookingSerializer, _managed(request, code))


class BookingCancel(APIView):
    error_statuses = (409, 422)

    @extend_schema(
        request=None,
        parameters=[BEARER, IDEMPOTENCY],
        responses=s.BookingSerializer,
        summary="Cancel",
    )
    @idempotent
    def post(self, request: Request, code: str) -> Response:
        booking = booking_services.booking_cancel(booking=_managed(request, code))
        return resource_response(_booking_response(s.BookingSerializer, booking), _changed(booking))

    def replay(self, request: Request, resource: str, status: int, code: str) -> Response | None:
        booking = _replayed_change(request, code, resource)
        return _booking_response(s.BookingSerializer, booking, status) if booking else None


class BookingReschedule(APIView):
    error_statuses = (409, 410, 422)

    @extend_schema(
        request=s.RescheduleSerializer,
        parameters=[BEARER, IDEMPOTENCY],
        responses=s.RescheduledBookingSerializer,
        summary="Move to another time of the same office and service",
        description="Moving ends the old manage token; the answer carries a new one.",
    )
    @idempotent
    def post(self, request: Request, code: str) -> Response:
        data = _valid(s.RescheduleSerializer, request)
        booking = booking_services.booking_reschedule(
            booking=_managed(request, code), slot_id=data["slot"]
        )
        response = _booking_response(s.RescheduledBookingSerializer, booking)
        return resource_response(response, _changed(booking))

    def replay(self, request: Request, resource: str, status: int, code: str) -> Response | None:
        booking = _replayed_change(request, code, resource)
        return (
            _booking_response(s.RescheduledBookingSerializer, booking, status) if booking else None
        )
