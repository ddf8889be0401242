"""The one application error type.

Services raise ApplicationError with a stable machine-readable code and a translatable
message; the API turns it into {code, message, fields} and pages show the message next to
the field it names. Nothing a service refuses should ever surface as a 500.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.utils.functional import Promise


class ApplicationError(Exception):
    status_code = 400

    def __init__(
        self,
        code: str,
        message: str | Promise,
        *,
        fields: Mapping[str, Sequence[str | Promise]] | None = None,
        status_code: int | None = None,
        extra: Mapping[str, object] | None = None,
        retry_after: int | None = None,
    ) -> None:
        super().__init__(str(message))
        self.code = code
        self.message = message
        self.fields = {name: [str(m) for m in msgs] for name, msgs in (fields or {}).items()}
        if status_code is not None:
            self.status_code = status_code
        # More machine-readable members of the API answer (a challenge to solve).
        self.extra = dict(extra or {})
        # Seconds a client should wait before trying again (the Retry-After header).
        self.retry_after = retry_after

    def as_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "message": str(self.message),
            "fields": self.fields,
            **self.extra,
        }
