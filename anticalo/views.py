"""The anti-calo page (`/staf/anti-calo/`): for one office the supervisor supervises and
a period of its days, the flags of anticalo/rules.py with the rule next to each. The
read of personal data (masked contacts and NIKs, networks) is recorded in the audit log
per booking behind a flag."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from anticalo.selectors import calo_report, flagged_bookings
from core.audit import record_access
from core.dates import parse_day
from core.errors import ApplicationError
from core.http import AuthenticatedHttpRequest
from offices.models import Office
from offices.permissions import supervised_office

DEFAULT_DAYS = 7
MAX_DAYS = 31  # one report reads at most a month of an office's holds
OLDEST_DAYS = 366


def _office(request: AuthenticatedHttpRequest) -> tuple[Office, list[Office]]:
    return supervised_office(request.user, request.GET.get("kantor", "")[:40])


def _period(request: AuthenticatedHttpRequest, today: date) -> tuple[date, date]:
    oldest = today - timedelta(days=OLDEST_DAYS)
    first_raw = request.GET.get("dari", "")[:20]
    last_raw = request.GET.get("sampai", "")[:20]
    last = parse_day(last_raw, field=_("To"), first=oldest, last=today) if last_raw else today
    first = (
        parse_day(first_raw, field=_("From"), first=oldest, last=today)
        if first_raw
        else last - timedelta(days=DEFAULT_DAYS - 1)
    )
    if first > last or (last - first).days >= MAX_DAYS:
        raise ApplicationError(
            "invalid_period",
            _("Choose a period of 1 to %(days)d days, the first day not after the last.")
            % {"days": MAX_DAYS},
        )
    return first, last


@never_cache
@login_required
@require_GET
def anticalo_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    office, offices = _office(request)
    today = office.local_date(timezone.now())
    context: dict[str, object] = {"office": office, "offices": offices, "max_days": MAX_DAYS}
    try:
        first, last = _period(request, today)
    except ApplicationError as error:
        context.update(
            error=error,
            first=request.GET.get("dari", "")[:20],
            last=request.GET.get("sampai", "")[:20],
        )
        status = 400
    else:
        report = calo_report(office=office, first=first, last=last)
        for booking in flagged_bookings(report):
            record_access(booking)
        context.update(report=report, first=first.isoformat(), last=last.isoformat())
        status = 200
    template = "anticalo/report.html#report" if request.htmx else "anticalo/report.html"
    return render(request, template, context, status=status)
