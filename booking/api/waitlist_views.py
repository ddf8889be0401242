"""Waiting-list API: join a full day, then follow, accept or leave the entry with the
secret token returned on joining (the same one the citizen's messages link to)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from booking.api import booking_serializers as s
from booking.api.booking_views import (
    CHALLENGE_HEADERS,
    IDEMPOTENCY,
    _managed_response,
    _valid,
    api_caller,
    office_time,
)
from booking.models import Channel, PriorityGroup, WaitlistEntry, WaitlistStatus
from booking.services import booking as booking_services
from booking.services import waitlist as waitlist_services
from booking.services.flows import hold_limits_check
from booking.views.booking_flow import offered_or_404
from core.idempotency import idempotent, resource_response


class WaitlistJoinSerializer(serializers.Serializer):
    office = serializers.SlugField()
    service = serializers.SlugField()
    date = serializers.DateField()
    full_name = serializers.CharField(max_length=200)
    nik = s.NikField()
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
    email = serializers.CharField(max_length=254, required=False, allow_blank=True, default="")
    channel = serializers.ChoiceField(choices=Channel.choices)  # "none": refused by details_clean
    priority_group = serializers.ChoiceField(
        choices=PriorityGroup.choices, required=False, default=""
    )
    language = serializers.ChoiceField(choices=["id", "en"], required=False, default="id")


class WaitlistEntrySerializer(serializers.ModelSerializer):
    token = serializers.CharField(help_text="Secret: use it to follow, accept or leave.")
    office = serializers.CharField(source="office_service.office.code")
    service = serializers.CharField(source="office_service.service.code")
    date = serializers.DateField(source="local_date")
    position = serializers.SerializerMethodField(
        help_text="1 = first in line; null when not waiting."
    )
    offer_starts_at = serializers.DateTimeField(
        source="offer.slot.starts_at", allow_null=True, default=None
    )
    offer_expires_at = serializers.DateTimeField(
        source="offer.releases_at", allow_null=True, default=None
    )

    class Meta:
        model = WaitlistEntry
        fields = [
            "token",
            "status",
            "office",
            "service",
            "date",
            "position",
            "offer_starts_at",
            "offer_expires_at",
        ]

    def get_position(self, entry: WaitlistEntry) -> int | None:
        if entry.status != WaitlistStatus.WAITING:
            return None
        return waitlist_services.waitlist_position(entry)


def _entry(token: str) -> WaitlistEntry:
    return get_object_or_404(
        WaitlistEntry.objects.select_related(
            "office_service__office", "office_service__service", "offer__slot"
        ),
        token=token,
    )


def _entry_response(entry: WaitlistEntry, code: int = 200) -> Response:
    with office_time(entry.office_service.office):
        return Response(WaitlistEntrySerializer(entry).data, status=code)


class WaitlistJoin(APIView):
    error_statuses = (404, 409, 422, 429)

    @extend_schema(
        request=WaitlistJoinSerializer,
        responses={201: WaitlistEntrySerializer},
        parameters=[IDEMPOTENCY, *CHALLENGE_HEADERS],
        summary="Join the waiting list of a full day",
    )
    @idempotent
    def post(self, request: Request) -> Response:
        data = _valid(WaitlistJoinSerializer, request)
        office_service = offered_or_404(data.pop("office"), data.pop("service"))
        day = data.pop("date")
        details = booking_services.details_clean(**data)
        hold_limits_check(caller=api_caller(request), nik=details.nik)
        entry = waitlist_services.waitlist_join(
            office_service=office_service, day=day, details=details
        )
        return resource_response(_entry_response(entry, status.HTTP_201_CREATED), entry.pk)

    def replay(self, request: Request, resource: str, status: int) -> Response | None:
        """The same body (NIK and all) proves the caller as the first time did."""
        entry = WaitlistEntry.objects.filter(pk=int(resource) if resource.isdigit() else 0)
        found = entry.select_related(
            "office_service__office", "office_service__service", "offer__slot"
        ).first()
        return _entry_response(found, status) if found else None


class WaitlistEntryDetail(APIView):
    error_statuses = ()

    @extend_schema(responses=WaitlistEntrySerializer, summary="A waiting-list entry and its offer")
    def get(self, request: Request, token: str) -> Response:
        return _entry_response(_entry(token))


class WaitlistAccept(APIView):
    error_statuses = (409, 410)

    @extend_schema(
        request=None, responses=s.ManagedBookingSerializer, summary="Book the offered place"
    )
    def post(self, request: Request, token: str) -> Response:
        booking = waitlist_services.waitlist_accept(entry=_entry(token))
        return _managed_response(booking)


class WaitlistLeave(APIView):
    error_statuses = ()

    @extend_schema(
        request=None, responses=WaitlistEntrySerializer, summary="Leave the waiting list"
    )
    def post(self, request: Request, token: str) -> Response:
        return _entry_response(waitlist_services.waitlist_leave(entry=_entry(token)))
