"""What the waiting room keeps in PostgreSQL: one row per new place taken, with where
it came from, for the anti-calo report (anticalo/). The line itself lives in the room
store (releases/store.py), never here."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from offices.models import OfficeService


class RoomJoin(models.Model):
    """A NIK taking its place in a release's waiting room (joining again with the same
    NIK makes no row). No NIK and no name: the client's /24 or /48 network and its
    device's keyed hash (core.client_marks), erased with the visits' retention."""

    office_service = models.ForeignKey(
        OfficeService, on_delete=models.CASCADE, related_name="+", verbose_name=_("service offered")
    )
    release_at = models.DateTimeField(_("release"))
    release_day = models.DateField(_("release day (office time)"))
    joined_at = models.DateTimeField(_("joined"))
    client_network = models.CharField(_("network"), max_length=43, blank=True)
    device_hash = models.CharField(max_length=64, blank=True, editable=False)
    # Set when retention erased the network and device (core.retention).
    anonymised_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("waiting room join")
        verbose_name_plural = _("waiting room joins")
        indexes = [models.Index(fields=["office_service", "joined_at"], name="room_join_by_time")]

    def __str__(self) -> str:
        return f"{self.office_service_id} · {self.joined_at:%Y-%m-%d %H:%M:%S}"
