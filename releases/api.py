"""The waiting room over the API: join with a NIK (a ticket back), ask where you stand
with the ticket (your admission back when it is your turn), then hold with both
(`POST /api/v1/holds/` with the X-Waiting-Room-Ticket and X-Admission headers).

Asking where you stand reads the room store only, never PostgreSQL; no session or user
is looked at (no authentication classes), so a crowd polling costs the database nothing."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.client_marks import client_mark
from core.errors import ApplicationError
from core.nik import NIK_PATTERN
from core.ratelimit import client_ip, rate_limit
from offices.models import OfficeService
from releases import rooms
from releases.store import room_store

TICKET_HEADER = "X-Waiting-Room-Ticket"
ADMISSION_HEADER = "X-Admission"

TICKET = OpenApiParameter(
    TICKET_HEADER,
    str,
    OpenApiParameter.HEADER,
    required=True,
    description="The ticket the join answered with.",
)

WAITING_ROOM_HEADERS = [
    OpenApiParameter(
        TICKET_HEADER,
        str,
        OpenApiParameter.HEADER,
        required=False,
        description="While a release's waiting room is open (a 429 waiting_room_required "
        "says so): the ticket from joining it.",
    ),
    OpenApiParameter(
        ADMISSION_HEADER,
        str,
        OpenApiParameter.HEADER,
        required=False,
        description="… and the admission its status gave when it was your turn (single use).",
    ),
]


class JoinSerializer(serializers.Serializer):
    nik = serializers.RegexField(NIK_PATTERN, max_length=32)


class StatusSerializer(serializers.Serializer):
    state = serializers.ChoiceField(
        choices=["gathering", "waiting", "admitted", "spent", "lapsed", "sold_out"],
        help_text="gathering: waiting for the draw at draws_at; waiting: in line (ahead); "
        "admitted: hold now with `admission` before admission_lapses_at; spent: the "
        "admission made a hold; lapsed: the admission was not used in time; sold_out: "
        "every place of the release is taken (join a day's waiting list; stop polling).",
    )
    ahead = serializers.IntegerField(allow_null=True)
    line = serializers.IntegerField(help_text="Everyone in the room.")
    admitted = serializers.IntegerField(help_text="How many have been let in so far.")
    estimate_seconds = serializers.IntegerField(
        allow_null=True, help_text="Until the draw (gathering) or until your turn (waiting)."
    )
    draws_at = serializers.DateTimeField()
    admission = serializers.CharField(allow_null=True)
    admission_lapses_at = serializers.DateTimeField(allow_null=True)
    poll_after_seconds = serializers.IntegerField()


class JoinedSerializer(StatusSerializer):
    ticket = serializers.CharField(help_text="Keep it: send it as X-Waiting-Room-Ticket.")


def _status_body(meta: dict[str, str], status: rooms.Status) -> dict[str, Any]:
    from datetime import UTC, datetime

    return {
        "state": status.state,
        "ahead": status.ahead,
        "line": status.line,
        "admitted": status.admitted,
        "estimate_seconds": status.estimate_seconds,
        "draws_at": datetime.fromtimestamp(float(meta["draws_at"]), tz=UTC),
        "admission": status.admission,
        "admission_lapses_at": status.admission_lapses_at,
        "poll_after_seconds": status.poll_after_seconds,
    }


def _lost() -> ApplicationError:
    return ApplicationError(
        "ticket_invalid",
        _(
            "This ticket is not valid for the waiting room now: it is damaged, from an "
            "earlier opening, or the waiting room restarted. Join again."
        ),
        status_code=404,
    )


class WaitingRoom(APIView):
    authentication_classes: list[type] = []
    error_statuses = (400, 404, 409, 422, 429)

    @extend_schema(
        request=JoinSerializer,
        responses={201: JoinedSerializer},
        summary="Join the waiting room of a release",
        description="One NIK, one place: joining again with the same NIK answers the same "
        "place. Everyone who joins before the draw is put in a random order at the draw.",
    )
    def post(self, request: Request, office: str, service: str) -> Response:
        serializer = JoinSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        rate_limit(
            request,
            group="room-join-ip",
            key=client_ip(request),
            rate=settings.GILIRAN_RATE_ROOM_JOIN_PER_IP,
        )
        office_service = (
            OfficeService.objects.select_related("office", "service")
            .filter(office__code=office, service__code=service, is_active=True)
            .first()
        )
        if office_service is None:
            raise Http404
        now = timezone.now()
        ticket = rooms.room_join(
            office_service=office_service,
            nik=serializer.validated_data["nik"],
            now=now,
            client=client_mark(request),
        )
        status = rooms.room_status(room_id=ticket.room.id, member=ticket.member, now=now)
        body = {**_status_body(room_store().meta(ticket.room.id), status), "ticket": ticket.token}
        return Response(JoinedSerializer(body).data, status=201)

    @extend_schema(
        parameters=[TICKET],
        responses={200: StatusSerializer},
        summary="Where you stand in the waiting room",
        description="Poll every poll_after_seconds. When state is admitted, hold with "
        f"the ticket ({TICKET_HEADER}) and the admission ({ADMISSION_HEADER}).",
    )
    def get(self, request: Request, office: str, service: str) -> Response:
        read = rooms.ticket_read(request.headers.get(TICKET_HEADER, "")[:500])
        if read is None:
            raise _lost()
        room_id, member = read
        meta = room_store().meta(room_id)
        if meta.get("office_code") != office or meta.get("service_code") != service:
            raise _lost()
        status = rooms.room_status(room_id=room_id, member=member, now=timezone.now())
        if status.state == "lost":
            raise _lost()
        return Response(StatusSerializer(_status_body(meta, status)).data)
