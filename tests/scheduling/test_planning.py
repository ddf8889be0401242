"""Planning an office-day from the database: the plan becomes the booking capacity, a
supervisor's change that would strand booked citizens is refused with who they are
(or moves them and tells them), every change is audited, and the pages show it all.
Every write of the plan reaches the queue's walk-in limit: a re-plan after a change
gives it the new walk-in capacity; while the re-plan waits for a worker, when it fails
(a day closed: nothing to plan) and on a day the office no longer opens, the service's
fixed quota applies, as on any day the optimiser has not planned."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from booking.messages import BookingMessageKind
from booking.models import Booking, BookingStatus, Slot, Source
from booking.services.booking import booking_confirm, booking_hold
from core.errors import ApplicationError
from notifications.models import Message
from offices.models import OfficeService
from queueing.models import TicketSource
from queueing.services.issue import ticket_issue
from scheduling.models import DayPlan, PlanChange, PlanStatus
from scheduling.planning import (
    Adjustment,
    StrandingRefused,
    day_plan_adjust,
    day_plan_replan,
    day_plan_solve,
)
from scheduling.selectors import day_instance
from scheduling.services import default_plan_extend
from tests.booking.conftest import citizen_details
from tests.factories import ClosureFactory
from tests.queueing.test_walk_in_capacity import walk_ins_taken

pytestmark = pytest.mark.django_db

# Tuesday 1 December 2026, 10:00 WIB; the day planned is Wednesday 2 December.
NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
DAY = date(2026, 12, 2)


@pytest.fixture
def clock() -> Iterator[Any]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def planned_office(jakarta_office: Any, clock: Any) -> Any:
    default_plan_extend(office=jakarta_office, first=date(2026, 12, 1), last=date(2026, 12, 31))
    return jakarta_office


def _book(office: Any, nik: str = "3171014501900001", index: int = 0) -> Booking:
    slot = Slot.objects.filter(
        office_service__office=office, local_date=DAY, capacity__gt=0
    ).order_by("starts_at")[index]
    booking = booking_hold(slot_id=slot.pk, details=citizen_details(nik), source=Source.WEB)
    return booking_confirm(booking=booking)


def test_the_instance_describes_the_day_from_the_database(planned_office: Any) -> None:
    booking = _book(planned_office)
    instance = day_instance(office=planned_office, day=DAY)
    assert instance["blocks"][0] == "08:00" and instance["staffed"][0] == 1
    assert instance["counters"] == [{"id": "1", "skills": ["paspor-baru"]}]
    service = instance["services"][0]
    assert service["id"] == "paspor-baru" and service["booked"][0] == 1 == booking.slot.taken
    assert service["target_share"] == 0.8 and service["target_wait_minutes"] == 15


def test_the_solved_plan_becomes_the_booking_capacity(planned_office: Any) -> None:
    _book(planned_office)
    plan = day_plan_solve(office=planned_office, day=DAY)
    assert plan.status == PlanStatus.PLANNED and plan.solver_status in ("OPTIMAL", "FEASIBLE")
    quotas = plan.solution["services"]["paspor-baru"]["appointment_quota"]  # type: ignore[index]
    slots = Slot.objects.filter(office_service__office=planned_office, local_date=DAY).order_by(
        "starts_at"
    )
    assert sum(s.capacity for s in slots) == sum(quotas)
    assert all(s.capacity >= s.taken for s in slots)


def test_a_change_that_strands_bookings_is_refused_with_the_list(
    planned_office: Any, supervisor: Any
) -> None:
    booking = _book(planned_office)
    with pytest.raises(StrandingRefused) as refused:
        day_plan_adjust(
            office=planned_office,
            day=DAY,
            by=supervisor,
            why="Dewi sakit",
            adjustment=Adjustment(staffed={"08:00": 0}),
        )
    assert [b.code for b in refused.value.bookings] == [booking.code]
    assert "1 booked appointments" in str(refused.value.message) or "1 janji" in str(
        refused.value.message
    )
    assert not PlanChange.objects.exists()
    assert DayPlan.objects.get(office=planned_office, local_date=DAY).staffed == {}


def test_moving_stranded_bookings_tells_the_citizens_and_is_audited(
    planned_office: Any, supervisor: Any, django_capture_on_commit_callbacks: Any
) -> None:
    booking = _book(planned_office)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        day_plan_adjust(
            office=planned_office,
            day=DAY,
            by=supervisor,
            why="Dewi sakit",
            adjustment=Adjustment(staffed={"08:00": 0}),
            move_bookings=True,
        )
    booking.refresh_from_db()
    assert booking.slot.local_date != DAY and booking.status == BookingStatus.CONFIRMED
    assert booking.reschedule_count == 0  # the office's move is not the citizen's
    assert Message.objects.filter(booking=booking, kind=BookingMessageKind.MOVED).exists()
    assert any(booking.code in str(m.subject) for m in mail.outbox)
    change = PlanChange.objects.get()
    assert change.by == supervisor and change.why == "Dewi sakit"
    assert change.what["staffed"] == {"08:00": 0} and change.what["moved_bookings"] == [
        booking.code
    ]
    plan = DayPlan.objects.get(office=planned_office, local_date=DAY)
    assert (
        plan.staffed == {"08:00": 0} and plan.status == PlanStatus.PLANNED
    )  # re-planned on commit
    first = Slot.objects.filter(office_service__office=planned_office, local_date=DAY).order_by(
        "starts_at"
    )[0]
    assert first.capacity == 0


def test_a_quota_below_the_booked_count_is_refused_and_nothing_changes(
    planned_office: Any, supervisor: Any
) -> None:
    _book(planned_office)
    _book(planned_office, "3171010203850002", index=1)
    with pytest.raises(ApplicationError) as refused:
        day_plan_adjust(
            office=planned_office,
            day=DAY,
            by=supervisor,
            why="kuota",
            adjustment=Adjustment(quota_overrides={"paspor-baru": 1}),
        )
    assert refused.value.code == "quota_below_booked"
    assert "2" in str(refused.value.fields["quota-paspor-baru"][0])
    assert not PlanChange.objects.exists()


def test_a_change_needs_a_reason_and_a_supervisor(
    planned_office: Any, supervisor: Any, counter_clerk: Any
) -> None:
    with pytest.raises(ApplicationError) as refused:
        day_plan_adjust(
            office=planned_office, day=DAY, by=supervisor, why=" ", adjustment=Adjustment()
        )
    assert refused.value.code == "why_missing"
    with pytest.raises(PermissionDenied):
        day_plan_adjust(
            office=planned_office, day=DAY, by=counter_clerk, why="x", adjustment=Adjustment()
        )


def test_the_pages_show_the_next_days_and_a_days_grid(
    client: Client, planned_office: Any, supervisor: Any, django_capture_on_commit_callbacks: Any
) -> None:
    _book(planned_office)
    day_plan_solve(office=planned_office, day=DAY)
    client.force_login(supervisor)
    days = client.get(reverse("staff:plan-days", args=[planned_office.code])).content.decode()
    assert "Rabu, 2 Desember 2026" in days and "Direncanakan" in days
    url = reverse("staff:plan-day", args=[planned_office.code, DAY.isoformat()])
    page = client.get(url).content.decode()
    assert 'class="plan-grid"' in page and "svc-0" in page and "Paspor baru" in page
    refused = client.post(url, {"staffed-08:00": "0", "why": "Dewi sakit"})
    assert refused.status_code == 409 and "tanpa loket" in refused.content.decode()
    bad = client.post(url, {"staffed-08:00": "lima", "why": "x"})
    assert bad.status_code == 400 and "bilangan bulat" in bad.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        moved = client.post(url, {"staffed-08:00": "0", "why": "Dewi sakit", "move_bookings": "on"})
    assert moved.status_code == 302
    assert "Dewi sakit" in client.get(url).content.decode()
    assert "Capacity plan" in client.get("/en" + url).content.decode()


def test_the_queue_takes_as_many_walk_ins_as_the_plan_has_room_for(
    planned_office: Any, clock: Any
) -> None:
    plan = day_plan_solve(office=planned_office, day=DAY)
    room = plan.walk_in_capacity("paspor-baru")
    assert room is not None and room > 0
    clock.move_to(datetime(2026, 12, 2, 2, 0, tzinfo=UTC))  # 09:00 WIB on the planned day
    passport = OfficeService.objects.get(office=planned_office)
    for _ in range(room):
        ticket_issue(office_service=passport, source=TicketSource.KIOSK)
    with pytest.raises(ApplicationError) as refused:
        ticket_issue(office_service=passport, source=TicketSource.KIOSK)
    assert refused.value.code == "walk_in_quota_reached"


def test_a_past_day_cannot_be_changed(planned_office: Any, supervisor: Any) -> None:
    with pytest.raises(ApplicationError) as refused:
        day_plan_adjust(
            office=planned_office,
            day=date(2026, 11, 30),
            by=supervisor,
            why="terlambat",
            adjustment=Adjustment(is_closed=True),
        )
    assert refused.value.code == "past_day" and not PlanChange.objects.exists()


def test_a_quota_override_can_be_set_and_cleared_and_the_log_says_so(
    client: Client, planned_office: Any, supervisor: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client.force_login(supervisor)
    url = reverse("staff:plan-day", args=[planned_office.code, DAY.isoformat()])
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            client.post(url, {"quota-paspor-baru": "5", "why": "kuota khusus"}).status_code == 302
        )
    plan = DayPlan.objects.get(office=planned_office, local_date=DAY)
    assert plan.quota_overrides == {"paspor-baru": 5}
    assert sum(plan.solution["services"]["paspor-baru"]["appointment_quota"]) <= 5  # type: ignore[index]
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            client.post(url, {"quota-paspor-baru": "", "why": "kembali normal"}).status_code == 302
        )
    plan.refresh_from_db()
    assert plan.quota_overrides == {}
    summaries = [c.summary for c in PlanChange.objects.order_by("at", "pk")]
    assert summaries == ["kuota harian paspor-baru: 5", "kuota harian paspor-baru: sesuai rencana"]
    page = client.get(url).content.decode()
    assert "kuota harian paspor-baru: sesuai rencana" in page and "{&#x27;" not in page


def test_a_shortfall_the_day_already_had_does_not_block_an_unrelated_change(
    planned_office: Any, supervisor: Any, settings: Any
) -> None:
    """Bookings made under the default plan can exceed what whole counters cover in a
    block; that is the planner's to report, and a change elsewhere is not refused."""
    first = Slot.objects.filter(office_service__office=planned_office, local_date=DAY).order_by(
        "starts_at"
    )[0]
    settings.GILIRAN_MAX_ACTIVE_PER_CONTACT = 20  # one test email for nine citizens
    Slot.objects.filter(pk=first.pk).update(capacity=9)  # more than 1 counter can serve
    for n in range(9):
        _book(planned_office, nik=f"31710145019000{n + 10:02d}")
    plan = day_plan_adjust(
        office=planned_office,
        day=DAY,
        by=supervisor,
        why="rapat sore",
        adjustment=Adjustment(staffed={"14:00": 0}),
    )
    assert plan.staffed == {"14:00": 0}
    with pytest.raises(StrandingRefused):  # making 08:00 worse still is refused
        day_plan_adjust(
            office=planned_office,
            day=DAY,
            by=supervisor,
            why="x",
            adjustment=Adjustment(staffed={"08:00": 0}),
        )


