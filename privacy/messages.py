"""The messages of personal data requests, registered with the outbox (PrivacyConfig.ready()
imports this module): the code that proves a contact, and the answer to a request. They
are queued by privacy/services/proof.py and privacy/services/requests.py."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from booking.models import Booking
from notifications.registry import message_kind_register


class PrivacyMessageKind(models.TextChoices):
    PRIVACY_CODE = "privacy_code", _("Code to see your personal data")
    PRIVACY_DONE = "privacy_done", _("Personal data request done")
    PRIVACY_REFUSED = "privacy_refused", _("Personal data request refused")


# The code is sent to a contact of one of the citizen's bookings (the anchor); the
# answers are about a request, found by their deduplication keys (privacy/selectors.py).
message_kind_register(PrivacyMessageKind.PRIVACY_CODE, subject=Booking, resendable=False)
message_kind_register(PrivacyMessageKind.PRIVACY_DONE)
message_kind_register(PrivacyMessageKind.PRIVACY_REFUSED)
