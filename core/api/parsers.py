"""Request bodies the API reads: JSON or a urlencoded form, each at most
GILIRAN_API_MAX_BODY_BYTES, and JSON nested at most GILIRAN_API_MAX_JSON_DEPTH deep.

DRF reads the raw request stream, past Django's DATA_UPLOAD_MAX_MEMORY_SIZE, and
json.load recurses once per `[`: a body of 100,000 `[` was a RecursionError (a 500).
Refusals are APIExceptions, so they leave as {code, message, fields}."""

from __future__ import annotations

from collections.abc import Mapping
from typing import IO, Any

from django.conf import settings
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.parsers import (  # type: ignore[attr-defined]  # not in the stubs
    BaseParser,
    JSONParser,
    get_encoding,
)
from rest_framework.utils import json as strict_json  # refuses NaN and Infinity, as DRF does


class PayloadTooLarge(exceptions.APIException):
    status_code = 413
    default_detail = _("The request body is too large.")
    default_code = "too_large"


class TooDeeplyNested(exceptions.APIException):
    status_code = 400
    default_detail = _("The JSON in the request is nested too deeply.")
    default_code = "too_deep"


def read_limited(stream: IO[bytes] | None) -> bytes:
    """The body, or PayloadTooLarge once it passes the limit (never read further)."""
    if stream is None:
        return b""
    limit = settings.GILIRAN_API_MAX_BODY_BYTES
    body = stream.read(limit + 1)
    if len(body) > limit:
        raise PayloadTooLarge()
    return body


def json_depth_within(value: Any, limit: int) -> bool:
    """Whether `value` nests at most `limit` arrays/objects deep (iterative: no recursion)."""
    pending: list[tuple[Any, int]] = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if not isinstance(item, dict | list):
            continue
        if depth > limit:
            return False
        children = item.values() if isinstance(item, dict) else item
        pending.extend((child, depth + 1) for child in children)
    return True


class LimitedJSONParser(JSONParser):
    def parse(
        self,
        stream: IO[bytes] | None,
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        encoding = get_encoding(parser_context or {})
        body = read_limited(stream)
        try:
            data = strict_json.loads(body.decode(encoding))
        except RecursionError:
            raise TooDeeplyNested() from None
        except ValueError:
            raise exceptions.ParseError(_("The request body is not valid JSON.")) from None
        if not json_depth_within(data, settings.GILIRAN_API_MAX_JSON_DEPTH):
            raise TooDeeplyNested()
        return data


class LimitedFormParser(BaseParser):
    media_type = "application/x-www-form-urlencoded"

    def parse(
        self,
        stream: IO[bytes] | None,
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> QueryDict:
        encoding = get_encoding(parser_context or {})
        return QueryDict(read_limited(stream), encoding=encoding)
