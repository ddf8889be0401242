"""Pages citizens see: the kiosk at the entrance, taking a number from a phone, the
live ticket page, and the display board in the waiting room."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django_permissions_policy.decorators import permissions_policy_override

from booking.documents import qr_svg
from booking.models import PriorityGroup
from core.contacts import normalize_phone
from core.errors import ApplicationError
from core.http import HtmxHttpRequest
from core.params import row_id
from core.ratelimit import client_ip, rate_limit
from offices.models import Office, OfficeService
from offices.selectors import office_opening
from queueing import kiosks
from queueing.ikm import ANSWERS as IKM_ANSWERS
from queueing.ikm import ELEMENTS as IKM_ELEMENTS
from queueing.models import KioskDevice, ServiceRating, Ticket, TicketSource, TicketStatus
from queueing.selectors import board_calls, ticket_outlook
from queueing.services.check_in import check_in
from queueing.services.citizen import ticket_ikm_answer, ticket_leave, ticket_rate
from queueing.services.issue import (
    ticket_issue,
    walk_in_closed_message,
    walk_in_service_ended,
)


def _office(code: str) -> Office:
    return get_object_or_404(Office, code=code, is_active=True)


def _walk_in_services(office: Office, *, remote: bool = False) -> list[OfficeService]:
    offered = OfficeService.objects.filter(
        office=office, is_active=True, service__is_active=True, service__accepts_walk_ins=True
    ).select_related("service")
    if remote:
        offered = offered.filter(remote_walk_in=True)
    return list(offered.order_by("ticket_letter"))


def _chosen_service(services: list[OfficeService], posted: str | None) -> OfficeService:
    """The walk-in service the citizen chose among those offered, or a translated error:
    nothing is chosen in advance, so a citizen who did not choose is asked to."""
    chosen = next((s for s in services if s.pk == row_id(posted)), None)
    if chosen is None:
        message = _("Choose a service.")
        raise ApplicationError("invalid", message, fields={"service": [message]})
    return chosen


def _walk_in_choices(
    office: Office, services: list[OfficeService], now: datetime
) -> dict[str, object]:
    """What the kiosk and the phone page offer, by the one walk-in rule: the office's
    "closed, opens …" (then nothing to choose), else each service with why it gives no
    more numbers today (None while it does)."""
    closed = walk_in_closed_message(office, now)
    choices = [] if closed else [(os, walk_in_service_ended(os, now)) for os in services]
    return {
        "services": services,
        "closed": closed,
        "choices": choices,
        "any_open": any(ended is None for _os, ended in choices),
    }


def _kiosk_device(request: HttpRequest, office_code: str) -> KioskDevice | HttpResponse:
    """The registered kiosk this browser is, or the page saying it is not one (403)."""
    try:
        return kiosks.kiosk_device_authenticate(
            office_code=office_code, token=kiosks.cookie_token(request)
        )
    except ApplicationError as refused:
        office = _office(office_code)
        context = {"office": office, "message": refused.message}
        return render(request, "queueing/kiosk_not_registered.html", context, status=403)


@never_cache
def kiosk_enrol(request: HttpRequest, office_code: str) -> HttpResponse:
    """Make this browser the office's kiosk: the administrator types the device token
    shown once in the admin (or opens the enrolment link, whose fragment fills it in)."""
    office = _office(office_code)
    error = None
    if request.method == "POST":
        rate_limit(
            request,
            group="kiosk-enrol",
            key=client_ip(request),
            rate=settings.GILIRAN_RATE_LOOKUP_PER_IP,
        )
        token = request.POST.get("token", "").strip()
        try:
            kiosks.kiosk_device_authenticate(office_code=office.code, token=token)
        except ApplicationError as refused:
            error = refused.message
        else:
            response = redirect("kiosk", office_code=office.code)
            kiosks.cookie_set(response, token)
            return response
    return render(
        request,
        "queueing/kiosk_enrol.html",
        {"office": office, "error": error},
        status=400 if error else 200,
    )


@never_cache
@permissions_policy_override({**settings.PERMISSIONS_POLICY, "camera": ["self"]})  # QR scanner
def kiosk(request: HttpRequest, office_code: str) -> HttpResponse:
    """A tablet at the entrance: check in with a booking code (typed or scanned) or take a
    walk-in number. Each action ends on a ticket page that returns here by itself. Only a
    registered kiosk device of this office is served."""
    device = _kiosk_device(request, office_code)
    if isinstance(device, HttpResponse):
        return device
    office = device.office
    services = _walk_in_services(office)
    error = None
    now = timezone.now()
    if request.method == "POST":
        try:
            if request.POST.get("action") == "check_in":
                rate_limit(
                    request,
                    group="kiosk-check-in",
                    key=f"kiosk:{device.pk}",
                    rate=settings.GILIRAN_RATE_CHECK_IN_PER_KIOSK,
                )
                ticket = check_in(office=office, code=request.POST.get("code", ""))
            else:
                office_service = _chosen_service(services, request.POST.get("service"))
                priority = request.POST.get("priority_group", "")
                ticket = ticket_issue(
                    office_service=office_service,
                    source=TicketSource.KIOSK,
                    priority_group=priority if priority in PriorityGroup.values else "",
                    language=get_language() or "id",
                )
        except ApplicationError as refused:
            error = refused.message
        else:
            return redirect("kiosk-ticket", office_code=office.code, token=ticket.public_token)
    return render(
        request,
        "queueing/kiosk.html",
        {
            "office": office,
            **_walk_in_choices(office, services, now),
            "priority_groups": PriorityGroup.choices[1:],
            "break_ends_at": office_opening(office, now).break_ends_at,
            "error": error,
            # After a refusal the citizen corrects the code instead of retyping it.
            "code": request.POST.get("code", "")[:20] if error else "",
        },
    )


@never_cache
def kiosk_ticket(request: HttpRequest, office_code: str, token: str) -> HttpResponse:
    device = _kiosk_device(request, office_code)
    if isinstance(device, HttpResponse):
        return device
    ticket = get_object_or_404(
        Ticket.objects.select_related("office", "office_service__service"), public_token=token
    )
    if ticket.office.code != office_code:
        raise Http404
    context = {**_ticket_context(ticket), "reset_seconds": kiosks.TICKET_RESET_SECONDS}
    return render(request, "queueing/kiosk_ticket.html", context)


def take_number(request: HttpRequest, office_code: str) -> HttpResponse:
    """A same-day number from a phone, where the office allows it."""
    office = _office(office_code)
    services = _walk_in_services(office, remote=True)
    error = None
    if request.method == "POST":
        try:
            rate_limit(
                request,
                group="remote-ticket",
                key=client_ip(request),
                rate=settings.GILIRAN_RATE_HOLD_PER_IP,
            )
            office_service = _chosen_service(services, request.POST.get("service"))
            phone = request.POST.get("phone", "").strip()
            ticket = ticket_issue(
                office_service=office_service,
                source=TicketSource.REMOTE,
                language=get_language() or "id",
                contact_phone=normalize_phone(phone) if phone else "",
            )
        except ApplicationError as refused:
            error = refused.message
        else:
            return redirect("ticket-live", token=ticket.public_token)
    return render(
        request,
        "queueing/take_number.html",
        {
            "office": office,
            **_walk_in_choices(office, services, timezone.now()),
            "error": error,
            "phone": request.POST.get("phone", ""),
        },
    )


def _ticket_context(ticket: Ticket) -> dict[str, object]:
    outlook = ticket_outlook(ticket, timezone.now())
    return {
        "ticket": ticket,
        "office": ticket.office,
        "service": ticket.office_service.service,
        "estimate": outlook.estimate,
        "ahead": outlook.ahead,
        "position": None if outlook.ahead is None else outlook.ahead + 1,
    }


# The ticket states in which the live page changes by itself (htmx polls, or without
# JavaScript a <meta refresh>): waiting, called to a counter, set aside. At the counter
# and after, nothing more will change that the citizen must watch for.
LIVE_PAGE_STATUSES = (TicketStatus.WAITING, TicketStatus.CALLED, TicketStatus.PARKED)
NO_SCRIPT_REFRESH_SECONDS = 30


@never_cache
def ticket_live(request: HtmxHttpRequest, token: str) -> HttpResponse:
    ticket = get_object_or_404(
        Ticket.objects.select_related("office", "office_service__service", "counter"),
        public_token=token,
    )
    error = None
    if request.method == "POST":
        try:
            ticket = ticket_leave(ticket=ticket)
        except ApplicationError as refused:
            error = refused.message
    live = ticket.status in LIVE_PAGE_STATUSES
    context = {
        **_ticket_context(ticket),
        "error": error,
        # Without JavaScript the page reloads itself while there is news to wait for,
        # unless the citizen turned that off (WCAG 2.2.1: a timed change can be stopped).
        "refresh_seconds": NO_SCRIPT_REFRESH_SECONDS if live else None,
        "refresh_stopped": request.GET.get("otomatis") == "0",
    }
    template = "queueing/ticket_live.html#status" if request.htmx else "queueing/ticket_live.html"
    return render(request, template, context)


def board(request: HttpRequest, office_code: str) -> HttpResponse:
    office = _office(office_code)
    return render(
        request,
        "queueing/board.html",
        {"office": office, "calls": board_calls(office, timezone.now())},
    )


@never_cache
def board_feed(request: HttpRequest, office_code: str) -> JsonResponse:
    """What the board polls every second: the latest calls, newest first."""
    office = _office(office_code)
    calls = board_calls(office, timezone.now())
    return JsonResponse(
        {
            "calls": [
                {
                    "id": f"{call.ticket_id}:{call.recalls}",
                    "number": call.number,
                    "counter": call.counter,
                    "counter_number": call.counter_number,
                    "called_at": call.called_at.isoformat(),
                }
                for call in calls
            ]
        }
    )


def ticket_qr(request: HttpRequest, token: str) -> HttpResponse:
    """QR code of the live ticket page's address, printed on the kiosk ticket."""
    get_object_or_404(Ticket, public_token=token)
    url = settings.GILIRAN_SITE_URL + reverse("ticket-live", kwargs={"token": token})
    return HttpResponse(qr_svg(url), content_type="image/svg+xml")


