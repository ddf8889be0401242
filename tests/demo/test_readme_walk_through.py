"""The README's "Follow one citizen's messages", step by step, with what `load_demo`
prints: the logins, the password, the authenticator keys, the kiosk links and the
booking codes for today. The addresses, usernames and counter number are read from the
README itself, so a README and a demo that drift apart fail here."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from booking.models import Booking, BookingStatus
from notifications.models import Message
from notifications.tasks import outbox_sweep
from queueing.models import Ticket, TicketStatus
from queueing.services.check_in import check_in_window

# Real commits: messages leave only after the transaction that made them commits.
pytestmark = pytest.mark.django_db(transaction=True)

README = Path(django_settings.BASE_DIR) / "README.md"
SITE = "http://127.0.0.1:8000"
# Wednesday 9 December 2026, 09:00 WIB: a weekday, the demo offices open (08:00-15:00).
NOW = datetime(2026, 12, 9, 2, 0, tzinfo=UTC)
PHONE = "0812 3456 7890"


def walk_through() -> str:
    """The README's section "Follow one citizen's messages", up to the next paragraph
    that is not part of it."""
    text = README.read_text()
    start = text.index("### Follow one citizen's messages")
    return text[start : text.index("`make test` runs on SQLite", start)]


def steps() -> list[str]:
    """The numbered steps of the walk-through, joined across their wrapped lines."""
    found = re.findall(r"^\d+\. (.+?)(?=^\d+\. |\Z)", walk_through(), re.M | re.S)
    return [" ".join(step.split()) for step in found]


@dataclass
class Printed:
    """What `load_demo` printed."""

    password: str
    logins: dict[str, tuple[str, list[str]]]  # username: (role, office codes)
    otp_keys: dict[str, str]
    bookings: dict[str, list[str]]  # office code: booking codes to check in now
    kiosks: dict[str, str]  # office code: enrolment link

    @classmethod
    def parse(cls, out: str) -> Printed:
        sections: dict[str, list[str]] = {}
        heading = ""
        for line in out.splitlines():
            if line.startswith("  "):
                sections.setdefault(heading, []).append(line.strip())
            else:
                heading = line
        password = re.search(r"password for all: (\S+)\)", out)
        assert password is not None, out

        def heading_of(starts: str) -> str:
            return next(h for h in sections if h.startswith(starts))

        def rows(starts: str) -> list[list[str]]:
            return [row.split() for row in sections[heading_of(starts)]]

        return cls(
            password=password.group(1),
            logins={
                user: (role, [code.strip() for code in offices.split(",")])
                for user, role, offices in (
                    re.split(r"\s{2,}", row) for row in sections[heading_of("Demo staff")]
                )
            },
            otp_keys={row[0]: row[1] for row in rows("Supervisors and administrators")},
            bookings={
                row[0]: [code for code in " ".join(row[1:]).split() if code != "-"]
                for row in rows("Bookings")
            },
            kiosks={row[0]: row[1] for row in rows("Kiosks")},
        )


def load_demo() -> Printed:
    out = StringIO()
    call_command("load_demo", stdout=out)
    return Printed.parse(out.getvalue())


@pytest.fixture
def demo(settings: Any) -> Iterator[Any]:
    """`make run`: DEBUG on (SMS and WhatsApp go to the console log), on a weekday morning."""
    settings.DEBUG = True
    settings.GILIRAN_CONSOLE_MESSAGES = True
    with time_machine.travel(NOW, tick=False) as clock:
        yield clock


class Console:
    """The worker's console: the messages written by the console channel."""

    def __init__(self, caplog: pytest.LogCaptureFixture) -> None:
        caplog.set_level(logging.INFO, logger="giliran.messages")
        self.caplog = caplog

    def lines(self, channel: str = "whatsapp") -> list[str]:
        return [
            record.getMessage()
            for record in self.caplog.records
            if record.name == "giliran.messages" and record.getMessage().startswith(f"[{channel}")
        ]

    def last(self) -> str:
        lines = self.lines()
        assert lines, "nothing was written to the console"
        return lines[-1]


