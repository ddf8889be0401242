"""The catalog as the API shows it: offices, the services they offer, weekly hours."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from offices.models import Office, OfficeService, OpeningHours, Service
from offices.models.catalog import StandardUnit, service_standard_text, split_lines


class ServiceStandardSerializer(serializers.Serializer):
    """The promised completion time: a number and its unit, and the words for them."""

    amount = serializers.IntegerField(
        allow_null=True, help_text="Hours or working days; null for the same day or none."
    )
    unit = serializers.ChoiceField(
        choices=[("", "none published"), *StandardUnit.choices],
        help_text="same_day, hours, working_days, or empty when none is published.",
    )
    text = serializers.CharField(help_text='In the request\'s language, e.g. "3 hari kerja".')


def _standard(amount: int | None, unit: str) -> dict[str, object]:
    return {"amount": amount, "unit": unit, "text": service_standard_text(amount, unit)}


class ServiceSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True, help_text="In the request's language.")
    description = serializers.CharField(read_only=True, help_text="In the request's language.")
    requirements = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text="Documents to bring."
    )
    requirements_id = serializers.SerializerMethodField()
    requirements_en = serializers.SerializerMethodField()
    fee_rupiah = serializers.IntegerField(
        read_only=True,
        allow_null=True,
        help_text="Whole rupiah; 0 when free; null when the fee depends on the case.",
    )
    fee = serializers.CharField(
        read_only=True, help_text='In the request\'s language: "Gratis", "Rp350.000" or "".'
    )
    fee_note = serializers.CharField(read_only=True, help_text="In the request's language.")
    service_standard = serializers.SerializerMethodField(
        help_text="The national promised completion time."
    )

    class Meta:
        model = Service
        fields = [
            "code",
            "name",
            "name_id",
            "name_en",
            "description",
            "description_id",
            "description_en",
            "requirements",
            "requirements_id",
            "requirements_en",
            "average_minutes",
            "ticket_letter",
            "accepts_appointments",
            "accepts_walk_ins",
            "fee_rupiah",
            "fee",
            "fee_note",
            "fee_note_id",
            "fee_note_en",
            "service_standard",
        ]

    @extend_schema_field(ServiceStandardSerializer)
    def get_service_standard(self, service: Service) -> dict[str, object]:
        return _standard(service.standard_amount, service.standard_unit)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_requirements_id(self, service: Service) -> list[str]:
        return split_lines(service.requirements_id)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_requirements_en(self, service: Service) -> list[str]:
        return split_lines(service.requirements_en)


class OfferedServiceSerializer(serializers.ModelSerializer):
    code = serializers.CharField(source="service.code")
    name = serializers.CharField(source="service.name")
    duration_minutes = serializers.IntegerField(source="effective_minutes")
    accepts_appointments = serializers.BooleanField(source="service.accepts_appointments")
    accepts_walk_ins = serializers.BooleanField(source="service.accepts_walk_ins")
    fee_rupiah = serializers.IntegerField(
        source="service.fee_rupiah",
        allow_null=True,
        help_text="Whole rupiah; 0 when free; null when the fee depends on the case.",
    )
    fee = serializers.CharField(source="service.fee", help_text="In the request's language.")
    service_standard = serializers.SerializerMethodField(
        help_text="This office's own promise when it has one, else the national standard."
    )

    class Meta:
        model = OfficeService
        fields = [
            "code",
            "name",
            "ticket_letter",
            "duration_minutes",
            "booking_opens_days_ahead",
            "booking_window_days",
            "accepts_appointments",
            "accepts_walk_ins",
            "fee_rupiah",
            "fee",
            "service_standard",
        ]

    @extend_schema_field(ServiceStandardSerializer)
    def get_service_standard(self, offered: OfficeService) -> dict[str, object]:
        return _standard(*offered.effective_standard)


@extend_schema_field(
    {
        "type": "string",
        "pattern": "^(?:[01]\\d|2[0-3]):[0-5]\\d:[0-5]\\d$",
        "example": "08:00:00",
        "description": "Wall-clock time in the office's own zone (see the office's timezone).",
    }
)
class OfficeTimeField(serializers.TimeField):
    """An office's local wall-clock time, served as HH:MM:SS. Not an RFC 3339 `time`
    (which needs an offset): the office's zone is a field of its own."""


class OpeningHoursSerializer(serializers.ModelSerializer):
    weekday_name = serializers.CharField(source="get_weekday_display")
    opens_at = OfficeTimeField(format="%H:%M:%S")
    closes_at = OfficeTimeField(format="%H:%M:%S")
    break_starts_at = OfficeTimeField(format="%H:%M:%S", allow_null=True)
    break_ends_at = OfficeTimeField(format="%H:%M:%S", allow_null=True)

    class Meta:
        model = OpeningHours
        fields = [
            "weekday",
            "weekday_name",
            "opens_at",
            "closes_at",
            "break_starts_at",
            "break_ends_at",
        ]


class OfficeSerializer(serializers.ModelSerializer):
    zone = serializers.CharField(source="zone_abbreviation", help_text="WIB, WITA or WIT.")
    latitude = serializers.FloatField()
    longitude = serializers.FloatField()
    services = OfferedServiceSerializer(many=True, source="offered")

    class Meta:
        model = Office
        fields = [
            "code",
            "name",
            "kind",
            "address",
            "regency",
            "province",
            "latitude",
            "longitude",
            "timezone",
            "zone",
            "phone",
            "email",
            "website",
            "services",
        ]


class ClosedDaySerializer(serializers.Serializer):
    day = serializers.DateField()
    reason = serializers.CharField()
    is_national = serializers.BooleanField(help_text="A national holiday or cuti bersama.")


class OfficeDetailSerializer(OfficeSerializer):
    opening_hours = OpeningHoursSerializer(many=True)
    closed_days = ClosedDaySerializer(many=True, help_text="The next 60 days the office is closed.")

    class Meta(OfficeSerializer.Meta):
        fields = [*OfficeSerializer.Meta.fields, "opening_hours", "closed_days"]
