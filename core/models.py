"""Rows shared by every API: remembered responses to requests sent with an
Idempotency-Key, so a retried request never acts twice."""

from __future__ import annotations

from django.db import models


class IdempotentRequest(models.Model):
    """One request made with an Idempotency-Key. Holds no personal data and no token:
    key, scope and request hash are keyed hashes, and the response is re-rendered from
    `resource` on replay (core.idempotency)."""

    key = models.CharField(max_length=100, help_text="Keyed hash of the Idempotency-Key.")
    scope = models.CharField(
        max_length=100, help_text="Keyed hash of the endpoint and the caller's credential."
    )
    request_hash = models.CharField(max_length=64, help_text="Keyed hash of scope and body.")
    response_status = models.PositiveSmallIntegerField(null=True)
    resource = models.CharField(
        max_length=64, blank=True, default="", help_text="What the request made or changed."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="idempotency_key_once")
        ]
        indexes = [models.Index(fields=["created_at"], name="idempotency_by_age")]

    def __str__(self) -> str:
        return f"{self.scope} · {self.key}"
