"""A citizen's own booking: look it up, see it, download it, cancel it, move it.

Access comes from the session (booking.views.session): nothing about the citizen is in
the URL but the booking code. A signed link from a message opens the page; only the
confirm buttons (POST) change anything, because mail scanners follow links."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from booking.documents import booking_ics, booking_qr_svg
from booking.forms import LookupForm
from booking.models import Booking, BookingStatus
from booking.services import flows
from booking.services.booking import booking_cancel, booking_reschedule
from booking.tokens import booking_for_token
from booking.views.booking_flow import calendar_context
from booking.views.session import may_see, remember_booking
from core.audit import record_access
from core.errors import ApplicationError
from core.http import HtmxHttpRequest


def _own_booking(request: HttpRequest, code: str) -> Booking:
    booking = (
        Booking.objects.select_related(
            "slot__office_service__office", "slot__office_service__service"
        )
        .filter(code=code.upper())
        .exclude(status__in=[BookingStatus.HELD, BookingStatus.EXPIRED])
        .first()
    )
    if booking is None or not may_see(request, booking):
        raise Http404
    return booking


def _page(booking: Booking) -> dict[str, object]:
    office_service = booking.slot.office_service
    return {
        "booking": booking,
        "slot": booking.slot,
        "office_service": office_service,
        "office": office_service.office,
        "service": office_service.service,
        "can_change": booking.usable,
        "can_reschedule": booking.usable
        and booking.reschedule_count < office_service.max_reschedules,
    }


@never_cache
def booking_lookup(request: HttpRequest) -> HttpResponse:
    form = LookupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            booking = flows.booking_lookup(
                caller=flows.Caller(request),
                code=form.cleaned_data["code"],
                secret=form.cleaned_data["secret"],
            )
        except ApplicationError as error:
            form.add_application_error(error)
        else:
            if booking is not None:
                remember_booking(request, booking)
                return redirect("booking-detail", code=booking.code)
            form.add_error(None, _not_found_message())
    return render(request, "booking/booking_lookup.html", {"form": form})


def _not_found_message() -> str:
    return _("No booking matches this code and these details. Check both and try again.")


@never_cache
def booking_detail(request: HttpRequest, code: str) -> HttpResponse:
    if "t" in request.GET:
        return _exchange_link(request, code)
    booking = _own_booking(request, code)
    if request.user.is_authenticated:
        record_access(booking)  # staff who booked for a citizen see the citizen's details
    context = _page(booking)
    context["just_confirmed"] = request.GET.get("baru") == "1"
    return render(request, "booking/booking_detail.html", context)


def _exchange_link(request: HttpRequest, code: str) -> HttpResponse:
    """A signed link from a message: its token becomes a grant in this browser's
    session, and the browser goes on to the address without it, so the token stays out
    of the address bar, the history and the logs of every later request. A GET changes
    no booking (mail scanners follow links). An expired or revoked link leads to the
    lookup form."""
    booking = booking_for_token(request.GET.get("t", ""), code=code)
    if booking is not None and booking.status not in (BookingStatus.HELD, BookingStatus.EXPIRED):
        remember_booking(request, booking)
        return redirect("booking-detail", code=booking.code)
    return redirect("booking-lookup")


@never_cache
def booking_calendar_file(request: HttpRequest, code: str) -> HttpResponse:
    booking = _own_booking(request, code)
    url = settings.GILIRAN_SITE_URL + reverse("booking-lookup")
    response = HttpResponse(
        booking_ics(booking, manage_url=url), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="giliran-{booking.code}.ics"'
    return response


@never_cache
def booking_qr(request: HttpRequest, code: str) -> HttpResponse:
    booking = _own_booking(request, code)
    if not booking.usable:
        raise Http404  # a code that has ended is nothing to show the kiosk
    return HttpResponse(booking_qr_svg(booking), content_type="image/svg+xml")


@never_cache
def booking_cancel_page(request: HttpRequest, code: str) -> HttpResponse:
    booking = _own_booking(request, code)
    error: object = None
    if request.method == "POST":
        try:
            booking = booking_cancel(booking=booking)
        except ApplicationError as refused:
            error = refused.message
        else:
            remember_booking(request, booking)  # cancelling ended the old grant
            return redirect("booking-detail", code=booking.code)
    return render(request, "booking/booking_cancel.html", {**_page(booking), "error": error})


@never_cache
def booking_reschedule_page(request: HtmxHttpRequest, code: str) -> HttpResponse:
    booking = _own_booking(request, code)
    error: object = None
    if request.method == "POST":
        try:
            slot_id = int(request.POST.get("slot", ""))
            booking = booking_reschedule(booking=booking, slot_id=slot_id)
        except ValueError:
            error = _("Choose a new time.")
        except ApplicationError as refused:
            error = refused.message
        else:
            remember_booking(request, booking)  # moving ended the old grant
            return redirect("booking-detail", code=booking.code)
    context = {
        **_page(booking),
        **calendar_context(request, booking.slot.office_service),
        "error": error,
        "rescheduling": booking,
    }
    if request.htmx:
        return render(request, "booking/book_calendar.html#picker", context)
    return render(request, "booking/booking_reschedule.html", context)
