"""Booking for a citizen at the counter: staff pick the service, the time and type the
citizen's details."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache

from booking.forms import StaffDetailsForm
from booking.models import Slot
from booking.selectors import availability
from booking.services.booking import booking_book_for_citizen, details_clean
from booking.views.booking_flow import calendar_context, offered_or_404
from booking.views.session import remember_booking
from core.errors import ApplicationError
from core.http import AuthenticatedHttpRequest
from offices.models import Office, OfficeService, Role
from offices.permissions import require_office_role


def _office_for(
    request: AuthenticatedHttpRequest, office_code: str, role: Role = Role.CLERK
) -> Office:
    office = get_object_or_404(Office, code=office_code, is_active=True)
    require_office_role(request.user, office, at_least=role)
    return office


@login_required
def staff_book_start(request: AuthenticatedHttpRequest, office_code: str) -> HttpResponse:
    """Pick the service for a citizen at the counter."""
    office = _office_for(request, office_code)
    offered = (
        OfficeService.objects.filter(
            office=office, is_active=True, service__accepts_appointments=True
        )
        .select_related("service")
        .order_by("ticket_letter")
    )
    return render(request, "staff/book_start.html", {"office": office, "offered": offered})


@login_required
def staff_book_calendar(
    request: AuthenticatedHttpRequest, office_code: str, service_code: str
) -> HttpResponse:
    office = _office_for(request, office_code)
    office_service = offered_or_404(office.code, service_code)
    context = {**calendar_context(request, office_service), "staff_booking": True}
    if request.htmx:
        return render(request, "booking/book_calendar.html#picker", context)
    return render(request, "staff/book_calendar.html", context)


@never_cache
@login_required
def staff_book_details(
    request: AuthenticatedHttpRequest, office_code: str, slot_id: int
) -> HttpResponse:
    office = _office_for(request, office_code)
    slot = get_object_or_404(
        Slot.objects.select_related("office_service__service"),
        pk=slot_id,
        office_service__office=office,
    )
    context = {"office": office, "slot": slot, "service": slot.office_service.service}
    refusal = availability.slot_refusal(slot, timezone.now())
    if refusal:  # said before the form, as on the citizen's page
        return render(request, "staff/book_details.html", {**context, "refusal": refusal[1]})
    form = StaffDetailsForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            details = details_clean(
                **form.cleaned_data, language=get_language() or "id", at_the_office=True
            )
            booking = booking_book_for_citizen(
                slot_id=slot.pk, details=details, staff_user=request.user
            )
        except ApplicationError as error:
            form.add_application_error(error)
        else:
            remember_booking(request, booking)
            return redirect("booking-detail", code=booking.code)
    return render(
        request,
        "staff/book_details.html",
        {**context, "form": form},
    )
