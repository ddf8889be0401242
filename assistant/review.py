"""The review loop: messages the model was unsure of (stored masked by
message_receive as ReviewItem) are listed for staff, supervisors label each with the
intent it really has, and `manage.py assistant_train` trains on the labelled ones as
extra examples (assistant.understanding.classifier.labelled_examples).

Anyone with a role at an office (counter staff and up) may read the list: the texts are
masked and belong to no office. Only supervisors (offices.permissions.supervises) label,
as a label changes what the assistant understands everywhere."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from assistant.models import ReviewItem
from assistant.understanding.classifier import INTENTS
from core.errors import ApplicationError
from offices.permissions import AnyUser, offices_for, supervises


def may_review(user: AnyUser) -> bool:
    return offices_for(user).exists()


def review_items() -> QuerySet[ReviewItem]:
    """Unlabelled first, then the newest first within each."""
    return (
        ReviewItem.objects.select_related("labelled_by")
        .annotate(
            labelled=Case(
                When(label="", then=Value(0)), default=Value(1), output_field=IntegerField()
            )
        )
        .order_by("labelled", "-created_at", "-pk")
    )


def review_label(
    *, item: ReviewItem, label: str, by: AnyUser, now: datetime | None = None
) -> ReviewItem:
    """Label `item` with one of the 18 intents (a supervisor only). Labelling again
    replaces the label; the next `assistant_train` uses it."""
    if not supervises(by):
        raise ApplicationError(
            "review_not_supervisor", _("Only supervisors may label messages."), status_code=403
        )
    if label not in INTENTS:
        message = _("Choose one of the intents.")
        raise ApplicationError("review_unknown_intent", message, fields={"label": [message]})
    item.label = label
    item.labelled_by_id = by.pk
    item.labelled_at = now or timezone.now()
    item.save(update_fields=["label", "labelled_by", "labelled_at"])
    return item
