"""A ballot round for passports at Jakarta (WIB) and Denpasar (WITA): both release day
D at 08:00 WIB (09:00 WITA) seven days ahead, so on Tuesday 1 December 2026 at 10:00 WIB
the next release is Wednesday 2 December 08:00 WIB, opening Wednesday 9 December, and
entries (48 hours) are open. Each office has two places that day."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, time
from typing import Any

import pytest
import time_machine
from django.core import mail

from ballots.models import Ballot, BallotEntry
from ballots.services.entries import Choice, ballot_enter, entry_verify
from ballots.services.rounds import ballot_next
from booking.models import Slot
from booking.services.booking import CitizenDetails, details_clean
from notifications.models import Message
from offices.models import OfficeService
from scheduling.services import default_plan_extend
from tests.factories import CounterFactory

NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)  # Tuesday 10:00 WIB
RELEASE = datetime(2026, 12, 2, 1, 0, tzinfo=UTC)  # Wednesday 08:00 WIB
DAY = date(2026, 12, 9)


@pytest.fixture
def clock() -> Iterator[Any]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _ballot_service(office: Any, release_at: time) -> OfficeService:
    office_service = OfficeService.objects.get(office=office)
    office_service.allocation = "ballot"
    office_service.booking_window_days = 7
    office_service.release_time = release_at
    office_service.ballot_priority_percent = 50
    office_service.save()
    if not office.counters.exists():
        CounterFactory.create(office=office, number=1, services=[office_service.service])
    default_plan_extend(office=office, first=DAY, last=DAY)
    slots = list(Slot.objects.filter(office_service=office_service, local_date=DAY))
    assert len(slots) >= 2
    Slot.objects.filter(pk__in=[s.pk for s in slots]).update(capacity=0)
    Slot.objects.filter(pk__in=[s.pk for s in sorted(slots, key=lambda s: s.starts_at)[:2]]).update(
        capacity=1
    )
    return office_service


@pytest.fixture
def jakarta_ballot(jakarta_office: Any, clock: Any) -> OfficeService:
    return _ballot_service(jakarta_office, time(8))


@pytest.fixture
def denpasar_ballot(denpasar_office: Any, clock: Any) -> OfficeService:
    return _ballot_service(denpasar_office, time(9))  # 09:00 WITA = 08:00 WIB


@pytest.fixture
def ballot(jakarta_ballot: OfficeService, denpasar_ballot: OfficeService) -> Ballot:
    return ballot_next(office_service=jakarta_ballot)


def citizen(n: int, **overrides: str) -> CitizenDetails:
    fields: dict[str, Any] = {
        "full_name": f"Warga {n}",
        "nik": f"317101450190{n:04d}",
        "phone": "",
        "email": f"warga{n}@example.id",
        "channel": "email",
        "priority_group": "",
        "language": "id",
        **overrides,
    }
    return details_clean(**fields)


def sent_code(kind: str = "ballot_code") -> str:
    """The last code of `kind`: from its outbox row, or, once sent (a test whose
    transactions commit, where the row's copy is erased), from the email itself."""
    code = str(Message.objects.filter(kind=kind).latest("pk").context["code"])
    if code.isdigit():
        return code
    found = re.search(r"\b(\d{6})\b", str(mail.outbox[-1].body))
    assert found is not None
    return found.group(1)


def entered(ballot: Ballot, n: int, *choices: OfficeService, **overrides: str) -> BallotEntry:
    entry = ballot_enter(
        ballot=ballot,
        details=citizen(n, **overrides),
        choices=[Choice(os.pk, DAY) for os in choices],
    )
    return entry_verify(entry=entry, code=sent_code())
