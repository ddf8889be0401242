"""The data map of booking's rows, and the anonymisers of past bookings and waiting-list
entries (core/data_map.py explains the mechanism).

Rule for "the day of the visit": the slot's date in its office's own zone. A booking is
anonymised from 00:00 office time on the day after visit + GILIRAN_RETENTION_VISIT_DAYS,
once it is no longer active (held or confirmed rows are never touched, so the one-active-
booking index never sees an anonymised row). Kept: code, slot, service, status, dates,
channel, language, priority group, source, reschedules: what reports and the forecast
count. Erased: name, NIK (ciphertext, keyed hash, last 4), phone, email, hold token, the
client's network and device hash, and the row's one-time codes."""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from booking.models import ACTIVE_STATUSES, Booking, VerificationCode, WaitlistEntry
from booking.models.waitlist import OPEN_WAITLIST_STATUSES
from core.data_map import (
    STAFF_ACTION,
    VISITS,
    WAITLIST,
    AtEnd,
    Category,
    LegalBasis,
    Personal,
    RetentionPolicy,
    Text,
    past_office_days,
    personal_data,
    register_anonymiser,
)
from core.retention import anonymise_batch, erased_token

_BOOK = _("book a visit, recognise the citizen at the counter and keep one booking per NIK")
_TELL = _("send the code, the confirmation and reminders by the chosen channel")
_PRIORITY = _("serve priority groups first, as public-service rules require")
_WAIT = _("offer a freed place to the citizen next in line")


def _citizen_tags(policy: RetentionPolicy, purpose: Text) -> dict[str, Personal]:
    def tag(category: Category, why: Text, at_end: AtEnd = AtEnd.ERASED) -> Personal:
        return Personal(
            category=category,
            purpose=why,
            basis=LegalBasis.PUBLIC_TASK,
            retention=policy,
            at_end=at_end,
        )

    return {
        "full_name": tag(Category.IDENTITY, purpose),
        "nik_encrypted": tag(Category.IDENTITY, purpose),
        "nik_hash": tag(Category.IDENTITY, purpose),
        "nik_last4": tag(Category.IDENTITY, purpose),
        "phone": tag(Category.CONTACT, _TELL),
        "email": tag(Category.CONTACT, _TELL),
        "priority_group": tag(Category.SPECIFIC, _PRIORITY, AtEnd.KEPT),
    }


_SECRET_LINK = Personal(
    category=Category.TECHNICAL,
    purpose=_("let only this citizen open their page"),
    basis=LegalBasis.PUBLIC_TASK,
    retention=VISITS,
)

# Where a hold came from (core/client_marks.py): a /24 or /48 network, never the
# address, and a keyed hash of the device cookie; read only by the anti-calo report.
_CLIENT_MARK = Personal(
    category=Category.TECHNICAL,
    purpose=_("find many holds from one network or device (anti-calo report)"),
    basis=LegalBasis.PUBLIC_TASK,
    retention=VISITS,
)

personal_data(
    Booking,
    fields={
        **_citizen_tags(VISITS, _BOOK),
        "hold_token": _SECRET_LINK,
        "client_network": _CLIENT_MARK,
        "device_hash": _CLIENT_MARK,
        "created_by": STAFF_ACTION,
    },
    not_personal={
        "manage_token_version": _("a counter that ends older manage links, no data"),
    },
)
personal_data(
    WaitlistEntry,
    fields={
        **_citizen_tags(WAITLIST, _WAIT),
        "token": Personal(
            category=Category.TECHNICAL,
            purpose=_("let only this citizen open their page"),
            basis=LegalBasis.PUBLIC_TASK,
            retention=WAITLIST,
        ),
    },
)
personal_data(VerificationCode, fields={}, not_personal={})


_ERASED_CITIZEN = {
    "full_name": "",
    "nik_encrypted": "",
    "nik_hash": "",
    "nik_last4": "",
    "phone": "",
    "email": "",
}


def bookings_erase(*, due: QuerySet[Booking], now: datetime, batch_size: int) -> int:
    """Erase the citizen's fields on at most `batch_size` bookings of `due`, and their
    one-time codes; the rest of each row stays for the figures. Used by retention and by
    a citizen's deletion request (privacy/)."""
    return anonymise_batch(
        due=due,
        values={**_ERASED_CITIZEN, "hold_token": None, "client_network": "", "device_hash": ""},
        now=now,
        batch_size=batch_size,
        also=lambda ids: VerificationCode.objects.filter(booking_id__in=ids).delete(),
    )


def waitlist_entries_erase(*, due: QuerySet[WaitlistEntry], now: datetime, batch_size: int) -> int:
    """Erase the citizen's fields and page token on at most `batch_size` entries of `due`."""
    return anonymise_batch(
        due=due,
        values={**_ERASED_CITIZEN, "token": erased_token()},
        now=now,
        batch_size=batch_size,
    )


def anonymise_past_bookings(*, now: datetime, batch_size: int) -> int:
    due = Booking.objects.exclude(status__in=ACTIVE_STATUSES).filter(
        past_office_days(
            date_field="slot__local_date",
            zone_field="slot__office_service__office__timezone",
            days=VISITS.days or 0,
            now=now,
        )
    )
    return bookings_erase(due=due, now=now, batch_size=batch_size)


def anonymise_past_waitlist_entries(*, now: datetime, batch_size: int) -> int:
    due = WaitlistEntry.objects.exclude(status__in=OPEN_WAITLIST_STATUSES).filter(
        past_office_days(
            date_field="local_date",
            zone_field="office_service__office__timezone",
            days=WAITLIST.days or 0,
            now=now,
        )
    )
    return waitlist_entries_erase(due=due, now=now, batch_size=batch_size)


register_anonymiser("booking.Booking", policy=VISITS, run=anonymise_past_bookings)
register_anonymiser("booking.WaitlistEntry", policy=WAITLIST, run=anonymise_past_waitlist_entries)