def register_kiosk(client: Client, link: str) -> None:
    """Open a printed kiosk link: the page posts the token after '#' (the fragment never
    reaches the server in the link itself)."""
    assert link.startswith(SITE), link
    path, token = link.removeprefix(SITE).split("#")
    assert client.post(path, {"token": token}).status_code == 302


def check_in_at_kiosk(client: Client, office: str, code: str) -> str:
    response = client.post(f"/kios/{office}/", {"action": "check_in", "code": code})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"].startswith(f"/kios/{office}/tiket/")
    return str(response["Location"])


def sign_in(client: Client, username: str, password: str) -> None:
    response = client.post(reverse("staff:login"), {"username": username, "password": password})
    assert response.status_code == 302, response.content.decode()[:2000]


def test_the_readme_names_the_logins_and_offices_load_demo_prints(demo: Any) -> None:
    printed = load_demo()
    readme = README.read_text()
    assert f"password `{printed.password}` for all" in readme
    for username in re.findall(r"`([a-z]+\.[a-z]+)`", walk_through()):
        assert username in printed.logins, username
        # Every login the walk-through uses may use its office.
        assert "mpp-jakarta" in printed.logins[username][1], printed.logins[username]
    for username in ("admin", "admin.jakarta", "supervisor.jakarta", "petugas.jakarta"):
        assert f"`{username}`" in readme and username in printed.logins
    assert printed.logins["petugas.jakarta"] == ("clerk", ["kanim-jakarta-pusat", "mpp-jakarta"])
    assert printed.logins["supervisor.jakarta"][0] == "supervisor"
    assert set(printed.otp_keys) == {
        user for user, (role, _offices) in printed.logins.items() if role != "clerk"
    }
    # Codes for today at the walk-through's office too, three per demo office.
    assert "mpp-jakarta" in printed.bookings
    assert all(len(codes) == 3 for codes in printed.bookings.values()), printed.bookings


