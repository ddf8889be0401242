"""Read-only catalog API: offices and services, looked up by their codes.

The filter sets validate query parameters (a bad value is a 400 naming the field) and
hand the cleaned values to the catalog selectors, which own the search rules.

The offices' list and each office's detail are served from the cache, keyed by the
catalog's version (offices.catalog_cache: any catalog edit bumps it on commit), the
request's language and its full address (the page links carry the host); an office's
coming closed days hold until the office's midnight."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime, time, timedelta
from typing import Any

import django_filters
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import get_language
from rest_framework import generics
from rest_framework.request import Request
from rest_framework.response import Response

from core.timezones import IndonesianZone
from core.versioned_cache import MAX_SECONDS, Answer, cached_answer
from offices import selectors as catalog
from offices.catalog_cache import CATALOG_VERSION
from offices.models import Office, OfficeKind, Service
from offices.serializers import OfficeDetailSerializer, OfficeSerializer, ServiceSerializer


class OfficeFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        max_length=100, help_text="Words in name, code, region or address."
    )
    service = django_filters.CharFilter(
        max_length=40, help_text="Only offices offering this service code."
    )
    province = django_filters.CharFilter(max_length=100)
    timezone = django_filters.ChoiceFilter(choices=IndonesianZone.choices)
    kind = django_filters.ChoiceFilter(choices=OfficeKind.choices)

    class Meta:
        model = Office
        fields: list[str] = []

    def filter_queryset(self, queryset: QuerySet[Office]) -> QuerySet[Office]:
        data = self.form.cleaned_data
        offices = catalog.office_search(
            query=data.get("q") or "",
            service_code=data.get("service") or "",
            province=data.get("province") or "",
            timezone=data.get("timezone") or "",
        )
        return offices.filter(kind=data["kind"]) if data.get("kind") else offices


def _catalog_cached(request: Request, compute: Callable[[datetime], Answer[Any]]) -> Response:
    """The response body for this request from the cache, or computed and stored."""
    now = timezone.now()
    address = hashlib.sha256(request.build_absolute_uri().encode()).hexdigest()
    body = cached_answer(
        key=f"offices-api:{get_language() or 'id'}:{address}",
        versions=[CATALOG_VERSION],
        now=now,
        compute=lambda: compute(now),
    )
    return Response(body)


class OfficeList(generics.ListAPIView):
    """Active offices, each with the services it offers."""

    serializer_class = OfficeSerializer
    filterset_class = OfficeFilter
    queryset = Office.objects.none()  # the filter set builds the real one

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        def compute(now: datetime) -> Answer[Any]:
            # Nothing in the list changes with the clock: only a catalog edit ends it.
            body = super(OfficeList, self).list(request, *args, **kwargs).data
            return Answer(body, now + timedelta(seconds=MAX_SECONDS))

        return _catalog_cached(request, compute)


class OfficeDetail(generics.RetrieveAPIView):
    """One office with its services, weekly hours (in its own zone) and coming closures."""

    serializer_class = OfficeDetailSerializer
    lookup_field = "code"

    def get_object(self) -> Office:
        try:
            office = catalog.office_with_details(self.kwargs["code"])
        except Office.DoesNotExist as missing:
            raise Http404 from missing
        office.closed_days = catalog.upcoming_closed_days(office)  # type: ignore[attr-defined]
        return office

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        def compute(now: datetime) -> Answer[Any]:
            office = self.get_object()
            # The coming closed days start from the office's today.
            midnight = datetime.combine(
                office.local_date(now) + timedelta(days=1), time(0), tzinfo=office.zone
            )
            return Answer(self.get_serializer(office).data, midnight)

        return _catalog_cached(request, compute)


class ServiceFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(max_length=100, help_text="Words in the name or description.")
    office = django_filters.CharFilter(max_length=40, help_text="Only services this office offers.")
    accepts = django_filters.ChoiceFilter(
        choices=[("appointment", "appointment"), ("walk_in", "walk_in")],
        help_text="Only services that take appointments, or walk-ins.",
    )

    class Meta:
        model = Service
        fields: list[str] = []

    def filter_queryset(self, queryset: QuerySet[Service]) -> QuerySet[Service]:
        data = self.form.cleaned_data
        return catalog.service_search(
            query=data.get("q") or "",
            office_code=data.get("office") or "",
            accepts=data.get("accepts") or "",
        )


class ServiceList(generics.ListAPIView):
    """Active services with their requirements in both languages."""

    serializer_class = ServiceSerializer
    filterset_class = ServiceFilter
    queryset = Service.objects.none()


class ServiceDetail(generics.RetrieveAPIView):
    serializer_class = ServiceSerializer
    lookup_field = "code"
    queryset = Service.objects.filter(is_active=True)
