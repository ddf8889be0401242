"""The data map of ballot entries, and their anonymiser (core/data_map.py explains the
mechanism). An entry keeps the entrant's name, NIK and contact until its round's last
day has passed by GILIRAN_RETENTION_WAITLIST_DAYS (office time): by then every place of
the round has been claimed, has lapsed or has gone down the waiting list. Kept: the
reference, choices, status, draw position and waiting number (the published draw names
references only); erased: name, NIK (ciphertext, keyed hash, last 4), phone, email, the
page token and the code's hash. A winner's booking follows booking's own retention."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils.translation import gettext_lazy as _

from ballots.models import Ballot, BallotEntry
from core.data_map import (
    WAITLIST,
    AtEnd,
    Category,
    LegalBasis,
    Personal,
    personal_data,
    register_anonymiser,
)
from core.retention import anonymise_batch, erased_token

_ENTER = _("enter the ballot once per NIK and hold a drawn place for this citizen")
_TELL = _("send the entry code and the result of the draw by the chosen channel")


def _tag(category: Category, why: object, at_end: AtEnd = AtEnd.ERASED) -> Personal:
    return Personal(
        category=category,
        purpose=why,  # type: ignore[arg-type]
        basis=LegalBasis.PUBLIC_TASK,
        retention=WAITLIST,
        at_end=at_end,
    )


personal_data(
    BallotEntry,
    fields={
        "full_name": _tag(Category.IDENTITY, _ENTER),
        "nik_encrypted": _tag(Category.IDENTITY, _ENTER),
        "nik_hash": _tag(Category.IDENTITY, _ENTER),
        "nik_last4": _tag(Category.IDENTITY, _ENTER),
        "phone": _tag(Category.CONTACT, _TELL),
        "email": _tag(Category.CONTACT, _TELL),
        "priority_group": _tag(
            Category.SPECIFIC, _("give priority groups their reserved share"), AtEnd.KEPT
        ),
        "token": _tag(Category.TECHNICAL, _("let only this citizen open their page")),
    },
)
personal_data(
    Ballot,
    fields={},
    not_personal={
        "seed_encrypted": _("the draw's random seed, secret until the draw; no personal data"),
        "published": _(
            "the published draw: entry references, choices and priority flags, never a "
            "name, NIK or contact"
        ),
    },
)


def anonymise_past_ballot_entries(*, now: datetime, batch_size: int) -> int:
    # A round's offices may lie in three zones; its last day has ended in all of them
    # once it has ended in WIB, the westernmost (the latest midnight).
    today_everywhere = now.astimezone(ZoneInfo("Asia/Jakarta")).date()
    due = BallotEntry.objects.filter(
        ballot__last_day__lt=today_everywhere - timedelta(days=WAITLIST.days or 0)
    )
    return anonymise_batch(
        due=due,
        values={
            "full_name": "",
            "nik_encrypted": "",
            "nik_hash": "",
            "nik_last4": "",
            "phone": "",
            "email": "",
            "code_hash": "",
            "token": erased_token(),
        },
        now=now,
        batch_size=batch_size,
    )


register_anonymiser("ballots.BallotEntry", policy=WAITLIST, run=anonymise_past_ballot_entries)