def test_follow_one_citizens_messages_as_the_readme_says(
    demo: Any, settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    console = Console(caplog)
    book, reminder, kiosk, counter, log = steps()
    # Step 2's quicker reminder: `GILIRAN_REMINDER_BEFORE_MINUTES=110 make run`.
    minutes = re.search(r"GILIRAN_REMINDER_BEFORE_MINUTES=(\d+) make run", reminder)
    assert minutes is not None, reminder
    settings.GILIRAN_REMINDER_BEFORE_MINUTES = int(minutes.group(1))
    printed = load_demo()

    # 1. Book a time about 2 hours ahead at MPP Jakarta, with a mobile number and WhatsApp.
    url = re.search(rf"<{SITE}(/kantor/([a-z-]+)/layanan/[a-z-]+/)>", book)
    assert url is not None, book
    calendar, office = url.group(1), url.group(2)
    citizen = Client()
    page = citizen.get(calendar).content.decode()
    today = re.search(r'href="(\?bulan=2026-12&amp;tanggal=2026-12-09)#times-heading"', page)
    assert today is not None, "today cannot be chosen in the calendar"
    page = citizen.get(calendar + today.group(1).replace("&amp;", "&")).content.decode()
    times = re.findall(rf'href="({calendar}waktu/\d+/)">(\d\d):(\d\d) WIB', page)
    assert times, "no time to book today"
    two_hours_ahead = NOW + timedelta(hours=2)

    def distance(time: tuple[str, str, str]) -> timedelta:
        start = NOW.replace(hour=int(time[1]) - 7, minute=int(time[2]))
        return abs(start - two_hours_ahead)

    details = min(times, key=distance)[0]
    response = citizen.post(
        details,
        {
            "full_name": "Rudi Hartono",
            "nik": "3171010203850005",
            "phone": PHONE,
            "email": "",
            "channel": "whatsapp",
            "priority_group": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    one_time = re.search(r"\b(\d{6})\b", console.last())
    assert one_time is not None, console.last()
    response = citizen.post(reverse("book-code"), {"code": one_time.group(1)})
    assert response.status_code == 302
    code = response["Location"].split("/pesanan/")[1].split("/")[0]
    booking = Booking.objects.get(code=code, status=BookingStatus.CONFIRMED)
    assert booking.slot.office_service.office.code == office
    assert code in console.last()  # the confirmation

    # 2. The sweeper sends the reminder, GILIRAN_REMINDER_BEFORE_MINUTES before the time.
    demo.move_to(booking.slot.starts_at - timedelta(minutes=int(minutes.group(1)) - 1))
    outbox_sweep()
    assert code in console.last()  # the reminder names the code to type at the kiosk
    assert Message.objects.get(kind="reminder_soon", subject_id=booking.pk).status == "sent"

    # 3. Register the browser as the kiosk with the printed link, then check in.
    kiosk_office = re.search(r"open the `([a-z-]+)` link", kiosk)
    kiosk_page = re.search(rf"<{SITE}(/kios/([a-z-]+)/)>", kiosk)
    assert kiosk_office is not None and kiosk_page is not None, kiosk
    assert kiosk_office.group(1) == kiosk_page.group(2) == office
    tablet = Client()
    register_kiosk(tablet, printed.kiosks[office])
    assert tablet.get(kiosk_page.group(1)).status_code == 200
    check_in_at_kiosk(tablet, office, code)
    ticket = Ticket.objects.get(booking=booking)
    assert ticket.display_number in console.last()  # the queue number and who is ahead

    # 4. As the clerk, open counter 4 of MPP Jakarta at /staf/loket/, call, start, finish.
    clerk_name = re.search(r"as `([a-z.]+)`", counter)
    number = re.search(r"open counter (\d+)", counter)
    assert clerk_name is not None and number is not None, counter
    assert "`/staf/loket/`" in counter
    clerk = Client()
    sign_in(clerk, clerk_name.group(1), printed.password)
    counters = clerk.get("/staf/loket/")
    assert counters.status_code == 200
    mpp_name = booking.slot.office_service.office.name
    assert f"under *{mpp_name}*" in counter
    html = counters.content.decode()
    assert f"<h2>{mpp_name}</h2>" in html, "the clerk has no counter at this office"
    section = html.split(f"<h2>{mpp_name}</h2>")[1].split("</section>")[0]
    console_url = re.search(rf'href="(/staf/loket/\d+/)">Loket {number.group(1)}<', section)
    assert console_url is not None, section
    for action in ("open", "next"):
        response = clerk.post(console_url.group(1), {"action": action})
        assert response.status_code == 200 and 'class="error"' not in response.content.decode()
    called = console.last()
    assert ticket.display_number in called and re.search(rf"\b{number.group(1)}\b", called)
    for action in ("start", "finish"):
        response = clerk.post(console_url.group(1), {"action": action})
        assert response.status_code == 200 and 'class="error"' not in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.FINISHED
    # The survey link, its token blanked as in every log line (core.logging).
    assert "/antrean/[redacted]/nilai/" in console.last()
    assert ticket.public_token not in "".join(console.lines())

    # 5. As the supervisor, with the code of the printed key: the office's message log.
    supervisor_name = re.search(r"as `([a-z.]+)`", log)
    log_path = re.search(r"`(/staf/kantor/([a-z-]+)/pesan-keluar/)`", log)
    assert supervisor_name is not None and log_path is not None, log
    assert log_path.group(2) == office
    username = supervisor_name.group(1)
    assert username in printed.otp_keys
    supervisor = Client()
    sign_in(supervisor, username, printed.password)
    otp = StringIO()
    call_command("demo_otp_code", username, stdout=otp)
    response = supervisor.post(reverse("twofactor:verify"), {"code": otp.getvalue().strip()})
    assert response.status_code == 302
    message_log = supervisor.get(log_path.group(1), {"cari": code})
    assert message_log.status_code == 200
    html = message_log.content.decode()
    journey = Message.objects.filter(recipient=booking.phone).order_by("pk")
    assert {m.kind for m in journey} >= {
        "code",
        "confirmed",
        "reminder_soon",
        "queued",
        "called",
        "survey",
    }
    for message in journey:
        assert str(message.kind_label) in html, message.kind
        if message.resendable:
            assert f"{log_path.group(1)}{message.pk}/kirim-ulang/" in html
    confirmed = journey.get(kind="confirmed")
    response = supervisor.post(f"{log_path.group(1)}{confirmed.pk}/kirim-ulang/")
    assert response.status_code == 302
    resent = Message.objects.get(resent_from=confirmed)
    assert resent.status == "sent" and code in console.last()


def test_printed_codes_are_for_checking_in_now_and_leave_out_those_used(demo: Any) -> None:
    printed = load_demo()
    assert all(len(codes) == 3 for codes in printed.bookings.values()), printed.bookings
    kiosks = {}
    for office, codes in printed.bookings.items():
        kiosks[office] = Client()
        register_kiosk(kiosks[office], printed.kiosks[office])
        # A printed code checks in at its office's kiosk, as an appointment.
        for code in codes[:2]:
            check_in_at_kiosk(kiosks[office], office, code)
            assert Ticket.objects.get(booking__code=code).source == "appointment"
    # Started again: the codes already checked in are not printed again; new ones take
    # their places, and they check in too.
    again = load_demo()
    for office, codes in again.bookings.items():
        assert len(codes) == 3
        assert codes[0] == printed.bookings[office][2]
        assert not set(codes) & set(printed.bookings[office][:2])
        register_kiosk(kiosks[office], again.kiosks[office])
        for code in codes:
            check_in_at_kiosk(kiosks[office], office, code)
    # Once more, twice: the second start, with nothing checked in since, changes nothing.
    third = load_demo()
    assert load_demo().bookings == third.bookings
    for office, codes in third.bookings.items():
        assert not set(codes) & set(printed.bookings[office] + again.bookings[office])


def still_to_arrive_and_open(code: str, now: datetime) -> bool:
    booking = Booking.objects.select_related("slot__office_service").get(code=code)
    opens, closes = check_in_window(booking.slot)
    return booking.status == BookingStatus.CONFIRMED and opens <= now <= closes


def test_codes_whose_check_in_closed_are_not_printed_again(demo: Any) -> None:
    printed = load_demo()
    # 10:30 WIB, 11:30 WITA, 12:30 WIT: the check-in of the slots printed at 09:00 WIB
    # (10:00 WITA, 11:00 WIT) has closed.
    later = NOW + timedelta(minutes=90)
    demo.move_to(later)
    again = load_demo()
    for office, codes in again.bookings.items():
        assert all(still_to_arrive_and_open(code, later) for code in codes), codes
        # Those printed at 09:00 WIB can no longer be checked in: released as no-shows,
        # not printed again.
        assert not set(codes) & set(printed.bookings[office])
        assert set(
            Booking.objects.filter(code__in=printed.bookings[office]).values_list(
                "status", flat=True
            )
        ) == {BookingStatus.NO_SHOW}
        kiosk = Client()
        register_kiosk(kiosk, again.kiosks[office])
        for code in codes:
            check_in_at_kiosk(kiosk, office, code)
            assert Ticket.objects.get(booking__code=code).source == "appointment"
    assert again.bookings["mpp-jakarta"], "the walk-through office has codes"


def test_no_codes_once_check_in_has_closed(demo: Any) -> None:
    printed = load_demo()
    # Thursday 10 December 2026 at 23:00 WIT: every demo office has closed for the day.
    demo.move_to(datetime(2026, 12, 10, 14, 0, tzinfo=UTC))
    later = load_demo()
    assert set(later.bookings) == set(printed.bookings)
    assert all(codes == [] for codes in later.bookings.values()), later.bookings
