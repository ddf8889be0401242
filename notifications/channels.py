"""How a rendered message leaves: email through Django's email backend, SMS and WhatsApp
through HTTP gateways, Telegram through its Bot API, WhatsApp through Meta's Cloud API
when that is configured instead of a gateway, or the log in development.

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
from typing import Any, Protocol

import requests
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.utils import translation
from django.utils.translation import gettext as _

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
    # Replies offered as buttons on chat channels: (label, what pressing it sends).
    buttons: tuple[tuple[str, str], ...] = ()
    # WhatsApp's customer-service window: the citizen wrote within 24 hours, so free text
    # may be sent. None: not known (a notice nobody asked for), which counts as closed.
    window_open: bool | None = None


class Transport(Protocol):
    # A repeated send of one message is delivered once (an Idempotency-Key the far end
    # honours): the outbox may then record several outcomes together.
    idempotent: bool

    def send(self, outgoing: Outgoing) -> str: ...


class EmailTransport:
    idempotent = False

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

    idempotent = False

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
    idempotent = True

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
    if channel == "telegram" and settings.GILIRAN_TELEGRAM_BOT_TOKEN:
        return TelegramTransport(
            api_url=settings.GILIRAN_TELEGRAM_API_URL,
            token=settings.GILIRAN_TELEGRAM_BOT_TOKEN,
            timeout=settings.GILIRAN_GATEWAY_TIMEOUT_SECONDS,
        )
    if channel == "whatsapp" and whatsapp_cloud_configured():
        return WhatsAppCloudTransport(
            api_url=settings.GILIRAN_WHATSAPP_CLOUD_API_URL,
            phone_number_id=settings.GILIRAN_WHATSAPP_PHONE_NUMBER_ID,
            token=settings.GILIRAN_WHATSAPP_CLOUD_TOKEN,
            template=settings.GILIRAN_WHATSAPP_REPLY_TEMPLATE,
            timeout=settings.GILIRAN_GATEWAY_TIMEOUT_SECONDS,
        )
    gateway = settings.GILIRAN_GATEWAYS.get(channel, {})
    if gateway.get("url"):
        return HttpGatewayTransport(
            url=gateway["url"],
            token=gateway.get("token", ""),
            timeout=settings.GILIRAN_GATEWAY_TIMEOUT_SECONDS,
        )
    if settings.GILIRAN_CONSOLE_MESSAGES:
        return ConsoleTransport()
    setting = "TELEGRAM_BOT_TOKEN" if channel == "telegram" else f"{channel.upper()}_GATEWAY_URL"
    raise DeliveryError(
        f"no {channel} gateway is configured (set GILIRAN_{setting})", permanent=True
    )


def whatsapp_cloud_configured() -> bool:
    return bool(settings.GILIRAN_WHATSAPP_PHONE_NUMBER_ID and settings.GILIRAN_WHATSAPP_CLOUD_TOKEN)


def _post(
    url: str, *, what: str, payload: dict[str, Any], timeout: float, **kwargs: Any
) -> tuple[int, Any, str]:
    """POST `payload`; (status, JSON body or None, excerpt of the body). The error never
    quotes the exception, whose text would carry the URL (a Telegram bot's token)."""
    try:
        response = _session().post(url, json=payload, timeout=timeout, **kwargs)
    except requests.Timeout:
        raise DeliveryError(
            f"{what} did not answer within {timeout:g} s", permanent=False
        ) from None
    except requests.RequestException as error:
        raise DeliveryError(
            f"{what} unreachable ({type(error).__name__})", permanent=False
        ) from None
    try:
        body = response.json()
    except ValueError:
        body = None
    return response.status_code, body, response.text[:200].replace("\n", " ")


# --- Telegram Bot API ------------------------------------------------------------------

TELEGRAM_TEXT_MAX = 4096


class TelegramTransport:
    """sendMessage to the chat, the suggestions as a one-time reply keyboard (each button
    sends its text). Telegram has no idempotency key: each outcome is recorded at once.
    Its errors: 429 (with retry_after) and 5xx are temporary; any other 4xx (the citizen
    blocked the bot: 403; a chat that does not exist: 400; a wrong token: 401/404) is
    permanent: a dead letter for staff to look at."""

    idempotent = False

    def __init__(self, *, api_url: str, token: str, timeout: float) -> None:
        self.api_url, self.token, self.timeout = api_url.rstrip("/"), token, timeout

    @staticmethod
    def payload(outgoing: Outgoing) -> dict[str, Any]:
        chat: int | str = outgoing.recipient
        if outgoing.recipient.lstrip("-").isdigit():
            chat = int(outgoing.recipient)
        payload: dict[str, Any] = {
            "chat_id": chat,
            "text": outgoing.rendered.text[:TELEGRAM_TEXT_MAX],
        }
        if outgoing.buttons:
            payload["reply_markup"] = {
                "keyboard": [[{"text": text}] for _label, text in outgoing.buttons],
                "resize_keyboard": True,
                "one_time_keyboard": True,
            }
        return payload

    def send(self, outgoing: Outgoing) -> str:
        status, body, excerpt = _post(
            f"{self.api_url}/bot{self.token}/sendMessage",
            what="Telegram",
            payload=self.payload(outgoing),
            timeout=self.timeout,
        )
        description = body.get("description", excerpt) if isinstance(body, dict) else excerpt
        if status == 429 or status >= 500:
            raise DeliveryError(f"Telegram answered {status}: {description}", permanent=False)
        if 400 <= status < 500:
            raise DeliveryError(
                f"Telegram refused the message ({status}): {description}", permanent=True
            )
        result = body.get("result") if isinstance(body, dict) else None
        if status != 200 or not isinstance(result, dict) or "message_id" not in result:
            raise DeliveryError(
                f"Telegram answered {status} without a message: {excerpt}", permanent=False
            )
        return f"telegram:{result['message_id']}"


# --- WhatsApp Cloud API (Meta) ---------------------------------------------------------

WHATSAPP_TEXT_MAX = 4096
WHATSAPP_INTERACTIVE_BODY_MAX = 1024
WHATSAPP_BUTTON_TITLE_MAX = 20
WHATSAPP_ROW_TITLE_MAX = 24
WHATSAPP_REPLY_ID_MAX = 200  # a list row's id; a button's may be 256
# A template's body, its own words and the parameter together, holds at most 1024
# characters; a parameter may not hold line breaks, tabs or more than 4 spaces in a row.
WHATSAPP_TEMPLATE_PARAMETER_MAX = 700
# Cloud API error codes worth another try: throttling and Meta's own trouble.
WHATSAPP_TEMPORARY_CODES = frozenset(
    {1, 2, 4, 80007, 130429, 131000, 131016, 131048, 131056, 133004}
)


class WhatsAppCloudTransport:
    """POST /{phone-number-id}/messages. Inside the 24-hour customer-service window
    (`Outgoing.window_open`) the words go as text, the suggestions as reply buttons (up to
    3, titles up to 20 characters) or a list (up to 10, titles up to 24); otherwise as the
    approved template GILIRAN_WHATSAPP_REPLY_TEMPLATE (in the message's language, "id" or
    "en") whose one body parameter carries the words: Meta refuses free text outside the
    window. The Cloud API has no idempotency key: each outcome is recorded at once."""

    idempotent = False

    def __init__(
        self, *, api_url: str, phone_number_id: str, token: str, template: str, timeout: float
    ) -> None:
        self.api_url, self.phone_number_id = api_url.rstrip("/"), phone_number_id
        self.token, self.template, self.timeout = token, template, timeout

    def payload(self, outgoing: Outgoing) -> dict[str, Any]:
        text = outgoing.rendered.text
        base = {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": outgoing.recipient.lstrip("+"),
        }
        if outgoing.window_open is not True:
            if not self.template:
                raise DeliveryError(
                    "outside WhatsApp's 24-hour window and no template is configured "
                    "(set GILIRAN_WHATSAPP_REPLY_TEMPLATE)",
                    permanent=True,
                )
            parameter = " ".join(text.split())
            if len(parameter) > WHATSAPP_TEMPLATE_PARAMETER_MAX:
                parameter = parameter[: WHATSAPP_TEMPLATE_PARAMETER_MAX - 1].rstrip() + "…"
            return {
                **base,
                "type": "template",
                "template": {
                    "name": self.template,
                    "language": {"code": outgoing.language},
                    "components": [
                        {"type": "body", "parameters": [{"type": "text", "text": parameter}]}
                    ],
                },
            }
        interactive = self._interactive(outgoing)
        if interactive is not None:
            return {**base, "type": "interactive", "interactive": interactive}
        return {
            **base,
            "type": "text",
            "text": {"body": text[:WHATSAPP_TEXT_MAX], "preview_url": False},
        }

    @staticmethod
    def _interactive(outgoing: Outgoing) -> dict[str, Any] | None:
        buttons, text = outgoing.buttons, outgoing.rendered.text
        if not buttons or len(text) > WHATSAPP_INTERACTIVE_BODY_MAX or len(buttons) > 10:
            return None
        if any(len(said) > WHATSAPP_REPLY_ID_MAX for _label, said in buttons):
            return None
        if len(buttons) <= 3 and all(
            len(label) <= WHATSAPP_BUTTON_TITLE_MAX for label, _ in buttons
        ):
            return {
                "type": "button",
                "body": {"text": text},
                "action": {
                    "buttons": [
                        {"type": "reply", "reply": {"id": said, "title": label}}
                        for label, said in buttons
                    ]
                },
            }
        if all(len(label) <= WHATSAPP_ROW_TITLE_MAX for label, _ in buttons):
            with translation.override(outgoing.language):
                choose = _("Choose")
            return {
                "type": "list",
                "body": {"text": text},
                "action": {
                    "button": choose,
                    "sections": [
                        {"rows": [{"id": said, "title": label} for label, said in buttons]}
                    ],
                },
            }
        return None

    def send(self, outgoing: Outgoing) -> str:
        status, body, excerpt = _post(
            f"{self.api_url}/{self.phone_number_id}/messages",
            what="WhatsApp Cloud API",
            payload=self.payload(outgoing),
            timeout=self.timeout,
            headers={"Authorization": f"Bearer {self.token}"},
        )
        error = body.get("error") if isinstance(body, dict) else None
        if status == 429 or status >= 500:
            raise DeliveryError(f"WhatsApp Cloud API answered {status}: {excerpt}", permanent=False)
        if isinstance(error, dict) or status >= 400:
            details = error if isinstance(error, dict) else {}
            code = details.get("code")
            reason = (
                f"WhatsApp Cloud API refused the message ({status}, code {code}): "
                + str(details.get("message", excerpt))[:200]
            )
            raise DeliveryError(reason, permanent=code not in WHATSAPP_TEMPORARY_CODES)
        messages = body.get("messages") if isinstance(body, dict) else None
        if (
            not isinstance(messages, list)
            or not messages
            or not isinstance(messages[0], dict)
            or not isinstance(messages[0].get("id"), str)
        ):
            raise DeliveryError(
                f"WhatsApp Cloud API answered {status} without a message id: {excerpt}",
                permanent=False,
            )
        return str(messages[0]["id"])[:200]
