"""Data-subject requests over the API (chatbots, apps): prove with NIK + one-time code,
receive a short-lived bearer grant (in the Authorization header, never in a URL), then
read everything held (the machine-readable export, with the processing trail) and file
a correction or deletion request."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from booking.api.booking_serializers import NikField
from core import personal_data
from core.errors import ApplicationError
from core.ratelimit import client_ip, rate_limit, rate_limit_code_send
from privacy import selectors
from privacy.models import CorrectableField, DataRequest, RequestKind
from privacy.services.proof import (
    Grant,
    contact_clean,
    grant_expires_at,
    grant_read,
    grant_token,
    identity_proof_start,
    identity_proof_verify,
)
from privacy.services.requests import citizen_access_record, data_request_file

GRANT = OpenApiParameter(
    "Authorization",
    str,
    OpenApiParameter.HEADER,
    required=True,
    description="'Bearer <access_token>' from the proof confirmation; valid for a few minutes.",
)


class ProofStartSerializer(serializers.Serializer):
    nik = NikField()
    contact = serializers.CharField(
        max_length=254, help_text="A mobile number or email address used with Giliran."
    )


class ProofStartedSerializer(serializers.Serializer):
    proof = serializers.CharField(help_text="Send back with the code.")
    detail = serializers.CharField()


class ProofConfirmSerializer(serializers.Serializer):
    proof = serializers.CharField(max_length=400)
    code = serializers.CharField(max_length=12)


class GrantSerializer(serializers.Serializer):
    access_token = serializers.CharField()
    expires_at = serializers.DateTimeField()


class FileRequestSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=RequestKind.choices)
    field = serializers.ChoiceField(choices=CorrectableField.choices, required=False, default="")
    new_value = serializers.CharField(max_length=254, required=False, default="")
    reason = serializers.CharField(max_length=1000, required=False, default="", allow_blank=True)


class DataRequestSerializer(serializers.ModelSerializer):
    class Meta:
        model = DataRequest
        fields = ["reference", "kind", "status", "field", "filed_at", "due_at"]


def _valid(serializer_class: type, request: Request) -> dict[str, Any]:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _granted(request: Request) -> Grant:
    scheme, _sep, token = request.headers.get("Authorization", "").partition(" ")
    grant = grant_read(token.strip()) if scheme.lower() == "bearer" else None
    if grant is None:
        raise ApplicationError(
            "not_proved",
            _("Prove who you are first, with your NIK and a one-time code."),
            status_code=401,
        )
    return grant


def _language() -> str:
    return (get_language() or "id")[:2]


class ProofStart(APIView):
    error_statuses = (429,)

    @extend_schema(
        request=ProofStartSerializer,
        responses={202: ProofStartedSerializer},
        summary="Ask for a code to see your personal data",
    )
    def post(self, request: Request) -> Response:
        data = _valid(ProofStartSerializer, request)
        rate_limit(
            request,
            group="privacy-ip",
            key=client_ip(request),
            rate=settings.GILIRAN_RATE_PRIVACY_PER_IP,
        )
        rate_limit(
            request,
            group="privacy-nik",
            key=personal_data.keyed_hash("".join(data["nik"].split())),
            rate=settings.GILIRAN_RATE_PRIVACY_PER_NIK,
        )
        rate_limit_code_send(request, contact=contact_clean(data["contact"]).address)
        proof = identity_proof_start(nik=data["nik"], contact=data["contact"], language=_language())
        body = {"proof": proof, "detail": str(SENT_MESSAGE)}
        return Response(ProofStartedSerializer(body).data, status=status.HTTP_202_ACCEPTED)


SENT_MESSAGE = _("If this NIK has a booking made with this contact, we have sent a code to it.")


class ProofConfirm(APIView):
    error_statuses = (410, 429)

    @extend_schema(
        request=ProofConfirmSerializer, responses=GrantSerializer, summary="Confirm with the code"
    )
    def post(self, request: Request) -> Response:
        data = _valid(ProofConfirmSerializer, request)
        rate_limit(
            request,
            group="privacy-code-ip",
            key=client_ip(request),
            rate=settings.GILIRAN_RATE_LOOKUP_PER_IP,
        )
        grant = identity_proof_verify(proof=data["proof"], code=data["code"])
        body = {"access_token": grant_token(grant), "expires_at": grant_expires_at()}
        return Response(GrantSerializer(body).data)


class MyData(APIView):
    error_statuses = (401,)

    @extend_schema(
        parameters=[GRANT],
        responses=OpenApiTypes.OBJECT,
        summary="Everything Giliran holds about you, with the processing trail",
    )
    def get(self, request: Request) -> Response:
        grant = _granted(request)
        citizen_access_record(nik_hash=grant.nik_hash, exported=True)
        return Response(selectors.citizen_data(grant.nik_hash, grant.contact))


class FileRequest(APIView):
    error_statuses = (401, 404, 429)

    @extend_schema(
        parameters=[GRANT],
        request=FileRequestSerializer,
        responses={201: DataRequestSerializer},
        summary="Ask for a correction or a deletion",
    )
    def post(self, request: Request) -> Response:
        grant = _granted(request)
        data = _valid(FileRequestSerializer, request)
        filed = data_request_file(
            nik_hash=grant.nik_hash, contact=grant.contact, language=_language(), **data
        )
        return Response(DataRequestSerializer(filed).data, status=status.HTTP_201_CREATED)
