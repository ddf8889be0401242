"""Read-only catalog API: offices and services, looked up by their codes.

The filter sets validate query parameters (a bad value is a 400 naming the field) and
hand the cleaned values to the catalog selectors, which own the search rules."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from django.http import Http404
from rest_framework import generics

from core.timezones import IndonesianZone
from offices import selectors as catalog
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


class OfficeList(generics.ListAPIView):
    """Active offices, each with the services it offers."""

    serializer_class = OfficeSerializer
    filterset_class = OfficeFilter
    queryset = Office.objects.none()  # the filter set builds the real one


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
