"""Staff pages: the queue of data-subject requests (supervisors of the offices
involved, administrators) and one request with its actions."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from core import personal_data
from core.audit import record_access
from core.errors import ApplicationError
from core.http import AuthenticatedHttpRequest
from offices.permissions import supervises
from privacy import selectors
from privacy.forms import RefuseForm
from privacy.models import DataRequest
from privacy.services.requests import (
    data_request_complete,
    data_request_refuse,
    data_request_take,
    may_handle,
)


def _row(request: DataRequest) -> dict[str, object]:
    return {
        "data_request": request,
        "deadline": selectors.request_deadline(request),
        "overdue": selectors.request_overdue(request),
    }


@never_cache
@login_required
def request_queue(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not supervises(request.user):
        raise PermissionDenied  # counter staff have no queue of requests
    show_all = request.GET.get("semua") == "1"
    requests = selectors.requests_for_staff(request.user, open_only=not show_all)
    return render(
        request,
        "privacy/staff_queue.html",
        {"rows": [_row(r) for r in requests[:200]], "show_all": show_all},
    )


@never_cache
@login_required
def request_detail(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    data_request = DataRequest.objects.filter(reference=reference.upper()).first()
    if data_request is None:
        raise Http404
    if not may_handle(request.user, data_request):
        raise PermissionDenied
    refuse_form = RefuseForm(request.POST if request.POST.get("action") == "refuse" else None)
    error: object = None
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "take":
                data_request_take(request=data_request, staff=request.user)
            elif action == "complete":
                data_request_complete(request=data_request, staff=request.user)
            elif action == "refuse":
                data_request_refuse(
                    request=data_request,
                    staff=request.user,
                    reason=request.POST.get("reason", ""),
                )
            else:
                raise Http404
        except ApplicationError as refused:
            if action == "refuse":
                refuse_form.add_application_error(refused)
            else:
                error = refused.message
        else:
            return redirect("privacy-staff-request", reference=data_request.reference)
    new_value = (
        personal_data.decrypt(data_request.new_value_encrypted)
        if data_request.new_value_encrypted
        else ""
    )
    bookings = selectors.request_bookings_for(request.user, data_request.nik_hash)
    for row in bookings:
        if row["booking"] is not None:
            record_access(row["booking"])  # a staff member read this citizen's booking
    context = {
        **_row(data_request),
        "new_value": new_value,
        "bookings": bookings,
        "events": data_request.events.select_related("staff"),
        "refuse_form": refuse_form,
        "error": error,
        "now": timezone.now(),
    }
    status = 400 if error or refuse_form.errors else 200
    return render(request, "privacy/staff_request.html", context, status=status)
