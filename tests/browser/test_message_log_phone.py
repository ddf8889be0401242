"""The supervisors' message log on a phone (issue 12, item 9): one card per message, no
sideways scrolling at 390 px, however long a reference, an address or an error."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from notifications.models import Message, MessageChannel
from queueing.messages import TicketMessageKind
from tests.browser.conftest import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_message_log_fits_a_phone(
    jakarta_office: Any,
    supervisor: Any,
    live_server: Any,
    new_phone_page: Callable[..., Page],
    sign_in: Callable[..., None],
) -> None:
    long_address = (
        "seorang.warga.dengan.alamat.surel.yang.sangat.panjang.sekali@contoh-domain-panjang.go.id"
    )
    for n, (channel, recipient) in enumerate(
        [(MessageChannel.EMAIL, long_address), (MessageChannel.SMS, "+6281234567890")]
    ):
        Message.objects.create(
            dedup_key=f"survey:{n}",
            kind=TicketMessageKind.SURVEY,
            channel=channel,
            recipient=recipient,
            office=jakarta_office,
            context={"reference": "REFERENSI-TANPA-SPASI-YANG-PANJANG-0123456789", "office": ""},
            status="dead",
            attempts=5,
            last_error="gateway-error:" + "x" * 120,
            due_at=timezone.now() - timedelta(minutes=5),
        )
    page = new_phone_page()
    sign_in(page, supervisor)
    page.goto(f"{live_server.url}/staf/kantor/{jakarta_office.code}/pesan-keluar/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Pesan ke warga")
    # A mobile browser widens its layout viewport to content that does not fit, so the
    # page is measured against the phone's width, not against window.innerWidth.
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"]
    expect(page.get_by_test_id("message-log")).to_contain_text("REFERENSI-TANPA-SPASI")
