from __future__ import annotations

from datetime import time
from decimal import Decimal
from typing import Any

import factory
from django.contrib.auth.models import User

from offices.models import (
    Closure,
    Counter,
    Office,
    OfficeService,
    OpeningHours,
    Service,
    StaffMembership,
)

PASSWORD = "kata-sandi-uji-123"


class ServiceFactory(factory.django.DjangoModelFactory[Service]):
    class Meta:
        model = Service
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"layanan-{n}")
    name_id = factory.Sequence(lambda n: f"Layanan {n}")
    name_en = factory.Sequence(lambda n: f"Service {n}")
    description_id = "Keterangan layanan."
    description_en = "About the service."
    requirements_id = "KTP-el asli\nKartu Keluarga"
    requirements_en = "Original e-KTP\nFamily card"
    average_minutes = 15
    ticket_letter = "A"


class OfficeFactory(factory.django.DjangoModelFactory[Office]):
    class Meta:
        model = Office
        django_get_or_create = ["code"]
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"kantor-{n}")
    name = factory.Sequence(lambda n: f"Kantor {n}")
    kind = "immigration"
    address = "Jl. Merdeka No. 1"
    province = "DKI Jakarta"
    regency = "Kota Jakarta Pusat"
    latitude = Decimal("-6.175000")
    longitude = Decimal("106.827000")
    timezone = "Asia/Jakarta"

    @factory.post_generation
    def hours(office: Office, create: bool, extracted: Any, **kwargs: Any) -> None:
        """Monday–Thursday 08:00–15:00 with a lunch break; Friday's longer prayer break."""
        if not create or extracted is False:
            return
        for weekday in range(4):
            OpeningHours.objects.create(
                office=office,
                weekday=weekday,
                opens_at=time(8),
                closes_at=time(15),
                break_starts_at=time(12),
                break_ends_at=time(13),
            )
        OpeningHours.objects.create(
            office=office,
            weekday=4,
            opens_at=time(8),
            closes_at=time(15, 30),
            break_starts_at=time(11, 30),
            break_ends_at=time(13, 30),
        )


class OfficeServiceFactory(factory.django.DjangoModelFactory[OfficeService]):
    class Meta:
        model = OfficeService

    office = factory.SubFactory(OfficeFactory)
    service = factory.SubFactory(ServiceFactory)
    ticket_letter = factory.LazyAttribute(lambda o: o.service.ticket_letter)


class CounterFactory(factory.django.DjangoModelFactory[Counter]):
    class Meta:
        model = Counter
        skip_postgeneration_save = True

    office = factory.SubFactory(OfficeFactory)
    number = factory.Sequence(lambda n: n + 1)

    @factory.post_generation
    def services(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and extracted:
            self.services.set(extracted)


class ClosureFactory(factory.django.DjangoModelFactory[Closure]):
    class Meta:
        model = Closure

    office = factory.SubFactory(OfficeFactory)
    reason_id = "Renovasi gedung"
    reason_en = "Building renovation"


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.LazyAttribute(lambda o: o.username.title())
    password = factory.django.Password(PASSWORD)


def StaffFactory(*, username: str, office: Office, role: str, **user_fields: Any) -> Any:
    """A user with one role in one office."""
    user = UserFactory.create(username=username, **user_fields)
    StaffMembership.objects.create(user=user, office=office, role=role)
    return user
