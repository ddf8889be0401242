"""The messaging platforms' webhooks, under /webhooks/ (no language prefix: a platform
posts to one fixed address). docs/assistant-channels.md."""

from django.urls import path

from assistant.channels.sms import sms_webhook
from assistant.channels.telegram import telegram_webhook
from assistant.channels.whatsapp import whatsapp_webhook

urlpatterns = [
    path("telegram/", telegram_webhook, name="webhook-telegram"),
    path("whatsapp/", whatsapp_webhook, name="webhook-whatsapp"),
    path("sms/", sms_webhook, name="webhook-sms"),
]
