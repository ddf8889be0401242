"""Idempotency-Key for API requests that create or change things.

The first request with a key records itself before acting; a retry with the same key,
credential and body gets the outcome of the first without acting twice. A retry while
the first is still running gets 409; the same key with a different body, 422.

What is stored, and why (issue 10, findings 1 and 7):

- Every column is keyed or opaque. The key, the scope (path + the caller's
  `Authorization` header) and the request hash (scope + canonical JSON body, which
  holds the NIK) are HMACs under GILIRAN_HASH_KEY (`core.personal_data.keyed_hash`): a
  plain hash of a body with a NIK in it can be reversed by guessing.
- A key belongs to its credential: two clients of one path never share a key, and a
  retry without the credential is simply a new request, refused like any other.
- No response body is stored: only the status and an opaque reference to the resource
  (a booking's id, say). The view re-renders the resource's current representation on
  replay (`Replayable.replay`), after checking the credential again, so no name,
  contact, NIK digit or token sits in the table, and a replay shows nothing the
  caller may no longer see.
- Rows are deleted 24 hours after the request by the retention job (core/privacy.py,
  `delete_old_idempotency_records`)."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any, Protocol

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _
from rest_framework.request import Request
from rest_framework.response import Response

from core.errors import ApplicationError
from core.models import IdempotentRequest
from core.personal_data import keyed_hash

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 100
# What the server accepts, for the API schema: printable ASCII, at most 100 characters
# (blank means no key).
IDEMPOTENCY_KEY_SCHEMA = {"type": "string", "maxLength": MAX_KEY_LENGTH, "pattern": "^[ -~]*$"}


class Replayable(Protocol):
    """A view whose idempotent method says what it made and can show it again."""

    def replay(
        self, request: Request, resource: str, status: int, *args: Any, **kwargs: Any
    ) -> Response | None:
        """The current representation of `resource` for this caller, checked exactly as
        the first request was; None if it can no longer be shown (gone, or changed
        since). Raise what a fresh request would get if the caller may not see it."""
        ...


def resource_response(response: Response, resource: object) -> Response:
    """Mark a response with the opaque reference its replay will re-render from."""
    response.idempotency_resource = str(resource)  # type: ignore[attr-defined]
    return response


def _scope(request: Request) -> str:
    credential = request.headers.get("Authorization", "")
    return keyed_hash(f"idempotency-scope\n{request.path}\n{credential}")


def _request_hash(scope: str, request: Request) -> str:
    canonical = json.dumps(request.data, sort_keys=True, default=str)
    return keyed_hash(f"idempotency-request\n{scope}\n{canonical}")


def _checked_key(request: Request) -> str:
    key = request.headers.get(HEADER, "").strip()
    if key and (len(key) > MAX_KEY_LENGTH or not all(" " <= c <= "~" for c in key)):
        message = _("An Idempotency-Key has at most 100 printable characters.")
        raise ApplicationError("invalid_idempotency_key", message, fields={HEADER: [message]})
    return key


def idempotent(method: Callable[..., Response]) -> Callable[..., Response]:
    @wraps(method)
    def wrapper(self: Replayable, request: Request, *args: Any, **kwargs: Any) -> Response:
        key = _checked_key(request)
        if not key:
            return method(self, request, *args, **kwargs)
        scope = _scope(request)
        hashed_key = keyed_hash(f"idempotency-key\n{key}")
        request_hash = _request_hash(scope, request)
        try:
            with transaction.atomic():
                record = IdempotentRequest.objects.create(
                    key=hashed_key, scope=scope, request_hash=request_hash
                )
        except IntegrityError:
            return _replay(self, request, scope, hashed_key, request_hash, args, kwargs)
        try:
            response = method(self, request, *args, **kwargs)
        except Exception:
            record.delete()  # nothing happened: a retry may try again
            raise
        record.response_status = response.status_code
        record.resource = getattr(response, "idempotency_resource", "")
        record.save(update_fields=["response_status", "resource"])
        return response

    return wrapper


def _replay(
    view: Replayable,
    request: Request,
    scope: str,
    key: str,
    request_hash: str,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
) -> Response:
    record = IdempotentRequest.objects.filter(scope=scope, key=key).first()
    if record is not None and record.request_hash != request_hash:
        raise ApplicationError(
            "idempotency_key_reused",
            _("This Idempotency-Key was already used for a different request."),
            status_code=422,
        )
    if record is None or record.response_status is None:
        # Still running (or purged in the instant since the insert failed): try again.
        raise ApplicationError(
            "request_in_progress",
            _("The first request with this Idempotency-Key is still running."),
            status_code=409,
        )
    response = view.replay(request, record.resource, record.response_status, *args, **kwargs)
    if response is None:
        raise ApplicationError(
            "replay_unavailable",
            _(
                "What the first request with this Idempotency-Key did has changed since. "
                "Look the result up, or send a new request with a new key."
            ),
            status_code=409,
        )
    response["Idempotent-Replayed"] = "true"
    return response
