"""A budget for the SMS and WhatsApp messages that citizens can make Giliran send (one-time
codes, waiting-list notices): per hour, in total and per phone prefix, so nobody can pump
paid messages to a range of numbers. Counted atomically in the rate-limit cache (Redis
INCR in production). Going over refuses the message and raises an alarm: an error on the
logger `giliran.alarm.message_budget` (once per scope and hour) and a flag shown on
/healthz/ and on the supervisors' message log."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

import phonenumbers
from django.conf import settings
from django.core.cache import BaseCache, caches
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.errors import ApplicationError

ALARM_LOGGER = logging.getLogger("giliran.alarm.message_budget")
ALARM_KEY = "alarm:message-budget"
PAID_CHANNELS = ("sms", "whatsapp")
# Country code + the first digits of the national number: the operator's range
# (+62 812… Telkomsel), the unit SMS pumping aims at.
PREFIX_NATIONAL_DIGITS = 3
HOUR = 3600


def _cache() -> BaseCache:
    return caches[settings.RATELIMIT_USE_CACHE]


def phone_prefix(phone: str) -> str:
    """'+6281234567890' → '+62812'; a number that does not parse is its own prefix."""
    try:
        number = phonenumbers.parse(phone, "ID")
    except phonenumbers.NumberParseException:
        return phone
    national = str(number.national_number)
    return f"+{number.country_code}{national[:PREFIX_NATIONAL_DIGITS]}"


def _count(cache: BaseCache, key: str) -> int:
    cache.add(key, 0, timeout=2 * HOUR)
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=2 * HOUR)
        return 1


def _scopes(phone: str) -> tuple[tuple[str, str, int], ...]:
    """(scope for logs and /healthz/, the prefix or "" for all numbers, the hour's limit)."""
    prefix = phone_prefix(phone)
    return (
        (f"prefix {prefix}", prefix, settings.GILIRAN_MESSAGE_BUDGET_PER_PREFIX_PER_HOUR),
        ("all numbers", "", settings.GILIRAN_MESSAGE_BUDGET_PER_HOUR),
    )


def _counter_key(scope: str, hour: str) -> str:
    return f"message-budget:{scope.replace(' ', '-')}:{hour}"


def _refused(
    cache: BaseCache, *, scope: str, prefix: str, limit: int, now: datetime, hour: str
) -> ApplicationError:
    _alarm(cache, scope=scope, prefix=prefix, limit=limit, now=now, hour=hour)
    return ApplicationError(
        "message_budget",
        _(
            "We cannot send more codes by SMS or WhatsApp right now. "
            "Please try again later or choose email."
        ),
        status_code=429,
    )


def message_budget_spend(*, channel: str, phone: str, now: datetime | None = None) -> None:
    """Count one citizen-triggered message; raise ApplicationError (429) when the hour's
    budget for its prefix or in total is spent. Email costs nothing and is not counted.
    Call before the message is queued, inside the transaction that queues it, so a
    refusal changes nothing."""
    if channel not in PAID_CHANNELS or not phone:
        return
    now = now or timezone.now()
    hour = now.strftime("%Y%m%d%H")
    cache = _cache()
    for scope, prefix, limit in _scopes(phone):
        if limit > 0 and _count(cache, _counter_key(scope, hour)) > limit:
            raise _refused(cache, scope=scope, prefix=prefix, limit=limit, now=now, hour=hour)


def message_budget_check(*, channel: str, phone: str, now: datetime | None = None) -> None:
    """Refuse (as message_budget_spend would) when the hour's budget for this phone's
    prefix or in total is already spent, counting nothing: a cheap check before work
    that would only be undone when the spend is refused."""
    if channel not in PAID_CHANNELS or not phone:
        return
    now = now or timezone.now()
    hour = now.strftime("%Y%m%d%H")
    cache = _cache()
    for scope, prefix, limit in _scopes(phone):
        if limit > 0 and int(cache.get(_counter_key(scope, hour)) or 0) >= limit:
            raise _refused(cache, scope=scope, prefix=prefix, limit=limit, now=now, hour=hour)


def _alarm(
    cache: BaseCache, *, scope: str, prefix: str, limit: int, now: datetime, hour: str
) -> None:
    alarm = {"scope": scope, "prefix": prefix, "limit": limit, "at": now.isoformat()}
    cache.set(ALARM_KEY, alarm, timeout=HOUR)
    if cache.add(f"{ALARM_KEY}:logged:{scope.replace(' ', '-')}:{hour}", 1, timeout=2 * HOUR):
        ALARM_LOGGER.error(
            "Message budget spent: more than %d SMS/WhatsApp messages this hour for %s; "
            "further one-time codes are refused until the next hour.",
            limit,
            scope,
        )


def message_budget_alarm() -> dict[str, Any] | None:
    """The latest budget alarm of the last hour ({scope, prefix, limit, at}), or None.
    `scope` is for logs and /healthz/ (English, stable); pages show
    `message_budget_scope_label(alarm)` in the reader's language."""
    alarm = _cache().get(ALARM_KEY)
    return alarm if isinstance(alarm, dict) else None


def message_budget_scope_label(alarm: dict[str, Any]) -> str:
    """What ran out, in the active language: one phone prefix, or all numbers."""
    prefix = alarm.get("prefix")
    if prefix is None:  # an alarm raised before the prefix was stored on its own
        scope = str(alarm.get("scope", ""))
        prefix = scope.removeprefix("prefix ") if scope.startswith("prefix ") else ""
    if prefix:
        return gettext("numbers starting with %(prefix)s") % {"prefix": prefix}
    return gettext("all numbers")