def test_the_walk_in_forecast_learns_from_the_same_weekday_last_week(planned_office: Any) -> None:
    from queueing.models import Ticket

    passport = OfficeService.objects.get(office=planned_office)
    without = day_instance(office=planned_office, day=DAY)["services"][0]["walk_in_forecast"]
    last_wednesday = date(2026, 11, 25)
    for n in range(9):  # nine walk-ins between 08:00 and 08:30 WIB a week earlier
        Ticket.objects.create(
            office=planned_office,
            office_service=passport,
            local_date=last_wednesday,
            letter="A",
            number=n + 1,
            source=TicketSource.KIOSK,
            public_token=f"t{n}",
            queued_at=datetime(2026, 11, 25, 1, 5 + n, tzinfo=UTC),
        )
    learnt = day_instance(office=planned_office, day=DAY)["services"][0]["walk_in_forecast"]
    # one observed day against four days' weight of the default: (9 + 4·d) / 5
    assert learnt[0] == pytest.approx((9 + 4 * without[0]) / 5, abs=1e-3)
    assert learnt[1] == pytest.approx(4 * without[1] / 5, abs=1e-3)  # nobody came at 08:30


# --- every change of the plan reaches the queue's walk-in limit ------------------------

ON_THE_DAY = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)  # 09:00 WIB on the planned day


