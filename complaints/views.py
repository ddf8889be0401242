"""The citizen's complaint pages: file one, see it filed (number and access key, once),
and check its status with the number and the key. They work without JavaScript."""

from __future__ import annotations

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache

from complaints.forms import ComplaintForm, StatusForm
from complaints.models import Complaint
from complaints.services import (
    Intake,
    access_key_display,
    complaint_file_limited,
    complaint_lookup,
)
from core.errors import ApplicationError

FILED_KEY = "complaint_filed"


@never_cache
def complaint_new(request: HttpRequest) -> HttpResponse:
    form = ComplaintForm(
        request.POST or None,
        request.FILES or None,
        initial={"office": request.GET.get("kantor", "")},
    )
    challenge: object = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            filed = complaint_file_limited(
                request=request,
                intake=Intake(
                    office_code=data["office"],
                    category=data["category"],
                    text=data["text"],
                    contact=data["contact"],
                    pungli=data["pungli"],
                    language=get_language() or "id",
                    photo=_uploaded(data["photo"]),
                ),
                challenge_token=request.POST.get("challenge", "")[:2000],
                challenge_solution=request.POST.get("challenge_solution", "")[:40],
            )
        except ApplicationError as error:
            form.add_application_error(error)
            challenge = error.extra.get("challenge")
        else:
            # The key is shown once, on the next page, from the session: never in a URL.
            request.session[FILED_KEY] = [filed.complaint.pk, access_key_display(filed.access_key)]
            return redirect("complaint-filed")
    return render(
        request,
        "complaints/new.html",
        {"form": form, "challenge": challenge, "sla_days": settings.GILIRAN_COMPLAINT_SLA_DAYS},
    )


def _uploaded(upload: UploadedFile | None) -> bytes | None:
    """The upload's bytes, reading at most one byte beyond the limit (enough for the
    service to refuse it) however large it was."""
    if upload is None:
        return None
    return upload.read(settings.GILIRAN_COMPLAINT_PHOTO_MAX_BYTES + 1)


@never_cache
def complaint_filed(request: HttpRequest) -> HttpResponse:
    filed = request.session.pop(FILED_KEY, None)
    if not isinstance(filed, list) or len(filed) != 2:
        return redirect("complaint-status")
    complaint = Complaint.objects.select_related("office").filter(pk=filed[0]).first()
    if complaint is None:
        return redirect("complaint-status")
    return render(
        request, "complaints/filed.html", {"complaint": complaint, "access_key": filed[1]}
    )


@never_cache
def complaint_status(request: HttpRequest) -> HttpResponse:
    """A POST, so the access key never lands in an address, a log or the history."""
    form = StatusForm(request.POST or None)
    complaint = None
    if request.method == "POST" and form.is_valid():
        try:
            complaint = complaint_lookup(
                request=request,
                number=form.cleaned_data["number"],
                access_key=form.cleaned_data["access_key"],
            )
        except ApplicationError as error:
            form.add_application_error(error)
    return render(request, "complaints/status.html", {"form": form, "complaint": complaint})
