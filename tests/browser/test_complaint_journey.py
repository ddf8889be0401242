"""A citizen files a complaint on a phone without an account, a supervisor answers it at
a desktop, and the citizen reads the answer with the number and the access key; every
page state passes axe. In real Chromium."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from playwright.sync_api import FilePayload, Page, expect

from complaints.messages import ComplaintMessageKind
from complaints.models import Complaint
from notifications.models import Message
from tests.browser.accessibility import assert_accessible
from tests.browser.conftest import DESKTOP

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# A real 1×1 PNG.
PIXEL = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)
ANSWER = "Mohon maaf. Loket tambahan dibuka mulai besok pukul 08.00 WIB."


def test_a_citizen_files_and_a_supervisor_answers(
    live_server: Any,
    jakarta_office: Any,
    supervisor: Any,
    new_phone_page: Callable[..., Page],
    new_device_page: Callable[..., Page],
    sign_in: Callable[[Page, Any], None],
) -> None:
    citizen = new_phone_page()
    citizen.goto(f"{live_server.url}/pengaduan/")
    expect(citizen.get_by_role("heading", level=1)).to_have_text("Sampaikan pengaduan")
    assert_accessible(citizen)
    citizen.get_by_role("button", name="Kirim pengaduan").click()  # nothing filled in
    expect(citizen.locator(".error").first).to_be_visible()
    assert_accessible(citizen)
    citizen.get_by_label("Kantor").select_option(jakarta_office.code)
    citizen.get_by_label("Pelayanan lambat atau tertunda").check()
    citizen.get_by_label("Apa yang terjadi?").fill(
        "Saya menunggu lima jam di loket paspor, nomor antrean tidak bergerak."
    )
    citizen.get_by_label("Foto (tidak wajib)").set_input_files(
        files=FilePayload(name="loket.png", mimeType="image/png", buffer=PIXEL)
    )
    citizen.get_by_label("Nomor HP atau email (tidak wajib)").fill("siti@example.id")
    citizen.get_by_role("button", name="Kirim pengaduan").click()
    expect(citizen.get_by_role("heading", level=1)).to_have_text("Pengaduan diterima")
    assert_accessible(citizen)
    number = citizen.locator("[data-complaint-number]").inner_text()
    key = citizen.locator("[data-access-key]").inner_text()
    complaint = Complaint.objects.get()
    assert number == complaint.number
    # Sent by email at once, with the key; the outbox row no longer holds the key.
    assert key in mail.outbox[0].body and number in mail.outbox[0].subject
    assert key not in str(Message.objects.get(kind=ComplaintMessageKind.RECEIVED).context)

    staff = new_device_page(DESKTOP)
    sign_in(staff, supervisor)
    staff.goto(f"{live_server.url}/staf/pengaduan/")
    expect(staff.get_by_role("link", name=number)).to_be_visible()
    assert_accessible(staff)
    staff.get_by_role("link", name=number).click()
    expect(staff.get_by_role("img", name="Foto dari warga")).to_be_visible()
    assert staff.get_by_role("img", name="Foto dari warga").evaluate("i => i.naturalWidth") == 1
    assert_accessible(staff)
    staff.get_by_role("button", name="Tangani").click()
    expect(staff.locator("[data-complaint-status]")).to_have_text("Sedang diproses")
    staff.get_by_label("Jawaban (warga membacanya persis seperti ditulis)").fill(ANSWER)
    staff.get_by_role("button", name="Kirim jawaban").click()
    expect(staff.locator("[data-complaint-status]")).to_have_text("Dijawab")
    staff.get_by_role("button", name="Tutup pengaduan").click()
    expect(staff.locator("[data-complaint-status]")).to_have_text("Ditutup")
    expect(staff.locator(".trail li")).to_have_count(4)
    assert_accessible(staff)

    citizen.goto(f"{live_server.url}/pengaduan/status/")
    assert_accessible(citizen)
    citizen.get_by_label("Nomor pengaduan").fill(number)
    citizen.get_by_label("Kunci akses").fill(key)
    citizen.get_by_role("button", name="Tampilkan status").click()
    expect(citizen.locator("[data-complaint-status]")).to_have_text("Ditutup")
    expect(citizen.locator("[data-complaint-answer]")).to_contain_text(ANSWER)
    assert_accessible(citizen)
    kinds = set(Message.objects.filter(subject_id=complaint.pk).values_list("kind", flat=True))
    assert len(kinds) == Message.objects.filter(subject_id=complaint.pk).count() == 4
    assert ANSWER in mail.outbox[2].body and len(mail.outbox) == 4
