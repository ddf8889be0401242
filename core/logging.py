"""Keep secrets that travel in URLs out of the logs (issue 10, finding 3).

Manage links carry a signed token in `?t=…`; holds, waiting-list entries and tickets
carry a random token as a path segment. Access logs (gunicorn's, Django's development
server, `django.request` warnings) would otherwise keep them for as long as logs are
kept. `redact_secrets` blanks both; `RedactSecretsFilter` applies it to any logger, and
docker/gunicorn.conf.py applies it to gunicorn's access log. Standard library only, so
the gunicorn configuration can import it before Django is set up."""

from __future__ import annotations

import logging
import re

REDACTED = "[redacted]"
# Query parameters that carry a secret.
_SECRET_PARAMETER = re.compile(
    r"(?i)((?:^|[?&;\s])(?:t|token|hold_token|manage_token)=)[^&;#\s\"']+"
)
# A path segment of 32 or more token characters: the random and signed tokens Giliran
# puts in paths are 43 or more; no booking code, slug or date is that long.
_TOKEN_SEGMENT = re.compile(r"(?<=/)[A-Za-z0-9_\-:.]{32,}(?=/|\?|#|\s|$|\")")
# Shorter tokens (a ticket's is 22 characters) after the paths that carry one.
_TOKEN_AFTER = re.compile(
    r"(/(?:antrean|tiket|tickets|daftar-tunggu|waitlist|holds)/)[A-Za-z0-9_\-]{16,}"
)
_BEARER = re.compile(r"(?i)(bearer\s+)[^\s\"',]+")


def redact_secrets(text: str) -> str:
    text = _SECRET_PARAMETER.sub(rf"\1{REDACTED}", text)
    text = _TOKEN_SEGMENT.sub(REDACTED, text)
    text = _TOKEN_AFTER.sub(rf"\1{REDACTED}", text)
    return _BEARER.sub(rf"\1{REDACTED}", text)


class RedactSecretsFilter(logging.Filter):
    """Rewrites each record's message with the secrets blanked (never drops a record)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            return True
        redacted = redact_secrets(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True
