"""The public performance of an office through the API: the same open data as
`/kantor/<code>/kinerja.json` (insights/open_data.py), described for the schema."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from insights.open_data import office_performance_data
from offices.models import Office


class PerformanceFigureSerializer(serializers.Serializer):
    value = serializers.FloatField(
        allow_null=True, help_text="null when suppressed or when nobody was counted"
    )
    people = serializers.IntegerField(
        allow_null=True, help_text="how many people the figure rests on (null if suppressed)"
    )
    suppressed = serializers.BooleanField(help_text="fewer than min_people people")


class PerformanceHourSerializer(serializers.Serializer):
    weekday = serializers.IntegerField(help_text="0 = Monday")
    hour = serializers.IntegerField(help_text="office time")
    wait_minutes_median = serializers.IntegerField()
    people = serializers.IntegerField()


class PerformancePeriodSerializer(serializers.Serializer):
    days = serializers.IntegerField()
    first_day = serializers.DateField()
    last_day = serializers.DateField()
    days_with_facts = serializers.IntegerField()
    wait_minutes_median = PerformanceFigureSerializer()
    wait_minutes_p90 = PerformanceFigureSerializer()
    called_within_target_share = PerformanceFigureSerializer()
    appointment_places_released = PerformanceFigureSerializer()
    appointment_places_booked = PerformanceFigureSerializer()
    appointment_no_show_share = PerformanceFigureSerializer()
    satisfaction_mean_1_to_5 = PerformanceFigureSerializer()
    ikm_25_to_100 = PerformanceFigureSerializer()
    ikm_band = serializers.CharField(allow_null=True)
    complaints_received = PerformanceFigureSerializer()
    complaints_answered_in_time_share = PerformanceFigureSerializer()
    longest_waits = PerformanceHourSerializer(many=True)
    shortest_waits = PerformanceHourSerializer(many=True)


class PerformanceOfficeSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    timezone = serializers.CharField()


class OfficePerformanceSerializer(serializers.Serializer):
    format = serializers.CharField()
    office = PerformanceOfficeSerializer()
    min_people = serializers.IntegerField()
    periods = PerformancePeriodSerializer(many=True)


class OfficePerformance(APIView):
    authentication_classes: list[type] = []

    @extend_schema(
        responses={200: OfficePerformanceSerializer},
        summary="An office's public performance over the last 30 and 90 days",
        description="Waits, the share called within the target, appointments, no-shows, "
        "satisfaction and complaints, from the nightly facts (docs/insights.md). A figure "
        "resting on fewer than min_people people is suppressed.",
    )
    def get(self, request: Request, code: str) -> Response:
        office = get_object_or_404(Office, code=code, is_active=True)
        data = office_performance_data(office=office, now=timezone.now())
        response = Response(OfficePerformanceSerializer(data).data)
        response["Cache-Control"] = "public, max-age=3600"
        return response
