"""What every webhook does alike: read a bounded body, compare secrets in constant time,
read JSON without ever failing with a 500, find the phone number in a platform's sender
id, and hand a message to the assistant without letting a citizen's rate limit make the
platform retry."""

from __future__ import annotations

import hmac
import json
import logging
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest

from assistant.conversation import Inbound, Reply, message_receive
from core.contacts import normalize_phone
from core.errors import ApplicationError

logger = logging.getLogger("giliran.assistant")

# A platform's update is a few kilobytes; anything past this is refused unread.
MAX_BODY_BYTES = 64 * 1024


def secret_matches(given: str, expected: str) -> bool:
    """Whether the secret a request `given` is the configured one, `expected`; an unset
    secret matches nothing (the endpoint stays shut until it is configured)."""
    return bool(expected) and hmac.compare_digest(given.encode(), expected.encode())


def body_of(request: HttpRequest) -> bytes | None:
    """The raw body, or None when it is larger than MAX_BODY_BYTES."""
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None
    if declared > MAX_BODY_BYTES:
        return None
    try:
        body = request.body
    except RequestDataTooBig:
        return None
    return body if len(body) <= MAX_BODY_BYTES else None


def json_of(body: bytes) -> Any:
    """The JSON document in `body`, or None if it is not UTF-8 JSON."""
    try:
        return json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None


def phone_of(raw: str) -> str | None:
    """A sender's number in E.164: an Indonesian mobile as `normalize_phone` writes it,
    any other number as '+' and its digits; None if it is no phone number."""
    text = raw.strip()
    try:
        return normalize_phone(text)
    except ApplicationError:
        pass
    digits = text.removeprefix("+")
    if digits.isascii() and digits.isdigit() and 6 <= len(digits) <= 15:
        return "+" + digits
    return None


def assistant_receive(inbound: Inbound) -> Reply | None:
    """`message_receive`, except that a citizen over their limit is not an error for the
    platform: the message is dropped unanswered (an error status would only make the
    platform deliver it again and again). None also for a repeated delivery."""
    try:
        return message_receive(inbound)
    except ApplicationError as refusal:
        if refusal.status_code != 429:
            raise
        logger.info("assistant: a %s message over the per-user limit was dropped", inbound.channel)
        return None
