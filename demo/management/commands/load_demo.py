from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from demo.history import demo_history_load
from demo.services import demo_bookings_today, demo_load
from offices.models import Office
from queueing.kiosks import enrolment_url, kiosk_device_create, kiosk_devices_revoke
from queueing.models import KioskDevice

DEMO_KIOSK = "Demo kiosk"

DEMO_PASSWORD = "giliran-demo"  # noqa: S105 - printed on purpose: demo accounts only


class Command(BaseCommand):
    help = "Load the demo country: offices in WIB, WITA and WIT, services and staff. Idempotent."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--allow-without-debug",
            action="store_true",
            help="Load even with DEBUG off (benchmarks). Never on a real deployment: "
            "the demo staff share a published password.",
        )
        parser.add_argument(
            "--without-history",
            action="store_true",
            help="Skip the made-up facts of the past weeks (demo/history.py).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["allow_without_debug"]:
            raise CommandError(
                "Refusing to create demo staff with a published password while DEBUG is off. "
                "Pass --allow-without-debug for a throwaway benchmark database."
            )
        logins = demo_load(password=DEMO_PASSWORD)
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        if not options["without_history"]:
            made = demo_history_load(
                offices=list(Office.objects.filter(is_active=True)), now=timezone.now()
            )
            self.stdout.write(
                f"Made-up facts of {made} past office days, for the performance pages and "
                "dashboards (demo/history.py)."
            )
        self.stdout.write(f"Demo staff logins (password for all: {DEMO_PASSWORD}):")
        for login in logins:
            self.stdout.write(f"  {login.username:<22} {login.role:<24} {', '.join(login.offices)}")
        self.stdout.write(
            "Supervisors and administrators confirm each sign-in with a code: add their key "
            "to an authenticator app, or print the current code with "
            "`python manage.py demo_otp_code <username>`:"
        )
        for login in logins:
            if login.otp_key:
                self.stdout.write(f"  {login.username:<22} {login.otp_key}")
        self.stdout.write(
            "Bookings to check in now at /kios/<office>/, still to arrive (none while an "
            "office's check-in is closed: before opening, in its break, after closing):"
        )
        for office, codes in demo_bookings_today().items():
            self.stdout.write(f"  {office:<22} {' '.join(codes) or '-'}")
        self.stdout.write("Kiosks: open an office's link once on the kiosk browser to register it:")
        # A token is shown only at creation, so each run replaces the demo kiosks.
        previous = KioskDevice.objects.filter(name=DEMO_KIOSK, revoked_at__isnull=True)
        kiosk_devices_revoke(device_ids=list(previous.values_list("pk", flat=True)))
        for place in Office.objects.filter(is_active=True).order_by("code"):
            _device, token = kiosk_device_create(office=place, name=DEMO_KIOSK, by=None)
            self.stdout.write(f"  {place.code:<22} {enrolment_url(place, token)}")
