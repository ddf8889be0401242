"""Each booking flow does the same through the pages and through the API, because both
call one service per flow (booking/services/flows.py and booking.py): hold (start), a
new code, confirm, look up, cancel and reschedule leave the same bookings, slot counts,
one-time codes and queued messages, and refuse with the same message.

Each case sets up what the flow needs, then runs it once through each entry point inside
a savepoint that is rolled back, so both start from the same rows; what they leave is
compared with ids, booking codes and one-time codes left out. Messages stay queued (no
commit sends them), which also keeps each code readable in its message's context."""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from booking.models import Booking, Slot, Source, VerificationCode
from booking.services.booking import booking_confirm, booking_hold, code_send
from booking.tokens import manage_token
from booking.views.session import BOOKINGS_KEY, HOLD_KEY
from notifications.models import Message
from tests.booking.conftest import citizen_details

pytestmark = pytest.mark.django_db

# Siti, as she types herself on the page and as a chatbot sends her for her.
DETAILS = {
    "full_name": "Siti Rahmawati",
    "nik": "3171014501900001",
    "phone": "0812-3456-7890",
    "email": "siti@example.id",
    "channel": "email",
    "priority_group": "elderly",
}


@dataclass(frozen=True)
class Step:
    """One run of a flow: the booking it acts on (None to start one) and what it sends."""

    booking: Booking | None
    slot: Slot
    code: str = ""
    secret: str = ""


@dataclass(frozen=True)
class Said:
    ok: bool
    text: str  # the page's HTML, or the API's JSON message


def _hold(slot: Slot) -> Booking:
    held = booking_hold(slot_id=slot.pk, details=citizen_details(), source=Source.WEB)
    code_send(booking=held)
    return Booking.objects.get(pk=held.pk)


def _sent_code() -> str:
    return str(Message.objects.filter(kind="code").latest("pk").context["code"])


def _confirmed(slot: Slot) -> Booking:
    return booking_confirm(booking=_hold(slot))


def _later(slot: Slot) -> Slot:
    later = Slot.objects.filter(
        office_service=slot.office_service, local_date="2026-12-03", capacity__gt=0
    ).first()
    assert later is not None
    return later


# --- The pages: a phone without JavaScript, in Indonesian -----------------------------


def _page_client(step: Step) -> Client:
    """A browser that held or confirmed `step.booking` (its hold or grant in the session)."""
    client = Client()
    session = client.session
    if step.booking is not None:
        session[HOLD_KEY] = step.booking.pk
        session[BOOKINGS_KEY] = {str(step.booking.pk): step.booking.manage_token_version}
    session.save()
    return client


def _page_said(response: Any) -> Said:
    if response.status_code == 302:
        return Said(True, "")
    context = response.context
    form = context.get("form")
    refused = bool(context.get("error")) or bool(form is not None and form.errors)
    return Said(not refused, html.unescape(response.content.decode()))


def _page_start(step: Step) -> Said:
    office_service = step.slot.office_service
    url = reverse(
        "book-details", args=[office_service.office.code, office_service.service.code, step.slot.pk]
    )
    return _page_said(_page_client(step).post(url, DETAILS))


def _page_resend(step: Step) -> Said:
    return _page_said(_page_client(step).post(reverse("book-code"), {"resend": "1"}))


def _page_confirm(step: Step) -> Said:
    return _page_said(_page_client(step).post(reverse("book-code"), {"code": step.code}))


def _page_lookup(step: Step) -> Said:
    assert step.booking is not None
    sent = {"code": step.booking.code, "secret": step.secret}
    return _page_said(Client().post(reverse("booking-lookup"), sent))


def _page_cancel(step: Step) -> Said:
    assert step.booking is not None
    url = reverse("booking-cancel", args=[step.booking.code])
    return _page_said(_page_client(step).post(url))


def _page_reschedule(step: Step) -> Said:
    assert step.booking is not None
    url = reverse("booking-reschedule", args=[step.booking.code])
    return _page_said(_page_client(step).post(url, {"slot": step.slot.pk}))


# --- The API: a chatbot, asking for Indonesian ----------------------------------------


def _api_post(url: str, body: dict[str, Any] | None = None, booking: Booking | None = None) -> Said:
    headers = {"Accept-Language": "id"}
    if booking is not None:
        headers["Authorization"] = f"Bearer {manage_token(booking)}"
    response = Client().post(url, body or {}, content_type="application/json", headers=headers)
    answer = response.json()
    ok = response.status_code < 400
    return Said(ok, "" if ok else str(answer["message"]))


def _api_start(step: Step) -> Said:
    return _api_post("/api/v1/holds/", {**DETAILS, "slot": step.slot.pk, "language": "id"})


def _api_resend(step: Step) -> Said:
    assert step.booking is not None
    return _api_post(f"/api/v1/holds/{step.booking.hold_token}/code/")


def _api_confirm(step: Step) -> Said:
    assert step.booking is not None
    return _api_post(f"/api/v1/holds/{step.booking.hold_token}/confirm/", {"code": step.code})


def _api_lookup(step: Step) -> Said:
    assert step.booking is not None
    sent = {"code": step.booking.code, "secret": step.secret}
    return _api_post("/api/v1/bookings/lookup/", sent)


def _api_cancel(step: Step) -> Said:
    assert step.booking is not None
    return _api_post(f"/api/v1/bookings/{step.booking.code}/cancel/", booking=step.booking)