@pytest.fixture
def passport(planned_office: Any) -> OfficeService:
    """The office's one service, with a fixed walk-in quota of 2 for unplanned days."""
    OfficeService.objects.filter(office=planned_office).update(walk_in_daily_quota=2)
    return OfficeService.objects.get(office=planned_office)


def _planned_room(passport: OfficeService) -> int:
    plan = DayPlan.objects.get(office=passport.office, local_date=DAY)
    assert plan.status == PlanStatus.PLANNED
    room = plan.walk_in_capacity(passport.service.code)
    assert room is not None
    return room


def test_a_re_plan_after_a_change_gives_the_queue_the_new_walk_in_capacity(
    passport: OfficeService, supervisor: Any, clock: Any, django_capture_on_commit_callbacks: Any
) -> None:
    day_plan_solve(office=passport.office, day=DAY)
    before = _planned_room(passport)
    with django_capture_on_commit_callbacks(execute=True):
        day_plan_adjust(
            office=passport.office,
            day=DAY,
            by=supervisor,
            why="banyak lansia datang",
            adjustment=Adjustment(walk_in_reserve_percent=70),
        )
    after = _planned_room(passport)
    assert after > before > 2  # more than the fixed quota either way
    clock.move_to(ON_THE_DAY)
    assert walk_ins_taken(passport) == after


