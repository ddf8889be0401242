"""Rows shared by every API: remembered responses to requests sent with an
Idempotency-Key, so a retried request never acts twice."""

from __future__ import annotations

from django.db import models


class IdempotentRequest(models.Model):
    key = models.CharField(max_length=100)
    scope = models.CharField(max_length=100, help_text="Endpoint and caller the key belongs to.")
    request_hash = models.CharField(max_length=64)
    response_status = models.PositiveSmallIntegerField(null=True)
    response_body = models.JSONField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="idempotency_key_once")
        ]
        indexes = [models.Index(fields=["created_at"], name="idempotency_by_age")]

    def __str__(self) -> str:
        return f"{self.scope} · {self.key}"
