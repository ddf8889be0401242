"""{code, message, fields}: the one error shape of the whole API."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.api.parsers import PayloadTooLarge
from core.errors import ApplicationError


class ChallengeSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Send back in X-Giliran-Challenge.")
    algorithm = serializers.CharField(help_text="SHA-256.")
    prefix = serializers.CharField()
    difficulty_bits = serializers.IntegerField(
        help_text="Find n such that SHA-256('<prefix>:<n>') starts with this many zero bits."
    )
    wait_seconds = serializers.IntegerField(
        help_text="Or, without computing, send the solution 'wait' after this many seconds."
    )


class ErrorSerializer(serializers.Serializer):
    """{code, message, fields}: the one error shape of the whole API (for the schema).

    Built in get_fields because an attribute called `fields` would hide the serializer's
    own `fields` property."""

    def get_fields(self) -> dict[str, serializers.Field]:
        return {
            "code": serializers.CharField(
                help_text="Stable machine-readable code, e.g. not_found."
            ),
            "message": serializers.CharField(help_text="Human message in the request's language."),
            "fields": serializers.DictField(
                child=serializers.ListField(child=serializers.CharField()),
                help_text="Per-field messages; empty when the error is not about a field.",
            ),
            "challenge": ChallengeSerializer(
                required=False,
                help_text=(
                    "Only with code challenge_required or challenge_wait (429): solve it and "
                    "send the request again with the headers X-Giliran-Challenge (the token) "
                    "and X-Giliran-Challenge-Solution (the number, or 'wait' after "
                    "wait_seconds)."
                ),
            ),
            "ticket": serializers.CharField(
                required=False,
                help_text=(
                    "Only with code confirm_required (409): the number of the ticket the "
                    "action would mark as a no-show; send it again with confirm: true "
                    "(and this ticket, so that no other is marked)."
                ),
            ),
        }


def _flatten(detail: Any) -> list[str]:
    if isinstance(detail, dict):
        return [msg for value in detail.values() for msg in _flatten(value)]
    if isinstance(detail, list):
        return [msg for item in detail for msg in _flatten(item)]
    return [str(detail)]


def _field_errors(detail: Any) -> dict[str, list[str]]:
    if isinstance(detail, dict):
        return {str(name): _flatten(value) for name, value in detail.items()}
    return {"non_field_errors": _flatten(detail)}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Turn every refusal into {code, message, fields} in the request's language."""
    if isinstance(exc, ApplicationError):
        headers = {"Retry-After": str(exc.retry_after)} if exc.retry_after is not None else None
        return Response(exc.as_dict(), status=exc.status_code, headers=headers)
    if isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge()
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None or not isinstance(exc, exceptions.APIException):
        return response
    if isinstance(exc, exceptions.ValidationError):
        body = {
            "code": "invalid",
            "message": _("Some of the data sent is not valid."),
            "fields": _field_errors(exc.detail),
        }
    else:
        codes = exc.get_codes()
        body = {
            "code": codes if isinstance(codes, str) else exc.default_code,
            "message": " ".join(_flatten(exc.detail)),
            "fields": {},
        }
    response.data = body
    return response
