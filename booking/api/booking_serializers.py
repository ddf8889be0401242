from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from booking.models import Booking, Channel, PriorityGroup
from booking.tokens import manage_token
from core.contacts import mask_email, mask_phone
from core.nik import NIK_PATTERN
from core.timezones import zone_abbreviation


class WindowSerializer(serializers.Serializer):
    first_day = serializers.DateField()
    last_day = serializers.DateField()
    next_day_opens_at = serializers.DateTimeField()


class DaySerializer(serializers.Serializer):
    date = serializers.DateField(source="day")
    status = serializers.ChoiceField(
        choices=["available", "full", "closed", "not_open_yet", "unavailable"]
    )
    free = serializers.IntegerField()
    reason = serializers.CharField(help_text="Why a day is closed, in the request's language.")
    opens_at = serializers.DateTimeField(
        allow_null=True, help_text="When a day not yet open opens for booking."
    )


class SummarySerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=["available", "full", "not_open_yet", "unavailable"],
        help_text="What the days add up to: available (a day has places), full (a day "
        "inside the booking window has none left), not_open_yet (none can be booked now "
        "but some will be: see opens_at), unavailable (closed, past or too soon).",
    )
    first_day_to_open = serializers.DateField(
        allow_null=True, help_text="not_open_yet: the first of the days to open for booking."
    )
    opens_at = serializers.DateTimeField(
        allow_null=True, help_text="not_open_yet: when that day opens for booking."
    )


NEXT_FREE_HELP = (
    "Full or unavailable: the next day at this office with free places (null when none, "
    "and always null when something is available or the days have not opened yet)."
)
NEARBY_HELP = (
    "Full or unavailable with no free day here (or the one day asked for is full): other "
    "offices with free places for the service, nearest first, at most GILIRAN_NEARBY_MAX_KM "
    "away (50 km by default); empty when none is that near."
)


class TimeSerializer(serializers.Serializer):
    slot = serializers.IntegerField(source="slot_id")
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    free = serializers.IntegerField()


class NearbySerializer(serializers.Serializer):
    office = serializers.CharField(source="office.code")
    name = serializers.CharField(source="office.name")
    distance_km = serializers.FloatField()
    first_free_day = serializers.DateField()


class ReleaseSerializer(serializers.Serializer):
    opens_at = serializers.DateTimeField(help_text="The next release moment.")
    first_day = serializers.DateField(help_text="The first day it opens.")
    last_day = serializers.DateField(help_text="The last day it opens (the same day, day by day).")
    pattern = serializers.ChoiceField(choices=["rolling", "monthly"])
    allocation = serializers.ChoiceField(
        choices=["first_come", "ballot"],
        help_text="first_come: through the waiting room when it is on; ballot: entries "
        "before the release, drawn at it.",
    )
    waiting_room_opens_at = serializers.DateTimeField(
        allow_null=True, help_text="When the waiting room opens before it (null: none)."
    )
    waiting_room_open = serializers.BooleanField(
        help_text="A waiting room is open now: holds need its admission."
    )
    waiting_room = serializers.CharField(help_text="The open room's page; empty when none.")
    ballot = serializers.CharField(
        help_text="The ballot's page when a ballot gives the places; empty otherwise. Its "
        "API: /api/v1/offices/{office}/services/{service}/ballot/."
    )


class MonthSerializer(serializers.Serializer):
    office = serializers.CharField()
    service = serializers.CharField()
    timezone = serializers.CharField()
    window = WindowSerializer()
    days = DaySerializer(many=True)
    summary = SummarySerializer()
    next_free_day = serializers.DateField(allow_null=True, help_text=NEXT_FREE_HELP)
    nearby = NearbySerializer(many=True, help_text=NEARBY_HELP)
    release = ReleaseSerializer()


class DaySlotsSerializer(serializers.Serializer):
    date = serializers.DateField()
    status = serializers.CharField()
    reason = serializers.CharField()
    opens_at = serializers.DateTimeField(
        allow_null=True, help_text="When a day not yet open opens for booking."
    )
    times = TimeSerializer(many=True)
    next_free_day = serializers.DateField(allow_null=True, help_text=NEXT_FREE_HELP)
    nearby = NearbySerializer(many=True, help_text=NEARBY_HELP)


