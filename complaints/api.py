"""Complaints over the API (chatbots, apps, portals): file one, and read its status with
the tracking number and the access key that filing returned. Both go through the same
services and limits as the pages."""

from __future__ import annotations

from typing import Any

from django.utils.translation import get_language
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from complaints.models import TEXT_MAX_LENGTH, Complaint, ComplaintCategory, ComplaintStatus
from complaints.services import (
    Intake,
    access_key_display,
    complaint_file_limited,
    complaint_lookup,
)
from core.challenge import SOLUTION_HEADER, TOKEN_HEADER


class IntakeSerializer(serializers.Serializer):
    office = serializers.CharField(max_length=40, help_text="The office's code, e.g. kanim-jaksel.")
    category = serializers.ChoiceField(choices=ComplaintCategory.choices)
    text = serializers.CharField(
        max_length=TEXT_MAX_LENGTH, help_text="Plain text; markup is kept as typed, never rendered."
    )
    pungli = serializers.BooleanField(
        default=False,
        help_text="The complaint is about pungli (always true for the pungli category): only "
        "integrity officers read it.",
    )
    contact = serializers.CharField(
        max_length=254,
        required=False,
        default="",
        allow_blank=True,
        help_text="An Indonesian mobile number (told by SMS) or an email address; optional.",
    )


class ComplaintStatusSerializer(serializers.Serializer):
    number = serializers.CharField()
    office = serializers.CharField(source="office.name")
    category = serializers.ChoiceField(choices=ComplaintCategory.choices)
    status = serializers.ChoiceField(choices=ComplaintStatus.choices)
    status_label = serializers.CharField(source="get_status_display")
    filed_at = serializers.DateTimeField()
    due_on = serializers.DateField(help_text="The answer's due day, in the office's calendar.")
    answer = serializers.CharField(help_text="Empty until the complaint is answered.")
    answered_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)


class FiledSerializer(ComplaintStatusSerializer):
    access_key = serializers.CharField(
        help_text="Shown only here (and sent to the contact given): with the number it "
        "reads the status. Giliran stores only its keyed hash."
    )


class StatusRequestSerializer(serializers.Serializer):
    number = serializers.CharField(max_length=20, help_text="ADU-2026-00012")
    access_key = serializers.CharField(max_length=20, help_text="XXXXX-XXXXX")


def _valid(serializer_class: type, request: Request) -> dict[str, Any]:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _status_of(complaint: Complaint) -> dict[str, Any]:
    return dict(ComplaintStatusSerializer(complaint).data)


class ComplaintCreate(APIView):
    error_statuses = (429,)

    @extend_schema(
        request=IntakeSerializer,
        responses={201: FiledSerializer},
        summary="File a complaint (pengaduan)",
        description="Returns the tracking number and the access key; the key is never shown "
        f"again. Beyond the soft per-address limit, answer the challenge in the {TOKEN_HEADER} "
        f"and {SOLUTION_HEADER} headers.",
    )
    def post(self, request: Request) -> Response:
        data = _valid(IntakeSerializer, request)
        filed = complaint_file_limited(
            request=request,
            intake=Intake(
                office_code=data["office"],
                category=data["category"],
                text=data["text"],
                contact=data["contact"],
                pungli=data["pungli"],
                language=(get_language() or "id")[:2],
            ),
            challenge_token=request.headers.get(TOKEN_HEADER, "")[:2000],
            challenge_solution=request.headers.get(SOLUTION_HEADER, "")[:40],
        )
        body = {**_status_of(filed.complaint), "access_key": access_key_display(filed.access_key)}
        return Response(body, status=status.HTTP_201_CREATED)


class ComplaintStatusRead(APIView):
    """A POST, so the access key is never in an address or an access log."""

    error_statuses = (404, 429)

    @extend_schema(
        request=StatusRequestSerializer,
        responses={200: ComplaintStatusSerializer},
        summary="Read a complaint's status with its number and access key",
    )
    def post(self, request: Request) -> Response:
        data = _valid(StatusRequestSerializer, request)
        complaint = complaint_lookup(
            request=request, number=data["number"], access_key=data["access_key"]
        )
        return Response(_status_of(complaint))
