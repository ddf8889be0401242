"""The dashboards (docs/insights.md, "Dashboards"): `/staf/kinerja/` for an office the
user supervises, `/staf/kinerja/nasional/` for national administrators, their CSV export
of the facts, and applying a recommendation to the next plan. Filters: the office
(`kantor`), the first and last office day (`dari`, `sampai`) and a service (`layanan`).

A bad filter (a date that is not one, reversed, longer than a year, not ended yet, an
unknown service) is shown on the page with what to change; an office that is not the
user's, or the national page to anyone but a national administrator, is refused (403)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from core.dates import parse_day
from core.errors import ApplicationError
from core.http import AuthenticatedHttpRequest
from insights.dashboard import Scope
from insights.figures import DEFAULT_DAYS, figures_of, last_ended_day
from insights.histogram import percentile
from insights.recommendations import recommendation_apply
from insights.views import csv_attachment
from offices.models import Office, Service
from offices.permissions import integrity_offices_for, supervised_office

MAX_DAYS = 366  # an office's year
NATIONAL_MAX_DAYS = 31  # every office's month: a longer national sum takes too long for a page
OLDEST_DAYS = 3 * 366


@dataclass(frozen=True)
class Filters:
    first: date
    last: date
    service: Service | None


def _offices(request: AuthenticatedHttpRequest) -> tuple[Office, list[Office]]:
    code = request.GET.get("kantor", request.POST.get("kantor", ""))[:40]
    return supervised_office(request.user, code)


def _filters(params: Any, yesterday: date, max_days: int = MAX_DAYS) -> Filters:
    """The period and service asked for; by default the last DEFAULT_DAYS ended days."""
    oldest = yesterday - timedelta(days=OLDEST_DAYS)
    first_raw, last_raw = params.get("dari", "")[:20].strip(), params.get("sampai", "")[:20].strip()
    # Any date first, so "in the future" is said as such, not as "out of range".
    last = (
        parse_day(last_raw, field=_("To"), first=date.min, last=date.max) if last_raw else yesterday
    )
    first = (
        parse_day(first_raw, field=_("From"), first=date.min, last=date.max)
        if first_raw
        else last - timedelta(days=DEFAULT_DAYS - 1)
    )
    if last > yesterday:
        raise ApplicationError(
            "period_not_ended",
            _("Figures exist only for days that have ended: choose %(day)s or earlier.")
            % {"day": yesterday.isoformat()},
        )
    if first > last:
        raise ApplicationError(
            "period_reversed", _("The first day comes after the last: swap them.")
        )
    if (last - first).days >= max_days:
        raise ApplicationError(
            "period_too_long",
            _("Choose a period of at most %(days)d days.") % {"days": max_days},
        )
    if first < oldest:
        raise ApplicationError(
            "period_too_old",
            _("Figures are kept for three years: choose %(day)s or later.")
            % {"day": oldest.isoformat()},
        )
    service = None
    code = params.get("layanan", "")[:40].strip()
    if code:
        service = Service.objects.filter(code=code).first()
        if service is None:
            raise ApplicationError("unknown_service", _("No service has this code."))
    return Filters(first, last, service)


def _render(
    request: AuthenticatedHttpRequest,
    template_context: dict[str, Any],
    scope_of: Any,
    *,
    pungli: bool,
) -> HttpResponse:
    office: Office | None = template_context.get("office")
    now = timezone.now()
    try:
        filters = _filters(request.GET, last_ended_day(office, now), template_context["max_days"])
    except ApplicationError as error:
        template_context.update(error=error, query=request.GET)
        return render(request, "insights/dashboard.html", template_context, status=400)
    figures = figures_of(scope_of(filters), now)
    template_context.update(
        figures=mark_safe(figures.html),  # noqa: S308 - rendered by our own template
        filters=filters,
        recommendations=[(a, WEEKDAYS[a.weekday]) for a in figures.recommendations],
        complaints=[row for row in figures.complaints if pungli or not row.pungli],
        pungli=pungli,
        query=request.GET,
    )
    return render(request, "insights/dashboard.html", template_context)


def _services() -> list[Service]:
    return list(Service.objects.filter(is_active=True).order_by("code"))


@never_cache
@login_required
@require_GET
def office_dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    office, offices = _offices(request)
    pungli = integrity_offices_for(request.user).filter(pk=office.pk).exists()
    return _render(
        request,
        {"office": office, "offices": offices, "services": _services(), "max_days": MAX_DAYS},
        lambda f: Scope(f.first, f.last, office=office, service=f.service),
        pungli=pungli,
    )


@never_cache
@login_required
@require_GET
def national_dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not request.user.is_superuser:
        raise PermissionDenied(_("Only national administrators may see this page."))
    return _render(
        request,
        {"office": None, "services": _services(), "max_days": NATIONAL_MAX_DAYS},
        lambda f: Scope(f.first, f.last, service=f.service),
        pungli=True,
    )


CSV_COLUMNS = (
    "office",
    "day",
    "hour",
    "service",
    "walk_ins",
    "appointment_arrivals",
    "served",
    "abandoned",
    "called_no_shows",
    "not_served",
    "called",
    "wait_minutes_p50",
    "wait_minutes_p90",
    "target_wait_minutes",
    "called_within_target",
    "service_minutes_p50",
    "counters_active",
    "counters_planned",
    "counters_needed",
    "walk_ins_forecast",
    "appointment_places",
    "appointments_booked",
    "appointments_attended",
    "appointment_no_shows",
    "ratings",
    "ikm_respondents",
)


def _csv_rows(scope: Scope) -> Iterator[list[object]]:
    """One line per office, day, hour and service, read one day at a time (an office's
    day is tens of rows, every office's tens of thousands), so a year streams in constant
    memory without relying on a server-side cursor (which PgBouncer rules out)."""
    yield list(CSV_COLUMNS)
    day = scope.first
    while day <= scope.last:
        yield from _csv_day(scope, day)
        day += timedelta(days=1)


def _csv_day(scope: Scope, day: date) -> Iterator[list[object]]:
    rows = (
        scope.rows()
        .filter(local_date=day)
        .order_by("hour", "office__code", "office_service__service__code")
        .values_list(
            "office__code",
            "local_date",
            "hour",
            "office_service__service__code",
            *CSV_COLUMNS[4:10],
            "waits",
            "target_wait_minutes",
            "called_within_target",
            "service_times",
            *CSV_COLUMNS[16:24],
            "ratings",
            "ikm_respondents",
        )
    )
    for row in rows:
        head, counts, (waits, target, within, times), planned = (
            row[:4],
            row[4:10],
            row[10:14],
            row[14:22],
        )
        ratings, respondents = row[22], row[23]
        waits_counted = {int(k): v for k, v in waits.items()}
        yield [
            head[0],
            head[1].isoformat(),
            *head[2:],
            *counts,
            sum(waits_counted.values()),
            _blank(percentile(waits_counted, 50)),
            _blank(percentile(waits_counted, 90)),
            target,
            within,
            _blank(percentile({int(k): v for k, v in times.items()}, 50)),
            *(_blank(value) for value in planned),
            sum(ratings.values()),
            respondents,
        ]


def _blank(value: object) -> object:
    return "" if value is None else value


@never_cache
@login_required
@require_GET
def dashboard_csv(request: AuthenticatedHttpRequest) -> HttpResponse | StreamingHttpResponse:
    national = request.GET.get("nasional") == "1"
    if national:
        if not request.user.is_superuser:
            raise PermissionDenied(_("Only national administrators may see this page."))
        office: Office | None = None
    else:
        office, _offices_list = _offices(request)
    try:
        filters = _filters(
            request.GET,
            last_ended_day(office, timezone.now()),
            NATIONAL_MAX_DAYS if office is None else MAX_DAYS,
        )
    except ApplicationError as error:
        return HttpResponse(error.message, status=400, content_type="text/plain; charset=utf-8")
    scope = Scope(filters.first, filters.last, office=office, service=filters.service)
    name = f"giliran-{office.code if office else 'nasional'}-{filters.first}-{filters.last}.csv"
    return csv_attachment(_csv_rows(scope), name)


@login_required
@require_POST
def recommendation_apply_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    office, _offices_list = _offices(request)
    today = office.local_date()
    back = (
        reverse("staff:insights-dashboard")
        + "?"
        + urlencode(
            {
                k: request.POST.get(k, "")[:40]
                for k in ("kantor", "dari", "sampai")
                if request.POST.get(k)
            }
        )
    )
    try:
        filters = _filters(request.POST, today - timedelta(days=1))
        day, staffed = recommendation_apply(
            office=office,
            first=filters.first,
            last=filters.last,
            key=request.POST.get("rekomendasi", "")[:10],
            by=request.user,
            today=today,
        )
    except ApplicationError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(
            request,
            _("%(day)s: %(counters)d counters staffed at that hour; the plan is being made again.")
            % {"day": day.isoformat(), "counters": staffed},
        )
    return redirect(back)