@extend_schema_field(
    {
        "type": "string",
        "pattern": NIK_PATTERN,
        "writeOnly": True,
        "description": "16 digits: region, date of birth (day + 40 for women), sequence.",
    }
)
class NikField(serializers.CharField):
    """The NIK as the schema declares it: digits only (the web form also takes spaces;
    the API says exactly what it accepts). normalize_nik checks the rest."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(max_length=16, write_only=True, **kwargs)  # type: ignore[arg-type]

    def to_internal_value(self, data: Any) -> str:
        value = super().to_internal_value(data)
        if not value.isascii() or not value.isdigit():
            raise serializers.ValidationError(_("A NIK has exactly 16 digits."))
        return value


class HoldRequestSerializer(serializers.Serializer):
    slot = serializers.IntegerField(min_value=1)
    full_name = serializers.CharField(max_length=200)
    nik = NikField()
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
    email = serializers.CharField(max_length=254, required=False, allow_blank=True, default="")
    channel = serializers.ChoiceField(choices=Channel.choices)
    priority_group = serializers.ChoiceField(
        choices=PriorityGroup.choices, required=False, default=""
    )
    language = serializers.ChoiceField(choices=["id", "en"], required=False, default="id")


class HoldSerializer(serializers.Serializer):
    hold_token = serializers.CharField(
        help_text="Secret: use it to confirm; expires with the hold."
    )
    expires_at = serializers.DateTimeField(source="releases_at")
    slot = serializers.IntegerField(source="slot_id")
    starts_at = serializers.DateTimeField(source="slot.starts_at")
    code_sent_to = serializers.SerializerMethodField()

    def get_code_sent_to(self, booking: Booking) -> str:
        return (
            mask_email(booking.email)
            if booking.channel == Channel.EMAIL
            else mask_phone(booking.phone)
        )


class CodeSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=12)


class LookupSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=20)
    secret = serializers.CharField(
        max_length=254,
        help_text="Last 4 digits of the NIK, or the phone or email the booking was made with.",
    )


class RescheduleSerializer(serializers.Serializer):
    slot = serializers.IntegerField(min_value=1)


class BookingSerializer(serializers.ModelSerializer):
    office = serializers.CharField(source="slot.office_service.office.code")
    office_name = serializers.CharField(source="slot.office_service.office.name")
    service = serializers.CharField(source="service.code")
    service_name = serializers.CharField(source="service.name")
    starts_at = serializers.DateTimeField(source="slot.starts_at")
    ends_at = serializers.DateTimeField(source="slot.ends_at")
    timezone = serializers.CharField(source="slot.office_service.office.timezone")
    zone = serializers.SerializerMethodField()
    nik = serializers.CharField(source="masked_nik", help_text="Masked: ************1234.")
    phone = serializers.SerializerMethodField()
    email = serializers.SerializerMethodField()
    requirements = serializers.ListField(
        child=serializers.CharField(), source="service.requirements"
    )
    reschedules_left = serializers.SerializerMethodField()
    usable = serializers.BooleanField(
        read_only=True,
        help_text=(
            "Whether the citizen can still take this booking to the office (only a "
            "confirmed one). When false, show no QR code, check-in or calendar event: the "
            "booking was cancelled, checked in or missed."
        ),
    )

    class Meta:
        model = Booking
        fields = [
            "code",
            "status",
            "office",
            "office_name",
            "service",
            "service_name",
            "starts_at",
            "ends_at",
            "timezone",
            "zone",
            "full_name",
            "nik",
            "phone",
            "email",
            "channel",
            "priority_group",
            "requirements",
            "reschedules_left",
            "usable",
            "cancelled_at",
        ]

    def get_zone(self, booking: Booking) -> str:
        return zone_abbreviation(booking.slot.office_service.office.timezone)

    def get_phone(self, booking: Booking) -> str:
        return mask_phone(booking.phone)

    def get_email(self, booking: Booking) -> str:
        return mask_email(booking.email)

    def get_reschedules_left(self, booking: Booking) -> int:
        if not booking.usable:
            return 0
        return max(0, booking.slot.office_service.max_reschedules - booking.reschedule_count)


class RescheduledBookingSerializer(BookingSerializer):
    manage_token = serializers.SerializerMethodField(
        help_text="The new manage token: moving the booking ended the old one."
    )

    class Meta(BookingSerializer.Meta):
        fields = [*BookingSerializer.Meta.fields, "manage_token"]

    def get_manage_token(self, booking: Booking) -> str:
        return manage_token(booking)


class ManagedBookingSerializer(serializers.Serializer):
    booking = BookingSerializer()
    manage_token = serializers.CharField(
        help_text="Send as 'Authorization: Bearer …' to manage the booking."
    )
