"""The waiting room page: join with a NIK, then wait; it refreshes itself (htmx polling,
a meta refresh without JavaScript) until the citizen is let in to book.

A waiting citizen's page is answered from the room store alone (the ticket cookie names
the room and the member, and the room's names were copied into the store), so ten
thousand citizens refreshing never reach PostgreSQL. Only joining reads the catalog."""

from __future__ import annotations

from datetime import UTC, datetime

from django import forms
from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from core.client_marks import client_mark, with_device_cookie
from core.errors import ApplicationError
from core.http import HtmxHttpRequest
from core.ratelimit import client_ip, rate_limit
from offices.models import OfficeService
from releases import rooms
from releases.cookies import admission_cookie, ticket_cookie
from releases.store import room_store

POLL_SECONDS_WITHOUT_JS = 15


class JoinForm(forms.Form):
    nik = forms.CharField(
        label=_("NIK (16 digits, on your KTP or family card)"),
        max_length=32,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )


def _office_service(office_code: str, service_code: str) -> OfficeService:
    found = (
        OfficeService.objects.select_related("office", "service")
        .filter(
            office__code=office_code,
            service__code=service_code,
            is_active=True,
            office__is_active=True,
            service__is_active=True,
        )
        .first()
    )
    if found is None:
        raise Http404
    return found


def _calendar(office_code: str, service_code: str) -> str:
    return reverse("book-calendar", args=[office_code, service_code])


def _status_context(meta: dict[str, str], status: rooms.Status) -> dict[str, object]:
    english = (get_language() or "id").startswith("en")
    return {
        "status": status,
        "office_name": meta["office_name"],
        "service_name": meta["service_name_en"] if english else meta["service_name_id"],
        "zone": meta["zone"],
        "draws_at": datetime.fromtimestamp(float(meta["draws_at"]), tz=UTC),
        "regathering": bool(meta.get("regathering")),
        "estimate_minutes": None
        if status.estimate_seconds is None
        else max(1, round(status.estimate_seconds / 60)),
        "poll_seconds": status.poll_after_seconds,
        "poll_seconds_without_js": max(status.poll_after_seconds, POLL_SECONDS_WITHOUT_JS),
        "calendar_url": _calendar(meta["office_code"], meta["service_code"]),
    }


@never_cache
@with_device_cookie
def room_page(request: HtmxHttpRequest, office: str, service: str) -> HttpResponse:
    now = timezone.now()
    cookie = request.COOKIES.get(ticket_cookie(office, service), "")
    if request.method == "POST":
        return _join(request, office, service, now)
    read = rooms.ticket_read(cookie) if cookie else None
    lost = False
    if read is not None:
        room_id, member = read
        meta = room_store().meta(room_id)
        if meta.get("office_code") == office and meta.get("service_code") == service:
            status = rooms.room_status(room_id=room_id, member=member, now=now)
            if status.state != "lost":
                return _waiting(request, office, service, meta, status)
        lost = True
    return _join_page(request, office, service, JoinForm(), now, lost=lost)


def _waiting(
    request: HtmxHttpRequest, office: str, service: str, meta: dict[str, str], status: rooms.Status
) -> HttpResponse:
    context = _status_context(meta, status)
    template = "releases/room.html#status" if request.htmx else "releases/room.html"
    response = render(request, template, context)
    if status.admission and status.admission_lapses_at:
        response.set_cookie(
            admission_cookie(office, service),
            status.admission,
            expires=status.admission_lapses_at,
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )
    return response


def _join_page(
    request: HtmxHttpRequest,
    office: str,
    service: str,
    form: JoinForm,
    now: datetime,
    *,
    lost: bool = False,
) -> HttpResponse:
    office_service = _office_service(office, service)
    room = rooms.room_for(office_service, now)
    if room is None:
        return redirect(_calendar(office, service))
    return render(
        request,
        "releases/room_join.html",
        {
            "form": form,
            "office": office_service.office,
            "service": office_service.service,
            "office_service": office_service,
            "room": room,
            "before_draw": now < room.draws_at,
            "lost": lost,
        },
    )


def _join(request: HtmxHttpRequest, office: str, service: str, now: datetime) -> HttpResponse:
    form = JoinForm(request.POST)
    if form.is_valid():
        try:
            rate_limit(
                request,
                group="room-join-ip",
                key=client_ip(request),
                rate=settings.GILIRAN_RATE_ROOM_JOIN_PER_IP,
            )
            ticket = rooms.room_join(
                office_service=_office_service(office, service),
                nik=form.cleaned_data["nik"],
                now=now,
                client=client_mark(request),
            )
        except ApplicationError as error:
            form.add_error("nik" if error.code == "invalid_nik" else None, str(error.message))
        else:
            response = redirect(request.path)
            response.status_code = 303
            response.set_cookie(
                ticket_cookie(office, service),
                ticket.token,
                max_age=24 * 3600,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
            return response
    return _join_page(request, office, service, form, now)
