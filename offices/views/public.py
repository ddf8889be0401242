"""Citizen pages: find an office and a service, read what to bring. Server-rendered;
htmx only swaps the result list in place while typing."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from core.http import HtmxHttpRequest
from core.timezones import local_now
from offices import selectors as catalog
from offices.models import Office, Service

HOME_RESULTS_SHOWN = 24


def home(request: HtmxHttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:100]
    service_code = request.GET.get("service", "").strip()[:40]
    services = list(catalog.active_services().order_by("name_id"))
    selected = next((s for s in services if s.code == service_code), None)
    offices = catalog.office_search(query=query, service_code=selected.code if selected else "")
    total = offices.count()
    context = {
        "query": query,
        "services": services,
        "selected_service": selected,
        # A country has hundreds of offices: show the first page and ask to narrow down.
        "offices": offices[:HOME_RESULTS_SHOWN],
        "total": total,
        "truncated": total > HOME_RESULTS_SHOWN,
    }
    template = "offices/home.html#results" if request.htmx else "offices/home.html"
    return render(request, template, context)


def office_detail(request: HttpRequest, code: str) -> HttpResponse:
    try:
        office = catalog.office_with_details(code)
    except Office.DoesNotExist as missing:
        raise Http404 from missing
    return render(
        request,
        "offices/office_detail.html",
        {
            "office": office,
            "local_now": local_now(office.timezone),
            "closed_days": catalog.upcoming_closed_days(office),
        },
    )


def service_detail(request: HtmxHttpRequest, code: str) -> HttpResponse:
    service = get_object_or_404(catalog.active_services(), code=code)
    province = request.GET.get("province", "").strip()[:100]
    offices = catalog.office_search(service_code=service.code, province=province)
    context = {
        "service": service,
        "offices": offices,
        "provinces": catalog.provinces(),
        "province": province,
    }
    template = (
        "offices/service_detail.html#offices" if request.htmx else "offices/service_detail.html"
    )
    return render(request, template, context)


def service_list(request: HttpRequest) -> HttpResponse:
    services: list[Service] = list(catalog.active_services().order_by("name_id"))
    return render(request, "offices/service_list.html", {"services": services})
