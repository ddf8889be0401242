"""The waiting room's fairness rules, on this process's store and on Redis: the draw at
the release, one place per NIK, admission in line order at the configured pace, and a
gate that lets a hold through only with a genuine, unspent admission of the same NIK."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail, signing
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from booking.models import Booking, BookingStatus, Slot
from core.errors import ApplicationError
from offices.models import OfficeService
from releases import rooms
from tests.factories import OfficeServiceFactory, ServiceFactory
from tests.releases.conftest import NOW, RELEASE

pytestmark = pytest.mark.django_db(transaction=True)


def nik(n: int) -> str:
    """A valid NIK per citizen: Jakarta Pusat, born 1 January 1990, serial n."""
    return f"31710101019{n + 1:05d}"


def spearman(xs: list[int], ys: list[int]) -> float:
    n = len(xs)
    rank_x = {v: i for i, v in enumerate(sorted(xs))}
    rank_y = {v: i for i, v in enumerate(sorted(ys))}
    d2 = sum((rank_x[x] - rank_y[y]) ** 2 for x, y in zip(xs, ys, strict=True))
    return 1 - 6 * d2 / (n * (n * n - 1))


def test_no_room_outside_the_release_window(
    released: OfficeService, store: Any, clock: Any
) -> None:
    clock.move_to(NOW - timedelta(minutes=15))  # 09:45: the room opens at 09:50
    assert rooms.room_for(released, NOW - timedelta(minutes=15)) is None
    assert rooms.room_for(released, NOW) is not None
    closes = RELEASE + timedelta(minutes=60)
    clock.move_to(closes)
    assert rooms.room_for(released, closes) is None  # nobody left waiting


def test_the_draw_shuffles_everyone_who_came_before_the_release(
    released: OfficeService, store: Any, clock: Any
) -> None:
    tickets = [rooms.room_join(office_service=released, nik=nik(i), now=NOW) for i in range(400)]
    room_id = tickets[0].room.id
    assert all(t.room.id == room_id for t in tickets)
    before = rooms.room_status(room_id=room_id, member=tickets[0].member, now=NOW)
    assert before.state == "gathering" and before.ahead is None  # no order before the draw
    assert before.estimate_seconds == 20 * 60

    clock.move_to(RELEASE)
    late = [
        rooms.room_join(office_service=released, nik=nik(1000 + i), now=RELEASE) for i in range(5)
    ]
    places = [store.place(room_id, t.member) for t in tickets]
    assert sorted(places) == list(range(400))  # everyone who came early has a place…
    assert places != list(range(400))  # … in a drawn order, not their arrival order
    assert abs(spearman([t.arrival for t in tickets], places)) < 0.3  # 6 σ for 400
    # Those who came after the draw are behind every drawn member, in arrival order.
    assert [store.place(room_id, t.member) for t in late] == list(range(400, 405))


def test_one_nik_holds_one_place(released: OfficeService, store: Any, clock: Any) -> None:
    first = rooms.room_join(office_service=released, nik=nik(1), now=NOW)
    rooms.room_join(office_service=released, nik=nik(2), now=NOW)
    again = rooms.room_join(office_service=released, nik=nik(1), now=NOW + timedelta(minutes=5))
    assert again.member == first.member and not again.created
    assert store.size(first.room.id) == 2
    clock.move_to(RELEASE)
    rooms.room_status(room_id=first.room.id, member=first.member, now=RELEASE)  # the draw
    place = store.place(first.room.id, first.member)
    assert place is not None
    later = rooms.room_join(office_service=released, nik=nik(1), now=RELEASE)
    assert store.place(first.room.id, later.member) == place  # re-entering keeps the place


def test_a_bad_nik_is_refused_and_nobody_joins(released: OfficeService, store: Any) -> None:
    with pytest.raises(ApplicationError) as refused:
        rooms.room_join(office_service=released, nik="12345", now=NOW)
    assert refused.value.code == "invalid_nik"
    room = rooms.room_for(released, NOW)
    assert room is not None and store.size(room.id) == 0


def test_admission_in_line_order_at_the_configured_pace(
    released: OfficeService, store: Any, clock: Any, settings: Any
) -> None:
    settings.GILIRAN_WAITING_ROOM_ADMIT_PER_MINUTE = 120  # 2 a second
    settings.GILIRAN_WAITING_ROOM_IN_FLOW = 5
    tickets = [rooms.room_join(office_service=released, nik=nik(i), now=NOW) for i in range(10)]
    room_id = tickets[0].room.id
    clock.move_to(RELEASE)

    def states(now: Any) -> list[str]:
        return [rooms.room_status(room_id=room_id, member=t.member, now=now).state for t in tickets]

    assert states(RELEASE).count("admitted") == 0  # the pace starts at the draw
    by_place = sorted(tickets, key=lambda t: store.place(room_id, t.member))
    assert states(RELEASE + timedelta(seconds=1)).count("admitted") == 2
    later = RELEASE + timedelta(seconds=10)
    statuses = {
        t.member: rooms.room_status(room_id=room_id, member=t.member, now=later) for t in tickets
    }
    admitted = [t for t in by_place if statuses[t.member].state == "admitted"]
    assert admitted == by_place[:5]  # never more than the in-flow limit, in line order
    waiting = statuses[by_place[5].member]
    assert (
        waiting.state == "waiting" and waiting.ahead == 0 and waiting.estimate_seconds is not None
    )


def test_an_admission_nobody_collects_goes_back_to_the_flow(
    released: OfficeService, store: Any, clock: Any, settings: Any
) -> None:
    settings.GILIRAN_WAITING_ROOM_IN_FLOW = 1
    settings.GILIRAN_WAITING_ROOM_PICKUP_SECONDS = 180
    tickets = [rooms.room_join(office_service=released, nik=nik(i), now=NOW) for i in range(3)]
    room_id = tickets[0].room.id
    clock.move_to(RELEASE)
    rooms.room_status(room_id=room_id, member=tickets[0].member, now=RELEASE)  # the draw
    gone, second, third = sorted(tickets, key=lambda t: store.place(room_id, t.member))

    def state(ticket: rooms.Ticket, seconds: int) -> rooms.Status:
        return rooms.room_status(
            room_id=room_id, member=ticket.member, now=RELEASE + timedelta(seconds=seconds)
        )

    # The first in line is let in when the second asks, and never asks again.
    assert state(second, 1).ahead == 0
    assert state(second, 180).state == "waiting"
    # The place in the flow comes back after the pickup, not after ten minutes.
    admitted = state(second, 182)
    assert admitted.state == "admitted"
    assert state(gone, 183).state == "lapsed"
    # An admission collected lasts its full life from then, however often it is asked.
    assert admitted.admission_lapses_at == RELEASE + timedelta(seconds=182 + 600)
    assert state(second, 500).admission_lapses_at == admitted.admission_lapses_at
    assert state(third, 700).state == "waiting"  # the second still holds the flow


def _admitted(released: OfficeService, clock: Any, n: int = 1) -> tuple[rooms.Ticket, rooms.Status]:
    ticket = rooms.room_join(office_service=released, nik=nik(n), now=NOW)
    later = RELEASE + timedelta(seconds=5)
    clock.move_to(later)
    status = rooms.room_status(room_id=ticket.room.id, member=ticket.member, now=later)
    assert status.state == "admitted" and status.admission
    return ticket, status


def test_the_gate_spends_a_genuine_admission_once(
    released: OfficeService, store: Any, clock: Any
) -> None:
    ticket, status = _admitted(released, clock)
    now = RELEASE + timedelta(seconds=6)
    check: dict[str, Any] = dict(
        office_service=released,
        nik=nik(1),
        admission=status.admission,
        ticket=ticket.token,
        now=now,
    )
    passed = rooms.admission_check(**check)
    with pytest.raises(ApplicationError) as reused:
        rooms.admission_check(**check)
    assert reused.value.code == "admission_invalid" and reused.value.status_code == 403
    assert rooms.room_status(room_id=ticket.room.id, member=ticket.member, now=now).state == "spent"
    passed.give_back()  # a hold that failed gives the turn back
    rooms.admission_check(**check)


@pytest.mark.parametrize("tamper", ["forged", "expired", "other_ticket", "other_nik", "no_ticket"])
def test_the_gate_refuses_a_wrong_admission(
    released: OfficeService, store: Any, clock: Any, tamper: str
) -> None:
    ticket, status = _admitted(released, clock)
    other = rooms.room_join(office_service=released, nik=nik(2), now=RELEASE + timedelta(seconds=5))
    now = RELEASE + timedelta(seconds=6)
    check: dict[str, Any] = dict(
        office_service=released,
        nik=nik(1),
        admission=status.admission,
        ticket=ticket.token,
        now=now,
    )
    if tamper == "forged":
        check["admission"] = signing.dumps(
            [ticket.room.id, ticket.member, now.timestamp() + 600], salt="wrong"
        )
    elif tamper == "expired":
        assert status.admission_lapses_at is not None
        check["now"] = status.admission_lapses_at + timedelta(seconds=1)
        clock.move_to(check["now"])
    elif tamper == "other_ticket":
        check["ticket"] = other.token
    elif tamper == "other_nik":
        check["nik"] = nik(2)
    else:
        check["ticket"] = ""
    with pytest.raises(ApplicationError) as refused:
        rooms.admission_check(**check)
    assert refused.value.code == "admission_invalid"
    # Nothing was spent: the genuine admission still works once.
    if tamper != "expired":
        rooms.admission_check(
            **{
                **check,
                "nik": nik(1),
                "admission": status.admission,
                "ticket": ticket.token,
                "now": now,
            }
        )


def test_without_an_admission_a_hold_is_sent_to_the_room(
    released: OfficeService, store: Any
) -> None:
    with pytest.raises(ApplicationError) as refused:
        rooms.admission_check(office_service=released, nik=nik(1), admission="", ticket="", now=NOW)
    error = refused.value
    assert error.code == "waiting_room_required" and error.status_code == 429
    assert error.retry_after == 20 * 60
    assert error.extra["waiting_room"] == "/ruang-tunggu/kanim-jakarta/paspor-baru/"


def test_a_restarted_store_fails_closed_and_regathers(
    released: OfficeService, store: Any, clock: Any, settings: Any
) -> None:
    ticket, status = _admitted(released, clock)
    restarted = RELEASE + timedelta(seconds=30)
    clock.move_to(restarted)
    if hasattr(store, "forget"):
        store.forget()
    else:  # Redis restarted: it keeps nothing on disk here
        store.client.delete(*store.client.scan_iter("wr:*"))
    # The old ticket and admission belong to a life of the store that is gone.
    assert (
        rooms.room_status(room_id=ticket.room.id, member=ticket.member, now=restarted).state
        == "lost"
    )
    with pytest.raises(ApplicationError) as refused:
        rooms.admission_check(
            office_service=released,
            nik=nik(1),
            admission=status.admission or "",
            ticket=ticket.token,
            now=restarted,
        )
    assert refused.value.code in ("admission_invalid", "waiting_room_required")
    # Everyone rejoins; a new fair draw comes after the regathering window.
    room = rooms.room_for(released, restarted)
    assert room is not None and room.regathering
    assert room.draws_at == restarted + timedelta(
        seconds=settings.GILIRAN_WAITING_ROOM_REGATHER_SECONDS
    )
    again = rooms.room_join(office_service=released, nik=nik(1), now=restarted)
    assert (
        rooms.room_status(room_id=again.room.id, member=again.member, now=restarted).state
        == "gathering"
    )


def test_a_rush_of_holds_opens_a_room(
    jakarta_office: Any, store: Any, settings: Any, clock: Any
) -> None:
    settings.GILIRAN_WAITING_ROOM_TRIGGER_PER_MINUTE = 60  # 10 in a 10-second window
    office_service = OfficeService.objects.select_related("office", "service").get(
        office=jakarta_office
    )
    assert office_service.waiting_room_minutes == 0  # no room for releases here
    for _ in range(10):
        rooms.admission_check(
            office_service=office_service, nik=nik(1), admission="", ticket="", now=NOW
        )
    with pytest.raises(ApplicationError) as refused:
        rooms.admission_check(
            office_service=office_service, nik=nik(1), admission="", ticket="", now=NOW
        )
    assert refused.value.code == "waiting_room_required"
    room = rooms.room_for(office_service, NOW)
    assert room is not None and room.draws_at == NOW  # drawn at once: arrival order
    first = rooms.room_join(office_service=office_service, nik=nik(1), now=NOW)
    second = rooms.room_join(office_service=office_service, nik=nik(2), now=NOW)
    assert (store.place(room.id, first.member), store.place(room.id, second.member)) == (0, 1)


# --- Through the API and the pages --------------------------------------------------------


def _code() -> str:
    return re.search(r"\b(\d{6})\b", str(mail.outbox[-1].body)).group(1)  # type: ignore[union-attr]


CITIZEN: dict[str, Any] = {
    "full_name": "Budi Santoso",
    "phone": "081298765432",
    "email": "budi@example.id",
    "channel": "email",
    "language": "en",
}


def _released_slot(released: OfficeService) -> Slot:
    return Slot.objects.filter(
        office_service=released, local_date=RELEASE.date() + timedelta(days=14), capacity__gt=0
    ).order_by("starts_at")[0]


def test_the_api_flow_from_the_room_to_a_confirmed_booking(
    client: Client, released: OfficeService, store: Any, clock: Any
) -> None:
    url = "/api/v1/waiting-rooms/kanim-jakarta/paspor-baru/"
    joined = client.post(url, {"nik": nik(7)}, content_type="application/json")
    assert joined.status_code == 201, joined.json()
    body = joined.json()
    assert body["state"] == "gathering" and body["admission"] is None
    ticket = body["ticket"]
    slot = _released_slot(released)

    clock.move_to(RELEASE + timedelta(seconds=1))
    refused = client.post(
        "/api/v1/holds/",
        {**CITIZEN, "nik": nik(7), "slot": slot.pk},
        content_type="application/json",
    )
    assert refused.status_code == 429 and refused.json()["code"] == "waiting_room_required"
    assert refused.headers["Retry-After"] == "5"
    assert Booking.objects.count() == 0

    clock.move_to(RELEASE + timedelta(seconds=5))
    with CaptureQueriesContext(connection) as queries:
        status = client.get(url, headers={"X-Waiting-Room-Ticket": ticket})
    assert status.status_code == 200 and status.json()["state"] == "admitted"
    assert len(queries) == 0  # a waiting citizen's answer never reads the database
    admission = status.json()["admission"]
    headers = {"X-Waiting-Room-Ticket": ticket, "X-Admission": admission}
    someone_else = client.post(
        "/api/v1/holds/",
        {**CITIZEN, "nik": nik(8), "slot": slot.pk},
        content_type="application/json",
        headers=headers,
    )
    assert someone_else.status_code == 403 and someone_else.json()["code"] == "admission_invalid"
    held = client.post(
        "/api/v1/holds/",
        {**CITIZEN, "nik": nik(7), "slot": slot.pk},
        content_type="application/json",
        headers=headers,
    )
    assert held.status_code == 201, held.json()
    again = client.post(
        "/api/v1/holds/",
        {**CITIZEN, "nik": nik(7), "slot": slot.pk},
        content_type="application/json",
        headers=headers,
    )
    assert again.status_code == 403  # single use
    confirmed = client.post(
        f"/api/v1/holds/{held.json()['hold_token']}/confirm/",
        {"code": _code()},
        content_type="application/json",
    )
    assert confirmed.status_code == 200
    assert Booking.objects.get().status == BookingStatus.CONFIRMED


def test_a_forged_ticket_is_refused_by_the_api(
    client: Client, released: OfficeService, store: Any
) -> None:
    answer = client.get(
        "/api/v1/waiting-rooms/kanim-jakarta/paspor-baru/",
        headers={"X-Waiting-Room-Ticket": "forged"},
        HTTP_ACCEPT_LANGUAGE="id",
    )
    assert answer.status_code == 404 and answer.json()["code"] == "ticket_invalid"
    assert "Tiket" in answer.json()["message"] or "tiket" in answer.json()["message"]


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_the_page_flow_in_both_languages(
    client: Client, released: OfficeService, store: Any, clock: Any, prefix: str
) -> None:
    slot = _released_slot(released)
    clock.move_to(RELEASE - timedelta(minutes=5))
    details = f"{prefix}/kantor/kanim-jakarta/layanan/paspor-baru/waktu/{slot.pk}/"
    room = f"{prefix}/ruang-tunggu/kanim-jakarta/paspor-baru/"
    page = client.get(f"{prefix}/kantor/kanim-jakarta/layanan/paspor-baru/")
    assert room.encode() in page.content  # the calendar points to the open room
    join = client.get(room)
    assert join.status_code == 200 and b'name="nik"' in join.content
    bad = client.post(room, {"nik": "123"})
    assert bad.status_code == 200 and b'class="error"' in bad.content
    joined = client.post(room, {"nik": nik(3)})
    assert joined.status_code == 303
    with CaptureQueriesContext(connection) as queries:
        waiting = client.get(room)
    assert len(queries) == 0
    text = waiting.content.decode()
    assert 'http-equiv="refresh"' in text and "hx-trigger" in text
    assert ("random order" in text) if prefix else ("secara acak" in text)
    clock.move_to(RELEASE + timedelta(seconds=5))
    admitted = client.get(room, headers={"HX-Request": "true"})
    assert "hx-trigger" not in admitted.content.decode()  # no more polling once admitted
    assert client.cookies.get("giliran_admission_kanim-jakarta_paspor-baru")
    form = client.get(details)
    assert form.status_code == 200 and b'name="full_name"' in form.content
    held = client.post(details, {**CITIZEN, "nik": nik(3), "channel": "email"})
    assert (
        held.status_code == 302 and Booking.objects.filter(status=BookingStatus.HELD).count() == 1
    )


def test_without_a_turn_the_details_page_sends_to_the_room(
    client: Client, released: OfficeService, store: Any, clock: Any
) -> None:
    slot = _released_slot(released)
    clock.move_to(RELEASE + timedelta(seconds=1))
    page = client.get(f"/kantor/kanim-jakarta/layanan/paspor-baru/waktu/{slot.pk}/")
    assert (
        page.status_code == 302 and page["Location"] == "/ruang-tunggu/kanim-jakarta/paspor-baru/"
    )


def test_a_booking_cannot_move_in_while_the_room_is_open(
    released: OfficeService, store: Any, clock: Any
) -> None:
    from booking.services.booking import (
        booking_confirm,
        booking_hold,
        booking_reschedule,
        details_clean,
    )

    clock.move_to(NOW - timedelta(hours=1))
    details = details_clean(**CITIZEN, nik=nik(9), priority_group="")
    slots = Slot.objects.filter(
        office_service=released, local_date=NOW.date() + timedelta(days=7), capacity__gt=0
    ).order_by("starts_at")
    booking = booking_confirm(
        booking=booking_hold(slot_id=slots[0].pk, details=details, source="api")
    )
    clock.move_to(NOW)  # the room is gathering
    with pytest.raises(ApplicationError) as refused:
        booking_reschedule(booking=booking, slot_id=slots[1].pk)
    assert refused.value.code == "waiting_room_open"
    booking.refresh_from_db()
    assert booking.slot_id == slots[0].pk and booking.reschedule_count == 0


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_supervisors_see_their_release_moments_and_the_open_room(
    client: Client, released: OfficeService, store: Any, supervisor: Any, prefix: str
) -> None:
    rooms.room_join(office_service=released, nik=nik(1), now=NOW)
    client.force_login(supervisor)
    page = client.get(f"{prefix}/staf/rilis/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Kantor Imigrasi Jakarta Pusat" in text
    assert ("1 person in line" in text) if prefix else ("1 orang dalam antrean" in text)


def test_the_release_list_refreshes_while_any_room_is_open(
    client: Client, released: OfficeService, store: Any, supervisor: Any, clock: Any
) -> None:
    """The open room's row need not be the first: a service listed before it (its code
    sorts first) has no room, and the table must still refresh itself."""
    first = ServiceFactory.create(code="akta-lahir", name_id="Akta Kelahiran", ticket_letter="B")
    OfficeServiceFactory.create(office=released.office, service=first)
    client.force_login(supervisor)
    rooms.room_join(office_service=released, nik=nik(1), now=NOW)
    page = client.get("/staf/rilis/").content.decode()
    assert page.index("Akta Kelahiran") < page.index(released.service.name_id)
    assert "1 orang dalam antrean" in page
    assert 'hx-trigger="every 10s"' in page
    clock.move_to(NOW - timedelta(minutes=45))  # before the room gathers: nothing to follow
    assert 'hx-trigger="every 10s"' not in client.get("/staf/rilis/").content.decode()


def test_clerks_and_other_offices_do_not_see_release_moments(
    client: Client,
    released: OfficeService,
    store: Any,
    counter_clerk: Any,
    supervisor_of_another_office: Any,
) -> None:
    client.force_login(counter_clerk)
    assert client.get("/staf/rilis/").status_code == 403
    client.force_login(supervisor_of_another_office)
    page = client.get("/staf/rilis/")
    assert page.status_code == 200 and "Kantor Imigrasi Jakarta Pusat" not in page.content.decode()


def test_a_ballot_office_service_has_no_waiting_room(released: OfficeService, store: Any) -> None:
    released.allocation = "ballot"
    assert rooms.room_for(released, NOW) is None


def test_places_taken_from_one_device_reach_the_anti_calo_report(
    client: Client, released: OfficeService, store: Any, supervisor: Any, settings: Any
) -> None:
    """Each new place records its network and device (never the NIK); one device taking
    places for three NIKs passes the rule (more than 2 within an hour)."""
    from releases.models import RoomJoin

    url = "/api/v1/waiting-rooms/kanim-jakarta/paspor-baru/"
    for n in (1, 2, 3, 1):  # the fourth is NIK 1 again: the same place, no new row
        answer = client.post(
            url, {"nik": nik(n)}, content_type="application/json", headers={"X-Device-Id": "hp-1"}
        )
        assert answer.status_code == 201
    joins = RoomJoin.objects.all()
    assert joins.count() == 3
    assert {j.client_network for j in joins} == {"127.0.0.0/24"}
    assert len({j.device_hash for j in joins}) == 1 and joins[0].device_hash != "hp-1"
    client.force_login(supervisor)
    page = client.get(
        "/en/staf/anti-calo/",
        {"kantor": "kanim-jakarta", "dari": "2026-12-01", "sampai": "2026-12-01"},
    )
    assert page.status_code == 200, page.content[:500]
    text = re.sub(r"\s+", " ", page.content.decode())  # durations use a no-break space
    assert "Waiting-room places taken from one device within 1 hour: 3, more than 2" in text


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_a_ballot_office_service_points_to_its_ballot_not_a_room(
    client: Client, released: OfficeService, store: Any, prefix: str
) -> None:
    released.allocation = "ballot"
    released.save()
    page = client.get(f"{prefix}/kantor/kanim-jakarta/layanan/paspor-baru/").content.decode()
    assert f"{prefix}/kantor/kanim-jakarta/layanan/paspor-baru/undian/" in page
    assert "/ruang-tunggu/" not in page
    assert ("the draw decides" in page) if prefix else ("undian yang menentukan" in page)
    month = client.get("/api/v1/offices/kanim-jakarta/services/paspor-baru/availability/")
    release = month.json()["release"]
    assert release["allocation"] == "ballot" and release["waiting_room_opens_at"] is None
    assert release["ballot"] == "/kantor/kanim-jakarta/layanan/paspor-baru/undian/"


def test_when_every_place_is_taken_the_line_hears_it_and_stops_asking(
    client: Client, released: OfficeService, store: Any, clock: Any, settings: Any
) -> None:
    from django.db.models import F

    settings.GILIRAN_WAITING_ROOM_IN_FLOW = 1
    first = rooms.room_join(office_service=released, nik=nik(1), now=NOW)
    second = rooms.room_join(office_service=released, nik=nik(2), now=NOW)
    later = RELEASE + timedelta(seconds=5)
    clock.move_to(later)
    statuses = [
        rooms.room_status(room_id=t.room.id, member=t.member, now=later) for t in (first, second)
    ]
    assert sorted(s.state for s in statuses) == ["admitted", "waiting"]
    Slot.objects.filter(office_service=released).update(taken=F("capacity"))
    from booking.availability_cache import availability_changed  # a bulk update skips it

    availability_changed([released.pk])
    month = client.get("/api/v1/offices/kanim-jakarta/services/paspor-baru/availability/")
    assert month.json()["summary"]["status"] == "full"
    waiting = first if statuses[0].state == "waiting" else second
    status = rooms.room_status(room_id=waiting.room.id, member=waiting.member, now=later)
    assert status.state == "sold_out" and status.poll_after_seconds == 0
    page = client.get(
        "/api/v1/waiting-rooms/kanim-jakarta/paspor-baru/",
        headers={"X-Waiting-Room-Ticket": waiting.token},
    )
    assert page.json()["state"] == "sold_out"
