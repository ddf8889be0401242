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
from django.core.management import CommandError, call_command

from assistant.models import Author, Conversation, Turn
from booking.models import Booking, BookingStatus, Slot, Source
from complaints.services import Intake, complaint_answer, complaint_file, complaint_take
from core import personal_data
from core.errors import ApplicationError
from insights.histogram import histograms_merged, percentile
from insights.models import AssistantDay, ComplaintDay, CounterDay, FactsDay, ServiceHour
from insights.selectors import ikm_of
from insights.services import facts_build, facts_build_due, facts_days_due
from offices.models import Counter, OfficeService
from queueing.ikm import ELEMENT_KEYS as IKM_ELEMENT_KEYS
from queueing.models import CounterStatus, Ticket
from queueing.services.calling import call_ticket, ticket_finish, ticket_no_show, ticket_start
from queueing.services.check_in import check_in
from queueing.services.citizen import ticket_ikm_answer, ticket_leave, ticket_rate
from queueing.services.counters import counter_set_status
from queueing.services.issue import ticket_issue
from scheduling.models import DayPlan

pytestmark = pytest.mark.django_db

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


def hour_of(passport: OfficeService, hour: int) -> ServiceHour:
    return ServiceHour.objects.get(office_service=passport, local_date=DAY, hour=hour)


def test_the_queue_in_the_hour_each_citizen_joined(
    day: Any, jakarta_office: Any, passport: OfficeService
) -> None:
    facts_build(office=jakarta_office, day=DAY)

    eight = hour_of(passport, 8)
    assert (eight.walk_ins, eight.appointment_arrivals) == (4, 0)
    assert (eight.served, eight.called_no_shows, eight.abandoned, eight.not_served) == (1, 1, 1, 1)
    assert eight.waits == {"10": 1, "20": 1}
    assert (eight.target_wait_minutes, eight.called_within_target) == (15, 1)
    assert eight.service_times == {"10": 1}
    assert eight.counters_active == 1

    nine = hour_of(passport, 9)
    assert (nine.walk_ins, nine.appointment_arrivals, nine.served) == (1, 1, 2)
    # The early appointment waited from its appointment time (09:30), not its check-in.
    assert nine.waits == {"5": 1, "10": 1}
    assert nine.called_within_target == 2
    assert nine.service_times == {"12": 1, "20": 1}


def test_appointments_and_ratings(day: Any, jakarta_office: Any, passport: OfficeService) -> None:
    facts_build(office=jakarta_office, day=DAY)

    nine, ten = hour_of(passport, 9), hour_of(passport, 10)
    assert (nine.appointment_places, nine.appointments_booked) == (5, 1)
    assert (nine.appointments_attended, nine.appointment_no_shows) == (1, 0)
    # A booking still confirmed after its day missed it; a cancelled one was never booked.
    assert (ten.appointment_places, ten.appointments_booked) == (5, 1)
    assert (ten.appointments_attended, ten.appointment_no_shows) == (0, 1)
    assert ten.ratings == {"4": 1, "5": 1}
    assert ten.walk_ins == ten.served == 0


def test_ikm_answers_count_in_the_hour_they_were_given(
    day: Any, jakarta_office: Any, passport: OfficeService
) -> None:
    facts_build(office=jakarta_office, day=DAY)

    ten, eleven = hour_of(passport, 10), hour_of(passport, 11)
    assert ten.ikm == {
        "requirements": [4, 1],
        "procedure": [3, 1],
        "time": [2, 1],
        "cost": [4, 1],
        "product": [3, 1],
        "competence": [4, 1],
        "conduct": [4, 1],
        "facilities": [3, 1],
    }
    assert ten.ikm_respondents == 1
    assert (eleven.ikm, eleven.ikm_respondents) == ({"requirements": [3, 1], "time": [1, 1]}, 1)
    assert eleven.ratings == {}

    index = ikm_of(ServiceHour.objects.filter(local_date=DAY))
    assert index is not None
    # Element means 3.5 3 1.5 4 3 4 4 3 (complaints: nobody answered, left out):
    # 26 / 8 = 3.25 on the 1–4 scale, × 25 = 81.25, band B.
    assert (index.value, index.band, index.respondents) == (81.25, "B", 2)
    assert index.element_means["time"] == 1.5
    assert "complaints" not in index.element_means


def test_service_times_per_counter(day: Any, jakarta_office: Any, passport: OfficeService) -> None:
    facts_build(office=jakarta_office, day=DAY)

    (row,) = CounterDay.objects.filter(office=jakarta_office, local_date=DAY)
    assert (row.counter.number, row.office_service_id, row.served) == (1, passport.pk, 3)
    assert row.service_times == {"10": 1, "12": 1, "20": 1}


def test_percentiles_of_the_day_from_the_hours(
    day: Any, jakarta_office: Any, passport: OfficeService
) -> None:
    facts_build(office=jakarta_office, day=DAY)

    waits = histograms_merged(row.waits for row in ServiceHour.objects.filter(local_date=DAY))
    # Waits of the day: 5, 10, 10, 20 minutes.
    assert percentile(waits, 50) == 10
    assert percentile(waits, 90) == 20
    assert percentile(waits, 25) == 5


