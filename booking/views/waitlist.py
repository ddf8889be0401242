"""The waiting list's pages: join a full day, then follow (and accept or leave) the
entry through the private link we send. GET never changes anything."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache

from booking.forms import DetailsForm
from booking.models import WaitlistEntry, WaitlistStatus
from booking.selectors.availability import calendar_range
from booking.services.booking import details_clean
from booking.services.flows import hold_limits_check
from booking.services.waitlist import (
    waitlist_accept,
    waitlist_join,
    waitlist_leave,
    waitlist_position,
)
from booking.views.booking_flow import offered_or_404, page_caller
from booking.views.session import remember_booking
from core.dates import parse_day
from core.errors import ApplicationError


@never_cache
def waitlist_join_page(request: HttpRequest, office_code: str, service_code: str) -> HttpResponse:
    office_service = offered_or_404(office_code, service_code)
    raw_day = request.GET.get("tanggal", "")
    if not raw_day:
        raise Http404
    first, last = calendar_range(office_service, timezone.now())
    day = parse_day(raw_day, field="tanggal", first=first, last=last)
    form = DetailsForm(request.POST or None)
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            details = details_clean(**form.cleaned_data, language=get_language() or "id")
            hold_limits_check(caller=page_caller(request), nik=details.nik)
            entry = waitlist_join(office_service=office_service, day=day, details=details)
        except ApplicationError as refused:
            form.add_application_error(refused)
            error = refused
        else:
            return redirect("waitlist-entry", token=entry.token)
    return render(
        request,
        "booking/waitlist_join.html",
        {
            "office_service": office_service,
            "office": office_service.office,
            "service": office_service.service,
            "day": day,
            "form": form,
            "error": error,
            "challenge": error.extra.get("challenge") if error is not None else None,
            "offer_minutes": settings.GILIRAN_WAITLIST_OFFER_MINUTES,
        },
        status=409 if error is not None and error.status_code == 409 else 200,
    )


@never_cache
def waitlist_entry_page(request: HttpRequest, token: str) -> HttpResponse:
    entry = get_object_or_404(
        WaitlistEntry.objects.select_related(
            "office_service__office", "office_service__service", "offer__slot"
        ),
        token=token,
    )
    error = None
    if request.method == "POST":
        try:
            if request.POST.get("action") == "accept":
                booking = waitlist_accept(entry=entry)
                remember_booking(request, booking)
                return redirect("booking-detail", code=booking.code)
            if request.POST.get("action") == "leave":
                waitlist_leave(entry=entry)
        except ApplicationError as refused:
            error = refused.message
        entry.refresh_from_db()
    offer = entry.offer
    offer_live = (
        entry.status == WaitlistStatus.OFFERED
        and offer is not None
        and offer.releases_at is not None
        and offer.releases_at > timezone.now()
    )
    waiting = entry.status == WaitlistStatus.WAITING
    return render(
        request,
        "booking/waitlist_entry.html",
        {
            "entry": entry,
            "office": entry.office_service.office,
            "service": entry.office_service.service,
            "offer": offer if offer_live else None,
            "position": waitlist_position(entry) if waiting else None,
            "error": error,
        },
    )
