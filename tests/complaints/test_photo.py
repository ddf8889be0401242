"""The optional photo: recognised by its content, capped in size, kept in the database
and shown only to the complaint's handlers."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation

from complaints.models import Complaint, ComplaintPhoto
from tests.complaints.conftest import file

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 200
WEBP = b"RIFF\x10\x00\x00\x00WEBPVP8 " + b"\x00" * 200


def _post(client: Client, office: Any, photo: SimpleUploadedFile) -> Any:
    with translation.override("id"):
        url = reverse("complaint-new")
    return client.post(
        url,
        {
            "office": office.code,
            "category": "facilities",
            "text": "Toilet di ruang tunggu rusak dan tidak ada air sejak minggu lalu.",
            "photo": photo,
        },
    )


@pytest.mark.parametrize(
    ("data", "kind"), [(PNG, "image/png"), (JPEG, "image/jpeg"), (WEBP, "image/webp")]
)
def test_a_photo_is_kept_with_the_type_its_content_says(
    client: Client, jakarta_office: Any, data: bytes, kind: str
) -> None:
    # The name and the browser's claim are ignored: only the bytes count.
    response = _post(client, jakarta_office, SimpleUploadedFile("x.txt", data, "text/plain"))
    assert response.status_code == 302
    photo = ComplaintPhoto.objects.get()
    assert photo.content_type == kind and bytes(photo.data) == data


@pytest.mark.parametrize(
    ("upload", "expected"),
    [
        (
            SimpleUploadedFile("foto.jpg", b"<html>not a photo</html>", "image/jpeg"),
            "JPEG, PNG, atau WebP",
        ),
        (
            SimpleUploadedFile("foto.gif", b"GIF89a" + b"\x00" * 50, "image/gif"),
            "JPEG, PNG, atau WebP",
        ),
        (SimpleUploadedFile("besar.png", PNG + b"\x00" * 2048, "image/png"), "terlalu besar"),
    ],
)
def test_a_wrong_or_too_large_photo_is_refused_and_nothing_is_filed(
    client: Client, jakarta_office: Any, settings: Any, upload: SimpleUploadedFile, expected: str
) -> None:
    settings.GILIRAN_COMPLAINT_PHOTO_MAX_BYTES = 1024
    response = _post(client, jakarta_office, upload)
    assert response.status_code == 200 and expected in response.content.decode()
    assert not Complaint.objects.exists() and not ComplaintPhoto.objects.exists()


def test_only_the_handlers_see_the_photo(
    client: Client, jakarta_office: Any, supervisor: Any, supervisor_of_another_office: Any
) -> None:
    complaint = file(jakarta_office, photo=PNG).complaint
    with translation.override("id"):
        url = reverse("staff:complaint-photo", args=[complaint.number])
        detail = reverse("staff:complaint", args=[complaint.number])
    assert client.get(url).status_code == 302  # to the sign-in page
    client.force_login(supervisor_of_another_office)
    assert client.get(url).status_code == 403
    client.force_login(supervisor)
    assert url in client.get(detail).content.decode()
    response = client.get(url)
    assert response.status_code == 200 and response.content == PNG
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
