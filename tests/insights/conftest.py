"""Each fact's definition, on a small hand-made day whose answers are known.

Wednesday 2 December 2026 at the Jakarta passport office (WIB), one counter, through the
real queue, booking and complaint services on a moving clock:

    hour 08  A-001 walk-in 08:05, called 08:15 (wait 10), served 08:16–08:26
             A-002 walk-in 08:20, called 08:40 (wait 20, past the 15-minute target),
                   did not come
             A-003 walk-in 08:30, left 08:50
             A-004 walk-in 08:45, never called (open when the day ended)
    hour 09  A-005 walk-in 09:05, called 09:10 (wait 5), served 09:10–09:30
             an appointment at 09:30 checked in at 09:05 (early), called 09:40: its wait
                   counts from 09:30 (10), served 09:40–09:52
    hour 10  an appointment at 10:00 nobody came to; one cancelled (not counted);
             A-001's citizen rates the visit 4 at 10:15 and answers eight of the nine
                   IKM questions at 10:17 (4 3 2 4 3 4 4 – 3, complaints skipped);
             A-005's citizen rates it 5 at 10:20
    hour 11  A-005's citizen answers two IKM questions at 11:05 (requirements 3, time 1)
"""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import time_machine

from assistant.models import Author, Conversation, Turn
from booking.models import Booking, BookingStatus, Slot, Source
from complaints.services import Intake, complaint_answer, complaint_file, complaint_take
from core import personal_data
from offices.models import Counter, OfficeService
from queueing.ikm import ELEMENT_KEYS as IKM_ELEMENT_KEYS
from queueing.models import CounterStatus, Ticket
from queueing.services.calling import call_ticket, ticket_finish, ticket_no_show, ticket_start
from queueing.services.check_in import check_in
from queueing.services.citizen import ticket_ikm_answer, ticket_leave, ticket_rate
from queueing.services.counters import counter_set_status
from queueing.services.issue import ticket_issue

DAY = date(2026, 12, 2)
NEXT_MORNING = datetime(2026, 12, 3, 1, 0, tzinfo=UTC)  # 08:00 WIB, the day after


def wib(clock: str, day: date = DAY) -> datetime:
    hours, minutes = (int(part) for part in clock.split(":"))
    return datetime(day.year, day.month, day.day, hours - 7, minutes, tzinfo=UTC)


def booking_at(office_service: OfficeService, clock: str, seq: int, status: str) -> Booking:
    starts = wib(clock)
    slot, _ = Slot.objects.get_or_create(
        office_service=office_service,
        starts_at=starts,
        defaults={
            "ends_at": starts + timedelta(minutes=30),
            "local_date": DAY,
            "capacity": 5,
            "taken": 0,
        },
    )
    nik = f"317101010190{seq:04d}"
    return Booking.objects.create(
        code=f"FACT{seq:04d}",
        slot=slot,
        service=office_service.service,
        status=status,
        full_name="Warga",
        nik_encrypted=personal_data.encrypt(nik),
        nik_hash=personal_data.keyed_hash(nik),
        nik_last4=nik[-4:],
        email=f"warga{seq}@example.id",
        channel="email",
        source=Source.WEB,
    )


@pytest.fixture
def passport(jakarta_office: Any) -> OfficeService:
    return OfficeService.objects.get(office=jakarta_office)


@pytest.fixture
def day(jakarta_office: Any, passport: OfficeService, counter_clerk: Any, supervisor: Any) -> Any:
    """Live through the hand-made day; the clock ends the next morning."""
    counter = Counter.objects.get(office=jakarta_office, number=1)
    with time_machine.travel(wib("07:55"), tick=False) as clock:
        counter_set_status(counter=counter, status=CounterStatus.OPEN, staff=counter_clerk)
        early = booking_at(passport, "09:30", 1, BookingStatus.CONFIRMED)
        booking_at(passport, "10:00", 2, BookingStatus.CONFIRMED)
        booking_at(passport, "10:00", 3, BookingStatus.CANCELLED)
        # Complaints answered on the day: one within its due date, one after it.
        filed = {}
        for on, category in ((date(2026, 11, 20), "information"), (date(2026, 11, 2), "other")):
            clock.move_to(wib("10:00", on))
            filed[on] = complaint_file(
                intake=Intake(
                    office_code="kanim-jakarta",
                    category=category,
                    text="Sudah dua jam menunggu tanpa kejelasan.",
                )
            ).complaint
            complaint_take(complaint=filed[on], by=supervisor)

        def at(clock_time: str) -> None:
            clock.move_to(wib(clock_time))

        def walk_in(clock_time: str) -> Ticket:
            at(clock_time)
            return ticket_issue(office_service=passport, source="kiosk")

        def serve(ticket: Ticket, called: str, started: str, finished: str) -> None:
            at(called)
            call_ticket(counter=counter, ticket=ticket, staff=counter_clerk)
            at(started)
            ticket_start(counter=counter, staff=counter_clerk)
            at(finished)
            ticket_finish(counter=counter, staff=counter_clerk)

        first = walk_in("08:05")
        second = walk_in("08:20")
        third = walk_in("08:30")
        walk_in("08:45")
        serve(first, "08:15", "08:16", "08:26")
        at("08:40")
        call_ticket(counter=counter, ticket=second, staff=counter_clerk)
        at("08:41")
        ticket_no_show(counter=counter, staff=counter_clerk, confirmed=True, ticket=second)
        at("08:50")
        ticket_leave(ticket=third)
        fifth = walk_in("09:05")
        appointment = check_in(office=jakarta_office, code=early.code)
        serve(fifth, "09:10", "09:10", "09:30")
        serve(appointment, "09:40", "09:40", "09:52")
        at("10:15")
        ticket_rate(ticket=Ticket.objects.get(pk=first.pk), score="4")
        at("10:17")
        ikm = dict(
            zip(IKM_ELEMENT_KEYS, ["4", "3", "2", "4", "3", "4", "4", "_", "3"], strict=True)
        )
        ticket_ikm_answer(ticket=first, answers={k: v for k, v in ikm.items() if v != "_"})
        at("10:20")
        ticket_rate(ticket=Ticket.objects.get(pk=fifth.pk), score="5")
        at("11:05")
        ticket_ikm_answer(ticket=fifth, answers={"requirements": "3", "time": "1"})
        at("11:00")
        complaint_file(
            intake=Intake(
                office_code="kanim-jakarta",
                category="service_delay",
                text="Antrean tidak bergerak selama dua jam.",
            )
        )
        complaint_file(
            intake=Intake(
                office_code="kanim-jakarta",
                category="pungli",
                text="Petugas meminta uang tambahan di loket.",
            )
        )
        for filed_complaint in filed.values():
            complaint_answer(complaint=filed_complaint, by=supervisor, answer="Sudah diperbaiki.")
        chat = Conversation.objects.create(
            token=secrets.token_urlsafe(32),
            channel="whatsapp",
            office=jakarta_office,
            started_at=wib("12:00"),
            last_message_at=wib("12:02"),
        )
        for minute, intent, confidence in ((0, "hours", 0.93), (1, "fees", 0.91), (2, "fees", 0.3)):
            Turn.objects.create(
                conversation=chat,
                author=Author.CITIZEN,
                text="…",
                intent=intent,
                confidence=confidence,
                created_at=wib(f"12:0{minute}"),
            )
        Turn.objects.create(
            conversation=chat, author=Author.ASSISTANT, text="…", created_at=wib("12:01")
        )
        clock.move_to(NEXT_MORNING)
        yield clock
