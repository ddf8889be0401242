"""The web chat: the "Ask Giliran" panel on citizen pages (htmx) and the chat page
/tanya/ that works without JavaScript."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone
from django.utils.html import escape

from assistant.models import Author, Channel, Conversation, Handoff, Turn
from assistant.selectors import turns_after

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
OFFICE = "kanim-jakarta-pusat"


def page(response: Any) -> str:
    return response.content.decode()


def session_conversation(client: Client) -> Conversation:
    return Conversation.objects.get(token=client.session["assistant_conversation"])


@pytest.mark.parametrize(
    "path", ["/", "/en/", "/layanan/", f"/kantor/{OFFICE}/", "/pesanan/", "/pengaduan/"]
)
def test_citizen_pages_show_the_launcher_as_a_link_to_the_chat_page(
    demo_country: None, client: Client, path: str
) -> None:
    html = page(client.get(path))

    launcher = re.search(r"<a class=\"chat-launcher[^>]*>", html)
    assert launcher is not None
    prefix = "/en" if path.startswith("/en/") else ""
    assert f'href="{prefix}/tanya/"' in launcher.group(0)
    assert f'hx-get="{prefix}/tanya/"' in launcher.group(0)
    assert "js/chat.js" in html


def test_the_launcher_speaks_the_pages_language(demo_country: None, client: Client) -> None:
    assert ">Tanya Giliran</a>" in page(client.get("/"))
    assert ">Ask Giliran</a>" in page(client.get("/en/"))


@pytest.mark.parametrize(
    "path", ["/staf/", "/en/staf/", "/staf/loket/", "/staf/pengaduan/", "/staf/audit/"]
)
def test_staff_pages_have_no_launcher(demo_country: None, client: Client, path: str) -> None:
    client.force_login(get_user_model().objects.get(username="supervisor.jakarta"))

    response = client.get(path)

    assert response.status_code == 200
    assert "chat-launcher" not in page(response)


def test_the_kiosk_board_and_staff_sign_in_have_no_launcher(
    demo_country: None, client: Client
) -> None:
    for path in (f"/kios/{OFFICE}/", f"/papan/{OFFICE}/", "/staf/masuk/"):
        assert "chat-launcher" not in page(client.get(path)), path


def test_a_citizen_page_still_shows_the_launcher_to_a_signed_in_member_of_staff(
    demo_country: None, client: Client
) -> None:
    client.force_login(get_user_model().objects.get(username="petugas.jakarta"))

    assert "chat-launcher" in page(client.get("/layanan/"))


def test_the_panel_comes_as_an_htmx_partial(demo_country: None, client: Client) -> None:
    response = client.get("/tanya/", headers=HTMX)

    html = page(response)
    assert response.status_code == 200
    assert "<html" not in html and 'class="chat chat-panel"' in html
    assert 'id="chat-scroll" role="log" aria-live="polite"' in html
    assert '<label for="chat-text">Pertanyaan Anda</label>' in html
    assert 'href="/tanya/">Buka halaman penuh</a>' in html
    assert "csrfmiddlewaretoken" in html


def test_without_javascript_a_message_posts_redirects_and_shows_the_reply(
    demo_country: None, client: Client
) -> None:
    response = client.post("/tanya/", {"text": "halo"})

    assert response.status_code == 302
    assert response["Location"] == "/tanya/#chat-log"
    conversation = session_conversation(client)
    assert conversation.channel == Channel.WEB
    assert conversation.token not in response["Location"]
    html = page(client.get("/tanya/"))
    assert "<h1>Tanya Giliran</h1>" in html
    assert "<p>halo</p>" in html
    reply = conversation.turns.get(author=Author.ASSISTANT)
    assert escape(reply.text) in html
    # The buttons under the reply are forms too: pressing one sends its text.
    assert re.search(r'<button type="submit" class="secondary" name="text" value="[^"]+">', html)

    client.post("/tanya/", {"text": "terima kasih"})
    assert session_conversation(client) == conversation
    assert conversation.turns.count() == 4


def test_the_chat_page_chrome_follows_the_page_language_and_the_reply_the_citizen(
    demo_country: None, client: Client
) -> None:
    client.post("/en/tanya/", {"text": "kantor imigrasi buka jam berapa"})

    html = page(client.get("/en/tanya/"))
    assert "<h1>Ask Giliran</h1>" in html and "Your question" in html
    assert session_conversation(client).language == "id"
    reply = session_conversation(client).turns.get(author=Author.ASSISTANT)
    assert escape(reply.text) in html


def test_an_htmx_message_returns_only_the_new_turns(demo_country: None, client: Client) -> None:
    client.post("/tanya/", {"text": "halo"})
    shown = session_conversation(client).turns.order_by("pk").last()
    assert shown is not None

    response = client.post("/tanya/", {"text": "terima kasih", "after": shown.pk}, headers=HTMX)

    html = page(response)
    assert response.status_code == 200
    assert "<html" not in html
    assert html.count('class="chat-turn ') == 2
    assert f'id="turn-{shown.pk}"' not in html
    assert "<p>terima kasih</p>" in html
    latest = session_conversation(client).turns.order_by("pk").last()
    assert latest is not None
    assert f'id="chat-after" name="after" value="{latest.pk}" hx-swap-oob="true"' in html


def test_injected_markup_is_shown_as_text(demo_country: None, client: Client) -> None:
    attack = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    client.post("/tanya/", {"text": attack})

    html = page(client.get("/tanya/"))

    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html

    partial = page(client.post("/tanya/", {"text": attack, "after": 0}, headers=HTMX))
    assert "<script>alert" not in partial and "&lt;script&gt;" in partial


def test_a_message_over_1000_characters_is_refused_by_the_input(
    demo_country: None, client: Client
) -> None:
    response = client.post("/en/tanya/", {"text": "a" * 1001})

    assert response.status_code == 400
    html = page(response)
    assert "Write at most 1000 characters." in html
    assert 'aria-invalid="true"' in html
    assert not Conversation.objects.exists()

    partial = page(client.post("/tanya/", {"text": "a" * 1001, "after": 0}, headers=HTMX))
    assert "Tulis paling banyak 1000 karakter." in partial
    assert 'id="chat-error"' in partial and 'hx-swap-oob="true"' in partial


def test_too_many_messages_are_refused_on_the_page(
    demo_country: None, client: Client, settings: Any
) -> None:
    settings.GILIRAN_RATE_ASSISTANT_PER_IP = "1/m"
    client.post("/tanya/", {"text": "halo"})

    response = client.post("/en/tanya/", {"text": "halo"})

    assert response.status_code == 429
    assert "Too many attempts. Please wait a while and try again." in page(response)
    assert session_conversation(client).turns.count() == 2


def test_a_post_without_the_csrf_token_is_refused(demo_country: None) -> None:
    client = Client(enforce_csrf_checks=True)

    assert client.post("/tanya/", {"text": "halo"}).status_code == 403
    assert not Conversation.objects.exists()


def test_another_sessions_conversation_cannot_be_read(demo_country: None, client: Client) -> None:
    client.post("/tanya/", {"text": "nama saya Siti, saya mau bertanya"})
    stranger = Client()

    html = page(stranger.get("/tanya/"))
    polled = page(stranger.get("/tanya/baru/?after=0", headers=HTMX))

    assert "Siti" not in html and "Siti" not in polled
    assert 'class="chat-turn chat-citizen"' not in html + polled


def hand_to_staff(conversation: Conversation) -> None:
    conversation.handoff = Handoff.WITH_STAFF
    conversation.save(update_fields=["handoff"])


def staff_reply(conversation: Conversation, text: str) -> Turn:
    return Turn.objects.create(
        conversation=conversation,
        author=Author.STAFF,
        text=text,
        staff=get_user_model().objects.get(username="petugas.jakarta"),
        created_at=timezone.now(),
    )


def test_the_panel_polls_only_while_the_conversation_is_handed_off(
    demo_country: None, client: Client
) -> None:
    client.post("/tanya/", {"text": "halo"})
    assert 'hx-trigger="every 5s"' not in page(client.get("/tanya/", headers=HTMX))

    hand_to_staff(session_conversation(client))

    assert 'hx-trigger="every 5s"' in page(client.get("/tanya/", headers=HTMX))


def test_polling_brings_the_staff_reply_after_the_last_turn_shown(
    demo_country: None, client: Client
) -> None:
    client.post("/tanya/", {"text": "halo"})
    conversation = session_conversation(client)
    hand_to_staff(conversation)
    shown = conversation.turns.order_by("pk").last()
    assert shown is not None
    assert page(client.get(f"/tanya/baru/?after={shown.pk}", headers=HTMX)).count("chat-turn") == 0

    reply = staff_reply(conversation, "Selamat siang, saya Budi dari loket informasi.")
    html = page(client.get(f"/tanya/baru/?after={shown.pk}", headers=HTMX))

    assert html.count('class="chat-turn ') == 1
    assert f'id="turn-{reply.pk}"' in html and "chat-staff" in html
    assert "Selamat siang, saya Budi dari loket informasi." in html
    assert f'value="{reply.pk}" hx-swap-oob="true"' in html
    assert 'hx-trigger="every 5s"' in html  # still with staff: keep polling

    conversation.handoff = Handoff.CLOSED
    conversation.save(update_fields=["handoff"])
    closed = page(client.get(f"/tanya/baru/?after={reply.pk}", headers=HTMX))
    assert 'id="chat-poll" hx-swap-oob="true"' in closed
    assert 'hx-trigger="every 5s"' not in closed  # the polling stops


@pytest.mark.parametrize("after", ["", "abc", "-5", "9" * 40])
def test_a_malformed_after_reads_from_the_start(
    demo_country: None, client: Client, after: str
) -> None:
    client.post("/tanya/", {"text": "halo"})

    response = client.get(f"/tanya/baru/?after={after}", headers=HTMX)

    assert response.status_code == 200
    assert page(response).count('class="chat-turn ') == 2


def test_turns_after_gives_the_later_turns_oldest_first(demo_country: None, client: Client) -> None:
    client.post("/tanya/", {"text": "halo"})
    conversation = session_conversation(client)
    first, second = conversation.turns.order_by("pk")
    third = staff_reply(conversation, "Ada yang bisa dibantu?")

    assert turns_after(conversation, 0) == [first, second, third]
    assert turns_after(conversation, first.pk) == [second, third]
    assert turns_after(conversation, third.pk) == []
