"""Filing a complaint on the page (Indonesian and English) and through the API: the
citizen gets a tracking number and an access key, the contact is encrypted, one
confirmation is queued; bad input gets a translated error and creates nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from complaints.messages import ComplaintMessageKind
from complaints.models import Complaint, ComplaintEvent
from core import personal_data
from notifications.models import Message
from tests.complaints.conftest import TEXT

pytestmark = pytest.mark.django_db


def _url(name: str, prefix: str = "") -> str:
    with translation.override("id"):
        return prefix + reverse(name)


def _form(office: Any, /, **changes: str) -> dict[str, str]:
    return {
        "office": office.code,
        "category": "service_delay",
        "text": "Antrean sangat lama, saya menunggu empat jam tanpa kepastian.",
        "contact": "0812 3456 7890",
        **changes,
    }


def test_a_citizen_files_a_complaint_and_sees_the_number_and_key_once(
    client: Client, jakarta_office: Any
) -> None:
    page = client.get(_url("complaint-new")).content.decode()
    assert "Sampaikan pengaduan" in page and "14 hari kerja" in page
    response = client.post(_url("complaint-new"), _form(jakarta_office))
    assert response.status_code == 302 and response["Location"] == _url("complaint-filed")
    complaint = Complaint.objects.get()
    assert complaint.number.startswith("ADU-") and complaint.status == "received"
    filed = client.get(response["Location"]).content.decode()
    assert complaint.number in filed and "Kunci akses" in filed
    # The contact is encrypted, with a keyed hash; the number is nowhere in plain text.
    assert "3456" not in complaint.contact_encrypted
    assert personal_data.decrypt(complaint.contact_encrypted) == "+6281234567890"
    assert complaint.contact_hash == personal_data.keyed_hash("+6281234567890")
    message = Message.objects.get(kind=ComplaintMessageKind.RECEIVED)
    assert message.recipient == "+6281234567890" and message.channel == "sms"
    assert message.context["number"] == complaint.number
    assert len(message.context["code"]) == 11  # XXXXX-XXXXX
    assert message.context["code"] in filed
    # Shown once: reloading the page does not show the key again.
    again = client.get(_url("complaint-filed"))
    assert again.status_code == 302
    assert ComplaintEvent.objects.filter(complaint=complaint, kind="filed").count() == 1


def test_the_english_page_files_in_english(client: Client, jakarta_office: Any) -> None:
    page = client.get(_url("complaint-new", "/en")).content.decode()
    assert "File a complaint" in page and "14 working days" in page
    response = client.post(_url("complaint-new", "/en"), _form(jakarta_office, contact=""))
    assert response.status_code == 302
    complaint = Complaint.objects.get()
    assert complaint.language == "en" and complaint.channel == "none"
    assert not Message.objects.exists()  # no contact, nobody to tell
    filed = client.get(response["Location"]).content.decode()
    assert "Write down the tracking number and the access key" in filed


@pytest.mark.parametrize(
    ("changes", "field", "expected"),
    [
        ({"text": ""}, "text", "Bidang ini harus diisi."),
        (
            {"text": "terlalu pendek"},
            "text",
            "Jelaskan apa yang terjadi dalam paling sedikit 20 karakter.",
        ),
        ({"text": "x" * 4001}, "text", "4000"),
        ({"office": "tidak-ada"}, "office", "tidak-ada bukan salah satu dari pilihan"),
        ({"category": "lainnya"}, "category", "lainnya bukan salah satu dari pilihan"),
        ({"contact": "12345"}, "contact", "Isi nomor HP Indonesia"),
        ({"contact": "bukan@email"}, "contact", "alamat email yang valid"),
    ],
)
def test_bad_input_is_refused_next_to_its_field_and_creates_nothing(
    client: Client, jakarta_office: Any, changes: dict[str, str], field: str, expected: str
) -> None:
    response = client.post(_url("complaint-new"), _form(jakarta_office, **changes))
    assert response.status_code == 200
    assert expected in response.content.decode()
    assert not Complaint.objects.exists() and not Message.objects.exists()


def test_markup_is_kept_as_typed_and_shown_as_text(client: Client, jakarta_office: Any) -> None:
    text = '<script>alert("x")</script> antrean lama sekali <b>tolong</b>'
    client.post(_url("complaint-new"), _form(jakarta_office, text=text))
    complaint = Complaint.objects.get()
    assert complaint.text == text


def test_the_api_files_a_complaint_in_the_callers_language(
    client: Client, jakarta_office: Any
) -> None:
    response = client.post(
        "/api/v1/complaints/",
        {
            "office": jakarta_office.code,
            "category": "facilities",
            "text": TEXT,
            "contact": "siti@example.id",
        },
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["number"] == Complaint.objects.get().number
    assert body["status"] == "received" and body["status_label"] == "Received"
    assert body["access_key"] and body["answer"] == ""
    assert Complaint.objects.get().language == "en"
    assert Message.objects.get().channel == "email"


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"text": ""}, "text", "Bidang ini tidak boleh kosong."),
        ({"office": "tidak-ada"}, "office", "Pilih kantor dari daftar."),
        ({"category": "nope"}, "category", "tidak ada dalam daftar pilihan"),
        ({"text": "x" * 5000}, "text", "4000"),
    ],
)
def test_the_api_refuses_bad_input_with_the_error_shape(
    client: Client, jakarta_office: Any, body: dict[str, str], field: str, message: str
) -> None:
    payload = {"office": jakarta_office.code, "category": "other", "text": TEXT, **body}
    response = client.post(
        "/api/v1/complaints/", payload, content_type="application/json", HTTP_ACCEPT_LANGUAGE="id"
    )
    assert response.status_code == 400
    error = response.json()
    assert set(error) >= {"code", "message", "fields"}
    assert message in " ".join(error["fields"][field])
    assert not Complaint.objects.exists()


def test_the_office_page_links_to_a_complaint_about_it(client: Client, jakarta_office: Any) -> None:
    with translation.override("id"):
        office_url = reverse("office-detail", args=[jakarta_office.code])
    page = client.get(office_url).content.decode()
    link = f"{_url('complaint-new')}?kantor={jakarta_office.code}"
    assert "Sampaikan pengaduan tentang kantor ini" in page and link in page
    form = client.get(link).content.decode()
    assert f'<option value="{jakarta_office.code}" selected>' in form
