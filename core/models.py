"""Rows shared by every API: remembered responses to requests sent with an
Idempotency-Key, so a retried request never acts twice."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


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
        verbose_name = _("remembered API request")
        verbose_name_plural = _("remembered API requests")
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="idempotency_key_once")
        ]
        indexes = [models.Index(fields=["created_at"], name="idempotency_by_age")]

    def __str__(self) -> str:
        return f"{self.scope} · {self.key}"


class RetentionRun(models.Model):
    """One run of the retention job: when, and how many rows each anonymiser changed.
    Counts only: no personal data."""

    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    counts = models.JSONField(_("rows anonymised per kind"), default=dict)
    total = models.PositiveIntegerField(_("rows anonymised"), default=0)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("retention run")
        verbose_name_plural = _("retention runs")

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M} · {self.total}"
