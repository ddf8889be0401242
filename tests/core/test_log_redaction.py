"""Tokens that travel in URLs never reach a log line: Django's own logs and gunicorn's
access log blank them (issue 10, finding 3)."""

from __future__ import annotations

import io
import logging
import runpy
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.test import Client
from gunicorn.config import Config

from core.logging import RedactSecretsFilter, redact_secrets

TOKEN = "WzQyLDAsMTc2NDY5NzYwMF0:1vQk3a:Zp0x2hTq8mB6dYc4nR1sU7wE9fK3jL5aV0gH2iO"
HOLD_TOKEN = "q8mB6dYc4nR1sU7wE9fK3jL5aV0gH2iOZp0x2hTq8mB"


def test_redaction_blanks_manage_links_path_tokens_and_bearer_tokens() -> None:
    line = (
        f'GET /pesanan/GLR7K2/?t={TOKEN} HTTP/1.1 "https://x.id/pesanan/GLR7K2/?baru=1&t={TOKEN}" '
        f"POST /api/v1/holds/{HOLD_TOKEN}/confirm/ Authorization: Bearer {TOKEN}"
    )
    redacted = redact_secrets(line)
    assert TOKEN not in redacted and HOLD_TOKEN not in redacted
    assert "/pesanan/GLR7K2/?t=[redacted]" in redacted and "baru=1" in redacted
    assert redact_secrets("/api/v1/offices/kanim-jakarta/services/paspor-baru/") == (
        "/api/v1/offices/kanim-jakarta/services/paspor-baru/"
    )
    assert redact_secrets("GET /antrean/pR3x_Yq0bC8kT1mNa2LwZg/ HTTP/1.1") == (
        "GET /antrean/[redacted]/ HTTP/1.1"
    )


@pytest.mark.django_db
def test_a_refused_request_with_a_token_in_its_path_is_logged_without_it(client: Client) -> None:
    handler = next(
        h
        for h in logging.getLogger().handlers
        if any(isinstance(f, RedactSecretsFilter) for f in h.filters)
    )
    assert isinstance(handler, logging.StreamHandler)
    stream = io.StringIO()
    previous = handler.setStream(stream)
    try:
        response = client.post(
            f"/api/v1/holds/{HOLD_TOKEN}/confirm/",
            {"code": "123456"},
            content_type="application/json",
        )
    finally:
        handler.setStream(previous)
    assert response.status_code == 404
    assert "Not Found: /api/v1/holds/[redacted]/confirm/" in stream.getvalue()
    assert HOLD_TOKEN not in stream.getvalue()


def test_gunicorn_access_log_has_no_token() -> None:
    conf = runpy.run_path(str(Path(settings.BASE_DIR) / "docker" / "gunicorn.conf.py"))
    cfg = Config()
    cfg.set("accesslog", "-")
    logger = conf["logger_class"](cfg)
    stream = io.StringIO()
    logger.access_log.handlers = [logging.StreamHandler(stream)]
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/pesanan/GLR7K2/?t={TOKEN}",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "PATH_INFO": "/pesanan/GLR7K2/",
        "QUERY_STRING": f"t={TOKEN}",
        "HTTP_REFERER": f"https://mail.example/?u=/x?t={TOKEN}",
        "REMOTE_ADDR": "10.0.0.1",
    }
    response = SimpleNamespace(status="302 Found", sent=0, headers=[])
    request = SimpleNamespace(headers=[("AUTHORIZATION", f"Bearer {TOKEN}")])
    logger.access(response, request, environ, timedelta(milliseconds=3))
    cfg.set("access_log_format", "%(U)s %(q)s %({authorization}i)s")
    logger.access(response, request, environ, timedelta(milliseconds=3))
    logged = stream.getvalue()
    assert "GET /pesanan/GLR7K2/?t=[redacted] HTTP/1.1" in logged
    assert TOKEN not in logged
