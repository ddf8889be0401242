"""How a rendered message leaves: email through Django's email backend, SMS and WhatsApp
through HTTP gateways, or the log in development.

The gateway contract (docs/architecture.md, "Messages"): POST the JSON below to the
configured URL with `Authorization: Bearer <token>` and `Idempotency-Key: giliran-<id>`.
The key is the same on every attempt at one message; a gateway must treat a repeated
key as the same message (answer as before, deliver once). Any 2xx answer with a JSON
object holding a string "id" means accepted; that id is kept as the provider reference.

    {"id": "giliran-42", "channel": "sms", "to": "+6281234567890", "text": "...",
     "language": "id", "kind": "reminder_soon", "reference": "B7KQ2M9X"}

Each transport raises DeliveryError: temporary ones are retried with backoff, permanent
ones dead-letter the message at once. Nothing here touches the database."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from email.utils import make_msgid
from typing import Protocol

import requests
from django.conf import settings
from django.core.mail import EmailMultiAlternatives

from notifications.rendering import Rendered

logger = logging.getLogger("giliran.messages")


class DeliveryError(Exception):
    def __init__(self, reason: str, *, permanent: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent


@dataclass(frozen=True)
class Outgoing:
    """What a transport needs to know about one message."""

    idempotency_key: str
    channel: str
    kind: str
    recipient: str
    language: str
    reference: str
    rendered: Rendered
    attachments: tuple[tuple[str, str, str], ...] = ()  # (filename, content, mimetype)


class Transport(Protocol):
    def send(self, outgoing: Outgoing) -> str: ...


class EmailTransport:
    def send(self, outgoing: Outgoing) -> str:
        # A stable Message-ID per outbox row: a resend after a crash is recognisably the
        # same mail to anything downstream that deduplicates.
        message_id = make_msgid(idstring=outgoing.idempotency_key, domain="giliran")
        email = EmailMultiAlternatives(
            subject=outgoing.rendered.subject,
            body=outgoing.rendered.text,
            to=[outgoing.recipient],
            headers={"Message-ID": message_id},
        )
        email.attach_alternative(outgoing.rendered.html, "text/html")
        for filename, content, mimetype in outgoing.attachments:
            email.attach(filename, content, mimetype)
        try:
            email.send()
        except (OSError, ValueError) as error:  # smtplib errors are OSError subclasses
            raise DeliveryError(f"email not accepted: {error}", permanent=False) from error
        return message_id


class ConsoleTransport:
    """Development only: the message is written to the log of the process that sends it."""

    def send(self, outgoing: Outgoing) -> str:
        logger.info("[%s to %s] %s", outgoing.channel, outgoing.recipient, outgoing.rendered.text)
        return f"console:{outgoing.idempotency_key}"


_sessions = threading.local()


def _session() -> requests.Session:
    # One keep-alive connection pool per thread: a batch reuses its TCP connection.
    if not hasattr(_sessions, "session"):
        _sessions.session = requests.Session()
    session: requests.Session = _sessions.session
    return session


class HttpGatewayTransport:
    def __init__(self, *, url: str, token: str, timeout: float) -> None:
        self.url, self.token, self.timeout = url, token, timeout

    def send(self, outgoing: Outgoing) -> str:
        payload = {
            "id": outgoing.idempotency_key,
            "channel": outgoing.channel,
            "to": outgoing.recipient,
            "text": outgoing.rendered.text,
            "language": outgoing.language,
            "kind": outgoing.kind,
            "reference": outgoing.reference,
        }
        headers = {"Idempotency-Key": outgoing.idempotency_key}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        try:
            response = _session().post(
                self.url, json=payload, headers=headers, timeout=self.timeout
            )
        except requests.Timeout:
            raise DeliveryError(
                f"{outgoing.channel} gateway did not answer within {self.timeout:g} s",
                permanent=False,
            ) from None
        except requests.RequestException as error:
            raise DeliveryError(
                f"{outgoing.channel} gateway unreachable: {error}", permanent=False
            ) from None
        return _provider_ref(outgoing.channel, response)


def _provider_ref(channel: str, response: requests.Response) -> str:
    excerpt = response.text[:200].replace("\n", " ")
    if response.status_code in (408, 409, 429) or response.status_code >= 500:
        raise DeliveryError(
            f"{channel} gateway answered {response.status_code}: {excerpt}", permanent=False
        )
    if not 200 <= response.status_code < 300:
        raise DeliveryError(
            f"{channel} gateway refused the message ({response.status_code}): {excerpt}",
            permanent=True,
        )
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict) or not isinstance(body.get("id"), str) or not body["id"]:
        # Accepted or not? Unknown; the retry carries the same idempotency key, so a
        # gateway that did accept it will not deliver it twice.
        raise DeliveryError(
            f"{channel} gateway answered {response.status_code} without a message id: {excerpt}",
            permanent=False,
        )
    return str(body["id"])[:200]


def transport_for(channel: str) -> Transport:
    """The transport for a citizen's channel under the current settings."""
    if channel == "email":
        return EmailTransport()
    gateway = settings.GILIRAN_GATEWAYS.get(channel, {})
    if gateway.get("url"):
        return HttpGatewayTransport(
            url=gateway["url"],
            token=gateway.get("token", ""),
            timeout=settings.GILIRAN_GATEWAY_TIMEOUT_SECONDS,
        )
    if settings.GILIRAN_CONSOLE_MESSAGES:
        return ConsoleTransport()
    raise DeliveryError(
        f"no {channel} gateway is configured (set GILIRAN_{channel.upper()}_GATEWAY_URL)",
        permanent=True,
    )
