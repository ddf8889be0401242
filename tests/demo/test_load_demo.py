from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from insights.models import FactsDay, ServiceHour
from offices.models import (
    Counter,
    Office,
    OfficeService,
    OpeningHours,
    Role,
    Service,
    StaffMembership,
)

pytestmark = pytest.mark.django_db


def _counts() -> tuple[int, ...]:
    return tuple(
        model.objects.count()
        for model in (Office, Service, OfficeService, Counter, OpeningHours, StaffMembership)
    )


def test_demo_country_covers_three_zones_two_languages_and_every_role(settings: object) -> None:
    settings.DEBUG = True  # type: ignore[attr-defined]
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert Office.objects.count() >= 6
    assert set(Office.objects.values_list("timezone", flat=True)) == {
        "Asia/Jakarta",
        "Asia/Makassar",
        "Asia/Jayapura",
    }
    assert Service.objects.count() >= 10
    for service in Service.objects.all():
        assert service.name_id and service.name_en
        assert service.requirements_id.strip() and service.requirements_en.strip()
    assert set(StaffMembership.objects.values_list("role", flat=True)) == set(Role.values)
    assert all(c.services.exists() for c in Counter.objects.all())
    assert "petugas.jakarta" in out.getvalue() and "giliran-demo" in out.getvalue()


def test_loading_twice_changes_nothing(settings: object) -> None:
    settings.DEBUG = True  # type: ignore[attr-defined]
    call_command("load_demo", stdout=StringIO())
    first = _counts(), ServiceHour.objects.count(), FactsDay.objects.count()
    call_command("load_demo", stdout=StringIO())
    assert (_counts(), ServiceHour.objects.count(), FactsDay.objects.count()) == first


def test_the_demo_has_weeks_of_facts_for_its_performance_pages(
    settings: object, client: Client
) -> None:
    settings.DEBUG = True  # type: ignore[attr-defined]
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert "Made-up facts of" in out.getvalue()
    office = Office.objects.get(code="kanim-jakarta-pusat")
    built = sorted(FactsDay.objects.filter(office=office).values_list("local_date", flat=True))
    # Weekdays only (the office is closed at the weekend), up to yesterday.
    assert built[-1] < office.local_date() and all(day.weekday() < 5 for day in built)
    assert len(built) >= 35
    page = client.get("/en/kantor/kanim-jakarta-pusat/kinerja/").content.decode()
    assert (
        "Median wait for a call" in page
        and "—*" not in page.split("Median wait for a call")[1][:80]
    )
    # The day the office's real facts are built, the made-up ones are not touched.
    before = ServiceHour.objects.filter(office=office, local_date=built[-1]).count()
    call_command("load_demo", stdout=StringIO())
    assert ServiceHour.objects.filter(office=office, local_date=built[-1]).count() == before


def test_refuses_to_create_demo_staff_when_debug_is_off(settings: object) -> None:
    settings.DEBUG = False  # type: ignore[attr-defined]
    with pytest.raises(CommandError, match="published password"):
        call_command("load_demo", stdout=StringIO())
    assert Office.objects.count() == 0


def test_each_run_prints_working_kiosk_links_and_revokes_the_previous_ones(
    settings: object, client: object
) -> None:
    from django.test import Client

    from queueing.models import KioskDevice

    settings.DEBUG = True  # type: ignore[attr-defined]
    first, second = StringIO(), StringIO()
    call_command("load_demo", stdout=first)
    call_command("load_demo", stdout=second)
    link = next(
        line for line in second.getvalue().splitlines() if "/kios/mpp-jakarta/daftar/#" in line
    )
    path, token = link.split("127.0.0.1:8000", 1)[1].strip().split("#")
    assert isinstance(client, Client)
    assert client.post(path, {"token": token}).status_code == 302
    assert client.get("/kios/mpp-jakarta/").status_code == 200
    active = KioskDevice.objects.filter(revoked_at__isnull=True)
    assert active.count() == Office.objects.filter(is_active=True).count()
    old = next(
        line for line in first.getvalue().splitlines() if "/kios/mpp-jakarta/daftar/#" in line
    )
    assert Client().post(path, {"token": old.split("#")[1]}).status_code == 400
