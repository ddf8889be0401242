"""Staff pages: the complaints a supervisor (their offices' complaints) or an integrity
officer (their offices' pungli reports) handles, and one complaint with its trail and
the three steps. Every step goes through complaints.services."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from complaints import selectors
from complaints.forms import AnswerForm, FilterForm
from complaints.models import Complaint, ComplaintPhoto
from complaints.services import (
    complaint_answer,
    complaint_close,
    complaint_take,
    contact_of,
    may_handle,
)
from core.audit import record_access
from core.contacts import mask_email, mask_phone
from core.errors import ApplicationError
from core.http import AuthenticatedHttpRequest
from offices.selectors import active_offices

PAGE_ROWS = 200


@never_cache
@login_required
def complaint_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not selectors.may_see_complaints(request.user):
        raise PermissionDenied
    filters = FilterForm(request.GET or {"status": "open"})
    chosen = filters.cleaned_data if filters.is_valid() else {"status": "open", "category": ""}
    office_code = request.GET.get("kantor", "")[:40]
    complaints = selectors.complaints_for_staff(
        request.user,
        status=chosen.get("status", ""),
        category=chosen.get("category", ""),
        office_code=office_code,
    )
    now = timezone.now()
    rows = [
        {"complaint": c, "overdue": c.overdue(c.office.local_date(now))}
        for c in complaints[:PAGE_ROWS]
    ]
    offices = active_offices().filter(pk__in=complaints.values("office_id")).order_by("name")
    return render(
        request,
        "complaints/staff_list.html",
        {"rows": rows, "filters": filters, "offices": offices, "office_code": office_code},
    )


def _masked_contact(complaint: Complaint) -> str:
    contact = contact_of(complaint)
    return mask_email(contact) if "@" in contact else mask_phone(contact)


def _act(
    request: AuthenticatedHttpRequest, complaint: Complaint, action: str, answer_form: AnswerForm
) -> None:
    if action == "take":
        complaint_take(complaint=complaint, by=request.user)
    elif action == "close":
        complaint_close(complaint=complaint, by=request.user)
    elif action == "answer":
        if not answer_form.is_valid():
            raise ApplicationError("invalid_answer", _("Check the answer below."))
        complaint_answer(
            complaint=complaint, by=request.user, answer=answer_form.cleaned_data["answer"]
        )
    else:
        raise ApplicationError("unknown_action", _("Choose one of the buttons."))


@never_cache
@login_required
def complaint_detail(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    complaint = (
        Complaint.objects.select_related("office", "assignee").filter(number=number.upper()).first()
    )
    if complaint is None:
        raise Http404
    if not may_handle(request.user, complaint):
        raise PermissionDenied
    action = request.POST.get("action", "")
    answer_form = AnswerForm(request.POST if action == "answer" else None)
    error: ApplicationError | None = None
    if request.method == "POST":
        try:
            _act(request, complaint, action, answer_form)
        except ApplicationError as failure:
            error = failure
            if action == "answer" and failure.fields:
                answer_form.add_application_error(failure)
        else:
            return redirect("staff:complaint", complaint.number)
    else:
        record_access(complaint)
    today = complaint.office.local_date(timezone.now())
    return render(
        request,
        "complaints/staff_detail.html",
        {
            "complaint": complaint,
            "events": complaint.events.select_related("staff"),
            "overdue": complaint.overdue(today),
            "contact": _masked_contact(complaint),
            "has_photo": ComplaintPhoto.objects.filter(complaint=complaint).exists(),
            "answer_form": answer_form,
            "error": error,
        },
        status=400 if error is not None else 200,
    )


@never_cache
@login_required
def complaint_photo(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    """The photo, to the complaint's handlers only; never cached, never sniffed as
    anything but the image type checked at intake."""
    complaint = Complaint.objects.filter(number=number.upper()).first()
    if complaint is None:
        raise Http404
    if not may_handle(request.user, complaint):
        raise PermissionDenied
    photo = ComplaintPhoto.objects.filter(complaint=complaint).first()
    if photo is None:
        raise Http404
    record_access(complaint)
    response = HttpResponse(bytes(photo.data), content_type=photo.content_type)
    response["Content-Disposition"] = f'inline; filename="{complaint.number}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
