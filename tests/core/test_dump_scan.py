"""A database dump holds no NIK, nor anything from which a NIK can be found without the
keys (issue 10, finding 1).

The real flows run three times on an empty database: twice with the same citizen under
two different key sets, and once with another NIK under the first key set. Every value
of every table is exported with raw SQL. A value that is the same under both key sets
and changes with the NIK is computed from the NIK without a key, so anyone holding
the dump can find the NIK by guessing (the NIK space is about 5×10⁸ values). Besides,
the plain NIK, a run of its digits longer than the stored last four, and the plain
digests of the NIK and of each request body must appear nowhere."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test import Client

from booking.models import Booking, Slot, Source
from booking.services.booking import booking_confirm, booking_hold
from core import personal_data
from offices.models import OfficeService
from queueing.services.check_in import check_in
from scheduling.services import default_plan_extend
from tests.booking.conftest import citizen_details
from tests.factories import CounterFactory, OfficeFactory, OfficeServiceFactory, ServiceFactory

pytestmark = pytest.mark.django_db(transaction=True)

NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)  # Tuesday 10:00 WIB
# Two NIKs with the same last four digits (the part that is stored, for lookups), so
# only what is derived from the rest of the NIK tells them apart.
NIK = "3171014501937465"
OTHER_NIK = "3273025506887465"
LAST4 = "7465"
KEY_SETS = [
    {"SECRET_KEY": "first-secret-key-" + "a" * 40, "GILIRAN_HASH_KEY": "first-hash-key"},
    {"SECRET_KEY": "second-secret-key-" + "b" * 40, "GILIRAN_HASH_KEY": "second-hash-key"},
]
KEY_SETS[0]["GILIRAN_DATA_KEYS"] = [base64.urlsafe_b64encode(b"1" * 32).decode()]  # type: ignore[assignment]
KEY_SETS[1]["GILIRAN_DATA_KEYS"] = [base64.urlsafe_b64encode(b"2" * 32).decode()]  # type: ignore[assignment]


def _post(client: Client, url: str, body: dict[str, Any] | None = None, /, **headers: str) -> Any:
    return client.post(url, body or {}, content_type="application/json", headers=headers)


def _code() -> str:
    return re.search(r"\b(\d{6})\b", str(mail.outbox[-1].body)).group(1)  # type: ignore[union-attr]


def _world() -> OfficeService:
    service = ServiceFactory.create(
        code="paspor-baru", name_id="Paspor baru", name_en="New passport", ticket_letter="A"
    )
    office = OfficeFactory.create(code="kanim-jakarta", timezone="Asia/Jakarta")
    office_service = OfficeServiceFactory.create(office=office, service=service, ticket_letter="A")
    CounterFactory.create(office=office, number=1, services=[service])
    default_plan_extend(office=office, first=date(2026, 12, 1), last=date(2026, 12, 31))
    return office_service


def _slots(office_service: OfficeService, day: date) -> Any:
    return Slot.objects.filter(
        office_service=office_service, local_date=day, capacity__gt=0
    ).order_by("starts_at")


def _flows(nik: str) -> list[dict[str, Any]]:
    """Every flow that takes a NIK, through the API where it has one. Returns the JSON
    bodies sent, to check their plain digests too."""
    client = Client()
    office_service = _world()
    citizen = {
        "full_name": "Siti Rahmawati",
        "nik": nik,
        "phone": "081234567890",
        "email": "siti@example.id",
        "channel": "email",
        "language": "en",
    }
    first, second = _slots(office_service, date(2026, 12, 2))[:2]
    hold_body = {**citizen, "slot": first.pk}
    hold = _post(client, "/api/v1/holds/", hold_body, **{"Idempotency-Key": "hold-1"})
    assert hold.status_code == 201, hold.json()
    confirm_body = {"code": _code()}
    confirmed = _post(
        client,
        f"/api/v1/holds/{hold.json()['hold_token']}/confirm/",
        confirm_body,
        **{"Idempotency-Key": "confirm-1"},
    )
    assert confirmed.status_code == 200, confirmed.json()
    code = confirmed.json()["booking"]["code"]
    auth = f"Bearer {confirmed.json()['manage_token']}"
    detail = client.get(f"/api/v1/bookings/{code}/", headers={"Authorization": auth})
    assert detail.status_code == 200
    cancelled = _post(
        client,
        f"/api/v1/bookings/{code}/cancel/",
        Authorization=auth,
        **{"Idempotency-Key": "cancel-1"},
    )
    assert cancelled.status_code == 200, cancelled.json()

    # The waiting list of a full day (3 December: one place, taken by someone else).
    day = date(2026, 12, 3)
    full = Slot.objects.filter(office_service=office_service, local_date=day).order_by("starts_at")
    full.update(capacity=0)
    Slot.objects.filter(pk=full[0].pk).update(capacity=1)
    other = booking_hold(
        slot_id=full[0].pk, details=citizen_details("3171010203850002"), source=Source.WEB
    )
    booking_confirm(booking=other)
    join_body = {
        **{k: v for k, v in citizen.items() if k != "language"},
        "office": "kanim-jakarta",
        "service": "paspor-baru",
        "date": day.isoformat(),
    }
    joined = _post(client, "/api/v1/waitlist/", join_body, **{"Idempotency-Key": "join-1"})
    assert joined.status_code == 201, joined.json()
    left = client.post(f"/api/v1/waitlist/{joined.json()['token']}/leave/")
    assert left.status_code == 200

    # A booking that is checked in at the kiosk and becomes a queue ticket.
    hold2 = _post(client, "/api/v1/holds/", {**citizen, "slot": second.pk})
    assert hold2.status_code == 201, hold2.json()
    confirmed2 = _post(
        client, f"/api/v1/holds/{hold2.json()['hold_token']}/confirm/", {"code": _code()}
    )
    assert confirmed2.status_code == 200, confirmed2.json()
    booking = Booking.objects.get(code=confirmed2.json()["booking"]["code"])
    with time_machine.travel(second.starts_at - timedelta(minutes=10), tick=False):
        check_in(office=office_service.office, code=booking.code)
    return [hold_body, confirm_body, join_body]


def _export() -> list[tuple[str, str, str]]:
    """(table, column, value as text) for every non-empty cell of every table."""
    cells = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 (names from the schema)
            columns = [c[0] for c in cursor.description]
            for row in cursor.fetchall():
                for column, value in zip(columns, row, strict=True):
                    if value not in (None, ""):
                        text = value.hex() if isinstance(value, bytes | memoryview) else str(value)
                        cells.append((table, column, text))
    return cells


_PIECE = re.compile(r"[A-Za-z0-9_\-+/=.:]{6,}")


def _pieces(cells: list[tuple[str, str, str]]) -> dict[str, tuple[str, str]]:
    """Every cell and every token inside it, with where it was found."""
    found: dict[str, tuple[str, str]] = {}
    for table, column, text in cells:
        found.setdefault(text, (table, column))
        for piece in _PIECE.findall(text):
            found.setdefault(piece, (table, column))
    return found


def _run(
    settings: Any, keys: dict[str, Any], nik: str
) -> tuple[list[tuple[str, str, str]], list[dict[str, Any]]]:
    call_command("flush", interactive=False, verbosity=0)
    mail.outbox.clear()
    for name, value in keys.items():
        setattr(settings, name, value)
    personal_data.reset_key_cache()
    with time_machine.travel(NOW, tick=False):
        bodies = _flows(nik)
    return _export(), bodies


@pytest.fixture
def keys_restored() -> Iterator[None]:
    yield
    personal_data.reset_key_cache()


def _digests(text: str) -> set[str]:
    """The plain digests a careless dump could hold; weak ones on purpose (S324)."""
    data = text.encode()
    return {
        hashlib.md5(data).hexdigest(),  # noqa: S324
        hashlib.sha1(data).hexdigest(),  # noqa: S324
        hashlib.sha256(data).hexdigest(),
    }


def test_a_dump_holds_nothing_from_which_the_nik_can_be_found_without_a_key(
    settings: Any, keys_restored: None
) -> None:
    dump, bodies = _run(settings, KEY_SETS[0], NIK)
    same_nik_other_keys, _bodies = _run(settings, KEY_SETS[1], NIK)
    other_nik, _bodies = _run(settings, KEY_SETS[0], OTHER_NIK)

    # A memory address in a cell (an object's repr) is the same in two runs by chance
    # and would read as derived from the NIK; it is no data either way.
    reprs = [(table, column) for table, column, text in dump if " object at 0x" in text]
    assert reprs == [], "object reprs stored as values"
    first, second, third = _pieces(dump), _pieces(same_nik_other_keys), _pieces(other_nik)
    derivable = {
        piece: where for piece, where in first.items() if piece in second and piece not in third
    }
    assert derivable == {}, "values computed from the NIK without a key"

    text = "\n".join(value for _t, _c, value in dump)
    digit_runs = set(re.findall(r"\d{5,}", text))
    assert not [run for run in digit_runs if run in NIK], "NIK digits beyond the last four"
    plain = _digests(NIK)
    for body in bodies:
        canonical = json.dumps(body, sort_keys=True, default=str)
        plain |= _digests(canonical)
        for path in ("/api/v1/holds/", "/api/v1/waitlist/"):
            plain |= _digests(f"{path}\n{canonical}")
    assert not [digest for digest in plain if digest in text], "a plain digest of personal data"
    assert LAST4 in text  # the export did see the bookings
