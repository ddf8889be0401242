"""The data map of data-subject requests and their processing trail, and their retention
(core/data_map.py explains the mechanism).

A request and its trail are the evidence that Giliran answered a citizen as UU PDP
requires, so they are kept for GILIRAN_RETENTION_DATA_REQUEST_DAYS (730) after the
answer (or, for a trail entry of no request, after the event), then deleted."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils.translation import gettext_lazy as _

from core.data_map import (
    STAFF_ACTION,
    AtEnd,
    Category,
    LegalBasis,
    Personal,
    RetentionPolicy,
    personal_data,
    register_anonymiser,
)
from core.retention import delete_batch
from privacy.models import OPEN_REQUEST_STATUSES, DataEvent, DataRequest

DATA_REQUESTS = RetentionPolicy(
    key="data_requests",
    label=_("Personal data requests and their trail"),
    after=_("the answer to the request"),
    setting="GILIRAN_RETENTION_DATA_REQUEST_DAYS",
    default_days=730,
)

_ANSWER = _("answer a citizen's request to see, correct or delete their data, and prove it")


def _tag(category: Category) -> Personal:
    return Personal(
        category=category,
        purpose=_ANSWER,
        basis=LegalBasis.LEGAL_OBLIGATION,
        retention=DATA_REQUESTS,
        at_end=AtEnd.ROW_DELETED,
    )


personal_data(
    DataRequest,
    fields={
        "nik_hash": _tag(Category.IDENTITY),
        "nik_last4": _tag(Category.IDENTITY),
        "new_value_encrypted": _tag(Category.IDENTITY),
        "reason": _tag(Category.FREE_TEXT),
        "refusal_reason": _tag(Category.FREE_TEXT),
        "address": _tag(Category.CONTACT),
        "assignee": STAFF_ACTION,
    },
)
personal_data(
    DataEvent,
    fields={"nik_hash": _tag(Category.IDENTITY), "staff": STAFF_ACTION},
    not_personal={"details": _("counts, field names and booking codes, no personal data")},
)


def delete_old_data_requests(*, now: datetime, batch_size: int) -> int:
    """Delete answered requests (with their trail) and stray trail entries past the
    retention; open requests are never due."""
    cutoff = now - timedelta(days=DATA_REQUESTS.days or 0)
    deleted = delete_batch(
        due=DataRequest.objects.exclude(status__in=OPEN_REQUEST_STATUSES).filter(
            decided_at__lte=cutoff
        ),
        batch_size=batch_size,
    )
    return deleted + delete_batch(
        due=DataEvent.objects.filter(request__isnull=True, at__lte=cutoff),
        batch_size=max(0, batch_size - deleted),
    )


register_anonymiser("privacy.DataRequest", policy=DATA_REQUESTS, run=delete_old_data_requests)