def _api_reschedule(step: Step) -> Said:
    assert step.booking is not None
    url = f"/api/v1/bookings/{step.booking.code}/reschedule/"
    return _api_post(url, {"slot": step.slot.pk}, booking=step.booking)


# --- The cases -------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    id: str
    page: Callable[[Step], Said]
    api: Callable[[Step], Said]
    prepare: Callable[[Slot], Step]
    ok: bool = True
    says: str = ""  # the refusal both show (Indonesian)
    changes: bool = True


def _nothing_yet(slot: Slot) -> Step:
    return Step(None, slot)


def _full(slot: Slot) -> Step:
    Slot.objects.filter(pk=slot.pk).update(capacity=0)
    return Step(None, slot)


def _held(slot: Slot) -> Step:
    return Step(_hold(slot), slot)


def _held_with_code(slot: Slot) -> Step:
    booking = _hold(slot)
    return Step(booking, slot, code=_sent_code())


def _held_with_a_wrong_code(slot: Slot) -> Step:
    booking = _hold(slot)
    return Step(booking, slot, code="000000" if _sent_code() != "000000" else "111111")


def _confirmed_asked_with_a_wrong_secret(slot: Slot) -> Step:
    return Step(_confirmed(slot), slot, secret="9999")


def _confirmed_asked_with_the_nik_digits(slot: Slot) -> Step:
    return Step(_confirmed(slot), slot, secret="0001")


def _confirmed_booking(slot: Slot) -> Step:
    return Step(_confirmed(slot), slot)


def _confirmed_moving_later(slot: Slot) -> Step:
    return Step(_confirmed(slot), _later(slot))


def _already_moved_once(slot: Slot) -> Step:
    booking = _confirmed(slot)
    Booking.objects.filter(pk=booking.pk).update(reschedule_count=1)
    return Step(Booking.objects.get(pk=booking.pk), _later(slot))


CASES = [
    Case("start", _page_start, _api_start, _nothing_yet),
    Case(
        "start-full-slot",
        _page_start,
        _api_start,
        _full,
        ok=False,
        changes=False,
        says="Maaf, waktu ini baru saja terisi. Silakan pilih waktu lain.",
    ),
    Case("new-code", _page_resend, _api_resend, _held),
    Case("confirm", _page_confirm, _api_confirm, _held_with_code),
    Case(
        "confirm-wrong-code",
        _page_confirm,
        _api_confirm,
        _held_with_a_wrong_code,
        ok=False,
        says="Kode salah. Sisa 4 percobaan.",  # the attempt is counted
    ),
    Case("lookup", _page_lookup, _api_lookup, _confirmed_asked_with_the_nik_digits, changes=False),
    Case(
        "lookup-wrong-secret",
        _page_lookup,
        _api_lookup,
        _confirmed_asked_with_a_wrong_secret,
        ok=False,
    ),
    Case("cancel", _page_cancel, _api_cancel, _confirmed_booking),
    Case("reschedule", _page_reschedule, _api_reschedule, _confirmed_moving_later),
    Case(
        "reschedule-refused",
        _page_reschedule,
        _api_reschedule,
        _already_moved_once,
        ok=False,
        changes=False,
        says="Jadwal pemesanan ini sudah diubah sebanyak yang diizinkan.",
    ),
]


def _effects() -> dict[str, list[tuple[Any, ...]]]:
    """What a flow can change, without ids and secrets."""
    return {
        "bookings": sorted(
            (
                b.slot.starts_at,
                b.status,
                b.full_name,
                b.nik_last4,
                b.phone,
                b.email,
                b.channel,
                b.language,
                b.priority_group,
                b.releases_at,
                b.confirmed_at,
                b.cancelled_at,
                b.reschedule_count,
                b.manage_token_version,
                b.hold_token is not None,
                b.lookup_failures,
                b.lookup_locked_until,
            )
            for b in Booking.objects.select_related("slot")
        ),
        "slots": sorted(Slot.objects.filter(taken__gt=0).values_list("starts_at", "taken")),
        "codes": sorted(
            (c.channel, c.expires_at, c.used_at, c.attempts) for c in VerificationCode.objects.all()
        ),
        "messages": sorted(
            (
                m.kind,
                m.channel,
                m.recipient,
                m.language,
                m.status,
                m.due_at,
                m.stale_after,
                sorted(m.context),
            )
            for m in Message.objects.all()
        ),
    }


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_a_booking_flow_does_the_same_through_the_pages_and_the_api(slot: Slot, case: Case) -> None:
    step = case.prepare(slot)
    before = _effects()
    said: dict[str, Said] = {}
    after: dict[str, dict[str, list[tuple[Any, ...]]]] = {}
    for entry, run in (("page", case.page), ("api", case.api)):
        with transaction.atomic():
            said[entry] = run(step)
            after[entry] = _effects()
            transaction.set_rollback(True)
    assert after["page"] == after["api"]
    assert said["page"].ok is said["api"].ok is case.ok
    if case.says:
        assert said["api"].text == case.says and case.says in said["page"].text
    assert (after["page"] != before) is case.changes


def test_a_hold_records_where_it_was_made(slot: Slot) -> None:
    """The one difference between the two ways in: the booking's source."""
    for run, source in ((_page_start, Source.WEB), (_api_start, Source.API)):
        with transaction.atomic():
            run(Step(None, slot))
            assert Booking.objects.get().source == source
            transaction.set_rollback(True)
