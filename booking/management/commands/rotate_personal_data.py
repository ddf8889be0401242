from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from booking.services.personal_data import nik_encryption_rotate


class Command(BaseCommand):
    help = (
        "Re-encrypt stored NIKs under the first key of GILIRAN_DATA_KEYS. Rotate a key by "
        "putting a new key first, running this, then removing the old key."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        count = nik_encryption_rotate()
        self.stdout.write(self.style.SUCCESS(f"{count} NIKs re-encrypted under the newest key."))
