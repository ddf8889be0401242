"""What a citizen who filed a complaint is told, registered with the outbox
(ComplaintsConfig.ready() imports this module): the confirmation with the tracking
number and access key, and each change of status. Queued by complaints/services.py."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from complaints.models import Complaint
from notifications.registry import message_kind_register, message_subject_register


class ComplaintMessageKind(models.TextChoices):
    RECEIVED = "complaint_received", _("Complaint received")
    IN_PROGRESS = "complaint_in_progress", _("Complaint in progress")
    ANSWERED = "complaint_answered", _("Complaint answered")
    CLOSED = "complaint_closed", _("Complaint closed")


# The confirmation carries the access key: sent once, never again from the log.
message_kind_register(ComplaintMessageKind.RECEIVED, subject=Complaint, resendable=False)
message_kind_register(ComplaintMessageKind.IN_PROGRESS, subject=Complaint)
message_kind_register(ComplaintMessageKind.ANSWERED, subject=Complaint)
message_kind_register(ComplaintMessageKind.CLOSED, subject=Complaint)
message_subject_register(Complaint.objects.only("pk", "number"), search=lambda term: Q(number=term))
