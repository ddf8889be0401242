"""Idempotency-Key for API requests that create or change things.

The first request with a key records itself before acting and stores its response; a
retry with the same key and body gets that response again without acting twice. A retry
while the first is still running gets 409; the same key with a different body, 422."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _
from rest_framework.request import Request
from rest_framework.response import Response

from core.errors import ApplicationError
from core.models import IdempotentRequest

HEADER = "Idempotency-Key"


def _body_hash(request: Request) -> str:
    canonical = json.dumps(request.data, sort_keys=True, default=str)
    return hashlib.sha256(f"{request.path}\n{canonical}".encode()).hexdigest()


def idempotent(method: Callable[..., Response]) -> Callable[..., Response]:
    @wraps(method)
    def wrapper(self: Any, request: Request, *args: Any, **kwargs: Any) -> Response:
        key = request.headers.get(HEADER, "").strip()
        if not key:
            return method(self, request, *args, **kwargs)
        if len(key) > 100 or not key.isprintable():
            message = _("An Idempotency-Key has at most 100 printable characters.")
            raise ApplicationError("invalid_idempotency_key", message, fields={HEADER: [message]})
        body_hash = _body_hash(request)
        try:
            with transaction.atomic():
                record = IdempotentRequest.objects.create(
                    key=key, scope=request.path, request_hash=body_hash
                )
        except IntegrityError:
            return _replay(request.path, key, body_hash)
        try:
            response = method(self, request, *args, **kwargs)
        except Exception:
            record.delete()  # nothing happened: a retry may try again
            raise
        record.response_status = response.status_code
        record.response_body = response.data
        record.save(update_fields=["response_status", "response_body"])
        return response

    return wrapper


def _replay(scope: str, key: str, body_hash: str) -> Response:
    record = IdempotentRequest.objects.get(scope=scope, key=key)
    if record.request_hash != body_hash:
        raise ApplicationError(
            "idempotency_key_reused",
            _("This Idempotency-Key was already used for a different request."),
            status_code=422,
        )
    if record.response_status is None:
        raise ApplicationError(
            "request_in_progress",
            _("The first request with this Idempotency-Key is still running."),
            status_code=409,
        )
    response = Response(record.response_body, status=record.response_status)
    response["Idempotent-Replayed"] = "true"
    return response
