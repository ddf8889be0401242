"""Ballot API: the round of an office-service (rules, commitment, and after the draw
the seed), the published draw, entering (a code goes to the contact), proving the
contact, and the entry's outcome. A winner confirms the held place with the usual hold
endpoints (`/api/v1/holds/<hold_token>/code/` and `/confirm/`), whose token the entry
answers with. Errors have the house shape (core.api.errors)."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ballots.models import Ballot, BallotEntry, BallotStatus
from ballots.selectors import entry_outcome
from ballots.services.entries import (
    Choice,
    ballot_enter_for,
    entry_code_resend_for,
    entry_verify,
)
from ballots.services.rounds import ballot_choices, ballot_is_open, ballot_next
from booking.api import booking_serializers as s
from booking.api.booking_views import CHALLENGE_HEADERS, _valid, api_caller
from booking.models import Channel, PriorityGroup
from booking.services import booking as booking_services
from booking.views.booking_flow import offered_or_404


class ChoiceSerializer(serializers.Serializer):
    office = serializers.SlugField()
    date = serializers.DateField()


class BallotSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    service = serializers.CharField(source="service.code")
    status = serializers.CharField()
    entries_open_at = serializers.DateTimeField()
    release_at = serializers.DateTimeField(help_text="Entries close and the draw is made.")
    is_open = serializers.BooleanField()
    claim_hours = serializers.IntegerField()
    seed_sha256 = serializers.CharField(help_text="Published from the start: the commitment.")
    seed = serializers.CharField(help_text="Revealed after the draw; empty before.")
    choices = ChoiceSerializer(many=True, help_text="The (office, day) an entry may rank.")
    published_url = serializers.CharField(allow_null=True)


class EntryCreateSerializer(serializers.Serializer):
    full_name = serializers.CharField(max_length=200)
    nik = s.NikField()
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
    email = serializers.CharField(max_length=254, required=False, allow_blank=True, default="")
    channel = serializers.ChoiceField(choices=Channel.choices)
    priority_group = serializers.ChoiceField(
        choices=PriorityGroup.choices, required=False, default=""
    )
    language = serializers.ChoiceField(choices=["id", "en"], required=False, default="id")
    choices = ChoiceSerializer(many=True, help_text="One to three, the favourite first.")


class EntrySerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Secret: follow the entry with it.")
    reference = serializers.CharField(help_text="Public: the entry in the published draw.")
    status = serializers.CharField(help_text="pending | entered | won | waiting | claimed | lapsed")
    choices = ChoiceSerializer(many=True)
    waiting_position = serializers.IntegerField(allow_null=True)
    hold_token = serializers.CharField(
        allow_null=True, help_text="A winner's hold: confirm it with /holds/<hold_token>/."
    )
    hold_starts_at = serializers.DateTimeField(allow_null=True)
    claim_deadline = serializers.DateTimeField(allow_null=True)


class EntryCodeSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=20)


def _ballot_data(request: Request, ballot: Ballot) -> dict[str, Any]:
    drawn = ballot.status == BallotStatus.DRAWN
    return {
        "id": ballot.pk,
        "service": ballot.service,
        "status": ballot.status,
        "entries_open_at": ballot.entries_open_at,
        "release_at": ballot.release_at,
        "is_open": ballot_is_open(ballot, timezone.now()),
        "claim_hours": ballot.claim_hours,
        "seed_sha256": ballot.seed_sha256,
        "seed": ballot.seed,
        "choices": [{"office": os.office.code, "date": day} for os, day in ballot_choices(ballot)],
        "published_url": (
            request.build_absolute_uri(f"/api/v1/ballots/{ballot.pk}/published/") if drawn else None
        ),
    }


def _entry_data(entry: BallotEntry) -> dict[str, Any]:
    outcome = entry_outcome(entry)
    return {
        "token": entry.token,
        "reference": entry.reference,
        "status": outcome.status,
        "choices": [
            {"office": c.office_service.office.code, "date": c.day}
            for c in entry.choices.select_related("office_service__office")
        ],
        "waiting_position": outcome.waiting_position,
        "hold_token": entry.hold.hold_token if outcome.hold_live and entry.hold else None,
        "hold_starts_at": outcome.hold_starts_at,
        "claim_deadline": outcome.claim_deadline,
    }


def _entry(token: str) -> BallotEntry:
    return get_object_or_404(
        BallotEntry.objects.select_related("ballot", "hold__slot__office_service__office"),
        token=token,
    )


class BallotNext(APIView):
    error_statuses = (404,)

    @extend_schema(responses=BallotSerializer, summary="The next ballot of an office's service")
    def get(self, request: Request, office: str, service: str) -> Response:
        office_service = offered_or_404(office, service)
        if office_service.allocation != "ballot":
            raise Http404
        ballot = ballot_next(office_service=office_service)
        return Response(BallotSerializer(_ballot_data(request, ballot)).data)


class BallotDetail(APIView):
    error_statuses = (404,)

    @extend_schema(responses=BallotSerializer, summary="A ballot round")
    def get(self, request: Request, ballot_id: int) -> Response:
        ballot = get_object_or_404(Ballot.objects.select_related("service"), pk=ballot_id)
        return Response(BallotSerializer(_ballot_data(request, ballot)).data)


class BallotPublished(APIView):
    error_statuses = (404,)

    @extend_schema(
        responses={200: OpenApiTypes.OBJECT},
        summary="The published draw: pools, entries (references), seed, result",
    )
    def get(self, request: Request, ballot_id: int) -> Response:
        ballot = get_object_or_404(Ballot, pk=ballot_id, status=BallotStatus.DRAWN)
        return Response(ballot.published)


class BallotEnter(APIView):
    error_statuses = (404, 409, 422, 429)

    @extend_schema(
        request=EntryCreateSerializer,
        responses={201: EntrySerializer},
        parameters=CHALLENGE_HEADERS,
        summary="Enter a ballot (a code goes to the phone or email)",
    )
    def post(self, request: Request, ballot_id: int) -> Response:
        ballot = get_object_or_404(Ballot, pk=ballot_id)
        data = _valid(EntryCreateSerializer, request)
        offices = {os.office.code: os.pk for os in ballot.office_services.select_related("office")}
        choices = [Choice(offices.get(c["office"], 0), c["date"]) for c in data.pop("choices")]
        details = booking_services.details_clean(**data)
        entry = ballot_enter_for(
            caller=api_caller(request), ballot=ballot, details=details, choices=choices
        )
        return Response(EntrySerializer(_entry_data(entry)).data, status=status.HTTP_201_CREATED)


class BallotEntryDetail(APIView):
    error_statuses = (404,)

    @extend_schema(responses=EntrySerializer, summary="A ballot entry and its outcome")
    def get(self, request: Request, token: str) -> Response:
        return Response(EntrySerializer(_entry_data(_entry(token))).data)


class BallotEntryVerify(APIView):
    error_statuses = (404, 409, 410, 422, 429)

    @extend_schema(
        request=EntryCodeSerializer,
        responses=EntrySerializer,
        summary="Prove the contact: join the draw",
    )
    def post(self, request: Request, token: str) -> Response:
        data = _valid(EntryCodeSerializer, request)
        entry = entry_verify(entry=_entry(token), code=data["code"])
        return Response(EntrySerializer(_entry_data(entry)).data)


class BallotEntryCode(APIView):
    error_statuses = (404, 409, 429)

    @extend_schema(request=None, responses={202: EntrySerializer}, summary="Send a new code")
    def post(self, request: Request, token: str) -> Response:
        entry = entry_code_resend_for(caller=api_caller(request), entry=_entry(token))
        return Response(EntrySerializer(_entry_data(entry)).data, status=status.HTTP_202_ACCEPTED)
