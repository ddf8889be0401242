from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from demo.services import DEMO_AUTHENTICATOR


class Command(BaseCommand):
    help = "Print the current sign-in code of a demo account's authenticator (DEBUG only)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError("Demo sign-in codes are only printed while DEBUG is on.")
        device = TOTPDevice.objects.filter(
            user__username=options["username"], name=DEMO_AUTHENTICATOR
        ).first()
        if device is None:
            raise CommandError("No demo authenticator for this user: run load_demo first.")
        code = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
        self.stdout.write(f"{code:0{device.digits}d}")
