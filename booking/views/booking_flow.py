"""The citizen's booking journey: calendar → time → details (hold) → code → confirmed.

Each step is a plain form that works without JavaScript; htmx only swaps the calendar
and the list of times in place. The hold's id lives in the session, never in the URL,
and pages that show personal data are not cached."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache

from booking.forms import CodeForm, DetailsForm
from booking.models import Booking, BookingStatus, Slot, Source
from booking.selectors import alternatives as where_else
from booking.selectors import availability
from booking.services.booking import code_verify, details_clean
from booking.services.flows import (
    Caller,
    booking_start,
    code_resend,
    release_sold_out_check,
)
from booking.views.session import HOLD_KEY, remember_booking
from core.client_marks import with_device_cookie
from core.dates import parse_day, parse_month
from core.errors import ApplicationError
from core.http import HtmxHttpRequest
from offices.models import OfficeService
from releases import rooms
from releases.cookies import admission_cookie, ticket_cookie
from releases.outlook import release_outlook


def offered_or_404(office_code: str, service_code: str) -> OfficeService:
    return get_object_or_404(
        OfficeService.objects.select_related("office", "service"),
        office__code=office_code,
        service__code=service_code,
        is_active=True,
        office__is_active=True,
        service__is_active=True,
    )


def calendar_context(request: HttpRequest, office_service: OfficeService) -> dict[str, object]:
    """Month calendar and, for a chosen day, its times; shared with rescheduling and
    staff booking. When the chosen day (or, with none chosen, the whole month) is full or
    cannot be booked, it also says where there is room (`alternatives`: the next free
    day here, the nearest offices within GILIRAN_NEARBY_MAX_KM); a month or day not open
    yet says when it opens instead (`month_summary`, `chosen_status`)."""
    now = timezone.now()
    window = availability.booking_window(office_service, now)
    first, last = availability.calendar_range(office_service, now)
    raw_day, raw_month = request.GET.get("tanggal", ""), request.GET.get("bulan", "")
    chosen_day = parse_day(raw_day, field="tanggal", first=first, last=last) if raw_day else None
    month = (
        parse_month(raw_month, field="bulan", first=first, last=last)
        if raw_month
        else (chosen_day or window.first_day).replace(day=1)
    )
    days = availability.month_availability(office_service, month.year, month.month, now)
    previous_month = (month - timedelta(days=1)).replace(day=1) if month > first else None
    next_month = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    context: dict[str, object] = {
        "office_service": office_service,
        "office": office_service.office,
        "service": office_service.service,
        "window": window,
        "month": month,
        "previous_month": previous_month,
        "next_month": next_month if next_month <= last else None,
        "weeks": _weeks(days),
        "chosen_day": chosen_day,
    }
    looked_at = days
    if chosen_day:
        chosen = availability.days_availability(office_service, chosen_day, chosen_day, now)[0]
        context["chosen_status"] = chosen
        context["times"] = availability.day_slots(office_service, chosen_day, now)
        looked_at = [chosen]
    summary = availability.days_summary(days)
    context["month_summary"] = summary
    if summary.status == "full":
        release_sold_out_check(office_service=office_service, now=now)
    context["alternatives"] = where_else.alternatives(office_service, looked_at, now)
    context["release"] = release_outlook(office_service, now)
    return context


def _weeks(
    days: list[availability.DayAvailability],
) -> list[list[availability.DayAvailability | None]]:
    leading: list[availability.DayAvailability | None] = [None] * days[0].day.weekday()
    cells = leading + list(days)
    cells += [None] * (-len(cells) % 7)
    return [cells[i : i + 7] for i in range(0, len(cells), 7)]


def book_calendar(request: HtmxHttpRequest, office_code: str, service_code: str) -> HttpResponse:
    office_service = offered_or_404(office_code, service_code)
    context = calendar_context(request, office_service)
    if request.htmx:
        return render(request, "booking/book_calendar.html#picker", context)
    return render(request, "booking/book_calendar.html", context)


@never_cache
@with_device_cookie  # the form's page gives the device cookie the hold then records
def book_details(
    request: HttpRequest, office_code: str, service_code: str, slot_id: int
) -> HttpResponse:
    office_service = offered_or_404(office_code, service_code)
    slot = get_object_or_404(Slot, pk=slot_id, office_service=office_service)
    context = {
        "office_service": office_service,
        "office": office_service.office,
        "service": office_service.service,
        "slot": slot,
        "calendar_url": calendar_url_for(slot),
    }
    refusal = availability.slot_refusal(slot, timezone.now())
    if refusal:  # said before the form: a time that has passed, is too close, not open yet…
        if refusal[0] == "ballot_only":
            context["ballot_url"] = reverse(
                availability.BALLOT_PAGE,
                kwargs={"office_code": office_code, "service_code": service_code},
            )
        return render(request, "booking/book_details.html", {**context, "refusal": refusal[1]})
    admission = request.COOKIES.get(admission_cookie(office_code, service_code), "")
    if not admission and rooms.room_for(office_service, timezone.now()) is not None:
        # A release's waiting room is open: wait there before typing any details.
        return redirect("releases:room", office=office_code, service=service_code)
    form = DetailsForm(request.POST or None)
    challenge: object = None
    if request.method == "POST" and form.is_valid():
        caller = replace(
            page_caller(request),
            admission=admission,
            ticket=request.COOKIES.get(ticket_cookie(office_code, service_code), ""),
        )
        try:
            details = details_clean(**form.cleaned_data, language=get_language() or "id")
            booking = booking_start(
                caller=caller, slot_id=slot.pk, details=details, source=Source.WEB
            )
        except ApplicationError as error:
            if error.code == "waiting_room_required":
                return redirect("releases:room", office=office_code, service=service_code)
            form.add_application_error(error)
            challenge = error.extra.get("challenge")
        else:
            request.session[HOLD_KEY] = booking.pk
            return redirect("book-code")
    return render(
        request,
        "booking/book_details.html",
        {
            **context,
            "form": form,
            "challenge": challenge,
            "hold_minutes": settings.GILIRAN_HOLD_MINUTES,
        },
    )


def calendar_url_for(slot: Slot) -> str:
    """The calendar to go back to from a time: at its day while the calendar can show it
    (a time from an old link may be from a month it no longer shows)."""
    office_service = slot.office_service
    url = reverse("book-calendar", args=[office_service.office.code, office_service.service.code])
    first, last = availability.calendar_range(office_service, timezone.now())
    return f"{url}?tanggal={slot.local_date:%Y-%m-%d}" if first <= slot.local_date <= last else url


def page_caller(request: HttpRequest) -> Caller:
    """The request, with the answer to a challenge that the form sent back."""
    return Caller(
        request,
        challenge_token=request.POST.get("challenge", "")[:2000],
        challenge_solution=request.POST.get("challenge_solution", "")[:40],
    )


def _current_hold(request: HttpRequest) -> Booking:
    booking_id = request.session.get(HOLD_KEY)
    if not isinstance(booking_id, int):
        raise Http404
    booking = (
        Booking.objects.select_related(
            "slot__office_service__office", "slot__office_service__service"
        )
        .filter(pk=booking_id)
        .first()
    )
    if booking is None:
        raise Http404
    return booking


@never_cache
def book_code(request: HttpRequest) -> HttpResponse:
    booking = _current_hold(request)
    if booking.status == BookingStatus.CONFIRMED:
        return redirect("booking-detail", code=booking.code)
    form = CodeForm(request.POST or None)
    notice = ""
    if request.method == "POST":
        try:
            if "resend" in request.POST:
                code_resend(caller=page_caller(request), booking=booking)
                notice = "resent"
                form = CodeForm()
            elif form.is_valid():
                code_verify(booking=booking, code=form.cleaned_data["code"])
                remember_booking(request, booking)
                del request.session[HOLD_KEY]
                return redirect(f"{_detail_url(booking)}?baru=1")
        except ApplicationError as error:
            form.add_application_error(error)
    return render(
        request,
        "booking/book_code.html",
        {
            "booking": booking,
            "slot": booking.slot,
            "office": booking.slot.office_service.office,
            "service": booking.slot.office_service.service,
            "form": form,
            "notice": notice,
        },
    )


def _detail_url(booking: Booking) -> str:
    return reverse("booking-detail", kwargs={"code": booking.code})