def test_while_the_re_plan_waits_for_a_worker_the_fixed_quota_applies(
    passport: OfficeService, supervisor: Any, clock: Any, django_capture_on_commit_callbacks: Any
) -> None:
    day_plan_solve(office=passport.office, day=DAY)
    room = _planned_room(passport)
    assert room > 2
    with django_capture_on_commit_callbacks(execute=False) as waiting:
        day_plan_replan(office=passport.office, day=DAY, by=supervisor)
    clock.move_to(ON_THE_DAY)
    assert walk_ins_taken(passport) == 2  # the fixed quota
    for run_the_worker in waiting:
        run_the_worker()
    assert _planned_room(passport) == room
    assert walk_ins_taken(passport) == room - 2  # the plan's room, counting the two given


def test_a_day_closed_by_the_supervisor_has_nothing_to_plan_and_the_fixed_quota_applies(
    passport: OfficeService, supervisor: Any, clock: Any, django_capture_on_commit_callbacks: Any
) -> None:
    day_plan_solve(office=passport.office, day=DAY)
    assert _planned_room(passport) > 2
    with django_capture_on_commit_callbacks(execute=True):
        day_plan_adjust(
            office=passport.office,
            day=DAY,
            by=supervisor,
            why="listrik padam",
            adjustment=Adjustment(is_closed=True),
        )
    plan = DayPlan.objects.get(office=passport.office, local_date=DAY)
    assert plan.status == PlanStatus.FAILED and plan.is_closed
    assert plan.solution is not None  # the last solution is kept, but no longer applies
    clock.move_to(ON_THE_DAY)
    assert walk_ins_taken(passport) == 2


def test_a_day_re_planned_after_a_closure_was_added_has_the_fixed_quota(
    passport: OfficeService, clock: Any
) -> None:
    day_plan_solve(office=passport.office, day=DAY)
    assert _planned_room(passport) > 2
    ClosureFactory.create(office=passport.office, starts_on=DAY, ends_on=DAY)
    plan = day_plan_solve(office=passport.office, day=DAY)
    assert plan.solver_status == "CLOSED" and plan.solution is None
    clock.move_to(ON_THE_DAY)
    # The kiosk gives nothing on a closed day; a clerk still may, within the fixed quota.
    with pytest.raises(ApplicationError) as refused:
        ticket_issue(office_service=passport, source=TicketSource.KIOSK)
    assert refused.value.code == "office_closed"
    assert walk_ins_taken(passport, source=TicketSource.STAFF) == 2
