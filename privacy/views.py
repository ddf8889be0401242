"""Citizen pages: prove who you are (NIK + one-time code), then see, download and ask
to correct or delete what Giliran holds about you. Thin: decisions are in
privacy.services, reads in privacy.selectors.

Nothing about the citizen is in a URL. The proof and, after it, the grant live in the
session (the grant expires after GILIRAN_PRIVACY_GRANT_MINUTES); both carry the contact
the code went to, encrypted, for the answers to the citizen's requests."""

from __future__ import annotations

import json

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache

from core import personal_data
from core.errors import ApplicationError
from core.ratelimit import client_ip, rate_limit, rate_limit_code_send
from privacy import selectors
from privacy.forms import CodeForm, ProveForm, RequestForm
from privacy.models import ANSWER_WITHIN, RequestKind
from privacy.services.proof import (
    Grant,
    contact_clean,
    grant_read,
    grant_token,
    identity_proof_start,
    identity_proof_verify,
)
from privacy.services.requests import citizen_access_record, data_request_file

PROOF_KEY = "giliran_privacy_proof"
GRANT_KEY = "giliran_privacy_grant"
FILED_KEY = "giliran_privacy_filed"


def _language() -> str:
    return (get_language() or "id")[:2]


def _granted(request: HttpRequest) -> Grant | None:
    grant = grant_read(str(request.session.get(GRANT_KEY, "")))
    if grant is None:
        request.session.pop(GRANT_KEY, None)
    return grant


@never_cache
def privacy_start(request: HttpRequest) -> HttpResponse:
    form = ProveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        nik, contact = form.cleaned_data["nik"], form.cleaned_data["contact"]
        try:
            rate_limit(
                request,
                group="privacy-ip",
                key=client_ip(request),
                rate=settings.GILIRAN_RATE_PRIVACY_PER_IP,
            )
            rate_limit(
                request,
                group="privacy-nik",
                key=personal_data.keyed_hash("".join(nik.split())),
                rate=settings.GILIRAN_RATE_PRIVACY_PER_NIK,
            )
            rate_limit_code_send(request, contact=contact_clean(contact).address)
            proof = identity_proof_start(nik=nik, contact=contact, language=_language())
        except ApplicationError as error:
            form.add_application_error(error)
        else:
            request.session[PROOF_KEY] = proof
            return redirect("privacy-code")
    return render(request, "privacy/start.html", {"form": form})


@never_cache
def privacy_code(request: HttpRequest) -> HttpResponse:
    pending = request.session.get(PROOF_KEY)
    if not isinstance(pending, str):
        return redirect("privacy-start")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            rate_limit(
                request,
                group="privacy-code-ip",
                key=client_ip(request),
                rate=settings.GILIRAN_RATE_LOOKUP_PER_IP,
            )
            grant = identity_proof_verify(proof=pending, code=form.cleaned_data["code"])
        except ApplicationError as error:
            form.add_application_error(error)
        else:
            request.session.pop(PROOF_KEY, None)
            request.session[GRANT_KEY] = grant_token(grant)
            request.session.cycle_key()  # a new session id whenever it gains access
            return redirect("privacy-overview")
    return render(request, "privacy/code.html", {"form": form})


@never_cache
def privacy_overview(request: HttpRequest) -> HttpResponse:
    granted = _granted(request)
    if granted is None:
        return redirect("privacy-start")
    citizen_access_record(nik_hash=granted.nik_hash, exported=False)
    return render(request, "privacy/overview.html", _overview_context(request, granted))


def _overview_context(
    request: HttpRequest, granted: Grant, form: RequestForm | None = None
) -> dict[str, object]:
    data = selectors.citizen_data(granted.nik_hash, granted.contact)
    return {
        "data": data,
        "form": form or RequestForm(initial={"kind": RequestKind.CORRECTION}),
        "filed": request.session.pop(FILED_KEY, None),
        "has_upcoming": any(b["status"] == "confirmed" for b in data["bookings"]),
        "answer_hours": int(ANSWER_WITHIN.total_seconds() // 3600),
        "grant_minutes": settings.GILIRAN_PRIVACY_GRANT_MINUTES,
    }


@never_cache
def privacy_export(request: HttpRequest) -> HttpResponse:
    granted = _granted(request)
    if granted is None:
        return redirect("privacy-start")
    citizen_access_record(nik_hash=granted.nik_hash, exported=True)
    body = json.dumps(
        selectors.citizen_data(granted.nik_hash, granted.contact), ensure_ascii=False, indent=2
    )
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="giliran-data-saya.json"'
    return response


@never_cache
def privacy_request(request: HttpRequest) -> HttpResponse:
    granted = _granted(request)
    if granted is None:
        return redirect("privacy-start")
    if request.method != "POST":
        return redirect("privacy-overview")
    form = RequestForm(request.POST)
    if form.is_valid():
        try:
            filed = data_request_file(
                nik_hash=granted.nik_hash,
                kind=form.cleaned_data["kind"],
                field=form.cleaned_data["field"],
                new_value=form.cleaned_data["new_value"],
                reason=form.cleaned_data["reason"],
                contact=granted.contact,
                language=_language(),
            )
        except ApplicationError as error:
            form.add_application_error(error)
        else:
            request.session[FILED_KEY] = filed.reference
            return redirect("privacy-overview")
    context = _overview_context(request, granted, form)
    return render(request, "privacy/overview.html", context, status=400)


@never_cache
def privacy_end(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        request.session.pop(GRANT_KEY, None)
        request.session.pop(PROOF_KEY, None)
    return redirect("privacy-start")
