"""The data map of core's own rows and of the third-party rows the project holds: staff
accounts (django.contrib.auth), sessions, and django-axes' sign-in records. Staff
sign-in logs are deleted after GILIRAN_RETENTION_SECURITY_LOG_DAYS."""

from __future__ import annotations

from datetime import datetime, timedelta

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth.models import User
from django.contrib.sessions.models import Session
from django.utils.translation import gettext_lazy as _

from core.data_map import (
    IDEMPOTENCY,
    SECURITY_LOG,
    SESSIONS,
    SIGN_IN_ATTEMPTS,
    STAFF_RECORDS,
    AtEnd,
    Category,
    LegalBasis,
    Personal,
    RetentionPolicy,
    personal_data,
    register_anonymiser,
)
from core.models import IdempotentRequest, RetentionRun
from core.retention import delete_batch

_API_RETRY = _("answer a retried API request once, without acting twice")
personal_data(
    IdempotentRequest,
    fields={
        "request_hash": Personal(
            category=Category.IDENTITY,
            purpose=_API_RETRY,
            basis=LegalBasis.PUBLIC_TASK,
            retention=IDEMPOTENCY,
            at_end=AtEnd.ROW_DELETED,
        ),
        "scope": Personal(
            category=Category.TECHNICAL,
            purpose=_API_RETRY,
            basis=LegalBasis.PUBLIC_TASK,
            retention=IDEMPOTENCY,
            at_end=AtEnd.ROW_DELETED,
        ),
    },
    not_personal={
        "key": _("a keyed hash of a random key chosen by the calling program"),
        "resource": _("the id of the booking or entry the request made"),
    },
)
personal_data(
    RetentionRun, fields={}, not_personal={"counts": _("numbers of rows per kind, no data")}
)

_ACCOUNT = _("sign staff in and show who did what")


def _staff(category: Category) -> Personal:
    return Personal(
        category=category,
        purpose=_ACCOUNT,
        basis=LegalBasis.CONTRACT,
        retention=STAFF_RECORDS,
        at_end=AtEnd.MANUAL,
    )


personal_data(
    User,
    fields={
        "username": _staff(Category.ACCOUNT),
        "password": _staff(Category.ACCOUNT),
        "first_name": _staff(Category.IDENTITY),
        "last_name": _staff(Category.IDENTITY),
        "email": _staff(Category.CONTACT),
        "last_login": _staff(Category.BEHAVIOURAL),
        "date_joined": _staff(Category.BEHAVIOURAL),
    },
)

_SESSION = _("keep a citizen's booking or a staff member signed in between pages")
personal_data(
    Session,
    fields={
        name: Personal(
            category=Category.TECHNICAL,
            purpose=_SESSION,
            basis=LegalBasis.PUBLIC_TASK,
            retention=SESSIONS,
            at_end=AtEnd.ROW_DELETED,
        )
        for name in ("session_key", "session_data")
    },
)

_SIGN_IN = _("stop password guessing against staff accounts")
_AXES_FIELDS = ("user_agent", "ip_address", "username", "http_accept", "path_info")


def _sign_in_tags(policy: RetentionPolicy, names: tuple[str, ...]) -> dict[str, Personal]:
    return {
        name: Personal(
            category=Category.TECHNICAL if name != "username" else Category.ACCOUNT,
            purpose=_SIGN_IN,
            basis=LegalBasis.LEGITIMATE_INTEREST,
            retention=policy,
            at_end=AtEnd.ROW_DELETED,
        )
        for name in names
    }


personal_data(
    AccessAttempt, fields=_sign_in_tags(SIGN_IN_ATTEMPTS, (*_AXES_FIELDS, "get_data", "post_data"))
)
personal_data(AccessLog, fields=_sign_in_tags(SECURITY_LOG, (*_AXES_FIELDS, "session_hash")))
personal_data(AccessFailureLog, fields=_sign_in_tags(SECURITY_LOG, _AXES_FIELDS))


def delete_old_sign_ins(*, now: datetime, batch_size: int) -> int:
    """Delete staff sign-in records older than the security-log retention."""
    cutoff = now - timedelta(days=SECURITY_LOG.days or 0)
    deleted = delete_batch(
        due=AccessLog.objects.filter(attempt_time__lte=cutoff), batch_size=batch_size
    )
    return deleted + delete_batch(
        due=AccessFailureLog.objects.filter(attempt_time__lte=cutoff),
        batch_size=max(0, batch_size - deleted),
    )


register_anonymiser("axes.sign_ins", policy=SECURITY_LOG, run=delete_old_sign_ins)


def delete_expired_sessions(*, now: datetime, batch_size: int) -> int:
    """Delete expired sessions (what Django's `clearsessions` does, in batches): a session
    row holds who was signed in and, for a citizen, which bookings they may see."""
    return delete_batch(due=Session.objects.filter(expire_date__lt=now), batch_size=batch_size)


register_anonymiser("sessions.expired", policy=SESSIONS, run=delete_expired_sessions)


def delete_old_idempotency_records(*, now: datetime, batch_size: int) -> int:
    """Forget Idempotency-Keys a day after their request: a client retries within
    minutes, and a remembered key is of no use after that."""
    cutoff = now - timedelta(days=IDEMPOTENCY.days or 0)
    return delete_batch(
        due=IdempotentRequest.objects.filter(created_at__lt=cutoff), batch_size=batch_size
    )


register_anonymiser(
    "core.IdempotentRequest", policy=IDEMPOTENCY, run=delete_old_idempotency_records
)