@never_cache
def ticket_survey(request: HttpRequest, token: str) -> HttpResponse:
    """After service: one tap (1 to 5) with an optional comment, then, if the citizen
    goes on, the nine IKM questions (queueing/ikm.py), each skippable."""
    ticket = get_object_or_404(
        Ticket.objects.select_related("office", "office_service__service"), public_token=token
    )
    error: ApplicationError | None = None
    rating = ServiceRating.objects.filter(ticket=ticket).first()
    if request.method == "POST" and rating is None:
        try:
            rating = ticket_rate(
                ticket=ticket,
                score=request.POST.get("score", ""),
                comment=request.POST.get("comment", ""),
            )
        except ApplicationError as refused:
            error = refused
    elif request.method == "POST" and request.POST.get("step") == "ikm":
        try:
            rating = ticket_ikm_answer(ticket=ticket, answers=request.POST)
        except ApplicationError as refused:
            error = refused
    return render(
        request,
        "queueing/survey.html",
        {
            "ticket": ticket,
            "office": ticket.office,
            "rated": rating is not None,
            "ikm_answered": rating is not None and rating.ikm_answered_at is not None,
            "error": error,
            "scores": range(1, 6),
            "comment": request.POST.get("comment", ""),
            # Echoed back after a refusal, so no answer given is lost.
            "questions": [(e, request.POST.get(e.key, "")) for e in IKM_ELEMENTS],
            "answers": IKM_ANSWERS,
        },
        status=409 if error and error.status_code == 409 else 400 if error else 200,
    )