def test_complaints_received_and_answered_on_the_day(day: Any, jakarta_office: Any) -> None:
    facts_build(office=jakarta_office, day=DAY)

    rows = {
        (row.category, row.pungli): (row.received, row.answered, row.answered_in_time)
        for row in ComplaintDay.objects.filter(office=jakarta_office, local_date=DAY)
    }
    assert rows == {
        ("service_delay", False): (1, 0, 0),
        ("pungli", True): (1, 0, 0),
        # Filed 20 November: due within 14 working days, answered in time.
        ("information", False): (0, 1, 1),
        # Filed 2 November: due 20 November, answered late.
        ("other", False): (0, 1, 0),
    }


def test_assistant_messages_per_intent(day: Any, jakarta_office: Any) -> None:
    facts_build(office=jakarta_office, day=DAY)

    rows = {
        (row.channel, row.intent): (row.messages, row.unsure)
        for row in AssistantDay.objects.filter(office=jakarta_office, local_date=DAY)
    }
    # The assistant's own turns are not questions; 0.3 is below the 0.5 it acts on.
    assert rows == {("whatsapp", "fees"): (2, 1), ("whatsapp", "hours"): (1, 0)}


def test_the_plan_and_forecast_per_hour(
    day: Any, jakarta_office: Any, passport: OfficeService
) -> None:
    DayPlan.objects.create(
        office=jakarta_office,
        local_date=DAY,
        status="planned",
        instance={
            "blocks": ["08:00", "08:30", "09:00", "09:30"],
            "services": [{"id": "paspor-baru", "walk_in_forecast": [1.5, 2.0, 0.25, 0.25]}],
        },
        solution={
            "services": {"paspor-baru": {"counters": [1, 2, 1, 1], "need": [1.0, 1.5, 0.5, 0.5]}}
        },
    )
    facts_build(office=jakarta_office, day=DAY)

    eight, nine = hour_of(passport, 8), hour_of(passport, 9)
    assert (eight.walk_ins_forecast, eight.counters_planned, eight.counters_needed) == (
        3.5,
        1.5,
        1.25,
    )
    assert (nine.walk_ins_forecast, nine.counters_planned, nine.counters_needed) == (0.5, 1, 0.5)
    # No plan reached ten o'clock: nothing was planned, which is not zero.
    assert hour_of(passport, 10).counters_planned is None


def test_building_again_gives_the_same_rows(day: Any, jakarta_office: Any) -> None:
    def snapshot() -> list[tuple[Any, ...]]:
        return sorted(
            ServiceHour.objects.filter(local_date=DAY).values_list(
                "hour", "walk_ins", "served", "waits", "service_times", "ratings"
            )
        )

    facts_build(office=jakarta_office, day=DAY)
    first = snapshot()
    facts_build(office=jakarta_office, day=DAY)

    assert snapshot() == first
    assert FactsDay.objects.filter(office=jakarta_office, local_date=DAY).count() == 1


def test_a_day_that_has_not_ended_is_refused(day: Any, jakarta_office: Any) -> None:
    with pytest.raises(ApplicationError) as refused:
        facts_build(office=jakarta_office, day=DAY + timedelta(days=1))

    assert refused.value.code == "day_not_ended"
    assert not ServiceHour.objects.exists()


def test_the_nightly_step_builds_each_ended_day_once(
    day: Any, jakarta_office: Any, settings: Any
) -> None:
    settings.GILIRAN_INSIGHTS_FIRST_DAYS = 3

    assert facts_days_due(office=jakarta_office) == [
        date(2026, 11, 30),
        date(2026, 12, 1),
        DAY,
    ]
    assert facts_build_due(office=jakarta_office) == 3
    assert facts_build_due(office=jakarta_office) == 0
    assert hour_of(OfficeService.objects.get(office=jakarta_office), 8).walk_ins == 4

    day.move_to(NEXT_MORNING + timedelta(days=1))
    assert facts_days_due(office=jakarta_office) == [date(2026, 12, 3)]


def test_the_command_builds_a_range_and_refuses_bad_days(
    day: Any, jakarta_office: Any, passport: OfficeService
) -> None:
    call_command("insights_build", "2026-12-01", "2026-12-02", "--office", "kanim-jakarta")

    assert FactsDay.objects.filter(office=jakarta_office).count() == 2
    assert hour_of(passport, 9).served == 2
    for arguments, said in (
        (["2026-12-02", "2026-12-01"], "before the first"),
        (["2026-13-01"], "not a day"),
        (["2026-12-02", "--office", "nowhere"], "no active office"),
        (["2026-12-03"], "kanim-jakarta 2026-12-03"),  # not ended: refused, translated
    ):
        with pytest.raises(CommandError, match=said):
            call_command("insights_build", *arguments)
