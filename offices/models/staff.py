"""Who works where, in which role. Every staff page, API and admin screen asks
offices.permissions, which reads these rows; nothing else decides office scope."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from offices.models.catalog import Office


class Role(models.TextChoices):
    # Clerk, supervisor and administrator are ordered from least to most trusted;
    # offices.permissions compares by this order. The integrity officer stands outside
    # it (rank -1): they read the reports of pungli about an office (complaints/) and
    # nothing else, and the office's own roles never reach those reports.
    CLERK = "clerk", _("Counter staff")
    SUPERVISOR = "supervisor", _("Supervisor")
    ADMINISTRATOR = "administrator", _("Office administrator")
    INTEGRITY = "integrity", _("Integrity officer")

    @property
    def rank(self) -> int:
        if self is Role.INTEGRITY:
            return -1
        return list(Role).index(self)


class StaffMembership(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("user"),
    )
    office = models.ForeignKey(
        Office, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("office")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)

    class Meta:
        ordering = ["office__name", "user__username"]
        verbose_name = _("staff membership")
        verbose_name_plural = _("staff memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "office"],
                name="membership_once_per_office",
                violation_error_message=_("This person already has a role in this office."),
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values), name="membership_known_role"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.office} · {self.get_role_display()}"
