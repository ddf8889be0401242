"""The ballot's pages: the round of an office-service (rules, commitment, entry form,
and after the draw the seed and the result), the entry's own page (prove the contact,
then the outcome, and for a winner the code that confirms the held place), the
published JSON, and the supervisors' counts. GET never changes anything but the round
made on demand."""

from __future__ import annotations

import json

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache

from ballots.forms import EntryCodeForm, EntryForm
from ballots.models import Ballot, BallotEntry, BallotStatus
from ballots.selectors import ballot_counts, entry_outcome, last_drawn
from ballots.services.entries import ballot_enter_for, entry_code_resend_for, entry_verify
from ballots.services.rounds import ballot_choices, ballot_is_open, ballot_next
from booking.services.booking import code_send, code_verify, details_clean
from booking.views.booking_flow import offered_or_404, page_caller
from booking.views.session import remember_booking
from core.errors import ApplicationError
from offices.models.staff import Role
from offices.permissions import has_office_role


@never_cache
def ballot_round_page(request: HttpRequest, office_code: str, service_code: str) -> HttpResponse:
    office_service = offered_or_404(office_code, service_code)
    now = timezone.now()
    if office_service.allocation != "ballot":
        raise Http404
    ballot = ballot_next(office_service=office_service, now=now)
    options = ballot_choices(ballot)
    form = EntryForm(request.POST or None, options=options)
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            details = details_clean(
                **{k: v for k, v in form.cleaned_data.items() if not k.startswith("choice_")},
                language=get_language() or "id",
            )
            entry = ballot_enter_for(
                caller=page_caller(request), ballot=ballot, details=details, choices=form.choices()
            )
        except ApplicationError as refused:
            form.add_application_error(refused)
            error = refused
        else:
            return redirect("ballot-entry", token=entry.token)
    return render(
        request,
        "ballots/round.html",
        {
            "office_service": office_service,
            "office": office_service.office,
            "service": office_service.service,
            "ballot": ballot,
            "is_open": ballot_is_open(ballot, now),
            "not_yet": now < ballot.entries_open_at,
            "form": form,
            "error": error,
            "challenge": error.extra.get("challenge") if error is not None else None,
            "previous": last_drawn(office_service),
        },
        status=409 if error is not None and error.status_code == 409 else 200,
    )


@never_cache
def ballot_entry_page(request: HttpRequest, token: str) -> HttpResponse:
    entry = get_object_or_404(
        BallotEntry.objects.select_related("ballot__service", "hold__slot__office_service__office"),
        token=token,
    )
    form = EntryCodeForm(request.POST or None)
    error = None
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "resend":
                entry_code_resend_for(caller=page_caller(request), entry=entry)
            elif action == "send_hold_code" and entry.hold is not None:
                code_send(booking=entry.hold)
            elif form.is_valid() and action == "verify":
                entry_verify(entry=entry, code=form.cleaned_data["code"])
            elif form.is_valid() and action == "confirm" and entry.hold is not None:
                booking = code_verify(booking=entry.hold, code=form.cleaned_data["code"])
                remember_booking(request, booking)
                return redirect("booking-detail", code=booking.code)
        except ApplicationError as refused:
            error = refused.message
        entry.refresh_from_db()
        form = EntryCodeForm()
    return render(
        request,
        "ballots/entry.html",
        {
            "entry": entry,
            "outcome": entry_outcome(entry),
            "zone": _zone(entry.ballot),
            "form": form,
            "error": error,
        },
    )


def _zone(ballot: Ballot) -> str:
    first = ballot.office_services.select_related("office").order_by("pk").first()
    return first.office.timezone if first else "Asia/Jakarta"


def ballot_published(request: HttpRequest, ballot_id: int) -> HttpResponse:
    ballot = get_object_or_404(Ballot, pk=ballot_id, status=BallotStatus.DRAWN)
    response = HttpResponse(
        json.dumps(ballot.published, indent=1, sort_keys=True), content_type="application/json"
    )
    response["Content-Disposition"] = f'attachment; filename="undian-{ballot.pk}.json"'
    return response


@login_required
def ballot_staff_page(request: HttpRequest, ballot_id: int) -> HttpResponse:
    ballot = get_object_or_404(Ballot.objects.select_related("service"), pk=ballot_id)
    offices = [os.office_id for os in ballot.office_services.all()]
    if not any(has_office_role(request.user, o, at_least=Role.SUPERVISOR) for o in offices):
        raise Http404
    context = {"ballot": ballot, "counts": ballot_counts(ballot), "zone": _zone(ballot)}
    return render(request, "ballots/staff.html", context)
