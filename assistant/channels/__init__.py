"""The assistant on the messaging platforms: webhooks that take a citizen's message from
Telegram, WhatsApp (Meta's Cloud API) and SMS (the gateway contract), prove it came from
the platform, and hand it to `message_receive` (SMS read by its keywords: `sms.py`). The
replies leave through the outbox (assistant/outbound.py, notifications/channels.py).
Endpoints, settings and the choices made: docs/assistant-channels.md."""
